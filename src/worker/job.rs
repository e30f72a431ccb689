//! The edge of the worker: a delivery's body becomes typed jobs here, once (CONTRACT §3).
//!
//! Two forms arrive on the jobs queue: our own job JSON, and S3 / MinIO bucket notifications.
//! [`Message::try_from`] turns either into [`JobMessage`]s (the wire form of one job) or says
//! the message is to be acknowledged and ignored (a non-`ObjectCreated` event, S3's test event).
//! [`Job::try_from`] then validates one job: its bucket and key become storage's
//! [`BucketName`] and [`ObjectKey`] (S3's bucket rules; a non-empty, relative key free of
//! `.`/`..` components). Everything past this module only sees
//! valid values, and every error here is permanent: the same bytes fail the same way forever.

use crate::worker::disposition::{Classify, ErrorClass};
use crate::worker::storage::name::{BucketName, NameError, ObjectKey};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// A job message larger than this is refused before JSON parsing: a real job is a few hundred
/// bytes and an S3 notification a few kilobytes per record.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;
pub const MAX_JOB_ID_BYTES: usize = 256;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JobError {
    #[error("message body is {size} bytes, over the {limit}-byte limit")]
    MessageTooLarge { size: usize, limit: usize },
    #[error("message body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("message is neither a job nor an S3 event: {0}")]
    InvalidJob(String),
    #[error("invalid job_id: {0}")]
    InvalidJobId(String),
    /// The bucket or key breaks the naming rules (see [`crate::worker::storage::name`]).
    #[error(transparent)]
    Name(#[from] NameError),
    /// An S3 event key that is not percent-encoded UTF-8.
    #[error("invalid object key {key:?}: not percent-encoded UTF-8")]
    UndecodableKey { key: String },
}

impl Classify for JobError {
    fn class(&self) -> ErrorClass {
        ErrorClass::Permanent
    }
    fn code(&self) -> &'static str {
        match self {
            JobError::MessageTooLarge { .. } => "message_too_large",
            JobError::InvalidJson(_) => "invalid_json",
            JobError::InvalidJob(_) | JobError::InvalidJobId(_) => "invalid_job",
            JobError::Name(e) => e.code(),
            JobError::UndecodableKey { .. } => "invalid_key",
        }
    }
}

/// The wire form of one job (CONTRACT §3, form 1). Also what an S3 event record becomes, and
/// what `docingest submit` and the event fan-out publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobMessage {
    pub job_id: String,
    pub bucket: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submission_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What one delivery asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// One job (a job message or a one-record event) or several (a multi-record event).
    Jobs(Vec<JobMessage>),
    /// Nothing to do: acknowledge and move on. The string says why, for the log.
    Ignored(String),
}

impl TryFrom<&[u8]> for Message {
    type Error = JobError;

    fn try_from(body: &[u8]) -> Result<Message, JobError> {
        if body.len() > MAX_MESSAGE_BYTES {
            return Err(JobError::MessageTooLarge {
                size: body.len(),
                limit: MAX_MESSAGE_BYTES,
            });
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| JobError::InvalidJson(e.to_string()))?;
        let serde_json::Value::Object(obj) = &value else {
            return Err(JobError::InvalidJob("not a JSON object".into()));
        };
        if let Some(records) = obj.get("Records") {
            return parse_event(records);
        }
        // AWS sends this once when a notification is configured; it carries no object.
        if obj.get("Event").and_then(|e| e.as_str()) == Some("s3:TestEvent") {
            return Ok(Message::Ignored("s3:TestEvent".into()));
        }
        let job: JobMessage =
            serde_json::from_value(value).map_err(|e| JobError::InvalidJob(e.to_string()))?;
        Ok(Message::Jobs(vec![job]))
    }
}

#[derive(Deserialize)]
struct EventRecord {
    #[serde(rename = "eventName")]
    event_name: String,
    #[serde(rename = "eventTime", default)]
    event_time: Option<String>,
    s3: EventEntity,
}

#[derive(Deserialize)]
struct EventEntity {
    bucket: EventBucket,
    object: EventObject,
}

#[derive(Deserialize)]
struct EventBucket {
    name: String,
}

#[derive(Deserialize)]
struct EventObject {
    key: String,
    #[serde(rename = "eTag", default)]
    etag: Option<String>,
    #[serde(rename = "versionId", default)]
    version_id: Option<String>,
    #[serde(default)]
    sequencer: Option<String>,
}

