//! The rules of the fields several ways share, checked alike wherever they appear.

use super::error::Report;
use super::ids::check_enterprise_project_id;
use super::path::FieldPath;
use super::sizes::check_ram;
use super::tags::{check_tags, ImageTag};
use super::text::{check_description, check_name};

/// An optional `name`, `description`, `tags` and `image_tags` (a required name is checked by its way).
pub(crate) fn check_labels(
    name: Option<&str>,
    description: Option<&str>,
    tags: Option<&[String]>,
    image_tags: Option<&[ImageTag]>,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    if let Some(name) = name {
        check_name(name, &path.key("name"), report);
    }
    if let Some(description) = description {
        check_description(description, &path.key("description"), report);
    }
    check_tags(tags, image_tags, path, report);
}

/// `enterprise_project_id`, `min_ram` and `max_ram` of a top-level spec.
pub(crate) fn check_project_and_ram(
    enterprise_project_id: Option<&str>,
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
