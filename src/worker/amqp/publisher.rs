//! Publishing with confirms: a publish counts as done only when the broker has confirmed it.
//!
//! The channel is in confirm mode and every message is published `mandatory`, so three things
//! can go wrong and all are errors: the broker nacks; the message is unroutable (the broker
//! returns it, and the return arrives before its ack, so an ack that carries a returned
//! message is a failure, not a success); or no confirm arrives within
//! `amqp.confirm_timeout_secs`. All are transient: the caller does not ack its input, and the
//! job is retried.

use super::AmqpError;
use crate::worker::disposition::{Classify, ErrorClass};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Confirmation, Connection, PublisherConfirm};
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

    /// Publish one message and wait for its confirm.
    pub async fn publish(&self, msg: Outgoing<'_>) -> Result<(), PublishError> {
        self.publish_all(std::slice::from_ref(&msg)).await
    }

    /// Publish several messages, then wait for all their confirms (one round trip, not one per
    /// message). Fails if any one fails; the caller treats the batch as not done.
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
