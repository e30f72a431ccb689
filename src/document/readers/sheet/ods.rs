//! OpenDocument spreadsheets (ods) through calamine, measured first.
//!
//! calamine 0.38 has no cell streamer for ods: `Ods::new` parses every table of `content.xml`
//! into a dense `Range` while opening the file, and `worksheet_range` hands out a clone. Those
//! ranges are sized from the cells actually present, not from a declared dimension, but ods
//! *repeats* make "actually present" cheap to fake:
//! - `table:number-columns-repeated="16384"` on a cell with a value makes calamine push 16384
//!   copies of it, for every row, with no cap on the total;
//! - `table:number-rows-repeated` on a non-empty row copies the row that many times (calamine
//!   caps this at 100 million cells, i.e. gigabytes);
//! - `<text:s text:c="4000000000"/>` makes calamine push that many spaces into one string,
//!   which is then copied by both repeats.
//!
//! So before calamine sees the file we stream `content.xml` once with quick-xml and compute,
//! per table, what calamine will build: the cells it pushes per row, the expanded range (rows
//! between the first and last non-empty row, with their repeats, times the columns between
//! the first and last non-empty column), and the text those cells hold once repeated. The file
//! is refused with `LimitExceeded` when a non-empty cell lies at or beyond `max_rows` /
//! `max_columns`, when the pushed cells or the expanded ranges of all tables exceed
//! `max_cells`, or when the repeated text exceeds `max_text_bytes`. "Non-empty" is decided the
//! way calamine does (a value attribute, a string type or a formula), erring on the side of
//! counting. Only then is calamine run. Its cost is then about 90 bytes per range cell (the
//! value, its clone and the formula string), so the default 5 million cell cap bounds it to
//! well under 0.5 GiB even for a hostile file; typical sheets cost a few MB.
//!
//! The scan also records merged regions (`table:number-columns-spanned` /
//! `table:number-rows-spanned`), which calamine does not expose, so they can be filled.

use super::container::zip_error;
use super::grid::Region;
use super::ooxml::core_properties;
use super::Workbook;
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use calamine::{Ods, OdsError, Reader, SheetType};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufReader, Cursor};

/// calamine's own caps (ods.rs): rows per table and columns per row.
const CALAMINE_MAX_ROWS: u64 = 1_048_576;
const CALAMINE_MAX_COLUMNS: u64 = 16_384;
/// Text charged for a value that is not a string (a number or a date prints short).
const SCALAR_TEXT: u64 = 32;

pub(crate) fn read(bytes: &[u8], limits: &Limits, wb: &mut Workbook) -> Result<(), ParseError> {
    let mut merges = prescan(bytes, limits)?;
    let mut book: Ods<Cursor<&[u8]>> = Ods::new(Cursor::new(bytes)).map_err(ods_error)?;
    wb.core_properties = book.workbook_properties().ok().and_then(core_properties);
    let sheets = book.sheets_metadata().to_vec();
    for sheet in sheets {
        if sheet.typ != SheetType::WorkSheet {
            continue;
        }
        let range = book.worksheet_range(&sheet.name).map_err(ods_error)?;
        let sheet_merges = merges.remove(&sheet.name).unwrap_or_default();
        wb.add_range(&sheet.name, range, false, sheet_merges)?;
    }
    Ok(())
}

/// What calamine will build for one table, as far as it costs memory.
#[derive(Default)]
struct TableCost {
    name: String,
    rows_seen: u64,
    first_row: Option<u64>,
    rows_end: u64,
    first_col: Option<u64>,
    cols_end: u64,
    merges: Vec<Region>,
}

#[derive(Default)]
struct RowCost {
    repeats: u64,
    pos: u64,
    first_col: Option<u64>,
    end: u64,
    text: u64,
}

#[derive(Default)]
struct CellCost {
    repeats: u64,
    non_empty: bool,
    text: u64,
    col_span: u64,
    row_span: u64,
    /// Element nesting inside the cell (1 = the cell element itself).
    depth: usize,
}

struct Totals<'a> {
    limits: &'a Limits,
    pushed: u64,
    area: u64,
    text: u64,
}

impl Totals<'_> {
    fn check(&self, table: &str) -> Result<(), ParseError> {
        let cap = self.limits.max_cells as u64;
        if self.pushed > cap || self.area > cap {
            return Err(ParseError::LimitExceeded(format!(
                "ods table {table:?}: its repeated cells expand to more than {cap} cells"
            )));
        }
        if self.text > self.limits.max_text_bytes as u64 {
            return Err(ParseError::LimitExceeded(format!(
                "ods table {table:?}: its repeated cells hold more than {} bytes of text",
                self.limits.max_text_bytes
            )));
        }
        Ok(())
    }
}

