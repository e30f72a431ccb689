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
use quick_xml::events::Event;
use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

pub(crate) fn read_xlsx(
    bytes: &[u8],
    has_merges: bool,
    wb: &mut Workbook,
) -> Result<(), ParseError> {
    // Sheets calamine cannot open (macro sheets, a module sheet whose part was removed) are
    // taken out of a copy of the package first; the rest of the workbook is read as usual.
    let patched = without_unreadable_sheets(bytes, wb)?;
    let bytes = patched.as_deref().unwrap_or(bytes);
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

/// The workbook part and its relationships, where every producer puts them.
const WORKBOOK: &str = "xl/workbook.xml";
const WORKBOOK_RELS: &str = "xl/_rels/workbook.xml.rels";

/// calamine 0.38 refuses a whole workbook when one `<sheet>` of `workbook.xml` is an Excel 4.0
/// macro sheet ("Unrecognized sheet type") or names a relationship that does not exist (a VBA
/// module sheet whose part was removed: `r:id=""`, "Relationship not found"). Excel opens
/// such files and shows the other sheets. So those `<sheet>` elements are cut from a copy of
/// `workbook.xml`, every other part is copied as it is (compressed bytes, not re-deflated),
/// and each cut sheet is reported as skipped. `None` when nothing needs cutting (the usual
/// case: no copy is made). The copy costs one more input-sized buffer, within the limits the
/// container check has already applied.
fn without_unreadable_sheets(
    bytes: &[u8],
    wb: &mut Workbook,
) -> Result<Option<Vec<u8>>, ParseError> {
    let corrupt =
        |what: &str, e: &dyn std::fmt::Display| ParseError::Corrupt(format!("xlsx: {what}: {e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(super::container::zip_error)?;
    let read_part = |zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
                     name: &str|
     -> Result<Option<String>, ParseError> {
        let Ok(mut part) = zip.by_name(name) else {
            return Ok(None);
        };
        let mut s = String::new();
        part.read_to_string(&mut s).map_err(|e| corrupt(name, &e))?;
        Ok(Some(s))
    };
    let (Some(workbook), Some(rels)) = (
        read_part(&mut zip, WORKBOOK)?,
        read_part(&mut zip, WORKBOOK_RELS)?,
    ) else {
        return Ok(None);
    };
    // Relationship id -> the last segment of its type (`worksheet`, `xlMacrosheet`, ...).
    let mut types: HashMap<String, String> = HashMap::new();
    let mut xml = quick_xml::Reader::from_str(&rels);
    loop {
        match xml.read_event().map_err(|e| corrupt(WORKBOOK_RELS, &e))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let attr = |name: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == name)
                        .map(|a| a.value.to_string())
                };
                if let (Some(id), Some(typ)) = (attr("Id"), attr("Type")) {
                    let last = typ.rsplit('/').next().unwrap_or("").to_string();
                    types.insert(id, last);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    // The byte spans of the `<sheet>` elements calamine would refuse, with why.
    let mut cut: Vec<(std::ops::Range<usize>, String, &'static str)> = Vec::new();
    let mut xml = quick_xml::Reader::from_str(&workbook);
    loop {
        let before = xml.buffer_position() as usize;
        match xml.read_event().map_err(|e| corrupt(WORKBOOK, &e))? {
            Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                let attr = |pred: &dyn Fn(&str, &str) -> bool| {
                    e.attributes()
                        .flatten()
                        .find(|a| pred(a.key.as_ref(), a.key.local_name().as_ref()))
                        .map(|a| a.value.to_string())
                };
                // `r:id`: the namespaced `id` (a bare `id` is not the relationship).
                let rel = attr(&|full, local| local == "id" && full != "id").unwrap_or_default();
                let name = attr(&|full, _| full == "name").unwrap_or_default();
                let why = match types.get(&rel).map(String::as_str) {
                    Some("worksheet" | "chartsheet" | "dialogsheet") => continue,
                    Some("xlMacrosheet" | "xlIntlMacrosheet") => "Excel 4.0 macro sheet",
                    Some(_) => "sheet of a kind calamine cannot read",
                    None => "sheet whose part is missing (a VBA module sheet)",
                };
                cut.push((before..xml.buffer_position() as usize, name, why));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if cut.is_empty() {
        return Ok(None);
    }
    let mut patched = String::with_capacity(workbook.len());
    let mut from = 0;
    for (span, name, why) in &cut {
        patched.push_str(&workbook[from..span.start]);
        from = span.end;
        wb.skip_sheet(name, why);
    }
    patched.push_str(&workbook[from..]);
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + patched.len())));
    let write_error = |e: &dyn std::fmt::Display| {
        ParseError::Corrupt(format!("xlsx: rewriting the package: {e}"))
    };
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(super::container::zip_error)?;
        if entry.name().map_err(super::container::zip_error)? == WORKBOOK {
            drop(entry);
            out.start_file(WORKBOOK, zip::write::SimpleFileOptions::default())
                .map_err(|e| write_error(&e))?;
            out.write_all(patched.as_bytes())
                .map_err(|e| write_error(&e))?;
        } else {
            out.raw_copy_file(entry).map_err(|e| write_error(&e))?;
        }
    }
    Ok(Some(
        out.finish().map_err(|e| write_error(&e))?.into_inner(),
    ))
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
