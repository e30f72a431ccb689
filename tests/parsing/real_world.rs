//! Real-world files from public test corpora (Apache POI, Open-XML-SDK, calamine, pandoc, 公文
//! samples) that docingest once mishandled: each is a file a user can open in Excel, Word or
//! LibreOffice, or one that must be refused with the right code. The files stay in the shared
//! corpus (`../shared/corpus/external/real-world/`, its README says what a user expects); one
//! test per file, named after what it pins.
//!
//! Files handled elsewhere: `poi_word2.doc` and `poi_hpsf_non4byte.doc` (the .doc reader's
//! tests).

// The corpus helpers alone (no broker or storage harness): these tests need only the parsing
// library, `cargo test --no-default-features --test parsing real_world::`.
use crate::common::parsing;

use docingest::document::{ParseError, ParseResult};
use std::path::PathBuf;

fn path(file: &str) -> PathBuf {
    parsing::corpus_dir().join("external/real-world").join(file)
}

fn parse(file: &str) -> Result<ParseResult, ParseError> {
    parsing::parse_path(&path(file))
}

fn parsed(file: &str) -> ParseResult {
    parse(file).unwrap_or_else(|e| panic!("{file}: {} ({e})", e.code()))
}

fn refused(file: &str, code: &str) -> ParseError {
    match parse(file) {
        Ok(_) => panic!("{file}: parsed, expected {code}"),
        Err(e) => {
            assert_eq!(e.code(), code, "{file}: {e}");
            e
        }
    }
}

fn skipped_sheets(r: &ParseResult) -> Vec<String> {
    r.warnings
        .iter()
        .filter(|w| w.code == "sheet_skipped")
        .map(|w| w.message.clone())
        .collect()
}

/// The number of table cells of a result, empty ones included: what the result costs.
fn table_cells(r: &ParseResult) -> usize {
    r.tables
        .iter()
        .map(|t| t.header.len() + t.rows.iter().map(|row| row.len()).sum::<usize>())
        .sum()
}

#[test]
fn activex_controls_in_an_xlsx_are_not_read_as_sheet_records() {
    // Its three sheets hold controls and no cell: it parses, with nothing to tabulate.
    let r = parsed("activex_controls.xlsx");
    assert!(r.tables.is_empty());
}

#[test]
fn activex_controls_in_an_xlsm_are_not_read_as_sheet_records() {
    let r = parsed("activex_bug539654.xlsm");
    assert!(!r.text.is_empty());
}

#[test]
fn an_excel4_macro_sheet_is_skipped_and_the_worksheets_read() {
    let r = parsed("poi_64420_macrosheet.xlsm");
    let skipped = skipped_sheets(&r);
    assert!(
        skipped.iter().any(|m| m.contains("macro sheet")),
        "{skipped:?}"
    );
}

#[test]
fn an_xlm_macro_workbook_is_read_with_its_macro_sheet_skipped() {
    let r = parsed("poi_xlmmacro.xlsm");
    let skipped = skipped_sheets(&r);
    assert!(
        skipped.iter().any(|m| m.contains("macro sheet")),
        "{skipped:?}"
    );
}

#[test]
fn a_vba_module_sheet_without_its_part_is_skipped() {
    let r = parsed("poi_60825_module_sheet.xlsx");
    let skipped = skipped_sheets(&r);
    assert!(
        skipped.iter().any(|m| m.contains("part is missing")),
        "{skipped:?}"
    );
}

#[test]
fn a_sheet_wider_than_1024_columns_is_read() {
    let r = parsed("poi_53105_wide.xlsx");
    assert!(!r.tables.is_empty());
}

#[test]
fn a_cell_in_column_xfd_is_read() {
    let r = parsed("openxml_foo_xfd1.xlsx");
    assert!(!r.text.is_empty());
}

#[test]
fn a_conditional_format_sheet_with_far_columns_is_read() {
    let r = parsed("openxml_filterbycf.xlsx");
    assert!(!r.text.is_empty());
}

