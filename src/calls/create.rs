//! Making images: `POST /v2/cloudimages/action` from a spec (`create`), its dry run (`prepare`) and many
//! creates at once (`create_many`), bound for the blocking and the async native client.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::clients::{PyAsyncClient, PyClient};
use crate::create_many::ManyCreates;
use crate::errors::{to_py_err, Fallible};
use crate::interpreter::attached_if_alive;
use crate::interruptible::{blocking_call, reporting_handle, run, wait_on_shared_runtime, Report};
use crate::logging::{emit, logged_async};
use crate::options::many_options;
use crate::pending::{spawn, spawn_delivering, PendingCall};
use crate::prepared::PyPreparedRequest;
use crate::spec::spec_for_client;

#[pymethods]
impl PyClient {
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
}

#[pymethods]
impl PyAsyncClient {
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
