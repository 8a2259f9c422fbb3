//! Mode `obs`: an image from an external image file in an OBS bucket (`name`, `image_url`,
//! `min_disk`), with up to three data-disk images from further files.

use serde::{Deserialize, Serialize};

use super::choices::{Architecture, FirmwareType, ImageType, OsType};
use super::codes;
use super::error::{quoted, Report};
use super::ids::check_enterprise_project_id;
use super::path::FieldPath;
use super::read::{Object, Reader};
use super::sizes::{check_disk, check_ram, OBS_DATA_DISK_GB, OBS_SYSTEM_DISK_GB};
use super::tags::{check_tags, ImageTag};
use super::text::{check_description, check_name};
use super::{extra::check_extra, read_other_key, Mode, MODE_KEYS};

/// At most three data disks come with the system disk from OBS files.
pub(crate) const MAX_OBS_DATA_IMAGES: usize = 3;

/// An image from an external image file in OBS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObsImage {
    pub name: String,
    /// `"bucket:object"`, e.g. `"ims-image:centos70.qcow2"`; no spaces.
    pub image_url: String,
    /// GB, 40-1024.
    pub min_disk: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<OsType>,
    /// Required for ISO files and quick import; values outside the bundled list only warn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// Let the service configure the image (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_config: Option<bool>,
    /// KMS key for an encrypted image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmk_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tags: Option<Vec<ImageTag>>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub image_type: Option<ImageType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ram: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ram: Option<i64>,
    /// At most three.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_images: Option<Vec<ObsDataImage>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_quick_import: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<Architecture>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hw_firmware_type: Option<FirmwareType>,
    /// Sent by the API page's own example; not in its tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_config_init: Option<bool>,
    #[serde(flatten)]
    pub extra: Object,
}

/// A data-disk image from a further file in OBS.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObsDataImage {
    pub image_url: String,
    /// GB, 1-2048.
    pub min_disk: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_quick_import: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tags: Option<Vec<ImageTag>>,
    #[serde(flatten)]
    pub extra: Object,
}

