//! Waiting for jobs: how often a job is polled, and the polling loops for one job and for many.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

use crate::api::jobs::check_job_id;
use crate::batch::Batch;
use crate::client::Client;
use crate::error::Error;
use crate::job::Job;
use crate::request_log::LogLevel;
use crate::retry::{api_error_is_retryable, CallKind};

#[derive(Debug, Clone, PartialEq)]
pub struct WaitOptions {
    /// Give up (with `Error::JobTimeout`) after this long; None waits for ever. No wait outlasts it,
    /// not even by a poll still in flight.
    pub timeout: Option<Duration>,
    /// A fixed pause between polls; None backs off from `first_delay` by x1.5 up to `max_delay`.
    pub poll_interval: Option<Duration>,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// When a status answer lacks `process_percent`, read it from the progress endpoint (one more GET
    /// per poll). Worth it only when someone watches the snapshots.
    pub fill_progress: bool,
    /// Polls in a row that may fail on a transient error (throttling, 5xx, network; each after the
    /// query's own retries) before the wait gives up with that error. The job runs on regardless, so a
    /// short outage of the API should not end an hour-long wait.
    pub max_failed_polls: u32,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            timeout: Some(Duration::from_secs(3600)),
            poll_interval: None,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15),
            fill_progress: true,
            max_failed_polls: 5,
        }
    }
}

impl WaitOptions {
    /// The pause after poll number `polls` (1-based). Image jobs take minutes, so polling slows down;
    /// jitter keeps many waiting scripts from polling in step.
    pub fn delay_after(&self, polls: u32) -> Duration {
        if let Some(fixed) = self.poll_interval {
            return fixed;
        }
        let grown =
            self.first_delay.as_secs_f64() * 1.5f64.powi(polls.saturating_sub(1).min(60) as i32);
        let capped = grown.min(self.max_delay.as_secs_f64());
        let jitter = rand::rng().random_range(0.9..=1.1);
        Duration::from_secs_f64((capped * jitter).min(self.max_delay.as_secs_f64()))
    }
}

/// Sees every snapshot of every job of a batch, with the job's index in the input.
pub type BatchObserver = Arc<dyn Fn(usize, &Job) + Send + Sync>;

