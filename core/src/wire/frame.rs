//! One frame on the line: `COBS(version | address | sequence LE | message | CRC-32 LE) 0x00`.
//! COBS is the `cobs` crate's; the header, the CRC and which versions are spoken are ours.

use serde::Serialize;

use super::{
    BoardMessage, CRC_BYTES, HEADER_BYTES, MAX_PAYLOAD_BYTES, OLDEST_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
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
