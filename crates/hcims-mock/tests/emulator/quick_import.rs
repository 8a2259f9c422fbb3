//! Quick imports over HTTP (`POST /v2/cloudimages/quickimport/action`): a system and a data image made,
//! the page's rules refused with IMS's codes.

use reqwest::{Method, StatusCode};

use crate::common::{poll_to_end, send, start_default, Auth};

const QUICK: &str = "/v2/cloudimages/quickimport/action";

#[tokio::test]
async fn a_system_and_a_data_image_are_imported() {
    let ims = start_default();
    for (body, data) in [
        (
            r#"{"name": "sys", "image_url": "ims-image:centos70.zvhd2", "os_version": "CentOS 7.0 64bit", "min_disk": 40, "type": "ECS"}"#,
            false,
        ),
        (
            r#"{"name": "data", "image_url": "ims-image:d.raw", "os_type": "Linux", "min_disk": 40, "type": "DataImage"}"#,
            true,
        ),
    ] {
        let answer = send(&ims, Method::POST, QUICK, body, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        let job_id = answer.json()["job_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (_, job) = poll_to_end(&ims, &job_id).await;
        assert_eq!(job["status"], "SUCCESS");
        let image_id = if data {
            &job["entities"]["sub_jobs_result"][0]["entities"]["image_id"]
        } else {
            &job["entities"]["image_id"]
        };
        assert!(image_id.is_string(), "{job}");
    }
    let envs: Vec<_> = ims
        .images(None)
        .iter()
        .map(|image| image["virtual_env_type"].clone())
        .collect();
    assert!(envs.contains(&"DataImage".into()), "{envs:?}");
}

#[tokio::test]
async fn broken_rules_are_refused_with_imss_codes() {
    let ims = start_default();
    for (body, code) in [
        (
            r#"{"name": "q", "image_url": "b:o", "min_disk": 40}"#,
            "IMG.0056",
        ),
        (
            r#"{"name": "q", "image_url": "b:o", "min_disk": 0, "os_version": "CentOS 7.0 64bit"}"#,
            "IMG.0055",
        ),
        (
            r#"{"name": "q", "image_url": "b:o", "min_disk": 40, "type": "DataImage", "os_type": "Other"}"#,
            "IMG.0122",
        ),
        (
            r#"{"name": "q", "image_url": "b:o", "min_disk": 40, "type": "ISO", "os_version": "CentOS 7.0 64bit"}"#,
            "IMG.0024",
        ),
    ] {
        let answer = send(&ims, Method::POST, QUICK, body, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.json()["error"]["code"], code, "{body}");
    }
    assert!(ims.jobs(None).is_empty());
}
