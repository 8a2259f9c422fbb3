//! Blocking calls for scripts: each request made on the calling thread (see [`crate::direct`]), retried
//! by the same rules as the async calls, and interruptible.
//!
//! `check` is called at least every ~50 ms while a call waits (for an answer, or before a retry); an
//! error from it abandons the call at once (an unanswered request's connection is closed) and is
//! returned as the outer `Err`. The Python layer passes one that runs the signal handlers, so Ctrl-C
//! stops a call.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::Method;

use crate::client::{
    api_error_from, check_job_id, create_body, job_from_answer, job_id_from, Answer, Client,
    Target, CREATE_PATH,
};
use crate::direct::{request_head, Failure, CHECK_SLICE};
use crate::error::Error;
use crate::job::Job;
use crate::retry::{api_error_is_retryable, transport_error_is_retryable, CallKind};
use crate::spec::ImageSpec;

impl Client {
    /// [`Client::create`], blocking the calling thread.
    pub fn create_blocking<E>(
        &self,
        spec: &ImageSpec,
        mut check: impl FnMut() -> Result<(), E>,
    ) -> Result<Result<String, Error>, E> {
        let body = match create_body(spec) {
            Ok(body) => body,
            Err(broken) => return Ok(Err(broken)),
        };
        let answer = self.execute_blocking(
            Method::POST,
            CREATE_PATH.to_owned(),
            body,
            CallKind::Create,
            &mut check,
        )?;
        Ok(answer.and_then(|answer| job_id_from(&answer)))
    }

    /// [`Client::get_job`], blocking the calling thread.
    pub fn get_job_blocking<E>(
        &self,
        job_id: &str,
        mut check: impl FnMut() -> Result<(), E>,
    ) -> Result<Result<Job, Error>, E> {
        if let Err(refused) = check_job_id(job_id) {
            return Ok(Err(refused));
        }
        let Some(project) = self.known_project_id() else {
            // The project is found out (from IAM) the async way, once.
            return run_checking(&mut check, self.get_job(job_id));
        };
        let path = format!("/v1/{project}/jobs/{job_id}");
        let answer =
            self.execute_blocking(Method::GET, path, Bytes::new(), CallKind::Query, &mut check)?;
        Ok(answer.and_then(|answer| job_from_answer(&answer, job_id)))
    }

    /// Sends to IMS with the client's retry policy, reporting attempts and retries to the client's log,
    /// as the async calls do.
    fn execute_blocking<E>(
        &self,
        method: Method,
        path: String,
        body: Bytes,
        kind: CallKind,
        check: &mut dyn FnMut() -> Result<(), E>,
    ) -> Result<Result<Answer, Error>, E> {
        let (Some(direct), Some(project)) = (self.direct(), self.known_project_id()) else {
            // A proxy or TLS settings of its own (only reqwest handles them), or a project to find out
            // first: the async stack serves this call.
            let call = self.execute(Target::Ims, method, &path, &[], body, kind);
            return run_checking(check, call);
        };
        let policy = self.options().retry;
        // Retries made so far.
        let mut retries: u32 = 0;
        loop {
            let started = self.request_log().map(|_| Instant::now());
            let (uri, headers) = self.headers_for(
                Target::Ims,
                Some(project),
                method.as_str(),
                &path,
                &[],
                &body,
                SystemTime::now(),
            );
            let sent = match request_head(method.as_str(), &uri, &headers, body.len()) {
                Ok(head) => {
                    let deadline = Instant::now() + self.options().timeout;
                    match direct.send(&head, &body, deadline, kind == CallKind::Create, check) {
                        Ok(answer) => Ok(answer),
                        Err(Failure::Transport(error)) => Err(error),
                        Err(Failure::Stopped(stop)) => return Err(stop),
                    }
                }
                Err(error) => Err(error),
            };
            if let (Some(log), Some(started)) = (self.request_log(), started) {
                self.report_attempt(log, &method, &path, &[], &sent, started, retries + 1);
            }
            let (wait, reason) = match sent {
                Ok(answer) if answer.status < 400 => return Ok(Ok(answer)),
                Ok(answer) => {
                    let api = api_error_from(&answer, kind);
                    if !(policy.allows(retries + 1) && api_error_is_retryable(&api, kind)) {
                        return Ok(Err(Error::Api(Box::new(api))));
                    }
                    let reason =
                        format!("HTTP {} {}", api.status, api.code.as_deref().unwrap_or(""));
                    (policy.delay(retries + 1, api.retry_after), reason)
                }
                Err(transport) => {
                    if !(policy.allows(retries + 1)
                        && transport_error_is_retryable(&transport, kind))
                    {
                        return Ok(Err(Error::Transport(Box::new(transport))));
                    }
                    (policy.delay(retries + 1, None), transport.message)
                }
            };
            retries += 1;
            self.report_retry(&method, &path, retries + 1, wait, || reason);
            sleep_checking(wait, check)?;
        }
    }
}

/// Sleeps for `wait`, calling `check` every ~50 ms.
fn sleep_checking<E>(wait: Duration, check: &mut dyn FnMut() -> Result<(), E>) -> Result<(), E> {
    let until = Instant::now() + wait;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(CHECK_SLICE));
        check()?;
    }
}

/// Drives an async call on the shared runtime from this thread, in ~50 ms slices with `check` between.
fn run_checking<T, E>(
    check: &mut dyn FnMut() -> Result<(), E>,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<Result<T, Error>, E> {
    let runtime = crate::runtime::runtime();
    let mut call = std::pin::pin!(call);
    loop {
        let slice =
            runtime.block_on(async { tokio::time::timeout(CHECK_SLICE, call.as_mut()).await });
        match slice {
            Ok(output) => return Ok(output),
            Err(_elapsed) => check()?,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hcims_mock::{Fault, MockConfig, MockIms};
    use serde_json::json;

    use crate::config::{resolve, ConfigInput};
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

    fn go_on() -> Result<(), ()> {
        Ok(())
    }

    #[test]
    fn both_transports_create_and_read_jobs_alike() {
        let ims = MockIms::start(MockConfig::default()).unwrap();
        let direct = client_for(&ims);
        assert!(direct.direct().is_some());
        let proxied = direct.without_direct();
        for client in [&direct, &proxied] {
            let job_id = client.create_blocking(&spec(), go_on).unwrap().unwrap();
            let job = client.get_job_blocking(&job_id, go_on).unwrap().unwrap();
            assert_eq!(job.id, job_id);
            assert!(matches!(
                client.get_job_blocking("../x", go_on).unwrap(),
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
        assert!(client.create_blocking(&spec(), go_on).unwrap().is_ok());
        ims.add_fault(Fault {
            path: create.into(),
            status: 503,
            ..Fault::default()
        })
        .unwrap();
        let refused = client.create_blocking(&spec(), go_on).unwrap();
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
        let stopped = client.create_blocking(&spec(), || {
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
}
