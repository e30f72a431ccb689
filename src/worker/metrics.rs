//! Prometheus metrics of one worker, rendered in the text exposition format for `/metrics`.
//!
//! Hand-rolled on atomics: a handful of counters, one gauge and one histogram do not justify a
//! metrics framework. Label values are `&'static str` (outcomes, error codes, dead-letter
//! kinds), so cardinality is bounded by the code. Nothing here is updated directly by the
//! worker: the event structs in [`super::events`] count as they log.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the processing-time histogram, in seconds.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default)]
struct Labeled {
    values: Mutex<BTreeMap<Vec<&'static str>, u64>>,
}

impl Labeled {
    fn add(&self, labels: &[&'static str], n: u64) {
        let mut v = self.values.lock().unwrap_or_else(|p| p.into_inner());
        *v.entry(labels.to_vec()).or_insert(0) += n;
    }
    fn get(&self, labels: &[&'static str]) -> u64 {
        let v = self.values.lock().unwrap_or_else(|p| p.into_inner());
        v.get(labels).copied().unwrap_or(0)
    }
    fn render(&self, out: &mut String, name: &str, help: &str, label_names: &[&str]) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        let v = self.values.lock().unwrap_or_else(|p| p.into_inner());
        for (labels, n) in v.iter() {
            let pairs: Vec<String> = label_names
                .iter()
                .zip(labels)
                .map(|(k, v)| format!("{k}=\"{v}\""))
                .collect();
            let _ = writeln!(out, "{name}{{{}}} {n}", pairs.join(","));
        }
    }
}

struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }
}

#[derive(Default)]
pub struct Metrics {
    jobs: Labeled,
    retries: Labeled,
    dead_letters: Labeled,
    processing: Histogram,
    input_bytes: AtomicU64,
    result_bytes: AtomicU64,
    claim_checks: AtomicU64,
    in_flight: AtomicI64,
    acks_lost: AtomicU64,
    broker_connections: AtomicU64,
    broker_disconnects: AtomicU64,
    parses_overrunning: AtomicI64,
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    pub(crate) fn job(&self, outcome: &'static str) {
        self.jobs.add(&[outcome], 1);
    }
    pub(crate) fn retry(&self, code: &'static str) {
        self.retries.add(&[code], 1);
    }
    pub(crate) fn dead_letter(&self, kind: &'static str, code: &'static str) {
        self.dead_letters.add(&[kind, code], 1);
    }
    pub(crate) fn observe(&self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.processing.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.processing.count.fetch_add(1, Ordering::Relaxed);
        self.processing
            .sum_micros
            .fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
    }
    pub(crate) fn bytes(&self, input: u64, result: u64) {
        self.input_bytes.fetch_add(input, Ordering::Relaxed);
        self.result_bytes.fetch_add(result, Ordering::Relaxed);
    }
    pub(crate) fn claim_check(&self) {
        self.claim_checks.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }
    pub(crate) fn ack_lost(&self) {
        self.acks_lost.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn broker_connected(&self) {
        self.broker_connections.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn parse_overrunning(&self, delta: i64) {
        self.parses_overrunning.fetch_add(delta, Ordering::Relaxed);
    }
    pub(crate) fn broker_disconnected(&self) {
        self.broker_disconnects.fetch_add(1, Ordering::Relaxed);
    }

    /// Deliveries handled with this outcome (`published`, `ignored`, `fanned_out`, `retried`,
    /// `dead_lettered`, `requeued`).
    pub fn jobs_total(&self, outcome: &'static str) -> u64 {
        self.jobs.get(&[outcome])
    }
    pub fn dead_letters_total(&self, kind: &'static str, code: &'static str) -> u64 {
        self.dead_letters.get(&[kind, code])
    }
    pub fn in_flight_now(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }
    /// Parser threads still running after their job was dead-lettered as `parse_timeout`.
    pub fn parses_overrunning_now(&self) -> i64 {
        self.parses_overrunning.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition format, version 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        self.jobs.render(
            &mut out,
            "docingest_jobs_total",
            "Deliveries handled, by outcome.",
            &["outcome"],
        );
        self.retries.render(
            &mut out,
            "docingest_retries_total",
            "Jobs sent to a delayed-retry tier, by error code.",
            &["code"],
        );
        self.dead_letters.render(
            &mut out,
            "docingest_dead_letters_total",
            "Messages dead-lettered, by kind and error code.",
            &["kind", "code"],
        );
        let h = &self.processing;
        let _ = writeln!(
            out,
            "# HELP docingest_job_processing_seconds Time from delivery to ack, per delivery.\n\
             # TYPE docingest_job_processing_seconds histogram"
        );
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "docingest_job_processing_seconds_bucket{{le=\"{le}\"}} {}",
                h.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = h.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "docingest_job_processing_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             docingest_job_processing_seconds_sum {}\n\
             docingest_job_processing_seconds_count {count}",
            h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        for (name, help, kind, value) in [
            (
                "docingest_input_bytes_total",
                "Bytes of input documents fetched and parsed.",
                "counter",
                self.input_bytes.load(Ordering::Relaxed) as i64,
            ),
            (
                "docingest_result_bytes_total",
                "Bytes of result JSON produced.",
                "counter",
                self.result_bytes.load(Ordering::Relaxed) as i64,
            ),
            (
                "docingest_claim_checks_total",
                "Results too large to inline, written to storage instead.",
                "counter",
                self.claim_checks.load(Ordering::Relaxed) as i64,
            ),
            (
                "docingest_jobs_in_flight",
                "Deliveries being processed now.",
                "gauge",
                self.in_flight.load(Ordering::Relaxed),
            ),
            (
                "docingest_parses_overrunning",
                "Parser threads still running past worker.parse_timeout_ms (their jobs are already dead-lettered); each holds a concurrency slot.",
                "gauge",
                self.parses_overrunning.load(Ordering::Relaxed),
            ),
            (
                "docingest_acks_lost_total",
                "Acks that could not be sent because the channel had closed (the broker redelivers).",
                "counter",
                self.acks_lost.load(Ordering::Relaxed) as i64,
            ),
            (
                "docingest_broker_connections_total",
                "Successful broker connections and recoveries.",
                "counter",
                self.broker_connections.load(Ordering::Relaxed) as i64,
            ),
            (
                "docingest_broker_disconnects_total",
                "Broker connections lost.",
                "counter",
                self.broker_disconnects.load(Ordering::Relaxed) as i64,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_histogram() {
        let m = Metrics::new();
        m.job("published");
        m.job("published");
        m.dead_letter("permanent", "invalid_json");
        m.observe(Duration::from_millis(3));
        m.observe(Duration::from_secs(100));
        let text = m.render();
        assert!(
            text.contains("docingest_jobs_total{outcome=\"published\"} 2"),
            "{text}"
        );
        assert!(text
            .contains("docingest_dead_letters_total{kind=\"permanent\",code=\"invalid_json\"} 1"));
        assert!(text.contains("docingest_job_processing_seconds_bucket{le=\"0.0025\"} 0"));
        assert!(text.contains("docingest_job_processing_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("docingest_job_processing_seconds_bucket{le=\"30\"} 1"));
        assert!(text.contains("docingest_job_processing_seconds_bucket{le=\"+Inf\"} 2"));
        assert!(text.contains("docingest_job_processing_seconds_count 2"));
        assert_eq!(m.jobs_total("published"), 2);
    }
}
