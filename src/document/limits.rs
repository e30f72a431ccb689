//! Caps that keep a hostile file's cost bounded. Every reader takes a `&Limits`; the worker
//! fills it from the `[limits]` section of the configuration.
//!
//! `Limits` also carries the parse's [`Cancel`] flag (not configuration: it is never read from
//! or written to a file). It rides along here because every stage that loops over the input
//! already takes `&Limits`, so time joins size, depth and count as a bound the stages enforce.

use crate::document::error::ParseError;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag another thread sets to stop a running parse. The stages poll it once per block, per
/// line or per few thousand XML events, so a parse stops within a few milliseconds of the flag
/// being set and returns [`ParseError::Cancelled`]; its thread is then free again. The default
/// flag can never be set, and polling it costs one branch.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    /// A flag that [`Cancel::cancel`] can set; clones share it.
    pub fn new() -> Self {
        Cancel(Some(Arc::new(AtomicBool::new(false))))
    }

    /// Asks every parse holding a clone of this flag to stop.
    pub fn cancel(&self) {
        if let Some(flag) = &self.0 {
            flag.store(true, Ordering::Relaxed);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(Cancelled)` once the flag is set: `limits.cancel.check()?` in a stage's loop.
    pub fn check(&self) -> Result<(), ParseError> {
        if self.is_cancelled() {
            Err(ParseError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Two flags are equal when they are the same flag (or both the inert default).
impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest input accepted at all, in bytes.
    pub max_input_bytes: u64,
    /// Most entries a zip container (docx/xlsx/ods) may list.
    pub max_zip_entries: usize,
    /// Most bytes one zip part may decompress to; also the largest OLE2 stream (.doc) read.
    pub max_part_bytes: u64,
    /// Most bytes all parts together may decompress to.
    pub max_total_uncompressed_bytes: u64,
    /// Deepest XML element nesting accepted.
    pub max_xml_depth: usize,
    /// Most characters of text extracted from one document.
    pub max_text_bytes: usize,
    /// Spreadsheet caps, per sheet for rows and columns and per workbook for cells. The
    /// column cap defaults to Excel's own 16,384 (XFD): real sheets reach it, and the work a
    /// wide sheet costs is bounded by `max_cells` (every padded slot counts), not by where
    /// one stray cell sits.
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cells: usize,
    /// Longest line the text path keeps before it splits it (a 50 MB line is split, not fatal).
    pub max_line_bytes: usize,
    /// Most pieces a .doc piece table may list (Word writes one per edit session of a
    /// fast-saved file; a few thousand at most).
    pub max_doc_pieces: usize,
    /// Deepest nesting of .doc fields (a field inside a field's result or instruction).
    pub max_doc_field_depth: usize,
    /// Set by the caller (the worker, at `worker.parse_timeout_ms`) to stop this parse.
    #[serde(skip)]
    pub cancel: Cancel,
    /// PDF: most bytes one stream (a page's content, a font's CMap, an object stream) may
    /// decompress to. All streams together count against `max_total_uncompressed_bytes`.
    pub max_pdf_stream_bytes: u64,
    /// PDF: most indirect objects a file may hold.
    pub max_pdf_objects: usize,
    /// PDF: most pages read.
    pub max_pdf_pages: usize,
    /// PDF: most content-stream operators run over the whole document (forms counted each
    /// time they are drawn).
    pub max_pdf_operators: u64,
    /// PDF: deepest page-tree and Form XObject nesting.
    pub max_pdf_depth: usize,
    /// Most pages an OFD document may list.
    pub max_ofd_pages: usize,
    /// Most `TextObject`s and most `TextCode`s (each one positioned run) in one OFD document,
    /// templates included.
    pub max_ofd_text_objects: usize,
    pub max_ofd_text_codes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 * 1024 * 1024,
            max_zip_entries: 2_000,
            max_part_bytes: 256 * 1024 * 1024,
            max_total_uncompressed_bytes: 512 * 1024 * 1024,
            max_xml_depth: 256,
            max_text_bytes: 32 * 1024 * 1024,
            max_rows: 1_000_000,
            max_columns: 16_384,
            max_cells: 5_000_000,
            max_line_bytes: 1024 * 1024,
            max_doc_pieces: 100_000,
            max_doc_field_depth: 64,
            cancel: Cancel::default(),
            max_pdf_stream_bytes: 64 * 1024 * 1024,
            max_pdf_objects: 500_000,
            max_pdf_pages: 10_000,
            max_pdf_operators: 50_000_000,
            max_pdf_depth: 32,
            max_ofd_pages: 10_000,
            max_ofd_text_objects: 1_000_000,
            max_ofd_text_codes: 1_000_000,
        }
    }
}
