//! Everything that speaks AMQP: the topology, the confirmed publisher (and the [`publisher::Publish`]
//! seam), the properties and headers of what the worker publishes, acking, and connecting.
//! Nothing here decides what to do with a job: that is `worker::delivery` and
//! `worker::disposition`, above this module.
//!
//! Connections are opened with lapin's automatic recovery: after a dropped connection (a
//! broker restart, `rabbitmqctl close_all_connections`) lapin reconnects and replays channels,
//! QoS, confirm mode and consumers, and the worker waits for that with
//! `Channel::wait_for_recovery`. Deliveries received before the drop cannot be acked any more
//! (their ackers are poisoned and an ack is a no-op); the broker redelivers them.

pub(crate) mod consumer;
pub mod headers;
pub mod properties;
pub mod publisher;
pub mod topology;

use crate::config::AmqpUrl;
use crate::worker::disposition::{Classify, ErrorClass};
use lapin::{Connection, ConnectionProperties};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AmqpError {
    #[error("cannot connect to the broker at {url}: {source}")]
    Connect { url: String, source: lapin::Error },
    /// A declaration the broker refused, e.g. a queue that exists with other arguments.
    #[error("declaring {what}: {source}")]
    Declare { what: String, source: lapin::Error },
    #[error("broker: {0}")]
    Broker(#[from] lapin::Error),
}

impl AmqpError {
    /// The broker refused a declaration for a reason no retry fixes: the name exists with
    /// other arguments (406 PRECONDITION_FAILED) or we may not touch it (403 ACCESS_REFUSED).
    /// A connection dropping in the middle of declaring is not a conflict.
    pub fn is_conflict(&self) -> bool {
        use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
        match self {
            AmqpError::Declare { source, .. } => matches!(
                source.kind(),
                lapin::ErrorKind::ProtocolError(e) if matches!(
                    e.kind(),
                    AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED | AMQPSoftError::ACCESSREFUSED)
                )
            ),
            _ => false,
        }
    }

    /// The broker refused a declaration because the name exists with other arguments
    /// (406 PRECONDITION_FAILED).
    pub fn is_precondition_failed(&self) -> bool {
        use lapin::protocol::{AMQPErrorKind, AMQPSoftError};
        match self {
            AmqpError::Declare { source, .. } => matches!(
                source.kind(),
                lapin::ErrorKind::ProtocolError(e)
                    if matches!(e.kind(), AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED))
            ),
            _ => false,
        }
    }

    /// The broker's reply text for a refused declaration (it names the first differing
    /// argument), or this error's own message.
    pub fn broker_text(&self) -> String {
        match self {
            AmqpError::Declare { source, .. } => match source.kind() {
                lapin::ErrorKind::ProtocolError(e) => e.get_message().to_string(),
                _ => source.to_string(),
            },
            other => other.to_string(),
        }
    }
}

impl Classify for AmqpError {
    fn class(&self) -> ErrorClass {
        match self {
            AmqpError::Declare { .. } if self.is_conflict() => ErrorClass::Permanent,
            AmqpError::Declare { .. } | AmqpError::Connect { .. } | AmqpError::Broker(_) => {
                ErrorClass::Transient
            }
        }
    }
    fn code(&self) -> &'static str {
        match self {
            AmqpError::Connect { .. } => "broker_unreachable",
            AmqpError::Declare { .. } => "topology_conflict",
            AmqpError::Broker(_) => "broker_error",
        }
    }
}

/// Open a connection with automatic recovery, named so `rabbitmqctl list_connections` shows
/// which process holds it.
pub async fn connect(url: &AmqpUrl, name: &str) -> Result<Connection, AmqpError> {
    let props = || {
        ConnectionProperties::default()
            .with_connection_name(name.into())
            .enable_auto_recover()
    };
    connect_bounded(url.expose(), props)
        .await
        .map_err(|source| AmqpError::Connect {
            url: url.redacted(),
            source,
        })
}

/// How long one connection attempt may take, and how many are made.
const CONNECT_ATTEMPT: std::time::Duration = std::time::Duration::from_secs(20);
const CONNECT_ATTEMPTS: u32 = 3;

/// `Connection::connect`, bounded in time. lapin 4 can leave a connect pending for ever when the
/// broker drops the socket during the handshake (seen on RabbitMQ 4.0 under load: a `dlq purge`
/// sat 8 minutes with no socket left), so an attempt that has not finished in
/// [`CONNECT_ATTEMPT`] is abandoned and made again; after [`CONNECT_ATTEMPTS`] the connect fails
/// with a timed-out I/O error. A broker that answers with an error (refused, bad credentials)
/// fails at once: retry policies belong to the callers.
pub(crate) async fn connect_bounded(
    url: &str,
    props: impl Fn() -> ConnectionProperties,
) -> Result<Connection, lapin::Error> {
    for _ in 0..CONNECT_ATTEMPTS {
        if let Ok(done) =
            tokio::time::timeout(CONNECT_ATTEMPT, Connection::connect(url, props())).await
        {
            return done;
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!(
            "no connection after {CONNECT_ATTEMPTS} attempts of {} s",
            CONNECT_ATTEMPT.as_secs()
        ),
    )
    .into())
}
