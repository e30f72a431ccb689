//! The consume loop: connect, declare, consume with bounded concurrency, recover, drain.
//!
//! Shape of a run:
//! 1. Connect (retrying every `amqp.reconnect_delay_secs` while the broker is unreachable),
//!    declare the topology, open a confirm-mode publish channel and a consume channel with
//!    `basic_qos(worker.prefetch)`.
//! 2. Hand each delivery to a task running [`handle_delivery`]. The broker never has more than
//!    `worker.prefetch` unacked deliveries out to us, which bounds the tasks; inside them, a
//!    semaphore of `worker.concurrency` slots bounds fetch + parse (memory and CPU), and a job
//!    gives its slot back before it waits for the broker's confirm, so confirm latency does not
//!    idle the parser threads.
//! 3. A dropped connection is recovered by lapin (see [`crate::worker::amqp`]); if recovery
//!    gives up, the session is rebuilt from step 1. Tasks of the old session finish on their
//!    own; their acks are no-ops and the broker redelivers those messages.
//! 4. On shutdown: `/readyz` turns 503, the consumer is cancelled (`basic.cancel`) so no new
//!    deliveries arrive, and in-flight tasks get `worker.drain_timeout_secs` to finish. Tasks
//!    still running then are dropped *without* acking: closing the connection returns their
//!    messages (and anything still prefetched) to the queue. Nothing is lost and nothing is
//!    dead-lettered because of a shutdown.

