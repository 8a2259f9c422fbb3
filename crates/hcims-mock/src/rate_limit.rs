//! The gateway's throttling: requests above a rate are refused with 429 `APIGW.0308`.

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use axum::http::StatusCode;

use crate::replies::GatewayError;

/// The gateway's code when a throttling threshold is reached.
pub(crate) const THROTTLED: &str = "APIGW.0308";

/// A token bucket holding one second's worth of requests: a burst up to the limit passes, then
/// requests pass at the limit's pace.
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_second: f64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl RateLimit {
    pub fn new(per_second: f64) -> Self {
        Self {
            per_second,
            bucket: Mutex::new(Bucket {
                tokens: capacity(per_second),
                refilled_at: Instant::now(),
            }),
        }
    }

    /// Takes one request's token, or refuses as the gateway words it.
    pub fn admit(&self) -> Result<(), GatewayError> {
        if self.admit_at(Instant::now()) {
            Ok(())
        } else {
            Err(GatewayError {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: THROTTLED,
                message: format!(
                    "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:1 second",
                    self.per_second
                ),
            })
        }
    }

    fn admit_at(&self, now: Instant) -> bool {
        let mut bucket = self.bucket.lock().unwrap_or_else(PoisonError::into_inner);
        let elapsed = now.saturating_duration_since(bucket.refilled_at);
        bucket.tokens = (bucket.tokens + elapsed.as_secs_f64() * self.per_second)
            .min(capacity(self.per_second));
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// One second's worth, but at least one request, so a limit below 1/s still lets some through.
fn capacity(per_second: f64) -> f64 {
    per_second.max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_up_to_the_limit_passes_then_requests_wait_for_refill() {
        let limit = RateLimit::new(5.0);
        let start = Instant::now();
        let admitted = (0..8).filter(|_| limit.admit_at(start)).count();
        assert_eq!(admitted, 5);
        // A fifth of a second refills one request.
        assert!(limit.admit_at(start + Duration::from_millis(200)));
        assert!(!limit.admit_at(start + Duration::from_millis(200)));
        // A long pause refills no more than one second's worth.
        let later = start + Duration::from_secs(60);
        assert_eq!((0..8).filter(|_| limit.admit_at(later)).count(), 5);
    }

    #[test]
    fn limits_below_one_per_second_still_admit_one() {
        let limit = RateLimit::new(0.5);
        let start = Instant::now();
        assert!(limit.admit_at(start));
        assert!(!limit.admit_at(start + Duration::from_secs(1)));
        assert!(limit.admit_at(start + Duration::from_secs(2)));
    }

    #[test]
    fn the_refusal_is_a_flat_429_apigw_0308() {
        let limit = RateLimit::new(1.0);
        assert!(limit.admit().is_ok());
        let refusal = limit.admit().expect_err("over the limit");
        assert_eq!(refusal.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refusal.code, "APIGW.0308");
        assert!(refusal.message.contains("limit:1"), "{}", refusal.message);
    }
}
