//! What the DLQ commands print: the `list` summary (failure groups), the `inspect` view, the
//! `replay`/`purge` tally, each as an aligned table for people or JSON for scripts.
//!
//! Everything here is a pure function of values already read, with "now" passed in, so the
//! output is testable to the byte and one run prints one consistent set of ages.

use crate::dlq::duration::format_age;
use crate::dlq::letter::{format_time, value_text, DeadLetter, Kind};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use time::OffsetDateTime;

/// Dead letters sharing a kind and an error code: one line of `dlq list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub kind: Kind,
    pub error_code: Option<String>,
    pub count: u64,
    /// Earliest and latest dead-letter times in the group (absent when no message has one).
    pub oldest: Option<String>,
    pub newest: Option<String>,
    pub oldest_age_secs: Option<u64>,
    pub newest_age_secs: Option<u64>,
}

/// `dlq list`: the whole queue, grouped. Built one letter at a time, so listing a large queue
/// keeps one group per (kind, code), never the letters themselves.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Dead letters read, copies of one letter counted once.
    total: u64,
    /// Messages read: `total` plus the duplicate copies.
    messages: u64,
    /// Messages in the queue, when more than were read (a scan reads at most `MAX_SCAN`).
    queue_len: Option<u64>,
    groups: BTreeMap<(Kind, Option<String>), GroupAcc>,
}

#[derive(Debug, Clone, Default)]
struct GroupAcc {
    count: u64,
    oldest: Option<OffsetDateTime>,
    newest: Option<OffsetDateTime>,
}

