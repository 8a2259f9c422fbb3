//! The private-image quota of the project, from `GET /v1/cloudimages/quota`
//! (`{"quotas": {"resources": [{"type": "image", "used", "quota", "min", "max"}]}}`).

use serde_json::Value;

use crate::call::Get;
use crate::client::Client;
use crate::error::Error;

pub const QUOTA_PATH: &str = "/v1/cloudimages/quota";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Private images the project holds.
    pub used: u64,
    /// How many it may hold.
    pub total: u64,
}

pub fn parse_quota(body: &[u8]) -> Result<Quota, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the quota answer is not JSON: {e}"))?;
    let image = value
        .pointer("/quotas/resources")
        .and_then(Value::as_array)
        .and_then(|resources| {
            resources
                .iter()
                .find(|r| r.get("type").and_then(Value::as_str) == Some("image"))
        })
        .ok_or("the quota answer has no resource of type \"image\"")?;
    let number = |key: &str| {
        image
            .get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("the image quota has no whole number {key:?}"))
    };
    Ok(Quota {
        used: number("used")?,
        total: number("quota")?,
    })
}

/// The quota call.
pub fn get_quota() -> Get<Quota> {
    Get::new(QUOTA_PATH, Vec::new(), parse_quota)
}

impl Client {
    /// The project's private-image quota (`GET /v1/cloudimages/quota`).
    pub async fn quota(&self) -> Result<Quota, Error> {
        self.call(&get_quota()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_resource_is_read() {
        let body = br#"{"quotas":{"resources":[{"type":"other","used":9,"quota":9,"min":0,"max":9},
            {"type":"image","used":3,"quota":100,"min":1,"max":1000}]}}"#;
        assert_eq!(
            parse_quota(body),
            Ok(Quota {
                used: 3,
                total: 100
            })
        );
    }

    #[test]
    fn other_shapes_are_errors() {
        assert!(parse_quota(br#"{"quotas":{"resources":[]}}"#).is_err());
        assert!(
            parse_quota(br#"{"quotas":{"resources":[{"type":"image","used":-1,"quota":5}]}}"#)
                .is_err()
        );
        assert!(parse_quota(b"x").is_err());
    }
}
