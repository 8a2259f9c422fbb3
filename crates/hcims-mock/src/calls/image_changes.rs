//! IMS's calls that change or remove an image its job made: `DELETE /v2/images/{image_id}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::caller::Caller;
use crate::codes::{IMAGE_BEING_MADE, MALFORMED_BODY, UNKNOWN_IMAGE};
use crate::replies::ImsError;
use crate::state::MockState;

/// The caller's project's image `image_id` as the list shows it now, or IMS's 404.
fn listed_image(state: &MockState, project_id: &str, image_id: &str) -> Result<Value, ImsError> {
    let images = state.edits.apply(state.jobs.images(Some(project_id), true));
    images
        .into_iter()
        .find(|image| image["id"] == image_id)
        .ok_or_else(|| {
            ImsError::not_found(
                UNKNOWN_IMAGE,
                format!("The image ID in the request does not exist: {image_id}."),
            )
        })
}

/// The body a DELETE may carry: nothing, or `{"delete_backup": true|false}`.
fn check_delete_body(body: &[u8]) -> Result<(), ImsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let malformed = |why: &str| ImsError::bad_request(MALFORMED_BODY, why.to_owned());
    let value: Value =
        serde_json::from_slice(body).map_err(|_| malformed("The request body is not JSON."))?;
    let fields = value
        .as_object()
        .ok_or_else(|| malformed("The request body must be an object."))?;
    for (key, value) in fields {
        if key != "delete_backup" {
            return Err(malformed(&format!("Unknown parameter {key:?}.")));
        }
        if !value.is_boolean() {
            return Err(malformed("delete_backup must be true or false."));
        }
    }
    Ok(())
}

/// Deletes a private image of the caller's project: 204; 404 (IMG.0027) when the project has no such
/// image (or it was deleted already); 400 (IMG.0090) while its job still makes it.
pub(crate) async fn delete_image(
    State(state): State<Arc<MockState>>,
    Path(image_id): Path<String>,
    caller: Caller,
) -> Result<StatusCode, ImsError> {
    check_delete_body(&caller.request.body)?;
    let image = listed_image(&state, &caller.project_id, &image_id)?;
    if matches!(image["status"].as_str(), Some("queued" | "saving")) {
        return Err(ImsError::bad_request(
            IMAGE_BEING_MADE,
            "The image being created cannot be deleted.",
        ));
    }
    if !state.edits.delete(&image_id) {
        return Err(ImsError::not_found(
            UNKNOWN_IMAGE,
            format!("The image ID in the request does not exist: {image_id}."),
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}
