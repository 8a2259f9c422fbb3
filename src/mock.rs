//! `hcims._native.MockServer`: the IMS emulator, started and inspected from Python.

use std::collections::HashMap;
use std::io;
use std::time::Duration;

use hcims_mock::{Fault, MockConfig, MockIms, RecordedRequest};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

/// A running IMS emulator on 127.0.0.1. Use `hcims.testing.MockIms` rather than this class.
#[pyclass(module = "hcims._native", name = "MockServer", frozen)]
pub struct MockServer {
    ims: MockIms,
}

#[pymethods]
impl MockServer {
    /// The access key used when none is given.
    #[classattr]
    const EXAMPLE_AK: &'static str = MockConfig::EXAMPLE_AK;
    /// The (fake) secret key used when none is given.
    #[classattr]
    const EXAMPLE_SK: &'static str = MockConfig::EXAMPLE_SK;
    /// The project id used when none is given.
    #[classattr]
    const EXAMPLE_PROJECT_ID: &'static str = MockConfig::EXAMPLE_PROJECT_ID;
    /// How many job queries answer RUNNING when `job_polls` is not given.
    #[classattr]
    const DEFAULT_JOB_POLLS: u32 = MockConfig::DEFAULT_JOB_POLLS;

    #[new]
    #[pyo3(signature = (
        *, ak=None, sk=None, project_id=None, security_token=None, auth_token=None,
        job_polls=MockConfig::DEFAULT_JOB_POLLS, job_seconds=None, fail_pattern=None, port=0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        ak: Option<String>,
        sk: Option<String>,
        project_id: Option<String>,
        security_token: Option<String>,
        auth_token: Option<String>,
        job_polls: u32,
        job_seconds: Option<f64>,
        fail_pattern: Option<String>,
        port: u16,
    ) -> PyResult<Self> {
        let defaults = MockConfig::default();
        let config = MockConfig {
            ak: ak.unwrap_or(defaults.ak),
            sk: sk.unwrap_or(defaults.sk),
            project_id: project_id.unwrap_or(defaults.project_id),
            security_token,
            auth_token,
            job_polls,
            job_seconds,
            fail_pattern,
            port,
        };
        let ims = py
            .detach(|| MockIms::start(config))
            .map_err(|error| match error.kind() {
                io::ErrorKind::InvalidInput => PyValueError::new_err(error.to_string()),
                _ => PyErr::from(error),
            })?;
        Ok(Self { ims })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT`.
    #[getter]
    fn endpoint(&self) -> String {
        self.ims.endpoint()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.ims.address().port()
    }

    #[getter]
    fn ak(&self) -> &str {
        &self.ims.config().ak
    }

    /// The emulator's (fake) secret key, for building clients; never shown by `repr`.
    #[getter]
    fn sk(&self) -> &str {
        &self.ims.config().sk
    }

    #[getter]
    fn project_id(&self) -> &str {
        &self.ims.config().project_id
    }

    #[getter]
    fn security_token(&self) -> Option<&str> {
        self.ims.config().security_token.as_deref()
    }

    #[getter]
    fn auth_token(&self) -> Option<&str> {
        self.ims.config().auth_token.as_deref()
    }

    /// Every request received so far as dicts: method, path, query, headers (lower-case names), body.
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let requests = self.ims.requests();
        let items = requests
            .iter()
            .map(|request| request_dict(py, request))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Every job's document as a query would serve it now, as dicts.
    fn jobs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let documents = self.ims.jobs();
        let items = documents
            .iter()
            .map(|document| pythonize::pythonize(py, document).map_err(PyErr::from))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Arms a fault: requests matching `method` (any if None) and `path` (a prefix if it ends in
    /// `*`) get this answer, before authentication, `times` times (0: until `clear_faults`).
    #[pyo3(signature = (path, *, status=500, body=String::new(), method=None, headers=None, times=1, delay=0.0))]
    #[allow(clippy::too_many_arguments)]
    fn add_fault(
        &self,
        path: String,
        status: u16,
        body: String,
        method: Option<String>,
        headers: Option<HashMap<String, String>>,
        times: u32,
        delay: f64,
    ) -> PyResult<()> {
        let delay = Duration::try_from_secs_f64(delay).map_err(|_| {
            PyValueError::new_err(format!(
                "delay must be a finite number of seconds >= 0, got {delay}"
            ))
        })?;
        let fault = Fault {
            method,
            path,
            status,
            body,
            headers: headers.unwrap_or_default().into_iter().collect(),
            times,
            delay,
        };
        self.ims
            .add_fault(fault)
            .map_err(|error| PyValueError::new_err(error.to_string()))
    }

    fn clear_faults(&self) {
        self.ims.clear_faults();
    }

    fn clear_requests(&self) {
        self.ims.clear_requests();
    }

    /// Stops serving and joins the server thread; calling it again does nothing.
    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.ims.stop());
    }

    fn __repr__(&self) -> String {
        format!(
            "MockServer(endpoint={:?}, ak={:?})",
            self.ims.endpoint(),
            self.ims.config().ak
        )
    }
}

fn request_dict<'py>(py: Python<'py>, request: &RecordedRequest) -> PyResult<Bound<'py, PyDict>> {
    let headers = PyDict::new(py);
    for (name, value) in &request.headers {
        // A repeated header becomes one comma-joined value, as HTTP allows.
        let joined = match headers.get_item(name)? {
            Some(previous) => format!("{}, {value}", previous.extract::<String>()?),
            None => value.clone(),
        };
        headers.set_item(name, joined)?;
    }
    let dict = PyDict::new(py);
    dict.set_item("method", &request.method)?;
    dict.set_item("path", &request.path)?;
    dict.set_item("query", &request.query)?;
    dict.set_item("headers", headers)?;
    dict.set_item("body", PyBytes::new(py, &request.body))?;
    Ok(dict)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<MockServer>()
}
