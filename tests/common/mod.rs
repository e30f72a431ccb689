//! Shared harness of the worker integration tests: every test gets its own exchanges, queues,
//! storage directory or bucket (and, when asked, its own vhost), all named after the test plus
//! a random suffix, and removes them when it ends, even when it fails.
//!
//! These tests run against a real RabbitMQ, the one [`broker`] names
//! (`DOCINGEST_TEST_AMQP_URL`, default the machine's RabbitMQ 3.10 on 127.0.0.1:5672; `.ci/run`
//! runs them a second time against RabbitMQ 4.0 on 5673), administered with [`rabbitmqctl`]
//! (`DOCINGEST_TEST_RABBITMQCTL`), and, for S3, the real S3-compatible server started by
//! `.ci/steps/20-s3.sh` (`DOCINGEST_TEST_S3_ENDPOINT`, default http://127.0.0.1:9000). No
//! mocks. A test that needs them starts with `needs!(Broker)` or `needs!(Broker, S3)`
//! ([`services`]): without them it returns early outside CI and fails under `CI=true`.

// --- worker integration harness ---

#![allow(dead_code)]

pub mod golden;
pub mod parsing;
pub mod process;
#[macro_use]
pub mod services;
#[allow(unused_imports)]
pub use parsing::{corpus_dir, loose, parse_path};

use docingest::config::{AmqpUrl, Settings, StorageBackend};
use docingest::worker::amqp::headers;
use docingest::worker::amqp::properties::job_properties;
use docingest::worker::amqp::publisher::{Outgoing, Publisher};
use docingest::worker::amqp::topology;
use docingest::worker::job::{new_job_id, JobMessage};
use docingest::worker::metrics::Metrics;
use docingest::worker::storage::{BucketName, ObjectKey, Storage};
use docingest::worker::Worker;
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The broker of every test that talks to one, as `amqp://user:password@host:port` without a
/// vhost: `DOCINGEST_TEST_AMQP_URL`, default the machine's RabbitMQ on 127.0.0.1:5672.
pub fn broker() -> String {
    std::env::var("DOCINGEST_TEST_AMQP_URL")
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672".into())
}

/// `host:port` of [`broker`], for URLs with other credentials.
pub fn broker_address() -> String {
    let url = broker();
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    rest.rsplit_once('@').map_or(rest, |(_, a)| a).to_string()
}
/// How long a test waits for something that should happen within seconds. Reaching it is a
/// failure with a message, not a measurement.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the shared corpus (renamed from `corpus(rel)` when merged with the corpus tests'
/// `corpus()`). The shared corpus sits next to the repository (`../shared/corpus` in CI); from a git
/// worktree one level deeper it is found further up.
pub fn corpus_file(rel: &str) -> PathBuf {
    let root = repo_root();
    let base = root
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/corpus"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no shared/corpus next to {} or above", root.display()));
    let p = base.join(rel);
    assert!(p.exists(), "corpus file missing: {}", p.display());
    p
}

pub fn s3_endpoint() -> String {
    std::env::var("DOCINGEST_TEST_S3_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:9000".into())
}

/// A lowercase name usable as queue prefix, vhost and S3 bucket: `t-<test>-<random>`.
pub fn unique(test: &str) -> String {
    let mut name: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name.truncate(40);
    format!("t-{name}-{:08x}", fastrand::u32(..))
}

/// A received message, decoded enough for assertions.
#[derive(Debug, Clone)]
pub struct Msg {
    pub body: Vec<u8>,
    pub props: BasicProperties,
}

impl Msg {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        headers::get_str(self.props.headers().as_ref(), name)
    }
    pub fn header_u32(&self, name: &str) -> Option<u32> {
        headers::get_u32(self.props.headers().as_ref(), name)
    }
    pub fn message_id(&self) -> Option<String> {
        self.props.message_id().as_ref().map(|s| s.to_string())
    }
    pub fn correlation_id(&self) -> Option<String> {
        self.props.correlation_id().as_ref().map(|s| s.to_string())
    }
}

