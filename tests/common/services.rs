//! The services a service test needs (RabbitMQ, the S3 test server), whether they answer, and
//! what happens when one does not. On a developer's machine without them, `cargo test` should
//! still pass every test that needs none: a test that needs one starts with [`needs!`], which
//! returns from it when the service does not answer, and the binary prints once, on stderr, one
//! line saying which tests did not run and what to start. In CI (`CI=true`) a missing service
//! is a failure of each test that needs it, never a skip.
//!
//! Whether a service answers is a TCP connect of at most a second, made once per binary.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Once, OnceLock};
use std::time::Duration;

/// How long a service has to accept a TCP connection before it counts as not answering.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The first line of every test that needs a running service: `needs!(Broker)`,
/// `needs!(Broker, S3)`. When one of them does not answer, the test returns right there
/// (libtest shows it as passed; the binary's one stderr line says it did not run), or, under
/// `CI=true`, fails with what to start.
macro_rules! needs {
    ($($service:ident),+ $(,)?) => {
        if $crate::common::services::missing(&[$($crate::common::services::Service::$service),+]) {
            return;
        }
    };
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Service {
    /// RabbitMQ at [`super::broker`] (`DOCINGEST_TEST_AMQP_URL`).
    Broker,
    /// The S3 test server at [`super::s3_endpoint`] (`DOCINGEST_TEST_S3_ENDPOINT`), started by
    /// `.ci/steps/20-s3.sh`, which also installs the moto server the outage test runs its own
    /// copy of.
    S3,
}

const ALL: [Service; 2] = [Service::Broker, Service::S3];

impl Service {
    /// Why the service cannot be used, or `None` when it answers. Probed once per binary.
    fn problem(self) -> Option<&'static str> {
        static BROKER: OnceLock<Option<String>> = OnceLock::new();
        static S3: OnceLock<Option<String>> = OnceLock::new();
        match self {
            Service::Broker => BROKER.get_or_init(|| {
                let port = if super::broker().starts_with("amqps:") {
                    5671
                } else {
                    5672
                };
                let address = with_port(&super::broker_address(), port);
                not_answering(&address).then(|| {
                    format!(
                        "RabbitMQ on {address} is not answering, start it with \
                         `rabbitmq-server -detached` (or set DOCINGEST_TEST_AMQP_URL)"
                    )
                })
            }),
            Service::S3 => S3.get_or_init(|| {
                let address = endpoint_address(&super::s3_endpoint());
                not_answering(&address).then(|| {
                    format!(
                        "the S3 test server on {address} is not answering, start it with \
                         `bash .ci/steps/20-s3.sh` (or set DOCINGEST_TEST_S3_ENDPOINT)"
                    )
                })
            }),
        }
        .as_deref()
    }
}

/// `CI=true`, as `.ci/run` and most CI systems set it.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// True when the calling test must return now because one of `needs` does not answer; what
/// [`needs!`] calls. Under `CI=true` it panics instead, naming what to start.
pub fn missing(needs: &[Service]) -> bool {
    let problems: Vec<&str> = needs.iter().filter_map(|s| s.problem()).collect();
    if problems.is_empty() {
        return false;
    }
    if in_ci() {
        panic!(
            "{} (CI=true: a missing service fails the test)",
            problems.join("; ")
        );
    }
    static REPORTED: Once = Once::new();
    REPORTED.call_once(|| {
        // Every service this binary's tests use, not only this test's: the one line names all
        // there is to start. Written to stderr directly, because libtest captures `eprintln!`
        // of a passing test.
        let all: Vec<&str> = ALL.iter().filter_map(|s| s.problem()).collect();
        let _ = writeln!(
            std::io::stderr(),
            "service tests not run: {}. Every test that needs one returned early and shows as \
             ok; with CI=true they fail.",
            all.join("; ")
        );
    });
    true
}

/// What [`super::TestEnv`] asserts before it connects: a test that reaches it without
/// [`needs!`] still fails with what to start, and with how to make it return early instead.
pub fn require(needs: &[Service]) {
    let problems: Vec<&str> = needs.iter().filter_map(|s| s.problem()).collect();
    assert!(
        problems.is_empty(),
        "{} (a test whose first line is `needs!({})` returns early instead, outside CI)",
        problems.join("; "),
        needs
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn not_answering(address: &str) -> bool {
    let Ok(addrs) = address.to_socket_addrs() else {
        return true;
    };
    !addrs
        .into_iter()
        .any(|a| TcpStream::connect_timeout(&a, CONNECT_TIMEOUT).is_ok())
}

/// `host:port` of an `http://` or `https://` endpoint.
fn endpoint_address(endpoint: &str) -> String {
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("http", endpoint));
    let authority = rest.split('/').next().unwrap_or(rest);
    with_port(authority, if scheme == "https" { 443 } else { 80 })
}

/// `authority` with `default` as its port when it names none (IPv6 literals in brackets too).
fn with_port(authority: &str, default: u16) -> String {
    let has_port = match authority.rsplit_once(':') {
        Some((host, port)) => !port.is_empty() && (!host.contains(':') || host.ends_with(']')),
        None => false,
    };
    if has_port {
        authority.to_string()
    } else {
        format!("{authority}:{default}")
    }
}
