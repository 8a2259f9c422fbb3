//! "Did you mean ...?": the closest known word to a mistyped one, after normalising case, `-`, `_`
//! and spaces, by optimal-string-alignment distance (a swap of two neighbours counts as one edit).

/// The candidate closest to `input`, or `None` when none is close enough.
///
/// `max_edits(len)` gives how many edits to allow for a normalised input of `len` characters; a
/// candidate equal to the input after normalising always matches.
pub(crate) fn closest<'k>(
    input: &str,
    candidates: impl IntoIterator<Item = &'k str>,
    max_edits: impl Fn(usize) -> usize,
) -> Option<&'k str> {
    let wanted = normalise(input);
    let allowed = max_edits(wanted.len());
    let mut best: Option<(usize, &'k str)> = None;
    for candidate in candidates {
        let known = normalise(candidate);
        // Lengths further apart than the allowance cannot be within it: skip the table.
        if wanted.len().abs_diff(known.len()) > allowed {
            continue;
        }
        let distance = edit_distance(&wanted, &known);
        let better = match best {
            None => true,
            Some((best_distance, _)) => distance < best_distance,
        };
        if distance <= allowed && better {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The allowance for field names: short names tolerate one edit, longer ones up to three.
pub(crate) fn edits_for_key(len: usize) -> usize {
    match len {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    }
}

fn normalise(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    // Three rolling rows of the dynamic-programming table: the one before last is needed for swaps.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + substitution);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &[
        "name",
        "instance_id",
        "description",
        "tags",
        "image_tags",
        "min_ram",
        "max_ram",
    ];

    fn suggest(input: &str) -> Option<&'static str> {
        closest(input, KEYS.iter().copied(), edits_for_key)
    }

    #[test]
    fn normalised_spellings_match() {
        assert_eq!(suggest("instance-id"), Some("instance_id"));
        assert_eq!(suggest("InstanceId"), Some("instance_id"));
        assert_eq!(suggest("IMAGE TAGS"), Some("image_tags"));
    }

    #[test]
    fn typos_match_within_the_allowance() {
        assert_eq!(suggest("nmae"), Some("name"));
        assert_eq!(suggest("tag"), Some("tags"));
        assert_eq!(suggest("descrption"), Some("description"));
        assert_eq!(suggest("min_rma"), Some("min_ram"));
    }

    #[test]
    fn the_closest_candidate_wins() {
        assert_eq!(suggest("max_rum"), Some("max_ram"));
        assert_eq!(suggest("mix_ram"), Some("min_ram"));
    }

    #[test]
    fn unrelated_words_get_no_suggestion() {
        assert_eq!(suggest("flavor"), None);
        assert_eq!(suggest("os"), None);
        assert_eq!(suggest(""), None);
    }

    #[test]
    fn distance_counts_swaps_as_one_edit() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&chars("ab"), &chars("ba")), 1);
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("abc"), &chars("abc")), 0);
    }
}
