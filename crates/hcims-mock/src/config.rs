//! What the emulator accepts and how its jobs behave.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::time::Duration;

/// One more AK/SK pair the emulator knows, bound to one or several projects.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub ak: String,
    pub sk: String,
    /// Set for temporary credentials: requests must then carry `X-Security-Token` with this value.
    pub security_token: Option<String>,
    /// The projects `X-Project-Id` may name with this key.
    pub project_ids: Vec<String>,
}

/// Written by hand so the secret key and the token never reach a log or an assertion message.
impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("ak", &self.ak)
            .field("sk", &"***")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .field("project_ids", &self.project_ids)
            .finish()
    }
}

/// The emulator's accounts, credentials, rules and job behaviour.
///
/// The defaults are fixed, obviously fake example credentials, so tests can rely on them. The
/// first account (`ak`, `sk`, `project_id`, `security_token`, `auth_token`) is the simple
/// single-project set-up; `accounts` and `tokens` add more keys and projects. Each project has
/// its own jobs, images and quota.
#[derive(Clone, PartialEq)]
pub struct MockConfig {
    /// The access key the emulator knows.
    pub ak: String,
    /// The secret key that goes with `ak`.
    pub sk: String,
    /// The project of `ak` (and of `auth_token`).
    pub project_id: String,
    /// Set for temporary credentials: AK/SK requests must then carry `X-Security-Token` with this value.
    pub security_token: Option<String>,
    /// Set to accept `X-Auth-Token: <token>` instead of a signature, scoped to `project_id`.
    pub auth_token: Option<String>,
    /// More AK/SK pairs, each bound to its projects.
    pub accounts: Vec<Account>,
    /// More IAM tokens: token -> the project it is scoped to.
    pub tokens: BTreeMap<String, String>,
    /// How many job queries a job answers INIT before it runs (0: it runs from the first query).
    pub init_polls: u32,
    /// How many job queries a job answers RUNNING before it finishes.
    pub job_polls: u32,
    /// When set, a job finishes after this many seconds instead of after `job_polls` queries.
    pub job_seconds: Option<f64>,
    /// How long after its create was accepted an image shows in `GET /v2/cloudimages` (IMS lists
    /// an image a little after it accepts the job); 0: at once.
    pub listing_delay: Duration,
    /// A job whose image name (or a data image's name) contains this ends in FAIL.
    pub fail_pattern: Option<String>,
    /// The share of jobs (0.0 to 1.0) that end in FAIL, drawn at random when each job is created.
    pub fail_rate: f64,
    /// Seeds the draws of `fail_rate`, so a run can be repeated; `None` seeds from the system.
    pub seed: Option<u64>,
    /// When set, a create naming an image that exists (or is being made) in the project is IMG.0009.
    pub unique_names: bool,
    /// When set, the number of private images a project may hold (IMS's default is 50): IMG.0015 beyond.
    pub image_quota: Option<u32>,
    /// When set, the ECS ids that exist: a server image of any other `instance_id` is IMG.0005.
    pub instances: Option<Vec<String>>,
    /// When set, requests above this rate are refused with 429 `APIGW.0308`, as the gateway does.
    pub rate_limit_per_second: Option<f64>,
    /// Whether requests are recorded for [`crate::MockIms::requests`].
    pub record_requests: bool,
    /// The most requests kept; older ones are dropped first.
    pub max_recorded_requests: usize,
    /// The most jobs kept; the oldest job (and its images) is forgotten first. `None`: no limit.
    pub max_jobs: Option<usize>,
    /// When set, the most jobs (INIT or RUNNING) a project may have at once, as IMS's 40 per tenant:
    /// a create beyond is refused with IMG.0060 (task flow control). Also turns on counting
    /// [`crate::MockIms::peak_running_jobs`]. `None` (the default): no limit, nothing counted.
    pub max_running_jobs: Option<usize>,
    /// The port to listen on at 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
    /// How long after a request arrives its answer leaves (at the least): the network's round trip
    /// and the service's own time, for measuring clients as over a real link. Zero by default.
    pub response_delay: Duration,
    /// Seconds the gateway's clock is ahead of the real one (negative: behind), for testing how
    /// clients handle a skewed clock: signatures more than 15 minutes off are refused (APIGW.0303).
    pub clock_offset: f64,
    /// Serve HTTPS with this certificate chain and private key (both PEM) instead of plain HTTP.
    pub tls: Option<(String, String)>,
    /// The region every project is named after at the emulated IAM (`GET /v3/projects?name=`).
    pub region: String,
    /// The live OS list `GET /v1/cloudimages/os_version` serves; `None` serves hcims's bundled list.
    pub os_versions: Option<Vec<String>>,
}

