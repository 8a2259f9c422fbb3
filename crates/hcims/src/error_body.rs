//! Reading error answers: IMS and its gateway use three body shapes, sometimes nested one level; an
//! answer >= 400 becomes an [`ApiError`] here (its request id, `Retry-After`, clock hint, `maybe_sent`).

use std::time::Duration;

use serde_json::Value;

use crate::error::ApiError;
use crate::transport::Answer;

/// What an error answer said, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// Reads `{"error": {"code", "message"}}`, `{"error_code", "error_msg", "request_id"}` and `{"code", "message"}`
/// (the pairs also nested one level down, as the official SDK accepts). A body that is not JSON gives its
/// text, shortened, as the message, so an HTML page from a proxy still says something.
pub fn parse_error_body(body: &[u8]) -> ErrorBody {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            let top = Value::Object(map);
            let mut found = read_pairs(&top);
            if found.code.is_none() && found.message.is_none() {
                if let Value::Object(map) = &top {
                    // The nested shape: the first object member holding a code or a message.
                    for nested in map.values().filter(|v| v.is_object()) {
                        let inner = read_pairs(nested);
                        if inner.code.is_some() || inner.message.is_some() {
                            found.code = inner.code;
                            found.message = inner.message;
                            found.request_id = found.request_id.or(inner.request_id);
                            break;
                        }
                    }
                }
            }
            found
        }
        _ => ErrorBody {
            message: text_excerpt(body),
            ..ErrorBody::default()
        },
    }
}

fn read_pairs(value: &Value) -> ErrorBody {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    ErrorBody {
        code: text("error_code").or_else(|| text("code")),
        message: text("error_msg").or_else(|| text("message")),
        request_id: text("request_id"),
    }
}

const EXCERPT_CHARS: usize = 200;

fn text_excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let stripped = strip_tags(&text);
    let collapsed = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return None;
    }
    let mut excerpt: String = collapsed.chars().take(EXCERPT_CHARS).collect();
    if collapsed.chars().count() > EXCERPT_CHARS {
        excerpt.push('…');
    }
    Some(excerpt)
}

/// Drops `<...>` markup so an HTML error page reads as its text.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
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

/// The error of an answer >= 400; `create`: the call may have made or changed something.
pub(crate) fn api_error_from(answer: &Answer, create: bool) -> ApiError {
    let parsed = parse_error_body(&answer.body);
    let header_request_id = answer
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let retry_after = answer
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)));
    let mut message = parsed.message.unwrap_or_else(|| {
        reqwest::StatusCode::from_u16(answer.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error")
            .to_owned()
    });
    if is_clock_skew(answer.status, parsed.code.as_deref(), &message) {
        message.push_str(CLOCK_HINT);
    }
    // A 5xx may come after IMS acted (a gateway timeout, say), unless its code says it refused first.
    let maybe_sent =
        create && answer.status >= 500 && !refused_before_acting(parsed.code.as_deref());
    ApiError {
        status: answer.status,
        code: parsed.code,
        message,
        request_id: header_request_id.or(parsed.request_id),
        body: String::from_utf8_lossy(&answer.body).into_owned(),
        maybe_sent,
        retry_after,
    }
}

/// Added to the message of an answer that refused the request's date.
pub const CLOCK_HINT: &str =
    " (the gateway refuses requests dated more than 15 minutes from its clock: \
     check this machine's clock and time zone, e.g. sync it with NTP)";

/// APIGW.0303 is the gateway's answer to a signature dated too far from its clock; other 401s say so
/// in their message. Token expiry is about the token, not the clock.
fn is_clock_skew(status: u16, code: Option<&str>, message: &str) -> bool {
    if matches!(code, Some("APIGW.0303" | "APIG.0303")) {
        return true;
    }
    let lower = message.to_lowercase();
    status == 401
        && !lower.contains("token")
        && ["clock", "skew", "time", "date", "expired"]
            .iter()
            .any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ims_nested_shape() {
        let b = parse_error_body(
            br#"{"error": {"message": "The imagetype is invalid.", "code": "IMG.0024"}}"#,
        );
        assert_eq!(b.code.as_deref(), Some("IMG.0024"));
        assert_eq!(b.message.as_deref(), Some("The imagetype is invalid."));
    }

    #[test]
    fn gateway_flat_shape_with_request_id() {
        let b = parse_error_body(
            br#"{"error_msg": "Incorrect IAM authentication information", "error_code": "APIGW.0301", "request_id": "abc"}"#,
        );
        assert_eq!(b.code.as_deref(), Some("APIGW.0301"));
        assert_eq!(
            b.message.as_deref(),
            Some("Incorrect IAM authentication information")
        );
        assert_eq!(b.request_id.as_deref(), Some("abc"));
    }

    #[test]
    fn code_message_shape() {
        let b = parse_error_body(br#"{"code": "IMG.0060", "message": "flow control"}"#);
        assert_eq!(b.code.as_deref(), Some("IMG.0060"));
        assert_eq!(b.message.as_deref(), Some("flow control"));
    }

    #[test]
    fn nested_error_code_pair() {
        let b = parse_error_body(br#"{"error": {"error_code": "AS.0001", "error_msg": "x"}}"#);
        assert_eq!(b.code.as_deref(), Some("AS.0001"));
        assert_eq!(b.message.as_deref(), Some("x"));
    }

    #[test]
    fn html_body_gives_its_text() {
        let b = parse_error_body(b"<html><body><h1>502 Bad Gateway</h1></body></html>");
        assert_eq!(b.code, None);
        assert_eq!(b.message.as_deref(), Some("502 Bad Gateway"));
    }

    #[test]
    fn empty_and_non_object_bodies() {
        assert_eq!(parse_error_body(b""), ErrorBody::default());
        assert_eq!(parse_error_body(b"[1,2]").message.as_deref(), Some("[1,2]"));
    }

    #[test]
    fn long_text_is_shortened() {
        let long = "x".repeat(5000);
        let b = parse_error_body(long.as_bytes());
        assert_eq!(b.message.unwrap().chars().count(), EXCERPT_CHARS + 1);
    }
}
