//! What the API gateway does before IMS sees a request: give it an id, answer a scripted fault
//! when one matches, read the body, record the request, throttle, and hold the answer for the
//! configured latency.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::FaultAction;
use crate::ids;
use crate::recording::RecordedRequest;
use crate::replies::GatewayError;
use crate::state::MockState;

/// The gateway refuses bodies above 12 MB (APIGW.0201), the limit of AK/SK signing.
const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

/// The gateway's code for a body above its limit.
const BODY_TOO_LARGE: &str = "APIGW.0201";

/// The id of the request being served, also sent as `X-Request-Id`.
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

/// The gateway layer every request passes; `next` is IMS (or IAM) behind it.
pub(crate) async fn gateway(
    State(state): State<Arc<MockState>>,
    request: Request,
    next: Next,
) -> Response {
    let arrived = Instant::now();
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
        if fault.after_acting {
            // IMS acts; its answer is what the fault then loses, cuts or replaces.
            parts.extensions.insert(RequestId(request_id.clone()));
            drop(next.run(Request::from_parts(parts, Body::from(body))).await);
        }
        fault.into_response().await
    } else if !body_complete {
        let error = GatewayError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: BODY_TOO_LARGE,
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
