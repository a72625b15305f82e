//! # Alpha text on a callboard board
//!
//! A board that also takes Alpha packets (a center migrating from an Alpha wallboard server)
//! keeps what it is sent as an Alpha sign would, in an
//! [`EmulatedSign`], and [`render_alpha`] draws what
//! that sign shows, with the same font as the board's own words:
//!
//! - **Screens** are the TEXT file's pages, a top-line page and the bottom-line page after it
//!   together ([`EmulatedSign::screens`]); they turn every `page_seconds`, as the board's own
//!   pages do.
//! - **Lines**: a top-line page on the upper half, a bottom-line page on the lower half, any
//!   other position (middle, fill, left, right) across the middle.
//! - **Text** that fits the panel is centred, whatever its mode; wider text travels right to
//!   left at the ticker's pace, as a sign's rotate mode does, starting at the left edge as the
//!   ticker does, and comes round again after a gap. Flash is shown steady: a board across a floor should not blink.
//! - **Colours**: red, green and amber as the panel shows an alarm, a figure within target and
//!   a warning; a sign's automatic colour as the board's labels.
//!
//! The picture is a pure function of the sign's files, the board's uptime and its page time,
//! so a host that decodes the same packets draws the same pixels and can check the board's
//! framebuffer CRC against its own.

use callboard_core::alpha::layout::TEXT_LABEL;
use callboard_core::alpha::sign::{EmulatedSign, Page};
use callboard_core::alpha::{Colour, Position};
use callboard_core::wire::Screen;
use embedded_graphics::prelude::*;

use crate::colour::Ink;
use crate::panel::Panel;
use crate::render::{TICKER_MS_PER_PIXEL, WORDS, panel_width, text};

/// Top of the upper line of a two-line screen (the 5 × 7 font's ink is 7 rows tall).
const UPPER_TOP: i32 = 7;
/// Top of the lower line.
const LOWER_TOP: i32 = 18;
/// Top of a line that has the panel to itself.
const MIDDLE_TOP: i32 = 12;
/// Columns of blank between the end of travelling text and its next round.
const GAP_COLUMNS: i32 = 24;

/// Columns from one character to the next in the board's font.
fn advance() -> i32 {
    i32::try_from(WORDS.character_size.width.saturating_add(WORDS.character_spacing)).unwrap_or(5)
}

/// How the board shows an Alpha colour.
#[must_use]
pub const fn ink(colour: Colour) -> Ink {
    match colour {
        Colour::Red => Ink::Alarm,
        Colour::Green => Ink::Normal,
        Colour::Amber => Ink::Warning,
        Colour::Auto => Ink::Label,
    }
}

/// Draws what `sign` shows at board uptime `now_ms`, its screens turning every `page_ms`, onto
/// `target` (the panel's size). A sign with no text shows a dark panel.
///
/// # Errors
/// Only the target's own drawing errors.
pub fn render_alpha<P, D, const POOL: usize>(
    sign: &EmulatedSign<POOL>,
    now_ms: u64,
    page_ms: u64,
    target: &mut D,
) -> Result<Screen, D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    target.clear(P::colour(Ink::Off))?;
    let screens = sign.screens(TEXT_LABEL);
    let count = u64::try_from(screens.len()).unwrap_or(1);
    let turn = now_ms.checked_div(page_ms).and_then(|turn| turn.checked_rem(count));
    let Some(&(first, pages)) =
        turn.and_then(|turn| screens.get(usize::try_from(turn).unwrap_or(0)))
    else {
        return Ok(Screen::Alpha);
    };
    let layout = sign.page_layout(TEXT_LABEL);
    for index in first..first.saturating_add(pages) {
        let Some(page) = layout.get(index) else { break };
        line::<P, D, POOL>(sign, index, page, now_ms, target)?;
    }
    Ok(Screen::Alpha)
}

