//! The rules that depend on what the account holds: known ECSs, unique names, the image quota.

use hcims_mock::MockConfig;
use reqwest::{Method, StatusCode};

use crate::common::{create, send, start, Answer, Auth};

const ACTION: &str = "/v2/cloudimages/action";
const INSTANCE: &str = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";

fn server_image(name: &str, instance_id: &str) -> String {
    format!(r#"{{"name": "{name}", "instance_id": "{instance_id}"}}"#)
}

fn assert_refused(answer: &Answer, code: &str) {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    assert_eq!(answer.ims_code(), code, "{}", answer.text);
    assert!(answer.json()["error"]["message"].is_string());
}

#[tokio::test]
async fn an_unknown_instance_is_img_0005_when_the_instances_are_known() {
    let ims = start(MockConfig {
        instances: Some(vec![INSTANCE.to_owned()]),
        ..MockConfig::default()
    });
    create(&ims, &server_image("web", INSTANCE)).await;
    let other = "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11";
    let answer = send(
        &ims,
        Method::POST,
        ACTION,
        &server_image("web", other),
        Auth::Signed,
    )
    .await;
    assert_refused(&answer, "IMG.0005");
    assert!(answer.text.contains(other));
    assert_eq!(ims.jobs(None).len(), 1);
}

#[tokio::test]
async fn any_instance_exists_when_none_are_given() {
    let ims = start(MockConfig::default());
    create(
        &ims,
        &server_image("web", "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11"),
    )
    .await;
}

#[tokio::test]
async fn a_taken_name_is_img_0009_when_names_must_be_unique() {
    let ims = start(MockConfig {
        unique_names: true,
        ..MockConfig::default()
    });
    create(&ims, &server_image("web", INSTANCE)).await;
    let again = send(
        &ims,
        Method::POST,
        ACTION,
        &server_image("web", INSTANCE),
        Auth::Signed,
    )
    .await;
    assert_refused(&again, "IMG.0009");
    let data = r#"{"data_images": [{"name": "web", "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"}]}"#;
    assert_refused(
        &send(&ims, Method::POST, ACTION, data, Auth::Signed).await,
        "IMG.0009",
    );
    assert_eq!(ims.jobs(None).len(), 1);
}

#[tokio::test]
async fn the_private_image_quota_is_img_0015() {
    let ims = start(MockConfig {
        image_quota: Some(2),
        ..MockConfig::default()
    });
    create(&ims, &server_image("a", INSTANCE)).await;
    create(&ims, &server_image("b", INSTANCE)).await;
    let answer = send(
        &ims,
        Method::POST,
        ACTION,
        &server_image("c", INSTANCE),
        Auth::Signed,
    )
    .await;
    assert_refused(&answer, "IMG.0015");
    assert_eq!(ims.jobs(None).len(), 2);
}
