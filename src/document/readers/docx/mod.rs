//! Word (docx) reader: a streaming, hostile-input-safe WordprocessingML reader on `zip` and
//! `quick-xml`, producing the same [`RawDocument`] blocks a text rendition of the report gives.
//!
//! # Layout
//! - [`package`]: the zip container with every size and count limit, and relationship lookup;
//! - [`xml`]: the namespace-aware event stream with the nesting-depth limit;
//! - [`styles`], [`numbering`]: what styles and list definitions contribute (heading levels,
//!   bold, 一、/（一） labels);
//! - [`story`]: the event walker that turns the body, headers, footers, notes and comments
//!   into paragraphs and table rows (its header documents what is kept and what is dropped);
//! - [`core_props`] reads `docProps/core.xml`.
//!
//! # Flow
//! The main document part is found through the package relationships (`officeDocument`,
//! Transitional or Strict), its styles, numbering, notes and comments through its own.
//! Styles and numbering are read first (they are small); the body is then streamed once.
//! Headers and footers are the ones the body's sections reference, each read once.
//!
//! # Guarantees
//! - Bounded cost: input size, zip entries, decompressed bytes per part and in total, XML
//!   depth, extracted text (`max_text_bytes`, also charged per block and per table cell) and
//!   table width (`max_columns`) are all capped; exceeding one is `LimitExceeded` (or
//!   `TooLarge` for the input). Nothing recurses on the Rust stack per nesting level.
//! - Damage is `Corrupt`: not a zip, truncated zip, bad CRC, malformed XML, a missing main
//!   document part. Damage in a part that only feeds `supplementary` or `core_properties`
//!   (a header, the comments...) is a warning (`docx_part_unreadable`) and the body is kept.
//! - No panics on any input: no indexing that input can push out of range, no unchecked
//!   arithmetic on values read from the file.
//!
//! # Output choices
//! - `Block::line` is the 1-based ordinal of the block among emitted body blocks (empty
//!   paragraphs are not counted, so lines are dense).
//! - Headers and footers: one `supplementary` entry per part (its paragraphs joined by `\n`),
//!   identical entries once; page-number paragraphs (`— 1 —`, `- 2 -`, `第 3 页`, a PAGE field)
//!   are dropped. Footnotes, endnotes and comments: one entry per note, separators skipped.

mod core_props;
pub(in crate::document::readers) mod numbering;
pub(in crate::document::readers) mod package;
mod story;
pub(in crate::document::readers) mod styles;
pub(in crate::document::readers) mod xml;

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use crate::document::model::RawDocument;
use crate::document::result::{Format, Supplementary, Warning};
use numbering::Numbering;
use package::{Package, Rel};
use std::collections::{HashMap, HashSet};
use story::{Budget, Context, Story, StoryKind, StoryOutput};
use styles::Styles;

const MAIN_DOCUMENT_FALLBACK: &str = "word/document.xml";
const CORE_PROPERTIES_FALLBACK: &str = "docProps/core.xml";

