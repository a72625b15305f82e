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

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::board::{AlertThresholds, BoardFrame};
use crate::crc::crc32;

/// The protocol version this code speaks: 2 since display frames carry service agreements
/// ([`BoardFrame::sla`]).
pub const PROTOCOL_VERSION: u8 = 2;
/// The oldest version this code still understands: version 1, whose display frames have no
/// service agreements (the last field of version 2's display message).
pub const OLDEST_PROTOCOL_VERSION: u8 = 1;
/// The host's address for "every board".
pub const BROADCAST_ADDRESS: u8 = 0xFF;
/// The largest frame on the line, delimiter included. Sized so that the largest
/// [`HostMessage`] (a full [`BoardFrame`]: 8 queues, 8 agreements, long labels, a full
/// announcement) fits
/// (checked by a test).
pub const MAX_FRAME_BYTES: usize = 1024;
/// The largest frame before COBS and the delimiter: COBS adds one byte per 254 and one more,
/// the delimiter one.
pub const MAX_PAYLOAD_BYTES: usize = MAX_FRAME_BYTES - MAX_FRAME_BYTES / 254 - 3;

const HEADER_BYTES: usize = 4;
const CRC_BYTES: usize = 4;

/// Host → board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
// No heap on a board to box into; a decoder holds one message at a time, so its size is paid
// once.
#[allow(clippy::large_enum_variant)]
pub enum HostMessage {
    /// Show this frame.
    Display(BoardFrame),
    /// Change the board's settings.
    Configure(BoardSettings),
    /// Are you there? (answered with [`BoardMessage::Status`]).
    Ping,
    /// What are you showing? (answered with [`BoardMessage::Showing`]).
    WhatAreYouShowing,
}

/// A board's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BoardSettings {
    /// LED brightness, 0 (off) to 255 (full).
    pub brightness: u8,
    /// Seconds each page shows when the queues do not fit on one screen.
    pub page_seconds: u8,
    /// Alert thresholds the board applies to figures it derives itself (e.g. ageing waits
    /// between frames).
    pub thresholds: AlertThresholds,
}

impl BoardSettings {
    /// A board's settings until the host configures it: full brightness, five seconds a page,
    /// [`AlertThresholds::DEFAULT`].
    pub const DEFAULT: Self =
        Self { brightness: 255, page_seconds: 5, thresholds: AlertThresholds::DEFAULT };

    /// Whether a board can apply these settings: pages last at least a second, and each
    /// threshold's warning comes no later than its alarm.
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        let t = &self.thresholds;
        self.page_seconds > 0
            && t.waiting_warning <= t.waiting_alarm
            && t.wait_warning_s <= t.wait_alarm_s
    }
}

impl Default for BoardSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a board refused a frame addressed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NackReason {
    /// The frame's data was already older than its time-to-live on arrival.
    Expired,
    /// The settings are out of range.
    InvalidSettings,
    /// The board cannot show this (e.g. an unsupported feature).
    Unsupported,
}

/// What a board is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Screen {
    /// The start-up screen, before any frame.
    Boot,
    /// A frame's figures.
    Figures,
    /// The center is closed.
    Closed,
    /// No valid frame within its time-to-live: no numbers.
    NoData,
}

/// Frames a decoder accepted, and those it discarded by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecodeCounts {
    /// Frames decoded and accepted.
    pub accepted: u32,
    /// Frames longer than [`MAX_FRAME_BYTES`] (discarded up to the next delimiter).
    pub oversized: u32,
    /// Frames whose COBS encoding is broken (e.g. a cut cable).
    pub bad_framing: u32,
    /// Frames too short to hold a header and a CRC.
    pub truncated: u32,
    /// Frames whose CRC does not match.
    pub bad_crc: u32,
    /// Frames of another protocol version.
    pub unknown_version: u32,
    /// Frames for another board.
    pub other_address: u32,
    /// Frames with a good CRC whose message does not decode.
    pub malformed: u32,
}

impl DecodeCounts {
    /// Nothing counted yet.
    pub const NONE: Self = Self {
        accepted: 0,
        oversized: 0,
        bad_framing: 0,
        truncated: 0,
        bad_crc: 0,
        unknown_version: 0,
        other_address: 0,
        malformed: 0,
    };

    /// Frames discarded for any reason.
    #[must_use]
    pub const fn discarded(&self) -> u32 {
        self.oversized
            .saturating_add(self.bad_framing)
            .saturating_add(self.truncated)
            .saturating_add(self.bad_crc)
            .saturating_add(self.unknown_version)
            .saturating_add(self.other_address)
            .saturating_add(self.malformed)
    }
}

