//! A `GET /v2/cloudimages` query: which of the caller's images it selects, and the page it answers.

use serde_json::{json, Value};

use crate::codes::MALFORMED_BODY;
use crate::replies::ImsError;

/// The attributes the list can be filtered on by equality; other query parameters are ignored.
const FILTERS: [&str; 14] = [
    "id",
    "name",
    "status",
    "visibility",
    "__imagetype",
    "__isregistered",
    "owner",
    "virtual_env_type",
    "disk_format",
    "container_format",
    "enterprise_project_id",
    "__os_type",
    "__platform",
    "__os_bit",
];

/// The most images one page shows, and how many when `limit` is not given.
const MAX_LIMIT: usize = 1000;
const DEFAULT_LIMIT: usize = 25;

/// A `GET /v2/cloudimages` query: equality filters, then a page after `marker` of `limit` images.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ImageQuery {
    filters: Vec<(String, String)>,
    /// `tag=key=value`: images carrying that tag (either style; the emulator keeps them as `key.value`).
    tags: Vec<String>,
    limit: Option<usize>,
    marker: Option<String>,
}

impl ImageQuery {
    /// Reads the decoded query pairs; unknown parameters are ignored, a bad `limit` is IMG.0001.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, ImsError> {
        let mut query = ImageQuery::default();
        for (key, value) in pairs {
            match key.as_str() {
                "limit" => {
                    let limit = value
                        .parse::<usize>()
                        .ok()
                        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                        .ok_or_else(|| {
                            ImsError::bad_request(
                                MALFORMED_BODY,
                                format!("limit must be a whole number from 1 to {MAX_LIMIT}, got {value:?}"),
                            )
                        })?;
                    query.limit = Some(limit);
                }
                "marker" => query.marker = Some(value.clone()),
                "tag" => {
                    let (tag_key, tag_value) = value.split_once('=').unwrap_or((value, ""));
                    query.tags.push(format!("{tag_key}.{tag_value}"));
                }
                key if FILTERS.contains(&key) => {
                    query.filters.push((key.to_owned(), value.clone()))
                }
                _ => {}
            }
        }
        Ok(query)
    }

    /// The page of `documents` (newest first) this query selects, as `{"images": [...]}`.
    pub fn answer(&self, documents: Vec<Value>) -> Result<Value, ImsError> {
        let matching: Vec<Value> = documents
            .into_iter()
            .filter(|document| self.matches(document))
            .collect();
        let start = match &self.marker {
            None => 0,
            Some(marker) => {
                let position = matching
                    .iter()
                    .position(|document| document["id"] == marker.as_str())
                    .ok_or_else(|| {
                        ImsError::bad_request(
                            MALFORMED_BODY,
                            format!("The marker {marker:?} is not an image of this list."),
                        )
                    })?;
                position + 1
            }
        };
        let page: Vec<Value> = matching
            .into_iter()
            .skip(start)
            .take(self.limit.unwrap_or(DEFAULT_LIMIT))
            .collect();
        Ok(json!({ "images": page }))
    }

    fn matches(&self, document: &Value) -> bool {
        let tagged = |wanted: &String| {
            document["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|tag| tag.as_str() == Some(wanted.as_str())))
        };
        self.tags.iter().all(tagged)
            && self
                .filters
                .iter()
                .all(|(key, wanted)| match &document[key] {
                    Value::String(text) => text == wanted,
                    Value::Null => false,
                    other => {
                        serde_json::from_str::<Value>(wanted).is_ok_and(|parsed| parsed == *other)
                    }
                })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(id: &str, name: &str, status: &str) -> Value {
        json!({"id": id, "name": name, "status": status, "__imagetype": "private",
               "min_disk": 40, "__os_bit": "64"})
    }

    fn pairs(query: &str) -> Vec<(String, String)> {
        hcims::sign::decode_query(query)
    }

    /// The ids of the page `query` selects from `documents`.
    fn listed_ids(documents: &[Value], query: &str) -> Vec<String> {
        let answer = ImageQuery::parse(&pairs(query))
            .unwrap()
            .answer(documents.to_vec())
            .unwrap();
        answer["images"]
            .as_array()
            .unwrap()
            .iter()
            .map(|image| image["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn filters_select_by_equality_and_unknown_parameters_are_ignored() {
        let documents = vec![
            document("a", "web", "active"),
            document("b", "db", "saving"),
            document("c", "web", "saving"),
        ];
        let ids = |query: &str| listed_ids(&documents, query);
        assert_eq!(ids(""), ["a", "b", "c"]);
        assert_eq!(ids("name=web"), ["a", "c"]);
        assert_eq!(ids("name=web&status=saving"), ["c"]);
        assert_eq!(ids("name=web&sort_key=name&whatever=1"), ["a", "c"]);
        assert_eq!(ids("__imagetype=gold"), Vec::<String>::new());
        assert_eq!(ids("min_disk=40&__os_bit=64"), ["a", "b", "c"]);
        assert_eq!(ids("limit=2"), ["a", "b"]);
        assert_eq!(ids("marker=a&limit=1"), ["b"]);
        assert_eq!(ids("id=b"), ["b"]);
        assert_eq!(ids("id=nope"), Vec::<String>::new());
        // An attribute the image does not have matches nothing.
        assert_eq!(ids("owner=p"), Vec::<String>::new());
    }

    #[test]
    fn the_tag_filter_selects_images_carrying_the_tag() {
        let mut tagged = document("a", "web", "active");
        tagged["tags"] = json!(["hcims-key.k1", "env.prod"]);
        let documents = vec![tagged, document("b", "web", "active")];
        let ids = |query: &str| listed_ids(&documents, query);
        assert_eq!(ids("tag=hcims-key%3Dk1"), ["a"]);
        assert_eq!(ids("tag=hcims-key%3Dk1&__imagetype=private"), ["a"]);
        assert_eq!(ids("tag=hcims-key%3Dk2"), Vec::<String>::new());
        assert_eq!(ids("tag=env%3Dprod&tag=hcims-key%3Dk1"), ["a"]);
    }

    #[test]
    fn a_bad_limit_or_marker_is_img_0001() {
        for limit in ["0", "-1", "x", "1001"] {
            let error = ImageQuery::parse(&pairs(&format!("limit={limit}"))).unwrap_err();
            assert_eq!(error.code, "IMG.0001", "{limit}");
        }
        let query = ImageQuery::parse(&pairs("marker=nope")).unwrap();
        assert_eq!(query.answer(Vec::new()).unwrap_err().code, "IMG.0001");
    }
}
