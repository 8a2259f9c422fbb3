//! Whole images (`POST /v1/cloudimages/wholeimages/action`): an image of an ECS with all its disks,
//! made from the ECS itself (`instance_id`, `vault_id`) or from one of its backups (`backup_id`,
//! `whole_image_type`). Two ways, one page: each shape has its own spec and its own rules.

use super::codes;
use super::error::Report;
use super::ids::check_uuid;
use super::path::FieldPath;
use super::shared::SharedFields;
use super::text::check_name;
use super::way::declare_way;
use super::{Mode, MODE_KEYS};

/// The path both whole-image ways are sent to.
pub const WHOLE_IMAGE_PATH: &str = "/v1/cloudimages/wholeimages/action";

/// The page these rules come from, named in `rules="warn"`'s warnings.
pub const WHOLE_IMAGE_PAGE: &str = "whole-image page (制作整机镜像)";

declare_way! {
    /// A whole image of an ECS, made from the ECS (through a backup IMS makes first).
    pub struct WholeServerImage {
        mode: Some(Mode::WholeServer),
        page: WHOLE_IMAGE_PAGE,
        python_doc: "A whole image (every disk) of an ECS (``instance_id``, a UUID).\n\n\
            ``vault_id`` is the CBR vault the ECS is or will be in: required when the ECS backs up to CBR.",
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
            /// The CBR vault (a UUID); required when the ECS backs up to CBR.
            vault_id: String,
        }
    }
}

declare_way! {
    /// A whole image from a CSBS or CBR backup of an ECS.
    pub struct WholeBackupImage {
        mode: Some(Mode::WholeBackup),
        page: WHOLE_IMAGE_PAGE,
        python_doc: "A whole image from an ECS backup (``backup_id``, a UUID).\n\n\
            ``whole_image_type`` is ``\"CBR\"`` for a CBR backup, ``\"CSBS\"`` (the default) for a CSBS one.",
        required {
            name: String => codes::NAME_MISSING,
            /// The CSBS or CBR backup's ID (a UUID).
            backup_id: String => codes::BACKUP_ID_MISSING,
        }
        optional {
            description,
            tags,
            image_tags,
            enterprise_project_id,
            max_ram,
            min_ram,
            /// CBR or CSBS (the default).
            whole_image_type: super::choices::WholeImageType,
        }
    }
}

impl WholeServerImage {
    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.instance_id,
            codes::INSTANCE_ID_MISSING,
            &path.key("instance_id"),
            report,
        );
        if let Some(vault) = &self.vault_id {
            check_uuid(vault, codes::MALFORMED, &path.key("vault_id"), report);
        }
        self.check_labels(path, report);
        self.check_project_ram(path, report);
        self.check_extra(MODE_KEYS, path, report);
    }
}

impl WholeBackupImage {
    pub(crate) fn check(&self, path: &FieldPath<'_>, report: &mut Report) {
        check_name(&self.name, &path.key("name"), report);
        check_uuid(
            &self.backup_id,
            codes::BACKUP_ID_MISSING,
            &path.key("backup_id"),
            report,
        );
        self.check_labels(path, report);
        self.check_project_ram(path, report);
        self.check_extra(MODE_KEYS, path, report);
    }
}
