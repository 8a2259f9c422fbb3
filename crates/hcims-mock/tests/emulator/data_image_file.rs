//! Data images from an OBS file over HTTP (`POST /v1/cloudimages/dataimages/action`): the page's examples
//! make data images named in `entities.image_id`; its rules are refused with IMS's codes.

use reqwest::{Method, StatusCode};

use crate::common::{poll_to_end, send, start_default, Auth};

const DATA: &str = "/v1/cloudimages/dataimages/action";

const EXAMPLES: [&str; 2] = [
    r#"{"name": "fedora-data1", "image_url": "image-test:fedora_data1.qcow2", "description": "fedora的数据盘1",
        "min_disk": 40, "tags": ["aaa.111", "bbb.222"], "os_type": "Linux"}"#,
    r#"{"name": "fedora-data2", "image_url": "image-test:fedora_data1.qcow2", "description": "fedora的数据盘2",
        "min_disk": 40, "image_tags": [{"key":"aaa","value":"111"},{"key":"bbb","value":"222"}], "os_type": "Linux"}"#,
];

#[tokio::test]
async fn the_examples_make_data_images() {
    let ims = start_default();
    for example in EXAMPLES {
        let answer = send(&ims, Method::POST, DATA, example, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let job_id = answer.json()["job_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (_, job) = poll_to_end(&ims, &job_id).await;
        assert_eq!(job["status"], "SUCCESS");
        assert!(job["entities"]["image_id"].is_string(), "{job}");
    }
    let images = ims.images(None);
    assert_eq!(images.len(), 2);
    assert!(images
        .iter()
        .all(|image| image["virtual_env_type"] == "DataImage"));
}

#[tokio::test]
async fn broken_rules_are_refused_with_imss_codes() {
    let ims = start_default();
    for (body, code) in [
        (r#"{"image_url": "b:o", "min_disk": 40}"#, "IMG.0013"),
        (
            r#"{"name": "d", "image_url": "b:o", "min_disk": 39}"#,
            "IMG.0055",
        ),
        (
            r#"{"name": "d", "image_url": "b:o", "min_disk": 40, "os_type": "Other"}"#,
            "IMG.0122",
        ),
        (
            r#"{"name": "d", "image_url": "b:my file", "min_disk": 40}"#,
            "IMG.0175",
        ),
    ] {
        let answer = send(&ims, Method::POST, DATA, body, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.json()["error"]["code"], code, "{body}");
    }
    assert!(ims.jobs(None).is_empty());
}
