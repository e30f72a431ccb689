//! Legacy Excel 97-2003 workbooks (xls: BIFF8 records in an OLE2 compound file), read by our
//! own record reader so that what a file costs follows the cells it holds.
//!
//! calamine 0.38 has no cell streamer for xls: `Xls::new` decodes every sheet into a dense range
//! over its bounding box while opening the file (a cell at A1 and one at IV65536 are 16.7
//! million values, 500+ MB). So BIFF8 is read here, one record at a time:
//! - [`cfb`] gathers the `Workbook` stream from the compound file, refusing sector chains that
//!   loop or leave the file; the stream is at most `max_part_bytes` and never larger than the
//!   file;
//! - the globals substream gives the sheets (BOUNDSHEET8: name, type and where its records
//!   start), the shared strings (SST, decoded across its CONTINUE records, held in one buffer
//!   and refused past `max_text_bytes`), the number format of every cell style (XF and FORMAT:
//!   a date or a number) and the date system (DATEMODE, 1900 or 1904). A FILEPASS record (RC4
//!   encryption or XOR obfuscation) makes the workbook `Encrypted`;
//! - each worksheet's records become cells: LABELSST, LABEL, RSTRING, NUMBER, RK, MULRK,
//!   BOOLERR, and the cached value of a FORMULA (a text result comes in the STRING record after
//!   it); blank cells (BLANK, MULBLANK) and formula text are not read. Every cell goes to
//!   [`super::grid`] as soon as it is decoded, its position checked against `max_rows` /
//!   `max_columns` before its text is built, then charged to the workbook's cell and text caps.
//!   Nothing is sized from a DIMENSIONS record or a bounding box. MERGECELLS regions are filled
//!   by the grid. Chart, macro and VBA sheets are skipped with a warning; hidden sheets are read.
//!
//! Sheet substreams are walked once: nested substreams (an embedded chart) are skipped, and
//! BOUNDSHEET records that point into one another's records so that the walks would cover the
//! stream more than twice are refused as corrupt. Strings are decoded as BIFF8 stores them
//! (UTF-16, or one byte per character for "compressed" Latin-1 text) whatever the CODEPAGE
//! record says.
//!
//! Values become text the way calamine's values did before (through [`cell`], like every other
//! format): a number whose style is a date (built-in formats 14-22, 45 and 47, the East Asian
//! 27-36 and 50-58, or a custom format with date tokens) prints as an ISO date, built-in format 46 and `[h]`-style custom
//! formats as a duration, errors as Excel writes them.
//!
//! Excel 5.0/95 (BIFF5) workbooks still go to calamine, measured first ([`biff5`]).

mod biff5;
mod cfb;

use super::cell;
use super::grid::{Region, SheetCells};
use super::ooxml::sheet_kind;
use super::Workbook;
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use calamine::{CellErrorType, Data, ExcelDateTime, ExcelDateTimeType, SheetType};
use std::collections::HashMap;

pub(crate) fn read(bytes: &[u8], limits: &Limits, wb: &mut Workbook) -> Result<(), ParseError> {
    let stream = cfb::workbook_stream(bytes, limits)?;
    if is_biff5(&stream) {
        return biff5::read(bytes, stream, limits, wb);
    }
    read_stream(&stream, limits, wb)
}

/// The workbook stream opens with a BIFF5 BOF (version 0x05xx; Excel 5.0 and 95 write 0x0500,
/// some producers 0x0580): not Excel 97's BIFF8 (0x0600).
fn is_biff5(stream: &[u8]) -> bool {
    u16_at(stream, 0) == Some(0x0809) && u16_at(stream, 4).is_some_and(|v| v >> 8 == 0x05)
}

