//! # From a frame and a clock to pixels
//!
//! [`render`] is the whole of what a board shows: a pure function of the last valid
//! [`BoardFrame`], the time now and the board's [`BoardSettings`], drawn onto any
//! `embedded-graphics` [`DrawTarget`]. The firmware, the host's PNG previews and the tests all
//! call it, so a preview and the wall are the same pixels.
//!
//! ## Screens
//!
//! - **Figures.** Each queue gets a cell: its label and agents available (`AV`) on the top row,
//!   calls waiting in large digits, and on the right the longest wait (`LW`), the expected wait
//!   (`EW`, `--` until known) and today's service level (`SL`). Every figure is coloured by its
//!   alert. When the queues do not fit, the board pages through them every
//!   `page_seconds`, all boards on the same clock turning together.
//! - **Closed**: `CLOSED` and the next opening, e.g. `OPENS MON 08:00`.
//! - **No data**: when there is no frame, or the last one is older than its time-to-live. No
//!   figure of the old frame is shown, not even the announcement: truth or nothing.
//! - **Boot** ([`render_boot`]): the board's name and address, until the first frame.
//!
//! The bottom row is a ticker on the figures and closed screens: the announcement, then
//! yesterday's CSAT with its kind and sample size, then each service agreement the frame
//! carries (`SANITATION SLA 93% · 4 breached`, compliance coloured against its goal, breached
//! red, at risk amber); it scrolls when it is wider than the panel.
//!
//! Between frames the board ages the longest wait by its own clock (a caller still waiting
//! keeps waiting) and recolours it by the configured thresholds; the host's next frame
//! corrects it.

use core::convert::Infallible;
use core::fmt::Write as _;

use callboard_core::board::{Alert, BoardFrame, CsatLine, Opening, QueueLine, Reopening};
use callboard_core::calendar::{Timestamp, Weekday};
use callboard_core::wire::{BoardSettings, Screen};
use embedded_graphics::mono_font::{MonoFont, MonoTextStyle, ascii, iso_8859_1};
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};
use heapless::String;

use crate::colour::Ink;
use crate::panel::Panel;

/// Labels, the ticker and words: Latin-1, so "Información" shows as written.
pub(crate) const WORDS: MonoFont<'static> = iso_8859_1::FONT_5X7;
/// Captions and the figures beside them.
const SMALL: MonoFont<'static> = iso_8859_1::FONT_4X6;
/// Calls waiting up to 999, and the board's big words.
const LARGE: MonoFont<'static> = ascii::FONT_10X20;
/// Calls waiting from 1,000, which would not fit in [`LARGE`].
const MEDIUM: MonoFont<'static> = ascii::FONT_6X13_BOLD;

/// The ticker's top row; everything above it belongs to the screen.
const TICKER_TOP: i32 = 25;
/// Rows of the right-hand column of a queue's cell: longest wait, expected wait, service level.
const COLUMN_ROWS: [i32; 3] = [7, 13, 19];
/// Where the right-hand column starts within a cell.
const COLUMN_LEFT: i32 = 32;
/// The width given to the large digits of calls waiting.
const DIGITS_WIDTH: i32 = 30;
/// Baseline of the large digits: their ink spans rows 9 to 21.
const DIGITS_BASELINE: i32 = 22;
/// The ticker moves one pixel every this many milliseconds (about 33 pixels, six characters,
/// a second: readable from across a floor).
pub(crate) const TICKER_MS_PER_PIXEL: u64 = 30;
/// Space between the ticker's items (the announcement, the CSAT, each agreement), and between
/// repeats.
const TICKER_GAP: &str = "  \u{b7}  ";
/// Between an agreement's figures.
const SLA_SEPARATOR: &str = " \u{b7} ";

/// What to draw: the last valid frame, the time now on the frame's clock, and the settings.
#[derive(Debug, Clone, Copy)]
pub struct Scene<'a> {
    /// The last valid frame, if any arrived.
    pub frame: Option<&'a BoardFrame>,
    /// Now, in milliseconds since the epoch on the host's clock: a board that received the
    /// frame `e` ms ago uses `frame.valid_at + e`.
    pub now: Timestamp,
    /// Page time and alert thresholds.
    pub settings: &'a BoardSettings,
}

impl Scene<'_> {
    /// The screen this scene shows.
    #[must_use]
    pub fn screen(&self) -> Screen {
        match self.current_frame() {
            None => Screen::NoData,
            Some(frame) => match frame.opening {
                Opening::Open => Screen::Figures,
                Opening::Closed { .. } => Screen::Closed,
            },
        }
    }

    /// The frame, if it is still within its time-to-live.
    fn current_frame(&self) -> Option<&BoardFrame> {
        let frame = self.frame?;
        let expires = frame.valid_at.saturating_add(u64::from(frame.ttl_s).saturating_mul(1000));
        (self.now < expires).then_some(frame)
    }

    /// Whole seconds since the frame's data was valid.
    fn age_s(&self, frame: &BoardFrame) -> u32 {
        u32::try_from(self.now.saturating_sub(frame.valid_at) / 1000).unwrap_or(u32::MAX)
    }
}

