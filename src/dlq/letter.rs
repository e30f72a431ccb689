//! What one dead letter says about itself: the typed view every DLQ command reads.
//!
//! A dead letter arrives as AMQP properties, a header table and the original job body. The
//! broker side turns headers into JSON values once (`worker::amqp::headers::to_json`, the reading
//! the worker uses too); [`DeadLetter::from_parts`]
//! then reads our `docingest-*` headers, falls back to the broker's `x-death` for messages the
//! broker dead-lettered itself (the jobs queue's delivery limit), and to the job body for the
//! job id, bucket and key. Nothing here fails: a message with no readable headers is still a
//! dead letter, of kind `unknown`, so it can be listed, inspected, replayed or purged.

use serde::Serialize;
use serde_json::{Map, Value};
use std::time::{Duration, SystemTime};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Header names: the worker's (one definition, in `worker::amqp::headers`), plus replay's own.
pub mod names {
    use crate::worker::amqp::headers as w;
    pub const ERROR_KIND: &str = w::ERROR_KIND;
    pub const ERROR_CODE: &str = w::ERROR_CODE;
    pub const ERROR_MESSAGE: &str = w::ERROR_MESSAGE;
    pub const ATTEMPTS: &str = w::ATTEMPTS;
    pub const FIRST_FAILED_AT: &str = w::FIRST_FAILED_AT;
    pub const FAILED_AT: &str = w::FAILED_AT;
    pub const JOB_ID: &str = w::JOB_ID;
    pub const BUCKET: &str = w::BUCKET;
    pub const KEY: &str = w::KEY;
    pub const DEAD_LETTER_ID: &str = w::DEAD_LETTER_ID;
    /// Set by `dlq replay`: when the message last left the DLQ, and how many times it has.
    pub const REPLAYED_AT: &str = "docingest-replayed-at";
    pub const REPLAY_COUNT: &str = "docingest-replay-count";
    /// Broker-owned headers.
    pub const X_DEATH: &str = "x-death";
    pub const X_DELIVERY_COUNT: &str = "x-delivery-count";
}

/// Why a message is in the DLQ. The first two come from the worker; the others from the
/// broker's `x-death` reason when the broker dead-lettered the job itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The job can never succeed as it is (bad message, unparsable file, missing bucket...).
    Permanent,
    /// A transient error outlived `worker.max_attempts` (storage down, broker hiccups...).
    RetriesExhausted,
    /// The jobs queue's `x-delivery-limit` was hit: workers kept dying on this message.
    DeliveryLimit,
    /// Broker: rejected without requeue (`x-death` reason `rejected`).
    Rejected,
    /// Broker: a TTL ran out (`expired`).
    Expired,
    /// Broker: a queue length limit pushed it out (`maxlen`).
    Maxlen,
    /// No header says why.
    Unknown,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Permanent,
        Kind::RetriesExhausted,
        Kind::DeliveryLimit,
        Kind::Rejected,
        Kind::Expired,
        Kind::Maxlen,
        Kind::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Permanent => "permanent",
            Kind::RetriesExhausted => "retries_exhausted",
            Kind::DeliveryLimit => "delivery_limit",
            Kind::Rejected => "rejected",
            Kind::Expired => "expired",
            Kind::Maxlen => "maxlen",
            Kind::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The AMQP basic properties a DLQ command shows or filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Properties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Seconds since the epoch (the AMQP `timestamp` property).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
}

