//! The service tests: the worker, the DLQ tools and the logs against a real RabbitMQ and the S3
//! test server (tests/common is their harness: each test gets its own exchanges, queues,
//! bucket or vhost). `.ci/run` runs this binary a second time against RabbitMQ 4.0.
//!
//! Without the services, outside CI, each test that needs one returns early and the binary
//! prints one line on stderr naming what to start; under `CI=true` those tests fail. Try it
//! with nothing listening:
//! `DOCINGEST_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5999 cargo test --test service`.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod dlq_keeping;
mod dlq_replay;
mod secrets_in_logs;
mod worker_pipeline;
mod worker_process;
mod worker_s3;
