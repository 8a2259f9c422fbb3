//! What an account sees beyond images and jobs: IAM's project list (served on the same port, so a
//! client's `iam_endpoint` can point at the emulator), the live OS list and the image quota.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};

use crate::auth::IncomingRequest;
use crate::config::MockConfig;
use crate::images::OsFacts;
use crate::replies::{json_response, ImsError};
use crate::routes::{authenticate, RequestId};
use crate::rules::MALFORMED_BODY;
use crate::state::MockState;

/// The tags `GET /v1/cloudimages/os_version?tag=` takes.
const OS_VERSION_TAGS: [&str; 4] = ["bms", "uefi", "arm", "x86"];

/// `GET /v3/projects?name=...`: the projects of the signing key named so. Every project of the
/// emulator is named after its region.
pub(crate) async fn list_projects(
    State(state): State<Arc<MockState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let incoming = IncomingRequest {
        method: &method,
        uri: &uri,
        headers: &headers,
        body: &[],
    };
    let projects = match state.keyring.account_projects(&incoming, SystemTime::now()) {
        Ok(projects) => projects,
        Err(refusal) => return refusal.into_response(&request_id),
    };
    let pairs = hcims::sign::decode_query(uri.query().unwrap_or_default());
    let wanted = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.as_str());
    let region = state.config.region.as_str();
    let listed: Vec<Value> = projects
        .iter()
        .filter(|_| wanted.is_none_or(|name| name == region))
        .map(|id| {
            json!({
                "id": id,
                "name": region,
                "domain_id": "d0000000000000000000000000000000",
                "parent_id": "d0000000000000000000000000000000",
                "description": "",
                "enabled": true,
                "is_domain": false,
                "links": { "self": format!("/v3/projects/{id}") },
            })
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "projects": listed, "links": { "self": "/v3/projects", "next": null, "previous": null } }),
    )
}

/// `GET /v1/cloudimages/os_version[?tag=]`: the configured list (or the bundled one), by platform.
pub(crate) async fn list_os_versions(
    State(state): State<Arc<MockState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = authenticate(&state, &method, &uri, &headers, &[]) {
        return refusal.into_response(&request_id);
    }
    let pairs = hcims::sign::decode_query(uri.query().unwrap_or_default());
    let tag = pairs
        .iter()
        .find(|(k, _)| k == "tag")
        .map(|(_, v)| v.as_str());
    if let Some(tag) = tag.filter(|t| !OS_VERSION_TAGS.contains(t)) {
        return ImsError::bad_request(
            MALFORMED_BODY,
            format!("The tag {tag:?} is not one of bms, uefi, arm, x86."),
        )
        .into_response();
    }
    json_response(StatusCode::OK, &os_version_document(&state.config, tag))
}

fn is_arm(version: &str) -> bool {
    let lower = version.to_ascii_lowercase();
    lower.contains("arm") || lower.contains("aarch64")
}

fn os_version_document(config: &MockConfig, tag: Option<&str>) -> Value {
    let versions: Vec<&str> = match &config.os_versions {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => hcims::spec::known_os_versions().to_vec(),
    };
    let mut platforms: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for version in versions {
        let keep = match tag {
            Some("arm") => is_arm(version),
            Some("x86") => !is_arm(version),
            _ => true,
        };
        if !keep {
            continue;
        }
        let facts = OsFacts::from_version(version, None);
        let entry = json!({
            "platform": facts.platform,
            "os_version_key": version,
            "os_version": version,
            "os_bit": facts.bits.parse::<u32>().unwrap_or(64),
            "os_type": facts.os_type,
        });
        match platforms.iter_mut().find(|(p, _)| *p == facts.platform) {
            Some((_, list)) => list.push(entry),
            None => platforms.push((facts.platform, vec![entry])),
        }
    }
    Value::Array(
        platforms
            .into_iter()
            .map(|(platform, list)| json!({ "platform": platform, "version_list": list }))
            .collect(),
    )
}

/// `GET /v1/cloudimages/quota`: the caller's project's images against its quota.
pub(crate) async fn show_quota(
    State(state): State<Arc<MockState>>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let project_id = match authenticate(&state, &method, &uri, &headers, &[]) {
        Ok(project_id) => project_id,
        Err(refusal) => return refusal.into_response(&request_id),
    };
    let quota = state
        .config
        .image_quota
        .unwrap_or(MockConfig::DEFAULT_IMAGE_QUOTA);
    let used = state.jobs.images_used(&project_id);
    json_response(
        StatusCode::OK,
        &json!({ "quotas": { "resources": [
            { "type": "image", "used": used, "quota": quota, "min": 1, "max": 1000 }
        ] } }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_versions_are_grouped_by_platform_and_filtered_by_tag() {
        let config = MockConfig {
            os_versions: Some(vec![
                "CentOS 7.9 64bit".into(),
                "EulerOS 2.8 64bit with ARM".into(),
                "CentOS 8.0 64bit".into(),
            ]),
            ..MockConfig::default()
        };
        let all = os_version_document(&config, None);
        assert_eq!(all[0]["platform"], "CentOS");
        assert_eq!(all[0]["version_list"].as_array().map(Vec::len), Some(2));
        assert_eq!(all[0]["version_list"][0]["os_bit"], 64);
        let arm = os_version_document(&config, Some("arm"));
        assert_eq!(arm.as_array().map(Vec::len), Some(1));
        assert_eq!(
            arm[0]["version_list"][0]["os_version"],
            "EulerOS 2.8 64bit with ARM"
        );
        let bundled = os_version_document(&MockConfig::default(), None);
        let count: usize = bundled
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["version_list"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(count, hcims::spec::known_os_versions().len());
    }
}
