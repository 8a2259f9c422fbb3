//! `ensure_image` / `ensure_images`: exactly one image per key (the core's `ensure`), bound for the
//! blocking and the async native client. An `Ensured` goes to Python as a dict for `hcims.Ensured`.

use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use hcims::{EnsureOptions, Ensured};

use crate::clients::{PyAsyncClient, PyClient};
use crate::errors::{to_py_err, Fallible};
use crate::interruptible::run_async;
use crate::job::job_to_py;
use crate::options::{seconds, wait_options};
use crate::outputs::ToPython;
use crate::pending::{spawn, PendingCall};
use crate::spec::spec_for_client;

impl ToPython for Ensured {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = PyDict::new(py);
        d.set_item("key", &self.key)?;
        d.set_item("image_ids", &self.image_ids)?;
        d.set_item("job_id", &self.job_id)?;
        let job = match &self.job {
            Some(job) => Some(job_to_py(py, job)?),
            None => None,
        };
        d.set_item("job", job)?;
        d.set_item("adopted", self.adopted)?;
        d.set_item("images", self.images.to_python(py)?)?;
        Ok(d.into_any())
    }
}

fn ensure_options(
    wait: bool,
    adopt_within: f64,
    poll_interval: Option<f64>,
    timeout: Option<f64>,
) -> PyResult<EnsureOptions> {
    let adopt_within = seconds("adopt_within", Some(adopt_within))?.unwrap_or(Duration::ZERO);
    let wait = if wait {
        Some(wait_options(timeout, poll_interval, false)?)
    } else {
        None
    };
    Ok(EnsureOptions { adopt_within, wait })
}

/// The batch's work: each `(mode, spec)` read with its key, or the exception it raised in its place.
type Work = Vec<Result<(hcims::spec::ImageSpec, String), PyErr>>;

fn read_work(
    py: Python<'_>,
    requests: &Bound<'_, PyList>,
    keys: Vec<String>,
    client: &hcims::Client,
) -> PyResult<Work> {
    if requests.len() != keys.len() {
        return Err(PyValueError::new_err(format!(
            "give one key per spec: {} specs, {} keys",
            requests.len(),
            keys.len()
        )));
    }
    let mut work = Vec::with_capacity(keys.len());
    for (request, key) in requests.iter().zip(keys) {
        let (mode, spec): (Option<String>, Bound<'_, PyAny>) = request.extract()?;
        work.push(
            spec_for_client(py, mode.as_deref(), &spec, Some(client)).map(|spec| (spec, key)),
        );
    }
    Ok(work)
}

/// The outcomes in input order: the batch's, with the specs that could not be read in their places.
fn merge<'py>(
    py: Python<'py>,
    work_errors: Vec<Option<PyErr>>,
    outcomes: Vec<Result<Ensured, hcims::Error>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut outcomes = outcomes.into_iter();
    let mut items = Vec::with_capacity(work_errors.len());
    for error in work_errors {
        items.push(match error {
            Some(error) => error.into_value(py).into_bound(py).into_any(),
            None => match outcomes.next() {
                Some(Ok(ensured)) => ensured.to_python(py)?,
                Some(Err(error)) => to_py_err(py, error)
                    .into_value(py)
                    .into_bound(py)
                    .into_any(),
                None => py.None().into_bound(py),
            },
        });
    }
    Ok(PyList::new(py, items)?.into_any())
}

fn split(work: Work) -> (Vec<(hcims::spec::ImageSpec, String)>, Vec<Option<PyErr>>) {
    let mut good = Vec::new();
    let mut errors = Vec::new();
    for item in work {
        match item {
            Ok(pair) => {
                good.push(pair);
                errors.push(None);
            }
            Err(error) => errors.push(Some(error)),
        }
    }
    (good, errors)
}

fn concurrency_of(concurrency: i64) -> PyResult<Option<usize>> {
    match usize::try_from(concurrency) {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(PyValueError::new_err(format!(
            "concurrency must be at least 1, got {concurrency}"
        ))),
    }
}

