//! Helpers shared by the integration tests, written independently of the code under test.

/// CRC-32/ISO-HDLC (the zlib CRC), bit by bit, written again here so the tests do not trust
/// the code they check.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
