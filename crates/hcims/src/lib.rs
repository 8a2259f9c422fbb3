//! The core of hcims: image specs and their rules, AK/SK signing, HTTP transport, errors and jobs.
//!
//! A call travels: `api/*` (what it sends and reads) -> `call` (sign, send, retry by `retry::decide`,
//! log) -> `transport` (socket or pooled) and back. `client` holds the shared state and handles.
//!
//! It does not depend on Python: the PyO3 layer in the workspace root only converts values.

pub mod api;
pub mod batch;
pub mod calendar;
pub mod call;
pub mod client;
pub mod config;
pub mod create_many;
pub mod ensure;
pub mod error;
pub mod error_body;
pub mod job;
pub mod pacing;
pub mod prepare;
pub mod process_local;
pub mod request_log;
pub mod retry;
pub mod runtime;
pub mod secret;
pub mod sign;
pub mod spec;
pub mod tls;
pub mod transport;
pub mod wait;

pub use api::create::CheckedCreate;
pub use api::jobs::{GetJob, GetJobProgress};
pub use api::os_versions::OsVersion;
pub use api::quota::Quota;
pub use batch::Batch;
pub use call::{Call, Get, Request};
pub use client::{Client, ClientOptions};
pub use config::{ConfigInput, Credentials, Project, ResolvedConfig};
pub use create_many::{CreateObserver, ManyOptions, Submitted};
pub use ensure::{EnsureOptions, Ensured};
pub use error::{ApiError, Error, KeyConflict, KeyConflictKind, TransportError};
pub use job::Job;
pub use pacing::RequestPacer;
pub use prepare::PreparedRequest;
pub use request_log::{LogLevel, RequestEvent, RequestLog};
pub use retry::{CallKind, RetryPolicy};
pub use secret::Secret;
pub use tls::TlsOptions;
pub use transport::Answer;
pub use wait::{BatchObserver, WaitOptions};
