//! The `hcims` logger of Python's `logging`: each call asks once whether it is enabled; only then does
//! the core report requests, and the records are written by `hcims._logging.emit` on the calling thread
//! (blocking calls) or on the event loop (async calls), never from a runtime worker with the GIL.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

use hcims::{LogLevel, RequestEvent, RequestLog};

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static EMIT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

const PY_DEBUG: u8 = 10;
const PY_INFO: u8 = 20;

/// The level the `hcims` logger listens at now, or `None` when it would drop every record.
pub(crate) fn enabled_level(py: Python<'_>) -> PyResult<Option<LogLevel>> {
    let logger = LOGGER.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("logging")?
            .getattr("getLogger")?
            .call1(("hcims",))?
            .unbind())
    })?;
    let logger = logger.bind(py);
    // `isEnabledFor` is cached by `logging` itself; INFO first, since off is the common case.
    if !logger
        .call_method1("isEnabledFor", (PY_INFO,))?
        .is_truthy()?
    {
        return Ok(None);
    }
    let debug = logger
        .call_method1("isEnabledFor", (PY_DEBUG,))?
        .is_truthy()?;
    Ok(Some(if debug {
        LogLevel::Debug
    } else {
        LogLevel::Info
    }))
}

/// A handle on `client` that reports into a channel when the logger listens, with the receiving end.
pub(crate) fn logged_blocking(
    py: Python<'_>,
    client: &hcims::Client,
) -> PyResult<Option<(hcims::Client, UnboundedReceiver<RequestEvent>)>> {
    let Some(level) = enabled_level(py)? else {
        return Ok(None);
    };
    let (sender, receiver) = unbounded_channel();
    let log = RequestLog::new(level, move |event| {
        // The receiver lives as long as the call; after it, nobody listens.
        let _ = sender.send(event);
    });
    Ok(Some((client.with_log(Some(log)), receiver)))
}

/// Writes one event as a record of the `hcims` logger.
pub(crate) fn emit(py: Python<'_>, event: RequestEvent) -> PyResult<()> {
    let emit = EMIT.import(py, "hcims._logging", "emit")?;
    emit.call1((event_to_py(py, event)?,))?;
    Ok(())
}

/// A thread-safe sink for an async call: each event is handed to the event loop with
/// `loop.call_soon_threadsafe(hcims._logging.emit, event)`.
pub(crate) fn logged_async(py: Python<'_>, client: &hcims::Client) -> PyResult<hcims::Client> {
    let Some(level) = enabled_level(py)? else {
        return Ok(client.clone());
    };
    let event_loop = py.import("asyncio")?.getattr("get_running_loop")?.call0()?;
    let schedule = event_loop.getattr("call_soon_threadsafe")?.unbind();
    let emit = EMIT.import(py, "hcims._logging", "emit")?.clone().unbind();
    let log = RequestLog::new(level, move |event| {
        crate::interpreter::attached_if_alive(|py| {
            // A closed loop drops the record: the call it belongs to is gone.
            let _ = event_to_py(py, event)
                .and_then(|event| schedule.call1(py, (emit.clone_ref(py), event)));
        });
    });
    Ok(client.with_log(Some(log)))
}

fn event_to_py(py: Python<'_>, event: RequestEvent) -> PyResult<Bound<'_, PyTuple>> {
    match event {
        RequestEvent::Attempt {
            method,
            path,
            status,
            request_id,
            elapsed,
            attempt,
            poll,
            error,
        } => (
            "attempt",
            method,
            path,
            status,
            request_id,
            elapsed.as_secs_f64() * 1000.0,
            attempt,
            poll,
            error,
        )
            .into_pyobject(py),
        RequestEvent::Retry {
            method,
            path,
            next_attempt,
            delay,
            reason,
        } => (
            "retry",
            method,
            path,
            next_attempt,
            delay.as_secs_f64(),
            reason,
        )
            .into_pyobject(py),
    }
}
