//! The request headers as the SDK's signer sees them: a Python `dict` keyed by the exact header name.
//!
//! The order and the exact keys matter for byte-identical signatures: the signer takes the FIRST
//! case-insensitive match when it looks a header up, but in the canonical headers a LATER name that
//! differs only in case overwrites an earlier one, and both still appear in `SignedHeaders`.

use std::borrow::Cow;

use super::canonical::{python_lower, python_strip};

pub(crate) struct HeaderTable {
    entries: Vec<Entry>,
}

struct Entry {
    name: String,
    /// `name.lower()`, computed once because every lookup compares it.
    lower: String,
    value: String,
}

impl HeaderTable {
    /// Builds the table the way `dict(pairs)` would: a repeated exact name keeps its first position
    /// and takes its last value.
    pub(crate) fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut table = HeaderTable {
            entries: Vec::with_capacity(pairs.len() + 3),
        };
        for (name, value) in pairs {
            table.set(name, value);
        }
        table
    }

    /// `headers[name] = value`: overwrite in place when the exact name exists, else append.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        match self.entries.iter_mut().find(|entry| entry.name == name) {
            Some(entry) => value.clone_into(&mut entry.value),
            None => self.entries.push(Entry {
                name: name.to_owned(),
                lower: python_lower(name),
                value: value.to_owned(),
            }),
        }
    }

    /// `headers.get(name)`: exact, case-sensitive lookup.
    pub(crate) fn get_exact(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|entry| entry.name == name)
            .map(|entry| entry.value.as_str())
    }

    /// The SDK's `_get_header_ignore_case`: the first entry whose lower-cased name matches.
    pub(crate) fn first_ignore_case(&self, lower_name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|entry| entry.lower == lower_name)
            .map(|entry| entry.value.as_str())
    }

    /// The value that ends up in the canonical headers for `lower_name`: the stripped value of the
    /// LAST entry whose lower-cased name matches.
    pub(crate) fn canonical_value(&self, lower_name: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|entry| entry.lower == lower_name)
            .map(|entry| python_strip(&entry.value))
    }

    /// Every name without `_`, lower-cased and sorted; duplicates are kept, as the SDK keeps them.
    pub(crate) fn signable_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .entries
            .iter()
            .filter(|entry| !entry.name.contains('_'))
            .map(|entry| entry.lower.clone())
            .collect();
        names.sort();
        names
    }
}

/// `name1:value1\nname2:value2\n` for the signed names in the order and spelling given (the SDK's are
/// already lower-case), or `Err` naming the first signed header the table lacks.
pub(crate) fn canonical_headers<'n>(
    table: &HeaderTable,
    signed_names: &'n [String],
) -> Result<String, &'n str> {
    let mut out = String::with_capacity(256);
    for name in signed_names {
        // Names from the table are lower-case already; only others need the work.
        let lower = if name
            .bytes()
            .any(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
        {
            Cow::Owned(python_lower(name))
        } else {
            Cow::Borrowed(name.as_str())
        };
        let value = table.canonical_value(&lower).ok_or(name.as_str())?;
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    Ok(out)
}
