//! The batch's promises: order kept, bounded futures, cancellation on drop, panics carried.
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
