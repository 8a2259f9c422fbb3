//! The key of `ensure_image` as an image tag: which value it is sent as, and the spec carrying it in
//! the spec's own tag style.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::spec::{split_tag, FieldError, ImageSpec, Mode, UnknownKeys, ValidationErrors};

/// The tag key that carries the caller's key on every image an ensured spec makes.
pub const KEY_TAG: &str = "hcims-key";
/// IMS's longest tag value (镜像标签数据格式.md).
const VALUE_MAX_CHARS: usize = 43;
/// A digest value: this prefix and the first 36 hex digits of the key's SHA-256 (43 characters).
const DIGEST_PREFIX: &str = "sha256-";

/// The tag value a key is sent as: the key itself when it is a valid tag value (1 to 43 digits,
/// letters, `_`, `.`, `-` or Chinese), else `sha256-` and the first 36 hex digits of its SHA-256,
/// which is stable from run to run and machine to machine.
pub fn key_tag_value(key: &str) -> String {
    let fits = (1..=VALUE_MAX_CHARS).contains(&key.chars().count())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') || is_chinese(c));
    if fits {
        return key.to_owned();
    }
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    format!(
        "{DIGEST_PREFIX}{}",
        &digest[..VALUE_MAX_CHARS - DIGEST_PREFIX.len()]
    )
}

