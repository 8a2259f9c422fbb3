//! The handler of every call the emulator answers, one file per group of calls. A handler takes
//! the state and an authenticated caller (see [`crate::caller`]) and returns IMS's answer; the
//! path each is served at is in `routes.rs`, with the recipe for adding a call.

pub(crate) mod account;
pub(crate) mod iam;
pub(crate) mod image_changes;
pub(crate) mod image_tags;
pub(crate) mod images;
pub(crate) mod jobs;
