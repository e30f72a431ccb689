//! `/healthz`, `/readyz` and `/metrics` over a deliberately tiny HTTP/1.1 responder.
//!
//! Three fixed GET routes for probes and Prometheus do not need an HTTP framework: each
//! connection sends one request (read up to 8 KiB, 5 s at most), gets one response with
//! `Connection: close`, and at most 64 connections are served at once. Anything else gets a
//! 404 or 405. `/healthz` answers 200 while the process can make progress, and 503 once every
//! concurrency slot is held by a parse that overran `worker.parse_timeout_ms` (threads cannot
//! be stopped; a restart frees them, and no job is lost: those jobs are already settled).
//! `/readyz` is 200 only while the worker is connected to the broker with its consumer
//! attached, and 503 while disconnected or draining, so a load balancer or Kubernetes stops
//! counting on it during a shutdown.

use super::metrics::Metrics;
use lapin::ConnectionStatus;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

const MAX_REQUEST_BYTES: usize = 8 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_CONNECTIONS: usize = 64;

/// What `/readyz` reports.
#[derive(Default)]
pub(super) struct Health {
    consuming: AtomicBool,
    draining: AtomicBool,
    /// The live state of the current connection: lapin may be reconnecting under a consumer
    /// that never noticed, and readiness must say so while it lasts.
    connection: Mutex<Option<ConnectionStatus>>,
    /// `worker.concurrency`; 0 until the worker sets it.
    parse_slots: AtomicUsize,
}

impl Health {
    pub(super) fn set_consuming(&self, on: bool) {
        self.consuming.store(on, Ordering::SeqCst);
    }
    pub(super) fn set_connection(&self, status: Option<ConnectionStatus>) {
        *self.connection.lock().unwrap_or_else(|p| p.into_inner()) = status;
    }
    pub(super) fn set_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
    pub(super) fn set_parse_slots(&self, slots: usize) {
        self.parse_slots.store(slots, Ordering::SeqCst);
    }
    /// `Ok` while the worker can make progress, else why not (`/healthz`).
    pub(super) fn alive(&self, metrics: &Metrics) -> Result<(), String> {
        let slots = self.parse_slots.load(Ordering::SeqCst);
        let stuck = metrics.parses_overrunning_now();
        if slots > 0 && stuck >= slots as i64 {
            return Err(format!(
                "all {slots} parse slots are held by parses past worker.parse_timeout_ms"
            ));
        }
        Ok(())
    }
    /// `Ok` when ready, else why not.
    pub(super) fn ready(&self) -> Result<(), &'static str> {
        if self.draining.load(Ordering::SeqCst) {
            return Err("draining");
        }
        if !self.consuming.load(Ordering::SeqCst) {
            return Err("not consuming");
        }
        match &*self.connection.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(c) if c.blocked() => Err("connection blocked by the broker"),
            Some(c) if !c.connected() => Err("not connected to the broker"),
            _ => Ok(()),
        }
    }
}

/// Serve until the returned task is aborted.
pub(super) fn serve(
    listener: TcpListener,
    health: Arc<Health>,
    metrics: Arc<Metrics>,
) -> JoinHandle<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "health listener accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let (health, metrics) = (health.clone(), metrics.clone());
            tokio::spawn(async move {
                let _ =
                    tokio::time::timeout(REQUEST_TIMEOUT, respond(stream, &health, &metrics)).await;
                drop(permit);
            });
        }
    })
}

pub(super) async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

async fn respond(mut stream: TcpStream, health: &Health, metrics: &Metrics) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_REQUEST_BYTES {
            return write(&mut stream, 431, "text/plain", "request too large\n", false).await;
        }
    }
    let line = buf.split(|b| *b == b'\n').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let head = method == "HEAD";
    if method != "GET" && !head {
        return write(&mut stream, 405, "text/plain", "method not allowed\n", head).await;
    }
    match path {
        "/healthz" => match health.alive(metrics) {
            Ok(()) => write(&mut stream, 200, "text/plain", "ok\n", head).await,
            Err(why) => write(&mut stream, 503, "text/plain", &format!("{why}\n"), head).await,
        },
        "/readyz" => match health.ready() {
            Ok(()) => write(&mut stream, 200, "text/plain", "ready\n", head).await,
            Err(why) => write(&mut stream, 503, "text/plain", &format!("{why}\n"), head).await,
        },
        "/metrics" => {
            let body = metrics.render();
            write(
                &mut stream,
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                &body,
                head,
            )
            .await
        }
        _ => write(&mut stream, 404, "text/plain", "not found\n", head).await,
    }
}

async fn write(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body.as_bytes());
    }
    stream.write_all(&out).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: SocketAddr, req: &str) -> String {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn routes() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let health = Arc::new(Health::default());
        let metrics = Arc::new(Metrics::new());
        metrics.job("published");
        let server = serve(listener, health.clone(), metrics);

        let r = get(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(
            r.starts_with("HTTP/1.1 200 OK\r\n") && r.ends_with("ok\n"),
            "{r}"
        );

        let r = get(addr, "GET /readyz HTTP/1.1\r\n\r\n").await;
        assert!(r.starts_with("HTTP/1.1 503 "), "{r}");
        health.set_consuming(true);
        let r = get(addr, "GET /readyz HTTP/1.1\r\n\r\n").await;
        assert!(r.starts_with("HTTP/1.1 200 "), "{r}");
        health.set_draining();
        let r = get(addr, "GET /readyz HTTP/1.1\r\n\r\n").await;
        assert!(
            r.starts_with("HTTP/1.1 503 ") && r.contains("draining"),
            "{r}"
        );

        let r = get(addr, "GET /metrics HTTP/1.1\r\n\r\n").await;
        assert!(
            r.contains("docingest_jobs_total{outcome=\"published\"} 1"),
            "{r}"
        );
        assert!(r.contains("Content-Type: text/plain; version=0.0.4"), "{r}");

        let r = get(addr, "GET /nope HTTP/1.1\r\n\r\n").await;
        assert!(r.starts_with("HTTP/1.1 404 "), "{r}");
        let r = get(addr, "POST /healthz HTTP/1.1\r\n\r\n").await;
        assert!(r.starts_with("HTTP/1.1 405 "), "{r}");
        let r = get(addr, &format!("GET /{} HTTP/1.1\r\n", "a".repeat(10_000))).await;
        assert!(r.starts_with("HTTP/1.1 431 "), "{r}");
        server.abort();
    }
}
