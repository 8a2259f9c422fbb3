//! Whole images over HTTP (`POST /v1/cloudimages/wholeimages/action`): the page's examples accepted,
//! its rules refused with IMS's codes, and the job naming the image in `entities.image_id`.

use reqwest::{Method, StatusCode};

use crate::common::{poll_to_end, send, start_default, Auth};

const WHOLE: &str = "/v1/cloudimages/wholeimages/action";

/// The four request examples of the whole-image page.
const EXAMPLES: [&str; 4] = [
    r#"{"name": "instance_whole_image", "description": "云服务器制作镜像", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "vault_id": "de9fcf45-11b2-432c-8562-5c5428574600", "tags": ["aaa.111", "bbb.333", "ccc.444"]}"#,
    r#"{"name": "instance_whole_image", "description": "云服务器制作镜像", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
        "vault_id": "de9fcf45-11b2-432c-8562-5c5428574600",
        "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]}"#,
    r#"{"name": "backup_whole_image", "description": "云备份制作镜像", "backup_id": "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3",
        "whole_image_type": "CBR", "tags": ["aaa.111", "bbb.333", "ccc.444"]}"#,
    r#"{"name": "backup_whole_image", "description": "云备份制作镜像", "backup_id": "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3",
        "whole_image_type": "CBR", "image_tags": [{"key":"key2","value":"value2"},{"key":"key1","value":"value1"}]}"#,
];

#[tokio::test]
async fn every_example_makes_a_whole_image_named_by_its_job() {
    let ims = start_default();
    for example in EXAMPLES {
        let answer = send(&ims, Method::POST, WHOLE, example, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let job_id = answer.json()["job_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (_, job) = poll_to_end(&ims, &job_id).await;
        assert_eq!(job["status"], "SUCCESS");
        let image_id = job["entities"]["image_id"].as_str().unwrap_or_default();
        let listed = ims.images(None);
        assert!(
            listed.iter().any(|image| image["id"] == image_id),
            "{listed:?}"
        );
    }
    assert_eq!(ims.images(None).len(), 4);
}

#[tokio::test]
async fn broken_rules_are_refused_with_imss_codes() {
    let ims = start_default();
    for (body, code) in [
        ("", "IMG.0007"),
        (r#"{"name": "w"}"#, "IMG.0012"),
        (r#"{"name": "w", "backup_id": ""}"#, "IMG.0019"),
        (
            r#"{"name": "w", "backup_id": "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3", "whole_image_type": "EVS"}"#,
            "IMG.0001",
        ),
        (
            r#"{"name": "w", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "vault_id": "v"}"#,
            "IMG.0001",
        ),
        (
            r#"{"name": " w", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            "IMG.0003",
        ),
    ] {
        let answer = send(&ims, Method::POST, WHOLE, body, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.json()["error"]["code"], code, "{body}");
    }
    assert!(ims.jobs(None).is_empty());
}
