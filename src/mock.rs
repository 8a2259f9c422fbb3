//! `hcims._native.MockServer`: the IMS emulator, started and inspected from Python.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::time::Duration;

use hcims_mock::{
    Account, Fault, FaultAction, JobControlError, MockConfig, MockIms, RecordedRequest,
};
use pyo3::exceptions::{PyKeyError, PyValueError};
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
    /// How many requests are kept when `max_recorded_requests` is not given.
    #[classattr]
    const DEFAULT_MAX_RECORDED_REQUESTS: usize = MockConfig::DEFAULT_MAX_RECORDED_REQUESTS;
    /// How many jobs are kept when `max_jobs` is not given.
    #[classattr]
    const DEFAULT_MAX_JOBS: usize = MockConfig::DEFAULT_MAX_JOBS;

    #[new]
    #[pyo3(signature = (
        *, ak=None, sk=None, project_id=None, security_token=None, auth_token=None,
        accounts=Vec::new(), tokens=BTreeMap::new(), init_polls=0,
        job_polls=MockConfig::DEFAULT_JOB_POLLS, job_seconds=None, fail_pattern=None,
        fail_rate=0.0, seed=None, unique_names=false, image_quota=None, instances=None,
        rate_limit_per_second=None, record_requests=true,
        max_recorded_requests=MockConfig::DEFAULT_MAX_RECORDED_REQUESTS,
        max_jobs=Some(MockConfig::DEFAULT_MAX_JOBS), port=0, clock_offset=0.0, tls_cert=None,
        tls_key=None, region=MockConfig::DEFAULT_REGION.to_owned(),
        os_versions=None, response_delay=0.0, max_running_jobs=None, listing_delay=0.0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        ak: Option<String>,
        sk: Option<String>,
        project_id: Option<String>,
        security_token: Option<String>,
        auth_token: Option<String>,
        accounts: Vec<AccountTuple>,
        tokens: BTreeMap<String, String>,
        init_polls: u32,
        job_polls: u32,
        job_seconds: Option<f64>,
        fail_pattern: Option<String>,
        fail_rate: f64,
        seed: Option<u64>,
        unique_names: bool,
        image_quota: Option<u32>,
        instances: Option<Vec<String>>,
        rate_limit_per_second: Option<f64>,
        record_requests: bool,
        max_recorded_requests: usize,
        max_jobs: Option<usize>,
        port: u16,
        clock_offset: f64,
        tls_cert: Option<String>,
        tls_key: Option<String>,
        region: String,
        os_versions: Option<Vec<String>>,
        response_delay: f64,
        max_running_jobs: Option<usize>,
        listing_delay: f64,
    ) -> PyResult<Self> {
        let listing_delay = Duration::try_from_secs_f64(listing_delay).map_err(|_| {
            PyValueError::new_err(format!(
                "listing_delay must be a finite number of seconds, at least 0; got {listing_delay}"
            ))
        })?;
        let response_delay = Duration::try_from_secs_f64(response_delay).map_err(|_| {
            PyValueError::new_err(format!(
                "response_delay must be a finite number of seconds, at least 0; got {response_delay}"
            ))
        })?;
        let tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => {
                return Err(PyValueError::new_err(
                    "give tls_cert and tls_key together (both PEM text)",
                ))
            }
        };
        let defaults = MockConfig::default();
        let accounts = accounts
            .into_iter()
            .map(|(ak, sk, project_ids, security_token)| Account {
                ak,
                sk,
                security_token,
                project_ids,
            })
            .collect();
        let config = MockConfig {
            ak: ak.unwrap_or(defaults.ak),
            sk: sk.unwrap_or(defaults.sk),
            project_id: project_id.unwrap_or(defaults.project_id),
            security_token,
            auth_token,
            accounts,
            tokens,
            init_polls,
            job_polls,
            job_seconds,
            listing_delay,
            fail_pattern,
            fail_rate,
            seed,
            unique_names,
            image_quota,
            instances,
            rate_limit_per_second,
            record_requests,
            max_recorded_requests,
            max_jobs,
            max_running_jobs,
            port,
            clock_offset,
            tls,
            region,
            os_versions,
            response_delay,
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

    /// The most jobs one project had running (INIT or RUNNING) at once; counted only when
    /// `max_running_jobs` is set, else 0.
    #[getter]
    fn peak_running_jobs(&self) -> usize {
        self.ims.peak_running_jobs()
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

    /// Every job's document as a query would serve it now, as dicts, oldest first: of one
    /// project, or of all.
    #[pyo3(signature = (project_id=None))]
    fn jobs<'py>(&self, py: Python<'py>, project_id: Option<&str>) -> PyResult<Bound<'py, PyList>> {
        values_to_list(py, &self.ims.jobs(project_id))
    }

    /// Every image as `GET /v2/cloudimages` would show it now, as dicts, oldest first: of one
    /// project, or of all.
    #[pyo3(signature = (project_id=None))]
    fn images<'py>(
        &self,
        py: Python<'py>,
        project_id: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        values_to_list(py, &self.ims.images(project_id))
    }

    /// Makes a job end in FAIL: KeyError for an unknown job, ValueError for one that has ended.
    fn fail_job(&self, job_id: &str) -> PyResult<()> {
        self.ims.fail_job(job_id).map_err(|error| match error {
            JobControlError::UnknownJob(_) => PyKeyError::new_err(error.to_string()),
            JobControlError::Finished(_) => PyValueError::new_err(error.to_string()),
        })
    }

    /// Every project some key or token can act in, the first account's first.
    #[getter]
    fn project_ids(&self) -> Vec<String> {
        self.ims.project_ids()
    }

    /// Arms a fault: requests matching `method` (any if None) and `path` (a prefix if it ends in
    /// `*`) get this answer (or `action`), before authentication, `times` times (0: until
    /// `clear_faults`). With `after_acting`, IMS acts on the request before the fault answers;
    /// with `chance` < 1 the fault takes only that share of its requests (drawn with `seed`).
    #[pyo3(signature = (
        path, *, action="answer", status=500, body=String::new(), method=None, headers=None,
        times=1, delay=0.0, after_acting=false, chance=1.0, seed=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn add_fault(
        &self,
        path: String,
        action: &str,
        status: u16,
        body: String,
        method: Option<String>,
        headers: Option<HashMap<String, String>>,
        times: u32,
        delay: f64,
        after_acting: bool,
        chance: f64,
        seed: Option<u64>,
    ) -> PyResult<()> {
        let delay = Duration::try_from_secs_f64(delay).map_err(|_| {
            PyValueError::new_err(format!(
                "delay must be a finite number of seconds >= 0, got {delay}"
            ))
        })?;
        let action = FaultAction::from_name(action)
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        let fault = Fault {
            method,
            path,
            action,
            status,
            body,
            headers: headers.unwrap_or_default().into_iter().collect(),
            times,
            delay,
            after_acting,
            chance,
            seed,
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

/// `(ak, sk, project_ids, security_token)` of one more account, as `hcims.testing` passes it.
type AccountTuple = (String, String, Vec<String>, Option<String>);

fn values_to_list<'py>(
    py: Python<'py>,
    values: &[serde_json::Value],
) -> PyResult<Bound<'py, PyList>> {
    let items = values
        .iter()
        .map(|value| pythonize::pythonize(py, value).map_err(PyErr::from))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
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
