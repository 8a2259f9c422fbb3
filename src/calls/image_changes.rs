//! Changing or removing images a job made: deleting one (`DELETE /v2/images/{id}`) or many at once,
//! changing attributes (`PATCH /v2/cloudimages/{id}`) and tags (`POST .../tags/action`), bound for the blocking and the async native client.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

use hcims::api::delete::DeleteImage;
use hcims::api::update::UpdateImage;

use crate::clients::{PyAsyncClient, PyClient};
use crate::errors::{to_py_err, Fallible};
use crate::interruptible::{blocking_call, run, run_async};
use crate::logging::logged_async;
use crate::pending::{spawn, spawn_call, spawn_delivering, PendingCall};

/// One outcome per deleted id, in order: None, or the exception instance of its failure.
fn deletions<'py>(
    py: Python<'py>,
    outcomes: Vec<Result<(), hcims::Error>>,
) -> PyResult<Bound<'py, PyList>> {
    let items = outcomes.into_iter().map(|outcome| match outcome {
        Ok(()) => py.None().into_bound(py),
        Err(error) => to_py_err(py, error)
            .into_value(py)
            .into_bound(py)
            .into_any(),
    });
    PyList::new(py, items)
}

/// The `(attribute, value)` pairs of a dict of changes, in its order; None becomes null (a remove).
fn change_pairs(changes: &Bound<'_, PyDict>) -> PyResult<Vec<(String, Value)>> {
    changes
        .iter()
        .map(|(key, value)| Ok((key.extract::<String>()?, pythonize::depythonize(&value)?)))
        .collect()
}

/// `concurrency` as the core takes it: at least one.
fn at_most(concurrency: usize) -> Option<usize> {
    Some(concurrency.max(1))
}

#[pymethods]
impl PyClient {
    /// Deletes image `image_id`; a `NotFoundError` when the project has no such image (any more).
    #[pyo3(signature = (image_id, delete_backup=false))]
    fn delete_image<'py>(
        &self,
        py: Python<'py>,
        image_id: String,
        delete_backup: bool,
    ) -> Fallible<Bound<'py, PyAny>> {
        run(py, &self.inner, DeleteImage::new(image_id, delete_backup))
    }

    /// Changes the attributes of image `image_id` (`changes`: attribute -> value, None removes); the
    /// image document IMS answers.
    fn update_image<'py>(
        &self,
        py: Python<'py>,
        image_id: String,
        changes: &Bound<'py, PyDict>,
    ) -> Fallible<Bound<'py, PyAny>> {
        let changes = change_pairs(changes)?;
        run(py, &self.inner, UpdateImage::new(image_id, &changes))
    }

    /// Adds (or updates) the tags of `add` and removes the keys of `remove` on image `image_id`.
    fn tag_image<'py>(
        &self,
        py: Python<'py>,
        image_id: String,
        add: Vec<(String, String)>,
        remove: Vec<String>,
    ) -> Fallible<Bound<'py, PyAny>> {
        run_async(py, &self.inner, |client| async move {
            client.tag_image(&image_id, &add, &remove).await
        })
    }

    /// Deletes every image of `image_ids`, at most `concurrency` at a time; one outcome per id, in order
    /// (None, or the exception instance).
    #[pyo3(signature = (image_ids, delete_backup=false, concurrency=8))]
    fn delete_images<'py>(
        &self,
        py: Python<'py>,
        image_ids: Vec<String>,
        delete_backup: bool,
        concurrency: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let outcomes = blocking_call(py, &self.inner, |client| async move {
            client
                .delete_images(image_ids, delete_backup, at_most(concurrency))
                .await
        })?;
        deletions(py, outcomes)
    }
}

#[pymethods]
impl PyAsyncClient {
    #[pyo3(signature = (image_id, deliver, delete_backup=false))]
    fn delete_image(
        &self,
        py: Python<'_>,
        image_id: String,
        deliver: Py<PyAny>,
        delete_backup: bool,
    ) -> PyResult<PendingCall> {
        spawn_call(
            py,
            &self.inner,
            deliver,
            DeleteImage::new(image_id, delete_backup),
        )
    }

    fn update_image(
        &self,
        py: Python<'_>,
        image_id: String,
        changes: &Bound<'_, PyDict>,
        deliver: Py<PyAny>,
    ) -> PyResult<PendingCall> {
        let changes = change_pairs(changes)?;
        spawn_call(
            py,
            &self.inner,
            deliver,
            UpdateImage::new(image_id, &changes),
        )
    }

    fn tag_image(
        &self,
        py: Python<'_>,
        image_id: String,
        add: Vec<(String, String)>,
        remove: Vec<String>,
        deliver: Py<PyAny>,
    ) -> PyResult<PendingCall> {
        spawn(py, &self.inner, deliver, |client| async move {
            client.tag_image(&image_id, &add, &remove).await
        })
    }

    #[pyo3(signature = (image_ids, deliver, delete_backup=false, concurrency=8))]
    fn delete_images(
        &self,
        py: Python<'_>,
        image_ids: Vec<String>,
        deliver: Py<PyAny>,
        delete_backup: bool,
        concurrency: usize,
    ) -> PyResult<PendingCall> {
        let client = logged_async(py, &self.inner)?;
        let future = async move {
            client
                .delete_images(image_ids, delete_backup, at_most(concurrency))
                .await
        };
        Ok(spawn_delivering(future, deliver, |py, outcomes| {
            Ok(deletions(py, outcomes)?.into_any())
        }))
    }
}