impl ObsImage {
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "image_url",
        "min_disk",
        "description",
        "os_type",
        "os_version",
        "is_config",
        "cmk_id",
        "tags",
        "image_tags",
        "type",
        "enterprise_project_id",
        "max_ram",
        "min_ram",
        "data_images",
        "is_quick_import",
        "architecture",
        "hw_firmware_type",
        "is_config_init",
    ];

    pub fn new(name: impl Into<String>, image_url: impl Into<String>, min_disk: i64) -> Self {
        ObsImage {
            name: name.into(),
            image_url: image_url.into(),
            min_disk,
            ..ObsImage::default()
        }
    }

    /// True when the file is an ISO: an `.iso` object (any case) or `type: IsoImage`.
    pub fn is_iso(&self) -> bool {
        self.image_type == Some(ImageType::IsoImage) || object_is_iso(&self.image_url)
    }

    pub(crate) fn read(object: &Object, reader: &mut Reader) -> Self {
        let mut spec = ObsImage::default();
        let root = FieldPath::Root;
        for (key, value) in object {
            let at = root.key(key);
            match key.as_str() {
                "name" => spec.name = reader.string(value, &at).unwrap_or_default(),
                "image_url" => spec.image_url = reader.string(value, &at).unwrap_or_default(),
                "min_disk" => spec.min_disk = reader.integer(value, &at).unwrap_or_default(),
                "description" => spec.description = reader.string(value, &at),
                "os_type" => spec.os_type = reader.choice(value, &at),
                "os_version" => spec.os_version = reader.string(value, &at),
                "is_config" => spec.is_config = reader.boolean(value, &at),
                "cmk_id" => spec.cmk_id = reader.string(value, &at),
                "tags" => spec.tags = reader.strings(value, &at),
                "image_tags" => spec.image_tags = reader.image_tags(value, &at),
                "type" => spec.image_type = reader.choice(value, &at),
                "enterprise_project_id" => spec.enterprise_project_id = reader.string(value, &at),
                "max_ram" => spec.max_ram = reader.integer(value, &at),
                "min_ram" => spec.min_ram = reader.integer(value, &at),
                "data_images" => spec.data_images = reader.objects(value, &at, ObsDataImage::read),
                "is_quick_import" => spec.is_quick_import = reader.boolean(value, &at),
                "architecture" => spec.architecture = reader.choice(value, &at),
                "hw_firmware_type" => spec.hw_firmware_type = reader.choice(value, &at),
                "is_config_init" => spec.is_config_init = reader.boolean(value, &at),
                "extra" => reader.extra(value, &at, &mut spec.extra),
                _ => read_other_key(
                    reader,
                    Mode::Obs,
                    key,
                    value,
                    &at,
                    Self::FIELDS,
                    &mut spec.extra,
                ),
            }
        }
        reader.require(object, "name", &root, codes::NAME_MISSING);
        reader.require(object, "image_url", &root, codes::MALFORMED);
        reader.require(object, "min_disk", &root, codes::SIZE);
        spec
    }

    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_image_url(&self.image_url, &path.key("image_url"), report);
        check_disk(
            self.min_disk,
            OBS_SYSTEM_DISK_GB,
            &path.key("min_disk"),
            report,
        );
        if let Some(description) = &self.description {
            check_description(description, &path.key("description"), report);
        }
        self.check_os_version(&path.key("os_version"), report);
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
        if let Some(data_images) = &self.data_images {
            let images_at = path.key("data_images");
            if data_images.len() > MAX_OBS_DATA_IMAGES {
                report.add(
                    &images_at,
                    codes::MALFORMED,
                    format!(
                        "at most {MAX_OBS_DATA_IMAGES} data images may come with an image from OBS, got {}",
                        data_images.len()
                    ),
                );
            }
            for (i, image) in data_images.iter().enumerate() {
                image.check(&images_at.index(i), report);
            }
        }
        self.check_distinct_files(path, report);
        check_extra(&self.extra, Self::FIELDS, MODE_KEYS, path, report);
    }

    fn check_os_version(&self, path: &FieldPath<'_>, report: &mut Report) {
        match self.os_version.as_deref() {
            Some("") => report.add(path, codes::OS_VERSION, "must not be empty".to_owned()),
            Some(_) => {}
            None => {
                if self.is_iso() {
                    report.add(
                        path,
                        codes::ISO_OS_VERSION,
                        "is required for an ISO file (an .iso object or type IsoImage)".to_owned(),
                    );
                }
                if self.is_quick_import == Some(true) {
                    report.add(
                        path,
                        codes::QUICK_IMPORT_OS_VERSION,
                        "is required with is_quick_import: true".to_owned(),
                    );
                }
            }
        }
    }

    /// The service refuses one file used for two disks of the request.
    fn check_distinct_files(&self, path: &FieldPath<'_>, report: &mut Report) {
        let Some(data_images) = &self.data_images else {
            return;
        };
        let images_at = path.key("data_images");
        for (i, image) in data_images.iter().enumerate() {
            let url = image.image_url.as_str();
            if url.is_empty() {
                continue;
            }
            let first_use = if url == self.image_url {
                Some("image_url".to_owned())
            } else {
                data_images[..i]
                    .iter()
                    .position(|earlier| earlier.image_url == url)
                    .map(|j| images_at.index(j).key("image_url").render())
            };
            if let Some(first_use) = first_use {
                report.add(
                    &images_at.index(i).key("image_url"),
                    codes::DUPLICATE_IMAGE_URL,
                    format!(
                        "{} is already used by {first_use}: each disk needs its own file",
                        quoted(url)
                    ),
                );
            }
        }
    }
}

