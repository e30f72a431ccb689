//! Bytes -> Markdown reader -> normalize -> section tree. Skips detection and extraction so the
//! fuzzer spends its time on the line classifier, the numbering parser and the tree builder.
//! A panic anywhere in these stages is the finding.
#![no_main]

use docingest::document::{normalize, readers, structure, Format, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_input_bytes: 1 << 20,
        ..Default::default()
    };
    if let Ok(raw) = readers::read(Format::Markdown, data, &limits) {
        let n = normalize::normalize(raw, &limits);
        let _ = structure::structure(&n);
    }
});
