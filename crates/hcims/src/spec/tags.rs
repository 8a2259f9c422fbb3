//! Image tags: the legacy `tags` (`"key.value"` strings) and the newer `image_tags` (`{key, value}`),
//! which a request may use only one of (ims-facts.md section 2).

use serde::{Deserialize, Serialize};

use super::codes;
use super::error::{quoted, Report};
use super::path::FieldPath;
use super::text::is_cjk;

pub(crate) const MAX_TAGS: usize = 10;
pub(crate) const KEY_MAX_CHARS: usize = 36;
pub(crate) const VALUE_MAX_CHARS: usize = 43;

/// One entry of `image_tags`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageTag {
    pub key: String,
    /// May be empty.
    #[serde(default)]
    pub value: String,
}

impl ImageTag {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        ImageTag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Splits a legacy tag: the key is the text before the first '.', the value the rest (maybe empty).
pub fn split_tag(tag: &str) -> (&str, &str) {
    tag.split_once('.').unwrap_or((tag, ""))
}

pub(crate) fn is_tag_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-') || is_cjk(c)
}

pub(crate) fn is_tag_value_char(c: char) -> bool {
    is_tag_key_char(c) || c == '.'
}

/// The characters `image_tags` keys and values must not contain.
const IMAGE_TAG_FORBIDDEN: [char; 8] = ['=', '*', '<', '>', '\\', ',', '|', '/'];

/// Both tag styles of one spec (or one data image).
pub(crate) fn check_tags(
    tags: Option<&[String]>,
    image_tags: Option<&[ImageTag]>,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    let tags = tags.unwrap_or_default();
    let image_tags = image_tags.unwrap_or_default();
    if !tags.is_empty() && !image_tags.is_empty() {
        // Exclusive fields are a shape rule: the page allows one style of tags per request.
        report.shape(
            &path.key("image_tags"),
            codes::TAG,
            "cannot be used together with tags: send only one of tags and image_tags".to_owned(),
        );
    }
    let tags_path = path.key("tags");
    check_count(tags.len(), &tags_path, report);
    for (i, tag) in tags.iter().enumerate() {
        check_legacy_tag(tag, &tags_path.index(i), report);
    }
    check_unique_keys(
        tags.iter().map(|t| split_tag(t).0),
        &tags_path,
        None,
        report,
    );

    let image_tags_path = path.key("image_tags");
    check_count(image_tags.len(), &image_tags_path, report);
    for (i, tag) in image_tags.iter().enumerate() {
        let at = image_tags_path.index(i);
        check_image_tag_part(&tag.key, "key", 1, KEY_MAX_CHARS, &at.key("key"), report);
        check_image_tag_part(
            &tag.value,
            "value",
            0,
            VALUE_MAX_CHARS,
            &at.key("value"),
            report,
        );
    }
    check_unique_keys(
        image_tags.iter().map(|t| t.key.as_str()),
        &image_tags_path,
        Some("key"),
        report,
    );
}

fn check_count(count: usize, path: &FieldPath<'_>, report: &mut Report) {
    if count > MAX_TAGS {
        report.value(
            path,
            codes::TAG_QUOTA,
            format!("an image may have at most {MAX_TAGS} tags, got {count}"),
        );
    }
}

fn check_legacy_tag(tag: &str, path: &FieldPath<'_>, report: &mut Report) {
    let (key, value) = split_tag(tag);
    if key.is_empty() {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag key (the text before the first '.') must not be empty: {}",
                quoted(tag)
            ),
        );
    } else if let Some(bad) = key.chars().find(|&c| !is_tag_key_char(c)) {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag key may only contain letters, digits, Chinese characters, '_' and '-'; found {bad:?} in {}",
                quoted(tag)
            ),
        );
    }
    let key_chars = key.chars().count();
    if key_chars > KEY_MAX_CHARS {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag key must be at most {KEY_MAX_CHARS} characters, got {key_chars}: {}",
                quoted(tag)
            ),
        );
    }
    if let Some(bad) = value.chars().find(|&c| !is_tag_value_char(c)) {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag value may only contain letters, digits, Chinese characters, '_', '-' and '.'; found {bad:?} in {}",
                quoted(tag)
            ),
        );
    }
    let value_chars = value.chars().count();
    if value_chars > VALUE_MAX_CHARS {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag value (after the first '.') must be at most {VALUE_MAX_CHARS} characters, got {value_chars}: {}",
                quoted(tag)
            ),
        );
    }
}

