//! Reading a spec out of a JSON object by hand rather than with serde's derive: serde stops at the
//! first problem, while a spec must report every ill-typed field, unknown key and broken rule at once.

use serde_json::{Map, Value};

use super::choices::Choice;
use super::codes;
use super::error::{quoted, Report};
use super::path::FieldPath;
use super::suggest;
use super::tags::ImageTag;
use super::UnknownKeys;

pub(crate) type Object = Map<String, Value>;

/// Reads fields of one request, collecting every problem in `report`.
pub(crate) struct Reader {
    pub(crate) report: Report,
    unknown: UnknownKeys,
    /// The word just read that its field's list lacks, for the way's reader to keep as given.
    unlisted: Option<Value>,
}

impl Reader {
    /// A reader of a way of `page`, whose rules its report names.
    pub(crate) fn new(unknown: UnknownKeys, page: &'static str) -> Self {
        Reader {
            report: Report::on_page(page),
            unknown,
            unlisted: None,
        }
    }

    /// Keeps the word outside its list that the field `key` just read, in `extra` where it is sent
    /// as given (rules="warn"; under "enforce" the value rule already reported refuses it), and its
    /// key in `unlisted` so that the way's checks report it again rather than as a shadowing extra.
    pub(crate) fn keep_unlisted(
        &mut self,
        key: &'static str,
        at: &FieldPath<'_>,
        extra: &mut Object,
        unlisted: &mut Vec<&'static str>,
    ) {
        let Some(word) = self.unlisted.take() else {
            return;
        };
        if self.keep_in_extra(key, word, at, extra) {
            unlisted.push(key);
        }
    }

    /// Puts a top-level `key` into `extra`, unless `extra` has it already (a shape error): true when kept.
    fn keep_in_extra(
        &mut self,
        key: &str,
        value: Value,
        at: &FieldPath<'_>,
        extra: &mut Object,
    ) -> bool {
        if extra.contains_key(key) {
            self.report.shape(
                at,
                codes::MALFORMED,
                format!(
                    "{} is given both at the top level and in extra",
                    quoted(key)
                ),
            );
            return false;
        }
        extra.insert(key.to_owned(), value);
        true
    }

    fn wrong_type(&mut self, expected: &str, value: &Value, at: &FieldPath<'_>) {
        self.report.shape(
            at,
            codes::MALFORMED,
            format!("must be {expected}, got {}", describe(value)),
        );
    }

