#!/usr/bin/env bash
# An S3-compatible server for the storage tests: moto (an in-memory S3) from PyPI in a venv
# under .ci-state/, listening on 127.0.0.1:9000 (tests read DOCINGEST_TEST_S3_ENDPOINT, default
# http://127.0.0.1:9000). Idempotent: installs once, starts only when nothing answers there.
# The venv's moto_server is also what tests/service/worker_s3.rs starts privately to simulate outages.
set -euo pipefail
cd "$(dirname "$0")/../.."
STATE="$PWD/.ci-state"
VENV="$STATE/moto-venv"
PORT=9000
MOTO_VERSION=5.2.5
mkdir -p "$STATE"

if [ ! -x "$VENV/bin/moto_server" ] || ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "installing moto[server]==$MOTO_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# Healthy = ListBuckets answers 200. A server that answers anything else (a stale moto whose
# venv is gone answers 500 to everything) is stopped and replaced.
answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/")" = 200 ]; }
port_taken() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; }

if ! answers && port_taken; then
  echo "something unhealthy holds 127.0.0.1:$PORT; stopping it"
  pkill -f "moto_server .*-p $PORT" || true
  for _ in $(seq 20); do port_taken || break; sleep 0.5; done
  if port_taken; then pkill -9 -f "moto_server .*-p $PORT" || true; sleep 1; fi
fi
if ! answers; then
  # setsid: the server outlives this script and the CI step that ran it.
  setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$STATE/moto.log" 2>&1 < /dev/null &
  echo $! >"$STATE/moto.pid"
  for _ in $(seq 120); do answers && break; sleep 0.5; done
fi
if ! answers; then
  echo "moto did not start on 127.0.0.1:$PORT; its log:" >&2
  cat "$STATE/moto.log" >&2 || true
  exit 1
fi
echo "s3 (moto $MOTO_VERSION) up on 127.0.0.1:$PORT"
