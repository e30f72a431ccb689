//! The spreadsheet reader on real and generated workbooks: tables, cell text, merged cells,
//! facts, and the typed errors for damaged or oversized input.

use crate::sheet_fixtures;

use docingest::document::readers::sheet;
use docingest::document::result::{Fact, Format, Table, TableCell};
use docingest::document::{self, Input, Limits, ParseError, RawDocument};
use sheet_fixtures::{worksheet, BinCell, Xlsx, STYLES};

fn read(bytes: &[u8], format: Format) -> RawDocument {
    sheet::read(bytes, format, &Limits::default()).expect("readable workbook")
}

/// The body text as the reader gives it: one line per non-empty row, one block per sheet.
fn lines(doc: &RawDocument) -> Vec<&str> {
    doc.blocks.iter().flat_map(|b| b.text.split('\n')).collect()
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

fn table(sheet: &str, header: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        sheet: Some(sheet.into()),
        header: strings(header),
        rows: rows.iter().map(|r| strings(r)).collect(),
    }
}

fn fact_summary(f: &Fact) -> (f64, Option<&str>, &str, Option<&str>, Option<&str>) {
    (
        f.value,
        f.unit.as_deref(),
        f.source.as_str(),
        f.kind.as_deref(),
        f.value_text.as_deref(),
    )
}

// ---------------------------------------------------------------------------------------------
// The corpus workbook.

#[test]
fn corpus_indicator_workbook_gives_its_tables_and_facts() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/variants/003_indicators.xlsx"
    ))
    .unwrap();
    let doc = read(&bytes, Format::Xlsx);

    assert_eq!(doc.tables.len(), 2);
    // The title merged over A1:D1 is a caption, not the header; row 10 is empty; B11 is a
    // date (numFmt yyyy年m月d日, serial 45708).
    assert_eq!(
        doc.tables[0],
        table(
            "主要指标",
            &["序号", "指标", "单位", "完成数"],
            &[
                &["1", "审查行政合同", "件", "228"],
                &["2", "行政处罚立案", "件", "357"],
                &["3", "处罚金额", "元", "140905"],
                &["4", "人民调解案件", "件", "825"],
                &["5", "调解成功率", "%", "100"],
                &["6", "行政诉讼败诉率", "%", "57"],
                &["7", "法律明白人", "名", "113"],
                &["", "", "", ""],
                &["填报日期", "2025-02-20", "", ""],
            ],
        )
    );
    assert_eq!(
        doc.tables[1],
        table("说明", &["数据截至2024年12月31日。"], &[])
    );

    let facts: Vec<_> = doc.facts.iter().map(fact_summary).collect();
    assert_eq!(
        facts,
        vec![
            (228.0, Some("件"), "审查行政合同 228 件", None, None),
            (357.0, Some("件"), "行政处罚立案 357 件", None, None),
            (
                140905.0,
                Some("元"),
                "处罚金额 140905 元",
                Some("amount"),
                None
            ),
            (825.0, Some("件"), "人民调解案件 825 件", None, None),
            (100.0, Some("%"), "调解成功率 100 %", Some("ratio"), None),
            (57.0, Some("%"), "行政诉讼败诉率 57 %", Some("ratio"), None),
            (113.0, Some("名"), "法律明白人 113 名", None, None),
        ]
    );
    assert_eq!(
        doc.facts[2].table_cell,
        Some(TableCell {
            table: 0,
            row: 2,
            column: 3
        })
    );

    // One line per non-empty row; the merged title once, not once per merged column.
    let texts = lines(&doc);
    assert_eq!(texts.len(), 11);
    assert_eq!(texts[0], "翠苑街道2024年度法治政府建设主要指标完成情况表");
    assert_eq!(texts[1], "序号\t指标\t单位\t完成数");
    assert_eq!(texts[9], "填报日期\t2025-02-20");
    assert_eq!(texts[10], "数据截至2024年12月31日。");
    // One block per sheet, holding no second copy of its text in `raw`.
    assert_eq!(doc.blocks.len(), 2);
    assert!(doc
        .blocks
        .iter()
        .all(|b| b.in_table && b.one_row_per_line && b.raw.is_empty()));
    assert_eq!(
        doc.core_properties.as_ref().unwrap().author.as_deref(),
        Some("openpyxl")
    );
}

