//! The real `docingest worker` binary under the things that happen to processes: SIGKILL in the
//! middle of a batch, SIGTERM (drain), a drain that runs out of time, a second signal, and the
//! broker closing every connection. The invariant checked each time: every job ends with a
//! result (duplicates allowed, and then sharing their message_id), nothing is lost and nothing
//! is dead-lettered because of it.

use crate::common;

use common::process::Proc;
use common::{corpus_file, TestEnv};
use docingest::document;
use docingest::worker::job::JobMessage;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const SEEDS: [&str; 5] = [
    "seeds/000_90f5a89fff8b2d4c.txt",
    "seeds/001_9c76b1dea792aca4.txt",
    "seeds/002_acaf490cc139cbb4.txt",
    "seeds/003_95bdc2d1cb62a6be.txt",
    "seeds/004_3631418bac9721d6.txt",
];

/// Upload the five seeds and make `n` jobs over them; returns the jobs and, per job id, the
/// document id its result must carry.
async fn batch(env: &TestEnv, n: usize) -> (Vec<JobMessage>, HashMap<String, String>) {
    let mut keys = Vec::new();
    for (i, seed) in SEEDS.iter().enumerate() {
        let bytes = std::fs::read(corpus_file(seed)).unwrap();
        let key = format!("seed-{i}.txt");
        env.put(&key, bytes.clone()).await;
        keys.push((key, document::document_id(&bytes)));
    }
    let mut jobs = Vec::new();
    let mut expected = HashMap::new();
    for i in 0..n {
        let (key, doc) = &keys[i % keys.len()];
        let job = env.job(key);
        expected.insert(job.job_id.clone(), doc.clone());
        jobs.push(job);
    }
    (jobs, expected)
}

/// Results taken so far, grouped by job id (correlation id) -> message ids seen.
type Seen = HashMap<String, Vec<String>>;

async fn collect(env: &TestEnv, seen: &mut Seen, until_jobs: usize) {
    let queue = env.settings.amqp.results_queue.clone();
    let deadline = Instant::now() + common::PATIENCE;
    while seen.len() < until_jobs && Instant::now() < deadline {
        for m in env
            .take_within(&queue, 500, Duration::from_millis(300))
            .await
        {
            seen.entry(m.correlation_id().unwrap())
                .or_default()
                .push(m.message_id().unwrap());
        }
    }
}

fn assert_every_job_has_its_result(seen: &Seen, expected: &HashMap<String, String>) {
    let got: HashSet<&String> = seen.keys().collect();
    let want: HashSet<&String> = expected.keys().collect();
    assert_eq!(got.len(), want.len(), "jobs with a result");
    assert_eq!(got, want);
    for (job, ids) in seen {
        for id in ids {
            assert_eq!(
                id, &expected[job],
                "every result of job {job} has its document id"
            );
        }
    }
}

async fn assert_nothing_dead_lettered(env: &TestEnv) {
    let dlq = env.settings.amqp.dead_letter_queue.clone();
    let dead = env.take_within(&dlq, 1, Duration::from_millis(300)).await;
    assert!(
        dead.is_empty(),
        "unexpected dead letter: {:?}",
        dead.first().map(|d| d.props.headers())
    );
}

