//! Packets (section 5.1): five NULs, `SOH`, the type code, the two-digit address, then one or
//! more commands, each `STX`, its code and data, `ETX` and a four-hex-digit checksum (the
//! 16-bit sum of every byte from `STX` to `ETX`), and `EOT`.
//!
//! ```text
//! 00 00 00 00 00 01 'Z' '0' '0'  02 'G' '1' '1' '2'  03 '0' '0' 'E' '5'  04
//! sync           SOH type addr   STX cmd file data   ETX checksum        EOT
//! ```
//!
//! Several commands in one packet are "nested" (section 5.1.2): each keeps its own `STX` and
//! checksum. A sign needs a pause after each nested command's `STX` (100 ms, by the same
//! section); [`pauses`] says where.

use super::{AlphaError, EOT, ETX, SOH, STX, SYNC_NULS, command, is_file_label};

/// The checksum of one command: the 16-bit sum of `STX`, the command code, the data (given in
/// `parts`, one after the other) and `ETX`.
#[must_use]
pub fn checksum(code: u8, parts: &[&[u8]]) -> u16 {
    let sum = parts
        .iter()
        .flat_map(|part| part.iter())
        .fold(u16::from(STX).wrapping_add(u16::from(code)), |s, &b| s.wrapping_add(u16::from(b)));
    sum.wrapping_add(u16::from(ETX))
}

/// Four uppercase hex digits.
#[must_use]
pub const fn hex4(value: u16) -> [u8; 4] {
    [
        hex_digit((value >> 12) as u8),
        hex_digit((value >> 8) as u8),
        hex_digit((value >> 4) as u8),
        hex_digit(value as u8),
    ]
}

/// Two uppercase hex digits.
#[must_use]
pub const fn hex2(value: u8) -> [u8; 2] {
    [hex_digit(value >> 4), hex_digit(value)]
}

const fn hex_digit(nibble: u8) -> u8 {
    match nibble & 0x0F {
        n @ 0..=9 => b'0'.wrapping_add(n),
        n => (b'A' - 10).wrapping_add(n),
    }
}

/// Whether `data` can travel inside a command: no byte that frames a packet.
fn clean(data: &[u8]) -> bool {
    !data.iter().any(|&b| matches!(b, 0x00 | SOH | STX | ETX | EOT))
}

/// How a kind of sign wants its packets framed: what goes before the `SOH`, and whether each
/// command ends with a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Framing {
    /// Bytes before each packet, from which the sign detects the baud rate.
    pub preamble: &'static [u8],
    /// Each command's `ETX` is followed by its checksum.
    pub checksums: bool,
}

impl Framing {
    /// Alpha signs (section 5.1): five NULs, and a checksum after each command.
    pub const ALPHA: Self = Self { preamble: &[0; SYNC_NULS], checksums: true };
    /// Spectrum signs, as Robin Daugherty's "Spectrum Wallboard Sign Protocol" (2003) describes
    /// them: about ten `0` characters (0x30) before each packet for the sign's baud-rate
    /// detection, each command ended by `ETX` with no checksum.
    pub const SPECTRUM: Self = Self { preamble: b"0000000000", checksums: false };
}

/// A packet written into a caller's buffer.
#[derive(Debug)]
pub struct PacketWriter<'b> {
    buffer: &'b mut [u8],
    len: usize,
    checksums: bool,
}

impl<'b> PacketWriter<'b> {
    /// Starts a packet for signs of `type_code` (`Z`, [`ALL_SIGNS`](super::ALL_SIGNS), for
    /// every kind) at `address` (0 for every sign on the line).
    ///
    /// # Errors
    /// [`AlphaError::BadHeader`] for a type code that is not printable ASCII, and
    /// [`AlphaError::BufferTooSmall`].
    pub fn new(buffer: &'b mut [u8], type_code: u8, address: u8) -> Result<Self, AlphaError> {
        Self::with_framing(buffer, Framing::ALPHA, type_code, address)
    }

