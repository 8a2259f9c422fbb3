use reqwest::{Method, StatusCode};

use crate::common::{send, start_default, Auth};

const ACTION: &str = "/v2/cloudimages/action";

async fn refusal(body: &str) -> (StatusCode, serde_json::Value) {
    let ims = start_default();
    let answer = send(&ims, Method::POST, ACTION, body, Auth::Signed).await;
    assert!(
        ims.jobs(None).is_empty(),
        "a refused create must not start a job"
    );
    (answer.status, answer.json())
}

#[tokio::test]
async fn an_empty_body_is_img_0007() {
    let (status, body) = refusal("").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "IMG.0007");
    assert!(body["error"]["message"].is_string());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_img_0001() {
    let (status, body) = refusal(r#"{"name": "web", "instance_id": "#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "IMG.0001");
}

/// The eight request examples of the API page, each a valid request of its mode.
const API_EXAMPLES: [&str; 8] = [
    r#"{"name": "ims_test", "description": "云服务器制作系统盘镜像", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "tags": ["aaa.111", "bbb.333", "ccc.444"]}"#,
    r#"{"data_images": [{"name": "ims_data_image_test", "description": "云服务器数据卷制作数据盘镜像",
        "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30", "tags": ["aaa.111", "bbb.333", "ccc.444"]}]}"#,
    r#"{"name": "ims_test_file", "description": "OBS文件制作镜像", "image_url": "ims-image:centos70.qcow2",
        "os_version": "CentOS 7.0 64bit", "is_config_init": true, "min_disk": 40, "is_config": true,
        "tags": ["aaa.111", "bbb.333", "ccc.444"]}"#,
    r#"{"name": "ims_test", "description": "云服务器制作系统盘镜像", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}]}"#,
    r#"{"data_images": [{"name": "ims_data_image_test", "description": "云服务器数据卷制作数据盘镜像",
        "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30",
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}]}]}"#,
    r#"{"name": "ims_test_file", "description": "OBS文件制作镜像", "image_url": "ims-image:centos70.qcow2",
        "os_version": "CentOS 7.0 64bit", "is_config_init": true, "min_disk": 40,
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}]}"#,
    r#"{"name": "ims_test", "description": "数据卷制作系统盘镜像", "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "type": "ECS", "os_version": "CentOS 7.0 64bit", "tags": ["aaa.111", "bbb.333", "ccc.444"]}"#,
    r#"{"name": "ims_test", "description": "数据卷制作系统盘镜像", "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "type": "ECS", "os_version": "CentOS 7.0 64bit",
        "image_tags": [{"key": "key2", "value": "value2"}, {"key": "key1", "value": "value1"}]}"#,
];

#[tokio::test]
async fn every_example_of_the_api_page_is_accepted() {
    let ims = start_default();
    for example in API_EXAMPLES {
        let answer = send(&ims, Method::POST, ACTION, example, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::OK, "{example}\n{}", answer.text);
    }
    assert_eq!(ims.jobs(None).len(), API_EXAMPLES.len());
}

static LONG_NAME: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        r#"{{"name": "{}", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}}"#,
        "n".repeat(129)
    )
});

static LONG_DESCRIPTION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        r#"{{"name": "web", "description": "{}", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}}"#,
        "d".repeat(1025)
    )
});

/// Every rule of IMS's list (ims-facts.md section 3) that the request alone can break.
#[tokio::test]
async fn a_broken_rule_answers_its_ims_code_and_names_the_field() {
    let cases = [
        (
            r#"{"name": "ims_test", "instance_id": "not-a-uuid"}"#,
            "IMG.0001",
            "instance_id",
        ),
        (
            r#"{"instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            "IMG.0013",
            "name",
        ),
        (
            r#"{"name": "bad<name>", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            "IMG.0003",
            "name",
        ),
        (
            r#"{"name": "x", "image_url": "b:o.qcow2", "min_disk": 4096}"#,
            "IMG.0055",
            "min_disk",
        ),
        (
            r#"{"name": "x", "volume_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            "IMG.0056",
            "os_version",
        ),
        (
            r#"{"name": "x", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "tags": ["a.1"],
                "image_tags": [{"key": "b", "value": "2"}]}"#,
            "IMG.0115",
            "tags",
        ),
        (r#"[1, 2, 3]"#, "IMG.0001", "object"),
        (&LONG_NAME, "IMG.0002", "name"),
        (
            r#"{"name": "web", "description": "<b>bold</b>",
                "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            "IMG.0054",
            "description",
        ),
        (&LONG_DESCRIPTION, "IMG.0004", "description"),
        (
            r#"{"name": "x", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
                "min_ram": 4096, "max_ram": 1024}"#,
            "IMG.0055",
            "ram",
        ),
        (
            r#"{"name": "x", "image_url": "b:o.qcow2", "min_disk": 40,
                "data_images": [{"image_url": "b:d.qcow2", "min_disk": 4096}]}"#,
            "IMG.0055",
            "min_disk",
        ),
        (
            r#"{"name": "x", "image_url": "b:o.zvhd2", "min_disk": 40, "is_quick_import": true}"#,
            "IMG.0159",
            "os_version",
        ),
        (
            r#"{"name": "x", "image_url": "b:install.ISO", "min_disk": 40}"#,
            "IMG.0166",
            "os_version",
        ),
        (
            r#"{"name": "x", "image_url": "b:o.qcow2", "min_disk": 40, "type": "IsoImage"}"#,
            "IMG.0166",
            "os_version",
        ),
        (
            r#"{"name": "x", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
                "tags": ["bad key!.1"]}"#,
            "IMG.0115",
            "tags",
        ),
        (
            r#"{"name": "x", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
                "image_tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}"#,
            "IMG.0115",
            "image_tags",
        ),
        (
            r#"{"name": "x", "image_url": "b:o.qcow2", "min_disk": 40, "os_type": "Solaris"}"#,
            "IMG.0122",
            "os_type",
        ),
        (
            r#"{"name": "x", "image_url": "b:o.qcow2", "min_disk": 40, "architecture": "sparc"}"#,
            "IMG.0212",
            "architecture",
        ),
        (
            r#"{"name": "x", "image_url": "b:my file.qcow2", "min_disk": 40}"#,
            "IMG.0175",
            "image_url",
        ),
    ];
    for (body, code, field) in cases {
        let body: &str = body;
        let (status, answer) = refusal(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{body}: {message}");
    }
}

#[tokio::test]
async fn unknown_keys_are_accepted_as_ims_ignores_them() {
    let ims = start_default();
    let body = r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "future_field": true}"#;
    let answer = send(&ims, Method::POST, ACTION, body, Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}
