//! xlsx / xlsm and xlsb through calamine's streaming cell readers.
//!
//! `worksheet_range` is never called: it allocates the grid a sheet *declares*
//! (`<dimension ref="A1:XFD1048576"/>` is 17 billion cells, a 5.7 KB file asked for 512 GiB).
//! `worksheet_cells_reader` yields one cell at a time from the XML (or BIFF12) stream and each
//! one is checked against the caps in [`super::grid`] before it is stored.
//!
//! The container was checked by [`super::container`] before we get here, so every part calamine
//! opens is within the size limits and has a valid CRC.

use super::cell::{self, NumberStyle};
use super::grid::{Region, SheetCells};
use super::Workbook;
use crate::document::error::ParseError;
use crate::document::result::CoreProperties;
use calamine::{
    DataType, Dimensions, Reader, SheetType, WorkbookProperties, Xlsb, XlsbError, Xlsx, XlsxError,
};
use std::io::Cursor;

pub(crate) fn read_xlsx(
    bytes: &[u8],
    has_merges: bool,
    wb: &mut Workbook,
) -> Result<(), ParseError> {
    let mut book: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let is_1904 = book.has_1904_epoch();
    wb.core_properties = book.workbook_properties().ok().and_then(core_properties);
    let sheets = book.sheets_metadata().to_vec();
    // Number formats are workbook-wide; read them from the first sheet's reader.
    let mut styles: Option<Vec<NumberStyle>> = None;
    for sheet in sheets {
        if sheet.typ != SheetType::WorkSheet {
            wb.skip_sheet(&sheet.name, sheet_kind(sheet.typ));
            continue;
        }
        let mut cells = SheetCells::new(sheet.name.clone());
        {
            let mut reader = book
                .worksheet_cells_reader(&sheet.name)
                .map_err(xlsx_error)?;
            let styles = styles.get_or_insert_with(|| {
                reader
                    .styles()
                    .iter()
                    .map(|s| {
                        s.number_format.as_ref().map_or(NumberStyle::General, |f| {
                            NumberStyle::from_format_code(&f.format_code)
                        })
                    })
                    .collect()
            });
            while let Some((c, style_id)) = reader.next_cell_with_style_id().map_err(xlsx_error)? {
                if c.get_value().is_empty() {
                    // Styled empty cells: nothing to keep, and not a reason to refuse a file.
                    continue;
                }
                let (row, col) = c.get_position();
                // Before the value is turned into text: a far-away cell costs nothing.
                wb.budget.check_position(&sheet.name, row, col)?;
                let style = styles.get(style_id).copied().unwrap_or_default();
                let text = cell::data_ref_text(c.get_value(), is_1904, style);
                cells.push(&mut wb.budget, row, col, &text)?;
            }
        }
        if has_merges {
            cells.merges = book
                .merge_cells_by_sheet_name(&sheet.name)
                .map_err(xlsx_error)?
                .into_iter()
                .map(region)
                .collect();
        }
        wb.add_sheet(cells)?;
    }
    Ok(())
}

pub(crate) fn read_xlsb(bytes: &[u8], wb: &mut Workbook) -> Result<(), ParseError> {
    let mut book: Xlsb<Cursor<&[u8]>> = Xlsb::new(Cursor::new(bytes)).map_err(xlsb_error)?;
    let is_1904 = book.has_1904_epoch();
    wb.core_properties = book.workbook_properties().ok().and_then(core_properties);
    let sheets = book.sheets_metadata().to_vec();
    for sheet in sheets {
        if sheet.typ != SheetType::WorkSheet {
            wb.skip_sheet(&sheet.name, sheet_kind(sheet.typ));
            continue;
        }
        let mut cells = SheetCells::new(sheet.name.clone());
        {
            let mut reader = book
                .worksheet_cells_reader(&sheet.name)
                .map_err(xlsb_error)?;
            while let Some(c) = reader.next_cell().map_err(xlsb_error)? {
                if c.get_value().is_empty() {
                    continue;
                }
                let (row, col) = c.get_position();
                wb.budget.check_position(&sheet.name, row, col)?;
                let text = cell::data_ref_text(c.get_value(), is_1904, NumberStyle::General);
                cells.push(&mut wb.budget, row, col, &text)?;
            }
        }
        wb.add_sheet(cells)?;
    }
    Ok(())
}

pub(crate) fn region(d: Dimensions) -> Region {
    Region {
        first_row: d.start.0,
        first_col: d.start.1,
        last_row: d.end.0,
        last_col: d.end.1,
    }
}

pub(crate) fn sheet_kind(t: SheetType) -> &'static str {
    match t {
        SheetType::WorkSheet => "worksheet",
        SheetType::DialogSheet => "dialog sheet",
        SheetType::MacroSheet => "macro sheet",
        SheetType::ChartSheet => "chart sheet",
        SheetType::Vba => "VBA module",
    }
}

pub(crate) fn core_properties(p: WorkbookProperties) -> Option<CoreProperties> {
    let props = CoreProperties {
        title: p.title.filter(|s| !s.trim().is_empty()),
        author: p.creator.filter(|s| !s.trim().is_empty()),
        created: p.created.filter(|s| !s.trim().is_empty()),
        modified: p.modified.filter(|s| !s.trim().is_empty()),
    };
    let any = props.title.is_some()
        || props.author.is_some()
        || props.created.is_some()
        || props.modified.is_some();
    any.then_some(props)
}

fn xlsx_error(e: XlsxError) -> ParseError {
    match e {
        XlsxError::Password => ParseError::Encrypted("password-protected workbook".into()),
        XlsxError::Zip(z) => super::container::zip_error(z),
        other => ParseError::Corrupt(format!("xlsx: {other}")),
    }
}

fn xlsb_error(e: XlsbError) -> ParseError {
    match e {
        XlsbError::Password => ParseError::Encrypted("password-protected workbook".into()),
        XlsbError::Zip(z) => super::container::zip_error(z),
        other => ParseError::Corrupt(format!("xlsb: {other}")),
    }
}
