//! `hcims._native.Client`: the core client seen from Python. The public `hcims.Client` wraps it.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;
use tokio::sync::mpsc::unbounded_channel;

use hcims::{ClientOptions, ConfigInput, RetryPolicy, Secret, WaitOptions};

use crate::blocking::{call_here, call_here_reporting, check_signals, wait_on_shared_runtime};
use crate::create_many::{self as many, ManyCreates};
use crate::errors::to_py_err;
use crate::job::job_to_py;
use crate::prepared::PyPreparedRequest;
use crate::spec::spec_from_py;

#[pyclass(module = "hcims._native", name = "Client", frozen)]
pub struct PyClient {
    pub(crate) inner: hcims::Client,
}

/// How to wait, from the Python arguments. The progress endpoint is asked only when someone watches.
pub(crate) fn wait_options(
    timeout: Option<f64>,
    poll_interval: Option<f64>,
    watched: bool,
) -> PyResult<WaitOptions> {
    Ok(WaitOptions {
        timeout: seconds("timeout", timeout)?,
        poll_interval: seconds("poll_interval", poll_interval)?,
        fill_progress: watched,
        ..WaitOptions::default()
    })
}

/// A settled wait's outcome: the Job, or the exception instance that ended its wait.
pub(crate) fn outcome_to_py<'py>(
    py: Python<'py>,
    outcome: Result<hcims::Job, hcims::Error>,
) -> PyResult<Bound<'py, PyAny>> {
    match outcome {
        Ok(job) => job_to_py(py, &job),
        Err(error) => Ok(to_py_err(py, error)
            .into_value(py)
            .into_bound(py)
            .into_any()),
    }
}

