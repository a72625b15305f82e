//! Alpha packets read back, and an emulated sign.
//!
//! [`PacketDecoder`] (or [`PacketReader`] over a buffer it is lent) takes bytes one at a time, as a sign's UART hands them over: NULs and
//! noise before a packet are passed over, a packet cut short by a new `SOH` is dropped, a
//! command longer than the decoder's buffer or holding a NUL is dropped whole, and each
//! command is given with whether its checksum held (or that it had none). [`EmulatedSign`] keeps what it is sent
//! (the memory configuration, TEXT and STRING files) and says what it shows: each page's
//! position and mode, its text with the STRING files it calls filled in, and each character's
//! colour.

use heapless::{String, Vec};

use super::packet::PacketWriter;
use super::{
    ANSWER_TYPE, CALL_STRING, Colour, EOT, ESC, ETX, Mode, Position, SELECT_COLOUR, SOH, STX,
    command, special,
};

/// One command as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received<'a> {
    /// The packet's type code.
    pub type_code: u8,
    /// The packet's sign address (0 for every sign).
    pub address: u8,
    /// The command code.
    pub code: u8,
    /// Its data.
    pub data: &'a [u8],
    /// `Some(true)` when its checksum held, `Some(false)` when not, `None` when it had none.
    pub checksum_ok: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting for `SOH`.
    Idle,
    Type,
    Address(u8),
    /// Waiting for `STX` (a first or a next command) or `EOT`.
    Command,
    Code,
    Data,
    Checksum(u8),
}

/// Reads packets a byte at a time into a buffer its caller lends with each byte: a board short
/// of RAM lends the buffer its own protocol's decoder is not using (see [`PacketDecoder`] for
/// one that owns its buffer). The buffer must be the same from one byte to the next while a
/// command is under way; lending another one, or none, mid-command, call
/// [`PacketReader::reset`] first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketReader {
    state: State,
    type_code: u8,
    address: u8,
    code: u8,
    len: usize,
    overflowed: bool,
    sum: u16,
    digits: u16,
    dropped: u32,
}

impl Default for PacketReader {
    fn default() -> Self {
        Self::new()
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte.wrapping_sub(b'0')),
        b'A'..=b'F' => Some(byte.wrapping_sub(b'A' - 10)),
        b'a'..=b'f' => Some(byte.wrapping_sub(b'a' - 10)),
        _ => None,
    }
}

