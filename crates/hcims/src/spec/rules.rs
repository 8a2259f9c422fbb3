//! How strictly a client holds specs to the page's rules. Each broken rule is of a [`RuleKind`],
//! chosen where it is reported: the reader reports shape, the way's checks report value (and shape
//! for the fields the page makes mutually exclusive). [`ValidationErrors::split`] is the one switch
//! every call goes through before it sends.

use std::fmt;
use std::str::FromStr;

use super::error::{FieldError, ValidationErrors};

/// What kind of rule a violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// The request cannot be built as asked: the way is unclear, a required field is missing, a value
    /// has the wrong JSON type, a key is unknown, or fields the page makes exclusive are combined.
    /// Always refused.
    Shape,
    /// A value the page limits (range, length, characters, words, counts): the page may be stricter
    /// than the service or than another cloud running the same API. Refused unless rules are "warn".
    Value,
}

/// What a client does with value rules: refuse the spec (the default) or send it with a warning per
/// broken rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Rules {
    #[default]
    Enforce,
    Warn,
}

/// The environment variable that sets [`Rules`] when the client is not told.
pub const ENV_RULES: &str = "HCIMS_RULES";

/// The last line of a refusal that only value rules caused.
pub const SWITCH_HINT: &str =
    "these are value rules: Client(rules=\"warn\") or HCIMS_RULES=warn sends \
     the request as given, with a warning per rule";

impl Rules {
    pub fn as_str(self) -> &'static str {
        match self {
            Rules::Enforce => "enforce",
            Rules::Warn => "warn",
        }
    }
}

impl fmt::Display for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a rules setting other than "enforce" or "warn".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRules(pub String);

impl fmt::Display for UnknownRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rules must be \"enforce\" or \"warn\", got {:?}", self.0)
    }
}

impl std::error::Error for UnknownRules {}

impl FromStr for Rules {
    type Err = UnknownRules;

    fn from_str(s: &str) -> Result<Self, UnknownRules> {
        match s {
            "enforce" => Ok(Rules::Enforce),
            "warn" => Ok(Rules::Warn),
            other => Err(UnknownRules(other.to_owned())),
        }
    }
}

impl ValidationErrors {
    /// The switch: under `Enforce` every violation refuses the spec; under `Warn` only shape ones do,
    /// and the value violations come back to be issued as warnings while the spec is sent as given.
    pub fn split(self, rules: Rules) -> Result<Vec<FieldError>, ValidationErrors> {
        let refused = match rules {
            Rules::Enforce => !self.is_empty(),
            Rules::Warn => self.iter().any(|e| e.kind == RuleKind::Shape),
        };
        if refused {
            Err(self)
        } else {
            Ok(self.0)
        }
    }

    /// [`SWITCH_HINT`] when every violation is a value rule (switching would send the request).
    pub fn switch_hint(&self) -> Option<&'static str> {
        let all_value = !self.is_empty() && self.iter().all(|e| e.kind == RuleKind::Value);
        all_value.then_some(SWITCH_HINT)
    }
}

impl FieldError {
    /// The text of the warning issued for this violation under `Rules::Warn`: the field path, the
    /// rule, its IMS code and its page.
    pub fn warning_text(&self) -> String {
        let path = if self.path.is_empty() {
            "request body"
        } else {
            &self.path
        };
        format!(
            "{path}: {} ({}; a value rule of the {}); sent as given because rules=\"warn\"",
            self.message, self.ims_code, self.page
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{ImageSpec, UnknownKeys};
    use super::*;

    fn error(kind: RuleKind) -> FieldError {
        FieldError {
            path: "min_disk".to_owned(),
            message: "must be between 40 and 1024 (GB), got 20".to_owned(),
            ims_code: "IMG.0055",
            kind,
            page: "create-image page",
        }
    }

    #[test]
    fn enforce_refuses_all_and_warn_only_shape() {
        let value = ValidationErrors(vec![error(RuleKind::Value)]);
        let mixed = ValidationErrors(vec![error(RuleKind::Value), error(RuleKind::Shape)]);
        assert!(value.clone().split(Rules::Enforce).is_err());
        assert_eq!(value.clone().split(Rules::Warn).map(|w| w.len()), Ok(1));
        assert!(mixed.clone().split(Rules::Warn).is_err());
        assert_eq!(
            ValidationErrors(vec![]).split(Rules::Enforce),
            Ok(Vec::new())
        );
        assert_eq!(value.switch_hint(), Some(SWITCH_HINT));
        assert_eq!(mixed.switch_hint(), None);
    }

    #[test]
    fn rules_parse_only_their_two_words() {
        assert_eq!("warn".parse(), Ok(Rules::Warn));
        assert_eq!("enforce".parse(), Ok(Rules::Enforce));
        let error = "Warn".parse::<Rules>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "rules must be \"enforce\" or \"warn\", got \"Warn\""
        );
    }

    #[test]
    fn a_warning_names_path_rule_and_page() {
        assert_eq!(
            error(RuleKind::Value).warning_text(),
            "min_disk: must be between 40 and 1024 (GB), got 20 (IMG.0055; a value rule of the \
             create-image page); sent as given because rules=\"warn\""
        );
    }

    #[test]
    fn warn_keeps_every_value_as_given() {
        let body = json!({
            "name": "img[1]", "image_url": "bucket:img.qcow2", "min_disk": 20,
            "os_type": "Solaris", "architecture": "X86", "is_config_init": true
        });
        let read = |rules| ImageSpec::from_json_with(None, &body, UnknownKeys::Reject, rules);
        let refused = read(Rules::Enforce).unwrap_err();
        assert_eq!(refused.len(), 4);
        assert_eq!(refused.switch_hint(), Some(SWITCH_HINT));
        let (spec, warnings) = read(Rules::Warn).unwrap();
        let paths: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(paths, ["os_type", "architecture", "name", "min_disk"]);
        let sent: serde_json::Value = serde_json::from_slice(&spec.to_body()).unwrap();
        assert_eq!(sent, body);
        // Checked again before sending: the kept words break their rule again, no shadowing error.
        assert_eq!(spec.validate_with(Rules::Warn).map(|w| w.len()), Ok(4));
        assert_eq!(spec.validate().map_err(|e| e.len()), Err(4));
        let (create, _) = crate::CheckedCreate::with_rules(&spec, Rules::Warn).unwrap();
        let request = crate::Call::request(&create, "p");
        let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(sent, body);
    }

    #[test]
    fn a_word_both_at_the_top_and_in_extra_is_a_shape_error() {
        let body = json!({
            "extra": {"os_type": "Linux"}, "name": "i", "image_url": "b:o", "min_disk": 40,
            "os_type": "Solaris"
        });
        let refused =
            ImageSpec::from_json_with(None, &body, UnknownKeys::Reject, Rules::Warn).unwrap_err();
        assert!(refused.iter().any(|e| e.kind == RuleKind::Shape));
    }
}
