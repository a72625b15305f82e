//! # Driving a HUB75 LED matrix
//!
//! A HUB75 panel has no memory: it shows, at any moment, one pair of rows — row `r` of the top
//! half and row `r + 16` of the bottom half on a 64 × 32 panel — from a shift register the
//! controller fills one column a clock (six colour bits: R1 G1 B1 for the top row, R2 G2 B2 for
//! the bottom), latches (LAT), selects with the row address lines (A–D) and lights while output
//! enable (OE, active low) is low. The controller must scan all sixteen row pairs fast enough
//! that the eye sees a still picture, and it makes shades by binary code modulation: bit plane
//! `k` of each colour is lit for a time proportional to `2^k`.
//!
//! Two parts, as in any mature display stack, kept apart:
//!
//! - [`Hub75Planes`], the scan buffer: the picture in the order the panel wants it (per bit
//!   plane, per row pair, one byte a column with the six colour bits). It is loaded from the
//!   renderer's [`Hub75Framebuffer`] only when a new picture is
//!   drawn, and says whether anything changed, so the LEDs are only touched for a real change.
//! - [`Hub75Scanner`], the scan driver over `embedded-hal` output pins: one call shows the next
//!   row pair of the next bit plane and says how long to keep it lit, so a board's timer
//!   interrupt can run the scan while the main loop decodes and renders.
//!
//! Four bit planes (16 levels a colour) from the top bits of RGB 565; brightness scales the lit
//! time of every plane, so it dims without losing shades.

use embedded_hal::digital::{OutputPin, PinState};

use crate::panel::Hub75Framebuffer;

/// Panel width in columns.
pub const COLUMNS: usize = 64;
/// Row pairs scanned (a 1/16-scan 64 × 32 panel).
pub const ROW_PAIRS: usize = 16;
/// Bit planes a colour.
pub const PLANES: usize = 4;

/// Colour bits in a scan byte.
const R1: u8 = 1 << 0;
const G1: u8 = 1 << 1;
const B1: u8 = 1 << 2;
const R2: u8 = 1 << 3;
const G2: u8 = 1 << 4;
const B2: u8 = 1 << 5;

/// The picture in scan order: `[plane][row pair][column]`, each byte the six colour bits
/// (bit 0 R1, 1 G1, 2 B1, 3 R2, 4 G2, 5 B2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hub75Planes {
    bits: [[[u8; COLUMNS]; ROW_PAIRS]; PLANES],
}

impl Default for Hub75Planes {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub75Planes {
    /// All LEDs off.
    #[must_use]
    pub const fn new() -> Self {
        Self { bits: [[[0; COLUMNS]; ROW_PAIRS]; PLANES] }
    }

    /// Loads a rendered picture; returns whether any LED changed.
    pub fn load(&mut self, framebuffer: &Hub75Framebuffer) -> bool {
        let mut changed = false;
        for row_pair in 0..ROW_PAIRS {
            changed |= self.load_row_pair(framebuffer, row_pair);
        }
        changed
    }

    /// Loads one row pair of a rendered picture; returns whether any of its LEDs changed. A
    /// board whose scan runs in an interrupt loads a picture a row pair at a time, so the scan
    /// is never held up for a whole picture.
    pub fn load_row_pair(&mut self, framebuffer: &Hub75Framebuffer, row_pair: usize) -> bool {
        let pixels = framebuffer.data();
        let mut changed = false;
        if row_pair >= ROW_PAIRS {
            return false;
        }
        for column in 0..COLUMNS {
            let top = levels(pixels, row_pair, column);
            let bottom = levels(pixels, row_pair.saturating_add(ROW_PAIRS), column);
            for (plane, by_row) in self.bits.iter_mut().enumerate() {
                let byte = scan_byte(top, bottom, plane);
                if let Some(slot) = by_row.get_mut(row_pair).and_then(|r| r.get_mut(column))
                    && *slot != byte
                {
                    *slot = byte;
                    changed = true;
                }
            }
        }
        changed
    }

