use reqwest::{Method, StatusCode};

use crate::common::{send, start_default, Auth};

const ACTION: &str = "/v2/cloudimages/action";

async fn refusal(body: &str) -> (StatusCode, serde_json::Value) {
    let ims = start_default();
    let answer = send(&ims, Method::POST, ACTION, body, Auth::Signed).await;
    assert!(
        ims.jobs().is_empty(),
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
