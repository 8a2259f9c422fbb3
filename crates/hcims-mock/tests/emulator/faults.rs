use std::time::{Duration, Instant};

use hcims_mock::{Fault, FaultAction};
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

/// Sends `request` on a fresh connection and reads until the server closes it: what arrived, and
/// the error that ended the read if it was not a clean close.
fn raw_exchange(
    ims: &hcims_mock::MockIms,
    request: &[u8],
) -> (Vec<u8>, Option<std::io::ErrorKind>) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(ims.address()).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).expect("the request is sent");
    let mut received = Vec::new();
    let ended_by = stream.read_to_end(&mut received).err().map(|e| e.kind());
    assert_ne!(
        ended_by,
        Some(std::io::ErrorKind::WouldBlock),
        "the connection stayed open"
    );
    (received, ended_by)
}

fn raw_post(body: &str) -> Vec<u8> {
    format!(
        "POST {ACTION} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn arm(ims: &hcims_mock::MockIms, action: FaultAction, status: u16, body: &str) {
    ims.add_fault(Fault {
        path: ACTION.into(),
        action,
        status,
        body: body.into(),
        ..Fault::default()
    })
    .unwrap();
}

#[test]
fn drop_before_body_closes_without_a_byte_and_without_reading_the_body() {
    let ims = crate::common::start_default();
    arm(&ims, FaultAction::DropBeforeBody, 200, "");
    let (received, _) = raw_exchange(&ims, &raw_post(SERVER_IMAGE));
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    let recorded = ims.requests();
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].body.is_empty(), "the body was never read");
    assert!(ims.jobs(None).is_empty());
    // The fault is used up: the next connection is served.
    let (received, _) = raw_exchange(&ims, &raw_post(SERVER_IMAGE));
    assert!(
        received.starts_with(b"HTTP/1.1 401"),
        "{}",
        String::from_utf8_lossy(&received)
    );
}

#[test]
fn drop_after_body_reads_the_whole_request_then_closes_without_answering() {
    let ims = crate::common::start_default();
    arm(&ims, FaultAction::DropAfterBody, 200, "");
    let (received, _) = raw_exchange(&ims, &raw_post(SERVER_IMAGE));
    assert!(
        received.is_empty(),
        "{}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(ims.requests()[0].body, SERVER_IMAGE.as_bytes());
    assert!(ims.jobs(None).is_empty(), "a fault answers instead of IMS");
}

#[test]
fn a_truncated_answer_declares_the_whole_length_then_closes_half_way() {
    let ims = crate::common::start_default();
    let body = r#"{"job_id": "0123456789abcdef0123456789abcdef"}"#;
    arm(&ims, FaultAction::Truncate, 200, body);
    let (received, _) = raw_exchange(&ims, &raw_post(SERVER_IMAGE));
    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, sent_body) = text.split_once("\r\n\r\n").expect("a full head");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let head = head.to_lowercase();
    assert!(
        head.contains(&format!("content-length: {}", body.len())),
        "{head}"
    );
    assert!(head.contains("x-request-id: "), "{head}");
    assert_eq!(sent_body, &body[..body.len() / 2]);
}

#[tokio::test]
async fn a_truncated_answer_is_a_body_error_for_an_http_client() {
    let ims = crate::common::start_default();
    arm(
        &ims,
        FaultAction::Truncate,
        200,
        r#"{"job_id": "0123456789abcdef0123456789abcdef"}"#,
    );
    let response = crate::common::http_client()
        .post(format!("{}{ACTION}", ims.endpoint()))
        .body(SERVER_IMAGE)
        .send()
        .await
        .expect("the head arrives");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.is_err(), "the body is cut short");
}

#[tokio::test]
async fn a_dropped_connection_is_a_send_error_for_an_http_client() {
    let ims = crate::common::start_default();
    for action in [FaultAction::DropBeforeBody, FaultAction::DropAfterBody] {
        arm(&ims, action, 200, "");
        let outcome = crate::common::http_client()
            .post(format!("{}{ACTION}", ims.endpoint()))
            .body(SERVER_IMAGE)
            .send()
            .await;
        assert!(outcome.is_err(), "{action:?}: {outcome:?}");
    }
}

#[tokio::test]
async fn a_not_json_fault_sends_an_html_page_with_a_request_id() {
    let ims = crate::common::start_default();
    arm(&ims, FaultAction::NotJson, 502, "");
    let answer = send(&ims, Method::POST, ACTION, SERVER_IMAGE, Auth::Signed).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert_eq!(answer.headers["content-type"], "text/html");
    assert!(answer.text.starts_with("<html>"), "{}", answer.text);
    assert!(serde_json::from_str::<serde_json::Value>(&answer.text).is_err());
    assert!(is_lower_hex_32(answer.request_id()));
}

#[test]
fn a_delayed_drop_waits_before_closing() {
    let ims = crate::common::start_default();
    ims.add_fault(Fault {
        path: ACTION.into(),
        action: FaultAction::DropAfterBody,
        delay: Duration::from_millis(200),
        ..Fault::default()
    })
    .unwrap();
    let began = Instant::now();
    let (received, _) = raw_exchange(&ims, &raw_post(SERVER_IMAGE));
    assert!(received.is_empty());
    assert!(
        began.elapsed() >= Duration::from_millis(200),
        "{:?}",
        began.elapsed()
    );
}