/// Board → host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BoardMessage {
    /// The frame with this sequence was accepted.
    Ack,
    /// The frame with this sequence was refused.
    Nack(NackReason),
    /// Health.
    Status {
        /// Seconds since the board started.
        uptime_s: u32,
        /// What its decoder accepted and discarded.
        counts: DecodeCounts,
        /// The sequence of the frame shown, if any.
        shown_sequence: Option<u16>,
    },
    /// What the board shows.
    Showing {
        /// The screen.
        screen: Screen,
        /// The sequence of the frame shown, if any.
        shown_sequence: Option<u16>,
        /// The instant, on the frame's clock (ms since the epoch), the picture was drawn for:
        /// with the frame and the settings, all a host needs to draw the same picture. None
        /// before any frame arrived.
        shown_at: Option<u64>,
        /// CRC-32 of the framebuffer, row by row, so a host can compare it with its own render.
        framebuffer_crc: u32,
    },
}

/// A message of this protocol, either way: [`HostMessage`] or [`BoardMessage`].
pub trait Message: DeserializeOwned + Serialize + sealed::Sealed {
    /// Whether a version-1 frame's message starting with [`DISPLAY_VARIANT`] is a display
    /// frame without version 2's list of agreements.
    #[doc(hidden)]
    const VERSION_1_DISPLAY: bool;

    /// Decodes `body`, which the message must fill exactly, into `place`. Where a message can
    /// be decoded in place (a display frame into a display message), it is: no copy of it
    /// passes through the stack. On an error `place` holds a valid message of no meaning.
    #[doc(hidden)]
    fn decode_into(body: &[u8], place: &mut Self) -> Result<(), postcard::Error> {
        *place = whole(body)?;
        Ok(())
    }
}

/// The message `body` holds, which it must fill exactly: trailing bytes would let a frame of
/// the other direction pass for a short message (a host's `Display` echoed on a half-duplex
/// line reads as a board's `Ack` followed by the frame).
fn whole<M: DeserializeOwned>(body: &[u8]) -> Result<M, postcard::Error> {
    match postcard::take_from_bytes::<M>(body)? {
        (message, []) => Ok(message),
        (_, _) => Err(postcard::Error::DeserializeBadEncoding),
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::HostMessage {}
    impl Sealed for super::BoardMessage {}
}

impl Message for HostMessage {
    const VERSION_1_DISPLAY: bool = true;

    // By variant, so that no whole message is ever built on the stack: postcard writes the
    // variant's index (in declaration order) as a varint, then its fields.
    fn decode_into(body: &[u8], place: &mut Self) -> Result<(), postcard::Error> {
        let (variant, fields) = postcard::take_from_bytes::<u32>(body)?;
        match (variant, fields) {
            (DISPLAY_VARIANT_INDEX, fields) => {
                if !matches!(place, Self::Display(_)) {
                    *place = Self::Display(BoardFrame::EMPTY);
                }
                let Self::Display(frame) = place else {
                    return Err(postcard::Error::DeserializeBadEnum);
                };
                let mut fields = postcard::Deserializer::from_bytes(fields);
                BoardFrame::deserialize_in_place(&mut fields, frame)?;
                match fields.finalize()? {
                    [] => Ok(()),
                    _ => Err(postcard::Error::DeserializeBadEncoding),
                }
            }
            (1, fields) => {
                *place = Self::Configure(whole(fields)?);
                Ok(())
            }
            (2, []) => {
                *place = Self::Ping;
                Ok(())
            }
            (3, []) => {
                *place = Self::WhatAreYouShowing;
                Ok(())
            }
            (2 | 3, _) => Err(postcard::Error::DeserializeBadEncoding),
            _ => Err(postcard::Error::DeserializeBadEnum),
        }
    }
}

impl Message for BoardMessage {
    const VERSION_1_DISPLAY: bool = false;
}

/// The postcard variant number of [`HostMessage::Display`], its first byte on the wire.
const DISPLAY_VARIANT: u8 = 0;
/// The same, as postcard decodes it.
const DISPLAY_VARIANT_INDEX: u32 = 0;

/// A frame's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header {
    /// Protocol version.
    pub version: u8,
    /// The board addressed (host → board) or answering (board → host).
    pub address: u8,
    /// The host's sequence number.
    pub sequence: u16,
}

