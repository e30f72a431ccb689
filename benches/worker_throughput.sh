#!/usr/bin/env bash
# Worker throughput: JOBS seed-sized jobs (default 5000, copies of ../shared/corpus/seeds)
# through one release `docingest worker`, with the fs backend and with the S3 server that
# .ci/steps/20-s3.sh runs (moto on 127.0.0.1:9000). The jobs are queued first; the clock runs
# from the worker's start until /metrics counts JOBS published results (every result confirmed
# by the broker, every job acked). Reports jobs/s and the worker's CPU-seconds per job (utime +
# stime from /proc), plus the broker's CPU over the same interval (the broker is shared with
# whatever else runs on the machine, so that figure is approximate).
#
# Usage: benches/worker_throughput.sh [fs|s3|both]     (env: JOBS, CONCURRENCY, PREFETCH)
# Each run gets its own RabbitMQ vhost (deleted afterwards) and its own storage dir / bucket.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-both}
JOBS=${JOBS:-5000}
CONCURRENCY=${CONCURRENCY:-4}
PREFETCH=${PREFETCH:-16}
BIN=target/release/docingest
S3=http://127.0.0.1:9000

seeds=""
for d in ../shared/corpus/seeds ../../shared/corpus/seeds; do
  [ -d "$d" ] && seeds=$(cd "$d" && pwd) && break
done
[ -n "$seeds" ] || { echo "no ../shared/corpus/seeds" >&2; exit 1; }

cargo build --release --quiet --bin docingest
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
broker_pid=$(pgrep -o beam.smp || true)

run() {
  local backend=$1
  local name="bench-$backend-$(printf '%04x%04x' $RANDOM $RANDOM)"
  local work; work=$(mktemp -d)
  local port=$((20000 + RANDOM % 20000))
  rabbitmqctl -q add_vhost "$name" >/dev/null
  rabbitmqctl -q set_permissions -p "$name" guest '.*' '.*' '.*' >/dev/null
  # shellcheck disable=SC2064
  trap "rabbitmqctl -q delete_vhost '$name' >/dev/null 2>&1 || true; rm -rf '$work'" RETURN

  export DOCINGEST_AMQP__URL="amqp://guest:guest@127.0.0.1:5672/$name"
  export DOCINGEST_STORAGE__BACKEND=$backend
  export DOCINGEST_STORAGE__ROOT="$work/storage"
  export DOCINGEST_STORAGE__ENDPOINT=$S3
  export DOCINGEST_STORAGE__DEFAULT_BUCKET=$name
  export DOCINGEST_STORAGE__ALLOWED_BUCKETS=$name
  export DOCINGEST_STORAGE__RESULTS_BUCKET=$name
  export DOCINGEST_HTTP__ADDR="127.0.0.1:$port"
  export DOCINGEST_WORKER__CONCURRENCY=$CONCURRENCY
  export DOCINGEST_WORKER__PREFETCH=$PREFETCH
  if [ "$backend" = s3 ]; then
    export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  fi

  mkdir -p "$work/in"
  python3 - "$seeds" "$work/in" "$JOBS" <<'PY'
import os, shutil, sys
seeds = sorted(os.path.join(sys.argv[1], f) for f in os.listdir(sys.argv[1]))
for i in range(int(sys.argv[3])):
    shutil.copyfile(seeds[i % len(seeds)], os.path.join(sys.argv[2], f"{i:05d}.txt"))
PY
  "$BIN" submit --create-bucket "$work/in" >/dev/null 2>"$work/submit.log"

  local b0=0; [ -n "$broker_pid" ] && b0=$(cpu_ticks "$broker_pid")
  local t0; t0=$(date +%s.%N)
  "$BIN" worker 2>"$work/worker.log" &
  local pid=$!
  local done=0
  while [ "${done:-0}" -lt "$JOBS" ]; do
    sleep 0.05
    kill -0 "$pid" 2>/dev/null || { echo "worker died:" >&2; tail "$work/worker.log" >&2; return 1; }
    done=$(curl -s "http://127.0.0.1:$port/metrics" \
      | awk '$1 == "docingest_jobs_total{outcome=\"published\"}" {print $2}')
  done
  local t1; t1=$(date +%s.%N)
  local ticks; ticks=$(cpu_ticks "$pid")
  local b1=0; [ -n "$broker_pid" ] && b1=$(cpu_ticks "$broker_pid")
  kill -TERM "$pid"; wait "$pid"
  awk -v b="$backend" -v n="$JOBS" -v t0="$t0" -v t1="$t1" -v w="$ticks" -v bc="$((b1 - b0))" \
      -v tick="$TICK" -v c="$CONCURRENCY" -v p="$PREFETCH" 'BEGIN {
    s = t1 - t0
    printf "%-3s jobs=%d concurrency=%d prefetch=%d  %.2f s  %.0f jobs/s  worker %.2f CPU-s (%.3f ms CPU/job)  broker %.2f CPU-s\n",
      b, n, c, p, s, n / s, w / tick, 1000 * w / tick / n, bc / tick
  }'
}

case "$MODE" in
  fs) run fs ;;
  s3) run s3 ;;
  both) run fs; run s3 ;;
  *) echo "usage: $0 [fs|s3|both]" >&2; exit 2 ;;
esac
