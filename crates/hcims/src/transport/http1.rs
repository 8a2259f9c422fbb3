//! HTTP/1.1 on the wire for the socket transport: the head of a request as bytes, and the head of an
//! answer parsed (status, framing, the headers that matter).

use std::io::Write;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::{unsendable, USER_AGENT};
use crate::error::TransportError;

/// An answer's head (status line and headers) may not be larger; a body may not be larger than
/// `MAX_BODY`. IMS answers are a few kilobytes.
pub(super) const MAX_HEAD: usize = 64 * 1024;
pub(super) const MAX_BODY: usize = 64 * 1024 * 1024;
const MAX_HEADERS: usize = 96;

pub(super) fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|pair| pair == b"\r\n")
}

/// A complete answer head.
pub(super) struct Head {
    pub(super) status: u16,
    /// Bytes of the status line and headers, blank line included.
    pub(super) length: usize,
    pub(super) chunked: bool,
    pub(super) content_length: Option<Result<usize, ()>>,
    /// `Connection: close`, or HTTP/1.0.
    pub(super) closes: bool,
    /// All of them for error answers (their request id and `Retry-After` matter), else the request id
    /// alone (for the log).
    pub(super) headers: HeaderMap,
}

/// The head at the start of `buffer`; None while incomplete.
pub(super) fn parse_head(buffer: &[u8]) -> Result<Option<Head>, String> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut slots);
    let length = match response.parse(buffer) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("the answer is not HTTP: {e}")),
    };
    let status = response.code.unwrap_or(0);
    let mut head = Head {
        status,
        length,
        chunked: false,
        content_length: None,
        closes: response.version == Some(0),
        headers: HeaderMap::new(),
    };
    for header in response.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("content-length") {
            let parsed = std::str::from_utf8(header.value)
                .ok()
                .and_then(|text| text.trim().parse::<usize>().ok())
                .filter(|length| *length <= MAX_BODY);
            head.content_length = Some(parsed.ok_or(()));
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            head.chunked |= header.value.eq_ignore_ascii_case(b"chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            head.closes |= header.value.eq_ignore_ascii_case(b"close");
        }
        if status >= 400 || name.eq_ignore_ascii_case("x-request-id") {
            // A header the http crate cannot hold is dropped, as hyper would refuse it.
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(header.value),
            ) {
                head.headers.append(name, value);
            }
        }
    }
    Ok(Some(head))
}

/// The head of a request: request line, the given headers, then User-Agent, Accept and
/// Content-Length as reqwest would add them. Header values were checked when the client was made.
pub(super) fn request_head(
    method: &str,
    uri: &str,
    headers: &[(String, String)],
    body_len: usize,
) -> Result<Vec<u8>, TransportError> {
    let mut head = Vec::with_capacity(512);
    head.extend_from_slice(method.as_bytes());
    head.push(b' ');
    head.extend_from_slice(uri.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        let unsafe_value = value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f);
        let unsafe_name =
            name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if unsafe_value || unsafe_name {
            // Names are ours and values were checked at construction; this is a bug, not input.
            return Err(unsendable(format!("invalid header {name:?}")));
        }
        // Lower-cased as hyper sends them, byte by byte into the head (no string per header).
        head.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    push_header(&mut head, "user-agent", USER_AGENT);
    push_header(&mut head, "accept", "*/*");
    if body_len > 0 || method == "POST" {
        // Writing into a Vec cannot fail.
        let _ = write!(head, "content-length: {body_len}\r\n");
    }
    head.extend_from_slice(b"\r\n");
    Ok(head)
}

fn push_header(head: &mut Vec<u8>, name: &str, value: &str) {
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(b": ");
    head.extend_from_slice(value.as_bytes());
    head.extend_from_slice(b"\r\n");
}
