//! Mode `obs`: an image from an external image file in an OBS bucket (`name`, `image_url`,
//! `min_disk`), with up to three data-disk images from further files.

use super::choices::{Architecture, ImageType, OsType};
use super::codes;
use super::error::{quoted, Report};
use super::path::FieldPath;
use super::shared::SharedFields;
use super::sizes::{check_disk, OBS_DATA_DISK_GB, OBS_SYSTEM_DISK_GB};
use super::tags::check_tags;
use super::text::{check_description, check_name};
use super::way::declare_way;
use super::{Mode, CREATE_IMAGE_PAGE, MODE_KEYS};

/// At most three data disks come with the system disk from OBS files.
pub(crate) const MAX_OBS_DATA_IMAGES: usize = 3;

declare_way! {
    /// An image from an external image file in OBS.
    pub struct ObsImage {
        mode: Some(Mode::Obs),
        page: CREATE_IMAGE_PAGE,
        python_doc: "An image from an external image file in OBS.\n\n\
            ``image_url`` is ``\"bucket:object\"`` without spaces; ``min_disk`` is 40-1024 GB. ``os_version`` is\n\
            required for an ISO file (``.iso`` object or ``type=\"IsoImage\"``) and with ``is_quick_import=True``.\n\
            At most three ``data_images``. ``architecture=\"arm\"`` makes the image boot with UEFI.",
        required {
            name: String => codes::NAME_MISSING,
            /// `"bucket:object"`, e.g. `"ims-image:centos70.qcow2"`; no spaces.
            image_url: String => codes::MALFORMED,
            /// GB, 40-1024.
            min_disk: i64 => codes::SIZE,
        }
        optional {
            description,
            os_type: OsType,
            /// Required for ISO files and quick import; values outside the bundled list only warn.
            os_version: String,
            /// Let the service configure the image (default false).
            is_config: bool,
            /// KMS key for an encrypted image.
            cmk_id: String,
            tags,
            image_tags,
            image_type: ImageType = "type",
            enterprise_project_id,
            max_ram,
            min_ram,
            /// At most three.
            data_images: Vec<ObsDataImage>,
            is_quick_import,
            architecture: Architecture,
            hw_firmware_type,
            /// Sent by the API page's own example; not in its tables.
            is_config_init: bool,
        }
    }
}

declare_way! {
    /// A data-disk image from a further file in OBS.
    pub struct ObsDataImage {
        mode: None,
        page: CREATE_IMAGE_PAGE,
        python_doc: "A data-disk image from a further file in OBS (see :attr:`ObsImage.data_images`).\n\n\
            ``image_url`` is ``\"bucket:object\"``; ``min_disk`` is 1-2048 GB.",
        required {
            image_url: String => codes::MALFORMED,
            /// GB, 1-2048.
            min_disk: i64 => codes::SIZE,
        }
        optional {
            name: String,
            description,
            is_quick_import,
            tags,
            image_tags,
        }
    }
}

impl ObsImage {
    /// True when the file is an ISO: an `.iso` object (any case) or `type: IsoImage`.
    pub fn is_iso(&self) -> bool {
        self.image_type == Some(ImageType::IsoImage) || object_is_iso(&self.image_url)
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
        self.check_project_ram(path, report);
        if let Some(data_images) = &self.data_images {
            let images_at = path.key("data_images");
            if data_images.len() > MAX_OBS_DATA_IMAGES {
                report.value(
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
        self.check_extra(MODE_KEYS, path, report);
    }

    fn check_os_version(&self, path: &FieldPath<'_>, report: &mut Report) {
        match self.os_version.as_deref() {
            Some("") => report.value(path, codes::OS_VERSION, "must not be empty".to_owned()),
            Some(_) => {}
            None => {
                // Fields the way requires for this file are shape rules, like any required field.
                if self.is_iso() {
                    report.shape(
                        path,
                        codes::ISO_OS_VERSION,
                        "is required for an ISO file (an .iso object or type IsoImage)".to_owned(),
                    );
                }
                if self.is_quick_import == Some(true) {
                    report.shape(
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
                report.value(
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
        self.check_labels(path, report);
        self.check_extra(&[], path, report);
    }
}

/// `image_url`: `bucket:object`, both parts non-empty, no spaces anywhere.
pub(crate) fn check_image_url(url: &str, path: &FieldPath<'_>, report: &mut Report) {
    if url.is_empty() {
        // An empty file is a missing one: a shape rule.
        report.shape(
            path,
            codes::MALFORMED,
            "is required: the file as \"bucket:object\"".to_owned(),
        );
        return;
    }
    if url.chars().any(char::is_whitespace) {
        report.value(
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
        report.value(
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
