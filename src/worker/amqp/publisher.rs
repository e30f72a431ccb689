//! Publishing with confirms: a publish counts as done only when the broker has confirmed it.
//!
//! The channel is in confirm mode and every message is published `mandatory`, so three things
//! can go wrong and all are errors: the broker nacks; the message is unroutable (the broker
//! returns it, and the return arrives before its ack, so an ack that carries a returned
//! message is a failure, not a success); or no confirm arrives within
//! `amqp.confirm_timeout_secs`. All are transient: the caller does not ack its input, and the
//! job is retried.
//!
//! [`Publish`] is the seam the job step and the delivery handling publish through: the
//! confirm-mode [`Publisher`] on a broker, or the [`MemoryPublisher`], which keeps what it
//! confirms in memory (or refuses to confirm, like a broker that nacks), so job handling runs
//! and is tested without RabbitMQ.

use super::AmqpError;
use crate::worker::disposition::{Classify, ErrorClass};
use async_trait::async_trait;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Confirmation, Connection, PublisherConfirm};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PublishError {
    #[error("the broker nacked the message published to {exchange:?}")]
    Nacked { exchange: String },
    #[error(
        "the broker returned the message as unroutable ({code} {text}): exchange {exchange:?}, routing key {routing_key:?}"
    )]
    Returned {
        code: u16,
        text: String,
        exchange: String,
        routing_key: String,
    },
    #[error("no publisher confirm within {0:?}")]
    Timeout(Duration),
    #[error("publishing failed: {0}")]
    Channel(#[from] lapin::Error),
}

impl Classify for PublishError {
    fn class(&self) -> ErrorClass {
        ErrorClass::Transient
    }
    fn code(&self) -> &'static str {
        match self {
            PublishError::Nacked { .. } => "publish_nacked",
            PublishError::Returned { .. } => "publish_unroutable",
            PublishError::Timeout(_) => "publish_timeout",
            PublishError::Channel(_) => "publish_failed",
        }
    }
}

