//! Reading the dead-letter queue without disturbing it, and the message a replay publishes.
//!
//! # How a scan leaves the queue as it found it
//!
//! A [`Scan`] reads the queue with a consumer whose prefetch equals the number of letters the
//! queue held when the scan began (its *snapshot*), **without acknowledging**: the broker
//! pushes exactly those letters, in queue order, and can push no more. Once all have arrived
//! (or none came for [`IDLE`]) the consumer is cancelled, so acknowledging one later cannot
//! make room for another. Ending the scan ([`Scan::finish`]: closing its channel), and equally
//! the process dying or the connection dropping, makes the broker return every letter still
//! held to the head of the queue in its original order. Only [`Scan::remove`] (after a
//! confirmed replay, or in a purge) takes a letter out. `tests/service/dlq_replay.rs` checks the
//! order on the real broker: after browsing, after removing letters from the middle, after a
//! `SIGKILL`ed replay.
//!
//! Why not the obvious alternatives, as measured on RabbitMQ 3.10 quorum queues:
//! - `basic.get` without ack, then closing the channel: the returned letters come back
//!   scrambled (in the order of their delivery tags as *strings*: 1, 10, 11, ..., 2, 20...).
//! - `basic.get` + `nack(requeue)` one at a time: the same letter is handed back on the next
//!   get, so a scan loops on the head.
//! - a consumer whose prefetch is smaller than the queue: every ack makes room for one more
//!   delivery, and a letter in flight when the channel closes is returned to the *tail*.
//!
//! Two DLQ commands on one queue would each hold part of it and return their parts in
//! whichever order they finish, so a scan first takes a lock: it declares the exclusive queue
//! `<dlq>.docingest-dlq-lock`, which the broker lets only one connection own and deletes when
//! that connection ends, however it ends. A second command fails (after [`LOCK_GRACE`], which
//! covers RabbitMQ 4.x deleting the lock of a command that just ended a moment late) and
//! changes nothing.
//! The consumer is exclusive too, which keeps out consumers that are not DLQ commands.
//!
//! # Limits
//!
//! - A scan reads at most [`MAX_SCAN`] letters (AMQP's prefetch is a 16-bit count) and holds
//!   them in memory; `list` says when the queue is longer. A replay or purge of a longer queue
//!   is repeated until it has nothing left to do, each run taking the next letters.
//! - Letters dead-lettered while a scan runs, including ones a replay sends straight back,
//!   are not part of it.
//! - A quorum queue counts every return as a delivery (`x-delivery-count` grows by one per
//!   scan, on 3.10 and 4.x alike, however the letters go back: channel close, cancel, nack,
//!   `basic.get`), and drops a letter returned more often than its delivery limit. RabbitMQ
//!   4.x gives a queue without `x-delivery-limit` a limit of 20, so the 21st browse of such a
//!   queue finds nothing (issue 13). `docingest topology` therefore declares the DLQ with
//!   `x-delivery-limit` 2147483647 (see `worker::amqp::topology`), and [`Scan::open`] first
//!   checks, with declarations only, that the queue keeps returned letters (that limit, or a
//!   classic queue without arguments) and refuses ([`BrokerError::WouldDrop`]) otherwise.
//!   Policies are invisible to that check (see README, "RabbitMQ 3.10 and 4.x").
//! - Letters held longer than the broker's `consumer_timeout` (default 30 minutes) make the
//!   broker close the channel: every held letter goes back, one confirmed replay may be
//!   repeated (never lost), and the command stops with an error. Split long, slow replays
//!   with `--limit`.
//!
//! # Copies of one dead letter
//!
//! The worker acks a job only after its dead letter is confirmed, so a worker killed between
//! the two dead-letters the redelivered job a second time (see
//! `worker::amqp::properties::dead_letter_id`). Both messages carry the same
//! `docingest-dead-letter-id`, and a scan hands out the first of them in its queue position
//! with the later ones attached ([`DeadLetter::copies`]): `list` and `inspect` count it once,
//! a replay publishes it once, and [`Scan::remove`] takes all its copies out together. A copy
//! that arrives after the scan began is not part of it; the next command collapses it with
//! whatever is left of its letter (after a replay: nothing, so it shows as a letter again).
//!
//! The connection is opened **without** lapin's automatic recovery: after a reconnect the
//! held letters would be back in the queue and a scan would read them twice; failing loudly is
//! the safe answer for an operator tool.

