//! Logs, set up once per process.
//!
//! JSON lines on stderr (stdout belongs to command output such as `submit`'s job ids). Each line
//! carries the current span's fields, so every line logged while a job is handled has the
//! job's `job_id` and, once the bytes are fetched, its `document_id`. Metrics are not set up
//! here: they are counted by the same event structs that log (see `worker::events`), so the
//! two never drift apart.

use crate::config::{LogFormat, LogSettings};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// Parse a `log.level` value: `info`, or `docingest=debug,lapin=warn`.
pub fn parse_filter(level: &str) -> Result<Targets, String> {
    level.parse::<Targets>().map_err(|e| {
        format!("not a log filter ({e}); use e.g. \"info\" or \"docingest=debug,lapin=warn\"")
    })
}

/// Install the global subscriber. Calling it again (tests start several workers in one
/// process) keeps the first one and returns `false`.
pub fn init(log: &LogSettings) -> Result<bool, String> {
    let filter = parse_filter(&log.level)?;
    let registry = tracing_subscriber::registry().with(filter);
    let installed = match log.format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .flatten_event(true)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    Ok(installed.is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert!(parse_filter("info").is_ok());
        assert!(parse_filter("docingest=debug,lapin=warn").is_ok());
        assert!(parse_filter("docingest=loud").is_err());
    }
}
