//! Checkpoint restore on any bytes: refused with an error, or restored to a center that passes
//! its audit and checkpoints back to exactly the bytes it came from. A refused restore leaves
//! the center as it was.
//!
//! The first byte picks what reaches `restore`:
//! - 0: the bytes as they are (almost all refused at the magic, version or CRC);
//! - 1: the bytes as a body behind a right header and CRC, so that the decoder and the audit
//!   see them;
//! - 2: a real checkpoint of a center that took an event script (`callboard_fuzz::events`),
//!   with bytes then overwritten where the input says, and the CRC made right again: states
//!   near the ones the engine reaches, which only the audit can refuse.
#![no_main]

use callboard_core::center::{Center, CenterConfig};
use callboard_core::crc::crc32;
use callboard_core::event::QueueId;
use callboard_core::queue::QueueConfig;
use callboard_fuzz::{QUEUES, events};
use libfuzzer_sys::fuzz_target;

type Small = Center<4, 32, 16, 8, 4>;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = match mode % 3 {
        0 => rest.to_vec(),
        1 => seal([b"CBCK".as_slice(), &4_u16.to_le_bytes(), rest].concat()),
        _ => {
            let split = usize::from(rest.first().copied().unwrap_or(0)) * 4;
            let (script, edits) =
                rest.get(1..).unwrap_or(&[]).split_at(split.min(rest.len().saturating_sub(1)));
            let center = center_after(script);
            let mut bytes = vec![0; center.checkpoint_len().expect("a length")];
            let len = center.checkpoint(&mut bytes).expect("a checkpoint");
            bytes.truncate(len);
            // Overwrite: (position, value) pairs inside the body.
            let body = len - 4;
            for pair in edits.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % body.max(1);
                bytes[at] = pair[2];
            }
            bytes.truncate(body);
            seal(bytes)
        }
    };

    let before = center_after(&[1, 0, 0, 0, 8, 1, 1, 0]);
    let mut center = Box::new(center_after(&[1, 0, 0, 0, 8, 1, 1, 0]));
    match center.restore(&bytes) {
        Ok(()) => {
            center.audit().expect("a restored center its audit refuses");
            let mut again = vec![0; center.checkpoint_len().expect("a length")];
            let len = center.checkpoint(&mut again).expect("a checkpoint");
            assert!(again[..len] == bytes[..], "a restored checkpoint writes other bytes");
        }
        Err(_) => {
            let mut was = vec![0; before.checkpoint_len().unwrap()];
            let mut is = vec![0; center.checkpoint_len().unwrap()];
            before.checkpoint(&mut was).unwrap();
            center.checkpoint(&mut is).unwrap();
            assert!(was == is, "a refused restore changed the center");
        }
    }
});

fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let crc = crc32(&body);
    body.extend_from_slice(&crc.to_le_bytes());
    body
}

fn center_after(script: &[u8]) -> Small {
    let mut center = Small::new(CenterConfig::default());
    for queue in 0..QUEUES {
        center.add_queue(QueueId(queue), QueueConfig::default()).expect("a queue");
    }
    for event in events(script) {
        let _ = center.apply(&event);
    }
    center
}
