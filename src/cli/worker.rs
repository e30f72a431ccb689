//! `docingest worker`: consume jobs until SIGTERM or SIGINT, then drain and exit 0.
//!
//! The first signal starts the drain (see `worker::run`), after which the trace spans still
//! buffered are exported (see `telemetry`); a second signal exits at once with status 130,
//! leaving unfinished jobs unacked for the broker to redeliver.

use crate::config::Settings;
use crate::worker::Worker;
use clap::Args;
use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tracing::{error, info};

#[derive(Debug, Args)]
pub struct WorkerArgs {}

pub(super) fn run(_args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load()?;
    let rt = crate::worker::runtime()?;
    // Inside the runtime: the trace exporter's batch task runs on it.
    let telemetry = {
        let _entered = rt.enter();
        crate::telemetry::init_worker(&settings.log)?
    };
    let result = rt.block_on(async move {
        let shutdown = shutdown_signal()?;
        let worker = Worker::new(settings).await;
        let ran = match worker {
            Ok(worker) => {
                info!(
                    http = %worker.http_addr(),
                    traces = telemetry.exports_traces(),
                    "worker starting"
                );
                worker.run(shutdown).await
            }
            Err(e) => Err(e),
        };
        // After the drain: the spans of the last jobs are exported before the exit.
        telemetry.shutdown().await;
        ran?;
        anyhow::Ok(())
    });
    // Parser threads of jobs abandoned at the drain deadline must not hold the exit.
    rt.shutdown_timeout(Duration::from_secs(1));
    result?;
    Ok(ExitCode::SUCCESS)
}

/// Completes on the first SIGTERM or SIGINT and arms the second-signal exit.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        info!(
            signal = name,
            "shutdown requested; draining (a second signal exits at once)"
        );
        tokio::spawn(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            error!("second signal: exiting now without draining");
            std::process::exit(130);
        });
    })
}