#[test]
fn corpus_workbook_passes_through_the_whole_pipeline() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/variants/003_indicators.xlsx"
    ))
    .unwrap();
    let result = document::parse(
        &Input {
            bytes: &bytes,
            name: Some("003_indicators.xlsx"),
            uri: "file:///003_indicators.xlsx".into(),
        },
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(result.source.format, Format::Xlsx);
    assert_eq!(result.tables.len(), 2);
    assert_eq!(&result.tables[0].rows.row(2)[3], "140905");
    assert!(result
        .facts
        .iter()
        .any(|f| f.source == "行政诉讼败诉率 57 %" && f.value == 57.0));
    assert!(result.text.contains("调解成功率\t%\t100"));
}

// ---------------------------------------------------------------------------------------------
// Generated xlsx.

fn rich_workbook() -> Xlsx {
    let data = worksheet(
        Some("A1:D8"),
        concat!(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>日期</t></is></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><r><t>备</t></r><r><t>注</t></r></is></c></row>"#,
            r#"<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>45292</v></c><c r="C2"><v>42</v></c><c r="D2" t="b"><v>1</v></c></row>"#,
            r#"<row r="3"><c r="A3" t="inlineStr"><is><t>乙</t></is></c><c r="B3" s="2"><v>45292.5</v></c><c r="C3"><v>3.14</v></c><c r="D3" t="e"><v>#DIV/0!</v></c></row>"#,
            r#"<row r="4"><c r="A4" t="inlineStr"><is><t>丙</t></is></c><c r="C4" s="3"><v>0.57</v></c><c r="D4" s="4"><v>0.1234</v></c></row>"#,
            r#"<row r="5"><c r="A5" t="inlineStr"><is><t>合并</t></is></c><c r="B5" t="inlineStr"><is><t>x</t></is></c><c r="C5"><f>C2*2</f><v>84</v></c><c r="D5" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>"#,
            r#"<row r="6"><c r="B6" t="inlineStr"><is><t>y</t></is></c><c r="C6"><v>1E+20</v></c><c r="D6"><v>-0.5</v></c></row>"#,
            r#"<row r="8"><c r="A8" s="1"/><c r="B8"><f>NOW()</f></c></row>"#,
        ),
        &["A5:A6"],
    );
    let indicators = worksheet(
        None,
        concat!(
            r#"<row r="2"><c r="B2" t="inlineStr"><is><t>2024年主要指标</t></is></c></row>"#,
            r#"<row r="3"><c r="B3" t="inlineStr"><is><t>单位：万元</t></is></c></row>"#,
            r#"<row r="4"><c r="B4" t="inlineStr"><is><t>项目</t></is></c><c r="C4" t="inlineStr"><is><t>2023年</t></is></c><c r="D4" t="inlineStr"><is><t>2024年</t></is></c><c r="E4" t="inlineStr"><is><t>目标值</t></is></c></row>"#,
            r#"<row r="5"><c r="B5" t="inlineStr"><is><t>法治宣传经费</t></is></c><c r="C5"><v>40</v></c><c r="D5"><v>45.15</v></c><c r="E5"><v>50</v></c></row>"#,
            r#"<row r="6"><c r="B6" t="inlineStr"><is><t>备注</t></is></c><c r="D6" t="inlineStr"><is><t>无</t></is></c></row>"#,
        ),
        &["B2:E2"],
    );
    Xlsx {
        shared_strings: strings(&["名称", "数值", "甲"]),
        styles: Some(STYLES.into()),
        ..Default::default()
    }
    .sheet("数据", data)
    .sheet("空", worksheet(Some("A1"), "", &[]))
    .sheet("指标", indicators)
}

