//! Authenticated frames: protocol version 3.
//!
//! A version-3 frame is a version-2 frame with two things added, so that a board can tell a
//! frame from the center from one anybody on the line could write:
//!
//! ```text
//! COBS( 3 | address | sequence LE | session u32 LE | counter u32 LE | message | tag[16] | CRC-32 LE ) 0x00
//! ```
//!
//! - the **tag** is HMAC-SHA256 (RFC 2104 over FIPS 180-4; RustCrypto's `hmac` and `sha2`)
//!   under the key the host and that board share, over a direction byte (`H` host → board,
//!   `B` board → host, so that a board's answer can never pass for a host's frame) followed by
//!   every byte of the payload before the tag, truncated to its first 16 bytes (128 bits, as
//!   RFC 2104 section 5 and NIST SP 800-107 allow);
//! - the **session** and **counter** are replay protection. A board counts its starts (the
//!   count survives a restart: the firmware keeps it where a reset does not clear it) and that
//!   count is its session; it accepts a frame that changes what it shows only for its current
//!   session and with a counter beyond the last it accepted in that session. A frame recorded
//!   before the board restarted carries an old session, one recorded since an old counter:
//!   both are refused. A host learns the session from the board's authenticated answer to a
//!   `Ping` (which, changing nothing, may carry session 0), and starts counting from 1.
//! - a board's **answer** carries the board's session and the counter of the frame it answers,
//!   and is tagged with direction `B`: the host knows which board spoke, and that the answer is
//!   to its own question, not a recording.
//!
//! Why a MAC and not an AEAD: what a board shows is on a wall for everyone to read, so nothing
//! in a frame is secret; what must hold is where it came from and that it is fresh.
//! HMAC-SHA256 is the most reviewed construction there is for that, and a switch written in C
//! has it in every crypto library. The CRC stays, after the tag: a frame the line garbled is
//! told from a forged one, and counted apart.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Bytes of a key: 256 bits.
pub const KEY_BYTES: usize = 32;
/// Bytes of a frame's tag: HMAC-SHA256 truncated to 128 bits.
pub const TAG_BYTES: usize = 16;
/// Bytes of the session and the counter, after the header.
pub const AUTH_BYTES: usize = 8;

/// A key a host and a board share. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; KEY_BYTES]);

impl core::fmt::Debug for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Key(..)")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Key {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Key(..)");
    }
}

/// Why a key could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum KeyError {
    /// Not 64 hexadecimal digits.
    #[error("a key is 64 hexadecimal digits (32 bytes)")]
    Malformed,
}

impl Key {
    /// The key of these bytes.
    #[must_use]
    pub const fn new(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// The key written as 64 hexadecimal digits (either case), as `callboard board keygen`
    /// writes it; spaces and line ends around it are the caller's to trim.
    ///
    /// # Errors
    /// [`KeyError::Malformed`].
    // A const fn, for a key given at build time: indexes within the length checked first.
    #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
    pub const fn from_hex(text: &str) -> Result<Self, KeyError> {
        let digits = text.as_bytes();
        if digits.len() != 2 * KEY_BYTES {
            return Err(KeyError::Malformed);
        }
        let mut bytes = [0_u8; KEY_BYTES];
        let mut i = 0;
        while i < KEY_BYTES {
            let (Some(high), Some(low)) = (hex_digit(digits[2 * i]), hex_digit(digits[2 * i + 1]))
            else {
                return Err(KeyError::Malformed);
            };
            bytes[i] = (high << 4) | low;
            i += 1;
        }
        Ok(Self(bytes))
    }

    /// The key's bytes, for a host that must write them to a key file.
    #[must_use]
    pub const fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }
}

#[allow(clippy::arithmetic_side_effects)] // Each arm's range keeps it within a nibble.
const fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Which way a frame goes: part of what its tag covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Direction {
    /// Host → board (`H`).
    HostToBoard,
    /// Board → host (`B`).
    BoardToHost,
}

impl Direction {
    const fn byte(self) -> u8 {
        match self {
            Self::HostToBoard => b'H',
            Self::BoardToHost => b'B',
        }
    }
}

/// A version-3 frame's replay protection: the board's session and the host's counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Auth {
    /// The board's session (its count of starts); 0 in a host's `Ping` that asks for it.
    pub session: u32,
    /// The host's counter for this board in this session (in an answer, the counter of the
    /// frame answered).
    pub counter: u32,
}

