//! The bundled list of known `os_version` values (`os-versions.txt`). A value outside it is sent
//! anyway with a warning, since the live list of each region changes.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::suggest;

const BUNDLED: &str = include_str!("os-versions.txt");

struct Known {
    in_order: Vec<&'static str>,
    set: HashSet<&'static str>,
}

fn known() -> &'static Known {
    static KNOWN: OnceLock<Known> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let in_order: Vec<&'static str> = BUNDLED
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        let set = in_order.iter().copied().collect();
        Known { in_order, set }
    })
}

/// True when `os_version` is exactly one of the bundled values.
pub fn is_known_os_version(os_version: &str) -> bool {
    known().set.contains(os_version)
}

/// The bundled values, in the file's order.
pub fn known_os_versions() -> &'static [&'static str] {
    &known().in_order
}

/// The warning for an `os_version` outside the bundled list, or `None` for a known one.
pub(crate) fn os_version_warning(os_version: &str) -> Option<String> {
    if is_known_os_version(os_version) {
        return None;
    }
    let mut warning = format!(
        "os_version {} is not in hcims's bundled list of known values; it is sent as given \
         (the live list is at GET /v1/cloudimages/os_version)",
        super::error::quoted(os_version)
    );
    // Only spelling differences (case, spaces, '-', '_') are suggested: "CentOS 7.9" is not a typo of "CentOS 7.0".
    if let Some(close) = suggest::closest(os_version, known_os_versions().iter().copied(), |_| 0) {
        warning.push_str(&format!("; did you mean {close:?}?"));
    }
    Some(warning)
}

/// The warning for an `os_version` outside a region's live list (`GET /v1/cloudimages/os_version`).
pub(crate) fn live_os_version_warning(os_version: &str, live: &HashSet<&str>) -> Option<String> {
    if live.contains(os_version) {
        return None;
    }
    let mut warning = format!(
        "os_version {} is not in the region's live list (GET /v1/cloudimages/os_version); it is sent as given",
        super::error::quoted(os_version)
    );
    let mut candidates: Vec<&str> = live.iter().copied().collect();
    candidates.sort_unstable();
    if let Some(close) = suggest::closest(os_version, candidates, |_| 0) {
        warning.push_str(&format!("; did you mean {close:?}?"));
    }
    Some(warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_has_146_values_without_comments() {
        assert_eq!(known_os_versions().len(), 146);
        assert!(known_os_versions()
            .iter()
            .all(|v| !v.starts_with('#') && !v.is_empty()));
    }

    #[test]
    fn known_values_match_exactly() {
        assert!(is_known_os_version("CentOS 7.0 64bit"));
        assert!(is_known_os_version("Windows Server 2016 Datacenter 64bit"));
        assert!(!is_known_os_version("centos 7.0 64bit"));
        assert!(!is_known_os_version("CentOS 7.0 64bit "));
        assert!(!is_known_os_version(""));
        assert!(!is_known_os_version("# --- Windows ---"));
    }

    #[test]
    fn unknown_values_warn_and_spelling_variants_get_a_suggestion() {
        assert_eq!(os_version_warning("CentOS 7.0 64bit"), None);
        let warning = os_version_warning("Ubuntu 22.04 server 64bit").unwrap_or_default();
        assert!(
            warning.contains("\"Ubuntu 22.04 server 64bit\" is not in"),
            "{warning}"
        );
        assert!(!warning.contains("did you mean"), "{warning}");
        let warning = os_version_warning("centos 7.0 64 bit").unwrap_or_default();
        assert!(
            warning.ends_with("did you mean \"CentOS 7.0 64bit\"?"),
            "{warning}"
        );
        let warning = os_version_warning("CentOS 7.9 64bit").unwrap_or_default();
        assert!(!warning.contains("did you mean"), "{warning}");
    }

    #[test]
    fn a_live_list_replaces_the_bundled_one() {
        let live: HashSet<&str> = ["Ubuntu 22.04 server 64bit"].into_iter().collect();
        assert_eq!(
            live_os_version_warning("Ubuntu 22.04 server 64bit", &live),
            None
        );
        let warning = live_os_version_warning("CentOS 7.0 64bit", &live).unwrap_or_default();
        assert!(warning.contains("live list"), "{warning}");
        let warning =
            live_os_version_warning("ubuntu 22.04 server 64bit", &live).unwrap_or_default();
        assert!(
            warning.ends_with("did you mean \"Ubuntu 22.04 server 64bit\"?"),
            "{warning}"
        );
    }
}
