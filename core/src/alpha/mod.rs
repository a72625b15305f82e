//! The Alpha Sign Communications Protocol, both ways: the LED reader boards most contact
//! centers already own (Alpha, BetaBrite and the signs ACD wallboard feeds drive) shown the
//! same frames as callboard's own boards, and what such a sign would show worked out from the
//! bytes it is sent.
//!
//! The source is Adaptive Micro Systems' *Alpha Sign Communications Protocol*, document
//! 9708-8061, revision F (2006): the standard transmission packet (section 5.1), the TEXT file,
//! SPECIAL FUNCTION and STRING file commands (sections 6.1 to 6.3), valid file labels
//! (appendix A). Where public implementations disagree with it (the display-position codes),
//! the document is followed; `PROTOCOL.md` says where.
//!
//! - [`packet`]: packets written into a caller's buffer: the sync NULs, the header (type code,
//!   address), one or more nested commands each with its checksum, EOT.
//! - [`layout`]: a [`BoardFrame`](crate::board::BoardFrame) laid out for a sign: the fixed
//!   words in one TEXT file, every figure that changes in a STRING file of its own that the
//!   TEXT file calls, so a live update rewrites only the small STRING files whose figures
//!   changed and the sign neither flickers nor restarts its pages.
//! - [`sign`]: packets read back (a byte-at-a-time decoder that survives noise) and an
//!   emulated sign that keeps the files it is sent and says what it shows: per page and line,
//!   the text, each character's colour, the display mode.
//!
//! Nothing here allocates; every buffer is fixed.

pub mod layout;
pub mod packet;
pub mod sign;

/// Start of header.
pub const SOH: u8 = 0x01;
/// Start of a command.
pub const STX: u8 = 0x02;
/// End of a command's data, before its checksum.
pub const ETX: u8 = 0x03;
/// End of the packet.
pub const EOT: u8 = 0x04;
/// Starts a TEXT file's page: display position and mode follow.
pub const ESC: u8 = 0x1B;
/// In a TEXT file: the contents of the STRING file whose label follows.
pub const CALL_STRING: u8 = 0x10;
/// In a TEXT or STRING file: the colour whose code follows.
pub const SELECT_COLOUR: u8 = 0x1C;
/// NUL bytes before each packet, for the sign's baud-rate detection (section 5.1: at least
/// five).
pub const SYNC_NULS: usize = 5;

/// Command codes (section 6).
pub mod command {
    /// Write a TEXT file.
    pub const WRITE_TEXT: u8 = b'A';
    /// Read a TEXT file.
    pub const READ_TEXT: u8 = b'B';
    /// Write a special function (memory configuration, time of day, ...).
    pub const WRITE_SPECIAL: u8 = b'E';
    /// Read a special function.
    pub const READ_SPECIAL: u8 = b'F';
    /// Write a STRING file.
    pub const WRITE_STRING: u8 = b'G';
    /// Read a STRING file.
    pub const READ_STRING: u8 = b'H';
}

/// Special function labels used here (section 6.2).
pub mod special {
    /// Memory configuration: the files a sign keeps, their types and sizes.
    pub const MEMORY_CONFIGURATION: u8 = b'$';
    /// General information (read): firmware, memory; a sign that answers it is there.
    pub const GENERAL_INFORMATION: u8 = b'"';
}

/// The type code that addresses every kind of sign (section 5.1).
pub const ALL_SIGNS: u8 = b'Z';
/// The type code of a sign's answer to a read (with address `00`): the packet a host reads
/// back. As `msparks/alphasign` reads a memory table (`alphasign/interfaces/base.py`: a reply
/// of `NUL`s, `SOH`, `000`, `STX`, `E$`, the table, `ETX`, checksum, `EOT`).
pub const ANSWER_TYPE: u8 = b'0';

