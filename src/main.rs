//! The `docingest` binary: parse arguments, dispatch, turn the outcome into an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = docingest::cli::Cli::parse();
    match docingest::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("docingest: {e:#}");
            ExitCode::from(2)
        }
    }
}
