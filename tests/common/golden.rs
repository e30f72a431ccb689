//! Field-by-field comparison of a result with a worked answer of `seeds-expected.json`.
//! `Mode::Rendition` skips what legitimately differs in another rendition of the same report
//! (format, encoding, source line numbers, raw spans, markup-driven delimiters).
#![allow(dead_code)]

use super::{corpus_dir, loose};
use docingest::document::result::{Fact, ParseResult, Section};
use serde_json::Value;

pub fn expected() -> serde_json::Map<String, Value> {
    let p = corpus_dir().join("seeds-expected.json");
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Exact,
    Rendition,
}

pub struct Diff {
    pub seed: String,
    pub mode: Mode,
    pub problems: Vec<String>,
}

impl Diff {
    /// Compared only against the original itself, not against another rendition of it.
    fn exact<T: PartialEq + std::fmt::Debug>(&mut self, field: &str, ours: T, want: T) {
        if self.mode == Mode::Exact {
            self.eq(field, ours, want);
        }
    }

    /// Section numbers: verbatim for the original; width-insensitive for renditions (Word
    /// renders （一） where the text had (一)).
    fn number(&self, n: &str) -> String {
        match self.mode {
            Mode::Exact => n.to_string(),
            Mode::Rendition => loose(n),
        }
    }

    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, field: &str, ours: T, want: T) {
        if ours != want {
            self.problems.push(format!(
                "{}: {field}: got {ours:?}, want {want:?}",
                self.seed
            ));
        }
    }
}

pub fn opt_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

