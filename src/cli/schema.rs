//! `docingest schema`: the JSON Schema of the result, generated from the Rust types.

use std::process::ExitCode;

pub fn schema_json() -> String {
    let schema = schemars::schema_for!(crate::document::ParseResult);
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    s.push('\n');
    s
}

pub fn run() -> anyhow::Result<ExitCode> {
    print!("{}", schema_json());
    Ok(ExitCode::SUCCESS)
}
