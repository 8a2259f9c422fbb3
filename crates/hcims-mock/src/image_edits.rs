//! What was done to images after their job made them: deletes (and, through the same overlay, the
//! changes later calls make). The documents themselves are still built from jobs (images.rs); the
//! listing passes them through [`ImageEdits::apply`], so a deleted image is gone from every list.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use serde_json::{Map, Value};

/// Image ids are UUIDs, unique across projects: one set serves every project.
#[derive(Debug, Default)]
pub(crate) struct ImageEdits {
    deleted: Mutex<HashSet<String>>,
    /// By image id, the attributes changed since: a null value is an attribute removed.
    changed: Mutex<HashMap<String, Map<String, Value>>>,
}

impl ImageEdits {
    /// `documents` without the deleted images.
    pub fn apply(&self, mut documents: Vec<Value>) -> Vec<Value> {
        let deleted = self.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        if !deleted.is_empty() {
            documents.retain(|image| image["id"].as_str().is_none_or(|id| !deleted.contains(id)));
        }
        let changed = self.changed.lock().unwrap_or_else(PoisonError::into_inner);
        for image in &mut documents {
            let changes = image["id"].as_str().and_then(|id| changed.get(id));
            let (Some(changes), Some(fields)) = (changes, image.as_object_mut()) else {
                continue;
            };
            for (attribute, value) in changes {
                if value.is_null() {
                    fields.remove(attribute);
                } else {
                    fields.insert(attribute.clone(), value.clone());
                }
            }
        }
        documents
    }

    /// Records `attribute` of `image_id` as `value` (null: removed) for every later listing.
    pub fn change(&self, image_id: &str, attribute: &str, value: Value) {
        let mut changed = self.changed.lock().unwrap_or_else(PoisonError::into_inner);
        changed
            .entry(image_id.to_owned())
            .or_default()
            .insert(attribute.to_owned(), value);
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

    #[test]
    fn changes_overlay_the_documents_and_null_removes() {
        let edits = ImageEdits::default();
        edits.change("a", "name", json!("new"));
        edits.change("a", "old", Value::Null);
        let listed = edits.apply(vec![
            json!({"id": "a", "name": "x", "old": 1}),
            json!({"id": "b"}),
        ]);
        assert_eq!(
            listed,
            [json!({"id": "a", "name": "new"}), json!({"id": "b"})]
        );
    }
}
