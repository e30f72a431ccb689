//! Format readers: bytes -> [`RawDocument`]. One file per format family; none of them knows
//! what a government report is.

pub mod doc;
pub mod docx;
pub mod layout;
pub mod ofd;
pub mod pdf;
pub mod sheet;
pub(crate) mod text;

use super::error::ParseError;
use super::limits::Limits;
use super::model::RawDocument;
use super::result::Format;
use std::borrow::Cow;

/// Reads `bytes` as `format`. Owned bytes are freed as soon as they are no longer needed: a
/// spreadsheet's once its cells are read, before its tables and text are laid out, so a large
/// workbook's file and its result are never held together.
pub fn read<'a>(
    format: Format,
    bytes: impl Into<Cow<'a, [u8]>>,
    limits: &Limits,
) -> Result<RawDocument, ParseError> {
    let bytes = bytes.into();
    match format {
        Format::Txt | Format::Markdown | Format::Html => text::read(&bytes, format, limits),
        Format::Docx => docx::read(&bytes, limits),
        Format::Doc => doc::read(&bytes, limits),
        Format::Pdf => pdf::read(&bytes, limits),
        Format::Ofd => ofd::read(&bytes, limits),
        Format::Xlsx | Format::Xls | Format::Ods => {
            let workbook = sheet::read_workbook(&bytes, format, limits)?;
            drop(bytes);
            sheet::build(format, workbook)
        }
    }
}
