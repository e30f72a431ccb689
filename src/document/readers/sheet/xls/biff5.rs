//! Excel 5.0/95 workbooks (BIFF5) through calamine, measured first.
//!
//! Our own reader ([`super`]) covers Excel 97-2003 (BIFF8). BIFF5 stays with calamine as
//! before: calamine reads some BIFF5 workbooks and fails on others (charts, older records), and
//! a failure there is reported as the format's (`UnsupportedFormat`), not as damage.
//!
//! calamine 0.38 has no cell streamer for xls: `Xls::new` decodes every sheet into a `Range`
//! while opening the file. These are the allocations a file controls there (the compound-file
//! ones are refused by [`super::cfb`] before calamine runs):
//! 1. a sheet's `DIMENSIONS` record is trusted: `cells.reserve(rows * cols)` with rows up to
//!    2^32 from the record (declared, not actual, dimensions; an inverted range underflows);
//! 2. `Range::from_sparse` allocates the bounding box of the cells actually present (a cell at
//!    A1 and one at IV65536 is 16.7 million `Data` values), for values and again for formulas;
//! 3. every `LABELSST` cell clones its shared string. Excel 5.0/95 has no shared string table
//!    (it came with BIFF8), so a BIFF5 stream that holds one is refused here;
//! 4. formula text is rebuilt from tokens; a defined-name or space token expands a few bytes
//!    into up to a few hundred.
//!
//! So the workbook stream is pre-scanned: for every sheet substream calamine will decode, the
//! declared dimensions, each cell's position, the bounding box, the number of cell records, the
//! text they hold and the size of the formula token streams. The file is refused with
//! `LimitExceeded` when a cell lies at or beyond `max_rows` / `max_columns`, when a sheet
//! declares dimensions beyond the 65,536 x 256 grid of the format (within it the reservation is
//! untouched address space), when cell records or bounding boxes of all sheets exceed
//! `max_cells`, when cell text exceeds `max_text_bytes`, or when formula tokens could expand
//! past `max_total_uncompressed_bytes`. Only then is calamine run, and its ranges are read back
//! cell by cell through the usual caps.

use super::super::ooxml::{region, sheet_kind};
use super::super::Workbook;
use super::{check_walked, corrupt, filepass, u16_at, u32_at, Records};
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use calamine::{Reader, SheetType, Xls, XlsError};
use std::io::Cursor;

/// Reads a BIFF5 workbook whose `Workbook` stream is `stream`.
pub(super) fn read(
    bytes: &[u8],
    stream: Vec<u8>,
    limits: &Limits,
    wb: &mut Workbook,
) -> Result<(), ParseError> {
    prescan(&stream, limits)?;
    drop(stream);
    match read_checked(bytes, wb) {
        Err(ParseError::Corrupt(msg) | ParseError::UndecodableText(msg)) => Err(unsupported(&msg)),
        other => other,
    }
}

fn unsupported(why: &str) -> ParseError {
    ParseError::UnsupportedFormat(format!(
        "Excel 5.0/95 workbook (BIFF5) that could not be read ({why}); save it as .xlsx or \
         Excel 97-2003 .xls"
    ))
}

/// calamine's whole-workbook decode, after the pre-scan has bounded it.
fn read_checked(bytes: &[u8], wb: &mut Workbook) -> Result<(), ParseError> {
    let mut book: Xls<Cursor<&[u8]>> = Xls::new(Cursor::new(bytes)).map_err(xls_error)?;
    let is_1904 = book.has_1904_epoch();
    let sheets = book.sheets_metadata().to_vec();
    for sheet in sheets {
        if sheet.typ != SheetType::WorkSheet {
            wb.skip_sheet(&sheet.name, sheet_kind(sheet.typ));
            continue;
        }
        let range = book.worksheet_range(&sheet.name).map_err(xls_error)?;
        let merges = book
            .merge_cells_by_sheet_name(&sheet.name)
            .map_err(xls_error)?
            .into_iter()
            .map(region)
            .collect();
        wb.add_range(&sheet.name, range, is_1904, merges)?;
    }
    Ok(())
}

fn xls_error(e: XlsError) -> ParseError {
    match e {
        XlsError::Password => ParseError::Encrypted("password-protected workbook".into()),
        other => ParseError::Corrupt(format!("xls: {other}")),
    }
}

/// Running totals over every sheet calamine will decode.
struct Costs<'a> {
    limits: &'a Limits,
    cells: u64,
    boxes: u64,
    text: u64,
    formula: u64,
}

