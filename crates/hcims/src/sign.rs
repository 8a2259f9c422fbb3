//! AK/SK request signing (`SDK-HMAC-SHA256`), byte-identical to huaweicloudsdkcore's `Signer`
//! (3.1.219), quirks included, and the gateway's check of such a signature for the emulator.
//!
//! The official signer is the oracle: `tests/data/sign-vectors.json` pins its output for fixed
//! requests and `tests/test_sign_official.py` compares against it on random ones.

mod canonical;
mod date;
mod headers;
mod verify;

#[cfg(test)]
mod tests;

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use canonical::{canonical_query_string, decode_query};
pub use date::{parse_sdk_date, sdk_date};
pub use verify::{parse_authorization, verify, ParsedAuthorization, VerifyError};

use canonical::{
    canonical_uri, lower_hex, request_uri, sha256_hex, utf8_bytes_as_latin1, EMPTY_BODY_SHA256,
};
use headers::{canonical_headers, HeaderTable};

const ALGORITHM: &str = "SDK-HMAC-SHA256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const HEADER_DATE: &str = "X-Sdk-Date";
const HEADER_HOST: &str = "Host";
const HEADER_CONTENT_SHA256: &str = "X-Sdk-Content-Sha256";

/// A request as the signer sees it. Borrowed so signing allocates only what it must.
pub struct SigningRequest<'a> {
    /// `GET`, `POST`, ... (upper-cased for the canonical form).
    pub method: &'a str,
    /// `host[:port]`, as it goes in the `Host` header.
    pub host: &'a str,
    /// E.g. `/v2/cloudimages/action`; may hold `%`-escapes.
    pub path: &'a str,
    /// Raw (decoded) pairs, any order, keys may repeat.
    pub query: &'a [(String, String)],
    /// As the caller will send them (no `Authorization`).
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

// Header values can be credentials (`X-Security-Token`, `X-Auth-Token`): show names only.
impl fmt::Debug for SigningRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningRequest")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("path", &self.path)
            .field("query", &self.query)
            .field(
                "header_names",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The result of [`sign`]: what to put on the wire, and the intermediate texts for tests.
pub struct Signed {
    /// `SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..`
    pub authorization: String,
    /// E.g. `content-type;host;x-sdk-date`.
    pub signed_headers: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    /// The path plus `?` and the canonical query string: what goes on the wire.
    pub request_uri: String,
    /// The headers the signer set, in the SDK's order (`X-Sdk-Content-Sha256`, `X-Sdk-Date`, `Host`);
    /// the caller sends them in addition to its own, replacing a header of the same exact name.
    pub added_headers: Vec<(String, String)>,
}

// The Authorization value is a credential for 15 minutes, and the canonical request holds every
// signed header value, security token included.
impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signed")
            .field("authorization", &"<redacted>")
            .field("signed_headers", &self.signed_headers)
            .field("request_uri", &self.request_uri)
            .field("added_headers", &self.added_headers)
            .finish_non_exhaustive()
    }
}

