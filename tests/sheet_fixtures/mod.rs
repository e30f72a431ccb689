//! Spreadsheet fixtures written by hand with the `zip` crate, shared by the sheet test binaries.
//!
//! Each builder writes the minimal valid parts of its format, so a test states exactly the
//! XML (or BIFF12 records) it feeds the reader, including shapes no office suite would write.
#![allow(dead_code)]

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

/// One worksheet of an [`Xlsx`].
pub struct Sheet {
    pub name: String,
    /// The full worksheet part; see [`worksheet`].
    pub xml: String,
}

/// A worksheet part from its `<sheetData>` rows, an optional `<dimension>` and merged ranges.
pub fn worksheet(dimension: Option<&str>, rows: &str, merges: &[&str]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    );
    if let Some(d) = dimension {
        xml.push_str(&format!(r#"<dimension ref="{d}"/>"#));
    }
    xml.push_str("<sheetData>");
    xml.push_str(rows);
    xml.push_str("</sheetData>");
    if !merges.is_empty() {
        xml.push_str(&format!(r#"<mergeCells count="{}">"#, merges.len()));
        for m in merges {
            xml.push_str(&format!(r#"<mergeCell ref="{m}"/>"#));
        }
        xml.push_str("</mergeCells>");
    }
    xml.push_str("</worksheet>");
    xml
}

/// Styles with these cell formats (`s` attribute): 0 general, 1 `m/d/yyyy` (built-in 14),
/// 2 `yyyy-mm-dd hh:mm` (custom), 3 `0%` (built-in 9), 4 `0.00%` (built-in 10).
pub const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd\ hh:mm"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

/// A workbook to write as xlsx (or xlsm with `macro_enabled`).
#[derive(Default)]
pub struct Xlsx {
    pub sheets: Vec<Sheet>,
    pub shared_strings: Vec<String>,
    pub styles: Option<String>,
    pub macro_enabled: bool,
    /// Extra parts, written after the workbook (e.g. to reach an entry count).
    pub extra: Vec<(String, Vec<u8>)>,
}

impl Xlsx {
    pub fn sheet(mut self, name: &str, xml: String) -> Self {
        self.sheets.push(Sheet {
            name: name.into(),
            xml,
        });
        self
    }

    pub fn build(&self) -> Vec<u8> {
        let main = if self.macro_enabled {
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        } else {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        };
        let mut types = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{main}"/>"#
        );
        let mut sheets = String::new();
        let mut rels = String::new();
        for (i, s) in self.sheets.iter().enumerate() {
            let n = i + 1;
            types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
            sheets.push_str(&format!(
                r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
                s.name
            ));
            rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
        }
        let k = self.sheets.len();
        if !self.shared_strings.is_empty() {
            types.push_str(r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#);
            rels.push_str(&format!(r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#, k + 1));
        }
        if self.styles.is_some() {
            types.push_str(r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#);
            rels.push_str(&format!(r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#, k + 2));
        }
        types.push_str("</Types>");

        let mut parts: Vec<(String, Vec<u8>)> = vec![
            ("[Content_Types].xml".into(), types.into_bytes()),
            ("_rels/.rels".into(), br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec()),
            ("xl/workbook.xml".into(), format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>"#).into_bytes()),
            ("xl/_rels/workbook.xml.rels".into(), format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#).into_bytes()),
        ];
        for (i, s) in self.sheets.iter().enumerate() {
            parts.push((
                format!("xl/worksheets/sheet{}.xml", i + 1),
                s.xml.clone().into_bytes(),
            ));
        }
        if !self.shared_strings.is_empty() {
            let mut sst = format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
                self.shared_strings.len()
            );
            for s in &self.shared_strings {
                sst.push_str(&format!("<si><t>{s}</t></si>"));
            }
            sst.push_str("</sst>");
            parts.push(("xl/sharedStrings.xml".into(), sst.into_bytes()));
        }
        if let Some(styles) = &self.styles {
            parts.push(("xl/styles.xml".into(), styles.clone().into_bytes()));
        }
        parts.extend(self.extra.iter().cloned());
        zip_parts(&parts)
    }
}

/// A deflated zip of `(name, bytes)` parts, in order.
pub fn zip_parts(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, bytes) in parts {
            w.start_file(name.as_str(), SimpleFileOptions::default())
                .unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

/// An ods package: the `mimetype` entry stored first, then `content.xml`. `tables` is the
/// `<table:table>` elements; cells must not be separated by whitespace (calamine refuses it).
pub fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let mut buf = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("mimetype", stored).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        w.start_file("META-INF/manifest.xml", SimpleFileOptions::default())
            .unwrap();
        w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
        w.start_file("content.xml", SimpleFileOptions::default())
            .unwrap();
        w.write_all(content.as_bytes()).unwrap();
        w.finish().unwrap();
    }
    buf.into_inner()
}

// ---------------------------------------------------------------------------------------------
// xlsb: BIFF12 records (MS-XLSB 2.1.4).

/// One record: its type (1-2 bytes, 7 bits each) and length (1-4 bytes, 7 bits each).
pub fn record(typ: u16, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    if typ < 0x80 {
        v.push(typ as u8);
    } else {
        v.push((typ & 0x7F) as u8 | 0x80);
        v.push((typ >> 7) as u8);
    }
    let mut len = body.len();
    loop {
        let b = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            v.push(b);
            break;
        }
        v.push(b | 0x80);
    }
    v.extend_from_slice(body);
    v
}

/// An XLWideString: character count, then UTF-16LE.
pub fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut v = (units.len() as u32).to_le_bytes().to_vec();
    for u in units {
        v.extend(u.to_le_bytes());
    }
    v
}

/// A cell header: column, 24-bit style index and a flags byte.
fn cell_head(col: u32) -> Vec<u8> {
    let mut v = col.to_le_bytes().to_vec();
    v.extend([0, 0, 0, 0]);
    v
}

pub enum BinCell<'a> {
    Real(f64),
    Str(&'a str),
}

/// An xlsb package with one worksheet `name` holding `rows` of `(column, value)`.
pub fn xlsb(name: &str, rows: &[(u32, Vec<(u32, BinCell<'_>)>)]) -> Vec<u8> {
    let mut bundle = 0u32.to_le_bytes().to_vec(); // visible
    bundle.extend(1u32.to_le_bytes()); // tab id
    bundle.extend(wide("rId1"));
    bundle.extend(wide(name));
    let mut workbook = record(0x009C, &bundle); // BrtBundleSh
    workbook.extend(record(0x0090, &[])); // BrtEndBundleShs
    workbook.extend(record(0x009D, &[0; 8])); // BrtCalcProp: ends the defined names

    let mut sheet = record(0x0081, &[]); // BrtBeginSheet
    let mut dim = Vec::new();
    for v in [0u32, 0, 0, 0] {
        dim.extend(v.to_le_bytes());
    }
    sheet.extend(record(0x0094, &dim)); // BrtWsDim
    sheet.extend(record(0x0091, &[])); // BrtBeginSheetData
    for (row, cells) in rows {
        let mut hdr = row.to_le_bytes().to_vec();
        hdr.extend([0; 8]);
        sheet.extend(record(0x0000, &hdr)); // BrtRowHdr
        for (col, cell) in cells {
            let mut body = cell_head(*col);
            match cell {
                BinCell::Real(f) => {
                    body.extend(f.to_le_bytes());
                    sheet.extend(record(0x0005, &body)); // BrtCellReal
                }
                BinCell::Str(s) => {
                    body.extend(wide(s));
                    sheet.extend(record(0x0006, &body)); // BrtCellSt
                }
            }
        }
    }
    sheet.extend(record(0x0092, &[])); // BrtEndSheetData
    sheet.extend(record(0x0082, &[])); // BrtEndSheet

    let parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>"#.to_vec()),
        ("_rels/.rels".into(), br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#.to_vec()),
        ("xl/workbook.bin".into(), workbook),
        ("xl/_rels/workbook.bin.rels".into(), br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#.to_vec()),
        ("xl/worksheets/sheet1.bin".into(), sheet),
    ];
    zip_parts(&parts)
}
