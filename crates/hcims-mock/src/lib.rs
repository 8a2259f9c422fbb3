//! An emulator of Huawei Cloud IMS on loopback, for testing clients.
//!
//! It verifies AK/SK signatures (or IAM tokens) like the API gateway, applies IMS's request rules,
//! runs image jobs through INIT -> RUNNING -> SUCCESS | FAIL, records every request and serves
//! scripted faults:
//!
//! ```no_run
//! use hcims_mock::{MockConfig, MockIms};
//!
//! let ims = MockIms::start(MockConfig::default())?;
//! println!("IMS at {}", ims.endpoint());
//! # Ok::<(), std::io::Error>(())
//! ```

mod auth;
mod clock;
mod config;
mod faults;
mod ids;
mod jobs;
mod recording;
mod replies;
mod routes;
mod rules;
mod server;
mod state;

pub use config::MockConfig;
pub use faults::{Fault, InvalidFault};
pub use recording::RecordedRequest;
pub use server::MockIms;
