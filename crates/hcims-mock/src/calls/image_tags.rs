//! IMS's `POST /v2/{project_id}/images/{image_id}/tags/action`: create/update or delete an image's
//! tags (204), with the rules of 批量添加删除镜像标签 and 镜像标签数据格式.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use hcims::spec::{split_tag, tag_changes};
use serde_json::{json, Value};

use crate::caller::Caller;
use crate::calls::image_changes::listed_image;
use crate::codes::{MALFORMED_BODY, PROJECT_MISMATCH, TAG_QUOTA};
use crate::replies::ImsError;
use crate::rules::refusal;
use crate::state::MockState;

/// The most tags one image may have.
const MAX_TAGS: usize = 10;

/// The action and the `(key, value)` pairs of a tags/action body, or IMS's refusal of its shape.
fn action_and_tags(body: &[u8]) -> Result<(String, Vec<(String, String)>), ImsError> {
    let malformed = |why: &str| ImsError::bad_request(MALFORMED_BODY, why.to_owned());
    let value: Value =
        serde_json::from_slice(body).map_err(|_| malformed("The request body is not JSON."))?;
    let action = value["action"].as_str().unwrap_or_default().to_owned();
    if action != "create" && action != "delete" {
        return Err(malformed("The action must be create or delete."));
    }
    let tags = value["tags"]
        .as_array()
        .ok_or_else(|| malformed("The tags must be a list."))?;
    let pairs = tags
        .iter()
        .map(|tag| {
            let key = tag["key"]
                .as_str()
                .ok_or_else(|| malformed("A tag needs a key."))?;
            let value = match &tag["value"] {
                Value::String(value) => value.clone(),
                Value::Null if action == "delete" => String::new(),
                _ => return Err(malformed("A tag's value must be a string.")),
            };
            Ok((key.to_owned(), value))
        })
        .collect::<Result<Vec<_>, ImsError>>()?;
    Ok((action, pairs))
}

/// Creates/updates or deletes tags of an image of the caller's project: 204; 400 with the tag rule's
/// code, 400 (IMG.0116) beyond 10 tags, 404 (IMG.0027) for an unknown image.
pub(crate) async fn tag_action(
    State(state): State<Arc<MockState>>,
    Path((project_id, image_id)): Path<(String, String)>,
    caller: Caller,
) -> Result<StatusCode, ImsError> {
    if project_id != caller.project_id {
        let message =
            format!("The project {project_id:?} in the path is not the project of the request.");
        return Err(ImsError::bad_request(PROJECT_MISMATCH, message));
    }
    let (action, pairs) = action_and_tags(&caller.request.body)?;
    let (add, remove) = if action == "create" {
        (pairs, Vec::new())
    } else {
        (Vec::new(), pairs)
    };
    let changes = tag_changes(&add, &remove).map_err(refusal)?;
    let image = listed_image(&state, &caller.project_id, &image_id)?;
    let mut tags: Vec<(String, String)> = image["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|tag| {
            let (key, value) = split_tag(tag);
            (key.to_owned(), value.to_owned())
        })
        .collect();
    for tag in changes.add {
        match tags.iter_mut().find(|(key, _)| *key == tag.key) {
            Some(existing) => existing.1 = tag.value,
            None => tags.push((tag.key, tag.value)),
        }
    }
    tags.retain(|(key, _)| !changes.remove.iter().any(|tag| tag.key == *key));
    if tags.len() > MAX_TAGS {
        return Err(ImsError::bad_request(
            TAG_QUOTA,
            "The number of image tags exceeds the quota.",
        ));
    }
    // Shown as the list shows tags: "key.value", or the key alone for an empty value.
    let shown: Vec<String> = tags
        .into_iter()
        .map(|(key, value)| {
            if value.is_empty() {
                key
            } else {
                format!("{key}.{value}")
            }
        })
        .collect();
    state.edits.change(&image_id, "tags", json!(shown));
    Ok(StatusCode::NO_CONTENT)
}
