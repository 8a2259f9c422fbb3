//! When a failed request may be sent again, and how long to wait first.
//!
//! Queries (GET) are idempotent and retried on any transient failure. A create is retried only when IMS
//! certainly did not act on it: the connection never opened, the gateway refused it before the service
//! (APIGW.0308 throttling, APIGW.0610 no backend, APIGW.0613 IAM unavailable), or IMS's own flow control
//! (IMG.0060). After a timeout or a 5xx once the body was sent it is not retried: that could make a second image.

use std::time::Duration;

use rand::Rng;

use crate::error::{ApiError, TransportError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns them off.
    pub retries: u32,
    /// The wait before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// No wait is longer than this, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
        }
    }
}

/// Which rules apply: a create may make an image, a query cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Create,
    Query,
}

/// Gateway and IMS codes that mean "refused before anything was done".
const REFUSED_BEFORE_ACTING: [&str; 7] = [
    "APIGW.0308",
    "APIG.0308",
    "APIGW.0610",
    "APIG.0610",
    "APIGW.0613",
    "APIG.0613",
    "IMG.0060",
];

/// True when `code` says the gateway or IMS refused the request before acting on it.
pub fn refused_before_acting(code: Option<&str>) -> bool {
    code.is_some_and(|code| REFUSED_BEFORE_ACTING.contains(&code))
}

pub fn api_error_is_retryable(error: &ApiError, kind: CallKind) -> bool {
    let refused = refused_before_acting(error.code.as_deref());
    match kind {
        CallKind::Create => refused,
        CallKind::Query => refused || error.status == 429 || error.status >= 500,
    }
}

/// The error already knows: `retryable` is set from the kind of call when the error is made (a query
/// is retryable after any failure but a refused certificate; a create only when never sent).
pub fn transport_error_is_retryable(error: &TransportError, _kind: CallKind) -> bool {
    error.retryable
}

impl RetryPolicy {
    /// Whether retry number `retry` (1-based) is still allowed.
    pub fn allows(&self, retry: u32) -> bool {
        retry <= self.retries
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): exponential with full jitter, or the server's
    /// `Retry-After` when it asked for longer, never above `max_delay`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        // Half fixed, half random: spreads a crowd of clients without ever retrying at once.
        let half = ceiling / 2;
        let jitter = if half.is_zero() {
            Duration::ZERO
        } else {
            Duration::from_nanos(rand::rng().random_range(0..=half.as_nanos() as u64))
        };
        let computed = half + jitter;
        retry_after
            .map_or(computed, |after| after.max(computed))
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: Option<&str>) -> ApiError {
        ApiError {
            status,
            code: code.map(str::to_owned),
            message: String::new(),
            request_id: None,
            body: String::new(),
            maybe_sent: false,
            retry_after: None,
        }
    }

    #[test]
    fn creates_retry_only_when_refused_before_acting() {
        assert!(api_error_is_retryable(
            &api(429, Some("APIGW.0308")),
            CallKind::Create
        ));
        assert!(api_error_is_retryable(
            &api(429, Some("APIG.0308")),
            CallKind::Create
        ));
        assert!(api_error_is_retryable(
            &api(400, Some("IMG.0060")),
            CallKind::Create
        ));
        assert!(api_error_is_retryable(
            &api(503, Some("APIGW.0613")),
            CallKind::Create
        ));
        assert!(api_error_is_retryable(
            &api(502, Some("APIGW.0610")),
            CallKind::Create
        ));
        assert!(!api_error_is_retryable(&api(500, None), CallKind::Create));
        assert!(!api_error_is_retryable(
            &api(504, Some("APIGW.0201")),
            CallKind::Create
        ));
        assert!(!api_error_is_retryable(&api(429, None), CallKind::Create));
        assert!(!api_error_is_retryable(
            &api(400, Some("IMG.0009")),
            CallKind::Create
        ));
    }

    #[test]
    fn queries_retry_on_throttling_and_server_errors() {
        assert!(api_error_is_retryable(&api(500, None), CallKind::Query));
        assert!(api_error_is_retryable(&api(429, None), CallKind::Query));
        assert!(!api_error_is_retryable(
            &api(404, Some("IMG.0001")),
            CallKind::Query
        ));
        let sent = TransportError {
            message: String::new(),
            retryable: false,
            maybe_sent: true,
        };
        assert!(!transport_error_is_retryable(&sent, CallKind::Create));
        let never_sent = TransportError {
            message: String::new(),
            retryable: true,
            maybe_sent: false,
        };
        assert!(transport_error_is_retryable(&never_sent, CallKind::Create));
        assert!(refused_before_acting(Some("APIGW.0610")));
        assert!(!refused_before_acting(Some("APIGW.0201")));
        assert!(!refused_before_acting(None));
    }

    #[test]
    fn delays_grow_are_bounded_and_honour_retry_after() {
        let p = RetryPolicy {
            retries: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..100 {
            let d1 = p.delay(1, None);
            assert!(
                d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100),
                "{d1:?}"
            );
            let d3 = p.delay(3, None);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            assert!(p.delay(30, None) <= Duration::from_secs(1));
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_millis(700))),
            Duration::from_millis(700)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(60))),
            Duration::from_secs(1)
        );
    }
}
