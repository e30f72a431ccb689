//! Logs and traces, set up once per process.
//!
//! Logs: JSON lines on stderr (stdout belongs to command output such as `submit`'s job ids).
//! Each line carries the current span's fields, so every line logged while a job is handled
//! has the job's `job_id` and, once the bytes are fetched, its `document_id`. Metrics are not
//! set up here: they are counted by the same event structs that log (see `worker::events`), so
//! the two never drift apart.
//!
//! Traces (the worker only): when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the `tracing` spans of each job are exported
//! as OpenTelemetry spans over OTLP/HTTP with protobuf bodies, configured by the standard
//! `OTEL_*` variables (`OTEL_SERVICE_NAME`, default `docingest`; `OTEL_RESOURCE_ATTRIBUTES`,
//! `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`; `OTEL_SDK_DISABLED=true` turns
//! it off again). Unset, no exporter, no tracer and no OpenTelemetry layer exist: a span costs
//! what it cost before. Spans are batched on the worker's runtime and flushed by
//! [`Telemetry::shutdown`] after the drain.

use crate::config::{LogFormat, LogSettings};
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::span_processor_with_async_runtime::BatchSpanProcessor;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use thiserror::Error;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::prelude::*;

/// The service name when `OTEL_SERVICE_NAME` is unset.
pub const DEFAULT_SERVICE_NAME: &str = "docingest";

#[derive(Debug, Error)]
pub enum TelemetryError {
    /// The `OTEL_EXPORTER_OTLP_*` settings do not make an exporter (e.g. a compression this
    /// build has no codec for).
    #[error("cannot set up the OTLP trace exporter: {0}")]
    Exporter(String),
}

/// The installed telemetry; keep it while the process runs.
#[must_use = "dropping it without `shutdown` loses the spans not yet exported"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans are exported (an OTLP endpoint is configured).
    pub fn exports_traces(&self) -> bool {
        self.provider.is_some()
    }

    /// Export every span still buffered, then stop the exporter. The worker calls it after
    /// its drain, so the spans of the last jobs are sent before the process exits.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        // The SDK's shutdown blocks its thread until the batch task, which runs on this
        // runtime, has exported: it must not block one of the runtime's own workers.
        match tokio::task::spawn_blocking(move || provider.shutdown()).await {
            Ok(Ok(())) => tracing::debug!("trace spans flushed"),
            Ok(Err(e)) => tracing::warn!(error = %e, "flushing trace spans failed"),
            Err(e) => tracing::warn!(error = %e, "flushing trace spans failed"),
        }
    }
}

/// Whether the environment asks for trace export (see the module header).
pub fn traces_configured(var: impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.trim().is_empty());
    let disabled = var("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    !disabled && (set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
}

/// Install the log subscriber (no traces: the CLI commands). Calling it again (tests start
/// several workers in one process) keeps the first one and returns `false`.
pub fn init(log: &LogSettings) -> Result<bool, String> {
    Ok(install(log, None))
}

/// Install logs and, when configured, trace export (`docingest worker`). Must run inside the
/// Tokio runtime the worker runs on: the span batches are sent from a task on it.
pub fn init_worker(log: &LogSettings) -> Result<Telemetry, TelemetryError> {
    // A subscriber installed before (several workers in one test process) stays, and it has
    // no layer that would export our spans: no provider then.
    let wanted =
        traces_configured(|k| std::env::var(k).ok()) && !tracing::dispatcher::has_been_set();
    let provider = if wanted {
        Some(tracer_provider()?)
    } else {
        None
    };
    install(log, provider.as_ref().map(|p| p.tracer("docingest")));
    Ok(Telemetry { provider })
}

fn tracer_provider() -> Result<SdkTracerProvider, TelemetryError> {
    // Endpoint, headers, timeout and compression come from the OTEL_EXPORTER_OTLP_* variables.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
        .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    let processor =
        BatchSpanProcessor::builder(exporter, opentelemetry_sdk::runtime::Tokio).build();
    let mut resource = Resource::builder();
    if std::env::var("OTEL_SERVICE_NAME").map_or(true, |v| v.trim().is_empty()) {
        resource = resource.with_service_name(DEFAULT_SERVICE_NAME);
    }
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(resource.build())
        .build())
}

fn install(log: &LogSettings, tracer: Option<opentelemetry_sdk::trace::SdkTracer>) -> bool {
    let traces = tracer.map(|t| tracing_opentelemetry::layer().with_tracer(t));
    let registry = tracing_subscriber::registry()
        .with(log.level.targets().clone())
        .with(traces);
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
    installed.is_ok()
}

/// Make `span` a child of the W3C `traceparent` (a no-op without trace export, or without a
/// valid `traceparent`: the span then starts a trace of its own).
pub fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    let Some(tp) = traceparent else {
        return;
    };
    let parent = TraceContextPropagator::new().extract(&One(tp));
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// The W3C `traceparent` of `span`, for the messages published inside it; `None` when traces
/// are not exported (the span has no OpenTelemetry context).
pub fn traceparent(span: &tracing::Span) -> Option<String> {
    let cx = span.context();
    if !cx.span().span_context().is_valid() {
        return None;
    }
    let mut out = One(String::new());
    TraceContextPropagator::new().inject_context(&cx, &mut out);
    Some(out.0).filter(|s| !s.is_empty())
}

/// A carrier of the one header the trace-context propagator reads and writes here.
struct One<T>(T);

impl Extractor for One<&str> {
    fn get(&self, key: &str) -> Option<&str> {
        (key == "traceparent").then_some(self.0)
    }
    fn keys(&self) -> Vec<&str> {
        vec!["traceparent"]
    }
}

impl Injector for One<String> {
    fn set(&mut self, key: &str, value: String) {
        if key == "traceparent" {
            self.0 = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn traces_are_on_only_with_an_endpoint_and_not_disabled() {
        assert!(!traces_configured(env(&[])));
        assert!(!traces_configured(env(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            " "
        )])));
        assert!(traces_configured(env(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://collector:4318"
        )])));
        assert!(traces_configured(env(&[(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://collector:4318/v1/traces"
        )])));
        assert!(!traces_configured(env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_SDK_DISABLED", "TRUE"),
        ])));
    }

    #[test]
    fn without_trace_export_spans_carry_no_context() {
        // No OpenTelemetry layer in this test binary's subscriber: nothing to continue, and
        // the worker falls back to the job's own traceparent.
        let span = tracing::info_span!("job");
        continue_trace(
            &span,
            Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        );
        assert_eq!(traceparent(&span), None);
    }
}