fn corrupt(msg: impl Into<String>) -> ParseError {
    ParseError::Corrupt(format!("xls: {}", msg.into()))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// FILEPASS: the records after it are encrypted. Type 0 is XOR obfuscation, 1 is RC4; either
/// way the cells cannot be read without the password.
fn filepass(r: &Record<'_>) -> ParseError {
    let how = match u16_at(r.data, 0) {
        Some(0) => "XOR obfuscation",
        _ => "RC4 encryption",
    };
    ParseError::Encrypted(format!("password-protected workbook (xls FILEPASS, {how})"))
}

/// Sheet substreams do not overlap in a real file, so walking every sheet reads the stream
/// about once. BOUNDSHEET records pointing many times into one large substream would make
/// each walk read it again (time quadratic in the file): refused once the walks have covered
/// the stream twice over.
fn check_walked(walked: usize, stream: &[u8]) -> Result<(), ParseError> {
    if walked > stream.len().saturating_mul(2) {
        return Err(corrupt(
            "sheet substreams overlap (their records were walked more than twice over)",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// BIFF records.

struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    /// The CONTINUE records that follow it: a record body longer than 8,224 bytes goes on there.
    cont: Vec<&'a [u8]>,
}

struct Records<'a> {
    stream: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.stream.len() < 4 {
            return if self.stream.is_empty() {
                None
            } else {
                Some(Err(corrupt("stream ends inside a record header")))
            };
        }
        let typ = u16::from_le_bytes([self.stream[0], self.stream[1]]);
        let len = u16::from_le_bytes([self.stream[2], self.stream[3]]) as usize;
        if self.stream.len() < len + 4 {
            self.stream = &[];
            return Some(Err(corrupt("stream ends inside a record")));
        }
        let data = &self.stream[4..len + 4];
        self.stream = &self.stream[len + 4..];
        let mut cont = Vec::new();
        while self.stream.len() > 4
            && u16::from_le_bytes([self.stream[0], self.stream[1]]) == 0x003C
        {
            let l = u16::from_le_bytes([self.stream[2], self.stream[3]]) as usize;
            if self.stream.len() < l + 4 {
                self.stream = &[];
                return Some(Err(corrupt("stream ends inside a CONTINUE record")));
            }
            cont.push(&self.stream[4..l + 4]);
            self.stream = &self.stream[l + 4..];
        }
        Some(Ok(Record { typ, data, cont }))
    }
}

/// A record's body and then its CONTINUE records, read in order.
struct Parts<'a> {
    data: &'a [u8],
    rest: std::slice::Iter<'a, &'a [u8]>,
}

impl<'a> Parts<'a> {
    fn new(data: &'a [u8], cont: &'a [&'a [u8]]) -> Self {
        Parts {
            data,
            rest: cont.iter(),
        }
    }

    /// Moves on to the next CONTINUE record; false when there is none.
    fn next_part(&mut self) -> bool {
        match self.rest.next() {
            Some(next) => {
                self.data = next;
                true
            }
            None => false,
        }
    }

    /// Skips `n` bytes, across CONTINUE records; false when they end first.
    fn skip(&mut self, mut n: usize) -> bool {
        while n > 0 {
            if self.data.is_empty() && !self.next_part() {
                return false;
            }
            let k = n.min(self.data.len());
            self.data = &self.data[k..];
            n -= k;
        }
        true
    }
}

/// Reads `cch` characters of a BIFF8 string into `out`: two bytes each (UTF-16LE) when `wide`,
/// else one (compressed: the low byte of a character below U+0100). A string that goes on in
/// a CONTINUE record starts it with a new option byte, so its pieces may differ in width; the
/// UTF-16 units are gathered first so a surrogate pair split between pieces stays one
/// character. False when the parts end first; what was read is kept.
fn read_chars(p: &mut Parts<'_>, mut cch: usize, mut wide: bool, out: &mut String) -> bool {
    let mut units: Vec<u16> = Vec::new();
    let complete = loop {
        let n = cch.min(if wide { p.data.len() / 2 } else { p.data.len() });
        if wide {
            let (chars, rest) = p.data.split_at(2 * n);
            units.extend(
                chars
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]])),
            );
            p.data = rest;
        } else {
            let (chars, rest) = p.data.split_at(n);
            units.extend(chars.iter().map(|&b| u16::from(b)));
            p.data = rest;
        }
        cch -= n;
        if cch == 0 {
            break true;
        }
        if !p.next_part() {
            break false;
        }
        match p.data.split_first() {
            Some((&option, rest)) => {
                wide = option & 0x01 != 0;
                p.data = rest;
            }
            None => break false,
        }
    };
    out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    complete
}

/// An `XLUnicodeString` (LABEL, STRING, FORMAT): a 16-bit character count, an option byte and
/// the characters. A string cut short by the end of its record keeps what is there.
fn xl_string(d: &[u8], cont: &[&[u8]]) -> Result<String, ParseError> {
    let Some((&option, chars)) = d.get(2..).and_then(|rest| rest.split_first()) else {
        // Some writers store an empty string as a bare zero count, without the option byte.
        return match u16_at(d, 0) {
            Some(0) if d.len() == 2 => Ok(String::new()),
            _ => Err(corrupt("short string")),
        };
    };
    let cch = u16_at(d, 0).expect("three bytes") as usize;
    let mut s = String::new();
    read_chars(
        &mut Parts::new(chars, cont),
        cch,
        option & 0x01 != 0,
        &mut s,
    );
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// The workbook globals.

/// The shared string table: every string's text in one buffer and where each one ends, so a
/// string costs its text and four bytes.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        Some(&self.text[start..end])
    }

    /// Decodes an SST record (MS-XLS 2.4.265): every `XLUnicodeRichExtendedString` to the end
    /// of the record and its CONTINUE records, whatever count the header declares (as calamine
    /// read it). A string's formatting runs and phonetic (extended) data are skipped; its
    /// characters may continue in the next CONTINUE record after a new option byte, the runs
    /// and phonetic data without one.
    fn read(r: &Record<'_>, limits: &Limits) -> Result<Self, ParseError> {
        let bad = || corrupt("malformed shared string table");
        let cap = limits.max_text_bytes.min(u32::MAX as usize);
        let mut p = Parts::new(r.data.get(8..).ok_or_else(bad)?, &r.cont);
        let mut sst = SharedStrings::default();
        while !p.data.is_empty() || p.next_part() {
            // An empty CONTINUE record reads as an empty string.
            if !p.data.is_empty() {
                let d = p.data;
                let (cch, option) = match (u16_at(d, 0), d.get(2)) {
                    (Some(cch), Some(&option)) => (cch as usize, option),
                    _ => return Err(bad()),
                };
                p.data = &d[3..];
                let mut runs = 0;
                if option & 0x08 != 0 {
                    runs = u16_at(p.data, 0).ok_or_else(bad)? as usize;
                    p.data = &p.data[2..];
                }
                let mut phonetic = 0;
                if option & 0x04 != 0 {
                    phonetic = u32_at(p.data, 0).ok_or_else(bad)? as usize;
                    p.data = &p.data[4..];
                }
                if !read_chars(&mut p, cch, option & 0x01 != 0, &mut sst.text)
                    || !p.skip(runs * 4)
                    || !p.skip(phonetic)
                {
                    return Err(bad());
                }
                if sst.text.len() > cap {
                    return Err(ParseError::LimitExceeded(format!(
                        "xls shared strings hold more than {cap} bytes of text"
                    )));
                }
            }
            sst.ends.push(sst.text.len() as u32);
        }
        Ok(sst)
    }
}

/// What a cell style's number format makes of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberKind {
    Number,
    Date,
    Duration,
}

/// Built-in number formats (MS-XLS 2.4.126): 14-22, 45 and 47 show dates and times, and so do
/// the East Asian locale formats 27-36 and 50-58 (`yyyy"年"m"月"d"日"` and the like); 46 is an
/// elapsed time (`[h]:mm:ss`).
fn builtin_kind(ifmt: u16) -> NumberKind {
    match ifmt {
        14..=22 | 27..=36 | 45 | 47 | 50..=58 => NumberKind::Date,
        46 => NumberKind::Duration,
        _ => NumberKind::Number,
    }
}

