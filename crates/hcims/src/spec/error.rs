//! Validation errors: every broken rule of a spec, each with its field path, a message that names the
//! rule and the offending value, and the IMS error code the real service would answer.

use std::fmt;

use super::codes;
use super::path::FieldPath;
use super::rules::{RuleKind, Rules};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where: `name`, `data_images[2].min_disk`, `image_tags[0].key`, `tags[3]`; empty for the body itself.
    pub path: String,
    /// What is wrong, naming the rule and the offending value (long values are shortened).
    pub message: String,
    /// The `IMG.xxxx` code IMS answers for this rule.
    pub ims_code: &'static str,
    /// Shape (always refused) or value (refused unless rules are "warn").
    pub kind: RuleKind,
    /// The API page the rule comes from, e.g. "create-image page".
    pub page: &'static str,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "request body: {} ({})", self.message, self.ims_code)
        } else {
            write!(f, "{}: {} ({})", self.path, self.message, self.ims_code)
        }
    }
}

/// Every broken rule of one spec, never only the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// The code IMS would answer for the whole request: the first error's (IMS reports one).
    pub fn ims_code(&self) -> &'static str {
        self.0.first().map_or(codes::MALFORMED, |e| e.ims_code)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Collects errors while reading or checking a spec of one page.
#[derive(Debug, Default)]
pub(crate) struct Report(Vec<FieldError>, &'static str);

impl Report {
    /// A report on the rules of `page` (the API page of the way being read or checked).
    pub(crate) fn on_page(page: &'static str) -> Self {
        Report(Vec::new(), page)
    }

    /// A broken shape rule: the request cannot be built as asked; refused whatever the rules.
    pub(crate) fn shape(&mut self, path: &FieldPath<'_>, ims_code: &'static str, message: String) {
        self.add(path, ims_code, message, RuleKind::Shape);
    }

    /// A broken value rule: a limit of the page, refused unless the client's rules are "warn".
    pub(crate) fn value(&mut self, path: &FieldPath<'_>, ims_code: &'static str, message: String) {
        self.add(path, ims_code, message, RuleKind::Value);
    }

    fn add(
        &mut self,
        path: &FieldPath<'_>,
        ims_code: &'static str,
        message: String,
        kind: RuleKind,
    ) {
        self.0.push(FieldError {
            path: path.render(),
            message,
            ims_code,
            kind,
            page: self.1,
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn extend(&mut self, other: Report) {
        self.0.extend(other.0);
    }

    pub(crate) fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.0))
        }
    }

    /// The violations `rules` lets through, or the refusal (see [`ValidationErrors::split`]).
    pub(crate) fn split(self, rules: Rules) -> Result<Vec<FieldError>, ValidationErrors> {
        ValidationErrors(self.0).split(rules)
    }

    /// Appends the rule errors of `rules`, except those at or under a path this report already has an
    /// error for: a field that could not be read is left empty in the spec, and "must not be empty"
    /// on top of "must be a string" would only be noise.
    pub(crate) fn merge_rules(&mut self, rules: Report) {
        let read_errors = self.0.len();
        for error in rules.0 {
            let covered = self.0[..read_errors]
                .iter()
                .any(|seen| is_same_or_under(&error.path, &seen.path));
            if !covered {
                self.0.push(error);
            }
        }
    }
}

fn is_same_or_under(path: &str, ancestor: &str) -> bool {
    match path.strip_prefix(ancestor) {
        Some("") => true,
        Some(rest) => ancestor.is_empty() || rest.starts_with('.') || rest.starts_with('['),
        None => false,
    }
}

/// Longest value (in characters) quoted whole in a message.
const SHOWN_CHARS: usize = 48;

/// A value quoted for a message, shortened when long so that errors stay one readable line.
pub(crate) fn quoted(value: &str) -> String {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => {
            let total = value.chars().count();
            format!("{:?}… ({total} characters)", &value[..cut])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(path: &str) -> FieldError {
        FieldError {
            path: path.to_owned(),
            message: "broken".to_owned(),
            ims_code: codes::MALFORMED,
            kind: RuleKind::Value,
            page: "",
        }
    }

    #[test]
    fn display_has_one_line_per_error() {
        let errors = ValidationErrors(vec![error("name"), error("")]);
        assert_eq!(
            errors.to_string(),
            "name: broken (IMG.0001)\nrequest body: broken (IMG.0001)"
        );
        assert_eq!(errors.ims_code(), "IMG.0001");
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn merge_drops_rule_errors_under_read_errors_only() {
        let mut read = Report(vec![error("data_images[0]"), error("name")], "");
        let rules = Report(
            vec![
                error("data_images[0].name"),
                error("data_images[1].name"),
                error("name"),
                error("names"),
                error("data_images[10]"),
            ],
            "",
        );
        read.merge_rules(rules);
        let paths: Vec<&str> = read.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "data_images[0]",
                "name",
                "data_images[1].name",
                "names",
                "data_images[10]"
            ]
        );
    }

    #[test]
    fn quoted_shortens_long_values() {
        assert_eq!(quoted("abc"), "\"abc\"");
        let long = "x".repeat(200);
        let shown = quoted(&long);
        assert!(shown.starts_with(&format!("\"{}\"…", "x".repeat(SHOWN_CHARS))));
        assert!(shown.ends_with("(200 characters)"));
        let cjk = "镜".repeat(60);
        assert!(quoted(&cjk).ends_with("(60 characters)"));
    }
}
