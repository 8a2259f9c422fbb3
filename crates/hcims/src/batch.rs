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
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn outcomes_come_in_input_order_whatever_finishes_first() {
        let delays = [50u64, 10, 30, 0, 20];
        let batch = Batch::new(
            delays.into_iter().map(|ms| async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                ms
            }),
            None,
        );
        assert_eq!(batch.len(), 5);
        assert_eq!(batch.in_order().await, delays);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_concurrency_run_at_once() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (shared_running, shared_most) = (running.clone(), most.clone());
        let work = (0..20).map(move |i| {
            let running = shared_running.clone();
            let most = shared_most.clone();
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                i
            }
        });
        let outcomes = Batch::new(work, Some(3)).in_order().await;
        assert_eq!(outcomes, (0..20).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn zero_concurrency_still_runs_everything_and_empty_is_empty() {
        let outcomes = Batch::new((0..3).map(|i| async move { i * 2 }), Some(0))
            .in_order()
            .await;
        assert_eq!(outcomes, [0, 2, 4]);
        let empty: Batch<u8> = Batch::new(Vec::<std::future::Ready<u8>>::new(), None);
        assert!(empty.is_empty());
        assert!(empty.in_order().await.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn futures_are_made_only_as_workers_take_them() {
        struct Alive(Arc<AtomicUsize>);
        impl Drop for Alive {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        let made = Arc::new(AtomicUsize::new(0));
        let alive = Arc::new(AtomicUsize::new(0));
        let most_alive = Arc::new(AtomicUsize::new(0));
        let work = {
            let (made, alive, most_alive) = (made.clone(), alive.clone(), most_alive.clone());
            (0..10_000u32).map(move |i| {
                made.fetch_add(1, Ordering::SeqCst);
                let now = alive.fetch_add(1, Ordering::SeqCst) + 1;
                most_alive.fetch_max(now, Ordering::SeqCst);
                let guard = Alive(alive.clone());
                async move {
                    let _guard = guard;
                    if i % 100 == 0 {
                        tokio::task::yield_now().await;
                    }
                    i
                }
            })
        };
        let batch = Batch::new(work, Some(4));
        assert_eq!(
            made.load(Ordering::SeqCst),
            0,
            "nothing is made before the batch runs"
        );
        let outcomes = batch.in_order().await;
        assert_eq!(outcomes, (0..10_000).collect::<Vec<_>>());
        assert_eq!(made.load(Ordering::SeqCst), 10_000);
        // Never more futures at once than workers: a big batch holds `concurrency` of them.
        assert!(
            most_alive.load(Ordering::SeqCst) <= 4,
            "{}",
            most_alive.load(Ordering::SeqCst)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_item_is_carried_on_after_the_others_end() {
        let finished = Arc::new(AtomicUsize::new(0));
        let work = {
            let finished = finished.clone();
            (0..6u32).map(move |i| {
                let finished = finished.clone();
                async move {
                    assert_ne!(i, 2, "item 2 breaks");
                    finished.fetch_add(1, Ordering::SeqCst);
                    i
                }
            })
        };
        let batch = Batch::new(work, Some(2));
        let outcome = tokio::spawn(batch.in_order()).await;
        assert!(outcome.is_err_and(|error| error.is_panic()));
        assert_eq!(finished.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn dropping_a_batch_drops_its_running_work() {
        struct Flag(Arc<AtomicUsize>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut batch = Batch::new(
            (0..3u32).map({
                let dropped = dropped.clone();
                move |i| {
                    let flag = Flag(dropped.clone());
                    async move {
                        let _flag = flag;
                        tokio::time::sleep(Duration::from_millis(if i == 0 { 0 } else { 60_000 }))
                            .await;
                        i
                    }
                }
            }),
            None,
        );
        assert_eq!(batch.next_finished().await, Some((0, 0)));
        drop(batch);
        for _ in 0..100 {
            if dropped.load(Ordering::SeqCst) == 3 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the running work was not dropped");
    }
}
