#!/usr/bin/env bash
# The `amqps` feature (amqp:// over TLS through lapin's rustls with the system's roots) is not
# in the default build the tests use; make sure it still compiles. No TLS handshake is made
# here (see SECURITY.md, "TLS for AMQP and S3").
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo check --locked --quiet --features amqps --bin docingest
echo "amqps feature: builds"
