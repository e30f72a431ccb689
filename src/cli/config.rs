//! `docingest config check`: load the layered configuration, validate it, print it with
//! secrets redacted. A bad setting exits 2 with an error naming the setting and its source.

use crate::config::{Settings, CONFIG_FILE_VAR};
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the effective configuration and print it (secrets redacted).
    Check,
}

pub(super) fn run(args: ConfigArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ConfigCommand::Check => {
            let settings = Settings::load()?;
            let file = std::env::var(CONFIG_FILE_VAR).unwrap_or_default();
            println!(
                "# configuration is valid (defaults{}{})",
                if file.is_empty() {
                    String::new()
                } else {
                    format!(" + {file}")
                },
                if std::env::vars().any(|(k, _)| k.starts_with("DOCINGEST_") && k.contains("__")) {
                    " + DOCINGEST_*__* environment"
                } else {
                    ""
                }
            );
            print!("{}", settings.to_redacted_toml());
            Ok(ExitCode::SUCCESS)
        }
    }
}
