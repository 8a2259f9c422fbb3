//! Making many images at once against the emulator over real HTTP: order, broken specs, failures,
//! retries, bounded concurrency and cancellation.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hcims::spec::{ImageSpec, UnknownKeys};
use hcims::{Client, ClientOptions, ConfigInput, CreateObserver, Error, RetryPolicy, Secret};
use hcims_mock::{Fault, MockConfig, MockIms};
use serde_json::json;

const INSTANCE: &str = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";

fn client_for(ims: &MockIms) -> Client {
    let mock = ims.config();
    let input = ConfigInput {
        endpoint: Some(ims.endpoint()),
        ak: Some(mock.ak.clone()),
        sk: Some(Secret::new(mock.sk.clone())),
        project_id: Some(mock.project_id.clone()),
        ..ConfigInput::default()
    };
    let config = hcims::config::resolve(input, &|_| None).expect("a complete configuration");
    let options = ClientOptions {
        retry: RetryPolicy {
            retries: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
        ..ClientOptions::default()
    };
    Client::new(config, options).expect("a client")
}

fn server_spec(name: &str) -> ImageSpec {
    ImageSpec::from_json(
        None,
        &json!({"name": name, "instance_id": INSTANCE}),
        UnknownKeys::Reject,
    )
    .expect("a valid spec")
}

/// Checks every spec and sends the valid ones as the Python layer does: a spec that breaks a rule gets its
/// error in its place and is not sent; the others go through `send_many_limited`, no job limit.
async fn create_many(
    client: &Client,
    specs: Vec<ImageSpec>,
    concurrency: usize,
    on_done: CreateObserver,
) -> Vec<Result<String, Error>> {
    let mut outcomes: Vec<Option<Result<String, Error>>> = Vec::with_capacity(specs.len());
    let mut creates = Vec::new();
    for spec in &specs {
        match hcims::CheckedCreate::new(spec) {
            Ok(create) => {
                creates.push(create);
                outcomes.push(None);
            }
            Err(refused) => outcomes.push(Some(Err(refused))),
        }
    }
    let options = hcims::ManyOptions {
        concurrency,
        max_running_jobs: None,
        ..hcims::ManyOptions::default()
    };
    let sent = client
        .send_many_limited(creates, &options, on_done)
        .await
        .expect("no rate limit to refuse");
    let places = outcomes.iter_mut().filter(|outcome| outcome.is_none());
    for (place, outcome) in places.zip(sent) {
        *place = Some(outcome.map(|submitted| match submitted {
            hcims::Submitted::JobId(job_id) => job_id,
            hcims::Submitted::Finished(job) => job.id,
        }));
    }
    outcomes.into_iter().flatten().collect()
}

fn ignore() -> CreateObserver {
    Arc::new(|_, _| {})
}

fn created_names(ims: &MockIms) -> Vec<String> {
    ims.requests()
        .iter()
        .filter(|r| r.method == "POST")
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .filter_map(|body| body["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn one_outcome_per_spec_in_input_order() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let client = client_for(&ims);
    let specs: Vec<ImageSpec> = (0..25).map(|i| server_spec(&format!("img-{i}"))).collect();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let observer: CreateObserver = {
        let seen = seen.clone();
        Arc::new(move |index, outcome| seen.lock().unwrap().push((index, outcome.is_ok())))
    };
    let outcomes = create_many(&client, specs, 4, observer).await;
    assert_eq!(outcomes.len(), 25);
    let ids: Vec<String> = outcomes.into_iter().map(|o| o.expect("a job id")).collect();
    // Each job id belongs to the image of the same position.
    let jobs = ims.jobs(None);
    for (i, id) in ids.iter().enumerate() {
        let job = jobs
            .iter()
            .find(|job| job["job_id"] == id.as_str())
            .expect("a job the emulator knows");
        assert_eq!(job["entities"]["image_name"], format!("img-{i}"), "{job}");
    }
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, (0..25).map(|i| (i, true)).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_broken_spec_or_a_failed_create_takes_only_its_own_slot() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let client = client_for(&ims);
    let mut broken = server_spec("broken");
    if let ImageSpec::Server(spec) = &mut broken {
        spec.name = " leading space".into();
    }
    // The second create to arrive gets a 500 that must not be retried (the image may exist).
    ims.add_fault(Fault {
        method: Some("POST".into()),
        path: "/v2/cloudimages/action".into(),
        status: 500,
        body: json!({"error": {"code": "IMG.0999", "message": "boom"}}).to_string(),
        ..Fault::default()
    })
    .unwrap();
    let specs = vec![server_spec("a"), broken, server_spec("b")];
    let outcomes = create_many(&client, specs, 1, ignore()).await;
    assert!(
        matches!(&outcomes[1], Err(Error::Validation(errors)) if errors.iter().any(|e| e.path == "name")),
        "{:?}",
        outcomes[1]
    );
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o, Err(Error::Api(api)) if api.status == 500 && api.maybe_sent))
        .count();
    let succeeded = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!((failed, succeeded), (1, 1), "{outcomes:?}");
    // The broken spec was never sent, and the 500 was not retried.
    let mut names = created_names(&ims);
    names.sort();
    assert_eq!(names, ["a", "b"]);
}

#[tokio::test]
async fn throttled_creates_are_retried_one_by_one() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let client = client_for(&ims);
    ims.add_fault(Fault {
        method: Some("POST".into()),
        path: "/v2/cloudimages/action".into(),
        status: 429,
        body: json!({"error_code": "APIGW.0308", "error_msg": "throttled"}).to_string(),
        times: 2,
        ..Fault::default()
    })
    .unwrap();
    let specs: Vec<ImageSpec> = (0..5).map(|i| server_spec(&format!("t{i}"))).collect();
    let outcomes = create_many(&client, specs, 5, ignore()).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(created_names(&ims).len(), 7);
}

