//! The API gateway's authentication: an AK/SK signature (with `X-Project-Id`) or an IAM token.
//! Either way the answer is the project the request acts in.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, Method, Uri};
use hcims::sign::{decode_query, verify, SigningRequest, VerifyError};

use crate::config::MockConfig;
use crate::replies::GatewayError;

/// The gateway's code for a signature, access key or token it does not accept.
pub(crate) const AUTH_FAILED: &str = "APIGW.0301";
/// The gateway's code for a signature dated more than 15 minutes from its clock.
pub(crate) const SIGNATURE_EXPIRED: &str = "APIGW.0303";

/// The parts of a request that authentication looks at.
pub(crate) struct IncomingRequest<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl IncomingRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

#[derive(Debug)]
struct AccessKey {
    sk: String,
    security_token: Option<String>,
    project_ids: Vec<String>,
}

/// Every access key and token the gateway accepts, and the projects each may act in.
#[derive(Debug)]
pub(crate) struct Keyring {
    keys: HashMap<String, AccessKey>,
    /// Token -> the project it is scoped to.
    tokens: HashMap<String, String>,
}

impl Keyring {
    pub fn new(config: &MockConfig) -> Self {
        let mut keys = HashMap::new();
        keys.insert(
            config.ak.clone(),
            AccessKey {
                sk: config.sk.clone(),
                security_token: config.security_token.clone(),
                project_ids: vec![config.project_id.clone()],
            },
        );
        for account in &config.accounts {
            keys.insert(
                account.ak.clone(),
                AccessKey {
                    sk: account.sk.clone(),
                    security_token: account.security_token.clone(),
                    project_ids: account.project_ids.clone(),
                },
            );
        }
        let mut tokens: HashMap<String, String> = config
            .tokens
            .iter()
            .map(|(token, project)| (token.clone(), project.clone()))
            .collect();
        if let Some(token) = &config.auth_token {
            tokens.insert(token.clone(), config.project_id.clone());
        }
        Self { keys, tokens }
    }

    /// Accepts the request and names its project, or says, as the gateway would, why not. Never
    /// echoes a secret.
    pub fn authenticate(
        &self,
        request: &IncomingRequest<'_>,
        now: SystemTime,
    ) -> Result<String, GatewayError> {
        if let Some(token) = request.headers.get("x-auth-token") {
            // A token takes precedence over a signature, as at the real gateway; it names its project.
            return token
                .to_str()
                .ok()
                .and_then(|token| self.tokens.get(token))
                .cloned()
                .ok_or_else(|| {
                    GatewayError::unauthorized(
                        AUTH_FAILED,
                        "Incorrect IAM authentication information: decrypt token fail",
                    )
                });
        }
        let key = self.signing_key(
            request,
            now,
            "Incorrect IAM authentication information: x-auth-token or authorization not found",
        )?;
        match request.header("x-project-id") {
            Some(project) if key.project_ids.iter().any(|own| own == project) => {
                Ok(project.to_owned())
            }
            Some(project) => Err(GatewayError::unauthorized(
                AUTH_FAILED,
                format!("Incorrect IAM authentication information: project {project:?} does not belong to this access key"),
            )),
            None => Err(GatewayError::unauthorized(
                AUTH_FAILED,
                "Incorrect IAM authentication information: X-Project-Id not found",
            )),
        }
    }

    /// The projects of the access key that signed `request`, for IAM, which needs no `X-Project-Id`.
    pub fn account_projects(
        &self,
        request: &IncomingRequest<'_>,
        now: SystemTime,
    ) -> Result<Vec<String>, GatewayError> {
        let key = self.signing_key(
            request,
            now,
            "Incorrect IAM authentication information: authorization not found",
        )?;
        Ok(key.project_ids.clone())
    }

    /// The access key that signed `request`, its signature and security token checked; `unsigned`
    /// is the refusal of a request with no `Authorization`.
    fn signing_key(
        &self,
        request: &IncomingRequest<'_>,
        now: SystemTime,
        unsigned: &str,
    ) -> Result<&AccessKey, GatewayError> {
        if request.headers.get("authorization").is_none() {
            return Err(GatewayError::unauthorized(AUTH_FAILED, unsigned));
        }
        let key = self.verify_signature(request, now)?;
        check_security_token(key, request)?;
        Ok(key)
    }

    /// Checks the AK/SK signature with the core's verifier, on the request exactly as received.
    fn verify_signature(
        &self,
        request: &IncomingRequest<'_>,
        now: SystemTime,
    ) -> Result<&AccessKey, GatewayError> {
        let headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let query = decode_query(request.uri.query().unwrap_or_default());
        let signing = SigningRequest {
            method: request.method.as_str(),
            host: request.header("host").unwrap_or_default(),
            path: request.uri.path(),
            query: &query,
            headers: &headers,
            body: request.body,
        };
        let secret_for = |ak: &str| self.keys.get(ak).map(|key| key.sk.clone());
        match verify(&signing, secret_for, now, MAX_CLOCK_SKEW) {
            Ok(ak) => self.keys.get(&ak).ok_or_else(|| {
                GatewayError::unauthorized(
                    AUTH_FAILED,
                    "Incorrect IAM authentication information: ak not exist",
                )
            }),
            Err(error @ VerifyError::ClockSkew { .. }) => Err(GatewayError::unauthorized(
                SIGNATURE_EXPIRED,
                format!("Incorrect App authentication information: {error}"),
            )),
            Err(error) => Err(GatewayError::unauthorized(
                AUTH_FAILED,
                format!("Incorrect IAM authentication information: {error}"),
            )),
        }
    }
}

/// Temporary credentials only work with their security token; permanent ones with none.
fn check_security_token(
    key: &AccessKey,
    request: &IncomingRequest<'_>,
) -> Result<(), GatewayError> {
    let sent = request.headers.get("x-security-token");
    match (&key.security_token, sent) {
        (Some(expected), Some(sent)) if sent.as_bytes() == expected.as_bytes() => Ok(()),
        (None, None) => Ok(()),
        (Some(_), None) => Err(GatewayError::unauthorized(
            AUTH_FAILED,
            "Incorrect IAM authentication information: this access key is temporary and X-Security-Token is missing",
        )),
        (Some(_), Some(_)) => Err(GatewayError::unauthorized(
            AUTH_FAILED,
            "Incorrect IAM authentication information: the X-Security-Token is not valid",
        )),
        (None, Some(_)) => Err(GatewayError::unauthorized(
            AUTH_FAILED,
            "Incorrect IAM authentication information: X-Security-Token sent with a permanent access key",
        )),
    }
}

/// The gateway accepts signatures dated up to 15 minutes either side of its clock.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);
