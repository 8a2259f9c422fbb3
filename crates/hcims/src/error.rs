//! The one error type of the core. The PyO3 layer maps each variant to a Python exception class.

use std::fmt;
use std::time::Duration;

use crate::job::Job;
use crate::spec::ValidationErrors;

/// Everything that can go wrong between a spec and a finished job.
#[derive(Debug)]
pub enum Error {
    /// The spec breaks rules of the API; nothing was sent.
    Validation(ValidationErrors),
    /// Credentials, region or endpoint are missing or wrong.
    Config(String),
    /// IMS or its gateway answered with a status >= 400.
    Api(Box<ApiError>),
    /// The exchange did not complete.
    Transport(Box<TransportError>),
    /// The job ended in FAIL.
    JobFailed(Box<Job>),
    /// Waiting for the job ran out of time.
    JobTimeout {
        job_id: String,
        timeout: Duration,
        last_job: Option<Box<Job>>,
    },
    /// `ensure_image` found images carrying its key that it may not adopt.
    KeyConflict(Box<KeyConflict>),
}

/// Why the images carrying an `ensure_image` key cannot be adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyConflictKind {
    /// More images carry the key than the spec makes.
    Duplicates,
    /// An image carrying the key failed or was deleted (killed, deleted, error).
    Unusable,
    /// An adopted image was still being made when the wait ran out.
    NotReady,
}

/// The images of one key that `ensure_image` refuses to adopt, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyConflict {
    pub kind: KeyConflictKind,
    pub key: String,
    pub image_ids: Vec<String>,
}

impl fmt::Display for KeyConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = self.image_ids.join(", ");
        let key = &self.key;
        match self.kind {
            KeyConflictKind::Duplicates => write!(
                f,
                "more images carry the key {key:?} than the spec makes (oldest first): {ids}; delete the extra ones"
            ),
            KeyConflictKind::Unusable => write!(
                f,
                "images carrying the key {key:?} failed or were deleted: {ids}; delete them to make the image again"
            ),
            KeyConflictKind::NotReady => write!(
                f,
                "images carrying the key {key:?} were still being made when the wait ran out: {ids}"
            ),
        }
    }
}

/// An answer with a status >= 400, with what the body and headers said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// `IMG.xxxx`, `APIGW.xxxx`, ... when the body carried one.
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    /// The body as received (lossy UTF-8), for the cases the parser did not foresee.
    pub body: String,
    /// True when IMS may have acted on the request (a create answered by a 5xx).
    pub maybe_sent: bool,
    /// Seconds from a `Retry-After` header, for the retry loop.
    pub retry_after: Option<Duration>,
}

/// A request that did not get a complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    pub message: String,
    /// True when nothing reached the service, so trying again cannot duplicate anything.
    pub retryable: bool,
    /// True when the request may have reached IMS and been acted on.
    pub maybe_sent: bool,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(errors) => write!(f, "{errors}"),
            Error::Config(message) => f.write_str(message),
            Error::Api(api) => write!(f, "{api}"),
            Error::Transport(t) => f.write_str(&t.message),
            Error::JobFailed(job) => write!(
                f,
                "job {} failed {}: {}",
                job.id,
                job.error_code.as_deref().unwrap_or(""),
                job.fail_reason.as_deref().unwrap_or("no reason given")
            ),
            Error::JobTimeout {
                job_id, timeout, ..
            } => write!(
                f,
                "job {job_id} did not finish within {:.3} s",
                timeout.as_secs_f64()
            ),
            Error::KeyConflict(conflict) => write!(f, "{conflict}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ValidationErrors> for Error {
    fn from(errors: ValidationErrors) -> Self {
        Error::Validation(errors)
    }
}

#[cfg(test)]
impl ApiError {
    /// An answer's error with only a status and a code, as the retry tests need.
    pub(crate) fn of(status: u16, code: Option<&str>) -> ApiError {
        ApiError {
            status,
            code: code.map(str::to_owned),
            message: String::new(),
            request_id: None,
            body: String::new(),
            maybe_sent: false,
            retry_after: None,
        }
    }
}

impl Error {
    pub(crate) fn transport(message: impl Into<String>, retryable: bool, maybe_sent: bool) -> Self {
        Error::Transport(Box::new(TransportError {
            message: message.into(),
            retryable,
            maybe_sent,
        }))
    }

    /// A call's argument (not a spec's field) that breaks a rule: nothing was sent.
    pub(crate) fn invalid_argument(path: &str, message: String) -> Self {
        Error::Validation(ValidationErrors(vec![crate::spec::FieldError {
            path: path.to_owned(),
            message,
            ims_code: "IMG.0001",
            kind: crate::spec::RuleKind::Shape,
            page: "",
        }]))
    }
}
