//! Dead-letter tooling behind `docingest dlq list | inspect | replay | purge` (issue 5).
//!
//! # Layout
//!
//! - [`letter`]: one dead letter read into a typed view (kind, code, times, job fields).
//! - [`filter`]: which letters a replay or purge touches, and `--limit`.
//! - [`glob`], [`duration`], [`rate`]: the small languages of `--key-glob`, `--older-than`
//!   and `--rate`.
//! - [`report`]: tables and JSON for people and scripts.
//!
//! Everything above is pure (no broker, no clock of its own) and unit-tested beside the code.
//! The broker side:
//!
//! - [`broker`]: a [`broker::Scan`] reads the queue without disturbing it (an exclusive
//!   consumer whose prefetch is the queue's length at the start, never acking, cancelled at the
//!   end so every letter returns in order); copies with one `docingest-dead-letter-id` are one
//!   letter; the properties of a replayed copy.
//! - [`ops`]: list, inspect, and the one replay/purge pass: publish, confirm, then remove.
//! - [`migrate`]: `docingest topology --migrate`, moving the messages of a queue declared
//!   without `x-delivery-limit` into one declared with it (issue 13).

pub mod broker;
mod duration;
pub mod filter;
pub mod glob;
pub mod letter;
pub mod migrate;
pub mod ops;
pub(crate) mod rate;
pub(crate) mod report;
