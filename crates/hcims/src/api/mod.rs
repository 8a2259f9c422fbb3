//! The IMS calls, one file per group: each holds its paths, its requests (as [`crate::call::Call`]s),
//! its answer types and parsers, and its `impl Client` methods.

pub mod create;
pub mod delete;
mod image_id;
pub mod images;
pub mod jobs;
pub mod os_versions;
pub mod projects;
pub mod quota;
pub mod tags;
pub mod update;