/// Why a frame could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small (a [`MAX_FRAME_BYTES`] buffer always suffices).
    #[error("the output buffer is too small for the frame")]
    BufferTooSmall,
    /// Address 0 is reserved: no board has it.
    #[error("address 0 is reserved")]
    ReservedAddress,
}

/// Encodes one frame of [`PROTOCOL_VERSION`] into `out`, delimiter included; returns its
/// length.
///
/// # Errors
/// [`EncodeError::BufferTooSmall`], [`EncodeError::ReservedAddress`].
pub fn encode<M: Serialize>(
    address: u8,
    sequence: u16,
    message: &M,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    encode_version(PROTOCOL_VERSION, address, sequence, message, out)
}

/// Encodes a board's answer to the frame with header `to`, in that frame's version (a
/// [`BoardMessage`] is the same in every version), so that a host that has not been upgraded
/// yet understands it.
///
/// # Errors
/// [`EncodeError::BufferTooSmall`], [`EncodeError::ReservedAddress`].
pub fn encode_answer(
    to: &Header,
    address: u8,
    message: &BoardMessage,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let version = to.version.clamp(OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION);
    encode_version(version, address, to.sequence, message, out)
}

fn encode_version<M: Serialize>(
    version: u8,
    address: u8,
    sequence: u16,
    message: &M,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    if address == 0 {
        return Err(EncodeError::ReservedAddress);
    }
    let mut payload = [0_u8; MAX_PAYLOAD_BYTES];
    let [s0, s1] = sequence.to_le_bytes();
    let (header, rest) =
        payload.split_first_chunk_mut::<HEADER_BYTES>().ok_or(EncodeError::BufferTooSmall)?;
    *header = [version, address, s0, s1];
    let body_len =
        postcard::to_slice(message, rest).map_err(|_| EncodeError::BufferTooSmall)?.len();
    let crc_at = HEADER_BYTES.saturating_add(body_len);
    let end = crc_at.saturating_add(CRC_BYTES);
    let covered = payload.get(..crc_at).ok_or(EncodeError::BufferTooSmall)?;
    let crc = crc32(covered).to_le_bytes();
    payload.get_mut(crc_at..end).ok_or(EncodeError::BufferTooSmall)?.copy_from_slice(&crc);
    let payload = payload.get(..end).ok_or(EncodeError::BufferTooSmall)?;
    cobs_encode(payload, out).ok_or(EncodeError::BufferTooSmall)
}

/// COBS-encodes `data` into `out` and appends the `0x00` delimiter; `None` if `out` is short.
fn cobs_encode(data: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut code_at = 0;
    let mut write = 1;
    let mut code: u8 = 1;
    for &byte in data {
        if byte == 0 {
            *out.get_mut(code_at)? = code;
            code_at = write;
            write = write.checked_add(1)?;
            code = 1;
        } else {
            *out.get_mut(write)? = byte;
            write = write.checked_add(1)?;
            code = code.checked_add(1)?;
            if code == 0xFF {
                *out.get_mut(code_at)? = code;
                code_at = write;
                write = write.checked_add(1)?;
                code = 1;
            }
        }
    }
    *out.get_mut(code_at)? = code;
    *out.get_mut(write)? = 0;
    write.checked_add(1)
}

/// Decodes a COBS block (no delimiter) in place; returns the decoded length, `None` if the
/// encoding is broken. Decoding never writes ahead of reading, so in place is safe.
fn cobs_decode_in_place(buffer: &mut [u8]) -> Option<usize> {
    let len = buffer.len();
    let (mut read, mut write) = (0_usize, 0_usize);
    while read < len {
        let code = *buffer.get(read)?;
        if code == 0 {
            return None;
        }
        read = read.saturating_add(1);
        for _ in 1..code {
            // `get` fails, and so the frame, when a block runs past the end (truncation).
            let byte = *buffer.get(read)?;
            if byte == 0 {
                return None;
            }
            *buffer.get_mut(write)? = byte;
            write = write.saturating_add(1);
            read = read.saturating_add(1);
        }
        if code != 0xFF && read < len {
            *buffer.get_mut(write)? = 0;
            write = write.saturating_add(1);
        }
    }
    Some(write)
}

/// Why a frame was discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Discard {
    /// Longer than [`MAX_FRAME_BYTES`].
    Oversized,
    /// Broken COBS.
    BadFraming,
    /// Too short for a header and a CRC.
    Truncated,
    /// CRC mismatch.
    BadCrc,
    /// Another protocol version.
    UnknownVersion,
    /// Addressed to another board.
    OtherAddress,
    /// The message does not decode.
    Malformed,
}

