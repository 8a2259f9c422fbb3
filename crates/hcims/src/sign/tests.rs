//! Signing against the official SDK's output (`tests/data/sign-vectors.json` and the SDK-computed
//! cases below), and the gateway check against tampering.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::canonical::{canonical_uri, canonical_uri_by_segments, python_strip, python_unquote};
use super::date::sdk_header_date;
use super::*;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/sign-vectors.json"
));
const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);

/// A plain base64 decoder for the vectors' bodies (the crate has no base64 dependency).
fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut bits, mut bit_count) = (0u32, 0u32);
    for byte in text.bytes().filter(|&b| b != b'=') {
        let sextet = ALPHABET
            .iter()
            .position(|&a| a == byte)
            .expect("vector bodies are valid base64");
        bits = bits << 6 | sextet as u32;
        bit_count += 6;
        if bit_count >= 8 {
            bit_count -= 8;
            out.push((bits >> bit_count) as u8);
            bits &= (1 << bit_count) - 1;
        }
    }
    out
}

struct Vector {
    name: String,
    method: String,
    host: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    ak: String,
    sk: String,
    date: String,
    json: Value,
}

impl Vector {
    fn request(&self) -> SigningRequest<'_> {
        SigningRequest {
            method: &self.method,
            host: &self.host,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn expected(&self, key: &str) -> &str {
        self.json[key]
            .as_str()
            .expect("expected_* fields are strings")
    }
}

fn string_pairs(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_owned()))
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().expect("string key").to_owned(),
                    pair[1].as_str().expect("string value").to_owned(),
                )
            })
            .collect(),
        other => panic!("not a pair list: {other}"),
    }
}

fn vectors() -> Vec<Vector> {
    let all: Vec<Value> = serde_json::from_str(VECTORS).expect("sign-vectors.json parses");
    assert_eq!(all.len(), 7, "the SDK-computed vector set");
    all.into_iter()
        .map(|json| {
            let text = |key: &str| json[key].as_str().expect("string field").to_owned();
            Vector {
                name: text("name"),
                method: text("method"),
                host: text("host"),
                path: text("path"),
                query: string_pairs(&json["query"]),
                headers: string_pairs(&json["headers"]),
                body: decode_base64(json["body_b64"].as_str().expect("body_b64")),
                ak: text("ak"),
                sk: text("sk"),
                date: text("x_sdk_date"),
                json,
            }
        })
        .collect()
}

/// The headers as the gateway receives them: the caller's, those the signer added, Authorization.
fn received_headers(headers: &[(String, String)], signed: &Signed) -> Vec<(String, String)> {
    let mut all = headers.to_vec();
    all.extend(signed.added_headers.iter().cloned());
    all.push(("Authorization".to_owned(), signed.authorization.clone()));
    all
}

fn at(date: &str) -> SystemTime {
    parse_sdk_date(date).expect("valid test date")
}

#[test]
fn every_vector_matches_the_official_sdk() {
    for v in vectors() {
        let signed = sign(&v.request(), &v.ak, &v.sk, &v.date);
        let name = &v.name;
        assert_eq!(
            signed.canonical_request,
            v.expected("expected_canonical_request"),
            "{name}"
        );
        assert_eq!(
            signed.string_to_sign,
            v.expected("expected_string_to_sign"),
            "{name}"
        );
        assert_eq!(
            signed.authorization,
            v.expected("expected_authorization"),
            "{name}"
        );
        assert_eq!(
            signed.signed_headers,
            v.expected("expected_signed_headers"),
            "{name}"
        );
        assert_eq!(
            signed.request_uri,
            v.expected("expected_request_uri"),
            "{name}"
        );
        assert_eq!(
            signed.added_headers,
            string_pairs(&v.json["expected_added_headers"]),
            "{name}"
        );
    }
}

#[test]
fn verify_accepts_every_vector_as_received() {
    for v in vectors() {
        let signed = sign(&v.request(), &v.ak, &v.sk, &v.date);
        // The emulator sees the wire form: path and query come back out of the request URI.
        let (path, raw_query) = signed
            .request_uri
            .split_once('?')
            .unwrap_or((&signed.request_uri, ""));
        let query = decode_query(raw_query);
        let headers = received_headers(&v.headers, &signed);
        let received = SigningRequest {
            path,
            query: &query,
            headers: &headers,
            ..v.request()
        };
        let secret = |ak: &str| (ak == v.ak).then(|| v.sk.clone());
        assert_eq!(
            verify(&received, secret, at(&v.date), FIFTEEN_MINUTES),
            Ok(v.ak.clone()),
            "{}",
            v.name
        );
    }
}

