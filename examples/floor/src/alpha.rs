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

use callboard_core::alpha::layout::{
    SIGN_POOL, SignFiles, SignProfile, TEXT_BYTES, TEXT_LABEL, lay_out, update,
};
use callboard_core::alpha::packet::pauses;
use callboard_core::alpha::sign::{EmulatedSign, PacketDecoder, Shown};
use callboard_core::alpha::{AlphaError, Colour, Mode, Position};
use callboard_core::board::BoardFrame;
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::iso_8859_1::FONT_5X7;
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::text::{Baseline, Text};
use embedded_graphics_simulator::SimulatorDisplay;

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

/// A serial line's character frame for a receiver: 8N1 for callboard boards (`None`), 7E1 for
/// Alpha signs, 7E2 for Spectrum signs (the profile's stop bits).
#[must_use]
pub fn serial_frame(
    sign: Option<&SignProfile>,
) -> (serialport::DataBits, serialport::Parity, serialport::StopBits) {
    match sign {
        None => (serialport::DataBits::Eight, serialport::Parity::None, serialport::StopBits::One),
        Some(profile) => (
            serialport::DataBits::Seven,
            serialport::Parity::Even,
            if profile.stop_bits >= 2 {
                serialport::StopBits::Two
            } else {
                serialport::StopBits::One
            },
        ),
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

/// A page of an emulated sign as drawn: its lines, top first.
pub type Screen = Vec<Shown<128>>;

/// What a sign shows after it is sent `frame` whole: the frame's packets read back by the
/// core's emulated sign, its pages grouped into screens (a top line and the bottom line after
/// it make one screen of a two-line sign).
///
/// # Errors
/// As [`Sign::packets`].
pub fn screens(frame: &BoardFrame, profile: SignProfile) -> Result<Vec<Screen>, String> {
    let mut sign = EmulatedSign::<SIGN_POOL>::new();
    let mut decoder = PacketDecoder::<TEXT_BYTES>::new();
    for packet in Sign::new(profile, 1).packets(frame)? {
        for &byte in &packet {
            if let Some(received) = decoder.feed(byte) {
                sign.apply(&received);
            }
        }
    }
    let pages = sign.pages::<128>(TEXT_LABEL);
    let screens = sign
        .screens(TEXT_LABEL)
        .iter()
        .map(|&(first, count)| pages.iter().skip(first).take(count).cloned().collect())
        .collect();
    Ok(screens)
}

/// LEDs a character takes: the 5 × 7 font and a column and a row between characters.
const CELL: Size = Size::new(6, 8);

/// A screen drawn as the sign's LEDs: `profile.columns` characters a line, each line in its
/// own row of characters, each character in its colour (a single-colour sign's red). Held
/// text is centred, as a sign centres it; travelling text is shown as it starts.
#[must_use]
pub fn draw(screen: &Screen, profile: SignProfile) -> SimulatorDisplay<Rgb888> {
    let columns = u32::from(profile.columns.max(1));
    let lines = u32::from(profile.lines.max(1));
    let mut display = SimulatorDisplay::new(Size::new(columns * CELL.width, lines * CELL.height));
    let _ = display.clear(Rgb888::BLACK);
    for shown in screen {
        let row = match shown.position {
            Position::BottomLine => lines - 1,
            _ => 0,
        };
        let chars: Vec<(char, Colour)> =
            shown.text.chars().zip(shown.colours.iter().copied()).collect();
        let visible = chars.len().min(columns as usize);
        let start_column = match shown.mode {
            Mode::Rotate | Mode::Scroll => 0,
            _ => (columns as usize - visible) / 2,
        };
        for (i, (c, colour)) in chars.iter().take(visible).enumerate() {
            let rgb = match (profile.tricolour, colour) {
                (false, _) | (true, Colour::Red) => Rgb888::new(255, 32, 16),
                (true, Colour::Green) => Rgb888::new(40, 230, 60),
                (true, Colour::Amber | Colour::Auto) => Rgb888::new(255, 170, 0),
            };
            let x = (start_column + i) as i32 * CELL.width as i32;
            let y = row as i32 * CELL.height as i32;
            let mut text = [0_u8; 4];
            let _ = Text::with_baseline(
                c.encode_utf8(&mut text),
                Point::new(x, y),
                MonoTextStyle::new(&FONT_5X7, rgb),
                Baseline::Top,
            )
            .draw(&mut display);
        }
    }
    display
}

/// The first screen of a sign sent `frame`, drawn as [`draw`] does, as a base64 PNG at `scale`
/// screen pixels an LED (for a `data:` URL).
///
/// # Errors
/// As [`screens`], and the PNG encoder's refusal.
pub fn png_base64(frame: &BoardFrame, profile: SignProfile, scale: u32) -> Result<String, String> {
    let screens = screens(frame, profile)?;
    let screen = screens.first().cloned().unwrap_or_default();
    draw(&screen, profile)
        .to_rgb_output_image(&output_settings(scale))
        .to_base64_png()
        .map_err(|e| e.to_string())
}

/// How a sign's picture is scaled: `scale` screen pixels an LED, a dark gap between LEDs from
/// 3 up, as the panels' previews are.
#[must_use]
pub fn output_settings(scale: u32) -> embedded_graphics_simulator::OutputSettings {
    embedded_graphics_simulator::OutputSettingsBuilder::new()
        .scale(scale.max(1))
        .pixel_spacing(u32::from(scale > 2))
        .build()
}
