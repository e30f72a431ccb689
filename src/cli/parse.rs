//! `docingest parse PATH...`: parse local files with no broker and no storage.
//!
//! One file prints one JSON document; several files or a directory print JSON Lines. A file that
//! fails is reported on stderr (one line, with its error code) and the run goes on; the exit code
//! is 1 when any file failed.

use crate::document::{self, Limits};
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files or directories (directories are walked recursively, in name order).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
}

pub(super) fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    let mut many = args.paths.len() > 1;
    for p in &args.paths {
        if p.is_dir() {
            many = true;
            collect(p, &mut files).with_context(|| format!("reading directory {}", p.display()))?;
        } else {
            files.push(p.clone());
        }
    }
    let limits = Limits::default();
    let bar = if many && std::io::stderr().is_terminal() {
        let bar =
            ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} {wide_msg}")
                .expect("static template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for path in &files {
        bar.set_message(path.display().to_string());
        match parse_file(path, &limits) {
            Ok(result) => {
                // Straight into the buffered stdout: a large result is never held twice.
                if args.pretty {
                    serde_json::to_writer_pretty(&mut out, &result)?;
                } else {
                    serde_json::to_writer(&mut out, &result)?;
                }
                writeln!(out)?;
            }
            Err(e) => {
                failed += 1;
                bar.suspend(|| eprintln!("{}: {e}", path.display()));
            }
        }
        bar.inc(1);
    }
    out.flush()?;
    bar.finish_and_clear();
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error("io_error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{code}: {0}", code = .0.code())]
    Parse(#[from] document::ParseError),
}

fn parse_file(path: &Path, limits: &Limits) -> Result<document::ParseResult, FileError> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > limits.max_input_bytes {
        return Err(document::ParseError::TooLarge {
            size: meta.len(),
            limit: limits.max_input_bytes,
        }
        .into());
    }
    let bytes = std::fs::read(path)?;
    let name = path.to_string_lossy();
    let uri = format!("file://{}", absolute(path));
    Ok(document::parse_owned(bytes, Some(&name), &uri, limits).1?)
}

fn absolute(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Files under `dir`, recursively, in name order; hidden files skipped (`review` walks its
/// input directories the same way).
pub(crate) fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if !e.file_name().to_string_lossy().starts_with('.') {
            out.push(p);
        }
    }
    Ok(())
}
