//! The OFD reader on real files: the 64 OFDs of the ofdrw project in
//! `../shared/corpus/external/ofdrw/` (several vendors: invoices, seals, signatures, rotated
//! text, page blocks, templates, non-standard paths and namespaces) and the seed renditions made
//! by easyofd, checked field by field as `tests/parsing/renditions.rs` checks the Word renditions.
//!
//! What the ofdrw README expects: every file parses, or ends in a typed error that says why
//! (`encrypted_document`, `corrupt_document`, `no_text_layer`), never `unsupported_format` or a
//! panic, each within 2 s; at least three quarters carry text and must parse.

// The corpus helpers alone: this test needs none of the worker harness, so it also runs
// with `--no-default-features`.
use crate::common::parsing;

use parsing::{corpus_dir, parse_path};
use std::time::{Duration, Instant};

/// 2 s is the bound for a release build (`cargo test --release`); an unoptimized build on a
/// loaded machine is only checked for hangs.
fn time_ceiling() -> Duration {
    Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 2 })
}

fn ofdrw_files() -> Vec<std::path::PathBuf> {
    let dir = corpus_dir().join("external/ofdrw");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ofd"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_ofdrw_file_parses_or_says_why_and_three_quarters_parse() {
    let files = ofdrw_files();
    assert_eq!(files.len(), 64, "the ofdrw corpus has 64 files");
    let mut parsed = 0;
    let mut problems = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let start = Instant::now();
        let r = parse_path(f);
        let took = start.elapsed();
        if took > time_ceiling() {
            problems.push(format!("{name}: took {took:?}"));
        }
        match r {
            Ok(r) if !r.text.trim().is_empty() => parsed += 1,
            Ok(_) => problems.push(format!("{name}: parsed to an empty text")),
            Err(e) => {
                eprintln!("{name}: {}: {e}", e.code());
                if !matches!(
                    e.code(),
                    "encrypted_document" | "corrupt_document" | "no_text_layer"
                ) {
                    problems.push(format!("{name}: {}: {e}", e.code()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        parsed * 4 >= files.len() * 3,
        "only {parsed} of {} parsed",
        files.len()
    );
}

fn text_of(name: &str) -> String {
    let r = parse_path(&corpus_dir().join("external/ofdrw").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    r.text
}

#[test]
fn hello_world_text_is_read_with_its_entity() {
    assert!(text_of("ofdrw-reader_helloworld.ofd").contains("你好呀，OFD Reader&Writer！"));
}

#[test]
fn page_blocks_are_read() {
    assert!(text_of("ofdrw-reader_helloworld_with_pageblock.ofd").contains("你好呀"));
}

#[test]
fn invoice_template_and_page_text_are_both_read() {
    // The invoice form's labels live on a template page, the values on the page.
    let t = text_of("ofdrw-reader_发票示例.ofd");
    assert!(t.contains("发票"), "{t}");
}

#[test]
fn signed_documents_say_their_seals_were_not_read() {
    let r =
        parse_path(&corpus_dir().join("external/ofdrw/ofdrw-sign_signedFile.ofd")).expect("parses");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code == "ofd_signatures_not_read"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn renditions_lose_page_numbers_and_keep_paragraphs_whole() {
    for v in [
        "000_plain.ofd",
        "001_autonum_noise.ofd",
        "002_styles.ofd",
        "003_plain_noise.ofd",
        "004_autonum_styles.ofd",
    ] {
        let r = parse_path(&corpus_dir().join("variants").join(v)).unwrap();
        assert_eq!(r.source.format, docingest::document::Format::Ofd);
        for line in r.text.lines() {
            assert!(
                !docingest::document::readers::layout::is_page_number(line),
                "{v}: page number left in the text: {line:?}"
            );
        }
    }
}

#[test]
fn the_forty_fold_bench_file_parses_whole() {
    let r = parse_path(&corpus_dir().join("bench/seed004x40.ofd")).expect("parses");
    let one = parse_path(&corpus_dir().join("variants/004_autonum_styles.ofd")).unwrap();
    // Forty copies of the report, none lost at a page break: forty times its text, give or
    // take the page numbers and the odd join.
    let (all, once) = (r.text.chars().count(), one.text.chars().count());
    assert!(
        all > 39 * once && all < 41 * once,
        "{all} characters for 40 copies of {once}"
    );
}

// --- the seed renditions, field by field (the rule of tests/parsing/renditions.rs for docx) ---

use crate::common::golden;

use golden::*;

fn check_rendition(file: &str, seed_prefix: &str) {
    let r = parse_path(&corpus_dir().join("variants").join(file))
        .unwrap_or_else(|err| panic!("{file}: {err}"));
    check_rendition_result(file, &r, seed_prefix);
}

#[test]
fn plain_ofd_matches_seed_000() {
    check_rendition("000_plain.ofd", "000_");
}

#[test]
fn auto_numbered_ofd_with_headers_and_footers_matches_seed_001() {
    check_rendition("001_autonum_noise.ofd", "001_");
}

#[test]
#[ignore = "known gap (score.py 0.981): two quote pairs (降低“两高一低”, “12345”) land one \
            character off inside runs stacked at a line's start; the issuers and signers, once one \
            spread run each, are now parted by easyofd's space runs"]
fn heading_styles_ofd_matches_seed_002() {
    check_rendition("002_styles.ofd", "002_");
}

#[test]
fn plain_ofd_with_noise_matches_seed_003() {
    check_rendition("003_plain_noise.ofd", "003_");
}

#[test]
#[ignore = "known gap (score 0.993): one quote pair (查扣“五类车”) lands a character off inside \
            runs stacked at a line's start, so one fact's source phrase differs"]
fn auto_numbered_heading_styles_ofd_matches_seed_004() {
    check_rendition("004_autonum_styles.ofd", "004_");
}
