//! The pooled transport: reqwest on the shared runtime, one connection pool per client and process.
//! It serves async calls, batches and waits, and every call when a proxy or a TLS setting of its own
//! is configured (the socket transport speaks to neither).

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::{
    error_chain, unsendable, Answer, SignedRequest, BROKE, CERTIFICATE_REFUSED, CONNECT_FAILED,
    TIMED_OUT, USER_AGENT,
};
use crate::error::{Error, TransportError};
use crate::tls::{is_certificate_error, TlsOptions};

/// The HTTP client of one process: `timeout` bounds a whole exchange, connect included.
pub(crate) fn build(
    timeout: Duration,
    connect_timeout: Duration,
    tls: &TlsOptions,
) -> Result<reqwest::Client, Error> {
    let builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(timeout)
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(50))
        .tcp_nodelay(true);
    tls.apply(builder).build().map_err(|e| {
        Error::Config(format!(
            "cannot set up the HTTP client: {}",
            error_chain(&e)
        ))
    })
}

/// Sends `request` to `base` (the endpoint's scheme, host and port) and reads the whole answer.
pub(crate) async fn send(
    http: &reqwest::Client,
    base: &str,
    request: &SignedRequest<'_>,
) -> Result<Answer, TransportError> {
    let mut header_map = HeaderMap::with_capacity(request.headers.len());
    for (name, value) in request.headers {
        // Names are ours and values were checked at construction; a failure here is a bug, not input.
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| unsendable(format!("invalid header name {name:?}: {e}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| unsendable(format!("invalid value for header {name}")))?;
        header_map.append(name, value);
    }
    let create = request.create;
    let response = http
        .request(request.method.clone(), format!("{base}{}", request.uri))
        .headers(header_map)
        .body(request.body.clone())
        .send()
        .await
        .map_err(|e| transport_error(&e, create))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| {
        let mut t = transport_error(&e, create);
        t.message = format!("the answer (HTTP {status}) broke off: {}", t.message);
        // The status line arrived: the service saw the request. Only a query may be sent again.
        t.retryable = !create;
        t.maybe_sent = create;
        t
    })?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// What a failed exchange means. Only a connection that never opened (refused, unreachable, connect
/// timeout, TLS handshake) is certainly unsent. Once the request went out on an open connection, a drop,
/// reset or timeout may have come after the gateway forwarded it, so a create is `maybe_sent` and not
/// retried; a query is always safe to send again.
fn transport_error(e: &reqwest::Error, create: bool) -> TransportError {
    let never_sent = e.is_connect() || e.is_builder();
    let certificate = is_certificate_error(e);
    let what = if certificate {
        CERTIFICATE_REFUSED
    } else if e.is_timeout() && !never_sent {
        TIMED_OUT
    } else if never_sent {
        CONNECT_FAILED
    } else {
        BROKE
    };
    TransportError {
        message: format!("{what}: {}", error_chain(e)),
        // A refused certificate stays refused: trying again only delays the error.
        retryable: !certificate && (never_sent || !create),
        maybe_sent: create && !never_sent,
    }
}
