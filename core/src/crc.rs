//! CRC-32 as in IEEE 802.3, zlib and PNG (CRC-32/ISO-HDLC: reflected polynomial 0xEDB88320,
//! initial and final value all ones), for checkpoints, board frames and the check a board
//! reports of its framebuffer.

/// The CRC-32 of `bytes`, bit by bit: the data is small (a board frame) or rare (a
/// checkpoint), so a 1 KiB table is not worth its flash on a board.
#[must_use]
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values() {
        // The catalogue check value of CRC-32/ISO-HDLC, and the empty input.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
