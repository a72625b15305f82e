//! # Colours on the board
//!
//! The renderer never picks a colour: it draws with an [`Ink`], what a pixel *means* (a label,
//! a figure in alarm, the announcement), and each [panel](crate::panel) maps inks to the
//! colours its LEDs can make. An RGB matrix has white labels and green, amber and red figures;
//! a tri-colour reader board has only red, green and amber LEDs ([`TriColour`]), so its labels
//! are amber like most reader boards, and a figure's alert still reads green, amber or red.

use callboard_core::board::Alert;
use embedded_graphics::pixelcolor::raw::{RawData, RawU2};
use embedded_graphics::pixelcolor::{PixelColor, Rgb888};

/// What a pixel means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Ink {
    /// Unlit.
    Off,
    /// A queue's name and the board's own words ("CLOSED", "NO DATA").
    Label,
    /// The two-letter captions beside figures, and figures that are unknown ("--").
    Caption,
    /// A figure within target.
    Normal,
    /// A figure that needs attention.
    Warning,
    /// A figure that needs action now.
    Alarm,
    /// The announcement line.
    Notice,
}

impl From<Alert> for Ink {
    fn from(alert: Alert) -> Self {
        match alert {
            Alert::Normal => Self::Normal,
            Alert::Warning => Self::Warning,
            Alert::Alarm => Self::Alarm,
        }
    }
}

/// A pixel of a tri-colour LED board: each pixel has a red and a green LED, both lit make amber.
///
/// Two bits a pixel (bit 1 green, bit 0 red), so a 160 × 32 framebuffer is 1,280 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TriColour {
    /// Both LEDs off.
    #[default]
    Off,
    /// The red LED.
    Red,
    /// The green LED.
    Green,
    /// Both LEDs.
    Amber,
}

impl PixelColor for TriColour {
    type Raw = RawU2;
}

impl From<RawU2> for TriColour {
    fn from(raw: RawU2) -> Self {
        match raw.into_inner() & 0b11 {
            0b00 => Self::Off,
            0b01 => Self::Red,
            0b10 => Self::Green,
            _ => Self::Amber,
        }
    }
}

impl From<TriColour> for RawU2 {
    fn from(colour: TriColour) -> Self {
        Self::new(match colour {
            TriColour::Off => 0b00,
            TriColour::Red => 0b01,
            TriColour::Green => 0b10,
            TriColour::Amber => 0b11,
        })
    }
}

/// The colour a lit LED shows in a preview: measured-looking LED hues rather than pure
/// primaries, and a dark grey for an unlit LED so the preview shows the panel's grid.
impl From<TriColour> for Rgb888 {
    fn from(colour: TriColour) -> Self {
        match colour {
            TriColour::Off => Self::new(0x20, 0x20, 0x20),
            TriColour::Red => Self::new(0xff, 0x30, 0x20),
            TriColour::Green => Self::new(0x40, 0xff, 0x40),
            TriColour::Amber => Self::new(0xff, 0xb0, 0x00),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_bits_round_trip() {
        for colour in [TriColour::Off, TriColour::Red, TriColour::Green, TriColour::Amber] {
            assert_eq!(TriColour::from(RawU2::from(colour)), colour);
        }
    }
}
