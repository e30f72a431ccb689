//! The encoding and line-ending copies of the seeds (GB18030, UTF-16 LE/BE with BOM,
//! UTF-8 BOM + CRLF, `.md`) must give the same metadata, sections and facts as their originals:
//! only `source` (encoding, line endings, format) and the document id may differ.

use crate::common;

use common::{corpus_dir, parse_path};
use docingest::document::result::{Format, LineEndings, ParseResult};

fn original(prefix: &str) -> ParseResult {
    let dir = corpus_dir().join("seeds");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap();
    parse_path(&entry).unwrap()
}

fn assert_same_content(variant: &str, want_encoding: &str, want_endings: LineEndings) {
    let v = parse_path(&corpus_dir().join("variants").join(variant)).unwrap();
    let o = original(&variant[..3]);
    assert_eq!(
        v.source.encoding.as_deref(),
        Some(want_encoding),
        "{variant}"
    );
    assert_eq!(v.source.line_endings, Some(want_endings), "{variant}");
    assert_eq!(v.metadata, o.metadata, "{variant}: metadata differs");
    assert_eq!(v.sections, o.sections, "{variant}: sections differ");
    assert_eq!(v.facts, o.facts, "{variant}: facts differ");
    assert_eq!(v.compliance, o.compliance, "{variant}: compliance differs");
    assert_eq!(v.text, o.text, "{variant}: text differs");
}

#[test]
fn gb18030_copy_matches_original() {
    assert_same_content("000.gb18030.txt", "GB18030", LineEndings::LF);
}

#[test]
fn utf16be_with_bom_copy_matches_original() {
    assert_same_content("001.utf16be-bom.txt", "UTF-16BE", LineEndings::LF);
}

#[test]
fn utf8_bom_crlf_copy_matches_original() {
    assert_same_content("003.utf8-bom-crlf.txt", "UTF-8", LineEndings::CRLF);
}

#[test]
fn utf16le_with_bom_copy_matches_original() {
    assert_same_content("004.utf16le-bom.txt", "UTF-16LE", LineEndings::CRLF);
}

#[test]
fn markdown_named_copy_matches_original() {
    let v = parse_path(&corpus_dir().join("variants/002.md")).unwrap();
    assert_eq!(v.source.format, Format::Markdown);
    assert_same_content("002.md", "UTF-8", LineEndings::LF);
}
