//! Spreadsheet reader: xlsx / xlsm / xlsb / xls / ods -> tables, facts and text blocks.
//!
//! # What it produces
//! - one [`Table`] per worksheet that holds any text, in workbook order (`sheet` = its name).
//!   The table spans the sheet's used cells: from the first to the last non-empty row and
//!   column (leading and trailing empty rows and columns are trimmed), empty cells inside it
//!   are `""`; a sparse sheet (its box more than 16 times its cells with text) keeps only the
//!   rows and columns that hold text. Leading *caption* rows — a row whose non-empty cells all hold one and the same
//!   text, typically a title merged across the table (`翠苑街道2024年度…情况表`) — are not the
//!   header: the header is the first non-empty row after them, `rows` are the rest. Captions
//!   stay in the text. Empty sheets produce no table; chart and macro sheets are skipped with
//!   a `sheet_skipped` warning.
//! - merged regions (xlsx, xlsm, xls, ods) are filled with their top-left value in `tables`, so
//!   a category merged down several rows is found on each of them. xlsb merges are not filled
//!   (calamine 0.38 does not expose them).
//! - one [`Block`] per sheet with text (`in_table` and `one_row_per_line`), one line per
//!   non-empty row: the row's cells as written (merged copies not repeated), joined by `\t`,
//!   trailing empty cells dropped, tabs and line breaks inside a cell turned into spaces;
//!   `line` is the block's 1-based ordinal. One block per sheet rather than per row because a
//!   block costs some 90 bytes besides its text: 18 MB for a 200 000-row sheet.
//! - [`Fact`]s from indicator sheets (see [`indicators`]).
//! - cell text as described in [`cell`]: `42` not `42.0`, ISO dates.
//!
//! # Bounded cost
//! No sheet is ever read through a grid allocated from its declared size: xlsx and xlsb stream
//! cells with calamine's cell readers ([`ooxml`]); Excel 97-2003 xls is read by our own BIFF8
//! record reader, cell by cell ([`xls`]); ods and Excel 5.0/95 xls, which calamine only offers
//! as whole-sheet ranges built when the file is opened, are measured by our own pre-scan first
//! and refused if the ranges calamine would build exceed the limits ([`ods`], `xls::biff5`).
//! Every cell then goes through [`grid`], which enforces the row, column, cell and text caps.
//! Zip containers are checked first ([`container`]). Exceeding a cap is
//! [`ParseError::LimitExceeded`]; damaged input is [`ParseError::Corrupt`]; a panic inside
//! calamine (or our readers) on malformed input is caught and reported as corrupt.

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
    result::{CoreProperties, Format, Row, Rows, Table, Warning},
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

    /// Adds a sheet that calamine decoded whole (ods, Excel 5.0/95 xls): its used cells, each
    /// position checked before its text is built; the range is freed before the grid is laid
    /// out.
    pub(crate) fn add_range(
        &mut self,
        name: &str,
        range: calamine::Range<calamine::Data>,
        is_1904: bool,
        merges: Vec<grid::Region>,
    ) -> Result<(), ParseError> {
        let mut cells = SheetCells::new(name);
        if let Some((r0, c0)) = range.start() {
            for (r, c, v) in range.used_cells() {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                self.budget.check_position(name, row, col)?;
                cells.push(&mut self.budget, row, col, &cell::data_text(v, is_1904))?;
            }
        }
        drop(range);
        cells.merges = merges;
        self.add_sheet(cells)
    }

    pub(crate) fn skip_sheet(&mut self, name: &str, kind: &str) {
        self.warnings.push(Warning::new(
            "sheet_skipped",
            format!("sheet {name:?} is a {kind}, not a worksheet; it was not read"),
        ));
    }
}

pub fn read(bytes: &[u8], format: Format, limits: &Limits) -> Result<RawDocument, ParseError> {
    build(format, read_workbook(bytes, format, limits)?)
}

/// Every sheet's cells, read and bounded; [`build`] lays them out as tables and text. Apart so
/// that the caller can free the file in between.
pub(crate) fn read_workbook(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<Workbook, ParseError> {
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
            if container::odf_is_encrypted(bytes, limits)? {
                return Err(ParseError::Encrypted(
                    "password-protected OpenDocument spreadsheet (encrypted manifest entries)"
                        .into(),
                ));
            }
            guarded(|| ods::read(bytes, limits, &mut wb))?;
        }
        Format::Xls => guarded(|| xls::read(bytes, limits, &mut wb))?,
        other => {
            return Err(ParseError::UnsupportedFormat(format!(
                "{other:?} is not a spreadsheet"
            )))
        }
    }
    Ok(wb)
}

