//! `docingest topology`: declare the exchanges, queues and bindings (CONTRACT §4), then exit.
//! Idempotent; fails, naming the queue, if one exists with different arguments.

use crate::config::Settings;
use crate::worker::amqp::{self, topology};
use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    let settings = Settings::load()?;
    crate::telemetry::init(&settings.log).map_err(anyhow::Error::msg)?;
    let rt = crate::worker::runtime()?;
    rt.block_on(async {
        let conn = amqp::connect(&settings.amqp.url, "docingest-topology").await?;
        let channel = conn.create_channel().await?;
        let declared =
            topology::declare(&channel, &settings.amqp, &settings.worker.retry_delays_ms.0).await?;
        for (name, kind) in &declared.exchanges {
            println!("exchange {name} ({kind})");
        }
        for name in &declared.queues {
            println!("queue {name}");
        }
        let _ = conn.close(200, "done".into()).await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
