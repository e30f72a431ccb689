//! The one step: `process_one(job, ctx, deps) -> Outcome`. Fetch the object, parse it on a
//! blocking thread, publish the result and wait for the broker's confirm.
//!
//! This function never touches the delivery: it does not ack, retry or dead-letter. It only
//! says how the job went, and [`super::disposition::decide`] turns that into the broker
//! action. That keeps "ack after confirm" in one place: an `Outcome::Published` exists only
//! once the result publish is confirmed.
//!
//! Results larger than `worker.max_inline_bytes` are written to storage under
//! `storage.results_prefix` + the document's hash, and the message carries a [`ClaimCheck`]
//! pointer instead, with header `docingest-claim-check: true`.

use crate::config::Settings;
use crate::document::{self, Limits, ParseError, ParseResult};
use crate::worker::amqp::properties::{self, rfc3339};
use crate::worker::amqp::publisher::{Outgoing, Publish, PublishError};
use crate::worker::disposition::{Classify, ErrorClass, Failure, Outcome};
use crate::worker::events;
use crate::worker::job::{Job, JobMessage};
use crate::worker::metrics::Metrics;
use crate::worker::storage::{BucketName, NameError, ObjectKey, Storage, StorageError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use thiserror::Error;
use time::OffsetDateTime;
use tracing::Instrument;

/// What one job step needs from the outside world. One per broker session.
pub struct Deps {
    pub storage: Storage,
    /// The confirm-mode channel of the broker session, or memory (see [`Publish`]).
    pub publisher: Arc<dyn Publish>,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub results_exchange: String,
    pub results_routing_key: String,
    pub jobs_exchange: String,
    pub jobs_routing_key: String,
    pub max_inline_bytes: usize,
    /// `worker.parse_timeout_ms`.
    pub parse_timeout: std::time::Duration,
    pub results_bucket: BucketName,
    pub results_prefix: String,
    /// `worker.concurrency` slots, held from fetch to serialized result: bounds the inputs in
    /// memory and the parser threads, but not the wait for the broker's confirm.
    pub slots: Arc<tokio::sync::Semaphore>,
}

impl Deps {
    /// The step's dependencies for one broker session: names and limits from `s`, the rest
    /// shared with the worker (storage, metrics, the `worker.concurrency` slots) or opened on
    /// the session's connection (the publisher).
    pub fn new(
        s: &Settings,
        storage: Storage,
        publisher: impl Publish + 'static,
        metrics: Arc<Metrics>,
        results_bucket: BucketName,
        slots: Arc<tokio::sync::Semaphore>,
    ) -> Deps {
        Deps {
            storage,
            publisher: Arc::new(publisher),
            metrics,
            limits: s.limits.clone(),
            results_exchange: s.amqp.results_exchange.clone(),
            results_routing_key: s.amqp.results_routing_key.clone(),
            jobs_exchange: s.amqp.jobs_exchange.clone(),
            jobs_routing_key: s.amqp.jobs_routing_key.clone(),
            max_inline_bytes: s.worker.max_inline_bytes.get(),
            parse_timeout: s.worker.parse_timeout(),
            results_bucket,
            results_prefix: s.storage.results_prefix.clone(),
            slots,
        }
    }
}

/// What the delivery tells about this attempt.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// 1-based: failed attempts before this one, plus one.
    pub attempt: u32,
    pub received_at: OffsetDateTime,
    pub traceparent: Option<String>,
}

#[derive(Debug, Error)]
pub enum ProcessError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("publishing the result: {0}")]
    Publish(#[from] PublishError),
    #[error("writing the claim-checked result: {0}")]
    ClaimCheck(StorageError),
    #[error("result could not be serialized: {0}")]
    Serialize(String),
    #[error("parsing took longer than worker.parse_timeout_ms ({} ms)", .0.as_millis())]
    ParseTimeout(std::time::Duration),
}

impl Classify for ProcessError {
    fn class(&self) -> ErrorClass {
        match self {
            ProcessError::Storage(e) => e.class(),
            ProcessError::Parse(e) => Classify::class(e),
            ProcessError::Publish(e) => e.class(),
            // A claim-check write failing is about our results bucket, not the job: retry it,
            // whatever the storage said, so a misconfigured results bucket does not
            // dead-letter good documents one by one without a retry.
            ProcessError::ClaimCheck(_) => ErrorClass::Transient,
            ProcessError::Serialize(_) => ErrorClass::Permanent,
            // The same bytes would take as long again: retrying only burns more CPU. An
            // operator who raises the limit can replay the dead letter.
            ProcessError::ParseTimeout(_) => ErrorClass::Permanent,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            ProcessError::Storage(e) => e.code(),
            ProcessError::Parse(e) => Classify::code(e),
            ProcessError::Publish(e) => e.code(),
            ProcessError::ClaimCheck(_) => "claim_check_failed",
            ProcessError::Serialize(_) => "serialize_failed",
            ProcessError::ParseTimeout(_) => "parse_timeout",
        }
    }
}

