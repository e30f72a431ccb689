//! Object-key globs for `dlq replay|purge --key-glob`, compiled by `globset` (ripgrep's glob
//! engine) with `literal_separator`, because S3 keys are paths:
//!
//! | glob | matches |
//! |---|---|
//! | `*` | any run of characters except `/` |
//! | `**` as a whole segment (`**/x`, `a/**`, `a/**/b`) | any number of segments |
//! | `?` | one character except `/` |
//! | `[abc]`, `[a-z]`, `[!a-z]` | one character of (or not of) the class |
//! | `{a,b}` | `a` or `b` |
//! | `\x` | the character `x` literally |
//!
//! A `**` inside a segment (`2024/**.docx`) is two `*`s and stays within the segment, as in
//! `.gitignore` and ripgrep. Everything else matches itself. Matching is linear in the key
//! length whatever the pattern (globset compiles to a regex without backtracking). A pattern
//! that cannot be compiled (an unclosed `[`) is an error at argument parsing, never a silent
//! "matches nothing".

use globset::{ErrorKind, GlobBuilder, GlobMatcher};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum GlobError {
    #[error("glob {0:?}: unclosed character class `[`")]
    UnclosedClass(String),
    #[error("glob {0:?}: trailing `\\` escapes nothing")]
    TrailingEscape(String),
    #[error("glob {pattern:?}: {message}")]
    Invalid { pattern: String, message: String },
}

/// A compiled key glob.
#[derive(Clone)]
pub struct Glob {
    pattern: String,
    matcher: GlobMatcher,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| match e.kind() {
                ErrorKind::UnclosedClass => GlobError::UnclosedClass(pattern.to_string()),
                ErrorKind::DanglingEscape => GlobError::TrailingEscape(pattern.to_string()),
                kind => GlobError::Invalid {
                    pattern: pattern.to_string(),
                    message: kind.to_string(),
                },
            })?;
        Ok(Glob {
            pattern: pattern.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn is_match(&self, key: &str) -> bool {
        self.matcher.is_match(key)
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.pattern)
    }
}

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.pattern == other.pattern
    }
}

impl FromStr for Glob {
    type Err = GlobError;
    fn from_str(s: &str) -> Result<Glob, GlobError> {
        Glob::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, k: &str) -> bool {
        Glob::new(p).unwrap().is_match(k)
    }

    #[test]
    fn star_stays_within_one_path_segment() {
        assert!(m("2024/*.docx", "2024/report.docx"));
        assert!(!m("2024/*.docx", "2024/q1/report.docx"));
        assert!(!m("*.docx", "a/b.docx"));
    }

    #[test]
    fn double_star_segments_cross_segments() {
        assert!(m("2024/**/*.docx", "2024/q1/report.docx"));
        assert!(m("2024/**/*.docx", "2024/report.docx"));
        assert!(m("**/report.docx", "a/b/c/report.docx"));
        assert!(m("2024/**", "2024/q1/a/b.txt"));
        assert!(m("**", ""));
        assert!(m("**", "a/b"));
    }

    #[test]
    fn double_star_inside_a_segment_is_two_stars() {
        assert!(m("2024/**.docx", "2024/report.docx"));
        assert!(!m("2024/**.docx", "2024/q1/report.docx"));
    }

    #[test]
    fn question_mark_is_one_non_slash_character() {
        assert!(m("q?.txt", "q1.txt"));
        assert!(!m("q?.txt", "q12.txt"));
        assert!(!m("a?b", "a/b"));
    }

    #[test]
    fn classes_ranges_and_negation() {
        assert!(m("[abc].txt", "b.txt"));
        assert!(!m("[abc].txt", "d.txt"));
        assert!(m("v[0-9].txt", "v7.txt"));
        assert!(!m("v[!0-9].txt", "v7.txt"));
        assert!(m("v[!0-9].txt", "vx.txt"));
        assert!(m("[]]x", "]x"));
        assert!(m("[a-]x", "-x"));
    }

    #[test]
    fn alternatives() {
        assert!(m("2024/*.{docx,xlsx}", "2024/a.xlsx"));
        assert!(!m("2024/*.{docx,xlsx}", "2024/a.pdf"));
    }

    #[test]
    fn regex_metacharacters_are_literal() {
        assert!(m("a.b(1)+$", "a.b(1)+$"));
        assert!(!m("a.b", "axb"));
        assert!(m("报告/年度*.docx", "报告/年度报告.docx"));
    }

    #[test]
    fn escapes_make_wildcards_literal() {
        assert!(m(r"a\*b", "a*b"));
        assert!(!m(r"a\*b", "axb"));
        assert!(m(r"\[x\]", "[x]"));
    }

    #[test]
    fn the_whole_key_must_match() {
        assert!(!m("report", "report.docx"));
        assert!(!m("report", "old/report"));
    }

    #[test]
    fn malformed_patterns_are_errors() {
        assert_eq!(
            Glob::new("a[bc").unwrap_err(),
            GlobError::UnclosedClass("a[bc".into())
        );
        assert_eq!(
            Glob::new("a\\").unwrap_err(),
            GlobError::TrailingEscape("a\\".into())
        );
        assert!(Glob::new("[z-a]").is_err());
        assert!(Glob::new("a{b").is_err());
    }

    #[test]
    fn many_stars_do_not_blow_up() {
        let key = "a".repeat(5000);
        assert!(!m("*a*a*a*a*a*a*a*a*a*a*b", &key));
    }
}
