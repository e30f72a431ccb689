//! Document -> result: metadata, required parts, facts and references, assembled into the
//! versioned [`ParseResult`].
//!
//! Each element is looked for in the zone of the document where it belongs (head, title,
//! body, tail) and is left `null` when the document does not show it: a wrong value costs a
//! downstream team more than a missing one.

pub mod facts;
mod gbt9704;
mod metadata;
pub(crate) mod parts;
pub mod refs;

use super::model::Block;
use super::normalize::{web_field, Normalized};
use super::result::*;
use super::structure::{self, Structured};
use regex::Regex;
use std::sync::LazyLock;

/// Labels under which portal metadata gives each date, most specific first. `日期`/`时间` stand
/// alone in a page's head (or before its 来源), where they are the publication date.
const WRITTEN_LABELS: &[&str] = &["成文日期", "成文时间"];
const PUBLISHED_LABELS: &[&str] = &[
    "发布日期",
    "发布时间",
    "发文日期",
    "发文时间",
    "日期",
    "时间",
    "生成日期",
    "更新时间",
    "更新日期",
];
/// Portal fields that name the issuer, and those that name a publisher or drafting department.
const ISSUER_LABELS: &[&str] = &["发布机构", "发文机关", "制发机构", "制发机关", "发文单位"];
const SOURCE_LABELS: &[&str] = &["来源", "信息来源", "发布单位", "文章来源"];

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
    let opening_subject = opening.first().and_then(|o| metadata::org_subject(o));
    let mut sections = s.sections.clone();
    let web_title = ["标题", "名称"].iter().find_map(|l| web_field(web, l));
    let document_kind = s
        .title
        .as_deref()
        .and_then(structure::document_kind)
        .or_else(|| {
            s.red_header
                .as_deref()
                .and_then(|r| structure::document_kind(r.trim_end_matches("文件")))
        })
        .map(str::to_string);
    let opening_text: String = opening.iter().take(3).copied().collect();
    let annual_report = parts::is_annual_report(
        s.title.as_deref().or(web_title),
        document_kind.as_deref(),
        &opening_text,
    );
    let paragraphs: Vec<&str> = blocks
        .iter()
        .filter(|b| !b.in_table)
        .map(|b| b.text.as_str())
        .collect();
    // The year reported on, the plans' year and the required parts belong to annual reports.
    let (report_year, plan_year, plan_year_explicit, compliance) = if annual_report {
        let mut report_year = metadata::report_year(s.title.as_deref(), web_title, &opening, &[]);
        parts::assign(&mut sections, report_year);
        if report_year.is_none() {
            report_year = metadata::report_year(None, None, &[], &sections);
            if report_year.is_some() {
                parts::assign(&mut sections, report_year);
            }
        }
        let (plan_year, plan_year_explicit) =
            metadata::plan_year(report_year, &sections, &paragraphs);
        let compliance = parts::compliance(&sections);
        (report_year, plan_year, plan_year_explicit, compliance)
    } else {
        (None, None, None, parts::not_applicable(&mut sections))
    };

    // GB/T 9704 zones.
    let (head, after_title, head_end): (&[Block], &[Block], usize) = match s.title_blocks {
        Some((start, end)) => (
            &blocks[..start],
            &blocks[end + 1..s.body_start.max(end + 1)],
            end + 1,
        ),
        None => {
            // The head ends at the first prose paragraph, at the addressee line, or at a
            // template's prompt where the title or the body goes ([此处输入文件标题]).
            let head_end = blocks[..s.body_start]
                .iter()
                .position(|b| {
                    let t = b.text.trim();
                    t.contains(['。', '，', ','])
                        || t.ends_with(['：', ':'])
                        || gbt9704::is_template_placeholder(t)
                })
                .unwrap_or(s.body_start);
            (
                &blocks[..head_end],
                &blocks[head_end..s.body_start],
                head_end,
            )
        }
    };
    // Without numbered headings the body has no start of its own: the tail is then sought
    // back from the end down to the head's end (a 令, a template, a short notice).
    let tail_floor = if s.body_start < blocks.len() {
        s.body_start
    } else {
        head_end
    };
    let tail = &blocks[tail_start(blocks, tail_floor)..];
    let mut el = gbt9704::extract(head, after_title, tail, s.red_header.as_deref());
    closing_block_fallback(blocks, s.body_start, &mut el);

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

    // A title that ended with its number in brackets (…的通知(某办发〔2017〕2号)).
    let title_doc_number = s
        .title_doc_number
        .as_deref()
        .and_then(gbt9704::parse_doc_number);
    let doc_number = el.doc_number.clone().or(title_doc_number).or_else(|| {
        ["发文字号", "文号", "文件编号"]
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
    let index_number = ["索引号", "信息索引号"]
        .iter()
        .find_map(|l| web_field(web, l))
        .map(str::to_string);
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
    let mut warnings = warnings;
    if is_unfilled_template(&text) {
        warnings.push(Warning::new(
            "unfilled_template",
            "the document is an unfilled template: placeholders such as [此处输入…], □□□ or XX发〔20XX〕XX号 stand where values go; they are not extracted as values",
        ));
    }
    let issuing_organization = metadata::issuing_organization(&metadata::OrgInputs {
        title: title_for_orgs.as_deref(),
        red_header: s.red_header.as_deref(),
        web_issuer: ISSUER_LABELS.iter().find_map(|l| web_field(web, l)),
        signature_orgs: &el.gbt.signature_orgs,
        web_source: SOURCE_LABELS.iter().find_map(|l| web_field(web, l)),
        subject: opening_subject,
        body: &text,
    });
    let admin_level = metadata::admin_level(
        issuing_organization.normalized.as_deref(),
        &issuing_organization.names,
    )
    .or_else(|| {
        // A document that names no place may still say which level it speaks for (我镇).
        issuing_organization
            .normalized
            .is_none()
            .then(|| metadata::self_level(&text))
            .flatten()
            .map(str::to_string)
    });

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
            document_kind,
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

/// Placeholders a 公文 template prints where values go.
const TEMPLATE_MARKS: &[&str] = &[
    "[此处",
    "【此处",
    "此处输入",
    "□□□",
    "〔20XX〕",
    "[20XX]",
    "XXXX年XX月",
    "X年X月X日",
    "[主送",
    "[日期]",
];

/// Any of [`TEMPLATE_MARKS`], looked for in one pass over the text rather than one per mark.
static TEMPLATE_MARK: LazyLock<Regex> =
    LazyLock::new(|| crate::document::lex::any_of(TEMPLATE_MARKS));

fn is_unfilled_template(text: &str) -> bool {
    TEMPLATE_MARK.is_match(text)
}

/// When the tail zone held no 成文日期 (a page that goes on after the document: a licence note, a
/// feedback form), the closing block is the last date line of the document's end with the
/// short organization lines above it; an 附件 note there is read too.
fn closing_block_fallback(blocks: &[Block], body_start: usize, el: &mut gbt9704::Elements) {
    let from = body_start.min(blocks.len());
    let end_zone = blocks.len().saturating_sub(20).max(from);
    if el.gbt.written_date.is_none() {
        if let Some(d) = (end_zone..blocks.len())
            .rev()
            .find(|&i| !blocks[i].in_table && gbt9704::is_date_line(blocks[i].text.trim()))
        {
            let start = d.saturating_sub(4).max(from);
            let mut found = gbt9704::Elements::default();
            gbt9704::extract_tail(&blocks[start..=d], &mut found);
            el.gbt.written_date = found.gbt.written_date;
            el.written_raw = found.written_raw;
            if el.gbt.signature_orgs.is_empty() {
                el.gbt.signature_orgs = found.gbt.signature_orgs;
            }
        }
    }
    if el.gbt.attachment_note.is_none() {
        if let Some(a) = (end_zone..blocks.len()).rev().find(|&i| {
            let t = blocks[i].text.trim_start();
            !blocks[i].in_table && (t.starts_with("附件：") || t.starts_with("附件:"))
        }) {
            let mut found = gbt9704::Elements::default();
            gbt9704::extract_tail(&blocks[a..(a + 1)], &mut found);
            el.gbt.attachment_note = found.gbt.attachment_note;
            el.gbt.attachments = found.gbt.attachments;
        }
    }
}

/// Where the tail (附件说明, 署名, 成文日期, 附注, 抄送, 印发) begins: the longest run of
/// short, unpunctuated or labelled lines at the end of the document. Word templates often lay
/// the 版记 out as a borderless table (`抄送：…` and `某某办公室 | 2023年3月2日印发` rows): those
/// rows belong to the tail; any other table row ends it.
fn tail_start(blocks: &[Block], body_start: usize) -> usize {
    let mut i = blocks.len();
    while i > body_start.min(blocks.len()) && i > 0 {
        let t = blocks[i - 1].text.trim();
        if blocks[i - 1].in_table {
            if gbt9704::is_imprint_row(t) {
                i -= 1;
                continue;
            }
            break;
        }
        let labelled = t.starts_with("附件") || t.starts_with("抄送") || t.ends_with("印发");
        let short = t.chars().count() <= 40 && !t.ends_with(['。', '；', ';']) && !t.contains('，');
        let annotation =
            (t.starts_with('（') && t.ends_with('）')) || (t.starts_with('(') && t.ends_with(')'));
        if !(labelled || short || annotation || gbt9704::is_date_line(t)) {
            break;
        }
        i -= 1;
    }
    i
}