/// The first vector signed and received as-is, for tampering with.
struct Received {
    vector: Vector,
    headers: Vec<(String, String)>,
}

impl Received {
    fn new() -> Self {
        let vector = vectors().swap_remove(0);
        let signed = sign(&vector.request(), &vector.ak, &vector.sk, &vector.date);
        let headers = received_headers(&vector.headers, &signed);
        Received { vector, headers }
    }

    fn set_header(&mut self, name: &str, value: &str) {
        let entry = self.headers.iter_mut().find(|(key, _)| key == name);
        entry.expect("header present").1 = value.to_owned();
    }

    fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(key, _)| key != name);
    }

    fn verify_with(&self, body: &[u8], now: SystemTime) -> Result<String, VerifyError> {
        let v = &self.vector;
        let request = SigningRequest {
            headers: &self.headers,
            body,
            ..v.request()
        };
        verify(
            &request,
            |ak| (ak == v.ak).then(|| v.sk.clone()),
            now,
            FIFTEEN_MINUTES,
        )
    }

    fn verify(&self) -> Result<String, VerifyError> {
        self.verify_with(&self.vector.body, at(&self.vector.date))
    }
}

#[test]
fn verify_rejects_a_tampered_body() {
    let received = Received::new();
    let mut body = received.vector.body.clone();
    body[2] ^= 1;
    assert_eq!(
        received.verify_with(&body, at(&received.vector.date)),
        Err(VerifyError::SignatureMismatch)
    );
}

#[test]
fn verify_rejects_a_tampered_signed_header() {
    let mut received = Received::new();
    received.set_header("X-Project-Id", "ffffffffffffffffffffffffffffffff");
    assert_eq!(received.verify(), Err(VerifyError::SignatureMismatch));
}

#[test]
fn verify_ignores_headers_that_are_not_signed() {
    let mut received = Received::new();
    received
        .headers
        .push(("X_Trace_Id".to_owned(), "anything".to_owned()));
    assert_eq!(received.verify(), Ok(received.vector.ak.clone()));
}

#[test]
fn verify_rejects_a_tampered_path_and_query() {
    let received = Received::new();
    let v = &received.vector;
    let extra_query = [("limit".to_owned(), "1".to_owned())];
    for (path, query) in [
        ("/v2/cloudimages/actions", &[][..]),
        (v.path.as_str(), &extra_query[..]),
    ] {
        let request = SigningRequest {
            path,
            query,
            headers: &received.headers,
            ..v.request()
        };
        let secret = |ak: &str| (ak == v.ak).then(|| v.sk.clone());
        assert_eq!(
            verify(&request, secret, at(&v.date), FIFTEEN_MINUTES),
            Err(VerifyError::SignatureMismatch)
        );
    }
}

#[test]
fn verify_rejects_an_unknown_access_key() {
    let received = Received::new();
    let v = &received.vector;
    let request = SigningRequest {
        headers: &received.headers,
        ..v.request()
    };
    assert_eq!(
        verify(&request, |_| None, at(&v.date), FIFTEEN_MINUTES),
        Err(VerifyError::UnknownAccessKey(v.ak.clone()))
    );
}

#[test]
fn verify_rejects_a_missing_or_bad_date() {
    let mut received = Received::new();
    received.set_header("X-Sdk-Date", "2024-05-01T08:00:00Z");
    assert_eq!(received.verify(), Err(VerifyError::BadDate));
    received.remove_header("X-Sdk-Date");
    assert_eq!(received.verify(), Err(VerifyError::MissingDate));
}

#[test]
fn verify_enforces_the_clock_skew_both_ways() {
    let received = Received::new();
    let sent = at(&received.vector.date);
    let body = received.vector.body.clone();
    let minutes = |m: u64| Duration::from_secs(m * 60);
    assert_eq!(
        received.verify_with(&body, sent + minutes(16)),
        Err(VerifyError::ClockSkew { seconds: 960 })
    );
    assert_eq!(
        received.verify_with(&body, sent - minutes(16)),
        Err(VerifyError::ClockSkew { seconds: -960 })
    );
    // Exactly 15 minutes is still accepted.
    assert!(received.verify_with(&body, sent + minutes(15)).is_ok());
    assert!(received.verify_with(&body, sent - minutes(15)).is_ok());
}

