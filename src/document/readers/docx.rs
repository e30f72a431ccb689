//! Word (docx) reader. Not built yet: docx input is detected and reported as unsupported.

use crate::document::{error::ParseError, limits::Limits, model::RawDocument};

pub fn read(_bytes: &[u8], _limits: &Limits) -> Result<RawDocument, ParseError> {
    Err(ParseError::UnsupportedFormat(
        "docx (reader not built yet)".into(),
    ))
}
