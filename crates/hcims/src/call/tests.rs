//! Blocking calls against the emulator: both transports alike, the retry rules of the async calls, and
//! interruptions.

use std::time::Duration;

use hcims_mock::{Fault, MockConfig, MockIms};
use serde_json::json;

use crate::api::create::CheckedCreate;
use crate::api::jobs::GetJob;
use crate::config::{resolve, ConfigInput};
use crate::job::Job;
use crate::spec::{ImageSpec, UnknownKeys};
use crate::{Client, ClientOptions, Error, RetryPolicy, Secret};

fn client_for(ims: &MockIms) -> Client {
    let mock = ims.config();
    let input = ConfigInput {
        endpoint: Some(ims.endpoint()),
        ak: Some(mock.ak.clone()),
        sk: Some(Secret::new(mock.sk.clone())),
        project_id: Some(mock.project_id.clone()),
        ..ConfigInput::default()
    };
    let options = ClientOptions {
        retry: RetryPolicy {
            retries: 2,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(200),
        },
        ..ClientOptions::default()
    };
    Client::new(resolve(input, &|_| None).unwrap(), options).unwrap()
}

fn spec() -> ImageSpec {
    let body = json!({"name": "b", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"});
    ImageSpec::from_json(None, &body, UnknownKeys::Reject).unwrap()
}

fn create_blocking<E>(
    client: &Client,
    spec: &ImageSpec,
    check: impl FnMut() -> Result<(), E>,
) -> Result<Result<String, Error>, E> {
    client.call_blocking(&CheckedCreate::new(spec).unwrap(), check)
}

fn get_job_blocking<E>(
    client: &Client,
    job_id: &str,
    check: impl FnMut() -> Result<(), E>,
) -> Result<Result<Job, Error>, E> {
    client.call_blocking(&GetJob::new(job_id), check)
}

fn go_on() -> Result<(), ()> {
    Ok(())
}

#[test]
fn both_transports_create_and_read_jobs_alike() {
    let ims = MockIms::start(MockConfig::default()).unwrap();
    let over_socket = client_for(&ims);
    assert!(over_socket.socket().is_some());
    let proxied = over_socket.without_socket();
    for client in [&over_socket, &proxied] {
        let job_id = create_blocking(client, &spec(), go_on).unwrap().unwrap();
        let job = get_job_blocking(client, &job_id, go_on).unwrap().unwrap();
        assert_eq!(job.id, job_id);
        assert!(matches!(
            get_job_blocking(client, "../x", go_on).unwrap(),
            Err(Error::Validation(_))
        ));
    }
    assert_eq!(ims.jobs(None).len(), 2);
}

#[test]
fn the_retry_rules_are_those_of_the_async_calls() {
    let ims = MockIms::start(MockConfig::default()).unwrap();
    let client = client_for(&ims);
    let create = "/v2/cloudimages/action";
    ims.add_fault(Fault {
        path: create.into(),
        status: 429,
        body: json!({"error_code": "APIGW.0308", "error_msg": "throttled"}).to_string(),
        ..Fault::default()
    })
    .unwrap();
    assert!(create_blocking(&client, &spec(), go_on).unwrap().is_ok());
    ims.add_fault(Fault {
        path: create.into(),
        status: 503,
        ..Fault::default()
    })
    .unwrap();
    let refused = create_blocking(&client, &spec(), go_on).unwrap();
    assert!(
        matches!(&refused, Err(Error::Api(api)) if api.status == 503 && api.maybe_sent),
        "{refused:?}"
    );
    // 1 throttled + 1 retried + 1 refused, never retried.
    let posts = ims.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 3);
}

#[test]
fn a_stop_during_a_wait_for_a_retry_ends_the_call() {
    let ims = MockIms::start(MockConfig::default()).unwrap();
    let client = client_for(&ims);
    ims.add_fault(Fault {
        path: "/v2/cloudimages/action".into(),
        status: 429,
        body: json!({"error_code": "APIGW.0308", "error_msg": "throttled"}).to_string(),
        headers: vec![("Retry-After".into(), "30".into())],
        times: 0,
        ..Fault::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let mut checks = 0;
    let stopped = create_blocking(&client, &spec(), || {
        checks += 1;
        if checks > 2 {
            Err("stop")
        } else {
            Ok(())
        }
    });
    assert_eq!(stopped.err(), Some("stop"));
    assert!(started.elapsed() < Duration::from_secs(2));
}