impl Summary {
    pub fn add(&mut self, dl: &DeadLetter) {
        self.total += 1;
        self.messages += dl.copies.max(1);
        let g = self
            .groups
            .entry((dl.kind, dl.error_code.clone()))
            .or_default();
        g.count += 1;
        if let Some(t) = dl.failed_at {
            g.oldest = Some(g.oldest.map_or(t, |o| o.min(t)));
            g.newest = Some(g.newest.map_or(t, |n| n.max(t)));
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Messages that were duplicate copies of a letter already counted.
    pub fn duplicate_copies(&self) -> u64 {
        self.messages - self.total
    }

    /// Records how many messages the queue held; shown when that is more than were read.
    pub fn set_queue_len(&mut self, n: u64) {
        self.queue_len = (n > self.messages).then_some(n);
    }

    /// Largest group first; ties in kind, then code order, so the output is stable.
    pub fn groups(&self, now: OffsetDateTime) -> Vec<Group> {
        let age = |t: Option<OffsetDateTime>| {
            t.map(|t| u64::try_from((now - t).whole_seconds()).unwrap_or(0))
        };
        let mut out: Vec<Group> = self
            .groups
            .iter()
            .map(|((kind, code), g)| Group {
                kind: *kind,
                error_code: code.clone(),
                count: g.count,
                oldest: g.oldest.map(format_time),
                newest: g.newest.map(format_time),
                oldest_age_secs: age(g.oldest),
                newest_age_secs: age(g.newest),
            })
            .collect();
        out.sort_by_key(|g| std::cmp::Reverse(g.count));
        out
    }

    pub fn to_json(&self, queue: &str, now: OffsetDateTime) -> Value {
        json!({
            "queue": queue,
            "total": self.total,
            "duplicate_copies": self.duplicate_copies(),
            "queue_len": self.queue_len.unwrap_or(self.messages),
            "groups": self.groups(now),
        })
    }

    pub fn to_table(&self, queue: &str, now: OffsetDateTime) -> String {
        let mut rows = vec![[
            "KIND".to_string(),
            "CODE".into(),
            "COUNT".into(),
            "OLDEST".into(),
            "NEWEST".into(),
        ]];
        let age = |s: Option<u64>| {
            s.map_or("-".to_string(), |s| {
                format_age(std::time::Duration::from_secs(s))
            })
        };
        for g in self.groups(now) {
            rows.push([
                g.kind.as_str().to_string(),
                g.error_code.clone().unwrap_or_else(|| "-".into()),
                g.count.to_string(),
                age(g.oldest_age_secs),
                age(g.newest_age_secs),
            ]);
        }
        let mut out = match self.queue_len {
            Some(n) => format!(
                "{queue}: {n} dead letters, the first {} read",
                self.messages
            ),
            None => format!("{queue}: {} dead letter{}", self.total, plural(self.total)),
        };
        match self.duplicate_copies() {
            0 => out.push('\n'),
            d => {
                let _ = writeln!(
                    out,
                    " (and {d} duplicate cop{} of them, counted once)",
                    if d == 1 { "y" } else { "ies" }
                );
            }
        }
        if self.total > 0 {
            out.push_str(&table(&rows, &[false, false, true, true, true]));
        }
        out
    }
}

/// `dlq inspect` for people: one block per dead letter, in queue order.
pub(crate) fn letters_text(letters: &[DeadLetter], now: OffsetDateTime) -> String {
    let mut out = String::new();
    for dl in letters {
        let _ = writeln!(
            out,
            "#{}  {}  {}{}",
            dl.position + 1,
            dl.properties
                .message_id
                .as_deref()
                .unwrap_or("(no message id)"),
            dl.kind.as_str(),
            dl.error_code
                .as_deref()
                .map(|c| format!(" / {c}"))
                .unwrap_or_default(),
        );
        if let Some(m) = &dl.error_message {
            let _ = writeln!(out, "    error:     {m}");
        }
        let object = match (&dl.bucket, &dl.key) {
            (Some(b), Some(k)) => format!("{b}/{k}"),
            (None, Some(k)) => k.clone(),
            (Some(b), None) => format!("{b}/?"),
            (None, None) => "?".into(),
        };
        let _ = writeln!(
            out,
            "    job:       {}  {object}",
            dl.job_id.as_deref().unwrap_or("?")
        );
        let attempts = dl.attempts.map_or("?".to_string(), |a| a.to_string());
        let _ = write!(out, "    attempts:  {attempts}");
        if dl.copies > 1 {
            let _ = write!(out, "  ({} copies in the queue, one letter)", dl.copies);
        }
        if dl.replay_count > 0 {
            let _ = write!(
                out,
                "  (replayed {} time{})",
                dl.replay_count,
                plural(dl.replay_count)
            );
        }
        out.push('\n');
        if let Some(t) = dl.failed_at {
            let _ = writeln!(
                out,
                "    failed:    {} ({} ago)",
                format_time(t),
                format_age(dl.age(now).unwrap_or_default())
            );
        }
        if let Some(t) = dl.first_failed_at.filter(|t| Some(*t) != dl.failed_at) {
            let _ = writeln!(out, "    first:     {}", format_time(t));
        }
        if !dl.headers.is_empty() {
            let _ = writeln!(out, "    headers:");
            for (k, v) in &dl.headers {
                let shown = value_text(v).unwrap_or_else(|| v.to_string());
                let _ = writeln!(out, "      {k}: {}", one_line(&shown, 200));
            }
        }
        let body = match dl.body_value() {
            Value::String(s) => s,
            v => v.to_string(),
        };
        let _ = writeln!(
            out,
            "    body ({} bytes): {}",
            dl.body.len(),
            one_line(&body, 400)
        );
        out.push('\n');
    }
    out
}

/// `dlq inspect --json`: one array, queue order.
pub(crate) fn letters_json(letters: &[DeadLetter], now: OffsetDateTime) -> Value {
    Value::Array(letters.iter().map(|dl| dl.to_json(now)).collect())
}

/// The tally of a replay or purge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Dead letters read from the queue.
    pub scanned: u64,
    /// Of those, matching the filter.
    pub matched: u64,
    /// Republished and confirmed (replay) or deleted (purge); in a dry run, the ones that would be.
    pub done: u64,
    /// Left in the DLQ: not matching, or over `--limit`.
    pub skipped: u64,
    /// Matching, but the publish was refused, returned or not confirmed; still in the DLQ.
    pub failed: u64,
    /// Duplicate copies of the `done` letters (same dead-letter id), removed with them (or
    /// that would be, in a dry run). Not counted in the other fields.
    pub copies: u64,
}

impl Tally {
    /// `verb` is what happened to the `done` ones: "replayed", "purged".
    pub fn to_text(&self, verb: &str, dry_run: bool) -> String {
        let done = if dry_run {
            format!("would be {verb}")
        } else {
            verb.to_string()
        };
        let copies = match self.copies {
            0 => String::new(),
            1 => " (and 1 duplicate copy)".to_string(),
            n => format!(" (and {n} duplicate copies)"),
        };
        format!(
            "scanned {}, matched {}, {done} {}{copies}, skipped {}, failed {}{}",
            self.scanned,
            self.matched,
            self.done,
            self.skipped,
            self.failed,
            if dry_run {
                " (dry run: nothing changed)"
            } else {
                ""
            }
        )
    }

