//! "Did you mean": the nearest known name to a misspelt one.

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// The closest candidate within two edits, or one that abbreviates the
/// name (`eps` for `epsilon`), case-insensitively.
pub fn nearest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let name = name.to_lowercase();
    let close = candidates
        .iter()
        .map(|c| (distance(&name, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    close.or_else(|| {
        candidates.iter().copied().find(|c| {
            let c = c.to_lowercase();
            c.len() >= 3 && (name.starts_with(&c) || c.starts_with(&name))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_near_names() {
        let names = ["Dense", "Dropout", "Flatten"];
        assert_eq!(nearest("Denes", &names), Some("Dense"));
        assert_eq!(nearest("Dropuot", &names), Some("Dropout"));
        assert_eq!(nearest("Completely", &names), None);
        assert_eq!(nearest("epsilon", &["eps", "momentum"]), Some("eps"));
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