fn parse_event(records: &serde_json::Value) -> Result<Message, JobError> {
    let serde_json::Value::Array(records) = records else {
        return Err(JobError::InvalidJob("`Records` is not an array".into()));
    };
    let mut jobs = Vec::new();
    let mut ignored = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let name = record
            .get("eventName")
            .and_then(|n| n.as_str())
            .ok_or_else(|| JobError::InvalidJob(format!("Records[{i}] has no eventName")))?;
        // AWS writes `ObjectCreated:Put`, MinIO `s3:ObjectCreated:Put`.
        if !name.trim_start_matches("s3:").starts_with("ObjectCreated:") {
            ignored.push(name.to_string());
            continue;
        }
        let record: EventRecord = serde_json::from_value(record.clone())
            .map_err(|e| JobError::InvalidJob(format!("Records[{i}]: {e}")))?;
        jobs.push(record_to_job(record)?);
    }
    if jobs.is_empty() {
        return Ok(Message::Ignored(if ignored.is_empty() {
            "event with no records".into()
        } else {
            format!("events {}", ignored.join(", "))
        }));
    }
    Ok(Message::Jobs(jobs))
}

fn record_to_job(r: EventRecord) -> Result<JobMessage, JobError> {
    let key = decode_event_key(&r.s3.object.key)?;
    let bucket = r.s3.bucket.name;
    // The same record delivered twice gets the same job id, so its results deduplicate by id
    // as well as by document id.
    let mut h = Sha256::new();
    for part in [
        bucket.as_str(),
        key.as_str(),
        r.s3.object.version_id.as_deref().unwrap_or(""),
        r.s3.object.etag.as_deref().unwrap_or(""),
        r.s3.object.sequencer.as_deref().unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let job_id = format!(
        "s3-{}",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut attributes = serde_json::Map::new();
    attributes.insert("event_name".into(), r.event_name.into());
    if let Some(t) = r.event_time {
        attributes.insert("event_time".into(), t.into());
    }
    Ok(JobMessage {
        job_id,
        bucket,
        key,
        version_id: r.s3.object.version_id.filter(|v| !v.is_empty()),
        etag: r.s3.object.etag.filter(|v| !v.is_empty()),
        content_type: None,
        submission_id: None,
        attributes: Some(attributes),
    })
}

/// Event keys are URL-encoded with '+' for a space. A literal '+' arrives as `%2B`, so the
/// '+' -> ' ' replacement must happen before percent-decoding, not after.
pub fn decode_event_key(raw: &str) -> Result<String, JobError> {
    let plus_as_space = raw.replace('+', " ");
    percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(|k| k.into_owned())
        .map_err(|_| JobError::UndecodableKey {
            key: raw.to_string(),
        })
}

/// One validated job: what `process_one` works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub job_id: String,
    pub bucket: BucketName,
    pub key: ObjectKey,
    pub version_id: Option<String>,
    pub etag: Option<String>,
    pub content_type: Option<String>,
    pub submission_id: Option<String>,
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

impl TryFrom<&JobMessage> for Job {
    type Error = JobError;

    fn try_from(m: &JobMessage) -> Result<Job, JobError> {
        if m.job_id.is_empty() {
            return Err(JobError::InvalidJobId("empty".into()));
        }
        if m.job_id.len() > MAX_JOB_ID_BYTES || m.job_id.chars().any(char::is_control) {
            return Err(JobError::InvalidJobId(
                "longer than 256 bytes or has control characters".into(),
            ));
        }
        Ok(Job {
            job_id: m.job_id.clone(),
            bucket: BucketName::parse(&m.bucket)?,
            key: ObjectKey::parse(&m.key)?,
            version_id: m.version_id.clone().filter(|v| !v.is_empty()),
            etag: m.etag.clone().filter(|v| !v.is_empty()),
            content_type: m.content_type.clone(),
            submission_id: m.submission_id.clone(),
            attributes: m.attributes.clone(),
        })
    }
}

/// A fresh job id: a UUIDv7, so ids sort by creation time in logs and queues.
pub fn new_job_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let random: [u8; 10] = std::array::from_fn(|_| fastrand::u8(..));
    uuid::Builder::from_unix_timestamp_millis(now.as_millis() as u64, &random)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(body: &str) -> Vec<JobMessage> {
        match Message::try_from(body.as_bytes()).unwrap() {
            Message::Jobs(j) => j,
            other => panic!("expected jobs, got {other:?}"),
        }
    }

    #[test]
    fn job_message_with_all_fields() {
        let j = jobs(
            r#"{"job_id":"j1","bucket":"reports","key":"2023/a.txt","version_id":"v1",
                "etag":"\"abc\"","content_type":"text/plain","submission_id":"s1",
                "attributes":{"source":"portal"},"extra":"ignored"}"#,
        );
        assert_eq!(j.len(), 1);
        let job = Job::try_from(&j[0]).unwrap();
        assert_eq!(job.job_id, "j1");
        assert_eq!(job.bucket.as_str(), "reports");
        assert_eq!(job.key.as_str(), "2023/a.txt");
        assert_eq!(job.version_id.as_deref(), Some("v1"));
        assert_eq!(job.submission_id.as_deref(), Some("s1"));
        assert_eq!(job.attributes.unwrap()["source"], "portal");
    }

    #[test]
    fn bad_json_is_permanent_invalid_json() {
        let e = Message::try_from(&b"{not json"[..]).unwrap_err();
        assert_eq!(e.code(), "invalid_json");
        assert_eq!(e.class(), ErrorClass::Permanent);
    }

    #[test]
    fn job_without_key_is_invalid_job() {
        let e = Message::try_from(&br#"{"job_id":"j","bucket":"reports"}"#[..]).unwrap_err();
        assert_eq!(e.code(), "invalid_job");
        assert!(e.to_string().contains("key"), "{e}");
    }

    #[test]
    fn json_array_is_invalid_job() {
        assert_eq!(
            Message::try_from(&b"[1,2]"[..]).unwrap_err().code(),
            "invalid_job"
        );
    }

    #[test]
    fn oversized_message_is_refused_before_parsing() {
        let body = vec![b' '; MAX_MESSAGE_BYTES + 1];
        assert_eq!(
            Message::try_from(body.as_slice()).unwrap_err().code(),
            "message_too_large"
        );
    }

    #[test]
    fn s3_event_key_plus_is_space_and_percent_is_decoded() {
        let body = r#"{"Records":[{"eventName":"s3:ObjectCreated:Put","eventTime":"2024-01-01T00:00:00Z",
          "s3":{"bucket":{"name":"reports"},"object":{"key":"2023+%E5%B9%B4%E5%BA%A6/a%2Bb+c.txt",
          "size":12,"eTag":"d41d8cd98f00b204e9800998ecf8427e","versionId":"v9","sequencer":"01"}}}]}"#;
        let j = jobs(body);
        assert_eq!(j.len(), 1);
        assert_eq!(j[0].key, "2023 年度/a+b c.txt");
        assert_eq!(j[0].bucket, "reports");
        assert_eq!(j[0].version_id.as_deref(), Some("v9"));
        assert_eq!(
            j[0].etag.as_deref(),
            Some("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert!(j[0].job_id.starts_with("s3-"));
        assert_eq!(j[0].job_id, jobs(body)[0].job_id, "job id is deterministic");
    }

    #[test]
    fn aws_event_names_without_s3_prefix_count() {
        let body = r#"{"Records":[{"eventName":"ObjectCreated:CompleteMultipartUpload",
          "s3":{"bucket":{"name":"reports"},"object":{"key":"a.txt"}}}]}"#;
        assert_eq!(jobs(body)[0].key, "a.txt");
    }

    #[test]
    fn several_records_give_one_job_each_and_others_are_skipped() {
        let body = r#"{"Records":[
          {"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"reports"},"object":{"key":"a.txt","eTag":"1"}}},
          {"eventName":"s3:ObjectRemoved:Delete","s3":{"bucket":{"name":"reports"},"object":{"key":"gone.txt"}}},
          {"eventName":"s3:ObjectCreated:Copy","s3":{"bucket":{"name":"reports"},"object":{"key":"b.txt","eTag":"2"}}}]}"#;
        let j = jobs(body);
        assert_eq!(
            j.iter().map(|j| j.key.as_str()).collect::<Vec<_>>(),
            ["a.txt", "b.txt"]
        );
        assert_ne!(j[0].job_id, j[1].job_id);
    }

    #[test]
    fn non_created_events_are_ignored() {
        let body = r#"{"Records":[{"eventName":"s3:ObjectRemoved:Delete",
          "s3":{"bucket":{"name":"reports"},"object":{"key":"a.txt"}}}]}"#;
        assert!(matches!(
            Message::try_from(body.as_bytes()).unwrap(),
            Message::Ignored(_)
        ));
        let test_event = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"reports"}"#;
        assert!(matches!(
            Message::try_from(test_event.as_bytes()).unwrap(),
            Message::Ignored(_)
        ));
    }

    #[test]
    fn event_key_with_invalid_utf8_is_invalid_key() {
        let body = r#"{"Records":[{"eventName":"s3:ObjectCreated:Put",
          "s3":{"bucket":{"name":"reports"},"object":{"key":"%FF%FE.txt"}}}]}"#;
        assert_eq!(
            Message::try_from(body.as_bytes()).unwrap_err().code(),
            "invalid_key"
        );
    }

    #[test]
    fn dotdot_key_in_job_is_rejected_at_the_edge() {
        let j = jobs(r#"{"job_id":"j","bucket":"reports","key":"../../etc/passwd"}"#);
        assert_eq!(Job::try_from(&j[0]).unwrap_err().code(), "invalid_key");
    }

    #[test]
    fn job_message_round_trips() {
        let m = JobMessage {
            job_id: new_job_id(),
            bucket: "reports".into(),
            key: "a b.txt".into(),
            version_id: None,
            etag: None,
            content_type: Some("text/plain".into()),
            submission_id: Some("batch-1".into()),
            attributes: None,
        };
        let body = serde_json::to_vec(&m).unwrap();
        assert_eq!(jobs(std::str::from_utf8(&body).unwrap()), vec![m]);
    }

    #[test]
    fn new_job_ids_are_uuids_and_distinct() {
        let a = new_job_id();
        let b = new_job_id();
        assert_ne!(a, b);
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 7);
    }
}
