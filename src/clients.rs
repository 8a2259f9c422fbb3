//! `hcims._native.Client` and `hcims._native.AsyncClient`: the core client seen from Python, blocking and
//! async, side by side. Each IMS call is a method of a few lines on each: the blocking one runs a core
//! [`hcims::Call`] with `run` (see `interruptible`), the async one with `spawn_call` (see `pending`).
//! The public `hcims.Client` and `hcims.AsyncClient` wrap them.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyList;

use hcims::api::quota::get_quota;
use hcims::{ClientOptions, ConfigInput, GetJob, Secret, TlsOptions};

use crate::create_many::ManyCreates;
use crate::errors::{to_py_err, Fallible};
use crate::filters::query_pairs;
use crate::interpreter::attached_if_alive;
use crate::interruptible::{
    blocking_call, reporting_handle, run, run_async, wait_interruptibly_reporting,
    wait_on_shared_runtime, Report,
};
use crate::job::job_to_py;
use crate::logging::{emit, logged_async};
use crate::options::{many_options, retry_policy, rules_setting, seconds, wait_options};
use crate::outputs::ToPython;
use crate::pending::{snapshot_forwarder, spawn, spawn_call, spawn_delivering, PendingCall};
use crate::prepared::PyPreparedRequest;
use crate::spec::spec_for_client;

#[pyclass(module = "hcims._native", name = "Client", frozen)]
pub struct PyClient {
    pub(crate) inner: hcims::Client,
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (*, region=None, endpoint=None, ak=None, sk=None, project_id=None,
                        security_token=None, auth_token=None, timeout=None, connect_timeout=None,
                        retries=None, retry_backoff=None, ca_bundle=None, verify=true, iam_endpoint=None,
                        rules=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        region: Option<String>,
        endpoint: Option<String>,
        ak: Option<String>,
        sk: Option<String>,
        project_id: Option<String>,
        security_token: Option<String>,
        auth_token: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        retries: Option<u32>,
        retry_backoff: Option<(f64, f64)>,
        ca_bundle: Option<PathBuf>,
        verify: bool,
        iam_endpoint: Option<String>,
        rules: Option<&str>,
    ) -> Fallible<Self> {
        let defaults = ClientOptions::default();
        let mut tls = TlsOptions {
            verify,
            ..TlsOptions::default()
        };
        if let Some(path) = ca_bundle {
            tls = tls.with_ca_bundle(&path)?;
        }
        let options = ClientOptions {
            timeout: seconds("timeout", timeout)?.unwrap_or(defaults.timeout),
            connect_timeout: seconds("connect_timeout", connect_timeout)?
                .unwrap_or(defaults.connect_timeout),
            retry: retry_policy(retries, retry_backoff, defaults.retry)?,
            tls,
            rules: rules_setting(rules)?,
        };
        let input = ConfigInput {
            region,
            endpoint,
            ak,
            sk: sk.map(Secret::new),
            security_token: security_token.map(Secret::new),
            auth_token: auth_token.map(Secret::new),
            project_id,
            iam_endpoint,
        };
        let config = hcims::config::resolve_from_environment(input)?;
        let inner = hcims::Client::new(config, options)?;
        Ok(PyClient { inner })
    }

