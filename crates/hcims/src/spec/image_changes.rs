//! The rules of `PATCH /v2/cloudimages/{image_id}` (更新镜像信息): which image attributes a user may
//! change, add or remove, and the value each takes. Read from `(attribute, value)` pairs, a null value
//! meaning "remove"; the client checks them before sending and the emulator checks what it receives.

use serde_json::{json, Value};

use super::codes;
use super::error::{quoted, Report, ValidationErrors};
use super::ids::check_enterprise_project_id;
use super::path::FieldPath;
use super::text::{check_description, check_name};

/// The friendly names a caller may use, and the attribute IMS calls each.
const ALIASES: [(&str, &str); 7] = [
    ("description", "__description"),
    ("support_kvm", "__support_kvm"),
    ("support_xen", "__support_xen"),
    ("support_diskintensive", "__support_diskintensive"),
    ("support_highperformance", "__support_highperformance"),
    ("support_xen_gpu_type", "__support_xen_gpu_type"),
    ("support_kvm_gpu_type", "__support_kvm_gpu_type"),
];

/// The attributes every image has: replaced, never added or removed.
const CORE: [&str; 5] = [
    "name",
    "__description",
    "min_ram",
    "enterprise_project_id",
    "hw_firmware_type",
];

/// Attributes that take "true" or "false".
const FLAGS: [&str; 6] = [
    "__support_kvm",
    "__support_xen",
    "__support_diskintensive",
    "__support_highperformance",
    "__is_config_init",
    "hw_vif_multiqueue_enabled",
];

/// Attributes IMS sets itself (the image document's others): not the user's to change.
const READ_ONLY: [&str; 46] = [
    "id",
    "status",
    "owner",
    "visibility",
    "size",
    "self",
    "schema",
    "file",
    "checksum",
    "protected",
    "container_format",
    "disk_format",
    "min_disk",
    "max_ram",
    "created_at",
    "updated_at",
    "active_at",
    "tags",
    "virtual_size",
    "virtual_env_type",
    "__os_bit",
    "__os_version",
    "__os_type",
    "__platform",
    "__imagetype",
    "__isregistered",
    "__image_source_type",
    "__originalimagename",
    "__backup_id",
    "__productcode",
    "__image_size",
    "__data_origin",
    "__root_origin",
    "__lazyloading",
    "__system__cmkid",
    "__os_feature_list",
    "__account_code",
    "__support_largememory",
    "__support_xen_hana",
    "__support_kvm_infiniband",
    "__system_support_market",
    "__is_offshelved",
    "__sequence_num",
    "__support_fc_inject",
    "__support_arm",
    "__support_amd",
];

/// One JSON-patch operation of the request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageChange {
    /// `add`, `replace` or `remove`.
    pub op: &'static str,
    /// The attribute, as IMS names it (the path without its `/`).
    pub attribute: String,
    /// None for a remove.
    pub value: Option<String>,
}

impl ImageChange {
    /// `{"op": ..., "path": "/attribute", "value": ...}`.
    pub fn to_json(&self) -> Value {
        let mut change = json!({"op": self.op, "path": format!("/{}", self.attribute)});
        if let Some(value) = &self.value {
            change["value"] = json!(value);
        }
        change
    }
}

/// The attribute IMS calls `key`.
pub fn image_attribute(key: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map_or(key, |(_, attribute)| attribute)
}

/// A custom attribute's name: letters, digits, `_`, `-`, `.` and `:`, 1-255 of them.
fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// The text a scalar value is sent as (the page's `value` is a String), or None for a list or object.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Checks one attribute's new value; reports under `path`.
fn check_value(attribute: &str, text: &str, path: &FieldPath<'_>, report: &mut Report) {
    match attribute {
        "name" => check_name(text, path, report),
        "__description" => check_description(text, path, report),
        "min_ram" if text.parse::<u32>().is_err() => report.value(
            path,
            codes::SIZE,
            format!(
                "must be a whole number of MB, 0 or more, got {}",
                quoted(text)
            ),
        ),
        "enterprise_project_id" => check_enterprise_project_id(text, path, report),
        "hw_firmware_type" if text != "bios" && text != "uefi" => report.value(
            path,
            codes::FIRMWARE_TYPE,
            format!("must be \"bios\" or \"uefi\", got {}", quoted(text)),
        ),
        flag if FLAGS.contains(&flag) && text != "true" && text != "false" => report.value(
            path,
            codes::MALFORMED,
            format!("must be true or false, got {}", quoted(text)),
        ),
        "__support_xen_gpu_type" | "__support_kvm_gpu_type" if text.is_empty() => report.value(
            path,
            codes::MALFORMED,
            "must name a GPU type, got an empty string".to_owned(),
        ),
        _ => {}
    }
}

