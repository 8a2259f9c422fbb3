//! The rules of `POST /v2/{project_id}/images/{image_id}/tags/action` (批量添加删除镜像标签, with the tag
//! format of 镜像标签数据格式): tags to create or update (`add`, key -> value) and tag keys to delete
//! (`remove`). The client checks them before sending; the emulator checks what it receives.

use super::codes;
use super::error::{quoted, Report, ValidationErrors};
use super::path::FieldPath;
use super::tags::{
    is_tag_key_char, is_tag_value_char, ImageTag, KEY_MAX_CHARS, MAX_TAGS, VALUE_MAX_CHARS,
};

/// A key or value to delete may be longer than one to create (the page's limits for deletes).
const DELETE_KEY_MAX_CHARS: usize = 127;
const DELETE_VALUE_MAX_CHARS: usize = 255;

/// What one tags/action call changes: tags to create or update, and tags to delete.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagChanges {
    pub add: Vec<ImageTag>,
    /// Key and value (the value may be empty: it is optional for a delete).
    pub remove: Vec<ImageTag>,
}

fn check_length(text: &str, what: &str, max: usize, path: &FieldPath<'_>, report: &mut Report) {
    let chars = text.chars().count();
    if chars > max {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag {what} must be at most {max} characters, got {chars}: {}",
                quoted(text)
            ),
        );
    }
}

fn check_key_not_blank(key: &str, path: &FieldPath<'_>, report: &mut Report) -> bool {
    if key.trim().is_empty() {
        report.value(
            path,
            codes::TAG,
            "the tag key must not be empty or blank".to_owned(),
        );
        return false;
    }
    true
}

/// `add` (key, value) and `remove` (key, value maybe empty), or every rule they break: `add.<key>` for
/// a tag to add, `remove[i]` for a tag to delete.
pub fn tag_changes(
    add: &[(String, String)],
    remove: &[(String, String)],
) -> Result<TagChanges, ValidationErrors> {
    let mut report = Report::default();
    let root = FieldPath::Root;
    if add.is_empty() && remove.is_empty() {
        report.shape(
            &root,
            codes::MALFORMED,
            "must add or remove at least one tag".to_owned(),
        );
    }
    let add_path = root.key("add");
    if add.len() > MAX_TAGS {
        report.value(
            &add_path,
            codes::TAG_QUOTA,
            format!(
                "an image may have at most {MAX_TAGS} tags, got {}",
                add.len()
            ),
        );
    }
    for (i, (key, value)) in add.iter().enumerate() {
        let at = add_path.key(key);
        if check_key_not_blank(key, &at, &mut report) {
            if let Some(bad) = key.chars().find(|&c| !is_tag_key_char(c)) {
                report.value(
                    &at,
                    codes::TAG,
                    format!("the tag key may only contain letters, digits, Chinese characters, '_' and '-'; found {bad:?} in {}", quoted(key)),
                );
            }
            check_length(key, "key", KEY_MAX_CHARS, &at, &mut report);
        }
        if let Some(bad) = value.chars().find(|&c| !is_tag_value_char(c)) {
            report.value(
                &at,
                codes::TAG,
                format!("the tag value may only contain letters, digits, Chinese characters, '_', '-' and '.'; found {bad:?} in {}", quoted(value)),
            );
        }
        check_length(value, "value", VALUE_MAX_CHARS, &at, &mut report);
        if add[..i].iter().any(|(earlier, _)| earlier == key) {
            report.value(
                &at,
                codes::TAG,
                format!("the tag key {} is given twice", quoted(key)),
            );
        }
    }
    let remove_path = root.key("remove");
    for (i, (key, value)) in remove.iter().enumerate() {
        let at = remove_path.index(i);
        if check_key_not_blank(key, &at, &mut report) {
            check_length(key, "key", DELETE_KEY_MAX_CHARS, &at, &mut report);
        }
        check_length(value, "value", DELETE_VALUE_MAX_CHARS, &at, &mut report);
        if add.iter().any(|(added, _)| added == key) {
            report.shape(
                &at,
                codes::TAG,
                format!("the tag {} is both added and removed", quoted(key)),
            );
        }
    }
    report.into_result().map(|()| TagChanges {
        add: add.iter().map(|(k, v)| ImageTag::new(k, v)).collect(),
        remove: remove.iter().map(|(k, v)| ImageTag::new(k, v)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn valid_changes_pass() {
        let changes = tag_changes(
            &pairs(&[("env", "prod"), ("版本", "1.2"), ("empty", "")]),
            &pairs(&[("old", "")]),
        )
        .unwrap();
        assert_eq!(changes.add.len(), 3);
        assert_eq!(changes.remove, [ImageTag::new("old", "")]);
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let long_key = "k".repeat(37);
        let errors = tag_changes(
            &pairs(&[
                (" ", "x"),
                ("a b", "v"),
                (&long_key, "v"),
                ("ok", "bad value"),
                ("same", "1"),
            ]),
            &pairs(&[("", ""), ("same", ""), (&"r".repeat(128), "")]),
        )
        .unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "add. ",
                "add.a b",
                &format!("add.{long_key}"),
                "add.ok",
                "remove[0]",
                "remove[1]",
                "remove[2]"
            ]
        );
        let eleven: Vec<(String, String)> =
            (0..11).map(|n| (format!("k{n}"), String::new())).collect();
        assert_eq!(
            tag_changes(&eleven, &[]).unwrap_err().0[0].ims_code,
            codes::TAG_QUOTA
        );
        assert!(tag_changes(&[], &[]).is_err());
    }
}