pub fn read(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    let mut pkg = Package::open(bytes, limits)?;
    let root_rels = pkg.rels("")?;
    let main = find_rel(&root_rels, "officeDocument")
        .map(|r| r.target.clone())
        .or_else(|| {
            pkg.has(MAIN_DOCUMENT_FALLBACK)
                .then(|| MAIN_DOCUMENT_FALLBACK.to_string())
        })
        .ok_or_else(|| {
            ParseError::Corrupt("docx without a main document part (officeDocument)".into())
        })?;
    if !pkg.has(&main) {
        return Err(ParseError::Corrupt(format!(
            "main document part {main} is missing from the package"
        )));
    }
    let doc_rels = pkg.rels(&main)?;

    let styles = match find_rel(&doc_rels, "styles") {
        Some(rel) => match pkg.xml(&rel.target)? {
            Some(mut x) => Styles::parse(&mut x)?,
            None => Styles::default(),
        },
        None => Styles::default(),
    };
    let numbering = match find_rel(&doc_rels, "numbering") {
        Some(rel) => match pkg.xml(&rel.target)? {
            Some(mut x) => Numbering::parse(&mut x)?,
            None => Numbering::default(),
        },
        None => Numbering::default(),
    };
    let ctx = Context {
        styles: &styles,
        numbering: &numbering,
        max_depth: limits.max_xml_depth,
        max_columns: limits.max_columns,
    };
    let mut budget = Budget {
        used: 0,
        max: limits.max_text_bytes,
        cancel: limits.cancel.clone(),
    };

    let body = {
        let mut xml = pkg
            .xml(&main)?
            .ok_or_else(|| ParseError::Corrupt(format!("main document part {main} is missing")))?;
        Story::new(&ctx, &mut budget, StoryKind::Body).read(&mut xml)?
    };
    let mut doc = RawDocument::new(Format::Docx);
    let StoryOutput {
        blocks,
        tables,
        section_refs,
        ..
    } = body;
    doc.blocks = blocks;
    doc.tables = tables;

    let mut supp = Supplementary::default();
    // Every section may reference headers again; each part is read once.
    let by_id: HashMap<&str, &Rel> = doc_rels.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut read_parts: HashSet<&str> = HashSet::new();
    for r in &section_refs {
        let Some(rel) = by_id.get(r.rel_id.as_str()) else {
            continue;
        };
        if !read_parts.insert(rel.target.as_str()) {
            continue;
        }
        let Some(out) = aux_story(
            &mut pkg,
            &rel.target,
            StoryKind::HeaderFooter,
            &ctx,
            &mut budget,
            &mut doc.warnings,
        )?
        else {
            continue;
        };
        let text = out
            .blocks
            .iter()
            .map(|b| b.text.as_str())
            .filter(|t| !is_page_number(t))
            .collect::<Vec<_>>()
            .join("\n");
        let list = if r.header {
            &mut supp.headers
        } else {
            &mut supp.footers
        };
        if !text.is_empty() && !list.contains(&text) {
            list.push(text);
        }
    }
    for kind in ["footnotes", "endnotes", "comments"] {
        let Some(rel) = find_rel(&doc_rels, kind) else {
            continue;
        };
        let Some(out) = aux_story(
            &mut pkg,
            &rel.target,
            StoryKind::Notes,
            &ctx,
            &mut budget,
            &mut doc.warnings,
        )?
        else {
            continue;
        };
        let list = match kind {
            "footnotes" => &mut supp.footnotes,
            "endnotes" => &mut supp.endnotes,
            _ => &mut supp.comments,
        };
        list.extend(out.notes);
    }
    if supp != Supplementary::default() {
        doc.supplementary = Some(supp);
    }

    let core = find_rel(&root_rels, "metadata/core-properties")
        .map(|r| r.target.clone())
        .or_else(|| {
            pkg.has(CORE_PROPERTIES_FALLBACK)
                .then(|| CORE_PROPERTIES_FALLBACK.to_string())
        });
    if let Some(core) = core {
        let parsed = match pkg.xml(&core) {
            Ok(Some(mut x)) => core_props::parse(&mut x).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match parsed {
            Ok(props) => doc.core_properties = props.flatten(),
            Err(ParseError::Corrupt(msg)) => doc.warnings.push(unreadable(&msg)),
            Err(e) => return Err(e),
        }
    }
    Ok(doc)
}

fn find_rel<'r>(rels: &'r [Rel], kind: &str) -> Option<&'r Rel> {
    rels.iter().find(|r| r.kind == kind)
}

fn unreadable(msg: &str) -> Warning {
    Warning::new(
        "docx_part_unreadable",
        format!("skipped a damaged part: {msg}"),
    )
}

/// Reads a part outside the body. Damage becomes a warning; limits stay errors.
fn aux_story(
    pkg: &mut Package<'_>,
    part: &str,
    kind: StoryKind,
    ctx: &Context<'_>,
    budget: &mut Budget,
    warnings: &mut Vec<Warning>,
) -> Result<Option<StoryOutput>, ParseError> {
    let result = match pkg.xml(part) {
        Ok(Some(mut x)) => Story::new(ctx, budget, kind).read(&mut x).map(Some),
        Ok(None) => Ok(None),
        Err(e) => Err(e),
    };
    match result {
        Err(ParseError::Corrupt(msg)) => {
            warnings.push(unreadable(&msg));
            Ok(None)
        }
        other => other,
    }
}

/// A header or footer line that is only a page number: digits with dashes, spaces and the
/// words around them (`— 1 —`, `- 2 -`, `第 3 页 共 9 页`, `Page 4 of 9`), or nothing left
/// at all once a PAGE field was dropped.
pub(in crate::document::readers) fn is_page_number(s: &str) -> bool {
    let lower = s.to_lowercase();
    let lower = lower.replace("page", "").replace("of", "");
    lower
        .chars()
        .filter(|c| !c.is_whitespace() && !"-—–－―‒−~·•|/()（）[]【】第页共".contains(*c))
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_recognised() {
        for s in [
            "— 1 —",
            "- 2 -",
            "第 3 页 共 9 页",
            "Page 4 of 9",
            "－１２－",
            "—  —",
            "7",
        ] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["政务公开专栏", "2022年度报告", "Offices"] {
            assert!(!is_page_number(s), "{s}");
        }
    }
}
