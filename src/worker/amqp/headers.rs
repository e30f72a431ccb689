//! Names of the message headers docingest reads and writes, and typed access to them.
//!
//! These are an interface: the DLQ replay tool filters dead letters on them and downstream
//! consumers read the result headers. Values are AMQP long strings except the attempt count,
//! which is an integer (read back leniently: any integer type or a decimal string).

use lapin::types::{AMQPValue, FieldTable, ShortString};

/// Attempts made so far (failed ones; the one being retried included). Our own counter, not
/// the broker's `x-death`, which brokers 3.13+ no longer let clients carry over.
pub const ATTEMPTS: &str = "docingest-attempts";
/// `permanent` or `retries_exhausted`.
pub const ERROR_KIND: &str = "docingest-error-kind";
/// Stable machine-readable error code (`invalid_json`, `object_not_found`, `too_large`, ...).
pub const ERROR_CODE: &str = "docingest-error-code";
/// Human-readable error message of the last failure.
pub const ERROR_MESSAGE: &str = "docingest-error-message";
/// RFC 3339 time of the first failure of this job (kept across retries).
pub const FIRST_FAILED_AT: &str = "docingest-first-failed-at";
/// RFC 3339 time of the failure that dead-lettered it.
pub const FAILED_AT: &str = "docingest-failed-at";
/// The job's id, bucket and key, when the message got far enough to tell.
pub const JOB_ID: &str = "docingest-job-id";
pub const BUCKET: &str = "docingest-bucket";
pub const KEY: &str = "docingest-key";
/// Identity of a dead letter: `sha256:<hex>` of the job message body it carries. A worker
/// killed (or disconnected) after the broker confirmed a dead letter and before its ack of the
/// job reached the broker gets the job again and dead-letters it again; both copies carry the
/// same id, and every reader of the dead-letter queue (`docingest dlq`) counts, replays and
/// purges them as one letter. See `consumer::dead_letter_id`.
pub const DEAD_LETTER_ID: &str = "docingest-dead-letter-id";
/// Where the message was published before it was dead-lettered (replay sends it back there).
pub const ORIGINAL_EXCHANGE: &str = "docingest-original-exchange";
pub const ORIGINAL_ROUTING_KEY: &str = "docingest-original-routing-key";
/// On retry copies: code and message of the failure that caused the retry.
pub const LAST_ERROR_CODE: &str = "docingest-last-error-code";
pub const LAST_ERROR_MESSAGE: &str = "docingest-last-error-message";
/// On results: `true` when the body is a pointer to the result in storage (claim check).
pub const CLAIM_CHECK: &str = "docingest-claim-check";
/// W3C trace context, carried from the job to its result, retries and dead letters.
pub const TRACEPARENT: &str = "traceparent";

/// Every header a dead letter published by the worker carries (the last three only when the
/// message was parsed far enough to know them).
pub const DEAD_LETTER_HEADERS: &[&str] = &[
    ERROR_KIND,
    ERROR_CODE,
    ERROR_MESSAGE,
    ATTEMPTS,
    FIRST_FAILED_AT,
    FAILED_AT,
    ORIGINAL_EXCHANGE,
    ORIGINAL_ROUTING_KEY,
    DEAD_LETTER_ID,
    JOB_ID,
    BUCKET,
    KEY,
];

/// Broker-set dead-letter bookkeeping, stripped from the copies we publish: our own headers
/// carry the history, and a growing `x-death` on a message that loops through the retry tiers
/// is noise.
pub const BROKER_DEATH_HEADERS: &[&str] = &[
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
];

/// A string header (long or short string).
pub fn get_str(headers: Option<&FieldTable>, name: &str) -> Option<String> {
    match headers?.inner().get(name)? {
        AMQPValue::LongString(s) => Some(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

/// An unsigned integer header, whatever integer type the sender chose. Negative or unreadable
/// values count as absent.
pub fn get_u32(headers: Option<&FieldTable>, name: &str) -> Option<u32> {
    let v: i128 = match headers?.inner().get(name)? {
        AMQPValue::ShortShortInt(v) => (*v).into(),
        AMQPValue::ShortShortUInt(v) => (*v).into(),
        AMQPValue::ShortInt(v) => (*v).into(),
        AMQPValue::ShortUInt(v) => (*v).into(),
        AMQPValue::LongInt(v) => (*v).into(),
        AMQPValue::LongUInt(v) => (*v).into(),
        AMQPValue::LongLongInt(v) => (*v).into(),
        AMQPValue::LongString(s) => std::str::from_utf8(s.as_bytes())
            .ok()?
            .trim()
            .parse()
            .ok()?,
        AMQPValue::ShortString(s) => s.as_str().trim().parse().ok()?,
        _ => return None,
    };
    u32::try_from(v.max(0).min(u32::MAX as i128)).ok()
}

pub fn set_str(headers: &mut FieldTable, name: &str, value: impl Into<String>) {
    let value: String = value.into();
    headers.insert(ShortString::from(name), AMQPValue::LongString(value.into()));
}

pub fn set_u32(headers: &mut FieldTable, name: &str, value: u32) {
    headers.insert(ShortString::from(name), AMQPValue::LongInt(value as i32));
}

pub fn set_bool(headers: &mut FieldTable, name: &str, value: bool) {
    headers.insert(ShortString::from(name), AMQPValue::Boolean(value));
}

/// `headers` without the entries named in `drop`.
pub fn without(headers: Option<&FieldTable>, drop: &[&str]) -> FieldTable {
    let mut out = FieldTable::default();
    if let Some(h) = headers {
        for (k, v) in h {
            if !drop.contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_read_from_any_integer_or_string() {
        let mut h = FieldTable::default();
        for (v, want) in [
            (AMQPValue::LongInt(3), Some(3)),
            (AMQPValue::LongLongInt(7), Some(7)),
            (AMQPValue::ShortShortUInt(2), Some(2)),
            (AMQPValue::LongString("4".into()), Some(4)),
            (AMQPValue::LongInt(-1), Some(0)),
            (AMQPValue::LongString("x".into()), None),
            (AMQPValue::Boolean(true), None),
        ] {
            h.insert(ATTEMPTS.into(), v);
            assert_eq!(get_u32(Some(&h), ATTEMPTS), want);
        }
        assert_eq!(get_u32(None, ATTEMPTS), None);
    }

    #[test]
    fn set_then_get() {
        let mut h = FieldTable::default();
        set_u32(&mut h, ATTEMPTS, 5);
        set_str(&mut h, ERROR_CODE, "too_large");
        assert_eq!(get_u32(Some(&h), ATTEMPTS), Some(5));
        assert_eq!(get_str(Some(&h), ERROR_CODE).as_deref(), Some("too_large"));
    }

    #[test]
    fn without_drops_broker_headers() {
        let mut h = FieldTable::default();
        set_str(&mut h, "x-death", "x");
        set_str(&mut h, TRACEPARENT, "00-abc-01");
        let out = without(Some(&h), BROKER_DEATH_HEADERS);
        assert!(!out.contains_key("x-death"));
        assert!(out.contains_key(TRACEPARENT));
    }
}
