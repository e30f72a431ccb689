//! The worker with the `s3` backend against a real S3-compatible server (moto, started by
//! `.ci/steps/20-s3.sh` on DOCINGEST_TEST_S3_ENDPOINT, default http://127.0.0.1:9000). Under
//! `CI=true` these tests fail when the server is unreachable; elsewhere they return early and
//! the binary says so once (`needs!`). The outage test starts its own private
//! server so it can stop and restart it.

use crate::common;

use common::{corpus_file, repo_root, s3_endpoint, Options, RunningWorker, TestEnv};
use docingest::document;
use docingest::worker::amqp::headers;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_jobs_and_events_end_to_end_with_permanent_errors_dead_lettered() {
    needs!(Broker, S3);
    let mut env = TestEnv::with(
        "s3-e2e",
        Options {
            s3_endpoint: Some(s3_endpoint()),
            ..Options::default()
        },
    )
    .await;
    env.settings.storage.max_object_bytes = 16 * 1024;
    let text = std::fs::read(corpus_file("seeds/002_acaf490cc139cbb4.txt")).unwrap();
    let md = std::fs::read(corpus_file("variants/002.md")).unwrap();
    let key = "2023年 报告/a+b.txt";
    env.put(key, text.clone()).await;
    env.put("notes.md", md.clone()).await;
    env.put("big.txt", vec![b'x'; 17 * 1024]).await;
    let worker = RunningWorker::start(env.settings.clone()).await;

    let job = env.job(key);
    let missing = env.job("nope.txt");
    let big = env.job("big.txt");
    env.publish_jobs(&[job.clone(), missing.clone(), big.clone()])
        .await;
    let event = serde_json::json!({"Records": [{"eventName": "s3:ObjectCreated:Put",
        "s3": {"bucket": {"name": env.bucket.as_str()}, "object": {"key": "notes.md", "size": md.len()}}}]});
    env.publish_raw(&serde_json::to_vec(&event).unwrap(), Default::default())
        .await;

    let results = env.results(2).await;
    assert_eq!(results.len(), 2);
    let r = results
        .iter()
        .find(|m| m.correlation_id().as_deref() == Some(job.job_id.as_str()))
        .expect("result of the job");
    let v = r.json();
    assert_eq!(v["document_id"], document::document_id(&text).as_str());
    assert_eq!(
        v["source"]["uri"],
        format!("s3://{}/{key}", env.bucket).as_str()
    );
    assert_eq!(v["source"]["key"], key);
    assert!(
        !v["source"]["etag"].as_str().unwrap_or("").is_empty(),
        "the object's ETag is reported when the job has none"
    );
    let from_event = results
        .iter()
        .find(|m| m.correlation_id().as_deref() != Some(job.job_id.as_str()))
        .unwrap();
    assert_eq!(from_event.json()["source"]["format"], "markdown");
    assert_eq!(from_event.message_id().unwrap(), document::document_id(&md));

    let dead = env.dead_letters(2).await;
    assert_eq!(dead.len(), 2);
    for (j, code) in [(&missing, "object_not_found"), (&big, "too_large")] {
        let d = dead
            .iter()
            .find(|d| d.header(headers::JOB_ID).as_deref() == Some(j.job_id.as_str()))
            .unwrap_or_else(|| panic!("no dead letter for {}", j.key));
        assert_eq!(d.header(headers::ERROR_CODE).as_deref(), Some(code));
        assert_eq!(d.header(headers::ERROR_KIND).as_deref(), Some("permanent"));
    }
    worker.stop().await;
}

/// A moto server of our own, on a port of its own.
struct PrivateS3 {
    child: Child,
    port: u16,
}

impl PrivateS3 {
    fn start(port: u16) -> PrivateS3 {
        let bin = repo_root().join(".ci-state/moto-venv/bin/moto_server");
        assert!(
            bin.exists(),
            "{} missing: run .ci/steps/20-s3.sh first",
            bin.display()
        );
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let s = PrivateS3 { child, port };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("private moto did not start on port {port}");
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGSTOP / SIGCONT: the server stops answering (connections hang until the worker's
    /// storage timeout) and later resumes with its buckets and objects intact.
    fn signal(&self, sig: &str) {
        common::process::send_signal(&self.child, sig);
    }
}

impl Drop for PrivateS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_outage_is_retried_until_the_server_is_back() {
    needs!(Broker, S3);
    let s3 = PrivateS3::start(free_port());
    let mut env = TestEnv::with(
        "s3-outage",
        Options {
            s3_endpoint: Some(s3.endpoint()),
            ..Options::default()
        },
    )
    .await;
    env.settings.worker.max_attempts = std::num::NonZero::new(20).unwrap();
    env.settings.worker.retry_delays_ms = docingest::config::CommaList(vec![200, 500]);
    env.settings.storage.timeout_secs = std::num::NonZero::new(2).unwrap();
    let text = std::fs::read(corpus_file("seeds/004_3631418bac9721d6.txt")).unwrap();
    env.put("report.txt", text.clone()).await;
    let worker = RunningWorker::start(env.settings.clone()).await;

    s3.signal("-STOP");
    let job = env.job("report.txt");
    env.publish_jobs(std::slice::from_ref(&job)).await;
    common::eventually("the job is retried while storage is down", || async {
        worker.metrics.jobs_total("retried") >= 2
    })
    .await;
    assert_eq!(worker.metrics.jobs_total("dead_lettered"), 0);
    s3.signal("-CONT");

    let results = env.results(1).await;
    assert_eq!(results.len(), 1, "a result once storage is back");
    let v = results[0].json();
    assert_eq!(v["document_id"], document::document_id(&text).as_str());
    assert!(
        v["attempt"].as_u64().unwrap() >= 3,
        "attempt {}",
        v["attempt"]
    );
    assert!(
        env.take_within(
            &env.settings.amqp.dead_letter_queue.clone(),
            1,
            Duration::from_millis(500)
        )
        .await
        .is_empty(),
        "nothing dead-lettered"
    );
    assert_eq!(worker.metrics.jobs_total("dead_lettered"), 0);
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_transient_and_a_missing_bucket_permanent() {
    needs!(S3);
    use docingest::worker::disposition::{Classify, ErrorClass};
    use docingest::worker::storage::Storage;
    use docingest::worker::storage::{BucketName, ObjectKey};

    // A port where nothing listens: connection refused.
    let mut settings = docingest::config::Settings::defaults().storage;
    settings.backend = docingest::config::StorageBackend::S3;
    settings.endpoint = format!("http://127.0.0.1:{}", free_port());
    settings.access_key_id = docingest::config::Secret::new("testing");
    settings.secret_access_key = docingest::config::Secret::new("testing");
    settings.timeout_secs = std::num::NonZero::new(10).unwrap();
    let bucket = BucketName::parse(&common::unique("no-such-bucket")).unwrap();
    settings.allowed_buckets = docingest::config::CommaList(vec![bucket.to_string()]);
    let key = ObjectKey::parse("a.txt").unwrap();
    let storage = Storage::from_settings(&settings).await.unwrap();
    let e = storage.fetch(&bucket, &key, None).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Transient, "{e}");
    assert_eq!(e.code(), "storage_unavailable", "{e}");

    // The real server, a bucket that does not exist.
    settings.endpoint = s3_endpoint();
    let storage = Storage::from_settings(&settings).await.unwrap();
    let e = storage.fetch(&bucket, &key, None).await.unwrap_err();
    assert_eq!(e.code(), "bucket_not_found", "{e}");
    assert_eq!(e.class(), ErrorClass::Permanent);
}
