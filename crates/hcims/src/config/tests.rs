//! Where each piece of a configuration comes from, and the checks on it.

use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

fn message(r: Result<ResolvedConfig, Error>) -> String {
    match r {
        Err(Error::Config(m)) => m,
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn arguments_win() {
    let input = ConfigInput {
        region: Some("cn-north-4".into()),
        ak: Some("AK".into()),
        sk: Some(Secret::new("SK")),
        project_id: Some("p1".into()),
        ..Default::default()
    };
    let env = env_of(&[
        (ENV_AK, "ENVAK"),
        (ENV_SK, "ENVSK"),
        (ENV_REGION, "eu-west-0"),
        ("HOME", "/nonexistent"),
    ]);
    let c = resolve(input, &env).unwrap();
    assert_eq!(c.region.as_deref(), Some("cn-north-4"));
    assert_eq!(c.endpoint.base, "https://ims.cn-north-4.myhuaweicloud.com");
    assert_eq!(c.endpoint.host, "ims.cn-north-4.myhuaweicloud.com");
    assert!(matches!(c.credentials, Credentials::AkSk { ref ak, .. } if ak == "AK"));
}

#[test]
fn environment_then_profile() {
    let dir = std::env::temp_dir().join(format!("hcims-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("credentials");
    std::fs::write(
        &file,
        "[other]\nak = X\n[basic]\nAK = PAK\nsk: PSK\nproject_id = pp\n# comment\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let env = env_of(&[
        (ENV_CREDENTIALS_FILE, path),
        (ENV_SDK_REGION, "ap-southeast-1"),
    ]);
    let c = resolve(ConfigInput::default(), &env).unwrap();
    assert_eq!(c.given_project_id(), Some("pp"));
    assert!(
        matches!(c.credentials, Credentials::AkSk { ref ak, ref sk, .. } if ak == "PAK" && sk.expose() == "PSK")
    );
    assert_eq!(c.region.as_deref(), Some("ap-southeast-1"));

    let env = env_of(&[
        (ENV_CREDENTIALS_FILE, path),
        (ENV_REGION, "cn-north-4"),
        (ENV_AK, "EAK"),
        (ENV_SK, "ESK"),
        (ENV_SECURITY_TOKEN, "TOK"),
        (ENV_PROJECT_ID, "ep"),
    ]);
    let c = resolve(ConfigInput::default(), &env).unwrap();
    assert_eq!(c.given_project_id(), Some("ep"));
    assert!(
        matches!(c.credentials, Credentials::AkSk { ref ak, security_token: Some(ref t), .. }
        if ak == "EAK" && t.expose() == "TOK")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn missing_credentials_name_every_place() {
    let env = env_of(&[(ENV_REGION, "cn-north-4"), ("HOME", "/nonexistent-home")]);
    let m = message(resolve(ConfigInput::default(), &env));
    for place in [
        "ak=/sk=",
        "auth_token=",
        ENV_AK,
        ENV_SK,
        "/nonexistent-home/.huaweicloud/credentials (not found)",
    ] {
        assert!(m.contains(place), "{m} lacks {place}");
    }
}

#[test]
fn missing_region_and_project_are_named() {
    let env = env_of(&[(ENV_AK, "a"), (ENV_SK, "b")]);
    let m = message(resolve(ConfigInput::default(), &env));
    assert!(
        m.contains(ENV_REGION) && m.contains(ENV_SDK_REGION) && m.contains(ENV_ENDPOINT),
        "{m}"
    );
    let env = env_of(&[
        (ENV_AK, "a"),
        (ENV_SK, "b"),
        (ENV_ENDPOINT, "https://ims.example.com"),
    ]);
    let m = message(resolve(ConfigInput::default(), &env));
    assert!(
        m.contains("project_id=") && m.contains(ENV_PROJECT_ID) && m.contains("region="),
        "{m}"
    );
}

#[test]
fn without_a_project_it_is_discovered_from_the_regions_iam() {
    let env = env_of(&[(ENV_AK, "a"), (ENV_SK, "b"), (ENV_REGION, "cn-north-4")]);
    let c = resolve(ConfigInput::default(), &env).unwrap();
    let iam = parse_endpoint("https://iam.cn-north-4.myhuaweicloud.com").unwrap();
    assert_eq!(
        c.project,
        Project::Discover {
            region: "cn-north-4".into(),
            iam
        }
    );
    assert_eq!(c.given_project_id(), None);
    let env = env_of(&[
        (ENV_AK, "a"),
        (ENV_SK, "b"),
        (ENV_REGION, "cn-north-4"),
        (ENV_IAM_ENDPOINT, "http://127.0.0.1:9"),
    ]);
    let c = resolve(ConfigInput::default(), &env).unwrap();
    assert!(
        matches!(c.project, Project::Discover { ref iam, .. } if iam.base == "http://127.0.0.1:9")
    );
    let input = ConfigInput {
        iam_endpoint: Some("http://127.0.0.1:7".into()),
        ..ConfigInput::default()
    };
    let c = resolve(input, &env).unwrap();
    assert!(
        matches!(c.project, Project::Discover { ref iam, .. } if iam.base == "http://127.0.0.1:7")
    );
    let input = ConfigInput {
        iam_endpoint: Some("http://iam.example.com".into()),
        ..ConfigInput::default()
    };
    assert!(message(resolve(input, &env)).contains("IAM endpoint"));
}

#[test]
fn a_token_needs_its_project() {
    let env = env_of(&[(ENV_REGION, "cn-north-4")]);
    let input = ConfigInput {
        auth_token: Some(Secret::new("tok")),
        ..ConfigInput::default()
    };
    assert!(message(resolve(input, &env)).contains("auth_token="));
}

#[test]
fn token_instead_of_aksk() {
    let input = ConfigInput {
        endpoint: Some("http://127.0.0.1:8080".into()),
        auth_token: Some(Secret::new("tok")),
        project_id: Some("p".into()),
        ..Default::default()
    };
    let c = resolve(input.clone(), &env_of(&[])).unwrap();
    assert!(matches!(c.credentials, Credentials::Token(_)));
    let both = ConfigInput {
        ak: Some("a".into()),
        sk: Some(Secret::new("s")),
        ..input
    };
    assert!(message(resolve(both, &env_of(&[]))).contains("either"));
}

#[test]
fn half_a_pair_is_an_error() {
    let input = ConfigInput {
        region: Some("cn-north-4".into()),
        ak: Some("a".into()),
        ..Default::default()
    };
    assert!(message(resolve(input, &env_of(&[]))).contains("without sk"));
}

#[test]
fn endpoints() {
    assert_eq!(
        parse_endpoint("http://127.0.0.1:18080/").unwrap(),
        Endpoint {
            base: "http://127.0.0.1:18080".into(),
            host: "127.0.0.1:18080".into()
        }
    );
    assert_eq!(
        parse_endpoint("https://ims.example.com:443").unwrap().host,
        "ims.example.com"
    );
    assert!(parse_endpoint("http://localhost:1").is_ok());
    assert!(parse_endpoint("http://[::1]:1").is_ok());
    for bad in [
        "http://10.0.0.1:80",
        "http://ims.cn-north-4.myhuaweicloud.com",
        "ftp://x",
        "not a url",
        "https://h/path",
        "https://h/?q=1",
        "https://u:p@h",
    ] {
        assert!(parse_endpoint(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn bad_region_refused() {
    let input = ConfigInput {
        region: Some("cn north".into()),
        ..Default::default()
    };
    assert!(message(resolve(input, &env_of(&[]))).contains("not a region"));
}
