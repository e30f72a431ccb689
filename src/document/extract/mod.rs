//! Document -> result: metadata, required parts, facts and references, assembled into the
//! versioned [`ParseResult`].
//!
//! Each element is looked for in the zone of the document where it belongs (head, title,
//! body, tail) and is left `null` when the document does not show it: a wrong value costs a
//! downstream team more than a missing one.

pub mod facts;
pub mod gbt9704;
pub mod metadata;
pub mod parts;
pub mod refs;

use super::model::Block;
use super::normalize::{web_field, Normalized};
use super::result::*;
use super::structure::Structured;

/// Labels under which portal metadata gives each date.
const WRITTEN_LABELS: &[&str] = &["成文时间", "成文日期"];
const PUBLISHED_LABELS: &[&str] = &["发文时间", "发布时间", "发布日期"];

/// Takes the document by value so that tables (which can hold millions of cells) move into the
/// result instead of being copied, and the blocks become the result's text (a spreadsheet's
/// block is the whole sheet's text) once everything that reads them is done.
pub fn extract(mut n: Normalized, s: &Structured) -> ParseResult {
    let tables = std::mem::take(&mut n.doc.tables);
    let reader_facts = std::mem::take(&mut n.doc.facts);
    let supplementary = n.doc.supplementary.take();
    let core_properties = n.doc.core_properties.take();
    let warnings = std::mem::take(&mut n.doc.warnings);
    let owned_blocks = std::mem::take(&mut n.doc.blocks);
    let n = &n;
    let doc = &n.doc;
    let blocks = &owned_blocks;
    let web = &n.web;

    // Years and required parts depend on each other only through the sections' titles.
    let opening = metadata::opening_paragraphs(blocks, s);
    let mut sections = s.sections.clone();
    let web_title = web_field(web, "标题");
    let mut report_year = metadata::report_year(s.title.as_deref(), web_title, &opening, &[]);
    parts::assign(&mut sections, report_year);
    if report_year.is_none() {
        report_year = metadata::report_year(None, None, &[], &sections);
        if report_year.is_some() {
            parts::assign(&mut sections, report_year);
        }
    }
    let paragraphs: Vec<&str> = blocks
        .iter()
        .filter(|b| !b.in_table)
        .map(|b| b.text.as_str())
        .collect();
    let (plan_year, plan_year_explicit) = metadata::plan_year(report_year, &sections, &paragraphs);
    let compliance = parts::compliance(&sections);

    // GB/T 9704 zones.
    let (head, after_title): (&[Block], &[Block]) = match s.title_blocks {
        Some((start, end)) => (
            &blocks[..start],
            &blocks[end + 1..s.body_start.max(end + 1)],
        ),
        None => {
            let head_end = blocks[..s.body_start]
                .iter()
                .position(|b| b.text.contains(['。', '，', ',']))
                .unwrap_or(s.body_start);
            (&blocks[..head_end], &blocks[head_end..s.body_start])
        }
    };
    let tail = &blocks[tail_start(blocks, s.body_start)..];
    let el = gbt9704::extract(head, after_title, tail, s.red_header.as_deref());

    let mut dates = Dates::default();
    for (labels, slot) in [(WRITTEN_LABELS, 0), (PUBLISHED_LABELS, 1)] {
        for label in labels {
            if let Some(v) = web_field(web, label) {
                dates.raw.insert(label.to_string(), v.to_string());
                let target = if slot == 0 {
                    &mut dates.written
                } else {
                    &mut dates.published
                };
                if target.is_none() {
                    *target = gbt9704::parse_date(v);
                }
            }
        }
    }
    if dates.written.is_none() {
        if let (Some(iso), Some(raw)) = (&el.gbt.written_date, &el.written_raw) {
            dates.written = Some(iso.clone());
            dates.raw.insert("成文日期".into(), raw.clone());
        }
    }
    if let (Some(iso), Some(raw)) = (&el.gbt.print_date, &el.printed_raw) {
        dates.printed = Some(iso.clone());
        dates.raw.insert("印发日期".into(), raw.clone());
    }

    let doc_number = el.doc_number.clone().or_else(|| {
        ["文号", "发文字号"]
            .iter()
            .find_map(|l| web_field(web, l))
            .and_then(|v| {
                gbt9704::parse_doc_number(v).or_else(|| {
                    Some(DocNumber {
                        raw: v.to_string(),
                        agency_code: None,
                        year: None,
                        seq: None,
                    })
                })
            })
    });
    let index_number = web_field(web, "索引号").map(str::to_string);

    let web_org = web_field(web, "发布机构").or_else(|| web_field(web, "发文机关"));
    // Title lines joined by a space: org names on lines of their own stay separate names.
    let title_for_orgs = s.title.as_ref().map(|t| {
        let blocks_text: Vec<&str> = s
            .title_blocks
            .map(|(a, b)| blocks[a..=b].iter().map(|x| x.text.trim()).collect())
            .unwrap_or_else(|| vec![t.as_str()]);
        blocks_text.join(" ")
    });
    let mut facts = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if b.in_table {
            continue;
        }
        for mut f in facts::facts_in(&b.text) {
            f.section = s.block_paths.get(i).cloned().flatten();
            facts.push(f);
        }
    }
    facts.extend(reader_facts);

    let text = join_lines(owned_blocks);
    let issuing_organization = metadata::issuing_organization(&metadata::OrgInputs {
        web_org,
        title: title_for_orgs.as_deref(),
        red_header: s.red_header.as_deref(),
        signature_orgs: &el.gbt.signature_orgs,
        body: &text,
    });
    let admin_level = metadata::admin_level(
        issuing_organization.normalized.as_deref(),
        &issuing_organization.names,
    );

    ParseResult {
        schema_version: SCHEMA_VERSION,
        document_id: String::new(),
        source: Source {
            uri: String::new(),
            bucket: None,
            key: None,
            version_id: None,
            etag: None,
            size: 0,
            media_type: doc.format.media_type().into(),
            format: doc.format,
            encoding: doc.encoding.clone(),
            line_endings: doc.line_endings,
        },
        metadata: Metadata {
            title: s.title.clone(),
            issuing_organization,
            admin_level,
            report_year,
            plan_year,
            plan_year_explicit,
            doc_number,
            index_number,
            dates,
            signers: el.signers.clone(),
            addressee: el.addressee.clone(),
            gbt9704: el.gbt.clone(),
            web_metadata: web.clone(),
            core_properties,
        },
        sections,
        compliance,
        facts,
        tables,
        legal_references: refs::legal_references(&text),
        supplementary,
        text,
        warnings,
        parser: ParserInfo::default(),
    }
}

