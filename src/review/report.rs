//! One result JSON -> the lean [`Report`] the review page and the CSV need: an overview
//! [`Row`] and a [`Detail`] rendered only when the reviewer opens it.
//!
//! Results are read as `serde_json::Value`, not as [`crate::document::ParseResult`], on purpose:
//! the page must open results written by older and newer parsers (fields such as
//! `metadata.document_kind` and `compliance.applicable` arrive over time, formats are added),
//! so every field is optional here and a wrong type reads as absent. Only `document_id` is
//! required: without it a line is not a result. Every string is cut to
//! [`ReviewLimits::max_text_chars`] and every list to [`ReviewLimits::max_items`], so one
//! hostile result cannot blow up the page.

use super::ReviewLimits;
use crate::document::extract::parts;
use serde::Serialize;
use serde_json::Value;

/// The required-part columns, in the order of the law's content list; the last is optional.
pub(crate) const PART_CODES: [&str; 5] = parts::ALL;

/// How one report stands on one required part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PartStatus {
    Present,
    /// A mandatory part with no section.
    Missing,
    /// The optional part (`other_matters`) with no section: not a defect.
    Absent,
    /// The document is not an annual report (`compliance.applicable: false`).
    NotApplicable,
    /// The result names the part in neither list (a result from a parser with other codes).
    Unknown,
}

impl PartStatus {
    /// The one-letter code the page's script and the CSV read (`p`, `m`, `a`, `n`, `u`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            PartStatus::Present => "p",
            PartStatus::Missing => "m",
            PartStatus::Absent => "a",
            PartStatus::NotApplicable => "n",
            PartStatus::Unknown => "u",
        }
    }
    /// The CSV cell.
    pub(crate) fn word(self) -> &'static str {
        match self {
            PartStatus::Present => "present",
            PartStatus::Missing => "missing",
            PartStatus::Absent => "absent",
            PartStatus::NotApplicable => "n/a",
            PartStatus::Unknown => "unknown",
        }
    }
}

/// The overview line of one report. Short field names: 10,000 of these are embedded in the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Row {
    /// `document_id`.
    pub id: String,
    /// Normalized organization, else the names as written joined with 、.
    pub org: Option<String>,
    pub lvl: Option<String>,
    pub yr: Option<i64>,
    pub title: Option<String>,
    /// `metadata.document_kind` (报告, 通知...) when the parser gives it.
    pub kind: Option<String>,
    /// `source.format` as given.
    pub fmt: Option<String>,
    /// `source.key`, else `source.uri`.
    pub key: String,
    /// One status per [`PART_CODES`] entry, as [`PartStatus::code`] letters.
    pub parts: String,
    /// Facts, sections (all levels) and warnings.
    pub nf: usize,
    pub ns: usize,
    pub nw: usize,
    /// Other source keys the same bytes were submitted under (duplicates shown once).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

impl Row {
    pub(crate) fn status(&self, part: usize) -> PartStatus {
        match self.parts.as_bytes().get(part) {
            Some(b'p') => PartStatus::Present,
            Some(b'm') => PartStatus::Missing,
            Some(b'a') => PartStatus::Absent,
            Some(b'n') => PartStatus::NotApplicable,
            _ => PartStatus::Unknown,
        }
    }
    /// True when the report is an annual report that lacks at least one mandatory part.
    pub(crate) fn misses_any(&self) -> bool {
        (0..PART_CODES.len()).any(|i| self.status(i) == PartStatus::Missing)
    }
}

/// A node of the section tree: number, title, the parts a level-1 section covers, children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SectionNode {
    pub n: String,
    pub t: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub p: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub c: Vec<SectionNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FactOut {
    /// The number as written when given, else the value.
    pub v: String,
    pub u: Option<String>,
    pub q: Option<String>,
    pub k: Option<String>,
    /// The verbatim source phrase.
    pub s: String,
    /// The section path, e.g. 一/（一）.
    pub p: Option<String>,
}