    /// The scan bytes of one row pair in one plane.
    #[must_use]
    pub fn row(&self, plane: usize, row_pair: usize) -> Option<&[u8; COLUMNS]> {
        self.bits.get(plane)?.get(row_pair)
    }
}

/// The 4-bit red, green and blue levels of the pixel at (`column`, `row`) of an RGB 565
/// little-endian framebuffer.
fn levels(pixels: &[u8], row: usize, column: usize) -> [u8; 3] {
    let at = row.saturating_mul(COLUMNS).saturating_add(column).saturating_mul(2);
    let (Some(&low), Some(&high)) = (pixels.get(at), pixels.get(at.saturating_add(1))) else {
        return [0; 3];
    };
    let rgb565 = u16::from_le_bytes([low, high]);
    let red = (rgb565 >> 11) & 0x1F;
    let green = (rgb565 >> 5) & 0x3F;
    let blue = rgb565 & 0x1F;
    // Top four bits of each: 5-bit red and blue lose one, 6-bit green two.
    [(red >> 1) as u8, (green >> 2) as u8, (blue >> 1) as u8]
}

fn scan_byte(top: [u8; 3], bottom: [u8; 3], plane: usize) -> u8 {
    let bit = |level: u8, mask: u8| if (level >> plane) & 1 == 1 { mask } else { 0 };
    let [r1, g1, b1] = top;
    let [r2, g2, b2] = bottom;
    bit(r1, R1) | bit(g1, G1) | bit(b1, B1) | bit(r2, R2) | bit(g2, G2) | bit(b2, B2)
}

/// The pins of a HUB75 connector, as `embedded-hal` outputs of one (e.g. type-erased) type.
#[derive(Debug)]
pub struct Hub75Pins<P> {
    /// R1, G1, B1, R2, G2, B2.
    pub colour: [P; 6],
    /// A, B, C, D: the row pair address, A the lowest bit.
    pub address: [P; 4],
    /// CLK: a column is shifted in on the rising edge.
    pub clock: P,
    /// LAT: the shift register is copied to the outputs on a high pulse.
    pub latch: P,
    /// OE: the LEDs light while it is low.
    pub output_enable: P,
}

/// How long to keep a row lit, and then dark, in units of the shortest lit time
/// (plane 0 at brightness 1). `lit + dark` is the same for every brightness, so the refresh
/// rate does not change as a board dims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dwell {
    /// Units lit.
    pub lit: u32,
    /// Units dark after it.
    pub dark: u32,
}

/// The scan driver: shows one row pair of one bit plane a call.
#[derive(Debug)]
pub struct Hub75Scanner<P> {
    pins: Hub75Pins<P>,
    plane: usize,
    row_pair: usize,
}

impl<P: OutputPin> Hub75Scanner<P> {
    /// A driver over `pins`; call [`blank`](Self::blank) before the first scan to start dark.
    pub const fn new(pins: Hub75Pins<P>) -> Self {
        Self { pins, plane: 0, row_pair: 0 }
    }

    /// Turns the LEDs off.
    ///
    /// # Errors
    /// A pin's error.
    pub fn blank(&mut self) -> Result<(), P::Error> {
        self.pins.output_enable.set_high()
    }

