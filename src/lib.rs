//! docingest turns government report submissions (法治政府建设年度报告) into structured JSON.
//!
//! # Layout
//!
//! - [`document`]: the pure side. Bytes in, [`document::ParseResult`] out: format detection,
//!   decoding, the format readers, normalization, the section tree and extraction. No async,
//!   no network, no broker: `docingest parse` and the fuzzers run it directly.
//! - [`cli`]: one module per subcommand; `main.rs` only parses arguments and dispatches.
//! - [`config`]: typed [`config::Settings`], layered `config/default.toml` -> `DOCINGEST_CONFIG`
//!   file -> `DOCINGEST_<SECTION>__<KEY>` variables; secrets redacted.
//! - [`telemetry`]: the JSON log subscriber and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set,
//!   the OTLP trace exporter, installed once.
//! - [`worker`]: the moving side. [`worker::job`] turns deliveries into typed jobs at the edge,
//!   [`worker::storage`] fetches inputs (fs or S3), [`worker::process`] is the one step
//!   (`process_one`: fetch, parse on a blocking thread, publish the result with a confirm),
//!   [`worker::disposition`] is the one place that chooses ack / retry / dead-letter,
//!   [`worker::delivery`] runs one delivery through both and acks or requeues it,
//!   [`worker::amqp`] holds the topology, the confirmed publisher (behind the `Publish` seam,
//!   with an in-memory implementation), message properties and header names, and
//!   `worker::run` is the consume loop with bounded concurrency and a clean drain.
//! - `review`: `docingest review`'s pure side: result JSON Lines -> one self-contained HTML
//!   page for reviewers (overview, charts, detail on demand) and a CSV for Excel. No network.
//! - [`dlq`]: the dead-letter queue tools: read dead letters without disturbing them (and
//!   never a queue that would drop them), filter, replay at a bounded rate with publisher
//!   confirms, purge, and migrate a queue declared without `x-delivery-limit`.
//!
//! The moving side (worker, storage, AMQP, DLQ tooling) wraps `document::parse` and only moves
//! bytes and messages around it. It sits behind the `service` feature (on by default): with
//! `default-features = false` the crate is [`document`] alone, with none of tokio, lapin or the
//! AWS SDK in the build (the fuzz targets use it that way).

// The public API is what the binary, the tests, the examples, the bench and the fuzz targets
// name; everything else is crate-private, and this lint keeps it so. (A crate attribute, not
// `[lints]` in Cargo.toml, which would apply it to the test binaries' own modules too.)
#![warn(unreachable_pub)]

#[cfg(feature = "service")]
pub mod cli;
#[cfg(feature = "service")]
pub mod config;
#[cfg(feature = "service")]
pub mod dlq;
pub mod document;
#[cfg(feature = "service")]
mod review;
#[cfg(feature = "service")]
pub mod telemetry;
#[cfg(feature = "service")]
pub mod worker;
