//! What a project's images use of its quota and names, and the state rules that depend on it:
//! unique names (IMG.0009) and the private-image quota (IMG.0015).

use std::collections::{HashMap, HashSet};

use crate::codes::{NAME_TAKEN, QUOTA_REACHED};
use crate::job::Job;
use crate::replies::ImsError;

/// A project's images, counting images being made and leaving out those whose job will fail.
#[derive(Debug, Default)]
pub(crate) struct ProjectUsage {
    pub images: usize,
    names: HashMap<String, usize>,
}

impl ProjectUsage {
    pub fn add(&mut self, job: &Job) {
        for image in job.lasting_images() {
            self.images += 1;
            *self.names.entry(image.facts.name.clone()).or_default() += 1;
        }
    }

    pub fn remove(&mut self, job: &Job) {
        for image in job.lasting_images() {
            self.images = self.images.saturating_sub(1);
            if let Some(count) = self.names.get_mut(&image.facts.name) {
                *count -= 1;
                if *count == 0 {
                    self.names.remove(&image.facts.name);
                }
            }
        }
    }

    /// IMG.0009 when an image of `job` is named like one the project holds or another of the
    /// same job.
    pub fn check_names(&self, job: &Job) -> Result<(), ImsError> {
        let mut seen = HashSet::new();
        for image in job.lasting_images() {
            let name = image.facts.name.as_str();
            if self.names.contains_key(name) || !seen.insert(name) {
                return Err(ImsError::bad_request(
                    NAME_TAKEN,
                    format!("The image name {name:?} already exists."),
                ));
            }
        }
        Ok(())
    }

    /// IMG.0015 when the images of `job` would take the project beyond `quota`.
    pub fn check_quota(&self, job: &Job, quota: u32) -> Result<(), ImsError> {
        let quota = usize::try_from(quota).unwrap_or(usize::MAX);
        let wanted = job.lasting_images().count();
        if self.images + wanted > quota {
            return Err(ImsError::bad_request(
                QUOTA_REACHED,
                format!(
                    "The private image quota is reached: the project holds {} of {quota} images and this request makes {wanted}.",
                    self.images
                ),
            ));
        }
        Ok(())
    }
}
