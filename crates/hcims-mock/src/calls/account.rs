//! What IMS tells an account beyond its images and jobs: the live OS list
//! (`GET /v1/cloudimages/os_version`) and the image quota (`GET /v1/cloudimages/quota`).

use std::sync::Arc;

use axum::extract::State;
use serde_json::{json, Value};

use crate::caller::Caller;
use crate::codes::MALFORMED_BODY;
use crate::config::MockConfig;
use crate::images::OsFacts;
use crate::replies::{Document, ImsAnswer, ImsError};
use crate::state::MockState;

/// The tags `GET /v1/cloudimages/os_version?tag=` takes.
const OS_VERSION_TAGS: [&str; 4] = ["bms", "uefi", "arm", "x86"];

/// The configured list (or the bundled one), by platform, narrowed by `?tag=`.
pub(crate) async fn list_os_versions(
    State(state): State<Arc<MockState>>,
    caller: Caller,
) -> ImsAnswer {
    let tag = caller.request.param("tag");
    if let Some(tag) = tag.filter(|t| !OS_VERSION_TAGS.contains(t)) {
        return Err(ImsError::bad_request(
            MALFORMED_BODY,
            format!("The tag {tag:?} is not one of bms, uefi, arm, x86."),
        ));
    }
    Ok(Document(os_version_document(&state.config, tag)))
}

/// The caller's project's images against its quota.
pub(crate) async fn show_quota(State(state): State<Arc<MockState>>, caller: Caller) -> Document {
    let quota = state
        .config
        .image_quota
        .unwrap_or(MockConfig::DEFAULT_IMAGE_QUOTA);
    let used = state.jobs.images_used(&caller.project_id);
    Document(json!({ "quotas": { "resources": [
        { "type": "image", "used": used, "quota": quota, "min": 1, "max": 1000 }
    ] } }))
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
