//! The options of calls from their Python arguments: timeouts, retries, waits and batch limits, each
//! checked with a message that names the argument.

use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use hcims::spec::{Rules, ENV_RULES};
use hcims::{ManyOptions, RetryPolicy, WaitOptions};

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

/// The retry policy from `retries=` and `retry_backoff=(base_seconds, max_seconds)`.
pub(crate) fn retry_policy(
    retries: Option<u32>,
    backoff: Option<(f64, f64)>,
    defaults: RetryPolicy,
) -> PyResult<RetryPolicy> {
    let (base_delay, max_delay) = match backoff {
        None => (defaults.base_delay, defaults.max_delay),
        Some((base, max)) => {
            let valid = |s: f64| s.is_finite() && (0.0..=3600.0).contains(&s);
            if !(valid(base) && valid(max) && base <= max) {
                return Err(PyValueError::new_err(format!(
                    "retry_backoff must be (base_seconds, max_seconds) with 0 <= base <= max <= 3600, got ({base}, {max})"
                )));
            }
            (Duration::from_secs_f64(base), Duration::from_secs_f64(max))
        }
    };
    Ok(RetryPolicy {
        retries: retries.unwrap_or(defaults.retries),
        base_delay,
        max_delay,
    })
}

/// The client's `rules=`, else `HCIMS_RULES`, else "enforce". A bad argument is a `ValueError`, as
/// for any argument; a bad environment value is a configuration error (`hcims.ConfigError`), as for
/// the other settings read from the environment.
pub(crate) fn rules_setting(given: Option<&str>) -> Result<Rules, crate::errors::Raised> {
    if let Some(given) = given {
        return given
            .parse()
            .map_err(|e: hcims::spec::UnknownRules| PyValueError::new_err(e.to_string()).into());
    }
    match std::env::var(ENV_RULES)
        .ok()
        .filter(|word| !word.is_empty())
    {
        Some(word) => word.parse().map_err(|e: hcims::spec::UnknownRules| {
            hcims::Error::Config(format!("{ENV_RULES}: {e}")).into()
        }),
        None => Ok(Rules::default()),
    }
}

pub(crate) fn seconds(name: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(PyValueError::new_err(format!(
            "{name} must be a positive number of seconds, got {s}"
        ))),
    }
}

/// `concurrency` from Python: a whole number of at least 1.
fn concurrency(value: i64) -> PyResult<usize> {
    match usize::try_from(value) {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(PyValueError::new_err(format!(
            "concurrency must be at least 1, got {value}"
        ))),
    }
}

/// The limits of a `create_many` from its Python arguments.
pub(crate) fn many_options(
    concurrency: i64,
    max_running_jobs: Option<i64>,
    max_requests_per_second: Option<f64>,
    wait: bool,
    poll_interval: Option<f64>,
    timeout: Option<f64>,
) -> PyResult<ManyOptions> {
    let max_running_jobs = match max_running_jobs {
        None => None,
        Some(value) => match usize::try_from(value) {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "max_running_jobs must be at least 1 (or None), got {value}"
                )))
            }
        },
    };
    if let Some(rate) = max_requests_per_second {
        hcims::RequestPacer::per_second(rate).map_err(|_| {
            PyValueError::new_err(format!(
                "max_requests_per_second must be a finite number above 0 (or None), got {rate}"
            ))
        })?;
    }
    Ok(ManyOptions {
        concurrency: self::concurrency(concurrency)?,
        max_running_jobs,
        max_requests_per_second,
        wait,
        wait_options: wait_options(timeout, poll_interval, false)?,
    })
}
