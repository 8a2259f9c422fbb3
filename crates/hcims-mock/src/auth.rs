//! The API gateway's authentication: an AK/SK signature (with `X-Project-Id`) or an IAM token.

use std::time::SystemTime;

use axum::http::{HeaderMap, Method, Uri};

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

/// SEAM, temporary until `hcims::sign` lands on main: then this calls `hcims::sign::verify`
/// (15-minute clock skew, `ClockSkew` -> APIGW.0303, everything else -> APIGW.0301).
/// Until then it only checks the header's shape and the access key: it does NOT check the signature.
fn verify_signature(
    config: &MockConfig,
    request: &IncomingRequest<'_>,
    _now: SystemTime,
) -> Result<(), GatewayError> {
    let _ = (request.method, request.uri, request.body);
    let authorization = request.header("authorization").unwrap_or_default();
    let access = authorization
        .strip_prefix("SDK-HMAC-SHA256 ")
        .and_then(|rest| {
            rest.split(',')
                .find_map(|part| part.trim().strip_prefix("Access="))
        });
    match access {
        None => Err(GatewayError::unauthorized(
            AUTH_FAILED,
            "Incorrect IAM authentication information: verify aksk signature fail",
        )),
        Some(ak) if ak != config.ak => Err(GatewayError::unauthorized(
            AUTH_FAILED,
            format!("Incorrect IAM authentication information: Get secretKey failed, ak not exist: {ak}"),
        )),
        Some(_) if request.header("x-sdk-date").is_none() => Err(GatewayError::unauthorized(
            SIGNATURE_EXPIRED,
            "Incorrect App authentication information: X-Sdk-Date not found",
        )),
        Some(_) => Ok(()),
    }
}