use crate::config::{AmqpSettings, AmqpUrl};
use crate::dlq::letter::{format_time, names, DeadLetter, Properties};
use crate::worker::amqp::{headers, topology, AmqpError};
use futures_lite::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicQosOptions,
    ExchangeDeclareOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::Duration;
use thiserror::Error;
use time::OffsetDateTime;

#[derive(Debug, Error)]
pub enum BrokerError {
    // The lapin error is part of the message rather than a `source`, so `{:#}` at the
    // binary's edge does not print it twice.
    #[error("cannot connect to the broker at {url}: {cause}")]
    Connect { url: String, cause: lapin::Error },
    #[error(
        "dead-letter queue {queue:?} is not there; `docingest topology` declares it ({cause})"
    )]
    NoQueue { queue: String, cause: lapin::Error },
    #[error("replay target exchange {exchange:?} is not there ({cause})")]
    NoExchange {
        exchange: String,
        cause: lapin::Error,
    },
    #[error("cannot read dead-letter queue {queue:?}: another `docingest dlq` command (or another consumer) is using it ({cause})")]
    InUse { queue: String, cause: lapin::Error },
    /// Browsing would lose letters: the queue's arguments let the broker drop a returned one.
    #[error("refusing to read {queue:?}: browsing it would lose letters: {why}")]
    WouldDrop { queue: String, why: String },
    #[error("the broker refused to remove a dead letter ({0}); it stays in the queue")]
    Ack(String),
    #[error("broker: {0} (every letter not yet replayed or purged is back in the queue)")]
    Broker(#[from] lapin::Error),
}

/// Where a replay publishes: `--to EXCHANGE[:ROUTING_KEY]`, or the jobs exchange and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub exchange: String,
    pub routing_key: String,
}

