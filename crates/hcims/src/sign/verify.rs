//! The gateway's side of AK/SK signing: parse `Authorization`, rebuild the canonical request from
//! the request as received, and compare signatures in constant time.

use std::fmt;
use std::time::{Duration, SystemTime};

use hmac::Mac;

use super::canonical::EMPTY_BODY_SHA256;
use super::canonical::{canonical_query_string, sha256_hex, utf8_bytes_as_latin1};
use super::headers::{canonical_headers, HeaderTable};
use super::ALGORITHM;
use super::{canonical_request, hmac_sha256, parse_sdk_date, string_to_sign, SigningRequest};

/// The three parts of an `SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..` value.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub access_key: String,
    /// As listed, in order (the SDK lists them lower-case and sorted).
    pub signed_headers: Vec<String>,
    /// 64 hex digits.
    pub signature: String,
}

// The signature authenticates the request for 15 minutes; keep it out of logs.
impl fmt::Debug for ParsedAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedAuthorization")
            .field("access_key", &self.access_key)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &"<redacted>")
            .finish()
    }
}

/// Parses an `Authorization` value of the `SDK-HMAC-SHA256` scheme. Each of `Access`,
/// `SignedHeaders` and `Signature` must appear exactly once, non-empty; spaces around the commas
/// are allowed; the signature must be 64 hex digits.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let params = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let (mut access_key, mut signed_headers, mut signature) = (None, None, None);
    for part in params.split(',') {
        let (name, content) = part.trim().split_once('=')?;
        let slot = match name {
            "Access" => &mut access_key,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => return None,
        };
        if content.is_empty() || slot.replace(content).is_some() {
            return None;
        }
    }
    let signed_headers: Vec<String> = signed_headers?.split(';').map(str::to_owned).collect();
    let signature = signature?;
    if signed_headers.iter().any(String::is_empty)
        || signature.len() != 64
        || !signature.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    Some(ParsedAuthorization {
        access_key: access_key?.to_owned(),
        signed_headers,
        signature: signature.to_owned(),
    })
}

/// Why [`verify`] rejected a request. The messages name no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    MissingAuthorization,
    MalformedAuthorization,
    UnknownAccessKey(String),
    MissingDate,
    BadDate,
    /// `seconds` = server clock minus `X-Sdk-Date` (positive when the request is from the past).
    ClockSkew {
        seconds: i64,
    },
    MissingSignedHeader(String),
    SignatureMismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingAuthorization => f.write_str("the Authorization header is missing"),
            VerifyError::MalformedAuthorization => f.write_str(
                "the Authorization header is not \
                 'SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<names>, Signature=<64 hex digits>'",
            ),
            VerifyError::UnknownAccessKey(ak) => write!(f, "access key {ak} does not exist"),
            VerifyError::MissingDate => f.write_str("the X-Sdk-Date header is missing"),
            VerifyError::BadDate => {
                f.write_str("the X-Sdk-Date header is not a UTC time of the form YYYYMMDDTHHMMSSZ")
            }
            VerifyError::ClockSkew { seconds } => write!(
                f,
                "X-Sdk-Date is {seconds} s away from the server clock, more than the allowed skew"
            ),
            VerifyError::MissingSignedHeader(name) => write!(
                f,
                "header {name} must be sent and listed in SignedHeaders, and is not"
            ),
            VerifyError::SignatureMismatch => f.write_str("verify aksk signature fail"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Checks the signature of a request as RECEIVED: its headers include `Authorization` and
/// `X-Sdk-Date`, only the headers named in `SignedHeaders` take part, and `query` holds the decoded
/// pairs of the URL (see [`super::decode_query`]). `X-Sdk-Date` must itself be signed and within
/// `max_skew` of `now`. Returns the access key on success.
pub fn verify(
    req: &SigningRequest<'_>,
    secret_for: impl Fn(&str) -> Option<String>,
    now: SystemTime,
    max_skew: Duration,
) -> Result<String, VerifyError> {
    let headers = HeaderTable::from_pairs(req.headers);
    let authorization = headers
        .canonical_value("authorization")
        .ok_or(VerifyError::MissingAuthorization)?;
    let parsed = parse_authorization(authorization).ok_or(VerifyError::MalformedAuthorization)?;

    let date = headers
        .canonical_value("x-sdk-date")
        .ok_or(VerifyError::MissingDate)?;
    let sent_at = parse_sdk_date(date).ok_or(VerifyError::BadDate)?;
    let seconds = super::date::seconds_between(now, sent_at);
    if seconds.unsigned_abs() > max_skew.as_secs() {
        return Err(VerifyError::ClockSkew { seconds });
    }
    let is_signed = |lower: &str| {
        parsed
            .signed_headers
            .iter()
            .any(|name| name.eq_ignore_ascii_case(lower))
    };
    if !is_signed("x-sdk-date") {
        return Err(VerifyError::MissingSignedHeader("x-sdk-date".to_owned()));
    }

    let canonical_headers = canonical_headers(&headers, &parsed.signed_headers)
        .map_err(|name| VerifyError::MissingSignedHeader(name.to_owned()))?;
    let secret = secret_for(&parsed.access_key)
        .ok_or_else(|| VerifyError::UnknownAccessKey(parsed.access_key.clone()))?;

    // Honour X-Sdk-Content-Sha256 only when it is signed; otherwise anyone could swap the body.
    let payload_hash = match headers.canonical_value("x-sdk-content-sha256") {
        _ if req.body.is_empty() => EMPTY_BODY_SHA256.to_owned(),
        Some(value) if !value.is_empty() && is_signed("x-sdk-content-sha256") => {
            utf8_bytes_as_latin1(value)
        }
        _ => sha256_hex(req.body),
    };
    let canonical_request = canonical_request(
        req.method,
        req.path,
        &canonical_query_string(req.query),
        &canonical_headers,
        &parsed.signed_headers.join(";"),
        &payload_hash,
    );
    let expected = hmac_sha256(&secret, &string_to_sign(date, &canonical_request));
    let presented =
        hex::decode(&parsed.signature).map_err(|_| VerifyError::MalformedAuthorization)?;
    // `verify_slice` compares in constant time.
    expected
        .verify_slice(&presented)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(parsed.access_key)
}
