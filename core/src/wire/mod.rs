//! # The reader-board wire protocol
//!
//! Host and boards share one serial line (RS-485 multi-drop; a USB or TCP serial bridge
//! works the same). Every message, either way, is one **frame** on the line:
//!
//! ```text
//! COBS( version:u8 | address:u8 | sequence:u16 LE | postcard(message) | CRC-32 LE ) 0x00
//! ```
//!
//! - `version` is [`PROTOCOL_VERSION`]. A frame of version 1 (before boards showed service
//!   agreements) is still understood: a version-1 display frame is the same message without
//!   its list of agreements. A board answers in the version of the frame it answers
//!   ([`encode_answer`]), so boards can be upgraded before the host. Frames of any other
//!   version are counted and dropped.
//! - `address` is the board's address (1–254) both ways; [`BROADCAST_ADDRESS`] from the host
//!   reaches every board (boards do not acknowledge broadcasts, so they do not collide).
//! - `sequence` is the host's counter; a board answers with the sequence it answers.
//! - the message is a [`HostMessage`] (host → board) or a [`BoardMessage`] (board → host),
//!   encoded with postcard (its wire format is stable since postcard 1.0);
//! - the CRC-32 (IEEE 802.3) covers everything before it;
//! - COBS removes every zero byte, so the single `0x00` that ends a frame is unambiguous and a
//!   receiver that starts mid-stream resynchronises at the next one.
//!
//! Every frame fits in [`MAX_FRAME_BYTES`] on the line. [`FrameDecoder`] takes bytes as they
//! come, in any chunking, and yields each frame's message or the reason it was discarded
//! (counted in [`DecodeCounts`]); nothing it is fed can make it panic or stop. A board, short of
//! stack, uses [`FrameDecoder::feed_into`] instead: the message is decoded into an inbox it
//! keeps, a display frame in place, and no copy of a frame passes through its stack. `PROTOCOL.md`
//! documents every message byte by byte; golden vectors in `core/tests/wire.rs` pin them.

//!
//! # Where each layer lives
//! As smoltcp's `wire` does, one module a layer, each with its contract:
//! - `frame`: the frame header, the CRC and COBS (from the `cobs` crate): [`encode`],
//!   [`encode_answer`], [`Header`];
//! - `message`: what the frames carry, [`HostMessage`] and [`BoardMessage`];
//! - `decoder`: the stream decoder, bytes in and frames out, [`FrameDecoder`].

mod decoder;
mod frame;
mod message;

pub use decoder::{DecodeCounts, Decoded, Discard, FrameDecoder};
pub use frame::{EncodeError, Header, encode, encode_answer};
pub use message::{BoardMessage, BoardSettings, HostMessage, Message, NackReason, Screen};

/// The protocol version this code speaks: 2 since display frames carry service agreements
/// ([`BoardFrame::sla`](crate::board::BoardFrame::sla)).
pub const PROTOCOL_VERSION: u8 = 2;
/// The oldest version this code still understands: version 1, whose display frames have no
/// service agreements (the last field of version 2's display message).
pub const OLDEST_PROTOCOL_VERSION: u8 = 1;
/// The host's address for "every board".
pub const BROADCAST_ADDRESS: u8 = 0xFF;
/// The largest frame on the line, delimiter included. Sized so that the largest
/// [`HostMessage`] (a full [`BoardFrame`](crate::board::BoardFrame): 8 queues, 8 agreements, long labels, a full
/// announcement) fits
/// (checked by a test).
pub const MAX_FRAME_BYTES: usize = 1024;
/// The largest frame before COBS and the delimiter: COBS adds one byte per 254 and one more,
/// the delimiter one.
pub const MAX_PAYLOAD_BYTES: usize = MAX_FRAME_BYTES - MAX_FRAME_BYTES / 254 - 3;

/// The header: version, address, sequence (LE).
const HEADER_BYTES: usize = 4;
/// The CRC-32 at the end of the payload.
const CRC_BYTES: usize = 4;
