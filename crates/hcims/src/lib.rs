//! The core of hcims: image specs and their rules, AK/SK signing, HTTP transport, errors and jobs.
//!
//! It does not depend on Python: the PyO3 layer in the workspace root only converts values.

pub mod batch;
pub mod client;
pub mod config;
pub mod error;
pub mod error_body;
pub mod job;
pub mod prepare;
pub mod process_local;
pub mod retry;
pub mod runtime;
pub mod secret;
pub mod sign;
pub mod spec;
pub mod tls;
pub mod wait;

pub use batch::Batch;
pub use client::{Client, ClientOptions};
pub use config::{ConfigInput, Credentials, ResolvedConfig};
pub use error::{ApiError, Error, TransportError};
pub use job::Job;
pub use prepare::PreparedRequest;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use tls::TlsOptions;
pub use wait::{BatchObserver, WaitOptions};
