//! Several projects: each AK bound to its projects, each token to one, each project with its own
//! jobs and images.

use std::collections::BTreeMap;

use hcims_mock::{Account, MockConfig, MockIms};
use reqwest::{Method, StatusCode};

use crate::common::{send, start, Auth};

const ACTION: &str = "/v2/cloudimages/action";
const SERVER_IMAGE: &str =
    r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;
const SECOND: &str = "22222222222222222222222222222222";
const THIRD: &str = "33333333333333333333333333333333";
const TOKEN_PROJECT: &str = "44444444444444444444444444444444";

fn emulator() -> MockIms {
    start(MockConfig {
        accounts: vec![
            Account {
                ak: "SECONDAK000000000000".into(),
                sk: "SecondSecretKey000000000000000000000000".into(),
                security_token: None,
                project_ids: vec![SECOND.into(), THIRD.into()],
            },
            Account {
                ak: "TEMPORARYAK000000000".into(),
                sk: "TemporarySecretKey000000000000000000000".into(),
                security_token: Some("sts-token".into()),
                project_ids: vec![THIRD.into()],
            },
        ],
        tokens: BTreeMap::from([("project-four-token".into(), TOKEN_PROJECT.into())]),
        ..MockConfig::default()
    })
}

fn second_account(project_id: &str) -> Auth {
    Auth::SignedAs {
        ak: "SECONDAK000000000000".into(),
        sk: "SecondSecretKey000000000000000000000000".into(),
        project_id: Some(project_id.into()),
        security_token: None,
    }
}

async fn create_as(ims: &MockIms, auth: Auth) -> String {
    let answer = send(ims, Method::POST, ACTION, SERVER_IMAGE, auth).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.json()["job_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_access_key_acts_in_each_of_its_projects_and_no_other() {
    let ims = emulator();
    let in_second = create_as(&ims, second_account(SECOND)).await;
    let in_third = create_as(&ims, second_account(THIRD)).await;
    assert_eq!(ims.jobs(Some(SECOND)).len(), 1);
    assert_eq!(ims.jobs(Some(SECOND))[0]["job_id"], in_second.as_str());
    assert_eq!(ims.jobs(Some(THIRD))[0]["job_id"], in_third.as_str());
    assert!(ims.jobs(Some(MockConfig::EXAMPLE_PROJECT_ID)).is_empty());
    let foreign = send(
        &ims,
        Method::POST,
        ACTION,
        SERVER_IMAGE,
        second_account(MockConfig::EXAMPLE_PROJECT_ID),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::UNAUTHORIZED);
    assert_eq!(foreign.gateway_code(), "APIGW.0301");
}

#[tokio::test]
async fn a_job_is_found_only_in_its_own_project() {
    let ims = emulator();
    let job_id = create_as(&ims, second_account(SECOND)).await;
    let own = send(
        &ims,
        Method::GET,
        &format!("/v1/{SECOND}/jobs/{job_id}"),
        "",
        second_account(SECOND),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    // The same key in its other project, and the first account: as if the job did not exist.
    for auth in [second_account(THIRD), Auth::Signed] {
        let answer = send(
            &ims,
            Method::GET,
            &format!("/v1/cloudimages/job/{job_id}"),
            "",
            auth,
        )
        .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
    }
    // A path naming another project than the request's is IMG.0030.
    let mismatch = send(
        &ims,
        Method::GET,
        &format!("/v1/{SECOND}/jobs/{job_id}"),
        "",
        second_account(THIRD),
    )
    .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert_eq!(mismatch.ims_code(), "IMG.0030");
}

#[tokio::test]
async fn a_token_acts_in_the_project_it_is_scoped_to() {
    let ims = emulator();
    let job_id = create_as(&ims, Auth::Token("project-four-token".into())).await;
    assert_eq!(ims.jobs(Some(TOKEN_PROJECT))[0]["job_id"], job_id.as_str());
    let answer = send(
        &ims,
        Method::GET,
        &format!("/v1/{TOKEN_PROJECT}/jobs/{job_id}"),
        "",
        Auth::Token("project-four-token".into()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

#[tokio::test]
async fn an_extra_temporary_account_needs_its_security_token() {
    let ims = emulator();
    let temporary = |token: Option<&str>| Auth::SignedAs {
        ak: "TEMPORARYAK000000000".into(),
        sk: "TemporarySecretKey000000000000000000000".into(),
        project_id: Some(THIRD.into()),
        security_token: token.map(str::to_owned),
    };
    create_as(&ims, temporary(Some("sts-token"))).await;
    let refused = send(&ims, Method::POST, ACTION, SERVER_IMAGE, temporary(None)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.gateway_code(), "APIGW.0301");
}

#[tokio::test]
async fn each_project_has_its_own_quota_and_names() {
    let ims = start(MockConfig {
        accounts: vec![Account {
            ak: "SECONDAK000000000000".into(),
            sk: "SecondSecretKey000000000000000000000000".into(),
            security_token: None,
            project_ids: vec![SECOND.into()],
        }],
        image_quota: Some(1),
        unique_names: true,
        ..MockConfig::default()
    });
    create_as(&ims, Auth::Signed).await;
    create_as(&ims, second_account(SECOND)).await;
    // "web" exists in both projects now; in the first one it is taken, and its quota is used up.
    let again = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
    assert_eq!(again.ims_code(), "IMG.0009");
    let other_name = SERVER_IMAGE.replace("\"web\"", "\"web-2\"");
    let over = send(&ims, Method::POST, ACTION, &other_name, Auth::Signed).await;
    assert_eq!(over.status, StatusCode::BAD_REQUEST);
    assert_eq!(over.ims_code(), "IMG.0015");
    assert_eq!(ims.project_ids(), [MockConfig::EXAMPLE_PROJECT_ID, SECOND]);
}

#[test]
fn an_account_without_a_project_is_refused_at_start() {
    let result = MockIms::start(MockConfig {
        accounts: vec![Account {
            ak: "SECONDAK000000000000".into(),
            sk: "x".into(),
            security_token: None,
            project_ids: Vec::new(),
        }],
        ..MockConfig::default()
    });
    assert_eq!(
        result.expect_err("refused").kind(),
        std::io::ErrorKind::InvalidInput
    );
}
