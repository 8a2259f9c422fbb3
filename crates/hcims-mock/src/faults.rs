//! Scripted faults: answers the emulator gives instead of its own, before any check, N times.

use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use futures::{stream, StreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What a fault does with a matching request instead of answering it as IMS would.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FaultAction {
    /// Answers with the fault's status, body and headers.
    #[default]
    Answer,
    /// Closes the connection without reading the request body or answering.
    DropBeforeBody,
    /// Reads the whole request, then closes the connection without answering.
    DropAfterBody,
    /// Sends the status and headers with a `Content-Length` for the whole body, then the first half
    /// of the body, then closes the connection.
    Truncate,
    /// Answers with a body that is not JSON: an HTML error page unless the fault gives a body,
    /// as `text/html` unless the fault gives a `Content-Type`.
    NotJson,
}

impl FaultAction {
    /// The names used from Python and in messages.
    pub const NAMES: [(&'static str, FaultAction); 5] = [
        ("answer", FaultAction::Answer),
        ("drop_before_body", FaultAction::DropBeforeBody),
        ("drop_after_body", FaultAction::DropAfterBody),
        ("truncate", FaultAction::Truncate),
        ("not_json", FaultAction::NotJson),
    ];

    /// The action called `name` (one of [`FaultAction::NAMES`]).
    pub fn from_name(name: &str) -> Result<Self, InvalidFault> {
        Self::NAMES
            .iter()
            .find(|(candidate, _)| *candidate == name)
            .map(|(_, action)| *action)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::NAMES.iter().map(|(name, _)| *name).collect();
                InvalidFault(format!(
                    "action {name:?} is not one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// A scripted answer for requests that match `method` and `path`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The HTTP method to match (any case); `None` matches every method.
    pub method: Option<String>,
    /// The exact request path, or a prefix when it ends in `*` (`/v1/*`).
    pub path: String,
    /// What to do instead of answering as IMS.
    pub action: FaultAction,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The answer's body, sent as it is (`Content-Type: application/json` unless `headers` set one).
    pub body: String,
    /// Extra headers of the answer; `X-Request-Id` is always added.
    pub headers: Vec<(String, String)>,
    /// How many matching requests get this answer; 0 means every one until the faults are cleared.
    pub times: u32,
    /// How long to wait before answering (or dropping the connection).
    pub delay: Duration,
    /// When set, IMS acts on the request first (a create starts its job) and the fault then replaces
    /// its answer: a 500, a drop or a truncated answer after IMS acted. Not with `DropBeforeBody`,
    /// whose request never reaches IMS.
    pub after_acting: bool,
    /// The share (0.0 to 1.0) of matching requests the fault takes, drawn for each; the others pass
    /// on (to the next armed fault, or to IMS) without using up a `times`. 1.0: every one.
    pub chance: f64,
    /// Seeds the draws of `chance`, so a run can be repeated; `None` seeds from the system.
    pub seed: Option<u64>,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            method: None,
            path: String::new(),
            action: FaultAction::Answer,
            status: 500,
            body: String::new(),
            headers: Vec::new(),
            times: 1,
            delay: Duration::ZERO,
            after_acting: false,
            chance: 1.0,
            seed: None,
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
    pub action: FaultAction,
    pub status: StatusCode,
    pub body: Bytes,
    pub headers: HeaderMap,
    pub delay: Duration,
    /// IMS acts on the request before the fault replaces its answer.
    pub after_acting: bool,
}

/// Marks a response that must not be sent: the connection is closed instead (see `server.rs`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropConnection;

/// How long a truncated answer waits after its partial body, so it reaches the client before
/// the connection closes.
const TRUNCATE_FLUSH_PAUSE: Duration = Duration::from_millis(20);

impl FaultReply {
    /// Waits the fault's delay, then gives the answer (or the order to drop the connection).
    pub async fn into_response(self) -> Response {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        match self.action {
            FaultAction::DropBeforeBody | FaultAction::DropAfterBody => {
                let mut response = Response::new(Body::empty());
                response.extensions_mut().insert(DropConnection);
                response
            }
            FaultAction::Truncate => {
                let declared = self.body.len();
                let sent = self.body.slice(..declared / 2);
                // A stream has no known length, so the server sends the declared one as it is and
                // closes the connection when the stream fails.
                let chunks =
                    stream::iter([Ok::<Bytes, std::io::Error>(sent)]).chain(stream::once(async {
                        tokio::time::sleep(TRUNCATE_FLUSH_PAUSE).await;
                        Err(std::io::Error::other("the answer is truncated by a fault"))
                    }));
                let mut response = Response::new(Body::from_stream(chunks));
                *response.status_mut() = self.status;
                *response.headers_mut() = self.headers;
                response
                    .headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from(declared));
                response
            }
            FaultAction::Answer | FaultAction::NotJson => {
                let mut response = Response::new(Body::from(self.body));
                *response.status_mut() = self.status;
                *response.headers_mut() = self.headers;
                response
            }
        }
    }
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
    /// The draws of a fault that takes only a share of its requests.
    draws: Option<(f64, StdRng)>,
}

impl ArmedFault {
    /// Whether this request is one the fault takes (always, unless it has a chance below 1).
    fn draw(&mut self) -> bool {
        match &mut self.draws {
            None => true,
            Some((chance, rng)) => rng.random_bool(*chance),
        }
    }

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
        let index = faults.iter_mut().position(|fault| {
            fault.method_matches(method) && fault.path.matches(path) && fault.draw()
        })?;
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
    if fault.after_acting && fault.action == FaultAction::DropBeforeBody {
        return Err(InvalidFault(
            "after_acting needs the request to reach IMS: not with drop_before_body".to_owned(),
        ));
    }
    if !(0.0..=1.0).contains(&fault.chance) {
        return Err(InvalidFault(format!(
            "chance must be between 0.0 and 1.0, got {}",
            fault.chance
        )));
    }
    let draws = (fault.chance < 1.0).then(|| {
        let rng = match fault.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        (fault.chance, rng)
    });
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
    let default_type = match fault.action {
        FaultAction::NotJson => "text/html",
        _ => "application/json",
    };
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(default_type));
    let mut content_type_given = false;
    for (name, value) in &fault.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| InvalidFault(format!("{name:?} is not a header name")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            InvalidFault(format!("the value of header {name} is not a header value"))
        })?;
        if name == CONTENT_LENGTH || name == axum::http::header::TRANSFER_ENCODING {
            // The emulator frames the body itself; a wrong length is what `Truncate` is for.
            return Err(InvalidFault(format!(
                "header {name} is set by the emulator (use the truncate action for a short body)"
            )));
        }
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
        draws,
        reply: FaultReply {
            action: fault.action,
            status,
            body: body_of(fault.action, fault.body, status),
            headers,
            delay: fault.delay,
            after_acting: fault.after_acting,
        },
    })
}

