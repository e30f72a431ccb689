//! PDF reader: the text layer of a PDF, laid out into the same paragraph [`Block`]s the docx
//! reader yields.
//!
//! # Layout
//! - [`lopdf`] (crates.io) parses the file: xref tables and streams, object streams, filters
//!   (Flate, LZW, ASCII85, ASCIIHex, RunLength, predictors) and decryption (RC4/AES; an empty
//!   user password is tried, as viewers do). It is used for objects only;
//! - [`objects`]: bounded reference resolution and stream decoding (per-stream and total
//!   decompression limits);
//! - [`lexer`], [`interp`]: our content-stream tokenizer and text-operator interpreter
//!   (positioned runs);
//! - [`font`], [`cmap`]: fonts, encodings, ToUnicode and the predefined Chinese CMaps, with the
//!   built-in Adobe-GB1 CID -> Unicode table;
//! - `layout` (shared with the OFD reader) turns positioned runs into paragraphs, headers and
//!   footers.
//!
//! # Guarantees
//! - Bounded cost: input size (`max_input_bytes`), objects (`max_pdf_objects`), pages
//!   (`max_pdf_pages`), page-tree and form nesting (`max_pdf_depth`, cycles refused),
//!   decompressed bytes per stream (`max_pdf_stream_bytes`) and in total
//!   (`max_total_uncompressed_bytes`), content-stream operators (`max_pdf_operators`) and
//!   extracted text (`max_text_bytes`). Exceeding one is `LimitExceeded` (`TooLarge` for the
//!   input). Nothing recurses per nesting level of the file except forms, which are capped.
//! - Unparseable files are `Corrupt`; files that need a password are `Encrypted`; files whose
//!   pages carry no text at all are `NoTextLayer` (never an empty result). A text PDF with
//!   image-only pages gets a `pdf_image_only_pages` warning naming them.
//! - No panics on any input: indexes are checked, matrices and numbers from the file that are
//!   not finite are dropped.
//!
//! # Output choices
//! - `Block::line` is the block's 1-based ordinal; `raw` equals `text`.
//! - Running headers and footers (and page numbers, which are dropped) go to `supplementary`.
//! - Glyphs that map to no Unicode (a subset font with neither ToUnicode nor a known
//!   collection) are left out and counted in a `pdf_unmapped_glyphs` warning.

mod cmap;
mod font;
mod interp;
mod lexer;
mod objects;

use super::layout::{self, Page, Run};
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use crate::document::model::RawDocument;
use crate::document::result::{CoreProperties, Format, Supplementary, Warning};
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};
use objects::Objects;
use std::collections::HashSet;

