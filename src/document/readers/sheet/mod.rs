//! Spreadsheet reader: xlsx / xlsm / xlsb / xls / ods -> tables, facts and text blocks.
//!
//! # What it produces
//! - one [`Table`] per worksheet that holds any text, in workbook order (`sheet` = its name).
//!   The table spans the sheet's used cells: from the first to the last non-empty row and
//!   column (leading and trailing empty rows and columns are trimmed), empty cells inside it
//!   are `""`. Leading *caption* rows — a row whose non-empty cells all hold one and the same
//!   text, typically a title merged across the table (`翠苑街道2024年度…情况表`) — are not the
//!   header: the header is the first non-empty row after them, `rows` are the rest. Captions
//!   stay in the text. Empty sheets produce no table; chart and macro sheets are skipped with
//!   a `sheet_skipped` warning.
//! - merged regions (xlsx, xlsm, xls, ods) are filled with their top-left value in `tables`, so
//!   a category merged down several rows is found on each of them. xlsb merges are not filled
//!   (calamine 0.38 does not expose them).
//! - one [`Block`] per non-empty row (`in_table = true`): the row's cells as written (merged
//!   copies not repeated), joined by `\t`, trailing empty cells dropped, tabs and line breaks
//!   inside a cell turned into spaces; `line` is the block's 1-based ordinal.
//! - [`Fact`]s from indicator sheets (see [`indicators`]).
//! - cell text as described in [`cell`]: `42` not `42.0`, ISO dates.
//!
//! # Bounded cost
//! No sheet is ever read through a grid allocated from its declared size: xlsx and xlsb stream
//! cells with calamine's cell readers ([`ooxml`]); xls and ods, which calamine only offers as
//! whole-sheet ranges built when the file is opened, are measured by our own pre-scan first
//! and refused if the ranges calamine would build exceed the limits ([`xls`], [`ods`]). Every
//! cell then goes through [`grid`], which enforces the row, column, cell and text caps. Zip
//! containers are checked first ([`container`]). Exceeding a cap is
//! [`ParseError::LimitExceeded`]; damaged input is [`ParseError::Corrupt`]; a panic inside
//! calamine on malformed input is caught and reported as corrupt.

mod cell;
mod container;
mod grid;
mod indicators;
mod ods;
mod ooxml;
mod xls;

use crate::document::{
    error::ParseError,
    limits::Limits,
    model::{Block, RawDocument},
    result::{CoreProperties, Format, Table, Warning},
};
use grid::{Budget, Grid, SheetCells};

/// What a format reader hands to the table builder.
pub(crate) struct Workbook {
    pub budget: Budget,
    pub sheets: Vec<(String, Grid)>,
    pub warnings: Vec<Warning>,
    pub core_properties: Option<CoreProperties>,
}

impl Workbook {
    fn new(limits: &Limits) -> Self {
        Workbook {
            budget: Budget::new(limits),
            sheets: Vec::new(),
            warnings: Vec::new(),
            core_properties: None,
        }
    }

    /// Densifies a streamed sheet; a sheet without text is dropped.
    pub(crate) fn add_sheet(&mut self, cells: SheetCells) -> Result<(), ParseError> {
        let name = cells.name.clone();
        if let Some(grid) = cells.into_grid(&mut self.budget)? {
            self.sheets.push((name, grid));
        }
        Ok(())
    }

    pub(crate) fn skip_sheet(&mut self, name: &str, kind: &str) {
        self.warnings.push(Warning::new(
            "sheet_skipped",
            format!("sheet {name:?} is a {kind}, not a worksheet; it was not read"),
        ));
    }
}

