//! The live list of OS versions a region accepts, from `GET /v1/cloudimages/os_version`
//! (`[{platform, version_list: [{platform, os_version_key, os_version, os_bit, os_type}]}]`), kept per
//! client and tag; the `os_version` warnings of specs check against it once fetched.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, MutexGuard};

use serde_json::Value;

use crate::call::{Call, Request};
use crate::client::Client;
use crate::error::Error;
use crate::spec::ImageSpec;
use crate::transport::Answer;

pub const OS_VERSIONS_PATH: &str = "/v1/cloudimages/os_version";

/// The tags the endpoint filters by (`?tag=`).
pub const OS_VERSION_TAGS: [&str; 4] = ["bms", "uefi", "arm", "x86"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsVersion {
    pub platform: String,
    pub os_version: String,
    /// 32 or 64; `None` when the service leaves it out.
    pub os_bit: Option<u32>,
    pub os_type: String,
    pub os_version_key: String,
}

/// The flat list of an answer, platform by platform in the service's order.
pub fn parse_os_versions(body: &[u8]) -> Result<Vec<OsVersion>, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the os_version answer is not JSON: {e}"))?;
    let platforms = value
        .as_array()
        .ok_or("the os_version answer is not a list of platforms")?;
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut versions = Vec::new();
    for group in platforms {
        let list = group.get("version_list").and_then(Value::as_array);
        for entry in list.into_iter().flatten() {
            let os_bit = match entry.get("os_bit") {
                Some(Value::Number(n)) => n.as_u64().and_then(|b| u32::try_from(b).ok()),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            versions.push(OsVersion {
                platform: text(entry, "platform"),
                os_version: text(entry, "os_version"),
                os_bit,
                os_type: text(entry, "os_type"),
                os_version_key: text(entry, "os_version_key"),
            });
        }
    }
    Ok(versions)
}

/// One fetch of the list, `?tag=` in `query` when given.
struct ListOsVersions {
    query: Vec<(String, String)>,
}

impl Call for ListOsVersions {
    type Output = Vec<OsVersion>;

    fn request<'a>(&'a self, _project: &'a str) -> Request<'a> {
        Request::get(OS_VERSIONS_PATH).with_query(&self.query[..])
    }

    fn parse(&self, answer: &Answer) -> Result<Vec<OsVersion>, Error> {
        parse_os_versions(&answer.body).map_err(|m| Error::transport(m, false, false))
    }
}

impl Client {
    /// The OS versions the region accepts (`GET /v1/cloudimages/os_version`, `?tag=` one of bms, uefi,
    /// arm, x86). Fetched once per client and tag; from then on the `os_version` warning of a spec
    /// checks against the lists fetched (see [`Client::os_version_warnings`]).
    pub async fn os_versions(&self, tag: Option<&str>) -> Result<Arc<Vec<OsVersion>>, Error> {
        if let Some(tag) = tag {
            if !OS_VERSION_TAGS.contains(&tag) {
                return Err(Error::invalid_argument(
                    "tag",
                    format!("must be one of {OS_VERSION_TAGS:?}, got {tag:?}"),
                ));
            }
        }
        let key = tag.map(str::to_owned);
        if let Some(list) = self.live_os_lists().get(&key) {
            return Ok(list.clone());
        }
        let query: Vec<(String, String)> = tag
            .map(|t| vec![("tag".to_owned(), t.to_owned())])
            .unwrap_or_default();
        let list = Arc::new(self.call(&ListOsVersions { query }).await?);
        self.live_os_lists().insert(key, list.clone());
        Ok(list)
    }

    fn live_os_lists(&self) -> MutexGuard<'_, HashMap<Option<String>, Arc<Vec<OsVersion>>>> {
        // Poisoning would need a panic while inserting an Arc: the map is whole either way.
        self.inner
            .live_os_versions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The warnings of `spec`: its `os_version` is checked against the live lists this client fetched,
    /// or against the bundled list when none was fetched.
    pub fn os_version_warnings(&self, spec: &ImageSpec) -> Vec<String> {
        let lists = self.live_os_lists();
        if lists.is_empty() {
            return spec.warnings();
        }
        let live: HashSet<&str> = lists
            .values()
            .flat_map(|list| list.iter().map(|v| v.os_version.as_str()))
            .collect();
        spec.warnings_against(Some(&live))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_flattened_in_order() {
        let body = br#"[{"platform":"CentOS","version_list":[
            {"platform":"CentOS","os_version_key":"CentOS 7.9 64bit","os_version":"CentOS 7.9 64bit","os_bit":64,"os_type":"Linux"}]},
            {"platform":"Other","version_list":[
            {"platform":"Other","os_version_key":"Other(32 bit)","os_version":"Other(32 bit)","os_bit":"32","os_type":"Other"},
            {"platform":"Other","os_version":"odd"}]}]"#;
        let versions = parse_os_versions(body).unwrap();
        assert_eq!(versions.len(), 3);
        assert_eq!(versions[0].os_version, "CentOS 7.9 64bit");
        assert_eq!(versions[0].os_bit, Some(64));
        assert_eq!(versions[1].os_bit, Some(32));
        assert_eq!(versions[2].os_bit, None);
        assert_eq!(versions[2].os_type, "");
    }

    #[test]
    fn other_shapes_are_errors() {
        assert!(parse_os_versions(b"{}").is_err());
        assert!(parse_os_versions(b"nope").is_err());
        assert_eq!(parse_os_versions(b"[]").unwrap(), vec![]);
    }
}
