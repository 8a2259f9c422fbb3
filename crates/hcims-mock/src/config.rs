//! What the emulator accepts and how its jobs behave.

use std::fmt;

/// The emulator's account, credentials and job behaviour.
///
/// The defaults are fixed, obviously fake example credentials, so tests can rely on them.
#[derive(Clone, PartialEq)]
pub struct MockConfig {
    /// The access key the emulator knows.
    pub ak: String,
    /// The secret key that goes with `ak`.
    pub sk: String,
    /// The account's project; `X-Project-Id` and job paths must name it.
    pub project_id: String,
    /// Set for temporary credentials: AK/SK requests must then carry `X-Security-Token` with this value.
    pub security_token: Option<String>,
    /// Set to accept `X-Auth-Token: <token>` instead of a signature.
    pub auth_token: Option<String>,
    /// How many job queries a job answers RUNNING before it finishes.
    pub job_polls: u32,
    /// When set, a job finishes after this many seconds instead of after `job_polls` queries.
    pub job_seconds: Option<f64>,
    /// A job whose image name (or a data image's name) contains this ends in FAIL.
    pub fail_pattern: Option<String>,
    /// The port to listen on at 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
}

impl MockConfig {
    pub const EXAMPLE_AK: &'static str = "MOCKAKEXAMPLE0000000";
    pub const EXAMPLE_SK: &'static str = "MockSecretKeyExample0000000000000000000000";
    pub const EXAMPLE_PROJECT_ID: &'static str = "0123456789abcdef0123456789abcdef";
    pub const DEFAULT_JOB_POLLS: u32 = 2;
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            ak: Self::EXAMPLE_AK.to_owned(),
            sk: Self::EXAMPLE_SK.to_owned(),
            project_id: Self::EXAMPLE_PROJECT_ID.to_owned(),
            security_token: None,
            auth_token: None,
            job_polls: Self::DEFAULT_JOB_POLLS,
            job_seconds: None,
            fail_pattern: None,
            port: 0,
        }
    }
}

/// Written by hand so the secret key and the tokens never reach a log or an assertion message.
impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked = |secret: &Option<String>| secret.as_ref().map(|_| "***");
        f.debug_struct("MockConfig")
            .field("ak", &self.ak)
            .field("sk", &"***")
            .field("project_id", &self.project_id)
            .field("security_token", &masked(&self.security_token))
            .field("auth_token", &masked(&self.auth_token))
            .field("job_polls", &self.job_polls)
            .field("job_seconds", &self.job_seconds)
            .field("fail_pattern", &self.fail_pattern)
            .field("port", &self.port)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret_key_and_the_tokens() {
        let config = MockConfig {
            sk: "very-secret-key".into(),
            security_token: Some("very-secret-token".into()),
            auth_token: Some("very-secret-iam-token".into()),
            ..MockConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains("very-secret"), "{text}");
        assert!(text.contains(MockConfig::EXAMPLE_AK));
    }
}