impl MockConfig {
    pub const EXAMPLE_AK: &'static str = "MOCKAKEXAMPLE0000000";
    pub const EXAMPLE_SK: &'static str = "MockSecretKeyExample0000000000000000000000";
    pub const EXAMPLE_PROJECT_ID: &'static str = "0123456789abcdef0123456789abcdef";
    pub const DEFAULT_JOB_POLLS: u32 = 2;
    /// Enough for any test; a long benchmark keeps only the latest.
    pub const DEFAULT_MAX_RECORDED_REQUESTS: usize = 10_000;
    /// Enough for any test; a long benchmark forgets the oldest jobs.
    pub const DEFAULT_MAX_JOBS: usize = 100_000;
    pub const DEFAULT_REGION: &'static str = "cn-north-4";
    /// The private-image quota `GET /v1/cloudimages/quota` reports when `image_quota` is unset.
    pub const DEFAULT_IMAGE_QUOTA: u32 = 50;

    /// Every project some key or token can reach, the first account's first.
    pub fn project_ids(&self) -> Vec<String> {
        let mut projects = vec![self.project_id.clone()];
        let more = self
            .accounts
            .iter()
            .flat_map(|account| account.project_ids.iter())
            .chain(self.tokens.values());
        for project in more {
            if !projects.contains(project) {
                projects.push(project.clone());
            }
        }
        projects
    }

