//! The parsing tests: the readers, the pipeline and the extractors on the shared corpus, on
//! fixtures built by the tests and on hostile text, through the library alone. One binary for
//! all of them (each file beside this one is a module), so the crate and its dependencies are
//! linked once for the lot. It needs no service and no `docingest` binary (the one test that
//! runs the CLI, in `real_world`, is behind the `service` feature), so it also runs under
//! `cargo test --no-default-features --test parsing`.

/// The corpus helpers of tests/common without its worker harness (which needs the `service`
/// feature): where the corpus is, how to parse a file, the golden field-by-field comparison.
#[path = "../common"]
mod common {
    pub mod golden;
    pub mod parsing;
    pub use parsing::{corpus_dir, loose, parse_path};
}
#[path = "../docx_support/mod.rs"]
mod docx_support;
#[path = "../pdf_support/mod.rs"]
mod pdf_support;
#[path = "../sheet_fixtures/mod.rs"]
mod sheet_fixtures;

mod bad_input;
mod docx_reader;
mod facts_refs;
mod facts_robustness;
mod facts_seeds;
mod fuzz_regressions;
mod linear;
mod ofd;
mod official_document;
mod pdf;
mod pdf_reader;
mod real_world;
mod renditions;
mod seeds_golden;
mod sheet_reader;
mod text_variants;
mod word_templates;