impl PacketReader {
    /// A reader waiting for a packet.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: State::Idle,
            type_code: 0,
            address: 0,
            code: 0,
            len: 0,
            overflowed: false,
            sum: 0,
            digits: 0,
            dropped: 0,
        }
    }

    /// Commands dropped so far: longer than the buffer, or holding a NUL.
    #[must_use]
    pub const fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Forgets the packet under way: what comes next is passed over until an `SOH`.
    pub fn reset(&mut self) {
        self.state = State::Idle;
    }

    /// The command just ended, unless it overflowed.
    fn ended<'b>(&mut self, buffer: &'b [u8], checksum_ok: Option<bool>) -> Option<Received<'b>> {
        if self.overflowed {
            self.dropped = self.dropped.saturating_add(1);
            return None;
        }
        Some(Received {
            type_code: self.type_code,
            address: self.address,
            code: self.code,
            data: buffer.get(..self.len).unwrap_or(&[]),
            checksum_ok,
        })
    }

    /// Takes one byte, keeping a command's data in `buffer`; returns a command when one ends
    /// with it.
    pub fn feed<'b>(&mut self, byte: u8, buffer: &'b mut [u8]) -> Option<Received<'b>> {
        // A new packet begins wherever SOH is seen: what was under way is dropped.
        if byte == SOH {
            self.state = State::Type;
            return None;
        }
        match self.state {
            State::Idle => None,
            State::Type => {
                self.type_code = byte;
                self.state = State::Address(0);
                None
            }
            State::Address(n) => {
                self.state = match (hex_value(byte), n) {
                    (Some(v), 0) => {
                        self.address = v << 4;
                        State::Address(1)
                    }
                    (Some(v), _) => {
                        self.address |= v;
                        State::Command
                    }
                    (None, _) => State::Idle,
                };
                None
            }
            State::Command => {
                self.state = if byte == STX { State::Code } else { State::Idle };
                None
            }
            State::Code if matches!(byte, 0x00 | STX | ETX | EOT) => {
                self.state = State::Idle;
                None
            }
            State::Code => {
                // The command before, if any, has been handed over: start afresh.
                self.len = 0;
                self.overflowed = false;
                self.code = byte;
                self.sum = u16::from(STX).wrapping_add(u16::from(byte));
                self.state = State::Data;
                None
            }
            State::Data => match byte {
                ETX => {
                    self.sum = self.sum.wrapping_add(u16::from(ETX));
                    self.digits = 0;
                    self.state = State::Checksum(0);
                    None
                }
                EOT => {
                    self.state = State::Idle;
                    self.ended(buffer, None)
                }
                // A nested command without a checksum ends where the next one begins.
                STX => {
                    self.state = State::Code;
                    self.ended(buffer, None)
                }
                _ => {
                    self.sum = self.sum.wrapping_add(u16::from(byte));
                    // A NUL is no character of a command: the command is dropped whole.
                    match buffer.get_mut(self.len) {
                        Some(slot) if byte != 0x00 => {
                            *slot = byte;
                            self.len = self.len.saturating_add(1);
                        }
                        _ => self.overflowed = true,
                    }
                    None
                }
            },
            // Framing without checksums (Spectrum signs): ETX, then the next command or EOT.
            State::Checksum(0) if byte == STX => {
                self.state = State::Code;
                self.ended(buffer, None)
            }
            State::Checksum(0) if byte == EOT => {
                self.state = State::Idle;
                self.ended(buffer, None)
            }
            State::Checksum(n) => {
                let Some(v) = hex_value(byte) else {
                    self.state = State::Idle;
                    return None;
                };
                self.digits = (self.digits << 4) | u16::from(v);
                if n < 3 {
                    self.state = State::Checksum(n.wrapping_add(1));
                    return None;
                }
                self.state = State::Command;
                let ok = self.digits == self.sum;
                self.ended(buffer, Some(ok))
            }
        }
    }
}

/// A [`PacketReader`] with a buffer of its own, of `N` bytes (the longest command's data).
#[derive(Debug, Clone)]
pub struct PacketDecoder<const N: usize> {
    reader: PacketReader,
    buffer: [u8; N],
}

impl<const N: usize> Default for PacketDecoder<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> PacketDecoder<N> {
    /// A decoder waiting for a packet.
    #[must_use]
    pub const fn new() -> Self {
        Self { reader: PacketReader::new(), buffer: [0; N] }
    }

    /// Commands dropped so far: longer than the buffer, or holding a NUL.
    #[must_use]
    pub const fn dropped(&self) -> u32 {
        self.reader.dropped()
    }

    /// Takes one byte; returns a command when one ends with it.
    pub fn feed(&mut self, byte: u8) -> Option<Received<'_>> {
        self.reader.feed(byte, &mut self.buffer)
    }
}

/// A file of a memory configuration (section 6.2, `E$`): its label, whether TEXT (else
/// STRING), its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FileEntry {
    /// The file's label.
    pub label: u8,
    /// A TEXT file (`A`), or a STRING file (`B`).
    pub text: bool,
    /// Bytes the sign keeps for it.
    pub size: u16,
}

/// Bytes each file takes in a memory configuration.
pub const ENTRY_BYTES: usize = 11;

impl FileEntry {
    /// Reads one 11-byte entry: label, type (`A` or `B`), lock (`U` or `L`), size in four hex
    /// digits, four more (start and stop times for a TEXT file, `0000` for a STRING file).
    #[must_use]
    pub fn parse(entry: &[u8]) -> Option<Self> {
        let [label, kind, lock, size @ ..] = entry else { return None };
        if size.len() != ENTRY_BYTES.saturating_sub(3) || !matches!(lock, b'U' | b'L') {
            return None;
        }
        let size = size
            .get(..4)?
            .iter()
            .try_fold(0_u16, |n, &d| Some((n << 4) | u16::from(hex_value(d)?)))?;
        let text = match kind {
            b'A' => true,
            b'B' => false,
            _ => return None,
        };
        Some(Self { label: *label, text, size })
    }

