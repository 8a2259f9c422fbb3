//! Why a test's control of a job (`MockIms::fail_job`) cannot act.

use std::error::Error;
use std::fmt;

/// Why a job control cannot act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobControlError {
    /// No job has this id (or it was forgotten to keep within `max_jobs`).
    UnknownJob(String),
    /// The job has already ended; its outcome can no longer change.
    Finished(String),
}

impl fmt::Display for JobControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobControlError::UnknownJob(id) => write!(f, "no job has the id {id:?}"),
            JobControlError::Finished(id) => {
                write!(f, "the job {id:?} has already ended; it can no longer fail")
            }
        }
    }
}

impl Error for JobControlError {}
