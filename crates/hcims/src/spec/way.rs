//! The one declaration of each way's fields: [`declare_way!`] turns a list of fields into the Rust
//! struct, its `FIELDS`, its reader and the schema that `scripts/gen_specs.py` writes the Python
//! dataclasses and TypedDicts from. Fields most ways share are described once, in [`common_field!`],
//! and answer for the way in its `SharedFields`, whose rules check them alike.

use serde_json::Value;

use super::path::FieldPath;
use super::read::Reader;
use super::tags::ImageTag;
use super::Mode;

/// A type a spec field can hold: how it is read from JSON and how Python annotates it.
pub(crate) trait FieldValue: Sized {
    /// The value, or None when it is null or ill-typed (the reader reports the latter).
    fn read(reader: &mut Reader, value: &Value, at: &FieldPath<'_>) -> Option<Self>;
    /// The annotation of a dataclass field holding it.
    fn python() -> String;
    /// The annotation of a TypedDict key holding it.
    fn python_dict() -> String {
        Self::python()
    }
}

impl FieldValue for String {
    fn read(reader: &mut Reader, value: &Value, at: &FieldPath<'_>) -> Option<Self> {
        reader.string(value, at)
    }
    fn python() -> String {
        "str".to_owned()
    }
}

impl FieldValue for i64 {
    fn read(reader: &mut Reader, value: &Value, at: &FieldPath<'_>) -> Option<Self> {
        reader.integer(value, at)
    }
    fn python() -> String {
        "int".to_owned()
    }
}

impl FieldValue for bool {
    fn read(reader: &mut Reader, value: &Value, at: &FieldPath<'_>) -> Option<Self> {
        reader.boolean(value, at)
    }
    fn python() -> String {
        "bool".to_owned()
    }
}

impl FieldValue for Vec<String> {
    fn read(reader: &mut Reader, value: &Value, at: &FieldPath<'_>) -> Option<Self> {
        reader.strings(value, at)
    }
    fn python() -> String {
        "Sequence[str]".to_owned()
    }
}

impl FieldValue for Vec<ImageTag> {
    fn read(reader: &mut Reader, value: &Value, at: &FieldPath<'_>) -> Option<Self> {
        reader.image_tags(value, at)
    }
    fn python() -> String {
        "Sequence[ImageTagLike]".to_owned()
    }
    fn python_dict() -> String {
        "Sequence[TagDict]".to_owned()
    }
}

/// One field as Python sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSchema {
    /// The API's key, which is also the Python field's name.
    pub key: &'static str,
    pub required: bool,
    /// Its dataclass annotation (without `Optional`).
    pub python: String,
    /// Its TypedDict annotation.
    pub python_dict: String,
}

/// One spec class as Python sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaySchema {
    /// The Rust struct's name, which is also the Python class's.
    pub name: &'static str,
    /// The mode it makes; None for a data image inside another spec.
    pub mode: Option<Mode>,
    /// The Python class's docstring.
    pub python_doc: &'static str,
    /// Its fields in order (`extra` comes after them, in every spec).
    pub fields: Vec<FieldSchema>,
}

