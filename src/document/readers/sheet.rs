//! Spreadsheet reader. Not built yet: spreadsheets are detected and reported as unsupported.

use crate::document::{error::ParseError, limits::Limits, model::RawDocument, result::Format};

pub fn read(_bytes: &[u8], format: Format, _limits: &Limits) -> Result<RawDocument, ParseError> {
    Err(ParseError::UnsupportedFormat(format!(
        "{format:?} (reader not built yet)"
    )))
}
