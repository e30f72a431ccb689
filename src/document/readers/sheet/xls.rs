//! Legacy Excel 97-2003 (xls, BIFF in an OLE2 compound file) through calamine, measured first.
//!
//! calamine 0.38 has no cell streamer for xls: `Xls::new` decodes every sheet into a `Range`
//! while opening the file. Reading its source, these are the allocations a file controls:
//! 1. the compound-file layer follows sector chains without cycle detection: a FAT entry
//!    pointing back into its own chain makes it append sectors forever (the directory chain is
//!    read with no length bound), and a DIFAT listing the same sector many times makes the FAT
//!    up to 128x the file size;
//! 2. a sheet's `DIMENSIONS` record is trusted: `cells.reserve(rows * cols)` with rows up to
//!    2^32 from the record (declared, not actual, dimensions; an inverted range underflows);
//! 3. `Range::from_sparse` allocates the bounding box of the cells actually present (a cell at
//!    A1 and one at IV65536 is 16.7 million `Data` values), for values and again for formulas;
//! 4. every `LABELSST` cell clones its shared string, so one 64K-character string referenced
//!    by every cell multiplies;
//! 5. formula text is rebuilt from tokens; a defined-name or space token expands a few bytes
//!    into up to a few hundred.
//!
//! So before calamine runs we read the compound file ourselves, mirroring calamine's walk but
//! refusing cycles, chains that leave the file and an oversized FAT (corrupt), extract the
//! `Workbook` stream (at most `max_part_bytes`), and pre-scan its BIFF records: for every sheet
//! substream calamine will decode, the declared dimensions, each cell's position, the bounding
//! box, the number of cell records, the text they will hold (shared strings measured from the
//! SST) and the size of the formula token streams. The file is refused with `LimitExceeded` when
//! a cell lies at or beyond `max_rows` / `max_columns`, when a sheet declares dimensions beyond
//! the 65,536 x 256 grid of the format (within it the reservation is untouched address space),
//! when cell records or bounding boxes of all sheets exceed `max_cells`, when cell text exceeds
//! `max_text_bytes`, or
//! when formula tokens could expand past `max_total_uncompressed_bytes`. Only then is calamine
//! run, and its ranges are read back cell by cell through the usual caps.

use super::cell;
use super::grid::SheetCells;
use super::ooxml::{region, sheet_kind};
use super::Workbook;
use crate::document::error::ParseError;
use crate::document::limits::Limits;
use calamine::{Reader, SheetType, Xls, XlsError};
use std::io::Cursor;

pub(crate) fn read(bytes: &[u8], limits: &Limits, wb: &mut Workbook) -> Result<(), ParseError> {
    let stream = workbook_stream(bytes, limits)?;
    let biff5 = is_biff5(&stream);
    prescan(&stream, limits)?;
    drop(stream);
    let read = read_checked(bytes, wb);
    match read {
        // calamine reads some Excel 5.0/95 workbooks and fails on others (charts, older
        // records): a failure there is the format's, said as such, not damage.
        Err(ParseError::Corrupt(msg) | ParseError::UndecodableText(msg)) if biff5 => {
            Err(ParseError::UnsupportedFormat(format!(
            "Excel 5.0/95 workbook (BIFF5) that could not be read ({msg}); save it as .xlsx or \
             Excel 97-2003 .xls"
        )))
        }
        other => other,
    }
}

/// The workbook stream opens with a BIFF5 BOF (version 0x05xx; Excel 5.0 and 95 write 0x0500,
/// some producers 0x0580): not Excel 97's BIFF8 (0x0600).
fn is_biff5(stream: &[u8]) -> bool {
    u16_at(stream, 0) == Some(0x0809) && u16_at(stream, 4).is_some_and(|v| v >> 8 == 0x05)
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
        let mut cells = SheetCells::new(sheet.name.clone());
        if let Some((r0, c0)) = range.start() {
            for (r, c, v) in range.used_cells() {
                let (row, col) = (r0 + r as u32, c0 + c as u32);
                wb.budget.check_position(&sheet.name, row, col)?;
                cells.push(&mut wb.budget, row, col, &cell::data_text(v, is_1904))?;
            }
        }
        drop(range);
        cells.merges = book
            .merge_cells_by_sheet_name(&sheet.name)
            .map_err(xls_error)?
            .into_iter()
            .map(region)
            .collect();
        wb.add_sheet(cells)?;
    }
    Ok(())
}