/// What the detail view of one report shows beyond its row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Detail {
    /// `[label, value]` pairs: identification (URI, encoding, parser...).
    pub info: Vec<(String, String)>,
    /// GB/T 9704 elements in the standard's order: `[label, value or null]`.
    pub gbt: Vec<(String, Option<String>)>,
    pub secs: Vec<SectionNode>,
    pub facts: Vec<FactOut>,
    /// Normalizations applied: `[code, message]`.
    pub warns: Vec<(String, String)>,
    /// Lists cut to `max_items` (the page says so).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Report {
    pub row: Row,
    pub detail: Detail,
    /// Warning codes, distinct, for the summary.
    pub warning_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ReportError {
    #[error("not a JSON object")]
    NotAnObject,
    #[error("no document_id: not a docingest result")]
    NoDocumentId,
}

fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn text_at(v: &Value, ptr: &str, lim: &ReviewLimits) -> Option<String> {
    match v.pointer(ptr)? {
        Value::String(s) if !s.trim().is_empty() => Some(cut(s.trim(), lim.max_text_chars)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn strings_at(v: &Value, ptr: &str, lim: &ReviewLimits) -> Vec<String> {
    match v.pointer(ptr) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .take(lim.max_items)
            .map(|s| cut(s.trim(), lim.max_text_chars))
            .collect(),
        _ => Vec::new(),
    }
}

fn len_at(v: &Value, ptr: &str) -> usize {
    v.pointer(ptr).and_then(Value::as_array).map_or(0, Vec::len)
}

/// Sections at every level; iterative so a deep tree costs no stack.
fn count_sections(v: &Value) -> usize {
    let mut stack: Vec<&Value> = vec![v];
    let mut n = 0;
    while let Some(list) = stack.pop() {
        if let Some(a) = list.as_array() {
            for s in a {
                n += 1;
                if let Some(c) = s.get("children") {
                    stack.push(c);
                }
            }
        }
    }
    n
}

/// The tree, cut to `max_items` nodes in document order. Recursion depth is bounded by
/// serde_json's own nesting limit on the input.
fn section_tree(list: &Value, lim: &ReviewLimits, budget: &mut usize) -> Vec<SectionNode> {
    let mut out = Vec::new();
    for s in list.as_array().map(Vec::as_slice).unwrap_or_default() {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let field = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").trim();
        out.push(SectionNode {
            n: cut(field("number"), lim.max_text_chars),
            t: cut(field("title"), lim.max_text_chars),
            p: strings_at(s, "/required_parts", lim),
            c: s.get("children")
                .map(|c| section_tree(c, lim, budget))
                .unwrap_or_default(),
        });
    }
    out
}

/// GB/T 9704-2012 elements and the metadata fields that are elements too (发文字号, 签发人,
/// 标题, 主送机关), in the order they appear on a printed document.
const GBT_FIELDS: [(&str, &str); 17] = [
    ("份号", "/metadata/gbt9704/copy_number"),
    ("密级", "/metadata/gbt9704/security_level"),
    ("保密期限", "/metadata/gbt9704/secrecy_period"),
    ("紧急程度", "/metadata/gbt9704/urgency"),
    ("发文机关标志", "/metadata/gbt9704/red_header"),
    ("发文字号", "/metadata/doc_number/raw"),
    ("签发人", "/metadata/signers"),
    ("标题", "/metadata/title"),
    ("主送机关", "/metadata/addressee"),
    ("附件说明", "/metadata/gbt9704/attachment_note"),
    ("附件", "/metadata/gbt9704/attachments"),
    ("署名", "/metadata/gbt9704/signature_orgs"),
    ("成文日期", "/metadata/gbt9704/written_date"),
    ("附注", "/metadata/gbt9704/annotation_fuzhu"),
    ("抄送", "/metadata/gbt9704/copy_to"),
    ("印发机关", "/metadata/gbt9704/printing_org"),
    ("印发日期", "/metadata/gbt9704/print_date"),
];

fn element(v: &Value, ptr: &str, lim: &ReviewLimits) -> Option<String> {
    match v.pointer(ptr)? {
        Value::Array(_) => {
            let items = strings_at(v, ptr, lim);
            (!items.is_empty()).then(|| items.join("、"))
        }
        _ => text_at(v, ptr, lim),
    }
}

fn part_statuses(v: &Value) -> String {
    let applicable = v
        .pointer("/compliance/applicable")
        .and_then(Value::as_bool)
        // Results from before `applicable` existed are all annual-report checks.
        .unwrap_or(true);
    let listed = |ptr: &str, code: &str| {
        v.pointer(ptr)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(code)))
    };
    PART_CODES
        .iter()
        .map(|code| {
            let s = if !applicable {
                PartStatus::NotApplicable
            } else if listed("/compliance/present_required_parts", code) {
                PartStatus::Present
            } else if listed("/compliance/missing_required_parts", code) {
                PartStatus::Missing
            } else if !parts::MANDATORY.contains(code) {
                PartStatus::Absent
            } else {
                PartStatus::Unknown
            };
            s.code()
        })
        .collect()
}