/// Display positions (section 6.1, the TEXT file's `ESC` position byte). Public
/// implementations disagree on these codes: `alphasignpy` 0.1.1 uses `&` for fill and `0` for
/// the top line; the protocol document, `msparks/alphasign` (`alphasign/positions.py`) and
/// `prototux/python-alphasign` agree on the values below, which callboard follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Position {
    /// The middle line (a one-line sign's only line).
    MiddleLine,
    /// The top line.
    TopLine,
    /// The bottom line.
    BottomLine,
    /// Every line, the text filling them.
    Fill,
    /// Left-aligned (Alpha 3.0).
    Left,
    /// Right-aligned (Alpha 3.0).
    Right,
}

impl Position {
    /// The code sent after `ESC`.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::MiddleLine => 0x20,
            Self::TopLine => 0x22,
            Self::BottomLine => 0x26,
            Self::Fill => 0x30,
            Self::Left => 0x31,
            Self::Right => 0x32,
        }
    }

    /// The position a code stands for.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x20 => Self::MiddleLine,
            0x22 => Self::TopLine,
            0x26 => Self::BottomLine,
            0x30 => Self::Fill,
            0x31 => Self::Left,
            0x32 => Self::Right,
            _ => return None,
        })
    }
}

/// Display modes used here (section 6.1, the mode byte after the position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Mode {
    /// The text travels right to left (`a`).
    Rotate,
    /// The text stays still (`b`).
    Hold,
    /// The text stays and flashes (`c`).
    Flash,
    /// The text scrolls up from the bottom (`m`).
    Scroll,
    /// Another mode, by its code: shown as [`Mode::Hold`] by the emulated sign.
    Other(u8),
}

impl Mode {
    /// The mode's code.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Rotate => b'a',
            Self::Hold => b'b',
            Self::Flash => b'c',
            Self::Scroll => b'm',
            Self::Other(code) => code,
        }
    }

    /// The mode a code stands for.
    #[must_use]
    pub const fn from_code(code: u8) -> Self {
        match code {
            b'a' => Self::Rotate,
            b'b' => Self::Hold,
            b'c' => Self::Flash,
            b'm' => Self::Scroll,
            other => Self::Other(other),
        }
    }
}

/// Colours (section 6.1, the code after [`SELECT_COLOUR`]); the three a tri-colour sign has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Colour {
    /// Red (`1`).
    Red,
    /// Green (`2`).
    Green,
    /// Amber (`3`).
    Amber,
    /// The sign's own choice (`C`, autocolour), and what a sign shows before any colour code.
    #[default]
    Auto,
}

impl Colour {
    /// The colour's code.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::Red => b'1',
            Self::Green => b'2',
            Self::Amber => b'3',
            Self::Auto => b'C',
        }
    }

    /// The colour a code stands for; the dim and mixed colours a tri-colour sign shows as the
    /// nearest of its three.
    #[must_use]
    pub const fn from_code(code: u8) -> Self {
        match code {
            b'1' | b'4' => Self::Red,
            b'2' | b'5' => Self::Green,
            b'3' | b'6' | b'7' | b'8' => Self::Amber,
            _ => Self::Auto,
        }
    }
}

/// What cannot be encoded or was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum AlphaError {
    /// The buffer is too small for the packet.
    #[error("the buffer is too small for the packet")]
    BufferTooSmall,
    /// A file label outside the printable labels of appendix A, or `?` (the wildcard) or `0`
    /// (the priority TEXT file) where a file is meant.
    #[error("not a file label a sign accepts")]
    BadLabel,
    /// Data holding a framing byte (NUL, SOH, STX, ETX or EOT), which would end the packet.
    #[error("data holds a framing byte")]
    FramingByteInData,
    /// A sign address above 0xFF, or a type code outside printable ASCII.
    #[error("not a sign address or type code")]
    BadHeader,
    /// More files than the layout's fixed tables hold.
    #[error("more files than a sign's layout holds")]
    TooManyFiles,
}

/// Whether `label` names a file a sign keeps (appendix A: printable ASCII from 0x20 to 0x7E,
/// without `?`, the wildcard, and `0`, the priority TEXT file, which needs no configuring).
#[must_use]
pub const fn is_file_label(label: u8) -> bool {
    matches!(label, 0x20..=0x7E) && label != b'?' && label != b'0'
}
