//! Object-key globs for `dlq replay|purge --key-glob`.
//!
//! A glob is compiled once into an anchored [`regex::Regex`], so matching is linear in the key
//! length whatever the pattern (no backtracking blow-up on `*a*a*a*b`). The syntax follows
//! shell and `.gitignore` habits, because S3 keys are paths:
//!
//! | glob | matches |
//! |---|---|
//! | `*` | any run of characters except `/` |
//! | `**` | any run of characters, `/` included |
//! | `?` | one character except `/` |
//! | `[abc]`, `[a-z]`, `[!a-z]` | one character of (or not of) the class |
//! | `\x` | the character `x` literally |
//!
//! Everything else matches itself. A pattern that cannot be compiled (an unclosed `[`) is an
//! error at argument parsing, never a silent "matches nothing".

use regex::Regex;
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
    regex: Regex,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        let regex = Regex::new(&to_regex(pattern)?).map_err(|e| GlobError::Invalid {
            pattern: pattern.to_string(),
            message: e.to_string(),
        })?;
        Ok(Glob {
            pattern: pattern.to_string(),
            regex,
        })
    }

    pub fn is_match(&self, key: &str) -> bool {
        self.regex.is_match(key)
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

fn to_regex(pattern: &str) -> Result<String, GlobError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::with_capacity(pattern.len() * 2 + 8);
    re.push_str("^(?s:");
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 2;
                // `***` is the same as `**`.
                while chars.get(i) == Some(&'*') {
                    i += 1;
                }
                continue;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' => {
                let Some(&c) = chars.get(i + 1) else {
                    return Err(GlobError::TrailingEscape(pattern.to_string()));
                };
                re.push_str(&regex::escape(&c.to_string()));
                i += 1;
            }
            '[' => {
                i = push_class(&chars, i, &mut re)
                    .ok_or_else(|| GlobError::UnclosedClass(pattern.to_string()))?;
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push_str(")$");
    Ok(re)
}

/// Translates the class starting at `chars[start] == '['`; returns the index of its `]`.
fn push_class(chars: &[char], start: usize, re: &mut String) -> Option<usize> {
    let mut i = start + 1;
    let negated = matches!(chars.get(i), Some('!') | Some('^'));
    if negated {
        i += 1;
    }
    let mut body = String::new();
    // A `]` right after the opening (or after `!`) is a literal member, as in the shell.
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && !first {
            break;
        }
        first = false;
        match c {
            '\\' => {
                let next = *chars.get(i + 1)?;
                body.push_str(&class_escape(next));
                i += 1;
            }
            '-' => body.push('-'),
            c => body.push_str(&class_escape(c)),
        }
        i += 1;
    }
    re.push('[');
    if negated {
        re.push('^');
    }
    re.push_str(&body);
    re.push(']');
    Some(i)
}

/// Escapes a character for use inside a regex class, leaving it a single literal.
fn class_escape(c: char) -> String {
    match c {
        '[' | ']' | '\\' | '^' | '&' | '~' | '-' => format!("\\{c}"),
        c => c.to_string(),
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
    fn double_star_crosses_segments() {
        assert!(m("2024/**.docx", "2024/q1/report.docx"));
        assert!(m("**/report.docx", "a/b/c/report.docx"));
        assert!(m("**", ""));
        assert!(m("***", "a/b"));
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
    fn regex_metacharacters_are_literal() {
        assert!(m("a.b(1)+$", "a.b(1)+$"));
        assert!(!m("a.b", "axb"));
        assert!(m("报告/年度*.docx", "报告/年度报告.docx"));
    }

    #[test]
    fn escapes_make_wildcards_literal() {
        assert!(m(r"a\*b", "a*b"));
        assert!(!m(r"a\*b", "axb"));
        assert!(m(r"[\]]", "]"));
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
    }

    #[test]
    fn many_stars_do_not_blow_up() {
        let key = "a".repeat(5000);
        assert!(!m("*a*a*a*a*a*a*a*a*a*a*b", &key));
    }
}
