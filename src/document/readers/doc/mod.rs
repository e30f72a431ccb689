//! Word 97-2003 binary (.doc) reader, also for WPS Office's `.wps` files that are OLE Word
//! documents: the `WordDocument` stream read through its FIB, piece table, paragraph and
//! character property pages, style sheet and list tables, producing the same
//! [`RawDocument`] blocks the docx reader gives for the same document.
//!
//! # Layout
//! - [`ole`]: the OLE2 container (`cfb`), streams read with declared-size checks;
//! - [`fib`]: the File Information Block: version, flags, story lengths, structure offsets;
//! - [`pieces`]: the piece table and the document text decoded from it;
//! - [`props`]: sprms, PAPX/CHPX pages and the style sheet (heading levels, lists, bold);
//! - [`lists`]: PlfLst/PlfLfo turned into the docx reader's numbering model, so 一、/（一）
//!   labels render exactly as numbering.xml's do;
//! - [`story`]: the character walk into paragraphs, cells and rows;
//! - [`summary`]: title, author and dates from the SummaryInformation property set.
//!
//! # Output
//! - The main document's paragraphs become blocks, in order; the numbering label of an
//!   automatically numbered paragraph is prefixed to its text; `heading_level` comes from the
//!   paragraph's outline level (sprmPOutLvl) or its style (built-in Heading 1-9, or the style's
//!   outline level, followed through the style's bases); `bold_prefix`/`all_bold` from the
//!   character runs (sprmCFBold over the paragraph style's bold).
//! - Tables: every row is one block (`in_table`, cells joined by `\t`, a cell's paragraphs by
//!   `\n`) and one row of a [`Table`] (header = first row). A nested table's text stays in the
//!   enclosing cell. Cells whose row mark is missing still make a row (cut at `max_columns`).
//! - Headers and footers: one `supplementary` entry per story (page-number-only lines dropped,
//!   identical entries once); footnotes, endnotes and comments: one entry per note. Text
//!   boxes: their paragraphs follow the body's (the anchor of each box is not resolved).
//!
//! # Guarantees
//! - Bounded cost: input size (by the caller), stream sizes (declared size checked against the
//!   file and `max_part_bytes` before reading), piece count (`max_doc_pieces`), field nesting
//!   (`max_doc_field_depth`) and text (`max_text_bytes`); the story CP counts must fit the
//!   WordDocument stream (one byte per character at least). Exceeding a limit is
//!   `LimitExceeded`.
//! - Damage is `Corrupt` and says .doc; password protection (fEncrypted, including XOR
//!   obfuscation) is `Encrypted`; Word 6/95 and older are `UnsupportedFormat` naming the
//!   version.
//! - No panics on any input: all reads are bounds-checked, no arithmetic on file values can
//!   overflow unchecked.
//!
//! # Not handled
//! Fast-saved (complex) files' property modifiers in the piece table (Prm), so direct
//! formatting changed by a fast save is not seen; text-box placement at their anchors;
//! revision marks (deleted text is read as present); Word 6/95 files; the
//! DocumentSummaryInformation set (company, category).

mod bytes;
mod fib;
mod lists;
pub(crate) mod ole;
mod pieces;
mod props;
mod story;
mod summary;

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use crate::document::model::{Block, RawDocument};
use crate::document::readers::docx::numbering::{Counters, Numbering};
use crate::document::readers::docx::styles::Styles as DocxStyles;
use crate::document::result::{Format, Rows, Supplementary, Table};
use bytes::{slice, u32_at};
use fib::{Fc, Fib};
use pieces::Piece;
use props::Styles;
use story::{Budget, End, Para, Source};

