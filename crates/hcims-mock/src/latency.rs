//! Holding answers until a precise moment, for `MockConfig::response_delay`.
//!
//! tokio's timer rounds each deadline up to its next millisecond tick and fires on the driver's next
//! wake-up: on a busy machine a 20 ms hold became 21.5 ms at the median, which a client measured against
//! a 20 ms latency would be blamed for. One thread per emulator sleeps until the earliest deadline
//! (the OS's own timers are precise to tens of microseconds) and releases the answers held until then.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use tokio::sync::oneshot;

/// Releases held answers at their deadlines; its thread ends when the `Latency` is dropped.
#[derive(Debug)]
pub(crate) struct Latency {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    holds: Mutex<Holds>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct Holds {
    /// Earliest deadline first.
    waiting: BinaryHeap<Reverse<Hold>>,
    /// When the thread wakes next by itself (None: only when told). A hold due later needs no wake-up:
    /// with one delay for every answer, deadlines come in order and the thread wakes only at them.
    wakes_at: Option<Instant>,
    /// Keeps equal deadlines apart, first come first released.
    next_id: u64,
    closed: bool,
}

#[derive(Debug)]
struct Hold {
    until: Instant,
    id: u64,
    release: oneshot::Sender<()>,
}

impl PartialEq for Hold {
    fn eq(&self, other: &Self) -> bool {
        (self.until, self.id) == (other.until, other.id)
    }
}

impl Eq for Hold {}

impl PartialOrd for Hold {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Hold {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.until, self.id).cmp(&(other.until, other.id))
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Holds> {
        self.holds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn release_in_time(&self) {
        let mut holds = self.lock();
        while !holds.closed {
            let now = Instant::now();
            while holds.waiting.peek().is_some_and(|hold| hold.0.until <= now) {
                if let Some(Reverse(hold)) = holds.waiting.pop() {
                    // The answer's connection may be gone: nobody to release then.
                    let _ = hold.release.send(());
                }
            }
            let next = holds.waiting.peek().map(|hold| hold.0.until);
            holds.wakes_at = next;
            holds = match next {
                Some(until) => {
                    self.wake
                        .wait_timeout(holds, until.saturating_duration_since(now))
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self
                    .wake
                    .wait(holds)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}

impl Latency {
    pub fn start() -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let worker = shared.clone();
        std::thread::Builder::new()
            .name("hcims-mock-latency".into())
            .spawn(move || worker.release_in_time())?;
        Ok(Latency { shared })
    }

    /// Returns at `until` (or at once if that has passed).
    pub async fn hold_until(&self, until: Instant) {
        if until <= Instant::now() {
            return;
        }
        let (release, released) = oneshot::channel();
        {
            let mut holds = self.shared.lock();
            let id = holds.next_id;
            holds.next_id += 1;
            holds.waiting.push(Reverse(Hold { until, id, release }));
            // The thread is woken only when it would otherwise sleep past this deadline.
            let sleeps_past = match holds.wakes_at {
                Some(wakes_at) => until < wakes_at,
                None => true,
            };
            if sleeps_past {
                holds.wakes_at = Some(until);
                self.shared.wake.notify_one();
            }
        }
        // The sender is only dropped unsent with the emulator: nothing left to wait for then.
        let _ = released.await;
    }
}

impl Drop for Latency {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn answers_are_released_at_their_deadlines_in_order() {
        let latency = std::sync::Arc::new(Latency::start().expect("a thread"));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for ms in [30u64, 10, 20, 10] {
            let latency = latency.clone();
            tasks.push(tokio::spawn(async move {
                latency
                    .hold_until(started + Duration::from_millis(ms))
                    .await;
                (ms, started.elapsed())
            }));
        }
        for task in tasks {
            let (ms, elapsed) = task.await.expect("no panic");
            assert!(elapsed >= Duration::from_millis(ms), "{ms} ms: {elapsed:?}");
        }
        // An earlier deadline than the one the thread sleeps towards wakes it.
        let far = tokio::spawn({
            let latency = latency.clone();
            async move {
                latency
                    .hold_until(Instant::now() + Duration::from_secs(3))
                    .await
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let near = Instant::now();
        latency.hold_until(near + Duration::from_millis(10)).await;
        assert!(
            near.elapsed() < Duration::from_millis(1500),
            "{:?}",
            near.elapsed()
        );
        far.abort();
        // A deadline in the past does not wait.
        let before = Instant::now();
        latency.hold_until(started).await;
        assert!(before.elapsed() < Duration::from_millis(5));
    }
}
