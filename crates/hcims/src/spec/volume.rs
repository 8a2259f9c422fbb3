//! Mode `volume`: a system image from a data volume that already holds an optimised OS
//! (`name`, `volume_id`, `os_version`).

use serde::{Deserialize, Serialize};

use super::choices::{FirmwareType, ImageType};
use super::codes;
use super::error::Report;
use super::ids::{check_enterprise_project_id, check_uuid};
use super::path::FieldPath;
use super::read::{Object, Reader};
use super::sizes::check_ram;
use super::tags::{check_tags, ImageTag};
use super::text::{check_description, check_name};
use super::{extra::check_extra, read_other_key, Mode, MODE_KEYS};

/// A system image from a data volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VolumeImage {
    pub name: String,
    /// The volume's ID (a UUID).
    pub volume_id: String,
    /// Required: the service cannot tell the OS on the volume; values outside the bundled list only warn.
    pub os_version: String,
    /// ECS, BMS, FusionCompute or Ironic (not IsoImage).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<ImageType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ram: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ram: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tags: Option<Vec<ImageTag>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hw_firmware_type: Option<FirmwareType>,
    #[serde(flatten)]
    pub extra: Object,
}

impl VolumeImage {
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "volume_id",
        "os_version",
        "type",
        "description",
        "min_ram",
        "max_ram",
        "tags",
        "image_tags",
        "enterprise_project_id",
        "hw_firmware_type",
    ];

    pub fn new(
        name: impl Into<String>,
        volume_id: impl Into<String>,
        os_version: impl Into<String>,
    ) -> Self {
        VolumeImage {
            name: name.into(),
            volume_id: volume_id.into(),
            os_version: os_version.into(),
            ..VolumeImage::default()
        }
    }

    pub(crate) fn read(object: &Object, reader: &mut Reader) -> Self {
        let mut spec = VolumeImage::default();
        let root = FieldPath::Root;
        for (key, value) in object {
            let at = root.key(key);
            match key.as_str() {
                "name" => spec.name = reader.string(value, &at).unwrap_or_default(),
                "volume_id" => spec.volume_id = reader.string(value, &at).unwrap_or_default(),
                "os_version" => spec.os_version = reader.string(value, &at).unwrap_or_default(),
                "type" => spec.image_type = reader.choice(value, &at),
                "description" => spec.description = reader.string(value, &at),
                "min_ram" => spec.min_ram = reader.integer(value, &at),
                "max_ram" => spec.max_ram = reader.integer(value, &at),
                "tags" => spec.tags = reader.strings(value, &at),
                "image_tags" => spec.image_tags = reader.image_tags(value, &at),
                "enterprise_project_id" => spec.enterprise_project_id = reader.string(value, &at),
                "hw_firmware_type" => spec.hw_firmware_type = reader.choice(value, &at),
                "extra" => reader.extra(value, &at, &mut spec.extra),
                _ => read_other_key(
                    reader,
                    Mode::Volume,
                    key,
                    value,
                    &at,
                    Self::FIELDS,
                    &mut spec.extra,
                ),
            }
        }
        reader.require(object, "name", &root, codes::NAME_MISSING);
        reader.require(object, "volume_id", &root, codes::MALFORMED);
        reader.require(object, "os_version", &root, codes::OS_VERSION);
        spec
    }

    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.volume_id,
            codes::MALFORMED,
            &path.key("volume_id"),
            report,
        );
        if self.os_version.is_empty() {
            report.add(
                &path.key("os_version"),
                codes::OS_VERSION,
                "is required for an image from a volume and must not be empty".to_owned(),
            );
        }
        if self.image_type == Some(ImageType::IsoImage) {
            report.add(
                &path.key("type"),
                codes::IMAGE_TYPE,
                "must be one of ECS, BMS, FusionCompute, Ironic for an image from a volume, got \"IsoImage\"".to_owned(),
            );
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