    /// An optional string; JSON null counts as absent.
    pub(crate) fn string(&mut self, value: &Value, at: &FieldPath<'_>) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => {
                self.wrong_type("a string", other, at);
                None
            }
        }
    }

    /// An optional JSON integer: floats, booleans and strings are refused, even `40.0` or `"40"`.
    pub(crate) fn integer(&mut self, value: &Value, at: &FieldPath<'_>) -> Option<i64> {
        match value {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(i)
                } else if n.is_u64() {
                    // Every integer field is a size; no size is anywhere near 2^63. A shape rule: a
                    // spec cannot hold the value, so it could not be sent as given.
                    self.report
                        .shape(at, codes::SIZE, format!("is far too large, got {n}"));
                    None
                } else {
                    self.report.shape(
                        at,
                        codes::MALFORMED,
                        format!("must be a whole number written without a decimal point or exponent, got {n}"),
                    );
                    None
                }
            }
            Value::Null => None,
            other => {
                self.wrong_type("an integer", other, at);
                None
            }
        }
    }

    /// An optional JSON boolean: `"true"` and `1` are refused.
    pub(crate) fn boolean(&mut self, value: &Value, at: &FieldPath<'_>) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            other => {
                self.wrong_type("a boolean (true or false)", other, at);
                None
            }
        }
    }

    /// An optional word from a fixed list; a word outside it gets the field's own IMS code.
    pub(crate) fn choice<T: Choice>(&mut self, value: &Value, at: &FieldPath<'_>) -> Option<T> {
        match value {
            Value::String(word) => {
                let parsed = T::from_word(word);
                if parsed.is_none() {
                    self.report
                        .value(at, T::IMS_CODE, T::unknown_word_message(word));
                    self.unlisted = Some(value.clone());
                }
                parsed
            }
            Value::Null => None,
            other => {
                self.wrong_type("a string", other, at);
                None
            }
        }
    }

    /// A list of strings (legacy `tags`); a bad entry is reported and kept as "" so that later
    /// entries keep their index in rule errors.
    pub(crate) fn strings(&mut self, value: &Value, at: &FieldPath<'_>) -> Option<Vec<String>> {
        let items = self.array(value, "a list of strings", at)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                other => {
                    self.wrong_type("a string", other, &at.index(i));
                    out.push(String::new());
                }
            }
        }
        Some(out)
    }

    /// A list of objects, each read by `read_item`; a non-object entry is reported and kept as the
    /// default so that later entries keep their index.
    pub(crate) fn objects<T: Default>(
        &mut self,
        value: &Value,
        at: &FieldPath<'_>,
        mut read_item: impl FnMut(&mut Self, &Object, &FieldPath<'_>) -> T,
    ) -> Option<Vec<T>> {
        let items = self.array(value, "a list of objects", at)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_at = at.index(i);
            match item {
                Value::Object(object) => out.push(read_item(self, object, &item_at)),
                other => {
                    self.wrong_type("an object", other, &item_at);
                    out.push(T::default());
                }
            }
        }
        Some(out)
    }

    fn array<'v>(
        &mut self,
        value: &'v Value,
        expected: &str,
        at: &FieldPath<'_>,
    ) -> Option<&'v Vec<Value>> {
        match value {
            Value::Array(items) => Some(items),
            Value::Null => None,
            other => {
                self.wrong_type(expected, other, at);
                None
            }
        }
    }

    /// `image_tags`: a list of `{key, value}` objects; `value` may be left out and means "".
    pub(crate) fn image_tags(
        &mut self,
        value: &Value,
        at: &FieldPath<'_>,
    ) -> Option<Vec<ImageTag>> {
        self.objects(value, at, |reader, object, tag_at| {
            let mut tag = ImageTag::default();
            for (key, value) in object {
                let field_at = tag_at.key(key);
                match key.as_str() {
                    "key" => tag.key = reader.string(value, &field_at).unwrap_or_default(),
                    "value" => tag.value = reader.string(value, &field_at).unwrap_or_default(),
                    // A tag has nowhere to keep unknown keys, so they are refused even in Keep mode.
                    _ => reader.refuse_unknown(key, &field_at, &["key", "value"]),
                }
            }
            reader.require(object, "key", tag_at, codes::TAG);
            tag
        })
    }

    /// Reports `key` of `object` as missing when it is absent or null.
    pub(crate) fn require(
        &mut self,
        object: &Object,
        key: &str,
        at: &FieldPath<'_>,
        ims_code: &'static str,
    ) {
        if matches!(object.get(key), None | Some(Value::Null)) {
            self.report
                .shape(&at.key(key), ims_code, "is required".to_owned());
        }
    }

    /// The key `extra`: an object whose entries are merged into the spec's extra fields.
    pub(crate) fn extra(&mut self, value: &Value, at: &FieldPath<'_>, extra: &mut Object) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields {
                    if extra.contains_key(key) {
                        self.report.shape(
                            &at.key(key),
                            codes::MALFORMED,
                            format!(
                                "{} is given both in extra and at the top level",
                                quoted(key)
                            ),
                        );
                    } else {
                        extra.insert(key.clone(), value.clone());
                    }
                }
            }
            Value::Null => {}
            other => self.wrong_type("an object of extra fields", other, at),
        }
    }

    /// A key the spec does not know: refused with a suggestion, or kept in `extra` (emulator mode).
    pub(crate) fn unknown(
        &mut self,
        key: &str,
        value: &Value,
        at: &FieldPath<'_>,
        known: &[&str],
        extra: &mut Object,
    ) {
        match self.unknown {
            UnknownKeys::Reject => self.refuse_unknown(key, at, known),
            UnknownKeys::Keep => {
                self.keep_in_extra(key, value.clone(), at, extra);
            }
        }
    }

    pub(crate) fn refuse_unknown(&mut self, key: &str, at: &FieldPath<'_>, known: &[&str]) {
        let candidates = known.iter().copied().chain(std::iter::once("extra"));
        let message = match suggest::closest(key, candidates, suggest::edits_for_key) {
            Some(close) => format!("unknown field {}; did you mean '{close}'?", quoted(key)),
            None => format!(
                "unknown field {}; the known fields here are {} (put fields the API has but hcims lacks in extra)",
                quoted(key),
                known.join(", ")
            ),
        };
        self.report.shape(at, codes::MALFORMED, message);
    }
}

