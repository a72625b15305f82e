//! A decoder that requires authentication (a board built with a key) on arbitrary input. It
//! must never panic; every frame it accepts must be version 3 with a tag that holds under its key
//! (so, from fuzzing, only frames the target itself sealed); decoding in place must give what
//! decoding by value gives; and after any input, a frame sealed with the key is decoded.
//!
//! The first byte chooses how the rest reaches the decoder. Raw: bytes on the line. Sealed: the
//! rest as a message body, sealed under the right key, so that the message decoding behind the
//! tag is exercised. Forged: the rest as the body of a version-3 frame with a right CRC and a tag
//! from the input, which must always be refused.
#![no_main]

use callboard_core::crc::crc32;
use callboard_core::wire::{
    AUTHENTICATED_VERSION, Auth, Decoded, Direction, FrameDecoder, HostMessage, Key,
    MAX_FRAME_BYTES, encode_authenticated, tag,
};
use libfuzzer_sys::fuzz_target;

const BOARD: u8 = 3;
const KEY: Key = Key::new([0x5A; 32]);

fuzz_target!(|data: &[u8]| {
    let (line, sealed) = match data.split_first() {
        Some((&choice, rest)) if choice % 3 == 1 => (framed(rest, true), true),
        Some((&choice, rest)) if choice % 3 == 2 => (framed(rest, false), false),
        _ => (data.to_vec(), false),
    };
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::with_key(KEY, Direction::HostToBoard);
    let mut in_place = FrameDecoder::<MAX_FRAME_BYTES>::with_key(KEY, Direction::HostToBoard);
    let mut inbox = HostMessage::Ping;
    let mut accepted = 0;
    for &byte in &line {
        let by_value = decoder.feed::<HostMessage>(byte, |a| a == BOARD || a == 0xFF);
        let into = in_place.feed_into::<HostMessage>(byte, |a| a == BOARD || a == 0xFF, &mut inbox);
        match (&by_value, into) {
            (None, None) => {}
            (Some(Decoded::Frame(header, message)), Some(Ok(h))) => {
                assert_eq!((*header, message), (h, &inbox));
                assert_eq!(header.version, AUTHENTICATED_VERSION);
                assert!(header.auth.is_some());
                accepted += 1;
            }
            (Some(Decoded::Discarded(reason)), Some(Err(r))) => assert_eq!(*reason, r),
            (a, b) => panic!("by value {a:?}, in place {b:?}"),
        }
        assert_eq!(decoder.counts(), in_place.counts());
        assert_eq!(decoder.auth_counts(), in_place.auth_counts());
    }
    // Nothing but what the target sealed with the key is ever accepted.
    assert!(accepted == 0 || sealed, "a frame the key did not seal was accepted");
    let mut bytes = [0_u8; MAX_FRAME_BYTES];
    let auth = Auth { session: 7, counter: 9 };
    let len = encode_authenticated(&KEY, BOARD, 9, auth, &HostMessage::Ping, &mut bytes)
        .expect("encodes");
    let recovered = core::iter::once(0)
        .chain(bytes[..len].iter().copied())
        .filter_map(|b| decoder.feed::<HostMessage>(b, |a| a == BOARD))
        .last();
    assert!(
        matches!(recovered, Some(Decoded::Frame(h, HostMessage::Ping)) if h.auth == Some(auth))
    );
});

/// `data` as a version-3 frame to the board: session, counter and body from the input; its tag
/// right under the key (`seal`), or the input's own last 16 bytes; a right CRC; COBS-framed.
fn framed(data: &[u8], seal: bool) -> Vec<u8> {
    let (auth, body) = data.split_first_chunk::<8>().map_or(([0; 8], data), |(a, b)| (*a, b));
    let mut payload = vec![AUTHENTICATED_VERSION, BOARD, 0, 0];
    payload.extend_from_slice(&auth);
    if seal {
        payload.extend_from_slice(body);
        let t = tag(&KEY, Direction::HostToBoard, &payload);
        payload.extend_from_slice(&t);
    } else {
        payload.extend_from_slice(body);
    }
    payload.extend_from_slice(&crc32(&payload).to_le_bytes());
    let mut line = cobs::encode_vec(&payload);
    line.push(0);
    line
}