    /// The entry as a memory configuration writes it (unlocked; a TEXT file shown always).
    #[must_use]
    pub fn bytes(&self) -> [u8; ENTRY_BYTES] {
        let [a, b, c, d] = super::packet::hex4(self.size);
        let times = if self.text { *b"FFFF" } else { *b"0000" };
        let [e, f, g, h] = times;
        [self.label, if self.text { b'A' } else { b'B' }, b'U', a, b, c, d, e, f, g, h]
    }
}

/// The files a sign's answer to a memory-configuration read (`F$`) lists: a `Received` whose
/// command is `E` and whose data is `$` and the table. None for any other command, or a table
/// that does not read.
#[must_use]
pub fn memory_table(received: &Received<'_>) -> Option<Vec<FileEntry, SIGN_FILES>> {
    let (&label, table) = received.data.split_first()?;
    if received.code != command::WRITE_SPECIAL || label != special::MEMORY_CONFIGURATION {
        return None;
    }
    let mut files = Vec::new();
    for entry in table.chunks(ENTRY_BYTES) {
        files.push(FileEntry::parse(entry)?).ok()?;
    }
    Some(files)
}

/// Files an emulated sign keeps at most.
pub const SIGN_FILES: usize = 32;
/// Pages of a TEXT file an emulated sign shows at most.
pub const SIGN_PAGES: usize = 32;

/// Where a page of a TEXT file shows and how it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Page {
    /// Its line.
    pub position: Position,
    /// How it moves.
    pub mode: Mode,
}

/// A file in the sign's memory: where in the pool, how big, how much written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct File {
    label: u8,
    text: bool,
    start: u16,
    size: u16,
    len: u16,
}

impl File {
    /// Where its contents lie in the pool.
    fn span(&self, len: u16) -> core::ops::Range<usize> {
        let start = usize::from(self.start);
        start..start.saturating_add(usize::from(len))
    }
}

/// A sign's memory, `POOL` bytes shared by its files as a real sign's is: the memory
/// configuration gives each file its size, and one that asks for more than the pool holds is
/// refused whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatedSign<const POOL: usize> {
    files: Vec<File, SIGN_FILES>,
    pool: [u8; POOL],
    /// Commands refused: a bad checksum, an unknown or unconfigured file, a configuration that
    /// cannot be read or does not fit.
    pub refused: u32,
}

impl<const POOL: usize> Default for EmulatedSign<POOL> {
    fn default() -> Self {
        Self::new()
    }
}

/// A page as the sign shows it: where, how, and what, with each character's colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<const C: usize> {
    /// The page's line.
    pub position: Position,
    /// How it moves.
    pub mode: Mode,
    /// Its text, STRING files filled in.
    pub text: String<C>,
    /// Each character's colour.
    pub colours: Vec<Colour, C>,
}

impl<const POOL: usize> EmulatedSign<POOL> {
    /// A sign fresh from the factory: only TEXT file `A` (which every sign has), the whole
    /// pool its own.
    #[must_use]
    pub fn new() -> Self {
        let mut files = Vec::new();
        let size = u16::try_from(POOL).unwrap_or(u16::MAX);
        let _ = files.push(File { label: b'A', text: true, start: 0, size, len: 0 });
        Self { files, pool: [0; POOL], refused: 0 }
    }

    fn refuse(&mut self) -> bool {
        self.refused = self.refused.saturating_add(1);
        false
    }

    fn contents(&self, file: &File) -> &[u8] {
        self.pool.get(file.span(file.len)).unwrap_or(&[])
    }

