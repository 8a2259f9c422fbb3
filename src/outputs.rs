//! The core's results as Python values, one conversion per result type: whatever way a call returns
//! (blocking, async, in a batch), its output goes through [`ToPython`].

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

use crate::errors::to_py_err;
use crate::job::job_to_py;

pub(crate) trait ToPython {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

/// A job id, a project id.
/// A call that answers nothing (a 204): None.
impl ToPython for () {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(py.None().into_bound(py))
    }
}

impl ToPython for String {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.into_pyobject(py)?.into_any())
    }
}

/// A `hcims.Job`.
impl ToPython for hcims::Job {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        job_to_py(py, &self)
    }
}

/// `(used, total)` private images of the project.
impl ToPython for hcims::Quota {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok((self.used, self.total).into_pyobject(py)?.into_any())
    }
}

/// An image document as IMS wrote it, as plain dicts and lists.
impl ToPython for Value {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(pythonize::pythonize(py, &self)?)
    }
}

/// One OS version of the live list, as a dict.
impl ToPython for &hcims::OsVersion {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = PyDict::new(py);
        d.set_item("platform", &self.platform)?;
        d.set_item("os_version", &self.os_version)?;
        d.set_item("os_bit", self.os_bit)?;
        d.set_item("os_type", &self.os_type)?;
        d.set_item("os_version_key", &self.os_version_key)?;
        Ok(d.into_any())
    }
}

/// A lookup that may find nothing: the value, or None.
impl<T: ToPython> ToPython for Option<T> {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(value) => value.to_python(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

/// A settled outcome: the value, or the exception instance that ended it (not raised).
impl<T: ToPython> ToPython for Result<T, hcims::Error> {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Ok(value) => value.to_python(py),
            Err(error) => Ok(to_py_err(py, error)
                .into_value(py)
                .into_bound(py)
                .into_any()),
        }
    }
}

/// A list of any of the above.
impl<T: ToPython> ToPython for Vec<T> {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self
            .into_iter()
            .map(|item| item.to_python(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    }
}

/// The live OS list, shared with the client's cache.
impl ToPython for Arc<Vec<hcims::OsVersion>> {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.iter().collect::<Vec<_>>().to_python(py)
    }
}
