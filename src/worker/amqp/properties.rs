//! The AMQP properties and headers of everything the worker publishes: results, split jobs,
//! retry copies and dead letters. The steps above say *what* to publish in their own terms
//! (a document id, a failure, an attempt count); this module is the one place that turns that
//! into `BasicProperties` and `docingest-*` headers (CONTRACT §4).

use super::headers;
use crate::worker::disposition::{DeadLetterKind, Failure};
use lapin::message::Delivery;
use lapin::types::FieldTable;
use lapin::BasicProperties;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A delivery as the worker's handling reads it: the body, where it came from, and its
/// properties (copied onto retry copies and dead letters). Built from a lapin delivery, or
/// directly (unit tests handle deliveries without a broker).
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub body: Vec<u8>,
    pub exchange: String,
    pub routing_key: String,
    pub properties: BasicProperties,
}

impl From<&Delivery> for Received {
    fn from(d: &Delivery) -> Received {
        Received {
            body: d.data.clone(),
            exchange: d.exchange.to_string(),
            routing_key: d.routing_key.to_string(),
            properties: d.properties.clone(),
        }
    }
}

impl Received {
    fn headers(&self) -> Option<&FieldTable> {
        self.properties.headers().as_ref()
    }
    /// `docingest-attempts`: failed attempts before this one (0 when absent).
    pub fn attempts_before(&self) -> u32 {
        headers::get_u32(self.headers(), headers::ATTEMPTS).unwrap_or(0)
    }
    /// The W3C `traceparent` header, if the publisher sent one.
    pub fn traceparent(&self) -> Option<String> {
        headers::get_str(self.headers(), headers::TRACEPARENT)
    }
    pub fn message_id(&self) -> Option<String> {
        self.properties.message_id().as_ref().map(|s| s.to_string())
    }
}

/// Identifying fields copied into dead-letter headers when the message got far enough.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Known {
    pub job_id: Option<String>,
    pub bucket: Option<String>,
    pub key: Option<String>,
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A published result: persistent JSON, `message_id` = document id, `correlation_id` = job
/// id, the job id and trace context in headers, and `docingest-claim-check: true` when the
/// body is a pointer to the result in storage.
pub fn result(
    document_id: &str,
    job_id: &str,
    traceparent: Option<&str>,
    claim_check: bool,
) -> BasicProperties {
    let mut h = FieldTable::default();
    headers::set_str(&mut h, headers::JOB_ID, job_id);
    if let Some(tp) = traceparent {
        headers::set_str(&mut h, headers::TRACEPARENT, tp);
    }
    if claim_check {
        headers::set_bool(&mut h, headers::CLAIM_CHECK, true);
    }
    BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_message_id(document_id.into())
        .with_correlation_id(job_id.into())
        .with_app_id("docingest".into())
        .with_timestamp(OffsetDateTime::now_utc().unix_timestamp().max(0) as u64)
        .with_headers(h)
}

/// Properties of a job message (`submit`).
pub fn job_properties(job_id: &str) -> BasicProperties {
    split_job(job_id, None)
}

/// Properties of a job split from a multi-record event: a job message that carries the
/// event's trace context on.
pub fn split_job(job_id: &str, traceparent: Option<&str>) -> BasicProperties {
    let mut h = FieldTable::default();
    if let Some(tp) = traceparent {
        headers::set_str(&mut h, headers::TRACEPARENT, tp);
    }
    BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_message_id(job_id.into())
        .with_app_id("docingest".into())
        .with_headers(h)
}

/// A retry copy: the original properties, `docingest-attempts`, the first failure's time and
/// the last error.
pub fn retry(original: &Received, attempts: u32, f: &Failure) -> BasicProperties {
    let now = rfc3339(OffsetDateTime::now_utc());
    let mut h = headers::without(original.headers(), headers::BROKER_DEATH_HEADERS);
    headers::set_u32(&mut h, headers::ATTEMPTS, attempts);
    headers::set_str(
        &mut h,
        headers::FIRST_FAILED_AT,
        first_failed_at(original, &now),
    );
    headers::set_str(&mut h, headers::LAST_ERROR_CODE, f.code);
    headers::set_str(&mut h, headers::LAST_ERROR_MESSAGE, truncate(&f.message));
    copy_properties(original, h)
}

/// A dead letter: the original properties and every header of
/// [`headers::DEAD_LETTER_HEADERS`] that is known.
pub fn dead_letter(
    original: &Received,
    kind: DeadLetterKind,
    attempts: u32,
    f: &Failure,
    known: &Known,
) -> BasicProperties {
    let now = rfc3339(OffsetDateTime::now_utc());
    let mut h = headers::without(original.headers(), headers::BROKER_DEATH_HEADERS);
    headers::set_str(&mut h, headers::ERROR_KIND, kind.as_str());
    headers::set_str(&mut h, headers::ERROR_CODE, f.code);
    headers::set_str(&mut h, headers::ERROR_MESSAGE, truncate(&f.message));
    headers::set_u32(&mut h, headers::ATTEMPTS, attempts);
    headers::set_str(
        &mut h,
        headers::FIRST_FAILED_AT,
        first_failed_at(original, &now),
    );
    headers::set_str(&mut h, headers::FAILED_AT, now);
    headers::set_str(
        &mut h,
        headers::ORIGINAL_EXCHANGE,
        original.exchange.as_str(),
    );
    headers::set_str(
        &mut h,
        headers::ORIGINAL_ROUTING_KEY,
        original.routing_key.as_str(),
    );
    headers::set_str(
        &mut h,
        headers::DEAD_LETTER_ID,
        dead_letter_id(&original.body),
    );
    for (name, value) in [
        (headers::JOB_ID, &known.job_id),
        (headers::BUCKET, &known.bucket),
        (headers::KEY, &known.key),
    ] {
        if let Some(v) = value {
            headers::set_str(&mut h, name, truncate(v));
        }
    }
    copy_properties(original, h)
}

