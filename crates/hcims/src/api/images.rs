//! Looking images up with `GET /v2/cloudimages`: equality filters on the query, Glance-like image
//! documents back, page after page.

use serde_json::Value;

use crate::call::Get;
use crate::client::Client;
use crate::error::Error;

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

impl Client {
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
}
