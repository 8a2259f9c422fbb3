//! Deleting images: `DELETE /v2/images/{image_id}` (OpenStack-native, answered 204), one image or many
//! at once with a bounded number of deletes in flight.
//!
//! A DELETE changes IMS, so it is retried as a create is (DESIGN section 7): resent only when IMS
//! certainly did not act. An image IMS does not know (deleted already, or never there) is a 404
//! [`crate::error::ApiError`], never a success that hides it.

use std::borrow::Cow;

use bytes::Bytes;
use reqwest::Method;
use serde_json::json;

use super::image_id::check_image_id;
use crate::batch::Batch;
use crate::call::{Call, Request};
use crate::client::Client;
use crate::error::Error;
use crate::retry::CallKind;
use crate::transport::Answer;

/// `DELETE /v2/images/{image_id}` with `{"delete_backup": ...}`: for a whole-server image, whether
/// its server backup goes too.
pub struct DeleteImage {
    image_id: String,
    path: String,
    body: Bytes,
}

impl DeleteImage {
    pub fn new(image_id: impl Into<String>, delete_backup: bool) -> DeleteImage {
        let image_id = image_id.into();
        DeleteImage {
            path: format!("/v2/images/{image_id}"),
            body: Bytes::from(json!({ "delete_backup": delete_backup }).to_string()),
            image_id,
        }
    }
}

impl Call for DeleteImage {
    type Output = ();

    fn check(&self) -> Result<(), Error> {
        check_image_id(&self.image_id)
    }

    fn request<'a>(&'a self, _project: &'a str) -> Request<'a> {
        Request {
            method: Method::DELETE,
            kind: CallKind::Create,
            ..Request::post(&*self.path, Cow::Borrowed(&self.body))
        }
    }

    /// 204 and no body: nothing to read.
    fn parse(&self, _answer: &Answer) -> Result<(), Error> {
        Ok(())
    }
}

impl Client {
    /// Deletes image `image_id` (see [`DeleteImage`]).
    pub async fn delete_image(&self, image_id: &str, delete_backup: bool) -> Result<(), Error> {
        self.call(&DeleteImage::new(image_id, delete_backup)).await
    }

    /// Deletes every image of `image_ids`, at most `concurrency` at a time (None: all at once): one
    /// outcome per id, in order. A failed delete never stops the others.
    pub async fn delete_images(
        &self,
        image_ids: Vec<String>,
        delete_backup: bool,
        concurrency: Option<usize>,
    ) -> Vec<Result<(), Error>> {
        let work = image_ids.into_iter().map(|image_id| {
            let client = self.clone();
            async move { client.delete_image(&image_id, delete_backup).await }
        });
        Batch::new(work.collect::<Vec<_>>(), concurrency)
            .in_order()
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba90";

    #[test]
    fn a_delete_is_a_create_kind_delete_of_the_images_path() {
        let call = DeleteImage::new(ID, true);
        assert!(call.check().is_ok());
        let request = call.request("p");
        assert_eq!(request.method, Method::DELETE);
        assert_eq!(request.path, format!("/v2/images/{ID}"));
        assert_eq!(request.kind, CallKind::Create);
        assert_eq!(&request.body[..], br#"{"delete_backup":true}"#);
    }

    #[test]
    fn an_image_id_must_be_a_uuid() {
        for bad in ["", "abc", "../quota", "4ca46bf1-5c61-48ff-b4f3-0ad4e5e3ba9"] {
            match DeleteImage::new(bad, false).check() {
                Err(Error::Validation(errors)) => assert_eq!(errors.0[0].path, "image_id"),
                other => panic!("{bad:?}: expected a ValidationError, got {other:?}"),
            }
        }
    }
}
