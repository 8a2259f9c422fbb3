//! `PATCH /v2/cloudimages/{image_id}` (更新镜像信息): change an image's attributes with a list of
//! JSON-patch operations; IMS answers the image as it is now. The rules of each attribute are in
//! [`crate::spec::image_changes`]. A PATCH changes IMS: retried as a create is (DESIGN section 7).

use std::borrow::Cow;

use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;

use super::image_id::check_image_id_and;
use crate::call::{Call, Request};
use crate::client::Client;
use crate::error::Error;
use crate::retry::CallKind;
use crate::spec::{image_changes, ImageChange, ValidationErrors};
use crate::transport::Answer;

pub struct UpdateImage {
    image_id: String,
    path: String,
    /// The operations, or every rule the changes break.
    changes: Result<Vec<ImageChange>, ValidationErrors>,
    body: Bytes,
}

impl UpdateImage {
    /// `changes` are `(attribute, value)` pairs, a null value removing the attribute.
    pub fn new(image_id: impl Into<String>, changes: &[(String, Value)]) -> UpdateImage {
        let image_id = image_id.into();
        let changes = image_changes(changes);
        let body = match &changes {
            Ok(operations) => {
                let list: Vec<Value> = operations.iter().map(ImageChange::to_json).collect();
                Bytes::from(Value::Array(list).to_string())
            }
            Err(_) => Bytes::new(),
        };
        UpdateImage {
            path: format!("/v2/cloudimages/{image_id}"),
            image_id,
            changes,
            body,
        }
    }
}

impl Call for UpdateImage {
    type Output = Value;

    /// The image id and every change's rules, all at once.
    fn check(&self) -> Result<(), Error> {
        check_image_id_and(&self.image_id, &self.changes)
    }

    fn request<'a>(&'a self, _project: &'a str) -> Request<'a> {
        Request {
            method: Method::PATCH,
            kind: CallKind::Create,
            ..Request::post(&*self.path, Cow::Borrowed(&self.body))
        }
    }

    fn parse(&self, answer: &Answer) -> Result<Value, Error> {
        match serde_json::from_slice::<Value>(&answer.body) {
            Ok(image @ Value::Object(_)) => Ok(image),
            _ => Err(Error::transport(
                "PATCH /v2/cloudimages answered something else than an image document",
                false,
                false,
            )),
        }
    }
}

impl Client {
    /// Changes the attributes of image `image_id` (see [`UpdateImage`]); the image as IMS shows it now.
    pub async fn update_image(
        &self,
        image_id: &str,
        changes: &[(String, Value)],
    ) -> Result<Value, Error> {
        self.call(&UpdateImage::new(image_id, changes)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "33ad552d-1149-471c-8190-ff6776174a00";

    #[test]
    fn a_patch_of_the_cloudimages_path_with_the_operations() {
        let call = UpdateImage::new(ID, &[("name".to_owned(), json!("ims_test"))]);
        assert!(call.check().is_ok());
        let request = call.request("p");
        assert_eq!(request.method, Method::PATCH);
        assert_eq!(request.kind, CallKind::Create);
        assert_eq!(request.path, format!("/v2/cloudimages/{ID}"));
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            body,
            json!([{"op": "replace", "path": "/name", "value": "ims_test"}])
        );
    }

    #[test]
    fn the_id_and_the_changes_are_checked_together() {
        match UpdateImage::new("nope", &[("min_ram".to_owned(), json!("x"))]).check() {
            Err(Error::Validation(errors)) => {
                let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
                assert_eq!(paths, ["image_id", "min_ram"]);
            }
            other => panic!("expected a ValidationError, got {other:?}"),
        }
    }
}
