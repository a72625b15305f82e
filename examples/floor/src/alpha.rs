//! Frames for the Alpha signs a center already owns: the core's layout
//! (`callboard_core::alpha`) turned into packets, written to a line at the pace a sign needs.
//!
//! A sign is sent its memory configuration, its TEXT file and every STRING file the first
//! time; after that, only what changed: on most updates, the few STRING files whose figures
//! moved. Alpha signs do not acknowledge (their ACK/NAK mode is off by default), so nothing is
//! waited for; a sign needs 100 ms after each nested command's `STX` and between packets
//! (`PROTOCOL.md`, "Alpha signs").

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use callboard_core::alpha::AlphaError;
use callboard_core::alpha::layout::{SignFiles, SignProfile, TEXT_BYTES, lay_out, update};
use callboard_core::alpha::packet::pauses;
use callboard_core::board::BoardFrame;

/// The pause after a nested command's `STX` and after each packet.
pub const PACE: Duration = Duration::from_millis(100);
/// A packet buffer: the TEXT file and its framing.
const PACKET_BYTES: usize = TEXT_BYTES + 64;

/// A sign on a line: what it was last sent, to send only what changes.
#[derive(Debug, Clone)]
pub struct Sign {
    /// Its kind.
    pub profile: SignProfile,
    /// Its address (1–255).
    pub address: u8,
    shown: Option<SignFiles>,
}

impl Sign {
    /// A sign that has been sent nothing yet.
    #[must_use]
    pub const fn new(profile: SignProfile, address: u8) -> Self {
        Self { profile, address, shown: None }
    }

    /// The packets that take the sign from what it was last sent to `frame`: all of it the
    /// first time (or after [`Sign::forget`]), otherwise only what changed (none when nothing
    /// did).
    ///
    /// # Errors
    /// The layout's refusal (not expected for a frame within its limits).
    pub fn packets(&mut self, frame: &BoardFrame) -> Result<Vec<Vec<u8>>, String> {
        let files = lay_out(frame, &self.profile).map_err(|e| e.to_string())?;
        let mut buffer = vec![0_u8; PACKET_BYTES];
        let mut packets = Vec::new();
        update::<AlphaError>(
            self.shown.as_ref(),
            &files,
            &self.profile,
            self.address,
            &mut buffer,
            |packet| {
                packets.push(packet.to_vec());
                Ok(())
            },
        )
        .map_err(|e| e.to_string())?;
        self.shown = Some(files);
        Ok(packets)
    }

    /// Forgets what the sign was sent (a reconnected line, a sign powered off): the next
    /// frame is sent whole.
    pub fn forget(&mut self) {
        self.shown = None;
    }
}

/// Writes `packet` to `out`, pausing [`PACE`] after each nested command's `STX` and after the
/// packet.
///
/// # Errors
/// The line's.
pub fn write_paced(out: &mut dyn Write, packet: &[u8]) -> std::io::Result<()> {
    let mut from = 0;
    for at in pauses(packet) {
        out.write_all(packet.get(from..at).unwrap_or(&[]))?;
        out.flush()?;
        std::thread::sleep(PACE);
        from = at;
    }
    out.write_all(packet.get(from..).unwrap_or(&[]))?;
    out.flush()?;
    std::thread::sleep(PACE);
    Ok(())
}

/// Every packet of a frame sent whole to a sign, one line each, as space-separated hex bytes.
///
/// # Errors
/// As [`Sign::packets`].
pub fn encode_hex(frame: &BoardFrame, profile: SignProfile, address: u8) -> Result<String, String> {
    let mut text = String::new();
    for packet in Sign::new(profile, address).packets(frame)? {
        for (i, byte) in packet.iter().enumerate() {
            let _ = write!(text, "{}{byte:02x}", if i > 0 { " " } else { "" });
        }
        text.push('\n');
    }
    Ok(text)
}
