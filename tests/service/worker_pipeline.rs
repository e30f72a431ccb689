//! The worker end to end, in process, with the fs backend and the real broker: every format,
//! S3 event messages, every kind of poison message, retries that exhaust, claim checks, and
//! the operations endpoints.

use crate::common;

use common::{corpus_file, http_get, Msg, RunningWorker, TestEnv};
use docingest::document::{self, Input, Limits};
use docingest::worker::amqp::headers;
use docingest::worker::process::ClaimCheck;
use lapin::types::FieldTable;
use lapin::BasicProperties;
use std::collections::HashMap;

fn by_correlation(msgs: &[Msg]) -> HashMap<String, &Msg> {
    msgs.iter()
        .map(|m| (m.correlation_id().expect("results carry the job id"), m))
        .collect()
}

fn rfc3339(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{s:?} is not RFC 3339: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_ends_in_a_result_or_its_parser_error_code() {
    needs!(Broker);
    let env = TestEnv::new("formats").await;
    let files = [
        "seeds/000_90f5a89fff8b2d4c.txt",
        "variants/002.md",
        "variants/000_plain.docx",
        "variants/003_indicators.xlsx",
    ];
    let mut jobs = Vec::new();
    let mut expected = HashMap::new();
    for f in files {
        let bytes = std::fs::read(corpus_file(f)).unwrap();
        let key = format!("in/{}", f.rsplit('/').next().unwrap());
        // What the parser says about these bytes today decides what the worker must publish.
        let direct = document::parse(
            &Input {
                bytes: &bytes,
                name: Some(&key),
                uri: String::new(),
            },
            &Limits::default(),
        );
        env.put(&key, bytes).await;
        let job = env.job(&key);
        expected.insert(job.job_id.clone(), (f, direct));
        jobs.push(job);
    }
    let worker = RunningWorker::start(env.settings.clone()).await;
    env.publish_jobs(&jobs).await;

    let want_results = expected.values().filter(|(_, d)| d.is_ok()).count();
    let want_dead = expected.len() - want_results;
    let results = env.results(want_results).await;
    let dead = env.dead_letters(want_dead).await;
    assert_eq!(results.len(), want_results, "results");
    assert_eq!(dead.len(), want_dead, "dead letters");
    // The plain-text and Markdown inputs must parse; the docx/xlsx readers may still be missing.
    for f in &files[..2] {
        assert!(
            expected.values().any(|(ef, d)| ef == f && d.is_ok()),
            "{f} should parse"
        );
    }

    let results = by_correlation(&results);
    for job in &jobs {
        let (file, direct) = &expected[&job.job_id];
        match direct {
            Ok(parsed) => {
                let m = results
                    .get(&job.job_id)
                    .unwrap_or_else(|| panic!("no result for {file}"));
                let v = m.json();
                assert_eq!(v["schema_version"], 1);
                assert_eq!(v["document_id"], parsed.document_id.as_str(), "{file}");
                assert_eq!(m.message_id().as_deref(), Some(parsed.document_id.as_str()));
                assert_eq!(
                    m.props.content_type().as_ref().unwrap().as_str(),
                    "application/json"
                );
                assert_eq!(*m.props.delivery_mode(), Some(2), "persistent");
                assert_eq!(
                    v["source"]["format"],
                    serde_json::to_value(parsed.source.format).unwrap()
                );
                assert_eq!(v["source"]["bucket"], env.bucket.as_str());
                assert_eq!(v["source"]["key"], job.key.as_str());
                assert!(v["source"]["uri"].as_str().unwrap().starts_with("file://"));
                assert_eq!(v["job_id"], job.job_id.as_str());
                assert_eq!(v["submission_id"], job.submission_id.as_deref().unwrap());
                assert_eq!(v["attempt"], 1);
                rfc3339(v["received_at"].as_str().unwrap());
                assert_eq!(v["text"], parsed.text.as_str(), "{file}");
            }
            Err(e) => {
                let d = dead
                    .iter()
                    .find(|d| d.header(headers::JOB_ID).as_deref() == Some(job.job_id.as_str()))
                    .unwrap_or_else(|| panic!("no dead letter for {file}"));
                assert_eq!(
                    d.header(headers::ERROR_CODE).as_deref(),
                    Some(e.code()),
                    "{file}"
                );
                assert_eq!(d.header(headers::ERROR_KIND).as_deref(), Some("permanent"));
            }
        }
    }
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_event_messages_decode_keys_split_records_and_skip_other_events() {
    needs!(Broker);
    let env = TestEnv::new("s3-events").await;
    let text = std::fs::read(corpus_file("seeds/001_9c76b1dea792aca4.txt")).unwrap();
    let other = std::fs::read(corpus_file("seeds/002_acaf490cc139cbb4.txt")).unwrap();
    let key_one = "2023 年度/报告 a+b.txt";
    let key_two = "second report.txt";
    env.put(key_one, text.clone()).await;
    env.put(key_two, other.clone()).await;
    let worker = RunningWorker::start(env.settings.clone()).await;

    let record = |event: &str, encoded_key: &str, etag: &str| {
        serde_json::json!({
            "eventVersion": "2.0", "eventSource": "minio:s3", "eventName": event,
            "eventTime": "2024-03-01T08:00:00.000Z",
            "s3": {"bucket": {"name": env.bucket.as_str()},
                   "object": {"key": encoded_key, "size": 1, "eTag": etag, "sequencer": "17"}}
        })
    };
    let encoded_one = "2023+%E5%B9%B4%E5%BA%A6/%E6%8A%A5%E5%91%8A+a%2Bb.txt";
    // One record: processed in the same delivery.
    let single = serde_json::json!({"EventName": "s3:ObjectCreated:Put", "Key": "x",
        "Records": [record("s3:ObjectCreated:Put", encoded_one, "etag-1")]});
    let mut hdrs = FieldTable::default();
    headers::set_str(
        &mut hdrs,
        headers::TRACEPARENT,
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    );
    env.publish_raw(
        &serde_json::to_vec(&single).unwrap(),
        BasicProperties::default().with_headers(hdrs),
    )
    .await;
    let got = env.results(1).await;
    assert_eq!(got.len(), 1);
    let v = got[0].json();
    assert_eq!(v["source"]["key"], key_one);
    assert_eq!(v["source"]["etag"], "etag-1");
    assert_eq!(v["document_id"], document::document_id(&text).as_str());
    assert!(v["job_id"].as_str().unwrap().starts_with("s3-"));
    assert_eq!(
        got[0].header(headers::TRACEPARENT).as_deref(),
        Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        "traceparent is carried to the result"
    );

    // Several records: split into one job each; the delete record is skipped.
    let multi = serde_json::json!({"Records": [
        record("s3:ObjectCreated:Put", encoded_one, "etag-1b"),
        record("s3:ObjectRemoved:Delete", "gone.txt", ""),
        record("s3:ObjectCreated:CompleteMultipartUpload", "second+report.txt", "etag-2"),
    ]});
    env.publish_raw(
        &serde_json::to_vec(&multi).unwrap(),
        BasicProperties::default(),
    )
    .await;
    let got = env.results(2).await;
    let mut keys: Vec<String> = got
        .iter()
        .map(|m| m.json()["source"]["key"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    assert_eq!(keys, [key_one, key_two]);

    // Only non-created events: acknowledged, nothing published, nothing dead-lettered.
    let removed =
        serde_json::json!({"Records": [record("s3:ObjectRemoved:Delete", "gone.txt", "")]});
    env.publish_raw(
        &serde_json::to_vec(&removed).unwrap(),
        BasicProperties::default(),
    )
    .await;
    common::eventually("the removal event is acknowledged", || async {
        worker.metrics.jobs_total("ignored") == 1
    })
    .await;
    assert_eq!(worker.metrics.jobs_total("fanned_out"), 1);
    assert_eq!(worker.metrics.jobs_total("published"), 3);
    let jobs_queue = env.settings.amqp.jobs_queue.clone();
    assert_eq!(env.queue_len(&jobs_queue).await, 0);
    assert!(env
        .take_within(
            &env.settings.amqp.dead_letter_queue.clone(),
            1,
            std::time::Duration::from_millis(500)
        )
        .await
        .is_empty());
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_messages_are_dead_lettered_with_their_reason_and_the_worker_keeps_going() {
    needs!(Broker);
    let mut env = TestEnv::new("poison").await;
    env.settings.storage.max_object_bytes = 16 * 1024;
    let seed = std::fs::read(corpus_file("seeds/000_90f5a89fff8b2d4c.txt")).unwrap();
    env.put("good.txt", seed.clone()).await;
    env.put("big.txt", vec![b'a'; 20 * 1024]).await;
    // Bytes no reader accepts: a binary blob with a text name.
    let blob: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    env.put("blob.txt", blob).await;
    let worker = RunningWorker::start(env.settings.clone()).await;

    let bad_json = b"{\"job_id\": \"j-bad\", \"bucket\": ".to_vec();
    let mut unknown_bucket = env.job("good.txt");
    unknown_bucket.bucket = "someone-elses-bucket".into();
    let missing = env.job("does/not/exist.txt");
    let dotdot = env.job("../../etc/passwd");
    let too_large = env.job("big.txt");
    let undecodable = env.job("blob.txt");
    let good = env.job("good.txt");

    let mut hdrs = FieldTable::default();
    headers::set_str(&mut hdrs, "x-custom", "kept");
    env.publish_raw(
        &bad_json,
        BasicProperties::default()
            .with_message_id("m-bad".into())
            .with_headers(hdrs),
    )
    .await;
    env.publish_jobs(&[
        unknown_bucket.clone(),
        missing.clone(),
        dotdot.clone(),
        too_large.clone(),
        undecodable.clone(),
    ])
    .await;
    env.publish_jobs(std::slice::from_ref(&good)).await;

    let dead = env.dead_letters(6).await;
    assert_eq!(dead.len(), 6, "six poison messages dead-lettered");
    let results = env.results(1).await;
    assert_eq!(
        results.len(),
        1,
        "the good job after the poison still gets its result"
    );
    assert_eq!(
        results[0].correlation_id().as_deref(),
        Some(good.job_id.as_str())
    );

    let find = |job_id: &str| {
        dead.iter()
            .find(|d| d.header(headers::JOB_ID).as_deref() == Some(job_id))
            .unwrap_or_else(|| panic!("no dead letter for {job_id}"))
    };
    let bad = dead
        .iter()
        .find(|d| d.body == bad_json)
        .expect("bad JSON dead letter");
    assert_eq!(
        bad.header(headers::ERROR_CODE).as_deref(),
        Some("invalid_json")
    );
    assert_eq!(
        bad.header(headers::JOB_ID),
        None,
        "unparsable: no job id to report"
    );
    assert_eq!(
        bad.header("x-custom").as_deref(),
        Some("kept"),
        "original headers kept"
    );
    assert_eq!(
        bad.message_id().as_deref(),
        Some("m-bad"),
        "original properties kept"
    );

    let cases = [
        (&unknown_bucket, "bucket_not_allowed"),
        (&missing, "object_not_found"),
        (&dotdot, "invalid_key"),
        (&too_large, "too_large"),
    ];
    for (job, code) in cases {
        let d = find(&job.job_id);
        assert_eq!(
            d.header(headers::ERROR_CODE).as_deref(),
            Some(code),
            "{}",
            job.key
        );
        assert_eq!(
            d.header(headers::BUCKET).as_deref(),
            Some(job.bucket.as_str())
        );
        assert_eq!(d.header(headers::KEY).as_deref(), Some(job.key.as_str()));
        assert_eq!(
            d.body,
            serde_json::to_vec(job).unwrap(),
            "original body kept"
        );
    }
    let d = find(&undecodable.job_id);
    let code = d.header(headers::ERROR_CODE).unwrap();
    assert!(
        code == "undecodable_text" || code == "unsupported_format",
        "binary blob: {code}"
    );
    for d in &dead {
        assert_eq!(d.header(headers::ERROR_KIND).as_deref(), Some("permanent"));
        assert_eq!(
            d.header_u32(headers::ATTEMPTS),
            Some(1),
            "permanent: no retry"
        );
        assert!(!d.header(headers::ERROR_MESSAGE).unwrap().is_empty());
        let first = rfc3339(&d.header(headers::FIRST_FAILED_AT).unwrap());
        let at = rfc3339(&d.header(headers::FAILED_AT).unwrap());
        assert!(first <= at);
        assert_eq!(
            d.header(headers::ORIGINAL_EXCHANGE).as_deref(),
            Some(env.settings.amqp.jobs_exchange.as_str())
        );
        assert_eq!(
            d.header(headers::ORIGINAL_ROUTING_KEY).as_deref(),
            Some("job")
        );
        for h in headers::DEAD_LETTER_HEADERS.iter().take(9) {
            assert!(
                d.props.headers().as_ref().unwrap().contains_key(h),
                "{h} missing"
            );
        }
    }
    assert_eq!(
        worker.metrics.dead_letters_total("permanent", "too_large"),
        1
    );
    assert_eq!(
        worker.metrics.jobs_total("retried"),
        0,
        "no permanent error is retried"
    );
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unroutable_results_are_retried_through_the_tiers_then_dead_lettered_as_exhausted() {
    needs!(Broker);
    let mut env = TestEnv::new("exhausted").await;
    // With no queue bound to the results exchange every result publish is returned
    // (mandatory): a transient failure on each attempt.
    let results_queue = env.settings.amqp.results_queue.clone();
    env.channel
        .queue_delete(results_queue.as_str().into(), Default::default())
        .await
        .unwrap();
    env.settings.amqp.results_queue = String::new();
    env.put(
        "a.txt",
        std::fs::read(corpus_file("seeds/003_95bdc2d1cb62a6be.txt")).unwrap(),
    )
    .await;
    let worker = RunningWorker::start(env.settings.clone()).await;
    let job = env.job("a.txt");
    env.publish_jobs(std::slice::from_ref(&job)).await;

    let dead = env.dead_letters(1).await;
    assert_eq!(dead.len(), 1);
    let d = &dead[0];
    assert_eq!(
        d.header(headers::ERROR_KIND).as_deref(),
        Some("retries_exhausted")
    );
    assert_eq!(
        d.header(headers::ERROR_CODE).as_deref(),
        Some("publish_unroutable")
    );
    assert_eq!(d.header_u32(headers::ATTEMPTS), Some(3), "max_attempts");
    assert_eq!(
        d.header(headers::JOB_ID).as_deref(),
        Some(job.job_id.as_str())
    );
    let first = rfc3339(&d.header(headers::FIRST_FAILED_AT).unwrap());
    let last = rfc3339(&d.header(headers::FAILED_AT).unwrap());
    assert!(first < last, "first failure is kept across retries");
    assert_eq!(d.header("x-death"), None);
    assert_eq!(d.body, serde_json::to_vec(&job).unwrap());
    assert_eq!(worker.metrics.jobs_total("retried"), 2);
    assert_eq!(
        worker
            .metrics
            .dead_letters_total("retries_exhausted", "publish_unroutable"),
        1
    );
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_results_are_claim_checked_to_storage() {
    needs!(Broker);
    let mut env = TestEnv::new("claim-check").await;
    env.settings.worker.max_inline_bytes = std::num::NonZero::new(1000).unwrap();
    env.settings.storage.results_prefix = "parsed/".into();
    let bytes = std::fs::read(corpus_file("seeds/004_3631418bac9721d6.txt")).unwrap();
    env.put("big-result.txt", bytes.clone()).await;
    let worker = RunningWorker::start(env.settings.clone()).await;
    let job = env.job("big-result.txt");
    env.publish_jobs(std::slice::from_ref(&job)).await;

    let got = env.results(1).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(
        m.props
            .headers()
            .as_ref()
            .unwrap()
            .inner()
            .get(headers::CLAIM_CHECK),
        Some(&lapin::types::AMQPValue::Boolean(true))
    );
    let pointer: ClaimCheck = serde_json::from_slice(&m.body).unwrap();
    assert!(m.body.len() < 1000);
    let doc_id = document::document_id(&bytes);
    assert_eq!(pointer.document_id, doc_id);
    assert_eq!(m.message_id().as_deref(), Some(doc_id.as_str()));
    assert_eq!(pointer.job_id, job.job_id);
    assert_eq!(pointer.result_ref.bucket, env.bucket.as_str());
    assert!(pointer.result_ref.key.starts_with("parsed/"));
    let stored = std::fs::read(
        env.settings
            .storage
            .root
            .join(&pointer.result_ref.bucket)
            .join(&pointer.result_ref.key),
    )
    .unwrap();
    assert_eq!(stored.len() as u64, pointer.result_ref.size);
    let full: serde_json::Value = serde_json::from_slice(&stored).unwrap();
    assert_eq!(full["document_id"], doc_id.as_str());
    assert_eq!(full["job_id"], job.job_id.as_str());
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_endpoints() {
    needs!(Broker);
    let env = TestEnv::new("ops").await;
    env.put(
        "a.txt",
        std::fs::read(corpus_file("seeds/000_90f5a89fff8b2d4c.txt")).unwrap(),
    )
    .await;
    let worker = RunningWorker::start(env.settings.clone()).await;
    assert_eq!(http_get(worker.http, "/healthz").await.0, 200);
    common::eventually("/readyz turns 200 once consuming", || async {
        http_get(worker.http, "/readyz").await.0 == 200
    })
    .await;
    env.publish_jobs(&[env.job("a.txt"), env.job("missing.txt")])
        .await;
    assert_eq!(env.results(1).await.len(), 1);
    assert_eq!(env.dead_letters(1).await.len(), 1);
    common::eventually("both deliveries counted", || async {
        worker.metrics.in_flight_now() == 0 && worker.metrics.jobs_total("dead_lettered") == 1
    })
    .await;
    let (status, body) = http_get(worker.http, "/metrics").await;
    assert_eq!(status, 200);
    for line in [
        "docingest_jobs_total{outcome=\"published\"} 1",
        "docingest_jobs_total{outcome=\"dead_lettered\"} 1",
        "docingest_dead_letters_total{kind=\"permanent\",code=\"object_not_found\"} 1",
        "docingest_job_processing_seconds_count 2",
        "docingest_input_bytes_total 8102",
        "docingest_jobs_in_flight 0",
    ] {
        assert!(body.contains(line), "missing {line:?} in\n{body}");
    }
    worker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_declared_with_other_arguments_stops_the_worker_naming_it() {
    needs!(Broker);
    let env = TestEnv::new("topology-conflict").await;
    let jobs_queue = env.settings.amqp.jobs_queue.clone();
    env.channel
        .queue_delete(jobs_queue.as_str().into(), Default::default())
        .await
        .unwrap();
    // Someone declared the work queue as a plain classic queue.
    env.channel
        .queue_declare(
            jobs_queue.as_str().into(),
            lapin::options::QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let worker = docingest::worker::Worker::new(env.settings.clone())
        .await
        .unwrap();
    let err = worker
        .run(std::future::pending())
        .await
        .expect_err("a conflicting queue is fatal");
    let msg = err.to_string();
    assert!(msg.contains(&jobs_queue), "{msg}");
    assert!(msg.contains("PRECONDITION_FAILED"), "{msg}");
}

/// calamine 0.38 panics on some damaged workbooks (here an `.xlsb` from Apache POI's test
/// files, in the shared corpus). The panic happens on the worker's parse thread, inside this
/// very test process: the job must end as a permanent `corrupt_document` dead letter after one
/// attempt, and the worker must go on to the next job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_panics_the_spreadsheet_library_is_dead_lettered_and_the_worker_goes_on() {
    needs!(Broker);
    let env = TestEnv::new("panicking_xlsb").await;
    let fixture = corpus_file("external/real-world/poi_simple.xlsb");
    env.put("in/damaged.xlsb", std::fs::read(fixture).unwrap())
        .await;
    let seed = std::fs::read(corpus_file("seeds/001_9c76b1dea792aca4.txt")).unwrap();
    env.put("in/good.txt", seed).await;
    let bad = env.job("in/damaged.xlsb");
    let good = env.job("in/good.txt");
    let worker = RunningWorker::start(env.settings.clone()).await;
    env.publish_jobs(&[bad.clone(), good.clone()]).await;

    let dead = env.dead_letters(1).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].header(headers::JOB_ID).as_deref(),
        Some(bad.job_id.as_str())
    );
    assert_eq!(
        dead[0].header(headers::ERROR_KIND).as_deref(),
        Some("permanent")
    );
    assert_eq!(
        dead[0].header(headers::ERROR_CODE).as_deref(),
        Some("corrupt_document")
    );
    let message = dead[0].header(headers::ERROR_MESSAGE).unwrap();
    assert!(message.contains("spreadsheet library failed"), "{message}");
    assert_eq!(dead[0].header_u32(headers::ATTEMPTS), Some(1));
    let results = env.results(1).await;
    assert_eq!(
        results[0].correlation_id().as_deref(),
        Some(good.job_id.as_str())
    );
    worker.stop().await;
}

/// A parse that runs past `worker.parse_timeout_ms` settles its job at once as a permanent
/// `parse_timeout` dead letter, and the worker sets the parse's cancel flag: the parser stops
/// within milliseconds and frees its concurrency slot, long before the parse would have ended
/// on its own, so the next job is served at once. The deadline is derived from this build's
/// own parse times, so the test means the same in debug and release.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parse_past_its_deadline_is_dead_lettered_and_stopped_freeing_its_slot() {
    needs!(Broker);
    let env = TestEnv::new("parse_timeout").await;
    let seed = std::fs::read(corpus_file("seeds/000_90f5a89fff8b2d4c.txt")).unwrap();
    let big: Vec<u8> = seed.repeat(1600); // ~13 MB of report text
    let time_parse = |bytes: &[u8]| {
        let t = std::time::Instant::now();
        let input = Input {
            bytes,
            name: Some("x.txt"),
            uri: String::new(),
        };
        document::parse(&input, &Limits::default()).unwrap();
        t.elapsed()
    };
    let (small_time, big_time) = (time_parse(&seed), time_parse(&big));
    let timeout = big_time / 10;
    eprintln!("parse times: seed {small_time:?}, big {big_time:?}; deadline {timeout:?}");
    assert!(
        small_time * 5 < timeout,
        "this machine parses a seed in {small_time:?} and the big file in {big_time:?}: no \
         deadline separates them"
    );
    env.put("in/big.txt", big).await;
    env.put("in/small.txt", seed).await;
    let (slow, fast) = (env.job("in/big.txt"), env.job("in/small.txt"));

    let mut settings = env.settings.clone();
    settings.worker.concurrency = std::num::NonZero::new(1).unwrap();
    settings.worker.parse_timeout_ms =
        std::num::NonZero::new(timeout.as_millis().max(1) as u64).unwrap();
    let worker = RunningWorker::start(settings).await;
    let started = std::time::Instant::now();
    env.publish_jobs(&[slow.clone(), fast.clone()]).await;

    let dead = env.dead_letters(1).await;
    assert_eq!(
        dead[0].header(headers::JOB_ID).as_deref(),
        Some(slow.job_id.as_str())
    );
    assert_eq!(
        dead[0].header(headers::ERROR_CODE).as_deref(),
        Some("parse_timeout")
    );
    assert_eq!(
        dead[0].header(headers::ERROR_KIND).as_deref(),
        Some("permanent")
    );
    assert_eq!(dead[0].header_u32(headers::ATTEMPTS), Some(1));

    // The stopped parse frees the only slot: the next job gets its result, and the overrun
    // is over well before the big parse would have ended (at `big_time` after it started).
    let results = env.results(1).await;
    assert_eq!(
        results[0].correlation_id().as_deref(),
        Some(fast.job_id.as_str())
    );
    common::eventually("the overrun is over", || async {
        worker.metrics.parses_overrunning_now() == 0
    })
    .await;
    let over_after = started.elapsed();
    assert!(
        over_after < timeout + big_time / 2,
        "the overrunning parse ran until {over_after:?}; uncancelled it takes {big_time:?}"
    );
    assert_eq!(http_get(worker.http, "/healthz").await.0, 200);
    worker.stop().await;
}

/// A connection the broker closes (CONNECTION_FORCED) is recovered by lapin without an error
/// event; the worker still counts the loss, so disconnects and reconnections add up in
/// `/metrics`, and it goes on working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_closed_by_the_broker_is_counted_as_lost_and_recovered() {
    needs!(Broker);
    let env = TestEnv::with(
        "forced_close",
        common::Options {
            own_vhost: true,
            ..Default::default()
        },
    )
    .await;
    let worker = RunningWorker::start(env.settings.clone()).await;
    let counter = |body: &str, name: &str| -> u64 {
        body.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0)
    };
    common::eventually("connected", || async {
        let (_, m) = http_get(worker.http, "/metrics").await;
        counter(&m, "docingest_broker_connections_total ") == 1
    })
    .await;
    // Close the worker's connection only (the test's own stays, recovering if it must).
    common::rabbitmqctl(&[
        "close_all_connections",
        "--vhost",
        env.vhost.as_deref().unwrap(),
        "forced close test",
    ]);
    common::eventually("recovered", || async {
        let (_, m) = http_get(worker.http, "/metrics").await;
        counter(&m, "docingest_broker_connections_total ") >= 2
    })
    .await;
    let (_, m) = http_get(worker.http, "/metrics").await;
    assert_eq!(
        counter(&m, "docingest_broker_disconnects_total "),
        counter(&m, "docingest_broker_connections_total ") - 1,
        "{m}"
    );
    env.put(
        "after.txt",
        std::fs::read(corpus_file("seeds/002_acaf490cc139cbb4.txt")).unwrap(),
    )
    .await;
    env.publish_jobs(&[env.job("after.txt")]).await;
    assert_eq!(env.results(1).await.len(), 1);
    worker.stop().await;
}

/// With `OTEL_EXPORTER_OTLP_ENDPOINT` set, the worker binary exports each job's spans over
/// OTLP/HTTP: the job's consumer span is a child of the job's `traceparent`, the result's
/// `traceparent` continues that trace from the publish span, and the spans still buffered are
/// flushed after the drain on SIGTERM. The receiver is a TCP listener that records the POSTs
/// (protobuf bodies hold the trace id's 16 bytes as they are); the batch delay is set far
/// beyond the test, so only the flush at shutdown can deliver the spans.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_spans_reach_an_otlp_receiver_and_the_result_continues_the_trace() {
    needs!(Broker);
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

    type Posts = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<String>, Vec<u8>)>>>;
    let posts: Posts = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let recorded = posts.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let recorded = recorded.clone();
            tokio::spawn(async move {
                let mut conn = BufReader::new(conn);
                loop {
                    let mut request_line = String::new();
                    if conn.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut header_lines = Vec::new();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        conn.read_line(&mut line).await.unwrap();
                        let line = line.trim_end().to_ascii_lowercase();
                        if line.is_empty() {
                            break;
                        }
                        if let Some(v) = line.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap();
                        }
                        header_lines.push(line);
                    }
                    let mut body = vec![0; length];
                    conn.read_exact(&mut body).await.unwrap();
                    recorded.lock().unwrap().push((
                        request_line.trim_end().to_string(),
                        header_lines,
                        body,
                    ));
                    let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    conn.get_mut().write_all(reply.as_bytes()).await.unwrap();
                }
            });
        }
    });

    let env = TestEnv::new("otlp").await;
    env.put(
        "traced.txt",
        std::fs::read(corpus_file("seeds/001_9c76b1dea792aca4.txt")).unwrap(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut worker = common::process::Proc::spawn(
        &env,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
            ("OTEL_SERVICE_NAME", "docingest-otlp-test".into()),
            ("OTEL_BSP_SCHEDULE_DELAY", "600000".into()),
        ],
        dir.path().join("worker.log"),
    );
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent_span = "00f067aa0ba902b7";
    let job = env.job("traced.txt");
    let mut hdrs = FieldTable::default();
    headers::set_str(
        &mut hdrs,
        headers::TRACEPARENT,
        format!("00-{trace_id}-{parent_span}-01"),
    );
    env.publish_raw(
        &serde_json::to_vec(&job).unwrap(),
        BasicProperties::default().with_headers(hdrs),
    )
    .await;
    let results = env.results(1).await;
    assert_eq!(results.len(), 1, "log:\n{}", worker.log());
    let continued = results[0].header(headers::TRACEPARENT).unwrap();
    let parts: Vec<&str> = continued.split('-').collect();
    assert_eq!(parts.len(), 4, "{continued}");
    assert_eq!(parts[1], trace_id, "the result continues the job's trace");
    assert_ne!(parts[2], parent_span, "from a span of the worker's own");

    worker.signal("-TERM");
    let status = worker.wait().await;
    assert_eq!(status.code(), Some(0), "log:\n{}", worker.log());
    let posts = posts.lock().unwrap().clone();
    let traces: Vec<&(String, Vec<String>, Vec<u8>)> = posts
        .iter()
        .filter(|(line, _, _)| line.starts_with("POST /v1/traces "))
        .collect();
    assert!(
        !traces.is_empty(),
        "no POST to /v1/traces (got {:?}); log:\n{}",
        posts.iter().map(|p| &p.0).collect::<Vec<_>>(),
        worker.log()
    );
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let contains = |body: &[u8], needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    let body: Vec<u8> = traces.iter().flat_map(|(_, _, b)| b.clone()).collect();
    for (_, headers, _) in &traces {
        assert!(
            headers
                .iter()
                .any(|h| h == "content-type: application/x-protobuf"),
            "{headers:?}"
        );
        assert!(
            !headers.iter().any(|h| h.starts_with("content-encoding:")),
            "uncompressed: {headers:?}"
        );
    }
    assert!(contains(&body, &hex(trace_id)), "the job's trace id");
    assert!(
        contains(&body, &hex(parent_span)),
        "the job's span as parent"
    );
    assert!(
        contains(&body, &hex(parts[2])),
        "the span the result's traceparent names"
    );
    for name in [
        "docingest-otlp-test",
        "fetch",
        "parse",
        "rabbitmq",
        "messaging.destination.name",
        env.settings.amqp.jobs_exchange.as_str(),
    ] {
        assert!(
            contains(&body, name.as_bytes()),
            "{name} in the exported spans"
        );
    }
    assert!(
        contains(&body, results[0].message_id().unwrap().as_bytes()),
        "the document id"
    );
}
