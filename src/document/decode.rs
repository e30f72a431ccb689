//! Bytes -> text.

use super::error::ParseError;
use super::result::LineEndings;

pub struct Decoded {
    pub text: String,
    pub encoding: String,
    pub line_endings: Option<LineEndings>,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, ParseError> {
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|e| ParseError::UndecodableText(e.to_string()))?;
    Ok(Decoded {
        text,
        encoding: "UTF-8".into(),
        line_endings: None,
    })
}
