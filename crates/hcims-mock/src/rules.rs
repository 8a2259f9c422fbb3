//! IMS's request rules for `POST /v2/cloudimages/action`, whole images and quick imports,
//! and what an accepted request asks for.

use hcims::spec::{ImageSpec, Mode, UnknownKeys, ValidationErrors};
use serde_json::Value;

use crate::codes::{EMPTY_BODY, MALFORMED_BODY};
use crate::plans::ImagePlan;
use crate::replies::ImsError;

/// Parses the body and applies the rules: the plan of the job to start, or IMS's answer.
pub(crate) fn check_create(body: &[u8]) -> Result<ImagePlan, ImsError> {
    plan_for(&body_value(body)?, None)
}

/// [`check_create`] for a whole image: `backup_id` makes it one from a backup, else from an ECS.
pub(crate) fn check_whole_create(body: &[u8]) -> Result<ImagePlan, ImsError> {
    let value = body_value(body)?;
    let mode = if value.get("backup_id").is_some_and(|id| !id.is_null()) {
        Mode::WholeBackup
    } else {
        Mode::WholeServer
    };
    plan_for(&value, Some(mode))
}

/// [`check_create`] for the call that makes images of `mode` only (a quick import).
pub(crate) fn check_create_as(body: &[u8], mode: Mode) -> Result<ImagePlan, ImsError> {
    plan_for(&body_value(body)?, Some(mode))
}

/// The body as JSON, or IMS's answer to an empty or malformed one.
fn body_value(body: &[u8]) -> Result<Value, ImsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ImsError::bad_request(
            EMPTY_BODY,
            "The request body is empty.",
        ));
    }
    serde_json::from_slice(body).map_err(|error| {
        ImsError::bad_request(
            MALFORMED_BODY,
            format!("The request body is malformed: {error}"),
        )
    })
}

/// Applies the core's rules, keeping unknown keys as IMS does, and answers the first broken rule's
/// code and message (IMS reports one error at a time).
fn plan_for(value: &Value, mode: Option<Mode>) -> Result<ImagePlan, ImsError> {
    let spec = ImageSpec::from_json(mode, value, UnknownKeys::Keep).map_err(refusal)?;
    Ok(ImagePlan::from(spec))
}

/// IMS's answer to a body that breaks the core's rules: the first broken rule's code and message.
pub(crate) fn refusal(errors: ValidationErrors) -> ImsError {
    let message = match errors.iter().next() {
        Some(first) if first.path.is_empty() => first.message.clone(),
        Some(first) => format!("{}: {}", first.path, first.message),
        None => "The request is invalid.".to_owned(),
    };
    ImsError::bad_request(errors.ims_code(), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcims::spec::codes;

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
    fn whole_images_are_read_by_their_own_shape() {
        let from_server =
            br#"{"name": "w", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a"}"#;
        assert_eq!(
            check_whole_create(from_server).unwrap().kind,
            crate::plans::JobKind::WholeServer
        );
        let from_backup = br#"{"name": "w", "backup_id": "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3", "whole_image_type": "CBR"}"#;
        assert_eq!(
            check_whole_create(from_backup).unwrap().kind,
            crate::plans::JobKind::WholeBackup
        );
        let error = check_whole_create(br#"{"name": "w", "backup_id": "9b27efab-4a17-4c06-bfa2-3e0cf021d3c3", "whole_image_type": "cbr"}"#)
            .expect_err("refused");
        assert!(
            error.message.contains("whole_image_type"),
            "{}",
            error.message
        );
        let error = check_whole_create(br#"{"name": "w"}"#).expect_err("refused");
        assert_eq!(error.code, codes::INSTANCE_ID_MISSING);
        assert_eq!(code_of_whole(""), EMPTY_BODY);
    }

    fn code_of_whole(body: &str) -> &'static str {
        check_whole_create(body.as_bytes())
            .expect_err("refused")
            .code
    }

    #[test]
    fn unknown_keys_are_kept_not_refused() {
        let body = br#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "new_field": 1}"#;
        assert_eq!(
            check_create(body).unwrap().kind,
            crate::plans::JobKind::Server
        );
    }
}
