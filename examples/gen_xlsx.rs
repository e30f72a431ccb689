//! Writes a large single-sheet xlsx for the spreadsheet benchmark (benches/sheet_bench.sh).
//!
//! `cargo run --release --example gen_xlsx -- OUT.xlsx [ROWS] [COLUMNS] [--refs]`
//! (default 200000 x 10). The sheet has a header row, then per row: a row number, a name from a
//! small shared-string pool, and numbers (integers and two-decimal floats) in the other columns
//! — the shape of a statistics export. The sheet XML is streamed into the zip, so the generator
//! itself stays small whatever the size.
//!
//! Cells carry no `r` reference by default (it is optional in SpreadsheetML; rows keep theirs).
//! `--refs` writes one on every cell, the way Excel does, which makes a 200000 x 10 sheet about
//! 67 MB of XML instead of 44 MB; benches/sheet_bench.sh passes it unless told `--no-refs`.

use std::io::{BufWriter, Write};
use zip::write::SimpleFileOptions;

fn col_name(mut c: usize) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        s.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

fn main() -> std::io::Result<()> {
    let refs = std::env::args().any(|a| a == "--refs");
    let mut args = std::env::args().skip(1).filter(|a| a != "--refs");
    let out = args
        .next()
        .unwrap_or_else(|| "target/bench-200k.xlsx".to_string());
    let rows: usize = args.next().map_or(200_000, |s| s.parse().expect("ROWS"));
    let cols: usize = args
        .next()
        .map_or(10, |s| s.parse().expect("COLUMNS"))
        .max(3);
    let pool: Vec<String> = (0..64).map(|i| format!("第{i}街道社区")).collect();

    let file = BufWriter::new(std::fs::File::create(&out)?);
    let mut zip = zip::ZipWriter::new(file);
    let opts = SimpleFileOptions::default();
    let put = |zip: &mut zip::ZipWriter<_>, name: &str, body: &str| -> std::io::Result<()> {
        zip.start_file(name, opts)?;
        zip.write_all(body.as_bytes())
    };
    put(
        &mut zip,
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
    )?;
    put(
        &mut zip,
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    )?;
    put(
        &mut zip,
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    )?;
    put(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    )?;
    let mut sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        pool.len()
    );
    for s in &pool {
        sst.push_str(&format!("<si><t>{s}</t></si>"));
    }
    sst.push_str("</sst>");
    put(&mut zip, "xl/sharedStrings.xml", &sst)?;

    zip.start_file("xl/worksheets/sheet1.xml", opts)?;
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:{}{}"/><sheetData>"#,
        col_name(cols - 1),
        rows + 1
    )?;
    write!(zip, r#"<row r="1">"#)?;
    for c in 0..cols {
        write!(
            zip,
            r#"<c r="{}1" t="inlineStr"><is><t>字段{c}</t></is></c>"#,
            col_name(c)
        )?;
    }
    write!(zip, "</row>")?;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for r in 2..=rows + 1 {
        let at = |c: usize| {
            if refs {
                format!(r#" r="{}{r}""#, col_name(c))
            } else {
                String::new()
            }
        };
        write!(zip, r#"<row r="{r}"><c{}><v>{}</v></c>"#, at(0), r - 1)?;
        write!(zip, r#"<c{} t="s"><v>{}</v></c>"#, at(1), r % pool.len())?;
        for c in 2..cols {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if c % 2 == 0 {
                write!(zip, r#"<c{}><v>{}</v></c>"#, at(c), x % 100_000)?;
            } else {
                write!(
                    zip,
                    r#"<c{}><v>{}.{:02}</v></c>"#,
                    at(c),
                    x % 10_000,
                    x % 100
                )?;
            }
        }
        write!(zip, "</row>")?;
    }
    write!(zip, "</sheetData></worksheet>")?;
    zip.finish()?.flush()?;
    eprintln!("wrote {out}: {rows} rows x {cols} columns");
    Ok(())
}