#[test]
fn verify_rejects_missing_or_malformed_authorization() {
    let mut received = Received::new();
    received.set_header("Authorization", "SDK-HMAC-SHA256 Access=AK, Signature=00");
    assert_eq!(received.verify(), Err(VerifyError::MalformedAuthorization));
    received.remove_header("Authorization");
    assert_eq!(received.verify(), Err(VerifyError::MissingAuthorization));
}

#[test]
fn verify_requires_every_signed_header_and_a_signed_date() {
    let mut received = Received::new();
    received.remove_header("User-Agent");
    assert_eq!(
        received.verify(),
        Err(VerifyError::MissingSignedHeader("user-agent".to_owned()))
    );

    // A signature that leaves X-Sdk-Date out of SignedHeaders could be replayed forever.
    let v = &received.vector;
    let no_date_signed = format!(
        "SDK-HMAC-SHA256 Access={}, SignedHeaders=host, Signature={}",
        v.ak,
        "0".repeat(64)
    );
    received.set_header("Authorization", &no_date_signed);
    assert_eq!(
        received.verify(),
        Err(VerifyError::MissingSignedHeader("x-sdk-date".to_owned()))
    );
}

#[test]
fn verify_uses_a_signed_unsigned_payload_marker_but_not_an_unsigned_one() {
    let vector = vectors()
        .into_iter()
        .find(|v| v.name == "octet_stream_unsigned_payload")
        .expect("vector present");
    let signed = sign(&vector.request(), &vector.ak, &vector.sk, &vector.date);
    let headers = received_headers(&vector.headers, &signed);
    let secret = |ak: &str| (ak == vector.ak).then(|| vector.sk.clone());
    // UNSIGNED-PAYLOAD was signed, so any body is accepted.
    let other_body = SigningRequest {
        headers: &headers,
        body: b"another body",
        ..vector.request()
    };
    assert!(verify(&other_body, secret, at(&vector.date), FIFTEEN_MINUTES).is_ok());

    // Slip the marker in unsigned: the body is hashed, so the signature no longer fits.
    let json_vector = vectors().swap_remove(0);
    let signed = sign(
        &json_vector.request(),
        &json_vector.ak,
        &json_vector.sk,
        &json_vector.date,
    );
    let mut headers = received_headers(&json_vector.headers, &signed);
    headers.push((
        "X-Sdk-Content-Sha256".to_owned(),
        "UNSIGNED-PAYLOAD".to_owned(),
    ));
    let swapped = SigningRequest {
        headers: &headers,
        body: b"{\"name\": \"evil\"}",
        ..json_vector.request()
    };
    let secret = |ak: &str| (ak == json_vector.ak).then(|| json_vector.sk.clone());
    assert_eq!(
        verify(&swapped, secret, at(&json_vector.date), FIFTEEN_MINUTES),
        Err(VerifyError::SignatureMismatch)
    );
}

/// A request signed by huaweicloudsdkcore 3.1.219 (AK `AKEDGE`, SK `SKEDGE-secret`); the expected
/// texts below were printed by its `Signer`.
fn sdk_case(
    host: &str,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: &[u8],
) -> Signed {
    let owned = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let (query, headers) = (owned(query), owned(headers));
    let request = SigningRequest {
        method,
        host,
        path,
        query: &query,
        headers: &headers,
        body,
    };
    sign(&request, "AKEDGE", "SKEDGE-secret", "20991231T235959Z")
}

#[test]
fn path_with_spaces_unicode_and_escapes_repeated_keys_and_underscore_header() {
    let signed = sdk_case(
        "example.com:8443",
        "get",
        "/v1/my dir/文件 名/a~b/%E4%B8%AD/x%2Fy",
        &[("k", "2"), ("k", "1"), ("k b", "é"), ("a", "")],
        &[
            ("X_Custom", "skip"),
            ("X-Sdk-Date", "20240501T080000Z"),
            ("X-Pad", " \u{1c} v \u{3000}"),
        ],
        b"",
    );
    assert_eq!(
        signed.canonical_request,
        "GET\n/v1/my%20dir/%E6%96%87%E4%BB%B6%20%E5%90%8D/a~b/%E4%B8%AD/x/y/\n\
         a=&k=1&k=2&k%20b=%C3%A9\nhost:example.com:8443\nx-pad:v\nx-sdk-date:20240501T080000Z\n\n\
         host;x-pad;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        signed.authorization,
        "SDK-HMAC-SHA256 Access=AKEDGE, SignedHeaders=host;x-pad;x-sdk-date, \
         Signature=69289089e64b0950c96851e48a0f0dfcea40aa36cab592355d9a2520b56a063b"
    );
    assert_eq!(
        signed.request_uri,
        "/v1/my dir/文件 名/a~b/%E4%B8%AD/x%2Fy?a=&k=1&k=2&k%20b=%C3%A9"
    );
    assert_eq!(
        signed.added_headers,
        [("Host".to_owned(), "example.com:8443".to_owned())]
    );
}

