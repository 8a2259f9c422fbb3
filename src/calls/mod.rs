//! The IMS calls of the native clients, one file per call group (as the core's `api/`): each holds the
//! `#[pymethods]` of both `PyClient` (blocking) and `PyAsyncClient` (async) for its calls.

mod account;
mod create;
mod ensure;
mod image_changes;
mod images;
mod jobs;
