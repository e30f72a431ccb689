//! The OLE2 compound file around a .doc: the `WordDocument` stream, its table stream and the
//! property-set streams, read through the `cfb` crate.
//!
//! Guarantees: a stream's declared size is checked against the input's size (a stream cannot
//! hold more bytes than the file) and against `max_part_bytes` before anything is allocated, so
//! a hostile directory entry or a FAT chain that loops cannot make a read run on: at most the
//! declared size is ever read. A container `cfb` cannot open, or a stream whose chain ends
//! early, is `Corrupt` naming .doc.

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use std::io::{Cursor, Read};

pub(super) struct Container<'a> {
    cfb: cfb::CompoundFile<Cursor<&'a [u8]>>,
    input_len: u64,
    max_part_bytes: u64,
}

impl<'a> Container<'a> {
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, ParseError> {
        let cfb = cfb::CompoundFile::open(Cursor::new(bytes))
            .map_err(|e| ParseError::Corrupt(format!(".doc: unreadable OLE2 container: {e}")))?;
        Ok(Container {
            cfb,
            input_len: bytes.len() as u64,
            max_part_bytes: limits.max_part_bytes,
        })
    }

    /// The whole stream, or `None` when the container has no such stream.
    pub fn stream(&mut self, name: &str) -> Result<Option<Vec<u8>>, ParseError> {
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