pub fn read(bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(ParseError::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_input_bytes,
        });
    }
    let doc = load(bytes, limits)?;
    let objs = Objects::new(&doc, limits);
    let pages = page_list(&objs, limits)?;
    if pages.is_empty() {
        return Err(ParseError::Corrupt("the PDF has no pages".into()));
    }

    let mut interp = interp::Interp::new(&objs, limits.max_pdf_operators, limits.max_pdf_depth);
    let mut laid_pages = Vec::with_capacity(pages.len());
    let mut image_only = Vec::new();
    let mut text_bytes = 0usize;
    for (index, page) in pages.iter().enumerate() {
        let content = page_content(&objs, page.dict);
        if let Some(e) = objs.failure() {
            return Err(e);
        }
        let got = interp.run_page(&content, page.resources)?;
        drop(content);
        for r in &got.runs {
            text_bytes += r.text.len();
        }
        if text_bytes > limits.max_text_bytes {
            return Err(ParseError::LimitExceeded(format!(
                "the PDF holds more than {} bytes of text (limits.max_text_bytes)",
                limits.max_text_bytes
            )));
        }
        if got.runs.is_empty() && got.has_images {
            image_only.push(index + 1);
        }
        laid_pages.push(to_layout_page(page, got.runs));
    }
    let unmapped: usize = interp.fonts().map(|f| f.unmapped.get()).sum();
    if text_bytes == 0 {
        // Glyphs whose fonts map them to no character are as unreadable as a scan: both need
        // OCR, so both are `no_text_layer`, with the reason.
        return Err(ParseError::NoTextLayer(if unmapped > 0 {
            format!(
                "the {} page(s) show {unmapped} glyph(s) whose fonts map them to no Unicode \
                 character (no ToUnicode, no known encoding)",
                pages.len()
            )
        } else {
            format!(
                "none of the {} page(s) carries text{}",
                pages.len(),
                if image_only.is_empty() {
                    String::new()
                } else {
                    format!(" ({} are images only: a scan)", image_only.len())
                }
            )
        }));
    }

    let mut warnings = Vec::new();
    if !image_only.is_empty() {
        warnings.push(Warning::new(
            "pdf_image_only_pages",
            format!(
                "page(s) {} carry only images and no text (scanned pages are not read)",
                page_ranges(&image_only)
            ),
        ));
    }
    if unmapped > 0 {
        warnings.push(Warning::new(
            "pdf_unmapped_glyphs",
            format!("{unmapped} glyph(s) map to no Unicode character and were left out"),
        ));
    }
    if objs.undecodable.get() > 0 {
        warnings.push(Warning::new(
            "pdf_stream_unreadable",
            format!(
                "{} damaged stream(s) could not be decoded and were skipped",
                objs.undecodable.get()
            ),
        ));
    }
    let core = core_properties(&objs);
    drop(interp);
    let pages_len = laid_pages.len();
    let laid = layout::lay_out(&laid_pages);
    drop(laid_pages);

    let mut out = RawDocument::new(Format::Pdf);
    out.blocks = laid.blocks;
    out.warnings = warnings;
    out.warnings.extend(laid.warnings);
    if !laid.headers.is_empty() || !laid.footers.is_empty() {
        out.supplementary = Some(Supplementary {
            headers: laid.headers,
            footers: laid.footers,
            ..Default::default()
        });
    }
    out.core_properties = core;
    debug_assert!(pages_len > 0);
    Ok(out)
}

/// How many `obj` keywords the file holds: an upper bound on its top-level objects, counted
/// before lopdf builds them all in memory (objects inside object streams are counted after
/// loading).
fn count_obj_keywords(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i + 3 <= bytes.len() {
        if bytes[i] == b'o' && bytes[i + 1] == b'b' && bytes[i + 2] == b'j' {
            let before = i.checked_sub(1).map(|j| bytes[j]);
            let after = bytes.get(i + 3).copied();
            let delim = |b: Option<u8>| {
                b.is_none_or(|b| b.is_ascii_whitespace() || b"<[(/%".contains(&b) || b == 0)
            };
            if delim(before) && delim(after) {
                n += 1;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    n
}

/// Loads the file with lopdf, mapping its failures onto our error codes.
fn load(bytes: &[u8], limits: &Limits) -> Result<Document, ParseError> {
    let declared = count_obj_keywords(bytes);
    if declared > limits.max_pdf_objects {
        return Err(ParseError::LimitExceeded(format!(
            "the PDF has {declared} objects, more than {} (limits.max_pdf_objects)",
            limits.max_pdf_objects
        )));
    }
    let options = LoadOptions {
        max_decompressed_size: Some(
            usize::try_from(limits.max_pdf_stream_bytes).unwrap_or(usize::MAX),
        ),
        ..Default::default()
    };
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(d) => d,
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(ParseError::LimitExceeded(format!(
                "a PDF object stream decompresses to more than {} bytes (limits.max_pdf_stream_bytes)",
                limits.max_pdf_stream_bytes
            )))
        }
        Err(lopdf::Error::InvalidPassword) => {
            return Err(ParseError::Encrypted(
                "the PDF needs a password to open".into(),
            ))
        }
        Err(e) => return Err(ParseError::Corrupt(format!("PDF: {e}"))),
    };
    if doc.objects.len() > limits.max_pdf_objects {
        return Err(ParseError::LimitExceeded(format!(
            "the PDF has {} objects, more than {} (limits.max_pdf_objects)",
            doc.objects.len(),
            limits.max_pdf_objects
        )));
    }
    // lopdf opens an encrypted file with the empty user password when that works and leaves
    // the objects encrypted otherwise.
    if doc.trailer.get(b"Encrypt").is_ok() && doc.authenticate_password("").is_err() {
        return Err(ParseError::Encrypted(
            "the PDF is encrypted with a user password".into(),
        ));
    }
    Ok(doc)
}

/// One page with what it inherits from the page tree.
struct PageRef<'d> {
    dict: &'d Dictionary,
    resources: Option<&'d Dictionary>,
    /// MediaBox (x0, y0, x1, y1), normalized.
    media: [f32; 4],
}