/// The body of a published result: CONTRACT §2 plus the job's fields.
#[derive(Debug, Serialize)]
pub struct PublishedResult<'a> {
    #[serde(flatten)]
    pub result: &'a ParseResult,
    pub job_id: &'a str,
    pub submission_id: Option<&'a str>,
    pub attempt: u32,
    /// RFC 3339, when the worker received the delivery that produced this result.
    pub received_at: String,
}

/// The body published instead of a result larger than `worker.max_inline_bytes`:
/// `{"schema_version":1,"document_id":…,"job_id":…,"submission_id":…,"attempt":…,
/// "received_at":…,"result_ref":{"bucket":…,"key":…,"size":…}}`. The object at
/// `result_ref` is the full result JSON, byte for byte what would have been inlined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCheck {
    pub schema_version: u32,
    pub document_id: String,
    pub job_id: String,
    pub submission_id: Option<String>,
    pub attempt: u32,
    pub received_at: String,
    pub result_ref: ResultRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRef {
    pub bucket: String,
    pub key: String,
    pub size: u64,
}

/// Fetch, parse, publish, confirm. See the module header.
pub async fn process_one(job: &Job, ctx: &JobContext, deps: &Deps) -> Outcome {
    match try_process(job, ctx, deps).await {
        Ok(outcome) => outcome,
        Err(e) => Outcome::Failed(Failure::from_error(&e)),
    }
}

async fn try_process(job: &Job, ctx: &JobContext, deps: &Deps) -> Result<Outcome, ProcessError> {
    let slot = deps
        .slots
        .clone()
        .acquire_owned()
        .await
        .expect("the slots semaphore is never closed");
    let object = deps
        .storage
        .fetch(&job.bucket, &job.key, job.version_id.as_deref())
        .instrument(tracing::info_span!("fetch", otel.name = "fetch"))
        .await?;
    let input_bytes = object.bytes.len() as u64;
    let uri = deps.storage.uri(&job.bucket, &job.key);
    let name = job.key.as_str().to_string();
    let mut limits = deps.limits.clone();
    // Set at the deadline: the parser polls it and stops, freeing its thread and slot.
    let cancel = document::limits::Cancel::new();
    limits.cancel = cancel.clone();
    let bytes = object.bytes;
    // Parsing is CPU-bound and synchronous: keep it off the async workers.
    // The bytes go in: they are freed once read, before the result is built.
    let mut parser = tokio::task::spawn_blocking(move || {
        document::parse_owned(bytes, Some(&name), &uri, &limits)
    });
    let waited = tokio::time::timeout(deps.parse_timeout, &mut parser)
        .instrument(tracing::info_span!("parse", otel.name = "parse"))
        .await;
    let (document_id, parsed) = match waited {
        Ok(joined) => {
            joined.map_err(|e| ParseError::Internal(format!("parser task failed: {e}")))?
        }
        Err(_) => {
            // A thread cannot be stopped from outside, so it is asked to stop: the parser
            // polls the flag per block, line or few thousand XML events or cells, and returns
            // within milliseconds. It keeps its slot until it has (a stage that polls nothing,
            // such as calamine decoding an xls, runs to its end), so overrunning parses never
            // exceed `worker.concurrency` threads; its result is dropped. The job is settled now.
            cancel.cancel();
            events::ParseOverran {
                timeout: deps.parse_timeout,
            }
            .emit(&deps.metrics);
            let metrics = deps.metrics.clone();
            tokio::spawn(async move {
                let _ = parser.await;
                drop(slot);
                events::OverrunParseEnded.emit(&metrics);
            });
            return Err(ProcessError::ParseTimeout(deps.parse_timeout));
        }
    };
    tracing::Span::current().record("document_id", document_id.as_str());
    let mut result = parsed?;
    result.source.bucket = Some(job.bucket.to_string());
    result.source.key = Some(job.key.to_string());
    result.source.version_id = job.version_id.clone().or(object.version_id);
    result.source.etag = job.etag.clone().or(object.etag);

    let received_at = rfc3339(ctx.received_at);
    let body = serde_json::to_vec(&PublishedResult {
        result: &result,
        job_id: &job.job_id,
        submission_id: job.submission_id.as_deref(),
        attempt: ctx.attempt,
        received_at: received_at.clone(),
    })
    .map_err(|e| ProcessError::Serialize(e.to_string()))?;
    let result_bytes = body.len() as u64;
    drop(slot);

    let claim_check = body.len() > deps.max_inline_bytes;
    let body = if claim_check {
        let key = claim_check_key(&deps.results_prefix, &result.document_id, &job.job_id)
            .map_err(|e| ProcessError::ClaimCheck(StorageError::Config(e.to_string())))?;
        deps.storage
            .put(&deps.results_bucket, &key, body, "application/json")
            .await
            .map_err(ProcessError::ClaimCheck)?;
        serde_json::to_vec(&ClaimCheck {
            schema_version: document::result::SCHEMA_VERSION,
            document_id: result.document_id.clone(),
            job_id: job.job_id.clone(),
            submission_id: job.submission_id.clone(),
            attempt: ctx.attempt,
            received_at,
            result_ref: ResultRef {
                bucket: deps.results_bucket.to_string(),
                key: key.to_string(),
                size: result_bytes,
            },
        })
        .map_err(|e| ProcessError::Serialize(e.to_string()))?
    } else {
        body
    };

    let publishing = tracing::info_span!(
        "publish",
        otel.name = %format_args!("publish {}", deps.results_exchange),
        otel.kind = "producer",
        messaging.system = "rabbitmq",
        messaging.operation.type = "send",
        messaging.destination.name = deps.results_exchange.as_str(),
        messaging.rabbitmq.destination.routing_key = deps.results_routing_key.as_str(),
        messaging.message.id = result.document_id.as_str(),
    );
    // The result continues the job's trace: from this span when traces are exported,
    // else with the job's own `traceparent`, unchanged.
    let traceparent =
        crate::telemetry::traceparent(&publishing).or_else(|| ctx.traceparent.clone());
    let props = properties::result(
        &result.document_id,
        &job.job_id,
        traceparent.as_deref(),
        claim_check,
    );
    deps.publisher
        .publish(Outgoing {
            exchange: &deps.results_exchange,
            routing_key: &deps.results_routing_key,
            body: &body,
            properties: props,
        })
        .instrument(publishing)
        .await?;
    events::ResultPublished {
        input_bytes,
        result_bytes,
        claim_check,
    }
    .emit(&deps.metrics);
    Ok(Outcome::Published {
        document_id: result.document_id,
        bytes: input_bytes,
    })
}

