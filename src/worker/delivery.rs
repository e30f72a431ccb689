//! One delivery, start to finish: turn it into jobs, run the step, publish the disposition,
//! then ack or requeue.
//!
//! The order is the guarantee: the input is acknowledged only after what must exist before it
//! disappears is confirmed by the broker — the result (inside `process_one`), the split jobs
//! of a multi-record event, the retry copy, or the dead letter. If that publish fails, the
//! delivery is not acked: after a pause (`amqp.reconnect_delay_secs`, during which it still
//! holds its prefetch slot, so a broken broker cannot cause a hot redelivery loop) it is
//! requeued, and the jobs queue's `x-delivery-limit` bounds how often that can happen.
//!
//! [`handle`] is that logic over a [`Received`] message and the
//! [`Publish`](crate::worker::amqp::publisher::Publish) seam, so it runs
//! without a broker (the unit tests below); [`handle_delivery`] wraps it around a lapin
//! delivery, inside the job's consumer span, and does the ack or requeue it asks for.

use crate::config::Settings;
use crate::worker::amqp::properties::{self, Known, Received};
use crate::worker::amqp::publisher::Outgoing;
use crate::worker::amqp::{consumer, topology};
use crate::worker::disposition::{decide, Action, Failure, Outcome, RetryPolicy};
use crate::worker::events;
use crate::worker::job::{Job, JobMessage, Message};
use crate::worker::process::{fan_out, process_one, Deps, JobContext};
use lapin::message::Delivery;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tracing::field::Empty;
use tracing::Instrument;

/// Where dispositions go.
#[derive(Debug, Clone)]
pub struct Routes {
    pub retry_exchange: String,
    pub dead_letter_exchange: String,
    pub policy: RetryPolicy,
    /// Pause before requeueing a delivery whose disposition could not be published.
    pub requeue_delay: Duration,
}

impl Routes {
    /// From `[amqp]` and `[worker]`; a failed disposition is requeued after
    /// `amqp.reconnect_delay_secs`.
    pub fn from_settings(s: &Settings) -> Routes {
        Routes {
            retry_exchange: s.amqp.retry_exchange.clone(),
            dead_letter_exchange: s.amqp.dead_letter_exchange.clone(),
            policy: RetryPolicy {
                max_attempts: s.worker.max_attempts.get(),
                delays_ms: s.worker.retry_delays_ms.0.clone(),
            },
            requeue_delay: s.amqp.reconnect_delay(),
        }
    }
}

/// What the broker is to be told once the disposition is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Acknowledge: whatever had to be published first is confirmed (or there was nothing).
    Ack,
    /// The disposition could not be published: put the delivery back after a pause.
    Requeue,
}

impl From<&JobMessage> for Known {
    fn from(m: &JobMessage) -> Known {
        Known {
            job_id: Some(m.job_id.clone()),
            bucket: Some(m.bucket.clone()),
            key: Some(m.key.clone()),
        }
    }
}

/// Handle one lapin delivery completely (see the module header), inside its consumer span.
/// Never panics on bad input and never returns an error: every path ends in an ack, a
/// requeue, or an ack that could not be sent because the channel is gone (then the broker
/// redelivers).
pub async fn handle_delivery(delivery: Delivery, deps: &Deps, routes: &Routes) {
    let started = Instant::now();
    let received = Received::from(&delivery);
    let span = consumer_span(&received);
    deps.metrics.in_flight(1);
    async {
        let told = match handle(&received, deps, routes).await {
            Settle::Ack => consumer::ack(&delivery).await,
            Settle::Requeue => {
                tokio::time::sleep(routes.requeue_delay).await;
                consumer::requeue(&delivery).await
            }
        };
        if let Err(reason) = told {
            events::AckLost { reason: &reason }.emit(&deps.metrics);
        }
        events::DeliveryFinished {
            elapsed: started.elapsed(),
        }
        .emit(&deps.metrics);
    }
    .instrument(span)
    .await;
    deps.metrics.in_flight(-1);
}

