//! Caps that keep a hostile file's cost bounded. Every reader takes a `&Limits`; the worker
//! fills it from the `[limits]` section of the configuration.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest input accepted at all, in bytes.
    pub max_input_bytes: u64,
    /// Most entries a zip container (docx/xlsx/ods) may list.
    pub max_zip_entries: usize,
    /// Most bytes one zip part may decompress to.
    pub max_part_bytes: u64,
    /// Most bytes all parts together may decompress to.
    pub max_total_uncompressed_bytes: u64,
    /// Deepest XML element nesting accepted.
    pub max_xml_depth: usize,
    /// Most characters of text extracted from one document.
    pub max_text_bytes: usize,
    /// Spreadsheet caps, per sheet for rows and columns and per workbook for cells.
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cells: usize,
    /// Longest line the text path keeps before it splits it (a 50 MB line is split, not fatal).
    pub max_line_bytes: usize,
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
            max_columns: 1_024,
            max_cells: 5_000_000,
            max_line_bytes: 1024 * 1024,
            max_ofd_pages: 10_000,
            max_ofd_text_objects: 1_000_000,
            max_ofd_text_codes: 1_000_000,
        }
    }
}
