//! The stream decoder: bytes as they come, in any chunking, frames out, every discard counted
//! by reason. Nothing it is fed can make it panic or stop.

use serde::{Deserialize, Serialize};

use super::auth::{AUTH_BYTES, Auth, AuthCounts, Direction, Key, TAG_BYTES, verify};
use super::frame::cobs_decode_in_place;
use super::message::{DISPLAY_VARIANT, Message, whole};
use super::{
    AUTHENTICATED_VERSION, CRC_BYTES, HEADER_BYTES, Header, MAX_FRAME_BYTES,
    OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION,
};
use crate::crc::crc32;

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
    /// Version 1 or 2, no tag, to a decoder that requires authentication.
    Unauthenticated,
    /// Version 3 whose tag does not hold under the decoder's key.
    Forged,
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
    /// With a key, only authenticated frames going this way are taken.
    key: Option<(Key, Direction)>,
    auth_counts: AuthCounts,
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
        Self {
            buffer: [0; N],
            len: 0,
            overflowed: false,
            counts: DecodeCounts::NONE,
            key: None,
            auth_counts: AuthCounts::NONE,
        }
    }

    /// A decoder that requires authentication: only version-3 frames going `direction` whose
    /// tag holds under `key` are taken; versions 1 and 2 are refused as
    /// [`Discard::Unauthenticated`], a tag that fails as [`Discard::Forged`] (counted in
    /// [`FrameDecoder::auth_counts`]). Whether the frame's session and counter are current is
    /// the caller's to judge, from [`Header::auth`].
    #[must_use]
    pub const fn with_key(key: Key, direction: Direction) -> Self {
        let mut decoder = Self::new();
        decoder.key = Some((key, direction));
        decoder
    }

    /// From now on, requires authentication as [`FrameDecoder::with_key`] does; what was
    /// counted stays.
    pub fn set_key(&mut self, key: Key, direction: Direction) {
        self.key = Some((key, direction));
    }

    /// The key this decoder requires frames to be authenticated under, if any.
    #[must_use]
    pub const fn key(&self) -> Option<&Key> {
        match &self.key {
            Some((key, _)) => Some(key),
            None => None,
        }
    }

    /// Frames refused for want of authentication, by reason; [`FrameDecoder::refuse`] adds the
    /// refusals its caller decides (replayed, another session).
    #[must_use]
    pub const fn auth_counts(&self) -> &AuthCounts {
        &self.auth_counts
    }

    /// Counts an authentic frame its caller refused: its counter was not beyond the last one
    /// accepted (`replayed`), or it was for another session.
    pub fn refuse(&mut self, replayed: bool) {
        let counter = if replayed {
            &mut self.auth_counts.replayed
        } else {
            &mut self.auth_counts.other_session
        };
        *counter = counter.saturating_add(1);
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

    /// Its buffer, lent to a caller that shares it with another protocol's decoder on the
    /// same line (a board that also reads Alpha packets has no RAM for a second buffer). A
    /// frame under way is forgotten, not counted: lend the buffer only between frames, when
    /// the line's next bytes are known to be another protocol's.
    pub fn lend_buffer(&mut self) -> &mut [u8; N] {
        self.reset();
        &mut self.buffer
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
        let decoded = checked.and_then(|(header, body_at, body_end)| {
            let body = self.buffer.get(body_at..body_end).ok_or(Discard::Truncated)?;
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
        let decoded = checked.and_then(|(header, body_at, body_end)| {
            let body = self.buffer.get(body_at..body_end).ok_or(Discard::Truncated)?;
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

    /// Checks a completed frame of `len` bytes — COBS, CRC, version, address, and in version 3
    /// the tag — and returns its header and where its message starts and ends in the buffer.
    fn check_frame<M: Message>(
        &mut self,
        len: usize,
        accepts: &impl Fn(u8) -> bool,
    ) -> Result<(Header, usize, usize), Discard> {
        let encoded = self.buffer.get_mut(..len).ok_or(Discard::Oversized)?;
        let decoded_len = cobs_decode_in_place(encoded).ok_or(Discard::BadFraming)?;
        let frame = self.buffer.get(..decoded_len).ok_or(Discard::BadFraming)?;
        let (covered, crc) = frame.split_last_chunk::<CRC_BYTES>().ok_or(Discard::Truncated)?;
        let (header, _) = covered.split_first_chunk::<HEADER_BYTES>().ok_or(Discard::Truncated)?;
        if crc32(covered) != u32::from_le_bytes(*crc) {
            return Err(Discard::BadCrc);
        }
        let [version, address, s0, s1] = *header;
        let known = (OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&version)
            || (version == AUTHENTICATED_VERSION && self.key.is_some());
        if !known {
            return Err(Discard::UnknownVersion);
        }
        if !accepts(address) {
            return Err(Discard::OtherAddress);
        }
        let sequence = u16::from_le_bytes([s0, s1]);
        let mut body_end = decoded_len.saturating_sub(CRC_BYTES);
        let Some((key, direction)) = &self.key else {
            let header = Header { version, address, sequence, auth: None };
            return Ok((header, HEADER_BYTES, self.pad_version_1::<M>(version, body_end)));
        };
        if version != AUTHENTICATED_VERSION {
            return Err(Discard::Unauthenticated);
        }
        // Version 3: the session and counter after the header, the tag before the CRC.
        let (tagged, tag) = covered.split_last_chunk::<TAG_BYTES>().ok_or(Discard::Forged)?;
        let auth = tagged
            .get(HEADER_BYTES..)
            .and_then(<[u8]>::first_chunk::<AUTH_BYTES>)
            .ok_or(Discard::Forged)?;
        if !verify(key, *direction, tagged, tag) {
            return Err(Discard::Forged);
        }
        let header = Header { version, address, sequence, auth: Some(Auth::from_bytes(*auth)) };
        body_end = body_end.saturating_sub(TAG_BYTES);
        Ok((header, HEADER_BYTES.saturating_add(AUTH_BYTES), body_end))
    }

    /// A version-1 display frame made version 2's, in place: version 2 appended one field to
    /// the display message, its last, the list of service agreements; a version-1 display is
    /// version 2's with that list empty, which postcard writes as a single 0x00, put where the
    /// checked CRC was. Returns where the message ends.
    fn pad_version_1<M: Message>(&mut self, version: u8, body_end: usize) -> usize {
        if version == 1
            && M::VERSION_1_DISPLAY
            && self.buffer.get(HEADER_BYTES) == Some(&DISPLAY_VARIANT)
        {
            if let Some(slot) = self.buffer.get_mut(body_end) {
                *slot = 0;
                return body_end.saturating_add(1);
            }
        }
        body_end
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
            Err(Discard::Unauthenticated) => &mut self.auth_counts.unauthenticated,
            Err(Discard::Forged) => &mut self.auth_counts.forged,
        };
        *counter = counter.saturating_add(1);
        decoded
    }
}