/// What one completed frame gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<M> {
    /// A frame for us.
    Frame(Header, M),
    /// A frame discarded, and why (also counted).
    Discarded(Discard),
}

/// A stream decoder: bytes in, frames out. `N` is its buffer, at least [`MAX_FRAME_BYTES`].
///
/// It accepts frames whose address passes `accepts` (a board: its own address and broadcast;
/// the host: any board). Empty frames (two delimiters in a row, an idle line) are ignored.
#[derive(Debug, Clone)]
pub struct FrameDecoder<const N: usize = MAX_FRAME_BYTES> {
    buffer: [u8; N],
    len: usize,
    overflowed: bool,
    counts: DecodeCounts,
}

impl<const N: usize> Default for FrameDecoder<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FrameDecoder<N> {
    /// An empty decoder.
    #[must_use]
    pub const fn new() -> Self {
        Self { buffer: [0; N], len: 0, overflowed: false, counts: DecodeCounts::NONE }
    }

    /// What has been accepted and discarded so far.
    #[must_use]
    pub const fn counts(&self) -> &DecodeCounts {
        &self.counts
    }

    /// Forgets a partial frame (e.g. after a line break was detected).
    pub fn reset(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }

    /// Whether a frame has begun and not yet ended.
    #[must_use]
    pub const fn in_frame(&self) -> bool {
        self.len != 0 || self.overflowed
    }

    /// Drops a frame the line fell silent in the middle of (a cut cable, a host that
    /// restarted), counting it as truncated, so that the next frame after the silence is not
    /// glued to its remains. Returns whether there was one.
    pub fn abandon(&mut self) -> bool {
        if !self.in_frame() {
            return false;
        }
        self.reset();
        self.counts.truncated = self.counts.truncated.saturating_add(1);
        true
    }

    /// Takes one byte; at a delimiter, returns what the frame gave.
    pub fn feed<M: Message>(
        &mut self,
        byte: u8,
        accepts: impl Fn(u8) -> bool,
    ) -> Option<Decoded<M>> {
        let len = self.take_byte(byte)?;
        let checked = len.and_then(|len| self.check_frame::<M>(len, &accepts));
        // One deserialization, returning straight from where postcard builds the message.
        let decoded = checked.and_then(|(header, body_end)| {
            let body = self.buffer.get(HEADER_BYTES..body_end).ok_or(Discard::Truncated)?;
            let message = whole::<M>(body).map_err(|_| Discard::Malformed)?;
            Ok((header, message))
        });
        Some(match self.count(decoded) {
            Ok((header, message)) => Decoded::Frame(header, message),
            Err(reason) => Decoded::Discarded(reason),
        })
    }

    /// Takes one byte, like [`feed`](Self::feed), but decodes a completed frame's message
    /// into `inbox` instead of returning it, in place where it can: a board's display frame
    /// is most of a kilobyte, and returned by value it is copied through the stack on its way
    /// (postcard's result, the decoded frame, the caller's copy) — stack a 16 KiB board does
    /// not have to spare. Returns the frame's header once `inbox` holds its message.
    ///
    /// A frame discarded as [`Discard::Malformed`] may have been partly decoded into `inbox`,
    /// which then holds a valid message of no meaning: keep what is shown elsewhere.
    pub fn feed_into<M: Message>(
        &mut self,
        byte: u8,
        accepts: impl Fn(u8) -> bool,
        inbox: &mut M,
    ) -> Option<Result<Header, Discard>> {
        let len = self.take_byte(byte)?;
        let checked = len.and_then(|len| self.check_frame::<M>(len, &accepts));
        let decoded = checked.and_then(|(header, body_end)| {
            let body = self.buffer.get(HEADER_BYTES..body_end).ok_or(Discard::Truncated)?;
            M::decode_into(body, inbox).map_err(|_| Discard::Malformed)?;
            Ok(header)
        });
        Some(self.count(decoded))
    }

    /// Buffers a byte of a frame; at a delimiter, returns the completed frame's length (or
    /// that it was oversized) and resets for the next. `None`: no frame completed (a byte in
    /// the middle, or an empty frame).
    fn take_byte(&mut self, byte: u8) -> Option<Result<usize, Discard>> {
        if byte != 0 {
            if let Some(slot) = self.buffer.get_mut(self.len) {
                *slot = byte;
                self.len = self.len.saturating_add(1);
            } else {
                self.overflowed = true;
            }
            return None;
        }
        let (len, overflowed) = (self.len, self.overflowed);
        self.reset();
        match (overflowed, len) {
            (true, _) => Some(Err(Discard::Oversized)),
            (false, 0) => None,
            (false, len) => Some(Ok(len)),
        }
    }

