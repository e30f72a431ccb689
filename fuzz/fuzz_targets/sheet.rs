//! Bytes -> the spreadsheet reader (calamine behind our pre-scans and caps). The first byte
//! picks the format (xlsx, ods, xls) so one corpus covers all three entry points; the rest is
//! the file. A panic outside calamine (see panic_policy.rs), or an allocation past libFuzzer's
//! -rss_limit_mb, is the finding.
#![no_main]

use docingest::document::{readers::sheet, Format, Limits};
use libfuzzer_sys::fuzz_target;

#[path = "panic_policy.rs"]
mod panic_policy;

fuzz_target!(|data: &[u8]| {
    panic_policy::contain_calamine_panics();
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => Format::Xlsx,
        1 => Format::Ods,
        _ => Format::Xls,
    };
    let limits = Limits {
        max_input_bytes: 1 << 20,
        ..Default::default()
    };
    let _ = sheet::read(file, format, &limits);
});
