//! `docingest topology`: declare the exchanges, queues and bindings (CONTRACT §4), then exit.
//! Idempotent; fails, naming the queue, if one exists with different arguments.
//!
//! It also refuses (exit 2) when the dead-letter or results queue exists without
//! `x-delivery-limit`, as docingest declared them before issue 13: RabbitMQ 4.x drops a
//! message returned to such a queue 20 times, and every `dlq` browse returns every letter once.
//! `--migrate` moves their messages into queues declared with the limit (see
//! [`crate::dlq::migrate`]) and then declares as usual.

use crate::config::Settings;
use crate::dlq::migrate::{self, Binding};
use crate::worker::amqp::publisher::Publisher;
use crate::worker::amqp::{self, topology};
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TopologyArgs {
    /// Replace a dead-letter or results queue declared without x-delivery-limit (it drops
    /// messages on RabbitMQ 4.x) by one declared with it, moving every message (stop the
    /// consumers of the results queue first: the move needs it to itself).
    #[arg(long)]
    pub migrate: bool,
}

pub(super) fn run(args: TopologyArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load()?;
    crate::telemetry::init(&settings.log).map_err(anyhow::Error::msg)?;
    let rt = crate::worker::runtime()?;
    rt.block_on(async {
        let conn = amqp::connect(&settings.amqp.url, "docingest-topology").await?;
        let a = &settings.amqp;
        let delays = &settings.worker.retry_delays_ms.0;
        let mut declared = topology::declare(&conn, a, delays).await?;
        if args.migrate {
            // Both queues, not only the ones found dropping: an interrupted migration may have
            // left a holding queue behind a queue that is already declared with the limit.
            let publisher = Publisher::open(&conn, a.confirm_timeout()).await?;
            let mut queues = vec![(
                &a.dead_letter_queue,
                Binding {
                    exchange: a.dead_letter_exchange.clone(),
                    routing_key: String::new(),
                },
            )];
            if !a.results_queue.is_empty() {
                queues.push((
                    &a.results_queue,
                    Binding {
                        exchange: a.results_exchange.clone(),
                        routing_key: a.results_routing_key.clone(),
                    },
                ));
            }
            for (queue, binding) in queues {
                let m = migrate::migrate(&conn, &publisher, queue, &binding).await?;
                if m == migrate::Migrated::default() {
                    continue;
                }
                println!(
                    "migrated {queue}: {} message(s) moved out and {} back, declared with x-delivery-limit {}",
                    m.moved_out,
                    m.moved_back,
                    topology::NO_DROP_DELIVERY_LIMIT
                );
            }
            declared = topology::declare(&conn, a, delays).await?;
        }
        for (name, kind) in &declared.exchanges {
            println!("exchange {name} ({kind})");
        }
        for name in &declared.queues {
            println!("queue {name}");
        }
        let _ = conn.close(200, "done".into()).await;
        if declared.dropping.is_empty() {
            return anyhow::Ok(ExitCode::SUCCESS);
        }
        for queue in &declared.dropping {
            eprintln!(
                "docingest: {}",
                topology::Keeping::NoLimit
                    .why_dropping(queue)
                    .unwrap_or_default()
            );
        }
        Ok(ExitCode::from(2))
    })
}