pub fn read(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    let mut ole = ole::Container::open(bytes, limits)?;
    let word = ole
        .stream("WordDocument")?
        .ok_or_else(|| ParseError::Corrupt(".doc: no WordDocument stream".into()))?;
    let fib = Fib::parse(&word)?;
    if fib.encrypted {
        let how = if fib.obfuscated {
            "XOR obfuscation"
        } else {
            "RC4 encryption"
        };
        return Err(ParseError::Encrypted(format!(
            "password-protected Word 97-2003 .doc ({how})"
        )));
    }
    let table_name = if fib.table_1 { "1Table" } else { "0Table" };
    let table = ole.stream(table_name)?.ok_or_else(|| {
        ParseError::Corrupt(format!(".doc: table stream {table_name} is missing"))
    })?;
    // Core properties never fail a document: an unreadable property set is left out.
    let summary = ole
        .stream("\u{5}SummaryInformation")
        .ok()
        .flatten()
        .and_then(|s| summary::parse(&s));
    drop(ole);

    let total = fib.ccp.total();
    if total > word.len() as u64 {
        return Err(ParseError::Corrupt(format!(
            ".doc: the FIB declares {total} characters in a {}-byte WordDocument stream",
            word.len()
        )));
    }
    let total = total as u32;
    let pieces = match fib.get(Fc::Clx) {
        Some((fc, lcb)) => {
            let clx = slice(&table, fc, lcb)
                .ok_or_else(|| ParseError::Corrupt(".doc: CLX outside the table stream".into()))?;
            pieces::parse_clx(clx, limits.max_doc_pieces)?
        }
        // A file without a piece table keeps its text in one run from fcMin.
        None => vec![Piece {
            cp_start: 0,
            cp_end: total,
            fc: fib.fc_min,
            compressed: !fib.ext_char,
        }],
    };
    let text = pieces::decode(&word, &pieces, total)?;
    let plc = |which: Fc| {
        fib.get(which)
            .and_then(|(fc, lcb)| slice(&table, fc, lcb))
            .unwrap_or(&[])
    };
    let papx = props::papx_runs(&word, plc(Fc::PlcfBtePapx));
    let chpx = props::chpx_runs(&word, plc(Fc::PlcfBteChpx));
    let styles = Styles::parse(plc(Fc::Stshf));
    let numbering = lists::parse(&table, fib.get(Fc::PlfLst), fib.get(Fc::PlfLfo));
    drop(word);

    let src = Source {
        text: &text,
        pieces: &pieces,
        papx: &papx,
        chpx: &chpx,
        max_field_depth: limits.max_doc_field_depth,
    };
    let mut budget = Budget {
        used: 0,
        max: limits.max_text_bytes,
    };
    let ctx = Ctx {
        styles: &styles,
        numbering: &numbering,
        docx_styles: DocxStyles::default(),
        max_columns: limits.max_columns,
    };

    let mut doc = RawDocument::new(Format::Doc);
    doc.core_properties = summary;
    let ccp = fib.ccp;
    let body = story::walk(&src, 0, ccp.text, &mut budget)?;
    let mut counters = Counters::default();
    let (blocks, tables) = build_body(body, &ctx, &mut counters, &mut budget)?;
    doc.blocks = blocks;
    doc.tables = tables;

    // Side stories follow the main text in CP space, in the FIB's order.
    let ftn_start = ccp.text;
    let hdd_start = ftn_start.saturating_add(ccp.ftn);
    let atn_start = hdd_start.saturating_add(ccp.hdd).saturating_add(ccp.mcr);
    let edn_start = atn_start.saturating_add(ccp.atn);
    let txbx_start = edn_start.saturating_add(ccp.edn);

    let mut supp = Supplementary::default();
    for (story_start, len, which, list) in [
        (ftn_start, ccp.ftn, Fc::PlcffndTxt, &mut supp.footnotes),
        (atn_start, ccp.atn, Fc::PlcfandTxt, &mut supp.comments),
        (edn_start, ccp.edn, Fc::PlcfendTxt, &mut supp.endnotes),
    ] {
        if len == 0 {
            continue;
        }
        for (a, b) in story_bounds(plc(which), story_start, len) {
            let text = join_paras(&story::walk(&src, a, b, &mut budget)?);
            if !text.is_empty() {
                list.push(text);
            }
        }
    }
    if ccp.hdd > 0 {
        let bounds = story_bounds(plc(Fc::PlcfHdd), hdd_start, ccp.hdd);
        // The first six stories are note separators; then six per section: even header,
        // odd header, even footer, odd footer, first-page header, first-page footer.
        for (i, (a, b)) in bounds.into_iter().enumerate().skip(6) {
            let paras = story::walk(&src, a, b, &mut budget)?;
            let text = paras
                .iter()
                .map(|p| p.text.trim())
                .filter(|t| !crate::document::readers::docx::is_page_number(t))
                .collect::<Vec<_>>()
                .join("\n");
            let list = match (i - 6) % 6 {
                0 | 1 | 4 => &mut supp.headers,
                _ => &mut supp.footers,
            };
            if !text.is_empty() && !list.contains(&text) {
                list.push(text);
            }
        }
    }
    if supp != Supplementary::default() {
        doc.supplementary = Some(supp);
    }
    if ccp.txbx > 0 {
        let paras = story::walk(
            &src,
            txbx_start,
            txbx_start.saturating_add(ccp.txbx),
            &mut budget,
        )?;
        let next_line = doc.blocks.len() + 1;
        for (i, p) in paras
            .iter()
            .filter(|p| !p.text.trim().is_empty())
            .enumerate()
        {
            doc.blocks.push(Block::plain(p.text.trim(), next_line + i));
        }
    }
    Ok(doc)
}