    /// Refuses settings the emulator cannot honour, naming the setting.
    pub fn check(&self) -> io::Result<()> {
        let invalid = |message: String| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        if let Some(seconds) = self.job_seconds {
            if !(seconds.is_finite() && seconds >= 0.0) {
                return invalid(format!(
                    "job_seconds must be a finite number of seconds, at least 0; got {seconds}"
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.fail_rate) {
            return invalid(format!(
                "fail_rate must be between 0.0 and 1.0; got {}",
                self.fail_rate
            ));
        }
        if let Some(rate) = self.rate_limit_per_second {
            if !(rate.is_finite() && rate > 0.0) {
                return invalid(format!(
                    "rate_limit_per_second must be a finite number above 0; got {rate}"
                ));
            }
        }
        if !(self.clock_offset.is_finite() && self.clock_offset.abs() < 1e9) {
            return invalid(format!(
                "clock_offset must be a finite number of seconds; got {}",
                self.clock_offset
            ));
        }
        if self.max_jobs == Some(0) {
            return invalid("max_jobs must be at least 1".to_owned());
        }
        let mut aks = vec![self.ak.as_str()];
        for account in &self.accounts {
            if account.project_ids.is_empty() {
                return invalid(format!(
                    "the account {:?} must be bound to at least one project",
                    account.ak
                ));
            }
            if aks.contains(&account.ak.as_str()) {
                return invalid(format!("the access key {:?} is given twice", account.ak));
            }
            aks.push(&account.ak);
        }
        if let Some(token) = &self.auth_token {
            if self.tokens.contains_key(token) {
                return invalid("auth_token is also one of tokens".to_owned());
            }
        }
        for ak in aks {
            if ak.is_empty() {
                return invalid("an access key must not be empty".to_owned());
            }
        }
        Ok(())
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            ak: Self::EXAMPLE_AK.to_owned(),
            sk: Self::EXAMPLE_SK.to_owned(),
            project_id: Self::EXAMPLE_PROJECT_ID.to_owned(),
            security_token: None,
            auth_token: None,
            accounts: Vec::new(),
            tokens: BTreeMap::new(),
            init_polls: 0,
            job_polls: Self::DEFAULT_JOB_POLLS,
            job_seconds: None,
            listing_delay: Duration::ZERO,
            fail_pattern: None,
            fail_rate: 0.0,
            seed: None,
            unique_names: false,
            image_quota: None,
            instances: None,
            rate_limit_per_second: None,
            record_requests: true,
            max_recorded_requests: Self::DEFAULT_MAX_RECORDED_REQUESTS,
            max_jobs: Some(Self::DEFAULT_MAX_JOBS),
            max_running_jobs: None,
            response_delay: Duration::ZERO,
            port: 0,
            clock_offset: 0.0,
            tls: None,
            region: Self::DEFAULT_REGION.to_owned(),
            os_versions: None,
        }
    }
}

/// Written by hand so the secret keys and the tokens never reach a log or an assertion message.
impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked = |secret: &Option<String>| secret.as_ref().map(|_| "***");
        let token_projects: Vec<&String> = self.tokens.values().collect();
        f.debug_struct("MockConfig")
            .field("ak", &self.ak)
            .field("sk", &"***")
            .field("project_id", &self.project_id)
            .field("security_token", &masked(&self.security_token))
            .field("auth_token", &masked(&self.auth_token))
            .field("accounts", &self.accounts)
            .field("token_projects", &token_projects)
            .field("init_polls", &self.init_polls)
            .field("job_polls", &self.job_polls)
            .field("job_seconds", &self.job_seconds)
            .field("listing_delay", &self.listing_delay)
            .field("fail_pattern", &self.fail_pattern)
            .field("fail_rate", &self.fail_rate)
            .field("seed", &self.seed)
            .field("unique_names", &self.unique_names)
            .field("image_quota", &self.image_quota)
            .field("instances", &self.instances)
            .field("rate_limit_per_second", &self.rate_limit_per_second)
            .field("record_requests", &self.record_requests)
            .field("max_recorded_requests", &self.max_recorded_requests)
            .field("max_jobs", &self.max_jobs)
            .field("max_running_jobs", &self.max_running_jobs)
            .field("response_delay", &self.response_delay)
            .field("port", &self.port)
            .field("clock_offset", &self.clock_offset)
            .field("tls", &self.tls.is_some())
            .field("region", &self.region)
            .field("os_versions", &self.os_versions.as_ref().map(Vec::len))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(ak: &str, projects: &[&str]) -> Account {
        Account {
            ak: ak.into(),
            sk: "very-secret-account-key".into(),
            security_token: Some("very-secret-account-token".into()),
            project_ids: projects.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn debug_hides_the_secret_keys_and_the_tokens() {
        let config = MockConfig {
            sk: "very-secret-key".into(),
            security_token: Some("very-secret-token".into()),
            auth_token: Some("very-secret-iam-token".into()),
            accounts: vec![account("AK2", &["p2"])],
            tokens: BTreeMap::from([("very-secret-other-token".into(), "p3".into())]),
            ..MockConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("very-secret"), "{text}");
        assert!(text.contains(MockConfig::EXAMPLE_AK));
        assert!(text.contains("p2") && text.contains("p3"), "{text}");
    }

    #[test]
    fn projects_are_gathered_once_each_the_first_accounts_first() {
        let config = MockConfig {
            accounts: vec![
                account("AK2", &["p2", MockConfig::EXAMPLE_PROJECT_ID]),
                account("AK3", &["p2", "p3"]),
            ],
            tokens: BTreeMap::from([("t".into(), "p4".into())]),
            ..MockConfig::default()
        };
        assert_eq!(
            config.project_ids(),
            [MockConfig::EXAMPLE_PROJECT_ID, "p2", "p3", "p4"]
        );
    }

    #[test]
    fn the_defaults_are_valid() {
        MockConfig::default().check().unwrap();
    }

    #[test]
    fn impossible_settings_are_refused_with_their_name() {
        let cases = [
            (
                MockConfig {
                    job_seconds: Some(f64::NAN),
                    ..MockConfig::default()
                },
                "job_seconds",
            ),
            (
                MockConfig {
                    fail_rate: 1.5,
                    ..MockConfig::default()
                },
                "fail_rate",
            ),
            (
                MockConfig {
                    fail_rate: f64::NAN,
                    ..MockConfig::default()
                },
                "fail_rate",
            ),
            (
                MockConfig {
                    rate_limit_per_second: Some(0.0),
                    ..MockConfig::default()
                },
                "rate_limit_per_second",
            ),
            (
                MockConfig {
                    max_jobs: Some(0),
                    ..MockConfig::default()
                },
                "max_jobs",
            ),
            (
                MockConfig {
                    accounts: vec![account("AK2", &[])],
                    ..MockConfig::default()
                },
                "at least one project",
            ),
            (
                MockConfig {
                    accounts: vec![account(MockConfig::EXAMPLE_AK, &["p"])],
                    ..MockConfig::default()
                },
                "given twice",
            ),
            (
                MockConfig {
                    auth_token: Some("t".into()),
                    tokens: BTreeMap::from([("t".into(), "p".into())]),
                    ..MockConfig::default()
                },
                "auth_token",
            ),
            (
                MockConfig {
                    ak: String::new(),
                    ..MockConfig::default()
                },
                "access key",
            ),
        ];
        for (config, needle) in cases {
            let error = config.check().expect_err(needle);
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
            assert!(error.to_string().contains(needle), "{error}");
        }
    }
}