/// Draws page `index` on its line.
fn line<P, D, const POOL: usize>(
    sign: &EmulatedSign<POOL>,
    index: usize,
    page: &Page,
    now_ms: u64,
    target: &mut D,
) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let top = match page.position {
        Position::TopLine => UPPER_TOP,
        Position::BottomLine => LOWER_TOP,
        _ => MIDDLE_TOP,
    };
    let advance = advance();
    let mut chars = 0_i32;
    sign.page_text(TEXT_LABEL, index, |_, _| chars = chars.saturating_add(1));
    let content = chars.saturating_mul(advance);
    let width = panel_width::<P>();
    if content <= width {
        return run::<P, D, POOL>(sign, index, width.saturating_sub(content) / 2, top, target);
    }
    // Travelling, as the ticker does: the text starts at the left edge and moves left a column
    // every ticker step, and the next round follows it after a gap.
    let period = content.saturating_add(GAP_COLUMNS);
    let offset = (now_ms / TICKER_MS_PER_PIXEL)
        .checked_rem(u64::try_from(period).unwrap_or(1).max(1))
        .unwrap_or(0);
    let first = 0_i32.saturating_sub(i32::try_from(offset).unwrap_or(0));
    run::<P, D, POOL>(sign, index, first, top, target)?;
    run::<P, D, POOL>(sign, index, first.saturating_add(period), top, target)
}