struct Ctx<'c> {
    styles: &'c Styles,
    numbering: &'c Numbering,
    /// The docx numbering renderer follows numbering-style links through docx styles; .doc
    /// lists have none.
    docx_styles: DocxStyles,
    max_columns: usize,
}

/// CP ranges of the sub-stories of one story, from a PLC whose CPs are relative to the story's
/// start (the last CP being the story's end), empty ones included. Without a PLC, the whole story is one.
fn story_bounds(plc: &[u8], story_start: u32, len: u32) -> Vec<(u32, u32)> {
    let n = plc.len() / 4;
    let cps: Vec<u32> = (0..n)
        .filter_map(|i| u32_at(plc, 4 * i))
        .map(|cp| cp.min(len))
        .collect();
    if cps.len() < 2 {
        return vec![(story_start, story_start.saturating_add(len))];
    }
    // Empty ranges are kept: a story's index says what it is (headers).
    cps.windows(2)
        .map(|w| (story_start + w[0], story_start + w[1].max(w[0])))
        .collect()
}

fn join_paras(paras: &[Para]) -> String {
    paras
        .iter()
        .map(|p| p.text.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Default)]
struct TableBuilder {
    header: Option<Vec<String>>,
    rows: Rows,
    cells: Vec<String>,
    cell_paras: Vec<String>,
}

fn build_body(
    paras: Vec<Para>,
    ctx: &Ctx<'_>,
    counters: &mut Counters,
    budget: &mut Budget,
) -> Result<(Vec<Block>, Vec<Table>), ParseError> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut table: Option<TableBuilder> = None;
    for p in paras {
        let in_table = p.end != End::Para || p.props.depth() >= 1;
        if !in_table {
            if let Some(t) = table.take() {
                finish_table(t, &mut blocks, &mut tables);
            }
            if let Some(mut b) = finish_para(&p, ctx, counters, budget)? {
                b.line = blocks.len() + 1;
                blocks.push(b);
            }
            continue;
        }
        let t = table.get_or_insert_with(TableBuilder::default);
        match p.end {
            End::Para | End::Cell => {
                if let Some(b) = finish_para(&p, ctx, counters, budget)? {
                    t.cell_paras.push(b.text);
                }
                if p.end == End::Cell {
                    t.cells.push(t.cell_paras.join("\n"));
                    t.cell_paras.clear();
                    // A row whose end mark is not recognised (no fTtp where Word expects
                    // one) would grow without end: it is cut at the table width limit.
                    if t.cells.len() >= ctx.max_columns {
                        end_row(t, &mut blocks);
                    }
                }
            }
            End::Row => end_row(t, &mut blocks),
        }
    }
    if let Some(t) = table.take() {
        finish_table(t, &mut blocks, &mut tables);
    }
    Ok((blocks, tables))
}

