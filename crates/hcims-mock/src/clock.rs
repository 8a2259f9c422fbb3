//! Times as IMS writes them: ISO-8601 UTC, with milliseconds in job documents and without in images.

use std::time::{SystemTime, UNIX_EPOCH};

use hcims::calendar::civil_from_days;

const SECONDS_PER_DAY: u64 = 86_400;

/// `time` moved by `offset_seconds` (either way); the emulator's clock when it is set to be off.
pub(crate) fn shifted(time: SystemTime, offset_seconds: f64) -> SystemTime {
    let by = std::time::Duration::from_secs_f64(offset_seconds.abs());
    if offset_seconds >= 0.0 {
        time.checked_add(by).unwrap_or(time)
    } else {
        time.checked_sub(by).unwrap_or(time)
    }
}

/// Formats `time` like `2024-11-06T06:19:43.195Z`; times before 1970 are written as the epoch.
pub(crate) fn iso_millis(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    // Days since the epoch fit an i64 for any SystemTime.
    let (year, month, day) = civil_from_days((seconds / SECONDS_PER_DAY) as i64);
    let second_of_day = seconds % SECONDS_PER_DAY;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
        since_epoch.subsec_millis()
    )
}

/// Formats `time` like `2018-09-06T14:03:27Z`, as image documents show times.
pub(crate) fn iso_seconds(time: SystemTime) -> String {
    let with_millis = iso_millis(time);
    // "...T14:03:27.195Z" -> "...T14:03:27Z"
    match with_millis.rsplit_once('.') {
        Some((up_to_seconds, _)) => format!("{up_to_seconds}Z"),
        None => with_millis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at_millis(millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(millis)
    }

    #[test]
    fn formats_times_with_milliseconds() {
        let cases = [
            (0, "1970-01-01T00:00:00.000Z"),
            // The IMS job example.
            (1_730_873_983_195, "2024-11-06T06:19:43.195Z"),
            // Leap days and the century rules.
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
            (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
            (1_735_689_599_000, "2024-12-31T23:59:59.000Z"),
        ];
        for (millis, formatted) in cases {
            assert_eq!(iso_millis(at_millis(millis)), formatted, "{millis}");
        }
    }

    #[test]
    fn image_times_have_no_milliseconds() {
        assert_eq!(
            iso_seconds(at_millis(1_730_873_983_195)),
            "2024-11-06T06:19:43Z"
        );
    }

    #[test]
    fn clamps_times_before_the_epoch() {
        assert_eq!(
            iso_millis(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00.000Z"
        );
    }
}
