//! The image id a call names in its path: a UUID, checked before anything is sent (anything else could
//! only be refused, or address another path), alone or with the rules of the call's other arguments.

use crate::error::Error;
use crate::spec::{codes, is_uuid, FieldError, RuleKind, ValidationErrors};

fn image_id_error(image_id: &str) -> Option<FieldError> {
    (!is_uuid(image_id)).then(|| FieldError {
        path: "image_id".to_owned(),
        message: format!("must be an image id (a UUID, 8-4-4-4-12 hex digits), got {image_id:?}"),
        ims_code: codes::MALFORMED,
        kind: RuleKind::Value,
        page: "image id (IMS image ids are UUIDs)",
    })
}

/// `image_id` must be a UUID.
pub(crate) fn check_image_id(image_id: &str) -> Result<(), Error> {
    check_image_id_and(image_id, &Ok(()))
}

/// `image_id` and the outcome of the call's other rules, every violation at once.
pub(crate) fn check_image_id_and<T>(
    image_id: &str,
    rules: &Result<T, ValidationErrors>,
) -> Result<(), Error> {
    let mut errors: Vec<FieldError> = image_id_error(image_id).into_iter().collect();
    if let Err(broken) = rules {
        errors.extend(broken.iter().cloned());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(ValidationErrors(errors)))
    }
}
