//! Word renditions (docx and .doc) of the seeds (manual numbering, Word auto-numbering from
//! numbering.xml or the .doc list tables,
//! heading styles, headers and footers) must yield the worked answers of their text originals:
//! the same metadata, sections (numbers, levels, titles, required parts) and facts. Only what a
//! rendition cannot share is skipped: source line numbers, raw spans and markup-driven details.

use crate::common;

use common::golden::*;
use common::{corpus_dir, parse_path};

fn check_rendition(file: &str, seed_prefix: &str) {
    let r = parse_path(&corpus_dir().join("variants").join(file))
        .unwrap_or_else(|err| panic!("{file}: {err}"));
    check_rendition_result(file, &r, seed_prefix);
}

#[test]
fn plain_docx_matches_seed_000() {
    check_rendition("000_plain.docx", "000_");
}

#[test]
fn auto_numbered_docx_with_headers_and_footers_matches_seed_001() {
    check_rendition("001_autonum_noise.docx", "001_");
}

#[test]
fn heading_styles_docx_matches_seed_002() {
    check_rendition("002_styles.docx", "002_");
}

#[test]
fn plain_docx_with_noise_matches_seed_003() {
    check_rendition("003_plain_noise.docx", "003_");
}

#[test]
fn auto_numbered_heading_styles_docx_matches_seed_004() {
    check_rendition("004_autonum_styles.docx", "004_");
}

// Word 97-2003 (.doc) renditions of the same seeds, written by LibreOffice: the .doc reader's
// paragraphs, list-table numbering, heading styles and headers/footers must give the same
// answers.

#[test]
fn plain_doc_matches_seed_000() {
    check_rendition("000_plain.doc", "000_");
}

#[test]
fn auto_numbered_doc_with_headers_and_footers_matches_seed_001() {
    check_rendition("001_autonum_noise.doc", "001_");
}

#[test]
fn heading_styles_doc_matches_seed_002() {
    check_rendition("002_styles.doc", "002_");
}

#[test]
fn plain_doc_with_noise_matches_seed_003() {
    check_rendition("003_plain_noise.doc", "003_");
}

#[test]
fn auto_numbered_heading_styles_doc_matches_seed_004() {
    check_rendition("004_autonum_styles.doc", "004_");
}