/// A custom number format code: a date when its first section holds a date or time token
/// outside quotes, brackets and escapes; a duration when a bracketed `[h]`, `[m]` or `[s]`
/// comes first. The same reading as calamine's `detect_custom_number_format`, so that cells
/// print as they did.
fn format_kind(code: &str) -> NumberKind {
    let mut escaped = false;
    let mut in_quotes = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut elapsed = false;
    let mut am_pm = false;
    for c in code.chars() {
        match (c, escaped, in_quotes, am_pm, brackets) {
            (_, true, ..) => escaped = false,
            // `\` escapes, `_` skips a character's width, `*` repeats one: the next character is
            // a literal.
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => in_quotes = false,
            (_, _, true, _, _) => {}
            ('"', ..) => in_quotes = true,
            // Only the first section (positive numbers) decides.
            (';', ..) => return NumberKind::Number,
            ('[', ..) => brackets += 1,
            (']', .., 1) if elapsed => return NumberKind::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => am_pm = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumberKind::Date,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return NumberKind::Date
            }
            _ => {
                if !(elapsed && c.eq_ignore_ascii_case(&prev)) {
                    elapsed = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = c;
    }
    NumberKind::Number
}

/// A FORMAT record: a custom format id and what it shows. Ids outside the ranges Excel uses
/// for custom and locale formats are built-ins, whose meaning a FORMAT record does not change
/// (calamine's reading too).
fn format_record(r: &Record<'_>) -> Option<(u16, NumberKind)> {
    let ifmt = u16_at(r.data, 0)?;
    if !matches!(ifmt, 5..=8 | 23..=26 | 41..=44 | 63..=66 | 164..=382) {
        return None;
    }
    let code = xl_string(r.data.get(2..)?, &r.cont).ok()?;
    Some((ifmt, format_kind(&code)))
}

/// A BOUNDSHEET8 record: where a sheet's substream starts, its type and its name.
struct BoundSheet {
    name: String,
    offset: usize,
    /// `dt`: 0 worksheet (or dialog sheet), 1 macro sheet, 2 chart sheet, 6 VBA module.
    typ: u8,
}

fn bound_sheet(d: &[u8]) -> Result<BoundSheet, ParseError> {
    let bad = || corrupt("short BOUNDSHEET record");
    let offset = u32_at(d, 0).ok_or_else(bad)? as usize;
    let typ = *d.get(5).ok_or_else(bad)?;
    let cch = *d.get(6).ok_or_else(bad)? as usize;
    let option = *d.get(7).ok_or_else(bad)?;
    let mut name = String::new();
    read_chars(
        &mut Parts::new(&d[8..], &[]),
        cch,
        option & 0x01 != 0,
        &mut name,
    );
    name.retain(|c| c != '\0');
    Ok(BoundSheet { name, offset, typ })
}

/// What the globals substream says about the workbook.
struct Globals {
    sheets: Vec<BoundSheet>,
    strings: SharedStrings,
    /// Per cell style (XF index), what its number format makes of a number.
    styles: Vec<NumberKind>,
    is_1904: bool,
}

fn globals(stream: &[u8], limits: &Limits) -> Result<Globals, ParseError> {
    let mut g = Globals {
        sheets: Vec::new(),
        strings: SharedStrings::default(),
        styles: Vec::new(),
        is_1904: false,
    };
    let mut formats: HashMap<u16, NumberKind> = HashMap::new();
    let mut style_formats: Vec<u16> = Vec::new();
    for r in (Records { stream }) {
        let r = r?;
        match r.typ {
            0x002F => return Err(filepass(&r)),
            // DATEMODE
            0x0022 => g.is_1904 = u16_at(r.data, 0) == Some(1),
            // FORMAT: a malformed one leaves the id's built-in meaning.
            0x041E => formats.extend(format_record(&r)),
            // XF: the number format id is at byte 2.
            0x00E0 => {
                style_formats.push(u16_at(r.data, 2).ok_or_else(|| corrupt("short XF record"))?)
            }
            0x0085 => g.sheets.push(bound_sheet(r.data)?),
            0x00FC => g.strings = SharedStrings::read(&r, limits)?,
            0x000A => break,
            _ => {}
        }
    }
    g.styles = style_formats
        .into_iter()
        .map(|f| formats.get(&f).copied().unwrap_or_else(|| builtin_kind(f)))
        .collect();
    Ok(g)
}

impl Globals {
    /// A number as the cell style `xf` shows it.
    fn float(&self, v: f64, xf: u16) -> Data {
        let typ = match self.styles.get(xf as usize) {
            Some(NumberKind::Date) => ExcelDateTimeType::DateTime,
            Some(NumberKind::Duration) => ExcelDateTimeType::TimeDelta,
            _ => return Data::Float(v),
        };
        Data::DateTime(ExcelDateTime::new(v, typ, self.is_1904))
    }

    fn int(&self, v: i64, xf: u16) -> Data {
        match self.styles.get(xf as usize) {
            Some(NumberKind::Date | NumberKind::Duration) => self.float(v as f64, xf),
            _ => Data::Int(v),
        }
    }

    /// An RK value (MS-XLS 2.5.217) after its style: a 30-bit integer or the high 30 bits of
    /// an f64, either one possibly to be divided by 100.
    fn rk(&self, xf_rk: &[u8]) -> Data {
        let xf = u16_at(xf_rk, 0).expect("six bytes");
        let raw = u32_at(xf_rk, 2).expect("six bytes");
        let by_100 = raw & 0x01 != 0;
        if raw & 0x02 != 0 {
            let v = ((raw as i32) >> 2) as i64;
            if by_100 && v % 100 != 0 {
                self.float(v as f64 / 100.0, xf)
            } else {
                self.int(if by_100 { v / 100 } else { v }, xf)
            }
        } else {
            let v = f64::from_bits(((raw & !0x03) as u64) << 32);
            self.float(if by_100 { v / 100.0 } else { v }, xf)
        }
    }
}

fn error_value(code: u8) -> Result<Data, ParseError> {
    Ok(Data::Error(match code {
        0x00 => CellErrorType::Null,
        0x07 => CellErrorType::Div0,
        0x0F => CellErrorType::Value,
        0x17 => CellErrorType::Ref,
        0x1D => CellErrorType::Name,
        0x24 => CellErrorType::Num,
        0x2A => CellErrorType::NA,
        0x2B => CellErrorType::GettingData,
        other => return Err(corrupt(format!("unknown cell error code 0x{other:02X}"))),
    }))
}

// ---------------------------------------------------------------------------------------------
// Sheets and cells.

/// Reads a BIFF8 workbook stream into `wb`.
fn read_stream(stream: &[u8], limits: &Limits, wb: &mut Workbook) -> Result<(), ParseError> {
    let g = globals(stream, limits)?;
    let mut walked = 0usize;
    for sheet in &g.sheets {
        let kind = match sheet.typ {
            0x00 => SheetType::WorkSheet,
            0x01 => SheetType::MacroSheet,
            0x02 => SheetType::ChartSheet,
            0x06 => SheetType::Vba,
            _ => {
                wb.skip_sheet(&sheet.name, "sheet of an unknown type");
                continue;
            }
        };
        if kind != SheetType::WorkSheet {
            wb.skip_sheet(&sheet.name, sheet_kind(kind));
            continue;
        }
        let (cells, took) = read_sheet(stream, sheet, &g, wb)?;
        walked += took;
        check_walked(walked, stream)?;
        wb.add_sheet(cells)?;
    }
    Ok(())
}

/// A record of at least `n` bytes, or the file is corrupt.
fn need<'a>(d: &'a [u8], n: usize, what: &str) -> Result<&'a [u8], ParseError> {
    if d.len() < n {
        return Err(corrupt(format!(
            "{what} record of {} bytes, shorter than {n}",
            d.len()
        )));
    }
    Ok(d)
}

