//! Plain text, Markdown and HTML remnants.

use crate::document::{
    error::ParseError,
    limits::Limits,
    model::{Block, RawDocument},
    result::Format,
};

pub fn read(bytes: &[u8], format: Format, _limits: &Limits) -> Result<RawDocument, ParseError> {
    let decoded = crate::document::decode::decode(bytes)?;
    let mut doc = RawDocument::new(format);
    doc.encoding = Some(decoded.encoding.clone());
    for (i, line) in decoded.text.lines().enumerate() {
        doc.blocks.push(Block::plain(line, i + 1));
    }
    Ok(doc)
}
