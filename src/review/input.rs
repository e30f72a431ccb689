//! Reading result JSON Lines (`docingest parse DIR`, `docingest results`) into [`Entry`]s.
//!
//! Each line is bounded by [`ReviewLimits::max_line_bytes`] before it is parsed: a longer line
//! is skipped (read through, never held) and reported. A line is either a result or a claim
//! check (the pointer the worker publishes instead of a result too large to inline; the caller
//! follows it, or reports it). Blank lines are skipped. A file whose first line is an
//! incomplete JSON value is read as pretty-printed JSON instead (`docingest parse FILE
//! --pretty`), within the same byte bound.

use super::ReviewLimits;
use serde_json::Value;
use std::io::{BufRead, Read};

/// Where a claim-checked result is stored (`result_ref` of the worker's claim-check body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResultRef {
    pub document_id: Option<String>,
    pub bucket: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Entry {
    Result(Value),
    ClaimCheck(ResultRef),
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    #[error("line {line}: longer than {limit} bytes (review's --max-line-bytes), skipped")]
    TooLong { line: usize, limit: usize },
    #[error("line {line}: not JSON: {message}")]
    Json { line: usize, message: String },
    #[error("reading: {0}")]
    Io(#[from] std::io::Error),
}

/// A value is a claim check when it carries `result_ref` and no result fields.
pub(crate) fn classify(v: Value) -> Entry {
    let rr = v.get("result_ref");
    match (rr, v.get("sections")) {
        (Some(rr), None) => {
            let field = |k: &str| rr.get(k).and_then(Value::as_str).map(str::to_string);
            match (field("bucket"), field("key")) {
                (Some(bucket), Some(key)) => Entry::ClaimCheck(ResultRef {
                    document_id: v
                        .get("document_id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    bucket,
                    key,
                }),
                _ => Entry::Result(v),
            }
        }
        _ => Entry::Result(v),
    }
}

/// Read `line`s up to `max + 1` bytes; `Ok(None)` at end of input. A longer line is consumed
/// to its end without being kept and returned as `Err(len_seen)`.
fn next_line(
    r: &mut impl BufRead,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Result<(), ()>>> {
    buf.clear();
    let n = r.by_ref().take(max as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') || n <= max {
        return Ok(Some(Ok(())));
    }
    // Over the limit without a newline: skip to the end of the line in bounded chunks.
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                break;
            }
            None => {
                let len = chunk.len();
                r.consume(len);
            }
        }
    }
    buf.clear();
    Ok(Some(Err(())))
}

/// Call `on` with each entry of `r` (or the error of its line) and the 1-based line number.
pub(crate) fn read_entries(
    mut r: impl BufRead,
    lim: &ReviewLimits,
    mut on: impl FnMut(Result<Entry, InputError>),
) {
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        let got = match next_line(&mut r, lim.max_line_bytes, &mut buf) {
            Ok(Some(got)) => got,
            Ok(None) => return,
            Err(e) => return on(Err(InputError::Io(e))),
        };
        line += 1;
        if got.is_err() {
            on(Err(InputError::TooLong {
                line,
                limit: lim.max_line_bytes,
            }));
            continue;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Value>(&buf) {
            Ok(v) => on(Ok(classify(v))),
            Err(e) if e.is_eof() && line == 1 => return read_pretty(buf, r, lim, on),
            Err(e) => on(Err(InputError::Json {
                line,
                message: e.to_string(),
            })),
        }
    }
}

/// The rest of a file whose first line opened a value that goes on over several lines.
fn read_pretty(
    mut buf: Vec<u8>,
    r: impl BufRead,
    lim: &ReviewLimits,
    mut on: impl FnMut(Result<Entry, InputError>),
) {
    let room = lim.max_line_bytes.saturating_sub(buf.len()) as u64;
    let mut r = r.take(room + 1);
    if let Err(e) = r.read_to_end(&mut buf) {
        return on(Err(InputError::Io(e)));
    }
    if buf.len() > lim.max_line_bytes {
        return on(Err(InputError::TooLong {
            line: 1,
            limit: lim.max_line_bytes,
        }));
    }
    for v in serde_json::Deserializer::from_slice(&buf).into_iter::<Value>() {
        match v {
            Ok(v) => on(Ok(classify(v))),
            Err(e) => {
                return on(Err(InputError::Json {
                    line: e.line(),
                    message: e.to_string(),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, lim: &ReviewLimits) -> Vec<Result<Entry, String>> {
        let mut out = Vec::new();
        read_entries(text.as_bytes(), lim, |e| {
            out.push(e.map_err(|e| e.to_string()))
        });
        out
    }

    #[test]
    fn json_lines_give_one_entry_per_line_and_skip_blank_lines() {
        let got = read(
            "{\"document_id\":\"a\"}\n\n  \n{\"document_id\":\"b\"}",
            &ReviewLimits::default(),
        );
        assert_eq!(got.len(), 2);
        assert!(matches!(&got[1], Ok(Entry::Result(v)) if v["document_id"] == "b"));
    }

    #[test]
    fn a_bad_line_is_reported_with_its_number_and_the_rest_is_read() {
        let got = read(
            "{\"document_id\":\"a\"}\nnot json\n{\"document_id\":\"b\"}\n",
            &ReviewLimits::default(),
        );
        assert_eq!(got.len(), 3);
        assert!(got[1].as_ref().unwrap_err().starts_with("line 2: not JSON"));
        assert!(got[2].is_ok());
    }

    #[test]
    fn an_overlong_line_is_skipped_without_being_held() {
        let lim = ReviewLimits {
            max_line_bytes: 64,
            ..ReviewLimits::default()
        };
        let long = format!("{{\"document_id\":\"{}\"}}", "x".repeat(10_000));
        let got = read(&format!("{long}\n{{\"document_id\":\"b\"}}\n{long}"), &lim);
        assert_eq!(got.len(), 3);
        assert!(got[0]
            .as_ref()
            .unwrap_err()
            .contains("line 1: longer than 64 bytes"));
        assert!(matches!(&got[1], Ok(Entry::Result(v)) if v["document_id"] == "b"));
        assert!(got[2].as_ref().unwrap_err().contains("line 3"));
    }

    #[test]
    fn a_pretty_printed_result_is_read_whole() {
        let got = read(
            "{\n  \"document_id\": \"a\",\n  \"sections\": []\n}\n",
            &ReviewLimits::default(),
        );
        assert_eq!(got.len(), 1);
        assert!(matches!(&got[0], Ok(Entry::Result(v)) if v["document_id"] == "a"));
    }

    #[test]
    fn a_claim_check_is_recognised() {
        let got = read(
            r#"{"schema_version":1,"document_id":"sha256:ab","job_id":"j","attempt":1,"received_at":"t","result_ref":{"bucket":"reports","key":"results/ab/j.json","size":5}}"#,
            &ReviewLimits::default(),
        );
        let Ok(Entry::ClaimCheck(r)) = &got[0] else {
            panic!("{got:?}")
        };
        assert_eq!(
            (r.bucket.as_str(), r.key.as_str()),
            ("reports", "results/ab/j.json")
        );
        assert_eq!(r.document_id.as_deref(), Some("sha256:ab"));
    }
}
