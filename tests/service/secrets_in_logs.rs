//! Secrets never reach a log line. The real `docingest worker` runs with a broker password and
//! S3 keys that are unique strings, at log level `trace` for every crate (docingest, lapin, the
//! AWS SDK, hyper): once doing real work (a result, a dead letter, a broker that closes the
//! connection under it) and once failing to log in. Its whole stderr is then searched for the
//! secrets, raw and percent-encoded. `docingest config check` is held to the same rule.
//!
//! The S3 access key *id* is an identifier, not a secret (AWS signs with the secret key; the id
//! travels in every request's `Authorization` header), and the AWS SDK prints it in its own
//! debug and trace lines. docingest redacts it everywhere it prints it itself; the test pins
//! that it appears in no line but the SDK's debug/trace ones, and in none at the default level.

use crate::common;

use common::process::Proc;
use common::{rabbitmqctl, s3_endpoint, Options, TestEnv};
use std::process::Command;
use std::time::{Duration, Instant};

/// A password that needs percent-encoding in a URL, so a leak of the encoded form is caught too.
fn secret(tag: &str, env: &TestEnv) -> String {
    format!("{tag}-{}-p@ss/w:rd", env.name)
}

fn encoded(s: &str) -> String {
    s.replace('@', "%40")
        .replace('/', "%2F")
        .replace(':', "%3A")
}

