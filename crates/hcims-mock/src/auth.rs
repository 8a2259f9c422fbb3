//! The API gateway's authentication: an AK/SK signature (with `X-Project-Id`) or an IAM token.

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

/// Accepts the request or says, as the gateway would, why not. Never echoes a secret.
pub(crate) fn authenticate(
    config: &MockConfig,
    request: &IncomingRequest<'_>,
    now: SystemTime,
) -> Result<(), GatewayError> {
    if let Some(token) = request.headers.get("x-auth-token") {
        // A token takes precedence over a signature, as at the real gateway.
        return match &config.auth_token {
            Some(expected) if token.as_bytes() == expected.as_bytes() => Ok(()),
            _ => Err(GatewayError::unauthorized(
                AUTH_FAILED,
                "Incorrect IAM authentication information: decrypt token fail",
            )),
        };
    }
    if request.headers.get("authorization").is_none() {
        return Err(GatewayError::unauthorized(
            AUTH_FAILED,
            "Incorrect IAM authentication information: x-auth-token or authorization not found",
        ));
    }
    verify_signature(config, request, now)?;
    check_security_token(config, request)?;
    match request.header("x-project-id") {
        Some(project) if project == config.project_id => Ok(()),
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

/// Temporary credentials only work with their security token; permanent ones with none.
fn check_security_token(
    config: &MockConfig,
    request: &IncomingRequest<'_>,
) -> Result<(), GatewayError> {
    let sent = request.headers.get("x-security-token");
    match (&config.security_token, sent) {
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

/// Checks the AK/SK signature with the core's verifier, on the request exactly as received.
fn verify_signature(
    config: &MockConfig,
    request: &IncomingRequest<'_>,
    now: SystemTime,
) -> Result<(), GatewayError> {
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
    let secret_for = |ak: &str| (ak == config.ak).then(|| config.sk.clone());
    match verify(&signing, secret_for, now, MAX_CLOCK_SKEW) {
        Ok(_) => Ok(()),
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
