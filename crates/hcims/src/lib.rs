//! The core of hcims: image specs and their rules, AK/SK signing, HTTP transport, errors and jobs.
//!
//! It does not depend on Python: the PyO3 layer in the workspace root only converts values.

pub mod sign;
pub mod spec;
