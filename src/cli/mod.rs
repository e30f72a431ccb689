//! Command-line interface: one module per subcommand (CONTRACT §1).

pub mod parse;
pub mod schema;

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
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse(args) => parse::run(args),
        Command::Schema => schema::run(),
    }
}