    /// Checks a completed frame of `len` bytes — COBS, CRC, version, address — and returns its
    /// header and where its message ends in the buffer (the message starts after the header).
    fn check_frame<M: Message>(
        &mut self,
        len: usize,
        accepts: &impl Fn(u8) -> bool,
    ) -> Result<(Header, usize), Discard> {
        let encoded = self.buffer.get_mut(..len).ok_or(Discard::Oversized)?;
        let decoded_len = cobs_decode_in_place(encoded).ok_or(Discard::BadFraming)?;
        let frame = self.buffer.get(..decoded_len).ok_or(Discard::BadFraming)?;
        let (covered, crc) = frame.split_last_chunk::<CRC_BYTES>().ok_or(Discard::Truncated)?;
        let (header, _) = covered.split_first_chunk::<HEADER_BYTES>().ok_or(Discard::Truncated)?;
        if crc32(covered) != u32::from_le_bytes(*crc) {
            return Err(Discard::BadCrc);
        }
        let [version, address, s0, s1] = *header;
        if !(OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&version) {
            return Err(Discard::UnknownVersion);
        }
        if !accepts(address) {
            return Err(Discard::OtherAddress);
        }
        let header = Header { version, address, sequence: u16::from_le_bytes([s0, s1]) };
        let mut body_end = decoded_len.saturating_sub(CRC_BYTES);
        if version == 1
            && M::VERSION_1_DISPLAY
            && self.buffer.get(HEADER_BYTES) == Some(&DISPLAY_VARIANT)
        {
            // Version 2 appended one field to the display message, its last: the list of
            // service agreements. A version-1 display is version 2's with that list empty,
            // which postcard writes as a single 0x00; it goes where the checked CRC was.
            if let Some(slot) = self.buffer.get_mut(body_end) {
                *slot = 0;
                body_end = body_end.saturating_add(1);
            }
        }
        Ok((header, body_end))
    }

    /// Counts what a frame gave.
    fn count<T>(&mut self, decoded: Result<T, Discard>) -> Result<T, Discard> {
        let counter = match decoded {
            Ok(_) => &mut self.counts.accepted,
            Err(Discard::Oversized) => &mut self.counts.oversized,
            Err(Discard::BadFraming) => &mut self.counts.bad_framing,
            Err(Discard::Truncated) => &mut self.counts.truncated,
            Err(Discard::BadCrc) => &mut self.counts.bad_crc,
            Err(Discard::UnknownVersion) => &mut self.counts.unknown_version,
            Err(Discard::OtherAddress) => &mut self.counts.other_address,
            Err(Discard::Malformed) => &mut self.counts.malformed,
        };
        *counter = counter.saturating_add(1);
        decoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cobs_round_trip(data: &[u8]) {
        let mut encoded = [0_u8; 2048];
        let len = cobs_encode(data, &mut encoded).unwrap();
        assert_eq!(encoded[len - 1], 0);
        assert!(encoded[..len - 1].iter().all(|&b| b != 0), "{data:?}");
        let decoded_len = cobs_decode_in_place(&mut encoded[..len - 1]).unwrap();
        assert_eq!(&encoded[..decoded_len], data);
    }

    #[test]
    fn cobs_known_vectors_and_edges() {
        // From the COBS paper's examples (Cheshire & Baker, 1999).
        let mut out = [0_u8; 16];
        let len = cobs_encode(&[0x11, 0x22, 0x00, 0x33], &mut out).unwrap();
        assert_eq!(&out[..len], &[0x03, 0x11, 0x22, 0x02, 0x33, 0x00]);
        let len = cobs_encode(&[0x00], &mut out).unwrap();
        assert_eq!(&out[..len], &[0x01, 0x01, 0x00]);
        for data in [
            &[][..],
            &[0],
            &[0, 0],
            &[1, 2, 3],
            &[0xFF; 253],
            &[0xFF; 254],
            &[0xFF; 255],
            &[0xFF; 600],
        ] {
            cobs_round_trip(data);
        }
        let mut broken = [0x05, 0x11, 0x22];
        assert_eq!(cobs_decode_in_place(&mut broken), None);
    }
}