fn attr_u64(e: &BytesStart<'_>, key: &str) -> Result<Option<u64>, ParseError> {
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| ParseError::Corrupt(format!("ods content.xml: {err}")))?;
        if a.key.as_ref() == key {
            let v = a.value.trim().parse::<u64>().map_err(|_| {
                ParseError::Corrupt(format!("ods content.xml: {key} is not a count"))
            })?;
            return Ok(Some(v));
        }
    }
    Ok(None)
}

fn cell_start(e: &BytesStart<'_>) -> Result<CellCost, ParseError> {
    let mut c = CellCost {
        repeats: attr_u64(e, "table:number-columns-repeated")?.unwrap_or(1),
        col_span: attr_u64(e, "table:number-columns-spanned")?.unwrap_or(1),
        row_span: attr_u64(e, "table:number-rows-spanned")?.unwrap_or(1),
        depth: 1,
        ..Default::default()
    };
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|err| ParseError::Corrupt(format!("ods content.xml: {err}")))?;
        match a.key.as_ref() {
            "office:value-type"
            | "office:value"
            | "office:date-value"
            | "office:time-value"
            | "office:boolean-value" => {
                c.non_empty = true;
                c.text = c.text.max(SCALAR_TEXT);
            }
            "office:string-value" | "table:formula" => {
                c.non_empty = true;
                c.text += a.value.len() as u64;
            }
            _ => {}
        }
    }
    Ok(c)
}