#[tokio::test]
async fn no_more_than_concurrency_creates_are_in_flight() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let client = client_for(&ims);
    let delay = Duration::from_millis(60);
    ims.add_fault(Fault {
        method: Some("POST".into()),
        path: "/v2/cloudimages/action".into(),
        status: 400,
        body: json!({"error": {"code": "IMG.0001", "message": "slow refusal"}}).to_string(),
        times: 0,
        delay,
        ..Fault::default()
    })
    .unwrap();
    let specs: Vec<ImageSpec> = (0..8).map(|i| server_spec(&format!("c{i}"))).collect();
    let started = Instant::now();
    let outcomes = create_many(&client, specs, 2, ignore()).await;
    // Eight answers that each take 60 ms, two at a time: at least four rounds.
    assert!(started.elapsed() >= delay * 4, "{:?}", started.elapsed());
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, Err(Error::Api(api)) if api.status == 400)));
}

#[tokio::test]
async fn dropping_the_batch_sends_nothing_more() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let client = client_for(&ims);
    ims.add_fault(Fault {
        method: Some("POST".into()),
        path: "/v2/cloudimages/action".into(),
        status: 400,
        body: "{}".into(),
        times: 0,
        delay: Duration::from_secs(30),
        ..Fault::default()
    })
    .unwrap();
    let finished = Arc::new(AtomicUsize::new(0));
    let observer: CreateObserver = {
        let finished = finished.clone();
        Arc::new(move |_, _| {
            finished.fetch_add(1, Ordering::SeqCst);
        })
    };
    let specs: Vec<ImageSpec> = (0..50).map(|i| server_spec(&format!("d{i}"))).collect();
    let batch = create_many(&client, specs, 3, observer);
    assert!(tokio::time::timeout(Duration::from_millis(300), batch)
        .await
        .is_err());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(created_names(&ims).len(), 3);
    assert_eq!(finished.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_answer_without_a_job_id_fails_its_slot_as_maybe_sent() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let client = client_for(&ims);
    for body in [
        json!({"job_id": 5}),
        json!({"job_id": ""}),
        json!(["job_id"]),
    ] {
        ims.add_fault(Fault {
            method: Some("POST".into()),
            path: "/v2/cloudimages/action".into(),
            status: 200,
            body: body.to_string(),
            ..Fault::default()
        })
        .unwrap();
        let outcomes = create_many(
            &client,
            vec![server_spec("x"), server_spec("y")],
            1,
            ignore(),
        )
        .await;
        assert!(
            matches!(&outcomes[0], Err(Error::Transport(t)) if t.maybe_sent && t.message.contains("without a job_id")),
            "{body}: {:?}",
            outcomes[0]
        );
        assert!(outcomes[1].is_ok(), "{:?}", outcomes[1]);
    }
}

