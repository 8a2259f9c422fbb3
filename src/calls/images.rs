//! Images: looking them up (`GET /v2/cloudimages`), bound for the blocking and the async native client.

use pyo3::prelude::*;

use crate::clients::{PyAsyncClient, PyClient};
use crate::errors::Fallible;
use crate::filters::query_pairs;
use crate::interruptible::run_async;
use crate::pending::{spawn, PendingCall};

#[pymethods]
impl PyClient {
    /// The images `GET /v2/cloudimages` lists for `filters` (a dict of query parameters), as dicts.
    fn find_images<'py>(
        &self,
        py: Python<'py>,
        filters: &Bound<'py, PyAny>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let filters = query_pairs(filters)?;
        run_async(py, &self.inner, |client| async move {
            client.find_images(&filters).await
        })
    }
}

#[pymethods]
impl PyAsyncClient {
    fn find_images(
        &self,
        py: Python<'_>,
        filters: &Bound<'_, PyAny>,
        deliver: Py<PyAny>,
    ) -> PyResult<PendingCall> {
        let filters = query_pairs(filters)?;
        spawn(py, &self.inner, deliver, |client| async move {
            client.find_images(&filters).await
        })
    }
}
