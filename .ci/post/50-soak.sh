#!/usr/bin/env bash
# The short soak (issue 7): the checker's self-test, then 800 jobs through three debug
# `docingest worker` processes (the binary `cargo test --all-targets` has just built) while
# workers are SIGKILLed every ~4 s, their broker connections are closed and S3 is down for
# 10 s; fails on any violation of the invariant (benches/soak prints the job ids). About two
# minutes; creates .ci-state/soak-venv (pika, boto3) on its first run.
set -euo pipefail
cd "$(dirname "$0")/../.."
benches/soak --self-test
benches/soak --short --binary target/debug/docingest
