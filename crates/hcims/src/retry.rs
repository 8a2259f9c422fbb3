//! When a failed request may be sent again, and how long to wait first.
//!
//! Queries (GET) are idempotent and retried on any transient failure. A create is retried only when IMS
//! certainly did not act on it: the connection never opened, the gateway refused it before the service
//! (APIGW.0308 throttling, APIGW.0610 no backend, APIGW.0613 IAM unavailable), or IMS's own flow control
//! (IMG.0060). After a timeout or a 5xx once the body was sent it is not retried: that could make a second image.
//!
//! [`decide`] is the one place these rules meet an attempt; the blocking and the async loops of `crate::call`
//! both ask it, and its table test walks DESIGN section 7 row by row.

use std::time::Duration;

use rand::Rng;

use crate::error::{ApiError, Error, TransportError};
use crate::error_body::api_error_from;
use crate::transport::Answer;

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

pub use crate::error_body::refused_before_acting;

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

/// What comes of one attempt: the answer, a retry, or the end of the call.
pub(crate) enum Verdict {
    /// An answer below 400: the call's outcome.
    Answered(Answer),
    /// Send again after `after`; `error` is what this attempt ended in (for the log).
    Retry { after: Duration, error: Error },
    /// The call ends in this error; its `maybe_sent` says whether IMS may have acted on it.
    Stop(Error),
}

/// The one retry decision of both the blocking and the async calls (DESIGN section 7): what `attempt`
/// brought, for a call of `kind` under `policy`, after `retries` retries so far.
pub(crate) fn decide(
    attempt: Result<Answer, TransportError>,
    kind: CallKind,
    policy: &RetryPolicy,
    retries: u32,
) -> Verdict {
    let next = retries + 1;
    match attempt {
        Ok(answer) if answer.status < 400 => Verdict::Answered(answer),
        Ok(answer) => {
            let api = api_error_from(&answer, kind == CallKind::Create);
            if policy.allows(next) && api_error_is_retryable(&api, kind) {
                let after = policy.delay(next, api.retry_after);
                Verdict::Retry {
                    after,
                    error: Error::Api(Box::new(api)),
                }
            } else {
                Verdict::Stop(Error::Api(Box::new(api)))
            }
        }
        Err(transport) => {
            let retry = policy.allows(next) && transport_error_is_retryable(&transport, kind);
            let error = Error::Transport(Box::new(transport));
            if retry {
                Verdict::Retry {
                    after: policy.delay(next, None),
                    error,
                }
            } else {
                Verdict::Stop(error)
            }
        }
    }
}

