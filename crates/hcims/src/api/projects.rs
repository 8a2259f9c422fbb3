//! The project of a client: given, or found out from IAM when none was configured, as Huawei's SDKs do
//! (`BasicCredentials.process_auth_params`): a signed `GET {iam}/v3/projects?name={region}` must answer
//! exactly one project. Found ids are kept for the life of the process, per access key, region and IAM
//! endpoint, so every client of the same account asks once.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::call::{Request, Target};
use crate::client::{check_header_safe, Client};
use crate::config::{Credentials, Project};
use crate::error::Error;

pub const PROJECTS_PATH: &str = "/v3/projects";

/// Who asked where: the access key, the region and the IAM base URL.
pub(crate) type CacheKey = (String, String, String);

fn cache() -> &'static Mutex<HashMap<CacheKey, String>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, String>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

pub(crate) fn cached(key: &CacheKey) -> Option<String> {
    // A poisoned lock only means another thread panicked mid-insert of a plain String: the map is fine.
    let map = cache().lock().unwrap_or_else(|e| e.into_inner());
    map.get(key).cloned()
}

pub(crate) fn remember(key: CacheKey, project_id: String) {
    let mut map = cache().lock().unwrap_or_else(|e| e.into_inner());
    map.insert(key, project_id);
}

/// The one project id of an IAM answer, or a `ConfigError` that names the region and the endpoint.
pub(crate) fn project_from_answer(body: &[u8], region: &str, iam: &str) -> Result<String, Error> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Error::Config(format!(
            "the project of region {region:?} could not be discovered: IAM at {iam} did not answer JSON ({e}); \
             give project_id="
        ))
    })?;
    let ids: Vec<&str> = value
        .get("projects")
        .and_then(Value::as_array)
        .map(|projects| {
            projects
                .iter()
                .filter_map(|p| p.get("id").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    match ids.as_slice() {
        [id] if !id.is_empty() => Ok((*id).to_owned()),
        [] | [_] => Err(Error::Config(format!(
            "no project named {region:?} at IAM {iam}: check that the region is right and that the project \
             exists in your account, or give project_id="
        ))),
        several => Err(Error::Config(format!(
            "{} projects named {region:?} at IAM {iam} ({}): give project_id= to pick one",
            several.len(),
            several.join(", ")
        ))),
    }
}

impl Client {
    /// The project id when it is known without asking IAM: given, or discovered already.
    pub fn known_project_id(&self) -> Option<&str> {
        self.inner.project.get().map(String::as_str)
    }

    /// The project id, asked of IAM the first time when it was not given (`GET {iam}/v3/projects?name=
    /// {region}`). One IAM request per access key, region and IAM endpoint in the process.
    pub async fn project_id(&self) -> Result<&str, Error> {
        let id = self
            .inner
            .project
            .get_or_try_init(|| Box::pin(self.discover_project()))
            .await?;
        Ok(id.as_str())
    }

    async fn discover_project(&self) -> Result<String, Error> {
        let (region, iam) = match &self.inner.config.project {
            Project::Given(id) => return Ok(id.clone()),
            Project::Discover { region, iam } => (region, iam),
        };
        let ak = match &self.inner.config.credentials {
            Credentials::AkSk { ak, .. } => ak.clone(),
            // The config refuses a token without a project.
            Credentials::Token(_) => {
                return Err(Error::Config(
                    "with auth_token= give project_id= too".to_owned(),
                ))
            }
        };
        let key = (ak, region.clone(), iam.base.clone());
        if let Some(id) = cached(&key) {
            return Ok(id);
        }
        let query = [("name".to_owned(), region.clone())];
        let request = Request::get(PROJECTS_PATH).with_query(&query[..]);
        let answer = self
            .execute(Target::Iam(iam), None, &request)
            .await
            .map_err(|e| match e {
                Error::Api(api) => Error::Config(format!(
                    "the project of region {region:?} could not be discovered: IAM at {} answered HTTP {} {}: {}; \
                     give project_id=",
                    iam.base,
                    api.status,
                    api.code.as_deref().unwrap_or(""),
                    api.message
                )),
                other => other,
            })?;
        let id = project_from_answer(&answer.body, region, &iam.base)?;
        check_header_safe("discovered project id", &id)?;
        remember(key, id.clone());
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: Result<String, Error>) -> String {
        match r {
            Err(Error::Config(m)) => m,
            other => panic!("expected a ConfigError, got {other:?}"),
        }
    }

    #[test]
    fn exactly_one_project_is_the_answer() {
        let body = br#"{"projects":[{"id":"abc","name":"cn-north-4"}],"links":{}}"#;
        assert_eq!(
            project_from_answer(body, "cn-north-4", "https://iam").unwrap(),
            "abc"
        );
    }

    #[test]
    fn none_several_or_garbage_name_the_region_and_endpoint() {
        let m = message(project_from_answer(
            br#"{"projects":[]}"#,
            "cn-north-4",
            "https://iam.x",
        ));
        assert!(
            m.contains("\"cn-north-4\"")
                && m.contains("https://iam.x")
                && m.contains("project_id="),
            "{m}"
        );
        let m = message(project_from_answer(
            br#"{"projects":[{"id":"a"},{"id":"b"}]}"#,
            "r",
            "https://iam.x",
        ));
        assert!(m.contains("2 projects") && m.contains("a, b"), "{m}");
        let m = message(project_from_answer(b"<html>", "r", "https://iam.x"));
        assert!(m.contains("JSON"), "{m}");
    }

    #[test]
    fn the_cache_is_per_key() {
        let key = ("AK-cache-test".to_owned(), "r".to_owned(), "i".to_owned());
        assert_eq!(cached(&key), None);
        remember(key.clone(), "p".into());
        assert_eq!(cached(&key).as_deref(), Some("p"));
        let other = ("AK-cache-test".to_owned(), "r2".to_owned(), "i".to_owned());
        assert_eq!(cached(&other), None);
    }
}
