//! Looking images up with `GET /v2/cloudimages`: equality filters on the query, Glance-like image
//! documents back, page after page (`find_images`), or the one image of an id (`get_image`).
//!
//! Images come back as the documents IMS wrote (`id`, `name`, `status`, `visibility`, `min_disk`,
//! `__os_version`, `tags`, `created_at`, ...): the Python layer's `hcims.Image` reads its fields from them.

use serde_json::Value;

use crate::call::{Call, Get, Request};
use crate::client::Client;
use crate::error::{ApiError, Error};
use crate::spec::is_uuid;
use crate::transport::Answer;

pub const IMAGES_PATH: &str = "/v2/cloudimages";
/// The largest page IMS serves; fewer pages mean fewer requests.
pub const PAGE_SIZE: usize = 1000;

/// The images of one page, or an error saying what the answer was instead.
pub fn parse_images_page(body: &[u8]) -> Result<Vec<Value>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the image list is not JSON: {e}"))?;
    match value.get("images") {
        Some(Value::Array(images)) => Ok(images.clone()),
        _ => Err("the image list answer has no \"images\" list".to_owned()),
    }
}

/// Checks the filter names: each goes into the query string, and `limit`/`marker` are the caller's
/// way to ask for one page only.
pub fn check_filters(filters: &[(String, String)]) -> Result<(), String> {
    for (key, _) in filters {
        let ok = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
        if !ok {
            return Err(format!(
                "{key:?} is not a filter of GET /v2/cloudimages (letters, digits, '_', '-', '.')"
            ));
        }
    }
    Ok(())
}

/// True when the caller pages by hand.
pub fn pages_by_hand(filters: &[(String, String)]) -> bool {
    filters.iter().any(|(k, _)| k == "limit" || k == "marker")
}

/// `GET /v2/cloudimages?id={image_id}`: the image of that id in the client's project. IMS answers an
/// empty list for an id it does not know; that is a 404 [`ApiError`] here (code `IMG.0027`, the code IMS
/// gives an image id that does not exist), as a missing resource is for any other call.
pub struct GetImage {
    query: [(String, String); 1],
}

impl GetImage {
    pub fn new(image_id: impl Into<String>) -> GetImage {
        GetImage {
            query: [("id".to_owned(), image_id.into())],
        }
    }

    fn image_id(&self) -> &str {
        &self.query[0].1
    }
}

impl Call for GetImage {
    type Output = Value;

    /// IMS image ids are UUIDs; anything else could only ever find nothing.
    fn check(&self) -> Result<(), Error> {
        if is_uuid(self.image_id()) {
            return Ok(());
        }
        Err(Error::invalid_argument(
            "image_id",
            format!(
                "must be an image id (a UUID, 8-4-4-4-12 hex digits), got {:?}",
                self.image_id()
            ),
        ))
    }

    fn request<'a>(&'a self, _project: &'a str) -> Request<'a> {
        Request::get(IMAGES_PATH).with_query(&self.query[..])
    }

    fn parse(&self, answer: &Answer) -> Result<Value, Error> {
        let page =
            parse_images_page(&answer.body).map_err(|m| Error::transport(m, false, false))?;
        page.into_iter().next().ok_or_else(|| {
            Error::Api(Box::new(ApiError {
                status: 404,
                code: Some("IMG.0027".to_owned()),
                message: format!(
                    "no image has the id {} in this project (GET {IMAGES_PATH}?id= listed none)",
                    self.image_id()
                ),
                request_id: answer
                    .headers
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body: String::from_utf8_lossy(&answer.body).into_owned(),
                maybe_sent: false,
                retry_after: None,
            }))
        })
    }
}

impl Client {
    /// The image of `image_id` (see [`GetImage`]).
    pub async fn get_image(&self, image_id: &str) -> Result<Value, Error> {
        self.call(&GetImage::new(image_id)).await
    }

    /// The images `GET /v2/cloudimages` lists for `filters` (`name`, `__imagetype`, `status`, ...), every
    /// page of them; with `limit` or `marker` among the filters, that one page only.
    pub async fn find_images(&self, filters: &[(String, String)]) -> Result<Vec<Value>, Error> {
        check_filters(filters).map_err(|message| Error::invalid_argument("filters", message))?;
        let by_hand = pages_by_hand(filters);
        let mut images = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut query = filters.to_vec();
            if !by_hand {
                query.push(("limit".to_owned(), PAGE_SIZE.to_string()));
                if let Some(marker) = &marker {
                    query.push(("marker".to_owned(), marker.clone()));
                }
            }
            let page = self
                .call(&Get::new(IMAGES_PATH, query, parse_images_page))
                .await?;
            let full = page.len() >= PAGE_SIZE;
            marker = page
                .last()
                .and_then(|image| image.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            images.extend(page);
            if by_hand || !full || marker.is_none() {
                return Ok(images);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_filters() {
        assert_eq!(
            parse_images_page(br#"{"images":[{"id":"a"}]}"#)
                .unwrap()
                .len(),
            1
        );
        assert!(parse_images_page(br#"{"image":[]}"#).is_err());
        assert!(check_filters(&[("__imagetype".into(), "private".into())]).is_ok());
        assert!(check_filters(&[("a=b".into(), "c".into())]).is_err());
        assert!(pages_by_hand(&[("limit".into(), "2".into())]));
        assert!(!pages_by_hand(&[("name".into(), "x".into())]));
    }

    fn answer(body: &'static str) -> Answer {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-request-id", "req-1".parse().unwrap());
        Answer {
            status: 200,
            headers,
            body: bytes::Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn an_image_is_the_first_of_its_page_and_none_is_a_404() {
        let call = GetImage::new("c5dfbd0c-bf0a-4798-a453-61dc6b54aa30");
        assert!(call.check().is_ok());
        let found = call
            .parse(&answer(
                r#"{"images":[{"id":"c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"}]}"#,
            ))
            .unwrap();
        assert_eq!(found["id"], "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30");
        match call.parse(&answer(r#"{"images":[]}"#)) {
            Err(Error::Api(api)) => {
                assert_eq!(api.status, 404);
                assert_eq!(api.code.as_deref(), Some("IMG.0027"));
                assert_eq!(api.request_id.as_deref(), Some("req-1"));
                assert!(!api.maybe_sent);
                assert!(api.message.contains("c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"));
            }
            other => panic!("expected a 404, got {other:?}"),
        }
        assert!(matches!(
            call.parse(&answer(r#"{"image":{}}"#)),
            Err(Error::Transport(_))
        ));
    }

    #[test]
    fn an_image_id_must_be_a_uuid() {
        for bad in ["", "abc", "c5dfbd0c-bf0a-4798-a453-61dc6b54aa3", "../quota"] {
            match GetImage::new(bad).check() {
                Err(Error::Validation(errors)) => assert_eq!(errors.0[0].path, "image_id"),
                other => panic!("{bad:?}: expected a ValidationError, got {other:?}"),
            }
        }
    }
}
