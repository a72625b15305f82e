//! Pictures of a board: a frame rendered into a panel's own framebuffer by the boards'
//! renderer, exactly as a board does, and written as a PNG.

use std::path::Path;

use callboard_core::board::BoardFrame;
use callboard_core::wire::{BoardSettings, Screen};
use callboard_render::panel::{
    Hub75Framebuffer, Hub75Rgb64x32, Panel, TriColour160x32, TriColourFramebuffer, framebuffer_crc,
};
use callboard_render::render::{Scene, render};
use embedded_graphics::image::Image;
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics_simulator::{OutputSettingsBuilder, SimulatorDisplay};

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
        self.pixels
            .to_rgb_output_image(&Self::settings(scale))
            .save_png(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The same picture as [`Preview::save_png`] writes, as base64 PNG (for a `data:` URL).
    ///
    /// # Errors
    /// The PNG encoder's refusal (not expected for a panel's size).
    pub fn png_base64(&self, scale: u32) -> Result<String, String> {
        self.pixels
            .to_rgb_output_image(&Self::settings(scale))
            .to_base64_png()
            .map_err(|e| e.to_string())
    }

    fn settings(scale: u32) -> embedded_graphics_simulator::OutputSettings {
        let spacing = u32::from(scale > 2);
        OutputSettingsBuilder::new().scale(scale.max(1)).pixel_spacing(spacing).build()
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
