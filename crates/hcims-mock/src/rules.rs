//! IMS's request rules for `POST /v2/cloudimages/action`, and what an accepted request asks for.

use hcims::spec::{codes, ImageSpec, UnknownKeys};
use serde_json::Value;

use crate::jobs::{ImagePlan, JobKind};
use crate::replies::ImsError;

/// IMS's code for a body that is not JSON (or not a JSON object).
pub(crate) const MALFORMED_BODY: &str = codes::MALFORMED;
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

/// Applies the core's rules, keeping unknown keys as IMS does, and answers the first broken rule's
/// code and message (IMS reports one error at a time).
fn plan_for(value: &Value) -> Result<ImagePlan, ImsError> {
    let spec = ImageSpec::from_json(None, value, UnknownKeys::Keep).map_err(|errors| {
        let message = match errors.iter().next() {
            Some(first) if first.path.is_empty() => first.message.clone(),
            Some(first) => format!("{}: {}", first.path, first.message),
            None => "The request is invalid.".to_owned(),
        };
        ImsError::bad_request(errors.ims_code(), message)
    })?;
    Ok(match spec {
        ImageSpec::Server(server) => ImagePlan {
            kind: JobKind::Server,
            image_name: Some(server.name),
            data_image_names: Vec::new(),
        },
        // The images are named only in the sub-jobs, one per data disk.
        ImageSpec::DataImages(data) => ImagePlan {
            kind: JobKind::DataImages,
            image_name: None,
            data_image_names: data
                .data_images
                .into_iter()
                .map(|image| image.name)
                .collect(),
        },
        ImageSpec::Obs(obs) => {
            let data_image_names = obs
                .data_images
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(index, image)| obs_data_image_name(&obs.name, index, image.name))
                .collect();
            ImagePlan {
                kind: JobKind::Obs,
                image_name: Some(obs.name),
                data_image_names,
            }
        }
        ImageSpec::Volume(volume) => ImagePlan {
            kind: JobKind::Volume,
            image_name: Some(volume.name),
            data_image_names: Vec::new(),
        },
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
        let body = br#"{"data_images": [
            {"name": "d1", "volume_id": "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"},
            {"name": "d2", "volume_id": "0e7a1f4b-5e65-4c2b-a2f5-1b9b2a0f6c11"}]}"#;
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

    #[test]
    fn the_first_broken_rule_gives_the_code_and_message() {
        let error =
            check_create(br#"{"name": "web", "instance_id": "not-a-uuid"}"#).expect_err("refused");
        assert_eq!(error.code, MALFORMED_BODY);
        assert!(error.message.contains("instance_id"), "{}", error.message);
        let error = check_create(br#"{"name": "x", "image_url": "b:o.qcow2", "min_disk": 4096}"#)
            .expect_err("refused");
        assert_eq!(error.code, codes::SIZE);
        assert!(error.message.contains("min_disk"), "{}", error.message);
    }

    #[test]
    fn unknown_keys_are_kept_not_refused() {
        let body = br#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "new_field": 1}"#;
        assert_eq!(check_create(body).unwrap().kind, JobKind::Server);
    }
}
