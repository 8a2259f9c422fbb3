//! A client-side rate limit: requests leave evenly spaced, so a burst stays below the gateway's limit.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;

/// Hands out send times at most `rate` per second, shared by every request of one handle. A token
/// bucket of one token: no burst, since the gateway counts requests over short windows.
#[derive(Debug)]
pub struct RequestPacer {
    interval: Duration,
    /// The earliest time the next request may leave.
    next: Mutex<Option<Instant>>,
}

impl RequestPacer {
    /// A pacer of `rate` requests per second; `rate` must be a finite number above 0.
    pub fn per_second(rate: f64) -> Result<RequestPacer, Error> {
        let interval = (rate.is_finite() && rate > 0.0)
            .then(|| Duration::try_from_secs_f64(1.0 / rate).ok())
            .flatten()
            .ok_or_else(|| {
                Error::Config(format!(
                    "max_requests_per_second must be a finite number above 0, got {rate}"
                ))
            })?;
        Ok(RequestPacer {
            interval,
            next: Mutex::new(None),
        })
    }

    /// Waits (asleep, not spinning) for this request's turn. A request cancelled while it waits
    /// keeps its turn taken: the pace only errs on the slow side.
    pub async fn wait_turn(&self) {
        let turn = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let turn = next.map_or(now, |next| next.max(now));
            *next = Some(turn + self.interval);
            turn
        };
        tokio::time::sleep_until(turn).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_finite_positive_rates() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-300] {
            assert!(RequestPacer::per_second(bad).is_err(), "{bad}");
        }
        assert!(RequestPacer::per_second(0.5).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn turns_are_evenly_spaced_from_the_first() {
        let pacer = RequestPacer::per_second(10.0).unwrap();
        let start = Instant::now();
        let mut turns = Vec::new();
        for _ in 0..5 {
            pacer.wait_turn().await;
            turns.push(start.elapsed());
        }
        let expected: Vec<Duration> = (0..5).map(|i| Duration::from_millis(100 * i)).collect();
        assert_eq!(turns, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_pacer_does_not_save_up_a_burst() {
        let pacer = RequestPacer::per_second(10.0).unwrap();
        pacer.wait_turn().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        pacer.wait_turn().await;
        pacer.wait_turn().await;
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }
}
