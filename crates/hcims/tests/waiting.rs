//! Waiting for jobs against the emulator over real HTTP: one job, many jobs, failures, timeouts,
//! `Retry-After`, the progress endpoint and cancellation.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hcims::spec::{ImageSpec, UnknownKeys};
use hcims::{
    BatchObserver, Client, ClientOptions, ConfigInput, Error, Job, RetryPolicy, Secret, WaitOptions,
};
use hcims_mock::{Fault, MockConfig, MockIms};
use serde_json::json;

const INSTANCE: &str = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";
const VOLUME: &str = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30";

fn start(config: MockConfig) -> Arc<MockIms> {
    Arc::new(MockIms::start(config).expect("the emulator starts"))
}

fn client_for(ims: &MockIms, retries: u32) -> Client {
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
            retries,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
        ..ClientOptions::default()
    };
    Client::new(config, options).expect("a client")
}

fn fast(timeout: Duration) -> WaitOptions {
    WaitOptions {
        timeout: Some(timeout),
        poll_interval: Some(Duration::from_millis(10)),
        ..WaitOptions::default()
    }
}

async fn create(client: &Client, body: serde_json::Value) -> String {
    let spec = ImageSpec::from_json(None, &body, UnknownKeys::Reject).expect("a valid spec");
    client.create(&spec).await.expect("a job id")
}

async fn server_job(client: &Client, name: &str) -> String {
    create(client, json!({"name": name, "instance_id": INSTANCE})).await
}

fn status_path(ims: &MockIms, job_id: &str) -> String {
    format!("/v1/{}/jobs/{job_id}", ims.config().project_id)
}

fn progress_path(job_id: &str) -> String {
    format!("/v1/cloudimages/job/{job_id}")
}

fn count_requests(ims: &MockIms, path: &str) -> usize {
    ims.requests().iter().filter(|r| r.path == path).count()
}

