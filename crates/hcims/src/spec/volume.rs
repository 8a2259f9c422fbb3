//! Mode `volume`: a system image from a data volume that already holds an optimised OS
//! (`name`, `volume_id`, `os_version`).

use super::choices::{volume_image_types, ImageType};
use super::codes;
use super::error::Report;
use super::ids::check_uuid;
use super::path::FieldPath;
use super::shared::SharedFields;
use super::text::check_name;
use super::way::declare_way;
use super::{Mode, CREATE_IMAGE_PAGE, MODE_KEYS};

declare_way! {
    /// A system image from a data volume.
    pub struct VolumeImage {
        mode: Some(Mode::Volume),
        page: CREATE_IMAGE_PAGE,
        python_doc: "A system image from a data volume that already holds an optimised OS.\n\n\
            ``os_version`` is required: the service cannot tell the OS on the volume by itself.",
        required {
            name: String => codes::NAME_MISSING,
            /// The volume's ID (a UUID).
            volume_id: String => codes::MALFORMED,
            /// Required: the service cannot tell the OS on the volume; values outside the bundled list only warn.
            os_version: String => codes::OS_VERSION,
        }
        optional {
            /// ECS, BMS, FusionCompute or Ironic (not IsoImage).
            image_type: ImageType = "type" as "VolumeImageType",
            description,
            min_ram,
            max_ram,
            tags,
            image_tags,
            enterprise_project_id,
            hw_firmware_type,
        }
    }
}

impl VolumeImage {
    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.volume_id,
            codes::MALFORMED,
            &path.key("volume_id"),
            report,
        );
        if self.os_version.is_empty() {
            // Required by the way (the service cannot tell the OS): a shape rule.
            report.shape(
                &path.key("os_version"),
                codes::OS_VERSION,
                "is required for an image from a volume and must not be empty".to_owned(),
            );
        }
        if self.image_type == Some(ImageType::IsoImage) {
            report.value(
                &path.key("type"),
                codes::IMAGE_TYPE,
                format!(
                    "must be one of {} for an image from a volume, got \"IsoImage\"",
                    volume_image_types().join(", ")
                ),
            );
        }
        self.check_labels(path, report);
        self.check_project_ram(path, report);
        self.check_extra(MODE_KEYS, path, report);
    }
}