    /// Takes a command; true when it changed what the sign keeps.
    pub fn apply(&mut self, received: &Received<'_>) -> bool {
        if received.checksum_ok == Some(false) {
            return self.refuse();
        }
        let Some((&label, rest)) = received.data.split_first() else { return self.refuse() };
        match received.code {
            command::WRITE_TEXT | command::WRITE_STRING => {
                let text = received.code == command::WRITE_TEXT;
                let Some(file) = self.files.iter_mut().find(|f| f.label == label && f.text == text)
                else {
                    return self.refuse();
                };
                let keep = rest.get(..usize::from(file.size)).unwrap_or(rest);
                let len = u16::try_from(keep.len()).unwrap_or(file.size);
                let Some(room) = self.pool.get_mut(file.span(len)) else { return false };
                room.copy_from_slice(keep);
                file.len = len;
                true
            }
            command::WRITE_SPECIAL if label == special::MEMORY_CONFIGURATION => {
                let mut files: Vec<File, SIGN_FILES> = Vec::new();
                let mut used = 0_u16;
                for entry in rest.chunks(ENTRY_BYTES) {
                    let parsed = FileEntry::parse(entry).map(|e| File {
                        label: e.label,
                        text: e.text,
                        start: used,
                        size: e.size,
                        len: 0,
                    });
                    let Some(file) = parsed else { return self.refuse() };
                    let Some(total) = used.checked_add(file.size) else { return self.refuse() };
                    used = total;
                    if usize::from(used) > POOL || files.push(file).is_err() {
                        return self.refuse();
                    }
                }
                self.files = files;
                true
            }
            _ => self.refuse(),
        }
    }

    /// A sign's answer to `received`, written into `buffer` as a sign sends it (type code `0`,
    /// address `00`), for the read it answers: the memory configuration (`F$`), listing every
    /// file it keeps. None for anything else (writes are not answered), or a buffer too small.
    #[must_use]
    pub fn answer(&self, received: &Received<'_>, buffer: &mut [u8]) -> Option<usize> {
        if received.code != command::READ_SPECIAL
            || received.data != [special::MEMORY_CONFIGURATION]
            || received.checksum_ok == Some(false)
        {
            return None;
        }
        let mut table: Vec<u8, { SIGN_FILES * ENTRY_BYTES }> = Vec::new();
        for file in &self.files {
            let entry = FileEntry { label: file.label, text: file.text, size: file.size };
            table.extend_from_slice(&entry.bytes()).ok()?;
        }
        let mut packet = PacketWriter::new(buffer, ANSWER_TYPE, 0).ok()?;
        packet.command(command::WRITE_SPECIAL, &[&[special::MEMORY_CONFIGURATION], &table]).ok()?;
        packet.finish().ok()
    }

    /// The STRING file `label`'s contents.
    #[must_use]
    pub fn string(&self, label: u8) -> Option<&[u8]> {
        self.files.iter().find(|f| f.label == label && !f.text).map(|f| self.contents(f))
    }

    /// Walks TEXT file `label` as the sign reads it: each `ESC` position mode starts a page,
    /// STRING files called are filled in, colour codes applied, other control codes passed
    /// over.
    fn walk(&self, label: u8, mut visit: impl FnMut(Step)) {
        let Some(file) = self.files.iter().find(|f| f.label == label && f.text) else { return };
        let mut colour = Colour::Auto;
        let mut bytes = self.contents(file).iter().copied();
        while let Some(byte) = bytes.next() {
            match byte {
                ESC => {
                    let position = bytes.next().and_then(Position::from_code);
                    let mode = bytes.next().map(Mode::from_code);
                    if let (Some(position), Some(mode)) = (position, mode) {
                        visit(Step::Page(Page { position, mode }));
                    }
                }
                SELECT_COLOUR => colour = bytes.next().map_or(Colour::Auto, Colour::from_code),
                CALL_STRING => {
                    let called = bytes.next().and_then(|l| self.string(l)).unwrap_or(&[]);
                    let mut called = called.iter().copied();
                    while let Some(b) = called.next() {
                        match b {
                            SELECT_COLOUR => {
                                colour = called.next().map_or(Colour::Auto, Colour::from_code);
                            }
                            0x20..=0x7E => visit(Step::Char(b, colour)),
                            _ => {}
                        }
                    }
                }
                // Character set, spacing: a code and one byte more.
                0x1A | 0x1E => {
                    bytes.next();
                }
                0x20..=0x7E => visit(Step::Char(byte, colour)),
                _ => {}
            }
        }
    }

    /// The pages of TEXT file `label` (the first [`SIGN_PAGES`]): where each shows and how.
    #[must_use]
    pub fn page_layout(&self, label: u8) -> Vec<Page, SIGN_PAGES> {
        let mut pages = Vec::new();
        self.walk(label, |step| {
            if let Step::Page(page) = step {
                let _ = pages.push(page);
            }
        });
        pages
    }