#[test]
fn names_differing_in_case_are_both_signed_with_the_later_value() {
    let signed = sdk_case(
        "h",
        "POST",
        "/p",
        &[],
        &[
            ("X-Foo", "first"),
            ("x-foo", " later "),
            ("Content-Type", "application/json"),
            ("X-Sdk-Date", "20240501T080000Z"),
        ],
        b"{}",
    );
    assert_eq!(
        signed.authorization,
        "SDK-HMAC-SHA256 Access=AKEDGE, SignedHeaders=content-type;host;x-foo;x-foo;x-sdk-date, \
         Signature=a5f863393faf9362d36302d80ea6fc0e5bec50b7d1d5220fd8a09921f508feb1"
    );
}

#[test]
fn content_type_is_looked_up_by_its_exact_name() {
    // Lower-case `content-type` does not trigger UNSIGNED-PAYLOAD in the SDK: the body is hashed.
    let signed = sdk_case(
        "h",
        "PUT",
        "/p",
        &[],
        &[
            ("content-type", "application/octet-stream"),
            ("X-Sdk-Date", "20240501T080000Z"),
        ],
        b"data",
    );
    assert!(signed.added_headers.iter().all(|(name, _)| name == "Host"));
    assert_eq!(
        signed.authorization,
        "SDK-HMAC-SHA256 Access=AKEDGE, SignedHeaders=content-type;host;x-sdk-date, \
         Signature=a5ae46ebccaf3e96c392e94f8649d2433f5753791e3a3c979027213f788494b5"
    );
}

#[test]
fn a_supplied_payload_hash_header_is_used_stripped_and_double_encoded() {
    let signed = sdk_case(
        "h",
        "PUT",
        "/p",
        &[],
        &[
            ("Content-Type", "application/json"),
            ("x-sdk-content-sha256", "  héllo "),
            ("X-Sdk-Date", "20240501T080000Z"),
        ],
        b"data",
    );
    assert!(signed.canonical_request.ends_with("\nhÃ©llo"));
    assert_eq!(
        signed.authorization,
        "SDK-HMAC-SHA256 Access=AKEDGE, SignedHeaders=content-type;host;x-sdk-content-sha256;\
         x-sdk-date, Signature=fb6a335eb9f416ca5890404227488186293008fd6c960fe9c593d93573edb0f9"
    );
}

#[test]
fn a_lenient_date_header_is_normalised_on_the_date_line_only() {
    let signed = sdk_case(
        "h",
        "GET",
        "/p",
        &[],
        &[("x-sdk-date", "2024511t8010z")],
        b"",
    );
    assert!(signed
        .canonical_request
        .contains("\nx-sdk-date:2024511t8010z\n"));
    assert!(signed
        .string_to_sign
        .starts_with("SDK-HMAC-SHA256\n20240511T080100Z\n"));
    assert_eq!(
        signed.authorization,
        "SDK-HMAC-SHA256 Access=AKEDGE, SignedHeaders=host;x-sdk-date, \
         Signature=207831be59c938ecd836f8672821afe39b3d6ec97f767c7c90302a378eef274e"
    );
}

#[test]
fn the_date_argument_is_used_and_reported_when_the_header_is_absent() {
    let signed = sdk_case("h", "GET", "/p", &[], &[], b"");
    assert_eq!(
        signed.added_headers,
        [
            ("X-Sdk-Date".to_owned(), "20991231T235959Z".to_owned()),
            ("Host".to_owned(), "h".to_owned())
        ]
    );
    assert!(signed
        .string_to_sign
        .starts_with("SDK-HMAC-SHA256\n20991231T235959Z\n"));
}

