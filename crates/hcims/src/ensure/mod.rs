//! `ensure_image`: exactly one image for a key the caller chooses, across failures and reruns.
//!
//! The key rides on every image as a tag (key.rs). Before creating, the images carrying it are looked
//! up: found and usable -> adopted; unusable or too many -> an error naming them (never a silent pick
//! or a second image). A create that may have reached IMS (`maybe_sent`) is followed by look-ups
//! for up to `adopt_within`, and only then by one more create with the same key.

pub mod key;

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::batch::Batch;
use crate::client::Client;
use crate::error::{Error, KeyConflict, KeyConflictKind};
use crate::job::Job;
use crate::spec::ImageSpec;
use crate::wait::{is_transient, WaitOptions};
use key::KeyedSpec;

/// Statuses of an image that will never become usable.
const UNUSABLE: [&str; 4] = ["killed", "deleted", "error", "pending_delete"];
/// The first pause between look-ups after an uncertain create, doubled up to `MAX_LOOK_DELAY`.
const FIRST_LOOK_DELAY: Duration = Duration::from_millis(200);
const MAX_LOOK_DELAY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct EnsureOptions {
    /// How long to look for the image of a create that may have reached IMS before creating again.
    pub adopt_within: Duration,
    /// Wait for the job, or for an adopted image still being made; None returns at once.
    pub wait: Option<WaitOptions>,
}

/// What `ensure_image` did for one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Ensured {
    pub key: String,
    /// Every image the spec makes; empty for a new create that was not waited for.
    pub image_ids: Vec<String>,
    /// The create's job; None when nothing new was created.
    pub job_id: Option<String>,
    /// The finished job, when waited for.
    pub job: Option<Job>,
    /// True when the images already existed or an uncertain create turned out to have worked.
    pub adopted: bool,
    /// The image documents, when waited for.
    pub images: Vec<Value>,
}