    /// Shifts in, latches and lights the next row pair of the next plane of `planes` at
    /// `brightness` (0–255), and says how long it should stay lit; then call
    /// [`blank`](Self::blank) and, after the dark time, this again.
    ///
    /// # Errors
    /// A pin's error; the scan carries on from the next row on the next call.
    pub fn show_next(&mut self, planes: &Hub75Planes, brightness: u8) -> Result<Dwell, P::Error> {
        let (plane, row_pair) = (self.plane, self.row_pair);
        self.row_pair = row_pair.saturating_add(1);
        if self.row_pair >= ROW_PAIRS {
            self.row_pair = 0;
            self.plane = plane.saturating_add(1) % PLANES;
        }
        let row = planes.row(plane, row_pair).copied().unwrap_or([0; COLUMNS]);
        for byte in row {
            for (bit, pin) in self.pins.colour.iter_mut().enumerate() {
                pin.set_state(PinState::from((byte >> bit) & 1 == 1))?;
            }
            self.pins.clock.set_high()?;
            self.pins.clock.set_low()?;
        }
        self.pins.output_enable.set_high()?;
        for (bit, pin) in self.pins.address.iter_mut().enumerate() {
            pin.set_state(PinState::from((row_pair >> bit) & 1 == 1))?;
        }
        self.pins.latch.set_high()?;
        self.pins.latch.set_low()?;
        let weight = 1_u32 << plane;
        let lit = weight.saturating_mul(u32::from(brightness));
        let dark = weight.saturating_mul(255).saturating_sub(lit);
        if lit > 0 {
            self.pins.output_enable.set_low()?;
        }
        Ok(Dwell { lit, dark })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::RefCell;
    use core::convert::Infallible;
    use embedded_graphics::pixelcolor::Rgb565;
    use embedded_graphics::prelude::*;
    use std::rc::Rc;
    use std::vec::Vec;

    /// Every pin change, in order, as (pin, high).
    type Trace = Rc<RefCell<Vec<(&'static str, bool)>>>;

    struct Probe {
        name: &'static str,
        trace: Trace,
    }
    impl embedded_hal::digital::ErrorType for Probe {
        type Error = Infallible;
    }
    impl OutputPin for Probe {
        fn set_low(&mut self) -> Result<(), Infallible> {
            self.trace.borrow_mut().push((self.name, false));
            Ok(())
        }
        fn set_high(&mut self) -> Result<(), Infallible> {
            self.trace.borrow_mut().push((self.name, true));
            Ok(())
        }
    }

    fn scanner() -> (Hub75Scanner<Probe>, Trace) {
        let trace = Trace::default();
        let probe = |name| Probe { name, trace: trace.clone() };
        let pins = Hub75Pins {
            colour: ["R1", "G1", "B1", "R2", "G2", "B2"].map(probe),
            address: ["A", "B", "C", "D"].map(probe),
            clock: probe("CLK"),
            latch: probe("LAT"),
            output_enable: probe("OE"),
        };
        (Hub75Scanner::new(pins), trace)
    }

    /// What the panel would hold after a scan step: the colour pins at each rising clock
    /// edge, the address at the latch pulse, and whether OE was left low.
    fn panel_state(trace: &[(&'static str, bool)]) -> (Vec<u8>, usize, bool) {
        let mut pins = [false; 6];
        let mut address = [false; 4];
        let (mut shifted, mut latched, mut lit) = (Vec::new(), None, false);
        for &(name, high) in trace {
            let colour = ["R1", "G1", "B1", "R2", "G2", "B2"].iter().position(|&n| n == name);
            let line = ["A", "B", "C", "D"].iter().position(|&n| n == name);
            match (name, colour, line) {
                (_, Some(i), _) => pins[i] = high,
                (_, _, Some(i)) => address[i] = high,
                ("CLK", ..) if high => {
                    shifted.push(pins.iter().rev().fold(0, |byte, &p| byte << 1 | u8::from(p)));
                }
                ("LAT", ..) if high => {
                    latched = Some(address.iter().rev().fold(0, |a, &p| a << 1 | usize::from(p)));
                }
                ("OE", ..) => lit = !high,
                _ => {}
            }
        }
        (shifted, latched.expect("never latched"), lit)
    }

    fn picture() -> Hub75Framebuffer {
        let mut framebuffer = Hub75Framebuffer::new();
        // Top half row 3: red at full; bottom half row 19 (pair 3): amber-ish green at 10/16.
        Pixel(Point::new(5, 3), Rgb565::RED).draw(&mut framebuffer).unwrap();
        Pixel(Point::new(60, 19), Rgb565::new(0, 40, 0)).draw(&mut framebuffer).unwrap();
        framebuffer
    }

    #[test]
    fn the_scan_buffer_holds_each_plane_of_each_pixel() {
        let mut planes = Hub75Planes::new();
        assert!(planes.load(&picture()));
        assert!(!planes.load(&picture()), "the same picture changes nothing");
        for plane in 0..PLANES {
            let row = planes.row(plane, 3).unwrap();
            // Red 31 → 15: every plane lit.
            assert_eq!(row[5], R1);
            // Green 40 → 10 = 0b1010: planes 1 and 3.
            assert_eq!(row[60], if plane % 2 == 1 { G2 } else { 0 }, "plane {plane}");
            assert_eq!(row.iter().filter(|&&b| b != 0).count(), 1 + usize::from(plane % 2 == 1));
            assert!(planes.row(plane, 4).unwrap().iter().all(|&b| b == 0));
        }
        assert!(planes.load(&Hub75Framebuffer::new()), "clearing is a change");
        // Row pair by row pair, the same; only the pair holding a change reports one.
        let mut by_pairs = Hub75Planes::new();
        let changed: Vec<bool> =
            (0..ROW_PAIRS).map(|pair| by_pairs.load_row_pair(&picture(), pair)).collect();
        assert_eq!(changed.iter().filter(|&&c| c).count(), 1);
        assert!(changed[3]);
        assert!(!by_pairs.load_row_pair(&picture(), ROW_PAIRS), "no such row pair");
        let mut whole = Hub75Planes::new();
        whole.load(&picture());
        assert_eq!(by_pairs, whole);
    }

    #[test]
    fn each_step_shifts_latches_and_lights_the_next_row_pair() {
        let mut planes = Hub75Planes::new();
        planes.load(&picture());
        let (mut scanner, trace) = scanner();
        let mut steps = Vec::new();
        for _ in 0..PLANES * ROW_PAIRS {
            trace.borrow_mut().clear();
            let dwell = scanner.show_next(&planes, 255).unwrap();
            let (shifted, row_pair, lit) = panel_state(&trace.borrow());
            steps.push((row_pair, dwell));
            assert_eq!(shifted.len(), COLUMNS);
            assert!(lit);
            let plane = (steps.len() - 1) / ROW_PAIRS;
            assert_eq!(shifted.as_slice(), planes.row(plane, row_pair).unwrap());
        }
        // Rows in order within each plane; each plane lit twice as long as the one before.
        for (i, (row_pair, dwell)) in steps.iter().enumerate() {
            assert_eq!(*row_pair, i % ROW_PAIRS);
            assert_eq!(*dwell, Dwell { lit: 255 << (i / ROW_PAIRS), dark: 0 });
        }
        // And round again.
        trace.borrow_mut().clear();
        scanner.show_next(&planes, 255).unwrap();
        assert_eq!(panel_state(&trace.borrow()).1, 0);
    }

    #[test]
    fn dimming_shortens_the_lit_time_not_the_scan() {
        let planes = Hub75Planes::new();
        let (mut scanner, trace) = scanner();
        let full = 255_u32;
        for brightness in [0_u8, 1, 64, 200] {
            let dwell = scanner.show_next(&planes, brightness).unwrap();
            assert_eq!(dwell.lit, u32::from(brightness));
            assert_eq!(dwell.lit + dwell.dark, full);
        }
        // At zero brightness OE is never lowered.
        trace.borrow_mut().clear();
        let (mut scanner, trace) = self::scanner();
        scanner.show_next(&planes, 0).unwrap();
        assert!(!panel_state(&trace.borrow()).2);
    }
}
