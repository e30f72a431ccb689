//! The moving side: consume jobs from RabbitMQ, fetch inputs from object storage, parse them
//! with [`crate::document::parse`] on blocking threads, publish results with confirms, and
//! retry or dead-letter what fails. Nothing here interprets documents.
//!
//! - [`job`]: delivery -> typed jobs (the edge; S3 events included)
//! - [`storage`]: the fs and s3 backends behind one trait, with allowlist and size checks
//! - [`process`]: `process_one(job, ctx, deps) -> Outcome`, the single step
//! - [`disposition`]: `decide(outcome, attempts) -> Action`, the single policy
//! - [`delivery`]: one delivery start to finish: step, disposition, then ack or requeue
//! - [`amqp`]: topology, the confirmed publisher behind the `Publish` seam, the properties and
//!   headers of what is published, acking
//! - [`run`]: the consume loop, recovery and the drain
//! - [`health`], [`metrics`], [`events`]: operations

pub mod amqp;
pub mod delivery;
pub mod disposition;
mod events;
mod health;
pub mod job;
pub mod metrics;
pub mod process;
mod run;
pub mod storage;

pub use run::{Worker, WorkerError};

/// The multi-threaded runtime every async subcommand runs on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("docingest")
        .build()
}
