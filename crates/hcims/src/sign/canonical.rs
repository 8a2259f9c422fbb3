//! The text pieces of the canonical request: URI, query string and percent-encoding, each done the way
//! CPython's `urllib.parse` does it, because the official SDK builds them with `quote`/`unquote`.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// `hashlib.sha256(b"").hexdigest()`: the payload hash of an empty body.
pub(crate) const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    lower_hex(&Sha256::digest(data))
}

/// `bytes` as lower-case hex digits (what `hex::encode` gives, without its per-character iterator:
/// signing hashes three times per request).
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)]);
        out.push(DIGITS[usize::from(byte & 0x0f)]);
    }
    // Hex digits are ASCII, so this never fails; the empty fallback keeps it panic-free all the same.
    String::from_utf8(out).unwrap_or_default()
}

/// Python's `str.lower()`: ASCII names (every real header name) lower-case byte by byte, anything
/// else through Unicode's full mapping, as Python applies it.
pub(crate) fn python_lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// True for the bytes `quote(s, safe='~')` leaves as they are.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b'~')
}

/// Python's `str.isspace()`: Rust's `char::is_whitespace` plus the four ASCII information separators
/// (U+001C..U+001F), which Python counts as whitespace and Rust does not.
fn is_python_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{b}'
            | '\u{c}'
            | '\r'
            | '\u{1c}'..='\u{1f}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `str.strip()` with no argument.
pub(crate) fn python_strip(s: &str) -> &str {
    s.trim_matches(is_python_whitespace)
}

/// `s.encode("utf-8").decode("iso-8859-1")`: the SDK rewrites header values this way before it reads
/// `X-Sdk-Content-Sha256` back as the payload hash, so a non-ASCII value enters the hash double-encoded.
pub(crate) fn utf8_bytes_as_latin1(s: &str) -> String {
    s.bytes().map(char::from).collect()
}

/// `urllib.parse.quote(s, safe='~')`: UTF-8 bytes, everything but `A-Za-z0-9_.-~` as upper-case `%XX`.
fn push_quoted(out: &mut String, s: &str) {
    for byte in s.bytes() {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// `urllib.parse.unquote_to_bytes`: `%` followed by two hex digits (either case) becomes that byte;
/// any other `%` is kept literally.
fn percent_decode_bytes(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// `urllib.parse.unquote(s)` (UTF-8, `errors='replace'`). CPython decodes each run of ASCII characters
/// on its own and copies non-ASCII characters through, so escapes never join with literal characters.
/// `from_utf8_lossy` replaces maximal invalid subparts with U+FFFD, as CPython's decoder does.
pub(crate) fn python_unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let ascii_len = rest.find(|c: char| !c.is_ascii()).unwrap_or(rest.len());
        let (ascii_run, tail) = rest.split_at(ascii_len);
        out.push_str(&String::from_utf8_lossy(&percent_decode_bytes(ascii_run)));
        let other_len = tail.find(|c: char| c.is_ascii()).unwrap_or(tail.len());
        let (non_ascii_run, tail) = tail.split_at(other_len);
        out.push_str(non_ascii_run);
        rest = tail;
    }
    out
}

/// The canonical URI: the path percent-decoded, split on `/`, each segment re-encoded, and a trailing
/// `/` added. A `%2F` in the path therefore becomes a segment boundary, as it does in the SDK.
pub(crate) fn canonical_uri(path: &str) -> String {
    // Every path hcims sends is made of unreserved characters and `/`: decoding and re-encoding
    // leave it as it is.
    if path.bytes().all(|b| b == b'/' || is_unreserved(b)) && !path.is_empty() {
        let mut uri = String::with_capacity(path.len() + 1);
        uri.push_str(path);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        return uri;
    }
    canonical_uri_by_segments(path)
}

/// [`canonical_uri`] the SDK's way, for any path.
pub(crate) fn canonical_uri_by_segments(path: &str) -> String {
    let decoded = python_unquote(path);
    let mut uri = String::with_capacity(decoded.len() + 1);
    for (index, segment) in decoded.split('/').enumerate() {
        if index > 0 {
            uri.push('/');
        }
        push_quoted(&mut uri, segment);
    }
    // The SDK raises IndexError on an empty path; "/" is what every gateway would make of it.
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query string: pairs sorted on their raw (key, value), then each side encoded like
/// `quote(x, safe='~')` and joined as `k=v&k=v`. Sorting before encoding matters: `中` sorts after
/// `z` although its encoding starts with `%`.
pub fn canonical_query_string(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    // Rust compares `str` by UTF-8 bytes, which orders exactly like Python's code-point comparison.
    pairs.sort();
    let mut out = String::new();
    for (index, (key, value)) in pairs.into_iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        push_quoted(&mut out, key);
        out.push('=');
        push_quoted(&mut out, value);
    }
    out
}

/// Turns a raw URL query (without `?`) back into the pairs the SDK encoded: split on `&`, then on the
/// first `=`, then percent-decode as UTF-8. A `+` stays a `+` (the SDK writes a space as `%20`), and
/// empty segments are skipped (the SDK never writes one).
pub fn decode_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (key, value) = segment.split_once('=').unwrap_or((segment, ""));
            (
                String::from_utf8_lossy(&percent_decode_bytes(key)).into_owned(),
                String::from_utf8_lossy(&percent_decode_bytes(value)).into_owned(),
            )
        })
        .collect()
}

/// The full request URI: the path as given plus `?` and the canonical query string when there is one.
pub(crate) fn request_uri(path: &str, canonical_query: &str) -> String {
    if canonical_query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{canonical_query}")
    }
}
