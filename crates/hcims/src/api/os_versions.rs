//! The live list of OS versions a region accepts, from `GET /v1/cloudimages/os_version`
//! (`[{platform, version_list: [{platform, os_version_key, os_version, os_bit, os_type}]}]`), kept per
//! client and tag; the `os_version` warnings of specs check against it once fetched.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, MutexGuard};

use crate::call::Get;
use crate::client::Client;
use crate::error::Error;
use crate::spec::ImageSpec;

pub(crate) mod list;
pub use list::{parse_os_versions, OsVersion};

pub const OS_VERSIONS_PATH: &str = "/v1/cloudimages/os_version";

/// The tags the endpoint filters by (`?tag=`).
pub const OS_VERSION_TAGS: [&str; 4] = ["bms", "uefi", "arm", "x86"];

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
        let list = Arc::new(
            self.call(&Get::new(OS_VERSIONS_PATH, query, parse_os_versions))
                .await?,
        );
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
