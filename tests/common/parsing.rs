//! Helpers for the corpus tests: where the shared corpus is, how to parse a file, and the loose
//! comparison EXPECTED-SCHEMA.md recommends.
#![allow(dead_code)]

use docingest::document::{self, Input, Limits, ParseResult};
use std::path::PathBuf;

/// `../shared/corpus` next to the repository (where CI and developers have it), or
/// `DOCINGEST_CORPUS` when set.
pub fn corpus_dir() -> PathBuf {
    if let Ok(p) = std::env::var("DOCINGEST_CORPUS") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

pub fn parse_path(path: &std::path::Path) -> Result<ParseResult, document::ParseError> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let name = path.to_string_lossy();
    document::parse(
        &Input {
            bytes: &bytes,
            name: Some(&name),
            uri: format!("file://{}", path.display()),
        },
        &Limits::default(),
    )
}

/// The comparison EXPECTED-SCHEMA.md recommends: NFKC, HTML-unescaped, no whitespace.
pub fn loose(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.replace("&nbsp;", " ")
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect()
}
