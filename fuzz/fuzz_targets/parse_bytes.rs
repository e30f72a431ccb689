//! Bytes -> result, the whole pure pipeline: detection, decoding, every reader, normalization,
//! structure and extraction. Any panic (even one `parse` would catch) is a finding, so the
//! fuzzer calls the inner entry point that does not catch; the one exception is a panic inside
//! calamine, which the sheet reader contains by design (panic_policy.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "panic_policy.rs"]
mod panic_policy;

fuzz_target!(|data: &[u8]| {
    panic_policy::contain_calamine_panics();
    let limits = docingest::document::Limits {
        max_input_bytes: 1 << 20,
        ..Default::default()
    };
    let input = docingest::document::Input { bytes: data, name: None, uri: String::new() };
    let _ = docingest::document::parse_uncaught(&input, &limits);
});