    pub fn to_json(&self, verb: &str, dry_run: bool) -> Value {
        json!({
            "scanned": self.scanned,
            "matched": self.matched,
            verb: self.done,
            "skipped": self.skipped,
            "failed": self.failed,
            "duplicate_copies": self.copies,
            "dry_run": dry_run,
        })
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Newlines and tabs become spaces; longer than `max` characters is cut with an ellipsis.
fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

/// Aligns columns on display width (CJK characters count two), numbers right-aligned.
fn table<const N: usize>(rows: &[[String; N]], right: &[bool; N]) -> String {
    let width = |s: &str| {
        s.chars()
            .map(|c| if is_wide(c) { 2 } else { 1 })
            .sum::<usize>()
    };
    let mut widths = [0usize; N];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[i] - width(cell));
            if i > 0 {
                line.push_str("  ");
            }
            if right[i] {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlq::letter::{parse_time, Properties};
    use serde_json::Map;

    fn at(s: &str) -> OffsetDateTime {
        parse_time(s).unwrap()
    }

    fn dl(pos: u64, kind: &str, code: Option<&str>, failed_at: Option<&str>) -> DeadLetter {
        let mut h = Map::new();
        h.insert("docingest-error-kind".into(), kind.into());
        if let Some(c) = code {
            h.insert("docingest-error-code".into(), c.into());
        }
        if let Some(t) = failed_at {
            h.insert("docingest-failed-at".into(), t.into());
        }
        DeadLetter::from_parts(
            pos,
            Properties {
                message_id: Some(format!("m{pos}")),
                ..Properties::default()
            },
            h,
            r#"{"job_id":"j","bucket":"reports","key":"2024/年度报告.docx"}"#
                .as_bytes()
                .to_vec(),
        )
    }

    fn sample() -> Summary {
        let mut s = Summary::default();
        for d in [
            dl(
                0,
                "permanent",
                Some("object_not_found"),
                Some("2025-06-01T10:00:00Z"),
            ),
            dl(
                1,
                "retries_exhausted",
                Some("storage_unavailable"),
                Some("2025-06-01T11:00:00Z"),
            ),
            dl(
                2,
                "permanent",
                Some("object_not_found"),
                Some("2025-06-01T11:30:00Z"),
            ),
            dl(3, "permanent", Some("object_not_found"), None),
            dl(4, "delivery_limit", None, None),
        ] {
            s.add(&d);
        }
        s
    }

    #[test]
    fn groups_count_and_bound_ages_largest_first() {
        let g = sample().groups(at("2025-06-01T12:00:00Z"));
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].kind, Kind::Permanent);
        assert_eq!(g[0].error_code.as_deref(), Some("object_not_found"));
        assert_eq!(g[0].count, 3);
        assert_eq!(g[0].oldest.as_deref(), Some("2025-06-01T10:00:00Z"));
        assert_eq!(g[0].newest.as_deref(), Some("2025-06-01T11:30:00Z"));
        assert_eq!(g[0].oldest_age_secs, Some(7200));
        assert_eq!(g[0].newest_age_secs, Some(1800));
        assert_eq!(g[2].kind, Kind::DeliveryLimit);
        assert_eq!(g[2].oldest, None);
    }

    #[test]
    fn table_is_aligned_and_says_the_total() {
        let t = sample().to_table("docingest.dlq", at("2025-06-01T12:00:00Z"));
        assert_eq!(
            t,
            "docingest.dlq: 5 dead letters\n\
             KIND               CODE                 COUNT  OLDEST  NEWEST\n\
             permanent          object_not_found         3      2h     30m\n\
             retries_exhausted  storage_unavailable      1      1h      1h\n\
             delivery_limit     -                        1       -       -\n"
        );
        assert_eq!(
            Summary::default().to_table("q", at("2025-06-01T12:00:00Z")),
            "q: 0 dead letters\n"
        );
    }