/// Runs a format reader. calamine indexes and slices without checking in places (xlsb record
/// bodies, shared string indices, Excel 5.0/95 sheet offsets), so malformed input can panic
/// inside it; that is a property of the file, reported as corrupt, not a crash of the worker.
fn guarded<T>(f: impl FnOnce() -> Result<T, ParseError>) -> Result<T, ParseError> {
    match crate::document::catch_quietly(f) {
        Ok(r) => r,
        Err(msg) => Err(ParseError::Corrupt(format!(
            "malformed workbook (the spreadsheet library failed: {msg})"
        ))),
    }
}

/// The workbook's sheets as tables, text blocks and facts.
pub(crate) fn build(format: Format, wb: Workbook) -> Result<RawDocument, ParseError> {
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
        let text = sheet_text(&grid.cells);
        if !text.is_empty() {
            let line = doc.blocks.len() + 1;
            // `raw` stays empty: table rows are never headings, so no section span is cut
            // from them, and a copy of the sheet's text would cost as much as the text.
            doc.blocks.push(Block {
                text,
                line,
                in_table: true,
                one_row_per_line: true,
                ..Default::default()
            });
        }
        grid.fill_merges(&mut budget)?;
        let mut rows = grid.cells;
        let header_at = header_row(&rows);
        let captions: Vec<String> = rows
            .iter()
            .take(header_at)
            .filter_map(|r| r.iter().find(|c| !c.trim().is_empty()).map(str::to_string))
            .collect();
        let header = rows.get(header_at).map(|r| r.to_vec()).unwrap_or_default();
        rows.remove_first(header_at + 1);
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

/// A sheet's text for the body: one line per row that has any text (see [`push_row_text`]).
fn sheet_text(cells: &Rows) -> String {
    // Cell text plus a separator per cell is an upper bound: the string is allocated once.
    let mut out = String::with_capacity(cells.text_len() + cells.cell_count());
    for row in cells {
        let before = out.len();
        if !out.is_empty() {
            out.push('\n');
        }
        if !push_row_text(&mut out, row) {
            out.truncate(before);
        }
    }
    out
}

/// Appends a row's text: cells joined by tabs, trailing empty cells dropped, tabs and line
/// breaks inside a cell made spaces. False (and nothing meaningful appended) for a row with
/// no text.
fn push_row_text(out: &mut String, row: Row<'_>) -> bool {
    let end = row
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    for (i, c) in row.iter().take(end).enumerate() {
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
    end > 0
}

/// Index of the header row: the first row that is not a caption, when one follows the
/// captions; otherwise the first row. The grid's first row is never empty.
fn header_row(cells: &Rows) -> usize {
    let width = cells.get(0).map_or(0, |r| r.len());
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

    fn rows(cells: &[&[&str]]) -> Rows {
        cells
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn captions_before_the_header_are_skipped() {
        let cells: &[&[&str]] = &[
            &["标题", "标题", "标题"],
            &["", "", ""],
            &["单位：万元", "", ""],
            &["项目", "单位", "数值"],
            &["a", "件", "1"],
        ];
        assert_eq!(header_row(&rows(cells)), 3);
        // Nothing but captions: the first row is the header.
        assert_eq!(header_row(&rows(&cells[..3])), 0);
        // A one-column sheet has no captions.
        assert_eq!(header_row(&rows(&[&["x"], &["y"]])), 0);
    }

    #[test]
    fn row_text_joins_with_tabs_and_drops_trailing_blanks() {
        let row_text = |cells: &[&str]| {
            let r = rows(&[cells]);
            let mut out = String::new();
            let any = push_row_text(&mut out, r.row(0));
            (out, any)
        };
        assert_eq!(
            row_text(&["", "a\tb", "c\nd", "", " "]),
            ("\ta b\tc d".to_string(), true)
        );
        assert_eq!(row_text(&["", ""]), (String::new(), false));
    }

    #[test]
    fn a_sheet_is_one_line_per_row_with_text() {
        let cells = rows(&[
            &["标题", "", ""],
            &["", " ", ""],
            &["项目", "数值", ""],
            &["", "", "x"],
        ]);
        assert_eq!(sheet_text(&cells), "标题\n项目\t数值\n\t\tx");
        assert_eq!(sheet_text(&rows(&[&[" "], &[""]])), "");
    }
}