fn is_chinese(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A spec with the key tag on every image it makes, checked again with the tag counted.
#[derive(Debug, Clone)]
pub struct KeyedSpec {
    pub key: String,
    /// What the tag holds (see [`key_tag_value`]).
    pub tag_value: String,
    pub spec: ImageSpec,
    /// The names of the images the spec makes (one per data image for data-disk images).
    pub image_names: Vec<String>,
}

impl KeyedSpec {
    /// Adds the key tag; a spec that already carries an `hcims-key` tag, or has no room left for one
    /// more tag, is a `ValidationError` naming the field. Nothing is sent.
    pub fn new(spec: &ImageSpec, key: &str) -> Result<KeyedSpec, Error> {
        if key.is_empty() {
            return Err(Error::invalid_argument(
                "key",
                "the key must not be empty".to_owned(),
            ));
        }
        let tag_value = key_tag_value(key);
        let mut body = serde_json::to_value(spec)
            .map_err(|e| Error::invalid_argument("spec", e.to_string()))?;
        let Value::Object(object) = &mut body else {
            return Err(Error::invalid_argument(
                "spec",
                "not a JSON object".to_owned(),
            ));
        };
        let mut refused = Vec::new();
        add_key_tag(object, &tag_value, "", &mut refused);
        let mut image_names = Vec::new();
        if let Some(Value::Array(images)) = object.get_mut("data_images") {
            for (index, image) in images.iter_mut().enumerate() {
                if let Value::Object(image) = image {
                    image_names.push(
                        image
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                    );
                    let has_own = ["tags", "image_tags"]
                        .iter()
                        .any(|field| non_empty(image, field));
                    if has_own {
                        add_key_tag(
                            image,
                            &tag_value,
                            &format!("data_images[{index}]."),
                            &mut refused,
                        );
                    }
                }
            }
        }
        if spec.mode() != Mode::DataImages || image_names.is_empty() {
            image_names = vec![spec.name().unwrap_or("").to_owned()];
        }
        if !refused.is_empty() {
            return Err(Error::Validation(ValidationErrors(refused)));
        }
        let spec = ImageSpec::from_json(Some(spec.mode()), &body, UnknownKeys::Keep)?;
        Ok(KeyedSpec {
            key: key.to_owned(),
            tag_value,
            spec,
            image_names,
        })
    }

    /// The `GET /v2/cloudimages` filters that find the images carrying the key.
    pub fn filters(&self) -> Vec<(String, String)> {
        vec![
            ("__imagetype".to_owned(), "private".to_owned()),
            ("tag".to_owned(), format!("{KEY_TAG}={}", self.tag_value)),
        ]
    }
}

fn non_empty(object: &Map<String, Value>, field: &str) -> bool {
    object
        .get(field)
        .and_then(Value::as_array)
        .is_some_and(|list| !list.is_empty())
}

/// Adds the tag in the style `object` uses (legacy `tags` when it has some, else `image_tags`),
/// noting an `hcims-key` tag already there in `refused`.
fn add_key_tag(
    object: &mut Map<String, Value>,
    value: &str,
    prefix: &str,
    refused: &mut Vec<FieldError>,
) {
    let already = |field: &str, index: usize| FieldError {
        path: format!("{prefix}{field}[{index}]"),
        message: format!(
            "the spec already carries an {KEY_TAG:?} tag: ensure_image sets it from the key"
        ),
        ims_code: crate::spec::codes::TAG,
        kind: crate::spec::RuleKind::Shape,
        page: "ensure_image's key tag",
    };
    if non_empty(object, "tags") {
        let tags = object.get_mut("tags").and_then(Value::as_array_mut);
        let tags = tags.expect("checked non-empty above");
        for (index, tag) in tags.iter().enumerate() {
            if tag.as_str().is_some_and(|tag| split_tag(tag).0 == KEY_TAG) {
                refused.push(already("tags", index));
            }
        }
        tags.push(json!(format!("{KEY_TAG}.{value}")));
        return;
    }
    let entry = object.entry("image_tags").or_insert_with(|| json!([]));
    if let Value::Array(image_tags) = entry {
        for (index, tag) in image_tags.iter().enumerate() {
            if tag.get("key").and_then(Value::as_str) == Some(KEY_TAG) {
                refused.push(already("image_tags", index));
            }
        }
        image_tags.push(json!({"key": KEY_TAG, "value": value}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(body: Value) -> ImageSpec {
        ImageSpec::from_json(None, &body, UnknownKeys::Reject).unwrap()
    }

    const INSTANCE: &str = "877a2cda-ba63-4e1e-b95f-e67e48b6129a";

    #[test]
    fn a_fitting_key_is_its_own_value_and_others_a_stable_digest() {
        assert_eq!(key_tag_value("web-2026-12-03"), "web-2026-12-03");
        assert_eq!(key_tag_value("镜像.v1_a"), "镜像.v1_a");
        let long = "k".repeat(44);
        let digest = key_tag_value(&long);
        assert_eq!(digest.len(), 43);
        assert!(digest.starts_with("sha256-"));
        assert_eq!(digest, key_tag_value(&long));
        assert_ne!(key_tag_value("a/b"), key_tag_value("a/c"));
        assert!(key_tag_value("a b").starts_with("sha256-"));
    }

    #[test]
    fn the_tag_follows_the_spec_style() {
        let plain =
            KeyedSpec::new(&spec(json!({"name": "w", "instance_id": INSTANCE})), "k1").unwrap();
        let body: Value = serde_json::from_slice(&plain.spec.to_body()).unwrap();
        assert_eq!(
            body["image_tags"],
            json!([{"key": "hcims-key", "value": "k1"}])
        );
        let legacy = spec(json!({"name": "w", "instance_id": INSTANCE, "tags": ["env.prod"]}));
        let body: Value =
            serde_json::from_slice(&KeyedSpec::new(&legacy, "k1").unwrap().spec.to_body()).unwrap();
        assert_eq!(body["tags"], json!(["env.prod", "hcims-key.k1"]));
        assert!(body.get("image_tags").is_none());
    }

    #[test]
    fn no_room_or_an_existing_key_tag_is_refused() {
        let tags: Vec<String> = (0..10).map(|i| format!("t{i}.v")).collect();
        let full = spec(json!({"name": "w", "instance_id": INSTANCE, "tags": tags}));
        let Err(Error::Validation(errors)) = KeyedSpec::new(&full, "k") else {
            panic!()
        };
        assert!(
            errors
                .0
                .iter()
                .any(|e| e.path == "tags" && e.ims_code == "IMG.0116"),
            "{errors:?}"
        );
        let keyed = spec(json!({"name": "w", "instance_id": INSTANCE,
            "image_tags": [{"key": "hcims-key", "value": "x"}]}));
        let Err(Error::Validation(errors)) = KeyedSpec::new(&keyed, "k") else {
            panic!()
        };
        assert_eq!(errors.0[0].path, "image_tags[0]");
    }
}