fn xls_error(e: XlsError) -> ParseError {
    match e {
        XlsError::Password => ParseError::Encrypted("password-protected workbook".into()),
        other => ParseError::Corrupt(format!("xls: {other}")),
    }
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

// ---------------------------------------------------------------------------------------------
// The compound file (MS-CFB), walked the way calamine's cfb.rs walks it.

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED: u32 = 0xFFFF_FFFA;

struct Sectors<'a> {
    bytes: &'a [u8],
    size: usize,
    /// calamine refuses sector ids above this (file length / sector size).
    max_id: u32,
}

impl<'a> Sectors<'a> {
    /// Sector `id` starts after the header sector; the last one may be short at end of file.
    fn get(&self, id: u32) -> Result<&'a [u8], ParseError> {
        if id > self.max_id {
            return Err(corrupt(format!(
                "sector {id} lies beyond the end of the file"
            )));
        }
        let start = (id as usize + 1) * self.size;
        let end = (start + self.size).min(self.bytes.len());
        Ok(self.bytes.get(start..end).unwrap_or(&[]))
    }
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("chunk of 4")))
}

/// Follows a chain like calamine's `get_chain`: until `ENDOFCHAIN`, or until `len` bytes are
/// gathered. A chain that visits more links than there are sectors is a cycle.
fn chain<'a>(
    get: &dyn Fn(u32) -> Result<&'a [u8], ParseError>,
    table: &[u32],
    start: u32,
    len: usize,
    max_links: usize,
    what: &str,
) -> Result<Vec<u8>, ParseError> {
    let mut out = Vec::new();
    let mut id = start;
    let mut links = 0usize;
    while id != ENDOFCHAIN {
        let sector = get(id)?;
        let take = sector.len().min(len - out.len());
        out.extend_from_slice(&sector[..take]);
        if out.len() >= len {
            break;
        }
        id = *table
            .get(id as usize)
            .ok_or_else(|| corrupt(format!("{what} chain leaves the allocation table")))?;
        links += 1;
        if links > max_links {
            return Err(corrupt(format!("{what} sector chain loops")));
        }
    }
    Ok(out)
}

