//! The OLE2 compound file around a .doc: the `WordDocument` stream, its table stream and the
//! property-set streams, read through the `cfb` crate.
//!
//! Guarantees: a stream's declared size is checked against the input's size (a stream cannot
//! hold more bytes than the file) and against `max_part_bytes` before anything is allocated, so
//! a hostile directory entry or a FAT chain that loops cannot make a read run on: at most the
//! declared size is ever read. A container `cfb` cannot open, or a stream whose chain ends
//! early, is `Corrupt` naming .doc.
//!
//! Tolerance: some writers leave the file shorter than its FAT says (the last sectors were
//! never written because they are free); `cfb` refuses such files, Word and LibreOffice open
//! them. [`open_tolerant`] retries those with the missing sectors as zeros, the padding
//! bounded by [`MAX_PAD_FACTOR`] times the input and by `max_input_bytes`.

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use std::borrow::Cow;
use std::io::{Cursor, Read};

/// A short file is padded to at most this many times its size (and at least 1 MiB allowed).
const MAX_PAD_FACTOR: u64 = 4;
const MIN_PAD_ALLOWANCE: u64 = 1 << 20;

pub(crate) type Cfb<'a> = cfb::CompoundFile<Cursor<Cow<'a, [u8]>>>;

/// Opens an OLE2 container; one whose FAT covers more sectors than the file holds is opened
/// again with the missing tail read as zeros (see the module header).
pub(crate) fn open_tolerant(bytes: &[u8], max_input_bytes: u64) -> std::io::Result<Cfb<'_>> {
    let first = match cfb::CompoundFile::open(Cursor::new(Cow::Borrowed(bytes))) {
        Ok(c) => return Ok(c),
        Err(e) => e,
    };
    // Header: sector shift at 30, FAT sector count at 44 (each FAT sector maps
    // sector_size / 4 sectors).
    let shift = bytes.get(30..32).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let fat_sectors = bytes
        .get(44..48)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (Some(shift @ (9 | 12)), Some(fat_sectors)) = (shift, fat_sectors) else {
        return Err(first);
    };
    let sector = 1u64 << shift;
    let needed = (u64::from(fat_sectors) * (sector / 4) + 1).saturating_mul(sector);
    let len = bytes.len() as u64;
    let allowed = (len.saturating_mul(MAX_PAD_FACTOR))
        .max(MIN_PAD_ALLOWANCE)
        .min(max_input_bytes);
    if needed <= len || needed > allowed {
        return Err(first);
    }
    let mut padded = Vec::with_capacity(needed as usize);
    padded.extend_from_slice(bytes);
    padded.resize(needed as usize, 0);
    cfb::CompoundFile::open(Cursor::new(Cow::Owned(padded))).map_err(|_| first)
}

pub(super) struct Container<'a> {
    cfb: Cfb<'a>,
    input_len: u64,
    max_part_bytes: u64,
}

impl<'a> Container<'a> {
    pub(super) fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, ParseError> {
        let cfb = open_tolerant(bytes, limits.max_input_bytes)
            .map_err(|e| ParseError::Corrupt(format!(".doc: unreadable OLE2 container: {e}")))?;
        Ok(Container {
            cfb,
            input_len: bytes.len() as u64,
            max_part_bytes: limits.max_part_bytes,
        })
    }

    /// The whole stream, or `None` when the container has no such stream.
    pub(super) fn stream(&mut self, name: &str) -> Result<Option<Vec<u8>>, ParseError> {
        if !self.cfb.is_stream(name) {
            return Ok(None);
        }
        let declared = self
            .cfb
            .entry(name)
            .map_err(|e| ParseError::Corrupt(format!(".doc: stream {name}: {e}")))?
            .len();
        if declared > self.input_len {
            return Err(ParseError::Corrupt(format!(
                ".doc: stream {name} declares {declared} bytes in a {}-byte file",
                self.input_len
            )));
        }
        if declared > self.max_part_bytes {
            return Err(ParseError::LimitExceeded(format!(
                ".doc stream {name} is {declared} bytes, over max_part_bytes {}",
                self.max_part_bytes
            )));
        }
        let mut stream = self
            .cfb
            .open_stream(name)
            .map_err(|e| ParseError::Corrupt(format!(".doc: stream {name}: {e}")))?;
        let mut out = Vec::with_capacity(declared as usize);
        (&mut stream)
            .take(declared)
            .read_to_end(&mut out)
            .map_err(|e| ParseError::Corrupt(format!(".doc: stream {name}: {e}")))?;
        if (out.len() as u64) < declared {
            return Err(ParseError::Corrupt(format!(
                ".doc: stream {name} ends after {} of its {declared} bytes",
                out.len()
            )));
        }
        Ok(Some(out))
    }
}