/// Streams `content.xml` and refuses what would make calamine's ranges too large. Returns
/// the merged regions per table name.
fn prescan(bytes: &[u8], limits: &Limits) -> Result<HashMap<String, Vec<Region>>, ParseError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let part = zip.by_name("content.xml").map_err(|e| match e {
        zip::result::ZipError::FileNotFound => {
            ParseError::Corrupt("ods package has no content.xml".into())
        }
        other => zip_error(other),
    })?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.expand_empty_elements = true;
    config.trim_text(false);

    let mut totals = Totals {
        limits,
        pushed: 0,
        area: 0,
        text: 0,
    };
    let mut merges: HashMap<String, Vec<Region>> = HashMap::new();
    let mut table: Option<TableCost> = None;
    let mut row: Option<RowCost> = None;
    let mut cell: Option<CellCost> = None;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| ParseError::Corrupt(format!("ods content.xml: {e}")))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                if let Some(c) = cell.as_mut() {
                    c.depth += 1;
                    match e.name().as_ref() {
                        "text:s" => {
                            c.text = c.text.saturating_add(attr_u64(&e, "text:c")?.unwrap_or(1));
                        }
                        "text:p" | "text:tab" | "text:line-break" => c.text += 1,
                        _ => {}
                    }
                    continue;
                }
                match e.name().as_ref() {
                    "table:table" if table.is_none() => {
                        let name = e
                            .attributes()
                            .with_checks(false)
                            .flatten()
                            .find(|a| a.key.as_ref() == "table:name")
                            .map(|a| a.value.into_owned());
                        // calamine reads named tables only.
                        if let Some(name) = name {
                            table = Some(TableCost {
                                name,
                                ..Default::default()
                            });
                        }
                    }
                    "table:table-row" if row.is_none() => {
                        if let Some(t) = table.as_ref() {
                            let asked = attr_u64(&e, "table:number-rows-repeated")?.unwrap_or(1);
                            let repeats = asked.min(CALAMINE_MAX_ROWS.saturating_sub(t.rows_seen));
                            row = Some(RowCost {
                                repeats,
                                ..Default::default()
                            });
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" if row.is_some() => {
                        cell = Some(cell_start(&e)?);
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = cell.as_mut() {
                    c.text += t.as_ref().len() as u64;
                }
            }
            Event::CData(t) => {
                if let Some(c) = cell.as_mut() {
                    c.text += t.as_ref().len() as u64;
                }
            }
            Event::GeneralRef(_) => {
                if let Some(c) = cell.as_mut() {
                    c.text += 4;
                }
            }
            Event::End(_) if cell.is_some() => {
                let c = cell.as_mut().expect("checked");
                c.depth -= 1;
                if c.depth == 0 {
                    let c = cell.take().expect("checked");
                    let (Some(t), Some(r)) = (table.as_mut(), row.as_mut()) else {
                        continue;
                    };
                    let repeats = c.repeats.min(CALAMINE_MAX_COLUMNS.saturating_sub(r.pos));
                    if c.non_empty && repeats > 0 {
                        r.first_col.get_or_insert(r.pos);
                        r.end = r.pos + repeats;
                        r.text = r.text.saturating_add(c.text.saturating_mul(repeats));
                    }
                    if c.non_empty && (c.col_span > 1 || c.row_span > 1) {
                        let at_row = t.rows_seen.min(u32::MAX as u64) as u32;
                        let at_col = r.pos.min(u32::MAX as u64) as u32;
                        t.merges.push(Region {
                            first_row: at_row,
                            first_col: at_col,
                            last_row: at_row
                                .saturating_add((c.row_span - 1).min(u32::MAX as u64) as u32),
                            last_col: at_col
                                .saturating_add((c.col_span - 1).min(u32::MAX as u64) as u32),
                        });
                    }
                    r.pos = r.pos.saturating_add(repeats);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "table:table-row" => {
                    let (Some(t), Some(r)) = (table.as_mut(), row.take()) else {
                        continue;
                    };
                    totals.pushed = totals.pushed.saturating_add(r.end);
                    if let Some(first) = r.first_col {
                        if t.rows_seen as usize >= limits.max_rows {
                            return Err(ParseError::LimitExceeded(format!(
                                "ods table {:?}: a non-empty row lies beyond the {}-row limit",
                                t.name, limits.max_rows
                            )));
                        }
                        if r.end > limits.max_columns as u64 {
                            return Err(ParseError::LimitExceeded(format!(
                                "ods table {:?}: a non-empty cell lies beyond the {}-column limit",
                                t.name, limits.max_columns
                            )));
                        }
                        t.first_row.get_or_insert(t.rows_seen);
                        t.rows_end = t.rows_seen + r.repeats;
                        t.first_col = Some(t.first_col.map_or(first, |f| f.min(first)));
                        t.cols_end = t.cols_end.max(r.end);
                        totals.text = totals.text.saturating_add(r.text.saturating_mul(r.repeats));
                    }
                    t.rows_seen += r.repeats;
                    totals.check(&t.name)?;
                    // Rows expanded so far, if this row turns out to be the last non-empty one.
                    if let (Some(r0), Some(c0)) = (t.first_row, t.first_col) {
                        let area = (t.rows_end - r0).saturating_mul(t.cols_end - c0);
                        if totals.area.saturating_add(area) > limits.max_cells as u64 {
                            return Err(ParseError::LimitExceeded(format!(
                                "ods table {:?}: its repeated cells expand to more than {} cells",
                                t.name, limits.max_cells
                            )));
                        }
                    }
                }
                "table:table" if row.is_none() => {
                    if let Some(t) = table.take() {
                        if let (Some(r0), Some(c0)) = (t.first_row, t.first_col) {
                            totals.area = totals
                                .area
                                .saturating_add((t.rows_end - r0).saturating_mul(t.cols_end - c0));
                        }
                        totals.check(&t.name)?;
                        merges.entry(t.name).or_default().extend(t.merges);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(merges)
}

fn ods_error(e: OdsError) -> ParseError {
    match e {
        OdsError::Password => ParseError::Encrypted("password-protected spreadsheet".into()),
        OdsError::Zip(z) => zip_error(z),
        other => ParseError::Corrupt(format!("ods: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn ods(content: &str) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            w.start_file("mimetype", stored).unwrap();
            w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
                .unwrap();
            w.start_file("content.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(content.as_bytes()).unwrap();
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    fn body(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    #[test]
    fn repeats_are_measured_before_calamine_expands_them() {
        let limits = Limits::default();
        // 1000 rows x 16384 copies of one value: 16 million cells from a few hundred bytes.
        let wide = body(
            r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
        );
        let e = prescan(&ods(&wide), &limits).unwrap_err();
        assert!(matches!(e, ParseError::LimitExceeded(_)), "{e:?}");
        // One string of four billion spaces.
        let spaces = body(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#,
        );
        let e = prescan(&ods(&spaces), &limits).unwrap_err();
        assert!(
            matches!(e, ParseError::LimitExceeded(ref m) if m.contains("text")),
            "{e:?}"
        );
        // Empty trailing rows repeated to the end of the sheet cost nothing.
        let normal = body(
            r#"<table:table-row><table:table-cell office:value-type="string" table:number-columns-spanned="2"><text:p>t</text:p></table:table-cell><table:covered-table-cell/></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
        );
        let merges = prescan(&ods(&normal), &limits).unwrap();
        assert_eq!(
            merges["S"],
            vec![Region {
                first_row: 0,
                first_col: 0,
                last_row: 0,
                last_col: 1
            }]
        );
    }
}
