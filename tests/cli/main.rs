//! The `docingest` binary as a user runs it, and what the CLI prints: `parse` (one file, many,
//! a directory), `review` (the page, its CSV, and the page in headless Chromium), the committed
//! JSON Schema against `docingest schema`'s types, and the real-document patterns with the
//! real development set scored through the binary by the shared scorer. None needs a broker or
//! storage; all need the `service` feature (the binary, `docingest::cli`).
//!
//! The browser test is here, not in a binary of its own, because what it needs besides
//! Chromium is what every test here needs: the built binary and the seeds' results. Without
//! Chromium it says so and returns; under `CI=true` that is a failure.

/// The corpus helpers of tests/common without its worker harness.
#[path = "../common"]
mod common {
    pub mod parsing;
    pub use parsing::{corpus_dir, parse_path};
}

mod cli_parse;
mod real_documents;
mod review;
mod review_browser;
mod schema;