impl Report {
    pub(crate) fn from_value(v: &Value, lim: &ReviewLimits) -> Result<Report, ReportError> {
        if !v.is_object() {
            return Err(ReportError::NotAnObject);
        }
        let id = match v.get("document_id").and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() => cut(s.trim(), lim.max_text_chars),
            _ => return Err(ReportError::NoDocumentId),
        };
        let names = strings_at(v, "/metadata/issuing_organization/names", lim);
        let org = text_at(v, "/metadata/issuing_organization/normalized", lim)
            .or_else(|| (!names.is_empty()).then(|| names.join("、")));
        let key = text_at(v, "/source/key", lim)
            .or_else(|| text_at(v, "/source/uri", lim))
            .unwrap_or_default();
        let warnings: &[Value] = v
            .get("warnings")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let row = Row {
            id,
            org,
            lvl: text_at(v, "/metadata/admin_level", lim),
            yr: v.pointer("/metadata/report_year").and_then(Value::as_i64),
            title: text_at(v, "/metadata/title", lim),
            kind: text_at(v, "/metadata/document_kind", lim),
            fmt: text_at(v, "/source/format", lim),
            key,
            parts: part_statuses(v),
            nf: len_at(v, "/facts"),
            ns: v.get("sections").map_or(0, count_sections),
            nw: warnings.len(),
            also: Vec::new(),
        };

        let mut cut_any = false;
        let mut info = Vec::new();
        let mut push = |label: &str, value: Option<String>| {
            if let Some(value) = value {
                info.push((label.to_string(), value));
            }
        };
        push("来源 URI", text_at(v, "/source/uri", lim));
        push("桶", text_at(v, "/source/bucket", lim));
        push("编码", text_at(v, "/source/encoding", lim));
        push("字节数", text_at(v, "/source/size", lim));
        push(
            "机构（原文）",
            (!names.is_empty()).then(|| names.join("、")),
        );
        push(
            "机构来源",
            text_at(v, "/metadata/issuing_organization/source", lim),
        );
        push("计划年度", text_at(v, "/metadata/plan_year", lim));
        push("发布日期", text_at(v, "/metadata/dates/published", lim));
        push("索引号", text_at(v, "/metadata/index_number", lim));
        push("公文种类", text_at(v, "/metadata/document_kind", lim));
        push("核查规则", text_at(v, "/compliance/profile", lim));
        push(
            "解析器",
            match (
                text_at(v, "/parser/name", lim),
                text_at(v, "/parser/version", lim),
            ) {
                (Some(n), Some(ver)) => Some(format!("{n} {ver}")),
                (n, ver) => n.or(ver),
            },
        );

        let gbt = GBT_FIELDS
            .iter()
            .map(|(label, ptr)| (label.to_string(), element(v, ptr, lim)))
            .collect();

