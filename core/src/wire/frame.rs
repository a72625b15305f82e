//! One frame on the line: `COBS(version | address | sequence LE | message | CRC-32 LE) 0x00`,
//! and in version 3 the session and counter after the header and the tag before the CRC. COBS
//! is the `cobs` crate's; the header, the CRC and which versions are spoken are ours.

use serde::Serialize;

use super::auth::{AUTH_BYTES, Auth, Direction, Key, TAG_BYTES, tag};
use super::{
    AUTHENTICATED_VERSION, BoardMessage, CRC_BYTES, HEADER_BYTES, MAX_PAYLOAD_BYTES,
    OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION,
};
use crate::crc::crc32;

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
    /// Version 3's session and counter, checked with the tag; `None` in versions 1 and 2.
    pub auth: Option<Auth>,
}

/// Why a frame could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small (a [`MAX_FRAME_BYTES`](super::MAX_FRAME_BYTES) buffer always suffices).
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
    encode_version::<MAX_PAYLOAD_BYTES, M>(PROTOCOL_VERSION, address, sequence, None, message, out)
}

/// The largest answer a board sends, before COBS: a `Status` of every count at its widest,
/// authenticated, is under 80 bytes. A board encodes its answers in a scratch of this size, not
/// a whole frame's: its stack is short.
const ANSWER_PAYLOAD_BYTES: usize = 128;

/// Encodes one frame of [`AUTHENTICATED_VERSION`] from the host to the board at `address`,
/// with the board's session and the host's counter (`auth`), tagged under `key`; returns its
/// length.
///
/// # Errors
/// [`EncodeError::BufferTooSmall`], [`EncodeError::ReservedAddress`].
pub fn encode_authenticated<M: Serialize>(
    key: &Key,
    address: u8,
    sequence: u16,
    auth: Auth,
    message: &M,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let seal = Some((key, Direction::HostToBoard, auth));
    encode_version::<MAX_PAYLOAD_BYTES, M>(
        AUTHENTICATED_VERSION,
        address,
        sequence,
        seal,
        message,
        out,
    )
}

/// Encodes a board's answer to the authenticated frame with header `to`: version 3, the
/// board's `session`, the counter of the frame answered, tagged under `key` as going from the
/// board.
///
/// # Errors
/// [`EncodeError::BufferTooSmall`], [`EncodeError::ReservedAddress`].
pub fn encode_answer_authenticated(
    to: &Header,
    address: u8,
    key: &Key,
    session: u32,
    message: &BoardMessage,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let counter = to.auth.map_or(0, |auth| auth.counter);
    let seal = Some((key, Direction::BoardToHost, Auth { session, counter }));
    encode_version::<ANSWER_PAYLOAD_BYTES, BoardMessage>(
        AUTHENTICATED_VERSION,
        address,
        to.sequence,
        seal,
        message,
        out,
    )
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
    encode_version::<ANSWER_PAYLOAD_BYTES, BoardMessage>(
        version,
        address,
        to.sequence,
        None,
        message,
        out,
    )
}

/// Encodes a frame through a scratch of `N` bytes; `seal`, for version 3: the key, the
/// direction and the session and counter.
fn encode_version<const N: usize, M: Serialize>(
    version: u8,
    address: u8,
    sequence: u16,
    seal: Option<(&Key, Direction, Auth)>,
    message: &M,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    if address == 0 {
        return Err(EncodeError::ReservedAddress);
    }
    let mut payload = [0_u8; N];
    let [s0, s1] = sequence.to_le_bytes();
    let (header, rest) =
        payload.split_first_chunk_mut::<HEADER_BYTES>().ok_or(EncodeError::BufferTooSmall)?;
    *header = [version, address, s0, s1];
    let body_at = match seal {
        Some((_, _, auth)) => {
            let (room, _) =
                rest.split_first_chunk_mut::<AUTH_BYTES>().ok_or(EncodeError::BufferTooSmall)?;
            *room = auth.to_bytes();
            HEADER_BYTES.saturating_add(AUTH_BYTES)
        }
        None => HEADER_BYTES,
    };
    let body_room = payload.get_mut(body_at..).ok_or(EncodeError::BufferTooSmall)?;
    let body_len =
        postcard::to_slice(message, body_room).map_err(|_| EncodeError::BufferTooSmall)?.len();
    let mut crc_at = body_at.saturating_add(body_len);
    if let Some((key, direction, _)) = seal {
        let covered = payload.get(..crc_at).ok_or(EncodeError::BufferTooSmall)?;
        let tag = tag(key, direction, covered);
        let tag_end = crc_at.saturating_add(TAG_BYTES);
        payload.get_mut(crc_at..tag_end).ok_or(EncodeError::BufferTooSmall)?.copy_from_slice(&tag);
        crc_at = tag_end;
    }
    let end = crc_at.saturating_add(CRC_BYTES);
    let covered = payload.get(..crc_at).ok_or(EncodeError::BufferTooSmall)?;
    let crc = crc32(covered).to_le_bytes();
    payload.get_mut(crc_at..end).ok_or(EncodeError::BufferTooSmall)?.copy_from_slice(&crc);
    let payload = payload.get(..end).ok_or(EncodeError::BufferTooSmall)?;
    cobs_encode(payload, out).ok_or(EncodeError::BufferTooSmall)
}

