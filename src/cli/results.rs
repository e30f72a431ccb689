//! `docingest results`: print results waiting in `amqp.results_queue`, one JSON document per
//! line, acknowledging each after it is printed. For demos and debugging; real consumers bind
//! their own queue to the results exchange.

use crate::config::Settings;
use crate::worker::amqp;
use clap::Args;
use lapin::options::{BasicAckOptions, BasicGetOptions};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Stop after this many results.
    #[arg(long, default_value_t = 10)]
    pub count: usize,
    /// Stop when no result arrived for this many seconds.
    #[arg(long, default_value_t = 5)]
    pub wait_secs: u64,
}

pub(super) fn run(args: ResultsArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load()?;
    crate::telemetry::init(&settings.log).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(
        !settings.amqp.results_queue.is_empty(),
        "amqp.results_queue is empty: no queue to read results from"
    );
    let rt = crate::worker::runtime()?;
    rt.block_on(async {
        let conn = amqp::connect(&settings.amqp.url, "docingest-results").await?;
        let channel = conn.create_channel().await?;
        let stdout = std::io::stdout();
        let mut printed = 0;
        let mut last = Instant::now();
        while printed < args.count && last.elapsed() < Duration::from_secs(args.wait_secs) {
            let got = channel
                .basic_get(
                    settings.amqp.results_queue.as_str().into(),
                    BasicGetOptions::default(),
                )
                .await?;
            let Some(msg) = got else {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            };
            {
                let mut out = stdout.lock();
                out.write_all(&msg.delivery.data)?;
                out.write_all(b"\n")?;
                out.flush()?;
            }
            msg.delivery.ack(BasicAckOptions::default()).await?;
            printed += 1;
            last = Instant::now();
        }
        let _ = conn.close(200, "done".into()).await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