#[pymethods]
impl PyClient {
    #[pyo3(signature = (mode, spec, key, wait=true, adopt_within=120.0, poll_interval=None, timeout=Some(3600.0)))]
    #[allow(clippy::too_many_arguments)]
    fn ensure_image<'py>(
        &self,
        py: Python<'py>,
        mode: Option<&str>,
        spec: &Bound<'py, PyAny>,
        key: String,
        wait: bool,
        adopt_within: f64,
        poll_interval: Option<f64>,
        timeout: Option<f64>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let spec = spec_for_client(py, mode, spec, Some(&self.inner))?;
        let options = ensure_options(wait, adopt_within, poll_interval, timeout)?;
        run_async(py, &self.inner, |client| async move {
            client.ensure_image(&spec, &key, &options).await
        })
    }

    #[pyo3(signature = (requests, keys, concurrency=32, wait=true, adopt_within=120.0, poll_interval=None, timeout=Some(3600.0)))]
    #[allow(clippy::too_many_arguments)]
    fn ensure_images<'py>(
        &self,
        py: Python<'py>,
        requests: &Bound<'py, PyList>,
        keys: Vec<String>,
        concurrency: i64,
        wait: bool,
        adopt_within: f64,
        poll_interval: Option<f64>,
        timeout: Option<f64>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let options = ensure_options(wait, adopt_within, poll_interval, timeout)?;
        let concurrency = concurrency_of(concurrency)?;
        let (good, errors) = split(read_work(py, requests, keys, &self.inner)?);
        let outcomes =
            crate::interruptible::blocking_call(py, &self.inner, |client| async move {
                Ok::<_, hcims::Error>(client.ensure_images(good, concurrency, &options).await)
            })??;
        Ok(merge(py, errors, outcomes)?)
    }
}

#[pymethods]
impl PyAsyncClient {
    #[pyo3(signature = (mode, spec, key, deliver, wait=true, adopt_within=120.0, poll_interval=None, timeout=Some(3600.0)))]
    #[allow(clippy::too_many_arguments)]
    fn ensure_image(
        &self,
        py: Python<'_>,
        mode: Option<&str>,
        spec: &Bound<'_, PyAny>,
        key: String,
        deliver: Py<PyAny>,
        wait: bool,
        adopt_within: f64,
        poll_interval: Option<f64>,
        timeout: Option<f64>,
    ) -> PyResult<PendingCall> {
        let spec = spec_for_client(py, mode, spec, Some(&self.inner))?;
        let options = ensure_options(wait, adopt_within, poll_interval, timeout)?;
        spawn(py, &self.inner, deliver, |client| async move {
            client.ensure_image(&spec, &key, &options).await
        })
    }

    #[pyo3(signature = (requests, keys, deliver, concurrency=32, wait=true, adopt_within=120.0, poll_interval=None, timeout=Some(3600.0)))]
    #[allow(clippy::too_many_arguments)]
    fn ensure_images(
        &self,
        py: Python<'_>,
        requests: &Bound<'_, PyList>,
        keys: Vec<String>,
        deliver: Py<PyAny>,
        concurrency: i64,
        wait: bool,
        adopt_within: f64,
        poll_interval: Option<f64>,
        timeout: Option<f64>,
    ) -> PyResult<PendingCall> {
        let options = ensure_options(wait, adopt_within, poll_interval, timeout)?;
        let concurrency = concurrency_of(concurrency)?;
        let (good, errors) = split(read_work(py, requests, keys, &self.inner)?);
        let errors = PendingErrors(errors);
        spawn(py, &self.inner, deliver, |client| async move {
            let outcomes = client.ensure_images(good, concurrency, &options).await;
            Ok::<_, hcims::Error>(Merged(errors, outcomes))
        })
    }
}

/// The read errors of an async batch, carried to the delivery.
struct PendingErrors(Vec<Option<PyErr>>);

/// An async batch's outcomes with its read errors, merged when delivered.
struct Merged(PendingErrors, Vec<Result<Ensured, hcims::Error>>);

impl ToPython for Merged {
    fn to_python<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        merge(py, self.0 .0, self.1)
    }
}
