//! A data image from an external file in OBS (`POST /v1/cloudimages/dataimages/action`): one data-disk
//! image, its own call (the seed's `data_images` of an OBS image come with a system image).

use super::choices::OsType;
use super::codes;
use super::error::Report;
use super::obs::check_image_url;
use super::path::FieldPath;
use super::shared::SharedFields;
use super::sizes::check_disk;
use super::text::check_name;
use super::way::declare_way;
use super::{Mode, MODE_KEYS};

/// Its disk, in GB ("取值范围40-2048GB"); the seed's data disks of an OBS image start at 1.
const DATA_IMAGE_FILE_DISK_GB: std::ops::RangeInclusive<i64> = 40..=2048;

/// The path of a data image from an OBS file.
pub const OBS_DATA_IMAGE_PATH: &str = "/v1/cloudimages/dataimages/action";

/// The page these rules come from, named in `rules="warn"`'s warnings.
pub const OBS_DATA_IMAGE_PAGE: &str = "data-image-file page (使用外部镜像文件制作数据镜像)";

declare_way! {
    /// A data-disk image from an external file in OBS.
    pub struct ObsDataImageFile {
        mode: Some(Mode::ObsDataImage),
        page: OBS_DATA_IMAGE_PAGE,
        python_doc: "A data-disk image from an external file in OBS (``image_url`` ``\"bucket:object\"``, ``min_disk``\n\
            40-2048 GB); ``os_type`` is Linux (the default) or Windows; ``cmk_id`` encrypts it.",
        required {
            name: String => codes::NAME_MISSING,
            /// `"bucket:object"`, e.g. `"image-test:fedora_data1.qcow2"`; no spaces.
            image_url: String => codes::MALFORMED,
            /// GB, 40-2048.
            min_disk: i64 => codes::SIZE,
        }
        optional {
            description,
            /// Linux (the default) or Windows.
            os_type: OsType,
            /// KMS key for an encrypted image.
            cmk_id: String,
            tags,
            image_tags,
            enterprise_project_id,
        }
    }
}

impl ObsDataImageFile {
    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_image_url(&self.image_url, &path.key("image_url"), report);
        check_disk(
            self.min_disk,
            DATA_IMAGE_FILE_DISK_GB,
            &path.key("min_disk"),
            report,
        );
        // "只能是Windows、Linux二者之一"
        if self.os_type == Some(OsType::Other) {
            report.value(
                &path.key("os_type"),
                codes::OS_TYPE,
                "must be Linux or Windows for a data image, got \"Other\"".to_owned(),
            );
        }
        self.check_labels(path, report);
        self.check_project_ram(path, report);
        self.check_extra(MODE_KEYS, path, report);
    }
}
