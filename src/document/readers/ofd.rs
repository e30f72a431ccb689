//! OFD reader: not built yet (issue 12). Detection already routes OFD files here so the
//! format has its own code path; until the reader lands they are refused as before.

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use crate::document::model::RawDocument;

pub fn read(_bytes: &[u8], _limits: &Limits) -> Result<RawDocument, ParseError> {
    Err(ParseError::UnsupportedFormat("OFD (reader not built yet)".into()))
}
