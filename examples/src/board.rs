//! `callboard board`: reader-board frames from a replayed log or a JSON file, their bytes on
//! the line (`PROTOCOL.md`), and previews of what each panel shows, drawn by the boards' own
//! renderer.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use callboard_board::panel::{
    Hub75Framebuffer, Hub75Rgb64x32, Panel, TriColour160x32, TriColourFramebuffer, framebuffer_crc,
};
use callboard_board::render::{Scene, render};
use callboard_core::board::{AlertThresholds, BoardFrame, BoardQueue, Opening, Reopening};
use callboard_core::calendar::{MILLIS_PER_MINUTE, SiteCalendar, Timestamp};
use callboard_core::event::QueueId;
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::wire::{self, BoardSettings, HostMessage, MAX_FRAME_BYTES, Screen};
use embedded_graphics::image::Image;
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics_simulator::{OutputSettingsBuilder, SimulatorDisplay};

use crate::replay::ReplayCenter;

/// A queue of the log to put on the board: its name in the log, its label on the board, and
/// its service-level target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueChoice {
    /// The queue's name in the log.
    pub name: String,
    /// The board's label (the name when not given).
    pub label: String,
    /// Target, permille.
    pub target_permille: u16,
}

/// Parses `NAME[=LABEL][@TARGET%]`, e.g. `PS=STREETS@80%`; the target defaults to 80 %.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_queue_choice(text: &str) -> Result<QueueChoice, String> {
    let bad = || format!("expected NAME, NAME=LABEL or NAME=LABEL@80%, not {text:?}");
    let (rest, target_permille) = match text.split_once('@') {
        Some((rest, target)) => {
            let percent: f64 = target.trim_end_matches('%').parse().map_err(|_| bad())?;
            if !(0.0..=100.0).contains(&percent) {
                return Err(bad());
            }
            // 0..=1000 after the check above.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            (rest, (percent * 10.0).round() as u16)
        }
        None => (text, 800),
    };
    let (name, label) = rest.split_once('=').unwrap_or((rest, rest));
    if name.is_empty() || label.is_empty() {
        return Err(bad());
    }
    Ok(QueueChoice { name: name.to_owned(), label: label.to_owned(), target_permille })
}

/// What to put on the board besides the queues.
#[derive(Debug, Clone)]
pub struct FrameSettings {
    /// Seconds the frame may be shown.
    pub ttl_s: u16,
    /// The announcement line.
    pub announcement: String,
    /// Open or closed.
    pub opening: Opening,
    /// Which service level the board shows.
    pub variant: ServiceLevelVariant,
}

/// The frame for `queues` from a center as it stood at a moment.
///
/// # Errors
/// A queue the log does not have, or the core's refusal (too many queues, a long label).
pub fn frame_from_center(
    center: &ReplayCenter,
    ids: &HashMap<String, QueueId>,
    queues: &[QueueChoice],
    settings: &FrameSettings,
) -> Result<BoardFrame, String> {
    let mut wanted = Vec::with_capacity(queues.len());
    for choice in queues {
        let queue = *ids.get(&choice.name).ok_or_else(|| {
            let mut known: Vec<&str> = ids.keys().map(String::as_str).collect();
            known.sort_unstable();
            format!("the log has no queue {:?} by then (it has: {})", choice.name, known.join(", "))
        })?;
        wanted.push(BoardQueue {
            queue,
            label: &choice.label,
            service_level_target_permille: choice.target_permille,
        });
    }
    BoardFrame::from_center(
        center,
        &wanted,
        settings.variant,
        &AlertThresholds::DEFAULT,
        settings.ttl_s,
        &settings.announcement,
        settings.opening,
    )
    .map_err(|e| e.to_string())
}

/// The frame's bytes on the line for board `address`, as space-separated hex.
///
/// # Errors
/// The encoder's refusal (address 0).
pub fn encode_hex(frame: &BoardFrame, address: u8, sequence: u16) -> Result<String, String> {
    let mut out = [0_u8; MAX_FRAME_BYTES];
    let len = wire::encode(address, sequence, &HostMessage::Display(frame.clone()), &mut out)
        .map_err(|e| e.to_string())?;
    let mut text = String::with_capacity(len * 3);
    for (i, byte) in out.iter().take(len).enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let _ = write!(text, "{byte:02x}");
    }
    text.push('\n');
    Ok(text)
}

/// The hours a center takes calls each day, local time: `08:00-20:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningHours {
    /// Opens, minutes after local midnight.
    pub opens_min: u32,
    /// Closes, minutes after local midnight (after `opens_min`).
    pub closes_min: u32,
}

/// Parses `HH:MM-HH:MM`, opening before closing on the same day.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_opening_hours(text: &str) -> Result<OpeningHours, String> {
    let bad = || format!("expected opening hours like 08:00-20:00, not {text:?}");
    let minutes = |hm: &str| crate::options::parse_clock(hm).ok();
    let (opens, closes) = text.split_once('-').ok_or_else(bad)?;
    let (opens_min, closes_min) =
        (minutes(opens).ok_or_else(bad)?, minutes(closes).ok_or_else(bad)?);
    if opens_min >= closes_min {
        return Err(format!("the center must open before it closes: {text:?}"));
    }
    Ok(OpeningHours { opens_min, closes_min })
}

