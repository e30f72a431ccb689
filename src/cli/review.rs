//! `docingest review INPUT... [-o review.html] [--csv overview.csv]`: a page for reviewers
//! (which annual reports lack a required part, their facts, their GB/T 9704 elements) and the
//! overview as a sheet for Excel, from result JSON Lines.
//!
//! INPUT is a file of result JSON Lines (`docingest parse DIR`, `docingest results`), a
//! directory of such files (`*.jsonl`, `*.ndjson`, `*.json`, walked in name order), or `-` for
//! stdin. A claim check (the pointer the worker publishes for a result too large to inline) is
//! followed through the configured storage with `--follow-claim-checks`: only from
//! `storage.results_bucket`, size-checked and time-bounded like every storage read. A line or
//! file that cannot be read is reported on stderr and the run goes on; the page is still
//! written and the exit code is 1.

use crate::config::{CommaList, Settings};
use crate::review::input::{self, Entry, ResultRef};
use crate::review::{html, Added, Collection, Report, ReviewLimits};
use crate::worker::storage::Storage;
use crate::worker::storage::{BucketName, ObjectKey};
use anyhow::Context;
use clap::Args;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Result JSON Lines files, directories of them, or `-` for stdin.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the HTML page.
    #[arg(short = 'o', long, default_value = "review.html")]
    pub output: PathBuf,
    /// Also write the overview as CSV (UTF-8 with BOM, for Excel).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Fetch claim-checked results from storage.results_bucket using the layered configuration
    /// (DOCINGEST_CONFIG, DOCINGEST_STORAGE__*). Without it a claim check is reported and skipped.
    #[arg(long)]
    pub follow_claim_checks: bool,
    /// Longest input line (one result) read; longer ones are skipped and reported.
    #[arg(long, value_name = "BYTES", default_value_t = ReviewLimits::default().max_line_bytes)]
    pub max_line_bytes: usize,
    /// Distinct reports on one page; more are counted and reported.
    #[arg(long, value_name = "N", default_value_t = ReviewLimits::default().max_reports)]
    pub max_reports: usize,
    /// Sections, facts and warnings kept per report in the detail view (counts stay exact).
    #[arg(long, value_name = "N", default_value_t = ReviewLimits::default().max_items)]
    pub max_items: usize,
    /// Characters kept of one piece of document text.
    #[arg(long, value_name = "N", default_value_t = ReviewLimits::default().max_text_chars)]
    pub max_text_chars: usize,
}

/// Storage for claim checks, set up on the first one met (a run without claim checks needs no
/// configuration at all).
struct ClaimChecks {
    follow: bool,
    ready: Option<(tokio::runtime::Runtime, Storage)>,
}

impl ClaimChecks {
    fn fetch(&mut self, r: &ResultRef) -> anyhow::Result<Vec<u8>> {
        anyhow::ensure!(
            self.follow,
            "claim check for {} at {}/{}: pass --follow-claim-checks (with the worker's storage configuration) to fetch it",
            r.document_id.as_deref().unwrap_or("?"),
            r.bucket,
            r.key
        );
        if self.ready.is_none() {
            let settings = Settings::load()?;
            let mut storage = settings.storage.clone();
            // Claim checks may name only the bucket the worker writes them to: a pointer in a
            // results file must not make this tool read any other bucket.
            storage.allowed_buckets = CommaList(vec![settings.storage.results_bucket.clone()]);
            let rt = crate::worker::runtime()?;
            let store = rt
                .block_on(Storage::from_settings(&storage))
                .context("setting up storage for claim checks")?;
            self.ready = Some((rt, store));
        }
        let (rt, store) = self.ready.as_ref().expect("set above");
        let bucket = BucketName::parse(&r.bucket)?;
        let key = ObjectKey::parse(&r.key)?;
        let obj = rt
            .block_on(store.fetch(&bucket, &key, None))
            .with_context(|| format!("claim check {}/{}", r.bucket, r.key))?;
        Ok(obj.bytes)
    }
}

fn is_results_file(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson" | "json")
    )
}

pub(super) fn run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let lim = ReviewLimits {
        max_line_bytes: args.max_line_bytes,
        max_reports: args.max_reports,
        max_items: args.max_items,
        max_text_chars: args.max_text_chars,
        ..ReviewLimits::default()
    };
    let mut files = Vec::new();
    for p in &args.inputs {
        if p.is_dir() {
            let mut all = Vec::new();
            super::parse::collect(p, &mut all)
                .with_context(|| format!("reading directory {}", p.display()))?;
            files.extend(all.into_iter().filter(|f| is_results_file(f)));
        } else {
            files.push(p.clone());
        }
    }

    let mut claims = ClaimChecks {
        follow: args.follow_claim_checks,
        ready: None,
    };
    let mut c = Collection::default();
    let mut failed = 0usize;
    let mut read = 0usize;
    for path in &files {
        let name = path.display().to_string();
        let reader: Box<dyn std::io::BufRead> = if path.as_os_str() == "-" {
            Box::new(BufReader::new(std::io::stdin().lock()))
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Box::new(BufReader::new(f)),
                Err(e) => {
                    failed += 1;
                    eprintln!("{name}: {e}");
                    continue;
                }
            }
        };
        input::read_entries(reader, &lim, |entry| {
            let value = match entry {
                Ok(Entry::Result(v)) => Ok(v),
                Ok(Entry::ClaimCheck(r)) => claims.fetch(&r).and_then(|bytes| {
                    anyhow::ensure!(
                        bytes.len() <= lim.max_line_bytes,
                        "claim check {}/{}: {} bytes, over --max-line-bytes",
                        r.bucket,
                        r.key,
                        bytes.len()
                    );
                    Ok(serde_json::from_slice(&bytes)?)
                }),
                Err(e) => Err(e.into()),
            };
            let report = value.and_then(|v| Ok(Report::from_value(&v, &lim)?));
            match report {
                Ok(r) => {
                    read += 1;
                    if c.add(r, &lim) == Added::OverLimit && c.dropped() == 1 {
                        eprintln!(
                            "{name}: more than {} distinct reports (--max-reports); the rest are counted, not shown",
                            lim.max_reports
                        );
                    }
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{name}: {e:#}");
                }
            }
        });
    }

    let summary = c.summary(&lim);
    let out = std::fs::File::create(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    html::write_html(&c, failed, &lim, BufWriter::new(out))
        .with_context(|| format!("writing {}", args.output.display()))?;
    if let Some(csv) = &args.csv {
        let out =
            std::fs::File::create(csv).with_context(|| format!("creating {}", csv.display()))?;
        crate::review::csv::write_csv(c.reports(), BufWriter::new(out))
            .with_context(|| format!("writing {}", csv.display()))?;
    }
    eprintln!(
        "{}: {} reports ({} results read, {} duplicates, {} missing a required part){}",
        args.output.display(),
        summary.reports,
        read,
        summary.duplicates,
        summary.missing_any,
        if failed > 0 {
            format!("; {failed} inputs could not be read")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
