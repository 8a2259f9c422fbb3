//! Reading a job: `GET /v1/{project_id}/jobs/{job_id}` (its status, image ids, sub-jobs) and
//! `GET /v1/cloudimages/job/{job_id}` (the one that carries `process_percent`).

use std::borrow::Cow;

use serde_json::Value;

use crate::call::{Call, Request};
use crate::client::Client;
use crate::error::Error;
use crate::job::Job;
use crate::transport::Answer;

/// The job progress endpoint (`process_percent`, `current_task`); the job id follows.
pub const JOB_PROGRESS_PATH_PREFIX: &str = "/v1/cloudimages/job/";

/// The job's current state, from its status endpoint.
pub struct GetJob<'a> {
    job_id: Cow<'a, str>,
}

impl<'a> GetJob<'a> {
    pub fn new(job_id: impl Into<Cow<'a, str>>) -> Self {
        GetJob {
            job_id: job_id.into(),
        }
    }
}

impl Call for GetJob<'_> {
    type Output = Job;

    fn check(&self) -> Result<(), Error> {
        check_job_id(&self.job_id)
    }

    fn request<'a>(&'a self, project: &'a str) -> Request<'a> {
        Request::get(format!("/v1/{project}/jobs/{}", self.job_id))
    }

    fn parse(&self, answer: &Answer) -> Result<Job, Error> {
        job_from_answer(answer, &self.job_id)
    }
}

/// The job as its progress endpoint shows it. One attempt only: progress is a nicety, not worth the
/// delays of retries.
pub struct GetJobProgress<'a>(pub GetJob<'a>);

impl Call for GetJobProgress<'_> {
    type Output = Job;

    fn check(&self) -> Result<(), Error> {
        self.0.check()
    }

    fn request<'a>(&'a self, _project: &'a str) -> Request<'a> {
        Request {
            single_attempt: true,
            ..Request::get(format!("{JOB_PROGRESS_PATH_PREFIX}{}", self.0.job_id))
        }
    }

    fn parse(&self, answer: &Answer) -> Result<Job, Error> {
        self.0.parse(answer)
    }
}

impl Client {
    /// The job's current state, from `GET /v1/{project_id}/jobs/{job_id}`.
    pub async fn get_job(&self, job_id: &str) -> Result<Job, Error> {
        self.call(&GetJob::new(job_id)).await
    }

    /// The job as `GET /v1/cloudimages/job/{job_id}` shows it: the endpoint that carries
    /// `process_percent` when the status endpoint leaves it out.
    pub async fn get_job_progress(&self, job_id: &str) -> Result<Job, Error> {
        self.call(&GetJobProgress(GetJob::new(job_id))).await
    }
}

fn job_from_answer(answer: &Answer, job_id: &str) -> Result<Job, Error> {
    let value: Value = serde_json::from_slice(&answer.body)
        .map_err(|e| Error::transport(format!("the job answer is not JSON: {e}"), true, false))?;
    Job::from_json(value, job_id).map_err(|m| Error::transport(m, true, false))
}

/// Job ids go into the URL path: refuse anything that could change the path.
pub(crate) fn check_job_id(job_id: &str) -> Result<(), Error> {
    let ok = !job_id.is_empty()
        && job_id.len() <= 128
        && job_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        let shown: String = job_id.chars().take(80).collect();
        Err(Error::invalid_argument(
            "job_id",
            format!("must be 1-128 letters, digits, '-' or '_' (a job id like 8a12fc664fb4daa3014fb4e581380005), got {shown:?}"),
        ))
    }
}