/// The job's span: an OpenTelemetry consumer span (when traces are exported) that continues
/// the trace of the message's `traceparent`, with the messaging attributes of the semantic
/// conventions. `job_id` and `document_id` are recorded once known.
fn consumer_span(received: &Received) -> tracing::Span {
    let span = tracing::info_span!(
        "job",
        otel.name = %format_args!("process {}", received.exchange),
        otel.kind = "consumer",
        messaging.system = "rabbitmq",
        messaging.operation.type = "process",
        messaging.destination.name = received.exchange.as_str(),
        messaging.rabbitmq.destination.routing_key = received.routing_key.as_str(),
        messaging.message.id = received.message_id().as_deref(),
        job_id = Empty,
        document_id = Empty,
        attempt = received.attempts_before().saturating_add(1),
    );
    crate::telemetry::continue_trace(&span, received.traceparent().as_deref());
    span
}

/// Decide and publish the disposition of one received message; says whether to ack or
/// requeue it (see the module header).
pub async fn handle(received: &Received, deps: &Deps, routes: &Routes) -> Settle {
    let received_at = OffsetDateTime::now_utc();
    let attempts_before = received.attempts_before();
    let traceparent = received.traceparent();
    let mut known = Known::default();
    let outcome = match Message::try_from(received.body.as_slice()) {
        Err(e) => Outcome::Failed(Failure::from_error(&e)),
        Ok(Message::Ignored(reason)) => {
            events::MessageIgnored { reason: &reason }.emit(&deps.metrics);
            Outcome::Ignored(reason)
        }
        Ok(Message::Jobs(jobs)) if jobs.len() == 1 => {
            let m = &jobs[0];
            known = Known::from(m);
            tracing::Span::current().record("job_id", m.job_id.as_str());
            match Job::try_from(m) {
                Err(e) => Outcome::Failed(Failure::from_error(&e)),
                Ok(job) => {
                    let ctx = JobContext {
                        attempt: attempts_before.saturating_add(1),
                        received_at,
                        traceparent: traceparent.clone(),
                    };
                    process_one(&job, &ctx, deps).await
                }
            }
        }
        Ok(Message::Jobs(jobs)) => fan_out(&jobs, traceparent.as_deref(), deps).await,
    };
    let action = decide(outcome, attempts_before, &routes.policy);
    publish_disposition(action, received, &known, deps, routes).await
}

async fn publish_disposition(
    action: Action,
    received: &Received,
    known: &Known,
    deps: &Deps,
    routes: &Routes,
) -> Settle {
    match action {
        Action::Ack => Settle::Ack,
        Action::Retry {
            attempts,
            delay_ms,
            failure,
        } => {
            let routing_key = topology::retry_routing_key(delay_ms);
            let published = deps
                .publisher
                .publish(Outgoing {
                    exchange: &routes.retry_exchange,
                    routing_key: &routing_key,
                    body: &received.body,
                    properties: properties::retry(received, attempts, &failure),
                })
                .await;
            match published {
                Ok(()) => {
                    events::RetryScheduled {
                        code: failure.code,
                        message: &failure.message,
                        attempts,
                        delay_ms,
                    }
                    .emit(&deps.metrics);
                    Settle::Ack
                }
                Err(e) => disposition_failed("retry", &e.to_string(), deps),
            }
        }
        Action::DeadLetter {
            kind,
            attempts,
            failure,
        } => {
            let published = deps
                .publisher
                .publish(Outgoing {
                    exchange: &routes.dead_letter_exchange,
                    routing_key: &received.routing_key,
                    body: &received.body,
                    properties: properties::dead_letter(received, kind, attempts, &failure, known),
                })
                .await;
            match published {
                Ok(()) => {
                    events::DeadLettered {
                        kind: kind.as_str(),
                        code: failure.code,
                        message: &failure.message,
                        attempts,
                    }
                    .emit(&deps.metrics);
                    Settle::Ack
                }
                Err(e) => disposition_failed("dead-letter", &e.to_string(), deps),
            }
        }
    }
}

