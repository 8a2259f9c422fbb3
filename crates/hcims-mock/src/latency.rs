//! Holding answers until a precise moment, for `MockConfig::response_delay`.
//!
//! tokio's timer rounds each deadline up to its next millisecond tick and fires on the driver's next
//! wake-up: on a busy machine a 20 ms hold became 21.5 ms at the median, which a client measured against
//! a 20 ms latency would be blamed for. One thread per emulator sleeps until the earliest deadline
//! (the OS's own timers are precise to tens of microseconds) and releases the answers held until then.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::Instant;

use tokio::sync::oneshot;

/// Releases held answers at their deadlines; its thread ends when the `Latency` is dropped.
#[derive(Debug)]
pub(crate) struct Latency {
    holds: Mutex<Sender<Hold>>,
}

struct Hold {
    until: Instant,
    release: oneshot::Sender<()>,
}

impl Latency {
    pub fn start() -> std::io::Result<Self> {
        let (holds, requests) = channel::<Hold>();
        std::thread::Builder::new()
            .name("hcims-mock-latency".into())
            .spawn(move || {
                // Earliest deadline first; the sequence number keeps equal deadlines apart.
                let mut waiting: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
                let mut releases = std::collections::HashMap::new();
                let mut next_id: u64 = 0;
                loop {
                    let received = match waiting.peek() {
                        Some(Reverse((until, _))) => {
                            let now = Instant::now();
                            if *until <= now {
                                Err(RecvTimeoutError::Timeout)
                            } else {
                                requests.recv_timeout(*until - now)
                            }
                        }
                        None => requests.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    };
                    match received {
                        Ok(hold) => {
                            waiting.push(Reverse((hold.until, next_id)));
                            releases.insert(next_id, hold.release);
                            next_id += 1;
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                    let now = Instant::now();
                    while let Some(Reverse((until, id))) = waiting.peek().copied() {
                        if until > now {
                            break;
                        }
                        waiting.pop();
                        if let Some(release) = releases.remove(&id) {
                            // The answer's connection may be gone: nobody to release then.
                            let _ = release.send(());
                        }
                    }
                }
            })?;
        Ok(Latency {
            holds: Mutex::new(holds),
        })
    }

    /// Returns at `until` (or at once if that has passed).
    pub async fn hold_until(&self, until: Instant) {
        if until <= Instant::now() {
            return;
        }
        let (release, released) = oneshot::channel();
        let sent = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(Hold { until, release });
        if sent.is_ok() {
            // An error means the thread is gone with the emulator: nothing left to wait for.
            let _ = released.await;
        }
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
        // A deadline in the past does not wait.
        let before = Instant::now();
        latency.hold_until(started).await;
        assert!(before.elapsed() < Duration::from_millis(5));
    }
}
