//! Scripted faults: answers the emulator gives instead of its own, before any check, N times.

use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use bytes::Bytes;

/// A scripted answer for requests that match `method` and `path`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The HTTP method to match (any case); `None` matches every method.
    pub method: Option<String>,
    /// The exact request path, or a prefix when it ends in `*` (`/v1/*`).
    pub path: String,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The answer's body, sent as it is (`Content-Type: application/json` unless `headers` set one).
    pub body: String,
    /// Extra headers of the answer; `X-Request-Id` is always added.
    pub headers: Vec<(String, String)>,
    /// How many matching requests get this answer; 0 means every one until the faults are cleared.
    pub times: u32,
    /// How long to wait before answering.
    pub delay: Duration,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            method: None,
            path: String::new(),
            status: 500,
            body: String::new(),
            headers: Vec::new(),
            times: 1,
            delay: Duration::ZERO,
        }
    }
}

/// Why a [`Fault`] cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidFault(String);

impl fmt::Display for InvalidFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid fault: {}", self.0)
    }
}

impl Error for InvalidFault {}

/// What a matched fault answers; cloned out of the table so the lock is held only for the match.
#[derive(Clone, Debug)]
pub(crate) struct FaultReply {
    pub status: StatusCode,
    pub body: Bytes,
    pub headers: HeaderMap,
    pub delay: Duration,
}

#[derive(Debug)]
enum PathMatch {
    Exact(String),
    Prefix(String),
}

impl PathMatch {
    fn matches(&self, path: &str) -> bool {
        match self {
            PathMatch::Exact(exact) => path == exact,
            PathMatch::Prefix(prefix) => path.starts_with(prefix.as_str()),
        }
    }
}

#[derive(Debug)]
struct ArmedFault {
    method: Option<Method>,
    path: PathMatch,
    /// `None` when the fault never runs out.
    remaining: Option<u32>,
    reply: FaultReply,
}

impl ArmedFault {
    fn method_matches(&self, method: &Method) -> bool {
        match &self.method {
            None => true,
            Some(wanted) => wanted == method,
        }
    }
}

/// The armed faults, checked on every request.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    /// How many faults are armed, so requests skip the lock when there are none.
    armed: AtomicUsize,
    faults: Mutex<Vec<ArmedFault>>,
}

impl FaultTable {
    /// Checks `fault` and arms it after the faults already armed.
    pub fn arm(&self, fault: Fault) -> Result<(), InvalidFault> {
        let armed = compile(fault)?;
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        faults.push(armed);
        self.armed.store(faults.len(), Ordering::Release);
        Ok(())
    }

    /// The answer of the first armed fault matching the request, used up by one.
    pub fn take(&self, method: &Method, path: &str) -> Option<FaultReply> {
        if self.armed.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let index = faults
            .iter()
            .position(|fault| fault.method_matches(method) && fault.path.matches(path))?;
        let fault = &mut faults[index];
        let reply = fault.reply.clone();
        if let Some(remaining) = fault.remaining.as_mut() {
            *remaining -= 1;
            if *remaining == 0 {
                faults.remove(index);
                self.armed.store(faults.len(), Ordering::Release);
            }
        }
        Some(reply)
    }

    pub fn clear(&self) {
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        faults.clear();
        self.armed.store(0, Ordering::Release);
    }
}

