//! The overview as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads the
//! Chinese text as the local code page), RFC 4180 quoting, CRLF line ends, one column per
//! required part.
//!
//! Document text is untrusted: a cell that Excel would take as a formula (`=`, `+`, `-`, `@`,
//! tab, carriage return first) gets a leading `'`, so opening the sheet computes nothing.
//! Numbers the review writes itself (year, counts) are never touched.

use super::report::{Report, PART_CODES};
use std::io::Write;

const BOM: &[u8] = "\u{feff}".as_bytes();

fn text_cell(s: &str) -> String {
    let s = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    };
    quoted(&s)
}

fn quoted(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) fn write_csv(reports: &[Report], mut out: impl Write) -> std::io::Result<()> {
    out.write_all(BOM)?;
    let mut header: Vec<String> = [
        "document_id",
        "organization",
        "level",
        "report_year",
        "title",
        "document_kind",
        "format",
        "source_key",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(PART_CODES.iter().map(|s| s.to_string()));
    header.extend(
        ["facts", "sections", "warnings", "duplicate_keys"]
            .iter()
            .map(|s| s.to_string()),
    );
    write!(out, "{}\r\n", header.join(","))?;
    for r in reports {
        let row = &r.row;
        let opt = |s: &Option<String>| text_cell(s.as_deref().unwrap_or(""));
        let mut cells = vec![
            text_cell(&row.id),
            opt(&row.org),
            opt(&row.lvl),
            row.yr.map(|y| y.to_string()).unwrap_or_default(),
            opt(&row.title),
            opt(&row.kind),
            opt(&row.fmt),
            text_cell(&row.key),
        ];
        cells.extend((0..PART_CODES.len()).map(|i| row.status(i).word().to_string()));
        cells.push(row.nf.to_string());
        cells.push(row.ns.to_string());
        cells.push(row.nw.to_string());
        cells.push(text_cell(&row.also.join(" ")));
        write!(out, "{}\r\n", cells.join(","))?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::ReviewLimits;
    use serde_json::json;

    fn csv(v: serde_json::Value) -> String {
        let r = Report::from_value(&v, &ReviewLimits::default()).unwrap();
        let mut out = Vec::new();
        write_csv(&[r], &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn starts_with_a_bom_and_has_one_column_per_required_part() {
        let text = csv(
            json!({"document_id": "sha256:1", "metadata": {"title": "报告, \"二〇二三\"", "report_year": 2023},
            "compliance": {"present_required_parts": ["measures_achievements"], "missing_required_parts": ["next_year_plans"]}}),
        );
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[0],
            "document_id,organization,level,report_year,title,document_kind,format,source_key,\
             measures_achievements,shortcomings_causes,first_responsible_duties,next_year_plans,\
             other_matters,facts,sections,warnings,duplicate_keys"
        );
        assert_eq!(
            lines[1],
            "sha256:1,,,2023,\"报告, \"\"二〇二三\"\"\",,,,present,unknown,unknown,missing,absent,0,0,0,"
        );
    }

    #[test]
    fn a_title_that_looks_like_a_formula_is_kept_as_text() {
        let text =
            csv(json!({"document_id": "x", "metadata": {"title": "=HYPERLINK(\"http://e\")"}}));
        assert!(
            text.contains(",\"'=HYPERLINK(\"\"http://e\"\")\","),
            "{text}"
        );
    }
}
