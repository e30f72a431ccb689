//! Bounded access to the loaded PDF's objects: reference resolution with a chain limit, and
//! stream decoding charged against the per-stream and per-document decompression limits.
//!
//! Guarantees: a reference chain (`1 0 R` -> `2 0 R` -> …, or a cycle) is followed at most
//! [`MAX_REF_CHAIN`] steps; every decoded byte is counted, and the first limit exceeded is
//! kept in [`Objects::failure`] so the reader ends with that typed error instead of a partial
//! result that silently lacks text.

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use lopdf::{Dictionary, Document, Object, Stream};
use std::cell::{Cell, RefCell};

/// Longest reference chain followed (a reference to a reference to …).
const MAX_REF_CHAIN: usize = 32;

pub(super) struct Objects<'d> {
    pub doc: &'d Document,
    max_stream: usize,
    max_total: u64,
    decoded: Cell<u64>,
    failure: RefCell<Option<ParseError>>,
    /// Streams that could not be decoded (bad filter data): counted for a warning.
    pub undecodable: Cell<usize>,
}

impl<'d> Objects<'d> {
    pub(super) fn new(doc: &'d Document, limits: &Limits) -> Self {
        Objects {
            doc,
            max_stream: usize::try_from(limits.max_pdf_stream_bytes).unwrap_or(usize::MAX),
            max_total: limits.max_total_uncompressed_bytes,
            decoded: Cell::new(0),
            failure: RefCell::new(None),
            undecodable: Cell::new(0),
        }
    }

    /// Records a limit failure (the first one wins).
    pub(super) fn fail(&self, e: ParseError) {
        let mut f = self.failure.borrow_mut();
        if f.is_none() {
            *f = Some(e);
        }
    }

    pub(super) fn failure(&self) -> Option<ParseError> {
        self.failure.borrow().clone()
    }

    pub(super) fn failed(&self) -> bool {
        self.failure.borrow().is_some()
    }

    /// Follows references to a direct object.
    pub(super) fn resolve(&self, o: Option<&'d Object>) -> Option<&'d Object> {
        let mut o = o?;
        for _ in 0..MAX_REF_CHAIN {
            match o {
                Object::Reference(id) => o = self.doc.objects.get(id)?,
                other => return Some(other),
            }
        }
        None
    }

    pub(super) fn resolve_dict(&self, o: Option<&'d Object>) -> Option<&'d Dictionary> {
        match self.resolve(o)? {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// A stream's decoded bytes, charged against the limits. `None` when it cannot be decoded
    /// (a limit failure is also recorded).
    pub(super) fn stream_data(&self, s: &Stream) -> Option<Vec<u8>> {
        if self.failed() {
            return None;
        }
        match s.get_plain_content_with_limit(self.max_stream) {
            Ok(d) => {
                let total = self.decoded.get().saturating_add(d.len() as u64);
                self.decoded.set(total);
                if total > self.max_total {
                    self.fail(ParseError::LimitExceeded(format!(
                        "PDF streams decompress to more than {} bytes in total \
                         (limits.max_total_uncompressed_bytes)",
                        self.max_total
                    )));
                    return None;
                }
                Some(d)
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                self.fail(ParseError::LimitExceeded(format!(
                    "a PDF stream decompresses to more than {} bytes (limits.max_pdf_stream_bytes)",
                    self.max_stream
                )));
                None
            }
            Err(_) => {
                self.undecodable.set(self.undecodable.get() + 1);
                None
            }
        }
    }

    /// The decoded data of the stream an object (or reference) names.
    pub(super) fn resolve_stream_data(&self, o: Option<&'d Object>) -> Option<Vec<u8>> {
        match self.resolve(o)? {
            Object::Stream(s) => self.stream_data(s),
            _ => None,
        }
    }
}
