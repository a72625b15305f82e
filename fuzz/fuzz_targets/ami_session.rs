//! The manager's wire format and the translation of its events, fed anything: the decoder
//! takes the bytes in the pieces the fuzzer chooses, every message it finds is translated, and
//! a decoded message re-encoded decodes to itself.

#![no_main]

use callboard_ami::protocol::{Decoded, Decoder};
use callboard_ami::translate::Translator;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let piece = usize::from(split).max(1);
    let mut decoder = Decoder::new();
    let mut translator = Translator::new();
    let mut at = 1_000_000_u64;
    for chunk in bytes.chunks(piece) {
        for decoded in decoder.feed(chunk) {
            if let Decoded::Message(message) = decoded {
                at += 1000;
                let _ = translator.event(&message, at);
                let _ = translator.resync(std::slice::from_ref(&message), at);
                // Keys are trimmed and one space after the colon dropped when read, so
                // compare what survives a second trip.
                let again = Decoder::without_banner().feed(&message.encode());
                if let [Decoded::Message(first)] = again.as_slice() {
                    let twice = Decoder::without_banner().feed(&first.encode());
                    assert_eq!(twice, again);
                }
            }
        }
    }
});
