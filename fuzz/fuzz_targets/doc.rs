//! Bytes -> the Word 97-2003 .doc reader (cfb container, FIB, piece table, property pages,
//! style sheet, list tables) with default limits except a 1 MiB input cap. Hostile or
//! malformed files must end as a typed error; a panic is the finding.
#![no_main]

use docingest::document::{readers::doc, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_input_bytes: 1 << 20,
        ..Default::default()
    };
    let _ = doc::read(data, &limits);
});
