//! Memory and disk sizes: `min_ram`/`max_ram` in MB, `min_disk` in GB.

use std::ops::RangeInclusive;

use super::codes;
use super::error::Report;
use super::path::FieldPath;

/// System disk of an image from an OBS file, in GB.
pub(crate) const OBS_SYSTEM_DISK_GB: RangeInclusive<i64> = 40..=1024;
/// Data disk of an image from an OBS file, in GB.
pub(crate) const OBS_DATA_DISK_GB: RangeInclusive<i64> = 1..=2048;

/// `min_ram` and `max_ram`: not negative, and `min_ram <= max_ram` when both are set (0 means no limit).
pub(crate) fn check_ram(
    min_ram: Option<i64>,
    max_ram: Option<i64>,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    for (field, value) in [("min_ram", min_ram), ("max_ram", max_ram)] {
        if let Some(value) = value.filter(|v| *v < 0) {
            report.value(
                &path.key(field),
                codes::SIZE,
                format!("must be 0 or more (MB), got {value}"),
            );
        }
    }
    if let (Some(min), Some(max)) = (min_ram, max_ram) {
        // A max_ram of 0 means "no limit", so it bounds nothing.
        if min >= 0 && max > 0 && min > max {
            report.value(
                &path.key("min_ram"),
                codes::SIZE,
                format!("must not exceed max_ram: min_ram is {min} but max_ram is {max} (MB)"),
            );
        }
    }
}

pub(crate) fn check_disk(
    gb: i64,
    range: RangeInclusive<i64>,
    path: &FieldPath<'_>,
    report: &mut Report,
) {
    if !range.contains(&gb) {
        report.value(
            path,
            codes::SIZE,
            format!(
                "must be between {} and {} (GB), got {gb}",
                range.start(),
                range.end()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ram(min: Option<i64>, max: Option<i64>) -> Vec<(String, &'static str)> {
        let mut report = Report::default();
        check_ram(min, max, &FieldPath::Root, &mut report);
        report.into_result().err().map_or_else(Vec::new, |e| {
            e.0.into_iter().map(|e| (e.path, e.ims_code)).collect()
        })
    }

    fn disk(gb: i64, range: RangeInclusive<i64>) -> bool {
        let mut report = Report::default();
        check_disk(gb, range, &FieldPath::Root.key("min_disk"), &mut report);
        report.is_empty()
    }

    #[test]
    fn ram_within_the_rules_passes() {
        assert!(ram(None, None).is_empty());
        assert!(ram(Some(0), Some(0)).is_empty());
        assert!(ram(Some(1024), Some(1024)).is_empty());
        assert!(ram(Some(1024), None).is_empty());
        assert!(ram(None, Some(4096)).is_empty());
        assert!(ram(Some(2048), Some(0)).is_empty());
    }

    #[test]
    fn negative_ram_fails() {
        assert_eq!(ram(Some(-1), None), [("min_ram".to_owned(), "IMG.0055")]);
        assert_eq!(ram(None, Some(-1)), [("max_ram".to_owned(), "IMG.0055")]);
    }

    #[test]
    fn min_ram_above_max_ram_fails() {
        assert_eq!(
            ram(Some(2049), Some(2048)),
            [("min_ram".to_owned(), "IMG.0055")]
        );
    }

    #[test]
    fn disk_bounds_are_inclusive() {
        assert!(disk(40, OBS_SYSTEM_DISK_GB));
        assert!(disk(1024, OBS_SYSTEM_DISK_GB));
        assert!(!disk(39, OBS_SYSTEM_DISK_GB));
        assert!(!disk(1025, OBS_SYSTEM_DISK_GB));
        assert!(disk(1, OBS_DATA_DISK_GB));
        assert!(disk(2048, OBS_DATA_DISK_GB));
        assert!(!disk(0, OBS_DATA_DISK_GB));
        assert!(!disk(2049, OBS_DATA_DISK_GB));
        assert!(!disk(-40, OBS_SYSTEM_DISK_GB));
    }
}
