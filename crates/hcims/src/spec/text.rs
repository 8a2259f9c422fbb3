//! The image name and description rules (ims-facts.md section 2).

use super::codes;
use super::error::{quoted, Report};
use super::path::FieldPath;

pub(crate) const NAME_MAX_CHARS: usize = 128;
pub(crate) const DESCRIPTION_MAX_CHARS: usize = 1024;

/// The CJK Unified Ideographs block, which Huawei Cloud allows in names and tag keys.
pub(crate) fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ' ') || is_cjk(c)
}

/// Name: 1-128 characters of letters, digits, CJK, `-`, `.`, `_` and space; no space at either end.
pub(crate) fn check_name(name: &str, path: &FieldPath<'_>, report: &mut Report) {
    if name.is_empty() {
        // An empty name is a missing one: a shape rule.
        report.shape(
            path,
            codes::NAME_MISSING,
            "is required and must not be empty".to_owned(),
        );
        return;
    }
    // Byte length bounds the character count, so short names skip the count.
    if name.len() > NAME_MAX_CHARS {
        let chars = name.chars().count();
        if chars > NAME_MAX_CHARS {
            report.value(
                path,
                codes::NAME_TOO_LONG,
                format!(
                    "must be at most {NAME_MAX_CHARS} characters, got {chars}: {}",
                    quoted(name)
                ),
            );
        }
    }
    if let Some(bad) = name.chars().find(|&c| !is_name_char(c)) {
        report.value(
            path,
            codes::NAME_FORMAT,
            format!(
                "may only contain letters, digits, Chinese characters, '-', '.', '_' and spaces; found {bad:?} in {}",
                quoted(name)
            ),
        );
    }
    if name.starts_with(' ') || name.ends_with(' ') {
        report.value(
            path,
            codes::NAME_FORMAT,
            format!("must not start or end with a space: {}", quoted(name)),
        );
    }
}

/// Description: at most 1024 characters, none of carriage return, line feed, `<`, `>`.
pub(crate) fn check_description(description: &str, path: &FieldPath<'_>, report: &mut Report) {
    if description.len() > DESCRIPTION_MAX_CHARS {
        let chars = description.chars().count();
        if chars > DESCRIPTION_MAX_CHARS {
            report.value(
                path,
                codes::DESCRIPTION_TOO_LONG,
                format!("must be at most {DESCRIPTION_MAX_CHARS} characters, got {chars}"),
            );
        }
    }
    if let Some(bad) = description
        .chars()
        .find(|c| matches!(c, '\r' | '\n' | '<' | '>'))
    {
        report.value(
            path,
            codes::DESCRIPTION_FORMAT,
            format!(
                "must not contain carriage returns, line breaks, '<' or '>'; found {bad:?} in {}",
                quoted(description)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_codes(name: &str) -> Vec<&'static str> {
        let mut report = Report::default();
        check_name(name, &FieldPath::Root.key("name"), &mut report);
        report
            .into_result()
            .err()
            .map_or_else(Vec::new, |e| e.iter().map(|e| e.ims_code).collect())
    }

    fn description_codes(description: &str) -> Vec<&'static str> {
        let mut report = Report::default();
        check_description(
            description,
            &FieldPath::Root.key("description"),
            &mut report,
        );
        report
            .into_result()
            .err()
            .map_or_else(Vec::new, |e| e.iter().map(|e| e.ims_code).collect())
    }

    #[test]
    fn names_within_the_rules_pass() {
        for name in [
            "a",
            "ims_test",
            "web-1.0 final",
            "镜像_1",
            "A.B-C_D 9",
            &"n".repeat(128),
            &"镜".repeat(128),
        ] {
            assert!(name_codes(name).is_empty(), "{name}");
        }
        // The edges of the CJK block are allowed.
        assert!(name_codes("\u{4E00}\u{9FFF}").is_empty());
    }

    #[test]
    fn empty_name_is_missing() {
        assert_eq!(name_codes(""), ["IMG.0013"]);
    }

    #[test]
    fn long_name_is_too_long() {
        assert_eq!(name_codes(&"n".repeat(129)), ["IMG.0002"]);
        assert_eq!(name_codes(&"镜".repeat(129)), ["IMG.0002"]);
    }

    #[test]
    fn bad_characters_and_edge_spaces_are_format_errors() {
        for name in [
            "web#1",
            "a/b",
            "tab\there",
            "é",
            "\u{3400}",
            "\u{A000}",
            "emoji😀",
            "a:b",
        ] {
            assert_eq!(name_codes(name), ["IMG.0003"], "{name}");
        }
        assert_eq!(name_codes(" web"), ["IMG.0003"]);
        assert_eq!(name_codes("web "), ["IMG.0003"]);
        assert_eq!(name_codes(" "), ["IMG.0003"]);
    }

    #[test]
    fn every_name_violation_is_reported() {
        let name = format!(" {}#", "n".repeat(130));
        assert_eq!(name_codes(&name), ["IMG.0002", "IMG.0003", "IMG.0003"]);
    }

    #[test]
    fn descriptions_within_the_rules_pass() {
        for text in [
            "",
            "云服务器制作系统盘镜像",
            "spaces, commas; & quotes \"ok\"",
            &"d".repeat(1024),
            &"镜".repeat(1024),
        ] {
            assert!(description_codes(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn long_descriptions_and_forbidden_characters_fail() {
        assert_eq!(description_codes(&"d".repeat(1025)), ["IMG.0004"]);
        for text in ["line\nbreak", "carriage\rreturn", "<b>", "a > b"] {
            assert_eq!(description_codes(text), ["IMG.0054"], "{text:?}");
        }
        let both = format!("<{}", "d".repeat(1024));
        assert_eq!(description_codes(&both), ["IMG.0004", "IMG.0054"]);
    }

    #[test]
    fn messages_name_the_rule_and_the_value() {
        let mut report = Report::default();
        check_name("web#1", &FieldPath::Root.key("name"), &mut report);
        let errors = report.into_result().unwrap_err();
        assert_eq!(errors.0[0].path, "name");
        assert!(
            errors.0[0].message.contains("'#'"),
            "{}",
            errors.0[0].message
        );
        assert!(
            errors.0[0].message.contains("\"web#1\""),
            "{}",
            errors.0[0].message
        );
    }
}