#[test]
fn xlsx_cells_strings_numbers_dates_and_merges() {
    let doc = read(&rich_workbook().build(), Format::Xlsx);
    // The empty sheet gives no table.
    assert_eq!(doc.tables.len(), 2);
    assert_eq!(
        doc.tables[0],
        table(
            "数据",
            &["名称", "日期", "数值", "备注"],
            &[
                &["甲", "2024-01-01", "42", "TRUE"],
                &["乙", "2024-01-01T12:00:00", "3.14", "#DIV/0!"],
                &["丙", "", "57%", "12.34%"],
                // A5:A6 is merged: its value is on both rows.
                &["合并", "x", "84", "ab"],
                &["合并", "y", "1e20", "-0.5"],
            ],
        )
    );
    // Row 8 only has a styled empty cell and a formula with no cached value: trimmed.
    assert_eq!(lines(&doc)[5], "\ty\t1e20\t-0.5");
}

#[test]
fn xlsx_indicator_sheet_with_captions_year_columns_and_a_caption_unit() {
    let doc = read(&rich_workbook().build(), Format::Xlsx);
    assert_eq!(
        doc.tables[1],
        table(
            "指标",
            &["项目", "2023年", "2024年", "目标值"],
            &[
                &["法治宣传经费", "40", "45.15", "50"],
                &["备注", "", "无", ""]
            ],
        )
    );
    let facts: Vec<_> = doc.facts.iter().map(fact_summary).collect();
    assert_eq!(
        facts,
        vec![
            (
                451500.0,
                Some("元"),
                "法治宣传经费 45.15 万元",
                Some("amount"),
                Some("45.15万")
            ),
            (
                500000.0,
                Some("元"),
                "法治宣传经费 50 万元",
                Some("target"),
                Some("50万")
            ),
        ]
    );
    assert_eq!(
        doc.facts[0].table_cell,
        Some(TableCell {
            table: 1,
            row: 0,
            column: 2
        })
    );
}