/// The `Workbook` (or BIFF5 `Book`) stream, read as calamine will read it.
fn workbook_stream(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, ParseError> {
    let header = bytes
        .get(..512)
        .ok_or_else(|| corrupt("file is shorter than a compound-file header"))?;
    if header[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return Err(corrupt("not a compound file"));
    }
    let version = u16_at(header, 26).unwrap_or(0);
    let size = match u16_at(header, 30) {
        Some(9) => 512usize,
        Some(12) => {
            if bytes.len() < 4096 {
                return Err(corrupt("file is shorter than its 4096-byte header sector"));
            }
            4096
        }
        _ => return Err(corrupt("invalid sector size")),
    };
    if u16_at(header, 32) != Some(6) {
        return Err(corrupt("invalid mini-sector size"));
    }
    let dir_start = u32_at(header, 48).unwrap_or(ENDOFCHAIN);
    let mini_fat_start = u32_at(header, 60).unwrap_or(ENDOFCHAIN);
    let mini_fat_len = u32_at(header, 64).unwrap_or(0) as usize;
    let difat_start = u32_at(header, 68).unwrap_or(ENDOFCHAIN);
    let max_id = (bytes.len() / size) as u32;
    let sectors = Sectors {
        bytes,
        size,
        max_id,
    };
    let max_links = max_id as usize + 1;

    let mut difat: Vec<u32> = u32s(&header[76..512]).collect();
    let mut id = difat_start;
    let mut difat_sectors = 0usize;
    while id < RESERVED {
        difat_sectors += 1;
        if difat_sectors > max_links {
            return Err(corrupt("DIFAT chain loops"));
        }
        difat.extend(u32s(sectors.get(id)?));
        id = difat.pop().ok_or_else(|| corrupt("empty DIFAT sector"))?;
    }
    let fat_ids: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
    if fat_ids.len() > max_links {
        // Real files list each FAT sector once; more FAT sectors than sectors is an attack
        // on calamine, which would copy every listed sector into the FAT.
        return Err(corrupt(
            "allocation table lists more sectors than the file has",
        ));
    }
    let mut fat = Vec::new();
    for id in fat_ids {
        fat.extend(u32s(sectors.get(id)?));
    }
    let get = |id: u32| sectors.get(id);
    let dirs = chain(&get, &fat, dir_start, usize::MAX, max_links, "directory")?;
    struct Dir {
        name: String,
        start: u32,
        len: usize,
    }
    let dirs: Vec<Dir> = dirs
        .chunks_exact(128)
        .map(|d| {
            let units: Vec<u16> = d[..64]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0)
                .collect();
            Dir {
                name: String::from_utf16_lossy(&units),
                start: u32_at(d, 116).unwrap_or(ENDOFCHAIN),
                len: if size == 512 {
                    u32_at(d, 120).unwrap_or(0) as usize
                } else {
                    u64_at(d, 120).unwrap_or(0).min(usize::MAX as u64) as usize
                },
            }
        })
        .collect();
    let Some(root) = dirs.first() else {
        return Err(corrupt("empty directory"));
    };
    if version != 3 && root.start == ENDOFCHAIN {
        return Err(corrupt("empty root directory"));
    }
    let (mini_fat, ministream) = if mini_fat_len > 0 {
        let ministream = chain(&get, &fat, root.start, root.len, max_links, "mini stream")?;
        let mini_fat = chain(
            &get,
            &fat,
            mini_fat_start,
            mini_fat_len.saturating_mul(size),
            max_links,
            "mini FAT",
        )?;
        (u32s(&mini_fat).collect::<Vec<u32>>(), ministream)
    } else {
        (Vec::new(), Vec::new())
    };
    let find = |name: &str| {
        dirs.iter()
            .find(|d| d.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
    };
    let dir = find("Workbook")
        .or_else(|| find("Book"))
        .ok_or_else(|| corrupt("no Workbook stream"))?;
    if dir.len as u64 > limits.max_part_bytes {
        return Err(ParseError::LimitExceeded(format!(
            "xls Workbook stream is {} bytes, over the {}-byte part limit",
            dir.len, limits.max_part_bytes
        )));
    }
    if dir.len < 4096 {
        // calamine reads a mini sector past the mini stream from wherever the file cursor is;
        // no valid file does that, so it is refused here.
        let max_mini = max_id.saturating_mul(8);
        let get_mini = |id: u32| -> Result<&[u8], ParseError> {
            if id > max_mini {
                return Err(corrupt("mini sector beyond the end of the file"));
            }
            let start = id as usize * 64;
            ministream
                .get(start..start + 64)
                .ok_or_else(|| corrupt("mini sector beyond the mini stream"))
        };
        chain(
            &get_mini,
            &mini_fat,
            dir.start,
            dir.len,
            max_mini as usize + 1,
            "Workbook",
        )
    } else {
        chain(&get, &fat, dir.start, dir.len, max_links, "Workbook")
    }
}

// ---------------------------------------------------------------------------------------------
// BIFF records, split as calamine's RecordIter splits them.

struct Record<'a> {
    typ: u16,
    data: &'a [u8],
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

/// UTF-8 size bounds of the shared strings, read the way calamine's `parse_sst` reads them.
fn sst_lengths(r: &Record<'_>) -> Result<Vec<u64>, ParseError> {
    let bad = || corrupt("malformed shared string table");
    let mut data = r.data.get(8..).ok_or_else(bad)?;
    let mut cont = r.cont.iter();
    let mut out = Vec::new();
    loop {
        if data.is_empty() {
            match cont.next() {
                Some(next) => data = next,
                None => break,
            }
            if data.is_empty() {
                out.push(0);
                continue;
            }
        }
        if data.len() < 3 {
            return Err(bad());
        }
        let cch = u16::from_le_bytes([data[0], data[1]]) as u64;
        let flags = data[2];
        data = &data[3..];
        let mut runs = 0usize;
        if flags & 0x8 != 0 {
            runs = u16_at(data, 0).ok_or_else(bad)? as usize;
            data = &data[2..];
        }
        let mut ext = 0usize;
        if flags & 0x4 != 0 {
            ext = u32_at(data, 0).ok_or_else(bad)? as i32 as usize;
            data = &data[4..];
        }
        let mut high = flags & 0x1 != 0;
        let mut left = cch;
        while left > 0 {
            let avail = if high { data.len() / 2 } else { data.len() } as u64;
            let n = avail.min(left);
            data = &data[(n as usize) * if high { 2 } else { 1 }..];
            left -= n;
            if left > 0 {
                let next = cont.next().ok_or_else(bad)?;
                let (&flag, rest) = next.split_first().ok_or_else(bad)?;
                high = flag & 0x1 != 0;
                data = rest;
            }
        }
        for mut skip in [runs.saturating_mul(4), ext] {
            while skip > 0 {
                if data.is_empty() {
                    data = cont.next().ok_or_else(bad)?;
                    continue;
                }
                let n = skip.min(data.len());
                data = &data[n..];
                skip -= n;
            }
        }
        // A UTF-16 unit becomes at most 3 UTF-8 bytes.
        out.push(cch * 3);
    }
    Ok(out)
}

/// Running totals over every sheet calamine will decode.
struct Costs<'a> {
    limits: &'a Limits,
    cells: u64,
    /// The largest rectangle one sheet declares (calamine reserves it; see `scan_sheet`).
    declared: u64,
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
    let mut sst: Vec<u64> = Vec::new();
    let mut longest_name: u64 = 0;
    for r in (Records { stream }) {
        let r = r?;
        match r.typ {
            // FILEPASS: the records after it are encrypted. Type 0 is XOR obfuscation, 1 is
            // RC4; either way the cells cannot be read without the password.
            0x002F => {
                let how = match u16_at(r.data, 0) {
                    Some(0) => "XOR obfuscation",
                    _ => "RC4 encryption",
                };
                return Err(ParseError::Encrypted(format!(
                    "password-protected workbook (xls FILEPASS, {how})"
                )));
            }
            0x0085 => {
                sheet_offsets.push(u32_at(r.data, 0).ok_or_else(|| corrupt("short BOUNDSHEET"))?)
            }
            0x00FC => sst = sst_lengths(&r)?,
            // LBL: name length in characters at byte 3.
            0x0018 => longest_name = longest_name.max(*r.data.get(3).unwrap_or(&0) as u64 * 3),
            0x000A => break,
            _ => {}
        }
    }
    let expansion = FORMULA_EXPANSION.max(longest_name / 4 + 1);
    let mut costs = Costs {
        limits,
        cells: 0,
        declared: 0,
        boxes: 0,
        text: 0,
        formula: 0,
    };
    for (n, &offset) in sheet_offsets.iter().enumerate() {
        let sheet = stream
            .get(offset as usize..)
            .ok_or_else(|| corrupt(format!("sheet {n} starts beyond the Workbook stream")))?;
        scan_sheet(sheet, n, &sst, expansion, &mut costs)?;
    }
    Ok(())
}

