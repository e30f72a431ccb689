//! The zip container of xlsx / xlsm / xlsb / ods, checked before calamine opens it.
//!
//! calamine trusts the archive: it reads every part it needs to the end and allocates from
//! what it reads. So before it runs we open the archive ourselves and:
//! - refuse more than `max_zip_entries` entries;
//! - refuse a part declaring more than `max_part_bytes` uncompressed, or parts declaring more
//!   than `max_total_uncompressed_bytes` together. zip 9.8 fails a read that goes past the
//!   declared size, so the declared sizes really bound what calamine can decompress;
//! - read every part calamine may read (`.xml`, `.rels`, `.bin`) once to its end, which is
//!   the only way to see a bad CRC or a truncated deflate stream: calamine's cell reader stops
//!   at `</sheetData>` and never reaches the end of a part, where the CRC is checked;
//! - for xlsb, walk each binary part's record headers: calamine allocates a buffer of the
//!   length a record header declares (up to 256 MiB) before reading it, so a length running
//!   past the end of its part is refused here as corrupt.
//!
//! The archive's central directory itself is bounded by the input size (zip caps the entry
//! table at one entry per 46 bytes of directory).

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use std::io::{self, Cursor, Read};
use zip::result::ZipError;

/// What the container check learned about the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    /// An xlsb: the workbook part is binary (`xl/workbook.bin`).
    pub is_xlsb: bool,
    /// Some XML part mentions `mergeCell`. Reading merged regions costs calamine a second full
    /// parse of each sheet, so it is skipped when no part has any.
    pub has_merges: bool,
}

pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<Package, ParseError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    if zip.len() > limits.max_zip_entries {
        return Err(ParseError::LimitExceeded(format!(
            "zip archive has {} entries, over the {}-entry limit",
            zip.len(),
            limits.max_zip_entries
        )));
    }
    let mut total: u64 = 0;
    let mut is_xlsb = false;
    let mut has_merges = false;
    let mut to_verify = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(zip_error)?;
        let name = entry.name().map_err(zip_error)?.to_string();
        let size = entry.size();
        if size > limits.max_part_bytes {
            return Err(ParseError::LimitExceeded(format!(
                "zip part {name:?} declares {size} bytes, over the {}-byte part limit",
                limits.max_part_bytes
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_uncompressed_bytes {
            return Err(ParseError::LimitExceeded(format!(
                "zip parts declare more than {} bytes together",
                limits.max_total_uncompressed_bytes
            )));
        }
        let lower = name.to_ascii_lowercase();
        if lower == "xl/workbook.bin" {
            is_xlsb = true;
        }
        if read_by_calamine(&lower) {
            to_verify.push((i, lower.ends_with(".bin")));
        }
    }
    for (i, binary) in to_verify {
        if binary && !is_xlsb {
            // calamine's xlsx reader opens no binary part at all; an xlsx's `.bin` parts
            // (ActiveX controls, custom data) are not BIFF12 records and not ours to judge.
            continue;
        }
        let mut entry = zip.by_index(i).map_err(zip_error)?;
        let name = entry.name().map_err(zip_error)?.to_string();
        let result = if binary {
            walk_records(&mut entry)
        } else {
            read_to_end_finding(&mut entry, b"mergeCell").map(|found| has_merges |= found)
        };
        result.map_err(|e| ParseError::Corrupt(format!("zip part {name:?}: {e}")))?;
    }
    Ok(Package {
        is_xlsb,
        has_merges,
    })
}

/// Reads `r` to its end (so the CRC is checked) and tells whether `needle` occurs in it.
fn read_to_end_finding(r: &mut impl Read, needle: &[u8]) -> io::Result<bool> {
    let mut buf = vec![0u8; 64 * 1024];
    // The tail of the previous chunk, so a needle split between two reads is still found.
    let keep = needle.len() - 1;
    let mut filled = 0usize;
    let mut found = false;
    loop {
        let n = r.read(&mut buf[filled..])?;
        if n == 0 {
            return Ok(found);
        }
        let end = filled + n;
        found = found || contains(&buf[..end], needle);
        let tail = end.min(keep);
        buf.copy_within(end - tail..end, 0);
        filled = tail;
    }
}

/// The parts calamine reads: XML and relationship parts, and xlsb's binary parts. Pictures,
/// printer settings and the VBA project are never opened, so they are not verified either.
fn read_by_calamine(lower_name: &str) -> bool {
    if lower_name.ends_with(".xml") || lower_name.ends_with(".rels") {
        return true;
    }
    lower_name.ends_with(".bin")
        && !lower_name.contains("vbaproject")
        && !lower_name.contains("printersettings")
        && !lower_name.contains("/media/")
        && !lower_name.contains("/embeddings/")
        // ActiveX control state (`xl/activeX/activeX1.bin`) is an OLE2 blob, never a sheet.
        && !lower_name.contains("/activex/")
}

/// An OpenDocument package whose manifest lists encryption data for its parts: the content is
/// ciphertext, so calamine would fail on it as undecodable XML.
pub(crate) fn odf_is_encrypted(bytes: &[u8], limits: &Limits) -> Result<bool, ParseError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let Ok(manifest) = zip.by_name("META-INF/manifest.xml") else {
        return Ok(false);
    };
    let mut limited = manifest.take(limits.max_part_bytes);
    read_to_end_finding(&mut limited, b"encryption-data")
        .map_err(|e| ParseError::Corrupt(format!("zip part \"META-INF/manifest.xml\": {e}")))
}

/// Walks BIFF12 record headers (MS-XLSB 2.1.4): a 1-2 byte type, a 1-4 byte length, the
/// body. Fails when a body runs past the end of the part.
fn walk_records(r: &mut impl Read) -> io::Result<()> {
    let mut byte = [0u8; 1];
    let mut read_byte = |r: &mut dyn Read| -> io::Result<Option<u8>> {
        match r.read(&mut byte)? {
            0 => Ok(None),
            _ => Ok(Some(byte[0])),
        }
    };
    loop {
        let Some(t) = read_byte(r)? else {
            return Ok(());
        };
        if t & 0x80 != 0 && read_byte(r)?.is_none() {
            return Err(truncated("record type"));
        }
        let mut len: u64 = 0;
        for i in 0..4 {
            let Some(b) = read_byte(r)? else {
                return Err(truncated("record length"));
            };
            len |= u64::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                break;
            }
        }
        let skipped = io::copy(&mut r.by_ref().take(len), &mut io::sink())?;
        if skipped != len {
            return Err(truncated("record body"));
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = hay[from..].iter().position(|&b| b == needle[0]) {
        let at = from + p;
        if hay[at..].starts_with(needle) {
            return true;
        }
        from = at + 1;
    }
    false
}

fn truncated(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("binary record stream ends inside a {what}"),
    )
}

pub(crate) fn zip_error(e: ZipError) -> ParseError {
    match e {
        ZipError::UnsupportedArchive(msg) if msg == ZipError::PASSWORD_REQUIRED => {
            ParseError::Encrypted("zip entries are password-protected".into())
        }
        other => ParseError::Corrupt(format!("zip: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsb_record_walk_accepts_whole_records_and_refuses_a_long_length() {
        // type 0x0081 (two bytes), length 3, body; then type 1, length 0.
        let ok = [0x81, 0x01, 0x03, 1, 2, 3, 0x01, 0x00];
        walk_records(&mut &ok[..]).unwrap();
        // A needle split across two reads is found.
        struct Chunks<'a>(Vec<&'a [u8]>);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                let c = self.0.remove(0);
                buf[..c.len()].copy_from_slice(c);
                Ok(c.len())
            }
        }
        let mut r = Chunks(vec![b"<mergeC", b"ell ref"]);
        assert!(read_to_end_finding(&mut r, b"mergeCell").unwrap());
        let mut r = Chunks(vec![b"<merge", b"Cells"]);
        assert!(read_to_end_finding(&mut r, b"mergeCell").unwrap());
        let mut r = Chunks(vec![b"<mergeX", b"Cell"]);
        assert!(!read_to_end_finding(&mut r, b"mergeCell").unwrap());
        // A length of 0x0FFFFFFF with only two body bytes behind it.
        let bad = [0x01, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2];
        assert!(walk_records(&mut &bad[..]).is_err());
    }
}