    /// Validates `spec` (a dict with the API's keys) and submits it; returns the job id.
    #[pyo3(signature = (mode, spec))]
    fn create<'py>(
        &self,
        py: Python<'py>,
        mode: Option<&str>,
        spec: &Bound<'py, PyAny>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let spec = spec_for_client(py, mode, spec, Some(&self.inner))?;
        run(py, &self.inner, self.inner.checked_create(&spec)?)
    }

    /// The signed request `create` would send, secrets masked; nothing is sent.
    #[pyo3(signature = (mode, spec))]
    fn prepare(
        &self,
        py: Python<'_>,
        mode: Option<&str>,
        spec: &Bound<'_, PyAny>,
    ) -> Fallible<PyPreparedRequest> {
        let spec = spec_for_client(py, mode, spec, Some(&self.inner))?;
        // With the project known there is nothing to wait for: signing takes microseconds.
        let prepared = match self.inner.prepare_now(&spec) {
            Some(prepared) => prepared,
            None => blocking_call(py, &self.inner, |client| async move {
                client.prepare(&spec).await
            })?,
        }?;
        Ok(PyPreparedRequest::from(prepared))
    }

    fn get_job<'py>(&self, py: Python<'py>, job_id: &str) -> Fallible<Bound<'py, PyAny>> {
        run(py, &self.inner, GetJob::new(job_id))
    }

    /// Polls until the job ends. `on_progress(job)` sees every snapshot, on this thread with the GIL held;
    /// only then is the progress endpoint asked when the status lacks `process_percent`.
    #[pyo3(signature = (job_id, timeout=None, poll_interval=None, on_progress=None))]
    fn wait_for_job<'py>(
        &self,
        py: Python<'py>,
        job_id: &str,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let outcome = match on_progress {
            None => blocking_call(py, &self.inner, |client| async move {
                client.wait_for_job(job_id, &options, |_| {}).await
            })?,
            Some(callback) => {
                let (client, sender, reports) = reporting_handle(py, &self.inner)?;
                let waiting = async move {
                    client
                        .wait_for_job(job_id, &options, move |job| {
                            // The receiver outlives the wait; a send cannot fail while anyone listens.
                            let _ = sender.send(Report::Snapshot(job.clone()));
                        })
                        .await
                };
                wait_interruptibly_reporting(py, waiting, reports, |py, report| match report {
                    Report::Snapshot(job) => callback.call1((job_to_py(py, &job)?,)).map(drop),
                    Report::Log(event) => emit(py, event),
                    Report::Created(_) => Ok(()),
                })?
            }
        };
        Ok(outcome?.to_python(py)?)
    }

    /// Waits for every job at once (one task each, the GIL released once for all). With
    /// `raise_on_failure` the first job to fail, time out or hit an error raises and stops the rest;
    /// without it the list holds each final Job (FAIL included) or the exception that ended its wait.
    #[pyo3(signature = (job_ids, timeout=None, poll_interval=None, raise_on_failure=true, on_progress=None))]
    fn wait_for_jobs<'py>(
        &self,
        py: Python<'py>,
        job_ids: Vec<String>,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        raise_on_failure: bool,
        on_progress: Option<Bound<'py, PyAny>>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let (client, sender, snapshots) = reporting_handle(py, &self.inner)?;
        let observer: hcims::BatchObserver = if on_progress.is_some() {
            Arc::new(move |_, job: &hcims::Job| {
                let _ = sender.send(Report::Snapshot(job.clone()));
            })
        } else {
            Arc::new(|_, _: &hcims::Job| {})
        };
        let report = |py: Python<'_>, report: Report| match (report, &on_progress) {
            (Report::Snapshot(job), Some(callback)) => {
                callback.call1((job_to_py(py, &job)?,)).map(drop)
            }
            (Report::Snapshot(_), None) | (Report::Created(_), _) => Ok(()),
            (Report::Log(event), _) => emit(py, event),
        };
        if raise_on_failure {
            let waiting = async move { client.wait_for_jobs(&job_ids, &options, observer).await };
            let jobs = wait_on_shared_runtime(py, waiting, snapshots, report)??;
            Ok(jobs.to_python(py)?)
        } else {
            let waiting = async move {
                client
                    .wait_for_jobs_settled(&job_ids, &options, observer)
                    .await
            };
            let outcomes = wait_on_shared_runtime(py, waiting, snapshots, report)?;
            Ok(outcomes.to_python(py)?)
        }
    }

    /// Submits every spec of `requests` (`(mode, spec)` pairs, see `hcims.client.requests_for_many`),
    /// at most `concurrency` at a time, on the shared runtime. Every spec is checked first: one that
    /// breaks a rule gets its `ValidationError` and is not sent. Returns one outcome per item, in order:
    /// the job id, or the exception instance. `on_done(ok)` is called on this thread as each item ends.
    /// `max_running_jobs`, `max_requests_per_second`, `wait`, `poll_interval` and `timeout`: see
    /// `hcims::ManyOptions`.
    #[pyo3(signature = (
        requests, concurrency=32, on_done=None, max_running_jobs=Some(40),
        max_requests_per_second=None, wait=false, poll_interval=None, timeout=Some(3600.0)
    ))]
    #[allow(clippy::too_many_arguments)]
    fn create_many<'py>(
        &self,
        py: Python<'py>,
        requests: &Bound<'py, PyList>,
        concurrency: i64,
        on_done: Option<Bound<'py, PyAny>>,
        max_running_jobs: Option<i64>,
        max_requests_per_second: Option<f64>,
        wait: bool,
        poll_interval: Option<f64>,
        timeout: Option<f64>,
    ) -> Fallible<Bound<'py, PyList>> {
        let options = many_options(
            concurrency,
            max_running_jobs,
            max_requests_per_second,
            wait,
            poll_interval,
            timeout,
        )?;
        let report = |py: Python<'_>, report: Report| match (report, &on_done) {
            (Report::Created(ok), Some(callback)) => callback.call1((ok,)).map(drop),
            (Report::Log(event), _) => emit(py, event),
            _ => Ok(()),
        };
        let mut creates = ManyCreates::read(py, requests, &self.inner, |py| {
            report(py, Report::Created(false))
        })?;
        let (client, sender, reports) = reporting_handle(py, &self.inner)?;
        let observer: hcims::CreateObserver = if on_done.is_some() {
            Arc::new(move |_, outcome: &Result<String, hcims::Error>| {
                let _ = sender.send(Report::Created(outcome.is_ok()));
            })
        } else {
            Arc::new(|_, _: &Result<String, hcims::Error>| {})
        };
        let checked = std::mem::take(&mut creates.creates);
        let sending = async move { client.send_many_limited(checked, &options, observer).await };
        let sent = wait_on_shared_runtime(py, sending, reports, report)??;
        Ok(creates.outcomes(py, sent)?)
    }

    #[getter]
    fn endpoint(&self) -> &str {
        &self.inner.config().endpoint.base
    }

    #[getter]
    fn region(&self) -> Option<&str> {
        self.inner.config().region.as_deref()
    }

    /// "enforce" or "warn": what the client does with a spec that breaks a value rule.
    #[getter]
    fn rules(&self) -> &'static str {
        self.inner.rules().as_str()
    }

    /// The project id; when it was not given, IAM is asked for it the first time (once per access
    /// key, region and IAM endpoint in the process).
    #[getter]
    fn project_id(&self, py: Python<'_>) -> Fallible<String> {
        if let Some(id) = self.inner.known_project_id() {
            return Ok(id.to_owned());
        }
        Ok(blocking_call(py, &self.inner, |client| async move {
            client.project_id().await.map(str::to_owned)
        })??)
    }

    /// The project id if known without asking IAM.
    #[getter]
    fn known_project_id(&self) -> Option<&str> {
        self.inner.known_project_id()
    }

    /// The region's live OS list, as dicts; cached per client and tag.
    #[pyo3(signature = (tag=None))]
    fn os_versions<'py>(
        &self,
        py: Python<'py>,
        tag: Option<String>,
    ) -> Fallible<Bound<'py, PyAny>> {
        run_async(py, &self.inner, |client| async move {
            client.os_versions(tag.as_deref()).await
        })
    }

    /// `(used, total)` private images of the project.
    fn quota<'py>(&self, py: Python<'py>) -> Fallible<Bound<'py, PyAny>> {
        run(py, &self.inner, get_quota())
    }

    /// The images `GET /v2/cloudimages` lists for `filters` (a dict of query parameters), as dicts.
    fn find_images<'py>(
        &self,
        py: Python<'py>,
        filters: &Bound<'py, PyAny>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let filters = query_pairs(filters)?;
        run_async(py, &self.inner, |client| async move {
            client.find_images(&filters).await
        })
    }

    #[getter]
    fn auth_kind(&self) -> &'static str {
        self.inner.auth_kind()
    }

    #[getter]
    fn access_key(&self) -> Option<&str> {
        match &self.inner.config().credentials {
            hcims::Credentials::AkSk { ak, .. } => Some(ak),
            hcims::Credentials::Token(_) => None,
        }
    }

    #[getter]
    fn timeout(&self) -> f64 {
        self.inner.options().timeout.as_secs_f64()
    }

    #[getter]
    fn retries(&self) -> u32 {
        self.inner.options().retry.retries
    }

    #[getter]
    fn retry_backoff(&self) -> (f64, f64) {
        let retry = &self.inner.options().retry;
        (
            retry.base_delay.as_secs_f64(),
            retry.max_delay.as_secs_f64(),
        )
    }

    #[getter]
    fn verify(&self) -> bool {
        self.inner.options().tls.verify
    }

    fn __repr__(&self) -> String {
        let c = self.inner.config();
        format!(
            "Client(endpoint={:?}, region={:?}, project_id={:?}, auth={:?})",
            c.endpoint.base,
            c.region.as_deref().unwrap_or(""),
            // Never asks IAM: a repr does no I/O.
            self.inner
                .known_project_id()
                .unwrap_or("<discovered on first use>"),
            self.inner.auth_kind()
        )
    }
}

