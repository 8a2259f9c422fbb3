//! Running the core's futures from blocking Python calls: GIL released, Ctrl-C honoured.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;

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