/// Draws `scene` onto `target`, which must be the panel's size, and says which screen it drew.
///
/// # Errors
/// Only the target's own drawing errors.
pub fn render<P, D>(scene: &Scene<'_>, target: &mut D) -> Result<Screen, D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    target.clear(P::colour(Ink::Off))?;
    match scene.current_frame() {
        None => no_data::<P, D>(target)?,
        Some(frame) => {
            match frame.opening {
                Opening::Open => figures::<P, D>(scene, frame, target)?,
                Opening::Closed { reopens } => closed::<P, D>(reopens, target)?,
            }
            ticker::<P, D>(frame, scene.now, target)?;
        }
    }
    Ok(scene.screen())
}

/// Draws the start-up screen of board `address`.
///
/// # Errors
/// Only the target's own drawing errors.
pub fn render_boot<P, D>(address: u8, target: &mut D) -> Result<Screen, D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    target.clear(P::colour(Ink::Off))?;
    let width = panel_width::<P>();
    centred::<P, D>("callboard", &MEDIUM, Ink::Label, width, 0, target)?;
    let mut line: String<24> = String::new();
    let _ = write!(line, "BOARD {address}");
    centred::<P, D>(&line, &WORDS, Ink::Caption, width, 15, target)?;
    let mut version: String<24> = String::new();
    let _ = write!(version, "v{}", env!("CARGO_PKG_VERSION"));
    centred::<P, D>(&version, &SMALL, Ink::Caption, width, 24, target)?;
    Ok(Screen::Boot)
}

pub(crate) fn panel_width<P: Panel>() -> i32 {
    i32::try_from(P::SIZE.width).unwrap_or(i32::MAX)
}

/// Draws `text` with its top-left corner at (`x`, `top`) and returns the x just after it.
pub(crate) fn text<P, D>(
    target: &mut D,
    text: &str,
    font: &MonoFont<'_>,
    ink: Ink,
    x: i32,
    top: i32,
) -> Result<i32, D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let style = MonoTextStyle::new(font, P::colour(ink));
    let next = Text::with_baseline(text, Point::new(x, top), style, Baseline::Top).draw(target)?;
    Ok(next.x)
}

/// The width `text` takes in `font`.
fn width_of(text: &str, font: &MonoFont<'_>) -> i32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    let advance = font.character_size.width.saturating_add(font.character_spacing);
    i32::try_from(chars.saturating_mul(advance)).unwrap_or(i32::MAX)
}

/// Draws `text` centred across `width` with its top at `top`.
fn centred<P, D>(
    text_: &str,
    font: &MonoFont<'_>,
    ink: Ink,
    width: i32,
    top: i32,
    target: &mut D,
) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let x = width.saturating_sub(width_of(text_, font)).max(0) / 2;
    text::<P, D>(target, text_, font, ink, x, top).map(|_| ())
}

/// Draws `text` so that it ends at `right` (exclusive), top at `top`.
fn right_aligned<P, D>(
    target: &mut D,
    text_: &str,
    font: &MonoFont<'_>,
    ink: Ink,
    right: i32,
    top: i32,
) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let x = right.saturating_sub(width_of(text_, font));
    text::<P, D>(target, text_, font, ink, x, top).map(|_| ())
}

/// The first `chars` characters of `text`.
fn truncated(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}

/// The page of queues shown now: every board on the same clock shows the same page.
fn page<'f>(scene: &Scene<'_>, frame: &'f BoardFrame, per_page: usize) -> &'f [QueueLine] {
    let per_page = per_page.max(1);
    let pages = frame.queues.len().div_ceil(per_page).max(1);
    let page_ms = u64::from(scene.settings.page_seconds.max(1)).saturating_mul(1000);
    let turns = scene.now.checked_div(page_ms).unwrap_or(0);
    let pages_u64 = u64::try_from(pages).unwrap_or(1);
    let index = usize::try_from(turns.checked_rem(pages_u64).unwrap_or(0)).unwrap_or(0);
    let start = index.saturating_mul(per_page);
    let end = start.saturating_add(per_page).min(frame.queues.len());
    frame.queues.get(start..end).unwrap_or(&[])
}

fn figures<P, D>(scene: &Scene<'_>, frame: &BoardFrame, target: &mut D) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let cell_width = i32::try_from(P::CELL_WIDTH).unwrap_or(i32::MAX);
    if frame.queues.is_empty() {
        return centred::<P, D>("NO QUEUES", &WORDS, Ink::Caption, panel_width::<P>(), 9, target);
    }
    let age_s = scene.age_s(frame);
    let mut left = 0_i32;
    for line in page(scene, frame, P::queues_per_page()) {
        cell::<P, D>(line, age_s, scene.settings, left, cell_width, target)?;
        left = left.saturating_add(cell_width);
    }
    Ok(())
}

