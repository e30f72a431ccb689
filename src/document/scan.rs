//! Forward searches that stay linear when asked again and again.
//!
//! A text stage that handles each `<`, `[` or `![` by searching for what closes it (`>`, `](`,
//! `)`) scans to the end of the text for every opener that is never closed, which makes an
//! input of repeated openers quadratic. [`NextMatch`] remembers where the last search found its
//! pattern (or that there was none to the end), so while the positions asked about only move
//! forward, every byte is searched at most once per pattern, however many openers there are.

/// The next occurrence of one pattern at or after a position.
pub(super) struct NextMatch {
    find: fn(&str) -> Option<usize>,
    /// The position the cached answer was searched from, and the answer (absolute).
    cached: Option<(usize, Option<usize>)>,
}

impl NextMatch {
    /// `find` is the plain search, e.g. `|s| s.find('>')`.
    pub(super) fn new(find: fn(&str) -> Option<usize>) -> Self {
        NextMatch { find, cached: None }
    }

    /// Where the pattern next occurs in `s` at or after `from` (a char boundary). Linear in
    /// total over calls whose `from` does not decrease; any `from` is answered correctly.
    pub(super) fn at_or_after(&mut self, s: &str, from: usize) -> Option<usize> {
        if let Some((searched_from, found)) = self.cached {
            if searched_from <= from {
                match found {
                    // Nothing from `searched_from` to the end, so nothing from `from` either.
                    None => return None,
                    // Nothing between `searched_from` and `f`, so `f` is the next one.
                    Some(f) if f >= from => return Some(f),
                    Some(_) => {}
                }
            }
        }
        let found = (self.find)(&s[from..]).map(|i| from + i);
        self.cached = Some((from, found));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_like_a_fresh_search_from_every_position() {
        let s = "a>b>>c<d>e";
        let mut m = NextMatch::new(|s| s.find('>'));
        for from in 0..=s.len() {
            assert_eq!(
                m.at_or_after(s, from),
                s[from..].find('>').map(|i| from + i)
            );
        }
        // Going back is answered too (by searching again).
        assert_eq!(m.at_or_after(s, 0), Some(1));
        let mut none = NextMatch::new(|s| s.find("]("));
        assert_eq!(none.at_or_after(s, 0), None);
        assert_eq!(none.at_or_after(s, 5), None);
    }
}