pub fn read(bytes: &[u8], format: Format, limits: &Limits) -> Result<RawDocument, ParseError> {
    let mut wb = Workbook::new(limits);
    match format {
        Format::Xlsx => {
            let package = container::check(bytes, limits)?;
            if package.is_xlsb {
                guarded(|| ooxml::read_xlsb(bytes, &mut wb))?;
            } else {
                guarded(|| ooxml::read_xlsx(bytes, package.has_merges, &mut wb))?;
            }
        }
        Format::Ods => {
            container::check(bytes, limits)?;
            guarded(|| ods::read(bytes, limits, &mut wb))?;
        }
        Format::Xls => guarded(|| xls::read(bytes, limits, &mut wb))?,
        other => {
            return Err(ParseError::UnsupportedFormat(format!(
                "{other:?} is not a spreadsheet"
            )))
        }
    }
    build(format, wb)
}

/// Runs calamine. It indexes and slices without checking in places (xlsb record bodies,
/// shared string indices, xls sheet offsets), so malformed input can panic inside it; that
/// is a property of the file, reported as corrupt, not a crash of the worker.
fn guarded<T>(f: impl FnOnce() -> Result<T, ParseError>) -> Result<T, ParseError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => {
            let msg = crate::document::panic_message(panic.as_ref());
            Err(ParseError::Corrupt(format!(
                "malformed workbook (the spreadsheet library failed: {msg})"
            )))
        }
    }
}

fn build(format: Format, wb: Workbook) -> Result<RawDocument, ParseError> {
    let Workbook {
        mut budget,
        sheets,
        warnings,
        core_properties,
    } = wb;
    let mut doc = RawDocument::new(format);
    doc.warnings = warnings;
    doc.core_properties = core_properties;
    for (name, mut grid) in sheets {
        for row in &grid.cells {
            let text = row_text(row);
            if !text.is_empty() {
                let line = doc.blocks.len() + 1;
                doc.blocks.push(Block {
                    raw: text.clone(),
                    text,
                    line,
                    in_table: true,
                    ..Default::default()
                });
            }
        }
        grid.fill_merges(&mut budget)?;
        let mut cells = grid.cells;
        let header_at = header_row(&cells);
        let captions: Vec<String> = cells[..header_at]
            .iter()
            .filter_map(|r| r.iter().find(|c| !c.trim().is_empty()).cloned())
            .collect();
        let rows = cells.split_off(header_at + 1);
        let header = cells.pop().unwrap_or_default();
        let table = Table {
            sheet: Some(name),
            header,
            rows,
        };
        let index = doc.tables.len();
        doc.facts
            .extend(indicators::facts(index, &table, &captions));
        doc.tables.push(table);
    }
    Ok(doc)
}

/// A row's text for the body: cells joined by tabs, trailing empty cells dropped.
fn row_text(row: &[String]) -> String {
    let end = row
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    let mut out = String::new();
    for (i, c) in row[..end].iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        for ch in c.trim().chars() {
            out.push(if matches!(ch, '\t' | '\n' | '\r') {
                ' '
            } else {
                ch
            });
        }
    }
    out
}

/// Index of the header row: the first row that is not a caption, when one follows the
/// captions; otherwise the first row. The grid's first row is never empty.
fn header_row(cells: &[Vec<String>]) -> usize {
    let width = cells.first().map_or(0, |r| r.len());
    if width < 2 {
        return 0;
    }
    for (i, row) in cells.iter().enumerate() {
        let mut values = row.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
        let Some(first) = values.next() else {
            continue; // empty rows between captions and the header
        };
        if values.any(|v| v != first) {
            return i;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn captions_before_the_header_are_skipped() {
        let cells = vec![
            row(&["标题", "标题", "标题"]),
            row(&["", "", ""]),
            row(&["单位：万元", "", ""]),
            row(&["项目", "单位", "数值"]),
            row(&["a", "件", "1"]),
        ];
        assert_eq!(header_row(&cells), 3);
        // Nothing but captions: the first row is the header.
        assert_eq!(header_row(&cells[..3]), 0);
        // A one-column sheet has no captions.
        assert_eq!(header_row(&[row(&["x"]), row(&["y"])]), 0);
    }

    #[test]
    fn row_text_joins_with_tabs_and_drops_trailing_blanks() {
        assert_eq!(row_text(&row(&["", "a\tb", "c\nd", "", " "])), "\ta b\tc d");
        assert_eq!(row_text(&row(&["", ""])), "");
    }
}
