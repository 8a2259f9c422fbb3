//! IAM's project list, served on the same port so a client's `iam_endpoint` can point at the
//! emulator: `GET /v3/projects?name=...`.

use axum::extract::State;
use serde_json::{json, Value};

use std::sync::Arc;

use crate::caller::KeyHolder;
use crate::replies::Document;
use crate::state::MockState;

/// The projects of the signing key named so. Every project of the emulator is named after its
/// region.
pub(crate) async fn list_projects(
    State(state): State<Arc<MockState>>,
    caller: KeyHolder,
) -> Document {
    let wanted = caller.request.param("name");
    let region = state.config.region.as_str();
    let listed: Vec<Value> = caller
        .project_ids
        .iter()
        .filter(|_| wanted.is_none_or(|name| name == region))
        .map(|id| {
            json!({
                "id": id,
                "name": region,
                "domain_id": "d0000000000000000000000000000000",
                "parent_id": "d0000000000000000000000000000000",
                "description": "",
                "enabled": true,
                "is_domain": false,
                "links": { "self": format!("/v3/projects/{id}") },
            })
        })
        .collect();
    Document(
        json!({ "projects": listed, "links": { "self": "/v3/projects", "next": null, "previous": null } }),
    )
}
