//! Why a document could not be parsed. Every variant is permanent: the same bytes will fail the
//! same way on every attempt, so the worker dead-letters them at once instead of retrying.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParseError {
    #[error("empty input")]
    Empty,
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    #[error("text could not be decoded: {0}")]
    UndecodableText(String),
    #[error("input is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },
    /// A limit on decompressed size, entry count, nesting depth, rows, columns or cells was hit.
    #[error("input exceeds a safety limit: {0}")]
    LimitExceeded(String),
    /// The container is damaged: truncated zip, bad CRC, malformed XML.
    #[error("corrupt document: {0}")]
    Corrupt(String),
    /// Password-protected (an OLE2 EncryptedPackage) documents.
    #[error("encrypted document: {0}")]
    Encrypted(String),
    /// A PDF or OFD whose pages carry no text to read (a scan): for OCR or manual handling.
    #[error("no text layer: {0}")]
    NoTextLayer(String),
    /// A bug in a reader that was caught instead of taking the process down.
    #[error("internal parser error: {0}")]
    Internal(String),
    /// The caller set the parse's [`crate::document::limits::Cancel`] flag: the worker does so
    /// at `worker.parse_timeout_ms`, so the code is the worker's `parse_timeout`.
    #[error("parse stopped: it ran past its deadline")]
    Cancelled,
}

impl ParseError {
    /// The stable machine-readable code (dead-letter header `docingest-error-code`).
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::Empty => "empty_input",
            ParseError::UnsupportedFormat(_) => "unsupported_format",
            ParseError::UndecodableText(_) => "undecodable_text",
            ParseError::TooLarge { .. } => "too_large",
            ParseError::LimitExceeded(_) => "limit_exceeded",
            ParseError::Corrupt(_) => "corrupt_document",
            ParseError::Encrypted(_) => "encrypted_document",
            ParseError::NoTextLayer(_) => "no_text_layer",
            ParseError::Internal(_) => "parser_panic",
            ParseError::Cancelled => "parse_timeout",
        }
    }
}
