//! Blocking Python calls into the core, interruptible: the GIL released while they wait, Ctrl-C honoured
//! every ~50 ms, and events (log records, job snapshots) handed to Python on the calling thread. Either
//! a core call that blocks by itself (`call_detached`, given a `check`) or a future driven on the shared
//! runtime (`wait_interruptibly*`, `wait_on_shared_runtime`).

use std::future::Future;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

use hcims::Call;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use crate::errors::Fallible;
use crate::logging::{emit, logged_blocking};
use crate::outputs::ToPython;

/// How often a blocked call wakes to let Python run its signal handlers.
const SIGNAL_CHECK_SLICE: Duration = Duration::from_millis(50);

/// Drives `future` on the shared runtime without the GIL. Every ~50 ms it takes the GIL back to run
/// `check_signals()`: a KeyboardInterrupt then drops the future, which cancels the pending request.
pub fn wait_interruptibly<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = T> + Send,
    T: Send,
{
    let runtime = hcims::runtime::runtime();
    let mut future = std::pin::pin!(future);
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

/// For the core's blocking calls (made with the GIL released): takes the GIL for a moment to run
/// Python's signal handlers, so that Ctrl-C raises KeyboardInterrupt and abandons the call.
pub fn check_signals() -> PyResult<()> {
    Python::attach(|py| py.check_signals())
}

/// Runs one of the core's blocking calls (`Client::call_blocking`) without the GIL. The call's `check`,
/// made every ~50 ms while it waits, runs the signal handlers (Ctrl-C abandons the call) and writes the
/// `hcims` logger's records of the attempts so far; the last ones are written when the call returns.
pub fn call_detached<T, C>(py: Python<'_>, client: &hcims::Client, call: C) -> PyResult<T>
where
    T: Send,
    C: FnOnce(&hcims::Client, &mut dyn FnMut() -> PyResult<()>) -> PyResult<T> + Send,
{
    match logged_blocking(py, client)? {
        None => py.detach(|| call(client, &mut check_signals)),
        Some((logged, mut events)) => {
            let outcome = py.detach(|| {
                let mut check = || {
                    Python::attach(|py| {
                        while let Ok(event) = events.try_recv() {
                            emit(py, event)?;
                        }
                        py.check_signals()
                    })
                };
                call(&logged, &mut check)
            });
            while let Ok(event) = events.try_recv() {
                emit(py, event)?;
            }
            outcome
        }
    }
}

/// Runs `future` (a batch) as a task of the shared runtime, whose workers share out its requests, and
/// waits for it as [`wait_interruptibly_reporting`] does: this thread wakes only for events, the end
/// and the ~50 ms signal checks, not for each request. A KeyboardInterrupt aborts the task, which
/// cancels the batch.
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
    let mut task = AbortOnDrop(hcims::runtime::runtime().spawn(future));
    let joined = wait_interruptibly_reporting(py, &mut task.0, events, report)?;
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

/// Like [`wait_interruptibly`], and every event the future sends on `events` goes to `report`, on this
/// thread with the GIL held, as soon as it arrives (never from a tokio worker). Events sent before the
/// future finished are all reported before its output is returned. An error from `report` (an
/// exception in a Python callback) drops the future and is raised.
pub fn wait_interruptibly_reporting<F, T, E>(
    py: Python<'_>,
    future: F,
    mut events: UnboundedReceiver<E>,
    mut report: impl FnMut(Python<'_>, E) -> PyResult<()>,
) -> PyResult<T>
where
    F: Future<Output = T> + Send,
    T: Send,
    E: Send,
{
    let runtime = hcims::runtime::runtime();
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

/// Runs `call` on a handle of `client` without the GIL: a logging handle when the `hcims` logger
/// listens (its records written here, on the calling thread, as they come), else `client` itself.
pub(crate) fn blocking_call<F, T>(
    py: Python<'_>,
    client: &hcims::Client,
    call: impl FnOnce(hcims::Client) -> F,
) -> PyResult<T>
where
    F: Future<Output = T> + Send,
    T: Send,
{
    match logged_blocking(py, client)? {
        None => wait_interruptibly(py, call(client.clone())),
        Some((logged, events)) => wait_interruptibly_reporting(py, call(logged), events, emit),
    }
}

/// What a blocking wait hands to the calling thread: a job snapshot for `on_progress`, or a log record.
pub(crate) enum Report {
    Snapshot(hcims::Job),
    Log(hcims::RequestEvent),
    /// A create of a batch ended: with a job id (true) or an error.
    Created(bool),
}

/// The handle a watched wait runs on and the channel of its reports: snapshots always, log records
/// when the logger listens.
pub(crate) fn reporting_handle(
    py: Python<'_>,
    client: &hcims::Client,
) -> PyResult<(
    hcims::Client,
    UnboundedSender<Report>,
    tokio::sync::mpsc::UnboundedReceiver<Report>,
)> {
    let (sender, reports) = unbounded_channel::<Report>();
    let handle = match crate::logging::enabled_level(py)? {
        None => client.clone(),
        Some(level) => {
            let logs = sender.clone();
            client.with_log(Some(hcims::RequestLog::new(level, move |event| {
                let _ = logs.send(Report::Log(event));
            })))
        }
    };
    Ok((handle, sender, reports))
}

/// Runs one core call on this thread without the GIL: over the socket transport when it can,
/// Ctrl-C honoured, the logger's records written here. The whole binding of a [`Call`].
pub(crate) fn run<'py, C: Call>(
    py: Python<'py>,
    client: &hcims::Client,
    call: C,
) -> Fallible<Bound<'py, PyAny>>
where
    C::Output: ToPython,
{
    let output = call_detached(py, client, |client, check| {
        client.call_blocking(&call, check)
    })??;
    Ok(output.to_python(py)?)
}

/// Runs a core future (a call of several requests, or one with a cache) as [`run`] does,
/// on the shared runtime.
pub(crate) fn run_async<'py, F, T>(
    py: Python<'py>,
    client: &hcims::Client,
    call: impl FnOnce(hcims::Client) -> F,
) -> Fallible<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, hcims::Error>> + Send,
    T: ToPython + Send,
{
    Ok(blocking_call(py, client, call)??.to_python(py)?)
}
