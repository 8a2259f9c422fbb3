//! Many operations at once: at most `concurrency` running, one outcome per item.
//!
//! Waiting for many jobs and making many images both use it. `concurrency` worker tasks each take the
//! next item as soon as their last one ends, so no hand-over through another task stands between one
//! request's answer and the next request (a coordinator spawning a task per item cost a wake-up of each).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

type Work<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
/// The items not started yet, numbered; each item's future is made as a worker takes it.
type Queue<T> = Arc<Mutex<Box<dyn Iterator<Item = (usize, Work<T>)> + Send>>>;

/// Items not started yet, and the workers running the others. Dropping a batch aborts its workers,
/// which drops the futures they run (and cancels their HTTP requests).
pub struct Batch<T> {
    queue: Queue<T>,
    workers: JoinSet<()>,
    /// Handed to the workers when they start; the batch keeps none, so the outcomes end with them.
    sender: Option<UnboundedSender<(usize, T)>>,
    outcomes: UnboundedReceiver<(usize, T)>,
    concurrency: usize,
    len: usize,
}

impl<T: Send + 'static> Batch<T> {
    /// A batch of `work`, numbered in iteration order. `concurrency` caps the items running at once
    /// (None: all at once; 0 counts as 1). Nothing starts before the first `next_finished`, and each
    /// item's future is made only when a worker takes it, so a batch of 10,000 holds `concurrency`
    /// futures, not 10,000.
    pub fn new<I, F>(work: I, concurrency: Option<usize>) -> Self
    where
        I: IntoIterator<Item = F>,
        I::IntoIter: ExactSizeIterator + Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let work = work.into_iter();
        let len = work.len();
        let numbered = work
            .enumerate()
            .map(|(index, future)| (index, Box::pin(future) as Work<T>));
        let (sender, outcomes) = unbounded_channel();
        Batch {
            queue: Arc::new(Mutex::new(Box::new(numbered))),
            workers: JoinSet::new(),
            sender: Some(sender),
            outcomes,
            concurrency: concurrency.unwrap_or(len).max(1),
            len,
        }
    }

    /// How many items the batch was made of.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next outcome to arrive, with its item's index; None once every outcome was handed out.
    /// The first call starts the workers, on the runtime that polls it.
    pub async fn next_finished(&mut self) -> Option<(usize, T)> {
        if let Some(sender) = self.sender.take() {
            for _ in 0..self.concurrency.min(self.len) {
                self.workers
                    .spawn(work_through(self.queue.clone(), sender.clone()));
            }
        }
        if let Some(outcome) = self.outcomes.recv().await {
            return Some(outcome);
        }
        // Every worker has ended. One that panicked is a bug: carry the panic on, as a scoped thread
        // would. Only dropping the batch aborts workers (or the runtime shutting down, which ends this
        // future as well).
        while let Some(ended) = self.workers.join_next().await {
            if let Err(error) = ended {
                if error.is_panic() {
                    std::panic::resume_unwind(error.into_panic());
                }
            }
        }
        None
    }

    /// Every outcome, in the order of the items.
    pub async fn in_order(mut self) -> Vec<T> {
        let mut slots: Vec<Option<T>> = (0..self.len).map(|_| None).collect();
        while let Some((index, outcome)) = self.next_finished().await {
            slots[index] = Some(outcome);
        }
        slots.into_iter().flatten().collect()
    }
}

/// One worker: the next item, until none is left or nobody listens.
async fn work_through<T>(queue: Queue<T>, outcomes: UnboundedSender<(usize, T)>) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
        let Some((index, work)) = next else {
            return;
        };
        let outcome = work.await;
        if outcomes.send((index, outcome)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests;