#[test]
fn invalid_escapes_stay_literal_and_bad_utf8_becomes_replacement_characters() {
    assert_eq!(
        canonical_uri("/%zz/%4/%E4%B8/%e4%b8%ad/"),
        "/%25zz/%254/%EF%BF%BD/%E4%B8%AD/"
    );
    let signed = sdk_case(
        "h",
        "GET",
        "/%zz/%4/%E4%B8/%e4%b8%ad/",
        &[],
        &[("X-Sdk-Date", "20240501T080000Z")],
        b"",
    );
    assert_eq!(
        signed.authorization,
        "SDK-HMAC-SHA256 Access=AKEDGE, SignedHeaders=host;x-sdk-date, \
         Signature=0a5d8bd91c33efdfbfa2516e15a28d38c9a77195eb4646efe1578f81af725f5b"
    );
}

#[test]
fn unquote_decodes_ascii_runs_separately_like_cpython() {
    assert_eq!(python_unquote("a%20b"), "a b");
    assert_eq!(python_unquote("%E4%B8%AD文%ad"), "中文\u{fffd}");
    // Three invalid bytes of a surrogate encoding: one replacement each, as CPython's decoder does.
    assert_eq!(python_unquote("%ED%A0%80"), "\u{fffd}\u{fffd}\u{fffd}");
    assert_eq!(python_unquote("100%"), "100%");
    // The shortcut for plain paths gives what the SDK's decode-split-quote gives.
    for path in [
        "/v2/cloudimages/action",
        "/v1/0123456789abcdef/jobs/ff80-80_8.~x",
        "/trailing/",
        "//double//",
        "/",
        "a",
    ] {
        assert_eq!(
            canonical_uri(path),
            canonical_uri_by_segments(path),
            "{path}"
        );
    }
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri("a~b!*'()"), "a~b%21%2A%27%28%29/");
}

#[test]
fn strip_uses_python_whitespace() {
    assert_eq!(python_strip("\u{1f}\u{85} x y\u{2028}\u{3000}"), "x y");
    // U+200B is not whitespace in Python either.
    assert_eq!(python_strip("\u{200b}x"), "\u{200b}x");
}

#[test]
fn query_sorts_raw_pairs_before_encoding() {
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        canonical_query_string(&pairs(&[
            ("k", "中"),
            ("k", "zeta"),
            ("k", "Zeta"),
            ("a b", "+")
        ])),
        "a%20b=%2B&k=Zeta&k=zeta&k=%E4%B8%AD"
    );
    assert_eq!(canonical_query_string(&[]), "");
}

#[test]
fn decode_query_inverts_the_canonical_encoding() {
    let raw = "a%20b=%2B&k=1+2&&flag&k=%E4%B8%AD&bad=%FF&eq=a=b";
    let decoded = decode_query(raw);
    let expected = [
        ("a b", "+"),
        ("k", "1+2"),
        ("flag", ""),
        ("k", "中"),
        ("bad", "\u{fffd}"),
        ("eq", "a=b"),
    ];
    assert_eq!(decoded.len(), expected.len());
    for ((key, value), (want_key, want_value)) in decoded.iter().zip(expected) {
        assert_eq!((key.as_str(), value.as_str()), (want_key, want_value));
    }
    assert!(decode_query("").is_empty());
}

#[test]
fn sdk_dates_format_and_parse() {
    let may_first = UNIX_EPOCH + Duration::from_secs(1_714_550_400);
    assert_eq!(sdk_date(may_first), "20240501T080000Z");
    assert_eq!(parse_sdk_date("20240501T080000Z"), Some(may_first));
    assert_eq!(sdk_date(UNIX_EPOCH), "19700101T000000Z");
    assert_eq!(
        sdk_date(UNIX_EPOCH - Duration::from_millis(500)),
        "19691231T235959Z"
    );
    assert_eq!(
        parse_sdk_date("19691231T235959Z"),
        Some(UNIX_EPOCH - Duration::from_secs(1))
    );
    let leap_day = parse_sdk_date("20240229T235959Z").expect("leap day");
    assert_eq!(sdk_date(leap_day), "20240229T235959Z");
    assert_eq!(
        sdk_date(leap_day + Duration::from_secs(1)),
        "20240301T000000Z"
    );
    for bad in [
        "20230229T000000Z",
        "20241301T000000Z",
        "20240431T000000Z",
        "20240501T240000Z",
        "20240501T086000Z",
        "20240501T080060Z",
        "20240501t080000z",
        "2024051T080000Z",
        "20240501T080000Z ",
        "00000101T000000Z",
        "2024０501T080000Z",
    ] {
        assert_eq!(parse_sdk_date(bad), None, "{bad}");
    }
}

