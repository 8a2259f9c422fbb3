//! The answer of `GET /v1/cloudimages/os_version` read into a flat list (kept apart from the call so
//! the client's cache can name its type without depending on the call).

use serde_json::Value;

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