fn ignore_polls() -> BatchObserver {
    Arc::new(|_, _| {})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_many_returns_the_jobs_in_input_order() {
    let ims = start(MockConfig {
        job_polls: 3,
        ..MockConfig::default()
    });
    let client = client_for(&ims, 3);
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(server_job(&client, &format!("server-{i}")).await);
    }
    ids.insert(
        2,
        create(
            &client,
            json!({"data_images": [{"name": "d1", "volume_id": VOLUME}, {"name": "d2", "volume_id": INSTANCE}]}),
        )
        .await,
    );
    let seen = Arc::new(Mutex::new(Vec::<(usize, String)>::new()));
    let recorder = seen.clone();
    let observer: BatchObserver = Arc::new(move |index, job: &Job| {
        recorder.lock().unwrap().push((index, job.id.clone()));
    });
    let jobs = client
        .wait_for_jobs(&ids, &fast(Duration::from_secs(20)), observer)
        .await
        .expect("every job succeeds");
    let got: Vec<&str> = jobs.iter().map(|job| job.id.as_str()).collect();
    assert_eq!(got, ids);
    assert!(jobs.iter().all(Job::is_ok));
    assert_eq!(jobs[2].image_ids.len(), 2, "{:?}", jobs[2]);
    assert_eq!(jobs[0].image_ids.len(), 1);
    // Every snapshot names its own job's index, and each job was seen RUNNING then finished.
    let seen = seen.lock().unwrap();
    for (index, id) in seen.iter() {
        assert_eq!(&ids[*index], id);
    }
    for index in 0..ids.len() {
        assert_eq!(seen.iter().filter(|(i, _)| *i == index).count(), 4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settled_waits_collect_failures_in_place() {
    let ims = start(MockConfig {
        job_polls: 1,
        fail_pattern: Some("broken".into()),
        ..MockConfig::default()
    });
    let client = client_for(&ims, 0);
    let good = server_job(&client, "good").await;
    let broken = server_job(&client, "broken-one").await;
    let slow = server_job(&client, "slow").await;
    // The slow job's status never arrives in time.
    ims.add_fault(Fault {
        path: status_path(&ims, &slow),
        status: 200,
        body: "{}".into(),
        times: 0,
        delay: Duration::from_secs(30),
        ..Fault::default()
    })
    .unwrap();
    let unknown = "ffffffffffffffffffffffffffffffff".to_owned();
    let ids = vec![
        good.clone(),
        broken.clone(),
        unknown.clone(),
        slow.clone(),
        "bad/id".to_owned(),
    ];
    let started = Instant::now();
    let outcomes = client
        .wait_for_jobs_settled(&ids, &fast(Duration::from_millis(600)), ignore_polls())
        .await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(outcomes.len(), 5);
    let first = outcomes[0].as_ref().expect("the good job");
    assert!(first.is_ok() && first.id == good);
    let second = outcomes[1]
        .as_ref()
        .expect("a FAIL job is an outcome, not an error");
    assert_eq!(
        (second.id.as_str(), second.status.as_str()),
        (broken.as_str(), "FAIL")
    );
    assert_eq!(second.error_code.as_deref(), Some("IMG.1075"));
    match &outcomes[2] {
        Err(Error::Api(api)) => assert_eq!(api.status, 404),
        other => panic!("expected a 404, got {other:?}"),
    }
    match &outcomes[3] {
        Err(Error::JobTimeout {
            job_id, last_job, ..
        }) => {
            assert_eq!(job_id, &slow);
            assert!(last_job.is_none());
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(matches!(outcomes[4], Err(Error::Validation(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_failure_ends_a_strict_wait_and_stops_the_others() {
    let ims = start(MockConfig {
        job_polls: 1,
        fail_pattern: Some("broken".into()),
        ..MockConfig::default()
    });
    let client = client_for(&ims, 0);
    let slow = server_job(&client, "slow").await;
    let broken = server_job(&client, "broken").await;
    ims.add_fault(Fault {
        path: status_path(&ims, &slow),
        status: 200,
        body: json!({"status": "RUNNING", "job_id": slow}).to_string(),
        times: 0,
        ..Fault::default()
    })
    .unwrap();
    let started = Instant::now();
    let outcome = client
        .wait_for_jobs(
            &[slow.clone(), broken.clone()],
            &fast(Duration::from_secs(30)),
            ignore_polls(),
        )
        .await;
    match outcome {
        Err(Error::JobFailed(job)) => assert_eq!(job.id, broken),
        other => panic!("expected the broken job's failure, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    // The slow job's wait was dropped with the batch: its polls stop.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let polls = count_requests(&ims, &status_path(&ims, &slow));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(count_requests(&ims, &status_path(&ims, &slow)), polls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_is_not_outlasted_by_a_slow_poll() {
    let ims = start(MockConfig::default());
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    ims.add_fault(Fault {
        path: status_path(&ims, &job),
        status: 200,
        body: "{}".into(),
        delay: Duration::from_secs(30),
        ..Fault::default()
    })
    .unwrap();
    let started = Instant::now();
    let outcome = client
        .wait_for_job(&job, &fast(Duration::from_millis(300)), |_| {})
        .await;
    assert!(
        matches!(outcome, Err(Error::JobTimeout { .. })),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_honours_retry_after_between_polls() {
    let ims = start(MockConfig {
        job_polls: 2,
        ..MockConfig::default()
    });
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    let path = status_path(&ims, &job);
    let throttled_once = {
        let ims = ims.clone();
        let path = path.clone();
        let mut armed = false;
        move |_: &Job| {
            if !armed {
                armed = true;
                ims.add_fault(Fault {
                    path: path.clone(),
                    status: 429,
                    body: json!({"error_code": "APIGW.0308", "error_msg": "throttled"}).to_string(),
                    headers: vec![("Retry-After".into(), "1".into())],
                    ..Fault::default()
                })
                .unwrap();
            }
        }
    };
    let started = Instant::now();
    let done = client
        .wait_for_job(&job, &fast(Duration::from_secs(20)), throttled_once)
        .await
        .expect("the throttled poll is survived");
    let elapsed = started.elapsed();
    assert!(done.is_ok());
    // Without the header the next poll would come 10 ms later.
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert_eq!(count_requests(&ims, &path), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_end_the_wait_only_after_max_failed_polls() {
    let ims = start(MockConfig {
        job_polls: 10_000,
        ..MockConfig::default()
    });
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    let path = status_path(&ims, &job);
    let options = WaitOptions {
        max_failed_polls: 3,
        ..fast(Duration::from_secs(20))
    };
    let failing_forever = {
        let ims = ims.clone();
        let path = path.clone();
        let mut armed = false;
        move |_: &Job| {
            if !armed {
                armed = true;
                ims.add_fault(Fault {
                    path: path.clone(),
                    status: 503,
                    times: 0,
                    ..Fault::default()
                })
                .unwrap();
            }
        }
    };
    let outcome = client.wait_for_job(&job, &options, failing_forever).await;
    match outcome {
        Err(Error::Api(api)) => assert_eq!(api.status, 503),
        other => panic!("expected the 503, got {other:?}"),
    }
    // One good poll, then three failures survived and a fourth that ends it.
    assert_eq!(count_requests(&ims, &path), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_poll_that_fails_transiently_does_not_end_the_wait() {
    let ims = start(MockConfig::default());
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    // Two 503s on the very first polls: the job was accepted, so the wait rides them out.
    ims.add_fault(Fault {
        path: status_path(&ims, &job),
        status: 503,
        times: 2,
        ..Fault::default()
    })
    .unwrap();
    let done = client
        .wait_for_job(&job, &fast(Duration::from_secs(20)), |_| {})
        .await
        .expect("the failed first polls are survived");
    assert!(done.is_ok());
    assert!(count_requests(&ims, &status_path(&ims, &job)) >= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_polls_failing_for_ever_end_the_wait_after_max_failed_polls() {
    let ims = start(MockConfig::default());
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    ims.add_fault(Fault {
        path: status_path(&ims, &job),
        status: 503,
        times: 0,
        ..Fault::default()
    })
    .unwrap();
    let options = WaitOptions {
        max_failed_polls: 2,
        ..fast(Duration::from_secs(20))
    };
    let outcome = client.wait_for_job(&job, &options, |_| {}).await;
    assert!(matches!(outcome, Err(Error::Api(ref api)) if api.status == 503));
    // Two failures survived, the third ends it.
    assert_eq!(count_requests(&ims, &status_path(&ims, &job)), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_poll_refused_ends_the_wait_at_once() {
    let ims = start(MockConfig::default());
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    for status in [401, 403, 404] {
        ims.add_fault(Fault {
            path: status_path(&ims, &job),
            status,
            times: 1,
            ..Fault::default()
        })
        .unwrap();
        let before = count_requests(&ims, &status_path(&ims, &job));
        let outcome = client
            .wait_for_job(&job, &fast(Duration::from_secs(20)), |_| {})
            .await;
        assert!(
            matches!(outcome, Err(Error::Api(ref api)) if api.status == status),
            "{status}: {outcome:?}"
        );
        assert_eq!(count_requests(&ims, &status_path(&ims, &job)), before + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_comes_from_the_progress_endpoint_when_the_status_lacks_it() {
    let ims = start(MockConfig {
        job_polls: 3,
        ..MockConfig::default()
    });
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    // The status endpoint answers RUNNING without process_percent, twice.
    ims.add_fault(Fault {
        path: status_path(&ims, &job),
        status: 200,
        body: json!({"job_id": job, "status": "RUNNING", "entities": {}}).to_string(),
        times: 2,
        ..Fault::default()
    })
    .unwrap();
    let progresses = Arc::new(Mutex::new(Vec::new()));
    let recorder = progresses.clone();
    let done = client
        .wait_for_job(&job, &fast(Duration::from_secs(20)), |job| {
            recorder.lock().unwrap().push(job.progress);
        })
        .await
        .unwrap();
    assert!(done.is_ok());
    // The progress endpoint moves the emulated job too: 1/4 and 2/4 from it, then the status endpoint
    // carries process_percent itself (3/4) until SUCCESS.
    assert_eq!(
        *progresses.lock().unwrap(),
        [Some(0.25), Some(0.5), Some(0.75), Some(1.0)]
    );
    assert_eq!(count_requests(&ims, &progress_path(&job)), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_endpoint_is_not_asked_unless_wanted_or_once_missing() {
    let ims = start(MockConfig {
        job_polls: 10,
        ..MockConfig::default()
    });
    let client = client_for(&ims, 0);
    let running_without_progress = |job: &str| Fault {
        path: status_path(&ims, job),
        status: 200,
        body: json!({"job_id": job, "status": "RUNNING"}).to_string(),
        times: 3,
        ..Fault::default()
    };

    let unwanted = server_job(&client, "a").await;
    ims.add_fault(running_without_progress(&unwanted)).unwrap();
    let options = WaitOptions {
        fill_progress: false,
        ..fast(Duration::from_secs(20))
    };
    client
        .wait_for_job(&unwanted, &options, |_| {})
        .await
        .unwrap();
    assert_eq!(count_requests(&ims, &progress_path(&unwanted)), 0);

    let missing = server_job(&client, "b").await;
    ims.add_fault(running_without_progress(&missing)).unwrap();
    ims.add_fault(Fault {
        path: progress_path(&missing),
        status: 404,
        body: json!({"error_code": "APIGW.0101", "error_msg": "not found"}).to_string(),
        times: 0,
        ..Fault::default()
    })
    .unwrap();
    let mut progresses = Vec::new();
    let done = client
        .wait_for_job(&missing, &fast(Duration::from_secs(20)), |job| {
            progresses.push(job.progress)
        })
        .await
        .unwrap();
    assert!(done.is_ok());
    assert_eq!(progresses[..3], [None, None, None]);
    assert_eq!(count_requests(&ims, &progress_path(&missing)), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_wait_stops_its_polls() {
    let ims = start(MockConfig {
        job_polls: 100_000,
        ..MockConfig::default()
    });
    let client = client_for(&ims, 0);
    let job = server_job(&client, "s").await;
    let path = status_path(&ims, &job);
    let waiting = {
        let client = client.clone();
        let job = job.clone();
        tokio::spawn(async move {
            client
                .wait_for_job(&job, &fast(Duration::from_secs(60)), |_| {})
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    waiting.abort();
    assert!(waiting.await.unwrap_err().is_cancelled());
    // A poll written just before the abort may still reach the server on a loaded machine: let the count
    // settle first, then check that nothing new comes.
    let mut polls = count_requests(&ims, &path);
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = count_requests(&ims, &path);
        if now == polls {
            break;
        }
        polls = now;
    }
    assert!(polls >= 3, "{polls}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count_requests(&ims, &path), polls);
}
