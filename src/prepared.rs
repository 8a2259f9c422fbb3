//! `hcims._native.PreparedRequest`: the dry run of a create.

use pyo3::prelude::*;

/// A create request signed and ready, with its secrets masked: `method`, `url`, `headers`, `body`,
/// `to_curl()`. Made by `Client.prepare()`; nothing was sent.
#[pyclass(module = "hcims._native", name = "PreparedRequest", frozen)]
pub struct PyPreparedRequest {
    inner: hcims::PreparedRequest,
}

impl From<hcims::PreparedRequest> for PyPreparedRequest {
    fn from(inner: hcims::PreparedRequest) -> Self {
        PyPreparedRequest { inner }
    }
}

#[pymethods]
impl PyPreparedRequest {
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }

    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }

    /// The headers as sent, with tokens and the signature masked.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.inner.headers.clone()
    }

    /// The JSON body, exactly as it would be sent.
    #[getter]
    fn body(&self) -> &str {
        &self.inner.body
    }

    /// A curl command line sending the same request (secrets masked).
    fn to_curl(&self) -> String {
        self.inner.to_curl()
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("<PreparedRequest {} {}>", self.inner.method, self.inner.url)
    }
}
