//! The rules of the fields several ways share, checked alike wherever they appear.

use super::error::Report;
use super::ids::check_enterprise_project_id;
use super::path::FieldPath;
use super::sizes::check_ram;
use super::tags::{check_tags, ImageTag};
use super::text::check_description;

/// `description`, `tags` and `image_tags`, which every spec and data image has.
pub(crate) fn check_labels(
    description: &Option<String>,
    tags: &Option<Vec<String>>,
    image_tags: &Option<Vec<ImageTag>>,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    if let Some(description) = description {
        check_description(description, &path.key("description"), report);
    }
    check_tags(tags.as_deref(), image_tags.as_deref(), path, report);
}

/// `enterprise_project_id`, `min_ram` and `max_ram`, which every top-level spec has.
pub(crate) fn check_project_ram(
    enterprise_project_id: &Option<String>,
    min_ram: Option<i64>,
    max_ram: Option<i64>,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    if let Some(project) = enterprise_project_id {
        check_enterprise_project_id(project, &path.key("enterprise_project_id"), report);
    }
    check_ram(min_ram, max_ram, path, report);
}
