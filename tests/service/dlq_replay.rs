//! `docingest dlq` against the real RabbitMQ (`common::broker()`): browsing keeps the queue as it
//! was, filters select exactly what they say, a dry run changes nothing, a replay killed
//! midway loses nothing, `--rate` bounds the pace, purge deletes only matches, and a job
//! dead-lettered for a missing object yields a result once the object is there and the letter
//! is replayed, and a job dead-lettered twice because its ack was lost (a worker killed between
//! the dead letter's confirm and the ack) is one letter to every command. Every test has its own
//! exchanges and queues (`common::TestEnv`), deleted at the end.

use crate::common;

use common::{eventually, Msg, TestEnv, PATIENCE};
use docingest::dlq::broker::{self, Scan, REPLAYED_AT, REPLAY_COUNT};
use docingest::dlq::filter::{Filter, Selector};
use docingest::dlq::glob::Glob;
use docingest::dlq::letter::{format_time, now, Kind};
use docingest::dlq::ops::{self, Action, Observer, Step};
use docingest::worker::amqp::headers;
use docingest::worker::amqp::publisher::{Outgoing, Publisher};
use docingest::worker::delivery::{handle_delivery, Routes};
use docingest::worker::metrics::Metrics;
use docingest::worker::process::Deps;
use futures_lite::StreamExt;
use lapin::options::BasicConsumeOptions;
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::BasicProperties;
use std::collections::BTreeSet;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// A synthetic dead letter: what the worker would publish to the DLX.
#[derive(Clone)]
struct Letter {
    id: String,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Letter {
    fn new(id: &str) -> Letter {
        Letter {
            id: id.to_string(),
            headers: vec![
                (headers::ERROR_KIND, "permanent".into()),
                (headers::ERROR_CODE, "object_not_found".into()),
                (headers::FAILED_AT, format_time(now())),
                (headers::FIRST_FAILED_AT, format_time(now())),
                (
                    headers::TRACEPARENT,
                    format!("00-{id:0>32}-00f067aa0ba902b7-01"),
                ),
            ],
            body: format!(r#"{{"job_id":"{id}","bucket":"reports","key":"in/{id}.txt"}}"#),
        }
    }
    fn set(mut self, name: &'static str, value: impl Into<String>) -> Letter {
        self.headers.retain(|(k, _)| *k != name);
        self.headers.push((name, value.into()));
        self
    }
    fn failed_ago(self, secs: i64) -> Letter {
        let t = format_time(now() - time::Duration::seconds(secs));
        self.set(headers::FAILED_AT, t)
    }
    fn properties(&self) -> BasicProperties {
        let mut t = FieldTable::default();
        for (k, v) in &self.headers {
            t.insert(
                ShortString::from(*k),
                AMQPValue::LongString(v.as_str().into()),
            );
        }
        headers::set_u32(&mut t, headers::ATTEMPTS, 3);
        BasicProperties::default()
            .with_message_id(self.id.as_str().into())
            .with_correlation_id(self.id.as_str().into())
            .with_content_type("application/json".into())
            .with_delivery_mode(2)
            .with_headers(t)
    }
}

/// Publish straight to the test's dead-letter exchange, confirmed, in order.
async fn dead_letter(env: &TestEnv, letters: &[Letter]) {
    for l in letters {
        env.publisher
            .publish(Outgoing {
                exchange: &env.settings.amqp.dead_letter_exchange,
                routing_key: "",
                body: l.body.as_bytes(),
                properties: l.properties(),
            })
            .await
            .unwrap();
    }
}

fn dlq(env: &TestEnv) -> String {
    env.settings.amqp.dead_letter_queue.clone()
}

fn jobs_queue(env: &TestEnv) -> String {
    env.settings.amqp.jobs_queue.clone()
}

/// The DLQ's message ids in queue order, read without removing anything. Waits until the
/// queue holds `expect` letters (returns from an earlier scan may still be on their way).
async fn dlq_ids(env: &TestEnv, expect: u32) -> Vec<String> {
    let q = dlq(env);
    eventually(&format!("{q} holds {expect} letters"), || async {
        env.queue_len(&q).await == expect
    })
    .await;
    let conn = broker::connect(&env.settings.amqp.url, "test-browse")
        .await
        .unwrap();
    let letters = ops::inspect(&conn, &q, Selector::new(Filter::default(), None), now())
        .await
        .unwrap();
    let _ = conn.close(200, "done".into()).await;
    letters
        .into_iter()
        .map(|l| l.properties.message_id.unwrap())
        .collect()
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("m{i:02}")).collect()
}

/// The message ids a dry run with `filter` would replay, in order.
async fn dry_run_ids(env: &TestEnv, filter: Filter, limit: Option<u64>) -> Vec<String> {
    struct Collect(Vec<String>);
    impl Observer for Collect {
        fn step(&mut self, step: Step<'_>) {
            if let Step::Done(dl) = step {
                self.0.push(dl.properties.message_id.clone().unwrap());
            }
        }
    }
    let conn = broker::connect(&env.settings.amqp.url, "test-dry-run")
        .await
        .unwrap();
    let mut seen = Collect(Vec::new());
    let out = ops::process(
        &conn,
        &dlq(env),
        Selector::new(filter, limit),
        Action::DryRun,
        None,
        now(),
        &mut seen,
    )
    .await
    .unwrap();
    let _ = conn.close(200, "done".into()).await;
    assert_eq!(out.tally.done as usize, seen.0.len());
    seen.0
}

fn cli(env: &TestEnv, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_docingest"));
    c.envs(env.env())
        .arg("dlq")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(env: &TestEnv, args: &[&str]) -> Output {
    let out = cli(env, args).output().unwrap();
    eprintln!(
        "dlq {args:?} -> {:?}\nstdout:\n{}stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Take everything from the jobs queue (where replays go by default), acking it.
async fn replayed(env: &TestEnv, n: usize) -> Vec<Msg> {
    env.take(&jobs_queue(env), n).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsing_keeps_every_letter_in_its_order() {
    needs!(Broker);
    let env = TestEnv::new("dlq-browse").await;
    let letters: Vec<Letter> = ids(0..20).iter().map(|i| Letter::new(i)).collect();
    dead_letter(&env, &letters).await;
    assert_eq!(dlq_ids(&env, 20).await, ids(0..20));
    // A second full browse sees the same order (quorum queues return held letters in order).
    assert_eq!(dlq_ids(&env, 20).await, ids(0..20));
    // A partial read (inspect -n 5) returns its five to the head, still in order.
    let out = run(&env, &["inspect", "-n", "5", "--json"]);
    assert!(out.status.success());
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ids(0..5));
    assert_eq!(dlq_ids(&env, 20).await, ids(0..20));
    // `list` reads them all and groups them, and removes nothing.
    let out = run(&env, &["list", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["total"], 20);
    assert_eq!(list["groups"][0]["kind"], "permanent");
    assert_eq!(list["groups"][0]["error_code"], "object_not_found");
    assert_eq!(list["groups"][0]["count"], 20);
    assert_eq!(dlq_ids(&env, 20).await, ids(0..20));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_groups_by_kind_and_code_with_ages() {
    needs!(Broker);
    let env = TestEnv::new("dlq-list").await;
    dead_letter(
        &env,
        &[
            Letter::new("a").failed_ago(7200),
            Letter::new("b")
                .set(headers::ERROR_KIND, "retries_exhausted")
                .set(headers::ERROR_CODE, "storage_unavailable")
                .failed_ago(600),
            Letter::new("c").failed_ago(60),
        ],
    )
    .await;
    let out = run(&env, &["list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("{}: 3 dead letters", dlq(&env)));
    assert!(lines[1].starts_with("KIND"), "{text}");
    let cols = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        cols(lines[2]),
        ["permanent", "object_not_found", "2", "2h", "1m"]
    );
    assert_eq!(
        cols(lines[3]),
        [
            "retries_exhausted",
            "storage_unavailable",
            "1",
            "10m",
            "10m"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_select_exactly_what_they_say() {
    needs!(Broker);
    let env = TestEnv::new("dlq-filters").await;
    let mut x_death = FieldTable::default();
    x_death.insert(
        "reason".into(),
        AMQPValue::LongString("delivery_limit".into()),
    );
    x_death.insert("count".into(), AMQPValue::LongLongInt(20));
    x_death.insert(
        "time".into(),
        AMQPValue::Timestamp((now() - time::Duration::hours(3)).unix_timestamp() as u64),
    );
    dead_letter(
        &env,
        &[
            Letter::new("m00").failed_ago(3 * 3600),
            Letter::new("m01")
                .set(headers::ERROR_KIND, "retries_exhausted")
                .set(headers::ERROR_CODE, "storage_unavailable")
                .failed_ago(600),
            Letter::new("m02")
                .set(headers::ERROR_CODE, "unsupported_format")
                .set(headers::BUCKET, "archive")
                .set(headers::KEY, "2023/old.pdf")
                .failed_ago(2 * 86400),
            Letter::new("m03")
                .set(headers::BUCKET, "reports")
                .set(headers::KEY, "2024/q1/a.docx")
                .set("tenant", "north")
                .failed_ago(30),
            Letter::new("m04")
                .set(headers::ERROR_KIND, "retries_exhausted")
                .set(headers::ERROR_CODE, "storage_unavailable")
                .set(headers::KEY, "2024/b.docx")
                .set("tenant", "south")
                .failed_ago(5400),
        ],
    )
    .await;
    // A broker dead letter: no docingest headers at all, only x-death.
    let mut h = FieldTable::default();
    h.insert(
        "x-death".into(),
        AMQPValue::FieldArray(vec![AMQPValue::FieldTable(x_death)].into()),
    );
    env.publisher
        .publish(Outgoing {
            exchange: &env.settings.amqp.dead_letter_exchange,
            routing_key: "",
            body: br#"{"job_id":"m05","bucket":"reports","key":"2024/c.txt"}"#,
            properties: BasicProperties::default()
                .with_message_id("m05".into())
                .with_headers(h),
        })
        .await
        .unwrap();
    dlq_ids(&env, 6).await;

    let cases: Vec<(Filter, Option<u64>, &[&str])> = vec![
        (
            Filter::default(),
            None,
            &["m00", "m01", "m02", "m03", "m04", "m05"],
        ),
        (Filter::default(), Some(2), &["m00", "m01"]),
        (
            Filter {
                error_codes: vec!["storage_unavailable".into()],
                ..Filter::default()
            },
            None,
            &["m01", "m04"],
        ),
        (
            Filter {
                error_codes: vec!["storage_unavailable".into()],
                ..Filter::default()
            },
            Some(1),
            &["m01"],
        ),
        (
            Filter {
                kinds: vec![Kind::Permanent],
                ..Filter::default()
            },
            None,
            &["m00", "m02", "m03"],
        ),
        (
            Filter {
                kinds: vec![Kind::DeliveryLimit, Kind::RetriesExhausted],
                ..Filter::default()
            },
            None,
            &["m01", "m04", "m05"],
        ),
        (
            Filter {
                older_than: Some(Duration::from_secs(3600)),
                ..Filter::default()
            },
            None,
            &["m00", "m02", "m04", "m05"],
        ),
        (
            Filter {
                newer_than: Some(Duration::from_secs(3600)),
                ..Filter::default()
            },
            None,
            &["m01", "m03"],
        ),
        (
            Filter {
                older_than: Some(Duration::from_secs(3600)),
                newer_than: Some(Duration::from_secs(86400)),
                ..Filter::default()
            },
            None,
            &["m00", "m04", "m05"],
        ),
        (
            Filter {
                buckets: vec!["archive".into()],
                ..Filter::default()
            },
            None,
            &["m02"],
        ),
        (
            Filter {
                key_globs: vec![Glob::new("2024/*.*").unwrap()],
                ..Filter::default()
            },
            None,
            &["m04", "m05"],
        ),
        (
            Filter {
                key_globs: vec![Glob::new("2024/**").unwrap()],
                ..Filter::default()
            },
            None,
            &["m03", "m04", "m05"],
        ),
        (
            Filter {
                headers: vec![("tenant".into(), "north".into())],
                ..Filter::default()
            },
            None,
            &["m03"],
        ),
        (
            Filter {
                kinds: vec![Kind::RetriesExhausted],
                headers: vec![("tenant".into(), "north".into())],
                ..Filter::default()
            },
            None,
            &[],
        ),
    ];
    for (filter, limit, want) in cases {
        let got = dry_run_ids(&env, filter.clone(), limit).await;
        assert_eq!(got, want, "filter {filter} limit {limit:?}");
        // Nothing moved, nothing reordered.
        assert_eq!(
            dlq_ids(&env, 6).await,
            ["m00", "m01", "m02", "m03", "m04", "m05"]
        );
    }

    // The same through the command line, for real this time: only the two matches move, and
    // the four others stay in their order.
    let out = run(
        &env,
        &[
            "replay",
            "--kind",
            "retries_exhausted",
            "--key-glob",
            "2024/**",
            "--header",
            "tenant=south",
        ],
    );
    assert!(out.status.success());
    assert!(
        stdout(&out).ends_with("scanned 6, matched 1, replayed 1, skipped 5, failed 0\n"),
        "{}",
        stdout(&out)
    );
    let moved = replayed(&env, 1).await;
    assert_eq!(moved[0].message_id().as_deref(), Some("m04"));
    assert_eq!(dlq_ids(&env, 5).await, ["m00", "m01", "m02", "m03", "m05"]);
    let out = run(&env, &["replay", "--kind", "delivery_limit"]);
    assert!(out.status.success());
    let moved = replayed(&env, 1).await;
    assert_eq!(moved[0].message_id().as_deref(), Some("m05"));
    // Broker bookkeeping does not travel with the replayed copy.
    assert!(moved[0]
        .props
        .headers()
        .as_ref()
        .unwrap()
        .inner()
        .get("x-death")
        .is_none());
    assert_eq!(dlq_ids(&env, 4).await, ["m00", "m01", "m02", "m03"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_changes_nothing() {
    needs!(Broker);
    let env = TestEnv::new("dlq-dry-run").await;
    let letters: Vec<Letter> = ids(0..6).iter().map(|i| Letter::new(i)).collect();
    dead_letter(&env, &letters).await;
    dlq_ids(&env, 6).await;
    let out = run(&env, &["replay", "--dry-run", "--limit", "4"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(
        lines[0],
        "would replay\t#1\tm00\tpermanent/object_not_found\treports/in/m00.txt"
    );
    assert_eq!(
        lines[4],
        "scanned 4, matched 4, would be replayed 4, skipped 0, failed 0 (dry run: nothing changed)"
    );
    let out = run(&env, &["purge", "--dry-run", "--json"]);
    assert!(out.status.success());
    let tally: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tally["purged"], 6);
    assert_eq!(tally["dry_run"], true);
    assert_eq!(env.queue_len(&jobs_queue(&env)).await, 0);
    assert_eq!(dlq_ids(&env, 6).await, ids(0..6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_letter_keeps_its_identity_and_starts_a_new_attempt_cycle() {
    needs!(Broker);
    let env = TestEnv::new("dlq-headers").await;
    dead_letter(&env, &[Letter::new("m00").set(REPLAY_COUNT, "1")]).await;
    dlq_ids(&env, 1).await;
    let before = now();
    let out = run(&env, &["replay", "--json"]);
    assert!(out.status.success());
    let tally: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tally["replayed"], 1);
    assert_eq!(tally["failed"], 0);
    let m = &replayed(&env, 1).await[0];
    assert_eq!(m.message_id().as_deref(), Some("m00"));
    assert_eq!(m.correlation_id().as_deref(), Some("m00"));
    assert_eq!(
        m.header(headers::TRACEPARENT).as_deref(),
        Some("00-00000000000000000000000000000m00-00f067aa0ba902b7-01")
    );
    assert_eq!(m.header_u32(headers::ATTEMPTS), None);
    assert_eq!(m.header(headers::FIRST_FAILED_AT), None);
    assert_eq!(m.header_u32(REPLAY_COUNT), Some(2));
    let at = OffsetDateTime::parse(
        &m.header(REPLAYED_AT).unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(at >= before - time::Duration::seconds(1));
    assert_eq!(
        m.header(headers::ERROR_CODE).as_deref(),
        Some("object_not_found")
    );
    assert_eq!(m.json()["job_id"], "m00");
    assert_eq!(*m.props.delivery_mode(), Some(2));
    assert_eq!(env.queue_len(&dlq(&env)).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unroutable_target_fails_and_keeps_the_letter() {
    needs!(Broker);
    let env = TestEnv::new("dlq-unroutable").await;
    let letters: Vec<Letter> = ids(0..3).iter().map(|i| Letter::new(i)).collect();
    dead_letter(&env, &letters).await;
    dlq_ids(&env, 3).await;
    // The default exchange exists, but no queue has this name: the mandatory publish returns.
    let nowhere = format!(":{}.nowhere", env.name);
    let out = run(&env, &["replay", "--to", &nowhere]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).ends_with("scanned 1, matched 1, replayed 0, skipped 0, failed 1\n"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unroutable"));
    assert_eq!(dlq_ids(&env, 3).await, ids(0..3));
    // A target exchange that does not exist is refused before anything is read.
    let out = run(
        &env,
        &["replay", "--to", &format!("{}.missing:job", env.name)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not there"));
    assert_eq!(dlq_ids(&env, 3).await, ids(0..3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_replay_midway_loses_nothing() {
    needs!(Broker);
    let env = TestEnv::new("dlq-kill").await;
    let all = ids(0..30);
    let letters: Vec<Letter> = all.iter().map(|i| Letter::new(i)).collect();
    dead_letter(&env, &letters).await;
    dlq_ids(&env, 30).await;
    let mut child = cli(&env, &["replay", "--rate", "10/s"]).spawn().unwrap();
    let jq = jobs_queue(&env);
    eventually("the replay to move a few letters", || async {
        env.queue_len(&jq).await >= 3
    })
    .await;
    child.kill().unwrap(); // SIGKILL: no drain, no channel close
    child.wait().unwrap();
    // The broker returns what the dead process held; count both queues once it has.
    let q = dlq(&env);
    let deadline = Instant::now() + PATIENCE;
    let (in_dlq, in_jobs) = loop {
        let (d, j) = (env.queue_len(&q).await, env.queue_len(&jq).await);
        if d + j >= 30 {
            break (d, j);
        }
        assert!(
            Instant::now() < deadline,
            "only {d} in the DLQ and {j} replayed of 30"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(in_jobs >= 3 && in_dlq > 0, "jobs {in_jobs}, dlq {in_dlq}");
    let left = dlq_ids(&env, in_dlq).await;
    let moved: Vec<String> = replayed(&env, in_jobs as usize)
        .await
        .iter()
        .map(|m| m.message_id().unwrap())
        .collect();
    let seen: BTreeSet<&String> = left.iter().chain(&moved).collect();
    assert_eq!(seen, all.iter().collect::<BTreeSet<_>>());
    // The letters left over are still in their original order.
    let mut sorted = left.clone();
    sorted.sort();
    assert_eq!(left, sorted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_bounds_how_many_move_per_second() {
    needs!(Broker);
    let env = TestEnv::new("dlq-rate").await;
    let letters: Vec<Letter> = ids(0..40).iter().map(|i| Letter::new(i)).collect();
    dead_letter(&env, &letters).await;
    dlq_ids(&env, 40).await;
    let jq = jobs_queue(&env);
    let mut child = cli(&env, &["replay", "--rate", "5/s"]).spawn().unwrap();
    eventually("the first replayed letter", || async {
        env.queue_len(&jq).await >= 1
    })
    .await;
    // From the first move on, 5/s allows 1 + 5 per second; a loose bound, not a timing test.
    let first = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let moved = env.queue_len(&jq).await;
    let window = first.elapsed().as_secs_f64().ceil() as u32;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        moved <= 1 + 5 * window + 2,
        "{moved} moved within {window}s of the first at 5/s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_deletes_only_matches_and_asks_first() {
    needs!(Broker);
    let env = TestEnv::new("dlq-purge").await;
    let letters: Vec<Letter> = ids(0..9)
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let l = Letter::new(id);
            if i % 3 == 1 {
                l.set(headers::ERROR_CODE, "unsupported_format")
            } else {
                l
            }
        })
        .collect();
    dead_letter(&env, &letters).await;
    dlq_ids(&env, 9).await;
    // No terminal to ask on and no --yes: refused, nothing deleted.
    let out = run(&env, &["purge", "--error-code", "unsupported_format"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(dlq_ids(&env, 9).await, ids(0..9));
    let out = run(
        &env,
        &["purge", "--error-code", "unsupported_format", "--yes"],
    );
    assert!(out.status.success());
    assert!(stdout(&out).ends_with("scanned 9, matched 3, purged 3, skipped 6, failed 0\n"));
    assert_eq!(
        dlq_ids(&env, 6).await,
        ["m00", "m02", "m03", "m05", "m06", "m08"]
    );
    assert_eq!(env.queue_len(&jobs_queue(&env)).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_read_no_further_than_the_queue_held_when_they_started() {
    needs!(Broker);
    let env = TestEnv::new("dlq-snapshot").await;
    let letters: Vec<Letter> = ids(0..3).iter().map(|i| Letter::new(i)).collect();
    dead_letter(&env, &letters).await;
    dlq_ids(&env, 3).await;
    let conn = broker::connect(&env.settings.amqp.url, "test-snapshot")
        .await
        .unwrap();
    let mut scan = Scan::open(&conn, &dlq(&env)).await.unwrap();
    assert_eq!(scan.snapshot(), 3);
    let first = scan.next().await.unwrap().unwrap();
    assert_eq!(first.letter.properties.message_id.as_deref(), Some("m00"));
    // A letter dead-lettered during the scan is not part of it.
    dead_letter(&env, &[Letter::new("m03")]).await;
    // A second DLQ command cannot read (and so cannot disturb) the queue meanwhile.
    let out = run(&env, &["list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another `docingest dlq` command"));
    let mut read = vec![first];
    while let Some(h) = scan.next().await.unwrap() {
        read.push(h);
    }
    let got: Vec<_> = read
        .iter()
        .map(|h| h.letter.properties.message_id.clone().unwrap())
        .collect();
    assert_eq!(got, ids(0..3));
    // Removing the middle one and ending the scan leaves the rest in order.
    let middle = read.remove(1);
    scan.remove(middle).await.unwrap();
    drop(read);
    scan.finish().await.unwrap();
    let _ = conn.close(200, "done".into()).await;
    assert_eq!(dlq_ids(&env, 3).await, ["m00", "m02", "m03"]);
}

/// The operator story end to end, with the real `docingest worker` binary: a job for an
/// object that is not there yet is dead-lettered; once the object is uploaded, replaying the
/// `object_not_found` letters gives a result and leaves the DLQ empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_object_dead_letter_is_replayed_after_the_upload() {
    needs!(Broker);
    let env = TestEnv::new("dlq-e2e").await;
    /// Kills the worker if the test fails before stopping it.
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut worker = Kill(
        Command::new(env!("CARGO_BIN_EXE_docingest"))
            .envs(env.env())
            .arg("worker")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let key = "2024/late-upload.txt";
    let job = env.job(key);
    env.publish_jobs(std::slice::from_ref(&job)).await;
    let q = dlq(&env);
    eventually("the job to be dead-lettered", || async {
        env.queue_len(&q).await == 1
    })
    .await;
    let out = run(&env, &["list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["groups"][0]["error_code"], "object_not_found");
    let out = run(&env, &["inspect", "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown[0]["job_id"], job.job_id.as_str());
    assert_eq!(shown[0]["key"], key);

    let text = std::fs::read(common::corpus_file("seeds/000_90f5a89fff8b2d4c.txt")).unwrap();
    env.put(key, text).await;
    let out = run(
        &env,
        &[
            "replay",
            "--error-code",
            "object_not_found",
            "--key-glob",
            "2024/*",
        ],
    );
    assert!(out.status.success());
    assert!(stdout(&out).ends_with("scanned 1, matched 1, replayed 1, skipped 0, failed 0\n"));
    let results = env.results(1).await;
    assert_eq!(results.len(), 1, "no result after the replay");
    assert_eq!(
        results[0].correlation_id().as_deref(),
        Some(job.job_id.as_str())
    );
    let r = results[0].json();
    assert_eq!(r["source"]["key"], key);
    assert_eq!(env.queue_len(&q).await, 0);

    // Stop the worker the way an orchestrator would; it drains and exits 0.
    let pid = worker.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = worker.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the worker did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "worker exited with {status}");
}

/// The window a SIGKILL or a dropped connection opens in the worker: a job is acked only after
/// its dead letter is confirmed, so a worker that dies between the two leaves the job unacked,
/// the broker redelivers it, and it is dead-lettered a second time. Reproduced with the
/// worker's own delivery handler: the first delivery is handled after its channel was closed
/// (the dead letter is published and confirmed, the ack goes nowhere: what the broker sees when
/// the process dies right after the confirm), the redelivery on a fresh channel. The queue then
/// holds two messages for one job. They carry one dead-letter id, and every DLQ command treats
/// them as one letter: listed once, inspected once, replayed once, both removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_dead_lettered_again_after_its_ack_was_lost_is_one_letter() {
    needs!(Broker);
    let env = TestEnv::new("dlq-lost-ack").await;
    let deps = Deps::new(
        &env.settings,
        env.storage.clone(),
        Publisher::open(&env.conn, Duration::from_secs(10))
            .await
            .unwrap(),
        Arc::new(Metrics::new()),
        env.bucket.clone(),
        Arc::new(tokio::sync::Semaphore::new(1)),
    );
    let routes = Routes::from_settings(&env.settings);
    let job = env.job("never/uploaded.txt");
    env.publish_jobs(std::slice::from_ref(&job)).await;
    let deliver = || async {
        let channel = env.conn.create_channel().await.unwrap();
        let mut consumer = channel
            .basic_consume(
                jobs_queue(&env).as_str().into(),
                "lost-ack".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
        let delivery = tokio::time::timeout(PATIENCE, consumer.next())
            .await
            .expect("a delivery of the job")
            .unwrap()
            .unwrap();
        (channel, delivery)
    };

    let (channel, first) = deliver().await;
    channel.close(200, "the worker died".into()).await.unwrap();
    handle_delivery(first, &deps, &routes).await;
    assert!(
        deps.metrics
            .render()
            .contains("docingest_acks_lost_total 1"),
        "the first ack was lost:\n{}",
        deps.metrics.render()
    );
    let (channel, second) = deliver().await;
    assert!(second.redelivered, "the broker redelivered the job");
    handle_delivery(second, &deps, &routes).await;
    let _ = channel.close(200, "done".into()).await;
    assert_eq!(
        deps.metrics
            .dead_letters_total("permanent", "object_not_found"),
        2,
        "the job was dead-lettered twice"
    );

    let q = dlq(&env);
    eventually("two messages in the DLQ", || async {
        env.queue_len(&q).await == 2
    })
    .await;
    let out = run(&env, &["list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["total"], 1, "one letter");
    assert_eq!(list["duplicate_copies"], 1);
    assert_eq!(list["queue_len"], 2);
    assert_eq!(list["groups"][0]["count"], 1);
    let out = run(&env, &["inspect", "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        shown.as_array().unwrap().len(),
        1,
        "inspect shows one letter"
    );
    assert_eq!(shown[0]["job_id"], job.job_id.as_str());
    assert_eq!(shown[0]["copies"], 2);
    let body = serde_json::to_vec(&job).unwrap();
    assert_eq!(
        shown[0]["dead_letter_id"],
        docingest::document::document_id(&body).as_str(),
        "the id is the hash of the job body"
    );

    let out = run(&env, &["replay", "--json"]);
    assert!(out.status.success());
    let tally: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tally["replayed"], 1);
    assert_eq!(tally["duplicate_copies"], 1);
    let jobs = env
        .take_within(&jobs_queue(&env), 2, Duration::from_secs(2))
        .await;
    assert_eq!(jobs.len(), 1, "the job is replayed once");
    assert_eq!(jobs[0].body, body);
    eventually("both copies removed from the DLQ", || async {
        env.queue_len(&q).await == 0
    })
    .await;
}
