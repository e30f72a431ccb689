"""The Python worker a team would otherwise write: the baseline of benches/e2e.

pika consumer with a prefetch on the docingest jobs queue; each job (CONTRACT §3:
{"job_id","bucket","key",...}) is fetched with boto3 get_object (or read from a directory with
--fs-root), its text extracted (python-docx for .docx: paragraphs, then table cells; UTF-8 for
anything else), and a small result JSON (document_id = sha256 of the bytes, job_id, bucket,
key, section headings found by a regex, text) is published to the results exchange with
publisher confirms and `mandatory`; the job is acked only after the broker confirmed the
result. A job that fails (missing object, corrupt file, unroutable result) is rejected without
requeue, which the jobs queue dead-letters to the DLQ. One job at a time per process (the GIL
makes threads pointless for parsing): run K processes for K-way parallelism.

Stops on SIGTERM or SIGINT after the job in hand. Usage: see --help.
"""

import argparse
import hashlib
import io
import json
import os
import re
import signal
import sys

import boto3
import botocore.config
import docx
import pika

# 一、 （一） (一) 1、 1． 第一部分: the numbering styles of the reports' section headings.
HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[、．.]|第[一二三四五六七八九十]+部分)"
)


def extract_text(key, data):
    if key.lower().endswith(".docx"):
        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        return "\n".join(parts)
    return data.decode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--amqp-url", required=True)
    ap.add_argument("--jobs-queue", default="docingest.jobs")
    ap.add_argument("--results-exchange", default="docingest.results")
    ap.add_argument("--results-routing-key", default="document.parsed")
    ap.add_argument("--prefetch", type=int, default=4)
    ap.add_argument("--s3-endpoint", default=None, help="S3 endpoint URL (path-style)")
    ap.add_argument("--fs-root", default=None, help="read ROOT/BUCKET/KEY instead of S3")
    args = ap.parse_args()

    if args.fs_root:
        def fetch(bucket, key):
            with open(os.path.join(args.fs_root, bucket, key), "rb") as f:
                return f.read()
    else:
        s3 = boto3.client(
            "s3",
            endpoint_url=args.s3_endpoint,
            region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
            config=botocore.config.Config(s3={"addressing_style": "path"}),
        )

        def fetch(bucket, key):
            return s3.get_object(Bucket=bucket, Key=key)["Body"].read()

    conn = pika.BlockingConnection(pika.URLParameters(args.amqp_url))
    channel = conn.channel()
    channel.confirm_delivery()
    channel.basic_qos(prefetch_count=args.prefetch)

    def on_job(ch, method, properties, body):
        try:
            job = json.loads(body)
            data = fetch(job["bucket"], job["key"])
            document_id = "sha256:" + hashlib.sha256(data).hexdigest()
            text = extract_text(job["key"], data)
            headings = [line.strip() for line in text.splitlines() if HEADING.match(line)]
            result = json.dumps(
                {
                    "document_id": document_id,
                    "job_id": job["job_id"],
                    "bucket": job["bucket"],
                    "key": job["key"],
                    "headings": headings,
                    "text": text,
                },
                ensure_ascii=False,
            ).encode()
            # Blocks until the broker confirms; raises on a nack or an unroutable result.
            ch.basic_publish(
                args.results_exchange,
                args.results_routing_key,
                result,
                pika.BasicProperties(
                    content_type="application/json",
                    delivery_mode=2,
                    message_id=document_id,
                    correlation_id=job["job_id"],
                    app_id="e2e-baseline",
                ),
                mandatory=True,
            )
        except Exception as e:  # noqa: BLE001 - every failure dead-letters the job
            print(f"job failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            ch.basic_reject(method.delivery_tag, requeue=False)
            return
        ch.basic_ack(method.delivery_tag)

    def stop(_signum, _frame):
        # Runs between pika callbacks: the job in hand is finished and acked first.
        conn.add_callback_threadsafe(channel.stop_consuming)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    channel.basic_consume(args.jobs_queue, on_job)
    channel.start_consuming()
    conn.close()


if __name__ == "__main__":
    main()