/// The declared DIMENSIONS (65,536 x 256) do not count, nor does the bounding box of its four
/// cells (A1 to IV65536, 16.7 million slots): the BIFF8 reader streams the cells that exist.
#[test]
fn declared_xls_dimensions_are_not_counted_as_cells() {
    let r = parsed("poi_51535_dimensions.xls");
    assert!(!r.text.is_empty());
    let cells = table_cells(&r);
    assert!(cells < 100, "{cells} table cells");
}

#[test]
fn a_sparse_xls_costs_its_cells_not_its_bounding_box() {
    let r = parsed("poi_sharedformula_sparse.xls");
    let cells = table_cells(&r);
    // 64 cells over A1..EA32770: the dense box would be 4.26 million cells.
    assert!(cells < 10_000, "{cells} table cells");
}

#[test]
fn a_calamine_panic_on_an_xlsb_is_a_typed_error_or_a_result() {
    match parse("poi_simple.xlsb") {
        Ok(r) => assert!(!r.text.is_empty()),
        Err(e) => assert_eq!(e.code(), "corrupt_document", "{e}"),
    }
}

#[test]
fn an_xor_obfuscated_xls_is_encrypted() {
    let e = refused("poi_xor_encrypted.xls", "encrypted_document");
    assert!(e.to_string().contains("XOR"), "{e}");
}

#[test]
fn a_password_protected_ods_is_encrypted() {
    refused("calamine_pass_protected.ods", "encrypted_document");
}

#[test]
fn an_excel3_workbook_is_unsupported_and_says_so() {
    let e = refused("poi_excel3.xls", "unsupported_format");
    assert!(e.to_string().contains("Excel 3.0"), "{e}");
}

#[test]
fn an_excel4_workbook_is_unsupported_and_says_so() {
    let e = refused("poi_excel4.xls", "unsupported_format");
    assert!(e.to_string().contains("Excel 4.0"), "{e}");
}

#[test]
fn an_excel5_workbook_is_unsupported_and_says_so() {
    let e = refused("poi_64130_excel5_chart.xls", "unsupported_format");
    assert!(e.to_string().contains("Excel 5"), "{e}");
}

#[test]
fn a_numpages_field_result_in_body_text_is_kept() {
    let r = parsed("gongwen_numpages_field.docx");
    assert!(r.text.contains("共1页"), "{}", r.text);
    assert!(!r.text.contains("共页"), "{}", r.text);
}

#[test]
fn an_rtf_fragment_is_unsupported_not_text() {
    let e = refused("pandoc_tables_fragment.rtf", "unsupported_format");
    assert!(e.to_string().contains("RTF"), "{e}");
}

/// A panic inside calamine is contained and reported as a typed error; the process's stderr
/// carries no "panicked" line for it (the panic hook is quiet for contained panics). Checked
/// on the CLI's stderr, where a user would see it.
#[cfg(feature = "service")]
#[test]
fn a_contained_panic_prints_nothing_that_says_panicked() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_docingest"))
        .arg("parse")
        .arg(path("poi_simple.xlsb"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
    assert!(stderr.contains("corrupt_document"), "{stderr}");
}

#[test]
fn angle_brackets_in_word_text_are_text_not_markup() {
    let r = parsed("openxml_bookmark_angle_brackets.docx");
    assert!(
        r.text.contains("Func<A,R> which"),
        "{}",
        &r.text[..r.text.len().min(400)]
    );
    assert!(!r.warnings.iter().any(|w| w.code == "html_tags_removed"));
}

#[test]
fn angle_brackets_in_xls_cells_are_kept() {
    let r = parsed("poi_string_continue_angle_brackets.xls");
    let spans = r.text.matches('<').count();
    assert!(spans >= 84, "{spans} `<` left in the cell text");
    assert!(!r.warnings.iter().any(|w| w.code == "html_tags_removed"));
}

#[test]
fn a_label_line_in_a_word_body_stays_in_the_text() {
    let r = parsed("gongwen_toc_fields.docx");
    assert!(r.text.lines().any(|l| l == "生成日期：1"), "{}", r.text);
    assert!(r.metadata.web_metadata.is_none());
}