pub struct TestEnv {
    pub name: String,
    pub settings: Settings,
    /// Set when the test asked for its own vhost.
    pub vhost: Option<String>,
    pub conn: Connection,
    pub channel: Channel,
    pub publisher: Publisher,
    pub storage: Storage,
    pub bucket: BucketName,
    /// Retry tiers declared at creation; a test may change the settings' delays afterwards,
    /// and both sets are cleaned up.
    declared_delays: Vec<u64>,
    _dir: Option<tempfile::TempDir>,
}

#[derive(Default)]
pub struct Options {
    pub s3_endpoint: Option<String>,
    pub own_vhost: bool,
}

impl TestEnv {
    /// fs storage in a temporary directory, names unique to this test.
    pub async fn new(test: &str) -> TestEnv {
        TestEnv::with(test, Options::default()).await
    }

    pub async fn with(test: &str, opts: Options) -> TestEnv {
        let mut needs = vec![services::Service::Broker];
        if opts.s3_endpoint.as_deref() == Some(s3_endpoint().as_str()) {
            needs.push(services::Service::S3);
        }
        services::require(&needs);
        let name = unique(test);
        let vhost = if opts.own_vhost {
            rabbitmqctl(&["add_vhost", &name]);
            rabbitmqctl(&["set_permissions", "-p", &name, "guest", ".*", ".*", ".*"]);
            Some(name.clone())
        } else {
            None
        };
        let mut s = Settings::defaults();
        s.amqp.url = AmqpUrl::new(match &vhost {
            Some(v) => format!("{}/{v}", broker()),
            None => format!("{}/%2f", broker()),
        });
        s.amqp.jobs_exchange = format!("{name}.jobs");
        s.amqp.jobs_queue = format!("{name}.jobs");
        s.amqp.retry_exchange = format!("{name}.retry");
        s.amqp.retry_queue_prefix = format!("{name}.retry");
        s.amqp.dead_letter_exchange = format!("{name}.dlx");
        s.amqp.dead_letter_queue = format!("{name}.dlq");
        s.amqp.results_exchange = format!("{name}.results");
        s.amqp.results_queue = format!("{name}.results");
        s.amqp.confirm_timeout_secs = std::num::NonZero::new(10).unwrap();
        s.amqp.reconnect_delay_secs = 1;
        s.worker.retry_delays_ms = docingest::config::CommaList(vec![100, 300]);
        s.worker.max_attempts = std::num::NonZero::new(3).unwrap();
        s.worker.drain_timeout_secs = 20;
        s.http.addr = "127.0.0.1:0".parse().unwrap();
        s.storage.default_bucket = name.clone();
        s.storage.results_bucket = name.clone();
        s.storage.allowed_buckets = docingest::config::CommaList(vec![name.clone()]);
        s.storage.timeout_secs = std::num::NonZero::new(5).unwrap();
        let dir = match &opts.s3_endpoint {
            Some(endpoint) => {
                s.storage.backend = StorageBackend::S3;
                s.storage.endpoint = endpoint.clone();
                s.storage.access_key_id = docingest::config::Secret::new("testing");
                s.storage.secret_access_key = docingest::config::Secret::new("testing");
                None
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                s.storage.root = dir.path().to_path_buf();
                Some(dir)
            }
        };
        let storage = Storage::from_settings(&s.storage).await.unwrap();
        let bucket = BucketName::parse(&name).unwrap();
        storage
            .ensure_bucket(&bucket)
            .await
            .unwrap_or_else(|e| panic!("creating bucket {name} at {:?}: {e}", opts.s3_endpoint));
        let conn = Connection::connect(
            s.amqp.url.expose(),
            ConnectionProperties::default().enable_auto_recover(),
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "RabbitMQ at {} (DOCINGEST_TEST_AMQP_URL; see .ci/steps/10-rabbitmq.sh): {e}",
                broker_address()
            )
        });
        let channel = conn.create_channel().await.unwrap();
        let declared = topology::declare(&conn, &s.amqp, &s.worker.retry_delays_ms.0)
            .await
            .unwrap();
        assert!(declared.dropping.is_empty(), "{:?}", declared.dropping);
        let publisher = Publisher::open(&conn, Duration::from_secs(10))
            .await
            .unwrap();
        let s_delays = s.worker.retry_delays_ms.0.clone();
        TestEnv {
            name,
            settings: s,
            vhost,
            conn,
            channel,
            publisher,
            storage,
            bucket,
            declared_delays: s_delays,
            _dir: dir,
        }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) {
        self.storage
            .put(
                &self.bucket,
                &ObjectKey::parse(key).unwrap(),
                bytes,
                "application/octet-stream",
            )
            .await
            .unwrap();
    }

    pub fn job(&self, key: &str) -> JobMessage {
        JobMessage {
            job_id: new_job_id(),
            bucket: self.bucket.to_string(),
            key: key.into(),
            version_id: None,
            etag: None,
            content_type: None,
            submission_id: Some(format!("{}-sub", self.name)),
            attributes: None,
        }
    }

    /// Publish job messages (confirmed), return their ids.
    pub async fn publish_jobs(&self, jobs: &[JobMessage]) -> Vec<String> {
        for chunk in jobs.chunks(500) {
            let bodies: Vec<Vec<u8>> = chunk
                .iter()
                .map(|j| serde_json::to_vec(j).unwrap())
                .collect();
            let msgs: Vec<Outgoing<'_>> = chunk
                .iter()
                .zip(&bodies)
                .map(|(j, b)| Outgoing {
                    exchange: &self.settings.amqp.jobs_exchange,
                    routing_key: &self.settings.amqp.jobs_routing_key,
                    body: b,
                    properties: job_properties(&j.job_id),
                })
                .collect();
            self.publisher.publish_all(&msgs).await.unwrap();
        }
        jobs.iter().map(|j| j.job_id.clone()).collect()
    }

    /// Publish any body to the jobs exchange.
    pub async fn publish_raw(&self, body: &[u8], props: BasicProperties) {
        self.publisher
            .publish(Outgoing {
                exchange: &self.settings.amqp.jobs_exchange,
                routing_key: &self.settings.amqp.jobs_routing_key,
                body,
                properties: props,
            })
            .await
            .unwrap();
    }

    /// Take (and ack) up to `n` messages from `queue`, waiting at most `PATIENCE`.
    pub async fn take(&self, queue: &str, n: usize) -> Vec<Msg> {
        self.take_within(queue, n, PATIENCE).await
    }

    pub async fn take_within(&self, queue: &str, n: usize, patience: Duration) -> Vec<Msg> {
        let deadline = Instant::now() + patience;
        let mut out = Vec::new();
        while out.len() < n && Instant::now() < deadline {
            match self
                .channel
                .basic_get(queue.into(), BasicGetOptions::default())
                .await
            {
                Ok(Some(m)) => {
                    m.delivery.ack(BasicAckOptions::default()).await.unwrap();
                    out.push(Msg {
                        body: m.delivery.data.clone(),
                        props: m.delivery.properties.clone(),
                    });
                }
                Ok(None) => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(e) => {
                    // The connection may be recovering (tests that close connections).
                    let _ = self.channel.wait_for_recovery(e).await;
                }
            }
        }
        out
    }

    pub async fn results(&self, n: usize) -> Vec<Msg> {
        self.take(&self.settings.amqp.results_queue.clone(), n)
            .await
    }

    pub async fn dead_letters(&self, n: usize) -> Vec<Msg> {
        self.take(&self.settings.amqp.dead_letter_queue.clone(), n)
            .await
    }

    /// Messages ready in `queue` (not counting unacked ones).
    pub async fn queue_len(&self, queue: &str) -> u32 {
        loop {
            let declared = self
                .channel
                .queue_declare(
                    queue.into(),
                    QueueDeclareOptions {
                        passive: true,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await;
            match declared {
                Ok(q) => return q.message_count(),
                // Tests that close connections: wait for our own connection to recover.
                Err(e) => self.channel.wait_for_recovery(e).await.unwrap(),
            }
        }
    }

    /// Environment that makes the `docingest` binary use this test's names.
    pub fn env(&self) -> Vec<(String, String)> {
        let s = &self.settings;
        let mut v = vec![
            ("DOCINGEST_AMQP__URL", s.amqp.url.expose().to_string()),
            (
                "DOCINGEST_AMQP__JOBS_EXCHANGE",
                s.amqp.jobs_exchange.clone(),
            ),
            ("DOCINGEST_AMQP__JOBS_QUEUE", s.amqp.jobs_queue.clone()),
            (
                "DOCINGEST_AMQP__RETRY_EXCHANGE",
                s.amqp.retry_exchange.clone(),
            ),
            (
                "DOCINGEST_AMQP__RETRY_QUEUE_PREFIX",
                s.amqp.retry_queue_prefix.clone(),
            ),
            (
                "DOCINGEST_AMQP__DEAD_LETTER_EXCHANGE",
                s.amqp.dead_letter_exchange.clone(),
            ),
            (
                "DOCINGEST_AMQP__DEAD_LETTER_QUEUE",
                s.amqp.dead_letter_queue.clone(),
            ),
            (
                "DOCINGEST_AMQP__RESULTS_EXCHANGE",
                s.amqp.results_exchange.clone(),
            ),
            (
                "DOCINGEST_AMQP__RESULTS_QUEUE",
                s.amqp.results_queue.clone(),
            ),
            (
                "DOCINGEST_AMQP__RECONNECT_DELAY_SECS",
                s.amqp.reconnect_delay_secs.to_string(),
            ),
            (
                "DOCINGEST_WORKER__RETRY_DELAYS_MS",
                s.worker
                    .retry_delays_ms
                    .0
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            (
                "DOCINGEST_WORKER__MAX_ATTEMPTS",
                s.worker.max_attempts.to_string(),
            ),
            (
                "DOCINGEST_WORKER__CONCURRENCY",
                s.worker.concurrency.to_string(),
            ),
            ("DOCINGEST_WORKER__PREFETCH", s.worker.prefetch.to_string()),
            (
                "DOCINGEST_WORKER__DRAIN_TIMEOUT_SECS",
                s.worker.drain_timeout_secs.to_string(),
            ),
            ("DOCINGEST_HTTP__ADDR", "127.0.0.1:0".to_string()),
            (
                "DOCINGEST_STORAGE__BACKEND",
                match s.storage.backend {
                    StorageBackend::Fs => "fs".into(),
                    StorageBackend::S3 => "s3".into(),
                },
            ),
            (
                "DOCINGEST_STORAGE__ROOT",
                s.storage.root.display().to_string(),
            ),
            ("DOCINGEST_STORAGE__ENDPOINT", s.storage.endpoint.clone()),
            (
                "DOCINGEST_STORAGE__DEFAULT_BUCKET",
                s.storage.default_bucket.clone(),
            ),
            (
                "DOCINGEST_STORAGE__RESULTS_BUCKET",
                s.storage.results_bucket.clone(),
            ),
            (
                "DOCINGEST_STORAGE__ALLOWED_BUCKETS",
                s.storage.allowed_buckets.0.join(","),
            ),
            ("DOCINGEST_LOG__LEVEL", "info".to_string()),
        ];
        if s.storage.backend == StorageBackend::S3 {
            v.push(("DOCINGEST_STORAGE__ACCESS_KEY_ID", "testing".into()));
            v.push(("DOCINGEST_STORAGE__SECRET_ACCESS_KEY", "testing".into()));
        }
        v.into_iter().map(|(k, val)| (k.to_string(), val)).collect()
    }
}

impl Drop for TestEnv {
    /// Delete this test's queues, exchanges and vhost, also after a failed assertion. Runs on
    /// its own thread and runtime because `Drop` cannot await.
    fn drop(&mut self) {
        let amqp = self.settings.amqp.clone();
        let mut delays = self.settings.worker.retry_delays_ms.0.clone();
        delays.extend(&self.declared_delays);
        delays.sort_unstable();
        delays.dedup();
        let vhost = self.vhost.clone();
        let _ = std::thread::spawn(move || {
            if let Some(v) = vhost {
                rabbitmqctl(&["delete_vhost", &v]);
                return;
            }
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let Ok(conn) =
                    Connection::connect(amqp.url.expose(), ConnectionProperties::default()).await
                else {
                    return;
                };
                let Ok(ch) = conn.create_channel().await else {
                    return;
                };
                let mut queues = vec![
                    amqp.jobs_queue.clone(),
                    amqp.dead_letter_queue.clone(),
                    amqp.results_queue.clone(),
                ];
                for d in delays {
                    queues.push(topology::retry_queue_name(&amqp.retry_queue_prefix, d));
                }
                // What a `topology --migrate` interrupted by a failed assertion leaves behind.
                queues.push(docingest::dlq::migrate::holding_name(
                    &amqp.dead_letter_queue,
                ));
                if !amqp.results_queue.is_empty() {
                    queues.push(docingest::dlq::migrate::holding_name(&amqp.results_queue));
                }
                for q in queues.into_iter().filter(|q| !q.is_empty()) {
                    let _ = ch.queue_delete(q.as_str().into(), Default::default()).await;
                }
                for x in [
                    &amqp.jobs_exchange,
                    &amqp.retry_exchange,
                    &amqp.dead_letter_exchange,
                    &amqp.results_exchange,
                ] {
                    let _ = ch
                        .exchange_delete(x.as_str().into(), Default::default())
                        .await;
                }
                let _ = conn.close(200, "test cleanup".into()).await;
            });
        })
        .join();
    }
}

