//! Images: looking them up (`GET /v2/cloudimages`) and reading one by its id, bound for the blocking and
//! the async native client. Images are the dicts IMS wrote; `hcims.Image` reads its fields from them.

use pyo3::prelude::*;

use hcims::api::images::GetImage;

use crate::clients::{PyAsyncClient, PyClient};
use crate::errors::Fallible;
use crate::filters::query_pairs;
use crate::interruptible::{run, run_async};
use crate::pending::{spawn, spawn_call, PendingCall};

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

    /// The image of `image_id`; a `NotFoundError` when the project has none of that id.
    fn get_image<'py>(&self, py: Python<'py>, image_id: String) -> Fallible<Bound<'py, PyAny>> {
        run(py, &self.inner, GetImage::new(image_id))
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

    fn get_image(
        &self,
        py: Python<'_>,
        image_id: String,
        deliver: Py<PyAny>,
    ) -> PyResult<PendingCall> {
        spawn_call(py, &self.inner, deliver, GetImage::new(image_id))
    }
}
