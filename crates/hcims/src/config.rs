//! Where a client's region, endpoint, credentials and project come from, and the checks on them.
//!
//! Each piece is looked for in order: the arguments, the environment, then the profile file of Huawei's SDKs
//! (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`, section `[basic]`). When a piece is
//! missing, the error names every place that was looked at.

use std::net::IpAddr;
use std::path::PathBuf;

use reqwest::Url;

use crate::error::Error;
use crate::secret::Secret;

/// What the caller gave explicitly; `None` means "look further".
#[derive(Debug, Clone, Default)]
pub struct ConfigInput {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub ak: Option<String>,
    pub sk: Option<Secret>,
    pub security_token: Option<Secret>,
    pub auth_token: Option<Secret>,
    pub project_id: Option<String>,
    /// Where to discover the project when none is given; `None` looks further.
    pub iam_endpoint: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Credentials {
    /// AK/SK, signed with `SDK-HMAC-SHA256`; temporary credentials carry a security token.
    AkSk {
        ak: String,
        sk: Secret,
        security_token: Option<Secret>,
    },
    /// A project-scoped IAM token sent as `X-Auth-Token`.
    Token(Secret),
}

/// The service's address: the base URL and the `Host` header value that is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub base: String,
    pub host: String,
}

#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    pub region: Option<String>,
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub project: Project,
}

/// The project requests act in: given, or to be asked of IAM on first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Project {
    Given(String),
    /// `GET {iam}/v3/projects?name={region}`, as Huawei's SDKs do when no project id is configured.
    Discover {
        region: String,
        iam: Endpoint,
    },
}

impl ResolvedConfig {
    /// The project id when it was given; a discovered one is known only to the client.
    pub fn given_project_id(&self) -> Option<&str> {
        match &self.project {
            Project::Given(id) => Some(id),
            Project::Discover { .. } => None,
        }
    }
}

pub const ENV_REGION: &str = "HCIMS_REGION";
pub const ENV_SDK_REGION: &str = "HUAWEICLOUD_SDK_REGION";
pub const ENV_ENDPOINT: &str = "HCIMS_ENDPOINT";
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
pub const ENV_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
const PROFILE_SECTION: &str = "basic";

/// Resolves against the process environment and the real profile file.
pub fn resolve_from_environment(input: ConfigInput) -> Result<ResolvedConfig, Error> {
    resolve(input, &|name| std::env::var(name).ok())
}

/// Resolves with `env` standing for the environment (tests pass a map).
pub fn resolve(
    input: ConfigInput,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ResolvedConfig, Error> {
    let env = |name: &str| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let profile = Profile::load(&env);

    let region = input
        .region
        .clone()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| env(ENV_REGION))
        .or_else(|| env(ENV_SDK_REGION));
    if let Some(region) = &region {
        check_region(region)?;
    }
    let endpoint_text = input
        .endpoint
        .clone()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| env(ENV_ENDPOINT));
    let endpoint = match (&endpoint_text, &region) {
        (Some(text), _) => parse_endpoint(text)?,
        (None, Some(region)) => parse_endpoint(&format!("https://ims.{region}.myhuaweicloud.com"))?,
        (None, None) => {
            return Err(Error::Config(format!(
                "no region or endpoint: looked at the region= and endpoint= arguments and the environment \
                 variables {ENV_REGION}, {ENV_SDK_REGION} and {ENV_ENDPOINT}; pass region=\"cn-north-4\" (for example)"
            )))
        }
    };

    let credentials = resolve_credentials(&input, &env, &profile)?;

    let given_project = input
        .project_id
        .clone()
        .filter(|p| !p.trim().is_empty())
        .or_else(|| env(ENV_PROJECT_ID))
        .or_else(|| profile.value("project_id"));
    let project = match given_project {
        Some(project_id) => {
            check_project_id(&project_id)?;
            Project::Given(project_id)
        }
        None => discovery_of(&input, &env, region.as_deref(), &credentials, &profile)?,
    };

    Ok(ResolvedConfig {
        region,
        endpoint,
        credentials,
        project,
    })
}

