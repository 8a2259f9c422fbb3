//! Property tests over the parsers of what servers and users send: error bodies, job documents, image
//! specs and signatures. Arbitrary input must give a value or an error, never a panic, and what
//! validates must stay valid once serialised. `HCIMS_FUZZ_CASES=100000 cargo test -p hcims --test fuzz`
//! runs longer by hand; CI runs the default.

use std::time::{Duration, SystemTime};

use hcims::error_body::parse_error_body;
use hcims::sign::{self, verify, SigningRequest};
use hcims::spec::{ImageSpec, Mode, UnknownKeys};
use hcims::Job;
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

fn cases() -> u32 {
    std::env::var("HCIMS_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
}

const KEYS: [&str; 24] = [
    "name",
    "description",
    "instance_id",
    "data_images",
    "image_url",
    "volume_id",
    "min_disk",
    "min_ram",
    "max_ram",
    "os_version",
    "type",
    "os_type",
    "architecture",
    "tags",
    "image_tags",
    "is_config",
    "is_quick_import",
    "enterprise_project_id",
    "extra",
    "key",
    "value",
    "status",
    "entities",
    "error",
];

/// JSON values biased toward the keys and shapes the parsers look for.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<u64>().prop_map(|n| Value::Number(n.into())),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        prop::sample::select(vec![
            "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            "bucket:file.iso",
            "CentOS 7.0 64bit",
            "SUCCESS",
            "RUNNING",
            "FAIL",
            "IMG.0060",
            "a.b",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                        ".{0,8}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn modes() -> impl Strategy<Value = Option<Mode>> {
    prop::sample::select(vec![
        None,
        Some(Mode::Server),
        Some(Mode::DataImages),
        Some(Mode::Obs),
        Some(Mode::Volume),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn error_bodies_of_any_bytes_parse_without_panic(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_error_body(&body);
    }

    #[test]
    fn error_bodies_of_any_json_parse_without_panic(value in json()) {
        let parsed = parse_error_body(value.to_string().as_bytes());
        if let Some(code) = parsed.code {
            prop_assert!(!code.is_empty());
        }
    }

    #[test]
    fn job_documents_of_any_json_parse_or_fail_cleanly(value in json(), id in "[a-f0-9]{32}") {
        if let Ok(job) = Job::from_json(value, &id) {
            prop_assert!(!job.id.is_empty());
            if let Some(progress) = job.progress {
                prop_assert!((0.0..=1.0).contains(&progress), "{progress}");
            }
        }
    }

    #[test]
    fn specs_of_any_json_validate_or_report_every_error(value in json(), mode in modes()) {
        for unknown in [UnknownKeys::Reject, UnknownKeys::Keep] {
            match ImageSpec::from_json(mode, &value, unknown) {
                Ok(spec) => {
                    // What validated goes out as JSON that validates again, the same way.
                    prop_assert!(spec.validate().is_ok());
                    let body: Value = serde_json::from_slice(&spec.to_body()).expect("the body is JSON");
                    let again = ImageSpec::from_json(Some(spec.mode()), &body, unknown);
                    prop_assert!(again.is_ok(), "{body}: {again:?}");
                }
                Err(errors) => prop_assert!(!errors.0.is_empty()),
            }
        }
    }

    #[test]
    fn signatures_of_arbitrary_requests_verify_and_tampering_is_caught(
        path in "/[a-zA-Z0-9/_.~-]{0,30}",
        body in prop::collection::vec(any::<u8>(), 0..200),
        query in prop::collection::vec((".{0,6}", ".{0,6}"), 0..3),
        header_value in "[ -~]{0,20}",
    ) {
        let headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Project-Id".to_owned(), header_value),
        ];
        let request = SigningRequest {
            method: "POST",
            host: "ims.example.com",
            path: &path,
            query: &query,
            headers: &headers,
            body: &body,
        };
        let now = SystemTime::now();
        let signed = sign::sign(&request, "AK", "SK", &sign::sdk_date(now));
        let mut all_headers = headers.clone();
        all_headers.extend(signed.added_headers.clone());
        all_headers.push(("Authorization".to_owned(), signed.authorization.clone()));
        let received = SigningRequest { headers: &all_headers, ..request };
        let secret = |ak: &str| (ak == "AK").then(|| "SK".to_owned());
        prop_assert_eq!(verify(&received, secret, now, Duration::from_secs(900)).ok(), Some("AK".to_owned()));
        let mut tampered = body.clone();
        tampered.push(b'!');
        let changed = SigningRequest { body: &tampered, ..received };
        prop_assert!(verify(&changed, secret, now, Duration::from_secs(900)).is_err());
    }

    #[test]
    fn authorization_headers_of_any_text_fail_cleanly(authorization in ".{0,120}") {
        let headers = vec![("Authorization".to_owned(), authorization)];
        let request = SigningRequest {
            method: "GET",
            host: "h",
            path: "/",
            query: &[],
            headers: &headers,
            body: b"",
        };
        let _ = verify(&request, |_| Some("SK".to_owned()), SystemTime::now(), Duration::from_secs(900));
    }
}
