//! Where a client's region, endpoint, credentials and project come from, and the checks on them.
//!
//! Each piece is looked for in order: the arguments, the environment, then the profile file of Huawei's SDKs
//! (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`, section `[basic]`). When a piece is
//! missing, the error names every place that was looked at.

use std::net::IpAddr;

use reqwest::Url;

use crate::error::Error;
use crate::secret::Secret;

mod profile;
use profile::Profile;

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
    // A temporary AK is only valid with its own token, so the token comes from the same place as the pair
    // (unless given as an argument).
    let pair_with_token = |ak, sk, token: Option<String>| Credentials::AkSk {
        ak,
        sk: Secret::new(sk),
        security_token: input
            .security_token
            .clone()
            .or_else(|| token.map(Secret::new)),
    };
    if let (Some(ak), Some(sk)) = (env(ENV_AK), env(ENV_SK)) {
        return Ok(pair_with_token(ak, sk, env(ENV_SECURITY_TOKEN)));
    }
    if let (Some(ak), Some(sk)) = (profile.value("ak"), profile.value("sk")) {
        return Ok(pair_with_token(ak, sk, profile.value("security_token")));
    }
    Err(Error::Config(format!(
        "no credentials: looked at the ak=/sk= and auth_token= arguments, the environment variables {ENV_AK} and \
         {ENV_SK}, and {}",
        profile.describe()
    )))
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
mod tests;
