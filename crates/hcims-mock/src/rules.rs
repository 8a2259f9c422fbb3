//! IMS's request rules for `POST /v2/cloudimages/action`, and what an accepted request asks for.

use serde_json::Value;

use crate::jobs::{ImagePlan, JobKind};
use crate::replies::ImsError;

/// IMS's code for a body that is not JSON (or not a JSON object).
pub(crate) const MALFORMED_BODY: &str = "IMG.0001";
/// IMS's code for an empty body.
pub(crate) const EMPTY_BODY: &str = "IMG.0007";

/// Parses the body and applies the rules: the plan of the job to start, or IMS's answer.
pub(crate) fn check_create(body: &[u8]) -> Result<ImagePlan, ImsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ImsError::bad_request(
            EMPTY_BODY,
            "The request body is empty.",
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        ImsError::bad_request(
            MALFORMED_BODY,
            format!("The request body is malformed: {error}"),
        )
    })?;
    plan_for(&value)
}

/// SEAM, temporary until `hcims::spec` lands on main: then this calls
/// `ImageSpec::from_json(None, value, UnknownKeys::Keep)`, answers its first error's `ims_code` and
/// message, and builds the plan from the spec's mode, name and data images.
/// Until then it only tells the mode from the keys and reads the names: it applies NO rule.
fn plan_for(value: &Value) -> Result<ImagePlan, ImsError> {
    let Some(fields) = value.as_object() else {
        return Err(ImsError::bad_request(
            MALFORMED_BODY,
            "The request body must be a JSON object.",
        ));
    };
    let text =
        |object: &Value, key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let data_images = fields
        .get("data_images")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let kind = if fields.contains_key("instance_id") {
        JobKind::Server
    } else if fields.contains_key("image_url") {
        JobKind::Obs
    } else if fields.contains_key("volume_id") {
        JobKind::Volume
    } else if !data_images.is_empty() {
        JobKind::DataImages
    } else {
        return Err(ImsError::bad_request(
            MALFORMED_BODY,
            "The request names no image source.",
        ));
    };
    let image_name = text(value, "name");
    let data_image_names = match kind {
        JobKind::DataImages => data_images
            .iter()
            .map(|image| text(image, "name").unwrap_or_default())
            .collect(),
        JobKind::Obs => data_images
            .iter()
            .enumerate()
            .map(|(index, image)| {
                obs_data_image_name(
                    image_name.as_deref().unwrap_or_default(),
                    index,
                    text(image, "name"),
                )
            })
            .collect(),
        JobKind::Server | JobKind::Volume => Vec::new(),
    };
    let image_name = if kind == JobKind::DataImages {
        None
    } else {
        image_name
    };
    Ok(ImagePlan {
        kind,
        image_name,
        data_image_names,
    })
}

/// A data disk imported with an OBS image may be unnamed; IMS then names it after the system image.
fn obs_data_image_name(system_name: &str, index: usize, given: Option<String>) -> String {
    given.unwrap_or_else(|| format!("{system_name}-data{}", index + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(body: &str) -> &'static str {
        check_create(body.as_bytes()).expect_err("refused").code
    }

    #[test]
    fn empty_and_malformed_bodies_have_their_own_codes() {
        assert_eq!(code_of(""), EMPTY_BODY);
        assert_eq!(code_of("  \n"), EMPTY_BODY);
        assert_eq!(code_of("{\"name\": "), MALFORMED_BODY);
        assert_eq!(code_of("[1, 2]"), MALFORMED_BODY);
    }

    #[test]
    fn server_data_image_names_go_to_sub_jobs_and_the_job_has_no_name() {
        let body = br#"{"data_images": [{"name": "d1", "volume_id": "v1"}, {"name": "d2", "volume_id": "v2"}]}"#;
        let plan = check_create(body).unwrap();
        assert_eq!(plan.kind, JobKind::DataImages);
        assert_eq!(plan.image_name, None);
        assert_eq!(plan.data_image_names, ["d1", "d2"]);
    }

    #[test]
    fn unnamed_obs_data_disks_are_named_after_the_system_image() {
        let body = br#"{"name": "sys", "image_url": "b:o.qcow2", "min_disk": 40,
                        "data_images": [{"image_url": "b:d.qcow2", "min_disk": 10},
                                        {"name": "own", "image_url": "b:e.qcow2", "min_disk": 10}]}"#;
        let plan = check_create(body).unwrap();
        assert_eq!(plan.kind, JobKind::Obs);
        assert_eq!(plan.image_name.as_deref(), Some("sys"));
        assert_eq!(plan.data_image_names, ["sys-data1", "own"]);
    }
}
