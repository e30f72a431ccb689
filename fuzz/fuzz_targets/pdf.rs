//! Bytes -> the PDF reader (lopdf objects, our fonts, CMaps, content interpreter and layout)
//! with limits lowered so one input stays cheap: 1 MiB input, 4 MiB per stream, 16 MiB of
//! streams, 200,000 operators. Hostile or malformed files must end as a typed error; a panic,
//! a hang or memory past the fuzzer's cap is the finding.
#![no_main]

use docingest::document::{readers::pdf, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_input_bytes: 1 << 20,
        max_pdf_stream_bytes: 4 << 20,
        max_total_uncompressed_bytes: 16 << 20,
        max_pdf_operators: 200_000,
        ..Default::default()
    };
    let _ = pdf::read(data, &limits);
});