/// One queue's cell, `width` pixels wide from `left`.
fn cell<P, D>(
    line: &QueueLine,
    age_s: u32,
    settings: &BoardSettings,
    left: i32,
    width: i32,
    target: &mut D,
) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    // Two dark columns part a cell from the next.
    let right = left.saturating_add(width).saturating_sub(2);

    // Top row: the label, and agents available at the right.
    let mut agents: String<8> = String::new();
    let _ = write!(agents, "{}", line.agents_available);
    let agents_width = width_of(&agents, &SMALL);
    let caption_left = right.saturating_sub(agents_width).saturating_sub(width_of("AV ", &SMALL));
    let label_room = caption_left.saturating_sub(left).saturating_sub(2);
    let advance = i32::try_from(WORDS.character_size.width).unwrap_or(1).max(1);
    let label_chars = usize::try_from(label_room.checked_div(advance).unwrap_or(0)).unwrap_or(0);
    text::<P, D>(target, truncated(&line.label, label_chars), &WORDS, Ink::Label, left, 0)?;
    text::<P, D>(target, "AV", &SMALL, Ink::Caption, caption_left, 1)?;
    right_aligned::<P, D>(target, &agents, &SMALL, line.alerts.agents_available.into(), right, 1)?;

    // Calls waiting, large.
    let mut waiting: String<8> = String::new();
    let _ = write!(waiting, "{}", line.waiting);
    let (font, baseline) = if line.waiting < 1000 {
        (&LARGE, DIGITS_BASELINE)
    } else {
        (&MEDIUM, DIGITS_BASELINE.saturating_sub(1))
    };
    let digits_left =
        left.saturating_add(DIGITS_WIDTH.saturating_sub(width_of(&waiting, font)) / 2);
    let style = MonoTextStyle::new(font, P::colour(line.alerts.waiting.into()));
    Text::with_baseline(&waiting, Point::new(digits_left, baseline), style, Baseline::Alphabetic)
        .draw(target)?;

    // The column: longest wait (aged by the board's clock), expected wait, service level.
    let column = left.saturating_add(COLUMN_LEFT);
    let [longest_row, expected_row, service_row] = COLUMN_ROWS;
    let longest = line.longest_wait_s.map(|wait| {
        if line.waiting > 0 {
            let aged = wait.saturating_add(age_s);
            (aged, line.alerts.longest_wait.max(settings.thresholds.wait(aged)))
        } else {
            (wait, line.alerts.longest_wait)
        }
    });
    figure::<P, D>(
        target,
        "LW",
        longest.map(|(s, a)| (duration(s), a)),
        column,
        right,
        longest_row,
    )?;
    let expected = line.expected_wait_s.map(|s| (duration(s), line.alerts.expected_wait));
    figure::<P, D>(target, "EW", expected, column, right, expected_row)?;
    let service_level = line.service_level_permille.map(|permille| {
        let mut text: String<8> = String::new();
        let _ = write!(text, "{}%", whole_percent(permille));
        (text, line.alerts.service_level)
    });
    figure::<P, D>(target, "SL", service_level, column, right, service_row)
}

/// A caption at `left` and its figure (or `--`) ending at `right`.
fn figure<P, D>(
    target: &mut D,
    caption: &str,
    value: Option<(String<8>, Alert)>,
    left: i32,
    right: i32,
    top: i32,
) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    text::<P, D>(target, caption, &SMALL, Ink::Caption, left, top)?;
    match value {
        Some((value, alert)) => {
            right_aligned::<P, D>(target, &value, &SMALL, alert.into(), right, top)
        }
        None => right_aligned::<P, D>(target, "--", &SMALL, Ink::Caption, right, top),
    }
}

/// A wait as a board shows it: `0:42`, `12:05`, `1h05`, `99h+`.
fn duration(seconds: u32) -> String<8> {
    let mut text = String::new();
    let _ = if seconds < 3600 {
        write!(text, "{}:{:02}", seconds / 60, seconds % 60)
    } else if seconds < 100 * 3600 {
        write!(text, "{}h{:02}", seconds / 3600, seconds % 3600 / 60)
    } else {
        write!(text, "99h+")
    };
    text
}

fn weekday_short(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MON",
        Weekday::Tuesday => "TUE",
        Weekday::Wednesday => "WED",
        Weekday::Thursday => "THU",
        Weekday::Friday => "FRI",
        Weekday::Saturday => "SAT",
        Weekday::Sunday => "SUN",
    }
}

/// The closed-hours screen.
fn closed<P, D>(reopens: Option<Reopening>, target: &mut D) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let width = panel_width::<P>();
    centred::<P, D>("CLOSED", &LARGE, Ink::Label, width, 0, target)?;
    if let Some(reopens) = reopens {
        let mut line: String<24> = String::new();
        let _ = write!(
            line,
            "OPENS {} {:02}:{:02}",
            weekday_short(reopens.weekday),
            reopens.hour,
            reopens.minute
        );
        let font = if width_of(&line, &WORDS) <= width { &WORDS } else { &SMALL };
        centred::<P, D>(&line, font, Ink::Caption, width, 17, target)?;
    }
    Ok(())
}

/// The screen with no numbers.
fn no_data<P, D>(target: &mut D) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let width = panel_width::<P>();
    let font = if width_of("NO DATA", &LARGE) <= width { &LARGE } else { &MEDIUM };
    centred::<P, D>("NO DATA", font, Ink::Label, width, 1, target)?;
    centred::<P, D>("WAITING FOR HOST", &SMALL, Ink::Caption, width, 22, target)
}