impl ObsDataImage {
    pub const FIELDS: &'static [&'static str] = &[
        "image_url",
        "min_disk",
        "name",
        "description",
        "is_quick_import",
        "tags",
        "image_tags",
    ];

    pub fn new(image_url: impl Into<String>, min_disk: i64) -> Self {
        ObsDataImage {
            image_url: image_url.into(),
            min_disk,
            ..ObsDataImage::default()
        }
    }

    fn read(reader: &mut Reader, object: &Object, at: &FieldPath<'_>) -> Self {
        let mut image = ObsDataImage::default();
        for (key, value) in object {
            let field_at = at.key(key);
            match key.as_str() {
                "image_url" => {
                    image.image_url = reader.string(value, &field_at).unwrap_or_default()
                }
                "min_disk" => image.min_disk = reader.integer(value, &field_at).unwrap_or_default(),
                "name" => image.name = reader.string(value, &field_at),
                "description" => image.description = reader.string(value, &field_at),
                "is_quick_import" => image.is_quick_import = reader.boolean(value, &field_at),
                "tags" => image.tags = reader.strings(value, &field_at),
                "image_tags" => image.image_tags = reader.image_tags(value, &field_at),
                "extra" => reader.extra(value, &field_at, &mut image.extra),
                _ => reader.unknown(key, value, &field_at, Self::FIELDS, &mut image.extra),
            }
        }
        reader.require(object, "image_url", at, codes::MALFORMED);
        reader.require(object, "min_disk", at, codes::SIZE);
        image
    }

    fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_image_url(&self.image_url, &path.key("image_url"), report);
        check_disk(
            self.min_disk,
            OBS_DATA_DISK_GB,
            &path.key("min_disk"),
            report,
        );
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
        check_extra(&self.extra, Self::FIELDS, &[], path, report);
    }
}

/// `image_url`: `bucket:object`, both parts non-empty, no spaces anywhere.
pub(crate) fn check_image_url(url: &str, path: &FieldPath<'_>, report: &mut Report) {
    if url.is_empty() {
        report.add(
            path,
            codes::MALFORMED,
            "is required: the file as \"bucket:object\"".to_owned(),
        );
        return;
    }
    if url.chars().any(char::is_whitespace) {
        report.add(
            path,
            codes::FILE_NAME_SPACE,
            format!(
                "OBS bucket and file names must not contain spaces, got {}",
                quoted(url)
            ),
        );
    }
    let well_formed = matches!(url.split_once(':'), Some((bucket, object)) if !bucket.is_empty() && !object.is_empty());
    if !well_formed {
        report.add(
            path,
            codes::MALFORMED,
            format!(
                "must be \"bucket:object\" with both parts non-empty, e.g. \"ims-image:centos70.qcow2\", got {}",
                quoted(url)
            ),
        );
    }
}

fn object_is_iso(url: &str) -> bool {
    let object = url
        .split_once(':')
        .map_or(url, |(_, object)| object)
        .as_bytes();
    object.len() >= 4 && object[object.len() - 4..].eq_ignore_ascii_case(b".iso")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_codes(url: &str) -> Vec<&'static str> {
        let mut report = Report::default();
        check_image_url(url, &FieldPath::Root.key("image_url"), &mut report);
        report
            .into_result()
            .err()
            .map_or_else(Vec::new, |e| e.iter().map(|e| e.ims_code).collect())
    }

    #[test]
    fn image_urls_are_bucket_colon_object() {
        for url in [
            "ims-image:centos70.qcow2",
            "b:dir/file.vhd",
            "b:o:with:colons",
            "b:镜像.qcow2",
        ] {
            assert!(url_codes(url).is_empty(), "{url}");
        }
        for url in ["no-colon.qcow2", ":object", "bucket:", ":"] {
            assert_eq!(url_codes(url), ["IMG.0001"], "{url}");
        }
        assert_eq!(url_codes(""), ["IMG.0001"]);
    }

    #[test]
    fn spaces_in_image_urls_fail() {
        for url in [
            "ims image:a.qcow2",
            "b:my file.qcow2",
            "b:a.qcow2 ",
            "b:tab\t.qcow2",
        ] {
            assert_eq!(url_codes(url), ["IMG.0175"], "{url:?}");
        }
        assert_eq!(url_codes("no colon"), ["IMG.0175", "IMG.0001"]);
    }

    #[test]
    fn iso_objects_are_recognised_in_any_case() {
        assert!(object_is_iso("b:win.iso"));
        assert!(object_is_iso("b:dir/WIN.ISO"));
        assert!(object_is_iso("b:a.Iso"));
        assert!(!object_is_iso("b:iso"));
        assert!(!object_is_iso("b:a.iso.qcow2"));
        assert!(!object_is_iso("iso.bucket:a.qcow2"));
        assert!(!object_is_iso("b:镜.qcow2"));
        assert!(!object_is_iso(""));
    }
}
