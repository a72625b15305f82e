//! The frame decoder on arbitrary input, in both directions (a board decoding the host's
//! messages, a host decoding the boards'). It must never panic; every frame it accepts must be
//! of a version it speaks and re-encode to a frame that decodes to the same message; and it must
//! always recover: after any input, a good frame is decoded. Decoding into an inbox in place
//! (`feed_into`, what a board does) must give exactly what decoding by value (`feed`) gives,
//! frame for frame and count for count, whatever the inbox held before.
//!
//! The first byte chooses how the rest reaches the decoder. Raw: as bytes on the line, where
//! almost nothing survives the CRC. Framed: as the body of a well-framed frame (COBS, a right
//! CRC) of a version the input picks, so that the message decoding itself (postcard, version 1's
//! display frames) is what gets exercised.
#![no_main]

use callboard_core::crc::crc32;
use callboard_core::wire::{
    BoardMessage, Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES, Message,
    OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION, encode,
};
use libfuzzer_sys::fuzz_target;

const BOARD: u8 = 3;

fuzz_target!(|data: &[u8]| {
    let line = match data.split_first() {
        Some((&choice, rest)) if choice & 1 == 1 => framed(choice >> 1, rest),
        _ => data.to_vec(),
    };
    decodes::<HostMessage>(&line, HostMessage::Ping);
    decodes::<BoardMessage>(&line, BoardMessage::Ack);
});

/// `data` as a frame's sequence and body, in a version `choice` picks (mostly the two this code
/// speaks), with a right CRC, COBS-framed and delimited.
fn framed(choice: u8, data: &[u8]) -> Vec<u8> {
    let version = match choice % 4 {
        0 => OLDEST_PROTOCOL_VERSION,
        1 | 2 => PROTOCOL_VERSION,
        _ => choice,
    };
    let (sequence, body) = data.split_first_chunk::<2>().map_or(([0, 0], data), |(s, b)| (*s, b));
    let mut payload = vec![version, BOARD, sequence[0], sequence[1]];
    payload.extend_from_slice(body);
    payload.extend_from_slice(&crc32(&payload).to_le_bytes());
    let mut line = cobs::encode_vec(&payload);
    line.push(0);
    line
}

/// Feeds `line` to a decoder of `M`, checks every frame it accepts, then checks that it decodes
/// `good` sent after it.
fn decodes<M: Message + PartialEq + Clone + core::fmt::Debug>(line: &[u8], good: M) {
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let mut in_place = FrameDecoder::<MAX_FRAME_BYTES>::new();
    // The inbox starts as the last good message and keeps whatever each frame leaves in it.
    let mut inbox = good.clone();
    for &byte in line {
        let by_value = decoder.feed::<M>(byte, |a| a == BOARD || a == 0xFF);
        let into = in_place.feed_into::<M>(byte, |a| a == BOARD || a == 0xFF, &mut inbox);
        match (&by_value, into) {
            (None, None) => {}
            (Some(Decoded::Frame(header, message)), Some(Ok(h))) => {
                assert_eq!((*header, message), (h, &inbox));
            }
            (Some(Decoded::Discarded(reason)), Some(Err(r))) => assert_eq!(*reason, r),
            (a, b) => panic!("by value {a:?}, in place {b:?}"),
        }
        assert_eq!(decoder.counts(), in_place.counts());
        if let Some(Decoded::Frame(header, message)) = by_value {
            assert!((OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&header.version));
            let mut out = [0_u8; MAX_FRAME_BYTES];
            let len =
                encode(header.address, header.sequence, &message, &mut out).expect("re-encodes");
            let mut again = FrameDecoder::<MAX_FRAME_BYTES>::new();
            let back = out[..len].iter().find_map(|&b| again.feed::<M>(b, |_| true));
            assert!(matches!(back, Some(Decoded::Frame(_, ref m)) if *m == message));
        }
    }
    let mut bytes = [0_u8; MAX_FRAME_BYTES];
    let len = encode(BOARD, 9, &good, &mut bytes).expect("encodes");
    let recovered = core::iter::once(0)
        .chain(bytes[..len].iter().copied())
        .filter_map(|b| decoder.feed::<M>(b, |a| a == BOARD))
        .last();
    assert!(matches!(recovered, Some(Decoded::Frame(h, ref m)) if h.sequence == 9 && *m == good));
}
