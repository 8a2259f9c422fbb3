//! Mode `data_images`: data-disk images from an ECS's data volumes (`data_images`, no `instance_id`).

use super::codes;
use super::error::Report;
use super::ids::check_uuid;
use super::path::FieldPath;
use super::shared::SharedFields;
use super::text::check_name;
use super::way::declare_way;
use super::{Mode, CREATE_IMAGE_PAGE, MODE_KEYS};

declare_way! {
    /// Data-disk images from an ECS's volumes. The service takes name, description and tags from each
    /// data image over the top-level ones.
    pub struct ServerDataImages {
        mode: Some(Mode::DataImages),
        page: CREATE_IMAGE_PAGE,
        python_doc: "Data-disk images from an ECS's data volumes: one image per :class:`DataImage`, no \
            ``instance_id``.\n\n\
            The service prefers each data image's name, description and tags over the top-level ones.",
        required {
            /// At least one.
            data_images: Vec<DataImage> => codes::MALFORMED,
        }
        optional {
            name: String,
            description,
            tags,
            image_tags,
            enterprise_project_id,
            max_ram,
            min_ram,
        }
    }
}

declare_way! {
    /// One data volume of the ECS to turn into a data-disk image.
    pub struct DataImage {
        mode: None,
        page: CREATE_IMAGE_PAGE,
        python_doc: "One data volume of an ECS to turn into a data-disk image (see :class:`ServerDataImages`).\n\n\
            ``tags`` are ``\"key.value\"`` strings; ``image_tags`` are :class:`Tag` objects or dicts; use only one.\n\
            ``extra`` holds fields the API has but this class lacks; they are sent beside the others.",
        required {
            name: String => codes::NAME_MISSING,
            /// The data volume's ID (a UUID).
            volume_id: String => codes::MALFORMED,
        }
        optional {
            description,
            tags,
            image_tags,
        }
    }
}

impl ServerDataImages {
    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        let images_at = path.key("data_images");
        if self.data_images.is_empty() {
            // The way's required list, empty: a shape rule.
            report.shape(
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
        self.check_labels(path, report);
        self.check_project_ram(path, report);
        self.check_extra(MODE_KEYS, path, report);
    }
}

impl DataImage {
    fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.volume_id,
            codes::MALFORMED,
            &path.key("volume_id"),
            report,
        );
        self.check_labels(path, report);
        self.check_extra(&[], path, report);
    }
}