    #[test]
    fn a_queue_longer_than_one_scan_says_so() {
        let mut s = sample();
        s.set_queue_len(5);
        assert!(s
            .to_table("q", at("2025-06-01T12:00:00Z"))
            .starts_with("q: 5 dead letters\n"));
        s.set_queue_len(70_000);
        let now = at("2025-06-01T12:00:00Z");
        assert!(s
            .to_table("q", now)
            .starts_with("q: 70000 dead letters, the first 5 read\n"));
        assert_eq!(s.to_json("q", now)["queue_len"], 70_000);
        assert_eq!(s.to_json("q", now)["total"], 5);
    }

    #[test]
    fn json_summary_has_total_and_groups() {
        let j = sample().to_json("docingest.dlq", at("2025-06-01T12:00:00Z"));
        assert_eq!(j["total"], 5);
        assert_eq!(j["groups"][0]["kind"], "permanent");
        assert_eq!(j["groups"][0]["count"], 3);
        assert_eq!(j["groups"][2]["error_code"], Value::Null);
    }

    #[test]
    fn inspect_text_shows_error_job_and_age() {
        let t = letters_text(
            &[dl(
                0,
                "permanent",
                Some("object_not_found"),
                Some("2025-06-01T11:00:00Z"),
            )],
            at("2025-06-01T12:00:00Z"),
        );
        assert!(
            t.starts_with("#1  m0  permanent / object_not_found\n"),
            "{t}"
        );
        assert!(
            t.contains("    job:       j  reports/2024/年度报告.docx\n"),
            "{t}"
        );
        assert!(
            t.contains("    failed:    2025-06-01T11:00:00Z (1h ago)\n"),
            "{t}"
        );
        assert!(t.contains("      docingest-error-kind: permanent\n"), "{t}");
    }

    #[test]
    fn tally_reads_as_a_sentence() {
        let mut t = Tally {
            scanned: 10,
            matched: 4,
            done: 3,
            skipped: 6,
            failed: 1,
            copies: 0,
        };
        assert_eq!(
            t.to_text("replayed", false),
            "scanned 10, matched 4, replayed 3, skipped 6, failed 1"
        );
        assert_eq!(
            t.to_text("replayed", true),
            "scanned 10, matched 4, would be replayed 3, skipped 6, failed 1 (dry run: nothing changed)"
        );
        assert_eq!(t.to_json("purged", false)["purged"], 3);
        t.copies = 2;
        assert_eq!(
            t.to_text("purged", false),
            "scanned 10, matched 4, purged 3 (and 2 duplicate copies), skipped 6, failed 1"
        );
        assert_eq!(t.to_json("purged", false)["duplicate_copies"], 2);
    }

    #[test]
    fn copies_of_one_letter_count_once_and_say_so() {
        let mut s = sample();
        let mut twice = dl(
            5,
            "permanent",
            Some("corrupt_document"),
            Some("2025-06-01T11:59:00Z"),
        );
        twice.copies = 3;
        s.add(&twice);
        let now = at("2025-06-01T12:00:00Z");
        let t = s.to_table("q", now);
        assert!(
            t.starts_with("q: 6 dead letters (and 2 duplicate copies of them, counted once)\n"),
            "{t}"
        );
        assert!(
            t.contains("permanent          corrupt_document         1"),
            "{t}"
        );
        let j = s.to_json("q", now);
        assert_eq!(j["total"], 6);
        assert_eq!(j["duplicate_copies"], 2);
        assert_eq!(j["queue_len"], 8);
        s.set_queue_len(8);
        assert!(s.to_table("q", now).starts_with("q: 6 dead letters (and 2"));
        let t = letters_text(&[twice], now);
        assert!(
            t.contains("    attempts:  ?  (3 copies in the queue, one letter)\n"),
            "{t}"
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let rows = [["年度".to_string(), "x".into()], ["ab".into(), "y".into()]];
        assert_eq!(table(&rows, &[false, false]), "年度  x\nab    y\n");
    }

    #[test]
    fn one_line_flattens_and_cuts() {
        assert_eq!(one_line("a\nb\tc", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }
}