fn checked(names: &[String]) -> Vec<hcims::CheckedCreate> {
    names
        .iter()
        .map(|name| hcims::CheckedCreate::new(&server_spec(name)).expect("a valid spec"))
        .collect()
}

fn quick(max_running_jobs: Option<usize>, wait: bool) -> hcims::ManyOptions {
    hcims::ManyOptions {
        max_running_jobs,
        wait,
        wait_options: hcims::WaitOptions {
            poll_interval: Some(Duration::from_millis(5)),
            fill_progress: false,
            ..hcims::WaitOptions::default()
        },
        ..hcims::ManyOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_jobs_limit_binds_and_no_create_is_refused() {
    let ims = MockIms::start(MockConfig {
        job_polls: 2,
        max_running_jobs: Some(5),
        ..MockConfig::default()
    })
    .expect("the emulator starts");
    let names: Vec<String> = (0..30).map(|i| format!("img-{i}")).collect();
    let outcomes = client_for(&ims)
        .send_many_limited(checked(&names), &quick(Some(5), false), ignore())
        .await
        .expect("valid options");
    assert!(outcomes
        .iter()
        .all(|outcome| matches!(outcome, Ok(hcims::Submitted::JobId(_)))));
    // One POST per spec: none was refused with IMG.0060 (and retried).
    assert_eq!(created_names(&ims).len(), 30);
    assert_eq!(ims.peak_running_jobs(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_gives_the_finished_jobs_and_the_rate_spaces_every_request() {
    let ims = MockIms::start(MockConfig {
        job_polls: 1,
        fail_pattern: Some("doomed".into()),
        ..MockConfig::default()
    })
    .expect("the emulator starts");
    let names: Vec<String> = ["a", "doomed", "c"].map(str::to_owned).to_vec();
    let options = hcims::ManyOptions {
        max_requests_per_second: Some(50.0),
        ..quick(Some(2), true)
    };
    let started = Instant::now();
    let outcomes = client_for(&ims)
        .send_many_limited(checked(&names), &options, ignore())
        .await
        .expect("valid options");
    let elapsed = started.elapsed();
    let statuses: Vec<String> = outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Ok(hcims::Submitted::Finished(job)) => job.status.clone(),
            other => panic!("not a finished job: {other:?}"),
        })
        .collect();
    assert_eq!(statuses, ["SUCCESS", "FAIL", "SUCCESS"]);
    // Every request waited its turn at 50 per second: a lower bound only, machines are noisy.
    let sent = ims.requests().len() as u32;
    assert!(sent >= 9, "{sent}");
    assert!(
        elapsed >= Duration::from_millis(20) * (sent - 1),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn an_invalid_rate_is_an_error_of_the_whole_call() {
    let ims = MockIms::start(MockConfig::default()).expect("the emulator starts");
    let options = hcims::ManyOptions {
        max_requests_per_second: Some(0.0),
        ..hcims::ManyOptions::default()
    };
    let outcome = client_for(&ims)
        .send_many_limited(checked(&["a".into()]), &options, ignore())
        .await;
    assert!(matches!(outcome, Err(Error::Config(_))));
    assert!(ims.requests().is_empty());
}