fn scan_sheet(
    sheet: &[u8],
    n: usize,
    sst: &[u64],
    expansion: u64,
    costs: &mut Costs<'_>,
) -> Result<(), ParseError> {
    let limits = costs.limits;
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut place = |row: u32, col: u32, count: u64, text: u64, costs: &mut Costs<'_>| {
        if row as usize >= limits.max_rows || col as usize >= limits.max_columns {
            return Err(ParseError::LimitExceeded(format!(
                "xls sheet {n}: cell {} is beyond the {}-row / {}-column limits",
                super::grid::a1(row, col),
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
    for r in (Records { stream: sheet }) {
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
                costs.declared = costs.declared.max(declared);
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
            // LABELSST: a copy of a shared string
            0x00FD => {
                let (row, col) = rc(d)?;
                let index = u32_at(d, 6).unwrap_or(u32::MAX) as usize;
                place(row, col, 1, sst.get(index).copied().unwrap_or(0), costs)?;
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
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

    /// BIFF8: globals with one sheet, then the sheet: A1 "名称", B1 2.5.
    fn tiny_biff() -> Vec<u8> {
        let bof = |dt: u16| {
            let mut b = 0x0600u16.to_le_bytes().to_vec();
            b.extend(dt.to_le_bytes());
            b.extend([0; 12]);
            record(0x0809, &b)
        };
        let name: Vec<u8> = "S".bytes().collect();
        let mut globals = bof(0x0005);
        let boundsheet_at = globals.len();
        let mut bs = vec![0, 0, 0, 0, 0, 0, name.len() as u8, 0];
        bs.extend(&name);
        globals.extend(record(0x0085, &bs));
        globals.extend(record(0x000A, &[]));
        let offset = globals.len() as u32;
        globals[boundsheet_at + 4..boundsheet_at + 8].copy_from_slice(&offset.to_le_bytes());

        let mut sheet = bof(0x0010);
        let mut dim = 0u32.to_le_bytes().to_vec();
        dim.extend(1u32.to_le_bytes());
        dim.extend(0u16.to_le_bytes());
        dim.extend(2u16.to_le_bytes());
        dim.extend([0, 0]);
        sheet.extend(record(0x0200, &dim));
        let text: Vec<u16> = "名称".encode_utf16().collect();
        let mut label = vec![0, 0, 0, 0, 0, 0];
        label.extend((text.len() as u16).to_le_bytes());
        label.push(1); // UTF-16
        label.extend(text.iter().flat_map(|u| u.to_le_bytes()));
        sheet.extend(record(0x0204, &label));
        let mut number = vec![0, 0, 1, 0, 0, 0];
        number.extend(2.5f64.to_le_bytes());
        sheet.extend(record(0x0203, &number));
        sheet.extend(record(0x000A, &[]));
        globals.extend(sheet);
        globals
    }

    #[test]
    fn a_small_workbook_stream_is_read_from_the_mini_stream() {
        let stream = tiny_biff();
        assert!(stream.len() < 4096);
        let file = compound_file(&stream);
        assert_eq!(workbook_stream(&file, &Limits::default()).unwrap(), stream);
        let doc = super::super::read(
            &file,
            crate::document::result::Format::Xls,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(doc.tables.len(), 1);
        assert_eq!(doc.tables[0].header, vec!["名称".to_string(), "2.5".into()]);

        // The mini stream's FAT chain pointing a sector at itself, with a root entry declaring
        // 2 GiB: calamine would append that sector until memory runs out; refused here.
        let mut looped = file.clone();
        let fat_entry = 512 + 3 * 4;
        looped[fat_entry..fat_entry + 4].copy_from_slice(&3u32.to_le_bytes());
        let root_size = 1024 + 120;
        looped[root_size..root_size + 4].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
        let e = workbook_stream(&looped, &Limits::default()).unwrap_err();
        assert!(
            matches!(e, ParseError::Corrupt(ref m) if m.contains("loops")),
            "{e:?}"
        );
    }

    #[test]
    fn shared_strings_are_measured_across_continue_records() {
        // SST: total 2, unique 2; "ab" compressed; then "xyz" split over a CONTINUE record.
        let mut sst = vec![2, 0, 0, 0, 2, 0, 0, 0];
        sst.extend([2, 0, 0, b'a', b'b']);
        sst.extend([3, 0, 0, b'x']);
        let mut bytes = record(0x00FC, &sst);
        bytes.extend(record(0x003C, &[0, b'y', b'z']));
        let r = Records { stream: &bytes }.next().unwrap().unwrap();
        assert_eq!(sst_lengths(&r).unwrap(), vec![6, 9]);
    }

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
            declared: 0,
            boxes: 0,
            text: 0,
            formula: 0,
        };
        let e = scan_sheet(&sheet, 0, &[], 64, &mut costs).unwrap_err();
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
        let e = scan_sheet(&sheet, 0, &[], 64, &mut costs).unwrap_err();
        assert!(matches!(e, ParseError::Corrupt(_)), "{e:?}");
    }
}