async fn wait_for_results(env: &TestEnv, at_least: u32, proc: &Proc) {
    let queue = env.settings.amqp.results_queue.clone();
    let deadline = Instant::now() + common::PATIENCE;
    while env.queue_len(&queue).await < at_least {
        assert!(
            Instant::now() < deadline,
            "no results; worker log:\n{}",
            proc.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_batch_and_restarted_leaves_no_job_without_a_result() {
    needs!(Broker);
    let env = TestEnv::new("sigkill").await;
    let dir = tempfile::tempdir().unwrap();
    let (jobs, expected) = batch(&env, 600).await;
    env.publish_jobs(&jobs).await;

    let mut first = Proc::spawn(&env, &[], dir.path().join("first.log"));
    wait_for_results(&env, 50, &first).await;
    first.child.kill().unwrap();
    first.wait().await;
    let jobs_queue = env.settings.amqp.jobs_queue.clone();
    assert!(
        env.queue_len(&jobs_queue).await > 0,
        "the kill should land mid-batch"
    );

    let second = Proc::spawn(&env, &[], dir.path().join("second.log"));
    let mut seen = Seen::new();
    collect(&env, &mut seen, expected.len()).await;
    assert_every_job_has_its_result(&seen, &expected);
    assert_nothing_dead_lettered(&env).await;
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_jobs_and_loses_nothing() {
    needs!(Broker);
    let env = TestEnv::new("sigterm").await;
    let dir = tempfile::tempdir().unwrap();
    let (jobs, expected) = batch(&env, 500).await;
    env.publish_jobs(&jobs).await;

    let mut worker = Proc::spawn(&env, &[], dir.path().join("worker.log"));
    wait_for_results(&env, 30, &worker).await;
    worker.signal("-TERM");
    let status = worker.wait().await;
    assert_eq!(
        status.code(),
        Some(0),
        "clean exit after the drain; log:\n{}",
        worker.log()
    );
    assert!(
        worker.log().contains("drained; exiting"),
        "{}",
        worker.log()
    );

    // Every job is either answered or back on the queue, exactly once: the drain neither lost
    // a job nor left one acked without its result.
    let mut seen = Seen::new();
    let queue = env.settings.amqp.results_queue.clone();
    for m in env
        .take_within(&queue, 10_000, Duration::from_secs(1))
        .await
    {
        seen.entry(m.correlation_id().unwrap())
            .or_default()
            .push(m.message_id().unwrap());
    }
    let jobs_queue = env.settings.amqp.jobs_queue.clone();
    let waiting = env.queue_len(&jobs_queue).await as usize;
    assert!(waiting > 0, "SIGTERM should land mid-batch");
    assert!(
        seen.values().all(|ids| ids.len() == 1),
        "no duplicates after a clean drain"
    );
    assert_eq!(
        seen.len() + waiting,
        jobs.len(),
        "answered + waiting = submitted"
    );

    // A new worker finishes the rest.
    let _next = Proc::spawn(&env, &[], dir.path().join("next.log"));
    collect(&env, &mut seen, expected.len()).await;
    assert_every_job_has_its_result(&seen, &expected);
    assert_nothing_dead_lettered(&env).await;
}

/// An S3 "server" that accepts connections and never answers: a job fetching from it stays in
/// flight until the storage timeout.
async fn black_hole() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    (format!("http://{addr}"), task)
}

fn hanging_storage(endpoint: &str, drain_secs: u64) -> Vec<(&'static str, String)> {
    vec![
        ("DOCINGEST_STORAGE__BACKEND", "s3".into()),
        ("DOCINGEST_STORAGE__ENDPOINT", endpoint.into()),
        ("DOCINGEST_STORAGE__ACCESS_KEY_ID", "testing".into()),
        ("DOCINGEST_STORAGE__SECRET_ACCESS_KEY", "testing".into()),
        ("DOCINGEST_STORAGE__TIMEOUT_SECS", "300".into()),
        (
            "DOCINGEST_WORKER__DRAIN_TIMEOUT_SECS",
            drain_secs.to_string(),
        ),
    ]
}

/// A worker whose one job hangs on a storage server that never answers, once the consumer has
/// taken that job off the queue. The returned guards keep the black hole and the log alive.
struct StuckJob {
    env: TestEnv,
    worker: Proc,
    jobs_queue: String,
    _dir: tempfile::TempDir,
    _hole: tokio::task::JoinHandle<()>,
}

async fn stuck_job_worker(test: &str, drain_secs: u64) -> StuckJob {
    let env = TestEnv::new(test).await;
    let dir = tempfile::tempdir().unwrap();
    let (endpoint, hole) = black_hole().await;
    let job = env.job("stuck.txt");
    env.publish_jobs(std::slice::from_ref(&job)).await;
    let worker = Proc::spawn(
        &env,
        &hanging_storage(&endpoint, drain_secs),
        dir.path().join("w.log"),
    );
    // Debug logs are off, so "received" is seen as the job leaving the queue.
    let jobs_queue = env.settings.amqp.jobs_queue.clone();
    common::eventually("the job is taken", || async {
        env.queue_len(&jobs_queue).await == 0
    })
    .await;
    StuckJob {
        env,
        worker,
        jobs_queue,
        _dir: dir,
        _hole: hole,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_outlives_the_drain_timeout_goes_back_to_the_queue() {
    needs!(Broker);
    let StuckJob {
        env,
        mut worker,
        jobs_queue,
        _dir,
        _hole,
    } = stuck_job_worker("drain-timeout", 1).await;
    worker.signal("-TERM");
    let status = worker.wait().await;
    assert_eq!(status.code(), Some(0), "{}", worker.log());
    assert!(worker.log().contains("drain timeout"), "{}", worker.log());
    common::eventually("the unfinished job is back on the queue", || async {
        env.queue_len(&jobs_queue).await == 1
    })
    .await;
    assert_nothing_dead_lettered(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_exits_at_once_and_the_job_is_not_lost() {
    needs!(Broker);
    let StuckJob {
        env,
        mut worker,
        jobs_queue,
        _dir,
        _hole,
    } = stuck_job_worker("second-signal", 600).await;
    worker.signal("-TERM");
    common::eventually("the drain has started", || async {
        worker.log().contains("shutting down: draining")
    })
    .await;
    assert!(worker.running(), "still draining the stuck job");
    worker.signal("-INT");
    let status = worker.wait().await;
    assert_eq!(status.code(), Some(130), "{}", worker.log());
    common::eventually("the unfinished job is back on the queue", || async {
        env.queue_len(&jobs_queue).await == 1
    })
    .await;
    assert_nothing_dead_lettered(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_recovers_when_the_broker_closes_all_connections_mid_batch() {
    needs!(Broker);
    let env = TestEnv::with(
        "close-conns",
        common::Options {
            own_vhost: true,
            ..Default::default()
        },
    )
    .await;
    let vhost = env.vhost.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (jobs, expected) = batch(&env, 700).await;
    env.publish_jobs(&jobs).await;

    // One job at a time, so the batch outlasts the ~1 s rabbitmqctl needs to start.
    let one_at_a_time = [
        ("DOCINGEST_WORKER__CONCURRENCY", "1".to_string()),
        ("DOCINGEST_WORKER__PREFETCH", "1".to_string()),
    ];
    let mut worker = Proc::spawn(&env, &one_at_a_time, dir.path().join("worker.log"));
    wait_for_results(&env, 30, &worker).await;
    common::rabbitmqctl(&[
        "close_all_connections",
        "--vhost",
        &vhost,
        "--limit",
        "100",
        "closed by the recovery test",
    ]);
    let jobs_queue = env.settings.amqp.jobs_queue.clone();
    assert!(
        env.queue_len(&jobs_queue).await > 0,
        "the close should land mid-batch"
    );
    let mut seen = Seen::new();
    collect(&env, &mut seen, expected.len()).await;
    assert!(
        worker.running(),
        "the worker survives; log:\n{}",
        worker.log()
    );
    assert_every_job_has_its_result(&seen, &expected);
    assert_nothing_dead_lettered(&env).await;
    let log = worker.log();
    let notable: Vec<&str> = log
        .lines()
        .filter(|l| !l.contains("result published"))
        .collect();
    assert!(
        log.contains("\"recovered\":true"),
        "the worker reconnected:\n{}",
        notable.join("\n")
    );
    worker.signal("-TERM");
    assert_eq!(worker.wait().await.code(), Some(0), "{}", worker.log());
}