/// Yesterday's CSAT as the ticker says it, its kind and sample size included, short enough to
/// stand still on a 160-column board: `CSAT yesterday 4.23/5 n=57`, `CSAT yesterday 73% top2
/// n=1204`.
fn csat_text(csat: &CsatLine) -> String<64> {
    let mut text = String::new();
    let _ = match *csat {
        CsatLine::MeanScore { centi, scale_highest, responses } => write!(
            text,
            "CSAT yesterday {}.{:02}/{} n={}",
            centi / 100,
            centi % 100,
            scale_highest,
            responses
        ),
        CsatLine::TopTwoBox { permille, responses } => {
            write!(text, "CSAT yesterday {}% top2 n={}", whole_percent(permille), responses)
        }
        CsatLine::NotEnoughResponses { responses, minimum } => {
            write!(text, "CSAT yesterday: n={responses}, under {minimum}")
        }
        CsatLine::Unavailable => write!(text, "CSAT yesterday unavailable"),
    };
    text
}

/// The bottom row: the announcement, the CSAT, then each service agreement; scrolling when
/// wider than the panel.
fn ticker<P, D>(frame: &BoardFrame, now: Timestamp, target: &mut D) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let width = panel_width::<P>();
    let csat = csat_text(&frame.csat);
    let mut content = 0_i32;
    let Ok(()) = ticker_pieces(frame, &csat, &mut |piece, _| {
        content = content.saturating_add(width_of(piece, &WORDS));
        Ok::<(), Infallible>(())
    });
    let area = Rectangle::new(Point::new(0, TICKER_TOP), Size::new(P::SIZE.width, 7));
    let mut row = target.clipped(&area);
    if content <= width {
        return ticker_text::<P, _>(&mut row, frame, &csat, 0);
    }
    // A continuous loop: the text moves left, and a second copy follows it after a gap.
    let period = content.saturating_add(width_of(TICKER_GAP, &WORDS));
    let period_u64 = u64::try_from(period).unwrap_or(1).max(1);
    let offset = (now / TICKER_MS_PER_PIXEL).checked_rem(period_u64).unwrap_or(0);
    let first = 0_i32.saturating_sub(i32::try_from(offset).unwrap_or(0));
    ticker_text::<P, _>(&mut row, frame, &csat, first)?;
    ticker_text::<P, _>(&mut row, frame, &csat, first.saturating_add(period))
}

/// One copy of the ticker's text from `x`.
fn ticker_text<P, D>(row: &mut D, frame: &BoardFrame, csat: &str, x: i32) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let mut x = x;
    let width = panel_width::<P>();
    ticker_pieces(frame, csat, &mut |piece, ink| {
        let end = x.saturating_add(width_of(piece, &WORDS));
        // Pieces scrolled off either edge are only measured: drawing them glyph by glyph to
        // be clipped would cost most of a frame's rendering on a long ticker.
        x = if end <= 0 || x >= width {
            end
        } else {
            text::<P, D>(row, piece, &WORDS, ink, x, TICKER_TOP)?
        };
        Ok(())
    })
}

/// A share in permille as a board shows it: whole percent, 0.5 % up.
const fn whole_percent(permille: u16) -> u16 {
    permille.saturating_add(5) / 10
}

