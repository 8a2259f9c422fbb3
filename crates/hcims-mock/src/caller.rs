//! Who sends a call, as the gateway establishes it before IMS (or IAM) acts: extractors that hand
//! a handler the authenticated caller, with the decoded query and the body, or answer the
//! gateway's refusal so the handler never runs.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{to_bytes, Bytes};
use axum::extract::{FromRequest, Request};
use axum::response::Response;
use hcims::sign::decode_query;

use crate::auth::IncomingRequest;
use crate::clock;
use crate::gateway::RequestId;
use crate::replies::GatewayError;
use crate::state::MockState;

/// The caller of an IMS call: the project it acts in (its `X-Project-Id`, or its token's).
#[derive(Debug)]
pub(crate) struct Caller {
    pub project_id: String,
    pub request: CallerRequest,
}

/// The caller of IAM's project list: every project of the access key that signed the request.
#[derive(Debug)]
pub(crate) struct KeyHolder {
    pub project_ids: Vec<String>,
    pub request: CallerRequest,
}

/// What a handler reads of an accepted request besides its path.
#[derive(Debug)]
pub(crate) struct CallerRequest {
    /// The gateway's id of the request, for the gateway's own errors (an unknown path, say).
    pub request_id: String,
    /// The query's pairs, percent-decoded, in their order.
    pub query: Vec<(String, String)>,
    pub body: Bytes,
}

impl CallerRequest {
    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl FromRequest<Arc<MockState>> for Caller {
    type Rejection = Response;

    async fn from_request(request: Request, state: &Arc<MockState>) -> Result<Self, Response> {
        // IMS's gateway checks the signature's date against its own clock, which may be set off.
        let now = clock::shifted(SystemTime::now(), state.config.clock_offset);
        let (project_id, request) = accept(request, |incoming| {
            state.keyring.authenticate(incoming, now)
        })
        .await?;
        Ok(Self {
            project_id,
            request,
        })
    }
}

impl FromRequest<Arc<MockState>> for KeyHolder {
    type Rejection = Response;

    async fn from_request(request: Request, state: &Arc<MockState>) -> Result<Self, Response> {
        // IAM is another service: the gateway's clock offset is not its.
        let (project_ids, request) = accept(request, |incoming| {
            state.keyring.account_projects(incoming, SystemTime::now())
        })
        .await?;
        Ok(Self {
            project_ids,
            request,
        })
    }
}

/// Reads `request` and lets `authenticate` judge it; its refusal is answered as the gateway words it.
async fn accept<T>(
    request: Request,
    authenticate: impl FnOnce(&IncomingRequest<'_>) -> Result<T, GatewayError>,
) -> Result<(T, CallerRequest), Response> {
    let (parts, body) = request.into_parts();
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|RequestId(id)| id.clone())
        .unwrap_or_default();
    // The gateway has read the body whole already (within its limit): this cannot fall short.
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let incoming = IncomingRequest {
        method: &parts.method,
        uri: &parts.uri,
        headers: &parts.headers,
        body: &body,
    };
    match authenticate(&incoming) {
        Ok(accepted) => Ok((
            accepted,
            CallerRequest {
                request_id,
                query: decode_query(parts.uri.query().unwrap_or_default()),
                body,
            },
        )),
        Err(refusal) => Err(refusal.into_response(&request_id)),
    }
}