impl Costs<'_> {
    fn check(&self) -> Result<(), ParseError> {
        let cap = self.limits.max_cells as u64;
        if self.cells > cap {
            return Err(ParseError::LimitExceeded(format!(
                "xls workbook has more than {cap} cell records"
            )));
        }
        if self.boxes > cap {
            return Err(ParseError::LimitExceeded(format!(
                "xls sheets span more than {cap} cells"
            )));
        }
        if self.text > self.limits.max_text_bytes as u64 {
            return Err(ParseError::LimitExceeded(format!(
                "xls cells hold more than {} bytes of text",
                self.limits.max_text_bytes
            )));
        }
        if self.formula > self.limits.max_total_uncompressed_bytes {
            return Err(ParseError::LimitExceeded(format!(
                "xls formulas could expand to more than {} bytes",
                self.limits.max_total_uncompressed_bytes
            )));
        }
        Ok(())
    }
}

/// An Excel 97-2003 sheet: 65,536 rows by 256 columns.
const BIFF8_GRID_CELLS: u64 = 65_536 * 256;

/// Formula text calamine may build per token byte: a 4-byte space token inserts up to 255
/// spaces; a defined-name token inserts the name.
const FORMULA_EXPANSION: u64 = 64;

fn prescan(stream: &[u8], limits: &Limits) -> Result<(), ParseError> {
    let mut sheet_offsets = Vec::new();
    let mut longest_name: u64 = 0;
    for r in (Records { stream }) {
        let r = r?;
        match r.typ {
            0x002F => return Err(filepass(&r)),
            0x0085 => {
                sheet_offsets.push(u32_at(r.data, 0).ok_or_else(|| corrupt("short BOUNDSHEET"))?)
            }
            // SST: only BIFF8 has shared strings; calamine would clone one per LABELSST cell.
            0x00FC => {
                return Err(corrupt(
                    "an Excel 5.0/95 workbook holding a shared string table (BIFF8 only)",
                ))
            }
            // LBL: name length in characters at byte 3.
            0x0018 => longest_name = longest_name.max(*r.data.get(3).unwrap_or(&0) as u64 * 3),
            0x000A => break,
            _ => {}
        }
    }
    let expansion = FORMULA_EXPANSION.max(longest_name / 4 + 1);
    let mut walked = 0usize;
    let mut costs = Costs {
        limits,
        cells: 0,
        boxes: 0,
        text: 0,
        formula: 0,
    };
    for (n, &offset) in sheet_offsets.iter().enumerate() {
        let sheet = stream
            .get(offset as usize..)
            .ok_or_else(|| corrupt(format!("sheet {n} starts beyond the Workbook stream")))?;
        walked += scan_sheet(sheet, n, expansion, &mut costs)?;
        check_walked(walked, stream)?;
    }
    Ok(())
}

