//! Mode `server`: a system image from an ECS (`name` + `instance_id`).

use serde::{Deserialize, Serialize};

use super::codes;
use super::error::Report;
use super::ids::{check_enterprise_project_id, check_uuid};
use super::path::FieldPath;
use super::read::{Object, Reader};
use super::sizes::check_ram;
use super::tags::{check_tags, ImageTag};
use super::text::{check_description, check_name};
use super::{extra::check_extra, read_other_key, Mode, MODE_KEYS};

/// A system image from an ECS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerImage {
    pub name: String,
    /// The ECS's ID (a UUID).
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Legacy tags, `"key.value"`; exclusive with `image_tags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tags: Option<Vec<ImageTag>>,
    /// `"0"` (the default project) or a UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    /// MB; 0 means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ram: Option<i64>,
    /// MB; 0 means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ram: Option<i64>,
    /// Fields the API tables lack, sent at the same level.
    #[serde(flatten)]
    pub extra: Object,
}

impl ServerImage {
    /// The fields of this request, as the API names them.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "instance_id",
        "description",
        "tags",
        "image_tags",
        "enterprise_project_id",
        "max_ram",
        "min_ram",
    ];

    pub fn new(name: impl Into<String>, instance_id: impl Into<String>) -> Self {
        ServerImage {
            name: name.into(),
            instance_id: instance_id.into(),
            ..ServerImage::default()
        }
    }

    pub(crate) fn read(object: &Object, reader: &mut Reader) -> Self {
        let mut spec = ServerImage::default();
        let root = FieldPath::Root;
        for (key, value) in object {
            let at = root.key(key);
            match key.as_str() {
                "name" => spec.name = reader.string(value, &at).unwrap_or_default(),
                "instance_id" => spec.instance_id = reader.string(value, &at).unwrap_or_default(),
                "description" => spec.description = reader.string(value, &at),
                "tags" => spec.tags = reader.strings(value, &at),
                "image_tags" => spec.image_tags = reader.image_tags(value, &at),
                "enterprise_project_id" => spec.enterprise_project_id = reader.string(value, &at),
                "max_ram" => spec.max_ram = reader.integer(value, &at),
                "min_ram" => spec.min_ram = reader.integer(value, &at),
                "extra" => reader.extra(value, &at, &mut spec.extra),
                _ => read_other_key(
                    reader,
                    Mode::Server,
                    key,
                    value,
                    &at,
                    Self::FIELDS,
                    &mut spec.extra,
                ),
            }
        }
        reader.require(object, "name", &root, codes::NAME_MISSING);
        reader.require(object, "instance_id", &root, codes::INSTANCE_ID_MISSING);
        spec
    }

    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.instance_id,
            codes::INSTANCE_ID_MISSING,
            &path.key("instance_id"),
            report,
        );
        if let Some(description) = &self.description {
            check_description(description, &path.key("description"), report);
        }
        check_tags(
            self.tags.as_deref(),
            self.image_tags.as_deref(),
            path,
            report,
        );
        if let Some(project) = &self.enterprise_project_id {
            check_enterprise_project_id(project, &path.key("enterprise_project_id"), report);
        }
        check_ram(self.min_ram, self.max_ram, path, report);
        check_extra(&self.extra, Self::FIELDS, MODE_KEYS, path, report);
    }
}
