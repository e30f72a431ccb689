//! Blocks -> title and section tree.

use super::model::RawDocument;
use super::result::Section;

#[derive(Debug, Clone, Default)]
pub struct Structured {
    pub title: Option<String>,
    pub sections: Vec<Section>,
}

pub fn structure(_doc: &RawDocument) -> Structured {
    Structured::default()
}