#[test]
fn xlsm_is_read_like_xlsx_and_reports_xlsx() {
    let book = Xlsx {
        macro_enabled: true,
        ..Default::default()
    }
    .sheet(
        "S",
        worksheet(
            None,
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>1</v></c></row>"#,
            &[],
        ),
    );
    let bytes = book.build();
    let result = document::parse(
        &Input {
            bytes: &bytes,
            name: Some("m.xlsm"),
            uri: String::new(),
        },
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(result.source.format, Format::Xlsx);
    assert_eq!(result.tables, vec![table("S", &["a", "1"], &[])]);
}

#[test]
fn cells_out_of_order_are_placed_by_their_reference() {
    let rows = concat!(
        r#"<row r="3"><c r="B3"><v>4</v></c><c r="A3"><v>3</v></c></row>"#,
        r#"<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>"#,
        r#"<row r="3"><c r="B3"><v>5</v></c></row>"#,
    );
    let doc = read(
        &Xlsx::default()
            .sheet("S", worksheet(None, rows, &[]))
            .build(),
        Format::Xlsx,
    );
    assert_eq!(
        doc.tables[0],
        table("S", &["1", "2"], &[&["", ""], &["3", "5"]])
    );
}

#[test]
fn an_all_empty_workbook_has_no_tables_and_no_blocks() {
    let doc = read(
        &Xlsx::default()
            .sheet("A", worksheet(None, "", &[]))
            .sheet(
                "B",
                worksheet(
                    Some("A1:C3"),
                    r#"<row r="1"><c r="A1" t="inlineStr"><is><t>  </t></is></c></row>"#,
                    &[],
                ),
            )
            .build(),
        Format::Xlsx,
    );
    assert!(doc.tables.is_empty());
    assert!(doc.blocks.is_empty());
    assert!(doc.facts.is_empty());
}

// ---------------------------------------------------------------------------------------------
// xlsb, xls, ods.

#[test]
fn xlsb_is_told_apart_from_xlsx_and_streamed() {
    let bytes = sheet_fixtures::xlsb(
        "指标",
        &[
            (
                0,
                vec![
                    (0, BinCell::Str("指标")),
                    (1, BinCell::Str("单位")),
                    (2, BinCell::Str("完成数")),
                ],
            ),
            (
                1,
                vec![
                    (0, BinCell::Str("行政复议案件")),
                    (1, BinCell::Str("件")),
                    (2, BinCell::Real(43.0)),
                ],
            ),
            (3, vec![(2, BinCell::Real(0.25))]),
        ],
    );
    assert_eq!(
        docingest::document::detect::detect(&bytes, None).unwrap(),
        Format::Xlsx
    );
    let doc = read(&bytes, Format::Xlsx);
    assert_eq!(
        doc.tables,
        vec![table(
            "指标",
            &["指标", "单位", "完成数"],
            &[
                &["行政复议案件", "件", "43"],
                &["", "", ""],
                &["", "", "0.25"]
            ],
        )]
    );
    assert_eq!(doc.facts.len(), 1);
    assert_eq!(doc.facts[0].source, "行政复议案件 43 件");
}

#[test]
fn xls_fixture_gives_tables_merges_dates_and_facts() {
    // Written by tests/fixtures/make_sheet_fixtures.py (xlwt).
    let bytes = include_bytes!("../fixtures/sheet_basic.xls");
    assert_eq!(
        docingest::document::detect::detect(bytes, None).unwrap(),
        Format::Xls
    );
    let doc = read(bytes, Format::Xls);
    assert_eq!(doc.tables.len(), 2, "the empty sheet gives no table");
    assert_eq!(
        doc.tables[0],
        table(
            "指标",
            &["序号", "指标名称", "计量单位", "实际完成"],
            &[
                &["1", "行政复议案件", "件", "43"],
                &["2", "罚没金额", "万元", "45.15"],
                &["3", "行政诉讼败诉率", "%", "12.5"],
                &["4", "普法宣传", "场", "完成"],
                &["", "", "", ""],
                &["填报日期", "2024-01-15", "", ""],
            ],
        )
    );
    // The category merged over two rows is on both; the formula has no cached value.
    assert_eq!(
        doc.tables[1],
        table(
            "数据",
            &["类别", "值"],
            &[
                &["甲类", "42"],
                &["甲类", "0.1"],
                &["合计", ""],
                &["TRUE", ""]
            ],
        )
    );
    let facts: Vec<_> = doc.facts.iter().map(fact_summary).collect();
    assert_eq!(
        facts,
        vec![
            (43.0, Some("件"), "行政复议案件 43 件", None, None),
            (
                451500.0,
                Some("元"),
                "罚没金额 45.15 万元",
                Some("amount"),
                Some("45.15万")
            ),
            (
                12.5,
                Some("%"),
                "行政诉讼败诉率 12.5 %",
                Some("ratio"),
                None
            ),
        ]
    );
    assert_eq!(lines(&doc)[0], "某街道2023年法治政府建设指标");
    assert_eq!(lines(&doc)[9], "\t0.1");
}

#[test]
fn ods_tables_repeats_spans_and_dates() {
    let bytes = sheet_fixtures::ods(concat!(
        r#"<table:table table:name="指标">"#,
        r#"<table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="3"><text:p>2024年指标</text:p></table:table-cell><table:covered-table-cell/><table:covered-table-cell/></table:table-row>"#,
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>指标名称</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>单位</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>完成值</text:p></table:table-cell></table:table-row>"#,
        r#"<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>培训<text:s text:c="2"/>次数</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>次</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12"/></table:table-row>"#,
        r#"<table:table-row><table:table-cell office:value-type="date" office:date-value="2024-12-31"/><table:table-cell table:number-columns-repeated="2"/></table:table-row>"#,
        r#"<table:table-row table:number-rows-repeated="1048571"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
        r#"</table:table>"#,
        r#"<table:table table:name="空"><table:table-row><table:table-cell/></table:table-row></table:table>"#,
    ));
    assert_eq!(
        docingest::document::detect::detect(&bytes, None).unwrap(),
        Format::Ods
    );
    let doc = read(&bytes, Format::Ods);
    assert_eq!(
        doc.tables,
        vec![table(
            "指标",
            &["指标名称", "单位", "完成值"],
            &[
                &["培训  次数", "次", "12"],
                &["培训  次数", "次", "12"],
                &["2024-12-31", "", ""],
            ],
        )]
    );
    assert_eq!(lines(&doc)[0], "2024年指标");
    assert_eq!(doc.facts.len(), 2);
    assert_eq!(doc.facts[1].source, "培训  次数 12 次");
    assert_eq!(doc.facts[1].table_cell.as_ref().unwrap().row, 1);
}

// ---------------------------------------------------------------------------------------------
// Damaged and oversized input: typed errors, never a panic.

fn code(r: Result<RawDocument, ParseError>) -> &'static str {
    r.expect_err("must fail").code()
}