/// One dead letter, read. `headers` holds every header as JSON (AMQP timestamps as RFC 3339
/// strings, byte arrays as lossy text), for display and for `--header k=v`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    /// 0-based position in the queue when it was read.
    pub position: u64,
    pub properties: Properties,
    pub headers: Map<String, Value>,
    pub body: Vec<u8>,
    pub kind: Kind,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub attempts: Option<u64>,
    pub first_failed_at: Option<OffsetDateTime>,
    /// When it was dead-lettered: `docingest-failed-at`, else the first `x-death` time, else
    /// the `timestamp` property, else `docingest-first-failed-at`. Ages and
    /// `--older-than`/`--newer-than` use this.
    pub failed_at: Option<OffsetDateTime>,
    pub job_id: Option<String>,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub replay_count: u64,
    /// `docingest-dead-letter-id`: messages sharing it are copies of one dead letter (a worker
    /// died between the dead letter's confirm and the job's ack, and dead-lettered the
    /// redelivered job again). Absent on letters the broker dead-lettered itself.
    pub dead_letter_id: Option<String>,
    /// How many messages in the queue this letter stands for: 1, plus the later copies with
    /// the same `dead_letter_id` that the scan found (they are replayed and purged with it).
    pub copies: u64,
}

impl DeadLetter {
    pub fn from_parts(
        position: u64,
        properties: Properties,
        headers: Map<String, Value>,
        body: Vec<u8>,
    ) -> DeadLetter {
        let text = |name: &str| headers.get(name).and_then(value_text);
        let x_death = first_x_death(&headers);
        let kind = match text(names::ERROR_KIND) {
            Some(k) => Kind::parse(&k).unwrap_or(Kind::Unknown),
            None => x_death
                .and_then(|d| d.get("reason"))
                .and_then(Value::as_str)
                .map(|reason| match reason {
                    "delivery_limit" => Kind::DeliveryLimit,
                    "rejected" => Kind::Rejected,
                    "expired" => Kind::Expired,
                    "maxlen" => Kind::Maxlen,
                    _ => Kind::Unknown,
                })
                .unwrap_or(Kind::Unknown),
        };
        let attempts = headers
            .get(names::ATTEMPTS)
            .and_then(value_u64)
            .or_else(|| x_death.and_then(|d| d.get("count")).and_then(value_u64));
        let first_failed_at = text(names::FIRST_FAILED_AT).and_then(|t| parse_time(&t));
        let failed_at = text(names::FAILED_AT)
            .and_then(|t| parse_time(&t))
            .or_else(|| {
                x_death
                    .and_then(|d| d.get("time"))
                    .and_then(Value::as_str)
                    .and_then(parse_time)
            })
            .or_else(|| {
                properties
                    .timestamp
                    .and_then(|s| OffsetDateTime::from_unix_timestamp(s as i64).ok())
            })
            .or(first_failed_at);
        let job = job_fields(&body);
        DeadLetter {
            position,
            kind,
            error_code: text(names::ERROR_CODE),
            error_message: text(names::ERROR_MESSAGE),
            attempts,
            first_failed_at,
            failed_at,
            job_id: text(names::JOB_ID)
                .or(job.job_id)
                .or_else(|| properties.correlation_id.clone()),
            bucket: text(names::BUCKET).or(job.bucket),
            key: text(names::KEY).or(job.key),
            replay_count: headers
                .get(names::REPLAY_COUNT)
                .and_then(value_u64)
                .unwrap_or(0),
            dead_letter_id: text(names::DEAD_LETTER_ID),
            copies: 1,
            properties,
            headers,
            body,
        }
    }

    /// Time since it was dead-lettered, if known (zero for a clock running behind the broker's).
    pub fn age(&self, now: OffsetDateTime) -> Option<Duration> {
        self.failed_at
            .map(|t| (now - t).try_into().unwrap_or(Duration::ZERO))
    }

    /// The body as JSON when it is JSON, else as (lossy) text: what `inspect` prints as the job.
    pub fn body_value(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
    }

    /// The JSON form of `dlq inspect --json`: one object per dead letter.
    pub fn to_json(&self, now: OffsetDateTime) -> Value {
        serde_json::json!({
            "position": self.position,
            "message_id": self.properties.message_id,
            "kind": self.kind,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "attempts": self.attempts,
            "first_failed_at": self.first_failed_at.map(format_time),
            "failed_at": self.failed_at.map(format_time),
            "age_secs": self.age(now).map(|d| d.as_secs()),
            "job_id": self.job_id,
            "bucket": self.bucket,
            "key": self.key,
            "replay_count": self.replay_count,
            "dead_letter_id": self.dead_letter_id,
            "copies": self.copies,
            "properties": self.properties,
            "headers": self.headers,
            "body_bytes": self.body.len(),
            "job": self.body_value(),
        })
    }
}