/// The operations of `changes` (`(key, value)` pairs; a null value removes the attribute), or every
/// rule they break, each under its key.
pub fn image_changes(changes: &[(String, Value)]) -> Result<Vec<ImageChange>, ValidationErrors> {
    let mut report = Report::default();
    let root = FieldPath::Root;
    if changes.is_empty() {
        report.shape(
            &root,
            codes::MALFORMED,
            "must change at least one attribute".to_owned(),
        );
    }
    let mut operations: Vec<ImageChange> = Vec::with_capacity(changes.len());
    for (key, value) in changes {
        let path = root.key(key);
        let attribute = image_attribute(key);
        if operations.iter().any(|seen| seen.attribute == attribute) {
            report.shape(
                &path,
                codes::MALFORMED,
                format!("changes {attribute} a second time"),
            );
            continue;
        }
        if READ_ONLY.contains(&attribute) {
            report.shape(
                &path,
                codes::MALFORMED,
                format!("{attribute} is set by IMS and cannot be changed"),
            );
            continue;
        }
        if !is_attribute_name(attribute) {
            report.value(
                &path,
                codes::MALFORMED,
                format!(
                    "an attribute name is 1-255 letters, digits, '_', '-', '.' or ':', got {}",
                    quoted(attribute)
                ),
            );
            continue;
        }
        let core = CORE.contains(&attribute);
        let value = match value {
            Value::Null if core => {
                report.shape(
                    &path,
                    codes::MALFORMED,
                    format!("{attribute} cannot be removed, only replaced"),
                );
                continue;
            }
            Value::Null => None,
            other => match as_text(other) {
                Some(text) => {
                    check_value(attribute, &text, &path, &mut report);
                    Some(text)
                }
                None => {
                    report.shape(
                        &path,
                        codes::MALFORMED,
                        "must be a string, a number or true/false".to_owned(),
                    );
                    continue;
                }
            },
        };
        let op = match (&value, core) {
            (None, _) => "remove",
            (Some(_), true) => "replace",
            // Adding an attribute the image has already replaces its value.
            (Some(_), false) => "add",
        };
        operations.push(ImageChange {
            op,
            attribute: attribute.to_owned(),
            value,
        });
    }
    report.into_result().map(|()| operations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, Value)]) -> Vec<(String, Value)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn friendly_names_become_ims_attributes_with_their_op() {
        let changes = image_changes(&pairs(&[
            ("name", json!("web-2")),
            ("description", json!("the web tier")),
            ("min_ram", json!(1024)),
            ("support_kvm", json!(true)),
            ("team", json!("blue")),
            ("old", Value::Null),
        ]))
        .unwrap();
        let body: Vec<Value> = changes.iter().map(ImageChange::to_json).collect();
        assert_eq!(
            body,
            [
                json!({"op": "replace", "path": "/name", "value": "web-2"}),
                json!({"op": "replace", "path": "/__description", "value": "the web tier"}),
                json!({"op": "replace", "path": "/min_ram", "value": "1024"}),
                json!({"op": "add", "path": "/__support_kvm", "value": "true"}),
                json!({"op": "add", "path": "/team", "value": "blue"}),
                json!({"op": "remove", "path": "/old"}),
            ]
        );
    }

    #[test]
    fn every_broken_rule_is_reported_under_its_key() {
        let errors = image_changes(&pairs(&[
            ("name", json!("bad<name>")),
            ("min_ram", json!(-1)),
            ("hw_firmware_type", json!("efi")),
            ("support_xen", json!("maybe")),
            ("status", json!("active")),
            ("a/b", json!("x")),
            ("list", json!([1])),
            ("name", json!("again")),
            ("__description", Value::Null),
            ("enterprise_project_id", json!("x")),
        ]))
        .unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "name",
                "min_ram",
                "hw_firmware_type",
                "support_xen",
                "status",
                "a/b",
                "list",
                "name",
                "__description",
                "enterprise_project_id"
            ]
        );
        assert_eq!(errors.0[0].ims_code, codes::NAME_FORMAT);
        assert_eq!(errors.0[2].ims_code, codes::FIRMWARE_TYPE);
        assert!(image_changes(&[]).is_err());
    }
}
