//! Bytes -> the streaming Word reader (zip + quick-xml) with default limits except a 1 MiB
//! input cap. Hostile or malformed packages must end as a typed error; a panic is the finding.
#![no_main]

use docingest::document::{readers::docx, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_input_bytes: 1 << 20,
        ..Default::default()
    };
    let _ = docx::read(data, &limits);
});
