//! Declares the broker topology of CONTRACT §4, idempotently: `docingest topology`, `submit`
//! and every worker start-up run the same declarations, so any of them can come first.
//!
//! ```text
//! jobs exchange (direct) --job--> jobs queue (quorum, x-delivery-limit) --dead letters--> dlx
//! retry exchange (direct) --<N>ms--> <prefix>.<N>ms (quorum, x-message-ttl=N) --expiry--> jobs exchange, key `job`
//! dlx (fanout) --> dlq (quorum, x-delivery-limit=2147483647)
//! results exchange (topic) --document.parsed--> results queue (quorum, x-delivery-limit=2147483647, optional)
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
//! # Queues that must never drop a message
//!
//! The dead-letter queue and the results queue have no dead-letter target: a message the
//! broker drops from them is gone. A quorum queue drops a message returned to it more often
//! than its delivery limit, and a return happens on every `dlq` browse (the scan holds the
//! letters and gives them back) and on every requeue by a downstream results consumer.
//! Measured (issue 13), a quorum queue declared with `x-queue-type` only:
//!
//! | broker | limit without `x-delivery-limit` | `x-delivery-limit: -1` | `0` | `2147483647` |
//! |---|---|---|---|---|
//! | 3.10.8 | none (keeps) | **drops at the first return** | drops at the first return | keeps |
//! | 4.0.5 | **20**: the 21st browse finds nothing | unlimited | drops at the first return | keeps |
//!
//! So both are declared with [`NO_DROP_DELIVERY_LIMIT`] (`i32::MAX`, the largest value the
//! argument takes): the one declaration that means "keep" on 3.x and 4.x alike, that survives a
//! broker upgrade (an absent limit turns into 20 when 3.x is upgraded to 4.x), and that a
//! re-declaration checks (the broker refuses a declaration whose `x-delivery-limit` differs,
//! so a queue that lost or changed it is found). Two billion browses of one letter are beyond
//! any operator; a consumer that requeues one result that often is broken anyway.
//!
//! A queue that already exists with other arguments makes the broker refuse the declaration;
//! that surfaces as [`AmqpError::Declare`] naming the queue, never silently. One exception: a
//! dead-letter or results queue declared by docingest before the limit existed (`x-queue-type`
//! only) is kept as it is and reported in [`Declared::dropping`]: workers go on (they never
//! return messages to those queues), `docingest topology` refuses until `--migrate` has moved
//! the messages to a queue declared with the limit, and `dlq` commands refuse to browse it.
//! [`keeping`] is the check, made with declarations only (no management plugin needed).
//! Policies (`delivery-limit`, `message-ttl`, `max-length`, `expires`) are invisible to an AMQP
//! client and can still lower what a queue keeps: see README, "RabbitMQ 3.10 and 4.x".

use super::AmqpError;
use crate::config::AmqpSettings;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, Connection, ExchangeKind};

/// `x-delivery-limit` of the dead-letter and results queues: the largest the argument takes,
/// which RabbitMQ 3.10 and 4.x both read as a limit no return count reaches (see the header;
/// `-1`, "unlimited" on 4.x, makes 3.10 drop a message at its first return).
pub const NO_DROP_DELIVERY_LIMIT: i32 = i32::MAX;

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
    /// Dead-letter and results queues that exist without [`NO_DROP_DELIVERY_LIMIT`] (declared
    /// by docingest before issue 13): left as they are, and they drop a message returned to
    /// them for the 20th time on RabbitMQ 4.x. `docingest topology --migrate` replaces them.
    pub dropping: Vec<String>,
}

/// What a queue does with messages returned to it, as far as its arguments tell (policies
/// are invisible over AMQP; see the module header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keeping {
    /// A quorum queue with [`NO_DROP_DELIVERY_LIMIT`], or a classic queue without arguments
    /// (classic queues count no deliveries): returning a message never drops it.
    Keeps,
    /// A quorum queue with `x-queue-type` only, as docingest declared it before issue 13:
    /// RabbitMQ 4.x drops a message at its 20th return (3.x keeps it until upgraded).
    NoLimit,
    /// Other arguments (a lower `x-delivery-limit`, a TTL, a length limit...): the broker's
    /// words for the first difference from the no-drop declaration.
    Other(String),
}

