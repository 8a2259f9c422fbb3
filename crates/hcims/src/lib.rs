//! The core of hcims: image specs and their rules, AK/SK signing, HTTP transport, errors and jobs.
//!
//! It does not depend on Python: the PyO3 layer in the workspace root only converts values.

pub mod batch;
pub mod blocking;
pub mod client;
pub mod config;
pub mod create_many;
mod direct;
pub mod error;
pub mod error_body;
pub mod job;
pub mod local;
pub mod prepare;
pub mod retry;
pub mod runtime;
pub mod secret;
pub mod sign;
pub mod spec;
pub mod wait;

pub use batch::Batch;
pub use client::{Client, ClientOptions};
pub use config::{ConfigInput, Credentials, ResolvedConfig};
pub use create_many::{CheckedCreate, CreateObserver};
pub use error::{ApiError, Error, TransportError};
pub use job::Job;
pub use prepare::PreparedRequest;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use wait::{BatchObserver, WaitOptions};