fn rect(objs: &Objects<'_>, o: Option<&Object>) -> Option<[f32; 4]> {
    let Some(Object::Array(a)) = o.and_then(|o| match o {
        Object::Reference(id) => objs.doc.objects.get(id),
        other => Some(other),
    }) else {
        return None;
    };
    if a.len() != 4 {
        return None;
    }
    let mut v = [0f32; 4];
    for (slot, o) in v.iter_mut().zip(a) {
        *slot = match objs.resolve(Some(o))? {
            Object::Integer(i) => *i as f32,
            Object::Real(r) if r.is_finite() => *r,
            _ => return None,
        };
    }
    Some([
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ])
}

/// Walks the page tree from the catalog's `/Pages`, depth first in document order, with an
/// explicit stack: inherited `/Resources` and `/MediaBox` are carried down, a node seen twice
/// (a tree that contains itself) is `LimitExceeded`, and so are too many pages or too deep a
/// tree.
fn page_list<'d>(objs: &Objects<'d>, limits: &Limits) -> Result<Vec<PageRef<'d>>, ParseError> {
    let doc = objs.doc;
    let catalog = objs
        .resolve_dict(doc.trailer.get(b"Root").ok())
        .ok_or_else(|| ParseError::Corrupt("the PDF has no document catalog".into()))?;
    let root = catalog
        .get(b"Pages")
        .ok()
        .ok_or_else(|| ParseError::Corrupt("the PDF catalog has no page tree".into()))?;
    const LETTER: [f32; 4] = [0.0, 0.0, 612.0, 792.0];
    let mut pages = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    // (node, inherited resources, inherited media box, depth)
    let mut stack: Vec<(&'d Object, Option<&'d Dictionary>, [f32; 4], usize)> =
        vec![(root, None, LETTER, 0)];
    while let Some((node, res, media, depth)) = stack.pop() {
        if let Object::Reference(id) = node {
            if !seen.insert(*id) {
                return Err(ParseError::LimitExceeded(
                    "the PDF page tree contains itself (a reference cycle)".into(),
                ));
            }
        }
        if depth > limits.max_pdf_depth {
            return Err(ParseError::LimitExceeded(format!(
                "the PDF page tree is more than {} levels deep (limits.max_pdf_depth)",
                limits.max_pdf_depth
            )));
        }
        let Some(dict) = objs.resolve_dict(Some(node)) else {
            continue;
        };
        let res = objs.resolve_dict(dict.get(b"Resources").ok()).or(res);
        let media = rect(objs, dict.get(b"MediaBox").ok()).unwrap_or(media);
        let is_pages = dict.get(b"Type").ok().and_then(|t| t.as_name().ok()) == Some(b"Pages")
            || (dict.get(b"Kids").is_ok() && dict.get(b"Contents").is_err());
        if is_pages {
            if let Some(Object::Array(kids)) = objs.resolve(dict.get(b"Kids").ok()) {
                for kid in kids.iter().rev() {
                    stack.push((kid, res, media, depth + 1));
                }
            }
        } else {
            if pages.len() >= limits.max_pdf_pages {
                return Err(ParseError::LimitExceeded(format!(
                    "the PDF has more than {} pages (limits.max_pdf_pages)",
                    limits.max_pdf_pages
                )));
            }
            let media = rect(objs, dict.get(b"CropBox").ok())
                .map(|c| {
                    // The visible area: the crop box within the media box.
                    [
                        c[0].max(media[0]),
                        c[1].max(media[1]),
                        c[2].min(media[2]),
                        c[3].min(media[3]),
                    ]
                })
                .filter(|c| c[2] > c[0] && c[3] > c[1])
                .unwrap_or(media);
            pages.push(PageRef {
                dict,
                resources: res,
                media,
            });
        }
    }
    Ok(pages)
}