fn compile(fault: Fault) -> Result<ArmedFault, InvalidFault> {
    let status = StatusCode::from_u16(fault.status)
        .map_err(|_| InvalidFault(format!("status {} is not an HTTP status", fault.status)))?;
    let method = match fault.method {
        None => None,
        Some(name) => Some(
            Method::from_bytes(name.to_ascii_uppercase().as_bytes())
                .map_err(|_| InvalidFault(format!("{name:?} is not an HTTP method")))?,
        ),
    };
    if !fault.path.starts_with('/') {
        return Err(InvalidFault(format!(
            "path {:?} must start with '/'",
            fault.path
        )));
    }
    let path = match fault.path.strip_suffix('*') {
        Some(prefix) => PathMatch::Prefix(prefix.to_owned()),
        None => PathMatch::Exact(fault.path),
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut content_type_given = false;
    for (name, value) in &fault.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| InvalidFault(format!("{name:?} is not a header name")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            InvalidFault(format!("the value of header {name} is not a header value"))
        })?;
        if name == CONTENT_TYPE && !content_type_given {
            // The caller's Content-Type replaces the default instead of adding a second one.
            headers.remove(CONTENT_TYPE);
            content_type_given = true;
        }
        headers.append(name, value);
    }
    Ok(ArmedFault {
        method,
        path,
        remaining: (fault.times > 0).then_some(fault.times),
        reply: FaultReply {
            status,
            body: Bytes::from(fault.body),
            headers,
            delay: fault.delay,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(path: &str, times: u32) -> Fault {
        Fault {
            path: path.into(),
            status: 503,
            body: "{}".into(),
            times,
            ..Fault::default()
        }
    }

    #[test]
    fn a_fault_answers_exactly_n_times() {
        let table = FaultTable::default();
        table.arm(fault("/v2/cloudimages/action", 2)).unwrap();
        for _ in 0..2 {
            let reply = table
                .take(&Method::POST, "/v2/cloudimages/action")
                .expect("armed");
            assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        }
        assert!(table
            .take(&Method::POST, "/v2/cloudimages/action")
            .is_none());
    }

    #[test]
    fn zero_times_means_until_cleared() {
        let table = FaultTable::default();
        table.arm(fault("/a", 0)).unwrap();
        for _ in 0..10 {
            assert!(table.take(&Method::GET, "/a").is_some());
        }
        table.clear();
        assert!(table.take(&Method::GET, "/a").is_none());
    }

    #[test]
    fn exact_paths_do_not_match_longer_ones_but_prefixes_do() {
        let table = FaultTable::default();
        table.arm(fault("/v1/x", 0)).unwrap();
        assert!(table.take(&Method::GET, "/v1/x/jobs").is_none());
        table.arm(fault("/v1/*", 0)).unwrap();
        assert!(table.take(&Method::GET, "/v1/x/jobs").is_some());
        assert!(table.take(&Method::GET, "/v2/cloudimages/action").is_none());
    }

    #[test]
    fn the_method_is_matched_in_any_case() {
        let table = FaultTable::default();
        table
            .arm(Fault {
                method: Some("post".into()),
                ..fault("/a", 0)
            })
            .unwrap();
        assert!(table.take(&Method::GET, "/a").is_none());
        assert!(table.take(&Method::POST, "/a").is_some());
    }

    #[test]
    fn faults_are_served_in_the_order_they_were_armed() {
        let table = FaultTable::default();
        table
            .arm(Fault {
                status: 429,
                ..fault("/a", 1)
            })
            .unwrap();
        table
            .arm(Fault {
                status: 500,
                ..fault("/a", 1)
            })
            .unwrap();
        assert_eq!(
            table.take(&Method::GET, "/a").unwrap().status,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            table.take(&Method::GET, "/a").unwrap().status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn headers_are_kept_and_content_type_is_replaced_not_doubled() {
        let table = FaultTable::default();
        let headers = vec![
            ("Retry-After".into(), "3".into()),
            ("Content-Type".into(), "text/plain".into()),
        ];
        table
            .arm(Fault {
                headers,
                ..fault("/a", 1)
            })
            .unwrap();
        let reply = table.take(&Method::GET, "/a").unwrap();
        assert_eq!(reply.headers["retry-after"], "3");
        assert_eq!(reply.headers.get_all(CONTENT_TYPE).iter().count(), 1);
        assert_eq!(reply.headers[CONTENT_TYPE], "text/plain");
    }

    #[test]
    fn invalid_faults_are_refused_with_a_reason() {
        let table = FaultTable::default();
        let cases = [
            Fault {
                status: 1000,
                ..fault("/a", 1)
            },
            Fault {
                method: Some("NO SPACE".into()),
                ..fault("/a", 1)
            },
            fault("no-slash", 1),
            Fault {
                headers: vec![("bad name".into(), "x".into())],
                ..fault("/a", 1)
            },
            Fault {
                headers: vec![("x-ok".into(), "line\nbreak".into())],
                ..fault("/a", 1)
            },
        ];
        for case in cases {
            let error = table.arm(case.clone()).expect_err("must be refused");
            assert!(error.to_string().starts_with("invalid fault: "), "{error}");
        }
        assert!(table.take(&Method::GET, "/a").is_none());
    }
}
