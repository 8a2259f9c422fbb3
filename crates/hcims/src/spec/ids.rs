//! Resource IDs: ECS, volume and enterprise-project IDs are UUIDs in the 8-4-4-4-12 hex form.

use super::codes;
use super::error::{quoted, Report};
use super::path::FieldPath;

/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits of either case.
pub fn is_uuid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A required UUID field; `missing_code` is what IMS answers when it is absent.
pub(crate) fn check_uuid(
    id: &str,
    missing_code: &'static str,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    if id.is_empty() {
        // An empty ID is a missing one: a shape rule.
        report.shape(
            path,
            missing_code,
            "is required and must not be empty".to_owned(),
        );
    } else if !is_uuid(id) {
        report.value(
            path,
            codes::MALFORMED,
            format!("must be a UUID (8-4-4-4-12 hex digits), got {}", quoted(id)),
        );
    }
}

/// `"0"` (the default project) or a UUID.
pub(crate) fn check_enterprise_project_id(id: &str, path: &FieldPath<'_>, report: &mut Report) {
    if id != "0" && !is_uuid(id) {
        report.value(
            path,
            codes::MALFORMED,
            format!(
                "must be \"0\" (the default project) or a UUID, got {}",
                quoted(id)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_recognised() {
        assert!(is_uuid("877a2cda-ba63-4e1e-b95f-e67e48b6129a"));
        assert!(is_uuid("877A2CDA-BA63-4E1E-B95F-E67E48B6129A"));
        assert!(is_uuid("00000000-0000-0000-0000-000000000000"));
    }

    #[test]
    fn non_uuids_are_rejected() {
        for bad in [
            "",
            "877a2cdaba634e1eb95fe67e48b6129a",
            "877a2cda-ba63-4e1e-b95f-e67e48b6129",
            "877a2cda-ba63-4e1e-b95f-e67e48b6129aa",
            "877a2cda-ba63-4e1e-b95f_e67e48b6129a",
            "g77a2cda-ba63-4e1e-b95f-e67e48b6129a",
            "{77a2cda-ba63-4e1e-b95f-e67e48b6129}",
            "877a2cda-ba634-e1e-b95f-e67e48b6129a",
            "877a2cda-ba63-4e1e-b95f-e67e48b612镜",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }

    fn codes_of(check: impl FnOnce(&mut Report)) -> Vec<&'static str> {
        let mut report = Report::default();
        check(&mut report);
        report
            .into_result()
            .err()
            .map_or_else(Vec::new, |e| e.iter().map(|e| e.ims_code).collect())
    }

    #[test]
    fn required_uuid_distinguishes_missing_from_malformed() {
        let path = FieldPath::Root.key("instance_id");
        assert!(codes_of(|r| check_uuid(
            "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            "IMG.0012",
            &path,
            r
        ))
        .is_empty());
        assert_eq!(
            codes_of(|r| check_uuid("", "IMG.0012", &path, r)),
            ["IMG.0012"]
        );
        assert_eq!(
            codes_of(|r| check_uuid("i-123", "IMG.0012", &path, r)),
            ["IMG.0001"]
        );
    }

    #[test]
    fn enterprise_project_is_zero_or_a_uuid() {
        let path = FieldPath::Root.key("enterprise_project_id");
        assert!(codes_of(|r| check_enterprise_project_id("0", &path, r)).is_empty());
        assert!(codes_of(|r| check_enterprise_project_id(
            "877a2cda-ba63-4e1e-b95f-e67e48b6129a",
            &path,
            r
        ))
        .is_empty());
        for bad in ["", "00", "default", "1"] {
            assert_eq!(
                codes_of(|r| check_enterprise_project_id(bad, &path, r)),
                ["IMG.0001"],
                "{bad}"
            );
        }
    }
}
