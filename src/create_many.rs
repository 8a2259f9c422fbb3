//! The specs of `create_many` read from Python, and its outcomes put back in their places.

use pyo3::exceptions::{PyBaseException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use hcims::{CheckedCreate, Submitted};

use crate::errors::to_py_err;
use crate::job::job_to_py;
use crate::spec::spec_for_client;

/// Every item of a `create_many`: the specs to send, and where each one's outcome goes.
pub struct ManyCreates {
    /// The creates that passed every rule, in input order, each already its request body.
    pub creates: Vec<CheckedCreate>,
    /// For each item: None while its create is to be sent, or the exception it already has.
    slots: Vec<Option<Py<PyAny>>>,
}

impl ManyCreates {
    /// Reads `requests`, a list of `(mode, spec)` pairs (`hcims.client.requests_for_many`), checking
    /// every spec first. A spec that cannot be read or breaks a rule keeps its exception (a
    /// `ValidationError`, a `TypeError`...) and is not sent; an exception instance given in place of
    /// a spec is kept as it is. `on_failed` is called once for each of those.
    pub fn read(
        py: Python<'_>,
        requests: &Bound<'_, PyList>,
        client: &hcims::Client,
        mut on_failed: impl FnMut(Python<'_>) -> PyResult<()>,
    ) -> PyResult<ManyCreates> {
        let mut creates = Vec::with_capacity(requests.len());
        let mut slots = Vec::with_capacity(requests.len());
        for request in requests.iter() {
            let pair = request.cast::<PyTuple>()?;
            let (mode, spec) = (pair.get_item(0)?, pair.get_item(1)?);
            let outcome = if spec.is_instance_of::<PyBaseException>() {
                Err(spec.unbind())
            } else {
                let mode: Option<String> = mode.extract()?;
                spec_for_client(py, mode.as_deref(), &spec, Some(client))
                    .and_then(|spec| client.checked_create(&spec).map_err(|e| to_py_err(py, e)))
                    .map_err(|error| error.into_value(py).into_any())
            };
            match outcome {
                Ok(create) => {
                    creates.push(create);
                    slots.push(None);
                }
                Err(exception) => {
                    slots.push(Some(exception));
                    on_failed(py)?;
                }
            }
        }
        Ok(ManyCreates { creates, slots })
    }

    /// The outcome of every item, in input order: the job id (str), the finished Job (with `wait`)
    /// or the exception instance.
    pub fn outcomes<'py>(
        self,
        py: Python<'py>,
        sent: Vec<Result<Submitted, hcims::Error>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut sent = sent.into_iter();
        let items = self
            .slots
            .into_iter()
            .map(|slot| match slot {
                Some(exception) => Ok(exception.into_bound(py)),
                None => match sent.next() {
                    Some(Ok(Submitted::JobId(job_id))) => Ok(job_id.into_pyobject(py)?.into_any()),
                    Some(Ok(Submitted::Finished(job))) => job_to_py(py, &job),
                    Some(Err(error)) => Ok(to_py_err(py, error)
                        .into_value(py)
                        .into_bound(py)
                        .into_any()),
                    // The core returns one outcome per spec it was given.
                    None => Err(PyValueError::new_err(
                        "hcims: internal error, an outcome is missing",
                    )),
                },
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
}
