//! Extra fields: what a spec sends beyond the API tables' fields, merged into the body at the same
//! level. They must not shadow a field the spec has, nor a key that decides the kind of request.

use super::codes;
use super::error::{quoted, Report};
use super::path::FieldPath;
use super::read::Object;

/// Reports each key of `extra` that is one of `fields` (but not of `unlisted`, the words a field's
/// reader kept there as given) or of `reserved`.
pub(crate) fn check_extra(
    extra: &Object,
    fields: &[&str],
    unlisted: &[&str],
    reserved: &[&str],
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    if extra.is_empty() {
        return;
    }
    let extra_at = path.key("extra");
    for key in extra.keys() {
        let key = key.as_str();
        if fields.contains(&key) && !unlisted.contains(&key) {
            report.shape(
                &extra_at.key(key),
                codes::MALFORMED,
                format!(
                    "{} is a field of this spec: set it directly, not through extra",
                    quoted(key)
                ),
            );
        } else if reserved.contains(&key) {
            report.shape(
                &extra_at.key(key),
                codes::MALFORMED,
                format!(
                    "{} decides the kind of request (instance_id, data_images, image_url, volume_id) and cannot be sent through extra",
                    quoted(key)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The paths and codes `check_extra` reports for `extra` of a spec with a field `name`, in
    /// a request whose mode key is `image_url`.
    fn reported(extra: serde_json::Value, path: &FieldPath<'_>) -> Vec<(String, &'static str)> {
        let extra = extra.as_object().cloned().unwrap_or_default();
        let mut report = Report::default();
        check_extra(&extra, &["name"], &[], &["image_url"], path, &mut report);
        report.into_result().err().map_or_else(Vec::new, |errors| {
            errors
                .iter()
                .map(|e| (e.path.clone(), e.ims_code))
                .collect()
        })
    }

    #[test]
    fn extra_may_not_shadow_fields_or_mode_keys() {
        let extra = json!({"is_config_init": true, "name": "x", "image_url": "b:o"});
        assert_eq!(
            reported(extra, &FieldPath::Root),
            [
                ("extra.name".to_owned(), "IMG.0001"),
                ("extra.image_url".to_owned(), "IMG.0001")
            ]
        );
    }

    #[test]
    fn new_fields_pass() {
        let extra = json!({"is_config_init": true, "__os_feature": "x"});
        let at = FieldPath::Root.key("data_images");
        assert!(reported(extra, &at.index(0)).is_empty());
    }
}
