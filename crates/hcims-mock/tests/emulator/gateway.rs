use reqwest::{Method, StatusCode};

use crate::common::{create, is_lower_hex_32, send, start_default, Auth};

#[tokio::test]
async fn unknown_paths_and_methods_are_apigw_0101() {
    let ims = start_default();
    for (method, path) in [
        (Method::GET, "/v2/images"),
        (Method::POST, "/v2/cloudimages"),
        (Method::POST, "/v3/nothing/here"),
        (Method::GET, "/v2/cloudimages/action"),
        (Method::DELETE, "/v1/cloudimages/job/abc"),
    ] {
        let answer = send(&ims, method.clone(), path, "", Auth::Signed).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(answer.gateway_code(), "APIGW.0101", "{method} {path}");
    }
}

#[tokio::test]
async fn every_answer_carries_a_fresh_request_id() {
    let ims = start_default();
    let answers = [
        send(
            &ims,
            Method::POST,
            "/v2/cloudimages/action",
            r#"{"name": "a", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            Auth::Signed,
        )
        .await,
        send(
            &ims,
            Method::POST,
            "/v2/cloudimages/action",
            "",
            Auth::Signed,
        )
        .await,
        send(
            &ims,
            Method::POST,
            "/v2/cloudimages/action",
            "{}",
            Auth::Anonymous,
        )
        .await,
        send(&ims, Method::GET, "/nowhere", "", Auth::Anonymous).await,
        send(
            &ims,
            Method::GET,
            "/v1/cloudimages/job/unknown",
            "",
            Auth::Signed,
        )
        .await,
    ];
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(statuses, [200, 400, 401, 404, 404]);
    let mut ids: Vec<&str> = answers.iter().map(|a| a.request_id()).collect();
    assert!(ids.iter().all(|id| is_lower_hex_32(id)), "{ids:?}");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), answers.len(), "request ids repeat");
}

#[tokio::test]
async fn every_request_is_recorded_with_headers_and_body_even_when_rejected() {
    let ims = start_default();
    send(
        &ims,
        Method::POST,
        "/v2/cloudimages/action?x=1&y=%20",
        r#"{"a": 1}"#,
        Auth::Anonymous,
    )
    .await;
    create(
        &ims,
        r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
    )
    .await;
    send(&ims, Method::GET, "/nowhere", "", Auth::Anonymous).await;
    let requests = ims.requests();
    assert_eq!(requests.len(), 3);
    let rejected = &requests[0];
    assert_eq!(rejected.method, "POST");
    assert_eq!(rejected.path, "/v2/cloudimages/action");
    assert_eq!(rejected.query, "x=1&y=%20");
    assert_eq!(rejected.json().unwrap(), serde_json::json!({"a": 1}));
    assert_eq!(rejected.header("Content-Type"), Some("application/json"));
    assert!(rejected
        .headers
        .iter()
        .all(|(name, _)| name == &name.to_lowercase()));
    let accepted = &requests[1];
    assert_eq!(
        accepted.header("x-project-id"),
        Some(ims.config().project_id.as_str())
    );
    assert!(accepted.header("authorization").is_some());
    assert_eq!(requests[2].path, "/nowhere");
    ims.clear_requests();
    assert!(ims.requests().is_empty());
}

#[tokio::test]
async fn bodies_over_the_gateway_limit_are_refused_and_still_recorded() {
    let ims = start_default();
    let huge = "x".repeat(12 * 1024 * 1024 + 1);
    let answer = send(
        &ims,
        Method::POST,
        "/v2/cloudimages/action",
        &huge,
        Auth::Anonymous,
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.gateway_code(), "APIGW.0201");
    assert_eq!(ims.requests().len(), 1);
}

