//! `docingest topology --migrate`: replaces a dead-letter or results queue declared without
//! `x-delivery-limit` (docingest before issue 13; RabbitMQ 4.x drops a message returned to it
//! 20 times) by one declared with [`topology::NO_DROP_DELIVERY_LIMIT`], keeping every message.
//!
//! A queue's arguments cannot change, so the messages move through a holding queue
//! `<queue>.docingest-migrating` (declared with the limit):
//!
//! 1. declare the holding queue and bind it where the queue is bound, then unbind the queue:
//!    from then on new messages land in the holding queue only;
//! 2. move every message of the queue to the holding queue;
//! 3. delete the queue once a passive declaration counts it empty (quorum queues do not
//!    support `if_empty`; nothing is routed to it any more, so only a publisher naming the
//!    queue itself through the default exchange could slip a message in between, and the
//!    broker's count of deleted messages makes that an error, never silent);
//! 4. declare the queue with the limit and bind it, then unbind the holding queue;
//! 5. move the holding queue's messages back and delete it the same way.
//!
//! A message is removed from its source only after its copy is confirmed by the broker, so
//! an interruption at any point loses nothing: running `--migrate` again resumes from what it
//! finds (the queue missing, or already declared with the limit, and the holding queue still
//! there). The price: a message published while both queues are bound (between the bind and
//! the unbind of steps 1 and 4, milliseconds) is kept twice, and a move that fails half-way
//! returns the messages it held, which counts as one delivery of each. Order is kept: moves go
//! in queue order (messages that arrive during the migration come after the moved ones).
//! Headers, properties and bodies are kept as they are, except `x-delivery-count`, the old
//! queue's return count.