    /// Hands each character of page `index` of TEXT file `label` to `visit`, with its colour.
    pub fn page_text(&self, label: u8, index: usize, mut visit: impl FnMut(u8, Colour)) {
        let mut page: Option<usize> = None;
        self.walk(label, |step| match step {
            Step::Page(_) => page = Some(page.map_or(0, |p| p.saturating_add(1))),
            Step::Char(byte, colour) if page == Some(index) => visit(byte, colour),
            Step::Char(..) => {}
        });
    }

    /// The screens of TEXT file `label`: the pages shown together, as `(first page, pages)`. A
    /// page of its own is a screen, except that a bottom-line page straight after a top-line
    /// one joins it (the two lines of a two-line sign).
    #[must_use]
    pub fn screens(&self, label: u8) -> Vec<(usize, usize), SIGN_PAGES> {
        let pages = self.page_layout(label);
        let mut screens: Vec<(usize, usize), SIGN_PAGES> = Vec::new();
        for (i, page) in pages.iter().enumerate() {
            let joins = page.position == Position::BottomLine
                && screens.last().is_some_and(|&(first, count)| {
                    count == 1 && pages.get(first).is_some_and(|p| p.position == Position::TopLine)
                });
            match screens.last_mut() {
                Some((_, count)) if joins => *count = count.saturating_add(1),
                _ => {
                    let _ = screens.push((i, 1));
                }
            }
        }
        screens
    }

    /// The pages of TEXT file `label` (the first [`SIGN_PAGES`]), as shown, each with at most
    /// `C` characters.
    pub fn pages<const C: usize>(&self, label: u8) -> Vec<Shown<C>, SIGN_PAGES> {
        let mut pages: Vec<Shown<C>, SIGN_PAGES> = Vec::new();
        for (index, page) in self.page_layout(label).into_iter().enumerate() {
            let mut shown = Shown {
                position: page.position,
                mode: page.mode,
                text: String::new(),
                colours: Vec::new(),
            };
            self.page_text(label, index, |byte, colour| {
                if shown.text.push(char::from(byte)).is_ok() {
                    let _ = shown.colours.push(colour);
                }
            });
            let _ = pages.push(shown);
        }
        pages
    }
}

/// A step of a walk through a TEXT file.
enum Step {
    Page(Page),
    Char(u8, Colour),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alpha::packet::PacketWriter;
    use crate::alpha::{ALL_SIGNS, is_file_label};
    use proptest::prelude::*;
    use std::vec::Vec as StdVec;

    fn decode_all<const N: usize>(
        decoder: &mut PacketDecoder<N>,
        bytes: &[u8],
    ) -> StdVec<(u8, u8, StdVec<u8>, Option<bool>)> {
        let mut out = StdVec::new();
        for &b in bytes {
            if let Some(r) = decoder.feed(b) {
                out.push((r.address, r.code, r.data.to_vec(), r.checksum_ok));
            }
        }
        out
    }

    fn data_byte() -> impl Strategy<Value = u8> {
        // Anything but the bytes that frame a packet.
        (0x05_u8..=0xFF).prop_filter("not SOH..EOT", |b| *b > 0x04)
    }

