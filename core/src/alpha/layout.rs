//! A board frame laid out for an Alpha sign.
//!
//! The fixed words (queue labels, "WAIT", "OLD", "SL", "YESTERDAY CSAT") go in one TEXT file,
//! [`TEXT_LABEL`]; every figure that changes (calls waiting, the oldest wait, the service
//! level, yesterday's CSAT) goes in a STRING file of its own, with its colour from the frame's
//! alert level, and the TEXT file calls it. A live update therefore rewrites only the STRING
//! files whose figures changed: a few dozen bytes, and the sign neither flickers nor restarts
//! its pages. The TEXT file is rewritten only when what it says changes (queues added or
//! renamed, the center closing or opening, the announcement).
//!
//! Pages: on a two-line sign one per queue, the label and calls waiting on the top line, the
//! oldest wait and the service level on the bottom one; then yesterday's CSAT; then the
//! announcement. A one-line sign shows each queue as one line that travels (rotate mode). A
//! closed center shows CLOSED and when it opens; a frame with no queue shows NO DATA.
//! Tri-colour signs show each figure green, amber or red by its alert level; single-colour
//! signs get no colour codes.

use core::fmt::Write as _;

use heapless::{String, Vec};

use super::packet::{Framing, PacketWriter};
use super::{AlphaError, CALL_STRING, Colour, ESC, Mode, Position, SELECT_COLOUR, special};
use crate::board::{Alert, BoardFrame, CsatLine, LABEL_BYTES, Opening, QUEUES_PER_FRAME};

/// The TEXT file that holds every page.
pub const TEXT_LABEL: u8 = b'A';
/// The TEXT file's size on the sign, bytes.
pub const TEXT_BYTES: usize = 768;
/// Each STRING file's size on the sign, bytes: a colour code and a figure.
pub const STRING_BYTES: usize = 16;
/// STRING files a layout uses at most: three per queue and yesterday's CSAT.
pub const STRINGS: usize = 3 * QUEUES_PER_FRAME + 1;
/// The memory a sign needs for a layout's files: the TEXT file and every STRING file.
pub const SIGN_POOL: usize = TEXT_BYTES + STRINGS * STRING_BYTES;
/// The memory configuration's data, bytes: `$` and eleven for each file.
pub const CONFIG_BYTES: usize = 1 + 11 * (STRINGS + 1);
/// The STRING files' labels, in order: lower-case letters, none of them a TEXT label here.
const STRING_LABELS: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";

/// A kind of sign: how many lines, how wide, whether it has colours, and its type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SignProfile {
    /// The name a site file or the command line gives it.
    pub name: &'static str,
    /// Lines of text: 1 or 2.
    pub lines: u8,
    /// Characters a line shows at once.
    pub columns: u8,
    /// Red, green and amber (tri-colour) rather than one colour.
    pub tricolour: bool,
    /// The type code its packets carry (section 5.1; `Z` for every kind).
    pub type_code: u8,
    /// How its packets are framed.
    pub framing: Framing,
    /// Stop bits on a serial line (7 data bits, even parity): 1 for Alpha signs, 2 for
    /// Spectrum signs.
    pub stop_bits: u8,
}

/// The kinds of sign callboard lays frames out for.
///
/// Spectrum-branded signs (sold with several ACDs) take the same commands with their own
/// framing ([`Framing::SPECTRUM`]) and two stop bits; their type codes were not published, so
/// their packets carry `Z` as Alpha's do.
pub const PROFILES: [SignProfile; 5] = [
    // A BetaBrite-class one-line tri-colour sign.
    SignProfile { name: "one-line", lines: 1, columns: 16, ..ALPHA_SIGN },
    // An Alpha two-line tri-colour sign, 20 characters a line.
    SignProfile { name: "two-line", lines: 2, columns: 20, ..ALPHA_SIGN },
    // A two-line single-colour (red) sign.
    SignProfile { name: "two-line-red", lines: 2, columns: 20, tricolour: false, ..ALPHA_SIGN },
    // Spectrum's one-line and two-line tri-colour signs.
    SignProfile { name: "spectrum-one-line", lines: 1, columns: 16, ..SPECTRUM_SIGN },
    SignProfile { name: "spectrum-two-line", lines: 2, columns: 20, ..SPECTRUM_SIGN },
];

