//! What was done to images after their job made them: deletes (and, through the same overlay, the
//! changes later calls make). The documents themselves are still built from jobs (images.rs); the
//! listing passes them through [`ImageEdits::apply`], so a deleted image is gone from every list.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use serde_json::Value;

/// Image ids are UUIDs, unique across projects: one set serves every project.
#[derive(Debug, Default)]
pub(crate) struct ImageEdits {
    deleted: Mutex<HashSet<String>>,
}

impl ImageEdits {
    /// `documents` without the deleted images.
    pub fn apply(&self, mut documents: Vec<Value>) -> Vec<Value> {
        let deleted = self.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        if !deleted.is_empty() {
            documents.retain(|image| image["id"].as_str().is_none_or(|id| !deleted.contains(id)));
        }
        documents
    }

    /// Marks `image_id` deleted; false when it already was (two deletes racing: one wins).
    pub fn delete(&self, image_id: &str) -> bool {
        let mut deleted = self.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        deleted.insert(image_id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_deleted_image_is_gone_from_the_documents_once() {
        let edits = ImageEdits::default();
        let documents = || vec![json!({"id": "a"}), json!({"id": "b"})];
        assert_eq!(edits.apply(documents()).len(), 2);
        assert!(edits.delete("a"));
        assert!(!edits.delete("a"));
        assert_eq!(edits.apply(documents()), [json!({"id": "b"})]);
    }
}
