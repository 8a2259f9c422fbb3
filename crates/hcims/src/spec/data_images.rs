//! Mode `data_images`: data-disk images from an ECS's data volumes (`data_images`, no `instance_id`).

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

/// Data-disk images from an ECS's volumes. The service takes name, description and tags from each
/// data image over the top-level ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerDataImages {
    /// At least one.
    pub data_images: Vec<DataImage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tags: Option<Vec<ImageTag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ram: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ram: Option<i64>,
    #[serde(flatten)]
    pub extra: Object,
}

/// One data volume of the ECS to turn into a data-disk image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DataImage {
    pub name: String,
    /// The data volume's ID (a UUID).
    pub volume_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tags: Option<Vec<ImageTag>>,
    #[serde(flatten)]
    pub extra: Object,
}

impl ServerDataImages {
    pub const FIELDS: &'static [&'static str] = &[
        "data_images",
        "name",
        "description",
        "tags",
        "image_tags",
        "enterprise_project_id",
        "max_ram",
        "min_ram",
    ];

    pub fn new(data_images: Vec<DataImage>) -> Self {
        ServerDataImages {
            data_images,
            ..ServerDataImages::default()
        }
    }

    pub(crate) fn read(object: &Object, reader: &mut Reader) -> Self {
        let mut spec = ServerDataImages::default();
        let root = FieldPath::Root;
        for (key, value) in object {
            let at = root.key(key);
            match key.as_str() {
                "data_images" => {
                    spec.data_images = reader
                        .objects(value, &at, DataImage::read)
                        .unwrap_or_default()
                }
                "name" => spec.name = reader.string(value, &at),
                "description" => spec.description = reader.string(value, &at),
                "tags" => spec.tags = reader.strings(value, &at),
                "image_tags" => spec.image_tags = reader.image_tags(value, &at),
                "enterprise_project_id" => spec.enterprise_project_id = reader.string(value, &at),
                "max_ram" => spec.max_ram = reader.integer(value, &at),
                "min_ram" => spec.min_ram = reader.integer(value, &at),
                "extra" => reader.extra(value, &at, &mut spec.extra),
                _ => read_other_key(
                    reader,
                    Mode::DataImages,
                    key,
                    value,
                    &at,
                    Self::FIELDS,
                    &mut spec.extra,
                ),
            }
        }
        reader.require(object, "data_images", &root, codes::MALFORMED);
        spec
    }

    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        let images_at = path.key("data_images");
        if self.data_images.is_empty() {
            report.add(
                &images_at,
                codes::MALFORMED,
                "needs at least one data image".to_owned(),
            );
        }
        for (i, image) in self.data_images.iter().enumerate() {
            image.check(&images_at.index(i), report);
        }
        if let Some(name) = &self.name {
            check_name(name, &path.key("name"), report);
        }
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

impl DataImage {
    pub const FIELDS: &'static [&'static str] =
        &["name", "volume_id", "description", "tags", "image_tags"];

    pub fn new(name: impl Into<String>, volume_id: impl Into<String>) -> Self {
        DataImage {
            name: name.into(),
            volume_id: volume_id.into(),
            ..DataImage::default()
        }
    }

    fn read(reader: &mut Reader, object: &Object, at: &FieldPath<'_>) -> Self {
        let mut image = DataImage::default();
        for (key, value) in object {
            let field_at = at.key(key);
            match key.as_str() {
                "name" => image.name = reader.string(value, &field_at).unwrap_or_default(),
                "volume_id" => {
                    image.volume_id = reader.string(value, &field_at).unwrap_or_default()
                }
                "description" => image.description = reader.string(value, &field_at),
                "tags" => image.tags = reader.strings(value, &field_at),
                "image_tags" => image.image_tags = reader.image_tags(value, &field_at),
                "extra" => reader.extra(value, &field_at, &mut image.extra),
                _ => reader.unknown(key, value, &field_at, Self::FIELDS, &mut image.extra),
            }
        }
        reader.require(object, "name", at, codes::NAME_MISSING);
        reader.require(object, "volume_id", at, codes::MALFORMED);
        image
    }

    fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.volume_id,
            codes::MALFORMED,
            &path.key("volume_id"),
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
        check_extra(&self.extra, Self::FIELDS, &[], path, report);
    }
}
