//! The emulator's HTTP face: which handler answers each method and path, behind the gateway layer
//! every request passes.
//!
//! # Adding an IMS call to the emulator
//!
//! 1. Write its handler in its group's file under `calls/` (images, jobs, account, iam; a new
//!    group gets a new file, declared in `calls.rs`):
//!    `async fn name(State(state): State<Arc<MockState>>, [Path(..) or Result<Path<..>, _>,] caller: Caller) -> ImsAnswer`.
//!    [`Caller`](crate::caller::Caller) comes last (it reads the body): when a handler runs, the
//!    gateway has accepted the request, and the caller gives its project, its query pairs
//!    (`caller.request.param("name")`) and its body. Answer `Ok(Document(json!(...)))` for a 200;
//!    another status with `(StatusCode, Document)` or a bare `StatusCode` (a 204), returning
//!    `Result<impl IntoResponse, ImsError>`.
//! 2. Refuse with `ImsError::bad_request(code, message)` (or an `ImsError` of another status),
//!    the code from [`crate::codes`]; add the code IMS documents there if it is new.
//! 3. Keep the handler thin: what IMS knows (jobs, images, rules of a body) lives in the model's
//!    own file, reached through [`MockState`]; a body's rules in a file like [`crate::rules`].
//! 4. Map the method and path below, one `.route` line (`get(a).patch(b).delete(c)` for several
//!    methods on one path).
//! 5. Test it over HTTP in `tests/emulator/<group>.rs` (its refusals too).
//!
//! Faults, recording, throttling, latency, request ids and the gateway's 404 for unknown paths or
//! methods apply to the new route with no more work.

use std::sync::Arc;

use axum::middleware;
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use axum::{Extension, Router};

use crate::calls::{account, iam, image_changes, image_tags, images, jobs};
use crate::gateway::{gateway, RequestId};
use crate::replies::GatewayError;
use crate::state::MockState;

pub(crate) fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/v2/cloudimages/action", post(images::create_image))
        .route("/v2/cloudimages", get(images::list_images))
        .route(
            "/v1/cloudimages/wholeimages/action",
            post(images::create_whole_image),
        )
        .route(
            "/v2/cloudimages/quickimport/action",
            post(images::quick_import),
        )
        .route(
            "/v1/cloudimages/dataimages/action",
            post(images::create_data_image),
        )
        .route("/v2/images/{image_id}", delete(image_changes::delete_image))
        .route(
            "/v2/cloudimages/{image_id}",
            patch(image_changes::update_image),
        )
        .route(
            "/v2/{project_id}/images/{image_id}/tags/action",
            post(image_tags::tag_action),
        )
        .route("/v1/{project_id}/jobs/{job_id}", get(jobs::show_job))
        .route("/v1/cloudimages/job/{job_id}", get(jobs::show_job_progress))
        .route("/v1/cloudimages/os_version", get(account::list_os_versions))
        .route("/v1/cloudimages/quota", get(account::show_quota))
        .route("/v3/projects", get(iam::list_projects))
        .fallback(unknown_api)
        .method_not_allowed_fallback(unknown_api)
        .layer(middleware::from_fn_with_state(state.clone(), gateway))
        .with_state(state)
}

/// What the gateway answers where no API is published.
async fn unknown_api(Extension(RequestId(request_id)): Extension<RequestId>) -> Response {
    GatewayError::api_not_found().into_response(&request_id)
}
