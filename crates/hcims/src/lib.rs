//! The core of hcims: image specs and their rules, AK/SK signing, HTTP transport, errors and jobs.
//!
//! It does not depend on Python: the PyO3 layer in the workspace root only converts values.

pub mod batch;
pub mod blocking;
pub mod calendar;
pub mod client;
pub mod config;
pub mod create_many;
mod direct;
pub mod discovery;
pub mod error;
pub mod error_body;
pub mod images;
pub mod job;
pub mod os_versions;
pub mod pacing;
pub mod prepare;
pub mod process_local;
pub mod quota;
pub mod request_log;
pub mod retry;
pub mod runtime;
pub mod secret;
pub mod sign;
pub mod spec;
pub mod tls;
pub mod wait;

pub use batch::Batch;
pub use client::{Client, ClientOptions};
pub use config::{ConfigInput, Credentials, Project, ResolvedConfig};
pub use create_many::{CheckedCreate, CreateObserver, ManyOptions, Submitted};
pub use error::{ApiError, Error, TransportError};
pub use job::Job;
pub use os_versions::OsVersion;
pub use pacing::RequestPacer;
pub use prepare::PreparedRequest;
pub use quota::Quota;
pub use request_log::{LogLevel, RequestEvent, RequestLog};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use tls::TlsOptions;
pub use wait::{BatchObserver, WaitOptions};