/// Why a frame could not be sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SealError {
    /// Not one whole version-2 frame: broken COBS, a bad CRC, another version, or more than
    /// one frame.
    #[error("not one whole version-2 frame")]
    NotAFrame,
    /// The output buffer is too small (a [`MAX_FRAME_BYTES`](super::MAX_FRAME_BYTES) buffer
    /// always suffices for a frame that fitted in version 2 with room for 24 bytes more).
    #[error("the output buffer is too small for the sealed frame")]
    BufferTooSmall,
}

/// Seals a host's version-2 frame (`frame`, its delimiter included, as [`encode`] or the C
/// ABI's encoders write it) into the version-3 frame of the same message, to the same board
/// with the same sequence, carrying `auth` and tagged under `key`; returns its length. For a
/// host that builds its frames one way and signs them another (the C ABI's `cb_wire_seal`).
///
/// # Errors
/// [`SealError::NotAFrame`], [`SealError::BufferTooSmall`].
pub fn seal(key: &Key, auth: Auth, frame: &[u8], out: &mut [u8]) -> Result<usize, SealError> {
    let (&delimiter, encoded) = frame.split_last().ok_or(SealError::NotAFrame)?;
    if delimiter != 0 || encoded.contains(&0) {
        return Err(SealError::NotAFrame);
    }
    let mut payload = [0_u8; MAX_PAYLOAD_BYTES];
    let room = payload.get_mut(..encoded.len()).ok_or(SealError::NotAFrame)?;
    room.copy_from_slice(encoded);
    let len = cobs_decode_in_place(room).ok_or(SealError::NotAFrame)?;
    let plain = payload.get(..len).ok_or(SealError::NotAFrame)?;
    let (covered, crc) = plain.split_last_chunk::<CRC_BYTES>().ok_or(SealError::NotAFrame)?;
    let (&header, body) =
        covered.split_first_chunk::<HEADER_BYTES>().ok_or(SealError::NotAFrame)?;
    if crc32(covered) != u32::from_le_bytes(*crc) || header[0] != PROTOCOL_VERSION {
        return Err(SealError::NotAFrame);
    }
    let [_, address, s0, s1] = header;
    let mut sealed = [0_u8; MAX_PAYLOAD_BYTES];
    let mut at = 0_usize;
    let mut put = |bytes: &[u8]| -> Result<(), SealError> {
        let end = at.checked_add(bytes.len()).ok_or(SealError::BufferTooSmall)?;
        sealed.get_mut(at..end).ok_or(SealError::BufferTooSmall)?.copy_from_slice(bytes);
        at = end;
        Ok(())
    };
    put(&[AUTHENTICATED_VERSION, address, s0, s1])?;
    put(&auth.to_bytes())?;
    put(body)?;
    let tagged = sealed.get(..at).ok_or(SealError::BufferTooSmall)?;
    let tag = tag(key, Direction::HostToBoard, tagged);
    let tag_end = at.checked_add(TAG_BYTES).ok_or(SealError::BufferTooSmall)?;
    sealed.get_mut(at..tag_end).ok_or(SealError::BufferTooSmall)?.copy_from_slice(&tag);
    let crc = crc32(sealed.get(..tag_end).ok_or(SealError::BufferTooSmall)?).to_le_bytes();
    let end = tag_end.checked_add(CRC_BYTES).ok_or(SealError::BufferTooSmall)?;
    sealed.get_mut(tag_end..end).ok_or(SealError::BufferTooSmall)?.copy_from_slice(&crc);
    let sealed = sealed.get(..end).ok_or(SealError::BufferTooSmall)?;
    cobs_encode(sealed, out).ok_or(SealError::BufferTooSmall)
}

/// COBS-encodes `data` into `out` and appends the `0x00` delimiter; `None` if `out` is short.
fn cobs_encode(data: &[u8], out: &mut [u8]) -> Option<usize> {
    let len = cobs::try_encode(data, out).ok()?;
    *out.get_mut(len)? = 0;
    len.checked_add(1)
}

/// Decodes a COBS block (no delimiter) in place; returns the decoded length, `None` if the
/// encoding is broken (a block that runs past the end: a truncated frame).
pub(super) fn cobs_decode_in_place(buffer: &mut [u8]) -> Option<usize> {
    cobs::decode_in_place(buffer).ok()
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
        // A frame is never empty (header and CRC), so the empty input is not among these.
        for data in
            [&[0][..], &[0, 0], &[1, 2, 3], &[0xFF; 253], &[0xFF; 254], &[0xFF; 255], &[0xFF; 600]]
        {
            cobs_round_trip(data);
        }
        let mut broken = [0x05, 0x11, 0x22];
        assert_eq!(cobs_decode_in_place(&mut broken), None);
    }
}
