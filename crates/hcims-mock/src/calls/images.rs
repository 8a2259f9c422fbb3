//! IMS's image calls: `POST /v2/cloudimages/action` (create), the other calls that make images (whole
//! images, quick imports, data images from a file) and `GET /v2/cloudimages` (list).

use std::sync::Arc;

use axum::extract::State;
use hcims::spec::Mode;
use serde_json::json;

use crate::caller::Caller;
use crate::image_query::ImageQuery;
use crate::plans::ImagePlan;
use crate::replies::{Document, ImsAnswer};
use crate::rules;
use crate::state::MockState;

/// Applies IMS's request rules, then the state rules, and starts the job: `{"job_id": ...}`.
pub(crate) async fn create_image(State(state): State<Arc<MockState>>, caller: Caller) -> ImsAnswer {
    start_job(&state, &caller, rules::check_create(&caller.request.body)?)
}

/// A whole image (`POST /v1/cloudimages/wholeimages/action`): its rules, then the job, as a create.
pub(crate) async fn create_whole_image(
    State(state): State<Arc<MockState>>,
    caller: Caller,
) -> ImsAnswer {
    start_job(
        &state,
        &caller,
        rules::check_whole_create(&caller.request.body)?,
    )
}

/// A quick import (`POST /v2/cloudimages/quickimport/action`): its rules, then the job.
pub(crate) async fn quick_import(State(state): State<Arc<MockState>>, caller: Caller) -> ImsAnswer {
    let plan = rules::check_create_as(&caller.request.body, Mode::QuickImport)?;
    start_job(&state, &caller, plan)
}

/// A data image from an OBS file (`POST /v1/cloudimages/dataimages/action`): its rules, then the job.
pub(crate) async fn create_data_image(
    State(state): State<Arc<MockState>>,
    caller: Caller,
) -> ImsAnswer {
    let plan = rules::check_create_as(&caller.request.body, Mode::ObsDataImage)?;
    start_job(&state, &caller, plan)
}

/// The state rules, then the job of an accepted request: `{"job_id": ...}`.
fn start_job(state: &MockState, caller: &Caller, plan: ImagePlan) -> ImsAnswer {
    let job_id = state.jobs.create(&caller.project_id, plan)?;
    Ok(Document(json!({ "job_id": job_id })))
}

/// The caller's project's images the query selects, newest first as IMS sorts by default.
pub(crate) async fn list_images(State(state): State<Arc<MockState>>, caller: Caller) -> ImsAnswer {
    let query = ImageQuery::parse(&caller.request.query)?;
    let images = state
        .edits
        .apply(state.jobs.listed_images(&caller.project_id));
    query.answer(images).map(Document)
}
