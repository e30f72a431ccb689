"""End-to-end worker benchmark: publish -> S3 (or fs) -> parse -> result, K worker processes.

Run through `benches/e2e` (it builds the release binary and the venv this needs); see --help.

For each implementation (docingest, and the Python baseline in benches/e2e_baseline_worker.py)
and each K, in a RabbitMQ vhost of its own with the topology `docingest topology` declares:

1. backlog run (throughput): N jobs are published and, once the jobs queue holds all N, K
   worker processes are started; the clock runs from their start to the N-th distinct result
   on the results queue. jobs/s = N / that time (worker start-up included). CPU per job =
   utime + stime of the K worker processes at that moment (start-up included) / N; the
   broker's and the S3 server's CPU over the same interval are reported separately (both are
   shared with whatever else runs on the machine, so those two are approximate). Scaling
   efficiency = jobs/s(K) / (K x jobs/s(1)). Latency in this run is mostly queue wait and is
   labelled "backlog".
2. paced run (latency), with the same K workers, now warm: jobs are published at a fixed rate,
   --pace times the jobs/s the backlog run measured, for --paced-secs; latency = the result's
   arrival at the collector minus the job's publish time (one clock: both are this process).

Jobs are published without publisher confirms (a blocking confirm per job caps a pika
publisher at a few hundred jobs/s here, below docingest's paced rate); a lost job would show
as a missing result, and an unroutable one is returned and fails the run.
`--impl docingest --workers 1 --inputs text --storage fs|s3 --jobs 5000` is the one-worker
throughput measurement benches/worker_throughput.sh used to make.

Every job has one object behind it: the inputs are uploaded once, to a bucket of their own,
and the N jobs point at them round-robin. A run fails (exit 1) when a result is missing: a job
dead-lettered, a worker died, or no new result came for --stall-secs. Every result's message_id
must be the sha256 document id of the object its job named, and both implementations must give
the same document ids.
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import boto3
import botocore.config
import pika

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(REPO, "benches", "e2e_baseline_worker.py")
# The default topology (config/default.toml), which every run declares in its own vhost.
JOBS_EXCHANGE, JOBS_KEY, JOBS_QUEUE = "docingest.jobs", "job", "docingest.jobs"
RESULTS_QUEUE, DLQ = "docingest.results", "docingest.dlq"
TICK = os.sysconf("SC_CLK_TCK")
DRAIN_SECS = 25


class BenchFailure(Exception):
    pass


def parse_args():
    ap = argparse.ArgumentParser(
        prog="benches/e2e",
        description="End-to-end worker benchmark: docingest against a Python baseline.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    ap.add_argument("--jobs", type=int, default=1000, help="N, jobs per backlog run")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds over every implementation and K; the table shows medians")
    ap.add_argument("--workers", default="1,2,4", help="K values, comma-separated")
    ap.add_argument("--impl", default="docingest,python",
                    help="implementations to run, comma-separated: docingest, python")
    ap.add_argument(
        "--inputs",
        default="docx",
        help="docx (the seed renditions, corpus/variants/*.docx), text (corpus/seeds) or a "
        "directory",
    )
    ap.add_argument("--corpus", default=os.environ.get("DOCINGEST_CORPUS", "../shared/corpus"),
                    help="the shared corpus ($DOCINGEST_CORPUS)")
    ap.add_argument("--storage", choices=["s3", "fs"], default="s3",
                    help="where the workers read the inputs: S3, or a local directory (the "
                    "docingest fs backend; the baseline then reads files instead of boto3)")
    ap.add_argument("--s3-endpoint", default="http://127.0.0.1:9000", help="S3 server")
    ap.add_argument("--amqp", default=os.environ.get("DOCINGEST_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672").rstrip("/"),
                    help="broker, no vhost (default: DOCINGEST_TEST_AMQP_URL or the local 5672)")
    ap.add_argument("--concurrency", type=int, default=4, help="docingest worker.concurrency")
    ap.add_argument("--prefetch", type=int, default=16, help="docingest worker.prefetch")
    ap.add_argument("--py-prefetch", type=int, default=4, help="baseline basic.qos prefetch")
    ap.add_argument("--pace", type=float, default=0.6, help="paced rate / backlog jobs/s")
    ap.add_argument("--paced-secs", type=float, default=10, help="length of the paced run")
    ap.add_argument("--stall-secs", type=float, default=60, help="fail when no result this long")
    ap.add_argument("--binary", default=os.path.join(REPO, "target", "release", "docingest"),
                    help="the docingest binary (benches/e2e builds the release one otherwise)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs) on success")
    a = ap.parse_args()
    a.workers = [int(k) for k in a.workers.split(",")]
    a.impl = a.impl.split(",")
    for i in a.impl:
        if i not in ("docingest", "python"):
            ap.error(f"unknown implementation {i!r}")
    if a.jobs < 1 or a.repeat < 1 or any(k < 1 for k in a.workers):
        ap.error("--jobs, --repeat and --workers must be positive")
    return a


def input_files(a):
    if a.inputs == "docx":
        d, keep = os.path.join(a.corpus, "variants"), lambda f: f.endswith(".docx")
    elif a.inputs == "text":
        d, keep = os.path.join(a.corpus, "seeds"), lambda f: True
    else:
        d, keep = a.inputs, lambda f: True
    if not os.path.isdir(d):
        raise BenchFailure(f"no input directory {d} (set --corpus or DOCINGEST_CORPUS)")
    files = sorted(os.path.join(d, f) for f in os.listdir(d) if keep(f))
    files = [f for f in files if os.path.isfile(f)]
    if not files:
        raise BenchFailure(f"no input files in {d}")
    return files


def rabbitmqctl(*args):
    subprocess.run([*shlex.split(os.environ.get("DOCINGEST_TEST_RABBITMQCTL", "rabbitmqctl")), "-q", *args], check=True, stdout=subprocess.DEVNULL)


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def find_pid(*pattern):
    """The oldest process whose command line has these words in this order, or None."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        line = " ".join(argv)
        pos = 0
        for word in pattern:
            pos = line.find(word, pos)
            if pos < 0:
                break
            pos += len(word)
        else:
            found.append(int(pid))
    return min(found) if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def percentile(values, p):
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[max(0, -(-len(s) * p // 100) - 1)]


class Collector(threading.Thread):
    """Consumes the results queue on its own connection and timestamps every arrival."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.lock = threading.Lock()
        self.first = {}  # job id -> (arrival, message_id)
        self.bodies = {}  # job id -> body, for the first result of each object only
        self.duplicates = 0
        self.stray = 0
        self.expected = {}  # job id -> key; set before the job is published
        self.body_for_key = set()
        self.result_bytes = 0
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.error = None

    def run(self):
        try:
            conn = pika.BlockingConnection(pika.URLParameters(self.url))
            ch = conn.channel()
            ch.basic_consume(RESULTS_QUEUE, self.on_result, auto_ack=True)
            self.ready.set()
            while not self.stop.is_set():
                conn.process_data_events(time_limit=0.05)
            conn.close()
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.error = e
            self.ready.set()

    def on_result(self, _ch, _method, props, body):
        now = time.monotonic()
        job_id = props.correlation_id
        with self.lock:
            key = self.expected.get(job_id)
            if key is None:
                self.stray += 1
            elif job_id in self.first:
                self.duplicates += 1
            else:
                self.first[job_id] = (now, props.message_id)
                self.result_bytes += len(body)
                if key not in self.body_for_key:
                    self.body_for_key.add(key)
                    self.bodies[job_id] = body

    def count(self, job_ids):
        with self.lock:
            return sum(1 for j in job_ids if j in self.first)


class Run:
    """One implementation at one K: its vhost, its workers, its backlog and paced runs."""

    def __init__(self, a, impl, k, round_, bench, objects, work, pids):
        self.a, self.impl, self.k, self.bench = a, impl, k, bench
        self.objects, self.work, self.pids = objects, work, pids
        self.vhost = f"{bench}-{impl}-k{k}-r{round_}"
        self.url = f"{a.amqp}/{urllib.parse.quote(self.vhost, safe='')}"
        self.procs = []
        self.returned = []
        self.ports = []
        self.logs = []

    # -- set-up -------------------------------------------------------------------------------
    def docingest_env(self, port):
        env = dict(os.environ)
        env.update(
            DOCINGEST_AMQP__URL=self.url,
            DOCINGEST_STORAGE__BACKEND=self.a.storage,
            DOCINGEST_STORAGE__ROOT=os.path.join(self.work, "storage"),
            DOCINGEST_STORAGE__ENDPOINT=self.a.s3_endpoint,
            DOCINGEST_STORAGE__DEFAULT_BUCKET=self.bench,
            DOCINGEST_STORAGE__ALLOWED_BUCKETS=self.bench,
            DOCINGEST_STORAGE__RESULTS_BUCKET=self.bench,
            DOCINGEST_HTTP__ADDR=f"127.0.0.1:{port}",
            DOCINGEST_WORKER__CONCURRENCY=str(self.a.concurrency),
            DOCINGEST_WORKER__PREFETCH=str(self.a.prefetch),
            DOCINGEST_WORKER__DRAIN_TIMEOUT_SECS=str(DRAIN_SECS),
        )
        return env

    def start_workers(self):
        for i in range(self.k):
            log = open(os.path.join(self.work, f"{self.vhost}-{i}.log"), "wb")
            self.logs.append(log)
            if self.impl == "docingest":
                port = free_port()
                self.ports.append(port)
                argv, env = [self.a.binary, "worker"], self.docingest_env(port)
            else:
                argv = [sys.executable, BASELINE, "--amqp-url", self.url,
                        "--prefetch", str(self.a.py_prefetch)]
                if self.a.storage == "fs":
                    argv += ["--fs-root", os.path.join(self.work, "storage")]
                else:
                    argv += ["--s3-endpoint", self.a.s3_endpoint]
                env = dict(os.environ)
            self.procs.append(subprocess.Popen(argv, env=env, stdout=log, stderr=log,
                                               stdin=subprocess.DEVNULL))

    def stop_workers(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        bad = []
        for p in self.procs:
            try:
                code = p.wait(timeout=DRAIN_SECS + 5)
            except subprocess.TimeoutExpired:
                p.kill()
                code = p.wait()
            if code != 0:
                bad.append(f"pid {p.pid} exited {code}")
        for log in self.logs:
            log.close()
        return bad

    def log_tails(self):
        out = []
        for log in self.logs:
            log.flush()
            with open(log.name, "rb") as f:
                tail = b"\n".join(f.read()[-2000:].splitlines()[-8:]).decode(errors="replace")
            out.append(f"--- {log.name} (last lines)\n{tail}")
        return "\n".join(out)

    # -- measuring ----------------------------------------------------------------------------
    def publish(self, ch, collector, job_id, key):
        body = json.dumps({"job_id": job_id, "bucket": self.bench, "key": key}).encode()
        with collector.lock:
            collector.expected[job_id] = key
        t = time.monotonic()
        ch.basic_publish(
            JOBS_EXCHANGE, JOBS_KEY, body,
            pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                 message_id=job_id),
            mandatory=True,
        )
        return t

    def dead_letters(self, ch):
        return ch.queue_declare(DLQ, passive=True).method.message_count

    def consumers(self, ch):
        return ch.queue_declare(JOBS_QUEUE, passive=True).method.consumer_count

    def wait_results(self, conn, ch, collector, job_ids, since):
        """Until every job in job_ids has a result; the arrival of the last one."""
        last_count, last_progress, next_check = -1, since, 0.0
        while True:
            n = collector.count(job_ids)
            now = time.monotonic()
            if n == len(job_ids):
                with collector.lock:
                    return max(collector.first[j][0] for j in job_ids)
            if n != last_count:
                last_count, last_progress = n, now
            if collector.error is not None:
                raise BenchFailure(f"result collector failed: {collector.error!r}")
            if self.returned:
                self.fail(job_ids, n, f"{len(self.returned)} job(s) returned unroutable")
            dead = [p.pid for p in self.procs if p.poll() is not None]
            if dead:
                self.fail(job_ids, n, f"worker process(es) {dead} exited")
            if now >= next_check:
                next_check = now + 0.5
                # Once every job has a result or a dead letter, nothing more will come.
                letters = self.dead_letters(ch)
                if letters and n + letters >= len(job_ids):
                    self.fail(job_ids, n, f"{letters} job(s) dead-lettered",
                              self.describe_dlq(conn))
            if now - last_progress > self.a.stall_secs:
                self.fail(job_ids, n, f"no new result for {self.a.stall_secs:.0f} s")
            conn.sleep(0.02)

    def describe_dlq(self, conn):
        ch = conn.channel()
        lines = []
        for _ in range(3):
            method, props, body = ch.basic_get(DLQ, auto_ack=False)
            if method is None:
                break
            h = props.headers or {}
            why = h.get("docingest-error-code") or ("x-death" if "x-death" in h else "?")
            msg = h.get("docingest-error-message", "")
            lines.append(f"  dead letter: {why} {msg} {body[:200]!r}")
        ch.close()  # unacked letters go back to the queue
        return "\n".join(lines)

    def fail(self, job_ids, n, why, detail=""):
        missing = len(job_ids) - n
        raise BenchFailure(
            f"{self.impl} K={self.k}: {missing} of {len(job_ids)} job(s) have no result: {why}"
            + (f"\n{detail}" if detail else "") + f"\n{self.log_tails()}"
        )

    def execute(self):
        a = self.a
        rabbitmqctl("add_vhost", self.vhost)
        try:
            rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
            env = self.docingest_env(free_port())
            subprocess.run([a.binary, "topology"], env=env, check=True, stdout=subprocess.DEVNULL)
            collector = Collector(self.url)
            collector.start()
            collector.ready.wait()
            if collector.error is not None:
                raise BenchFailure(f"result collector failed: {collector.error!r}")
            conn = pika.BlockingConnection(pika.URLParameters(self.url))
            try:
                # No publisher confirms (see the module doc): the backlog is checked by the
                # queue's depth, a paced job lost is a missing result, a returned one fails.
                ch = conn.channel()
                ch.add_on_return_callback(lambda _c, _m, props, _b: self.returned.append(
                    props.message_id))
                try:
                    return self.measure(conn, ch, collector)
                finally:
                    bad = self.stop_workers()
                    if bad:
                        print(f"  warning: {self.impl} K={self.k} shutdown: {'; '.join(bad)}",
                              file=sys.stderr)
            finally:
                collector.stop.set()
                collector.join(timeout=5)
                conn.close()
        finally:
            rabbitmqctl("delete_vhost", self.vhost)

    def measure(self, conn, ch, collector):
        a, keys = self.a, sorted(self.objects)
        load, driver0 = loadavg(), os.times()
        # Backlog: everything queued before the workers start.
        sent = {}
        for i in range(a.jobs):
            job_id = f"b{i:07d}"
            sent[job_id] = self.publish(ch, collector, job_id, keys[i % len(keys)])
        deadline = time.monotonic() + a.stall_secs
        while (queued := ch.queue_declare(JOBS_QUEUE, passive=True).method.message_count) < a.jobs:
            if time.monotonic() > deadline or self.returned:
                raise BenchFailure(f"{self.impl} K={self.k}: the jobs queue holds {queued} of the "
                                   f"{a.jobs} jobs published ({len(self.returned)} returned)")
            conn.sleep(0.05)
        broker0 = cpu_ticks(self.pids["broker"]) if self.pids["broker"] else None
        s30 = cpu_ticks(self.pids["s3"]) if self.pids["s3"] else None
        t0 = time.monotonic()
        self.start_workers()
        t1 = self.wait_results(conn, ch, collector, list(sent), t0)
        worker_ticks = sum(cpu_ticks(p.pid) for p in self.procs)
        broker1 = cpu_ticks(self.pids["broker"]) if self.pids["broker"] else None
        s31 = cpu_ticks(self.pids["s3"]) if self.pids["s3"] else None
        with collector.lock:
            first = dict(collector.first)
            start_up = min(t for t, _ in first.values()) - t0
        backlog_lat = [(first[j][0] - t) * 1000 for j, t in sent.items()]
        rate = a.jobs / (t1 - t0)
        row = {
            "impl": self.impl, "k": self.k, "secs": t1 - t0, "jobs_s": rate,
            "start_up": start_up, "load": load,
            "cpu_ms": 1000 * worker_ticks / TICK / a.jobs,
            "broker_ms": None if broker0 is None else 1000 * (broker1 - broker0) / TICK / a.jobs,
            "s3_ms": None if s30 is None else 1000 * (s31 - s30) / TICK / a.jobs,
            "backlog_p50": percentile(backlog_lat, 50), "backlog_p99": percentile(backlog_lat, 99),
        }

        # Paced: the same, now warm, workers; one job every 1/target seconds on a fixed
        # schedule (a late publish does not shift the ones after it).
        if a.paced_secs > 0:
            while self.consumers(ch) < self.k:
                if any(p.poll() is not None for p in self.procs):
                    raise BenchFailure(f"{self.impl} K={self.k}: a worker exited\n"
                                       f"{self.log_tails()}")
                conn.sleep(0.05)
            target = a.pace * rate
            count = max(20, round(target * a.paced_secs))
            paced = {}
            ticks0 = sum(cpu_ticks(p.pid) for p in self.procs)
            start = time.monotonic()
            for i in range(count):
                due = start + i / target
                delay = due - time.monotonic()
                if delay > 0:
                    conn.sleep(delay)
                job_id = f"p{i:07d}"
                paced[job_id] = self.publish(ch, collector, job_id, keys[i % len(keys)])
            published_in = time.monotonic() - start
            self.wait_results(conn, ch, collector, list(paced), start)
            paced_ticks = sum(cpu_ticks(p.pid) for p in self.procs) - ticks0
            with collector.lock:
                lat = [(collector.first[j][0] - t) * 1000 for j, t in paced.items()]
            row.update(paced_target=target, paced_rate=(count - 1) / published_in,
                       paced_jobs=count, p50=percentile(lat, 50), p99=percentile(lat, 99),
                       paced_cpu_ms=1000 * paced_ticks / TICK / count)
        driver1 = os.times()
        row["driver_cpu"] = driver1.user + driver1.system - driver0.user - driver0.system
        row["retries"], row["reconnects"] = self.docingest_counters()
        with collector.lock:
            row["duplicates"], row["stray"] = collector.duplicates, collector.stray
            row["result_bytes"] = collector.result_bytes / len(collector.first)
            firsts = dict(collector.first)
            bodies = dict(collector.bodies)
            expected = dict(collector.expected)
        if row["stray"]:
            raise BenchFailure(f"{self.impl} K={self.k}: {row['stray']} result(s) for jobs "
                               "this run never published")
        row["doc_ids"] = self.check_results(firsts, bodies, expected)
        return row

    def docingest_counters(self):
        """Retries and broker reconnections the docingest workers counted (their /metrics);
        None for the baseline (a dropped connection ends its process, and so the run).
        Reconnections are connections beyond each worker's first: the disconnects counter
        misses a connection that lapin recovers."""
        if self.impl != "docingest":
            return None, None
        totals = {"docingest_retries_total": 0.0, "docingest_broker_connections_total": 0.0}
        for port in self.ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                for line in r.read().decode().splitlines():
                    name = line.split("{")[0].split(" ")[0]
                    if name in totals:
                        totals[name] += float(line.split()[-1])
        return (int(totals["docingest_retries_total"]),
                int(totals["docingest_broker_connections_total"]) - len(self.ports))

    def check_results(self, firsts, bodies, expected):
        """Every result names the document its job's object is; returns key -> document id."""
        wrong = [(j, m) for j, (_, m) in firsts.items() if m != self.objects[expected[j]]]
        if wrong:
            j, m = wrong[0]
            raise BenchFailure(f"{self.impl} K={self.k}: {len(wrong)} result(s) with the wrong "
                               f"document id, e.g. job {j}: {m}, expected "
                               f"{self.objects[expected[j]]}")
        for job_id, body in bodies.items():
            doc = json.loads(body)
            want = self.objects[expected[job_id]]
            if doc.get("job_id") != job_id or doc.get("document_id") != want:
                raise BenchFailure(f"{self.impl} K={self.k}: result body for job {job_id} does "
                                   f"not match its job: {body[:300]!r}")
        return {expected[j]: m for j, (_, m) in firsts.items()}


class Storage:
    """The inputs, uploaded once to a bucket of their own (S3) or a temp storage root (fs)."""

    def __init__(self, a, bucket, work, files):
        self.a, self.bucket, self.work = a, bucket, work
        self.objects = {}  # key -> document id
        self.total_bytes = 0
        if a.storage == "s3":
            self.s3 = boto3.client(
                "s3", endpoint_url=a.s3_endpoint, region_name="us-east-1",
                config=botocore.config.Config(s3={"addressing_style": "path"}),
            )
            self.s3.create_bucket(Bucket=bucket)
        else:
            os.makedirs(os.path.join(work, "storage", bucket))
        for path in files:
            key = os.path.basename(path)
            with open(path, "rb") as f:
                data = f.read()
            self.objects[key] = "sha256:" + hashlib.sha256(data).hexdigest()
            self.total_bytes += len(data)
            if a.storage == "s3":
                self.s3.put_object(Bucket=bucket, Key=key, Body=data)
            else:
                shutil.copyfile(path, os.path.join(work, "storage", bucket, key))

    def delete(self):
        if self.a.storage != "s3":
            return
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            keys += [{"Key": o["Key"]} for o in page.get("Contents", [])]
        for i in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys[i:i + 1000]})
        self.s3.delete_bucket(Bucket=self.bucket)


def fmt(v, spec):
    return "—" if v is None or v != v else format(v, spec)


def median(values):
    """The median; None when any run lacks the figure."""
    if any(v is None for v in values):
        return None
    s = sorted(values)
    return (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2


def medians(rows):
    """One row per implementation and K, each figure the median over the rounds."""
    groups = {}
    for r in rows:
        groups.setdefault((r["impl"], r["k"]), []).append(r)
    out = []
    for (impl, k), runs in groups.items():
        m = {"impl": impl, "k": k, "runs": [r["jobs_s"] for r in runs]}
        for field in ("jobs_s", "cpu_ms", "paced_cpu_ms", "broker_ms", "s3_ms", "paced_rate",
                      "p50", "p99", "backlog_p50", "backlog_p99"):
            m[field] = median([r.get(field) for r in runs])
        out.append(m)
    return out


def report(a, rows, files, storage, load0, started):
    rows = medians(rows)
    base = {r["impl"]: r["jobs_s"] for r in rows if r["k"] == 1}
    print()
    print("| implementation | K | jobs/s | scaling efficiency | worker CPU ms/job (backlog) | "
          "worker CPU ms/job (paced) | broker CPU ms/job | S3 server CPU ms/job | paced jobs/s "
          "| paced p50 ms | paced p99 ms | backlog p50 ms | backlog p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        eff = r["jobs_s"] / (r["k"] * base[r["impl"]]) if r["impl"] in base else None
        spread = f" ({min(r['runs']):,.0f}–{max(r['runs']):,.0f})" if len(r["runs"]) > 1 else ""
        print(f"| {r['impl']} | {r['k']} | {r['jobs_s']:,.0f}{spread} | {fmt(eff, '.0%')} | "
              f"{r['cpu_ms']:.2f} | {fmt(r.get('paced_cpu_ms'), '.2f')} | "
              f"{fmt(r['broker_ms'], '.2f')} | {fmt(r['s3_ms'], '.2f')} | "
              f"{fmt(r.get('paced_rate'), ',.0f')} | {fmt(r.get('p50'), ',.0f')} | "
              f"{fmt(r.get('p99'), ',.0f')} | {r['backlog_p50']:,.0f} | {r['backlog_p99']:,.0f} |")
    print()
    names = ", ".join(os.path.basename(f) for f in files)
    print(f"inputs: {len(files)} files, {storage.total_bytes:,} bytes ({names}); storage "
          f"{a.storage}{' ' + a.s3_endpoint if a.storage == 's3' else ''}")
    print(f"N = {a.jobs} jobs per backlog run, round-robin over the inputs; paced run: "
          f"{a.pace:.0%} of the backlog jobs/s for {a.paced_secs:g} s; "
          + (f"medians of {a.repeat} rounds (jobs/s: min–max in brackets)" if a.repeat > 1
             else "one round"))
    print(f"docingest: {os.path.relpath(a.binary, REPO)} worker, concurrency {a.concurrency}, "
          f"prefetch {a.prefetch} per process; python baseline: 1 job at a time per process, "
          f"prefetch {a.py_prefetch}")
    print(f"load average (1/5/15 min): {load0} at the start, {loadavg()} at the end; "
          f"{os.cpu_count()} CPUs; {time.time() - started:.0f} s; "
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print("backlog: N jobs queued, then K workers started; jobs/s and CPU ms/job (backlog) "
          "include worker start-up; broker and S3 CPU are over the backlog run (shared servers: "
          "approximate)")
    print("paced: the same warm workers, jobs published at the paced rate; CPU ms/job (paced) is "
          "the workers' CPU over that run / its jobs; latency = publish -> result at the "
          "collector (paced: under load below capacity; backlog: mostly queue wait)")


def main():
    a = parse_args()
    started, load0 = time.time(), loadavg()
    files = input_files(a)
    if not os.access(a.binary, os.X_OK):
        raise BenchFailure(f"{a.binary} missing: run benches/e2e, which builds it")
    if a.storage == "s3":
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    bench = "e2e-" + base64.b32encode(os.urandom(5)).decode().lower()
    work = tempfile.mkdtemp(prefix=bench + "-")
    port = urllib.parse.urlsplit(a.s3_endpoint).port
    pids = {
        "broker": find_pid("beam.smp"),
        "s3": find_pid("moto_server", "-p", str(port)) if a.storage == "s3" else None,
    }
    rows, ok = [], False
    storage = Storage(a, bench, work, files)
    try:
        # Rounds rather than back-to-back repeats, so a burst of load on the shared machine
        # hits every configuration alike.
        for round_ in range(a.repeat):
            for impl, k in [(impl, k) for impl in a.impl for k in a.workers]:
                r = Run(a, impl, k, round_, bench, storage.objects, work, pids).execute()
                r["round"] = round_ + 1
                rows.append(r)
                print(f"round {round_ + 1}, {impl} K={k}: backlog {a.jobs} jobs in {r['secs']:.2f} s = "
                      f"{r['jobs_s']:,.1f} jobs/s (first result {r['start_up']:.2f} s after "
                      f"start), {r['cpu_ms']:.2f} worker CPU ms/job; paced "
                      f"{fmt(r.get('paced_rate'), '.1f')} jobs/s (target "
                      f"{fmt(r.get('paced_target'), '.1f')}), {r.get('paced_jobs', 0)} jobs, "
                      f"p50 {fmt(r.get('p50'), '.1f')} ms p99 {fmt(r.get('p99'), '.1f')} ms, "
                      f"{fmt(r.get('paced_cpu_ms'), '.2f')} worker CPU ms/job; "
                      f"{r['result_bytes']:,.0f} B/result; duplicates {r['duplicates']}, "
                      f"retries {fmt(r['retries'], 'd')}, broker reconnections "
                      f"{fmt(r['reconnects'], 'd')}; this script used "
                      f"{r['driver_cpu']:.1f} CPU-s; load {r['load']}", flush=True)
        ids = {}
        for r in rows:
            for key, doc in r["doc_ids"].items():
                if ids.setdefault(key, doc) != doc:
                    raise BenchFailure(f"{key}: {r['impl']} K={r['k']} gave document id {doc}, "
                                       f"another run {ids[key]}")
        report(a, rows, files, storage, load0, started)
        disturbed = [f"round {r['round']} {r['impl']} K={r['k']}" for r in rows
                     if r["duplicates"] or r["retries"] or r["reconnects"]]
        if disturbed:
            print(f"disturbed runs (duplicates, retries or broker reconnections: see their lines "
                  f"above; their figures include the recovery): {', '.join(disturbed)}")
        ok = True
    finally:
        storage.delete()
        if ok and not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"worker logs kept in {work}", file=sys.stderr)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    except BenchFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