/// The ticker's text, piece by piece with each piece's ink, in order: the announcement, the
/// CSAT, then each agreement as `SANITATION SLA 93% · 4 breached · 2 at risk` (the counts
/// only when there are any, `SLA --` while nothing has closed).
fn ticker_pieces<E>(
    frame: &BoardFrame,
    csat: &str,
    piece: &mut impl FnMut(&str, Ink) -> Result<(), E>,
) -> Result<(), E> {
    if !frame.announcement.is_empty() {
        piece(&frame.announcement, Ink::Notice)?;
        piece(TICKER_GAP, Ink::Caption)?;
    }
    piece(csat, Ink::Label)?;
    for line in &frame.sla {
        piece(TICKER_GAP, Ink::Caption)?;
        piece(&line.label, Ink::Label)?;
        piece(" SLA ", Ink::Caption)?;
        match line.compliance_permille {
            Some(permille) => {
                let mut share: String<8> = String::new();
                let _ = write!(share, "{}%", whole_percent(permille));
                piece(&share, line.alerts.compliance.into())?;
            }
            None => piece("--", Ink::Caption)?,
        }
        for (count, what, alert) in [
            (line.breached, "breached", line.alerts.breached),
            (line.at_risk, "at risk", line.alerts.at_risk),
        ] {
            if count > 0 {
                let mut figure: String<24> = String::new();
                let _ = write!(figure, "{count} {what}");
                piece(SLA_SEPARATOR, Ink::Caption)?;
                piece(&figure, alert.into())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use callboard_core::board::{AlertThresholds, LineAlerts, SlaAlerts, SlaLine};
    use embedded_graphics::mock_display::MockDisplay;
    use embedded_graphics::pixelcolor::Rgb565;
    use embedded_graphics::primitives::Rectangle;
    use proptest::prelude::*;

    use super::*;
    use crate::panel::{Hub75Rgb64x32, TriColour160x32, TriColourFramebuffer};

    const T0: Timestamp = 1_795_420_800_000;

    fn line(label: &str, waiting: u16) -> QueueLine {
        QueueLine {
            label: String::try_from(label).unwrap(),
            waiting,
            longest_wait_s: Some(42),
            expected_wait_s: None,
            service_level_permille: Some(853),
            service_level_target_permille: 800,
            service_level_threshold_s: 20,
            agents_available: 3,
            alerts: LineAlerts::default(),
        }
    }

    fn frame(lines: &[QueueLine]) -> BoardFrame {
        BoardFrame {
            valid_at: T0,
            ttl_s: 30,
            queues: lines.iter().cloned().collect(),
            csat: CsatLine::MeanScore { centi: 423, scale_highest: 5, responses: 57 },
            announcement: String::new(),
            opening: Opening::Open,
            sla: heapless::Vec::new(),
        }
    }

    fn sla_line(label: &str, compliance: Option<u16>, at_risk: u16, breached: u16) -> SlaLine {
        SlaLine {
            label: String::try_from(label).unwrap(),
            compliance_permille: compliance,
            goal_permille: 900,
            at_risk,
            breached,
            alerts: SlaAlerts {
                compliance: Alert::Normal,
                at_risk: if at_risk > 0 { Alert::Warning } else { Alert::Normal },
                breached: if breached > 0 { Alert::Alarm } else { Alert::Normal },
            },
        }
    }

    /// The ticker's pieces as text and ink.
    fn pieces(frame: &BoardFrame) -> std::vec::Vec<(std::string::String, Ink)> {
        let mut pieces = std::vec::Vec::new();
        let csat = csat_text(&frame.csat);
        let Ok(()) = ticker_pieces(frame, &csat, &mut |text, ink| {
            pieces.push((text.into(), ink));
            Ok::<(), Infallible>(())
        });
        pieces
    }

    fn hub75(scene: &Scene<'_>) -> (Screen, MockDisplay<Rgb565>) {
        let mut display = MockDisplay::new();
        display.set_allow_overdraw(true);
        let screen = render::<Hub75Rgb64x32, _>(scene, &mut display).unwrap();
        (screen, display)
    }

    /// `frame` on a HUB75 panel at `now`, with the default settings.
    fn shown(frame: &BoardFrame, now: Timestamp) -> (Screen, MockDisplay<Rgb565>) {
        hub75(&Scene { frame: Some(frame), now, settings: &BoardSettings::DEFAULT })
    }

    /// Whether `area` of `display` shows exactly `text` in `font` and `ink` at (`x`, `top`),
    /// and nothing else.
    fn shows(
        display: &MockDisplay<Rgb565>,
        area: Rectangle,
        text: &str,
        font: &MonoFont<'_>,
        ink: Ink,
        x: i32,
        top: i32,
    ) -> bool {
        let mut expected = MockDisplay::new();
        expected.set_allow_out_of_bounds_drawing(true);
        let style = MonoTextStyle::new(font, Hub75Rgb64x32::colour(ink));
        Text::with_baseline(text, Point::new(x, top), style, Baseline::Top)
            .draw(&mut expected)
            .unwrap();
        let off = Hub75Rgb64x32::colour(Ink::Off);
        let wrong: std::vec::Vec<Point> = area
            .points()
            .filter(|&p| {
                display.get_pixel(p).unwrap_or(off) != expected.get_pixel(p).unwrap_or(off)
            })
            .collect();
        if !wrong.is_empty() {
            std::eprintln!("{text:?}: {} pixels differ, first {:?}", wrong.len(), wrong.first());
        }
        wrong.is_empty()
    }

    fn colour_in(display: &MockDisplay<Rgb565>, area: Rectangle, ink: Ink) -> bool {
        let colour = Hub75Rgb64x32::colour(ink);
        area.points().any(|p| display.get_pixel(p) == Some(colour))
    }

    const SCREEN_AREA: Rectangle = Rectangle::new(Point::new(0, 0), Size::new(64, 25));
    const TICKER_AREA: Rectangle = Rectangle::new(Point::new(0, 25), Size::new(64, 7));

    #[test]
    fn a_queue_cell_glyph_by_glyph() {
        let frame = frame(&[line("STREETS", 7)]);
        let (screen, display) = shown(&frame, T0);
        assert_eq!(screen, Screen::Figures);
        // The label, top left, in 5 × 7.
        let label = Rectangle::new(Point::new(0, 0), Size::new(40, 7));
        assert!(shows(&display, label, "STREETS", &WORDS, Ink::Label, 0, 0));
        // Seven calls waiting, in the large digits centred in the left 30 columns.
        let digits = Rectangle::new(Point::new(0, 7), Size::new(30, 18));
        assert!(shows(&display, digits, "7", &LARGE, Ink::Normal, 10, DIGITS_BASELINE - 15));
        // The longest wait, right-aligned against the cell's two dark columns.
        let longest = Rectangle::new(Point::new(40, 7), Size::new(24, 6));
        assert!(shows(&display, longest, "0:42", &SMALL, Ink::Normal, 62 - 16, 7));
        // No expected wait yet: a grey "--", never a zero.
        let expected = Rectangle::new(Point::new(40, 13), Size::new(24, 6));
        assert!(shows(&display, expected, "--", &SMALL, Ink::Caption, 62 - 8, 13));
        // 85.3 % shows as 85 %.
        let service = Rectangle::new(Point::new(40, 19), Size::new(24, 6));
        assert!(shows(&display, service, "85%", &SMALL, Ink::Normal, 62 - 12, 19));
        // The ticker carries yesterday's CSAT with its sample size.
        assert_eq!(csat_text(&frame.csat).as_str(), "CSAT yesterday 4.23/5 n=57");
        let top_two = CsatLine::TopTwoBox { permille: 731, responses: 1204 };
        assert_eq!(csat_text(&top_two).as_str(), "CSAT yesterday 73% top2 n=1204");
        let few = CsatLine::NotEnoughResponses { responses: 3, minimum: 30 };
        assert_eq!(csat_text(&few).as_str(), "CSAT yesterday: n=3, under 30");
        // Every kind stands still on a 160-column board, up to 99,999 surveys a day.
        let kinds = [
            CsatLine::MeanScore { centi: 1000, scale_highest: 10, responses: 99_999 },
            CsatLine::TopTwoBox { permille: 1000, responses: 99_999 },
            CsatLine::NotEnoughResponses { responses: 998, minimum: 999 },
            CsatLine::Unavailable,
        ];
        for csat in kinds {
            assert!(width_of(&csat_text(&csat), &WORDS) <= 160, "{csat:?}");
        }
    }

    #[test]
    fn alerts_colour_the_figures_they_belong_to() {
        let mut alarmed = line("NOISE", 12);
        alarmed.alerts = LineAlerts {
            waiting: Alert::Alarm,
            longest_wait: Alert::Normal,
            expected_wait: Alert::Normal,
            service_level: Alert::Warning,
            agents_available: Alert::Normal,
        };
        let frame = frame(&[alarmed]);
        let (_, display) = shown(&frame, T0);
        let digits = Rectangle::new(Point::new(0, 7), Size::new(30, 18));
        assert!(shows(&display, digits, "12", &LARGE, Ink::Alarm, 5, DIGITS_BASELINE - 15));
        let service = Rectangle::new(Point::new(40, 19), Size::new(24, 6));
        assert!(shows(&display, service, "85%", &SMALL, Ink::Warning, 62 - 12, 19));
    }

    #[test]
    fn the_longest_wait_ages_between_frames_and_turns_red_at_the_threshold() {
        let mut waiting = line("STREETS", 2);
        waiting.longest_wait_s = Some(170);
        waiting.alerts.longest_wait = Alert::Warning;
        let frame = frame(&[waiting]);
        let settings = BoardSettings::DEFAULT;
        assert_eq!(settings.thresholds.wait_alarm_s, 180);
        let longest = Rectangle::new(Point::new(40, 7), Size::new(24, 6));
        let at = |after_ms| {
            hub75(&Scene { frame: Some(&frame), now: T0 + after_ms, settings: &settings }).1
        };
        assert!(shows(&at(0), longest, "2:50", &SMALL, Ink::Warning, 62 - 16, 7));
        assert!(shows(&at(9_999), longest, "2:59", &SMALL, Ink::Warning, 62 - 16, 7));
        assert!(shows(&at(10_000), longest, "3:00", &SMALL, Ink::Alarm, 62 - 16, 7));

        // Nobody waiting: the figure is the last call's and does not age.
        let mut idle = line("STREETS", 0);
        idle.longest_wait_s = Some(170);
        let frame = self::frame(&[idle]);
        let display =
            hub75(&Scene { frame: Some(&frame), now: T0 + 20_000, settings: &settings }).1;
        assert!(shows(&display, longest, "2:50", &SMALL, Ink::Normal, 62 - 16, 7));
    }

    #[test]
    fn waits_read_as_a_board_shows_them() {
        for (seconds, text) in [
            (0, "0:00"),
            (42, "0:42"),
            (600, "10:00"),
            (3599, "59:59"),
            (3900, "1h05"),
            (360_000, "99h+"),
        ] {
            assert_eq!(duration(seconds).as_str(), text);
        }
    }

    #[test]
    fn after_the_time_to_live_no_figure_is_left() {
        let mut frame = frame(&[line("STREETS", 7)]);
        frame.announcement = String::try_from("Storm: expect delays").unwrap();
        let settings = BoardSettings::DEFAULT;
        let last_moment = T0 + 29_999;
        let (screen, _) =
            hub75(&Scene { frame: Some(&frame), now: last_moment, settings: &settings });
        assert_eq!(screen, Screen::Figures);

        for scene in [
            Scene { frame: Some(&frame), now: T0 + 30_000, settings: &settings },
            Scene { frame: Some(&frame), now: u64::MAX, settings: &settings },
            Scene { frame: None, now: T0, settings: &settings },
        ] {
            let (screen, display) = hub75(&scene);
            assert_eq!(screen, Screen::NoData);
            let whole = Rectangle::new(Point::zero(), Size::new(64, 32));
            for ink in [Ink::Normal, Ink::Warning, Ink::Alarm, Ink::Notice] {
                assert!(!colour_in(&display, whole, ink), "{ink:?} on the no-data screen");
            }
            let words = Rectangle::new(Point::new(0, 0), Size::new(64, 16));
            assert!(shows(&display, words, "NO DATA", &MEDIUM, Ink::Label, 11, 1));
        }
    }

    #[test]
    fn pages_turn_on_the_clock() {
        let frame = frame(&[line("STREETS", 1), line("PARKS", 2), line("NOISE", 3)]);
        let settings = BoardSettings { page_seconds: 4, ..BoardSettings::DEFAULT };
        let label = Rectangle::new(Point::new(0, 0), Size::new(40, 7));
        // T0 is a whole number of 12-second cycles since the epoch: page 1 starts at T0.
        assert_eq!(T0 % 12_000, 0);
        for (after, name) in [
            (0, "STREETS"),
            (3_999, "STREETS"),
            (4_000, "PARKS"),
            (8_000, "NOISE"),
            (12_000, "STREETS"),
        ] {
            let (_, display) =
                hub75(&Scene { frame: Some(&frame), now: T0 + after, settings: &settings });
            assert!(shows(&display, label, name, &WORDS, Ink::Label, 0, 0), "{after} ms: {name}");
        }
    }

    #[test]
    fn a_long_label_stops_short_of_the_agents() {
        let frame = frame(&[line("ÁREA DE PARQUES", 0)]);
        let (_, display) = shown(&frame, T0);
        // "AV 3" takes the last 12 + 2 columns; eight characters of label fit before it.
        let label = Rectangle::new(Point::new(0, 0), Size::new(46, 7));
        assert!(shows(&display, label, "ÁREA DE ", &WORDS, Ink::Label, 0, 0));
        let agents = Rectangle::new(Point::new(46, 0), Size::new(12, 7));
        assert!(shows(&display, agents, "AV", &SMALL, Ink::Caption, 46, 1));
    }

    #[test]
    fn closed_shows_the_next_opening_and_no_figures() {
        let mut frame = frame(&[line("STREETS", 7)]);
        frame.opening = Opening::Closed {
            reopens: Some(Reopening { weekday: Weekday::Monday, hour: 8, minute: 0 }),
        };
        let (screen, display) = shown(&frame, T0);
        assert_eq!(screen, Screen::Closed);
        let words = Rectangle::new(Point::new(0, 0), Size::new(64, 17));
        assert!(shows(&display, words, "CLOSED", &LARGE, Ink::Label, 2, 0));
        let opens = Rectangle::new(Point::new(0, 17), Size::new(64, 8));
        assert!(shows(&display, opens, "OPENS MON 08:00", &SMALL, Ink::Caption, 2, 17));
        for ink in [Ink::Normal, Ink::Warning, Ink::Alarm] {
            assert!(!colour_in(&display, SCREEN_AREA, ink));
        }
    }

    #[test]
    fn the_ticker_stands_still_when_it_fits_and_scrolls_when_it_does_not() {
        let frame_short = BoardFrame { csat: CsatLine::Unavailable, ttl_s: 600, ..frame(&[]) };
        let settings = BoardSettings::DEFAULT;
        let short_text = csat_text(&frame_short.csat);
        assert!(width_of(&short_text, &WORDS) > 64, "the CSAT line alone scrolls on a HUB75");

        let mut tricolour = TriColourFramebuffer::new();
        let ticker_rows =
            |fb: &TriColourFramebuffer| fb.data().get(25 * 40..).map(<[u8]>::to_vec).unwrap();
        let scene = |now| Scene { frame: Some(&frame_short), now, settings: &settings };
        render::<TriColour160x32, _>(&scene(T0), &mut tricolour).unwrap();
        let first = ticker_rows(&tricolour);
        render::<TriColour160x32, _>(&scene(T0 + 60_000), &mut tricolour).unwrap();
        assert_eq!(first, ticker_rows(&tricolour), "fits on 160 columns: still");

        let (_, a) = hub75(&scene(T0));
        let (_, b) = hub75(&scene(T0 + TICKER_MS_PER_PIXEL));
        let moved = TICKER_AREA.points().any(|p| a.get_pixel(p) != b.get_pixel(p));
        assert!(moved, "wider than 64 columns: moves a pixel every {TICKER_MS_PER_PIXEL} ms");
    }

    #[test]
    fn the_ticker_carries_each_service_agreement_after_the_csat() {
        let mut frame = frame(&[line("STREETS", 3)]);
        frame.announcement = String::try_from("Storm").unwrap();
        frame.sla.push(sla_line("SANITATION", Some(930), 0, 4)).unwrap();
        let mut streets = sla_line("STREETS", Some(849), 2, 12);
        streets.alerts.compliance = Alert::Warning;
        frame.sla.push(streets).unwrap();
        frame.sla.push(sla_line("PARKS", None, 0, 0)).unwrap();
        let expected: std::vec::Vec<(&str, Ink)> = std::vec![
            ("Storm", Ink::Notice),
            (TICKER_GAP, Ink::Caption),
            ("CSAT yesterday 4.23/5 n=57", Ink::Label),
            (TICKER_GAP, Ink::Caption),
            ("SANITATION", Ink::Label),
            (" SLA ", Ink::Caption),
            ("93%", Ink::Normal),
            (SLA_SEPARATOR, Ink::Caption),
            ("4 breached", Ink::Alarm),
            (TICKER_GAP, Ink::Caption),
            ("STREETS", Ink::Label),
            (" SLA ", Ink::Caption),
            ("85%", Ink::Warning),
            (SLA_SEPARATOR, Ink::Caption),
            ("12 breached", Ink::Alarm),
            (SLA_SEPARATOR, Ink::Caption),
            ("2 at risk", Ink::Warning),
            (TICKER_GAP, Ink::Caption),
            ("PARKS", Ink::Label),
            (" SLA ", Ink::Caption),
            ("--", Ink::Caption),
        ];
        let got = pieces(&frame);
        let got: std::vec::Vec<(&str, Ink)> = got.iter().map(|(t, i)| (t.as_str(), *i)).collect();
        assert_eq!(got, expected);

        // On the wall: when the ticker has scrolled the announcement and the CSAT away,
        // "SANITATION" stands at the left edge in the label colour, and its figures follow
        // in their alert colours.
        frame.ttl_s = 600;
        let before: i32 = expected.iter().take(4).map(|(t, _)| width_of(t, &WORDS)).sum();
        let content: i32 = expected.iter().map(|(t, _)| width_of(t, &WORDS)).sum();
        let period = u64::try_from(content + width_of(TICKER_GAP, &WORDS)).unwrap();
        let loop_ms = period * TICKER_MS_PER_PIXEL;
        let now =
            (T0 / loop_ms + 1) * loop_ms + u64::try_from(before).unwrap() * TICKER_MS_PER_PIXEL;
        let (screen, display) = shown(&frame, now);
        assert_eq!(screen, Screen::Figures);
        let label = Rectangle::new(Point::new(0, TICKER_TOP), Size::new(50, 7));
        assert!(shows(&display, label, "SANITATION", &WORDS, Ink::Label, 0, TICKER_TOP));
        let mut tricolour = TriColourFramebuffer::new();
        let scene = Scene { frame: Some(&frame), now, settings: &BoardSettings::DEFAULT };
        render::<TriColour160x32, _>(&scene, &mut tricolour).unwrap();
        // "93%" (from column 75 of the tri-colour board) is green, "4 breached" red: the first
        // lit LED of each, read from the framebuffer (two bits a pixel, 1 red, 2 green).
        let first_lit = |from: i32, columns: i32| {
            (TICKER_TOP..32).flat_map(|y| (from..from + columns).map(move |x| (x, y))).find_map(
                |(x, y)| {
                    let (x, y) = (usize::try_from(x).unwrap(), usize::try_from(y).unwrap());
                    let byte = tricolour.data()[y * 40 + x / 4];
                    let bits = (byte >> (6 - 2 * (x % 4))) & 0b11;
                    (bits != 0).then_some(bits)
                },
            )
        };
        assert_eq!(first_lit(75, 15), Some(2), "93% in green");
        let breached_at = 75 + width_of("93%", &WORDS) + width_of(SLA_SEPARATOR, &WORDS);
        assert_eq!(first_lit(breached_at, 50), Some(1), "4 breached in red");
    }

    fn any_line() -> impl Strategy<Value = QueueLine> {
        let alert = prop_oneof![Just(Alert::Normal), Just(Alert::Warning), Just(Alert::Alarm)];
        (
            "\\PC{0,16}",
            any::<u16>(),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u16>()),
            any::<u16>(),
            alert,
        )
            .prop_map(
                |(label, waiting, longest, expected, service_level, agents, alert)| {
                    let mut label = label;
                    while label.len() > 16 {
                        label.pop();
                    }
                    QueueLine {
                        label: String::try_from(label.as_str()).unwrap(),
                        waiting,
                        longest_wait_s: longest,
                        expected_wait_s: expected,
                        service_level_permille: service_level,
                        service_level_target_permille: 800,
                        service_level_threshold_s: 20,
                        agents_available: agents,
                        alerts: LineAlerts {
                            waiting: alert,
                            longest_wait: alert,
                            expected_wait: alert,
                            service_level: alert,
                            agents_available: alert,
                        },
                    }
                },
            )
    }

    proptest! {
        /// Any frame, any clock, any settings: both panels draw it without a panic, inside
        /// their bounds (MockDisplay refuses out-of-bounds pixels), and say what they drew.
        #[test]
        fn any_frame_renders(
            lines in proptest::collection::vec(any_line(), 0..=8),
            announcement in "\\PC{0,40}",
            valid_at in any::<u64>(),
            after in any::<u64>(),
            ttl_s in any::<u16>(),
            page_seconds in any::<u8>(),
            waiting_warning in any::<u16>(),
            wait_alarm_s in any::<u32>(),
            closed in any::<bool>(),
            sla in proptest::collection::vec(
                ("\\PC{0,16}", proptest::option::of(any::<u16>()), any::<u16>(), any::<u16>()),
                0..=8,
            ),
        ) {
            let mut announcement = announcement;
            while announcement.len() > 96 {
                announcement.pop();
            }
            let frame = BoardFrame {
                valid_at,
                ttl_s,
                queues: lines.into_iter().collect(),
                csat: CsatLine::TopTwoBox { permille: 731, responses: u32::MAX },
                announcement: String::try_from(announcement.as_str()).unwrap(),
                opening: if closed { Opening::Closed { reopens: None } } else { Opening::Open },
                sla: sla
                    .into_iter()
                    .map(|(label, compliance, at_risk, breached)| {
                        let mut label = label;
                        while label.len() > 16 {
                            label.pop();
                        }
                        sla_line(&label, compliance, at_risk, breached)
                    })
                    .collect(),
            };
            let settings = BoardSettings {
                brightness: 255,
                page_seconds,
                thresholds: AlertThresholds { waiting_warning, wait_alarm_s, ..AlertThresholds::DEFAULT },
            };
            let scene = Scene { frame: Some(&frame), now: valid_at.saturating_add(after), settings: &settings };
            let (screen, _) = hub75(&scene);
            prop_assert_eq!(screen, scene.screen());
            let mut tricolour = TriColourFramebuffer::new();
            prop_assert_eq!(render::<TriColour160x32, _>(&scene, &mut tricolour).unwrap(), screen);
        }
    }
}