use crate::dlq::broker::{BrokerError, Scan};
use crate::dlq::letter::names;
use crate::worker::amqp::publisher::{Outgoing, PublishError, Publisher};
use crate::worker::amqp::topology::{self, Keeping};
use crate::worker::amqp::{headers, AmqpError};
use lapin::options::{QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MigrateError {
    #[error(transparent)]
    Broker(#[from] BrokerError),
    #[error(transparent)]
    Amqp(#[from] AmqpError),
    #[error("moving a message from {from:?} to {to:?}: {source} (it stays in {from:?})")]
    Publish {
        from: String,
        to: String,
        source: PublishError,
    },
    #[error("{queue:?} has arguments docingest did not declare; not migrating it: {why}")]
    Foreign { queue: String, why: String },
    /// A message reached the queue between the count and the delete (published to the queue
    /// by name through the default exchange): the broker deleted it with the queue.
    #[error("deleting the emptied {queue:?}, the broker deleted {count} message(s) that arrived after it was counted empty (published to the queue by name?)")]
    DeletedMessages { queue: String, count: u32 },
    #[error("{queue:?} kept receiving messages; {tries} attempts to empty and delete it failed")]
    NotEmptied { queue: String, tries: u32 },
}

/// Where a queue is bound: its messages come from `exchange` with `routing_key`.
#[derive(Debug, Clone)]
pub struct Binding {
    pub exchange: String,
    pub routing_key: String,
}

/// What a migration did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Messages moved into the holding queue, and back into the new queue.
    pub moved_out: u64,
    pub moved_back: u64,
    /// The old queue was deleted and declared again with the limit.
    pub redeclared: bool,
}

/// How often a move is repeated while messages keep arriving between it and the delete.
const DELETE_TRIES: u32 = 20;

/// The holding queue of a migration of `queue`.
pub fn holding_name(queue: &str) -> String {
    format!("{queue}.docingest-migrating")
}

/// Migrates `queue` (see the module header). Idempotent: a queue that already keeps returned
/// messages and has no holding queue left is not touched.
pub async fn migrate(
    conn: &Connection,
    publisher: &Publisher,
    queue: &str,
    binding: &Binding,
) -> Result<Migrated, MigrateError> {
    let holding = holding_name(queue);
    let mut done = Migrated::default();
    if exists(conn, queue).await? {
        match topology::keeping(conn, queue).await? {
            Keeping::Keeps if !exists(conn, &holding).await? => return Ok(done),
            Keeping::Keeps => {}
            Keeping::NoLimit => {
                declare(conn, &holding).await?;
                bind(conn, &holding, binding).await?;
                unbind(conn, queue, binding).await?;
                done.moved_out += drain(conn, publisher, queue, &holding).await?;
                done.redeclared = true;
            }
            other => {
                return Err(MigrateError::Foreign {
                    queue: queue.to_string(),
                    why: other.why_dropping(queue).unwrap_or_default(),
                })
            }
        }
    }
    declare(conn, queue).await?;
    bind(conn, queue, binding).await?;
    if exists(conn, &holding).await? {
        unbind(conn, &holding, binding).await?;
        done.moved_back += drain(conn, publisher, &holding, queue).await?;
    }
    Ok(done)
}

/// Moves every message of the unbound queue `from` to `to`, then deletes `from`. Returns how
/// many moved.
async fn drain(
    conn: &Connection,
    publisher: &Publisher,
    from: &str,
    to: &str,
) -> Result<u64, MigrateError> {
    let mut moved = 0;
    for _ in 0..DELETE_TRIES {
        moved += move_all(conn, publisher, from, to).await?;
        if delete_emptied(conn, from).await? {
            return Ok(moved);
        }
    }
    Err(MigrateError::NotEmptied {
        queue: from.to_string(),
        tries: DELETE_TRIES,
    })
}

/// Moves every message of `from` to the end of `to` in order, each removed from `from` only
/// after its copy is confirmed. Returns how many moved.
async fn move_all(
    conn: &Connection,
    publisher: &Publisher,
    from: &str,
    to: &str,
) -> Result<u64, MigrateError> {
    let mut moved = 0;
    loop {
        let mut scan = Scan::open_to_move(conn, from).await?;
        if scan.messages() == 0 {
            scan.finish().await?;
            return Ok(moved);
        }
        let r = async {
            while let Some(held) = scan.next().await? {
                for (props, body) in held.messages() {
                    publisher
                        .publish(Outgoing {
                            exchange: "",
                            routing_key: to,
                            body,
                            properties: moved_properties(props),
                        })
                        .await
                        .map_err(|source| MigrateError::Publish {
                            from: from.to_string(),
                            to: to.to_string(),
                            source,
                        })?;
                }
                let n = held.letter.copies;
                scan.remove(held).await?;
                moved += n;
            }
            Ok::<_, MigrateError>(())
        }
        .await;
        let finished = scan.finish().await;
        r?;
        finished?;
    }
}

/// The properties a moved message is published with: its own, without the old queue's
/// return count.
fn moved_properties(p: &BasicProperties) -> BasicProperties {
    let h = headers::without(p.headers().as_ref(), &[names::X_DELIVERY_COUNT]);
    p.clone().with_headers(h)
}

async fn exists(conn: &Connection, queue: &str) -> Result<bool, AmqpError> {
    Ok(ready(conn, queue).await?.is_some())
}

/// Messages ready in `queue` (a passive declaration on a channel of its own), `None` when
/// there is no such queue.
async fn ready(conn: &Connection, queue: &str) -> Result<Option<u32>, AmqpError> {
    let channel = conn.create_channel().await?;
    let r = channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await;
    match r {
        Ok(q) => {
            let _ = channel.close(200, "checked".into()).await;
            Ok(Some(q.message_count()))
        }
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn is_not_found(e: &lapin::Error) -> bool {
    use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
    matches!(e.kind(), lapin::ErrorKind::ProtocolError(p)
        if matches!(p.kind(), AMQPErrorKind::Soft(AMQPSoftError::NOTFOUND)))
}

async fn declare(conn: &Connection, queue: &str) -> Result<(), AmqpError> {
    let channel = conn.create_channel().await?;
    topology::declare_queue(&channel, queue, topology::no_drop_args()).await?;
    let _ = channel.close(200, "declared".into()).await;
    Ok(())
}

/// Deletes `queue` if a passive declaration counts no message in it: `true` when deleted,
/// `false` when messages are in it (move them first).
async fn delete_emptied(conn: &Connection, queue: &str) -> Result<bool, MigrateError> {
    if ready(conn, queue).await? != Some(0) {
        return Ok(false);
    }
    let channel = conn.create_channel().await.map_err(AmqpError::from)?;
    let deleted = channel
        .queue_delete(queue.into(), QueueDeleteOptions::default())
        .await
        .map_err(AmqpError::from)?;
    let _ = channel.close(200, "deleted".into()).await;
    if deleted > 0 {
        return Err(MigrateError::DeletedMessages {
            queue: queue.to_string(),
            count: deleted,
        });
    }
    Ok(true)
}

async fn bind(conn: &Connection, queue: &str, b: &Binding) -> Result<(), AmqpError> {
    let channel = conn.create_channel().await?;
    channel
        .queue_bind(
            queue.into(),
            b.exchange.as_str().into(),
            b.routing_key.as_str().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let _ = channel.close(200, "bound".into()).await;
    Ok(())
}

async fn unbind(conn: &Connection, queue: &str, b: &Binding) -> Result<(), AmqpError> {
    let channel = conn.create_channel().await?;
    channel
        .queue_unbind(
            queue.into(),
            b.exchange.as_str().into(),
            b.routing_key.as_str().into(),
            FieldTable::default(),
        )
        .await?;
    let _ = channel.close(200, "unbound".into()).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dlq::broker::string_table;

    #[test]
    fn a_moved_message_keeps_everything_but_the_old_return_count() {
        let p = BasicProperties::default()
            .with_message_id("m-1".into())
            .with_delivery_mode(2)
            .with_headers(string_table(&[
                ("x-delivery-count", "19"),
                (headers::ERROR_CODE, "object_not_found"),
            ]));
        let m = moved_properties(&p);
        let h = m.headers().as_ref();
        assert_eq!(headers::get_str(h, "x-delivery-count"), None);
        assert_eq!(
            headers::get_str(h, headers::ERROR_CODE).as_deref(),
            Some("object_not_found")
        );
        assert_eq!(m.message_id().as_ref().map(|s| s.as_str()), Some("m-1"));
        assert_eq!(*m.delivery_mode(), Some(2));
    }

    #[test]
    fn holding_queue_name() {
        assert_eq!(
            holding_name("docingest.dlq"),
            "docingest.dlq.docingest-migrating"
        );
    }
}