/// Ends the open row: one `in_table` block of its cells joined by tabs, and one row of the
/// table (the first row is its header).
fn end_row(t: &mut TableBuilder, blocks: &mut Vec<Block>) {
    // Text before a row mark that no cell mark closed belongs to a last cell.
    if !t.cell_paras.is_empty() {
        t.cells.push(t.cell_paras.join("\n"));
        t.cell_paras.clear();
    }
    let cells = std::mem::take(&mut t.cells);
    if cells.is_empty() {
        return;
    }
    let text = cells.join("\t");
    if !text.trim().is_empty() {
        blocks.push(Block {
            raw: text.clone(),
            text,
            line: blocks.len() + 1,
            in_table: true,
            ..Default::default()
        });
    }
    if t.header.is_none() {
        t.header = Some(cells);
    } else {
        t.rows.push_row(&cells);
    }
}

/// Ends a table; cells whose row mark never came (a table cut short, or row ends Word did
/// not mark) still make a last row, so no text is lost.
fn finish_table(mut t: TableBuilder, blocks: &mut Vec<Block>, tables: &mut Vec<Table>) {
    end_row(&mut t, blocks);
    if let Some(header) = t.header {
        tables.push(Table {
            sheet: None,
            header,
            rows: t.rows,
        });
    }
}

/// Turns a paragraph into a block: numbering label, heading level, bold span, trim (as the
/// docx reader's `finish` does).
fn finish_para(
    p: &Para,
    ctx: &Ctx<'_>,
    counters: &mut Counters,
    budget: &mut Budget,
) -> Result<Option<Block>, ParseError> {
    let style = ctx.styles.resolve(p.props.istd);
    let heading_level = match p.props.outline {
        Some(l) => (l < 9).then_some(l + 1),
        None => style.heading_level,
    };
    // sprmPIlfo 0 switches a style's list off; negative values are Word's "no list" codes.
    let (ilfo, ilvl) = match p.props.ilfo {
        Some(ilfo) => (ilfo, p.props.ilvl.or(style.ilvl).unwrap_or(0)),
        None => (
            style.ilfo.unwrap_or(0),
            p.props.ilvl.or(style.ilvl).unwrap_or(0),
        ),
    };
    let label = if ilfo > 0 {
        ctx.numbering
            .next_label(counters, &ctx.docx_styles, i64::from(ilfo), ilvl)
            .unwrap_or_default()
    } else {
        String::new()
    };
    let lead = p.text.len() - p.text.trim_start().len();
    let body = p.text.trim();
    if body.is_empty() {
        return Ok(None);
    }
    let (prefix_end, any_bold, any_plain) = story::bold_span(p, style.bold);
    let bold_end = if prefix_end > lead {
        let end = (prefix_end - lead).min(body.len());
        body.get(..end).map_or(0, |s| s.trim_end().len())
    } else {
        0
    };
    let mut text = String::with_capacity(label.len() + body.len());
    text.push_str(&label);
    text.push_str(body);
    let bold_prefix = if bold_end > 0 {
        label.len() + bold_end
    } else {
        0
    };
    let raw = if bold_prefix > 0 {
        format!("**{}**{}", &text[..bold_prefix], &text[bold_prefix..])
    } else {
        text.clone()
    };
    budget.charge(label.len())?;
    Ok(Some(Block {
        text,
        raw,
        line: 0,
        heading_level,
        bold_prefix,
        all_bold: any_bold && !any_plain,
        in_table: false,
        one_row_per_line: false,
    }))
}
