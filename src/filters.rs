//! The filters of `find_images` from a Python dict: query parameters as `(name, text)` pairs.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};

/// `filters` as query pairs: str, int and bool values (bools as `true`/`false`).
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