/// The current time; separate so callers take "now" once per run (one age base for a table).
pub fn now() -> OffsetDateTime {
    OffsetDateTime::from(SystemTime::now())
}

pub fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

/// A header value as the text `--header k=v` compares with: the worker's reading of it.
pub use crate::worker::amqp::headers::text as value_text;

// Our counters may arrive as any integer type or, from other tools, as a decimal string.
use crate::worker::amqp::headers::count as value_u64;

/// The most recent `x-death` entry (the broker keeps them newest first).
fn first_x_death(headers: &Map<String, Value>) -> Option<&Map<String, Value>> {
    headers
        .get(names::X_DEATH)?
        .as_array()?
        .first()?
        .as_object()
}

#[derive(Default)]
struct JobFields {
    job_id: Option<String>,
    bucket: Option<String>,
    key: Option<String>,
}

/// Job id, bucket and key from the body, for dead letters whose headers lack them: our job
/// JSON (CONTRACT §3 form 1), or the first record of an S3 notification (form 2, key decoded).
fn job_fields(body: &[u8]) -> JobFields {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return JobFields::default();
    };
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    if let Some(record) = v.pointer("/Records/0/s3") {
        return JobFields {
            job_id: None,
            bucket: s(record.pointer("/bucket/name")),
            key: s(record.pointer("/object/key")).map(|k| decode_event_key(&k)),
        };
    }
    JobFields {
        job_id: s(v.get("job_id")),
        bucket: s(v.get("bucket")),
        key: s(v.get("key")),
    }
}