fn disposition_failed(action: &'static str, error: &str, deps: &Deps) -> Settle {
    events::DispositionFailed { action, error }.emit(&deps.metrics);
    Settle::Requeue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::amqp::headers;
    use crate::worker::amqp::publisher::{MemoryPublisher, Published};
    use crate::worker::metrics::Metrics;
    use crate::worker::storage::{BucketName, ObjectKey, Storage};
    use lapin::types::FieldTable;
    use lapin::BasicProperties;
    use std::sync::Arc;

    /// A worker's job handling over the fs backend in a temporary directory and the
    /// in-memory publisher: everything but the broker.
    struct Bench {
        settings: Settings,
        deps: Deps,
        publisher: Arc<MemoryPublisher>,
        routes: Routes,
        _dir: tempfile::TempDir,
    }

    async fn bench() -> Bench {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings::defaults();
        s.storage.root = dir.path().to_path_buf();
        s.worker.retry_delays_ms = crate::config::CommaList(vec![100, 700]);
        s.worker.max_attempts = std::num::NonZeroU32::new(3).unwrap();
        let storage = Storage::from_settings(&s.storage).await.unwrap();
        let bucket = BucketName::parse(&s.storage.default_bucket).unwrap();
        storage.ensure_bucket(&bucket).await.unwrap();
        storage
            .put(
                &bucket,
                &ObjectKey::parse("in/report.txt").unwrap(),
                "关于2023年法治政府建设情况的报告\n一、主要举措\n全年培训干部120人次。\n"
                    .as_bytes()
                    .to_vec(),
                "text/plain",
            )
            .await
            .unwrap();
        let publisher = Arc::new(MemoryPublisher::new());
        let deps = Deps::new(
            &s,
            storage,
            publisher.clone(),
            Arc::new(Metrics::new()),
            bucket,
            Arc::new(tokio::sync::Semaphore::new(1)),
        );
        Bench {
            routes: Routes::from_settings(&s),
            settings: s,
            deps,
            publisher,
            _dir: dir,
        }
    }

    impl Bench {
        fn job(&self, key: &str, attempts_before: Option<u32>) -> Received {
            let mut h = FieldTable::default();
            if let Some(n) = attempts_before {
                headers::set_u32(&mut h, headers::ATTEMPTS, n);
            }
            Received {
                body: format!(
                    r#"{{"job_id":"j-1","bucket":"{}","key":"{key}"}}"#,
                    self.settings.storage.default_bucket
                )
                .into_bytes(),
                exchange: self.settings.amqp.jobs_exchange.clone(),
                routing_key: self.settings.amqp.jobs_routing_key.clone(),
                properties: BasicProperties::default()
                    .with_message_id("j-1".into())
                    .with_headers(h),
            }
        }
        async fn handle(&self, r: &Received) -> Settle {
            handle(r, &self.deps, &self.routes).await
        }
    }

    fn header(p: &Published, name: &str) -> Option<String> {
        headers::get_str(p.properties.headers().as_ref(), name)
    }

    #[tokio::test]
    async fn a_good_job_publishes_its_result_once_and_is_acked() {
        let b = bench().await;
        assert_eq!(b.handle(&b.job("in/report.txt", None)).await, Settle::Ack);
        let out = b.publisher.published();
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].exchange, b.settings.amqp.results_exchange);
        assert_eq!(out[0].routing_key, b.settings.amqp.results_routing_key);
        assert_eq!(
            out[0]
                .properties
                .correlation_id()
                .as_ref()
                .map(|s| s.as_str()),
            Some("j-1")
        );
        let v: serde_json::Value = serde_json::from_slice(&out[0].body).unwrap();
        assert_eq!(v["job_id"], "j-1");
        assert_eq!(v["attempt"], 1);
        assert_eq!(b.deps.metrics.jobs_total("published"), 1);
    }

    #[tokio::test]
    async fn a_transient_failure_goes_round_the_tier_of_its_attempt() {
        let b = bench().await;
        // The broker refuses the result once: a transient failure of the second attempt.
        b.publisher.refuse_next(1);
        let job = b.job("in/report.txt", Some(1));
        assert_eq!(b.handle(&job).await, Settle::Ack);
        let out = b.publisher.published();
        assert_eq!(out.len(), 1, "only the retry copy: {out:?}");
        assert_eq!(out[0].exchange, b.settings.amqp.retry_exchange);
        assert_eq!(
            out[0].routing_key, "700ms",
            "attempt 2 waits in the second tier"
        );
        assert_eq!(out[0].body, job.body, "the job goes round unchanged");
        assert_eq!(
            headers::get_u32(out[0].properties.headers().as_ref(), headers::ATTEMPTS),
            Some(2)
        );
        assert_eq!(
            header(&out[0], headers::LAST_ERROR_CODE).as_deref(),
            Some("publish_nacked")
        );
    }

    #[tokio::test]
    async fn a_transient_failure_of_the_last_attempt_is_dead_lettered_as_exhausted() {
        let b = bench().await;
        b.publisher.refuse_next(1);
        assert_eq!(
            b.handle(&b.job("in/report.txt", Some(2))).await,
            Settle::Ack
        );
        let out = b.publisher.published();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].exchange, b.settings.amqp.dead_letter_exchange);
        assert_eq!(
            header(&out[0], headers::ERROR_KIND).as_deref(),
            Some("retries_exhausted")
        );
    }

    #[tokio::test]
    async fn a_permanent_failure_is_dead_lettered_with_its_headers() {
        let b = bench().await;
        let job = b.job("in/missing.txt", None);
        assert_eq!(b.handle(&job).await, Settle::Ack);
        let out = b.publisher.published();
        assert_eq!(out.len(), 1, "{out:?}");
        let d = &out[0];
        assert_eq!(d.exchange, b.settings.amqp.dead_letter_exchange);
        assert_eq!(d.routing_key, b.settings.amqp.jobs_routing_key);
        assert_eq!(d.body, job.body);
        for (name, want) in [
            (headers::ERROR_KIND, "permanent"),
            (headers::ERROR_CODE, "object_not_found"),
            (headers::JOB_ID, "j-1"),
            (headers::BUCKET, b.settings.storage.default_bucket.as_str()),
            (headers::KEY, "in/missing.txt"),
            (
                headers::ORIGINAL_EXCHANGE,
                b.settings.amqp.jobs_exchange.as_str(),
            ),
            (headers::ATTEMPTS, "1"),
        ] {
            assert_eq!(header(d, name).as_deref(), Some(want), "{name}");
        }
        assert_eq!(
            header(d, headers::DEAD_LETTER_ID),
            Some(properties::dead_letter_id(&job.body))
        );
        for name in [
            headers::FIRST_FAILED_AT,
            headers::FAILED_AT,
            headers::ERROR_MESSAGE,
        ] {
            assert!(header(d, name).is_some(), "{name}");
        }
        assert_eq!(
            d.properties.message_id().as_ref().map(|s| s.as_str()),
            Some("j-1")
        );
    }

    #[tokio::test]
    async fn a_poison_message_is_dead_lettered_without_job_fields() {
        let b = bench().await;
        let mut job = b.job("x", None);
        job.body = b"{not json".to_vec();
        assert_eq!(b.handle(&job).await, Settle::Ack);
        let d = &b.publisher.published()[0];
        assert_eq!(
            header(d, headers::ERROR_CODE).as_deref(),
            Some("invalid_json")
        );
        assert_eq!(header(d, headers::JOB_ID), None);
    }

    #[tokio::test]
    async fn an_unconfirmed_publish_leaves_the_job_unacked() {
        let b = bench().await;
        b.publisher.refuse_all();
        // The result is refused, and so is the retry copy: nothing may be acked.
        assert_eq!(
            b.handle(&b.job("in/report.txt", None)).await,
            Settle::Requeue
        );
        // A dead letter that is refused leaves the job unacked too.
        assert_eq!(
            b.handle(&b.job("in/missing.txt", None)).await,
            Settle::Requeue
        );
        assert!(b.publisher.published().is_empty());
        assert_eq!(b.deps.metrics.jobs_total("requeued"), 2);
    }

    #[tokio::test]
    async fn a_multi_record_event_is_acked_only_after_its_split_jobs_are_confirmed() {
        let b = bench().await;
        let bucket = &b.settings.storage.default_bucket;
        let record = |key: &str| {
            serde_json::json!({"eventName": "s3:ObjectCreated:Put",
                "s3": {"bucket": {"name": bucket}, "object": {"key": key}}})
        };
        let mut event = b.job("x", None);
        event.body = serde_json::to_vec(
            &serde_json::json!({"Records": [record("a.txt"), record("b+c.txt")]}),
        )
        .unwrap();
        b.publisher.refuse_next(2);
        assert_eq!(
            b.handle(&event).await,
            Settle::Requeue,
            "split jobs refused"
        );
        assert_eq!(b.handle(&event).await, Settle::Ack);
        let out = b.publisher.published();
        assert_eq!(out.len(), 2);
        assert!(out
            .iter()
            .all(|m| m.exchange == b.settings.amqp.jobs_exchange));
        let keys: Vec<String> = out
            .iter()
            .map(|m| serde_json::from_slice::<JobMessage>(&m.body).unwrap().key)
            .collect();
        assert_eq!(keys, ["a.txt", "b c.txt"]);
    }
}
