//! Core errors as the exception classes of `hcims.errors` (defined in Python, so they pickle and document
//! well): the one mapping, used through `?` ([`Raised`]) or, for outcomes handed back unraised, [`to_py_err`].

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::job::job_to_py;
use crate::spec::validation_error;

fn errors_module(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("hcims.errors")
}

pub fn to_py_err(py: Python<'_>, error: hcims::Error) -> PyErr {
    build_py_err(py, error).unwrap_or_else(|e| e)
}

fn build_py_err(py: Python<'_>, error: hcims::Error) -> PyResult<PyErr> {
    let module = errors_module(py)?;
    let instance = match error {
        hcims::Error::Validation(errors) => return Ok(validation_error(py, &errors)),
        hcims::Error::Config(message) => module.getattr("ConfigError")?.call1((message,))?,
        hcims::Error::Api(api) => {
            let class = match api.status {
                400 => "BadRequestError",
                401 => "AuthenticationError",
                403 => "PermissionDeniedError",
                404 => "NotFoundError",
                429 => "ThrottledError",
                s if s >= 500 => "ServerError",
                _ => "ApiError",
            };
            let kwargs = PyDict::new(py);
            kwargs.set_item("status", api.status)?;
            kwargs.set_item("code", api.code)?;
            kwargs.set_item("request_id", api.request_id)?;
            kwargs.set_item("body", api.body)?;
            kwargs.set_item("maybe_sent", api.maybe_sent)?;
            module.getattr(class)?.call((api.message,), Some(&kwargs))?
        }
        hcims::Error::Transport(t) => {
            let kwargs = PyDict::new(py);
            kwargs.set_item("retryable", t.retryable)?;
            kwargs.set_item("maybe_sent", t.maybe_sent)?;
            module
                .getattr("TransportError")?
                .call((t.message,), Some(&kwargs))?
        }
        hcims::Error::JobFailed(job) => module
            .getattr("JobFailedError")?
            .call1((job_to_py(py, &job)?,))?,
        hcims::Error::JobTimeout {
            job_id,
            timeout,
            last_job,
        } => {
            let last = match last_job {
                Some(job) => Some(job_to_py(py, &job)?),
                None => None,
            };
            module
                .getattr("JobTimeoutError")?
                .call1((job_id, timeout.as_secs_f64(), last))?
        }
        hcims::Error::KeyConflict(conflict) => {
            let class = match conflict.kind {
                hcims::KeyConflictKind::Duplicates => "DuplicateImagesError",
                hcims::KeyConflictKind::Unusable => "UnusableImagesError",
                hcims::KeyConflictKind::NotReady => "ImagesNotReadyError",
            };
            module.getattr(class)?.call1((
                conflict.to_string(),
                conflict.key,
                conflict.image_ids,
            ))?
        }
    };
    Ok(PyErr::from_value(instance))
}

/// An error on its way to Python: a core error becomes its `hcims.errors` exception here, so that both
/// kinds go up with `?`. Native methods return [`Fallible`].
pub struct Raised(PyErr);

pub type Fallible<T> = Result<T, Raised>;

impl From<PyErr> for Raised {
    fn from(error: PyErr) -> Self {
        Raised(error)
    }
}

impl From<hcims::Error> for Raised {
    fn from(error: hcims::Error) -> Self {
        // Native methods run attached: this only counts one more attachment.
        Raised(Python::attach(|py| to_py_err(py, error)))
    }
}

impl From<Raised> for PyErr {
    fn from(raised: Raised) -> Self {
        raised.0
    }
}
