//! # The LED panels a board can drive
//!
//! A [`Panel`] is a real, purchasable LED panel geometry: its size in pixels, its colour type,
//! how it shows each [`Ink`], and how many queues fit side by side on one page.
//!
//! | panel | pixels | colours | queues a page | framebuffer |
//! |---|---|---|---|---|
//! | [`Hub75Rgb64x32`] | 64 × 32 | RGB 565 | 1 | 4,096 bytes |
//! | [`TriColour160x32`] | 160 × 32 | red, green, amber | 2 | 1,280 bytes |
//!
//! The framebuffers ([`Hub75Framebuffer`], [`TriColourFramebuffer`]) are plain
//! `embedded-graphics` framebuffers, separate from any LED driver: the firmware renders into
//! one and its driver scans it out, and [`framebuffer_crc`] is the check a board reports of
//! what it shows, which a host compares with its own render of the same frame.

use core::convert::Infallible;

use embedded_graphics::framebuffer::{Framebuffer, buffer_size};
use embedded_graphics::pixelcolor::raw::{BigEndian, LittleEndian, RawU2, RawU16};
use embedded_graphics::pixelcolor::{PixelColor, Rgb565};
use embedded_graphics::prelude::{DrawTarget, RgbColor, Size};

use crate::colour::{Ink, TriColour};

/// An LED panel geometry.
pub trait Panel {
    /// The panel's pixel colour.
    type Colour: PixelColor;
    /// Width and height in pixels.
    const SIZE: Size;
    /// The width of one queue's cell; a page holds `SIZE.width / CELL_WIDTH` queues.
    const CELL_WIDTH: u32;
    /// The panel's name on the command line.
    const NAME: &'static str;
    /// Its framebuffer, laid out as [`framebuffer_crc`] documents.
    type Framebuffer: DrawTarget<Color = Self::Colour, Error = Infallible>;

    /// A framebuffer with every pixel off.
    fn blank_framebuffer() -> Self::Framebuffer;

    /// A framebuffer's bytes, in the order the board's check covers them.
    fn framebuffer_bytes(framebuffer: &Self::Framebuffer) -> &[u8];

    /// How the panel shows `ink`.
    fn colour(ink: Ink) -> Self::Colour;

    /// Queues shown together on one page.
    #[must_use]
    fn queues_per_page() -> usize {
        usize::try_from(Self::SIZE.width.checked_div(Self::CELL_WIDTH).unwrap_or(1).max(1))
            .unwrap_or(1)
    }
}

/// A 64 × 32 RGB LED matrix with a HUB75 connector (P3 to P6 pitch, sold by Adafruit, Waveshare
/// and many others), one queue a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hub75Rgb64x32;

impl Panel for Hub75Rgb64x32 {
    type Colour = Rgb565;
    const SIZE: Size = Size::new(64, 32);
    const CELL_WIDTH: u32 = 64;
    const NAME: &'static str = "hub75-64x32";
    type Framebuffer = Hub75Framebuffer;

    fn blank_framebuffer() -> Hub75Framebuffer {
        Hub75Framebuffer::new()
    }

    fn framebuffer_bytes(framebuffer: &Hub75Framebuffer) -> &[u8] {
        framebuffer.data()
    }

    fn colour(ink: Ink) -> Rgb565 {
        match ink {
            Ink::Off => Rgb565::BLACK,
            Ink::Label => Rgb565::WHITE,
            // A cool grey: legible, but plainly not a figure.
            Ink::Caption => Rgb565::new(18, 40, 24),
            Ink::Normal => Rgb565::GREEN,
            // Amber, not yellow: red full, green at two thirds.
            Ink::Warning => Rgb565::new(31, 40, 0),
            Ink::Alarm => Rgb565::RED,
            Ink::Notice => Rgb565::CYAN,
        }
    }
}

/// A 160 × 32 tri-colour (red, green, amber) reader board, the kind hung over contact-center
/// floors, two queues a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TriColour160x32;

impl Panel for TriColour160x32 {
    type Colour = TriColour;
    const SIZE: Size = Size::new(160, 32);
    const CELL_WIDTH: u32 = 80;
    const NAME: &'static str = "tricolour-160x32";
    type Framebuffer = TriColourFramebuffer;

    fn blank_framebuffer() -> TriColourFramebuffer {
        TriColourFramebuffer::new()
    }

    fn framebuffer_bytes(framebuffer: &TriColourFramebuffer) -> &[u8] {
        framebuffer.data()
    }

    fn colour(ink: Ink) -> TriColour {
        match ink {
            Ink::Off => TriColour::Off,
            Ink::Label | Ink::Caption | Ink::Warning => TriColour::Amber,
            Ink::Normal => TriColour::Green,
            Ink::Alarm | Ink::Notice => TriColour::Red,
        }
    }
}

/// The framebuffer of a [`Hub75Rgb64x32`]: row by row, each pixel RGB 565 little-endian.
pub type Hub75Framebuffer =
    Framebuffer<Rgb565, RawU16, LittleEndian, 64, 32, { buffer_size::<Rgb565>(64, 32) }>;

/// The framebuffer of a [`TriColour160x32`]: row by row, four pixels a byte, the leftmost in
/// the top two bits (0 off, 1 red, 2 green, 3 amber).
pub type TriColourFramebuffer =
    Framebuffer<TriColour, RawU2, BigEndian, 160, 32, { buffer_size::<TriColour>(160, 32) }>;

/// The CRC-32 of a framebuffer's bytes, as a board reports it.
#[must_use]
pub fn framebuffer_crc(bytes: &[u8]) -> u32 {
    callboard_core::crc::crc32(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framebuffers_are_as_documented() {
        assert_eq!(size_of::<Hub75Framebuffer>(), 4096);
        assert_eq!(size_of::<TriColourFramebuffer>(), 1280);
        assert_eq!(Hub75Rgb64x32::queues_per_page(), 1);
        assert_eq!(TriColour160x32::queues_per_page(), 2);
    }
}
