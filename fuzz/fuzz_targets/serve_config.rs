//! `callboard serve`'s site file, fed anything: refused with a message that says what is wrong,
//! or parsed. Nothing may panic, whatever the TOML holds (floors that contradict themselves,
//! times, offsets and zones out of range, boards, lines and sources of every kind).
#![no_main]

use callboard_serve::config::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(message) = parse(text) {
        assert!(!message.trim().is_empty(), "a refusal without a message");
    }
});
