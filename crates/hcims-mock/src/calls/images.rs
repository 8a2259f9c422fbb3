//! IMS's image calls: `POST /v2/cloudimages/action` (create) and `GET /v2/cloudimages` (list).

use std::sync::Arc;

use axum::extract::State;
use serde_json::json;

use crate::caller::Caller;
use crate::image_query::ImageQuery;
use crate::replies::{Document, ImsAnswer};
use crate::rules;
use crate::state::MockState;

/// Applies IMS's request rules, then the state rules, and starts the job: `{"job_id": ...}`.
pub(crate) async fn create_image(State(state): State<Arc<MockState>>, caller: Caller) -> ImsAnswer {
    let plan = rules::check_create(&caller.request.body)?;
    let job_id = state.jobs.create(&caller.project_id, plan)?;
    Ok(Document(json!({ "job_id": job_id })))
}

/// The caller's project's images the query selects, newest first as IMS sorts by default.
pub(crate) async fn list_images(State(state): State<Arc<MockState>>, caller: Caller) -> ImsAnswer {
    let query = ImageQuery::parse(&caller.request.query)?;
    let images = state.jobs.listed_images(&caller.project_id);
    query.answer(images).map(Document)
}
