//! Format readers: bytes -> [`RawDocument`]. One file per format family; none of them knows
//! what a government report is.

pub mod docx;
pub mod sheet;
pub mod text;

use super::error::ParseError;
use super::limits::Limits;
use super::model::RawDocument;
use super::result::Format;

pub fn read(format: Format, bytes: &[u8], limits: &Limits) -> Result<RawDocument, ParseError> {
    match format {
        Format::Txt | Format::Markdown | Format::Html => text::read(bytes, format, limits),
        Format::Docx => docx::read(bytes, limits),
        Format::Xlsx | Format::Xls | Format::Ods => sheet::read(bytes, format, limits),
    }
}