impl OpeningHours {
    /// Open or closed at `moment`, with the next opening when closed.
    #[must_use]
    pub fn at(&self, calendar: &SiteCalendar, moment: Timestamp) -> Opening {
        let local = calendar.to_local(moment);
        let minute = local.millis_of_day / 60_000;
        if (self.opens_min..self.closes_min).contains(&minute) {
            return Opening::Open;
        }
        let day = if minute < self.opens_min { local.date } else { local.date.next() };
        let millis = u32::try_from(u64::from(self.opens_min) * MILLIS_PER_MINUTE).unwrap_or(0);
        let opens = calendar.resolve_local(day, millis).earliest();
        Opening::Closed { reopens: Some(Reopening::at(calendar, opens)) }
    }
}

/// Open or closed at `moment`: by the opening hours if the center keeps them, closed all along
/// when `closed` (with the next opening the hours give).
#[must_use]
pub fn opening_at(
    hours: Option<OpeningHours>,
    closed: bool,
    calendar: &SiteCalendar,
    moment: Timestamp,
) -> Opening {
    match (hours.map(|h| h.at(calendar, moment)), closed) {
        (Some(Opening::Open), true) | (None, true) => Opening::Closed { reopens: None },
        (Some(opening), _) => opening,
        (None, false) => Opening::Open,
    }
}

/// The reader-board panels `callboard` can preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelChoice {
    /// A 64 × 32 RGB matrix (HUB75), one queue a page.
    Hub75Rgb64x32,
    /// A 160 × 32 red/green/amber reader board, two queues a page.
    TriColour160x32,
}

impl PanelChoice {
    /// The panel's name on the command line.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Hub75Rgb64x32 => Hub75Rgb64x32::NAME,
            Self::TriColour160x32 => TriColour160x32::NAME,
        }
    }
}

/// What a panel shows for a scene, and the picture of it.
#[derive(Debug)]
pub struct Preview {
    /// The screen drawn.
    pub screen: Screen,
    /// The CRC-32 of the panel's framebuffer, as a board would report it.
    pub framebuffer_crc: u32,
    /// The panel's pixels as lit LEDs, at the panel's resolution.
    pub pixels: SimulatorDisplay<Rgb888>,
}

/// Renders `scene` into `panel`'s own framebuffer, exactly as a board does, and reads the
/// framebuffer back as the colours its LEDs show.
#[must_use]
pub fn preview(panel: PanelChoice, scene: &Scene<'_>) -> Preview {
    fn lit<C: PixelColor + Into<Rgb888>>(
        size: Size,
        image: &impl ImageDrawable<Color = C>,
    ) -> SimulatorDisplay<Rgb888> {
        let mut pixels = SimulatorDisplay::new(size);
        let Ok(()) = Image::new(image, Point::zero()).draw(&mut pixels.color_converted());
        // An unlit LED is dark grey, not black, so the picture shows the panel's grid.
        let unlit = Rgb888::new(0x20, 0x20, 0x20);
        let lit_pixels: Vec<Pixel<Rgb888>> = pixels
            .bounding_box()
            .points()
            .map(|p| {
                let colour = pixels.get_pixel(p);
                Pixel(p, if colour == Rgb888::BLACK { unlit } else { colour })
            })
            .collect();
        let Ok(()) = pixels.draw_iter(lit_pixels);
        pixels
    }
    match panel {
        PanelChoice::Hub75Rgb64x32 => {
            let mut framebuffer = Hub75Framebuffer::new();
            let Ok(screen) = render::<Hub75Rgb64x32, _>(scene, &mut framebuffer);
            Preview {
                screen,
                framebuffer_crc: framebuffer_crc(framebuffer.data()),
                pixels: lit(Hub75Rgb64x32::SIZE, &framebuffer.as_image()),
            }
        }
        PanelChoice::TriColour160x32 => {
            let mut framebuffer = TriColourFramebuffer::new();
            let Ok(screen) = render::<TriColour160x32, _>(scene, &mut framebuffer);
            Preview {
                screen,
                framebuffer_crc: framebuffer_crc(framebuffer.data()),
                pixels: lit(TriColour160x32::SIZE, &framebuffer.as_image()),
            }
        }
    }
}

impl Preview {
    /// Writes the picture as a PNG, each LED `scale` pixels wide with a one-pixel gap between
    /// LEDs when `scale` is above 2, like a panel seen up close.
    ///
    /// # Errors
    /// A message naming the file.
    pub fn save_png(&self, path: &Path, scale: u32) -> Result<(), String> {
        let spacing = u32::from(scale > 2);
        let settings =
            OutputSettingsBuilder::new().scale(scale.max(1)).pixel_spacing(spacing).build();
        self.pixels
            .to_rgb_output_image(&settings)
            .save_png(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// A scene for `frame` at `after_s` seconds after it was valid, with `settings`.
#[must_use]
pub fn scene_after<'a>(
    frame: &'a BoardFrame,
    after_s: u32,
    settings: &'a BoardSettings,
) -> Scene<'a> {
    Scene { frame: Some(frame), now: frame.valid_at + u64::from(after_s) * 1000, settings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_choices() {
        let choice = parse_queue_choice("PS=STREETS@85%").unwrap();
        assert_eq!(
            (choice.name.as_str(), choice.label.as_str(), choice.target_permille),
            ("PS", "STREETS", 850)
        );
        assert_eq!(parse_queue_choice("PE").unwrap().label, "PE");
        assert_eq!(parse_queue_choice("PE").unwrap().target_permille, 800);
        for bad in ["", "=X", "PS=", "PS@120%", "PS@x"] {
            assert!(parse_queue_choice(bad).is_err(), "{bad:?}");
        }
    }
}