    /// A packet as [`PacketWriter::new`] begins it, framed as `framing` says.
    ///
    /// # Errors
    /// As [`PacketWriter::new`].
    pub fn with_framing(
        buffer: &'b mut [u8],
        framing: Framing,
        type_code: u8,
        address: u8,
    ) -> Result<Self, AlphaError> {
        if !type_code.is_ascii_graphic() {
            return Err(AlphaError::BadHeader);
        }
        let mut writer = Self { buffer, len: 0, checksums: framing.checksums };
        writer.put(framing.preamble)?;
        writer.put(&[SOH, type_code])?;
        writer.put(&hex2(address))?;
        Ok(writer)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), AlphaError> {
        let end = self.len.checked_add(bytes.len()).ok_or(AlphaError::BufferTooSmall)?;
        self.buffer
            .get_mut(self.len..end)
            .ok_or(AlphaError::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Adds a command: `STX`, `code`, the `parts` of its data one after the other, `ETX` and
    /// the checksum.
    ///
    /// # Errors
    /// [`AlphaError::FramingByteInData`] and [`AlphaError::BufferTooSmall`]; the packet is
    /// left as it was.
    pub fn command(&mut self, code: u8, parts: &[&[u8]]) -> Result<(), AlphaError> {
        if !clean(&[code]) || parts.iter().any(|p| !clean(p)) {
            return Err(AlphaError::FramingByteInData);
        }
        let start = self.len;
        let written = (|| {
            self.put(&[STX, code])?;
            for part in parts {
                self.put(part)?;
            }
            self.put(&[ETX])?;
            if self.checksums {
                self.put(&hex4(checksum(code, parts)))?;
            }
            Ok(())
        })();
        if written.is_err() {
            self.len = start;
        }
        written
    }

    /// Writes a TEXT file: `label`, then `text` (which begins with `ESC`, a position and a
    /// mode; see [`layout`](super::layout)).
    ///
    /// # Errors
    /// [`AlphaError::BadLabel`], and as [`PacketWriter::command`].
    pub fn write_text(&mut self, label: u8, text: &[u8]) -> Result<(), AlphaError> {
        if !is_file_label(label) {
            return Err(AlphaError::BadLabel);
        }
        self.command(command::WRITE_TEXT, &[&[label], text])
    }

    /// Writes a STRING file.
    ///
    /// # Errors
    /// [`AlphaError::BadLabel`], and as [`PacketWriter::command`].
    pub fn write_string(&mut self, label: u8, data: &[u8]) -> Result<(), AlphaError> {
        if !is_file_label(label) {
            return Err(AlphaError::BadLabel);
        }
        self.command(command::WRITE_STRING, &[&[label], data])
    }

    /// Bytes of the buffer not written yet.
    #[must_use]
    pub fn room(&self) -> usize {
        self.buffer.len().saturating_sub(self.len)
    }

    /// Ends the packet with `EOT`; returns its length.
    ///
    /// # Errors
    /// [`AlphaError::BufferTooSmall`].
    pub fn finish(mut self) -> Result<usize, AlphaError> {
        self.put(&[EOT])?;
        Ok(self.len)
    }
}

/// Where a sender pauses in a packet, as offsets just after the `STX` of each command after
/// the first: a sign needs the time to file one nested command before the next.
pub fn pauses(packet: &[u8]) -> impl Iterator<Item = usize> + '_ {
    // A command starts at an STX just after the one before ended: its ETX and four checksum
    // digits, or (framing without checksums) its ETX alone. Data never holds ETX or STX.
    let ends_command = |at: Option<usize>| at.and_then(|at| packet.get(at)) == Some(&ETX);
    (1..packet.len()).filter_map(move |i| {
        let starts = packet.get(i) == Some(&STX)
            && (ends_command(i.checked_sub(1)) || ends_command(i.checked_sub(5)));
        starts.then_some(i.saturating_add(1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alpha::ALL_SIGNS;

    #[test]
    fn a_string_write_is_framed_and_summed() {
        let mut buffer = [0_u8; 64];
        let mut packet = PacketWriter::new(&mut buffer, ALL_SIGNS, 0).unwrap();
        packet.write_string(b'1', b"12").unwrap();
        let len = packet.finish().unwrap();
        // STX 'G' '1' '1' '2' ETX = 2 + 71 + 49 + 49 + 50 + 3 = 224 = 0x00E0.
        assert_eq!(checksum(b'G', &[b"1", b"12"]), 0x00E0);
        // PROTOCOL.md's worked packet: STRING a, green 12.
        assert_eq!(checksum(b'G', &[b"a\x1c212"]), 0x015E);
        assert_eq!(&buffer[..len], b"\0\0\0\0\0\x01Z00\x02G112\x0300E0\x04".as_slice());
    }

    #[test]
    fn addresses_are_two_hex_digits_and_nesting_pauses_after_each_later_stx() {
        let mut buffer = [0_u8; 64];
        let mut packet = PacketWriter::new(&mut buffer, ALL_SIGNS, 0x2C).unwrap();
        packet.write_string(b'a', b"1").unwrap();
        packet.write_string(b'b', b"2").unwrap();
        let len = packet.finish().unwrap();
        let bytes = &buffer[..len];
        assert_eq!(&bytes[6..9], b"Z2C");
        let at: std::vec::Vec<usize> = pauses(bytes).collect();
        assert_eq!(at.len(), 1);
        assert_eq!(bytes[at[0] - 1], STX);
        assert_eq!(bytes[at[0]], b'G');
        assert_eq!(bytes[at[0] + 1], b'b');
    }

    #[test]
    fn framing_bytes_labels_and_small_buffers_are_refused() {
        let mut buffer = [0_u8; 64];
        let mut packet = PacketWriter::new(&mut buffer, ALL_SIGNS, 0).unwrap();
        assert_eq!(packet.write_string(b'1', b"a\x04b"), Err(AlphaError::FramingByteInData));
        assert_eq!(packet.write_string(b'?', b"1"), Err(AlphaError::BadLabel));
        assert_eq!(packet.write_text(0x7F, b"1"), Err(AlphaError::BadLabel));
        let mut small = [0_u8; 18];
        let mut packet = PacketWriter::new(&mut small, ALL_SIGNS, 0).unwrap();
        assert_eq!(packet.write_string(b'1', b"123456789"), Err(AlphaError::BufferTooSmall));
        // Nothing of the refused command stays: a shorter one still fits.
        packet.write_string(b'1', b"").unwrap();
        assert_eq!(packet.finish(), Ok(18));
        assert!(PacketWriter::new(&mut [0_u8; 4], ALL_SIGNS, 0).is_err());
        assert!(PacketWriter::new(&mut [0_u8; 64], 0x07, 0).is_err());
    }

    #[test]
    fn spectrum_framing_has_its_preamble_and_no_checksums() {
        // The STRING file a set to 12 in green for the sign at address 1, nested with b = 3.
        let mut buffer = [0_u8; 64];
        let mut packet =
            PacketWriter::with_framing(&mut buffer, Framing::SPECTRUM, b'Z', 1).unwrap();
        packet.write_string(b'a', b"\x1c212").unwrap();
        packet.write_string(b'b', b"3").unwrap();
        let len = packet.finish().unwrap();
        let expected = b"0000000000\x01Z01\x02Ga\x1c212\x03\x02Gb3\x03\x04";
        assert_eq!(&buffer[..len], expected);
        // The sender pauses after the second command's STX, as with checksums.
        let at: std::vec::Vec<usize> = pauses(&buffer[..len]).collect();
        assert_eq!(at, [23]);
        assert_eq!(buffer[at[0] - 1], STX);
    }
}
