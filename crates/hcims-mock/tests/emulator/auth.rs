use std::time::{Duration, SystemTime};

use hcims_mock::MockConfig;
use reqwest::{Method, StatusCode};

use crate::common::{create, send, start, start_default, Answer, Auth};

const SERVER_IMAGE: &str =
    r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;
const ACTION: &str = "/v2/cloudimages/action";

fn signed_as(ak: &str, sk: &str, project_id: Option<&str>, security_token: Option<&str>) -> Auth {
    Auth::SignedAs {
        ak: ak.into(),
        sk: sk.into(),
        project_id: project_id.map(str::to_owned),
        security_token: security_token.map(str::to_owned),
    }
}

fn assert_refused(answer: &Answer, code: &str) {
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text);
    assert_eq!(answer.gateway_code(), code, "{}", answer.text);
}

#[tokio::test]
async fn a_signed_request_with_the_right_project_is_accepted() {
    let ims = start_default();
    let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn a_request_without_credentials_is_apigw_0301() {
    let ims = start_default();
    assert_refused(
        &send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Anonymous).await,
        "APIGW.0301",
    );
    assert!(
        ims.jobs(None).is_empty(),
        "a refused request must not start a job"
    );
}

#[tokio::test]
async fn an_unknown_access_key_is_apigw_0301() {
    let ims = start_default();
    let config = MockConfig::default();
    let auth = signed_as(
        "UNKNOWNAK00000000000",
        &config.sk,
        Some(&config.project_id),
        None,
    );
    assert_refused(
        &send(&ims, Method::POST, ACTION, SERVER_IMAGE, auth).await,
        "APIGW.0301",
    );
}

#[tokio::test]
async fn the_project_header_must_name_the_accounts_project() {
    let ims = start_default();
    let config = MockConfig::default();
    for project in [None, Some("ffffffffffffffffffffffffffffffff")] {
        let auth = signed_as(&config.ak, &config.sk, project, None);
        assert_refused(
            &send(&ims, Method::POST, ACTION, SERVER_IMAGE, auth).await,
            "APIGW.0301",
        );
    }
}

#[tokio::test]
async fn a_job_path_naming_another_project_is_img_0030() {
    let ims = start_default();
    let job_id = create(&ims, SERVER_IMAGE).await;
    let path = format!("/v1/ffffffffffffffffffffffffffffffff/jobs/{job_id}");
    let answer = send(&ims, Method::GET, &path, "", Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.ims_code(), "IMG.0030");
}

#[tokio::test]
async fn job_queries_need_credentials_too() {
    let ims = start_default();
    let job_id = create(&ims, SERVER_IMAGE).await;
    let status_path = format!("/v1/{}/jobs/{job_id}", ims.config().project_id);
    let progress_path = format!("/v1/cloudimages/job/{job_id}");
    for path in [status_path, progress_path] {
        assert_refused(
            &send(&ims, Method::GET, &path, "", Auth::Anonymous).await,
            "APIGW.0301",
        );
    }
}

#[tokio::test]
async fn a_configured_token_replaces_the_signature_and_a_wrong_one_is_refused() {
    let ims = start(MockConfig {
        auth_token: Some("iam-token-for-tests".into()),
        ..MockConfig::default()
    });
    let accepted = send(
        &ims,
        Method::POST,
        ACTION,
        SERVER_IMAGE,
        Auth::Token("iam-token-for-tests".into()),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    let refused = send(
        &ims,
        Method::POST,
        ACTION,
        SERVER_IMAGE,
        Auth::Token("another-token".into()),
    )
    .await;
    assert_refused(&refused, "APIGW.0301");
    assert!(
        !refused.text.contains("iam-token-for-tests") && !refused.text.contains("another-token")
    );
}

#[tokio::test]
async fn tokens_are_refused_when_none_is_configured() {
    let ims = start_default();
    let answer = send(
        &ims,
        Method::POST,
        ACTION,
        SERVER_IMAGE,
        Auth::Token("anything".into()),
    )
    .await;
    assert_refused(&answer, "APIGW.0301");
}

#[tokio::test]
async fn temporary_credentials_need_their_security_token() {
    let ims = start(MockConfig {
        security_token: Some("sts-token-for-tests".into()),
        ..MockConfig::default()
    });
    let config = ims.config().clone();
    let with_token = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
    assert_eq!(with_token.status, StatusCode::OK, "{}", with_token.text);
    for token in [None, Some("wrong-token")] {
        let auth = signed_as(&config.ak, &config.sk, Some(&config.project_id), token);
        let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, auth).await;
        assert_refused(&answer, "APIGW.0301");
        assert!(
            !answer.text.contains("sts-token-for-tests"),
            "{}",
            answer.text
        );
    }
}

#[tokio::test]
async fn permanent_credentials_refuse_a_security_token() {
    let ims = start_default();
    let config = MockConfig::default();
    let auth = signed_as(
        &config.ak,
        &config.sk,
        Some(&config.project_id),
        Some("stray-token"),
    );
    assert_refused(
        &send(&ims, Method::POST, ACTION, SERVER_IMAGE, auth).await,
        "APIGW.0301",
    );
}

#[tokio::test]
async fn a_body_changed_after_signing_is_apigw_0301() {
    let ims = start_default();
    let answer = send(
        &ims,
        Method::POST,
        ACTION,
        SERVER_IMAGE,
        Auth::SignedThenTampered,
    )
    .await;
    assert_refused(&answer, "APIGW.0301");
    assert!(answer.json()["error_msg"]
        .as_str()
        .unwrap()
        .contains("verify aksk signature fail"));
}

#[tokio::test]
async fn a_wrong_secret_key_is_apigw_0301_and_the_answer_names_no_secret() {
    let ims = start_default();
    let config = MockConfig::default();
    let auth = signed_as(
        &config.ak,
        "NotTheSecretKey0000000000000000000000000",
        Some(&config.project_id),
        None,
    );
    let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, auth).await;
    assert_refused(&answer, "APIGW.0301");
    assert!(!answer.text.contains(&config.sk) && !answer.text.contains("NotTheSecretKey"));
}

#[tokio::test]
async fn the_signature_covers_the_query_string() {
    let ims = start_default();
    let job_id = create(&ims, SERVER_IMAGE).await;
    let path = format!("/v1/cloudimages/job/{job_id}?a=1&b=x%20y");
    let answer = send(&ims, Method::GET, &path, "", Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn signatures_up_to_15_minutes_off_are_accepted_and_older_ones_are_apigw_0303() {
    let ims = start_default();
    let now = SystemTime::now();
    for accepted in [
        now - Duration::from_secs(14 * 60),
        now + Duration::from_secs(14 * 60),
    ] {
        let answer = send(
            &ims,
            Method::POST,
            ACTION,
            SERVER_IMAGE,
            Auth::SignedAt(accepted),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    for refused in [
        now - Duration::from_secs(16 * 60),
        now + Duration::from_secs(16 * 60),
    ] {
        let answer = send(
            &ims,
            Method::POST,
            ACTION,
            SERVER_IMAGE,
            Auth::SignedAt(refused),
        )
        .await;
        assert_refused(&answer, "APIGW.0303");
    }
}