/// Runs `rabbitmqctl` against the broker of [`broker`]: `DOCINGEST_TEST_RABBITMQCTL`, a
/// command line split at spaces (the RabbitMQ 4.0 pass of `.ci/run` sets `chroot DIR
/// rabbitmqctl -n rabbit4@localhost`), default `rabbitmqctl` on PATH.
pub fn rabbitmqctl(args: &[&str]) {
    let command =
        std::env::var("DOCINGEST_TEST_RABBITMQCTL").unwrap_or_else(|_| "rabbitmqctl".into());
    let mut words = command.split_whitespace();
    let program = words.next().expect("DOCINGEST_TEST_RABBITMQCTL is empty");
    let out = std::process::Command::new(program)
        .args(words)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{command} (DOCINGEST_TEST_RABBITMQCTL): {e}"));
    assert!(
        out.status.success(),
        "{command} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An in-process worker.
pub struct RunningWorker {
    pub http: SocketAddr,
    pub metrics: Arc<Metrics>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<Result<(), docingest::worker::WorkerError>>,
}

impl RunningWorker {
    pub async fn start(settings: Settings) -> RunningWorker {
        if std::env::var_os("DOCINGEST_TEST_LOG").is_some() {
            let _ = docingest::telemetry::init(&settings.log);
        }
        let worker = Worker::new(settings).await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let http = worker.http_addr();
        let metrics = worker.metrics();
        let handle = tokio::spawn(worker.run(async move {
            let _ = rx.await;
        }));
        RunningWorker {
            http,
            metrics,
            stop: Some(tx),
            handle,
        }
    }

    /// Request a shutdown and wait for the drain.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        (&mut self.handle).await.unwrap().unwrap();
    }
}

/// GET a path from the worker's HTTP port; returns (status, body).
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Poll `cond` until it holds or `PATIENCE` runs out; panics with `what` then.
pub async fn eventually<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}
