//! IMS's job queries: `GET /v1/{project_id}/jobs/{job_id}` and the older
//! `GET /v1/cloudimages/job/{job_id}`. Each query moves the job one step forward.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::caller::Caller;
use crate::codes::{JOB_NOT_FOUND, PROJECT_MISMATCH};
use crate::replies::{Document, GatewayError, ImsAnswer, ImsError};
use crate::state::MockState;

pub(crate) async fn show_job(
    State(state): State<Arc<MockState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    caller: Caller,
) -> Response {
    let Ok(Path((project_id, job_id))) = path else {
        return GatewayError::api_not_found().into_response(&caller.request.request_id);
    };
    if project_id != caller.project_id {
        let message =
            format!("The project {project_id:?} in the path is not the project of the request.");
        return ImsError::bad_request(PROJECT_MISMATCH, message).into_response();
    }
    job_document(&state, &caller.project_id, &job_id).into_response()
}

pub(crate) async fn show_job_progress(
    State(state): State<Arc<MockState>>,
    path: Result<Path<String>, PathRejection>,
    caller: Caller,
) -> Response {
    let Ok(Path(job_id)) = path else {
        return GatewayError::api_not_found().into_response(&caller.request.request_id);
    };
    job_document(&state, &caller.project_id, &job_id).into_response()
}

/// A job of another project is as unknown as one that never existed.
fn job_document(state: &MockState, project_id: &str, job_id: &str) -> ImsAnswer {
    state
        .jobs
        .query(project_id, job_id)
        .map(Document)
        .ok_or_else(|| ImsError {
            status: StatusCode::NOT_FOUND,
            code: JOB_NOT_FOUND,
            message: format!("The job {job_id:?} does not exist."),
        })
}
