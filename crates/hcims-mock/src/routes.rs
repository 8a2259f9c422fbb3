//! The HTTP face of the emulator: the gateway layer every request passes, then the IMS routes.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::json;

use crate::account;
use crate::auth::IncomingRequest;
use crate::faults::FaultAction;
use crate::ids;
use crate::images::ImageQuery;
use crate::recording::RecordedRequest;
use crate::replies::{json_response, GatewayError, ImsError};
use crate::rules;
use crate::state::MockState;

/// The gateway refuses bodies above 12 MB (APIGW.0201), the limit of AK/SK signing.
const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;
/// IMS's code when the project in a job path is not the caller's.
const PROJECT_MISMATCH: &str = "IMG.0030";
/// The docs name no code for an unknown job id; this one is the emulator's own.
pub(crate) const JOB_NOT_FOUND: &str = "IMG.0404";
/// The gateway's code for a path or method no API is published at.
pub(crate) const API_NOT_FOUND: &str = "APIGW.0101";

/// The id of the request being served, also sent as `X-Request-Id`.
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

pub(crate) fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/v2/cloudimages/action", post(create_image))
        .route("/v2/cloudimages", get(list_images))
        .route("/v1/{project_id}/jobs/{job_id}", get(show_job))
        .route("/v1/cloudimages/job/{job_id}", get(show_job_progress))
        .route("/v1/cloudimages/os_version", get(account::list_os_versions))
        .route("/v1/cloudimages/quota", get(account::show_quota))
        .route("/v3/projects", get(account::list_projects))
        .fallback(unknown_api)
        .method_not_allowed_fallback(unknown_api)
        .layer(middleware::from_fn_with_state(state.clone(), gateway))
        .with_state(state)
}

/// What the API gateway does before IMS sees a request: give it an id, answer a scripted fault
/// when one matches, read the body, record the request, throttle.
async fn gateway(State(state): State<Arc<MockState>>, request: Request, next: Next) -> Response {
    let arrived = std::time::Instant::now();
    let request_id = ids::request_id();
    let (mut parts, body) = request.into_parts();
    let fault = state.faults.take(&parts.method, parts.uri.path());
    if let Some(fault) = fault
        .as_ref()
        .filter(|f| f.action == FaultAction::DropBeforeBody)
    {
        // The body is never read, so it is recorded empty.
        record(&state, &parts, Bytes::new());
        return fault.clone().into_response().await;
    }
    // A body that cannot be read whole (too large, or the client went away) is recorded empty.
    let body = to_bytes(body, MAX_BODY_BYTES).await;
    let body_complete = body.is_ok();
    let body = body.unwrap_or_default();
    record(&state, &parts, body.clone());
    let mut response = if let Some(fault) = fault {
        fault.into_response().await
    } else if !body_complete {
        let error = GatewayError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "APIGW.0201",
            message: "Request entity too large".into(),
        };
        error.into_response(&request_id)
    } else if let Some(Err(throttled)) = state.rate_limit.as_ref().map(|limit| limit.admit()) {
        throttled.into_response(&request_id)
    } else {
        parts.extensions.insert(RequestId(request_id.clone()));
        next.run(Request::from_parts(parts, Body::from(body))).await
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    if let Some(latency) = &state.latency {
        // Counted from the arrival, so the emulator's own work is part of the delay, not added to it.
        latency
            .hold_until(arrived + state.config.response_delay)
            .await;
    }
    response
}

fn record(state: &MockState, parts: &Parts, body: Bytes) {
    if !state.recorder.enabled() {
        return;
    }
    state.recorder.record(RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    });
}

/// The caller's project, or the gateway's refusal.
pub(crate) fn authenticate(
    state: &MockState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, GatewayError> {
    let incoming = IncomingRequest {
        method,
        uri,
        headers,
        body,
    };
    let gateway_now = crate::clock::shifted(SystemTime::now(), state.config.clock_offset);
    state.keyring.authenticate(&incoming, gateway_now)
}

async fn create_image(
    State(state): State<Arc<MockState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let project_id = match authenticate(&state, &method, &uri, &headers, &body) {
        Ok(project_id) => project_id,
        Err(refusal) => return refusal.into_response(&request_id),
    };
    let created = rules::check_create(&body).and_then(|plan| state.jobs.create(&project_id, plan));
    match created {
        Ok(job_id) => json_response(StatusCode::OK, &json!({ "job_id": job_id })),
        Err(error) => error.into_response(),
    }
}

async fn list_images(
    State(state): State<Arc<MockState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let project_id = match authenticate(&state, &method, &uri, &headers, &[]) {
        Ok(project_id) => project_id,
        Err(refusal) => return refusal.into_response(&request_id),
    };
    let pairs = hcims::sign::decode_query(uri.query().unwrap_or_default());
    let answer = ImageQuery::parse(&pairs).and_then(|query| {
        // Newest first, as IMS sorts by default.
        query.answer(state.jobs.images(Some(&project_id), true))
    });
    match answer {
        Ok(images) => json_response(StatusCode::OK, &images),
        Err(error) => error.into_response(),
    }
}

async fn show_job(
    State(state): State<Arc<MockState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let caller_project = match authenticate(&state, &method, &uri, &headers, &[]) {
        Ok(project_id) => project_id,
        Err(refusal) => return refusal.into_response(&request_id),
    };
    let Ok(Path((project_id, job_id))) = path else {
        return not_found(&request_id);
    };
    if project_id != caller_project {
        let message =
            format!("The project {project_id:?} in the path is not the project of the request.");
        return ImsError::bad_request(PROJECT_MISMATCH, message).into_response();
    }
    job_response(&state, &caller_project, &job_id)
}

async fn show_job_progress(
    State(state): State<Arc<MockState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let project_id = match authenticate(&state, &method, &uri, &headers, &[]) {
        Ok(project_id) => project_id,
        Err(refusal) => return refusal.into_response(&request_id),
    };
    let Ok(Path(job_id)) = path else {
        return not_found(&request_id);
    };
    job_response(&state, &project_id, &job_id)
}

/// A job of another project is as unknown as one that never existed.
fn job_response(state: &MockState, project_id: &str, job_id: &str) -> Response {
    match state.jobs.query(project_id, job_id) {
        Some(document) => json_response(StatusCode::OK, &document),
        None => ImsError {
            status: StatusCode::NOT_FOUND,
            code: JOB_NOT_FOUND,
            message: format!("The job {job_id:?} does not exist."),
        }
        .into_response(),
    }
}

async fn unknown_api(Extension(RequestId(request_id)): Extension<RequestId>) -> Response {
    not_found(&request_id)
}

fn not_found(request_id: &str) -> Response {
    GatewayError {
        status: StatusCode::NOT_FOUND,
        code: API_NOT_FOUND,
        message: "The API does not exist or has not been published in the environment".into(),
    }
    .into_response(request_id)
}
