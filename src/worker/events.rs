//! What the worker reports about itself. Each event is a small struct whose `emit` writes the
//! log line and updates the metrics, so a log and its counter can never disagree (vector's
//! internal-event pattern). Fields such as `job_id` and `document_id` come from the enclosing
//! job span, not from the events.

use super::metrics::Metrics;
use std::time::Duration;
use tracing::{debug, error, info, warn};

pub(super) struct ResultPublished {
    pub input_bytes: u64,
    pub result_bytes: u64,
    pub claim_check: bool,
}

impl ResultPublished {
    pub(super) fn emit(&self, m: &Metrics) {
        info!(
            input_bytes = self.input_bytes,
            result_bytes = self.result_bytes,
            claim_check = self.claim_check,
            "result published"
        );
        m.job("published");
        m.bytes(self.input_bytes, self.result_bytes);
        if self.claim_check {
            m.claim_check();
        }
    }
}

pub(super) struct MessageIgnored<'a> {
    pub reason: &'a str,
}

impl MessageIgnored<'_> {
    pub(super) fn emit(&self, m: &Metrics) {
        info!(reason = self.reason, "message ignored");
        m.job("ignored");
    }
}

pub(super) struct EventFannedOut {
    pub jobs: usize,
}

impl EventFannedOut {
    pub(super) fn emit(&self, m: &Metrics) {
        info!(jobs = self.jobs, "S3 event split into one job per record");
        m.job("fanned_out");
    }
}

pub(super) struct RetryScheduled<'a> {
    pub code: &'static str,
    pub message: &'a str,
    pub attempts: u32,
    pub delay_ms: u64,
}

impl RetryScheduled<'_> {
    pub(super) fn emit(&self, m: &Metrics) {
        warn!(
            error_code = self.code,
            error = self.message,
            attempts = self.attempts,
            delay_ms = self.delay_ms,
            "transient failure, retry scheduled"
        );
        m.job("retried");
        m.retry(self.code);
    }
}

/// A parse ran past `worker.parse_timeout_ms`; its job fails as `parse_timeout`.
pub(super) struct ParseOverran {
    pub timeout: Duration,
}

impl ParseOverran {
    pub(super) fn emit(&self, m: &Metrics) {
        warn!(
            timeout_ms = self.timeout.as_millis() as u64,
            "parse timed out; its thread runs on, holding a concurrency slot, until it ends"
        );
        m.parse_overrunning(1);
    }
}

/// The thread of a timed-out parse has ended and given its slot back.
pub(super) struct OverrunParseEnded;

impl OverrunParseEnded {
    pub(super) fn emit(&self, m: &Metrics) {
        info!("overrunning parse ended; its slot is free again");
        m.parse_overrunning(-1);
    }
}

pub(super) struct DeadLettered<'a> {
    pub kind: &'static str,
    pub code: &'static str,
    pub message: &'a str,
    pub attempts: u32,
}

impl DeadLettered<'_> {
    pub(super) fn emit(&self, m: &Metrics) {
        error!(
            kind = self.kind,
            error_code = self.code,
            error = self.message,
            attempts = self.attempts,
            "dead-lettered"
        );
        m.job("dead_lettered");
        m.dead_letter(self.kind, self.code);
    }
}

/// The retry copy or dead letter could not be published: the input is put back on the queue
/// after a pause instead of being acked.
pub(super) struct DispositionFailed<'a> {
    pub action: &'static str,
    pub error: &'a str,
}

impl DispositionFailed<'_> {
    pub(super) fn emit(&self, m: &Metrics) {
        error!(
            action = self.action,
            error = self.error,
            "could not publish the disposition; requeueing the delivery"
        );
        m.job("requeued");
    }
}

pub(super) struct AckLost<'a> {
    pub reason: &'a str,
}

impl AckLost<'_> {
    pub(super) fn emit(&self, m: &Metrics) {
        warn!(
            reason = self.reason,
            "ack not sent (channel closed); the broker will redeliver"
        );
        m.ack_lost();
    }
}

pub(super) struct DeliveryFinished {
    pub elapsed: Duration,
}

impl DeliveryFinished {
    pub(super) fn emit(&self, m: &Metrics) {
        debug!(
            elapsed_ms = self.elapsed.as_secs_f64() * 1000.0,
            "delivery finished"
        );
        m.observe(self.elapsed);
    }
}

pub(super) struct BrokerConnected<'a> {
    pub url: &'a str,
    pub recovered: bool,
}

impl BrokerConnected<'_> {
    pub(super) fn emit(&self, m: &Metrics) {
        info!(
            url = self.url,
            recovered = self.recovered,
            "connected to the broker, consuming"
        );
        m.broker_connected();
    }
}

pub(super) struct BrokerConnectionLost<'a> {
    pub error: &'a str,
}

impl BrokerConnectionLost<'_> {
    pub(super) fn emit(&self, m: &Metrics) {
        warn!(error = self.error, "broker connection lost");
        m.broker_disconnected();
    }
}