impl Client {
    /// Polls the job until it is SUCCESS (returned) or FAIL (`Error::JobFailed`), or the time runs out
    /// (`Error::JobTimeout`). `on_poll` sees every snapshot, the final one included.
    ///
    /// A poll that fails on a transient error (throttling, 5xx, network), the first poll included, does
    /// not end the wait unless `max_failed_polls` failed in a row: a job IMS accepted runs on through
    /// an outage of its API. A wrong endpoint, credentials or job id answer 401/403/404, which are not
    /// transient and end the wait at once. The next poll waits at least as long as `Retry-After` asked.
    pub async fn wait_for_job(
        &self,
        job_id: &str,
        options: &WaitOptions,
        mut on_poll: impl FnMut(&Job),
    ) -> Result<Job, Error> {
        check_job_id(job_id)?;
        let deadline = options.timeout.map(|t| Instant::now() + t);
        let timed_out = |last_job: Option<Job>| Error::JobTimeout {
            job_id: job_id.to_owned(),
            timeout: options.timeout.unwrap_or_default(),
            last_job: last_job.map(Box::new),
        };
        let mut progress_source = ProgressSource::new(options.fill_progress);
        let mut last_job: Option<Job> = None;
        let mut polls: u32 = 0;
        let mut failed_in_a_row: u32 = 0;
        loop {
            let poll = self.poll_job(job_id, &mut progress_source);
            let outcome = match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, poll).await {
                    Ok(outcome) => outcome,
                    Err(_elapsed) => return Err(timed_out(last_job)),
                },
                None => poll.await,
            };
            polls = polls.saturating_add(1);
            let mut delay = options.delay_after(polls);
            match outcome {
                Ok(job) => {
                    failed_in_a_row = 0;
                    on_poll(&job);
                    if job.is_done() {
                        return if job.is_ok() {
                            Ok(job)
                        } else {
                            Err(Error::JobFailed(Box::new(job)))
                        };
                    }
                    last_job = Some(job);
                }
                Err(error) => {
                    failed_in_a_row += 1;
                    let survivable =
                        failed_in_a_row <= options.max_failed_polls && is_transient(&error);
                    if !survivable {
                        return Err(error);
                    }
                    if let Some(after) = retry_after(&error) {
                        delay = delay.max(after);
                    }
                }
            }
            if let Some(deadline) = deadline {
                let now = Instant::now();
                if now >= deadline {
                    return Err(timed_out(last_job));
                }
                delay = delay.min(deadline - now);
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// Waits for every job at once, one task each, and returns the jobs in input order once all are
    /// SUCCESS. The first job to fail, time out or hit an error ends the whole wait with that error;
    /// the other waits are dropped.
    pub async fn wait_for_jobs(
        &self,
        job_ids: &[String],
        options: &WaitOptions,
        on_poll: BatchObserver,
    ) -> Result<Vec<Job>, Error> {
        let mut batch = self.job_waits(job_ids, options, on_poll);
        let mut jobs: Vec<Option<Job>> = vec![None; job_ids.len()];
        while let Some((index, outcome)) = batch.next_finished().await {
            // Dropping the batch (by returning) aborts the waits still running.
            jobs[index] = Some(outcome?);
        }
        Ok(jobs.into_iter().flatten().collect())
    }

    /// Waits for every job at once, one task each, and never stops half-way: in input order, each
    /// job's final state (FAIL included) or the error that ended its wait (timeout, API error...).
    pub async fn wait_for_jobs_settled(
        &self,
        job_ids: &[String],
        options: &WaitOptions,
        on_poll: BatchObserver,
    ) -> Vec<Result<Job, Error>> {
        self.job_waits(job_ids, options, on_poll)
            .in_order()
            .await
            .into_iter()
            .map(|outcome| match outcome {
                Err(Error::JobFailed(job)) => Ok(*job),
                other => other,
            })
            .collect()
    }

    fn job_waits(
        &self,
        job_ids: &[String],
        options: &WaitOptions,
        on_poll: BatchObserver,
    ) -> Batch<Result<Job, Error>> {
        let client = self.clone();
        let options = options.clone();
        // Owned: the batch makes each wait only when it starts.
        let job_ids: Vec<String> = job_ids.to_vec();
        let waits = job_ids.into_iter().enumerate().map(move |(index, job_id)| {
            let client = client.clone();
            let options = options.clone();
            let on_poll = on_poll.clone();
            async move {
                client
                    .wait_for_job(&job_id, &options, |job| on_poll(index, job))
                    .await
            }
        });
        Batch::new(waits, None)
    }

    /// One poll: the status, with the progress filled in from the progress endpoint when the status
    /// answer lacks it and the job is still running.
    async fn poll_job(&self, job_id: &str, progress: &mut ProgressSource) -> Result<Job, Error> {
        // Only a logging handle marks its polls: without a log nothing is reported anyway.
        let marked;
        let client = if self.logs(LogLevel::Info) {
            marked = self.polling();
            &marked
        } else {
            self
        };
        let mut job = client.get_job(job_id).await?;
        if job.progress.is_none() && !job.is_done() && progress.available {
            match client.get_job_progress(job_id).await {
                Ok(detail) => job.progress = detail.progress,
                // A gateway that does not publish the endpoint will not start to within one wait.
                Err(Error::Api(api)) if !api_error_is_retryable(&api, CallKind::Query) => {
                    progress.available = false;
                }
                // A blip: no progress this time, the status itself is good.
                Err(_) => {}
            }
        }
        Ok(job)
    }
}

/// Whether the progress endpoint is worth asking during this wait.
struct ProgressSource {
    available: bool,
}

impl ProgressSource {
    fn new(wanted: bool) -> Self {
        ProgressSource { available: wanted }
    }
}

/// Errors that say nothing about the job: asking again later may well work.
pub(crate) fn is_transient(error: &Error) -> bool {
    match error {
        Error::Api(api) => api_error_is_retryable(api, CallKind::Query),
        Error::Transport(_) => true,
        Error::Validation(_)
        | Error::Config(_)
        | Error::JobFailed(_)
        | Error::JobTimeout { .. }
        | Error::KeyConflict(_) => false,
    }
}

fn retry_after(error: &Error) -> Option<Duration> {
    match error {
        Error::Api(api) => api.retry_after,
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    #[test]
    fn backs_off_to_the_cap() {
        let w = WaitOptions::default();
        let first = w.delay_after(1).as_secs_f64();
        assert!((0.9..=1.1).contains(&first), "{first}");
        let third = w.delay_after(3).as_secs_f64();
        assert!((2.25 * 0.9..=2.25 * 1.1).contains(&third), "{third}");
        for n in [10, 50, 1000, u32::MAX] {
            assert!(w.delay_after(n) <= Duration::from_secs(15));
            assert!(w.delay_after(n) >= Duration::from_secs_f64(13.5));
        }
    }

    #[test]
    fn fixed_interval_is_fixed() {
        let w = WaitOptions {
            poll_interval: Some(Duration::from_millis(50)),
            ..Default::default()
        };
        assert_eq!(w.delay_after(1), Duration::from_millis(50));
        assert_eq!(w.delay_after(99), Duration::from_millis(50));
    }

    fn api(status: u16, code: Option<&str>, retry_after: Option<Duration>) -> Error {
        Error::Api(Box::new(ApiError {
            retry_after,
            ..ApiError::of(status, code)
        }))
    }

    #[test]
    fn throttling_server_errors_and_network_are_transient() {
        assert!(is_transient(&api(429, Some("APIGW.0308"), None)));
        assert!(is_transient(&api(503, None, None)));
        assert!(is_transient(&Error::transport("reset", false, false)));
        assert!(!is_transient(&api(401, Some("APIGW.0301"), None)));
        assert!(!is_transient(&api(404, Some("IMG.0404"), None)));
        assert!(!is_transient(&Error::Config("no region".into())));
    }

    #[test]
    fn retry_after_is_read_from_api_errors_only() {
        let after = Some(Duration::from_secs(3));
        assert_eq!(retry_after(&api(429, None, after)), after);
        assert_eq!(retry_after(&api(503, None, None)), None);
        assert_eq!(retry_after(&Error::transport("reset", false, false)), None);
    }
}