/// The original properties minus what must not be copied: `expiration` (a dead letter or a
/// waiting retry must not expire), `user_id` (the broker rejects a publish whose user id is not
/// the connection's) and the broker's own dead-letter bookkeeping.
fn copy_properties(original: &Received, headers: FieldTable) -> BasicProperties {
    let p = &original.properties;
    let mut out = BasicProperties::default()
        .with_delivery_mode(2)
        .with_headers(headers);
    if let Some(v) = p.content_type() {
        out = out.with_content_type(v.clone());
    }
    if let Some(v) = p.content_encoding() {
        out = out.with_content_encoding(v.clone());
    }
    if let Some(v) = p.priority() {
        out = out.with_priority(*v);
    }
    if let Some(v) = p.correlation_id() {
        out = out.with_correlation_id(v.clone());
    }
    if let Some(v) = p.reply_to() {
        out = out.with_reply_to(v.clone());
    }
    if let Some(v) = p.message_id() {
        out = out.with_message_id(v.clone());
    }
    if let Some(v) = p.timestamp() {
        out = out.with_timestamp(*v);
    }
    if let Some(v) = p.kind() {
        out = out.with_type(v.clone());
    }
    if let Some(v) = p.app_id() {
        out = out.with_app_id(v.clone());
    }
    out
}

fn first_failed_at(original: &Received, now: &str) -> String {
    headers::get_str(original.headers(), headers::FIRST_FAILED_AT)
        .unwrap_or_else(|| now.to_string())
}

/// The `docingest-dead-letter-id` of a job message: `sha256:` of its body, and nothing else.
///
/// Why it exists: the job is acked only after the broker confirmed its dead letter, so a
/// worker that dies (or loses its connection) between the confirm and the ack leaves the job
/// unacked; the broker redelivers it and it is dead-lettered a second time. No publish order
/// closes that window: acking first would lose the job instead. So the second copy is made
/// recognisable: the id depends only on the body, which every copy of a job shares (retry
/// copies and replays republish the body unchanged), and not on anything that differs between
/// deliveries (`x-delivery-count`, `docingest-attempts`, times, the error message). Two
/// retry copies of one job that both end up dead-lettered get the same id too. The DLQ
/// tools collapse letters with one id into one (see `crate::dlq::broker::Scan`).
pub fn dead_letter_id(job_body: &[u8]) -> String {
    crate::document::document_id(job_body)
}

/// Header values are bounded: an error message quoting a huge input must not make the dead
/// letter itself unpublishable.
fn truncate(s: &str) -> String {
    const MAX: usize = 1024;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::disposition::ErrorClass;

    #[test]
    fn dead_letter_id_depends_on_the_body_only() {
        let body = br#"{"job_id":"j-1","bucket":"reports","key":"a.txt"}"#;
        let id = dead_letter_id(body);
        assert_eq!(id, dead_letter_id(body), "stable");
        assert!(id.starts_with("sha256:") && id.len() == 7 + 64);
        assert_ne!(
            id,
            dead_letter_id(br#"{"job_id":"j-2","bucket":"reports","key":"a.txt"}"#)
        );
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let s = "年".repeat(1000);
        let t = truncate(&s);
        assert!(t.len() <= 1024 + "…".len());
        assert!(t.ends_with('…'));
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn copies_keep_the_first_failure_and_drop_expiry_and_broker_bookkeeping() {
        let mut h = FieldTable::default();
        headers::set_str(&mut h, headers::FIRST_FAILED_AT, "2025-01-01T00:00:00Z");
        headers::set_str(&mut h, "x-death", "x");
        let original = Received {
            body: b"{}".to_vec(),
            exchange: "jobs".into(),
            routing_key: "job".into(),
            properties: BasicProperties::default()
                .with_expiration("1000".into())
                .with_message_id("m-1".into())
                .with_headers(h),
        };
        let f = Failure {
            class: ErrorClass::Transient,
            code: "storage_unavailable",
            message: "down".into(),
        };
        let p = retry(&original, 2, &f);
        assert_eq!(p.expiration(), &None);
        assert_eq!(p.message_id().as_ref().map(|s| s.as_str()), Some("m-1"));
        let h = p.headers().as_ref();
        assert_eq!(
            headers::get_str(h, headers::FIRST_FAILED_AT).as_deref(),
            Some("2025-01-01T00:00:00Z")
        );
        assert_eq!(headers::get_str(h, "x-death"), None);
        assert_eq!(headers::get_u32(h, headers::ATTEMPTS), Some(2));
    }
}
