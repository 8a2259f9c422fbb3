//! Running the core's futures from blocking Python calls: GIL released, Ctrl-C honoured, and events
//! (job snapshots) handed to Python callbacks on the calling thread.

use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::runtime::Runtime;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

use crate::errors::to_py_err;

/// How often a blocked call wakes to let Python run its signal handlers.
const SIGNAL_CHECK_SLICE: Duration = Duration::from_millis(50);

/// For the core's blocking calls (run with the GIL released): takes the GIL for a moment to run Python's
/// signal handlers, so that Ctrl-C raises KeyboardInterrupt and abandons the call.
pub fn check_signals() -> PyResult<()> {
    Python::attach(|py| py.check_signals())
}

/// Runs one call of `client` on this thread's own runtime and connection pool (see `hcims::local`: the
/// thread does its own I/O instead of waiting to be woken by a worker), without the GIL. Every ~50 ms it
/// takes the GIL back to run `check_signals()`: a KeyboardInterrupt then drops the future, which cancels
/// the pending request.
pub fn call_here<C, F>(py: Python<'_>, client: &hcims::Client, call: C) -> PyResult<F::Output>
where
    C: FnOnce(hcims::Client) -> F,
    F: Future + Send,
    F::Output: Send,
{
    let (local, client) = hcims::local::here(client).map_err(|e| to_py_err(py, e))?;
    let runtime = local.runtime();
    let mut future = std::pin::pin!(call(client));
    loop {
        let slice = py.detach(|| {
            runtime
                .block_on(async { tokio::time::timeout(SIGNAL_CHECK_SLICE, future.as_mut()).await })
        });
        match slice {
            Ok(output) => return Ok(output),
            Err(_elapsed) => py.check_signals()?,
        }
    }
}

/// Like [`call_here`] for a call with a Python callback: `call` gets `client` with this thread's pool
/// and makes a future that sends events, which go to `report` (see [`wait_interruptibly_reporting`]).
pub fn call_here_reporting<C, F, E>(
    py: Python<'_>,
    client: &hcims::Client,
    call: C,
    events: UnboundedReceiver<E>,
    report: impl FnMut(Python<'_>, E) -> PyResult<()>,
) -> PyResult<F::Output>
where
    C: FnOnce(hcims::Client) -> F,
    F: Future + Send,
    F::Output: Send,
    E: Send,
{
    let (local, client) = hcims::local::here(client).map_err(|e| to_py_err(py, e))?;
    wait_interruptibly_reporting(py, local.runtime(), call(client), events, report)
}

/// Runs `future` (a batch) as a task of the shared runtime, whose workers share out its requests, and
/// waits for it as [`wait_interruptibly_reporting`] does. This thread wakes only for events, the
/// end, and the ~50 ms signal checks; a KeyboardInterrupt aborts the task, which cancels the batch.
pub fn wait_on_shared_runtime<F, E>(
    py: Python<'_>,
    future: F,
    events: UnboundedReceiver<E>,
    report: impl FnMut(Python<'_>, E) -> PyResult<()>,
) -> PyResult<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    E: Send,
{
    let runtime = hcims::runtime::runtime();
    let mut task = AbortOnDrop(runtime.spawn(future));
    let joined = wait_interruptibly_reporting(py, runtime, &mut task.0, events, report)?;
    joined.map_err(|_| {
        // Only a panic ends the task without an output: a bug, already reported on stderr.
        PyRuntimeError::new_err("hcims: internal error, a batch task ended without an outcome")
    })
}

/// A task aborted when the call waiting for it is left early (an exception, Ctrl-C).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

enum Step<T, E> {
    Done(T),
    Event(E),
    Idle,
}

/// Drives `future` on `runtime` without the GIL, waking every ~50 ms for `check_signals()` (a
/// KeyboardInterrupt drops the future). Every event the future sends on `events` goes to `report`, on
/// this thread with the GIL held, as soon as it arrives (never from a tokio worker). Events sent before
/// the future finished are all reported before its output is returned. An error from `report` (an
/// exception in a Python callback) drops the future and is raised.
pub fn wait_interruptibly_reporting<F, T, E>(
    py: Python<'_>,
    runtime: &Runtime,
    future: F,
    mut events: UnboundedReceiver<E>,
    mut report: impl FnMut(Python<'_>, E) -> PyResult<()>,
) -> PyResult<T>
where
    F: Future<Output = T> + Send,
    T: Send,
    E: Send,
{
    let mut future = std::pin::pin!(future);
    loop {
        let step = py.detach(|| {
            runtime.block_on(async {
                tokio::select! {
                    // Events first: a snapshot sent just before the end is reported before the end.
                    biased;
                    Some(event) = events.recv() => Step::Event(event),
                    output = future.as_mut() => Step::Done(output),
                    () = tokio::time::sleep(SIGNAL_CHECK_SLICE) => Step::Idle,
                }
            })
        });
        match step {
            Step::Event(event) => report(py, event)?,
            Step::Done(output) => {
                while let Ok(event) = events.try_recv() {
                    report(py, event)?;
                }
                return Ok(output);
            }
            Step::Idle => {}
        }
        // Also after events: a steady stream of them must not hold off Ctrl-C.
        py.check_signals()?;
    }
}
