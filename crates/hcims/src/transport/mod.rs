//! The transport seam: a signed request in, the whole answer (or a [`TransportError`]) out. Two
//! transports sit behind it and speak the same words: [`socket`] (blocking HTTP/1.1 on the calling
//! thread, for single calls of scripts) and [`pooled`] (reqwest on the shared runtime, for async calls,
//! batches, waits, and whatever the socket transport cannot do: proxies, TLS settings of their own).
//!
//! Neither knows clients, projects or retries: `crate::call` signs, retries and reports.

use std::fmt::Display;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::Method;

use crate::error::TransportError;

mod http1;
pub(crate) mod pooled;
pub(crate) mod socket;

pub const USER_AGENT: &str = concat!("hcims/", env!("CARGO_PKG_VERSION"));

/// A request ready to go: its headers signed, its URI (path and query) to follow the endpoint.
pub(crate) struct SignedRequest<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a str,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: &'a Bytes,
    /// The service may act on it (a create): once it went out, it is `maybe_sent` and not sent again.
    pub(crate) create: bool,
}

/// A response that arrived whole, whatever its status.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What both transports call the ways an exchange fails.
pub(crate) const CONNECT_FAILED: &str = "could not connect to IMS";
pub(crate) const TIMED_OUT: &str = "timed out waiting for IMS";
pub(crate) const BROKE: &str = "the connection to IMS broke before an answer came";
pub(crate) const CERTIFICATE_REFUSED: &str =
    "the server's TLS certificate was refused (a private CA? pass ca_bundle=)";

/// A connection that never opened: nothing went out, so any call may be sent again.
pub(crate) fn never_sent(detail: impl Display) -> TransportError {
    TransportError {
        message: format!("{CONNECT_FAILED}: {detail}"),
        retryable: true,
        maybe_sent: false,
    }
}

/// A failure once the request went out: a create may have been acted on and is not sent again; a
/// query always may be. `what` is one of the words above, or says more.
pub(crate) fn after_sending(
    what: impl Display,
    detail: impl Display,
    create: bool,
) -> TransportError {
    TransportError {
        message: format!("{what}: {detail}"),
        retryable: !create,
        maybe_sent: create,
    }
}

/// A request this library built wrongly (a header it cannot write): a bug, never sent, never retried.
pub(crate) fn unsendable(message: String) -> TransportError {
    TransportError {
        message,
        retryable: false,
        maybe_sent: false,
    }
}

/// Variables through which reqwest finds a proxy; with any of them set, requests go through reqwest.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// True when the environment names a proxy, which only the pooled transport knows how to use.
pub(crate) fn proxy_configured() -> bool {
    proxy_configured_in(&|name| std::env::var_os(name))
}

fn proxy_configured_in(variable: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    PROXY_VARIABLES
        .iter()
        .any(|name| variable(name).is_some_and(|value| !value.is_empty()))
}

/// An error with its causes, which carry the useful part ("connection refused").
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::proxy_configured_in;

    #[test]
    fn proxies_in_the_environment_are_noticed() {
        let none = |_: &str| None;
        assert!(!proxy_configured_in(&none));
        let empty = |_: &str| Some(std::ffi::OsString::new());
        assert!(!proxy_configured_in(&empty));
        let https = |name: &str| (name == "https_proxy").then(|| "http://proxy:3128".into());
        assert!(proxy_configured_in(&https));
    }
}