#[tokio::test]
async fn one_keep_alive_client_can_send_many_requests_concurrently() {
    let ims = std::sync::Arc::new(start_default());
    let client = crate::common::http_client();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (ims, client) = (ims.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..25 {
                let answer = crate::common::send_with(
                    &client,
                    &ims,
                    Method::POST,
                    "/v2/cloudimages/action",
                    r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
                    Auth::Signed,
                )
                .await;
                assert_eq!(answer.status, StatusCode::OK);
            }
        }));
    }
    for task in tasks {
        task.await.expect("no task panicked");
    }
    assert_eq!(ims.jobs(None).len(), 200);
    assert_eq!(ims.requests().len(), 200);
}

#[tokio::test]
async fn above_the_rate_limit_the_gateway_answers_429_apigw_0308() {
    let ims = crate::common::start(hcims_mock::MockConfig {
        rate_limit_per_second: Some(3.0),
        ..hcims_mock::MockConfig::default()
    });
    let client = crate::common::http_client();
    let mut statuses = Vec::new();
    let mut throttled = None;
    for _ in 0..6 {
        let answer = crate::common::send_with(
            &client,
            &ims,
            Method::POST,
            "/v2/cloudimages/action",
            r#"{"name": "a", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            Auth::Signed,
        )
        .await;
        statuses.push(answer.status.as_u16());
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(answer);
        }
    }
    // A burst of one second's worth passes (a little more may have refilled meanwhile).
    assert_eq!(&statuses[..3], [200, 200, 200], "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    let throttled = throttled.unwrap();
    assert_eq!(throttled.gateway_code(), "APIGW.0308");
    assert!(throttled.json()["error_msg"]
        .as_str()
        .unwrap()
        .contains("throttling threshold"));
    assert_eq!(ims.requests().len(), 6, "throttled requests are recorded");
    let accepted = statuses.iter().filter(|status| **status == 200).count();
    assert_eq!(ims.jobs(None).len(), accepted);
}

#[tokio::test]
async fn recording_can_be_turned_off() {
    let ims = crate::common::start(hcims_mock::MockConfig {
        record_requests: false,
        ..hcims_mock::MockConfig::default()
    });
    create(
        &ims,
        r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
    )
    .await;
    assert!(ims.requests().is_empty());
    assert_eq!(ims.jobs(None).len(), 1);
}

#[tokio::test]
async fn only_the_latest_requests_are_kept_beyond_the_cap() {
    let ims = crate::common::start(hcims_mock::MockConfig {
        max_recorded_requests: 2,
        ..hcims_mock::MockConfig::default()
    });
    for path in ["/one", "/two", "/three"] {
        send(&ims, Method::GET, path, "", Auth::Anonymous).await;
    }
    let paths: Vec<String> = ims.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/two", "/three"]);
}

#[tokio::test]
async fn the_oldest_jobs_are_forgotten_beyond_max_jobs() {
    let ims = crate::common::start(hcims_mock::MockConfig {
        max_jobs: Some(1),
        ..hcims_mock::MockConfig::default()
    });
    let body = r#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;
    let first = create(&ims, body).await;
    let second = create(&ims, body).await;
    assert_eq!(ims.jobs(None).len(), 1);
    let gone = send(
        &ims,
        Method::GET,
        &format!("/v1/cloudimages/job/{first}"),
        "",
        Auth::Signed,
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    crate::common::get_job(&ims, &second).await;
}

#[tokio::test]
async fn every_answer_waits_for_the_response_delay() {
    let delay = std::time::Duration::from_millis(60);
    let ims = crate::common::start(hcims_mock::MockConfig {
        response_delay: delay,
        ..hcims_mock::MockConfig::default()
    });
    let client = crate::common::http_client();
    for (method, path, body, status) in [
        (
            Method::POST,
            "/v2/cloudimages/action",
            r#"{"name": "a", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#,
            StatusCode::OK,
        ),
        (Method::GET, "/v1/nowhere", "", StatusCode::NOT_FOUND),
    ] {
        let started = std::time::Instant::now();
        let answer =
            crate::common::send_with(&client, &ims, method, path, body, Auth::Signed).await;
        assert_eq!(answer.status, status);
        assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    }
}
