//! One delivery, start to finish: turn it into jobs, run the step, apply the disposition, ack.
//!
//! The order is the guarantee: the input is acknowledged only after what must exist before it
//! disappears is confirmed by the broker — the result (inside `process_one`), the split jobs
//! of a multi-record event, the retry copy, or the dead letter. If that publish fails, the
//! delivery is not acked: after a pause (`amqp.reconnect_delay_secs`, during which it still
//! holds its prefetch slot, so a broken broker cannot cause a hot redelivery loop) it is
//! requeued, and the jobs queue's `x-delivery-limit` bounds how often that can happen.

use super::headers;
use super::publisher::Outgoing;
use super::topology::retry_routing_key;
use crate::config::Settings;
use crate::worker::disposition::{decide, Action, Failure, Outcome, RetryPolicy};
use crate::worker::events;
use crate::worker::job::{Job, JobMessage, Message};
use crate::worker::process::{fan_out, process_one, rfc3339, Deps, JobContext};
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::types::FieldTable;
use lapin::BasicProperties;
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
                max_attempts: s.worker.max_attempts,
                delays_ms: s.worker.retry_delays_ms.0.clone(),
            },
            requeue_delay: s.amqp.reconnect_delay(),
        }
    }
}

/// Identifying fields copied into dead-letter headers when the message got far enough.
#[derive(Debug, Default, Clone)]
struct Known {
    job_id: Option<String>,
    bucket: Option<String>,
    key: Option<String>,
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

/// Handle one delivery completely (see the module header). Never panics on bad input and
/// never returns an error: every path ends in an ack, a requeue, or an ack that could not be
/// sent because the channel is gone (then the broker redelivers).
pub async fn handle_delivery(delivery: Delivery, deps: &Deps, routes: &Routes) {
    let started = Instant::now();
    let received_at = OffsetDateTime::now_utc();
    let hdrs = delivery.properties.headers().as_ref();
    let attempts_before = headers::get_u32(hdrs, headers::ATTEMPTS).unwrap_or(0);
    let traceparent = headers::get_str(hdrs, headers::TRACEPARENT);
    let span = tracing::info_span!(
        "job",
        job_id = Empty,
        document_id = Empty,
        attempt = attempts_before.saturating_add(1),
    );
    deps.metrics.in_flight(1);
    async {
        let mut known = Known::default();
        let outcome = match Message::try_from(&delivery) {
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
        let action = decide(&outcome, attempts_before, &routes.policy);
        apply(action, &outcome, &delivery, &known, deps, routes).await;
        events::DeliveryFinished {
            elapsed: started.elapsed(),
        }
        .emit(&deps.metrics);
    }
    .instrument(span)
    .await;
    deps.metrics.in_flight(-1);
}

async fn apply(
    action: Action,
    outcome: &Outcome,
    delivery: &Delivery,
    known: &Known,
    deps: &Deps,
    routes: &Routes,
) {
    let failure = match outcome {
        Outcome::Failed(f) => Some(f),
        _ => None,
    };
    match (action, failure) {
        (Action::Ack, _) => ack(delivery, deps).await,
        (Action::Retry { attempts, delay_ms }, Some(f)) => {
            let props = retry_properties(delivery, attempts, f);
            let routing_key = retry_routing_key(delay_ms);
            let published = deps
                .publisher
                .publish(Outgoing {
                    exchange: &routes.retry_exchange,
                    routing_key: &routing_key,
                    body: &delivery.data,
                    properties: props,
                })
                .await;
            match published {
                Ok(()) => {
                    events::RetryScheduled {
                        code: f.code,
                        message: &f.message,
                        attempts,
                        delay_ms,
                    }
                    .emit(&deps.metrics);
                    ack(delivery, deps).await;
                }
                Err(e) => requeue_later("retry", &e.to_string(), delivery, deps, routes).await,
            }
        }
        (Action::DeadLetter { kind, attempts }, Some(f)) => {
            let props = dead_letter_properties(delivery, kind.as_str(), attempts, f, known);
            let published = deps
                .publisher
                .publish(Outgoing {
                    exchange: &routes.dead_letter_exchange,
                    routing_key: delivery.routing_key.as_str(),
                    body: &delivery.data,
                    properties: props,
                })
                .await;
            match published {
                Ok(()) => {
                    events::DeadLettered {
                        kind: kind.as_str(),
                        code: f.code,
                        message: &f.message,
                        attempts,
                    }
                    .emit(&deps.metrics);
                    ack(delivery, deps).await;
                }
                Err(e) => {
                    requeue_later("dead-letter", &e.to_string(), delivery, deps, routes).await
                }
            }
        }
        // `decide` only retries or dead-letters failures; anything else is acked.
        (Action::Retry { .. } | Action::DeadLetter { .. }, None) => ack(delivery, deps).await,
    }
}

async fn ack(delivery: &Delivery, deps: &Deps) {
    match delivery.acker.ack(BasicAckOptions::default()).await {
        Ok(true) => {}
        Ok(false) => events::AckLost {
            reason: "channel closed before the ack",
        }
        .emit(&deps.metrics),
        Err(e) => events::AckLost {
            reason: &e.to_string(),
        }
        .emit(&deps.metrics),
    }
}

async fn requeue_later(
    action: &'static str,
    error: &str,
    delivery: &Delivery,
    deps: &Deps,
    routes: &Routes,
) {
    events::DispositionFailed { action, error }.emit(&deps.metrics);
    tokio::time::sleep(routes.requeue_delay).await;
    let nacked = delivery
        .acker
        .nack(BasicNackOptions {
            requeue: true,
            ..BasicNackOptions::default()
        })
        .await;
    if !matches!(nacked, Ok(true)) {
        events::AckLost {
            reason: "channel closed before the requeue",
        }
        .emit(&deps.metrics);
    }
}

/// The original properties minus what must not be copied: `expiration` (a dead letter or a
/// waiting retry must not expire), `user_id` (the broker rejects a publish whose user id is not
/// the connection's) and the broker's own dead-letter bookkeeping.
fn copy_properties(delivery: &Delivery, headers: FieldTable) -> BasicProperties {
    let p = &delivery.properties;
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

fn first_failed_at(delivery: &Delivery, now: &str) -> String {
    headers::get_str(
        delivery.properties.headers().as_ref(),
        headers::FIRST_FAILED_AT,
    )
    .unwrap_or_else(|| now.to_string())
}

fn retry_properties(delivery: &Delivery, attempts: u32, f: &Failure) -> BasicProperties {
    let now = rfc3339(OffsetDateTime::now_utc());
    let mut h = headers::without(
        delivery.properties.headers().as_ref(),
        headers::BROKER_DEATH_HEADERS,
    );
    headers::set_u32(&mut h, headers::ATTEMPTS, attempts);
    headers::set_str(
        &mut h,
        headers::FIRST_FAILED_AT,
        first_failed_at(delivery, &now),
    );
    headers::set_str(&mut h, headers::LAST_ERROR_CODE, f.code);
    headers::set_str(&mut h, headers::LAST_ERROR_MESSAGE, truncate(&f.message));
    copy_properties(delivery, h)
}

fn dead_letter_properties(
    delivery: &Delivery,
    kind: &str,
    attempts: u32,
    f: &Failure,
    known: &Known,
) -> BasicProperties {
    let now = rfc3339(OffsetDateTime::now_utc());
    let mut h = headers::without(
        delivery.properties.headers().as_ref(),
        headers::BROKER_DEATH_HEADERS,
    );
    headers::set_str(&mut h, headers::ERROR_KIND, kind);
    headers::set_str(&mut h, headers::ERROR_CODE, f.code);
    headers::set_str(&mut h, headers::ERROR_MESSAGE, truncate(&f.message));
    headers::set_u32(&mut h, headers::ATTEMPTS, attempts);
    headers::set_str(
        &mut h,
        headers::FIRST_FAILED_AT,
        first_failed_at(delivery, &now),
    );
    headers::set_str(&mut h, headers::FAILED_AT, now);
    headers::set_str(
        &mut h,
        headers::ORIGINAL_EXCHANGE,
        delivery.exchange.as_str(),
    );
    headers::set_str(
        &mut h,
        headers::ORIGINAL_ROUTING_KEY,
        delivery.routing_key.as_str(),
    );
    headers::set_str(
        &mut h,
        headers::DEAD_LETTER_ID,
        dead_letter_id(&delivery.data),
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
    copy_properties(delivery, h)
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
}