/// What every Alpha profile shares.
const ALPHA_SIGN: SignProfile = SignProfile {
    name: "",
    lines: 1,
    columns: 16,
    tricolour: true,
    type_code: super::ALL_SIGNS,
    framing: Framing::ALPHA,
    stop_bits: 1,
};

/// What every Spectrum profile shares.
const SPECTRUM_SIGN: SignProfile =
    SignProfile { framing: Framing::SPECTRUM, stop_bits: 2, ..ALPHA_SIGN };

impl SignProfile {
    /// The profile called `name`.
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        PROFILES.iter().copied().find(|p| p.name == name)
    }
}

/// The files a sign is sent for one frame: the TEXT file and each STRING file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignFiles {
    /// The TEXT file's contents (pages, each `ESC` position mode text).
    pub text: Vec<u8, TEXT_BYTES>,
    /// Each STRING file: its label and contents.
    pub strings: Vec<(u8, Vec<u8, STRING_BYTES>), STRINGS>,
}

/// Printable ASCII for a sign: other characters become `?`, control bytes a space.
fn ascii(text: &str) -> impl Iterator<Item = u8> + '_ {
    text.chars().map(|c| match c {
        ' '..='~' => c as u8,
        c if c.is_control() => b' ',
        _ => b'?',
    })
}

struct Builder<'p> {
    files: SignFiles,
    profile: &'p SignProfile,
}

impl Builder<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), AlphaError> {
        self.files.text.extend_from_slice(bytes).map_err(|_| AlphaError::BufferTooSmall)
    }

    fn page(&mut self, position: Position, mode: Mode) -> Result<(), AlphaError> {
        self.put(&[ESC, position.code(), mode.code()])
    }

    fn colour(&mut self, colour: Colour) -> Result<(), AlphaError> {
        if self.profile.tricolour { self.put(&[SELECT_COLOUR, colour.code()]) } else { Ok(()) }
    }

    /// Fixed words, in the words' colour (amber).
    fn words(&mut self, text: &str) -> Result<(), AlphaError> {
        self.colour(Colour::Amber)?;
        for byte in ascii(text) {
            self.put(&[byte])?;
        }
        Ok(())
    }

    /// A figure: a STRING file of its own, called here.
    fn figure(&mut self, alert: Alert, value: &str) -> Result<(), AlphaError> {
        let index = self.files.strings.len();
        let label = *STRING_LABELS.get(index).ok_or(AlphaError::TooManyFiles)?;
        let mut data: Vec<u8, STRING_BYTES> = Vec::new();
        if self.profile.tricolour {
            let colour = match alert {
                Alert::Normal => Colour::Green,
                Alert::Warning => Colour::Amber,
                Alert::Alarm => Colour::Red,
            };
            data.extend_from_slice(&[SELECT_COLOUR, colour.code()])
                .map_err(|_| AlphaError::BufferTooSmall)?;
        }
        for byte in ascii(value) {
            data.push(byte).map_err(|_| AlphaError::BufferTooSmall)?;
        }
        self.files.strings.push((label, data)).map_err(|_| AlphaError::TooManyFiles)?;
        self.put(&[CALL_STRING, label])
    }
}

