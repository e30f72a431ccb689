//! The panic policy shared by the targets that reach calamine.
//!
//! libFuzzer's panic hook aborts on every panic, even one that is caught. calamine 0.38 panics
//! on some damaged workbooks (slice ranges and indices in its xls and xlsb readers); the sheet
//! reader runs it under `catch_unwind` and reports those files as corrupt, by design, so they
//! are not findings. This hook lets a panic raised inside calamine's own source unwind to that
//! guard and aborts on every other panic, which is a bug of ours.

use std::sync::Once;

pub fn contain_calamine_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            match info.location() {
                Some(l) if l.file().contains("/calamine-") => {
                    eprintln!("contained calamine panic at {}:{}", l.file(), l.line());
                }
                _ => abort_hook(info),
            }
        }));
    });
}