/// Why an attempt is retried, as the log says it.
pub(crate) fn retry_reason(error: &Error) -> String {
    match error {
        Error::Api(api) => format!("HTTP {} {}", api.status, api.code.as_deref().unwrap_or("")),
        Error::Transport(transport) => transport.message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: Option<&str>) -> ApiError {
        ApiError::of(status, code)
    }

    /// What an attempt brought, in the table below.
    #[derive(Clone, Copy)]
    enum Got {
        Status(u16, Option<&'static str>),
        /// The connection never opened.
        Unsent,
        /// A timeout or a drop once the request went out.
        Sent,
    }

    /// What the table expects of it.
    #[derive(Debug, PartialEq)]
    enum Then {
        Answer,
        Retry,
        /// The call ends; its error's `maybe_sent` as given.
        Stop(bool),
    }

    fn attempt(got: Got, kind: CallKind) -> Result<Answer, TransportError> {
        let create = kind == CallKind::Create;
        match got {
            Got::Status(status, code) => {
                let body = code.map_or_else(String::new, |code| {
                    format!(r#"{{"error_code":"{code}","error_msg":"m"}}"#)
                });
                Ok(Answer {
                    status,
                    headers: reqwest::header::HeaderMap::new(),
                    body: body.into(),
                })
            }
            Got::Unsent => Err(crate::transport::never_sent("refused")),
            Got::Sent => Err(crate::transport::after_sending("timed out", "x", create)),
        }
    }

    fn then(verdict: Verdict) -> Then {
        match verdict {
            Verdict::Answered(_) => Then::Answer,
            Verdict::Retry { .. } => Then::Retry,
            Verdict::Stop(Error::Api(api)) => Then::Stop(api.maybe_sent),
            Verdict::Stop(Error::Transport(t)) => Then::Stop(t.maybe_sent),
            Verdict::Stop(other) => panic!("not an error of an attempt: {other:?}"),
        }
    }

    /// DESIGN section 7, row by row: queries retry on any transient failure; a create only when IMS
    /// certainly did not act, and otherwise stops with `maybe_sent` when it may have.
    #[test]
    fn the_rules_of_section_7() {
        use CallKind::{Create, Query};
        let table: &[(CallKind, Got, Then)] = &[
            (Query, Got::Status(200, None), Then::Answer),
            (Query, Got::Unsent, Then::Retry),
            (Query, Got::Sent, Then::Retry),
            (Query, Got::Status(429, None), Then::Retry),
            (Query, Got::Status(500, None), Then::Retry),
            (Query, Got::Status(503, None), Then::Retry),
            (Query, Got::Status(404, Some("IMG.0001")), Then::Stop(false)),
            (
                Query,
                Got::Status(401, Some("APIGW.0301")),
                Then::Stop(false),
            ),
            (Create, Got::Status(202, None), Then::Answer),
            (Create, Got::Unsent, Then::Retry),
            (Create, Got::Sent, Then::Stop(true)),
            (Create, Got::Status(429, Some("APIGW.0308")), Then::Retry),
            (Create, Got::Status(429, Some("APIG.0308")), Then::Retry),
            (Create, Got::Status(400, Some("IMG.0060")), Then::Retry),
            (Create, Got::Status(503, Some("APIGW.0613")), Then::Retry),
            (Create, Got::Status(502, Some("APIGW.0610")), Then::Retry),
            (Create, Got::Status(500, None), Then::Stop(true)),
            (
                Create,
                Got::Status(504, Some("APIGW.0201")),
                Then::Stop(true),
            ),
            (Create, Got::Status(429, None), Then::Stop(false)),
            (
                Create,
                Got::Status(400, Some("IMG.0009")),
                Then::Stop(false),
            ),
        ];
        let policy = RetryPolicy {
            retries: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        };
        for &(kind, got, ref expected) in table {
            let verdict = decide(attempt(got, kind), kind, &policy, 0);
            assert_eq!(&then(verdict), expected, "{kind:?} {:?}", expected);
            // Once the retries are spent, what would be retried stops, never sent twice more.
            let spent = then(decide(attempt(got, kind), kind, &policy, 2));
            if *expected == Then::Retry {
                assert!(matches!(spent, Then::Stop(_)), "{kind:?} spent: {spent:?}");
            } else {
                assert_eq!(&spent, expected);
            }
        }
    }

    #[test]
    fn the_predicates_under_the_decision() {
        assert!(api_error_is_retryable(
            &api(429, Some("APIGW.0308")),
            CallKind::Create
        ));
        assert!(!api_error_is_retryable(&api(500, None), CallKind::Create));
        assert!(api_error_is_retryable(&api(500, None), CallKind::Query));
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
        assert!(refused_before_acting(Some("APIGW.0610")));
        assert!(!refused_before_acting(Some("APIGW.0201")));
        assert!(!refused_before_acting(None));
    }

    #[test]
    fn a_retry_waits_for_retry_after() {
        let policy = RetryPolicy {
            retries: 1,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_secs(5),
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "0.7".parse().unwrap());
        let throttled = Answer {
            status: 429,
            headers,
            body: bytes::Bytes::new(),
        };
        match decide(Ok(throttled), CallKind::Query, &policy, 0) {
            Verdict::Retry { after, error } => {
                assert_eq!(after, Duration::from_millis(700));
                assert_eq!(retry_reason(&error), "HTTP 429 ");
            }
            _ => panic!("a throttled query is retried"),
        }
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