/// Measures one sheet substream; returns the bytes its records took.
fn scan_sheet(
    sheet: &[u8],
    n: usize,
    expansion: u64,
    costs: &mut Costs<'_>,
) -> Result<usize, ParseError> {
    let limits = costs.limits;
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut place = |row: u32, col: u32, count: u64, text: u64, costs: &mut Costs<'_>| {
        if row as usize >= limits.max_rows || col as usize >= limits.max_columns {
            return Err(ParseError::LimitExceeded(format!(
                "xls sheet {n}: cell {} is beyond the {}-row / {}-column limits",
                super::super::grid::a1(row, col),
                limits.max_rows,
                limits.max_columns
            )));
        }
        let last_col = col.saturating_add(count.saturating_sub(1) as u32);
        bbox = Some(match bbox {
            None => (row, row, col, last_col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(last_col)),
        });
        costs.cells += count;
        costs.text = costs.text.saturating_add(text);
        costs.check()
    };
    let rc = |d: &[u8]| -> Result<(u32, u32), ParseError> {
        Ok((
            u16_at(d, 0).ok_or_else(|| corrupt("short cell record"))? as u32,
            u16_at(d, 2).ok_or_else(|| corrupt("short cell record"))? as u32,
        ))
    };
    let mut records = Records { stream: sheet };
    for r in records.by_ref() {
        let r = r?;
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 => {
                let (rf, rl, mut cf, cl) = match d.len() {
                    10 => (
                        u16_at(d, 0).unwrap_or(0) as u32,
                        u16_at(d, 2).unwrap_or(0) as u32,
                        u16_at(d, 4).unwrap_or(0) as u32,
                        u16_at(d, 6).unwrap_or(0) as u32,
                    ),
                    14 | 16 => (
                        u32_at(d, 0).unwrap_or(0),
                        u32_at(d, 4).unwrap_or(0),
                        u16_at(d, 8).unwrap_or(0) as u32,
                        u16_at(d, 10).unwrap_or(0) as u32,
                    ),
                    _ => continue, // calamine refuses the file itself
                };
                if cf > 0xFF || cl < cf {
                    cf = 0;
                }
                let (end_r, end_c) = if rl >= 1 && cl >= 1 {
                    (rl - 1, cl - 1)
                } else {
                    (rf, cf)
                };
                if end_r < rf || end_c < cf {
                    return Err(corrupt(format!(
                        "sheet {n}: DIMENSIONS ends before it starts"
                    )));
                }
                let declared = ((end_r - rf) as u64 + 1).saturating_mul((end_c - cf) as u64 + 1);
                // calamine reserves room for the declared rectangle but writes only the cells
                // that exist: a reservation within the format's own grid is address space it
                // never touches, and real files declare the whole grid. Beyond that grid a
                // declaration is a lie meant to make the allocation fail, and is refused. The
                // cells that exist are counted below.
                if declared > BIFF8_GRID_CELLS {
                    return Err(ParseError::LimitExceeded(format!(
                        "xls sheet {n}: DIMENSIONS declares {declared} cells, more than an \
                         Excel 97-2003 sheet can hold ({BIFF8_GRID_CELLS})"
                    )));
                }
            }
            // NUMBER, RK, BOOLERR
            0x0203 | 0x027E | 0x0205 => {
                let (row, col) = rc(d)?;
                place(row, col, 1, 32, costs)?;
            }
            // LABEL, RSTRING: the text is in the record
            0x0204 | 0x00D6 => {
                let (row, col) = rc(d)?;
                place(row, col, 1, d.len() as u64 * 3, costs)?;
            }
            // MULRK: several numbers in one row
            0x00BD => {
                let (row, col) = rc(d)?;
                let last = d
                    .len()
                    .checked_sub(2)
                    .and_then(|at| u16_at(d, at))
                    .ok_or_else(|| corrupt("short MULRK"))? as u32;
                let count = (last.saturating_sub(col) as u64) + 1;
                place(row, col, count, 32 * count, costs)?;
            }
            // FORMULA: a value cell, a formula cell, and formula text built from the tokens
            0x0006 => {
                let (row, col) = rc(d)?;
                let tokens = d.len().saturating_sub(20) as u64;
                costs.formula = costs
                    .formula
                    .saturating_add(tokens.saturating_mul(expansion) + 64);
                place(row, col, 2, 32, costs)?;
            }
            // STRING: the text result of the previous formula
            0x0207 => {
                costs.text = costs.text.saturating_add(d.len() as u64 * 3);
                costs.check()?;
            }
            _ => {}
        }
    }
    if let Some((r0, r1, c0, c1)) = bbox {
        let area = (r1 - r0) as u64 + 1;
        costs.boxes = costs
            .boxes
            .saturating_add(area.saturating_mul((c1 - c0) as u64 + 1));
        costs.check()?;
    }
    Ok(sheet.len() - records.stream.len())
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    #[test]
    fn a_far_cell_and_an_inverted_dimension_are_refused() {
        let limits = Limits {
            max_rows: 1000,
            ..Limits::default()
        };
        let mut sheet = record(0x0809, &[0; 16]);
        sheet.extend(record(
            0x0203,
            &[0xE8, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        let mut costs = Costs {
            limits: &limits,
            cells: 0,
            boxes: 0,
            text: 0,
            formula: 0,
        };
        let e = scan_sheet(&sheet, 0, 64, &mut costs).unwrap_err();
        assert!(
            matches!(e, ParseError::LimitExceeded(ref m) if m.contains("A1001")),
            "{e:?}"
        );

        let mut sheet = record(0x0809, &[0; 16]);
        // rows 10..5 (first 10, last+1 5)
        let mut dim = 10u32.to_le_bytes().to_vec();
        dim.extend(5u32.to_le_bytes());
        dim.extend([0, 0, 1, 0, 0, 0]);
        sheet.extend(record(0x0200, &dim));
        let e = scan_sheet(&sheet, 0, 64, &mut costs).unwrap_err();
        assert!(matches!(e, ParseError::Corrupt(_)), "{e:?}");
    }

    #[test]
    fn a_shared_string_table_in_an_excel5_stream_is_refused() {
        let mut stream = record(0x0809, &[0x00, 0x05, 0x05, 0x00, 0, 0, 0, 0]);
        stream.extend(record(0x00FC, &[1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, b'a']));
        stream.extend(record(0x000A, &[]));
        let e = prescan(&stream, &Limits::default()).unwrap_err();
        assert!(
            matches!(e, ParseError::Corrupt(ref m) if m.contains("shared string")),
            "{e:?}"
        );
    }
}