impl Keeping {
    /// Why browsing this queue would lose messages, for an operator; `None` when it would not.
    pub fn why_dropping(&self, queue: &str) -> Option<String> {
        match self {
            Keeping::Keeps => None,
            Keeping::NoLimit => Some(format!(
                "queue {queue:?} is a quorum queue without x-delivery-limit: RabbitMQ 4.x drops \
                 a message returned to it for the 20th time, and every browse returns every \
                 message once; `docingest topology --migrate` moves its messages to a queue \
                 declared with x-delivery-limit {NO_DROP_DELIVERY_LIMIT}"
            )),
            Keeping::Other(broker) => Some(format!(
                "queue {queue:?} is not declared as a queue that keeps returned messages \
                 (quorum with x-delivery-limit {NO_DROP_DELIVERY_LIMIT}, or classic without \
                 arguments); the broker says: {broker}"
            )),
        }
    }
}

/// The arguments of a queue that must never drop a message (see the module header).
pub fn no_drop_args() -> FieldTable {
    table(&[
        ("x-queue-type", long_str("quorum")),
        (
            "x-delivery-limit",
            AMQPValue::LongInt(NO_DROP_DELIVERY_LIMIT),
        ),
    ])
}

/// Finds out, with declarations only, whether `queue` (which must exist: an active
/// declaration of a missing queue creates it) keeps messages returned to it. Each probe that
/// the broker refuses closes its channel, so each gets a channel of its own.
pub async fn keeping(conn: &Connection, queue: &str) -> Result<Keeping, AmqpError> {
    let first = match probe(conn, queue, no_drop_args()).await? {
        None => return Ok(Keeping::Keeps),
        Some(refusal) => refusal,
    };
    if probe(conn, queue, table(&[("x-queue-type", long_str("classic"))]))
        .await?
        .is_none()
    {
        return Ok(Keeping::Keeps);
    }
    if probe(conn, queue, table(&[("x-queue-type", long_str("quorum"))]))
        .await?
        .is_none()
    {
        return Ok(Keeping::NoLimit);
    }
    Ok(Keeping::Other(first))
}

/// Declares `queue` with `args` on a channel of its own: `None` when the broker accepts,
/// the broker's reply text when it refuses with 406 (the queue exists with other arguments).
async fn probe(
    conn: &Connection,
    queue: &str,
    args: FieldTable,
) -> Result<Option<String>, AmqpError> {
    let channel = conn.create_channel().await?;
    match declare_queue(&channel, queue, args).await {
        Ok(()) => {
            let _ = channel.close(200, "probed".into()).await;
            Ok(None)
        }
        Err(e) if e.is_precondition_failed() => Ok(Some(e.broker_text())),
        Err(e) => Err(e),
    }
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

/// Declares everything on channels of its own (a refused declaration closes its channel).
pub async fn declare(
    conn: &Connection,
    amqp: &AmqpSettings,
    retry_delays_ms: &[u64],
) -> Result<Declared, AmqpError> {
    let channel = &conn.create_channel().await?;
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

    if declare_no_drop(conn, &amqp.dead_letter_queue).await? {
        declared.dropping.push(amqp.dead_letter_queue.clone());
    }
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
        if declare_no_drop(conn, &amqp.results_queue).await? {
            declared.dropping.push(amqp.results_queue.clone());
        }
        bind(
            channel,
            &amqp.results_queue,
            &amqp.results_exchange,
            &amqp.results_routing_key,
        )
        .await?;
        declared.queues.push(amqp.results_queue.clone());
    }
    let _ = channel.close(200, "topology declared".into()).await;
    Ok(declared)
}

/// Declares a queue that must never drop a message; `true` when it already exists without
/// the limit (docingest before issue 13) and was left as it is. Any other difference is the
/// broker's refusal, as for every other queue.
async fn declare_no_drop(conn: &Connection, queue: &str) -> Result<bool, AmqpError> {
    let channel = conn.create_channel().await?;
    match declare_queue(&channel, queue, no_drop_args()).await {
        Ok(()) => {
            let _ = channel.close(200, "declared".into()).await;
            Ok(false)
        }
        Err(e) if e.is_precondition_failed() => {
            if probe(conn, queue, table(&[("x-queue-type", long_str("quorum"))]))
                .await?
                .is_none()
            {
                Ok(true)
            } else {
                Err(e)
            }
        }
        Err(e) => Err(e),
    }
}

/// A durable queue with these arguments; a refusal names the queue.
pub(crate) async fn declare_queue(
    channel: &Channel,
    name: &str,
    args: FieldTable,
) -> Result<(), AmqpError> {
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