fn assert_no_secret(log: &str, secrets: &[&str], what: &str) {
    for s in secrets {
        for form in [s.to_string(), encoded(s)] {
            assert!(
                !log.contains(&form),
                "{what}: the log contains the secret {form:?}:\n{}",
                log.lines()
                    .filter(|l| l.contains(&form))
                    .take(5)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

/// A broker user of this test's own, allowed on its vhost only.
struct BrokerUser {
    name: String,
}

impl BrokerUser {
    fn create(env: &TestEnv, password: &str) -> BrokerUser {
        let name = format!("{}-user", env.name);
        let vhost = env.vhost.as_deref().expect("own vhost");
        rabbitmqctl(&["add_user", &name, password]);
        rabbitmqctl(&["set_permissions", "-p", vhost, &name, ".*", ".*", ".*"]);
        BrokerUser { name }
    }

    fn url(&self, env: &TestEnv, password: &str) -> String {
        format!(
            "amqp://{}:{}@{}/{}",
            self.name,
            encoded(password),
            common::broker_address(),
            env.vhost.as_deref().unwrap()
        )
    }
}

impl Drop for BrokerUser {
    fn drop(&mut self) {
        rabbitmqctl(&["delete_user", &self.name]);
    }
}

/// Waits until the running worker has logged `needle` `times` times.
async fn wait_for_log(proc: &mut Proc, needle: &str, times: usize) {
    let deadline = Instant::now() + common::PATIENCE;
    while proc.log().matches(needle).count() < times {
        assert!(proc.running(), "worker exited:\n{}", proc.log());
        assert!(
            Instant::now() < deadline,
            "fewer than {times} {needle:?} in the worker log:\n{}",
            proc.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_working_worker_logs_no_secret_even_at_trace_level() {
    needs!(Broker, S3);
    let env = TestEnv::with(
        "secrets_working",
        Options {
            s3_endpoint: Some(s3_endpoint()),
            own_vhost: true,
        },
    )
    .await;
    let password = secret("amqp", &env);
    let key_id = format!("AKID{}", env.name.replace(['-', '_'], "").to_uppercase());
    let secret_key = secret("s3key", &env);
    let user = BrokerUser::create(&env, &password);
    let dir = tempfile::tempdir().unwrap();

    let seed = std::fs::read(common::corpus_file("seeds/000_90f5a89fff8b2d4c.txt")).unwrap();
    env.put("good.txt", seed).await;
    let good = env.job("good.txt");
    let missing = env.job("missing.txt");

    let mut worker = Proc::spawn(
        &env,
        &[
            ("DOCINGEST_AMQP__URL", user.url(&env, &password)),
            ("DOCINGEST_STORAGE__ACCESS_KEY_ID", key_id.clone()),
            ("DOCINGEST_STORAGE__SECRET_ACCESS_KEY", secret_key.clone()),
            ("DOCINGEST_LOG__LEVEL", "trace".into()),
        ],
        dir.path().join("worker.log"),
    );
    env.publish_jobs(&[good.clone(), missing.clone()]).await;
    let results = env.results(1).await;
    assert_eq!(
        results[0].correlation_id().as_deref(),
        Some(good.job_id.as_str())
    );
    let dead = env.dead_letters(1).await;
    assert_eq!(
        dead[0].header("docingest-error-code").as_deref(),
        Some("object_not_found")
    );

    // The broker drops the connection: reconnection is a path that logs the URL's host.
    rabbitmqctl(&[
        "close_all_connections",
        "--vhost",
        env.vhost.as_deref().unwrap(),
        "secrets test",
    ]);
    wait_for_log(&mut worker, "secrets test", 1).await;
    worker.signal("-TERM");
    assert!(worker.wait().await.success(), "log:\n{}", worker.log());

    let log = worker.log();
    // The log is real and verbose: the job, the AWS SDK's request and lapin's frames are in it.
    assert!(log.contains(&good.job_id), "{log}");
    assert!(log.contains("aws_"), "no AWS SDK trace lines: {log}");
    assert!(log.contains("lapin"), "no lapin trace lines: {log}");
    assert!(
        log.contains("secrets test"),
        "the broker's close is in the log"
    );
    assert_no_secret(&log, &[&password, &secret_key], "working worker");
    for line in log.lines().filter(|l| l.contains(&key_id)) {
        let sdk_detail = line.contains(r#""target":"aws_"#)
            && (line.contains(r#""level":"TRACE""#) || line.contains(r#""level":"DEBUG""#));
        assert!(
            sdk_detail,
            "the access key id outside the AWS SDK's debug lines: {line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_default_level_not_even_the_access_key_id_is_logged() {
    needs!(Broker, S3);
    let env = TestEnv::with(
        "secrets_default",
        Options {
            s3_endpoint: Some(s3_endpoint()),
            ..Options::default()
        },
    )
    .await;
    let key_id = format!("AKID{}", env.name.replace(['-', '_'], "").to_uppercase());
    let secret_key = secret("s3key", &env);
    let dir = tempfile::tempdir().unwrap();
    env.put("good.txt", "一、总体情况\n正文。\n".as_bytes().to_vec())
        .await;
    let good = env.job("good.txt");
    let mut worker = Proc::spawn(
        &env,
        &[
            ("DOCINGEST_STORAGE__ACCESS_KEY_ID", key_id.clone()),
            ("DOCINGEST_STORAGE__SECRET_ACCESS_KEY", secret_key.clone()),
            // A missing object is logged with the storage error: the path most likely to
            // carry request details.
            ("DOCINGEST_LOG__LEVEL", "info".into()),
        ],
        dir.path().join("worker.log"),
    );
    let missing = env.job("missing.txt");
    env.publish_jobs(&[good.clone(), missing]).await;
    env.results(1).await;
    env.dead_letters(1).await;
    worker.signal("-TERM");
    assert!(worker.wait().await.success(), "log:\n{}", worker.log());
    let log = worker.log();
    assert!(log.contains(&good.job_id), "{log}");
    assert_no_secret(&log, &[&key_id, &secret_key], "default level");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_login_is_logged_without_the_password() {
    needs!(Broker);
    let env = TestEnv::with(
        "secrets_refused",
        Options {
            own_vhost: true,
            ..Options::default()
        },
    )
    .await;
    let password = secret("amqp", &env);
    let wrong = secret("wrong", &env);
    let user = BrokerUser::create(&env, &password);
    let dir = tempfile::tempdir().unwrap();
    let mut worker = Proc::spawn(
        &env,
        &[
            ("DOCINGEST_AMQP__URL", user.url(&env, &wrong)),
            ("DOCINGEST_LOG__LEVEL", "trace".into()),
        ],
        dir.path().join("worker.log"),
    );
    // Two attempts (reconnect_delay_secs = 1), each refused and logged.
    wait_for_log(&mut worker, "broker unreachable", 2).await;
    worker.signal("-TERM");
    worker.wait().await;
    let log = worker.log();
    assert!(
        log.contains(&user.name),
        "the user name is not secret: {log}"
    );
    assert_no_secret(&log, &[&wrong, &password], "refused login");
}

#[test]
fn config_check_prints_no_secret() {
    let password = "cfg-p@ss/w:rd-4f1c";
    let key_id = "AKIDCONFIGCHECK4F1C";
    let secret_key = "cfg-secret-4f1c";
    let out = Command::new(env!("CARGO_BIN_EXE_docingest"))
        .args(["config", "check"])
        .env_clear()
        .env(
            "DOCINGEST_AMQP__URL",
            format!("amqp://worker:{}@rabbit:5672/prod", encoded(password)),
        )
        .env("DOCINGEST_STORAGE__BACKEND", "s3")
        .env("DOCINGEST_STORAGE__ACCESS_KEY_ID", key_id)
        .env("DOCINGEST_STORAGE__SECRET_ACCESS_KEY", secret_key)
        .env("AWS_SECRET_ACCESS_KEY", secret_key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("amqp://worker:***@rabbit:5672/prod"), "{all}");
    assert_no_secret(&all, &[password, key_id, secret_key], "config check");
}