fn seconds(name: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(PyValueError::new_err(format!(
            "{name} must be a positive number of seconds, got {s}"
        ))),
    }
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (*, region=None, endpoint=None, ak=None, sk=None, project_id=None,
                        security_token=None, auth_token=None, timeout=None, connect_timeout=None,
                        max_attempts=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        region: Option<String>,
        endpoint: Option<String>,
        ak: Option<String>,
        sk: Option<String>,
        project_id: Option<String>,
        security_token: Option<String>,
        auth_token: Option<String>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_attempts: Option<u32>,
    ) -> PyResult<Self> {
        let defaults = ClientOptions::default();
        let options = ClientOptions {
            timeout: seconds("timeout", timeout)?.unwrap_or(defaults.timeout),
            connect_timeout: seconds("connect_timeout", connect_timeout)?
                .unwrap_or(defaults.connect_timeout),
            retry: RetryPolicy {
                max_attempts: match max_attempts {
                    Some(0) => {
                        return Err(PyValueError::new_err("max_attempts must be at least 1"))
                    }
                    Some(n) => n,
                    None => defaults.retry.max_attempts,
                },
                ..defaults.retry
            },
        };
        let input = ConfigInput {
            region,
            endpoint,
            ak,
            sk: sk.map(Secret::new),
            security_token: security_token.map(Secret::new),
            auth_token: auth_token.map(Secret::new),
            project_id,
        };
        let config =
            hcims::config::resolve_from_environment(input).map_err(|e| to_py_err(py, e))?;
        let inner = hcims::Client::new(config, options).map_err(|e| to_py_err(py, e))?;
        Ok(PyClient { inner })
    }

    /// Validates `spec` (a dict with the API's keys) and submits it; returns the job id.
    #[pyo3(signature = (mode, spec))]
    fn create(
        &self,
        py: Python<'_>,
        mode: Option<&str>,
        spec: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let spec = spec_from_py(py, mode, spec)?;
        let client = &self.inner;
        py.detach(|| client.create_blocking(&spec, check_signals))?
            .map_err(|e| to_py_err(py, e))
    }

    /// The signed request `create` would send, secrets masked; nothing is sent.
    #[pyo3(signature = (mode, spec))]
    fn prepare(
        &self,
        py: Python<'_>,
        mode: Option<&str>,
        spec: &Bound<'_, PyAny>,
    ) -> PyResult<PyPreparedRequest> {
        let spec = spec_from_py(py, mode, spec)?;
        let prepared = self.inner.prepare(&spec).map_err(|e| to_py_err(py, e))?;
        Ok(PyPreparedRequest::from(prepared))
    }

    fn get_job<'py>(&self, py: Python<'py>, job_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let client = &self.inner;
        let job = py
            .detach(|| client.get_job_blocking(job_id, check_signals))?
            .map_err(|e| to_py_err(py, e))?;
        job_to_py(py, &job)
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
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let outcome = match on_progress {
            None => call_here(py, &self.inner, |client| async move {
                client.wait_for_job(job_id, &options, |_| {}).await
            })?,
            Some(callback) => {
                let (sender, snapshots) = unbounded_channel::<hcims::Job>();
                let waiting = |client: hcims::Client| async move {
                    client
                        .wait_for_job(job_id, &options, move |job| {
                            // The receiver outlives the wait; a send cannot fail while anyone listens.
                            let _ = sender.send(job.clone());
                        })
                        .await
                };
                call_here_reporting(py, &self.inner, waiting, snapshots, |py, job| {
                    callback.call1((job_to_py(py, &job)?,)).map(drop)
                })?
            }
        };
        let job = outcome.map_err(|e| to_py_err(py, e))?;
        job_to_py(py, &job)
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
    ) -> PyResult<Bound<'py, PyList>> {
        let options = wait_options(timeout, poll_interval, on_progress.is_some())?;
        let (sender, snapshots) = unbounded_channel::<hcims::Job>();
        let observer: hcims::BatchObserver = if on_progress.is_some() {
            Arc::new(move |_, job: &hcims::Job| {
                let _ = sender.send(job.clone());
            })
        } else {
            Arc::new(|_, _: &hcims::Job| {})
        };
        let report = |py: Python<'_>, job: hcims::Job| match &on_progress {
            Some(callback) => callback.call1((job_to_py(py, &job)?,)).map(drop),
            None => Ok(()),
        };
        let client = self.inner.clone();
        if raise_on_failure {
            let waiting = async move { client.wait_for_jobs(&job_ids, &options, observer).await };
            let jobs = wait_on_shared_runtime(py, waiting, snapshots, report)?
                .map_err(|e| to_py_err(py, e))?;
            let items = jobs
                .iter()
                .map(|job| job_to_py(py, job))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)
        } else {
            let waiting = async move {
                client
                    .wait_for_jobs_settled(&job_ids, &options, observer)
                    .await
            };
            let outcomes = wait_on_shared_runtime(py, waiting, snapshots, report)?;
            let items = outcomes
                .into_iter()
                .map(|outcome| outcome_to_py(py, outcome))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)
        }
    }

    /// Submits every spec of `requests` (`(mode, spec)` pairs, see `hcims.client.requests_for_many`),
    /// at most `concurrency` at a time, on the shared runtime. Every spec is checked first: one that
    /// breaks a rule gets its `ValidationError` and is not sent. Returns one outcome per item, in order:
    /// the job id, or the exception instance. `on_done(ok)` is called on this thread as each item ends.
    #[pyo3(signature = (requests, concurrency=32, on_done=None))]
    fn create_many<'py>(
        &self,
        py: Python<'py>,
        requests: &Bound<'py, PyList>,
        concurrency: i64,
        on_done: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let concurrency = many::concurrency(concurrency)?;
        let report = |_py: Python<'_>, ok: bool| match &on_done {
            Some(callback) => callback.call1((ok,)).map(drop),
            None => Ok(()),
        };
        let mut creates = ManyCreates::read(py, requests, |py| report(py, false))?;
        let (sender, finished) = unbounded_channel::<bool>();
        let observer: hcims::CreateObserver = if on_done.is_some() {
            Arc::new(move |_, outcome: &Result<String, hcims::Error>| {
                let _ = sender.send(outcome.is_ok());
            })
        } else {
            Arc::new(|_, _: &Result<String, hcims::Error>| {})
        };
        let client = self.inner.clone();
        let checked = std::mem::take(&mut creates.creates);
        let sending = async move { client.send_many(checked, concurrency, observer).await };
        let sent = wait_on_shared_runtime(py, sending, finished, report)?;
        creates.outcomes(py, sent)
    }

    #[getter]
    fn endpoint(&self) -> &str {
        &self.inner.config().endpoint.base
    }

    #[getter]
    fn region(&self) -> Option<&str> {
        self.inner.config().region.as_deref()
    }

    #[getter]
    fn project_id(&self) -> &str {
        &self.inner.config().project_id
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

    fn __repr__(&self) -> String {
        let c = self.inner.config();
        format!(
            "Client(endpoint={:?}, region={:?}, project_id={:?}, auth={:?})",
            c.endpoint.base,
            c.region.as_deref().unwrap_or(""),
            c.project_id,
            self.inner.auth_kind()
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClient>()?;
    m.add_class::<PyPreparedRequest>()?;
    Ok(())
}
