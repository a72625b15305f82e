//! The board's frame decoder on arbitrary bytes: it must never panic, every frame it accepts
//! must re-encode to a frame that decodes to the same message, and it must always recover:
//! after any input, a good frame is decoded.
#![no_main]

use callboard_core::wire::{Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    for &byte in data {
        if let Some(Decoded::Frame(header, message)) = decoder.feed::<HostMessage>(byte, |a| a == 3 || a == 0xFF) {
            let mut out = [0_u8; MAX_FRAME_BYTES];
            let len = encode(header.address, header.sequence, &message, &mut out).expect("re-encodes");
            let mut again = FrameDecoder::<MAX_FRAME_BYTES>::new();
            let back = out[..len].iter().find_map(|&b| again.feed::<HostMessage>(b, |_| true));
            assert!(matches!(back, Some(Decoded::Frame(_, ref m)) if *m == message));
        }
    }
    let mut good = [0_u8; MAX_FRAME_BYTES];
    let len = encode(3, 9, &HostMessage::Ping, &mut good).expect("encodes");
    let recovered = core::iter::once(0).chain(good[..len].iter().copied())
        .filter_map(|b| decoder.feed::<HostMessage>(b, |a| a == 3))
        .last();
    assert!(matches!(recovered, Some(Decoded::Frame(h, HostMessage::Ping)) if h.sequence == 9));
});
