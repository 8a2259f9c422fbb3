//! Running the core's futures from blocking Python calls: GIL released, Ctrl-C honoured, and events
//! (job snapshots) handed to Python callbacks on the calling thread.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use tokio::sync::mpsc::UnboundedReceiver;

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
