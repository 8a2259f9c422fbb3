//! The log of every request the emulator received, rejected ones included.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;

/// One request as it arrived.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The raw query string without `?`, empty when there was none.
    pub query: String,
    /// Header names in lower case, in arrival order; repeated headers appear once per value.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// Headers whose values are credentials: hidden from `Debug`.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-auth-token", "x-security-token"];

impl RecordedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::from_slice(&self.body)
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                    "***"
                } else {
                    value.as_str()
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// The request log: off, or the latest `max` requests (older ones are dropped first).
#[derive(Debug)]
pub(crate) struct Recorder {
    enabled: bool,
    max: usize,
    requests: Mutex<VecDeque<RecordedRequest>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new(true, usize::MAX)
    }
}

impl Recorder {
    pub fn new(enabled: bool, max: usize) -> Self {
        Self {
            enabled: enabled && max > 0,
            max,
            requests: Mutex::new(VecDeque::new()),
        }
    }

    /// Whether requests are kept at all, so callers can skip building the record.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn record(&self, request: RecordedRequest) {
        if !self.enabled {
            return;
        }
        let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        if requests.len() >= self.max {
            requests.pop_front();
        }
        requests.push_back(request);
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/v2/cloudimages/action".into(),
            query: String::new(),
            headers: vec![
                (
                    "authorization".into(),
                    "SDK-HMAC-SHA256 Access=AK, Signature=abc".into(),
                ),
                ("x-auth-token".into(), "iam-token-value".into()),
                ("x-security-token".into(), "sts-token-value".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: Bytes::from_static(br#"{"name": "x"}"#),
        }
    }

    #[test]
    fn debug_hides_credential_headers() {
        let text = format!("{:?}", request());
        for secret in ["Signature=abc", "iam-token-value", "sts-token-value"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("application/json"));
    }

    #[test]
    fn headers_are_found_in_any_case_and_bodies_parse() {
        let request = request();
        assert_eq!(request.header("Content-Type"), Some("application/json"));
        assert_eq!(request.header("x-missing"), None);
        assert_eq!(request.json().unwrap()["name"], "x");
    }

    #[test]
    fn the_recorder_keeps_order_and_clears() {
        let recorder = Recorder::default();
        recorder.record(request());
        recorder.record(RecordedRequest {
            method: "GET".into(),
            ..request()
        });
        let methods: Vec<String> = recorder.snapshot().into_iter().map(|r| r.method).collect();
        assert_eq!(methods, ["POST", "GET"]);
        recorder.clear();
        assert!(recorder.snapshot().is_empty());
    }

    #[test]
    fn only_the_latest_requests_are_kept() {
        let recorder = Recorder::new(true, 2);
        for method in ["GET", "POST", "PUT"] {
            recorder.record(RecordedRequest {
                method: method.into(),
                ..request()
            });
        }
        let methods: Vec<String> = recorder.snapshot().into_iter().map(|r| r.method).collect();
        assert_eq!(methods, ["POST", "PUT"]);
    }

    #[test]
    fn a_disabled_recorder_keeps_nothing() {
        for recorder in [Recorder::new(false, 10), Recorder::new(true, 0)] {
            assert!(!recorder.enabled());
            recorder.record(request());
            assert!(recorder.snapshot().is_empty());
        }
    }
}
