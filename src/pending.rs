//! Async calls in flight: each call of `hcims._native.AsyncClient` is a task on the shared runtime whose
//! outcome goes to a Python `deliver(ok, value)` callback; `hcims.aio` turns that into an awaitable.
//! Cancelling the returned `PendingCall` aborts the task, which drops the core future and with it the
//! HTTP request.

use std::future::Future;
use std::sync::Arc;

use pyo3::prelude::*;
use tokio::task::AbortHandle;

use hcims::Call;

use crate::errors::to_py_err;
use crate::interpreter::attached_if_alive;
use crate::job::job_to_py;
use crate::logging::logged_async;
use crate::outputs::ToPython;

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
pub(crate) fn spawn_delivering<O, Fut, C>(
    future: Fut,
    deliver: Py<PyAny>,
    convert: C,
) -> PendingCall
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
pub(crate) fn snapshot_forwarder(on_progress: Option<Py<PyAny>>) -> hcims::BatchObserver {
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

/// Runs the future `call` makes of a (logging) handle as a task; its output is delivered, an `Err`
/// as its exception.
pub(crate) fn spawn<F, T>(
    py: Python<'_>,
    client: &hcims::Client,
    deliver: Py<PyAny>,
    call: impl FnOnce(hcims::Client) -> F,
) -> PyResult<PendingCall>
where
    F: Future<Output = Result<T, hcims::Error>> + Send + 'static,
    T: ToPython + Send + 'static,
{
    let client = logged_async(py, client)?;
    Ok(spawn_delivering(call(client), deliver, |py, outcome| {
        outcome.map_err(|e| to_py_err(py, e))?.to_python(py)
    }))
}

/// The async binding of one core [`Call`].
pub(crate) fn spawn_call<C>(
    py: Python<'_>,
    client: &hcims::Client,
    deliver: Py<PyAny>,
    call: C,
) -> PyResult<PendingCall>
where
    C: Call + 'static,
    C::Output: ToPython + 'static,
{
    spawn(py, client, deliver, |client| async move {
        client.call(&call).await
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PendingCall>()?;
    crate::interpreter::register(m)?;
    Ok(())
}
