//! IMS's request rules for `POST /v2/cloudimages/action`, and what an accepted request asks for.

use hcims::spec::{ImageSpec, UnknownKeys, ValidationErrors};
use serde_json::Value;

use crate::codes::{EMPTY_BODY, MALFORMED_BODY};
use crate::plans::ImagePlan;
use crate::replies::ImsError;

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
    let spec = ImageSpec::from_json(None, value, UnknownKeys::Keep).map_err(refusal)?;
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
    fn unknown_keys_are_kept_not_refused() {
        let body = br#"{"name": "web", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "new_field": 1}"#;
        assert_eq!(
            check_create(body).unwrap().kind,
            crate::plans::JobKind::Server
        );
    }
}
