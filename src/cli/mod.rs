//! Command-line interface: one module per subcommand (CONTRACT §1).

mod config;
mod dlq;
mod parse;
mod results;
mod review;
pub mod schema;
mod submit;
mod topology;
mod worker;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "docingest",
    version,
    about = "Government report submissions -> structured JSON"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse local files: one JSON result, or JSON Lines for several files or a directory.
    Parse(parse::ParseArgs),
    /// Print the JSON Schema of the result.
    Schema,
    /// Consume jobs from RabbitMQ, fetch, parse, publish results; drain on SIGTERM/SIGINT.
    Worker(worker::WorkerArgs),
    /// Upload files to storage and publish one job per file.
    Submit(submit::SubmitArgs),
    /// Declare the exchanges, queues and bindings, then exit; refuses a dead-letter or results
    /// queue that would drop messages (see --migrate).
    Topology(topology::TopologyArgs),
    /// Inspect the layered configuration.
    Config(config::ConfigArgs),
    /// Print results waiting in amqp.results_queue.
    Results(results::ResultsArgs),
    /// Write a review page (HTML) and optionally a CSV from result JSON Lines.
    Review(review::ReviewArgs),
    /// Look into the dead-letter queue; replay or purge dead letters.
    Dlq(dlq::DlqArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Schema => schema::run(),
        Command::Worker(args) => worker::run(args),
        Command::Submit(args) => submit::run(args),
        Command::Topology(args) => topology::run(args),
        Command::Config(args) => config::run(args),
        Command::Results(args) => results::run(args),
        Command::Review(args) => review::run(args),
        Command::Dlq(args) => dlq::run(args),
    }
}