/// The body to send; the actions that are about the body have one even when the fault gives none.
fn body_of(action: FaultAction, given: String, status: StatusCode) -> Bytes {
    if !given.is_empty() {
        return Bytes::from(given);
    }
    match action {
        // What a proxy in front of the gateway sends when it fails.
        FaultAction::NotJson => Bytes::from(format!(
            "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n<center><h1>{status}</h1></center>\r\n</body>\r\n</html>\r\n"
        )),
        // Long enough that half of it is clearly not JSON.
        FaultAction::Truncate => Bytes::from_static(
            br#"{"error": {"code": "IMG.0001", "message": "This answer is cut short by a fault."}}"#,
        ),
        FaultAction::Answer | FaultAction::DropBeforeBody | FaultAction::DropAfterBody => {
            Bytes::new()
        }
    }
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

    fn armed(faults: impl IntoIterator<Item = Fault>) -> FaultTable {
        let table = FaultTable::default();
        for fault in faults {
            table.arm(fault).expect("a valid fault");
        }
        table
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
        let table = armed([Fault {
            method: Some("post".into()),
            ..fault("/a", 0)
        }]);
        assert!(table.take(&Method::GET, "/a").is_none());
        assert!(table.take(&Method::POST, "/a").is_some());
    }

    #[test]
    fn faults_are_served_in_the_order_they_were_armed() {
        let table = armed([
            Fault {
                status: 429,
                ..fault("/a", 1)
            },
            Fault {
                status: 500,
                ..fault("/a", 1)
            },
        ]);
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
    fn actions_are_named_and_unknown_names_are_refused() {
        for (name, action) in FaultAction::NAMES {
            assert_eq!(FaultAction::from_name(name), Ok(action));
        }
        let error = FaultAction::from_name("explode").unwrap_err();
        assert!(error.to_string().contains("drop_after_body"), "{error}");
    }

    #[test]
    fn not_json_faults_send_an_html_page_unless_told_otherwise() {
        let table = FaultTable::default();
        table
            .arm(Fault {
                action: FaultAction::NotJson,
                status: 502,
                body: String::new(),
                ..fault("/a", 1)
            })
            .unwrap();
        let reply = table.take(&Method::GET, "/a").unwrap();
        assert_eq!(reply.headers[CONTENT_TYPE], "text/html");
        let text = String::from_utf8(reply.body.to_vec()).unwrap();
        assert!(
            text.starts_with("<html>") && text.contains("502 Bad Gateway"),
            "{text}"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    }

    #[test]
    fn truncated_faults_always_have_a_body_to_cut() {
        let table = FaultTable::default();
        for body in ["", "{\"job_id\": \"abc\"}"] {
            table
                .arm(Fault {
                    action: FaultAction::Truncate,
                    body: body.into(),
                    ..fault("/a", 1)
                })
                .unwrap();
            let reply = table.take(&Method::GET, "/a").unwrap();
            assert!(reply.body.len() >= 2, "{body}");
            if !body.is_empty() {
                assert_eq!(reply.body, body.as_bytes());
            }
        }
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
            Fault {
                headers: vec![("Content-Length".into(), "99".into())],
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