    proptest! {
        /// Whatever is encoded is decoded as it was, after any noise without an SOH, and
        /// however many commands are nested.
        #[test]
        fn encoding_then_decoding_is_identity(
            address in any::<u8>(),
            noise in proptest::collection::vec(any::<u8>().prop_filter("no SOH", |b| *b != SOH), 0..40),
            commands in proptest::collection::vec(
                (0x20_u8..=0x7E, proptest::collection::vec(data_byte(), 0..60)),
                1..4,
            ),
        ) {
            let mut buffer = [0_u8; 512];
            let mut packet = PacketWriter::new(&mut buffer, ALL_SIGNS, address).unwrap();
            let mut expected = StdVec::new();
            for (label, data) in &commands {
                let label = if is_file_label(*label) { *label } else { b'a' };
                packet.write_string(label, data).unwrap();
                let mut with_label = std::vec![label];
                with_label.extend_from_slice(data);
                expected.push((address, command::WRITE_STRING, with_label, Some(true)));
            }
            let len = packet.finish().unwrap();
            let mut bytes = noise.clone();
            bytes.extend_from_slice(&buffer[..len]);
            let mut decoder = PacketDecoder::<128>::new();
            prop_assert_eq!(decode_all(&mut decoder, &bytes), expected);
        }

        /// Any bytes at all: the decoder neither panics nor hands over more data than it
        /// holds.
        #[test]
        fn noise_never_breaks_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut decoder = PacketDecoder::<32>::new();
            let mut sign = EmulatedSign::<64>::new();
            for b in bytes {
                if let Some(r) = decoder.feed(b) {
                    prop_assert!(r.data.len() <= 32);
                    sign.apply(&r);
                }
            }
            let _ = sign.pages::<80>(b'A');
        }
    }

    #[test]
    fn a_bad_checksum_a_cut_packet_and_an_overlong_command_are_told_apart() {
        let mut buffer = [0_u8; 128];
        let mut packet = PacketWriter::new(&mut buffer, ALL_SIGNS, 1).unwrap();
        packet.write_string(b'a', b"12").unwrap();
        let len = packet.finish().unwrap();
        let good = buffer[..len].to_vec();
        // A digit of the checksum changed: handed over, marked bad, refused by the sign.
        let mut bad = good.clone();
        let at = bad.len() - 2;
        bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
        let mut decoder = PacketDecoder::<64>::new();
        let got = decode_all(&mut decoder, &bad);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].3, Some(false));
        // Cut short by the next packet's SOH: only the next one comes through.
        let mut cut = good[..good.len() - 6].to_vec();
        cut.extend_from_slice(&good);
        assert_eq!(decode_all(&mut decoder, &cut).len(), 1);
        // Longer than the buffer: dropped and counted, and the decoder goes on.
        let mut long = [0_u8; 128];
        let mut packet = PacketWriter::new(&mut long, ALL_SIGNS, 1).unwrap();
        packet.write_string(b'a', &[b'x'; 40]).unwrap();
        let len = packet.finish().unwrap();
        let mut small = PacketDecoder::<16>::new();
        assert!(decode_all(&mut small, &long[..len]).is_empty());
        assert_eq!(small.dropped(), 1);
        assert_eq!(decode_all(&mut small, &good).len(), 1);
        // A NUL inside a command (found by fuzzing): dropped and counted, like an overlong one.
        let mut with_nul = good.clone();
        with_nul[12] = 0;
        let before = decoder.dropped();
        assert!(decode_all(&mut decoder, &with_nul).is_empty());
        assert_eq!(decoder.dropped(), before + 1);
        // Without checksums (section 5.1 allows them to be left out): nested commands end
        // at the next STX, the last at EOT.
        let plain = b"\0\0\0\0\0\x01Z00\x02Ga1\x02Gb2\x04";
        let got = decode_all(&mut decoder, plain);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].2.as_slice(), got[0].3), (b"a1".as_slice(), None));
        assert_eq!((got[1].2.as_slice(), got[1].3), (b"b2".as_slice(), None));
    }

    #[test]
    fn the_sign_keeps_only_the_files_it_was_configured_for() {
        let mut sign = EmulatedSign::<80>::new();
        fn write(code: u8, data: &[u8]) -> Received<'_> {
            Received { type_code: ALL_SIGNS, address: 0, code, data, checksum_ok: Some(true) }
        }
        // Before any configuration only TEXT file A exists.
        assert!(!sign.apply(&write(command::WRITE_STRING, b"a12")));
        assert!(sign.apply(&write(command::WRITE_SPECIAL, b"$AAU0040FFFFaBU00080000")));
        assert!(sign.apply(&write(command::WRITE_STRING, b"a12345678901")));
        // Kept to the size configured.
        assert_eq!(sign.string(b'a'), Some(b"12345678".as_slice()));
        assert!(sign.apply(&write(command::WRITE_TEXT, b"A\x1b\x20bWAIT \x10a")));
        let pages = sign.pages::<32>(b'A');
        assert_eq!(pages[0].text.as_str(), "WAIT 12345678");
        assert_eq!(sign.refused, 1);
        // A damaged configuration is refused whole, and so is one the pool cannot hold.
        assert!(!sign.apply(&write(command::WRITE_SPECIAL, b"$AXU0040FFFF")));
        assert!(!sign.apply(&write(command::WRITE_SPECIAL, b"$AAU0050FFFFaBU00080000")));
        assert_eq!(sign.string(b'a'), Some(b"12345678".as_slice()));
    }
}
