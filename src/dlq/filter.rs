//! Which dead letters a `replay` or `purge` touches.
//!
//! Flags combine with AND; a repeated flag (`--error-code a --error-code b`) is an OR within
//! itself. A filter on something a message does not carry never matches it: `--bucket reports`
//! skips a dead letter whose bucket is unknown, and `--older-than 1h` skips one with no time.
//! A filter that could select "everything by accident" is therefore impossible: the empty
//! filter selects everything, and each flag can only narrow it.
//!
//! [`Selector`] adds `--limit`: the first N matches in queue order, then nothing.

use crate::dlq::duration::parse_duration;
use crate::dlq::glob::Glob;
use crate::dlq::letter::{value_text, DeadLetter, Kind};
use std::fmt;
use std::time::Duration;
use time::OffsetDateTime;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// `--error-code`: any of these `docingest-error-code` values.
    pub error_codes: Vec<String>,
    /// `--kind`: any of these kinds.
    pub kinds: Vec<Kind>,
    /// `--older-than`: dead-lettered at least this long ago.
    pub older_than: Option<Duration>,
    /// `--newer-than`: dead-lettered less than this long ago.
    pub newer_than: Option<Duration>,
    /// `--bucket`: any of these buckets.
    pub buckets: Vec<String>,
    /// `--key-glob`: the object key matches any of these globs.
    pub key_globs: Vec<Glob>,
    /// `--header k=v`: every pair must match (header value as text).
    pub headers: Vec<(String, String)>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    pub fn matches(&self, dl: &DeadLetter, now: OffsetDateTime) -> bool {
        let any = |wanted: &[String], have: &Option<String>| {
            wanted.is_empty() || have.as_ref().is_some_and(|h| wanted.contains(h))
        };
        if !any(&self.error_codes, &dl.error_code) || !any(&self.buckets, &dl.bucket) {
            return false;
        }
        if !self.kinds.is_empty() && !self.kinds.contains(&dl.kind) {
            return false;
        }
        if !self.key_globs.is_empty()
            && !dl
                .key
                .as_deref()
                .is_some_and(|k| self.key_globs.iter().any(|g| g.is_match(k)))
        {
            return false;
        }
        if self.older_than.is_some() || self.newer_than.is_some() {
            let Some(age) = dl.age(now) else {
                return false;
            };
            if self.older_than.is_some_and(|min| age < min) {
                return false;
            }
            if self.newer_than.is_some_and(|max| age >= max) {
                return false;
            }
        }
        self.headers.iter().all(|(name, want)| {
            dl.headers
                .get(name)
                .and_then(value_text)
                .is_some_and(|have| have == *want)
        })
    }
}

impl fmt::Display for Filter {
    /// One line naming the filter, for prompts and summaries: `kind=permanent bucket=reports`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("all dead letters");
        }
        let mut parts: Vec<String> = Vec::new();
        let mut list = |name: &str, values: Vec<String>| {
            if !values.is_empty() {
                parts.push(format!("{name}={}", values.join("|")));
            }
        };
        list("error-code", self.error_codes.clone());
        list(
            "kind",
            self.kinds.iter().map(|k| k.as_str().into()).collect(),
        );
        list("bucket", self.buckets.clone());
        list(
            "key-glob",
            self.key_globs.iter().map(|g| g.as_str().into()).collect(),
        );
        if let Some(d) = self.older_than {
            parts.push(format!("older-than={}s", d.as_secs()));
        }
        if let Some(d) = self.newer_than {
            parts.push(format!("newer-than={}s", d.as_secs()));
        }
        for (k, v) in &self.headers {
            parts.push(format!("header:{k}={v}"));
        }
        f.write_str(&parts.join(" "))
    }
}

/// `--header k=v`: split at the first `=`; the name must be non-empty, the value may be.
pub fn parse_header_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

/// `--kind`: one of the known kinds, so a typo is an error rather than "matches nothing".
pub fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s).ok_or_else(|| {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind {s:?}; one of: {}", known.join(", "))
    })
}