#[test]
fn sdk_dates_round_trip_across_the_years_and_the_day() {
    // About 100,000 moments from year 1 to 9999, at a step that is no whole number of days or hours,
    // so they fall at all times of day; years below 1000 keep their leading zeros, as `%Y` writes them.
    let first = parse_sdk_date("00010101T000000Z").expect("year 1");
    let last = parse_sdk_date("99991231T235959Z").expect("year 9999");
    let span = last.duration_since(first).expect("in order").as_secs();
    let step = span / 100_003;
    for index in 0..=100_003u64 {
        let moment = first + Duration::from_secs(index * step);
        let text = sdk_date(moment);
        assert_eq!(text.len(), 16, "{text}");
        assert_eq!(parse_sdk_date(&text), Some(moment), "{text}");
    }
    assert_eq!(
        sdk_date(first + Duration::from_secs(86_399)),
        "00010101T235959Z"
    );
    assert_eq!(sdk_date(last), "99991231T235959Z");
}

#[test]
fn header_dates_are_read_as_leniently_as_cpython_strptime() {
    // Each expectation was printed by datetime.strptime(..).strftime(..) in CPython 3.11 on Linux.
    for (value, expected) in [
        ("20240501T080000Z", Some("20240501T080000Z")),
        ("20240501t080000z", Some("20240501T080000Z")),
        ("2024511T8010Z", Some("20240511T080100Z")),
        ("2024111T111111Z", Some("20241101T111111Z")),
        ("20245 1T080000Z", Some("20240501T080000Z")),
        ("2024051T081Z", Some("20240501T000801Z")),
        ("00010101T000000Z", Some("10101T000000Z")),
        ("20240431T000000Z", None),
        ("20240501T000060Z", None),
        ("20241301T000000Z", None),
        ("00000101T000000Z", None),
        ("20240501T080000ZZ", None),
        (" 20240501T080000Z", None),
    ] {
        assert_eq!(sdk_header_date(value).as_deref(), expected, "{value}");
    }
}

#[test]
fn long_secret_keys_are_hashed_like_hmac_does() {
    let long_sk = "k".repeat(100);
    let mut reference =
        <Hmac<Sha256> as Mac>::new_from_slice(long_sk.as_bytes()).expect("HMAC takes any key");
    reference.update(b"message");
    assert_eq!(
        hmac_sha256(&long_sk, "message").finalize().into_bytes(),
        reference.finalize().into_bytes()
    );
}

#[test]
fn parse_authorization_accepts_only_the_sdk_shape() {
    let signature = "ab".repeat(32);
    let good =
        format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature={signature}");
    let parsed = parse_authorization(&good).expect("the SDK's own format");
    assert_eq!(parsed.access_key, "AK1");
    assert_eq!(parsed.signed_headers, ["host", "x-sdk-date"]);
    assert_eq!(parsed.signature, signature);
    for bad in [
        format!("SDK-HMAC-SM3 Access=AK1, SignedHeaders=host, Signature={signature}"),
        "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host".to_owned(),
        format!(
            "SDK-HMAC-SHA256 Access=AK1, Access=AK2, SignedHeaders=host, Signature={signature}"
        ),
        format!("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature={signature}"),
        format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;, Signature={signature}"),
        format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature={signature}0"),
        format!(
            "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature={}",
            "zz".repeat(32)
        ),
        format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature={signature}, Extra=1"),
    ] {
        assert_eq!(parse_authorization(&bad), None, "{bad}");
    }
}

#[test]
fn secrets_stay_out_of_debug_and_display() {
    let token = "SECRET-SECURITY-TOKEN";
    let headers = vec![("X-Security-Token".to_owned(), token.to_owned())];
    let request = SigningRequest {
        method: "GET",
        host: "h",
        path: "/",
        query: &[],
        headers: &headers,
        body: b"",
    };
    let sk = "SECRET-SK";
    let signed = sign(&request, "AK", sk, "20240501T080000Z");
    let signature = signed
        .authorization
        .rsplit('=')
        .next()
        .expect("signature part")
        .to_owned();
    let parsed = parse_authorization(&signed.authorization).expect("own output parses");
    for text in [
        format!("{request:?}"),
        format!("{signed:?}"),
        format!("{parsed:?}"),
    ] {
        assert!(
            !text.contains(token) && !text.contains(sk) && !text.contains(&signature),
            "{text}"
        );
    }
}
