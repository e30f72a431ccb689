//! The intermediate document every reader produces and every later stage consumes.
//!
//! Readers (text, Markdown, HTML, docx, spreadsheets) know their format and nothing about
//! government reports; they turn bytes into an ordered list of [`Block`]s (one per paragraph),
//! plus tables and side material. Normalization, structure and extraction only ever see this
//! type, which is why a Word rendition of a report gives the same result as its text.

use super::result::{CoreProperties, Fact, Format, LineEndings, Supplementary, Table, Warning};

/// One paragraph of the body, in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    /// The visible text with markup removed. For docx, an automatic numbering label
    /// (一、 / （一） rendered from numbering.xml) is already prefixed to the text.
    pub text: String,
    /// The paragraph as it stood in the source (Markdown markup kept, leading indentation
    /// removed). Section `raw` spans are cut from it. Readers without a textual source
    /// (docx) set it equal to `text`, with `**` around a leading bold span if there was one.
    /// Empty for a spreadsheet's block: table rows are never headings, so nothing is cut.
    pub raw: String,
    /// 1-based line of the paragraph's first line in the source text; paragraph ordinal for docx.
    pub line: usize,
    /// Heading level declared by markup: the `#` count in Markdown, `outlineLvl + 1` or a
    /// Heading N style in docx. A hint only: numbering decides the tree.
    pub heading_level: Option<u8>,
    /// Byte length, within `text`, of a bold span that starts the paragraph (0 = none).
    /// Feeds inline-heading detection.
    pub bold_prefix: usize,
    /// The whole paragraph is bold.
    pub all_bold: bool,
    /// The paragraph is a table's text flattened (docx tables are also in `RawDocument::tables`);
    /// never a heading.
    pub in_table: bool,
    /// A whole table in one block, one row per line (a spreadsheet's sheet): each line is
    /// cleaned as a paragraph of its own, and a line left empty is dropped. Only with
    /// `in_table`.
    pub one_row_per_line: bool,
}

impl Block {
    pub fn plain(text: impl Into<String>, line: usize) -> Self {
        let text = text.into();
        Block {
            raw: text.clone(),
            text,
            line,
            ..Default::default()
        }
    }
}

/// Everything a reader extracted from one input.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDocument {
    pub format: Format,
    /// Character encoding the bytes were decoded from (text formats only).
    pub encoding: Option<String>,
    pub line_endings: Option<LineEndings>,
    pub blocks: Vec<Block>,
    pub tables: Vec<Table>,
    /// Facts a reader could read directly, e.g. from an indicator sheet (指标 / 单位 / 完成数).
    pub facts: Vec<Fact>,
    pub supplementary: Option<Supplementary>,
    pub core_properties: Option<CoreProperties>,
    pub warnings: Vec<Warning>,
}

impl RawDocument {
    pub fn new(format: Format) -> Self {
        RawDocument {
            format,
            encoding: None,
            line_endings: None,
            blocks: Vec::new(),
            tables: Vec::new(),
            facts: Vec::new(),
            supplementary: None,
            core_properties: None,
            warnings: Vec::new(),
        }
    }

    /// A plain-text document of these lines, one block each (line numbers from 1): what the
    /// stage tests start from.
    #[cfg(test)]
    pub(crate) fn from_lines(lines: &[&str]) -> Self {
        let mut doc = RawDocument::new(Format::Txt);
        doc.blocks = lines
            .iter()
            .enumerate()
            .map(|(i, l)| Block::plain(*l, i + 1))
            .collect();
        doc
    }
}
