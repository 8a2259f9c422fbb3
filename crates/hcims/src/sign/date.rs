//! `X-Sdk-Date` values: `YYYYMMDDTHHMMSSZ` in UTC, written and read without a date crate.

use crate::calendar::{civil_from_days, days_from_civil};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECONDS_PER_DAY: i64 = 86_400;

/// Formats `t` (UTC) as `YYYYMMDDTHHMMSSZ`, the format of `X-Sdk-Date`.
pub fn sdk_date(t: SystemTime) -> String {
    let seconds = unix_seconds(t);
    let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
    let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    if let Ok(year @ 0..=9999) = u32::try_from(year) {
        // Every real clock: the digits written directly (this runs once per request).
        let mut text = [0u8; 16];
        let fields = [
            (0, 4, year),
            (4, 2, month),
            (6, 2, day),
            (9, 2, (second_of_day / 3600) as u32),
            (11, 2, (second_of_day / 60 % 60) as u32),
            (13, 2, (second_of_day % 60) as u32),
        ];
        for (start, width, mut value) in fields {
            for slot in text[start..start + width].iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        text[8] = b'T';
        text[15] = b'Z';
        return String::from_utf8_lossy(&text).into_owned();
    }
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Parses a strict `YYYYMMDDTHHMMSSZ` (exactly 16 characters, a real calendar date, no leap second).
pub fn parse_sdk_date(s: &str) -> Option<SystemTime> {
    let bytes = s.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = bytes.get(range)?;
        digits.iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    if !is_valid_date(year, month, day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds = days_from_civil(i64::from(year), month, day) * SECONDS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second);
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    }
}

/// Seconds since the Unix epoch, rounded down; saturates far outside any real clock.
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            // Floor, so that 0.5 s before the epoch is 23:59:59 of the day before.
            let whole = if before.subsec_nanos() > 0 {
                whole.saturating_add(1)
            } else {
                whole
            };
            -whole
        }
    }
}

/// Signed difference `a - b` in whole seconds.
pub(crate) fn seconds_between(a: SystemTime, b: SystemTime) -> i64 {
    unix_seconds(a).saturating_sub(unix_seconds(b))
}

/// Python's `datetime` range: years 1..=9999.
fn is_valid_date(year: u32, month: u32, day: u32) -> bool {
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // February's length falls out of the calendar arithmetic, leap rules included.
        2 => days_from_civil(i64::from(year), 3, 1) - days_from_civil(i64::from(year), 2, 1),
        _ => return false,
    };
    (1..=9999).contains(&year) && (1..=days_in_month).contains(&i64::from(day))
}

/// What the SDK puts on the date line of the string to sign when the caller supplied `X-Sdk-Date`:
/// `datetime.strptime(value, "%Y%m%dT%H%M%SZ").strftime("%Y%m%dT%H%M%SZ")`.
///
/// `strptime` is lenient: `T`/`Z` match case-insensitively and fields may have one digit, so
/// `2024511t8010z` becomes `20240511T080100Z`. CPython builds a regex with these alternatives and
/// takes its first match, then rejects leftover text, year 0, impossible days and seconds 60/61;
/// glibc's `%Y` does not pad years below 1000. Returns `None` where `strptime` raises, and also for
/// non-ASCII digits (which CPython's `\d` accepts, but no real date header carries).
pub(crate) fn sdk_header_date(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut fields = [0u32; 6];
    let end = match_fields(bytes, 0, 0, &mut fields)?;
    if end != bytes.len() {
        return None;
    }
    let [year, month, day, hour, minute, second] = fields;
    if !is_valid_date(year, month, day) || second > 59 {
        return None;
    }
    Some(format!(
        "{year}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z"
    ))
}

/// One character class of CPython's `_strptime` regexes.
#[derive(Clone, Copy)]
enum Class {
    Digit,
    Between(u8, u8),
    Space,
}

use Class::{Between, Digit, Space};

/// The alternatives of each `%` directive, in CPython's order (the order decides the first match).
const YEAR: &[&[Class]] = &[&[Digit, Digit, Digit, Digit]];
const MONTH: &[&[Class]] = &[
    &[Between(b'1', b'1'), Between(b'0', b'2')],
    &[Between(b'0', b'0'), Between(b'1', b'9')],
    &[Between(b'1', b'9')],
];
const DAY: &[&[Class]] = &[
    &[Between(b'3', b'3'), Between(b'0', b'1')],
    &[Between(b'1', b'2'), Digit],
    &[Between(b'0', b'0'), Between(b'1', b'9')],
    &[Between(b'1', b'9')],
    &[Space, Between(b'1', b'9')],
];
const HOUR: &[&[Class]] = &[
    &[Between(b'2', b'2'), Between(b'0', b'3')],
    &[Between(b'0', b'1'), Digit],
    &[Digit],
];
const MINUTE: &[&[Class]] = &[&[Between(b'0', b'5'), Digit], &[Digit]];
const SECOND: &[&[Class]] = &[
    &[Between(b'6', b'6'), Between(b'0', b'1')],
    &[Between(b'0', b'5'), Digit],
    &[Digit],
];

/// `%Y%m%dT%H%M%SZ`: a field index into `fields`, or a literal matched case-insensitively.
enum Token {
    Field(usize, &'static [&'static [Class]]),
    Literal(u8),
}

const FORMAT: &[Token] = &[
    Token::Field(0, YEAR),
    Token::Field(1, MONTH),
    Token::Field(2, DAY),
    Token::Literal(b't'),
    Token::Field(3, HOUR),
    Token::Field(4, MINUTE),
    Token::Field(5, SECOND),
    Token::Literal(b'z'),
];

fn class_matches(class: Class, byte: u8) -> bool {
    match class {
        Digit => byte.is_ascii_digit(),
        Between(low, high) => (low..=high).contains(&byte),
        Space => byte == b' ',
    }
}

/// Depth-first over the alternatives in order, like a backtracking regex engine: returns the end of
/// the first complete match and leaves the parsed numbers in `fields`.
fn match_fields(bytes: &[u8], token: usize, pos: usize, fields: &mut [u32; 6]) -> Option<usize> {
    let Some(current) = FORMAT.get(token) else {
        return Some(pos);
    };
    match current {
        Token::Literal(lower) => {
            let byte = bytes.get(pos)?;
            if byte.to_ascii_lowercase() != *lower {
                return None;
            }
            match_fields(bytes, token + 1, pos + 1, fields)
        }
        Token::Field(index, alternatives) => {
            for alternative in alternatives.iter() {
                let Some(text) = bytes.get(pos..pos + alternative.len()) else {
                    continue;
                };
                let matched = alternative
                    .iter()
                    .zip(text)
                    .all(|(class, &byte)| class_matches(*class, byte));
                if !matched {
                    continue;
                }
                fields[*index] = text
                    .iter()
                    .filter(|b| b.is_ascii_digit())
                    .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'));
                if let Some(end) = match_fields(bytes, token + 1, pos + alternative.len(), fields) {
                    return Some(end);
                }
            }
            None
        }
    }
}