impl Client {
    /// Makes sure exactly one image (one per data image) carries `key` (see the module notes).
    pub async fn ensure_image(
        &self,
        spec: &ImageSpec,
        key: &str,
        options: &EnsureOptions,
    ) -> Result<Ensured, Error> {
        let keyed = KeyedSpec::new(spec, key)?;
        if let Some(found) = self.look_for_key(&keyed).await? {
            return self.adopt(&keyed, found, options).await;
        }
        match self.create(&keyed.spec).await {
            Ok(job_id) => self.created(&keyed, job_id, options).await,
            Err(error) if maybe_sent(&error) => {
                if let Some(found) = self.look_again(&keyed, options.adopt_within).await? {
                    return self.adopt(&keyed, found, options).await;
                }
                // Still absent: a late original would show up as a duplicate on the next run.
                match self.create(&keyed.spec).await {
                    Ok(job_id) => self.created(&keyed, job_id, options).await,
                    // Uncertain again: adopt what it made, if it shows; never a third create.
                    Err(error) if maybe_sent(&error) => {
                        match self.look_again(&keyed, options.adopt_within).await? {
                            Some(found) => self.adopt(&keyed, found, options).await,
                            None => Err(error),
                        }
                    }
                    Err(error) => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// One outcome per spec, in input order, `concurrency` at a time (None: all at once).
    pub async fn ensure_images(
        &self,
        work: Vec<(ImageSpec, String)>,
        concurrency: Option<usize>,
        options: &EnsureOptions,
    ) -> Vec<Result<Ensured, Error>> {
        let client = self.clone();
        let options = options.clone();
        let ensures = work.into_iter().map(move |(spec, key)| {
            let client = client.clone();
            let options = options.clone();
            async move { client.ensure_image(&spec, &key, &options).await }
        });
        Batch::new(ensures.collect::<Vec<_>>(), concurrency)
            .in_order()
            .await
    }

    /// The images carrying the key, oldest first, if usable; an error when unusable or too many.
    async fn look_for_key(&self, keyed: &KeyedSpec) -> Result<Option<Vec<Value>>, Error> {
        let mut found = self.find_images(&keyed.filters()).await?;
        if found.is_empty() {
            return Ok(None);
        }
        found.sort_by(|a, b| {
            text(a, "created_at")
                .cmp(text(b, "created_at"))
                .then(text(a, "id").cmp(text(b, "id")))
        });
        let ids = || {
            found
                .iter()
                .map(|image| text(image, "id").to_owned())
                .collect()
        };
        let mut names: Vec<&str> = found.iter().map(|image| text(image, "name")).collect();
        names.sort_unstable();
        names.dedup();
        if found.len() > keyed.image_names.len() || names.len() < found.len() {
            return Err(conflict(keyed, KeyConflictKind::Duplicates, ids()));
        }
        if found
            .iter()
            .any(|image| UNUSABLE.contains(&text(image, "status")))
        {
            return Err(conflict(keyed, KeyConflictKind::Unusable, ids()));
        }
        Ok(Some(found))
    }

    /// Looks for the key with backoff for up to `within`; lookups that fail transiently are retried.
    async fn look_again(
        &self,
        keyed: &KeyedSpec,
        within: Duration,
    ) -> Result<Option<Vec<Value>>, Error> {
        let mut pauses = Pauses::for_up_to(within);
        loop {
            match self.look_for_key(keyed).await {
                Ok(Some(found)) => return Ok(Some(found)),
                Ok(None) => {}
                Err(error) if is_transient(&error) => {}
                Err(error) => return Err(error),
            }
            if !pauses.pause().await {
                return Ok(None);
            }
        }
    }

    async fn adopt(
        &self,
        keyed: &KeyedSpec,
        found: Vec<Value>,
        options: &EnsureOptions,
    ) -> Result<Ensured, Error> {
        let mut images = found;
        if let Some(wait) = &options.wait {
            for image in &mut images {
                if text(image, "status") != "active" {
                    *image = self
                        .wait_for_image(keyed, text(image, "id").to_owned(), wait)
                        .await?;
                }
            }
        }
        Ok(Ensured {
            key: keyed.key.clone(),
            image_ids: images
                .iter()
                .map(|image| text(image, "id").to_owned())
                .collect(),
            job_id: None,
            job: None,
            adopted: true,
            images: if options.wait.is_some() {
                images
            } else {
                Vec::new()
            },
        })
    }

    /// Polls an adopted image still queued or saving until it is active (or never will be).
    async fn wait_for_image(
        &self,
        keyed: &KeyedSpec,
        id: String,
        wait: &WaitOptions,
    ) -> Result<Value, Error> {
        let deadline = wait.timeout.map(|t| Instant::now() + t);
        let mut polls = 0;
        let mut failed_in_a_row = 0;
        loop {
            polls += 1;
            match self.get_image(&id).await {
                Ok(image) if text(&image, "status") == "active" => return Ok(image),
                Ok(image) if UNUSABLE.contains(&text(&image, "status")) => {
                    return Err(conflict(keyed, KeyConflictKind::Unusable, vec![id]));
                }
                Ok(_) => failed_in_a_row = 0,
                // As a job wait: transient failures are ridden out up to max_failed_polls in a row.
                Err(error) if is_transient(&error) && failed_in_a_row < wait.max_failed_polls => {
                    failed_in_a_row += 1;
                }
                Err(error) => return Err(error),
            }
            let mut delay = wait.delay_after(polls);
            if let Some(deadline) = deadline {
                let now = Instant::now();
                if now >= deadline {
                    return Err(conflict(keyed, KeyConflictKind::NotReady, vec![id]));
                }
                delay = delay.min(deadline - now);
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// The image of a finished job, which IMS may list a little later: a 404 or a transient
    /// failure is asked again with backoff for up to `within`.
    async fn listed_image(&self, id: &str, within: Duration) -> Result<Value, Error> {
        let mut pauses = Pauses::for_up_to(within);
        loop {
            match self.get_image(id).await {
                Ok(image) => return Ok(image),
                Err(error) => {
                    let not_yet = matches!(&error, Error::Api(api) if api.status == 404);
                    if !(not_yet || is_transient(&error)) || !pauses.pause().await {
                        return Err(error);
                    }
                }
            }
        }
    }

    async fn created(
        &self,
        keyed: &KeyedSpec,
        job_id: String,
        options: &EnsureOptions,
    ) -> Result<Ensured, Error> {
        let mut ensured = Ensured {
            key: keyed.key.clone(),
            image_ids: Vec::new(),
            job_id: Some(job_id.clone()),
            job: None,
            adopted: false,
            images: Vec::new(),
        };
        if let Some(wait) = &options.wait {
            let job = self.wait_for_job(&job_id, wait, |_| {}).await?;
            ensured.image_ids = job.image_ids.clone();
            for id in &ensured.image_ids {
                ensured
                    .images
                    .push(self.listed_image(id, options.adopt_within).await?);
            }
            ensured.job = Some(job);
        }
        Ok(ensured)
    }
}

/// The pauses between look-ups: doubling from `FIRST_LOOK_DELAY` to `MAX_LOOK_DELAY`, none past the deadline.
struct Pauses {
    deadline: Instant,
    next: Duration,
}

impl Pauses {
    fn for_up_to(within: Duration) -> Self {
        Pauses {
            deadline: Instant::now() + within,
            next: FIRST_LOOK_DELAY,
        }
    }

    /// Sleeps until the next look-up; false (at once) when the time is up.
    async fn pause(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        tokio::time::sleep(self.next.min(self.deadline - now)).await;
        self.next = (self.next * 2).min(MAX_LOOK_DELAY);
        true
    }
}

/// Whether IMS may have acted on the request that failed so.
fn maybe_sent(error: &Error) -> bool {
    match error {
        Error::Api(api) => api.maybe_sent,
        Error::Transport(transport) => transport.maybe_sent,
        _ => false,
    }
}

fn text<'a>(image: &'a Value, field: &str) -> &'a str {
    image.get(field).and_then(Value::as_str).unwrap_or("")
}

fn conflict(keyed: &KeyedSpec, kind: KeyConflictKind, image_ids: Vec<String>) -> Error {
    Error::KeyConflict(Box::new(KeyConflict {
        kind,
        key: keyed.key.clone(),
        image_ids,
    }))
}
