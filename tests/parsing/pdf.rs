//! PDF renditions of the seeds must yield the worked answers of their text originals, checked
//! field by field with the same rendition rule as the Word renditions (renditions.rs beside it):
//! metadata, sections (numbers, levels, titles, required parts), compliance and facts. Only
//! what a rendition cannot share is skipped (source line numbers, raw spans, markup details).
//!
//! The files are LibreOffice 7 exports with embedded Noto CJK subsets (`NNN_*.pdf`) and
//! reportlab files set in the non-embedded CID font STSong-Light through UniGB-UCS2-H with no
//! ToUnicode map and `— N —` footers (`NNN_cid_nounicode.pdf`).

// The golden-file harness without the rest of tests/common (which needs the worker's broker
// and storage crates): this test needs only the parsing library, so it also runs under
// `cargo test --no-default-features --test parsing`.
use crate::common::golden;
use crate::common::parsing;

use golden::*;
use parsing::{corpus_dir, parse_path};

fn check_rendition(file: &str, seed_prefix: &str) {
    let r = parse_path(&corpus_dir().join("variants").join(file))
        .unwrap_or_else(|err| panic!("{file}: {err}"));
    assert_eq!(r.source.format, docingest::document::Format::Pdf);
    check_rendition_result(file, &r, seed_prefix);
}

#[test]
fn plain_pdf_matches_seed_000() {
    check_rendition("000_plain.pdf", "000_");
}

#[test]
fn auto_numbered_pdf_with_headers_and_footers_matches_seed_001() {
    check_rendition("001_autonum_noise.pdf", "001_");
}

#[test]
fn heading_styles_pdf_matches_seed_002() {
    check_rendition("002_styles.pdf", "002_");
}

#[test]
fn plain_pdf_with_noise_matches_seed_003() {
    check_rendition("003_plain_noise.pdf", "003_");
}

#[test]
fn auto_numbered_heading_styles_pdf_matches_seed_004() {
    check_rendition("004_autonum_styles.pdf", "004_");
}

#[test]
fn cid_font_without_to_unicode_matches_seed_001() {
    check_rendition("001_cid_nounicode.pdf", "001_");
}

#[test]
fn cid_font_without_to_unicode_matches_seed_003() {
    check_rendition("003_cid_nounicode.pdf", "003_");
}

/// The `— N —` page numbers of the reportlab files never reach the body text.
#[test]
fn page_number_footers_stay_out_of_the_text() {
    for file in ["001_cid_nounicode.pdf", "003_cid_nounicode.pdf"] {
        let r = parse_path(&corpus_dir().join("variants").join(file)).unwrap();
        assert!(!r.text.contains("— 1 —"), "{file}");
        assert!(!r.text.contains("— 2 —"), "{file}");
    }
}