/// Draws page `index`'s characters from `x`, each in its colour, passing over those off the
/// panel.
fn run<P, D, const POOL: usize>(
    sign: &EmulatedSign<POOL>,
    index: usize,
    x: i32,
    top: i32,
    target: &mut D,
) -> Result<(), D::Error>
where
    P: Panel,
    D: DrawTarget<Color = P::Colour>,
{
    let advance = advance();
    let width = panel_width::<P>();
    let mut x = x;
    let mut result = Ok(());
    sign.page_text(TEXT_LABEL, index, |byte, colour| {
        if result.is_ok() && x > advance.saturating_neg() && x < width {
            let glyph = [byte];
            let glyph = core::str::from_utf8(&glyph).unwrap_or("?");
            result = text::<P, D>(target, glyph, &WORDS, ink(colour), x, top).map(|_| ());
        }
        x = x.saturating_add(advance);
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::{Hub75Rgb64x32, TriColour160x32};
    use callboard_core::alpha::sign::Received;
    use callboard_core::alpha::{ALL_SIGNS, command};
    use embedded_graphics::mono_font::MonoTextStyle;
    use embedded_graphics::text::{Baseline, Text};

    const PAGE_MS: u64 = 5_000;

    fn sign(text: &[u8]) -> EmulatedSign<256> {
        let mut sign = EmulatedSign::new();
        let mut data = std::vec![TEXT_LABEL];
        data.extend_from_slice(text);
        let write = Received {
            type_code: ALL_SIGNS,
            address: 0,
            code: command::WRITE_TEXT,
            data: &data,
            checksum_ok: Some(true),
        };
        assert!(sign.apply(&write));
        sign
    }

    /// `words` drawn by hand at (`x`, `top`), each piece in its ink.
    fn by_hand<P: Panel>(words: &[(&str, Ink, i32, i32)]) -> P::Framebuffer {
        let mut expected = P::blank_framebuffer();
        let Ok(()) = expected.clear(P::colour(Ink::Off));
        for &(text, ink, x, top) in words {
            let style = MonoTextStyle::new(&WORDS, P::colour(ink));
            let Ok(_) = Text::with_baseline(text, Point::new(x, top), style, Baseline::Top)
                .draw(&mut expected);
        }
        expected
    }

    fn drawn<P: Panel>(sign: &EmulatedSign<256>, now_ms: u64) -> P::Framebuffer {
        let mut framebuffer = P::blank_framebuffer();
        let Ok(screen) = render_alpha::<P, _, 256>(sign, now_ms, PAGE_MS, &mut framebuffer);
        assert_eq!(screen, Screen::Alpha);
        framebuffer
    }

    fn same<P: Panel>(a: &P::Framebuffer, b: &P::Framebuffer) -> bool {
        P::framebuffer_bytes(a) == P::framebuffer_bytes(b)
    }

    #[test]
    fn a_held_line_is_centred_in_the_board_font() {
        let sign = sign(b"\x1b\x20bHELLO");
        // 5 characters of 5 columns (the 5 x 7 font's cell) on 64: from column 19.
        let expected = by_hand::<Hub75Rgb64x32>(&[("HELLO", Ink::Label, 19, MIDDLE_TOP)]);
        assert!(same::<Hub75Rgb64x32>(&drawn::<Hub75Rgb64x32>(&sign, 0), &expected));
    }

    #[test]
    fn two_lines_share_a_screen_each_character_in_its_colour() {
        // Top line "AB" in red then "C" in green; bottom line "WAIT" in amber.
        let sign = sign(b"\x1b\x22b\x1c1AB\x1c2C\x1b\x26b\x1c3WAIT");
        let expected = by_hand::<TriColour160x32>(&[
            ("AB", Ink::Alarm, 72, UPPER_TOP),
            ("C", Ink::Normal, 82, UPPER_TOP),
            ("WAIT", Ink::Warning, 70, LOWER_TOP),
        ]);
        assert!(same::<TriColour160x32>(&drawn::<TriColour160x32>(&sign, 0), &expected));
    }

    #[test]
    fn screens_turn_every_page_time() {
        let sign = sign(b"\x1b\x20bONE\x1b\x20bTWO");
        let one = by_hand::<Hub75Rgb64x32>(&[("ONE", Ink::Label, 24, MIDDLE_TOP)]);
        let two = by_hand::<Hub75Rgb64x32>(&[("TWO", Ink::Label, 24, MIDDLE_TOP)]);
        assert!(same::<Hub75Rgb64x32>(&drawn::<Hub75Rgb64x32>(&sign, PAGE_MS - 1), &one));
        assert!(same::<Hub75Rgb64x32>(&drawn::<Hub75Rgb64x32>(&sign, PAGE_MS), &two));
        assert!(same::<Hub75Rgb64x32>(&drawn::<Hub75Rgb64x32>(&sign, 2 * PAGE_MS), &one));
    }

    #[test]
    fn text_wider_than_the_panel_travels_and_comes_round() {
        // 15 characters: 75 columns on a 64-column panel.
        let text = "STREETS WAIT 12";
        let sign = sign(b"\x1b\x20aSTREETS WAIT 12");
        let at = |x| by_hand::<Hub75Rgb64x32>(&[(text, Ink::Label, x, MIDDLE_TOP)]);
        // It starts at the left edge, and ten ticker steps later has moved ten columns left.
        assert!(same::<Hub75Rgb64x32>(&drawn::<Hub75Rgb64x32>(&sign, 0), &at(0)));
        let later = drawn::<Hub75Rgb64x32>(&sign, 10 * TICKER_MS_PER_PIXEL);
        assert!(same::<Hub75Rgb64x32>(&later, &at(-10)));
        // 60 steps on, the next round is coming in from the right, a gap behind.
        let both = by_hand::<Hub75Rgb64x32>(&[
            (text, Ink::Label, -60, MIDDLE_TOP),
            (text, Ink::Label, -60 + 75 + GAP_COLUMNS, MIDDLE_TOP),
        ]);
        let round = drawn::<Hub75Rgb64x32>(&sign, 60 * TICKER_MS_PER_PIXEL);
        assert!(same::<Hub75Rgb64x32>(&round, &both));
    }

    #[test]
    fn a_sign_with_no_text_is_dark() {
        let sign = EmulatedSign::<256>::new();
        let blank = by_hand::<Hub75Rgb64x32>(&[]);
        assert!(same::<Hub75Rgb64x32>(&drawn::<Hub75Rgb64x32>(&sign, 123), &blank));
    }
}