/// Clap value parser for `--older-than` / `--newer-than`.
pub fn parse_age(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

/// What happens to one dead letter in a replay or purge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Matches and is within `--limit`.
    Take,
    /// Does not match the filter.
    NoMatch,
    /// Matches, but `--limit` was already reached.
    OverLimit,
}

/// A filter with a `--limit`, applied to dead letters in queue order.
#[derive(Debug, Clone)]
pub struct Selector {
    filter: Filter,
    limit: Option<u64>,
    taken: u64,
}

impl Selector {
    pub fn new(filter: Filter, limit: Option<u64>) -> Selector {
        Selector {
            filter,
            limit,
            taken: 0,
        }
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// True once `--limit` matches were taken: the caller can stop reading the queue.
    pub fn is_full(&self) -> bool {
        self.limit.is_some_and(|l| self.taken >= l)
    }

    pub fn decide(&mut self, dl: &DeadLetter, now: OffsetDateTime) -> Decision {
        if !self.filter.matches(dl, now) {
            Decision::NoMatch
        } else if self.is_full() {
            Decision::OverLimit
        } else {
            self.taken += 1;
            Decision::Take
        }
    }

    /// Gives a taken slot back (its publish failed), so `--limit` counts what was really done.
    pub fn release(&mut self) {
        self.taken = self.taken.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlq::letter::{parse_time, Properties};
    use serde_json::{json, Map, Value};

    fn letter(h: Value, body: &str) -> DeadLetter {
        DeadLetter::from_parts(
            0,
            Properties::default(),
            h.as_object().cloned().unwrap_or_else(Map::new),
            body.as_bytes().to_vec(),
        )
    }

    fn now() -> OffsetDateTime {
        parse_time("2025-06-01T12:00:00Z").unwrap()
    }

    fn missing_object_an_hour_ago() -> DeadLetter {
        letter(
            json!({
                "docingest-error-kind": "permanent",
                "docingest-error-code": "object_not_found",
                "docingest-failed-at": "2025-06-01T11:00:00Z",
                "docingest-bucket": "reports",
                "docingest-key": "2024/q1/a.docx",
                "traceparent": "00-abc-def-01",
                "docingest-attempts": 1,
            }),
            "{}",
        )
    }

    #[test]
    fn the_empty_filter_matches_everything_even_unreadable_letters() {
        let f = Filter::default();
        assert!(f.is_empty());
        assert!(f.matches(&missing_object_an_hour_ago(), now()));
        assert!(f.matches(&letter(Value::Null, "\u{0}"), now()));
        assert_eq!(f.to_string(), "all dead letters");
    }

    #[test]
    fn code_kind_and_bucket_are_any_of_within_and_all_of_across() {
        let dl = missing_object_an_hour_ago();
        let mut f = Filter {
            error_codes: vec!["too_large".into(), "object_not_found".into()],
            ..Filter::default()
        };
        assert!(f.matches(&dl, now()));
        f.kinds = vec![Kind::RetriesExhausted];
        assert!(!f.matches(&dl, now()));
        f.kinds.push(Kind::Permanent);
        assert!(f.matches(&dl, now()));
        f.buckets = vec!["archive".into()];
        assert!(!f.matches(&dl, now()));
    }

    #[test]
    fn ages_bound_both_ways_at_the_dead_letter_time() {
        let dl = missing_object_an_hour_ago();
        let f = |older: Option<u64>, newer: Option<u64>| Filter {
            older_than: older.map(Duration::from_secs),
            newer_than: newer.map(Duration::from_secs),
            ..Filter::default()
        };
        assert!(f(Some(1800), None).matches(&dl, now()));
        assert!(f(Some(3600), None).matches(&dl, now()));
        assert!(!f(Some(3601), None).matches(&dl, now()));
        assert!(f(None, Some(3601)).matches(&dl, now()));
        assert!(!f(None, Some(3600)).matches(&dl, now()));
        assert!(f(Some(60), Some(7200)).matches(&dl, now()));
    }

    #[test]
    fn a_filter_on_what_a_letter_lacks_never_matches_it() {
        let bare = letter(json!({"docingest-error-kind": "permanent"}), "not json");
        for f in [
            Filter {
                older_than: Some(Duration::ZERO),
                ..Filter::default()
            },
            Filter {
                buckets: vec!["reports".into()],
                ..Filter::default()
            },
            Filter {
                key_globs: vec![Glob::new("**").unwrap()],
                ..Filter::default()
            },
            Filter {
                error_codes: vec!["x".into()],
                ..Filter::default()
            },
            Filter {
                headers: vec![("traceparent".into(), String::new())],
                ..Filter::default()
            },
        ] {
            assert!(!f.matches(&bare, now()), "{f} matched a letter without it");
        }
    }

    #[test]
    fn key_glob_and_headers() {
        let dl = missing_object_an_hour_ago();
        let glob = |g: &str| Filter {
            key_globs: vec![Glob::new(g).unwrap()],
            ..Filter::default()
        };
        assert!(glob("2024/**").matches(&dl, now()));
        assert!(!glob("2024/*.docx").matches(&dl, now()));
        assert!(glob("2024/q?/*.docx").matches(&dl, now()));
        let hdr = |pairs: &[(&str, &str)]| Filter {
            headers: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Filter::default()
        };
        assert!(hdr(&[("traceparent", "00-abc-def-01")]).matches(&dl, now()));
        // Numbers compare in their decimal spelling.
        assert!(hdr(&[
            ("docingest-attempts", "1"),
            ("traceparent", "00-abc-def-01")
        ])
        .matches(&dl, now()));
        assert!(!hdr(&[("docingest-attempts", "2")]).matches(&dl, now()));
        assert!(!hdr(&[("absent", "1")]).matches(&dl, now()));
    }

    #[test]
    fn selector_takes_the_first_n_matches_in_order() {
        let hit = missing_object_an_hour_ago();
        let miss = letter(json!({"docingest-error-code": "other"}), "{}");
        let mut s = Selector::new(
            Filter {
                error_codes: vec!["object_not_found".into()],
                ..Filter::default()
            },
            Some(2),
        );
        assert_eq!(s.decide(&miss, now()), Decision::NoMatch);
        assert_eq!(s.decide(&hit, now()), Decision::Take);
        assert!(!s.is_full());
        assert_eq!(s.decide(&hit, now()), Decision::Take);
        assert!(s.is_full());
        assert_eq!(s.decide(&hit, now()), Decision::OverLimit);
        assert_eq!(s.decide(&miss, now()), Decision::NoMatch);
        s.release();
        assert_eq!(s.decide(&hit, now()), Decision::Take);
    }

    #[test]
    fn argument_parsers_refuse_typos() {
        assert_eq!(
            parse_header_pair("a=b=c").unwrap(),
            ("a".to_string(), "b=c".to_string())
        );
        assert_eq!(
            parse_header_pair("a=").unwrap(),
            ("a".to_string(), String::new())
        );
        assert!(parse_header_pair("=b").is_err());
        assert!(parse_header_pair("ab").is_err());
        assert_eq!(parse_kind("delivery_limit").unwrap(), Kind::DeliveryLimit);
        assert!(parse_kind("permanant").unwrap_err().contains("permanent"));
        assert_eq!(parse_age("2h").unwrap(), Duration::from_secs(7200));
        assert!(parse_age("2").is_err());
    }

    #[test]
    fn display_names_every_flag() {
        let f = Filter {
            error_codes: vec!["a".into(), "b".into()],
            kinds: vec![Kind::Permanent],
            older_than: Some(Duration::from_secs(60)),
            headers: vec![("k".into(), "v".into())],
            ..Filter::default()
        };
        assert_eq!(
            f.to_string(),
            "error-code=a|b kind=permanent older-than=60s header:k=v"
        );
    }
}