/// The blocks' texts joined by line breaks. The first block's string is reused, so a
/// spreadsheet's text (one block per sheet) is not copied.
fn join_lines(blocks: Vec<Block>) -> String {
    let len = blocks.iter().map(|b| b.text.len() + 1).sum::<usize>();
    let mut blocks = blocks.into_iter();
    let Some(first) = blocks.next() else {
        return String::new();
    };
    let mut text = first.text;
    text.reserve_exact((len - 1).saturating_sub(text.len()));
    for b in blocks {
        text.push('\n');
        text.push_str(&b.text);
    }
    text
}

/// Where the tail (附件说明, 署名, 成文日期, 附注, 抄送, 印发) begins: the longest run of
/// short, unpunctuated or labelled lines at the end of the document.
fn tail_start(blocks: &[Block], body_start: usize) -> usize {
    let mut i = blocks.len();
    while i > body_start.min(blocks.len()) && i > 0 {
        let t = blocks[i - 1].text.trim();
        let labelled = t.starts_with("附件") || t.starts_with("抄送") || t.ends_with("印发");
        let short = t.chars().count() <= 40 && !t.ends_with(['。', '；', ';']) && !t.contains('，');
        let annotation =
            (t.starts_with('（') && t.ends_with('）')) || (t.starts_with('(') && t.ends_with(')'));
        if blocks[i - 1].in_table || !(labelled || short || annotation || gbt9704::is_date_line(t))
        {
            break;
        }
        i -= 1;
    }
    i
}
