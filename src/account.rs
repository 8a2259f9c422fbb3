//! Conversions for the account calls: the live OS list, the quota, image lookups.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString};
use serde_json::Value;

/// Each entry as a dict with the service's keys (`os_bit` an int or None).
pub(crate) fn os_versions_to_py<'py>(
    py: Python<'py>,
    list: &[hcims::OsVersion],
) -> PyResult<Bound<'py, PyList>> {
    let items = list
        .iter()
        .map(|v| {
            let d = PyDict::new(py);
            d.set_item("platform", &v.platform)?;
            d.set_item("os_version", &v.os_version)?;
            d.set_item("os_bit", v.os_bit)?;
            d.set_item("os_type", &v.os_type)?;
            d.set_item("os_version_key", &v.os_version_key)?;
            Ok(d)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

pub(crate) fn quota_to_py(quota: hcims::Quota) -> (u64, u64) {
    (quota.used, quota.total)
}

pub(crate) fn images_to_py<'py>(py: Python<'py>, images: &[Value]) -> PyResult<Bound<'py, PyList>> {
    let items = images
        .iter()
        .map(|image| pythonize::pythonize(py, image).map_err(PyErr::from))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// A dict of query parameters as pairs: str, int and bool values (booleans as IMS spells them,
/// `true`/`false`); anything else is a TypeError naming the key.
pub(crate) fn query_pairs(filters: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let dict = filters
        .cast::<PyDict>()
        .map_err(|_| PyTypeError::new_err("filters must be a dict of query parameters"))?;
    let mut pairs = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let key: String = key
            .extract()
            .map_err(|_| PyTypeError::new_err("filter names must be str"))?;
        let text = if value.is_instance_of::<PyBool>() {
            if value.is_truthy()? { "true" } else { "false" }.to_owned()
        } else if value.is_instance_of::<PyString>() || value.is_instance_of::<PyInt>() {
            value.str()?.to_string()
        } else {
            return Err(PyTypeError::new_err(format!(
                "filter {key:?} must be a str, int or bool, got {}",
                value.get_type().name()?
            )));
        };
        pairs.push((key, text));
    }
    Ok(pairs)
}
