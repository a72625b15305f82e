//! A line of stand-in boards on a TCP socket: every frame addressed to one of its boards is
//! acknowledged, as a board would, and each display frame heard is kept. For testing and
//! measuring what drives boards (`board send`, `callboard serve`) without the hardware; the
//! real firmware image is the hardware-in-the-loop suite's.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use callboard_core::board::BoardFrame;
use callboard_core::wire::{
    BoardMessage, Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES, encode,
};

/// A running line of stand-in boards.
#[derive(Debug, Clone)]
pub struct StandIn {
    /// `HOST:PORT` to connect to.
    pub address: String,
    /// Each display frame heard, with the address it was for, in order.
    pub heard: Arc<Mutex<Vec<(u8, BoardFrame)>>>,
    /// Display frames heard.
    pub frames: Arc<AtomicU64>,
}

impl StandIn {
    /// Starts stand-ins for `boards` (every address when empty) on a free local port. With
    /// `drop_after`, the second connection (a restarted sender's first) is closed after that
    /// many display frames, as a serial-to-Ethernet converter that drops its connection.
    ///
    /// # Errors
    /// When no port can be bound or the thread cannot start.
    pub fn start(boards: &[u8], drop_after: Option<u64>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?.to_string();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let frames = Arc::new(AtomicU64::new(0));
        let boards = boards.to_vec();
        let (kept, counted) = (Arc::clone(&heard), Arc::clone(&frames));
        std::thread::Builder::new().name("stand-in boards".into()).spawn(move || {
            // A sender that restarts connects again: one connection after the other.
            for (connection, stream) in listener.incoming().enumerate() {
                let Ok(mut line) = stream else { return };
                let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
                let mut buffer = [0_u8; 2048];
                let mut displays = 0_u64;
                while let Ok(n @ 1..) = line.read(&mut buffer) {
                    if connection == 1 && drop_after.is_some_and(|most| displays >= most) {
                        break;
                    }
                    for &byte in buffer.get(..n).unwrap_or(&[]) {
                        let accepts = |a: u8| boards.is_empty() || boards.contains(&a);
                        let Some(Decoded::Frame(header, message)) =
                            decoder.feed::<HostMessage>(byte, accepts)
                        else {
                            continue;
                        };
                        let mut ack = [0_u8; 32];
                        if let Ok(len) =
                            encode(header.address, header.sequence, &BoardMessage::Ack, &mut ack)
                        {
                            let _ = line.write_all(ack.get(..len).unwrap_or(&[]));
                        }
                        if let HostMessage::Display(frame) = message {
                            displays += 1;
                            counted.fetch_add(1, Ordering::Relaxed);
                            if let Ok(mut heard) = kept.lock() {
                                heard.push((header.address, frame));
                            }
                        }
                    }
                }
            }
        })?;
        Ok(Self { address, heard, frames })
    }

    /// The last display frame board `address` heard.
    #[must_use]
    pub fn last_frame(&self, address: u8) -> Option<BoardFrame> {
        let heard = self.heard.lock().ok()?;
        heard.iter().rev().find(|(a, _)| *a == address).map(|(_, frame)| frame.clone())
    }
}