/// Signs `req` exactly as `huaweicloudsdkcore.signer.signer.Signer.sign` would. `sdk_date` is used
/// when the headers carry no `X-Sdk-Date` (make it with [`sdk_date`]).
pub fn sign(req: &SigningRequest<'_>, ak: &str, sk: &str, sdk_date: &str) -> Signed {
    let mut headers = HeaderTable::from_pairs(req.headers);
    let mut added_headers = Vec::new();

    // The SDK looks `Content-Type` up by its exact name, unlike every other header.
    let unsigned_payload = headers
        .get_exact("Content-Type")
        .is_some_and(|content_type| {
            !content_type.is_empty()
                && !content_type.starts_with("application/json")
                && !content_type.starts_with("application/bson")
        });
    if unsigned_payload {
        headers.set(HEADER_CONTENT_SHA256, UNSIGNED_PAYLOAD);
        added_headers.push((
            HEADER_CONTENT_SHA256.to_owned(),
            UNSIGNED_PAYLOAD.to_owned(),
        ));
    }

    let date_line = match headers.first_ignore_case("x-sdk-date") {
        // Where the SDK's strptime would raise, the raw value is the only sensible date line.
        Some(supplied) => date::sdk_header_date(supplied).unwrap_or_else(|| supplied.to_owned()),
        None => {
            headers.set(HEADER_DATE, sdk_date);
            added_headers.push((HEADER_DATE.to_owned(), sdk_date.to_owned()));
            sdk_date.to_owned()
        }
    };

    if headers.first_ignore_case("host").is_none() {
        headers.set(HEADER_HOST, req.host);
        added_headers.push((HEADER_HOST.to_owned(), req.host.to_owned()));
    }

    let signed_names = headers.signable_names();
    let payload_hash = sdk_payload_hash(&headers, req.body);
    // Every signed name comes from the table itself, so the lookup cannot miss.
    let canonical_headers = canonical_headers(&headers, &signed_names).unwrap_or_default();
    let signed_headers = signed_names.join(";");
    let canonical_query = canonical_query_string(req.query);
    let canonical_request = canonical_request(
        req.method,
        req.path,
        &canonical_query,
        &canonical_headers,
        &signed_headers,
        &payload_hash,
    );
    let string_to_sign = string_to_sign(&date_line, &canonical_request);
    let signature = lower_hex(&hmac_sha256(sk, &string_to_sign).finalize().into_bytes());
    Signed {
        authorization: [
            ALGORITHM,
            " Access=",
            ak,
            ", SignedHeaders=",
            &signed_headers,
            ", Signature=",
            &signature,
        ]
        .concat(),
        signed_headers,
        canonical_request,
        string_to_sign,
        request_uri: request_uri(req.path, &canonical_query),
        added_headers,
    }
}

/// The SDK's `_process_hash_payload`: an empty body hashes as empty; otherwise a non-empty
/// `X-Sdk-Content-Sha256` (first match, stripped and re-decoded as the SDK leaves it) is used
/// verbatim; otherwise the body's SHA-256.
fn sdk_payload_hash(headers: &HeaderTable, body: &[u8]) -> String {
    if body.is_empty() {
        return EMPTY_BODY_SHA256.to_owned();
    }
    match headers.first_ignore_case("x-sdk-content-sha256") {
        Some(value) if !canonical::python_strip(value).is_empty() => {
            utf8_bytes_as_latin1(canonical::python_strip(value))
        }
        _ => sha256_hex(body),
    }
}

fn canonical_request(
    method: &str,
    path: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    let uri = canonical_uri(path);
    let rest = [
        uri.as_str(),
        canonical_query,
        canonical_headers,
        signed_headers,
        payload_hash,
    ];
    let mut out =
        String::with_capacity(method.len() + rest.iter().map(|part| part.len() + 1).sum::<usize>());
    // Python's str.upper(), as the SDK applies it.
    out.push_str(&method.to_uppercase());
    for part in rest {
        out.push('\n');
        out.push_str(part);
    }
    out
}

fn string_to_sign(date_line: &str, canonical_request: &str) -> String {
    let hash = sha256_hex(canonical_request.as_bytes());
    [ALGORITHM, "\n", date_line, "\n", &hash].concat()
}

/// HMAC-SHA256 keyed with the SK's UTF-8 bytes, fed `message`.
fn hmac_sha256(sk: &str, message: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&hmac_block_key(sk.as_bytes()));
    mac.update(message.as_bytes());
    mac
}

/// HMAC's own key normalisation (RFC 2104): a key longer than the 64-byte block is hashed, then the
/// key is zero-padded to the block. Doing it here lets the infallible fixed-size constructor be used.
fn hmac_block_key(key: &[u8]) -> hmac::digest::Key<Hmac<Sha256>> {
    use sha2::Digest;
    let mut block = hmac::digest::Key::<Hmac<Sha256>>::default();
    if key.len() > block.len() {
        let digest = Sha256::digest(key);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    block
}
