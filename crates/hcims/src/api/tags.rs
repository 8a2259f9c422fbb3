//! `POST /v2/{project_id}/images/{image_id}/tags/action` (批量添加删除镜像标签): create or update tags
//! (`"action": "create"`) and delete tags (`"action": "delete"`), each answered 204. [`TagImage`] checks
//! both lists at once, then sends a create and a delete as needed. Both are idempotent in IMS, but
//! they change it: retried as a create is (DESIGN section 7).

use std::borrow::Cow;

use bytes::Bytes;
use serde_json::{json, Value};

use super::image_id::check_image_id_and;
use crate::call::{Call, Request};
use crate::client::Client;
use crate::error::Error;
use crate::spec::{tag_changes, ImageTag, TagChanges, ValidationErrors};
use crate::transport::Answer;

/// One tags/action request: `action` for `tags`.
pub struct TagAction {
    image_id: String,
    body: Bytes,
}

impl TagAction {
    fn new(image_id: &str, action: &str, tags: &[ImageTag]) -> TagAction {
        let tags: Vec<Value> = tags
            .iter()
            .map(|tag| match (action, tag.value.is_empty()) {
                // A delete's value is optional: a key alone deletes the tag whatever its value.
                ("delete", true) => json!({ "key": tag.key }),
                _ => json!({ "key": tag.key, "value": tag.value }),
            })
            .collect();
        TagAction {
            image_id: image_id.to_owned(),
            body: Bytes::from(json!({ "action": action, "tags": tags }).to_string()),
        }
    }
}

impl Call for TagAction {
    type Output = ();

    fn request<'a>(&'a self, project: &'a str) -> Request<'a> {
        let path = format!("/v2/{project}/images/{}/tags/action", self.image_id);
        Request::post(path, Cow::Borrowed(&self.body))
    }

    /// 204 and no body.
    fn parse(&self, _answer: &Answer) -> Result<(), Error> {
        Ok(())
    }
}

/// Tags to add (key -> value, an existing key's value replaced) and tag keys to remove on one image.
pub struct TagImage {
    image_id: String,
    changes: Result<TagChanges, ValidationErrors>,
}

impl TagImage {
    pub fn new(image_id: &str, add: &[(String, String)], remove: &[String]) -> TagImage {
        let remove: Vec<(String, String)> =
            remove.iter().map(|k| (k.clone(), String::new())).collect();
        TagImage {
            image_id: image_id.to_owned(),
            changes: tag_changes(add, &remove),
        }
    }

    /// The image id and every tag rule, all at once.
    pub fn check(&self) -> Result<(), Error> {
        check_image_id_and(&self.image_id, &self.changes)
    }

    /// The requests to send, creates first; none before [`TagImage::check`] passed.
    pub fn actions(&self) -> Vec<TagAction> {
        let Ok(changes) = &self.changes else {
            return Vec::new();
        };
        let mut actions = Vec::new();
        if !changes.add.is_empty() {
            actions.push(TagAction::new(&self.image_id, "create", &changes.add));
        }
        if !changes.remove.is_empty() {
            actions.push(TagAction::new(&self.image_id, "delete", &changes.remove));
        }
        actions
    }
}

impl Client {
    /// Adds (or updates) the tags of `add` and removes those of `remove` on image `image_id`.
    pub async fn tag_image(
        &self,
        image_id: &str,
        add: &[(String, String)],
        remove: &[String],
    ) -> Result<(), Error> {
        let tagging = TagImage::new(image_id, add, remove);
        tagging.check()?;
        for action in tagging.actions() {
            self.call(&action).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "67e17426-359e-49fb-aa12-0bd1756ec240";

    #[test]
    fn a_create_then_a_delete_each_a_post_of_the_project_path() {
        let tagging = TagImage::new(ID, &[("env".into(), "prod".into())], &["old".into()]);
        assert!(tagging.check().is_ok());
        let actions = tagging.actions();
        let bodies: Vec<Value> = actions
            .iter()
            .map(|a| serde_json::from_slice(&a.request("p").body).unwrap())
            .collect();
        assert_eq!(
            bodies,
            [
                json!({"action": "create", "tags": [{"key": "env", "value": "prod"}]}),
                json!({"action": "delete", "tags": [{"key": "old"}]}),
            ]
        );
        assert_eq!(
            actions[0].request("p").path,
            format!("/v2/p/images/{ID}/tags/action")
        );
    }

    #[test]
    fn the_id_and_the_tags_are_checked_together_and_nothing_is_sent() {
        let tagging = TagImage::new("x", &[("a b".into(), String::new())], &[]);
        match tagging.check() {
            Err(Error::Validation(errors)) => {
                let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
                assert_eq!(paths, ["image_id", "add.a b"]);
            }
            other => panic!("expected a ValidationError, got {other:?}"),
        }
        assert!(tagging.actions().is_empty());
    }
}
