//! `docingest dlq list | inspect | replay | purge`: look into the dead-letter queue and send
//! letters back (CONTRACT §1, issue 5).
//!
//! Arguments become a typed [`Filter`] and [`Selector`] here, once; the work is in
//! [`crate::dlq::ops`]. Tables and dry-run lines go to stdout, the progress bar (only when
//! stderr is a terminal) and prompts to stderr. Exit status: 0 when everything asked was
//! done, 1 when a replay stopped on a failed publish, 2 on an error (no broker, no queue...).

use crate::config::Settings;
use crate::dlq::broker::{self, DlqSettings, Target};
use crate::dlq::filter::{parse_age, parse_header_pair, parse_kind, Filter, Selector};
use crate::dlq::glob::Glob;
use crate::dlq::letter::{now, DeadLetter, Kind};
use crate::dlq::ops::{self, Action, Observer, Outcome, Step};
use crate::dlq::rate::Rate;
use crate::dlq::report::{letters_json, letters_text};
use crate::worker::amqp::publisher::Publisher;
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct DlqArgs {
    /// Dead-letter queue to work on [default: amqp.dead_letter_queue].
    #[arg(long, global = true)]
    pub queue: Option<String>,
    #[command(subcommand)]
    pub command: DlqCommand,
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Count dead letters by kind and error code, with the oldest and newest age.
    List {
        /// One JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show dead letters (headers, error, job, attempts) without removing them, in queue order.
    Inspect {
        /// How many to show.
        #[arg(short = 'n', long, default_value_t = 10)]
        count: u64,
        #[command(flatten)]
        filter: FilterArgs,
        /// A JSON array instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Publish matching dead letters back to the jobs exchange (confirmed), then remove them.
    Replay {
        #[command(flatten)]
        filter: FilterArgs,
        /// Target `EXCHANGE[:ROUTING_KEY]` [default: amqp.jobs_exchange:amqp.jobs_routing_key];
        /// `:QUEUE` publishes straight to a queue.
        #[arg(long, value_name = "EXCHANGE[:ROUTING_KEY]")]
        to: Option<String>,
        /// Replay at most N letters (the first N matches in queue order).
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// At most this many per second (`5/s`, `300/m`); default: as fast as confirms come.
        #[arg(long, value_name = "N/s")]
        rate: Option<Rate>,
        /// Show what would be replayed; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the tally as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete matching dead letters (asks first on a terminal).
    Purge {
        #[command(flatten)]
        filter: FilterArgs,
        /// Delete at most N letters (the first N matches in queue order).
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Do not ask; required when stdin is not a terminal.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Show what would be deleted; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the tally as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The filters shared by inspect, replay and purge. Repeated flags are alternatives; different
/// flags must all hold.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// `docingest-error-code` is this (repeatable).
    #[arg(long, value_name = "CODE")]
    pub error_code: Vec<String>,
    /// Kind: permanent, retries_exhausted, delivery_limit, rejected, expired, maxlen, unknown
    /// (repeatable).
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Vec<Kind>,
    /// Dead-lettered at least this long ago (30m, 2h, 1d).
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub older_than: Option<Duration>,
    /// Dead-lettered less than this long ago.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub newer_than: Option<Duration>,
    /// Job bucket is this (repeatable).
    #[arg(long, value_name = "BUCKET")]
    pub bucket: Vec<String>,
    /// Object key matches this glob: `*` and `?` stay within a `/` segment, a `**` segment
    /// (`2024/**/*.docx`) crosses them, `{a,b}` is either (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub key_glob: Vec<Glob>,
    /// Header NAME has text VALUE (repeatable; all must hold).
    #[arg(long = "header", value_name = "NAME=VALUE", value_parser = parse_header_pair)]
    pub headers: Vec<(String, String)>,
}

impl From<FilterArgs> for Filter {
    fn from(a: FilterArgs) -> Filter {
        Filter {
            error_codes: a.error_code,
            kinds: a.kind,
            older_than: a.older_than,
            newer_than: a.newer_than,
            buckets: a.bucket,
            key_globs: a.key_glob,
            headers: a.headers,
        }
    }
}

pub(super) fn run(args: DlqArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::load()?;
    // No log subscriber: this is a command for people, every failure is reported once as the
    // command's error, and lapin's own error events would repeat it as JSON noise on stderr.
    let mut cfg = DlqSettings::from(&settings.amqp);
    if let Some(q) = args.queue {
        cfg.queue = q;
    }
    let rt = crate::worker::runtime()?;
    rt.block_on(async {
        let conn = broker::connect(&cfg.url, "docingest-dlq").await?;
        let code = dispatch(&conn, &cfg, args.command).await;
        let _ = conn.close(200, "done".into()).await;
        code
    })
}

async fn dispatch(
    conn: &lapin::Connection,
    cfg: &DlqSettings,
    command: DlqCommand,
) -> anyhow::Result<ExitCode> {
    let now = now();
    let mut stdout = std::io::stdout().lock();
    match command {
        DlqCommand::List { json } => {
            let summary = ops::list(conn, &cfg.queue).await?;
            if json {
                writeln!(stdout, "{}", summary.to_json(&cfg.queue, now))?;
            } else {
                write!(stdout, "{}", summary.to_table(&cfg.queue, now))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        DlqCommand::Inspect {
            count,
            filter,
            json,
        } => {
            let letters = ops::inspect(
                conn,
                &cfg.queue,
                Selector::new(filter.into(), Some(count)),
                now,
            )
            .await?;
            if json {
                writeln!(
                    stdout,
                    "{}",
                    serde_json::to_string_pretty(&letters_json(&letters, now))?
                )?;
            } else if letters.is_empty() {
                writeln!(stdout, "{}: no matching dead letters", cfg.queue)?;
            } else {
                write!(stdout, "{}", letters_text(&letters, now))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        DlqCommand::Replay {
            filter,
            to,
            limit,
            rate,
            dry_run,
            json,
        } => {
            let target = to.map_or_else(
                || cfg.target.clone(),
                |t| Target::parse(&t, &cfg.target.routing_key),
            );
            let selector = Selector::new(filter.into(), limit);
            let verb = "replayed";
            let outcome = if dry_run {
                run_pass(
                    conn,
                    cfg,
                    selector,
                    Action::DryRun,
                    None,
                    now,
                    "would replay",
                    json,
                )
                .await?
            } else {
                broker::check_exchange(conn, &target.exchange).await?;
                let publisher = Publisher::open(conn, cfg.confirm_timeout).await?;
                let action = Action::Replay {
                    publisher: &publisher,
                    target: &target,
                    rate,
                };
                run_pass(conn, cfg, selector, action, None, now, verb, json).await?
            };
            finish(&mut stdout, &outcome, verb, dry_run, json)
        }
        DlqCommand::Purge {
            filter,
            limit,
            yes,
            dry_run,
            json,
        } => {
            let filter: Filter = filter.into();
            let verb = "purged";
            if dry_run {
                let sel = Selector::new(filter, limit);
                let outcome = run_pass(
                    conn,
                    cfg,
                    sel,
                    Action::DryRun,
                    None,
                    now,
                    "would purge",
                    json,
                )
                .await?;
                return finish(&mut stdout, &outcome, verb, true, json);
            }
            let mut limit = limit;
            let mut max_read = None;
            if !yes {
                if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
                    bail!("refusing to purge without --yes: stdin is not a terminal to ask on");
                }
                // Count first, then delete no more than was shown, and read no further than
                // the count did: letters dead-lettered meanwhile were not agreed to.
                let counted = ops::process(
                    conn,
                    &cfg.queue,
                    Selector::new(filter.clone(), limit),
                    Action::DryRun,
                    None,
                    now,
                    &mut ops::Quiet,
                )
                .await?;
                let n = counted.tally.done;
                if n == 0 {
                    writeln!(stdout, "{}: no matching dead letters", cfg.queue)?;
                    return Ok(ExitCode::SUCCESS);
                }
                if !confirm(&format!(
                    "Delete {n} dead letter{} ({filter}) from {}? [y/N] ",
                    if n == 1 { "" } else { "s" },
                    cfg.queue
                ))? {
                    writeln!(stdout, "nothing deleted")?;
                    return Ok(ExitCode::SUCCESS);
                }
                limit = Some(n);
                max_read = Some(counted.tally.scanned);
            }
            let sel = Selector::new(filter, limit);
            let outcome =
                run_pass(conn, cfg, sel, Action::Purge, max_read, now, verb, json).await?;
            finish(&mut stdout, &outcome, verb, false, json)
        }
    }
}

/// One pass with a progress bar on a terminal and, unless `json`, one line per letter done.
#[allow(clippy::too_many_arguments)]
async fn run_pass(
    conn: &lapin::Connection,
    cfg: &DlqSettings,
    selector: Selector,
    action: Action<'_>,
    max_read: Option<u64>,
    now: time::OffsetDateTime,
    verb: &'static str,
    json: bool,
) -> anyhow::Result<Outcome> {
    let mut observer = Lines::new(verb, json);
    let outcome = ops::process(
        conn,
        &cfg.queue,
        selector,
        action,
        max_read,
        now,
        &mut observer,
    )
    .await
    .with_context(|| format!("dead-letter queue {}", cfg.queue))?;
    observer.bar.finish_and_clear();
    Ok(outcome)
}

fn finish(
    out: &mut impl Write,
    outcome: &Outcome,
    verb: &str,
    dry_run: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let Outcome { tally, stopped } = outcome;
    if json {
        let mut j = tally.to_json(verb, dry_run);
        if let Some(s) = stopped {
            j["stopped"] = s.as_str().into();
        }
        writeln!(out, "{j}")?;
    } else {
        writeln!(out, "{}", tally.to_text(verb, dry_run))?;
    }
    if let Some(s) = stopped {
        eprintln!("docingest: {s}");
    }
    Ok(if stopped.is_some() || tally.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Progress on stderr (terminal only) and a line per letter on stdout.
struct Lines {
    bar: ProgressBar,
    verb: &'static str,
    json: bool,
}

impl Lines {
    fn new(verb: &'static str, json: bool) -> Lines {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} read {elapsed_precise} {wide_msg}",
                )
                .expect("static template"),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        Lines { bar, verb, json }
    }
}

impl Observer for Lines {
    fn step(&mut self, step: Step<'_>) {
        match step {
            Step::Started { letters } => self.bar.set_length(letters),
            Step::Read => self.bar.inc(1),
            Step::Done(dl) => {
                self.bar
                    .set_message(format!("last {} #{}", self.verb, dl.position + 1));
                if !self.json {
                    let line = letter_line(self.verb, dl);
                    self.bar.suspend(|| println!("{line}"));
                }
            }
            // Reported once, as the reason the pass stopped (see `finish`).
            Step::Failed(..) => {}
        }
    }
}

/// `replayed  #3  <message id>  permanent/object_not_found  reports/2024/a.docx`
fn letter_line(verb: &str, dl: &DeadLetter) -> String {
    format!(
        "{verb}\t#{}\t{}\t{}/{}\t{}/{}",
        dl.position + 1,
        dl.properties.message_id.as_deref().unwrap_or("-"),
        dl.kind.as_str(),
        dl.error_code.as_deref().unwrap_or("-"),
        dl.bucket.as_deref().unwrap_or("?"),
        dl.key.as_deref().unwrap_or("?"),
    )
}

fn confirm(prompt: &str) -> anyhow::Result<bool> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
