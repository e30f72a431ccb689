//! Blocks -> clean blocks.

use super::limits::Limits;
use super::model::RawDocument;

pub fn normalize(doc: RawDocument, _limits: &Limits) -> RawDocument {
    doc
}