/// `m:ss` (or `h:mm:ss` from an hour), `-` for none.
fn duration(seconds: Option<u32>) -> String<12> {
    let mut out = String::new();
    let _ = match seconds {
        None => out.push_str("-").map_err(|_| core::fmt::Error),
        Some(s) if s >= 3600 => write!(out, "{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60),
        Some(s) => write!(out, "{}:{:02}", s / 60, s % 60),
    };
    out
}

/// Lays `frame` out for a sign of `profile`.
///
/// # Errors
/// [`AlphaError::BufferTooSmall`] or [`AlphaError::TooManyFiles`], neither possible for a frame
/// within its own limits.
pub fn lay_out(frame: &BoardFrame, profile: &SignProfile) -> Result<SignFiles, AlphaError> {
    let mut b = Builder { files: SignFiles::default(), profile };
    let two_lines = profile.lines >= 2;
    if let Opening::Closed { reopens } = frame.opening {
        b.page(if two_lines { Position::TopLine } else { Position::MiddleLine }, Mode::Hold)?;
        b.words("CLOSED")?;
        if let Some(r) = reopens {
            let mut when: String<24> = String::new();
            let day = match r.weekday {
                crate::calendar::Weekday::Monday => "MON",
                crate::calendar::Weekday::Tuesday => "TUE",
                crate::calendar::Weekday::Wednesday => "WED",
                crate::calendar::Weekday::Thursday => "THU",
                crate::calendar::Weekday::Friday => "FRI",
                crate::calendar::Weekday::Saturday => "SAT",
                crate::calendar::Weekday::Sunday => "SUN",
            };
            let _ = write!(when, "OPENS {day} {:02}:{:02}", r.hour, r.minute);
            if two_lines {
                b.page(Position::BottomLine, Mode::Hold)?;
            } else {
                b.put(b" ")?;
            }
            b.words(&when)?;
        }
        return Ok(b.files);
    }
    if frame.queues.is_empty() {
        b.page(if two_lines { Position::Fill } else { Position::MiddleLine }, Mode::Hold)?;
        b.words("NO DATA")?;
        return Ok(b.files);
    }
    // A label as wide as the top line leaves room for: a space and five digits of waiting.
    let label_room = usize::from(profile.columns).saturating_sub(6).clamp(1, LABEL_BYTES);
    for q in &frame.queues {
        let mut waiting: String<8> = String::new();
        let _ = write!(waiting, "{}", q.waiting);
        let mut level: String<8> = String::new();
        let _ = match q.service_level_permille {
            Some(p) => write!(level, "{}%", (u32::from(p) + 5) / 10),
            None => level.push_str("-").map_err(|_| core::fmt::Error),
        };
        let label: String<LABEL_BYTES> = q.label.chars().take(label_room).collect();
        if two_lines {
            b.page(Position::TopLine, Mode::Hold)?;
            b.words(&label)?;
            b.words(" ")?;
            b.figure(q.alerts.waiting, &waiting)?;
            b.words(" WAIT")?;
            b.page(Position::BottomLine, Mode::Hold)?;
            b.words("OLD ")?;
            b.figure(q.alerts.longest_wait, &duration(q.longest_wait_s))?;
            b.words(" SL ")?;
            b.figure(q.alerts.service_level, &level)?;
        } else {
            b.page(Position::MiddleLine, Mode::Rotate)?;
            b.words(&q.label)?;
            b.words(" WAITING ")?;
            b.figure(q.alerts.waiting, &waiting)?;
            b.words(" OLDEST ")?;
            b.figure(q.alerts.longest_wait, &duration(q.longest_wait_s))?;
            b.words(" SL ")?;
            b.figure(q.alerts.service_level, &level)?;
        }
    }
    let mut csat: String<24> = String::new();
    let _ = match frame.csat {
        CsatLine::MeanScore { centi, scale_highest, responses } => {
            write!(csat, "{}.{:02}/{scale_highest} N={responses}", centi / 100, centi % 100)
        }
        CsatLine::TopTwoBox { permille, responses } => {
            write!(csat, "{}% N={responses}", (u32::from(permille) + 5) / 10)
        }
        CsatLine::NotEnoughResponses { responses, minimum } => {
            write!(csat, "N={responses} OF {minimum}")
        }
        CsatLine::Unavailable => Ok(()),
    };
    if !csat.is_empty() {
        if two_lines {
            b.page(Position::TopLine, Mode::Hold)?;
            b.words("YESTERDAY CSAT")?;
            b.page(Position::BottomLine, Mode::Hold)?;
        } else {
            b.page(Position::MiddleLine, Mode::Rotate)?;
            b.words("YESTERDAY CSAT ")?;
        }
        b.figure(Alert::Normal, &csat)?;
    }
    if !frame.announcement.is_empty() {
        b.page(if two_lines { Position::Fill } else { Position::MiddleLine }, Mode::Rotate)?;
        b.words(&frame.announcement)?;
    }
    Ok(b.files)
}

/// The memory configuration (special function `$`, section 6.2) for `files`: the TEXT file and
/// each STRING file, unlocked, with their sizes; a TEXT file runs always (start and stop time
/// codes `FF`, appendix B). A sign clears its files when it is configured.
///
/// # Errors
/// [`AlphaError::BufferTooSmall`].
pub fn memory_configuration(
    files: &SignFiles,
    out: &mut Vec<u8, CONFIG_BYTES>,
) -> Result<(), AlphaError> {
    let full = |_| AlphaError::BufferTooSmall;
    out.clear();
    out.push(special::MEMORY_CONFIGURATION).map_err(|_| AlphaError::BufferTooSmall)?;
    let hex = super::packet::hex4(TEXT_BYTES as u16);
    out.extend_from_slice(&[TEXT_LABEL, b'A', b'U']).map_err(full)?;
    out.extend_from_slice(&hex).map_err(full)?;
    out.extend_from_slice(b"FFFF").map_err(full)?;
    for (label, _) in &files.strings {
        out.extend_from_slice(&[*label, b'B', b'U']).map_err(full)?;
        out.extend_from_slice(&super::packet::hex4(STRING_BYTES as u16)).map_err(full)?;
        out.extend_from_slice(b"0000").map_err(full)?;
    }
    Ok(())
}

/// Writes into `buffer` the read a sign answers with its memory configuration (`F$`, read
/// special function, section 6.2): whether a sign of `profile` is at `address`, and the files it
/// keeps. Its answer is read with [`memory_table`](super::sign::memory_table). Returns the
/// packet's length.
///
/// # Errors
/// [`AlphaError::BufferTooSmall`].
pub fn memory_query(
    profile: &SignProfile,
    address: u8,
    buffer: &mut [u8],
) -> Result<usize, AlphaError> {
    let mut packet =
        PacketWriter::with_framing(buffer, profile.framing, profile.type_code, address)?;
    packet.command(super::command::READ_SPECIAL, &[&[special::MEMORY_CONFIGURATION]])?;
    packet.finish()
}

/// Whether two layouts keep the same files (so the sign's memory need not be configured
/// again).
fn same_files(a: &SignFiles, b: &SignFiles) -> bool {
    a.strings.len() == b.strings.len()
        && a.strings.iter().zip(&b.strings).all(|((x, _), (y, _))| x == y)
}

/// Writes the packets that take a sign showing `before` (nothing known: `None`) to showing
/// `after`, each into `buffer` and handed to `send`: the memory configuration and every file
/// when the files kept change, the TEXT file when its words change, and otherwise only the
/// STRING files whose figures changed, nested in as few packets as fit the buffer. Returns the
/// bytes sent.
///
/// # Errors
/// [`AlphaError::BufferTooSmall`] for a buffer that cannot hold the largest single command
/// (the TEXT file: [`TEXT_BYTES`] and 32 bytes of framing), and what `send` returns.
pub fn update<E: From<AlphaError>>(
    before: Option<&SignFiles>,
    after: &SignFiles,
    profile: &SignProfile,
    address: u8,
    buffer: &mut [u8],
    mut send: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<usize, E> {
    let mut sent = 0_usize;
    let mut emit = |buffer: &mut [u8], len: usize| -> Result<(), E> {
        sent = sent.saturating_add(len);
        send(buffer.get(..len).unwrap_or(&[]))
    };
    let configure = before.is_none_or(|b| !same_files(b, after));
    if configure {
        let mut config = Vec::new();
        memory_configuration(after, &mut config)?;
        let mut packet =
            PacketWriter::with_framing(buffer, profile.framing, profile.type_code, address)?;
        packet.command(super::command::WRITE_SPECIAL, &[&config])?;
        let len = packet.finish()?;
        emit(buffer, len)?;
    }
    if configure || before.is_some_and(|b| b.text != after.text) {
        let mut packet =
            PacketWriter::with_framing(buffer, profile.framing, profile.type_code, address)?;
        packet.write_text(TEXT_LABEL, &after.text)?;
        let len = packet.finish()?;
        emit(buffer, len)?;
    }
    let changed = after.strings.iter().enumerate().filter(|(i, (_, data))| {
        configure || before.and_then(|b| b.strings.get(*i)).is_none_or(|(_, old)| old != data)
    });
    let mut pending: Vec<usize, STRINGS> = Vec::new();
    for (i, _) in changed {
        let _ = pending.push(i);
    }
    let mut next = 0;
    while next < pending.len() {
        let mut packet =
            PacketWriter::with_framing(buffer, profile.framing, profile.type_code, address)?;
        let mut in_packet = 0_usize;
        while let Some(&i) = pending.get(next) {
            let Some((label, data)) = after.strings.get(i) else { break };
            // Room for this command (STX, code, label, data, ETX, checksum) and the EOT.
            if packet.room() < data.len().saturating_add(9) {
                break;
            }
            packet.write_string(*label, data)?;
            next = next.saturating_add(1);
            in_packet = in_packet.saturating_add(1);
        }
        if in_packet == 0 {
            return Err(AlphaError::BufferTooSmall.into());
        }
        let len = packet.finish()?;
        emit(buffer, len)?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alpha::sign::{EmulatedSign, PacketDecoder, Received};
    use crate::board::{LineAlerts, QueueLine};
    use std::vec::Vec as StdVec;

    pub(crate) fn frame(waiting: u16, longest: Option<u32>) -> BoardFrame {
        let mut frame = BoardFrame::EMPTY;
        let mut line = QueueLine {
            label: String::try_from("STREETS").unwrap(),
            waiting,
            longest_wait_s: longest,
            expected_wait_s: None,
            service_level_permille: Some(873),
            service_level_target_permille: 800,
            service_level_threshold_s: 20,
            agents_available: 2,
            alerts: LineAlerts::default(),
        };
        line.alerts.waiting = Alert::Alarm;
        frame.queues.push(line.clone()).unwrap();
        line.label = String::try_from("SANITATION").unwrap();
        line.waiting = 0;
        line.longest_wait_s = None;
        line.alerts = LineAlerts::default();
        frame.queues.push(line).unwrap();
        frame.csat = CsatLine::MeanScore { centi: 423, scale_highest: 5, responses: 64 };
        frame
    }

    fn sent(before: Option<&SignFiles>, after: &SignFiles, profile: &SignProfile) -> StdVec<u8> {
        let mut buffer = [0_u8; 1024];
        let mut bytes = StdVec::new();
        let total = update::<AlphaError>(before, after, profile, 0, &mut buffer, |p| {
            bytes.extend_from_slice(p);
            Ok(())
        })
        .unwrap();
        assert_eq!(total, bytes.len());
        bytes
    }

    fn show(sign: &mut EmulatedSign<SIGN_POOL>, bytes: &[u8]) {
        let mut decoder = PacketDecoder::<TEXT_BYTES>::new();
        for &b in bytes {
            if let Some(received) = decoder.feed(b) {
                assert_eq!(received.checksum_ok, Some(true));
                assert!(sign.apply(&received), "{received:?}");
            }
        }
    }

    #[test]
    fn a_two_line_sign_shows_each_queue_and_the_csat_in_colour() {
        let profile = SignProfile::named("two-line").unwrap();
        let files = lay_out(&frame(12, Some(185)), &profile).unwrap();
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        show(&mut sign, &sent(None, &files, &profile));
        let pages = sign.pages::<64>(TEXT_LABEL);
        let lines: StdVec<(&str, Position)> =
            pages.iter().map(|p| (p.text.as_str(), p.position)).collect();
        assert_eq!(
            lines,
            [
                ("STREETS 12 WAIT", Position::TopLine),
                ("OLD 3:05 SL 87%", Position::BottomLine),
                ("SANITATION 0 WAIT", Position::TopLine),
                ("OLD - SL 87%", Position::BottomLine),
                ("YESTERDAY CSAT", Position::TopLine),
                ("4.23/5 N=64", Position::BottomLine),
            ]
        );
        // The label amber, the waiting calls red (their alarm), the wait green.
        let top = &pages[0];
        assert_eq!(top.colours[0], Colour::Amber);
        assert_eq!(top.colours[8], Colour::Red);
        assert_eq!(pages[1].colours[4], Colour::Green);
    }

    #[test]
    fn a_live_update_rewrites_only_the_strings_that_changed() {
        let profile = SignProfile::named("two-line").unwrap();
        let first = lay_out(&frame(12, Some(185)), &profile).unwrap();
        let next = lay_out(&frame(13, Some(186)), &profile).unwrap();
        assert_eq!(first.text, next.text);
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        let all = sent(None, &first, &profile);
        show(&mut sign, &all);
        let update = sent(Some(&first), &next, &profile);
        // One packet, two nested STRING writes: 9 bytes of header, 2 × (8 + data), EOT.
        let data = next.strings[0].1.len() + next.strings[1].1.len();
        assert_eq!(update.len(), 9 + 2 * 8 + data + 1, "{update:?}");
        assert!(update.len() * 9 < all.len(), "{} of {}", update.len(), all.len());
        show(&mut sign, &update);
        let pages = sign.pages::<64>(TEXT_LABEL);
        assert_eq!(pages[0].text.as_str(), "STREETS 13 WAIT");
        assert_eq!(pages[1].text.as_str(), "OLD 3:06 SL 87%");
        // Nothing changed: nothing sent.
        assert!(sent(Some(&next), &next, &profile).is_empty());
    }

    #[test]
    fn closed_no_data_one_line_and_single_colour_screens() {
        let two = SignProfile::named("two-line").unwrap();
        let mut closed = frame(0, None);
        closed.opening = Opening::Closed {
            reopens: Some(crate::board::Reopening {
                weekday: crate::calendar::Weekday::Monday,
                hour: 8,
                minute: 0,
            }),
        };
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        show(&mut sign, &sent(None, &lay_out(&closed, &two).unwrap(), &two));
        let pages = sign.pages::<64>(TEXT_LABEL);
        assert_eq!(pages[0].text.as_str(), "CLOSED");
        assert_eq!(pages[1].text.as_str(), "OPENS MON 08:00");
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        show(&mut sign, &sent(None, &lay_out(&BoardFrame::EMPTY, &two).unwrap(), &two));
        assert_eq!(sign.pages::<64>(TEXT_LABEL)[0].text.as_str(), "NO DATA");

        let one = SignProfile::named("one-line").unwrap();
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        show(&mut sign, &sent(None, &lay_out(&frame(12, Some(185)), &one).unwrap(), &one));
        let pages = sign.pages::<96>(TEXT_LABEL);
        assert_eq!(pages[0].text.as_str(), "STREETS WAITING 12 OLDEST 3:05 SL 87%");
        assert_eq!(pages[0].mode, Mode::Rotate);

        let red = SignProfile::named("two-line-red").unwrap();
        let files = lay_out(&frame(12, Some(185)), &red).unwrap();
        assert!(!files.text.contains(&SELECT_COLOUR));
        assert!(files.strings.iter().all(|(_, s)| !s.contains(&SELECT_COLOUR)));
    }

    #[test]
    fn labels_that_are_not_ascii_or_hold_control_bytes_cannot_break_the_packet() {
        let profile = SignProfile::named("one-line").unwrap();
        let mut hostile = frame(1, None);
        hostile.queues[0].label = String::try_from("CALLE\u{0}\u{4}ÑÜ").unwrap();
        hostile.announcement = String::try_from("storm \u{2}\u{3} ahead").unwrap();
        let files = lay_out(&hostile, &profile).unwrap();
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        show(&mut sign, &sent(None, &files, &profile));
        let pages = sign.pages::<128>(TEXT_LABEL);
        assert!(pages[0].text.starts_with("CALLE  ?? WAITING 1"), "{}", pages[0].text);
        assert_eq!(pages.last().unwrap().text.as_str(), "storm    ahead");
    }

    #[test]
    fn a_spectrum_sign_is_sent_the_same_files_framed_its_way() {
        let alpha = SignProfile::named("two-line").unwrap();
        let spectrum = SignProfile::named("spectrum-two-line").unwrap();
        assert_eq!((spectrum.stop_bits, spectrum.framing), (2, Framing::SPECTRUM));
        let files = lay_out(&frame(12, Some(185)), &spectrum).unwrap();
        assert_eq!(files, lay_out(&frame(12, Some(185)), &alpha).unwrap());
        let bytes = sent(None, &files, &spectrum);
        assert!(bytes.starts_with(b"0000000000\x01Z00\x02E$"), "{bytes:?}");
        // Read back: every command without a checksum, and the sign shows what an Alpha sign
        // sent the same frame shows.
        let mut decoder = PacketDecoder::<TEXT_BYTES>::new();
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        let mut commands = 0;
        for &b in &bytes {
            if let Some(received) = decoder.feed(b) {
                assert_eq!(received.checksum_ok, None);
                assert!(sign.apply(&received), "{received:?}");
                commands += 1;
            }
        }
        assert_eq!(commands, 2 + files.strings.len());
        let mut alpha_sign = EmulatedSign::<SIGN_POOL>::new();
        show(&mut alpha_sign, &sent(None, &files, &alpha));
        assert_eq!(sign.pages::<64>(TEXT_LABEL), alpha_sign.pages::<64>(TEXT_LABEL));
    }

    #[test]
    fn a_sign_answers_the_memory_query_with_the_files_it_keeps() {
        use crate::alpha::sign::{FileEntry, memory_table};
        let profile = SignProfile::named("two-line").unwrap();
        let files = lay_out(&frame(12, Some(185)), &profile).unwrap();
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        show(&mut sign, &sent(None, &files, &profile));
        let mut query = [0_u8; 32];
        let len = memory_query(&profile, 7, &mut query).unwrap();
        assert_eq!(&query[..len], b"\0\0\0\0\0\x01Z07\x02F$\x03006F\x04");
        let mut decoder = PacketDecoder::<16>::new();
        let received = query[..len].iter().find_map(|&b| decoder.feed(b).map(|r| r.data.to_vec()));
        assert_eq!(received.as_deref(), Some(b"$".as_slice()));
        let mut decoder = PacketDecoder::<16>::new();
        let mut answer = [0_u8; 512];
        let mut answered = None;
        for &b in &query[..len] {
            if let Some(r) = decoder.feed(b) {
                answered = sign.answer(&r, &mut answer);
            }
        }
        let n = answered.expect("answered");
        // As a sign answers: type 0, address 00, E$ and the table.
        assert!(
            answer[..n].starts_with(b"\0\0\0\0\0\x01000\x02E$AAU0300FFFF"),
            "{:?}",
            &answer[..n]
        );
        let mut decoder = PacketDecoder::<512>::new();
        let table = answer[..n]
            .iter()
            .find_map(|&b| {
                decoder.feed(b).and_then(|r| {
                    assert_eq!((r.type_code, r.address, r.checksum_ok), (b'0', 0, Some(true)));
                    memory_table(&r)
                })
            })
            .expect("a table");
        assert_eq!(table.len(), 1 + files.strings.len());
        assert_eq!(table[0], FileEntry { label: TEXT_LABEL, text: true, size: TEXT_BYTES as u16 });
        assert!(table[1..].iter().all(|f| !f.text && f.size == STRING_BYTES as u16));
        // Writes are not answered.
        let write = Received {
            type_code: b'Z',
            address: 7,
            code: b'G',
            data: b"a1",
            checksum_ok: Some(true),
        };
        assert_eq!(sign.answer(&write, &mut answer), None);
    }
}
