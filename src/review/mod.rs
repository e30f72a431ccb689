//! `docingest review`'s pure side: result JSON Lines in, a review page and a CSV out.
//!
//! - [`input`]: JSON Lines (or one pretty-printed result) -> results and claim-check pointers,
//!   each line bounded before it is parsed.
//! - [`report`]: one result (read tolerantly, as JSON) -> the overview row and the detail.
//! - [`aggregate`]: the set of reports, one per `document_id`, and the summary the charts draw.
//! - [`html`]: the self-contained page (data embedded once, escaped; strict CSP).
//! - [`csv`]: the overview for Excel (UTF-8 with BOM, one column per required part).
//!
//! No network and no async here: the CLI (`cli::review`) reads the files, follows claim checks
//! through the worker's storage and writes the outputs.

pub(crate) mod aggregate;
pub(crate) mod csv;
pub(crate) mod html;
pub(crate) mod input;
pub(crate) mod report;

pub(crate) use aggregate::{Added, Collection};
pub(crate) use report::Report;

/// Bounds on what one review run reads and embeds. Each is a `docingest review` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReviewLimits {
    /// Longest input line (one result) read; longer lines are skipped and reported. Default
    /// 64 MiB, the worker's default `storage.max_object_bytes`.
    pub max_line_bytes: usize,
    /// Distinct reports on one page; the rest are counted and reported. Default 200,000.
    pub max_reports: usize,
    /// Sections, facts, warnings (and duplicate keys) kept per report in the detail view.
    /// Default 2,000; the counts in the overview stay exact.
    pub max_items: usize,
    /// Characters kept of one piece of text (a title, a fact phrase). Default 1,000.
    pub max_text_chars: usize,
    /// Warning codes in the "most common warnings" chart. Default 10.
    pub top_warnings: usize,
}

impl Default for ReviewLimits {
    fn default() -> Self {
        ReviewLimits {
            max_line_bytes: 64 << 20,
            max_reports: 200_000,
            max_items: 2_000,
            max_text_chars: 1_000,
            top_warnings: 10,
        }
    }
}
