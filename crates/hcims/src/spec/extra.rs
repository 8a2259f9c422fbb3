//! Extra fields: what a spec sends beyond the API tables' fields, merged into the body at the same
//! level. They must not shadow a field the spec has, nor a key that decides the kind of request.

use super::codes;
use super::error::{quoted, Report};
use super::path::FieldPath;
use super::read::Object;

/// Reports each key of `extra` that is one of `fields` or of `reserved`.
pub(crate) fn check_extra(
    extra: &Object,
    fields: &[&str],
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
        if fields.contains(&key) {
            report.add(
                &extra_at.key(key),
                codes::MALFORMED,
                format!(
                    "{} is a field of this spec: set it directly, not through extra",
                    quoted(key)
                ),
            );
        } else if reserved.contains(&key) {
            report.add(
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

    #[test]
    fn extra_may_not_shadow_fields_or_mode_keys() {
        let extra = json!({"is_config_init": true, "name": "x", "image_url": "b:o"});
        let extra = extra.as_object().cloned().unwrap_or_default();
        let mut report = Report::default();
        check_extra(
            &extra,
            &["name"],
            &["image_url"],
            &FieldPath::Root,
            &mut report,
        );
        let errors = report.into_result().unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["extra.name", "extra.image_url"]);
        assert!(errors.iter().all(|e| e.ims_code == "IMG.0001"));
    }

    #[test]
    fn new_fields_pass() {
        let extra = json!({"is_config_init": true, "__os_feature": "x"});
        let extra = extra.as_object().cloned().unwrap_or_default();
        let mut report = Report::default();
        check_extra(
            &extra,
            &["name"],
            &["image_url"],
            &FieldPath::Root.key("data_images").index(0),
            &mut report,
        );
        assert!(report.is_empty());
    }
}
