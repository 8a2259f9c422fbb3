//! An emulator of Huawei Cloud IMS on loopback, for testing clients.
//!
//! It verifies AK/SK signatures (or IAM tokens) like the API gateway, applies IMS's request rules,
//! runs image jobs through INIT -> RUNNING -> SUCCESS | FAIL, lists the images they make, records
//! every request and serves scripted faults (answers, delays, dropped connections, truncated or
//! non-JSON bodies):
//!
//! ```no_run
//! use hcims_mock::{MockConfig, MockIms};
//!
//! let ims = MockIms::start(MockConfig::default())?;
//! println!("IMS at {}", ims.endpoint());
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Inside: `routes.rs` maps each call's method and path to its handler in `calls/` (and says how to
//! add a call); the gateway's work is in `gateway.rs` and `caller.rs`; what IMS knows of jobs and
//! images in `job_book.rs`, `job.rs`, `images.rs` and the files they name.

mod auth;
mod caller;
mod calls;
mod clock;
mod codes;
mod config;
mod faults;
mod gateway;
mod ids;
mod image_edits;
mod image_query;
mod images;
mod job;
mod job_book;
mod job_control;
mod latency;
mod pacing;
mod plans;
mod project_usage;
mod rate_limit;
mod recording;
mod replies;
mod routes;
mod rules;
mod server;
mod state;
mod tls;

pub use config::{Account, MockConfig};
pub use faults::{Fault, FaultAction, InvalidFault};
pub use job_control::JobControlError;
pub use recording::RecordedRequest;
pub use server::MockIms;