fn check_image_tag_part(
    text: &str,
    part: &str,
    min_chars: usize,
    max_chars: usize,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    let chars = text.chars().count();
    if chars < min_chars {
        report.value(
            path,
            codes::TAG,
            format!("the tag {part} must not be empty"),
        );
    }
    if chars > max_chars {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag {part} must be at most {max_chars} characters, got {chars}: {}",
                quoted(text)
            ),
        );
    }
    if let Some(bad) = text.chars().find(|c| IMAGE_TAG_FORBIDDEN.contains(c)) {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag {part} must not contain any of = * < > \\ , | /; found {bad:?} in {}",
                quoted(text)
            ),
        );
    }
    if text.starts_with(' ') || text.ends_with(' ') {
        report.value(
            path,
            codes::TAG,
            format!(
                "the tag {part} must not start or end with a space: {}",
                quoted(text)
            ),
        );
    }
}

/// Reports each key seen before, at the later entry. Tag lists are short (at most 10 when valid), so
/// comparing pairs costs less than building a set.
fn check_unique_keys<'t>(
    keys: impl Iterator<Item = &'t str> + Clone,
    path: &FieldPath<'_>,
    field: Option<&str>,
    report: &mut Report,
) {
    for (i, key) in keys.clone().enumerate() {
        if key.is_empty() {
            continue;
        }
        if let Some(first) = keys.clone().take(i).position(|earlier| earlier == key) {
            let entry = path.index(i);
            let at = match field {
                Some(field) => entry.key(field),
                None => entry,
            };
            let first_path = path.index(first).render();
            report.value(
                &at,
                codes::TAG,
                format!(
                    "tag keys must be unique: {} is also the key of {first_path}",
                    quoted(key)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::error::FieldError;

    fn errors(tags: Option<&[&str]>, image_tags: Option<&[(&str, &str)]>) -> Vec<FieldError> {
        let tags: Option<Vec<String>> = tags.map(|t| t.iter().map(|s| (*s).to_owned()).collect());
        let image_tags: Option<Vec<ImageTag>> =
            image_tags.map(|t| t.iter().map(|(k, v)| ImageTag::new(*k, *v)).collect());
        let mut report = Report::default();
        check_tags(
            tags.as_deref(),
            image_tags.as_deref(),
            &FieldPath::Root,
            &mut report,
        );
        report.into_result().err().map_or_else(Vec::new, |e| e.0)
    }

    fn paths_and_codes(found: &[FieldError]) -> Vec<(&str, &str)> {
        found
            .iter()
            .map(|e| (e.path.as_str(), e.ims_code))
            .collect()
    }

    #[test]
    fn split_takes_the_text_before_the_first_dot_as_key() {
        assert_eq!(split_tag("aaa.111"), ("aaa", "111"));
        assert_eq!(split_tag("k.v.w"), ("k", "v.w"));
        assert_eq!(split_tag("key"), ("key", ""));
        assert_eq!(split_tag("key."), ("key", ""));
        assert_eq!(split_tag(".v"), ("", "v"));
    }

    #[test]
    fn valid_tags_pass() {
        let key36 = "k".repeat(36);
        let value43 = format!("{}.{}", key36, "v".repeat(43));
        let ten: Vec<String> = (0..10).map(|i| format!("k{i}.v")).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        for tags in [
            vec!["aaa.111", "bbb.333", "ccc.444"],
            vec!["key"],
            vec!["key."],
            vec!["环境.生产", "a_b-c.1.2.3"],
            vec![value43.as_str()],
            ten,
        ] {
            assert!(errors(Some(&tags), None).is_empty(), "{tags:?}");
        }
    }

    #[test]
    fn valid_image_tags_pass() {
        let key36 = "k".repeat(36);
        let value43 = "v".repeat(43);
        for tags in [
            vec![("key2", "value2"), ("key1", "value1")],
            vec![("key", "")],
            vec![("with space", "x.y:z@w")],
            vec![(key36.as_str(), value43.as_str())],
        ] {
            assert!(errors(None, Some(&tags)).is_empty(), "{tags:?}");
        }
    }

    #[test]
    fn both_styles_together_fail_but_an_empty_one_is_ignored() {
        let found = errors(Some(&["a.1"]), Some(&[("b", "2")]));
        assert_eq!(paths_and_codes(&found), [("image_tags", "IMG.0115")]);
        assert!(errors(Some(&[]), Some(&[("b", "2")])).is_empty());
        assert!(errors(Some(&["a.1"]), Some(&[])).is_empty());
    }

    #[test]
    fn legacy_tag_rules_fail_at_the_tag() {
        let long_key = format!("{}.v", "k".repeat(37));
        let long_value = format!("k.{}", "v".repeat(44));
        for bad in [
            ".v",
            "a b.v",
            "k:1.v",
            "k.v w",
            "k.v/w",
            long_key.as_str(),
            long_value.as_str(),
        ] {
            let found = errors(Some(&["ok.1", bad]), None);
            assert_eq!(paths_and_codes(&found), [("tags[1]", "IMG.0115")], "{bad}");
        }
    }

    #[test]
    fn image_tag_rules_fail_at_the_part() {
        let long_key = "k".repeat(37);
        let long_value = "v".repeat(44);
        let cases: Vec<((&str, &str), &str)> = vec![
            (("", "v"), "image_tags[0].key"),
            ((long_key.as_str(), "v"), "image_tags[0].key"),
            (("k", long_value.as_str()), "image_tags[0].value"),
            ((" k", "v"), "image_tags[0].key"),
            (("k", "v "), "image_tags[0].value"),
        ];
        for (tag, path) in cases {
            let found = errors(None, Some(&[tag]));
            assert_eq!(paths_and_codes(&found), [(path, "IMG.0115")], "{tag:?}");
        }
        for forbidden in IMAGE_TAG_FORBIDDEN {
            let key = format!("k{forbidden}");
            let found = errors(None, Some(&[(key.as_str(), "v")]));
            assert_eq!(
                paths_and_codes(&found),
                [("image_tags[0].key", "IMG.0115")],
                "{key}"
            );
            let value = format!("v{forbidden}");
            let found = errors(None, Some(&[("k", value.as_str())]));
            assert_eq!(
                paths_and_codes(&found),
                [("image_tags[0].value", "IMG.0115")],
                "{value}"
            );
        }
    }

    #[test]
    fn more_than_ten_tags_exceed_the_quota() {
        let eleven: Vec<String> = (0..11).map(|i| format!("k{i}.v")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(
            paths_and_codes(&errors(Some(&eleven), None)),
            [("tags", "IMG.0116")]
        );
        let pairs: Vec<(String, &str)> = (0..11).map(|i| (format!("k{i}"), "v")).collect();
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            paths_and_codes(&errors(None, Some(&pairs))),
            [("image_tags", "IMG.0116")]
        );
    }

    #[test]
    fn duplicate_keys_fail_at_the_later_entry() {
        let found = errors(Some(&["a.1", "b.2", "a.3"]), None);
        assert_eq!(paths_and_codes(&found), [("tags[2]", "IMG.0115")]);
        assert!(found[0].message.contains("tags[0]"), "{}", found[0].message);
        let found = errors(None, Some(&[("a", "1"), ("a", "2")]));
        assert_eq!(paths_and_codes(&found), [("image_tags[1].key", "IMG.0115")]);
        // Keys differing in case are distinct.
        assert!(errors(Some(&["a.1", "A.1"]), None).is_empty());
    }
}
