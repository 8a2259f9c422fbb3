//! Core jobs as `hcims.job.Job` objects.

use pyo3::prelude::*;
use pyo3::types::PyDict;

pub fn job_to_py<'py>(py: Python<'py>, job: &hcims::Job) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("id", &job.id)?;
    kwargs.set_item("status", &job.status)?;
    kwargs.set_item("job_type", &job.job_type)?;
    kwargs.set_item("image_id", &job.image_id)?;
    kwargs.set_item("image_ids", &job.image_ids)?;
    kwargs.set_item("progress", job.progress)?;
    kwargs.set_item("error_code", &job.error_code)?;
    kwargs.set_item("fail_reason", &job.fail_reason)?;
    kwargs.set_item("begin_time", &job.begin_time)?;
    kwargs.set_item("end_time", &job.end_time)?;
    kwargs.set_item("raw", pythonize::pythonize(py, &job.raw)?)?;
    py.import("hcims.job")?
        .getattr("Job")?
        .call((), Some(&kwargs))
}