pub fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn check_metadata(d: &mut Diff, r: &ParseResult, e: &Value) {
    let m = &r.metadata;
    let fmt = match e["format"].as_str().unwrap() {
        "md" => "markdown",
        other => other,
    };
    d.exact(
        "format",
        serde_json::to_value(r.source.format).unwrap(),
        Value::from(fmt),
    );
    d.exact(
        "encoding",
        r.source.encoding.clone().map(|s| s.to_lowercase()),
        opt_str(&e["encoding"]).map(|s| s.to_lowercase()),
    );
    let want_le = e["line_endings"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    d.exact(
        "line_endings",
        serde_json::to_value(r.source.line_endings).unwrap(),
        Value::from(want_le),
    );
    d.eq(
        "title",
        m.title.as_deref().map(loose),
        opt_str(&e["title"]).map(|s| loose(&s)),
    );
    let org = &e["issuing_organization"];
    d.eq(
        "issuing_organization.names",
        m.issuing_organization.names.clone(),
        str_list(&org["names"]),
    );
    d.eq(
        "issuing_organization.normalized",
        m.issuing_organization.normalized.clone(),
        opt_str(&org["normalized"]),
    );
    d.eq(
        "issuing_organization.joint",
        m.issuing_organization.joint,
        org["joint"].as_bool().unwrap(),
    );
    d.eq(
        "admin_level",
        m.admin_level.clone(),
        opt_str(&e["admin_level"]),
    );
    d.eq(
        "report_year",
        m.report_year.map(i64::from),
        e["report_year"].as_i64(),
    );
    d.eq(
        "plan_year",
        m.plan_year.map(i64::from),
        e["plan_year"].as_i64(),
    );
    d.eq(
        "plan_year_explicit",
        m.plan_year_explicit,
        e["plan_year_explicit"].as_bool(),
    );
    match (&m.doc_number, e["doc_number"].is_null()) {
        (None, true) => {}
        (Some(dn), false) => {
            let w = &e["doc_number"];
            d.eq(
                "doc_number.raw",
                dn.raw.clone(),
                w["raw"].as_str().unwrap().to_string(),
            );
            d.eq(
                "doc_number.agency_code",
                dn.agency_code.clone(),
                opt_str(&w["agency_code"]),
            );
            d.eq(
                "doc_number.year",
                dn.year.map(i64::from),
                w["year"].as_i64(),
            );
            d.eq("doc_number.seq", dn.seq.map(i64::from), w["seq"].as_i64());
        }
        (ours, _) => d.eq(
            "doc_number",
            format!("{ours:?}"),
            e["doc_number"].to_string(),
        ),
    }
    d.eq(
        "index_number",
        m.index_number.clone(),
        opt_str(&e["index_number"]),
    );
    d.eq(
        "dates.written",
        m.dates.written.clone(),
        opt_str(&e["dates"]["written"]),
    );
    d.eq(
        "dates.published",
        m.dates.published.clone(),
        opt_str(&e["dates"]["published"]),
    );
    d.eq(
        "dates.printed",
        m.dates.printed.clone(),
        opt_str(&e["dates"]["printed"]),
    );
    d.eq("signers", m.signers.clone(), str_list(&e["signers"]));
    d.eq("addressee", m.addressee.clone(), opt_str(&e["addressee"]));

    // Web metadata: every expected key with its value (we keep the other portal fields too).
    match (&m.web_metadata, e["web_metadata"].as_object()) {
        (None, None) => {}
        (Some(w), Some(want)) => {
            for (k, v) in want {
                if k == "breadcrumb" {
                    d.eq("web_metadata.breadcrumb", w.breadcrumb.clone(), str_list(v));
                } else {
                    d.eq(
                        &format!("web_metadata.{k}"),
                        w.fields.get(k).cloned(),
                        opt_str(v),
                    );
                }
            }
        }
        (ours, want) => d.eq("web_metadata", ours.is_some(), want.is_some()),
    }

    let g = &m.gbt9704;
    let w = &e["gbt9704"];
    let single = [
        ("copy_number", &g.copy_number),
        ("security_level", &g.security_level),
        ("secrecy_period", &g.secrecy_period),
        ("urgency", &g.urgency),
        ("red_header", &g.red_header),
        ("attachment_note", &g.attachment_note),
        ("written_date", &g.written_date),
        ("annotation_fuzhu", &g.annotation_fuzhu),
        ("printing_org", &g.printing_org),
        ("print_date", &g.print_date),
    ];
    for (k, ours) in single {
        d.eq(&format!("gbt9704.{k}"), ours.clone(), opt_str(&w[k]));
    }
    for (k, ours) in [
        ("attachments", &g.attachments),
        ("signature_orgs", &g.signature_orgs),
        ("copy_to", &g.copy_to),
    ] {
        d.eq(&format!("gbt9704.{k}"), ours.clone(), str_list(&w[k]));
    }
}

pub fn check_sections(d: &mut Diff, ours: &[Section], want: &[Value], path: &str) {
    d.eq(
        &format!("sections{path}.numbers"),
        ours.iter().map(|s| d.number(&s.number)).collect::<Vec<_>>(),
        want.iter()
            .map(|w| d.number(w["number"].as_str().unwrap()))
            .collect(),
    );
    for (s, w) in ours.iter().zip(want) {
        let at = format!("sections{path}/{}", s.number);
        d.eq(
            &format!("{at}.level"),
            s.level as i64,
            w["level"].as_i64().unwrap(),
        );
        d.exact(
            &format!("{at}.line"),
            s.line as i64,
            w["line"].as_i64().unwrap(),
        );
        d.eq(
            &format!("{at}.style"),
            serde_json::to_value(s.style).unwrap(),
            w["style"].clone(),
        );
        // A bold span's extent cannot survive a rendition that styles whole paragraphs bold,
        // so renditions are held to the first sentence for bold-delimited headings.
        if d.mode == Mode::Exact || w["heading_delimiter"] != "bold" {
            d.eq(
                &format!("{at}.title"),
                loose(&s.title),
                loose(w["title"].as_str().unwrap()),
            );
        }
        d.eq(
            &format!("{at}.short_title"),
            loose(&s.short_title),
            loose(w["short_title"].as_str().unwrap()),
        );
        d.exact(
            &format!("{at}.raw"),
            s.raw.clone(),
            w["raw"].as_str().unwrap().to_string(),
        );
        d.exact(
            &format!("{at}.heading_delimiter"),
            serde_json::to_value(s.heading_delimiter).unwrap(),
            w["heading_delimiter"].clone(),
        );
        d.exact(
            &format!("{at}.bracket_width"),
            serde_json::to_value(s.bracket_width).unwrap(),
            w.get("bracket_width").cloned().unwrap_or(Value::Null),
        );
        d.exact(
            &format!("{at}.bold"),
            s.bold,
            w.get("bold").and_then(Value::as_bool).unwrap_or(false),
        );
        d.exact(
            &format!("{at}.markdown_heading"),
            s.markdown_heading.clone(),
            w.get("markdown_heading").and_then(opt_str),
        );
        if s.level == 1 {
            d.eq(
                &format!("{at}.required_parts"),
                s.required_parts.clone(),
                str_list(&w["required_parts"]),
            );
        }
        d.eq(
            &format!("{at}.enumeration_markers"),
            s.enumeration_markers.clone(),
            w.get("enumeration_markers")
                .map(str_list)
                .unwrap_or_default(),
        );
        let children = w["children"].as_array().cloned().unwrap_or_default();
        check_sections(d, &s.children, &children, &format!("{path}/{}", s.number));
    }
}

pub fn check_compliance(d: &mut Diff, r: &ParseResult, e: &Value) {
    d.eq(
        "compliance.missing_required_parts",
        r.compliance.missing_required_parts.clone(),
        str_list(&e["missing_required_parts"]),
    );
    let present: Vec<String> = e["required_parts"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["present_as_section"].as_bool() == Some(true))
        .map(|(k, _)| k.clone())
        .collect();
    let mut ours = r.compliance.present_required_parts.clone();
    let mut want = present;
    ours.sort();
    want.sort();
    d.eq("compliance.present_required_parts", ours, want);
    d.eq(
        "compliance.optional_parts_absent",
        r.compliance.optional_parts_absent.clone(),
        str_list(&e["optional_parts_absent"]),
    );
}

/// A fact matches an expected one when value, unit, qualifier and kind agree and the source
/// phrases overlap (either contains the other, compared loosely).
pub fn fact_matches(f: &Fact, w: &Value) -> bool {
    let value_ok = (f.value - w["value"].as_f64().unwrap()).abs() < 1e-6;
    let unit_ok = f.unit.as_deref() == w["unit"].as_str();
    let qual_ok = f.qualifier.as_deref() == w.get("qualifier").and_then(Value::as_str);
    let kind_ok = f.kind.as_deref() == w.get("kind").and_then(Value::as_str);
    let (a, b) = (loose(&f.source), loose(w["source"].as_str().unwrap()));
    value_ok && unit_ok && qual_ok && kind_ok && (a.contains(&b) || b.contains(&a))
}

pub fn check_facts(d: &mut Diff, r: &ParseResult, e: &Value) {
    let want = e["facts"].as_array().unwrap();
    for w in want {
        if !r.facts.iter().any(|f| fact_matches(f, w)) {
            d.problems
                .push(format!("{}: fact not found: {}", d.seed, w));
        }
    }
    if e["facts_complete"].as_bool() == Some(true) {
        for f in &r.facts {
            if !want.iter().any(|w| fact_matches(f, w)) {
                d.problems.push(format!(
                    "{}: unexpected fact (facts_complete): {f:?}",
                    d.seed
                ));
            }
        }
    }
    // Numbers that must never become facts.
    for nq in e["non_quantities"].as_array().into_iter().flatten() {
        let phrase = nq.as_str().unwrap().split(" (").next().unwrap();
        let phrase = loose(phrase.trim_matches(['“', '”']));
        for f in &r.facts {
            if loose(&f.source) == phrase {
                d.problems
                    .push(format!("{}: non-quantity became a fact: {f:?}", d.seed));
            }
        }
    }
}

/// Checks a rendition's result against the worked answers of the seed it was made from
/// (`seed_prefix`, e.g. `000_`), with the rendition rule: what a rendition cannot share (line
/// numbers, raw spans, markup-driven details) is not compared.
pub fn check_rendition_result(file: &str, r: &ParseResult, seed_prefix: &str) {
    let all = expected();
    let (seed, e) = all
        .iter()
        .find(|(k, _)| k.starts_with(seed_prefix))
        .expect("seed in seeds-expected.json");
    let mut d = Diff {
        seed: format!("{file} (as {seed})"),
        mode: Mode::Rendition,
        problems: Vec::new(),
    };
    check_metadata(&mut d, r, e);
    check_sections(&mut d, &r.sections, e["sections"].as_array().unwrap(), "");
    check_compliance(&mut d, r, e);
    check_facts(&mut d, r, e);
    assert!(
        d.problems.is_empty(),
        "{} mismatches:\n{}",
        d.problems.len(),
        d.problems.join("\n")
    );
}
