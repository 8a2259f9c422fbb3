//! The profile file of Huawei's SDKs (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`,
//! INI section `[basic]`): read once per resolution, only when a piece is missing elsewhere.

use std::path::PathBuf;

use super::ENV_CREDENTIALS_FILE;

const PROFILE_SECTION: &str = "basic";

/// The `[basic]` section of the profile file, if there is one.
pub(super) struct Profile {
    path: Option<PathBuf>,
    state: ProfileState,
}

enum ProfileState {
    Missing,
    Unreadable(String),
    NoSection,
    Loaded(Vec<(String, String)>),
}

impl Profile {
    pub(super) fn load(env: &dyn Fn(&str) -> Option<String>) -> Profile {
        let path = env(ENV_CREDENTIALS_FILE).map(PathBuf::from).or_else(|| {
            env("HOME")
                .or_else(|| env("USERPROFILE"))
                .map(|home| PathBuf::from(home).join(".huaweicloud").join("credentials"))
        });
        let state = match &path {
            None => ProfileState::Missing,
            Some(p) => match std::fs::read_to_string(p) {
                Ok(text) => match ini_section(&text, PROFILE_SECTION) {
                    Some(pairs) => ProfileState::Loaded(pairs),
                    None => ProfileState::NoSection,
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProfileState::Missing,
                Err(e) => ProfileState::Unreadable(e.to_string()),
            },
        };
        Profile { path, state }
    }

    pub(super) fn value(&self, key: &str) -> Option<String> {
        match &self.state {
            ProfileState::Loaded(pairs) => pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty()),
            _ => None,
        }
    }

    pub(super) fn describe(&self) -> String {
        let Some(path) = &self.path else {
            return format!("no profile file ({ENV_CREDENTIALS_FILE} and HOME are unset)");
        };
        let path = path.display();
        match &self.state {
            ProfileState::Missing => format!("the profile file {path} (not found)"),
            ProfileState::Unreadable(e) => format!("the profile file {path} (unreadable: {e})"),
            ProfileState::NoSection => {
                format!("the profile file {path} (no [{PROFILE_SECTION}] section)")
            }
            ProfileState::Loaded(_) => {
                format!("the [{PROFILE_SECTION}] section of the profile file {path}")
            }
        }
    }
}

/// The key/value pairs of one INI section, read as Python's configparser reads them: keys lower-cased,
/// `=` or `:` separators, `#` and `;` comment lines, values trimmed.
fn ini_section(text: &str, wanted: &str) -> Option<Vec<(String, String)>> {
    let mut in_section = false;
    let mut found = false;
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_section = name.trim() == wanted;
            found |= in_section;
            continue;
        }
        if in_section {
            if let Some(at) = line.find(['=', ':']) {
                pairs.push((
                    line[..at].trim().to_lowercase(),
                    line[at + 1..].trim().to_owned(),
                ));
            }
        }
    }
    found.then_some(pairs)
}