/// `<prefix><hex>/<job id>.json` for `sha256:<hex>`: a redelivered job overwrites its own claim
/// check instead of adding another, and two jobs for the same document do not overwrite each
/// other's job fields. Characters of the job id outside `[A-Za-z0-9_-]` become `_`.
pub fn claim_check_key(
    prefix: &str,
    document_id: &str,
    job_id: &str,
) -> Result<ObjectKey, NameError> {
    let hex = document_id.rsplit(':').next().unwrap_or(document_id);
    let job: String = job_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    ObjectKey::parse(&format!("{prefix}{hex}/{job}.json"))
}

/// Split a multi-record S3 event: publish one job message per record to the jobs exchange and
/// wait for all confirms. Each record then succeeds, retries or dead-letters on its own, and
/// the event message is acked only after every split job is safely queued.
pub async fn fan_out(jobs: &[JobMessage], traceparent: Option<&str>, deps: &Deps) -> Outcome {
    let bodies: Result<Vec<Vec<u8>>, _> = jobs.iter().map(serde_json::to_vec).collect();
    let bodies = match bodies {
        Ok(b) => b,
        Err(e) => {
            return Outcome::Failed(Failure::from_error(&ProcessError::Serialize(e.to_string())))
        }
    };
    let msgs: Vec<Outgoing<'_>> = jobs
        .iter()
        .zip(&bodies)
        .map(|(job, body)| Outgoing {
            exchange: &deps.jobs_exchange,
            routing_key: &deps.jobs_routing_key,
            body,
            properties: properties::split_job(&job.job_id, traceparent),
        })
        .collect();
    match deps.publisher.publish_all(&msgs).await {
        Ok(()) => {
            events::EventFannedOut { jobs: jobs.len() }.emit(&deps.metrics);
            Outcome::FannedOut(jobs.len())
        }
        Err(e) => Outcome::Failed(Failure::from_error(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Input;

    #[test]
    fn claim_check_key_uses_the_hash() {
        let k = claim_check_key("results/", "sha256:abcd", "j-1").unwrap();
        assert_eq!(k.as_str(), "results/abcd/j-1.json");
        let k = claim_check_key("results/", "sha256:abcd", "../x/y").unwrap();
        assert_eq!(k.as_str(), "results/abcd/___x_y.json");
    }

    #[test]
    fn published_result_flattens_the_parse_result_and_adds_job_fields() {
        let bytes = "关于2023年法治政府建设情况的报告\n一、主要举措和成效\n正文。\n".as_bytes();
        let result = document::parse(
            &Input {
                bytes,
                name: Some("a.txt"),
                uri: "s3://reports/a.txt".into(),
            },
            &Limits::default(),
        )
        .unwrap();
        let v = serde_json::to_value(PublishedResult {
            result: &result,
            job_id: "j1",
            submission_id: None,
            attempt: 2,
            received_at: rfc3339(OffsetDateTime::UNIX_EPOCH),
        })
        .unwrap();
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["document_id"], result.document_id.as_str());
        assert_eq!(v["job_id"], "j1");
        assert_eq!(v["attempt"], 2);
        assert!(v["submission_id"].is_null());
        assert_eq!(v["received_at"], "1970-01-01T00:00:00Z");
        assert!(v["source"].is_object());
    }

    #[test]
    fn claim_check_errors_are_transient() {
        let e = ProcessError::ClaimCheck(StorageError::NoSuchBucket("results".into()));
        assert_eq!(e.class(), ErrorClass::Transient);
        assert_eq!(e.code(), "claim_check_failed");
        let e = ProcessError::Storage(StorageError::NoSuchBucket("reports".into()));
        assert_eq!(e.class(), ErrorClass::Permanent);
    }
}
