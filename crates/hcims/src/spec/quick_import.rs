//! Quick import (`POST /v2/cloudimages/quickimport/action`): an image from a big RAW or ZVHD2 file in
//! OBS, imported as it is. One spec, two shapes decided by `type`: a system image (`ECS`, the default,
//! or `BMS`; `os_version` required, `architecture`) or a data image (`DataImage`; `os_type`).

use super::choices::{Architecture, OsType, QuickImportType};
use super::codes;
use super::error::Report;
use super::obs::check_image_url;
use super::path::FieldPath;
use super::shared::SharedFields;
use super::sizes::check_disk;
use super::text::check_name;
use super::way::declare_way;
use super::{Mode, MODE_KEYS};

/// The path of a quick import.
pub const QUICK_IMPORT_PATH: &str = "/v2/cloudimages/quickimport/action";

/// The page these rules come from, named in `rules="warn"`'s warnings.
pub const QUICK_IMPORT_PAGE: &str = "quick-import page (镜像文件快速导入)";

declare_way! {
    /// An image from a big RAW or ZVHD2 file in OBS, imported without conversion.
    pub struct QuickImportImage {
        mode: Some(Mode::QuickImport),
        page: QUICK_IMPORT_PAGE,
        python_doc: "An image quickly imported from a RAW or ZVHD2 file in OBS (``image_url`` ``\"bucket:object\"``,\n\
            ``min_disk`` 1-1024 GB).\n\n\
            ``type`` ``\"ECS\"`` (the default) or ``\"BMS\"`` makes a system image and needs ``os_version``;\n\
            ``type=\"DataImage\"`` makes a data image, whose ``os_type`` is Linux (the default) or Windows.",
        required {
            name: String => codes::NAME_MISSING,
            /// `"bucket:object"`, e.g. `"ims-image:centos70.zvhd2"`; no spaces.
            image_url: String => codes::MALFORMED,
            /// GB, 1-1024.
            min_disk: i64 => codes::SIZE,
        }
        optional {
            description,
            /// Required for a system image; values outside the bundled list only warn.
            os_version: String,
            /// A data image's: Linux (the default) or Windows.
            os_type: OsType,
            tags,
            image_tags,
            /// ECS (the default) or BMS for a system image, DataImage for a data image.
            image_type: QuickImportType = "type",
            enterprise_project_id,
            /// A system image's: x86 (the default) or arm (which boots with UEFI).
            architecture: Architecture,
        }
    }
}

/// The quick import's disks: 1-1024 GB ("取值为1～1024GB").
const QUICK_IMPORT_DISK_GB: std::ops::RangeInclusive<i64> = 1..=1024;

impl QuickImportImage {
    /// Whether it makes a data image (`type: DataImage`) rather than a system one.
    pub fn is_data_image(&self) -> bool {
        self.image_type == Some(QuickImportType::DataImage)
    }

    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_image_url(&self.image_url, &path.key("image_url"), report);
        check_disk(
            self.min_disk,
            QUICK_IMPORT_DISK_GB,
            &path.key("min_disk"),
            report,
        );
        self.check_labels(path, report);
        self.check_project_ram(path, report);
        if self.is_data_image() {
            self.check_data_shape(path, report);
        } else {
            self.check_system_shape(path, report);
        }
        self.check_extra(MODE_KEYS, path, report);
    }

    fn check_system_shape(&self, path: &FieldPath<'_>, report: &mut Report) {
        if self.os_version.as_deref().is_none_or(str::is_empty) {
            report.shape(
                &path.key("os_version"),
                codes::OS_VERSION,
                "is required for a system image (type ECS or BMS): the OS of the file, e.g. \"CentOS 7.0 64bit\""
                    .to_owned(),
            );
        }
        if self.os_type.is_some() {
            report.shape(
                &path.key("os_type"),
                codes::MALFORMED,
                "belongs to a data image (type DataImage); a system image takes os_version"
                    .to_owned(),
            );
        }
    }

    fn check_data_shape(&self, path: &FieldPath<'_>, report: &mut Report) {
        for (key, given) in [
            ("os_version", self.os_version.is_some()),
            ("architecture", self.architecture.is_some()),
        ] {
            if given {
                report.shape(
                    &path.key(key),
                    codes::MALFORMED,
                    "belongs to a system image (type ECS or BMS), not to a data image".to_owned(),
                );
            }
        }
        if self.os_type == Some(OsType::Other) {
            report.value(
                &path.key("os_type"),
                codes::OS_TYPE,
                "must be Linux or Windows for a data image, got \"Other\"".to_owned(),
            );
        }
    }
}