/// Row and column at the start of a cell record (checked to be long enough).
fn position(d: &[u8]) -> (u32, u32) {
    (
        u16_at(d, 0).expect("checked") as u32,
        u16_at(d, 2).expect("checked") as u32,
    )
}

/// Adds a value that is not a string: its position is checked before its text is built.
fn push_value(
    wb: &mut Workbook,
    cells: &mut SheetCells,
    (row, col): (u32, u32),
    value: &Data,
    is_1904: bool,
) -> Result<(), ParseError> {
    wb.budget.check_position(&cells.name, row, col)?;
    let text = cell::data_text(value, is_1904);
    cells.push(&mut wb.budget, row, col, &text)
}

/// Reads one worksheet substream; returns its cells and the bytes its records took.
fn read_sheet(
    stream: &[u8],
    sheet: &BoundSheet,
    g: &Globals,
    wb: &mut Workbook,
) -> Result<(SheetCells, usize), ParseError> {
    let start = stream.get(sheet.offset..).ok_or_else(|| {
        corrupt(format!(
            "sheet {:?} starts beyond the Workbook stream",
            sheet.name
        ))
    })?;
    let mut cells = SheetCells::new(sheet.name.clone());
    let mut records = Records { stream: start };
    let mut seen_bof = false;
    let mut nested = 0usize;
    // Where the last FORMULA was: a STRING record after it holds its text result.
    let mut formula_at: Option<(u32, u32)> = None;
    for r in records.by_ref() {
        let r = r?;
        if nested > 0 {
            match r.typ {
                0x0809 => nested += 1,
                0x000A => nested -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        match r.typ {
            // A BOF after the sheet's own opens a nested substream (an embedded chart).
            0x0809 if seen_bof => nested += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            // NUMBER
            0x0203 => {
                let d = need(d, 14, "NUMBER")?;
                let v = f64::from_bits(u64_at(d, 6).expect("checked"));
                let value = g.float(v, u16_at(d, 4).expect("checked"));
                push_value(wb, &mut cells, position(d), &value, g.is_1904)?;
            }
            // RK
            0x027E => {
                let d = need(d, 10, "RK")?;
                push_value(wb, &mut cells, position(d), &g.rk(&d[4..10]), g.is_1904)?;
            }
            // MULRK: a row of RK values from the first column to the last.
            0x00BD => {
                let d = need(d, 6, "MULRK")?;
                let (row, first) = position(d);
                let last = u16_at(d, d.len() - 2).expect("checked") as u32;
                let count = (last + 1).saturating_sub(first) as usize;
                if count == 0 || d.len() != 6 + 6 * count {
                    return Err(corrupt(
                        "MULRK record whose length does not match its columns",
                    ));
                }
                for (col, xf_rk) in (first..).zip(d[4..d.len() - 2].chunks_exact(6)) {
                    push_value(wb, &mut cells, (row, col), &g.rk(xf_rk), g.is_1904)?;
                }
            }
            // LABEL, RSTRING (its formatting runs after the text are not read)
            0x0204 | 0x00D6 => {
                let d = need(d, 6, "LABEL")?;
                let (row, col) = position(d);
                wb.budget.check_position(&sheet.name, row, col)?;
                let text = xl_string(&d[6..], &r.cont)?;
                cells.push(&mut wb.budget, row, col, &text)?;
            }
            // LABELSST: a shared string; an index past the table is an empty cell.
            0x00FD => {
                let d = need(d, 10, "LABELSST")?;
                let (row, col) = position(d);
                let index = u32_at(d, 6).expect("checked") as usize;
                if let Some(text) = g.strings.get(index) {
                    cells.push(&mut wb.budget, row, col, text)?;
                }
            }
            // BOOLERR
            0x0205 => {
                let d = need(d, 8, "BOOLERR")?;
                let value = match d[7] {
                    0x00 => Data::Bool(d[6] != 0),
                    0x01 => error_value(d[6])?,
                    other => return Err(corrupt(format!("BOOLERR of unknown kind {other}"))),
                };
                push_value(wb, &mut cells, position(d), &value, g.is_1904)?;
            }
            // FORMULA: its cached value; 0xFFFF in the top bytes marks a value that is not a
            // number, with its type in the first byte.
            0x0006 => {
                let d = need(d, 20, "FORMULA")?;
                let at = position(d);
                formula_at = Some(at);
                let value = if d[12..14] == [0xFF, 0xFF] {
                    match d[6] {
                        // Text, in the STRING record that follows.
                        0x00 => continue,
                        0x01 => Data::Bool(d[8] != 0),
                        0x02 => error_value(d[8])?,
                        // An empty string.
                        0x03 => continue,
                        other => {
                            return Err(corrupt(format!(
                                "FORMULA with a cached value of unknown type {other}"
                            )))
                        }
                    }
                } else {
                    let v = f64::from_bits(u64_at(d, 6).expect("checked"));
                    g.float(v, u16_at(d, 4).expect("checked"))
                };
                push_value(wb, &mut cells, at, &value, g.is_1904)?;
            }
            // STRING: the text result of the FORMULA before it.
            0x0207 => {
                if let Some((row, col)) = formula_at {
                    wb.budget.check_position(&sheet.name, row, col)?;
                    let text = xl_string(d, &r.cont)?;
                    cells.push(&mut wb.budget, row, col, &text)?;
                }
            }
            // MERGECELLS: a count, then (first row, last row, first column, last column) each.
            0x00E5 => {
                let count = u16_at(d, 0).unwrap_or(0) as usize;
                let regions = d.get(2..).unwrap_or(&[]).chunks_exact(8).take(count);
                cells.merges.extend(regions.map(|m| Region {
                    first_row: u16_at(m, 0).expect("eight bytes") as u32,
                    last_row: u16_at(m, 2).expect("eight bytes") as u32,
                    first_col: u16_at(m, 4).expect("eight bytes") as u32,
                    last_col: u16_at(m, 6).expect("eight bytes") as u32,
                }));
            }
            _ => {}
        }
    }
    let took = start.len() - records.stream.len();
    Ok((cells, took))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    /// A version-3 compound file whose `Workbook` stream is small enough (< 4096 bytes) to
    /// live in the mini stream: header, FAT (sector 0), directory (1), mini FAT (2), then the
    /// mini stream's sectors.
    fn compound_file(stream: &[u8]) -> Vec<u8> {
        const FREE: u32 = 0xFFFF_FFFF;
        const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
        let mini = stream.len().div_ceil(64);
        let container = (mini * 64).div_ceil(512);
        let mut header = vec![0u8; 512];
        header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        header[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
        header[26..28].copy_from_slice(&3u16.to_le_bytes());
        header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
        header[30..32].copy_from_slice(&9u16.to_le_bytes());
        header[32..34].copy_from_slice(&6u16.to_le_bytes());
        header[44..48].copy_from_slice(&1u32.to_le_bytes()); // FAT sectors
        header[48..52].copy_from_slice(&1u32.to_le_bytes()); // directory
        header[56..60].copy_from_slice(&4096u32.to_le_bytes());
        header[60..64].copy_from_slice(&2u32.to_le_bytes()); // mini FAT
        header[64..68].copy_from_slice(&1u32.to_le_bytes());
        header[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        for i in 0..109 {
            let v = if i == 0 { 0 } else { FREE };
            header[76 + i * 4..80 + i * 4].copy_from_slice(&v.to_le_bytes());
        }
        let mut fat = vec![0xFFFF_FFFD, ENDOFCHAIN, ENDOFCHAIN];
        for i in 0..container {
            fat.push(if i + 1 == container {
                ENDOFCHAIN
            } else {
                4 + i as u32
            });
        }
        fat.resize(128, FREE);
        let mut dir = vec![0u8; 512];
        let entry = |d: &mut [u8], name: &str, kind: u8, start: u32, size: u32| {
            let units: Vec<u16> = name.encode_utf16().collect();
            for (i, u) in units.iter().enumerate() {
                d[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
            }
            d[64..66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
            d[66] = kind;
            d[68..80].copy_from_slice(&[0xFF; 12]);
            d[116..120].copy_from_slice(&start.to_le_bytes());
            d[120..124].copy_from_slice(&size.to_le_bytes());
        };
        entry(&mut dir[..128], "Root Entry", 5, 3, (mini * 64) as u32);
        dir[76..80].copy_from_slice(&1u32.to_le_bytes()); // child: Workbook
        entry(&mut dir[128..256], "Workbook", 2, 0, stream.len() as u32);
        let mut minifat: Vec<u32> = (1..=mini as u32).collect();
        *minifat.last_mut().unwrap() = ENDOFCHAIN;
        minifat.resize(128, FREE);

        let mut file = header;
        file.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
        file.extend(dir);
        file.extend(minifat.iter().flat_map(|v| v.to_le_bytes()));
        let mut data = stream.to_vec();
        data.resize(container * 512, 0);
        file.extend(data);
        file
    }

    fn bof(dt: u16) -> Vec<u8> {
        let mut b = 0x0600u16.to_le_bytes().to_vec();
        b.extend(dt.to_le_bytes());
        b.extend([0; 12]);
        record(0x0809, &b)
    }

    /// A BIFF8 workbook stream: the globals (BOF, `globals`, one BOUNDSHEET per sheet, EOF),
    /// then each sheet's substream (BOF, its records, EOF). A sheet is (name, `dt`, records).
    fn workbook(globals: &[Vec<u8>], sheets: &[(&str, u8, Vec<u8>)]) -> Vec<u8> {
        let mut out = bof(0x0005);
        for g in globals {
            out.extend(g);
        }
        let mut offsets_at = Vec::new();
        for (name, dt, _) in sheets {
            let mut bs = vec![0, 0, 0, 0, 0, *dt, name.chars().count() as u8, 1];
            bs.extend(name.encode_utf16().flat_map(|u| u.to_le_bytes()));
            offsets_at.push(out.len() + 4);
            out.extend(record(0x0085, &bs));
        }
        out.extend(record(0x000A, &[]));
        for ((_, _, records), at) in sheets.iter().zip(offsets_at) {
            let offset = out.len() as u32;
            out[at..at + 4].copy_from_slice(&offset.to_le_bytes());
            out.extend(bof(0x0010));
            out.extend(records);
            out.extend(record(0x000A, &[]));
        }
        out
    }

    fn cell_record(typ: u16, row: u16, col: u16, xf: u16, rest: &[u8]) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend(xf.to_le_bytes());
        d.extend(rest);
        record(typ, &d)
    }

    fn number(row: u16, col: u16, xf: u16, v: f64) -> Vec<u8> {
        cell_record(0x0203, row, col, xf, &v.to_le_bytes())
    }

    /// An `XLUnicodeString` stored as UTF-16.
    fn wide_string(s: &str) -> Vec<u8> {
        let units: Vec<u16> = s.encode_utf16().collect();
        let mut d = (units.len() as u16).to_le_bytes().to_vec();
        d.push(1);
        d.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        d
    }

    fn label(row: u16, col: u16, s: &str) -> Vec<u8> {
        cell_record(0x0204, row, col, 0, &wide_string(s))
    }

    fn read_with(stream: &[u8], limits: &Limits) -> Result<Workbook, ParseError> {
        let mut wb = Workbook::new(limits);
        read_stream(stream, limits, &mut wb)?;
        Ok(wb)
    }

    /// Each sheet read from `stream`: its name and rows of text.
    fn sheets(stream: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
        read_with(stream, &Limits::default())
            .unwrap()
            .sheets
            .into_iter()
            .map(|(name, grid)| (name, grid.cells.to_vecs()))
            .collect()
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_small_workbook_stream_is_read_from_the_mini_stream() {
        let stream = workbook(
            &[],
            &[("S", 0, [label(0, 0, "名称"), number(0, 1, 0, 2.5)].concat())],
        );
        assert!(stream.len() < 4096);
        let file = compound_file(&stream);
        assert_eq!(
            cfb::workbook_stream(&file, &Limits::default()).unwrap(),
            stream
        );
        let doc = super::super::read(
            &file,
            crate::document::result::Format::Xls,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(doc.tables.len(), 1);
        assert_eq!(doc.tables[0].header, vec!["名称".to_string(), "2.5".into()]);

        // The mini stream's FAT chain pointing a sector at itself, with a root entry declaring
        // 2 GiB: a reader trusting the chain would append that sector until memory runs out.
        let mut looped = file.clone();
        let fat_entry = 512 + 3 * 4;
        looped[fat_entry..fat_entry + 4].copy_from_slice(&3u32.to_le_bytes());
        let root_size = 1024 + 120;
        looped[root_size..root_size + 4].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
        let e = cfb::workbook_stream(&looped, &Limits::default()).unwrap_err();
        assert!(
            matches!(e, ParseError::Corrupt(ref m) if m.contains("loops")),
            "{e:?}"
        );
    }

    #[test]
    fn shared_strings_are_decoded_across_continue_records() {
        let mut sst = vec![5, 0, 0, 0, 5, 0, 0, 0];
        // "ab", compressed.
        sst.extend([2, 0, 0x00, b'a', b'b']);
        // "名称" in UTF-16 with one formatting run (skipped).
        sst.extend([2, 0, 0x09, 1, 0, 0x0D, 0x54, 0xF0, 0x79, 0, 0, 1, 0]);
        // "xé€": "x" compressed here, the rest in the CONTINUE record after an option byte
        // that switches to UTF-16.
        sst.extend([3, 0, 0x00, b'x']);
        let mut cont1 = vec![0x01, 0xE9, 0x00, 0xAC, 0x20];
        // "q" with 6 bytes of phonetic data, 2 here and 4 in the next CONTINUE record (no
        // option byte: it is not character data).
        cont1.extend([1, 0, 0x04, 6, 0, 0, 0, b'q', 0xAA, 0xBB]);
        let mut cont2 = vec![0xCC, 0xDD, 0xEE, 0xFF];
        // "😀": a surrogate pair split between two CONTINUE records.
        cont2.extend([2, 0, 0x01, 0x3D, 0xD8]);
        let cont3 = [0x01, 0x00, 0xDE];
        let mut bytes = record(0x00FC, &sst);
        bytes.extend(record(0x003C, &cont1));
        bytes.extend(record(0x003C, &cont2));
        bytes.extend(record(0x003C, &cont3));
        let r = Records { stream: &bytes }.next().unwrap().unwrap();
        let sst = SharedStrings::read(&r, &Limits::default()).unwrap();
        let strings: Vec<&str> = (0..6).map_while(|i| sst.get(i)).collect();
        assert_eq!(strings, ["ab", "名称", "xé€", "q", "😀"]);

        // Characters promised past the last CONTINUE record: malformed, not read short.
        let mut bytes = record(0x00FC, &sst_header_and(&[9, 0, 0x00, b'a']));
        bytes.extend(record(0x003C, &[0x00, b'b']));
        let r = Records { stream: &bytes }.next().unwrap().unwrap();
        assert!(matches!(
            SharedStrings::read(&r, &Limits::default()),
            Err(ParseError::Corrupt(_))
        ));
        // Strings beyond the text cap are refused as they are decoded.
        let limits = Limits {
            max_text_bytes: 2,
            ..Limits::default()
        };
        let bytes = record(0x00FC, &sst_header_and(&[3, 0, 0x00, b'a', b'b', b'c']));
        let r = Records { stream: &bytes }.next().unwrap().unwrap();
        assert!(matches!(
            SharedStrings::read(&r, &limits),
            Err(ParseError::LimitExceeded(_))
        ));
    }

    fn sst_header_and(strings: &[u8]) -> Vec<u8> {
        let mut d = vec![1, 0, 0, 0, 1, 0, 0, 0];
        d.extend(strings);
        d
    }

    #[test]
    fn labelsst_cells_show_their_shared_string() {
        let sst = sst_header_and(&[2, 0, 0x00, b'o', b'k']);
        let stream = workbook(
            &[record(0x00FC, &sst)],
            &[(
                "S",
                0,
                [
                    cell_record(0x00FD, 0, 0, 0, &0u32.to_le_bytes()),
                    // An index past the table is an empty cell.
                    cell_record(0x00FD, 0, 1, 0, &7u32.to_le_bytes()),
                    cell_record(0x00FD, 1, 1, 0, &0u32.to_le_bytes()),
                ]
                .concat(),
            )],
        );
        assert_eq!(
            sheets(&stream),
            vec![("S".to_string(), vec![row(&["ok", ""]), row(&["", "ok"])])]
        );
    }

    fn rk(v: u32) -> Vec<u8> {
        let mut d = 0u16.to_le_bytes().to_vec();
        d.extend(v.to_le_bytes());
        d
    }

    #[test]
    fn rk_and_mulrk_numbers_are_decoded() {
        let int = |v: i32| ((v << 2) | 0x02) as u32;
        let float_bits = |v: f64| (v.to_bits() >> 32) as u32;
        let stream = workbook(
            &[],
            &[(
                "S",
                0,
                [cell_record(0x027E, 0, 0, 0, &int(42).to_le_bytes()), {
                    // MULRK row 1, columns 0..=5.
                    let mut d = 1u16.to_le_bytes().to_vec();
                    d.extend(0u16.to_le_bytes());
                    for v in [
                        int(12345) | 0x01,      // 123.45: an integer / 100
                        float_bits(2.5),        // the high 32 bits of an f64
                        float_bits(1.5) | 0x01, // 0.015: an f64 / 100
                        int(500) | 0x01,        // 5: whole after / 100
                        int(-7),                // a negative integer
                        float_bits(-0.25),
                    ] {
                        d.extend(rk(v));
                    }
                    d.extend(5u16.to_le_bytes());
                    record(0x00BD, &d)
                }]
                .concat(),
            )],
        );
        assert_eq!(
            sheets(&stream)[0].1,
            vec![
                row(&["42", "", "", "", "", ""]),
                row(&["123.45", "2.5", "0.015", "5", "-7", "-0.25"]),
            ]
        );

        // A MULRK whose last column does not match its length is corrupt.
        let mut d = 0u16.to_le_bytes().to_vec();
        d.extend(0u16.to_le_bytes());
        d.extend(rk(int(1)));
        d.extend(3u16.to_le_bytes());
        let stream = workbook(&[], &[("S", 0, record(0x00BD, &d))]);
        assert!(matches!(
            read_with(&stream, &Limits::default()),
            Err(ParseError::Corrupt(_))
        ));
    }

    /// A FORMULA record with its cached value (8 bytes) and no tokens.
    fn formula(row: u16, col: u16, value: [u8; 8]) -> Vec<u8> {
        let mut rest = value.to_vec();
        rest.extend([0; 6]);
        cell_record(0x0006, row, col, 0, &rest)
    }

    #[test]
    fn formulas_give_their_cached_value_and_a_text_result_comes_from_string() {
        let special = |typ: u8, v: u8| [typ, 0, v, 0, 0, 0, 0xFF, 0xFF];
        let stream = workbook(
            &[],
            &[(
                "S",
                0,
                [
                    formula(0, 0, special(0x00, 0)),
                    record(0x0207, &wide_string("合计")),
                    formula(0, 1, special(0x01, 1)),
                    formula(0, 2, special(0x02, 0x07)),
                    formula(0, 3, 3.5f64.to_le_bytes()),
                    // An empty text result: no STRING record follows and the cell is empty.
                    formula(0, 4, special(0x03, 0)),
                    number(0, 5, 0, 1.0),
                ]
                .concat(),
            )],
        );
        assert_eq!(
            sheets(&stream)[0].1,
            vec![row(&["合计", "TRUE", "#DIV/0!", "3.5", "", "1"])]
        );
    }

    /// A FORMAT record for a custom format id.
    fn format(id: u16, code: &str) -> Vec<u8> {
        let mut d = id.to_le_bytes().to_vec();
        d.extend(wide_string(code));
        record(0x041E, &d)
    }

    /// An XF record using number format `ifmt`.
    fn xf(ifmt: u16) -> Vec<u8> {
        let mut d = vec![0, 0];
        d.extend(ifmt.to_le_bytes());
        d.extend([0; 16]);
        record(0x00E0, &d)
    }

    #[test]
    fn a_number_in_a_date_style_is_a_date() {
        let globals = [
            format(164, "yyyy\"年\"m\"月\"d\"日\""),
            format(165, "0.00\"d\""),
            xf(0),   // 0: General
            xf(14),  // 1: built-in m/d/yy
            xf(164), // 2: a custom date
            xf(165), // 3: a custom number format with a quoted "d"
            xf(46),  // 4: built-in [h]:mm:ss
        ];
        let cells = [
            number(0, 0, 1, 45708.0),
            number(0, 1, 2, 45658.5),
            number(0, 2, 3, 45708.0),
            number(0, 3, 0, 45708.0),
            number(0, 4, 4, 1.5),
            // An RK integer in a date style is a date too.
            cell_record(0x027E, 0, 5, 1, &((45708u32 << 2) | 0x02).to_le_bytes()),
        ]
        .concat();
        let stream = workbook(&globals, &[("S", 0, cells.clone())]);
        assert_eq!(
            sheets(&stream)[0].1,
            vec![row(&[
                "2025-02-20",
                "2025-01-01T12:00:00",
                "45708",
                "45708",
                "36:00:00",
                "2025-02-20"
            ])]
        );

        // The 1904 date system (DATEMODE 1): serial 0 is 1904-01-01.
        let mut globals = globals.to_vec();
        globals.push(record(0x0022, &[1, 0]));
        let stream = workbook(&globals, &[("S", 0, number(0, 0, 1, 0.0))]);
        assert_eq!(sheets(&stream)[0].1, vec![row(&["1904-01-01"])]);
    }

    #[test]
    fn custom_format_codes_are_read_like_excel() {
        assert_eq!(format_kind("yyyy-mm-dd"), NumberKind::Date);
        assert_eq!(format_kind("h:mm AM/PM"), NumberKind::Date);
        assert_eq!(format_kind("[h]:mm:ss"), NumberKind::Duration);
        assert_eq!(format_kind("0.00_);[Red](0.00)"), NumberKind::Number);
        assert_eq!(format_kind("#,##0\"元\""), NumberKind::Number);
        assert_eq!(format_kind("\\d0"), NumberKind::Number);
        assert_eq!(format_kind("0;yyyy"), NumberKind::Number);
        assert_eq!(builtin_kind(22), NumberKind::Date);
        assert_eq!(builtin_kind(31), NumberKind::Date);
        assert_eq!(builtin_kind(46), NumberKind::Duration);
        assert_eq!(builtin_kind(10), NumberKind::Number);
    }

    #[test]
    fn a_sparse_far_cell_costs_two_cells_not_the_sheet() {
        // A1 and IV65536, the last cell of an Excel 97 sheet: a dense box would be 16.7 million
        // cells. Eight allowed cells are enough.
        let stream = workbook(
            &[],
            &[(
                "S",
                0,
                [label(0, 0, "a"), number(65535, 255, 0, 1.0)].concat(),
            )],
        );
        let limits = Limits {
            max_cells: 8,
            ..Limits::default()
        };
        let wb = read_with(&stream, &limits).unwrap();
        let grid = &wb.sheets[0].1;
        assert_eq!(grid.cells.to_vecs(), vec![row(&["a", ""]), row(&["", "1"])]);

        // The same far cell beyond `max_rows`: refused by its position, naming it.
        let limits = Limits {
            max_rows: 1000,
            ..Limits::default()
        };
        let e = read_with(&stream, &limits).err().unwrap();
        assert!(
            matches!(e, ParseError::LimitExceeded(ref m) if m.contains("IV65536")),
            "{e:?}"
        );
    }

    #[test]
    fn merges_are_read_and_other_sheet_types_skipped() {
        let stream = workbook(
            &[],
            &[
                ("图表", 2, number(0, 0, 0, 1.0)),
                (
                    "S",
                    0,
                    [
                        label(0, 0, "类别"),
                        label(0, 1, "值"),
                        label(1, 0, "甲"),
                        number(1, 1, 0, 1.0),
                        number(2, 1, 0, 2.0),
                        // An embedded chart's substream: its cells are not the sheet's.
                        bof(0x0020),
                        number(9, 9, 0, 9.0),
                        record(0x000A, &[]),
                        record(0x00E5, &{
                            let mut m = 1u16.to_le_bytes().to_vec();
                            for v in [1u16, 2, 0, 0] {
                                m.extend(v.to_le_bytes());
                            }
                            m
                        }),
                    ]
                    .concat(),
                ),
            ],
        );
        let wb = read_with(&stream, &Limits::default()).unwrap();
        assert_eq!(wb.warnings.len(), 1);
        assert!(wb.warnings[0].message.contains("chart sheet"));
        let doc = super::super::build(crate::document::result::Format::Xls, wb).unwrap();
        assert_eq!(doc.tables.len(), 1);
        assert_eq!(doc.tables[0].header, vec!["类别".to_string(), "值".into()]);
        assert_eq!(
            doc.tables[0].rows.to_vecs(),
            vec![row(&["甲", "1"]), row(&["甲", "2"])]
        );
    }

    #[test]
    fn filepass_and_overlapping_sheets_are_refused() {
        let stream = workbook(&[record(0x002F, &[1, 0, 1, 0])], &[]);
        assert!(matches!(
            read_with(&stream, &Limits::default()),
            Err(ParseError::Encrypted(ref m)) if m.contains("RC4")
        ));

        // Fifty BOUNDSHEET records naming the same substream, which follows the globals.
        let boundsheet = |offset: u32| {
            let mut bs = offset.to_le_bytes().to_vec();
            bs.extend([0, 0, 1, 0, b'S']);
            record(0x0085, &bs)
        };
        let globals_len = bof(0x0005).len() + 50 * boundsheet(0).len() + 4;
        let mut stream = bof(0x0005);
        for _ in 0..50 {
            stream.extend(boundsheet(globals_len as u32));
        }
        stream.extend(record(0x000A, &[]));
        assert_eq!(stream.len(), globals_len);
        stream.extend(bof(0x0010));
        stream.extend(number(0, 0, 0, 1.0));
        stream.extend(record(0x000A, &[]));
        let e = read_with(&stream, &Limits::default()).err().unwrap();
        assert!(
            matches!(e, ParseError::Corrupt(ref m) if m.contains("overlap")),
            "{e:?}"
        );
    }
}