use crate::config::Settings;
use crate::worker::amqp::publisher::Publisher;
use crate::worker::amqp::{self, topology, AmqpError};
use crate::worker::delivery::{handle_delivery, Routes};
use crate::worker::events;
use crate::worker::health::{self, Health};
use crate::worker::metrics::Metrics;
use crate::worker::process::Deps;
use crate::worker::storage::{BucketName, Storage, StorageError};
use futures_lite::StreamExt;
use lapin::options::{BasicCancelOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tracing::{error, info, warn};

#[derive(Debug, Error)]
pub enum WorkerError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cannot listen on http.addr {addr}: {source}")]
    Http {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// Only declaration conflicts end the worker; connection trouble is retried forever.
    #[error(transparent)]
    Topology(AmqpError),
    #[error("invalid setting: {0}")]
    Settings(String),
}

/// A worker, built and listening on `http.addr`, not yet consuming.
pub struct Worker {
    settings: Arc<Settings>,
    storage: Storage,
    metrics: Arc<Metrics>,
    health: Arc<Health>,
    http_addr: SocketAddr,
    http: JoinHandle<()>,
    results_bucket: BucketName,
}

enum SessionEnd {
    /// Shutdown was requested; the connection is still open for the drain.
    Stop { channel: Channel, tag: String },
    /// The connection is gone and lapin could not recover it.
    Lost(String),
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it sent `true`.
    let _ = stop.wait_for(|v| *v).await;
}

impl Worker {
    pub async fn new(settings: Settings) -> Result<Worker, WorkerError> {
        let storage = Storage::from_settings(&settings.storage).await?;
        let results_bucket = BucketName::parse(&settings.storage.results_bucket)
            .map_err(|e| WorkerError::Settings(format!("storage.results_bucket: {e}")))?;
        let listener =
            health::bind(settings.http.addr)
                .await
                .map_err(|source| WorkerError::Http {
                    addr: settings.http.addr,
                    source,
                })?;
        let http_addr = listener.local_addr().map_err(|source| WorkerError::Http {
            addr: settings.http.addr,
            source,
        })?;
        let metrics = Arc::new(Metrics::new());
        let health = Arc::new(Health::default());
        let http = health::serve(listener, health.clone(), metrics.clone());
        Ok(Worker {
            settings: Arc::new(settings),
            storage,
            metrics,
            health,
            http_addr,
            http,
            results_bucket,
        })
    }

    /// Where `/healthz`, `/readyz` and `/metrics` are served (useful with port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Consume until `shutdown` completes, then drain (see the module header). Returns only
    /// after the drain, or on a topology conflict that no retry can fix.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), WorkerError> {
        let (stop_tx, mut stop) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let s = &self.settings;
        let slots = Arc::new(Semaphore::new(s.worker.concurrency.get()));
        self.health.set_parse_slots(s.worker.concurrency.get());
        let mut tasks: JoinSet<()> = JoinSet::new();
        let routes = Arc::new(Routes::from_settings(s));
        let mut open: Option<(Connection, Channel, String)> = None;
        let outcome = loop {
            if *stop.borrow() {
                break Ok(());
            }
            let name = format!("docingest-worker-{}", std::process::id());
            let conn = tokio::select! {
                biased;
                _ = stopped(&mut stop) => break Ok(()),
                c = amqp::connect(&s.amqp.url, &name) => c,
            };
            let conn = match conn {
                Ok(c) => c,
                Err(e) => {
                    warn!(error = %e, retry_in_secs = s.amqp.reconnect_delay_secs, "broker unreachable");
                    tokio::select! {
                        _ = stopped(&mut stop) => break Ok(()),
                        _ = tokio::time::sleep(s.amqp.reconnect_delay()) => continue,
                    }
                }
            };
            match self
                .session(&conn, &routes, &slots, &mut tasks, &mut stop)
                .await
            {
                Ok(SessionEnd::Stop { channel, tag }) => {
                    open = Some((conn, channel, tag));
                    break Ok(());
                }
                Ok(SessionEnd::Lost(why)) => {
                    self.health.set_consuming(false);
                    events::BrokerConnectionLost { error: &why }.emit(&self.metrics);
                }
                Err(e) if e.is_conflict() => {
                    error!(error = %e, "topology conflict; stopping");
                    break Err(WorkerError::Topology(e));
                }
                Err(e) => {
                    self.health.set_consuming(false);
                    warn!(error = %e, "broker session failed");
                }
            }
            let _ = conn.close(200, "reconnecting".into()).await;
            tokio::select! {
                _ = stopped(&mut stop) => break Ok(()),
                _ = tokio::time::sleep(s.amqp.reconnect_delay()) => {}
            }
        };
        self.drain(&mut tasks, open).await;
        self.http.abort();
        outcome
    }

    async fn session(
        &self,
        conn: &Connection,
        routes: &Arc<Routes>,
        slots: &Arc<Semaphore>,
        tasks: &mut JoinSet<()>,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<SessionEnd, AmqpError> {
        let s = &self.settings;
        let declared = topology::declare(conn, &s.amqp, &s.worker.retry_delays_ms.0).await?;
        // The worker never returns messages to these queues, so it goes on; browsing them
        // would lose letters on RabbitMQ 4.x, which `docingest topology` and `dlq` refuse.
        for queue in &declared.dropping {
            error!(
                queue = %queue,
                "queue declared without x-delivery-limit: RabbitMQ 4.x drops a message returned to it 20 times; run `docingest topology --migrate`"
            );
        }
        let publisher = Publisher::open(conn, s.amqp.confirm_timeout()).await?;
        let channel = conn.create_channel().await?;
        channel
            .basic_qos(s.worker.prefetch.get(), BasicQosOptions::default())
            .await?;
        let tag = format!(
            "docingest-worker-{}-{:08x}",
            std::process::id(),
            fastrand::u32(..)
        );
        let mut consumer = channel
            .basic_consume(
                s.amqp.jobs_queue.as_str().into(),
                tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let deps = Arc::new(Deps::new(
            s,
            self.storage.clone(),
            publisher,
            self.metrics.clone(),
            self.results_bucket.clone(),
            slots.clone(),
        ));
        self.health.set_connection(Some(conn.status().clone()));
        self.health.set_consuming(true);
        let url = s.amqp.url.redacted();
        events::BrokerConnected {
            url: &url,
            recovered: false,
        }
        .emit(&self.metrics);
        let _watch = AbortOnDrop(tokio::spawn(watch_connection(
            conn.events_listener(),
            self.metrics.clone(),
            url.clone(),
        )));
        loop {
            let next = tokio::select! {
                biased;
                _ = stopped(stop) => return Ok(SessionEnd::Stop { channel, tag }),
                n = consumer.next() => n,
            };
            match next {
                Some(Ok(delivery)) => {
                    let (deps, routes) = (deps.clone(), routes.clone());
                    tasks.spawn(async move {
                        handle_delivery(delivery, &deps, &routes).await;
                    });
                    while let Some(done) = tasks.try_join_next() {
                        log_task_end(done);
                    }
                }
                Some(Err(e)) => {
                    self.health.set_consuming(false);
                    events::BrokerConnectionLost {
                        error: &e.to_string(),
                    }
                    .emit(&self.metrics);
                    let recovered = tokio::select! {
                        _ = stopped(stop) => return Ok(SessionEnd::Stop { channel, tag }),
                        r = channel.wait_for_recovery(e) => r,
                    };
                    match recovered {
                        Ok(()) => {
                            self.health.set_consuming(true);
                            events::BrokerConnected {
                                url: &url,
                                recovered: true,
                            }
                            .emit(&self.metrics);
                        }
                        Err(e) => return Ok(SessionEnd::Lost(e.to_string())),
                    }
                }
                None => return Ok(SessionEnd::Lost("the broker cancelled the consumer".into())),
            }
        }
    }

    async fn drain(&self, tasks: &mut JoinSet<()>, open: Option<(Connection, Channel, String)>) {
        self.health.set_draining();
        let timeout = self.settings.worker.drain_timeout();
        info!(
            in_flight = self.metrics.in_flight_now(),
            timeout_secs = timeout.as_secs(),
            "shutting down: draining"
        );
        if let Some((_, channel, tag)) = &open {
            // No new deliveries from here on; prefetched ones stay unacked and go back to the
            // queue when the channel closes.
            let cancel = channel.basic_cancel(tag.as_str().into(), BasicCancelOptions::default());
            if let Ok(Err(e)) = tokio::time::timeout(Duration::from_secs(5), cancel).await {
                warn!(error = %e, "basic.cancel failed");
            }
        }
        let finished = tokio::time::timeout(timeout, async {
            while let Some(done) = tasks.join_next().await {
                log_task_end(done);
            }
        })
        .await;
        if finished.is_err() {
            warn!(
                unfinished = tasks.len(),
                "drain timeout: unfinished jobs are left unacked and return to the queue"
            );
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        if let Some((conn, _, _)) = open {
            let _ = tokio::time::timeout(
                Duration::from_secs(5),
                conn.close(200, "worker shut down".into()),
            )
            .await;
        }
        info!("drained; exiting");
    }
}

/// Lapin recovers a dropped connection on its own, often without the consumer stream ever
/// seeing an error; its connection events are how the logs and metrics learn about it.
async fn watch_connection(
    stream: impl futures_lite::Stream<Item = lapin::Event> + Send + 'static,
    metrics: Arc<Metrics>,
    url: String,
) {
    let mut stream = std::pin::pin!(stream);
    // lapin reports some losses as an `Error` event and recovers from others silently (a
    // close sent by the broker, e.g. CONNECTION_FORCED): a recovery without a reported loss
    // still had one, and is counted as such so disconnects and reconnects add up.
    let mut loss_reported = false;
    while let Some(event) = stream.next().await {
        match event {
            lapin::Event::Error(e) => {
                events::BrokerConnectionLost {
                    error: &e.to_string(),
                }
                .emit(&metrics);
                loss_reported = true;
            }
            // After the first connection, `Connected` means lapin has reconnected and replayed
            // channels, QoS, confirm mode and the consumer.
            lapin::Event::Connected => {
                if !std::mem::take(&mut loss_reported) {
                    events::BrokerConnectionLost {
                        error: "closed by the broker (seen on recovery)",
                    }
                    .emit(&metrics);
                }
                events::BrokerConnected {
                    url: &url,
                    recovered: true,
                }
                .emit(&metrics)
            }
            // Readiness follows the connection status itself (see `Health`); these only log.
            lapin::Event::ConnectionBlocked(reason) => {
                warn!(reason, "the broker blocked the connection (resource alarm)");
            }
            lapin::Event::ConnectionUnblocked => {
                info!("the broker unblocked the connection");
            }
            _ => {}
        }
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn log_task_end(done: Result<(), tokio::task::JoinError>) {
    if let Err(e) = done {
        if e.is_panic() {
            // The delivery stays unacked until the channel closes; the broker then redelivers
            // it, and x-delivery-limit dead-letters a message that keeps doing this.
            error!(error = %e, "a job task panicked");
        }
    }
}
