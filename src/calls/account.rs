//! The account's region and project: its live OS list and its private-image quota (and, for the async
//! client, the project id), bound for the blocking and the async native client.

use pyo3::prelude::*;

use hcims::api::quota::get_quota;

use crate::clients::{PyAsyncClient, PyClient};
use crate::errors::Fallible;
use crate::interruptible::{run, run_async};
use crate::pending::{spawn, spawn_call, PendingCall};

#[pymethods]
impl PyClient {
    /// The region's live OS list, as dicts; cached per client and tag.
    #[pyo3(signature = (tag=None))]
    fn os_versions<'py>(
        &self,
        py: Python<'py>,
        tag: Option<String>,
    ) -> Fallible<Bound<'py, PyAny>> {
        run_async(py, &self.inner, |client| async move {
            client.os_versions(tag.as_deref()).await
        })
    }

    /// `(used, total)` private images of the project.
    fn quota<'py>(&self, py: Python<'py>) -> Fallible<Bound<'py, PyAny>> {
        run(py, &self.inner, get_quota())
    }
}

#[pymethods]
impl PyAsyncClient {
    /// Delivers the project id, asking IAM the first time when it was not given.
    fn project_id(&self, py: Python<'_>, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        spawn(py, &self.inner, deliver, |client| async move {
            client.project_id().await.map(str::to_owned)
        })
    }

    #[pyo3(signature = (deliver, tag=None))]
    fn os_versions(
        &self,
        py: Python<'_>,
        deliver: Py<PyAny>,
        tag: Option<String>,
    ) -> PyResult<PendingCall> {
        spawn(py, &self.inner, deliver, |client| async move {
            client.os_versions(tag.as_deref()).await
        })
    }

    fn quota(&self, py: Python<'_>, deliver: Py<PyAny>) -> PyResult<PendingCall> {
        spawn_call(py, &self.inner, deliver, get_quota())
    }
}