impl Target {
    /// `EXCHANGE[:ROUTING_KEY]`, split at the first `:`; without a key, `default_key` is used.
    /// `:QUEUE` publishes through the default exchange straight to a queue.
    pub fn parse(s: &str, default_key: &str) -> Target {
        match s.split_once(':') {
            Some((exchange, key)) => Target {
                exchange: exchange.to_string(),
                routing_key: key.to_string(),
            },
            None => Target {
                exchange: s.to_string(),
                routing_key: default_key.to_string(),
            },
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exchange = if self.exchange.is_empty() {
            "(default exchange)"
        } else {
            &self.exchange
        };
        write!(f, "{exchange} with routing key {:?}", self.routing_key)
    }
}

/// What the DLQ tools need from `[amqp]`.
#[derive(Debug, Clone)]
pub struct DlqSettings {
    pub url: AmqpUrl,
    pub queue: String,
    /// Default replay target: `amqp.jobs_exchange` with `amqp.jobs_routing_key`.
    pub target: Target,
    pub confirm_timeout: Duration,
}

impl From<&AmqpSettings> for DlqSettings {
    fn from(a: &AmqpSettings) -> DlqSettings {
        DlqSettings {
            url: a.url.clone(),
            queue: a.dead_letter_queue.clone(),
            target: Target {
                exchange: a.jobs_exchange.clone(),
                routing_key: a.jobs_routing_key.clone(),
            },
            confirm_timeout: a.confirm_timeout(),
        }
    }
}

/// A plain connection: no automatic recovery (see the module header for why).
pub async fn connect(url: &AmqpUrl, name: &str) -> Result<Connection, BrokerError> {
    let props = || ConnectionProperties::default().with_connection_name(name.into());
    crate::worker::amqp::connect_bounded(url.expose(), props)
        .await
        .map_err(|cause| BrokerError::Connect {
            url: url.redacted(),
            cause,
        })
}

/// Fails early, with the exchange's name, when a replay target does not exist (publishing to
/// a missing exchange would close the channel mid-replay instead).
pub async fn check_exchange(conn: &Connection, exchange: &str) -> Result<(), BrokerError> {
    if exchange.is_empty() {
        return Ok(());
    }
    // A passive declare that fails closes its channel, so it gets a throwaway one.
    let channel = conn.create_channel().await?;
    channel
        .exchange_declare(
            exchange.into(),
            ExchangeKind::Direct,
            ExchangeDeclareOptions {
                passive: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .map_err(|cause| BrokerError::NoExchange {
            exchange: exchange.to_string(),
            cause,
        })?;
    let _ = channel.close(200, "checked".into()).await;
    Ok(())
}

/// Most letters one scan reads: AMQP's `prefetch_count` is 16 bits.
pub const MAX_SCAN: u64 = u16::MAX as u64;

/// How long a scan waits for the next of its snapshot's letters before it takes what it has
/// (another client took some between the count and the consume).
pub const IDLE: Duration = Duration::from_secs(3);

/// One pass over the dead-letter queue, holding what it reads (see the module header).
pub struct Scan {
    channel: Channel,
    /// Letters not yet handed out, each with its later copies (see the module header).
    pending: VecDeque<Collapsed<Delivery>>,
    queue_len: u64,
    messages: u64,
    read: u64,
}

/// A letter read by a scan, still in the queue until [`Scan::remove`].
pub struct Held {
    pub letter: DeadLetter,
    delivery: Delivery,
    /// Later messages with the same dead-letter id, removed together with this one.
    copies: Vec<Delivery>,
}

impl Held {
    /// The exact properties and body as the broker delivered them, for republishing.
    pub fn properties(&self) -> &BasicProperties {
        &self.delivery.properties
    }
    pub fn body(&self) -> &[u8] {
        &self.delivery.data
    }
    /// Every message this letter stands for, in queue order: the first, then its copies.
    pub fn messages(&self) -> impl Iterator<Item = (&BasicProperties, &[u8])> {
        std::iter::once(&self.delivery)
            .chain(&self.copies)
            .map(|d| (&d.properties, d.data.as_slice()))
    }
}

impl Scan {
    /// Counts the queue, checks that it keeps returned letters, then takes (and holds) up to
    /// [`MAX_SCAN`] of its letters.
    pub async fn open(conn: &Connection, queue: &str) -> Result<Scan, BrokerError> {
        Scan::open_checked(conn, queue, true).await
    }

    /// [`Scan::open`] without the check that the queue keeps returned letters: for moving
    /// every message out of a queue that does not (`docingest topology --migrate`), where
    /// each message is removed after its copy is confirmed and only a failure returns any.
    pub async fn open_to_move(conn: &Connection, queue: &str) -> Result<Scan, BrokerError> {
        Scan::open_checked(conn, queue, false).await
    }

    async fn open_checked(
        conn: &Connection,
        queue: &str,
        check: bool,
    ) -> Result<Scan, BrokerError> {
        let in_use = |cause| BrokerError::InUse {
            queue: queue.to_string(),
            cause,
        };
        lock(conn, queue).await.map_err(in_use)?;
        let channel = conn.create_channel().await?;
        let q = channel
            .queue_declare(
                queue.into(),
                QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|cause| BrokerError::NoQueue {
                queue: queue.to_string(),
                cause,
            })?;
        if check {
            // After the passive declaration: the probes are active ones, which would create a
            // missing queue.
            let keeping = topology::keeping(conn, queue).await.map_err(|e| match e {
                AmqpError::Broker(b) | AmqpError::Declare { source: b, .. } => {
                    BrokerError::Broker(b)
                }
                AmqpError::Connect { source, .. } => BrokerError::Broker(source),
            })?;
            if let Some(why) = keeping.why_dropping(queue) {
                return Err(BrokerError::WouldDrop {
                    queue: queue.to_string(),
                    why,
                });
            }
        }
        let queue_len = u64::from(q.message_count());
        let snapshot = queue_len.min(MAX_SCAN);
        let mut held = Vec::with_capacity(snapshot as usize);
        if snapshot > 0 {
            channel
                .basic_qos(snapshot as u16, BasicQosOptions::default())
                .await?;
            let tag = format!("docingest-dlq-{}", std::process::id());
            let mut consumer = channel
                .basic_consume(
                    queue.into(),
                    tag.as_str().into(),
                    BasicConsumeOptions {
                        exclusive: true,
                        ..BasicConsumeOptions::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(in_use)?;
            while (held.len() as u64) < snapshot {
                match tokio::time::timeout(IDLE, consumer.next()).await {
                    Ok(Some(delivery)) => held.push(delivery?),
                    Ok(None) | Err(_) => break,
                }
            }
            // Before any ack can make room for a delivery past the snapshot.
            channel
                .basic_cancel(tag.as_str().into(), BasicCancelOptions::default())
                .await?;
        }
        let messages = held.len() as u64;
        let pending = collapse(held, |d| {
            headers::get_str(d.properties.headers().as_ref(), headers::DEAD_LETTER_ID)
        })
        .into();
        Ok(Scan {
            channel,
            pending,
            queue_len,
            messages,
            read: 0,
        })
    }

    /// Letters ready in the queue when the scan started.
    pub fn queue_len(&self) -> u64 {
        self.queue_len
    }

    /// Letters this scan holds (read or still to be read), copies of one letter counted once.
    pub fn snapshot(&self) -> u64 {
        self.read + self.pending.len() as u64
    }

    /// Messages this scan holds: `queue_len` up to [`MAX_SCAN`], copies counted each.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// The next letter in queue order, or `None` at the end of the snapshot.
    pub async fn next(&mut self) -> Result<Option<Held>, BrokerError> {
        let Some(c) = self.pending.pop_front() else {
            return Ok(None);
        };
        let mut letter = letter_from(c.position, &c.first);
        letter.copies = 1 + c.copies.len() as u64;
        self.read += 1;
        Ok(Some(Held {
            letter,
            delivery: c.first,
            copies: c.copies,
        }))
    }

    /// Takes the letter, and every copy of it the scan holds, out of the queue for good.
    pub async fn remove(&self, held: Held) -> Result<(), BrokerError> {
        for d in std::iter::once(&held.delivery).chain(&held.copies) {
            match d.acker.ack(BasicAckOptions::default()).await {
                Ok(true) => {}
                Ok(false) => return Err(BrokerError::Ack("the channel is gone".into())),
                Err(e) => return Err(BrokerError::Ack(e.to_string())),
            }
        }
        Ok(())
    }

    /// Ends the scan: every letter read and not removed goes back, in order.
    pub async fn finish(self) -> Result<(), BrokerError> {
        self.channel.close(200, "scan done".into()).await?;
        Ok(())
    }
}

/// One letter of a scan: its first message, that message's 0-based position in the queue, and
/// the later messages that are copies of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collapsed<T> {
    pub first: T,
    pub position: u64,
    pub copies: Vec<T>,
}

/// Groups messages in queue order by dead-letter id: each id's first message keeps its place
/// and takes the later ones as copies; messages without an id stay on their own.
pub fn collapse<T>(messages: Vec<T>, id: impl Fn(&T) -> Option<String>) -> Vec<Collapsed<T>> {
    let mut out: Vec<Collapsed<T>> = Vec::with_capacity(messages.len());
    let mut first_of: HashMap<String, usize> = HashMap::new();
    for (position, m) in messages.into_iter().enumerate() {
        match id(&m) {
            Some(k) => match first_of.get(&k) {
                Some(&i) => out[i].copies.push(m),
                None => {
                    first_of.insert(k, out.len());
                    out.push(Collapsed {
                        first: m,
                        position: position as u64,
                        copies: Vec::new(),
                    });
                }
            },
            None => out.push(Collapsed {
                first: m,
                position: position as u64,
                copies: Vec::new(),
            }),
        }
    }
    out
}

/// The lock a scan holds on `queue` (see the module header).
pub fn lock_name(queue: &str) -> String {
    format!("{queue}.docingest-dlq-lock")
}

/// How long a scan waits for the lock of a command that has just ended: RabbitMQ 4.x deletes
/// an exclusive queue a moment *after* its connection closed, so a command started right after
/// another one (a script, a test) finds the lock still held for some milliseconds. A command
/// that is still running holds it far longer, and the scan fails after this.
pub const LOCK_GRACE: Duration = Duration::from_secs(3);

/// Takes the lock on `queue` for this connection (an exclusive queue: it lives as long as the
/// connection, whatever happens to the channel that declared it).
async fn lock(conn: &Connection, queue: &str) -> Result<(), lapin::Error> {
    use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
    let started = std::time::Instant::now();
    loop {
        // A refused declaration closes its channel: a new one per attempt.
        let channel = conn.create_channel().await?;
        let r = channel
            .queue_declare(
                lock_name(queue).as_str().into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await;
        match r {
            Ok(_) => {
                let _ = channel.close(200, "locked".into()).await;
                return Ok(());
            }
            Err(e)
                if started.elapsed() < LOCK_GRACE
                    && matches!(e.kind(), lapin::ErrorKind::ProtocolError(p)
                        if matches!(p.kind(), AMQPErrorKind::Soft(AMQPSoftError::RESOURCELOCKED))) =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The typed view of a delivery.
pub fn letter_from(position: u64, d: &Delivery) -> DeadLetter {
    let p = &d.properties;
    let headers = p.headers().as_ref().map(table_json).unwrap_or_default();
    DeadLetter::from_parts(
        position,
        Properties {
            message_id: p.message_id().as_ref().map(|s| s.to_string()),
            correlation_id: p.correlation_id().as_ref().map(|s| s.to_string()),
            content_type: p.content_type().as_ref().map(|s| s.to_string()),
            timestamp: *p.timestamp(),
        },
        headers,
        d.data.clone(),
    )
}

/// AMQP headers as JSON (the one decoding, in `worker::amqp::headers`).
pub use crate::worker::amqp::headers::table_json;

/// Headers a replay drops: the attempt cycle starts again, so the counter and the first
/// failure time go (the worker reads a missing `docingest-attempts` as 0 and stamps a new
/// `docingest-first-failed-at` on the next failure), and the broker's own bookkeeping is
/// not carried into a new queue. Everything else stays, `traceparent` and the last error
/// included, for the history.
pub const DROPPED_ON_REPLAY: &[&str] = &[
    headers::ATTEMPTS,
    headers::FIRST_FAILED_AT,
    names::X_DELIVERY_COUNT,
    names::X_DEATH,
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
];

pub use crate::dlq::letter::names::{REPLAYED_AT, REPLAY_COUNT};

/// The properties a replayed letter is published with: the original ones (message id,
/// correlation id, content type, timestamp, headers...) with the attempt cycle reset,
/// `docingest-replayed-at` set and `docingest-replay-count` incremented. Persistent unless
/// the original said otherwise.
pub fn replay_properties(original: &BasicProperties, now: OffsetDateTime) -> BasicProperties {
    let old = original.headers().as_ref();
    let count = headers::get_u32(old, REPLAY_COUNT)
        .unwrap_or(0)
        .saturating_add(1);
    let mut h = headers::without(old, DROPPED_ON_REPLAY);
    headers::set_str(&mut h, REPLAYED_AT, format_time(now));
    headers::set_u32(&mut h, REPLAY_COUNT, count);
    let mut p = original.clone().with_headers(h);
    if p.delivery_mode().is_none() {
        p = p.with_delivery_mode(2);
    }
    p
}

/// A header table from name/value pairs (tests and synthetic dead letters).
pub fn string_table(pairs: &[(&str, &str)]) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in pairs {
        t.insert(ShortString::from(*k), AMQPValue::LongString((*v).into()));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlq::letter::parse_time;
    use serde_json::Value;

    #[test]
    fn copies_collapse_onto_the_first_letter_with_their_id() {
        // (id, name) in queue order: a1 and a2 are copies of a, b1 of b0; f and g have no id.
        let msgs = vec![
            (Some("A"), "a"),
            (Some("B"), "b0"),
            (Some("A"), "a1"),
            (None, "f"),
            (Some("A"), "a2"),
            (None, "g"),
            (Some("B"), "b1"),
        ];
        let c = collapse(msgs, |m| m.0.map(str::to_string));
        let shape: Vec<(&str, u64, Vec<&str>)> = c
            .iter()
            .map(|c| {
                (
                    c.first.1,
                    c.position,
                    c.copies.iter().map(|m| m.1).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                ("a", 0, vec!["a1", "a2"]),
                ("b0", 1, vec!["b1"]),
                ("f", 3, vec![]),
                ("g", 5, vec![]),
            ]
        );
        assert!(collapse(Vec::<(Option<&str>, &str)>::new(), |_| None).is_empty());
    }

    #[test]
    fn targets_split_at_the_first_colon() {
        assert_eq!(
            Target::parse("docingest.jobs", "job"),
            Target {
                exchange: "docingest.jobs".into(),
                routing_key: "job".into()
            }
        );
        assert_eq!(
            Target::parse("other:rk:x", "job"),
            Target {
                exchange: "other".into(),
                routing_key: "rk:x".into()
            }
        );
        let direct = Target::parse(":some.queue", "job");
        assert_eq!(direct.exchange, "");
        assert_eq!(direct.routing_key, "some.queue");
        assert_eq!(
            direct.to_string(),
            "(default exchange) with routing key \"some.queue\""
        );
    }

    #[test]
    fn replay_resets_attempts_stamps_and_counts_keeping_the_rest() {
        let mut h = string_table(&[
            (headers::ERROR_KIND, "retries_exhausted"),
            (headers::ERROR_CODE, "storage_unavailable"),
            (headers::FIRST_FAILED_AT, "2025-01-01T00:00:00Z"),
            (
                headers::TRACEPARENT,
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
            ("x-delivery-count", "3"),
        ]);
        headers::set_u32(&mut h, headers::ATTEMPTS, 5);
        headers::set_u32(&mut h, REPLAY_COUNT, 1);
        let original = BasicProperties::default()
            .with_message_id("m-1".into())
            .with_correlation_id("job-1".into())
            .with_content_type("application/json".into())
            .with_timestamp(1_700_000_000)
            .with_headers(h);
        let now = parse_time("2025-06-01T12:00:00Z").unwrap();
        let p = replay_properties(&original, now);
        let h = p.headers().as_ref();
        assert_eq!(headers::get_u32(h, headers::ATTEMPTS), None);
        assert_eq!(headers::get_str(h, headers::FIRST_FAILED_AT), None);
        assert_eq!(headers::get_str(h, "x-delivery-count"), None);
        assert_eq!(headers::get_u32(h, REPLAY_COUNT), Some(2));
        assert_eq!(
            headers::get_str(h, REPLAYED_AT).as_deref(),
            Some("2025-06-01T12:00:00Z")
        );
        assert_eq!(
            headers::get_str(h, headers::TRACEPARENT).as_deref(),
            Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        );
        assert_eq!(
            headers::get_str(h, headers::ERROR_CODE).as_deref(),
            Some("storage_unavailable")
        );
        assert_eq!(p.message_id().as_ref().map(|s| s.as_str()), Some("m-1"));
        assert_eq!(
            p.correlation_id().as_ref().map(|s| s.as_str()),
            Some("job-1")
        );
        assert_eq!(*p.timestamp(), Some(1_700_000_000));
        assert_eq!(*p.delivery_mode(), Some(2));
    }

    #[test]
    fn a_first_replay_counts_one_and_transient_stays_transient() {
        let p = replay_properties(
            &BasicProperties::default().with_delivery_mode(1),
            parse_time("2025-06-01T12:00:00Z").unwrap(),
        );
        assert_eq!(
            headers::get_u32(p.headers().as_ref(), REPLAY_COUNT),
            Some(1)
        );
        assert_eq!(*p.delivery_mode(), Some(1));
    }

    #[test]
    fn amqp_values_become_readable_json() {
        let mut death = FieldTable::default();
        death.insert(
            "reason".into(),
            AMQPValue::LongString("delivery_limit".into()),
        );
        death.insert("count".into(), AMQPValue::LongLongInt(1));
        death.insert("time".into(), AMQPValue::Timestamp(1_700_000_000));
        let mut t = FieldTable::default();
        t.insert(
            "x-death".into(),
            AMQPValue::FieldArray(vec![AMQPValue::FieldTable(death)].into()),
        );
        t.insert("flag".into(), AMQPValue::Boolean(true));
        t.insert("bytes".into(), AMQPValue::ByteArray(b"ab".to_vec().into()));
        t.insert("none".into(), AMQPValue::Void);
        let j = Value::Object(table_json(&t));
        assert_eq!(
            j,
            serde_json::json!({
                "x-death": [{"reason": "delivery_limit", "count": 1, "time": "2023-11-14T22:13:20Z"}],
                "flag": true,
                "bytes": "ab",
                "none": null,
            })
        );
        // ... which the letter view reads as a broker dead letter.
        let dl = DeadLetter::from_parts(0, Properties::default(), table_json(&t), vec![]);
        assert_eq!(dl.kind, crate::dlq::letter::Kind::DeliveryLimit);
        assert_eq!(dl.failed_at.unwrap().unix_timestamp(), 1_700_000_000);
    }
}
