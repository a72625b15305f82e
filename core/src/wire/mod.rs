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
//! # Authenticated frames (version 3)
//!
//! ```text
//! COBS( 3 | address | sequence LE | session u32 LE | counter u32 LE | message | tag[16] | CRC-32 LE ) 0x00
//! ```
//!
//! A board built with a key ([`FrameDecoder::with_key`]) takes only these: the tag is
//! HMAC-SHA256 under that key over a direction byte (`H` host → board, `B` board → host) and
//! the payload before the tag, truncated to 16 bytes ([`tag`], [`verify`]). Frames of version 1
//! or 2 are refused as unauthenticated, frames whose tag fails as forged ([`AuthCounts`]). The
//! board accepts a frame that changes what it shows only for its current session (its count of
//! starts) and with a counter beyond the last it accepted: recordings are refused as replayed
//! or from another session. Its answers carry its session and the counter of the frame they
//! answer, tagged `B` ([`encode_answer_authenticated`]). A board built without a key speaks
//! versions 1 and 2 as before and counts version-3 frames as of an unknown version.
//!
//! # Where each layer lives
//! As smoltcp's `wire` does, one module a layer, each with its contract:
//! - `frame`: the frame header, the CRC and COBS (from the `cobs` crate): [`encode`],
//!   [`encode_answer`], [`Header`];
//! - `message`: what the frames carry, [`HostMessage`] and [`BoardMessage`];
//! - `decoder`: the stream decoder, bytes in and frames out, [`FrameDecoder`].

mod auth;
mod decoder;
mod frame;
mod message;

pub use auth::{
    AUTH_BYTES, Auth, AuthCounts, Direction, KEY_BYTES, Key, KeyError, TAG_BYTES, tag, verify,
};
pub use decoder::{DecodeCounts, Decoded, Discard, FrameDecoder};
pub use frame::{
    EncodeError, Header, SealError, encode, encode_answer, encode_answer_authenticated,
    encode_authenticated, seal,
};
pub use message::{BoardMessage, BoardSettings, HostMessage, Message, NackReason, Screen};

/// The protocol version this code speaks: 2 since display frames carry service agreements
/// ([`BoardFrame::sla`](crate::board::BoardFrame::sla)).
pub const PROTOCOL_VERSION: u8 = 2;
/// The authenticated version (see "Authenticated frames" above): version 2's messages, each
/// frame carrying the board's session, the host's counter and an HMAC-SHA256 tag under the key
/// the host and the board share.
pub const AUTHENTICATED_VERSION: u8 = 3;
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
