//! `_native._sign`: the AK/SK signer exposed for tests and benchmarks against the official SDK.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Signs a request exactly as huaweicloudsdkcore's `Signer` would and returns every intermediate
/// text: `authorization`, `signed_headers`, `canonical_request`, `string_to_sign`, `request_uri` and
/// `added_headers` (a list of `(name, value)` tuples).
#[pyfunction]
#[pyo3(signature = (method, host, path, query, headers, body, ak, sk, sdk_date))]
#[allow(clippy::too_many_arguments)] // mirrors the request's parts one to one
fn _sign<'py>(
    py: Python<'py>,
    method: &str,
    host: &str,
    path: &str,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: &[u8],
    ak: &str,
    sk: &str,
    sdk_date: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let request = hcims::sign::SigningRequest {
        method,
        host,
        path,
        query: &query,
        headers: &headers,
        body,
    };
    let signed = hcims::sign::sign(&request, ak, sk, sdk_date);
    let result = PyDict::new(py);
    result.set_item("authorization", signed.authorization)?;
    result.set_item("signed_headers", signed.signed_headers)?;
    result.set_item("canonical_request", signed.canonical_request)?;
    result.set_item("string_to_sign", signed.string_to_sign)?;
    result.set_item("request_uri", signed.request_uri)?;
    result.set_item("added_headers", signed.added_headers)?;
    Ok(result)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_sign, m)?)
}
