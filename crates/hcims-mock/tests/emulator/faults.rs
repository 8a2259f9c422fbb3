use std::time::{Duration, Instant};

use hcims_mock::Fault;
use reqwest::{Method, StatusCode};

use crate::common::{is_lower_hex_32, send, start_default, Auth};

const ACTION: &str = "/v2/cloudimages/action";
const SERVER_IMAGE: &str =
    r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;
const THROTTLED: &str =
    r#"{"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"}"#;

#[tokio::test]
async fn a_fault_answers_n_times_then_the_emulator_answers_again() {
    let ims = start_default();
    let fault = Fault {
        path: ACTION.into(),
        status: 429,
        body: THROTTLED.into(),
        times: 2,
        ..Fault::default()
    };
    ims.add_fault(fault).unwrap();
    for _ in 0..2 {
        let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.text, THROTTLED);
        assert!(is_lower_hex_32(answer.request_id()));
        assert_eq!(answer.headers["content-type"], "application/json");
    }
    let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(ims.jobs(None).len(), 1, "faulted requests start no job");
    assert_eq!(ims.requests().len(), 3, "faulted requests are recorded");
}

#[tokio::test]
async fn faults_come_before_authentication() {
    let ims = start_default();
    ims.add_fault(Fault {
        path: ACTION.into(),
        status: 503,
        ..Fault::default()
    })
    .unwrap();
    let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Anonymous).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn faults_match_their_method_and_path_prefix() {
    let ims = start_default();
    let fault = Fault {
        method: Some("get".into()),
        path: "/v1/*".into(),
        status: 500,
        times: 0,
        ..Fault::default()
    };
    ims.add_fault(fault).unwrap();
    let post = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
    assert_eq!(post.status, StatusCode::OK);
    let job_id = post.json()["job_id"].as_str().unwrap().to_owned();
    for path in [
        format!("/v1/cloudimages/job/{job_id}"),
        "/v1/anything".to_owned(),
    ] {
        assert_eq!(
            send(&ims, Method::GET, &path, "", Auth::Signed)
                .await
                .status,
            500,
            "{path}"
        );
    }
    ims.clear_faults();
    let path = format!("/v1/cloudimages/job/{job_id}");
    assert_eq!(
        send(&ims, Method::GET, &path, "", Auth::Signed)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_fault_can_wait_and_send_its_own_headers() {
    let ims = start_default();
    let fault = Fault {
        path: ACTION.into(),
        status: 502,
        body: "bad gateway".into(),
        headers: vec![
            ("Content-Type".into(), "text/plain".into()),
            ("Retry-After".into(), "2".into()),
        ],
        delay: Duration::from_millis(200),
        ..Fault::default()
    };
    ims.add_fault(fault).unwrap();
    let began = Instant::now();
    let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
    assert!(
        began.elapsed() >= Duration::from_millis(200),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert_eq!(answer.text, "bad gateway");
    assert_eq!(answer.headers["content-type"], "text/plain");
    assert_eq!(answer.headers["retry-after"], "2");
    assert!(is_lower_hex_32(answer.request_id()));
}

#[tokio::test]
async fn stopping_does_not_wait_for_a_long_delayed_fault() {
    let ims = std::sync::Arc::new(start_default());
    let fault = Fault {
        path: ACTION.into(),
        delay: Duration::from_secs(60),
        ..Fault::default()
    };
    ims.add_fault(fault).unwrap();
    let client = crate::common::http_client();
    let url = format!("{}{ACTION}", ims.endpoint());
    let pending = tokio::spawn(async move { client.post(url).body("{}").send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let began = Instant::now();
    let stopper = ims.clone();
    tokio::task::spawn_blocking(move || stopper.stop())
        .await
        .unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    assert!(
        pending.await.unwrap().is_err(),
        "the delayed request is dropped"
    );
}
