//! `hcims._native.AsyncClient`: each call is a task on the shared runtime whose outcome goes to a Python
//! `deliver(ok, value)` callback; `hcims.aio` turns that into an awaitable. Cancelling the returned
//! `PendingCall` aborts the task, which drops the core future and with it the HTTP request.

use std::future::Future;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyList;
use tokio::task::AbortHandle;

use hcims::api::quota::get_quota;
use hcims::{Call, GetJob};

use crate::client::PyClient;
use crate::create_many::ManyCreates;
use crate::errors::to_py_err;
use crate::filters::query_pairs;
use crate::interpreter::attached_if_alive;
use crate::job::job_to_py;
use crate::logging::logged_async;
use crate::options::{many_options, wait_options};
use crate::outputs::ToPython;
use crate::spec::spec_for_client;

/// A call in flight. Dropping it (the awaiting coroutine is gone) cancels it as well.
#[pyclass(module = "hcims._native", name = "PendingCall", frozen)]
pub struct PendingCall {
    task: AbortHandle,
}

#[pymethods]
impl PendingCall {
    /// Aborts the task: its future is dropped, its request cancelled, and `deliver` is never called.
    /// Does nothing once it finished.
    fn cancel(&self) {
        self.task.abort();
    }

    /// True once the task finished, delivered or aborted.
    #[getter]
    fn done(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for PendingCall {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Spawns `future` on the shared runtime; `convert` turns its output into Python (an `Err` is delivered
/// as the exception), then `deliver(ok, value)` is called from the worker thread.
fn spawn_delivering<O, Fut, C>(future: Fut, deliver: Py<PyAny>, convert: C) -> PendingCall
where
    O: Send + 'static,
    Fut: Future<Output = O> + Send + 'static,
    C: for<'py> FnOnce(Python<'py>, O) -> PyResult<Bound<'py, PyAny>> + Send + 'static,
{
    let task = hcims::runtime::runtime().spawn(async move {
        let output = future.await;
        attached_if_alive(move |py| {
            let (ok, value) = match convert(py, output) {
                Ok(value) => (true, value),
                Err(error) => (false, error.into_value(py).into_bound(py).into_any()),
            };
            // An error here means the event loop is closed: nobody awaits this outcome any more.
            let _ = deliver.call1(py, (ok, value));
        });
    });
    PendingCall {
        task: task.abort_handle(),
    }
}

/// An observer that hands each snapshot to `on_progress` (a thread-safe Python callable; `hcims.aio`
/// passes one that schedules the user's callback on the event loop).
fn snapshot_forwarder(on_progress: Option<Py<PyAny>>) -> hcims::BatchObserver {
    match on_progress {
        None => Arc::new(|_, _: &hcims::Job| {}),
        Some(callback) => Arc::new(move |_, job: &hcims::Job| {
            attached_if_alive(|py| {
                // The loop may be closed; the wait itself is not the callback's business.
                let _ = job_to_py(py, job).and_then(|job| callback.call1(py, (job,)));
            });
        }),
    }
}

#[pyclass(module = "hcims._native", name = "AsyncClient", frozen)]
pub struct PyAsyncClient {
    inner: hcims::Client,
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
        self.spawn(
            py,
            deliver,
            |client| async move { client.create(&spec).await },
        )
    }

    fn get_job(&self, py: Python<'_>, job_id: String, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        self.spawn_call(py, deliver, GetJob::new(job_id))
    }

    /// Delivers the project id, asking IAM the first time when it was not given.
    fn project_id(&self, py: Python<'_>, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        self.spawn(py, deliver, |client| async move {
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
        self.spawn(py, deliver, |client| async move {
            client.os_versions(tag.as_deref()).await
        })
    }

    fn quota(&self, py: Python<'_>, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        self.spawn_call(py, deliver, get_quota())
    }

    fn find_images(
        &self,
        py: Python<'_>,
        filters: &Bound<'_, PyAny>,
        deliver: Py<PyAny>,
    ) -> PyResult<PendingCall> {
        let filters = query_pairs(filters)?;
        self.spawn(py, deliver, |client| async move {
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
        self.spawn(py, deliver, |client| async move {
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
            self.spawn(py, deliver, |client| async move {
                client.wait_for_jobs(&job_ids, &options, forward).await
            })
        } else {
            self.spawn(py, deliver, |client| async move {
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

impl PyAsyncClient {
    /// Runs the future `call` makes of a (logging) handle as a task; its output is delivered, an `Err`
    /// as its exception.
    fn spawn<F, T>(
        &self,
        py: Python<'_>,
        deliver: Py<PyAny>,
        call: impl FnOnce(hcims::Client) -> F,
    ) -> PyResult<PendingCall>
    where
        F: Future<Output = Result<T, hcims::Error>> + Send + 'static,
        T: ToPython + Send + 'static,
    {
        let client = logged_async(py, &self.inner)?;
        Ok(spawn_delivering(call(client), deliver, |py, outcome| {
            outcome.map_err(|e| to_py_err(py, e))?.to_python(py)
        }))
    }

    /// The async binding of one core [`Call`].
    fn spawn_call<C>(&self, py: Python<'_>, deliver: Py<PyAny>, call: C) -> PyResult<PendingCall>
    where
        C: Call + 'static,
        C::Output: ToPython + 'static,
    {
        self.spawn(
            py,
            deliver,
            |client| async move { client.call(&call).await },
        )
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAsyncClient>()?;
    m.add_class::<PendingCall>()?;
    crate::interpreter::register(m)?;
    Ok(())
}
