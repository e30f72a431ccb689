//! Forward searches that stay linear when asked again and again.
//!
//! A text stage that handles each `<`, `[` or `![` by searching for what closes it (`>`, `](`,
//! `)`) scans to the end of the text for every opener that is never closed, which makes an
//! input of repeated openers quadratic. [`NextMatch`] remembers where the last search found its
//! pattern (or that there was none to the end), so while the positions asked about only move
//! forward, every byte is searched at most once per pattern, however many openers there are.
//!
//! [`CharSet`] finds a few CJK characters (numerals, traditional unit words) in text without
//! decoding it into `char`s.

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

/// A set of three-byte characters (U+0800..=U+FFFF: CJK ideographs and punctuation, full-width
/// forms) to search text for. Membership is a bitmap over U+0000..=U+FFFF (8 KiB), read with
/// the code point assembled from the UTF-8 bytes, so the search never decodes a character
/// through `chars()` and never compares against a list.
pub(crate) struct CharSet {
    bits: [u64; 1024],
}

impl CharSet {
    pub(crate) const fn new(chars: &[char]) -> CharSet {
        let mut bits = [0u64; 1024];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i] as u32;
            assert!(
                c >= 0x800 && c <= 0xFFFF,
                "a CharSet holds three-byte characters"
            );
            bits[(c >> 6) as usize] |= 1 << (c & 63);
            i += 1;
        }
        CharSet { bits }
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, c: char) -> bool {
        let c = c as usize;
        c <= 0xFFFF && self.bits[c >> 6] & (1 << (c & 63)) != 0
    }

    /// Byte offset of the first member of the set in `s` at or after `from` (a character
    /// boundary).
    pub(crate) fn find_from(&self, s: &str, from: usize) -> Option<usize> {
        let b = s.as_bytes();
        let mut i = from;
        while i + 2 < b.len() {
            // A three-byte character is 1110xxxx 10yyyyyy 10zzzzzz (code point xxxxyyyyyyzzzzzz);
            // no other byte of UTF-8 starts with 1110. Other characters are passed over a byte
            // at a time.
            if b[i] & 0xF0 != 0xE0 {
                i += 1;
                continue;
            }
            let c = (usize::from(b[i] & 0x0F) << 12)
                | (usize::from(b[i + 1] & 0x3F) << 6)
                | usize::from(b[i + 2] & 0x3F);
            if self.bits[c >> 6] & (1 << (c & 63)) != 0 {
                return Some(i);
            }
            i += 3;
        }
        None
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

    #[test]
    fn a_char_set_finds_what_a_char_search_finds() {
        static SET: CharSet = CharSet::new(&['一', '万', '〇', '０', '項', '\u{800}', '\u{FFFF}']);
        let texts = [
            "",
            "一",
            "ab一",
            "上下不与三万",
            "二〇二三年，共１０項、。",
            "ab\u{FFFF}\u{800}万x",
            "\u{7FF}\u{801}\u{FFFE}\u{10000}a",
            "万",
        ];
        for t in texts {
            let mut from = 0;
            while from <= t.len() {
                let want = t[from..].find(|c: char| SET.contains(c)).map(|i| from + i);
                assert_eq!(SET.find_from(t, from), want, "{t:?} from {from}");
                from += t[from..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
}