        let mut budget = lim.max_items;
        let secs = v
            .get("sections")
            .map(|s| section_tree(s, lim, &mut budget))
            .unwrap_or_default();
        cut_any |= budget == 0 && row.ns > lim.max_items;

        let facts: Vec<FactOut> = v
            .get("facts")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .take(lim.max_items)
            .map(|f| FactOut {
                v: text_at(f, "/value_text", lim)
                    .or_else(|| text_at(f, "/value", lim))
                    .unwrap_or_default(),
                u: text_at(f, "/unit", lim),
                q: text_at(f, "/qualifier", lim),
                k: text_at(f, "/kind", lim),
                s: text_at(f, "/source", lim).unwrap_or_default(),
                p: text_at(f, "/section", lim),
            })
            .collect();
        cut_any |= row.nf > facts.len();

        let warns: Vec<(String, String)> = warnings
            .iter()
            .take(lim.max_items)
            .map(|w| {
                (
                    text_at(w, "/code", lim).unwrap_or_default(),
                    text_at(w, "/message", lim).unwrap_or_default(),
                )
            })
            .collect();
        cut_any |= row.nw > warns.len();

        let mut warning_codes: Vec<String> = warnings
            .iter()
            .filter_map(|w| w.get("code").and_then(Value::as_str))
            .map(|c| cut(c, lim.max_text_chars))
            .collect();
        warning_codes.sort();
        warning_codes.dedup();

