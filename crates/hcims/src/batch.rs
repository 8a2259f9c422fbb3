//! Many operations at once: one tokio task per item, at most `concurrency` running, one outcome per item.
//!
//! Waiting for many jobs uses it now; making many images (bounded concurrency, every spec's outcome in
//! order, never stopping half-way) is meant to use it as well.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use tokio::task::JoinSet;

type Work<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Items not started yet, and the tasks of those running. Dropping a batch aborts its running tasks,
/// which drops their futures (and cancels their HTTP requests).
pub struct Batch<T> {
    waiting: VecDeque<(usize, Work<T>)>,
    running: JoinSet<(usize, T)>,
    concurrency: usize,
    len: usize,
}

impl<T: Send + 'static> Batch<T> {
    /// A batch of `work`, numbered in iteration order. `concurrency` caps the tasks running at once
    /// (None: all at once; 0 counts as 1). Nothing starts before the first `next_finished`.
    pub fn new<F>(work: impl IntoIterator<Item = F>, concurrency: Option<usize>) -> Self
    where
        F: Future<Output = T> + Send + 'static,
    {
        let waiting: VecDeque<(usize, Work<T>)> = work
            .into_iter()
            .enumerate()
            .map(|(index, future)| (index, Box::pin(future) as Work<T>))
            .collect();
        let len = waiting.len();
        Batch {
            concurrency: concurrency.unwrap_or(len).max(1),
            waiting,
            running: JoinSet::new(),
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
    /// Waiting items start as running ones finish. Spawns on the runtime that polls it.
    pub async fn next_finished(&mut self) -> Option<(usize, T)> {
        while self.running.len() < self.concurrency {
            let Some((index, work)) = self.waiting.pop_front() else {
                break;
            };
            self.running.spawn(async move { (index, work.await) });
        }
        match self.running.join_next().await? {
            Ok(outcome) => Some(outcome),
            // A task that panicked is a bug: carry the panic on, as a scoped thread would.
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            // Only aborts cancel tasks, and only dropping the batch aborts them (or the runtime
            // shutting down, which ends this future as well).
            Err(error) => panic!("hcims: a batch task was cancelled: {error}"),
        }
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
            delays.iter().map(|&ms| async move {
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
        let work = (0..20).map(|i| {
            let running = running.clone();
            let most = most.clone();
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
            (0..3u64).map(|i| {
                let flag = Flag(dropped.clone());
                async move {
                    let _flag = flag;
                    tokio::time::sleep(Duration::from_millis(if i == 0 { 0 } else { 60_000 }))
                        .await;
                    i
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