/// How to find the project nobody gave: IAM is asked for the project named after the region, which
/// needs the region and AK/SK (a token is already scoped to its project, so it comes with the id).
fn discovery_of(
    input: &ConfigInput,
    env: &dyn Fn(&str) -> Option<String>,
    region: Option<&str>,
    credentials: &Credentials,
    profile: &Profile,
) -> Result<Project, Error> {
    let looked = format!(
        "looked at the project_id= argument, the environment variable {ENV_PROJECT_ID} and {}",
        profile.describe()
    );
    if matches!(credentials, Credentials::Token(_)) {
        return Err(Error::Config(format!(
            "no project id: {looked}; with auth_token= give project_id= too (a token is scoped to one project)"
        )));
    }
    let Some(region) = region else {
        return Err(Error::Config(format!(
            "no project id: {looked}; it can only be discovered from IAM for a region, and only an endpoint \
             was given: give project_id= or region="
        )));
    };
    let iam_text = input
        .iam_endpoint
        .clone()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| env(ENV_IAM_ENDPOINT))
        .unwrap_or_else(|| format!("https://iam.{region}.myhuaweicloud.com"));
    let iam = parse_endpoint(&iam_text).map_err(|e| Error::Config(format!("IAM endpoint: {e}")))?;
    Ok(Project::Discover {
        region: region.to_owned(),
        iam,
    })
}

fn resolve_credentials(
    input: &ConfigInput,
    env: &dyn Fn(&str) -> Option<String>,
    profile: &Profile,
) -> Result<Credentials, Error> {
    let ak_arg = input.ak.clone().filter(|a| !a.trim().is_empty());
    let sk_arg = input.sk.clone().filter(|s| !s.expose().trim().is_empty());
    if let Some(token) = input
        .auth_token
        .clone()
        .filter(|t| !t.expose().trim().is_empty())
    {
        if ak_arg.is_some() || sk_arg.is_some() {
            return Err(Error::Config(
                "give either ak=/sk= or auth_token=, not both".to_owned(),
            ));
        }
        return Ok(Credentials::Token(token));
    }
    match (ak_arg, sk_arg) {
        (Some(ak), Some(sk)) => {
            return Ok(Credentials::AkSk {
                ak,
                sk,
                security_token: input.security_token.clone(),
            })
        }
        (Some(_), None) => return Err(Error::Config("ak= was given without sk=".to_owned())),
        (None, Some(_)) => return Err(Error::Config("sk= was given without ak=".to_owned())),
        (None, None) => {}
    }
    // A temporary AK is only valid with its own token, so the token comes from the same place as the pair.
    if let (Some(ak), Some(sk)) = (env(ENV_AK), env(ENV_SK)) {
        return Ok(Credentials::AkSk {
            ak,
            sk: Secret::new(sk),
            security_token: input
                .security_token
                .clone()
                .or_else(|| env(ENV_SECURITY_TOKEN).map(Secret::new)),
        });
    }
    if let (Some(ak), Some(sk)) = (profile.value("ak"), profile.value("sk")) {
        return Ok(Credentials::AkSk {
            ak,
            sk: Secret::new(sk),
            security_token: input
                .security_token
                .clone()
                .or_else(|| profile.value("security_token").map(Secret::new)),
        });
    }
    Err(Error::Config(format!(
        "no credentials: looked at the ak=/sk= and auth_token= arguments, the environment variables {ENV_AK} and \
         {ENV_SK}, and {}",
        profile.describe()
    )))
}

/// The `[basic]` section of the profile file, if there is one.
struct Profile {
    path: Option<PathBuf>,
    state: ProfileState,
}

enum ProfileState {
    Missing,
    Unreadable(String),
    NoSection,
    Loaded(Vec<(String, String)>),
}

