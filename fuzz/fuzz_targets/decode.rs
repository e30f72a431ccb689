//! Bytes -> text through the decoder alone (BOM, UTF-8, chardetng + encoding_rs, BOM-less
//! UTF-16). Every input must end as text or a typed `undecodable_text` error; a panic is the
//! finding (which text is right is asserted by the unit tests, not here).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = docingest::document::decode::decode(data);
});
