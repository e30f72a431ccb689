//! Names of the message headers docingest reads and writes, and typed access to them.
//!
//! These are an interface: the DLQ replay tool filters dead letters on them and downstream
//! consumers read the result headers. Values are AMQP long strings except the attempt count,
//! which is an integer (read back leniently: any integer type or a decimal string).
//!
//! Reading is one path: an AMQP field value becomes JSON once ([`to_json`]), and JSON values
//! become text or counts ([`text`], [`count`]). The worker's [`get_str`]/[`get_u32`] and the
//! DLQ tools' view of a dead letter both read through it, so a header means the same to both.

use lapin::types::{AMQPValue, FieldTable, ShortString};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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
/// purges them as one letter. See `properties::dead_letter_id`.
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

/// A header as text (see [`text`]).
pub fn get_str(headers: Option<&FieldTable>, name: &str) -> Option<String> {
    text(&to_json(headers?.inner().get(name)?))
}

/// A header as a count (see [`count`]), saturating at `u32::MAX`.
pub fn get_u32(headers: Option<&FieldTable>, name: &str) -> Option<u32> {
    let n = count(&to_json(headers?.inner().get(name)?))?;
    Some(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The one decoding of AMQP field values: every reader of headers (the worker's `get_*`, the
/// DLQ tools' letters, tables and `--header k=v` filters) goes through it. Timestamps become
/// RFC 3339 strings, byte arrays lossy text, tables objects.
pub fn to_json(v: &AMQPValue) -> Value {
    match v {
        AMQPValue::Boolean(b) => Value::Bool(*b),
        AMQPValue::ShortShortInt(n) => (*n).into(),
        AMQPValue::ShortShortUInt(n) => (*n).into(),
        AMQPValue::ShortInt(n) => (*n).into(),
        AMQPValue::ShortUInt(n) => (*n).into(),
        AMQPValue::LongInt(n) => (*n).into(),
        AMQPValue::LongUInt(n) => (*n).into(),
        AMQPValue::LongLongInt(n) => (*n).into(),
        AMQPValue::Float(f) => {
            serde_json::Number::from_f64(f64::from(*f)).map_or(Value::Null, Value::Number)
        }
        AMQPValue::Double(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        AMQPValue::DecimalValue(d) => Value::String(format!("{}e-{}", d.value, d.scale)),
        AMQPValue::ShortString(s) => Value::String(s.to_string()),
        AMQPValue::LongString(s) => {
            Value::String(String::from_utf8_lossy(s.as_bytes()).into_owned())
        }
        AMQPValue::FieldArray(a) => Value::Array(a.as_slice().iter().map(to_json).collect()),
        AMQPValue::Timestamp(t) => OffsetDateTime::from_unix_timestamp(*t as i64)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .map_or_else(|| (*t).into(), Value::String),
        AMQPValue::FieldTable(t) => Value::Object(table_json(t)),
        AMQPValue::ByteArray(b) => {
            Value::String(String::from_utf8_lossy(b.as_slice()).into_owned())
        }
        AMQPValue::Void => Value::Null,
    }
}

/// A whole header table as JSON (see [`to_json`]).
pub fn table_json(t: &FieldTable) -> Map<String, Value> {
    t.inner()
        .iter()
        .map(|(k, v)| (k.to_string(), to_json(v)))
        .collect()
}

/// A decoded header value as text: strings as they are, numbers and booleans in their usual
/// spelling; tables and arrays have no text form.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A decoded header value as a count, whatever integer type the sender chose, or a decimal
/// string (other tools write counters that way). A negative count reads as 0; anything else
/// that is not a whole number is absent.
pub fn count(v: &Value) -> Option<u64> {
    let n: i128 = match v {
        Value::Number(n) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from))?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some(n.clamp(0, u64::MAX as i128) as u64)
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
        h.insert(ATTEMPTS.into(), AMQPValue::LongLongInt(i64::MAX));
        assert_eq!(get_u32(Some(&h), ATTEMPTS), Some(u32::MAX), "saturates");
    }

    #[test]
    fn counts_and_text_read_the_decoded_value() {
        assert_eq!(count(&serde_json::json!(" 12 ")), Some(12));
        assert_eq!(count(&serde_json::json!("twelve")), None);
        assert_eq!(count(&serde_json::json!(-3)), Some(0));
        assert_eq!(count(&serde_json::json!(1.5)), None);
        assert_eq!(text(&serde_json::json!(7)).as_deref(), Some("7"));
        assert_eq!(text(&serde_json::json!(true)).as_deref(), Some("true"));
        assert_eq!(text(&serde_json::json!({"a": 1})), None);
        let mut h = FieldTable::default();
        h.insert("t".into(), AMQPValue::Timestamp(1_700_000_000));
        assert_eq!(
            get_str(Some(&h), "t").as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
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