/// What the declaration of a field means: its Rust type, API key and doc, its accessor in
/// `SharedFields` and its Python annotations. Fields most ways share are described here once; a
/// field that gives its own type is the way's own (no doc, no accessor).
macro_rules! common_field {
    (type $field:ident : $ty:ty) => { $ty };
    (type description) => { String };
    (type tags) => { Vec<String> };
    (type image_tags) => { Vec<$crate::spec::tags::ImageTag> };
    (type enterprise_project_id) => { String };
    (type max_ram) => { i64 };
    (type min_ram) => { i64 };
    (type is_quick_import) => { bool };
    (type hw_firmware_type) => { $crate::spec::choices::FirmwareType };
    (key $field:ident = $key:literal) => { $key };
    (key $field:ident) => { stringify!($field) };
    (doc description) => { "At most 1024 characters, without line breaks, `<` or `>`." };
    (doc image_tags) => { "`{key, value}` tags; exclusive with `tags`." };
    (doc is_quick_import) => { "Import the file as it is, without conversion (needs `os_version`)." };
    (doc hw_firmware_type) => { "How the image boots: bios or uefi." };
    (doc tags) => { "Legacy tags, `\"key.value\"`; exclusive with `image_tags`." };
    (doc enterprise_project_id) => { "`\"0\"` (the default project) or a UUID." };
    (doc max_ram) => { "MB; 0 means no limit." };
    (doc min_ram) => { "MB; 0 means no limit." };
    (doc $field:ident) => { "Optional: left out of the request when None." };
    (accessor $field:ident : $ty:ty) => {};
    (accessor description) => { fn description(&self) -> Option<&str> { self.description.as_deref() } };
    (accessor tags) => { fn tags(&self) -> Option<&[String]> { self.tags.as_deref() } };
    (accessor image_tags) => {
        fn image_tags(&self) -> Option<&[$crate::spec::tags::ImageTag]> { self.image_tags.as_deref() }
    };
    (accessor enterprise_project_id) => {
        fn enterprise_project_id(&self) -> Option<&str> { self.enterprise_project_id.as_deref() }
    };
    (accessor min_ram) => { fn min_ram(&self) -> Option<i64> { self.min_ram } };
    (accessor max_ram) => { fn max_ram(&self) -> Option<i64> { self.max_ram } };
    (accessor $field:ident) => {};
    (python $ty:ty as $python:literal) => { $python.to_owned() };
    (python $ty:ty) => { <$ty as $crate::spec::way::FieldValue>::python() };
    (python_dict $ty:ty as $python:literal) => { $python.to_owned() };
    (python_dict $ty:ty) => { <$ty as $crate::spec::way::FieldValue>::python_dict() };
}

