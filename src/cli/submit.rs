//! `docingest submit PATH...`: upload files to `storage.default_bucket` (or `--bucket`) and
//! publish one job per file, with publisher confirms. Prints `job_id<TAB>bucket/key` per file
//! on stdout. A file that fails is reported on stderr and the others still go; the exit code is
//! 1 when any failed. Declares the topology first, so it works against an empty broker.

use crate::config::Settings;
use crate::worker::amqp::properties::job_properties;
use crate::worker::amqp::publisher::{Outgoing, Publisher};
use crate::worker::amqp::{self, topology};
use crate::worker::job::{new_job_id, JobMessage};
use crate::worker::storage::Storage;
use crate::worker::storage::{BucketName, ObjectKey};
use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio::task::JoinSet;

/// Files uploaded concurrently and published in one confirm round trip.
const BATCH: usize = 64;

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Files or directories (directories are walked recursively, in name order; keys keep the
    /// path below the directory).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Bucket to upload to [default: storage.default_bucket].
    #[arg(long)]
    pub bucket: Option<String>,
    /// Prefix of every object key, e.g. `2024/`.
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// `submission_id` of every job, to find the batch's results again.
    #[arg(long)]
    pub submission_id: Option<String>,
    /// Create the bucket first if it does not exist (S3; the fs backend creates it anyway).
    #[arg(long)]
    pub create_bucket: bool,
}

pub(super) fn run(args: SubmitArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load()?;
    crate::telemetry::init(&settings.log).map_err(anyhow::Error::msg)?;
    let bucket = BucketName::parse(
        args.bucket
            .as_deref()
            .unwrap_or(&settings.storage.default_bucket),
    )?;
    let mut files = Vec::new();
    for p in &args.paths {
        if p.is_dir() {
            collect(p, p, &mut files).with_context(|| format!("reading {}", p.display()))?;
        } else {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .with_context(|| format!("{}: not a UTF-8 file name", p.display()))?;
            files.push((p.clone(), name.to_string()));
        }
    }
    let rt = crate::worker::runtime()?;
    let failed = rt.block_on(async {
        let storage = Storage::from_settings(&settings.storage).await?;
        if args.create_bucket {
            storage.ensure_bucket(&bucket).await?;
        }
        let conn = amqp::connect(&settings.amqp.url, "docingest-submit").await?;
        topology::declare(&conn, &settings.amqp, &settings.worker.retry_delays_ms.0).await?;
        let publisher = Publisher::open(&conn, settings.amqp.confirm_timeout()).await?;
        let mut failed = 0usize;
        for batch in files.chunks(BATCH) {
            let mut uploads = JoinSet::new();
            for (i, (path, rel)) in batch.iter().enumerate() {
                let (storage, bucket) = (storage.clone(), bucket.clone());
                let (path, key) = (path.clone(), format!("{}{rel}", args.prefix));
                uploads.spawn(async move {
                    let r = async {
                        let key = ObjectKey::parse(&key)?;
                        let bytes = tokio::fs::read(&path)
                            .await
                            .with_context(|| format!("reading {}", path.display()))?;
                        storage
                            .put(&bucket, &key, bytes, "application/octet-stream")
                            .await?;
                        anyhow::Ok(key)
                    }
                    .await;
                    (i, path, r)
                });
            }
            let mut ready: Vec<(usize, PathBuf, ObjectKey)> = Vec::new();
            while let Some(done) = uploads.join_next().await {
                match done? {
                    (i, path, Ok(key)) => ready.push((i, path, key)),
                    (_, path, Err(e)) => {
                        failed += 1;
                        eprintln!("{}: {e:#}", path.display());
                    }
                }
            }
            ready.sort_by_key(|(i, _, _)| *i);
            let jobs: Vec<JobMessage> = ready
                .iter()
                .map(|(_, _, key)| JobMessage {
                    job_id: new_job_id(),
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                    version_id: None,
                    etag: None,
                    content_type: None,
                    submission_id: args.submission_id.clone(),
                    attributes: None,
                })
                .collect();
            let bodies = jobs
                .iter()
                .map(serde_json::to_vec)
                .collect::<Result<Vec<_>, _>>()?;
            let msgs: Vec<Outgoing<'_>> = jobs
                .iter()
                .zip(&bodies)
                .map(|(job, body)| Outgoing {
                    exchange: &settings.amqp.jobs_exchange,
                    routing_key: &settings.amqp.jobs_routing_key,
                    body,
                    properties: job_properties(&job.job_id),
                })
                .collect();
            match publisher.publish_all(&msgs).await {
                Ok(()) => {
                    for job in &jobs {
                        println!("{}\t{}/{}", job.job_id, job.bucket, job.key);
                    }
                }
                Err(e) => {
                    failed += jobs.len();
                    for (_, path, _) in &ready {
                        eprintln!(
                            "{}: uploaded, but the job was not published: {e}",
                            path.display()
                        );
                    }
                }
            }
        }
        let _ = conn.close(200, "done".into()).await;
        anyhow::Ok(failed)
    })?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            collect(base, &path, out)?;
        } else if let Some(rel) = path.strip_prefix(base).ok().and_then(|r| r.to_str()) {
            out.push((path.clone(), rel.replace(std::path::MAIN_SEPARATOR, "/")));
        }
    }
    Ok(())
}
