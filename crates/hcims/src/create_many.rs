//! Making many images at once: checked creates sent with bounded concurrency, within the service's
//! limits (running jobs, requests per second), one outcome per create, in order, whatever happens to the others.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{watch, Semaphore};

use crate::api::create::CheckedCreate;
use crate::batch::Batch;
use crate::client::Client;
use crate::error::Error;
use crate::job::Job;
use crate::pacing::RequestPacer;
use crate::wait::WaitOptions;

/// IMS runs at most this many image tasks at once per tenant; beyond, a create is IMG.0060.
pub const IMS_MAX_RUNNING_JOBS: usize = 40;

/// How [`Client::send_many_limited`] keeps within the service's limits.
#[derive(Debug, Clone)]
pub struct ManyOptions {
    /// Creates in flight at once (0 counts as 1).
    pub concurrency: usize,
    /// Jobs of this batch running at once: a slot is taken when a create is sent and freed when its
    /// job ends (SUCCESS or FAIL) or the create failed. `None`: no limit, jobs are not watched.
    pub max_running_jobs: Option<usize>,
    /// Requests per second of the whole batch, creates and job polls together. `None`: no limit.
    pub max_requests_per_second: Option<f64>,
    /// Return each finished job (FAIL included) instead of its id.
    pub wait: bool,
    /// How jobs are polled, both to free slots and for `wait`.
    pub wait_options: WaitOptions,
}

impl Default for ManyOptions {
    fn default() -> Self {
        ManyOptions {
            concurrency: 32,
            max_running_jobs: Some(IMS_MAX_RUNNING_JOBS),
            max_requests_per_second: None,
            wait: false,
            wait_options: WaitOptions {
                fill_progress: false,
                ..WaitOptions::default()
            },
        }
    }
}

/// What became of a create that IMS accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Submitted {
    /// Its job id (without `wait`).
    JobId(String),
    /// Its job once ended, SUCCESS or FAIL (with `wait`), as `wait_for_jobs_settled` gives it.
    Finished(Box<Job>),
}

/// Sees each create as it ends, with its index among the creates sent and its outcome.
pub type CreateObserver = Arc<dyn Fn(usize, &Result<String, Error>) + Send + Sync>;

impl Client {
    /// Sends checked creates, each with the retry rules of [`Client::create`], within the service's
    /// limits (see [`ManyOptions`]): at most `max_running_jobs` jobs of the batch run at once, so IMS never has to
    /// refuse a create with IMG.0060 on its account, and every request (creates and polls) waits its
    /// turn under `max_requests_per_second`. One outcome per create, in order; it never stops
    /// half-way. A job whose watch ends in an error (a timeout, an API error) frees its slot: its
    /// outcome is still its id, or that error under `wait`.
    ///
    /// Only an invalid `max_requests_per_second` is an error of the whole call. Dropping the future
    /// cancels the creates and polls in flight; creates not started are never sent.
    pub async fn send_many_limited(
        &self,
        creates: Vec<CheckedCreate>,
        options: &ManyOptions,
        on_done: CreateObserver,
    ) -> Result<Vec<Result<Submitted, Error>>, Error> {
        let pacer = options
            .max_requests_per_second
            .map(RequestPacer::per_second)
            .transpose()?
            .map(Arc::new);
        let client = self.with_pacer(pacer);
        let limited = options.max_running_jobs.is_some();
        // A task holds its batch place from its create until its job ends, so the batch's
        // concurrency is the running-jobs limit; the semaphore bounds the creates in flight.
        let places = match options.max_running_jobs {
            Some(limit) => Some(limit),
            None if options.wait => None,
            None => Some(options.concurrency),
        };
        let in_flight = Arc::new(Semaphore::new(options.concurrency.max(1)));
        // Once every create has started, no create waits for a slot: watching jobs only to free
        // slots can stop.
        let not_started = Arc::new(AtomicUsize::new(creates.len()));
        let (all_started, all_started_seen) = watch::channel(creates.is_empty());
        let all_started = Arc::new(all_started);
        let wait = options.wait;
        let wait_options = options.wait_options.clone();
        let sends = creates.into_iter().enumerate().map(move |(index, create)| {
            let client = client.clone();
            let on_done = on_done.clone();
            let in_flight = in_flight.clone();
            let not_started = not_started.clone();
            let all_started = all_started.clone();
            let mut all_started_seen = all_started_seen.clone();
            let wait_options = wait_options.clone();
            async move {
                if not_started.fetch_sub(1, Ordering::SeqCst) == 1 {
                    all_started.send_replace(true);
                }
                let outcome = match in_flight.acquire().await {
                    Ok(_permit) => client.call(&create).await,
                    // Never closed: the semaphore lives as long as the batch.
                    Err(_) => Err(Error::Config("hcims: the create queue was closed".into())),
                };
                on_done(index, &outcome);
                let job_id = outcome?;
                if wait {
                    return match client.wait_for_job(&job_id, &wait_options, |_| {}).await {
                        Ok(job) => Ok(Submitted::Finished(Box::new(job))),
                        Err(Error::JobFailed(job)) => Ok(Submitted::Finished(job)),
                        Err(error) => Err(error),
                    };
                }
                if limited {
                    tokio::select! {
                        _ = client.wait_for_job(&job_id, &wait_options, |_| {}) => {}
                        _ = all_started_seen.wait_for(|started| *started) => {}
                    }
                }
                Ok(Submitted::JobId(job_id))
            }
        });
        Ok(Batch::new(sends, places).in_order().await)
    }
}