        Ok(Report {
            row,
            detail: Detail {
                info,
                gbt,
                secs,
                facts,
                warns,
                cut: cut_any,
            },
            warning_codes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lim() -> ReviewLimits {
        ReviewLimits::default()
    }

    fn result() -> Value {
        json!({
            "schema_version": 1,
            "document_id": "sha256:aa",
            "source": {"uri": "/in/a.txt", "key": "2023/a.txt", "format": "txt", "size": 10},
            "metadata": {
                "title": "  金兰山街道2023年法治政府建设工作报告 ",
                "issuing_organization": {"names": ["金兰山街道办事处"], "normalized": "金兰山街道", "joint": false},
                "admin_level": "街道",
                "report_year": 2023,
                "doc_number": {"raw": "金文〔2024〕5号"},
                "signers": [],
                "gbt9704": {"red_header": null, "copy_to": ["区司法局", "区委依法治区办"], "attachments": []}
            },
            "sections": [
                {"level": 1, "number": "一、", "title": "主要举措", "required_parts": ["measures_achievements"],
                 "children": [{"level": 2, "number": "（一）", "title": "完善制度", "children": []}]},
                {"level": 1, "number": "二、", "title": "下一步打算", "required_parts": ["next_year_plans"], "children": []}
            ],
            "compliance": {
                "profile": "law_based_government_annual_report",
                "present_required_parts": ["measures_achievements", "next_year_plans"],
                "missing_required_parts": ["shortcomings_causes", "first_responsible_duties"],
                "optional_parts_absent": ["other_matters"]
            },
            "facts": [{"value": 42000, "value_text": "4.2万", "unit": "人", "source": "培训4.2万人", "section": "一/（一）"}],
            "warnings": [{"code": "web_chrome", "message": "removed 3 lines"}, {"code": "web_chrome", "message": "x"}],
            "parser": {"name": "docingest", "version": "0.1.0"}
        })
    }

    #[test]
    fn a_result_gives_its_row() {
        let r = Report::from_value(&result(), &lim()).unwrap();
        assert_eq!(r.row.id, "sha256:aa");
        assert_eq!(r.row.org.as_deref(), Some("金兰山街道"));
        assert_eq!(r.row.lvl.as_deref(), Some("街道"));
        assert_eq!(r.row.yr, Some(2023));
        assert_eq!(
            r.row.title.as_deref(),
            Some("金兰山街道2023年法治政府建设工作报告")
        );
        assert_eq!(r.row.key, "2023/a.txt");
        assert_eq!(r.row.parts, "pmmpa");
        assert!(r.row.misses_any());
        assert_eq!((r.row.nf, r.row.ns, r.row.nw), (1, 3, 2));
        assert_eq!(r.warning_codes, ["web_chrome"]);
    }

    #[test]
    fn detail_keeps_tree_elements_and_fact_phrases() {
        let d = Report::from_value(&result(), &lim()).unwrap().detail;
        assert_eq!(d.secs.len(), 2);
        assert_eq!(d.secs[0].p, ["measures_achievements"]);
        assert_eq!(d.secs[0].c[0].n, "（一）");
        let get = |l: &str| d.gbt.iter().find(|(k, _)| k == l).unwrap().1.clone();
        assert_eq!(get("抄送").as_deref(), Some("区司法局、区委依法治区办"));
        assert_eq!(get("发文字号").as_deref(), Some("金文〔2024〕5号"));
        assert_eq!(get("发文机关标志"), None);
        assert_eq!(get("附件"), None, "an empty list is an absent element");
        assert_eq!(d.facts[0].v, "4.2万");
        assert_eq!(d.facts[0].s, "培训4.2万人");
        assert_eq!(d.facts[0].p.as_deref(), Some("一/（一）"));
        assert!(!d.cut);
    }

    #[test]
    fn a_document_that_is_not_an_annual_report_has_no_missing_parts() {
        let mut v = result();
        v["compliance"] = json!({"applicable": false, "present_required_parts": [], "missing_required_parts": []});
        v["metadata"]["document_kind"] = json!("通知");
        let r = Report::from_value(&v, &lim()).unwrap();
        assert_eq!(r.row.parts, "nnnnn");
        assert!(!r.row.misses_any());
        assert_eq!(r.row.kind.as_deref(), Some("通知"));
    }

    #[test]
    fn a_missing_applicable_counts_as_applicable() {
        let r = Report::from_value(&result(), &lim()).unwrap();
        assert_eq!(r.row.status(1), PartStatus::Missing);
    }

    #[test]
    fn wrong_types_read_as_absent_not_as_errors() {
        let v = json!({"document_id": "sha256:bb", "metadata": {"title": 7, "report_year": "2023",
            "issuing_organization": {"names": "x"}}, "sections": {"a": 1}, "facts": "none",
            "source": {"format": "ofd"}});
        let r = Report::from_value(&v, &lim()).unwrap();
        assert_eq!(r.row.title.as_deref(), Some("7"));
        assert_eq!(r.row.yr, None);
        assert_eq!(r.row.org, None);
        assert_eq!(
            r.row.fmt.as_deref(),
            Some("ofd"),
            "a format is shown as given"
        );
        assert_eq!((r.row.nf, r.row.ns), (0, 0));
        assert_eq!(r.row.parts, "uuuua");
    }

    #[test]
    fn a_line_without_document_id_is_not_a_result() {
        assert_eq!(
            Report::from_value(&json!({"title": "x"}), &lim()),
            Err(ReportError::NoDocumentId)
        );
        assert_eq!(
            Report::from_value(&json!([1]), &lim()),
            Err(ReportError::NotAnObject)
        );
    }

    #[test]
    fn huge_lists_and_strings_are_cut() {
        let mut v = result();
        v["facts"] = Value::Array(
            (0..50)
                .map(|i| json!({"value": i, "source": "x".repeat(100)}))
                .collect(),
        );
        v["metadata"]["title"] = json!("标".repeat(500));
        let lim = ReviewLimits {
            max_items: 10,
            max_text_chars: 20,
            ..ReviewLimits::default()
        };
        let r = Report::from_value(&v, &lim).unwrap();
        assert_eq!(r.row.nf, 50, "the count is the real one");
        assert_eq!(r.detail.facts.len(), 10);
        assert!(r.detail.cut);
        assert_eq!(r.row.title.unwrap().chars().count(), 21);
    }
}