impl Auth {
    /// Its bytes on the line: session then counter, little-endian.
    #[must_use]
    pub fn to_bytes(self) -> [u8; AUTH_BYTES] {
        let [a, b, c, d] = self.session.to_le_bytes();
        let [e, f, g, h] = self.counter.to_le_bytes();
        [a, b, c, d, e, f, g, h]
    }

    /// Read from its bytes on the line.
    #[must_use]
    pub fn from_bytes(bytes: [u8; AUTH_BYTES]) -> Self {
        let [a, b, c, d, e, f, g, h] = bytes;
        Self {
            session: u32::from_le_bytes([a, b, c, d]),
            counter: u32::from_le_bytes([e, f, g, h]),
        }
    }
}

/// Frames a board that requires authentication refused, by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AuthCounts {
    /// Frames of version 1 or 2, which carry no tag.
    pub unauthenticated: u32,
    /// Frames whose tag did not hold: another key, a byte changed, a tag cut short.
    pub forged: u32,
    /// Authentic frames whose counter was not beyond the last accepted: a recording.
    pub replayed: u32,
    /// Authentic frames for another session than the board's: recorded before it restarted,
    /// or made for a session it has not reached.
    pub other_session: u32,
}

impl AuthCounts {
    /// Nothing refused yet.
    pub const NONE: Self = Self { unauthenticated: 0, forged: 0, replayed: 0, other_session: 0 };
}

fn mac(key: &Key, direction: Direction, covered: &[u8]) -> Hmac<Sha256> {
    // HMAC pads a key shorter than the hash's 64-byte block with zeros (RFC 2104, section 2):
    // given the block itself, no length can be refused.
    let mut block = [0_u8; 64];
    if let Some(head) = block.first_chunk_mut::<KEY_BYTES>() {
        *head = key.0;
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
    mac.update(&[direction.byte()]);
    mac.update(covered);
    mac
}

/// The tag of `covered` (every payload byte before the tag) going `direction` under `key`.
#[must_use]
pub fn tag(key: &Key, direction: Direction, covered: &[u8]) -> [u8; TAG_BYTES] {
    let full = mac(key, direction, covered).finalize().into_bytes();
    let mut tag = [0_u8; TAG_BYTES];
    tag.copy_from_slice(full.get(..TAG_BYTES).unwrap_or(&[0; TAG_BYTES]));
    tag
}

/// Whether `tag` is the tag of `covered` going `direction` under `key`, compared in constant
/// time.
#[must_use]
pub fn verify(key: &Key, direction: Direction, covered: &[u8], tag: &[u8; TAG_BYTES]) -> bool {
    mac(key, direction, covered).verify_truncated_left(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_is_rfc_4231s_hmac_sha256() {
        // RFC 4231 test case 2 ("Jefe"), through the same crates, to pin how they are called;
        // the frame's own MAC adds the direction byte, pinned by the golden vectors.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let full = mac.finalize().into_bytes();
        assert_eq!(
            full[..],
            [
                0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95,
                0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9,
                0x64, 0xec, 0x38, 0x43
            ]
        );
    }

    #[test]
    fn a_tag_holds_only_for_its_key_direction_and_bytes() {
        let key = Key::new([7; KEY_BYTES]);
        let t = tag(&key, Direction::HostToBoard, b"payload");
        assert!(verify(&key, Direction::HostToBoard, b"payload", &t));
        assert!(!verify(&key, Direction::BoardToHost, b"payload", &t));
        assert!(!verify(&key, Direction::HostToBoard, b"payloaD", &t));
        assert!(!verify(&Key::new([8; KEY_BYTES]), Direction::HostToBoard, b"payload", &t));
        let mut cut = t;
        cut[15] ^= 1;
        assert!(!verify(&key, Direction::HostToBoard, b"payload", &cut));
    }

    #[test]
    fn keys_are_read_from_64_hex_digits_and_never_shown() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        let key = Key::from_hex(hex).unwrap();
        assert_eq!(key.bytes()[..4], [0x00, 0x11, 0x22, 0x33]);
        assert_eq!(key.bytes()[31], 0xFF);
        assert_eq!(Key::from_hex(&hex[1..]), Err(KeyError::Malformed));
        assert_eq!(Key::from_hex(&hex.replace('0', "g")), Err(KeyError::Malformed));
        assert_eq!(std::format!("{key:?}"), "Key(..)");
    }
}
