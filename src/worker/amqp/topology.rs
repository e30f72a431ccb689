//! Declares the broker topology of CONTRACT §4, idempotently: `docingest topology`, `submit`
//! and every worker start-up run the same declarations, so any of them can come first.
//!
//! ```text
//! jobs exchange (direct) --job--> jobs queue (quorum, x-delivery-limit) --dead letters--> dlx
//! retry exchange (direct) --<N>ms--> <prefix>.<N>ms (quorum, x-message-ttl=N) --expiry--> jobs exchange, key `job`
//! dlx (fanout) --> dlq (quorum)
//! results exchange (topic) --document.parsed--> results queue (quorum, optional)
//! ```
//!
//! Retry tiers are quorum queues: RabbitMQ supports message TTL on quorum queues since 3.10
//! (the broker here is 3.10.8), and with `x-dead-letter-strategy = at-least-once` the broker
//! moves an expired message to the jobs exchange with publisher-confirm semantics, so a job
//! waiting out its backoff cannot be lost between the two queues (classic queues dead-letter
//! at most once). At-least-once dead-lettering requires `x-overflow = reject-publish`; no
//! length limit is set, so that never rejects anything. The jobs queue keeps the default
//! at-most-once strategy: it only dead-letters when `x-delivery-limit` is hit, the last line of
//! defence against a message that kills every worker before it can be acked.
//!
//! A queue that already exists with different arguments makes the broker refuse the
//! declaration; that surfaces as [`AmqpError::Declare`] naming the queue, never silently.

use super::AmqpError;
use crate::config::AmqpSettings;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, ExchangeKind};

/// Routing key of the retry tier with this delay.
pub fn retry_routing_key(delay_ms: u64) -> String {
    format!("{delay_ms}ms")
}

/// Queue name of the retry tier with this delay: `docingest.retry.1000ms`.
pub fn retry_queue_name(prefix: &str, delay_ms: u64) -> String {
    format!("{prefix}.{delay_ms}ms")
}

/// What was declared, for `docingest topology` to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    pub exchanges: Vec<(String, &'static str)>,
    pub queues: Vec<String>,
}

fn table(entries: &[(&str, AMQPValue)]) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in entries {
        t.insert(ShortString::from(*k), v.clone());
    }
    t
}

fn long_str(s: &str) -> AMQPValue {
    AMQPValue::LongString(s.into())
}

fn int(n: u64) -> AMQPValue {
    AMQPValue::LongInt(i32::try_from(n).unwrap_or(i32::MAX))
}

pub async fn declare(
    channel: &Channel,
    amqp: &AmqpSettings,
    retry_delays_ms: &[u64],
) -> Result<Declared, AmqpError> {
    let mut declared = Declared::default();
    let durable_exchange = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    for (name, kind, kind_name) in [
        (&amqp.jobs_exchange, ExchangeKind::Direct, "direct"),
        (&amqp.retry_exchange, ExchangeKind::Direct, "direct"),
        (&amqp.dead_letter_exchange, ExchangeKind::Fanout, "fanout"),
        (&amqp.results_exchange, ExchangeKind::Topic, "topic"),
    ] {
        channel
            .exchange_declare(
                name.as_str().into(),
                kind,
                durable_exchange,
                FieldTable::default(),
            )
            .await
            .map_err(|source| AmqpError::Declare {
                what: format!("exchange {name}"),
                source,
            })?;
        declared.exchanges.push((name.clone(), kind_name));
    }

    let quorum = long_str("quorum");
    declare_queue(
        channel,
        &amqp.jobs_queue,
        table(&[
            ("x-queue-type", quorum.clone()),
            ("x-delivery-limit", int(amqp.delivery_limit.into())),
            (
                "x-dead-letter-exchange",
                long_str(&amqp.dead_letter_exchange),
            ),
        ]),
    )
    .await?;
    bind(
        channel,
        &amqp.jobs_queue,
        &amqp.jobs_exchange,
        &amqp.jobs_routing_key,
    )
    .await?;
    declared.queues.push(amqp.jobs_queue.clone());

    declare_queue(
        channel,
        &amqp.dead_letter_queue,
        table(&[("x-queue-type", quorum.clone())]),
    )
    .await?;
    bind(
        channel,
        &amqp.dead_letter_queue,
        &amqp.dead_letter_exchange,
        "",
    )
    .await?;
    declared.queues.push(amqp.dead_letter_queue.clone());

    let mut delays = retry_delays_ms.to_vec();
    delays.sort_unstable();
    delays.dedup();
    for delay in delays {
        let name = retry_queue_name(&amqp.retry_queue_prefix, delay);
        declare_queue(
            channel,
            &name,
            table(&[
                ("x-queue-type", quorum.clone()),
                ("x-message-ttl", int(delay)),
                ("x-dead-letter-exchange", long_str(&amqp.jobs_exchange)),
                (
                    "x-dead-letter-routing-key",
                    long_str(&amqp.jobs_routing_key),
                ),
                ("x-dead-letter-strategy", long_str("at-least-once")),
                ("x-overflow", long_str("reject-publish")),
            ]),
        )
        .await?;
        bind(
            channel,
            &name,
            &amqp.retry_exchange,
            &retry_routing_key(delay),
        )
        .await?;
        declared.queues.push(name);
    }

    if !amqp.results_queue.is_empty() {
        declare_queue(
            channel,
            &amqp.results_queue,
            table(&[("x-queue-type", quorum)]),
        )
        .await?;
        bind(
            channel,
            &amqp.results_queue,
            &amqp.results_exchange,
            &amqp.results_routing_key,
        )
        .await?;
        declared.queues.push(amqp.results_queue.clone());
    }
    Ok(declared)
}

async fn declare_queue(channel: &Channel, name: &str, args: FieldTable) -> Result<(), AmqpError> {
    channel
        .queue_declare(
            name.into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            args,
        )
        .await
        .map(|_| ())
        .map_err(|source| AmqpError::Declare {
            what: format!("queue {name}"),
            source,
        })
}

async fn bind(channel: &Channel, queue: &str, exchange: &str, key: &str) -> Result<(), AmqpError> {
    channel
        .queue_bind(
            queue.into(),
            exchange.into(),
            key.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|source| AmqpError::Declare {
            what: format!("binding {queue} <- {exchange} ({key:?})"),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_names() {
        assert_eq!(
            retry_queue_name("docingest.retry", 1000),
            "docingest.retry.1000ms"
        );
        assert_eq!(retry_routing_key(60000), "60000ms");
    }
}
