//! Hostile spreadsheets end as typed errors with bounded memory.
//!
//! This binary installs a counting global allocator and asserts the peak of live heap bytes
//! while the reader runs. The tests run one at a time (a mutex) so each sees only its own
//! allocations. No timings are asserted; "quickly" follows from the memory bound (the reader
//! cannot touch what it did not allocate).

use crate::counting_alloc;
use crate::sheet_fixtures;

use counting_alloc::{measured, serial};
use docingest::document::readers::sheet;
use docingest::document::result::Format;
use docingest::document::{Limits, ParseError};
use sheet_fixtures::{worksheet, Xlsx, STYLES};

const MB: usize = 1024 * 1024;

/// Pads a package with a theme-sized part so it has the size of a real small workbook.
fn padded(mut book: Xlsx) -> Vec<u8> {
    let mut theme = String::from("<a:theme xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" name=\"Office Theme\">");
    // Pseudo-random names, so the padding does not compress away.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..220 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        theme.push_str(&format!("<a:font script=\"S{i}\" typeface=\"{x:016x}\"/>"));
    }
    theme.push_str("</a:theme>");
    book.extra
        .push(("xl/theme/theme1.xml".into(), theme.into_bytes()));
    book.build()
}

#[test]
fn one_cell_at_xfd1048576_is_refused_without_allocating_the_declared_grid() {
    let _serial = serial();
    let book = Xlsx {
        styles: Some(STYLES.into()),
        ..Default::default()
    }
    .sheet(
        "Sheet1",
        worksheet(
            Some("A1:XFD1048576"),
            r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
            &[],
        ),
    );
    let bytes = padded(book);
    assert!(
        (4_000..8_000).contains(&bytes.len()),
        "a small file: {} bytes",
        bytes.len()
    );
    let (result, peak) = measured(|| sheet::read(&bytes, Format::Xlsx, &Limits::default()));
    let err = result.unwrap_err();
    assert_eq!(err.code(), "limit_exceeded", "{err}");
    assert!(err.to_string().contains("XFD1048576"), "{err}");
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");

    // Even with caps wide enough for the position, no grid from A1 to it is built.
    let wide = Limits {
        max_rows: 2_000_000,
        max_columns: 20_000,
        ..Limits::default()
    };
    let (result, peak) = measured(|| sheet::read(&bytes, Format::Xlsx, &wide));
    // One cell alone is a 1x1 grid; what is refused is a grid from A1 to it.
    assert!(result.is_ok(), "{result:?}");
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");
    let two = padded(
        Xlsx::default().sheet(
            "Sheet1",
            worksheet(
                Some("A1:XFD1048576"),
                r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
                &[],
            ),
        ),
    );
    // Two cells at opposite corners: a sparse sheet keeps only the rows and columns that hold
    // text, so the 17-billion-slot box is never built and the table is 2 x 2.
    let (result, peak) = measured(|| sheet::read(&two, Format::Xlsx, &wide));
    let doc = result.unwrap();
    let table = &doc.tables[0];
    assert_eq!(table.header.len(), 2, "{table:?}");
    assert!(table.rows.len() <= 1, "{table:?}");
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");
}

#[test]
fn a_merge_over_the_whole_sheet_is_clipped_to_the_cells() {
    let _serial = serial();
    let bytes = padded(Xlsx::default().sheet(
        "S",
        worksheet(
            Some("A1:XFD1048576"),
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>t</t></is></c><c r="B1"><v>2</v></c></row>"#,
            &["A1:XFD1048576"],
        ),
    ));
    let (result, peak) = measured(|| sheet::read(&bytes, Format::Xlsx, &Limits::default()));
    let doc = result.unwrap();
    assert_eq!(doc.tables[0].header, vec!["t".to_string(), "2".to_string()]);
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");
}

#[test]
fn a_shared_string_copied_into_every_cell_stops_at_the_text_cap() {
    let _serial = serial();
    // 256 KiB string x 2000 cells would be 512 MiB of cell text.
    let mut rows = String::new();
    for r in 1..=2000 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#
        ));
    }
    let bytes = Xlsx {
        shared_strings: vec!["字".repeat(256 * 1024 / 3)],
        ..Default::default()
    }
    .sheet("S", worksheet(None, &rows, &[]))
    .build();
    let (result, peak) = measured(|| sheet::read(&bytes, Format::Xlsx, &Limits::default()));
    assert_eq!(result.unwrap_err().code(), "limit_exceeded");
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");
}

#[test]
fn ods_repeat_bombs_are_refused_before_calamine_expands_them() {
    let _serial = serial();
    let bytes = sheet_fixtures::ods(concat!(
        r#"<table:table table:name="S">"#,
        r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
        r#"</table:table>"#,
    ));
    let (result, peak) = measured(|| sheet::read(&bytes, Format::Ods, &Limits::default()));
    assert!(
        matches!(result, Err(ParseError::LimitExceeded(_))),
        "{result:?}"
    );
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");

    // Rows of 16384 copies each, under the row cap: calamine would push every copy.
    let mut rows = String::new();
    for _ in 0..400 {
        rows.push_str(r#"<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="string" office:string-value="x"/></table:table-row>"#);
    }
    let bytes = sheet_fixtures::ods(&format!(
        r#"<table:table table:name="S">{rows}</table:table>"#
    ));
    let limits = Limits {
        max_columns: 20_000,
        ..Limits::default()
    };
    let (result, peak) = measured(|| sheet::read(&bytes, Format::Ods, &limits));
    assert!(
        matches!(result, Err(ParseError::LimitExceeded(_))),
        "{result:?}"
    );
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");
}

#[test]
fn xlsb_record_declaring_a_huge_length_is_corrupt() {
    let _serial = serial();
    let good = sheet_fixtures::xlsb("S", &[(0, vec![(0, sheet_fixtures::BinCell::Real(1.0))])]);
    // Replace the sheet part by BrtBeginSheet with a 256 MiB length and two body bytes.
    let parts: Vec<(String, Vec<u8>)> = {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&good)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let name = f.name().unwrap().to_string();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                if name.ends_with("sheet1.bin") {
                    data = vec![0x81, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2];
                }
                (name, data)
            })
            .collect()
    };
    let bytes = sheet_fixtures::zip_parts(&parts);
    let (result, peak) = measured(|| sheet::read(&bytes, Format::Xlsx, &Limits::default()));
    assert_eq!(result.unwrap_err().code(), "corrupt_document");
    assert!(peak < 100 * MB, "peak heap growth {peak} bytes");
}