/// Declares one way (or a data image inside one): its struct, `FIELDS`, reader and schema.
///
/// Required fields come first, each with its type and the IMS code of its absence; optional ones
/// follow, each with its own type or one of [`common_field!`]'s, an API key when it is not the
/// field's name (`image_type = "type"`) and a Python annotation when it narrows the Rust type
/// (`as "VolumeImageType"`). Every spec ends with `extra`, the fields the API tables lack.
macro_rules! declare_way {
    (
        $(#[$doc:meta])*
        pub struct $name:ident {
            mode: $mode:expr,
            page: $page:expr,
            python_doc: $python_doc:expr,
            required {
                $($(#[$rdoc:meta])* $rfield:ident : $rty:ty => $rcode:path,)*
            }
            optional {
                $($(#[$odoc:meta])* $ofield:ident $(: $oty:ty)? $(= $okey:literal)? $(as $opython:literal)?,)*
            }
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $($(#[$rdoc])* pub $rfield: $rty,)*
            $(
                $(#[$odoc])*
                #[doc = $crate::spec::way::common_field!(doc $ofield)]
                #[serde(default, skip_serializing_if = "Option::is_none")]
                $(#[serde(rename = $okey)])?
                pub $ofield: Option<$crate::spec::way::common_field!(type $ofield $(: $oty)?)>,
            )*
            /// Fields the API tables lack, sent at the same level.
            #[serde(flatten)]
            pub extra: $crate::spec::read::Object,
            /// Keys of `extra` holding a word its field's list lacks (read under rules="warn").
            #[doc(hidden)]
            #[serde(skip)]
            pub unlisted: Vec<&'static str>,
        }

        impl $name {
            /// The API page this way's rules come from, named in each broken rule.
            pub const PAGE: &'static str = $page;

            /// The fields of this request, as the API names them.
            pub const FIELDS: &'static [&'static str] = &[
                $(stringify!($rfield),)*
                $($crate::spec::way::common_field!(key $ofield $(= $okey)?),)*
            ];

            /// The spec of its required fields, every optional one left out.
            pub fn new($($rfield: impl Into<$rty>),*) -> Self {
                $name {
                    $($rfield: $rfield.into(),)*
                    ..Self::default()
                }
            }

            /// Reads the object at `at`, reporting ill-typed fields, unknown keys and missing ones.
            pub(crate) fn read_at(
                reader: &mut $crate::spec::read::Reader,
                object: &$crate::spec::read::Object,
                at: &$crate::spec::path::FieldPath<'_>,
            ) -> Self {
                use $crate::spec::way::FieldValue;
                let mut spec = Self::default();
                for (key, value) in object {
                    let field_at = at.key(key);
                    let key = key.as_str();
                    $(if key == stringify!($rfield) {
                        spec.$rfield = <$rty>::read(reader, value, &field_at).unwrap_or_default();
                        continue;
                    })*
                    $(if key == $crate::spec::way::common_field!(key $ofield $(= $okey)?) {
                        spec.$ofield = <$crate::spec::way::common_field!(type $ofield $(: $oty)?)>::read(reader, value, &field_at);
                        reader.keep_unlisted(
                            $crate::spec::way::common_field!(key $ofield $(= $okey)?),
                            &field_at, &mut spec.extra, &mut spec.unlisted,
                        );
                        continue;
                    })*
                    if key == "extra" {
                        reader.extra(value, &field_at, &mut spec.extra);
                        continue;
                    }
                    $crate::spec::read_other_key(
                        reader, $mode, key, value, &field_at, Self::FIELDS, &mut spec.extra,
                    );
                }
                $(reader.require(object, stringify!($rfield), at, $rcode);)*
                spec
            }

            /// The rules of `extra`: the words kept there as given are reported again as the value
            /// rules they break; any other key must not shadow a field or one of `reserved`.
            pub(crate) fn check_extra(
                &self,
                reserved: &[&str],
                at: &$crate::spec::path::FieldPath<'_>,
                report: &mut $crate::spec::error::Report,
            ) {
                use $crate::spec::way::FieldValue;
                let mut reader = $crate::spec::read::Reader::new(
                    $crate::spec::UnknownKeys::Reject, Self::PAGE,
                );
                for &key in &self.unlisted {
                    let Some(value) = self.extra.get(key) else { continue };
                    let field_at = at.key(key);
                    $(if key == $crate::spec::way::common_field!(key $ofield $(= $okey)?) {
                        let _ = <$crate::spec::way::common_field!(type $ofield $(: $oty)?)>::read(&mut reader, value, &field_at);
                    })*
                }
                report.extend(reader.report);
                $crate::spec::extra::check_extra(&self.extra, Self::FIELDS, &self.unlisted, reserved, at, report);
            }

            pub(crate) fn schema() -> $crate::spec::way::WaySchema {
                use $crate::spec::way::{FieldSchema, FieldValue};
                $crate::spec::way::WaySchema {
                    name: stringify!($name),
                    mode: $mode,
                    python_doc: $python_doc,
                    fields: vec![
                        $(FieldSchema {
                            key: stringify!($rfield),
                            required: true,
                            python: <$rty>::python(),
                            python_dict: <$rty>::python_dict(),
                        },)*
                        $(FieldSchema {
                            key: $crate::spec::way::common_field!(key $ofield $(= $okey)?),
                            required: false,
                            python: $crate::spec::way::common_field!(python $crate::spec::way::common_field!(type $ofield $(: $oty)?) $(as $opython)?),
                            python_dict: $crate::spec::way::common_field!(python_dict $crate::spec::way::common_field!(type $ofield $(: $oty)?) $(as $opython)?),
                        },)*
                    ],
                }
            }
        }

        impl $crate::spec::shared::SharedFields for $name {
            $($crate::spec::way::common_field!(accessor $ofield $(: $oty)?);)*
        }

        impl $crate::spec::way::FieldValue for Vec<$name> {
            fn read(
                reader: &mut $crate::spec::read::Reader,
                value: &serde_json::Value,
                at: &$crate::spec::path::FieldPath<'_>,
            ) -> Option<Self> {
                reader.objects(value, at, $name::read_at)
            }
            fn python() -> String {
                concat!("Sequence[", stringify!($name), "]").to_owned()
            }
            fn python_dict() -> String {
                concat!("Sequence[", stringify!($name), "Dict]").to_owned()
            }
        }
    };
}

pub(crate) use {common_field, declare_way};