/// A JSON value as named in a type error: its kind and, for scalars, the value itself.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", quoted(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn errors(reader: Reader) -> Vec<(String, &'static str, String)> {
        reader
            .report
            .into_result()
            .err()
            .map_or_else(Vec::new, |e| {
                e.0.into_iter()
                    .map(|e| (e.path, e.ims_code, e.message))
                    .collect()
            })
    }

    #[test]
    fn scalars_must_have_their_json_type() {
        let root = FieldPath::Root;
        let at = root.key("f");
        let mut reader = Reader::new(UnknownKeys::Reject, "");
        assert_eq!(reader.string(&json!("x"), &at), Some("x".to_owned()));
        assert_eq!(reader.integer(&json!(40), &at), Some(40));
        assert_eq!(reader.integer(&json!(-3), &at), Some(-3));
        assert_eq!(reader.boolean(&json!(false), &at), Some(false));
        assert_eq!(reader.string(&Value::Null, &at), None);
        assert_eq!(reader.integer(&Value::Null, &at), None);
        assert_eq!(reader.boolean(&Value::Null, &at), None);
        assert!(errors(reader).is_empty());

        let mut reader = Reader::new(UnknownKeys::Reject, "");
        assert_eq!(reader.string(&json!(5), &at), None);
        assert_eq!(reader.integer(&json!(40.0), &at), None);
        assert_eq!(reader.integer(&json!(40.5), &at), None);
        assert_eq!(reader.integer(&json!(true), &at), None);
        assert_eq!(reader.integer(&json!("40"), &at), None);
        assert_eq!(reader.integer(&json!(u64::MAX), &at), None);
        assert_eq!(reader.boolean(&json!("true"), &at), None);
        assert_eq!(reader.boolean(&json!(1), &at), None);
        let found = errors(reader);
        let codes: Vec<&str> = found.iter().map(|e| e.1).collect();
        assert_eq!(
            codes,
            [
                "IMG.0001", "IMG.0001", "IMG.0001", "IMG.0001", "IMG.0001", "IMG.0055", "IMG.0001",
                "IMG.0001"
            ]
        );
        assert_eq!(found[0].2, "must be a string, got the number 5");
        assert!(
            found[1].2.contains("without a decimal point"),
            "{}",
            found[1].2
        );
        assert_eq!(found[4].2, "must be an integer, got the string \"40\"");
    }

    #[test]
    fn bad_list_entries_keep_their_index() {
        let root = FieldPath::Root;
        let at = root.key("tags");
        let mut reader = Reader::new(UnknownKeys::Reject, "");
        let tags = reader.strings(&json!(["a.1", 7, "b.2"]), &at);
        assert_eq!(
            tags,
            Some(vec!["a.1".to_owned(), String::new(), "b.2".to_owned()])
        );
        assert_eq!(reader.strings(&json!("a.1"), &at), None);
        let found = errors(reader);
        assert_eq!(found[0].0, "tags[1]");
        assert_eq!(found[1].0, "tags");
    }

    #[test]
    fn image_tags_need_a_key_and_refuse_unknown_keys() {
        let root = FieldPath::Root;
        let at = root.key("image_tags");
        let mut reader = Reader::new(UnknownKeys::Keep, "");
        let tags = reader.image_tags(
            &json!([{"key": "k"}, {"value": "v"}, {"key": "a", "vaule": "b"}, 3]),
            &at,
        );
        assert_eq!(
            tags,
            Some(vec![
                ImageTag::new("k", ""),
                ImageTag::new("", "v"),
                ImageTag::new("a", ""),
                ImageTag::default()
            ])
        );
        let found = errors(reader);
        let paths: Vec<&str> = found.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            paths,
            ["image_tags[1].key", "image_tags[2].vaule", "image_tags[3]"]
        );
        assert_eq!(found[0].1, "IMG.0115");
        assert!(
            found[1].2.contains("did you mean 'value'?"),
            "{}",
            found[1].2
        );
    }

    #[test]
    fn unknown_keys_are_refused_or_kept() {
        let root = FieldPath::Root;
        let mut extra = Object::new();
        let mut reader = Reader::new(UnknownKeys::Reject, "");
        reader.unknown(
            "instance-id",
            &json!(1),
            &root.key("instance-id"),
            &["name", "instance_id"],
            &mut extra,
        );
        reader.unknown(
            "flavor",
            &json!(1),
            &root.key("flavor"),
            &["name", "instance_id"],
            &mut extra,
        );
        assert!(extra.is_empty());
        let found = errors(reader);
        assert_eq!(
            found[0].2,
            "unknown field \"instance-id\"; did you mean 'instance_id'?"
        );
        assert!(
            found[1]
                .2
                .contains("known fields here are name, instance_id"),
            "{}",
            found[1].2
        );

        let mut reader = Reader::new(UnknownKeys::Keep, "");
        reader.unknown(
            "flavor",
            &json!(1),
            &root.key("flavor"),
            &["name"],
            &mut extra,
        );
        reader.extra(
            &json!({"flavor": 2, "other": 3}),
            &root.key("extra"),
            &mut extra,
        );
        assert_eq!(Value::Object(extra), json!({"flavor": 1, "other": 3}));
        let found = errors(reader);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "extra.flavor");
    }

    #[test]
    fn extra_must_be_an_object() {
        let root = FieldPath::Root;
        let mut extra = Object::new();
        let mut reader = Reader::new(UnknownKeys::Reject, "");
        reader.extra(&json!(["x"]), &root.key("extra"), &mut extra);
        reader.extra(&Value::Null, &root.key("extra"), &mut extra);
        let found = errors(reader);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, "must be an object of extra fields, got a list");
    }
}