#[pyclass(module = "hcims._native", name = "AsyncClient", frozen)]
pub struct PyAsyncClient {
    pub(crate) inner: hcims::Client,
}

#[pymethods]
impl PyAsyncClient {
    /// Shares `client`'s configuration and connection pool.
    #[new]
    fn new(client: &Bound<'_, PyClient>) -> Self {
        PyAsyncClient {
            inner: client.get().inner.clone(),
        }
    }

    /// Validates `spec` now (a `ValidationError` is raised at once) and submits it in a task; the job id
    /// is delivered.
    #[pyo3(signature = (mode, spec, deliver))]
    fn create(
        &self,
        py: Python<'_>,
        mode: Option<&str>,
        spec: &Bound<'_, PyAny>,
        deliver: Py<PyAny>,
    ) -> PyResult<PendingCall> {
        let spec = spec_for_client(py, mode, spec, Some(&self.inner))?;
        spawn(py, &self.inner, deliver, |client| async move {
            client.create(&spec).await
        })
    }

    fn get_job(&self, py: Python<'_>, job_id: String, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        spawn_call(py, &self.inner, deliver, GetJob::new(job_id))
    }

    /// Delivers the project id, asking IAM the first time when it was not given.
    fn project_id(&self, py: Python<'_>, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        spawn(py, &self.inner, deliver, |client| async move {
            client.project_id().await.map(str::to_owned)
        })
    }

    #[pyo3(signature = (deliver, tag=None))]
    fn os_versions(
        &self,
        py: Python<'_>,
        deliver: Py<PyAny>,
        tag: Option<String>,
    ) -> PyResult<PendingCall> {
        spawn(py, &self.inner, deliver, |client| async move {
            client.os_versions(tag.as_deref()).await
        })
    }

    fn quota(&self, py: Python<'_>, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        spawn_call(py, &self.inner, deliver, get_quota())
    }

    fn find_images(
        &self,
        py: Python<'_>,
        filters: &Bound<'_, PyAny>,
        deliver: Py<PyAny>,
    ) -> PyResult<PendingCall> {
        let filters = query_pairs(filters)?;
        spawn(py, &self.inner, deliver, |client| async move {
            client.find_images(&filters).await
        })
    }

    #[pyo3(signature = (job_id, deliver, timeout=None, poll_interval=None, on_progress=None))]
    fn wait_for_job(
        &self,
        py: Python<'_>,
        job_id: String,
        deliver: Py<PyAny>,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<PendingCall> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let forward = snapshot_forwarder(on_progress);
        spawn(py, &self.inner, deliver, |client| async move {
            client
                .wait_for_job(&job_id, &options, |job| forward(0, job))
                .await
        })
    }

    #[pyo3(signature = (job_ids, deliver, timeout=None, poll_interval=None, raise_on_failure=true,
                        on_progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn wait_for_jobs(
        &self,
        py: Python<'_>,
        job_ids: Vec<String>,
        deliver: Py<PyAny>,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        raise_on_failure: bool,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<PendingCall> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let forward = snapshot_forwarder(on_progress);
        if raise_on_failure {
            spawn(py, &self.inner, deliver, |client| async move {
                client.wait_for_jobs(&job_ids, &options, forward).await
            })
        } else {
            spawn(py, &self.inner, deliver, |client| async move {
                let settled = client
                    .wait_for_jobs_settled(&job_ids, &options, forward)
                    .await;
                Ok(settled)
            })
        }
    }

    /// Reads and checks every spec now (see `Client.create_many`), then submits the valid ones in a
    /// task, at most `concurrency` at a time; the list of outcomes is delivered. `on_done(ok)` (a
    /// thread-safe callable) hears of each item as it ends, those refused at once included.
    #[pyo3(signature = (
        requests, deliver, concurrency=32, on_done=None, max_running_jobs=Some(40),
        max_requests_per_second=None, wait=false, poll_interval=None, timeout=Some(3600.0)
    ))]
    #[allow(clippy::too_many_arguments)]
    fn create_many(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyList>,
        deliver: Py<PyAny>,
        concurrency: i64,
        on_done: Option<Py<PyAny>>,
        max_running_jobs: Option<i64>,
        max_requests_per_second: Option<f64>,
        wait: bool,
        poll_interval: Option<f64>,
        timeout: Option<f64>,
    ) -> PyResult<PendingCall> {
        let options = many_options(
            concurrency,
            max_running_jobs,
            max_requests_per_second,
            wait,
            poll_interval,
            timeout,
        )?;
        let mut creates = ManyCreates::read(py, requests, &self.inner, |py| match &on_done {
            Some(callback) => callback.call1(py, (false,)).map(drop),
            None => Ok(()),
        })?;
        let observer: hcims::CreateObserver = match on_done {
            None => Arc::new(|_, _: &Result<String, hcims::Error>| {}),
            Some(callback) => Arc::new(move |_, outcome: &Result<String, hcims::Error>| {
                attached_if_alive(|py| {
                    // The loop may be closed; the batch itself is not the callback's business.
                    let _ = callback.call1(py, (outcome.is_ok(),));
                });
            }),
        };
        let client = logged_async(py, &self.inner)?;
        let checked = std::mem::take(&mut creates.creates);
        let future = async move { client.send_many_limited(checked, &options, observer).await };
        Ok(spawn_delivering(future, deliver, move |py, sent| {
            let sent = sent.map_err(|error| to_py_err(py, error))?;
            Ok(creates.outcomes(py, sent)?.into_any())
        }))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClient>()?;
    m.add_class::<PyAsyncClient>()?;
    m.add_class::<PyPreparedRequest>()?;
    Ok(())
}