impl Profile {
    fn load(env: &dyn Fn(&str) -> Option<String>) -> Profile {
        let path = env(ENV_CREDENTIALS_FILE).map(PathBuf::from).or_else(|| {
            env("HOME")
                .or_else(|| env("USERPROFILE"))
                .map(|home| PathBuf::from(home).join(".huaweicloud").join("credentials"))
        });
        let state = match &path {
            None => ProfileState::Missing,
            Some(p) => match std::fs::read_to_string(p) {
                Ok(text) => match ini_section(&text, PROFILE_SECTION) {
                    Some(pairs) => ProfileState::Loaded(pairs),
                    None => ProfileState::NoSection,
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProfileState::Missing,
                Err(e) => ProfileState::Unreadable(e.to_string()),
            },
        };
        Profile { path, state }
    }

    fn value(&self, key: &str) -> Option<String> {
        match &self.state {
            ProfileState::Loaded(pairs) => pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty()),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        let Some(path) = &self.path else {
            return format!("no profile file ({ENV_CREDENTIALS_FILE} and HOME are unset)");
        };
        let path = path.display();
        match &self.state {
            ProfileState::Missing => format!("the profile file {path} (not found)"),
            ProfileState::Unreadable(e) => format!("the profile file {path} (unreadable: {e})"),
            ProfileState::NoSection => {
                format!("the profile file {path} (no [{PROFILE_SECTION}] section)")
            }
            ProfileState::Loaded(_) => {
                format!("the [{PROFILE_SECTION}] section of the profile file {path}")
            }
        }
    }
}

/// The key/value pairs of one INI section, read as Python's configparser reads them: keys lower-cased,
/// `=` or `:` separators, `#` and `;` comment lines, values trimmed.
fn ini_section(text: &str, wanted: &str) -> Option<Vec<(String, String)>> {
    let mut in_section = false;
    let mut found = false;
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_section = name.trim() == wanted;
            found |= in_section;
            continue;
        }
        if in_section {
            if let Some(at) = line.find(['=', ':']) {
                pairs.push((
                    line[..at].trim().to_lowercase(),
                    line[at + 1..].trim().to_owned(),
                ));
            }
        }
    }
    found.then_some(pairs)
}

fn check_region(region: &str) -> Result<(), Error> {
    let ok = !region.is_empty()
        && region.len() <= 64
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "region {region:?} is not a region name (lower-case letters, digits and '-', like \"cn-north-4\")"
        )))
    }
}

fn check_project_id(project_id: &str) -> Result<(), Error> {
    // Project ids are 32 hex characters; other ids are refused early rather than signed into a 401.
    let ok = !project_id.is_empty()
        && project_id.len() <= 64
        && project_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "project id {project_id:?} is not a project id (letters and digits, like \"0123456789abcdef0123456789abcdef\")"
        )))
    }
}

/// Checks and normalises an endpoint URL. Plain `http://` is refused except for loopback hosts, so
/// credentials and signatures never cross a network in clear text.
pub fn parse_endpoint(text: &str) -> Result<Endpoint, Error> {
    let text = text.trim();
    let url = Url::parse(text)
        .map_err(|e| Error::Config(format!("endpoint {text:?} is not a URL: {e}")))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::Config(format!("endpoint {text:?} has no host")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(Error::Config(format!(
                "endpoint {text:?}: plain http is only allowed to a loopback host (127.0.0.1, localhost, ::1); use https"
            )))
        }
        other => {
            return Err(Error::Config(format!(
                "endpoint {text:?}: scheme {other:?} is not http or https"
            )))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "endpoint {text:?}: user information in the URL is not allowed"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() || !matches!(url.path(), "" | "/") {
        return Err(Error::Config(format!(
            "endpoint {text:?}: give only scheme, host and port (no path, query or fragment)"
        )));
    }
    let host_header = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Ok(Endpoint {
        base: format!("{}://{host_header}", url.scheme()),
        host: host_header,
    })
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
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
}