/// The key as the worker reads it ([`crate::worker::job::decode_event_key`], the one decoder);
/// a key the worker would refuse (not percent-encoded UTF-8) is shown as it came.
fn decode_event_key(raw: &str) -> String {
    crate::worker::job::decode_event_key(raw).unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> OffsetDateTime {
        parse_time(s).unwrap()
    }

    fn headers(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn worker_headers_are_read() {
        let dl = DeadLetter::from_parts(
            3,
            Properties {
                message_id: Some("m1".into()),
                ..Properties::default()
            },
            headers(json!({
                "docingest-error-kind": "retries_exhausted",
                "docingest-error-code": "storage_unavailable",
                "docingest-error-message": "connection refused",
                "docingest-attempts": 5,
                "docingest-first-failed-at": "2025-01-02T03:00:00Z",
                "docingest-failed-at": "2025-01-02T03:05:00Z",
                "docingest-job-id": "j1",
                "docingest-bucket": "reports",
                "docingest-key": "2024/a.docx",
                "docingest-replay-count": 2,
            })),
            b"{}".to_vec(),
        );
        assert_eq!(dl.position, 3);
        assert_eq!(dl.kind, Kind::RetriesExhausted);
        assert_eq!(dl.error_code.as_deref(), Some("storage_unavailable"));
        assert_eq!(dl.error_message.as_deref(), Some("connection refused"));
        assert_eq!(dl.attempts, Some(5));
        assert_eq!(dl.failed_at, Some(t("2025-01-02T03:05:00Z")));
        assert_eq!(dl.first_failed_at, Some(t("2025-01-02T03:00:00Z")));
        assert_eq!(dl.job_id.as_deref(), Some("j1"));
        assert_eq!(dl.bucket.as_deref(), Some("reports"));
        assert_eq!(dl.key.as_deref(), Some("2024/a.docx"));
        assert_eq!(dl.replay_count, 2);
        let now = t("2025-01-02T04:05:00Z");
        assert_eq!(dl.age(now), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn broker_dead_letters_take_kind_and_time_from_x_death() {
        let dl = DeadLetter::from_parts(
            0,
            Properties::default(),
            headers(json!({
                "x-death": [{"reason": "delivery_limit", "count": 1, "queue": "docingest.jobs",
                             "time": "2025-01-02T03:00:00Z"}],
            })),
            br#"{"job_id":"j9","bucket":"reports","key":"x.txt"}"#.to_vec(),
        );
        assert_eq!(dl.kind, Kind::DeliveryLimit);
        assert_eq!(dl.error_code, None);
        assert_eq!(dl.attempts, Some(1));
        assert_eq!(dl.failed_at, Some(t("2025-01-02T03:00:00Z")));
        // Job fields come from the body when headers lack them.
        assert_eq!(dl.job_id.as_deref(), Some("j9"));
        assert_eq!(dl.bucket.as_deref(), Some("reports"));
        assert_eq!(dl.key.as_deref(), Some("x.txt"));
    }

    #[test]
    fn failed_at_falls_back_to_timestamp_then_first_failure() {
        let ts = DeadLetter::from_parts(
            0,
            Properties {
                timestamp: Some(1_700_000_000),
                ..Properties::default()
            },
            headers(json!({"docingest-first-failed-at": "2020-01-01T00:00:00Z"})),
            vec![],
        );
        assert_eq!(ts.failed_at.unwrap().unix_timestamp(), 1_700_000_000);
        let first = DeadLetter::from_parts(
            0,
            Properties::default(),
            headers(json!({"docingest-first-failed-at": "2020-01-01T00:00:00Z"})),
            vec![],
        );
        assert_eq!(first.failed_at, first.first_failed_at);
        assert!(first.failed_at.is_some());
    }

    #[test]
    fn a_message_with_nothing_readable_is_unknown_not_an_error() {
        let dl = DeadLetter::from_parts(0, Properties::default(), Map::new(), vec![0xff, 0]);
        assert_eq!(dl.kind, Kind::Unknown);
        assert_eq!(dl.failed_at, None);
        assert_eq!(dl.age(now()), None);
        assert_eq!(dl.attempts, None);
        assert_eq!(dl.replay_count, 0);
        assert!(dl.body_value().is_string());
        let unknown_kind = DeadLetter::from_parts(
            0,
            Properties::default(),
            headers(json!({"docingest-error-kind": "cosmic_ray"})),
            vec![],
        );
        assert_eq!(unknown_kind.kind, Kind::Unknown);
    }

    #[test]
    fn counters_may_be_strings() {
        let dl = DeadLetter::from_parts(
            0,
            Properties::default(),
            headers(json!({"docingest-attempts": "4", "docingest-replay-count": "1"})),
            vec![],
        );
        assert_eq!(dl.attempts, Some(4));
        assert_eq!(dl.replay_count, 1);
    }

    #[test]
    fn s3_notification_bodies_give_bucket_and_decoded_key() {
        let body = br#"{"Records":[{"eventName":"s3:ObjectCreated:Put",
            "s3":{"bucket":{"name":"reports"},"object":{"key":"2024/%E6%8A%A5%E5%91%8A+v2.docx"}}}]}"#;
        let dl = DeadLetter::from_parts(0, Properties::default(), Map::new(), body.to_vec());
        assert_eq!(dl.bucket.as_deref(), Some("reports"));
        assert_eq!(dl.key.as_deref(), Some("2024/报告 v2.docx"));
    }

    #[test]
    fn event_key_decoding_keeps_malformed_escapes() {
        assert_eq!(decode_event_key("a%2Fb+c"), "a/b c");
        assert_eq!(decode_event_key("100%"), "100%");
        assert_eq!(decode_event_key("%zz"), "%zz");
        assert_eq!(decode_event_key("%E6"), "%E6");
        assert_eq!(decode_event_key("%报告"), "%报告");
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(json!(k), json!(k.as_str()));
        }
        assert_eq!(Kind::parse("Permanent"), None);
    }
}
