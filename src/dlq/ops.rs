//! The four DLQ operations over a [`Scan`]: list, inspect, replay, purge.
//!
//! Each is one pass in queue order, over letters: messages that are copies of one dead letter
//! (same `docingest-dead-letter-id`, see `broker.rs`) are one letter, replayed once and
//! removed together. Reading never removes (see `broker.rs`); a letter leaves
//! the queue only through [`Scan::remove`], and a replay calls it only after the copy was
//! published **and confirmed** (mandatory, so an unroutable copy is a failure too). A crash
//! between the two repeats a replay at worst; nothing is ever lost. A failed publish stops
//! the replay: the letter stays, and the cause (a missing binding, a full broker) would most
//! likely fail the next one too.
//!
//! The operations know nothing of terminals: they report each step to an [`Observer`], which
//! the CLI turns into a progress bar and dry-run lines.

use crate::dlq::broker::{replay_properties, BrokerError, Held, Scan, Target};
use crate::dlq::filter::{Decision, Selector};
use crate::dlq::letter::DeadLetter;
use crate::dlq::rate::{Pacer, Rate};
use crate::dlq::report::{Summary, Tally};
use crate::worker::amqp::publisher::{Outgoing, PublishError, Publisher};
use lapin::Connection;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// One step of a replay or purge, as it happens.
#[derive(Debug)]
pub enum Step<'a> {
    /// The scan holds this many letters: the most this pass will read.
    Started { letters: u64 },
    /// A letter was read (before the decision): advances a progress bar.
    Read,
    /// Matched and within `--limit`: replayed / purged, or would be in a dry run.
    Done(&'a DeadLetter),
    /// Matched, but the publish failed; it stays in the queue.
    Failed(&'a DeadLetter, &'a PublishError),
}

pub trait Observer {
    fn step(&mut self, step: Step<'_>);
}

/// For callers that want only the tally.
pub struct Quiet;

impl Observer for Quiet {
    fn step(&mut self, _: Step<'_>) {}
}

/// What to do with a matching letter.
pub enum Action<'a> {
    /// Count and report it; touch nothing.
    DryRun,
    /// Publish a copy to `target` (confirmed), then remove it.
    Replay {
        publisher: &'a Publisher,
        target: &'a Target,
        rate: Option<Rate>,
    },
    /// Remove it.
    Purge,
}

/// How a replay or purge ended.
#[derive(Debug)]
pub struct Outcome {
    pub tally: Tally,
    /// Why it stopped before the end, if it did: the first failed publish.
    pub stopped: Option<String>,
}

/// `dlq list`: every letter of the queue, summarised.
pub async fn list(conn: &Connection, queue: &str) -> Result<Summary, BrokerError> {
    let mut scan = Scan::open(conn, queue).await?;
    let mut summary = Summary::default();
    let queue_len = scan.queue_len();
    let r = async {
        while let Some(held) = scan.next().await? {
            summary.add(&held.letter);
        }
        Ok::<_, BrokerError>(())
    }
    .await;
    scan.finish().await?;
    r?;
    summary.set_queue_len(queue_len);
    Ok(summary)
}

/// `dlq inspect`: the letters the selector takes (its limit is `-n`), in queue order.
pub async fn inspect(
    conn: &Connection,
    queue: &str,
    mut selector: Selector,
    now: OffsetDateTime,
) -> Result<Vec<DeadLetter>, BrokerError> {
    let mut scan = Scan::open(conn, queue).await?;
    let mut out = Vec::new();
    let r = async {
        while !selector.is_full() {
            let Some(held) = scan.next().await? else {
                break;
            };
            if selector.decide(&held.letter, now) == Decision::Take {
                out.push(held.letter);
            }
        }
        Ok::<_, BrokerError>(())
    }
    .await;
    scan.finish().await?;
    r.map(|()| out)
}

/// `dlq replay` / `dlq purge` (and their dry runs). `max_read` caps how many letters are read
/// (a purge confirmed on a terminal reads no further than the count it showed).
pub async fn process(
    conn: &Connection,
    queue: &str,
    mut selector: Selector,
    action: Action<'_>,
    max_read: Option<u64>,
    now: OffsetDateTime,
    observer: &mut dyn Observer,
) -> Result<Outcome, BrokerError> {
    let mut scan = Scan::open(conn, queue).await?;
    observer.step(Step::Started {
        letters: max_read.map_or(scan.snapshot(), |m| m.min(scan.snapshot())),
    });
    let mut tally = Tally::default();
    let mut stopped = None;
    let mut pacer = Pacer::new(match &action {
        Action::Replay { rate, .. } => *rate,
        _ => None,
    });
    let r = async {
        while !selector.is_full() && max_read.is_none_or(|m| tally.scanned < m) {
            let Some(held) = scan.next().await? else {
                break;
            };
            tally.scanned += 1;
            observer.step(Step::Read);
            match selector.decide(&held.letter, now) {
                Decision::NoMatch => tally.skipped += 1,
                Decision::OverLimit => {
                    tally.matched += 1;
                    tally.skipped += 1;
                }
                Decision::Take => {
                    tally.matched += 1;
                    match &action {
                        Action::DryRun => {
                            observer.step(Step::Done(&held.letter));
                            tally.done += 1;
                            tally.copies += held.letter.copies - 1;
                        }
                        Action::Purge => {
                            let letter = held.letter.clone();
                            scan.remove(held).await?;
                            observer.step(Step::Done(&letter));
                            tally.done += 1;
                            tally.copies += letter.copies - 1;
                        }
                        Action::Replay {
                            publisher, target, ..
                        } => {
                            pace(&mut pacer).await;
                            match republish(publisher, target, &held, OffsetDateTime::now_utc())
                                .await
                            {
                                Ok(()) => {
                                    let letter = held.letter.clone();
                                    // Counted before the ack: if the ack fails, the copy is
                                    // out and the error says the letter may come again.
                                    tally.done += 1;
                                    tally.copies += letter.copies - 1;
                                    scan.remove(held).await?;
                                    observer.step(Step::Done(&letter));
                                }
                                Err(e) => {
                                    tally.failed += 1;
                                    selector.release();
                                    observer.step(Step::Failed(&held.letter, &e));
                                    stopped = Some(format!(
                                        "stopped at dead letter #{}: {e}",
                                        held.letter.position + 1
                                    ));
                                    break;
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok::<_, BrokerError>(())
    }
    .await;
    // Whatever happened, end the scan so every letter not removed goes back in order. If the
    // channel is already gone, the broker has done that itself.
    let finished = scan.finish().await;
    r?;
    finished?;
    Ok(Outcome { tally, stopped })
}

async fn pace(pacer: &mut Pacer) {
    let wait = pacer.reserve(Instant::now());
    if wait > Duration::ZERO {
        tokio::time::sleep(wait).await;
    }
}

async fn republish(
    publisher: &Publisher,
    target: &Target,
    held: &Held,
    now: OffsetDateTime,
) -> Result<(), PublishError> {
    publisher
        .publish(Outgoing {
            exchange: &target.exchange,
            routing_key: &target.routing_key,
            body: held.body(),
            properties: replay_properties(held.properties(), now),
        })
        .await
}
