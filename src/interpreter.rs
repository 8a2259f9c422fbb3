//! The interpreter's exit as seen from runtime workers: a task attaches to Python only while the
//! interpreter lives, and exit waits (briefly) for the tasks attached.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// Set when the interpreter begins to exit: from then on no task attaches to it. `try_attach` alone
/// cannot rule out a thread that attaches just before finalization and is still attached (its Python
/// code may release the GIL, for a socket write say) when it starts, which aborts the process.
static INTERPRETER_EXITING: AtomicBool = AtomicBool::new(false);
/// Tasks inside (or about to enter) an attached section; exit waits for them to leave.
static ATTACHED_TASKS: AtomicUsize = AtomicUsize::new(0);
/// The longest exit waits for attached tasks: a stuck callback must not hang the interpreter's exit.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Called by `hcims.aio` from `atexit`, before finalization: stops new attachments, then waits (GIL
/// released) for the tasks already attached to finish. Outcomes that arrive later are dropped unseen.
#[pyfunction]
fn _interpreter_exiting(py: Python<'_>) {
    INTERPRETER_EXITING.store(true, Ordering::SeqCst);
    py.detach(|| {
        let started = Instant::now();
        while ATTACHED_TASKS.load(Ordering::SeqCst) > 0 && started.elapsed() < EXIT_GRACE {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Runs `f` attached to the interpreter, unless it is gone or going.
pub(crate) fn attached_if_alive<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    // Counted before the flag is read, and the exit sets the flag before it reads the count: one of the
    // two always sees the other.
    ATTACHED_TASKS.fetch_add(1, Ordering::SeqCst);
    let result = if INTERPRETER_EXITING.load(Ordering::SeqCst) {
        None
    } else {
        Python::try_attach(f)
    };
    ATTACHED_TASKS.fetch_sub(1, Ordering::SeqCst);
    result
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_interpreter_exiting, m)?)
}