/// A page's content streams decoded and concatenated (an array of streams is one stream split
/// anywhere, even inside a token, so they are joined with a newline).
fn page_content(objs: &Objects<'_>, page: &Dictionary) -> Vec<u8> {
    let mut out = Vec::new();
    match objs.resolve(page.get(b"Contents").ok()) {
        Some(Object::Stream(s)) => {
            if let Some(d) = objs.stream_data(s) {
                out = d;
            }
        }
        Some(Object::Array(parts)) => {
            for p in parts {
                if let Some(Object::Stream(s)) = objs.resolve(Some(p)) {
                    if let Some(d) = objs.stream_data(s) {
                        out.extend_from_slice(&d);
                        out.push(b'\n');
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Interpreter runs (PDF user space, y up) to layout runs (page units from the top-left
/// corner of the visible box, y down).
fn to_layout_page(page: &PageRef<'_>, runs: Vec<interp::RawRun>) -> Page {
    let [x0, _y0, x1, y1] = page.media;
    Page {
        width: x1 - x0,
        height: y1 - page.media[1],
        runs: runs
            .into_iter()
            .map(|r| Run {
                x: r.x - x0,
                y: y1 - r.y,
                width: (r.end_x - r.x).max(0.0),
                size: r.size,
                text: r.text,
                bold: r.bold,
            })
            .collect(),
    }
}

/// `1-3, 7` from a sorted list of page numbers.
fn page_ranges(pages: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pages.len() {
        let start = pages[i];
        let mut end = start;
        while i + 1 < pages.len() && pages[i + 1] == end + 1 {
            i += 1;
            end = pages[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

/// The document information dictionary (`/Info`): title, author, creation and modification
/// dates (ISO 8601, local time as written).
fn core_properties(objs: &Objects<'_>) -> Option<CoreProperties> {
    let info = objs.resolve_dict(objs.doc.trailer.get(b"Info").ok())?;
    let text = |key: &[u8]| -> Option<String> {
        match objs.resolve(info.get(key).ok())? {
            Object::String(s, _) => {
                let t = lopdf::decode_text_string(&Object::String(
                    s.clone(),
                    lopdf::StringFormat::Literal,
                ))
                .ok()?;
                let t = t.trim().trim_matches('\0').to_string();
                (!t.is_empty()).then_some(t)
            }
            _ => None,
        }
    };
    let props = CoreProperties {
        title: text(b"Title"),
        author: text(b"Author"),
        created: text(b"CreationDate").and_then(|d| pdf_date(&d)),
        modified: text(b"ModDate").and_then(|d| pdf_date(&d)),
    };
    (props != CoreProperties::default()).then_some(props)
}

/// `D:20231231120000+08'00'` -> `2023-12-31T12:00:00`; `None` when it is not a date.
fn pdf_date(s: &str) -> Option<String> {
    let d = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = d.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() < 8 {
        return None;
    }
    let part = |a: usize, b: usize, def: &str| digits.get(a..b).unwrap_or(def).to_string();
    let (y, mo, da) = (part(0, 4, ""), part(4, 6, "01"), part(6, 8, "01"));
    let (h, mi, se) = (part(8, 10, "00"), part(10, 12, "00"), part(12, 14, "00"));
    let ok = mo.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && da.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
        && h.parse::<u32>().is_ok_and(|h| h < 24)
        && mi.parse::<u32>().is_ok_and(|m| m < 60)
        && se.parse::<u32>().is_ok_and(|s| s < 61);
    ok.then(|| format!("{y}-{mo}-{da}T{h}:{mi}:{se}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obj_keywords_are_counted_as_tokens() {
        assert_eq!(
            count_obj_keywords(b"1 0 obj\n<< >>\nendobj\n2 0 obj 5 endobj"),
            2
        );
        assert_eq!(count_obj_keywords(b"(object) /objx obj"), 1);
        assert_eq!(count_obj_keywords(b""), 0);
    }

    #[test]
    fn page_ranges_compress_runs() {
        assert_eq!(page_ranges(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            pdf_date("D:20231231120509+08'00'").as_deref(),
            Some("2023-12-31T12:05:09")
        );
        assert_eq!(pdf_date("D:2023").as_deref(), None);
        assert_eq!(pdf_date("D:20231340").as_deref(), None);
    }
}
