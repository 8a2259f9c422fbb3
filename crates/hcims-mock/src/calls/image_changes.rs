//! IMS's calls that change or remove an image its job made: `DELETE /v2/images/{image_id}` and
//! `PATCH /v2/cloudimages/{image_id}`.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use hcims::spec::image_changes;
use serde_json::{json, Value};

use crate::caller::Caller;
use crate::clock::iso_seconds;
use crate::codes::{IMAGE_BEING_MADE, IMAGE_NOT_ACTIVE, MALFORMED_BODY, UNKNOWN_IMAGE};
use crate::replies::{Document, ImsAnswer, ImsError};
use crate::rules::refusal;
use crate::state::MockState;

/// The caller's project's image `image_id` as the list shows it now, or IMS's 404.
pub(crate) fn listed_image(
    state: &MockState,
    project_id: &str,
    image_id: &str,
) -> Result<Value, ImsError> {
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

/// The `(attribute, value)` pairs of a PATCH body (null for a remove), or IMS's refusal of its shape.
fn patch_pairs(body: &[u8]) -> Result<Vec<(String, Value)>, ImsError> {
    let malformed = |why: String| ImsError::bad_request(MALFORMED_BODY, why);
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| malformed("The request body is not JSON.".to_owned()))?;
    let Value::Array(operations) = value else {
        return Err(malformed(
            "The request body must be a list of operations.".to_owned(),
        ));
    };
    operations
        .iter()
        .map(|operation| {
            let op = operation["op"].as_str().unwrap_or_default();
            let path = operation["path"].as_str().unwrap_or_default();
            let Some(attribute) = path.strip_prefix('/') else {
                return Err(malformed(format!("The path {path:?} must start with '/'.")));
            };
            match (op, &operation["value"]) {
                ("remove", _) => Ok((attribute.to_owned(), Value::Null)),
                ("add" | "replace", Value::String(text)) => Ok((attribute.to_owned(), json!(text))),
                ("add" | "replace", _) => Err(malformed(format!(
                    "The value of {path:?} must be a string."
                ))),
                _ => Err(malformed(format!(
                    "The op {op:?} is not add, replace or remove."
                ))),
            }
        })
        .collect()
}

/// Changes attributes of an active image of the caller's project; answers the image as it is now.
/// 400 with the rule's code for a change the page does not allow, 404 (IMG.0027) for an unknown image,
/// 400 (IMG.0046) for one not active.
pub(crate) async fn update_image(
    State(state): State<Arc<MockState>>,
    Path(image_id): Path<String>,
    caller: Caller,
) -> ImsAnswer {
    let pairs = patch_pairs(&caller.request.body)?;
    let changes = image_changes(&pairs).map_err(refusal)?;
    let image = listed_image(&state, &caller.project_id, &image_id)?;
    if image["status"] != "active" {
        return Err(ImsError::bad_request(
            IMAGE_NOT_ACTIVE,
            "The image is unavailable.",
        ));
    }
    for change in changes {
        let value = match (change.attribute.as_str(), change.value) {
            (_, None) => Value::Null,
            // IMS shows min_ram as a number; the rules made sure it is one.
            ("min_ram", Some(text)) => text.parse::<u64>().map_or(json!(text), |n| json!(n)),
            (_, Some(text)) => json!(text),
        };
        state.edits.change(&image_id, &change.attribute, value);
    }
    let now = iso_seconds(SystemTime::now());
    state.edits.change(&image_id, "updated_at", json!(now));
    listed_image(&state, &caller.project_id, &image_id).map(Document)
}
