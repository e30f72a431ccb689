//! The pure side of docingest: bytes in, [`ParseResult`] out. Nothing below this module does
//! I/O, spawns tasks or knows about brokers and buckets, so it runs the same in `docingest
//! parse`, in the worker and in a fuzzer.
//!
//! Stages, each a function over typed values:
//! 1. [`detect`]: bytes + name -> [`Format`]
//! 2. [`readers`]: bytes -> [`RawDocument`] (text formats go through [`decode`] first)
//! 3. [`normalize`]: blocks -> clean blocks, web metadata, warnings
//! 4. [`structure`]: blocks -> title, section tree
//! 5. [`extract`]: document -> metadata, compliance, facts, references

mod cn_numeral;
pub mod decode;
pub mod detect;
mod error;
pub mod extract;
mod fields;
mod head;
mod lex;
pub mod limits;
mod model;
pub mod normalize;
pub mod readers;
pub mod result;
mod rows;
mod scan;
pub mod structure;

pub use error::ParseError;
pub use limits::Limits;
pub use model::{Block, RawDocument};
pub use result::{Format, ParseResult};

use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// What the caller knows about the bytes besides the bytes.
#[derive(Debug, Clone, Default)]
pub struct Input<'a> {
    pub bytes: &'a [u8],
    /// File name or object key; used only when the content does not decide the format.
    pub name: Option<&'a str>,
    /// `source.uri` in the result (a path, or `s3://bucket/key`).
    pub uri: String,
}

/// `sha256:<hex>` of the bytes: the result's `document_id` and the published `message_id`.
pub fn document_id(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Parse one document. Never panics: a reader bug is caught and reported as
/// [`ParseError::Internal`], so one bad file cannot take a worker down.
pub fn parse(input: &Input<'_>, limits: &Limits) -> Result<ParseResult, ParseError> {
    contain_panics(|| parse_uncaught(input, limits))
}

/// [`parse`] for a caller that hands the bytes over: they are freed as soon as the reader is
/// done with them, before normalization and extraction build the result. For a large
/// spreadsheet that is the difference between holding the input and the result at once or not.
/// Returns the bytes' [`document_id`] beside the outcome (the worker logs it with a failure
/// too), computed once: the result carries the same string.
pub fn parse_owned(
    bytes: Vec<u8>,
    name: Option<&str>,
    uri: &str,
    limits: &Limits,
) -> (String, Result<ParseResult, ParseError>) {
    let id = document_id(&bytes);
    let result =
        contain_panics(|| parse_inner(Cow::Owned(bytes), Some(id.clone()), name, uri, limits));
    (id, result)
}

/// Runs a parsing stage; a panic in it becomes [`ParseError::Internal`] (`parser_panic`, a
/// permanent error) carrying the panic's message.
fn contain_panics<T>(stage: impl FnOnce() -> Result<T, ParseError>) -> Result<T, ParseError> {
    match catch_quietly(stage) {
        Ok(r) => r,
        Err(message) => Err(ParseError::Internal(message)),
    }
}

thread_local! {
    /// How many [`catch_quietly`] frames enclose the running code on this thread.
    static CONTAINING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Where the last contained panic on this thread happened (`file:line:column`).
    static CONTAINED_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, turning a panic into its message (with the source location). The panic is
/// contained, so it is not a crash to announce: the process's panic hook is wrapped, once, so
/// that a panic inside `catch_quietly` prints nothing to stderr (the caller reports it as a
/// typed error, which the worker logs as one structured event with its code), while a panic
/// anywhere else still reaches the previous hook as before.
pub(crate) fn catch_quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CONTAINING.with(|c| c.get()) > 0 {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                CONTAINED_AT.with(|c| *c.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
    CONTAINING.with(|c| c.set(c.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(c.get() - 1));
    result.map_err(|panic| {
        let message = panic_message(panic.as_ref());
        match CONTAINED_AT.with(|c| c.borrow_mut().take()) {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

/// The text of a caught panic's payload.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// [`parse`] without the panic guard, for fuzzers: a panic there is a bug to find, not to hide.
pub fn parse_uncaught(input: &Input<'_>, limits: &Limits) -> Result<ParseResult, ParseError> {
    parse_inner(
        Cow::Borrowed(input.bytes),
        None,
        input.name,
        &input.uri,
        limits,
    )
}

/// `id`: the bytes' [`document_id`] when the caller has it already; computed here otherwise,
/// after the size checks, so an oversized input is refused without being hashed.
fn parse_inner(
    bytes: Cow<'_, [u8]>,
    id: Option<String>,
    name: Option<&str>,
    uri: &str,
    limits: &Limits,
) -> Result<ParseResult, ParseError> {
    let size = bytes.len() as u64;
    if size > limits.max_input_bytes {
        return Err(ParseError::TooLarge {
            size,
            limit: limits.max_input_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(ParseError::Empty);
    }
    let format = detect::detect(&bytes, name)?;
    let id = id.unwrap_or_else(|| document_id(&bytes));
    // Owned bytes go to the reader, which frees them as soon as it can.
    let raw = readers::read(format, bytes, limits)?;
    limits.cancel.check()?;
    // Normalization stops early when cancelled; what it returns then is dropped here.
    let normalized = normalize::normalize(raw, limits);
    limits.cancel.check()?;
    let structured = structure::structure(&normalized);
    limits.cancel.check()?;
    let mut result = extract::extract(normalized, &structured);
    result.document_id = id;
    result.source.uri = uri.to_string();
    result.source.size = size;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_stage_becomes_a_permanent_parser_panic() {
        let e = contain_panics::<()>(|| panic!("index {} out of range", 7)).unwrap_err();
        assert_eq!(e.code(), "parser_panic");
        assert!(e.to_string().contains("index 7 out of range"), "{e}");
        let e = contain_panics::<()>(|| std::panic::panic_any(42u8)).unwrap_err();
        assert!(e.to_string().contains("unknown panic"), "{e}");
        assert_eq!(contain_panics(|| Ok(5)).unwrap(), 5);
    }
}
