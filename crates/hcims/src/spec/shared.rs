//! The rules of the fields several ways share, checked alike wherever they appear. Each way's
//! [`SharedFields`] answers for the shared fields it declares (see `declare_way!`), None for the rest.

use super::error::Report;
use super::ids::check_enterprise_project_id;
use super::path::FieldPath;
use super::sizes::check_ram;
use super::tags::{check_tags, ImageTag};
use super::text::check_description;

pub(crate) trait SharedFields {
    fn description(&self) -> Option<&str> {
        None
    }
    fn tags(&self) -> Option<&[String]> {
        None
    }
    fn image_tags(&self) -> Option<&[ImageTag]> {
        None
    }
    fn enterprise_project_id(&self) -> Option<&str> {
        None
    }
    fn min_ram(&self) -> Option<i64> {
        None
    }
    fn max_ram(&self) -> Option<i64> {
        None
    }

    /// `description`, `tags` and `image_tags`.
    fn check_labels(&self, path: &FieldPath<'_>, report: &mut Report) {
        if let Some(description) = self.description() {
            check_description(description, &path.key("description"), report);
        }
        check_tags(self.tags(), self.image_tags(), path, report);
    }

    /// `enterprise_project_id`, `min_ram` and `max_ram`.
    fn check_project_ram(&self, path: &FieldPath<'_>, report: &mut Report) {
        if let Some(project) = self.enterprise_project_id() {
            check_enterprise_project_id(project, &path.key("enterprise_project_id"), report);
        }
        check_ram(self.min_ram(), self.max_ram(), path, report);
    }
}
