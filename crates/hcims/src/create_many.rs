//! Making many images at once: every spec checked first, the creates sent with bounded concurrency on
//! one task each, and one outcome per spec, in order, whatever happens to the others.

use std::sync::Arc;

use bytes::Bytes;

use crate::batch::Batch;
use crate::client::{create_body, Client};
use crate::error::Error;
use crate::spec::ImageSpec;

/// Sees each create as it ends, with its index among the creates sent and its outcome.
pub type CreateObserver = Arc<dyn Fn(usize, &Result<String, Error>) + Send + Sync>;

/// A create that passed every rule, kept as the request body it will send: a batch holds one per spec
/// until its turn comes, at a third of the size of the spec itself.
#[derive(Debug, Clone)]
pub struct CheckedCreate {
    body: Bytes,
}

impl CheckedCreate {
    /// Checks `spec` against every rule and serialises it.
    pub fn new(spec: &ImageSpec) -> Result<CheckedCreate, Error> {
        Ok(CheckedCreate {
            body: create_body(spec)?,
        })
    }
}

impl Client {
    /// Submits every spec, at most `concurrency` at a time (0 counts as 1), each with the retry rules
    /// of [`Client::create`], and returns one outcome per spec in input order: the job id, or the error
    /// of that spec alone. It never stops half-way: a spec that breaks a rule gets its
    /// `Error::Validation` and is not sent, and the others go ahead. `on_done` sees the creates sent,
    /// numbered among themselves.
    ///
    /// Dropping the returned future cancels the creates in flight; those not started are never sent.
    pub async fn create_many(
        &self,
        specs: Vec<ImageSpec>,
        concurrency: usize,
        on_done: CreateObserver,
    ) -> Vec<Result<String, Error>> {
        let mut outcomes: Vec<Option<Result<String, Error>>> = Vec::with_capacity(specs.len());
        let mut creates = Vec::with_capacity(specs.len());
        for spec in specs {
            match CheckedCreate::new(&spec) {
                Ok(create) => {
                    creates.push(create);
                    outcomes.push(None);
                }
                Err(refused) => outcomes.push(Some(Err(refused))),
            }
        }
        let sent = self.send_many(creates, concurrency, on_done).await;
        // One outcome comes back per create sent, in order: each fills the next empty place.
        let places = outcomes.iter_mut().filter(|outcome| outcome.is_none());
        for (place, outcome) in places.zip(sent) {
            *place = Some(outcome);
        }
        outcomes.into_iter().flatten().collect()
    }

    /// Sends checked creates as [`Client::create_many`] does, one outcome per create in order.
    ///
    /// A create's future is only made when its turn comes, so a batch holds `concurrency` requests in
    /// flight and a request body for each of the others, nothing more.
    pub async fn send_many(
        &self,
        creates: Vec<CheckedCreate>,
        concurrency: usize,
        on_done: CreateObserver,
    ) -> Vec<Result<String, Error>> {
        let client = self.clone();
        let sends = creates.into_iter().enumerate().map(move |(index, create)| {
            let client = client.clone();
            let on_done = on_done.clone();
            async move {
                let outcome = client.submit(create.body).await;
                on_done(index, &outcome);
                outcome
            }
        });
        Batch::new(sends, Some(concurrency)).in_order().await
    }
}