/// Publishing with confirms, whatever carries it. `Ok` means confirmed: the caller may ack
/// its input.
#[async_trait]
pub trait Publish: Send + Sync {
    /// Publish several messages, then wait for all their confirms. Fails if any one fails;
    /// the caller treats the batch as not done.
    async fn publish_all(&self, msgs: &[Outgoing<'_>]) -> Result<(), PublishError>;

    /// Publish one message and wait for its confirm.
    async fn publish(&self, msg: Outgoing<'_>) -> Result<(), PublishError> {
        self.publish_all(std::slice::from_ref(&msg)).await
    }
}

/// One message to publish.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub exchange: &'a str,
    pub routing_key: &'a str,
    pub body: &'a [u8],
    pub properties: BasicProperties,
}

/// A confirm-mode channel. Cheap to clone; many tasks publish on it at once and each awaits
/// its own confirm.
#[derive(Clone)]
pub struct Publisher {
    channel: Channel,
    confirm_timeout: Duration,
}

impl Publisher {
    pub async fn open(
        conn: &Connection,
        confirm_timeout: Duration,
    ) -> Result<Publisher, AmqpError> {
        let channel = conn.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        Ok(Publisher {
            channel,
            confirm_timeout,
        })
    }

    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Publish one message and wait for its confirm (callable without the [`Publish`] trait,
    /// as the tools and tests do).
    pub async fn publish(&self, msg: Outgoing<'_>) -> Result<(), PublishError> {
        self.publish_all(std::slice::from_ref(&msg)).await
    }

    /// [`Publish::publish_all`] with one round trip for the batch, not one per message.
    pub async fn publish_all(&self, msgs: &[Outgoing<'_>]) -> Result<(), PublishError> {
        let work = async {
            let mut pending: Vec<(PublisherConfirm, &Outgoing<'_>)> =
                Vec::with_capacity(msgs.len());
            for m in msgs {
                let confirm = self
                    .channel
                    .basic_publish(
                        m.exchange.into(),
                        m.routing_key.into(),
                        BasicPublishOptions {
                            mandatory: true,
                            ..BasicPublishOptions::default()
                        },
                        m.body,
                        m.properties.clone(),
                    )
                    .await?;
                pending.push((confirm, m));
            }
            for (confirm, m) in pending {
                check(confirm.await?, m)?;
            }
            Ok(())
        };
        match tokio::time::timeout(self.confirm_timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(PublishError::Timeout(self.confirm_timeout)),
        }
    }
}

#[async_trait]
impl Publish for Publisher {
    async fn publish_all(&self, msgs: &[Outgoing<'_>]) -> Result<(), PublishError> {
        Publisher::publish_all(self, msgs).await
    }
}

/// A shared publisher publishes as itself (the worker's step and a test share one).
#[async_trait]
impl<P: Publish + ?Sized> Publish for std::sync::Arc<P> {
    async fn publish_all(&self, msgs: &[Outgoing<'_>]) -> Result<(), PublishError> {
        (**self).publish_all(msgs).await
    }
}

/// A message the [`MemoryPublisher`] confirmed.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub exchange: String,
    pub routing_key: String,
    pub body: Vec<u8>,
    pub properties: BasicProperties,
}

/// Publishing into memory: a batch is confirmed (and kept, in order) or refused as a whole,
/// as [`Publish`] promises. It confirms everything unless told to refuse, as a broker that
/// nacks does.
#[derive(Debug, Default)]
pub struct MemoryPublisher {
    /// Batches still to refuse; `usize::MAX` refuses for good.
    refusals: AtomicUsize,
    published: Mutex<Vec<Published>>,
}

impl MemoryPublisher {
    pub fn new() -> MemoryPublisher {
        MemoryPublisher::default()
    }
    /// Refuse (nack) the next `n` batches, then confirm again.
    pub fn refuse_next(&self, n: usize) {
        self.refusals.store(n, Ordering::SeqCst);
    }
    /// Refuse every batch from now on.
    pub fn refuse_all(&self) {
        self.refusals.store(usize::MAX, Ordering::SeqCst);
    }
    /// Every confirmed message so far, in publish order.
    pub fn published(&self) -> Vec<Published> {
        self.published
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[async_trait]
impl Publish for MemoryPublisher {
    async fn publish_all(&self, msgs: &[Outgoing<'_>]) -> Result<(), PublishError> {
        let Some(first) = msgs.first() else {
            return Ok(());
        };
        let refused = self
            .refusals
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| match n {
                0 => None,
                usize::MAX => Some(usize::MAX),
                n => Some(n - 1),
            })
            .is_ok();
        if refused {
            return Err(PublishError::Nacked {
                exchange: first.exchange.to_string(),
            });
        }
        let mut kept = self.published.lock().unwrap_or_else(|e| e.into_inner());
        kept.extend(msgs.iter().map(|m| Published {
            exchange: m.exchange.to_string(),
            routing_key: m.routing_key.to_string(),
            body: m.body.to_vec(),
            properties: m.properties.clone(),
        }));
        Ok(())
    }
}

fn check(confirmation: Confirmation, m: &Outgoing<'_>) -> Result<(), PublishError> {
    match confirmation {
        Confirmation::Ack(None) => Ok(()),
        // A mandatory message nobody could route is returned and then acked: not delivered.
        Confirmation::Ack(Some(returned)) | Confirmation::Nack(Some(returned)) => {
            Err(PublishError::Returned {
                code: returned.reply_code,
                text: returned.reply_text.to_string(),
                exchange: m.exchange.to_string(),
                routing_key: m.routing_key.to_string(),
            })
        }
        Confirmation::Nack(None) => Err(PublishError::Nacked {
            exchange: m.exchange.to_string(),
        }),
        // Only possible if confirm mode were off, which `open` rules out; refuse to call an
        // unconfirmed publish a success.
        Confirmation::NotRequested => Err(PublishError::Nacked {
            exchange: m.exchange.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &[u8]) -> Outgoing<'_> {
        Outgoing {
            exchange: "x",
            routing_key: "k",
            body,
            properties: BasicProperties::default(),
        }
    }

    #[tokio::test]
    async fn the_memory_publisher_keeps_confirmed_batches_whole_and_refuses_whole() {
        let p = MemoryPublisher::new();
        p.refuse_next(1);
        assert!(matches!(
            p.publish_all(&[msg(b"a"), msg(b"b")]).await,
            Err(PublishError::Nacked { .. })
        ));
        assert!(p.published().is_empty(), "a refused batch keeps nothing");
        p.publish_all(&[msg(b"c"), msg(b"d")]).await.unwrap();
        let bodies: Vec<Vec<u8>> = p.published().into_iter().map(|m| m.body).collect();
        assert_eq!(bodies, [b"c".to_vec(), b"d".to_vec()]);
        p.refuse_all();
        for _ in 0..3 {
            assert!(Publish::publish(&p, msg(b"e")).await.is_err());
        }
    }
}
