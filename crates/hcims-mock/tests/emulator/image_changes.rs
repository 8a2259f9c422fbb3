//! `DELETE /v2/images/{image_id}`: a deleted image is gone from the lists, and deleting it again is
//! IMS's 404.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{create, poll_to_end, send, start, start_default, Auth};
use hcims_mock::MockConfig;

const SERVER: &str = r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;

async fn made_image(ims: &hcims_mock::MockIms) -> String {
    let job_id = create(ims, SERVER).await;
    let (_, job) = poll_to_end(ims, &job_id).await;
    job["entities"]["image_id"]
        .as_str()
        .expect("an image id")
        .to_owned()
}

/// The status and the JSON body (null for none) of a signed request.
async fn answer_of(
    ims: &hcims_mock::MockIms,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, Value) {
    let answer = send(ims, method, path, body, Auth::Signed).await;
    let document = if answer.text.is_empty() {
        Value::Null
    } else {
        answer.json()
    };
    (answer.status, document)
}

async fn delete(ims: &hcims_mock::MockIms, image_id: &str, body: &str) -> (StatusCode, Value) {
    answer_of(ims, Method::DELETE, &format!("/v2/images/{image_id}"), body).await
}

#[tokio::test]
async fn a_deleted_image_is_gone_and_deleting_it_again_is_img_0027() {
    let ims = start_default();
    let image_id = made_image(&ims).await;
    let kept = made_image(&ims).await;
    let (status, _) = delete(&ims, &image_id, r#"{"delete_backup": true}"#).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ids: Vec<Value> = ims.images(None).iter().map(|i| i["id"].clone()).collect();
    assert_eq!(ids, [Value::from(kept.clone())]);
    let listed = send(&ims, Method::GET, "/v2/cloudimages", "", Auth::Signed).await;
    assert_eq!(listed.json()["images"].as_array().unwrap().len(), 1);
    let (again, error) = delete(&ims, &image_id, "").await;
    assert_eq!(again, StatusCode::NOT_FOUND);
    assert_eq!(error["error"]["code"], "IMG.0027");
    let (unknown, _) = delete(&ims, "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90", "").await;
    assert_eq!(unknown, StatusCode::NOT_FOUND);
    // An empty body deletes too.
    assert_eq!(delete(&ims, &kept, "").await.0, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_image_being_made_is_img_0090_and_a_bad_body_img_0001() {
    let ims = start(MockConfig {
        job_polls: 5,
        ..MockConfig::default()
    });
    create(&ims, SERVER).await;
    let image_id = ims.images(None)[0]["id"].as_str().unwrap().to_owned();
    let (status, error) = delete(&ims, &image_id, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "IMG.0090");
    for body in [r#"{"delete_backup": "yes"}"#, r#"{"other": 1}"#, "[", "[]"] {
        let (status, error) = delete(&ims, &image_id, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["error"]["code"], "IMG.0001", "{body}");
    }
    assert_eq!(ims.images(None).len(), 1);
}

async fn patch(ims: &hcims_mock::MockIms, image_id: &str, body: &str) -> (StatusCode, Value) {
    answer_of(
        ims,
        Method::PATCH,
        &format!("/v2/cloudimages/{image_id}"),
        body,
    )
    .await
}

#[tokio::test]
async fn an_update_answers_the_image_and_shows_in_the_list() {
    let ims = start_default();
    let image_id = made_image(&ims).await;
    let body = r#"[{"op": "replace", "path": "/name", "value": "web-2"},
        {"op": "replace", "path": "/min_ram", "value": "1024"},
        {"op": "add", "path": "/__support_kvm", "value": "true"},
        {"op": "add", "path": "/team", "value": "blue"}]"#;
    let (status, image) = patch(&ims, &image_id, body).await;
    assert_eq!(status, StatusCode::OK, "{image}");
    assert_eq!(image["name"], "web-2");
    assert_eq!(image["min_ram"], 1024);
    assert_eq!(image["__support_kvm"], "true");
    assert_eq!(image["team"], "blue");
    let removed = r#"[{"op": "remove", "path": "/team"}]"#;
    let (_, image) = patch(&ims, &image_id, removed).await;
    assert!(image.get("team").is_none());
    let listed = ims.images(None);
    assert_eq!(listed[0]["name"], "web-2");
    assert_eq!(listed[0]["min_ram"], 1024);
}

#[tokio::test]
async fn an_update_breaking_a_rule_is_refused_with_its_code() {
    let ims = start(MockConfig {
        job_polls: 5,
        ..MockConfig::default()
    });
    let done = start_default();
    let image_id = made_image(&done).await;
    for (body, code) in [
        (
            r#"[{"op": "replace", "path": "/name", "value": "bad<name>"}]"#,
            "IMG.0003",
        ),
        (
            r#"[{"op": "replace", "path": "/hw_firmware_type", "value": "efi"}]"#,
            "IMG.0141",
        ),
        (
            r#"[{"op": "replace", "path": "/status", "value": "x"}]"#,
            "IMG.0001",
        ),
        (
            r#"[{"op": "move", "path": "/name", "value": "x"}]"#,
            "IMG.0001",
        ),
        (
            r#"[{"op": "replace", "path": "name", "value": "x"}]"#,
            "IMG.0001",
        ),
        (
            r#"[{"op": "replace", "path": "/min_ram", "value": 1}]"#,
            "IMG.0001",
        ),
        (r#"[{"op": "remove", "path": "/name"}]"#, "IMG.0001"),
        ("[]", "IMG.0001"),
        ("{}", "IMG.0001"),
    ] {
        let (status, error) = patch(&done, &image_id, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["error"]["code"], code, "{body}");
    }
    let name = r#"[{"op": "replace", "path": "/name", "value": "x"}]"#;
    let unknown = patch(&done, "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90", name).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    create(&ims, SERVER).await;
    let saving = ims.images(None)[0]["id"].as_str().unwrap().to_owned();
    let (status, error) = patch(&ims, &saving, name).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"]["code"], "IMG.0046");
}

async fn tags(ims: &hcims_mock::MockIms, image_id: &str, body: &str) -> (StatusCode, Value) {
    let project_id = &ims.config().project_id;
    let path = format!("/v2/{project_id}/images/{image_id}/tags/action");
    answer_of(ims, Method::POST, &path, body).await
}

#[tokio::test]
async fn tags_are_created_updated_and_deleted_and_shown_in_the_list() {
    let ims = start_default();
    let image_id = made_image(&ims).await;
    let create = r#"{"action": "create", "tags": [{"key": "env", "value": "prod"},
        {"key": "team", "value": "web"}, {"key": "k3", "value": ""}]}"#;
    let created = tags(&ims, &image_id, create).await;
    assert_eq!(created.0, StatusCode::NO_CONTENT, "{}", created.1);
    let update = r#"{"action": "create", "tags": [{"key": "env", "value": "test"}]}"#;
    assert_eq!(
        tags(&ims, &image_id, update).await.0,
        StatusCode::NO_CONTENT
    );
    let delete =
        r#"{"action": "delete", "tags": [{"key": "team"}, {"key": "never", "value": "x"}]}"#;
    assert_eq!(
        tags(&ims, &image_id, delete).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ims.images(None)[0]["tags"],
        serde_json::json!(["env.test", "k3"])
    );
}

#[tokio::test]
async fn tag_rules_and_the_quota_are_refused_with_their_codes() {
    let ims = start_default();
    let image_id = made_image(&ims).await;
    for (body, code) in [
        (
            r#"{"action": "create", "tags": [{"key": "a b", "value": "x"}]}"#,
            "IMG.0115",
        ),
        (
            r#"{"action": "create", "tags": [{"key": "k", "value": "a/b"}]}"#,
            "IMG.0115",
        ),
        (
            r#"{"action": "Create", "tags": [{"key": "k", "value": "v"}]}"#,
            "IMG.0001",
        ),
        (r#"{"action": "create", "tags": []}"#, "IMG.0001"),
        (r#"{"action": "create"}"#, "IMG.0001"),
    ] {
        let (status, error) = tags(&ims, &image_id, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error["error"]["code"], code, "{body}");
    }
    let many: Vec<String> = (0..10)
        .map(|n| format!(r#"{{"key": "k{n}", "value": "v"}}"#))
        .collect();
    let ten = format!(r#"{{"action": "create", "tags": [{}]}}"#, many.join(","));
    assert_eq!(tags(&ims, &image_id, &ten).await.0, StatusCode::NO_CONTENT);
    let one = r#"{"action": "create", "tags": [{"key": "k", "value": "v"}]}"#;
    let (status, error) = tags(&ims, &image_id, one).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["code"], "IMG.0116");
    let unknown = tags(&ims, "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90", one).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
}