#[test]
fn truncated_xlsx_is_corrupt() {
    let bytes = rich_workbook().build();
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 30] {
        assert_eq!(
            code(sheet::read(&bytes[..cut], Format::Xlsx, &Limits::default())),
            "corrupt_document",
            "cut at {cut}"
        );
    }
}

#[test]
fn bad_crc_in_a_sheet_part_is_corrupt() {
    let sheet = worksheet(
        None,
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>hello world</t></is></c></row>"#,
        &[],
    );
    // Stored, so the text can be altered in place without breaking the deflate stream.
    let parts = vec![("xl/worksheets/sheet1.xml".to_string(), sheet.into_bytes())];
    let mut bytes = Xlsx::default().sheet("S", worksheet(None, "", &[])).build();
    // Re-pack with the sheet stored uncompressed, then flip one byte of its text.
    bytes = repack_stored(&bytes, &parts);
    let at = find(&bytes, b"hello world").expect("stored text");
    bytes[at] = b'j';
    let err = sheet::read(&bytes, Format::Xlsx, &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "corrupt_document", "{err}");
    assert!(err.to_string().contains("sheet1.xml"), "{err}");
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Rewrites a zip, replacing the named parts' contents and storing them uncompressed.
fn repack_stored(bytes: &[u8], replace: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            let data = replace
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(data, |(_, d)| d.clone());
            w.start_file(name.as_str(), opts).unwrap();
            w.write_all(&data).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

#[test]
fn a_sheet_over_the_row_cap_is_a_limit_error() {
    let mut rows = String::new();
    for r in 1..=11 {
        rows.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    let bytes = Xlsx::default()
        .sheet("S", worksheet(None, &rows, &[]))
        .build();
    let limits = Limits {
        max_rows: 10,
        ..Limits::default()
    };
    let err = sheet::read(&bytes, Format::Xlsx, &limits).unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    assert!(err.to_string().contains("A11"), "{err}");
    // Ten rows are fine.
    assert!(sheet::read(
        &bytes,
        Format::Xlsx,
        &Limits {
            max_rows: 11,
            ..limits
        }
    )
    .is_ok());
}

#[test]
fn column_cell_and_text_caps_are_limit_errors() {
    let rows = r#"<row r="1"><c r="A1"><v>1</v></c><c r="F1"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>0</v></c></row>"#;
    let bytes = Xlsx {
        shared_strings: vec!["x".repeat(1000)],
        ..Default::default()
    }
    .sheet("S", worksheet(None, rows, &[]))
    .build();
    let read_with = |limits: Limits| sheet::read(&bytes, Format::Xlsx, &limits);
    assert!(read_with(Limits::default()).is_ok());
    let e = read_with(Limits {
        max_columns: 5,
        ..Limits::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("F1"), "{e}");
    assert_eq!(
        code(read_with(Limits {
            max_cells: 3,
            ..Limits::default()
        })),
        "limit_exceeded"
    );
    // One shared string copied into two cells: 2000 bytes of text.
    assert_eq!(
        code(read_with(Limits {
            max_text_bytes: 1500,
            ..Limits::default()
        })),
        "limit_exceeded"
    );
}

#[test]
fn too_many_zip_entries_is_a_limit_error() {
    let mut book = Xlsx::default().sheet(
        "S",
        worksheet(None, r#"<row r="1"><c r="A1"><v>1</v></c></row>"#, &[]),
    );
    for i in 0..30 {
        book.extra
            .push((format!("docProps/custom{i}.xml"), b"<x/>".to_vec()));
    }
    let bytes = book.build();
    let limits = Limits {
        max_zip_entries: 20,
        ..Limits::default()
    };
    let err = sheet::read(&bytes, Format::Xlsx, &limits).unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    assert!(err.to_string().contains("entries"), "{err}");
    assert!(sheet::read(&bytes, Format::Xlsx, &Limits::default()).is_ok());
}

#[test]
fn an_oversized_part_is_refused_before_it_is_inflated() {
    let mut rows = String::new();
    for r in 1..=2000 {
        rows.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    let bytes = Xlsx::default()
        .sheet("S", worksheet(None, &rows, &[]))
        .build();
    let limits = Limits {
        max_part_bytes: 10_000,
        ..Limits::default()
    };
    let err = sheet::read(&bytes, Format::Xlsx, &limits).unwrap_err();
    assert_eq!(err.code(), "limit_exceeded");
    assert!(err.to_string().contains("sheet1.xml"), "{err}");
}

#[test]
fn damaged_xls_and_ods_are_corrupt() {
    let xls = include_bytes!("../fixtures/sheet_basic.xls");
    assert_eq!(
        code(sheet::read(
            &xls[..xls.len() / 2],
            Format::Xls,
            &Limits::default()
        )),
        "corrupt_document"
    );
    let ods = sheet_fixtures::ods(r#"<table:table table:name="S"><table:table-row>"#);
    assert_eq!(
        code(sheet::read(&ods, Format::Ods, &Limits::default())),
        "corrupt_document"
    );
}

#[test]
fn xls_with_a_cyclic_sector_chain_is_corrupt_not_endless() {
    let mut xls = include_bytes!("../fixtures/sheet_basic.xls").to_vec();
    // Point the first FAT entry of the directory chain back at itself.
    let dir_start = u32::from_le_bytes(xls[48..52].try_into().unwrap()) as usize;
    let fat_sector = u32::from_le_bytes(xls[76..80].try_into().unwrap()) as usize;
    let at = 512 + fat_sector * 512 + dir_start * 4;
    xls[at..at + 4].copy_from_slice(&(dir_start as u32).to_le_bytes());
    let err = sheet::read(&xls, Format::Xls, &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "corrupt_document", "{err}");
    assert!(err.to_string().contains("loops"), "{err}");
}

#[test]
fn xls_declaring_huge_dimensions_costs_only_its_cells() {
    let original = include_bytes!("../fixtures/sheet_basic.xls");
    let mut xls = original.to_vec();
    // DIMENSIONS (0x0200, 14 bytes) of the first sheet: set its last row + 1 to 2^31. The
    // reader sizes nothing from it, so the workbook reads as it did.
    let at = find(&xls, &[0x00, 0x02, 0x0E, 0x00]).expect("a DIMENSIONS record") + 4;
    xls[at + 4..at + 8].copy_from_slice(&0x8000_0000u32.to_le_bytes());
    let declared = sheet::read(&xls, Format::Xls, &Limits::default()).unwrap();
    let as_written = sheet::read(original, Format::Xls, &Limits::default()).unwrap();
    assert_eq!(declared.tables, as_written.tables);
}

#[test]
fn unsupported_formats_are_refused() {
    assert_eq!(
        code(sheet::read(b"hello", Format::Txt, &Limits::default())),
        "unsupported_format"
    );
}

#[test]
fn a_styled_empty_cell_far_out_does_not_fail_a_real_file() {
    let rows = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>"#;
    let bytes = Xlsx {
        styles: Some(STYLES.into()),
        ..Default::default()
    }
    .sheet("S", worksheet(Some("A1:XFD1048576"), rows, &[]))
    .build();
    let doc = read(&bytes, Format::Xlsx);
    assert_eq!(doc.tables, vec![table("S", &["1"], &[])]);
}
