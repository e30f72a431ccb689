//! docingest turns government report submissions (法治政府建设年度报告) into structured JSON.
//!
//! # Layout
//!
//! - [`document`]: the pure side. Bytes in, [`document::ParseResult`] out: format detection,
//!   decoding, the format readers, normalization, the section tree and extraction. No async,
//!   no network, no broker: `docingest parse` and the fuzzers run it directly.
//! - [`cli`]: one module per subcommand; `main.rs` only parses arguments and dispatches.
//! - [`dlq`]: the dead-letter queue tools: read dead letters without disturbing them, filter,
//!   replay at a bounded rate with publisher confirms, purge.
//!
//! The moving side (worker, storage, AMQP, DLQ tooling) wraps `document::parse` and only moves
//! bytes and messages around it.

pub mod cli;
pub mod dlq;
pub mod document;
