//! No dead letter is lost to browsing, on RabbitMQ 3.10 and 4.x (issue 13), against the broker
//! of `DOCINGEST_TEST_AMQP_URL` (`.ci/run` runs this file against 3.10 and against 4.0).
//!
//! On RabbitMQ 4.x a quorum queue without `x-delivery-limit` drops a message returned to it
//! for the 20th time, and every `dlq` browse returns every letter once: before issue 13, the
//! 21st `docingest dlq list` of a dead-letter queue found it empty. These tests pin:
//! - real dead letters survive 25 `dlq list` runs (each run *is* counted as a delivery: the
//!   letters come back with `x-delivery-count` 25, so the test would fail against a queue
//!   that drops at 20), and replay afterwards;
//! - a dead-letter queue declared the old way (quorum, no limit) is refused by `docingest
//!   topology` and by every `dlq` command (exit 2, saying why), the worker still starts, and
//!   `topology --migrate` moves every letter, in order and unchanged, into a queue that keeps
//!   them through 25 more browses;
//! - the results queue keeps a result a consumer requeues 25 times;
//! - the declaration-only check tells the queue shapes apart.

use crate::common;

use common::{eventually, RunningWorker, TestEnv};
use docingest::dlq::broker;
use docingest::dlq::migrate;
use docingest::worker::amqp::headers;
use docingest::worker::amqp::publisher::Outgoing;
use docingest::worker::amqp::topology::{self, Keeping, NO_DROP_DELIVERY_LIMIT};
use lapin::options::{
    BasicGetOptions, BasicNackOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::BasicProperties;
use std::process::{Command, Output, Stdio};

/// More than the delivery limit RabbitMQ 4.x gives a quorum queue without one (20).
const BROWSES: usize = 25;

fn docingest(env: &TestEnv, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_docingest"))
        .envs(env.env())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    eprintln!(
        "docingest {args:?} -> {:?}\nstdout:\n{}stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn list_total(env: &TestEnv) -> u64 {
    let out = docingest(env, &["dlq", "list", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    list["total"].as_u64().unwrap()
}

fn table(entries: &[(&str, AMQPValue)]) -> FieldTable {
    let mut t = FieldTable::default();
    for (k, v) in entries {
        t.insert(ShortString::from(*k), v.clone());
    }
    t
}

fn quorum() -> (&'static str, AMQPValue) {
    ("x-queue-type", AMQPValue::LongString("quorum".into()))
}

/// Replaces the test's dead-letter queue with one declared as docingest did before issue 13
/// (`x-queue-type: quorum` only), bound to the dead-letter exchange.
async fn declare_old_style_dlq(env: &TestEnv) {
    let a = &env.settings.amqp;
    let ch = env.conn.create_channel().await.unwrap();
    ch.queue_delete(
        a.dead_letter_queue.as_str().into(),
        QueueDeleteOptions::default(),
    )
    .await
    .unwrap();
    ch.queue_declare(
        a.dead_letter_queue.as_str().into(),
        QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        },
        table(&[quorum()]),
    )
    .await
    .unwrap();
    ch.queue_bind(
        a.dead_letter_queue.as_str().into(),
        a.dead_letter_exchange.as_str().into(),
        "".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    let _ = ch.close(200, "done".into()).await;
}

/// Dead-letters `n` synthetic letters `m00..` through the dead-letter exchange, confirmed.
async fn dead_letter(env: &TestEnv, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = format!("m{i:02}");
        let mut h = FieldTable::default();
        headers::set_str(&mut h, headers::ERROR_KIND, "permanent".to_string());
        headers::set_str(&mut h, headers::ERROR_CODE, "object_not_found".to_string());
        env.publisher
            .publish(Outgoing {
                exchange: &env.settings.amqp.dead_letter_exchange,
                routing_key: "",
                body: format!(r#"{{"job_id":"{id}","bucket":"b","key":"{id}.txt"}}"#).as_bytes(),
                properties: BasicProperties::default()
                    .with_message_id(id.as_str().into())
                    .with_delivery_mode(2)
                    .with_headers(h),
            })
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

/// The DLQ's letters in queue order as (message id, body), read without removing anything,
/// by a scan that does not check the queue (it must work on the old-style queue too).
async fn raw_letters(env: &TestEnv, queue: &str) -> Vec<(String, Vec<u8>, Option<u32>)> {
    let conn = broker::connect(&env.settings.amqp.url, "test-raw-browse")
        .await
        .unwrap();
    let mut scan = broker::Scan::open_to_move(&conn, queue).await.unwrap();
    let mut out = Vec::new();
    while let Some(held) = scan.next().await.unwrap() {
        let count = headers::get_u32(held.properties().headers().as_ref(), "x-delivery-count");
        out.push((
            held.letter.properties.message_id.clone().unwrap(),
            held.body().to_vec(),
            count,
        ));
    }
    scan.finish().await.unwrap();
    let _ = conn.close(200, "done".into()).await;
    out
}

/// The issue's reproduction, with real dead letters: three jobs for missing objects are
/// dead-lettered by a worker, then `docingest dlq list` runs 25 times. On RabbitMQ 4.0 with the
/// old declaration the count read 3 for 20 runs and then 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_survive_more_browses_than_the_default_delivery_limit_of_rabbitmq_4() {
    needs!(Broker);
    let env = TestEnv::new("keep-browsed").await;
    let worker = RunningWorker::start(env.settings.clone()).await;
    let jobs: Vec<_> = (0..3)
        .map(|i| env.job(&format!("missing/{i}.txt")))
        .collect();
    env.publish_jobs(&jobs).await;
    let q = env.settings.amqp.dead_letter_queue.clone();
    eventually("three dead letters", || async {
        env.queue_len(&q).await == 3
    })
    .await;
    worker.stop().await;

    for i in 0..BROWSES {
        assert_eq!(list_total(&env), 3, "dlq list run {} lost letters", i + 1);
    }
    // Every browse was a delivery the broker counted: a queue that drops at 20 would be empty.
    let letters = raw_letters(&env, &q).await;
    assert_eq!(letters.len(), 3);
    for (_, _, count) in &letters {
        assert!(
            count.unwrap_or(0) >= BROWSES as u32,
            "x-delivery-count {count:?}: the browses were not counted, so this test proves nothing"
        );
    }
    let out = docingest(&env, &["dlq", "replay"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("replayed 3"),
        "all three letters are still there to replay"
    );
    assert_eq!(env.queue_len(&q).await, 0);
    assert_eq!(env.queue_len(&env.settings.amqp.jobs_queue).await, 3);
}

/// A deployment from before issue 13 has a DLQ without `x-delivery-limit`. `topology` and the
/// `dlq` commands refuse it and say why, a worker still starts (it never returns letters to
/// it), and `topology --migrate` moves every letter, in order and byte for byte, into a DLQ
/// declared with the limit, which then keeps them through 25 browses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_style_dead_letter_queue_is_refused_and_migrate_moves_every_letter() {
    needs!(Broker);
    let env = TestEnv::new("keep-migrate").await;
    let q = env.settings.amqp.dead_letter_queue.clone();
    declare_old_style_dlq(&env).await;
    let ids = dead_letter(&env, 5).await;
    let before = raw_letters(&env, &q).await;
    assert_eq!(before.iter().map(|l| l.0.clone()).collect::<Vec<_>>(), ids);

    let out = docingest(&env, &["topology"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("without x-delivery-limit") && err.contains("--migrate"),
        "{err}"
    );
    for args in [
        &["dlq", "list"][..],
        &["dlq", "inspect"],
        &["dlq", "replay", "--dry-run"],
        &["dlq", "purge", "--yes"],
    ] {
        let out = docingest(&env, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("browsing it would lose letters") && err.contains("--migrate"),
            "{args:?}: {err}"
        );
    }
    // The refusals touched nothing (no browse happened: the counts are those of the one
    // raw browse above).
    let still = raw_letters(&env, &q).await;
    assert_eq!(still.len(), 5);
    assert!(still.iter().all(|l| l.2 == Some(1)), "{still:?}");

    // The worker's declaration reports the queue and goes on.
    let declared = topology::declare(
        &env.conn,
        &env.settings.amqp,
        &env.settings.worker.retry_delays_ms.0,
    )
    .await
    .unwrap();
    assert_eq!(declared.dropping, vec![q.clone()]);
    let worker = RunningWorker::start(env.settings.clone()).await;
    worker.stop().await;

    let out = docingest(&env, &["topology", "--migrate"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("migrated {q}: 5 message(s)")));
    assert_eq!(
        topology::keeping(&env.conn, &q).await.unwrap(),
        Keeping::Keeps
    );
    let holding = migrate::holding_name(&q);
    let ch = env.conn.create_channel().await.unwrap();
    assert!(
        ch.queue_declare(
            holding.as_str().into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .is_err(),
        "the holding queue is gone"
    );
    // Same letters, same order, same bodies; the old return count is not carried over (this
    // is their first delivery from the new queue).
    let after = raw_letters(&env, &q).await;
    assert_eq!(after.len(), 5);
    for (a, b) in after.iter().zip(&before) {
        assert_eq!((&a.0, &a.1), (&b.0, &b.1));
    }
    assert!(after.iter().all(|l| l.2.unwrap_or(0) == 0), "{after:?}");
    // A second `--migrate` has nothing to do; `topology` passes.
    let out = docingest(&env, &["topology", "--migrate"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("migrated"));
    let out = docingest(&env, &["topology"]);
    assert!(out.status.success());
    // The new queue is bound: a new letter arrives, after the moved ones.
    dead_letter(&env, 1).await;
    for i in 0..BROWSES {
        assert_eq!(list_total(&env), 6, "dlq list run {} lost letters", i + 1);
    }
}

/// A downstream consumer that requeues a result more than 20 times does not lose it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_requeued_more_than_twenty_times_is_kept() {
    needs!(Broker);
    let env = TestEnv::new("keep-results").await;
    let a = &env.settings.amqp;
    env.publisher
        .publish(Outgoing {
            exchange: &a.results_exchange,
            routing_key: &a.results_routing_key,
            body: b"{}",
            properties: BasicProperties::default().with_delivery_mode(2),
        })
        .await
        .unwrap();
    let ch = env.conn.create_channel().await.unwrap();
    for i in 0..BROWSES {
        let got = ch
            .basic_get(a.results_queue.as_str().into(), BasicGetOptions::default())
            .await
            .unwrap();
        let m = got.unwrap_or_else(|| panic!("the result is gone after {i} requeues"));
        m.delivery
            .nack(BasicNackOptions {
                requeue: true,
                ..BasicNackOptions::default()
            })
            .await
            .unwrap();
    }
    assert_eq!(env.results(1).await.len(), 1);
}

/// `keeping` tells the shapes apart with declarations only, and changes none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_declaration_check_tells_queues_that_keep_from_queues_that_drop() {
    needs!(Broker);
    let env = TestEnv::new("keep-shapes").await;
    let ch = env.conn.create_channel().await.unwrap();
    let shapes: Vec<(&str, FieldTable, fn(&Keeping) -> bool)> = vec![
        (
            "limit",
            table(&[
                quorum(),
                (
                    "x-delivery-limit",
                    AMQPValue::LongInt(NO_DROP_DELIVERY_LIMIT),
                ),
            ]),
            |k| *k == Keeping::Keeps,
        ),
        ("classic", FieldTable::default(), |k| *k == Keeping::Keeps),
        ("nolimit", table(&[quorum()]), |k| *k == Keeping::NoLimit),
        (
            "limit20",
            table(&[quorum(), ("x-delivery-limit", AMQPValue::LongInt(20))]),
            |k| matches!(k, Keeping::Other(t) if t.contains("x-delivery-limit")),
        ),
        (
            "ttl",
            table(&[
                quorum(),
                (
                    "x-delivery-limit",
                    AMQPValue::LongInt(NO_DROP_DELIVERY_LIMIT),
                ),
                ("x-message-ttl", AMQPValue::LongInt(60_000)),
            ]),
            |k| matches!(k, Keeping::Other(t) if t.contains("x-message-ttl")),
        ),
        (
            "classic-ttl",
            table(&[("x-message-ttl", AMQPValue::LongInt(60_000))]),
            |k| matches!(k, Keeping::Other(_)),
        ),
    ];
    for (suffix, args, want) in shapes {
        let name = format!("{}.{suffix}", env.name);
        ch.queue_declare(
            name.as_str().into(),
            QueueDeclareOptions {
                durable: true,
                ..QueueDeclareOptions::default()
            },
            args,
        )
        .await
        .unwrap();
        let k = topology::keeping(&env.conn, &name).await.unwrap();
        // Probed twice: the first check changed nothing.
        let again = topology::keeping(&env.conn, &name).await.unwrap();
        ch.queue_delete(name.as_str().into(), QueueDeleteOptions::default())
            .await
            .unwrap();
        assert!(want(&k), "{suffix}: {k:?}");
        assert_eq!(k, again, "{suffix}");
    }
}
