//! Making many images at once: every spec checked first, the creates sent with bounded concurrency on
//! one task each, and one outcome per spec, in order, whatever happens to the others.

use std::sync::Arc;

use crate::batch::Batch;
use crate::client::{create_body, Client};
use crate::error::Error;
use crate::spec::ImageSpec;

/// Sees each create as it ends, with its spec's index in the input and its outcome.
pub type CreateObserver = Arc<dyn Fn(usize, &Result<String, Error>) + Send + Sync>;

impl Client {
    /// Submits every spec, at most `concurrency` at a time (0 counts as 1), each with the retry rules
    /// of [`Client::create`], and returns one outcome per spec in input order: the job id, or the error
    /// of that spec alone. It never stops half-way: a spec that breaks a rule gets its
    /// `Error::Validation` and is not sent, and the others go ahead.
    ///
    /// Each spec is turned into its request body at once and dropped, and a create's future is only
    /// made when its turn comes, so a batch holds `concurrency` requests in flight, not all of them.
    /// Dropping the returned future cancels the creates in flight; those not started are never sent.
    pub async fn create_many(
        &self,
        specs: Vec<ImageSpec>,
        concurrency: usize,
        on_done: CreateObserver,
    ) -> Vec<Result<String, Error>> {
        let bodies: Vec<_> = specs.iter().map(create_body).collect();
        drop(specs);
        let client = self.clone();
        let creates = bodies.into_iter().enumerate().map(move |(index, body)| {
            let client = client.clone();
            let on_done = on_done.clone();
            async move {
                let outcome = match body {
                    Ok(body) => client.submit(body).await,
                    Err(broken) => Err(broken),
                };
                on_done(index, &outcome);
                outcome
            }
        });
        Batch::new(creates, Some(concurrency)).in_order().await
    }
}
