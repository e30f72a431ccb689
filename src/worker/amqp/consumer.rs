//! Telling the broker what became of a delivery: ack it, or put it back on the queue.
//!
//! Both can fail to reach the broker (the channel closed under us: a dropped connection, a
//! worker shutting down). That is not an error to handle: the broker redelivers every
//! unacked delivery of a closed channel. Callers only report it.

use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};

/// Acknowledge `delivery`. `Err` says why the ack did not reach the broker.
pub(crate) async fn ack(delivery: &Delivery) -> Result<(), String> {
    match delivery.acker.ack(BasicAckOptions::default()).await {
        Ok(true) => Ok(()),
        Ok(false) => Err("channel closed before the ack".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Return `delivery` to its queue (`basic.nack` with requeue). `Err` says why the requeue did
/// not reach the broker (which then redelivers it anyway).
pub(crate) async fn requeue(delivery: &Delivery) -> Result<(), String> {
    let nacked = delivery
        .acker
        .nack(BasicNackOptions {
            requeue: true,
            ..BasicNackOptions::default()
        })
        .await;
    match nacked {
        Ok(true) => Ok(()),
        Ok(false) => Err("channel closed before the requeue".into()),
        Err(e) => Err(e.to_string()),
    }
}
