//! Mode `server`: a system image from an ECS (`name` + `instance_id`).

use super::codes;
use super::error::Report;
use super::ids::check_uuid;
use super::path::FieldPath;
use super::shared::SharedFields;
use super::text::check_name;
use super::way::declare_way;
use super::{Mode, CREATE_IMAGE_PAGE, MODE_KEYS};

declare_way! {
    /// A system image from an ECS.
    pub struct ServerImage {
        mode: Some(Mode::Server),
        page: CREATE_IMAGE_PAGE,
        python_doc: "A system image from an ECS (``instance_id``, a UUID).\n\n\
            ``min_ram``/``max_ram`` are MB (0 means no limit); ``enterprise_project_id`` is ``\"0\"`` or a UUID.",
        required {
            name: String => codes::NAME_MISSING,
            /// The ECS's ID (a UUID).
            instance_id: String => codes::INSTANCE_ID_MISSING,
        }
        optional {
            description,
            tags,
            image_tags,
            enterprise_project_id,
            max_ram,
            min_ram,
        }
    }
}

impl ServerImage {
    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.instance_id,
            codes::INSTANCE_ID_MISSING,
            &path.key("instance_id"),
            report,
        );
        self.check_labels(path, report);
        self.check_project_ram(path, report);
        self.check_extra(MODE_KEYS, path, report);
    }
}
