//! # The board's controller: what a reader board does with the bytes on its line
//!
//! A reader board hangs on a wall for years. Its controller takes bytes from the serial line,
//! answers the host, and keeps a picture in its framebuffer that it can vouch for:
//!
//! - **Boot**: the boot screen (name, address, version) until the first valid frame, or for
//!   [`BOOT_SCREEN_MS`]; then, with no frame, "no data".
//! - **Frames** addressed to this board or broadcast (`0xFF`) are acted on. Frames for this
//!   board's own address are answered (`Ack`, `Nack`, `Status`, `Showing`); broadcasts never are,
//!   so boards on one RS-485 pair do not talk over each other. Everything else the decoder
//!   counts and drops, and the controller goes on with the next byte.
//! - **Display** replaces the frame shown, unless its data is already older than its
//!   time-to-live by the board's clock (`Nack(Expired)`): the board keeps the clock of the last
//!   frame (its `valid_at` plus the time since it arrived), because it has no calendar of its
//!   own.
//! - **Configure** applies page time, brightness and alert thresholds, or refuses settings a
//!   board cannot use (`Nack(InvalidSettings)`), keeping the old ones.
//! - **Truth or nothing**: once a frame's time-to-live has passed with no newer valid frame,
//!   the picture is "no data" (the renderer decides, from the same clock).
//! - **A silent line mid-frame** (an unplugged cable) drops the partial frame after
//!   [`LINE_SILENCE_MS`], so the first frame after the cable is back is not lost with it.
//! - **Alpha packets** too, when the board's [`Protocols`] say so (a center whose wallboard
//!   server speaks Alpha, migrating): TEXT, STRING and memory-configuration writes to this
//!   board's address or to every sign (`00`) are kept as an Alpha sign keeps them and drawn
//!   with the board's font ([`render_alpha`]); the last protocol that
//!   wrote to the board is the one it shows. With both protocols on one line the two are told
//!   apart by their first bytes: an Alpha packet begins with `SOH` (`0x01`) after its NULs, a
//!   callboard frame never does (its first byte is a COBS code, `0x01` only before a zero, and
//!   a frame's first byte is its version). The two share one receive buffer, so taking Alpha
//!   costs a board only the sign's memory. Alpha packets are not answered: Alpha signs do not
//!   acknowledge unless told to, and the callboard host asks in its own protocol.
//!
//! The controller is pure logic over `embedded-io` and an `embedded-graphics` framebuffer: the
//! firmware gives it its UART and its millisecond clock, flushes the framebuffer to the LEDs when
//! [`Controller::refresh`] says the picture changed, and feeds its watchdog each time round its
//! loop. The same code runs in the host tests below, in QEMU, and on the board.

use callboard_core::alpha::layout::SIGN_POOL;
use callboard_core::alpha::sign::{EmulatedSign, PacketReader};
use callboard_core::alpha::{EOT, SOH, command};
use callboard_core::board::BoardFrame;
use callboard_core::calendar::Timestamp;
use callboard_core::wire::{
    Auth, AuthCounts, BROADCAST_ADDRESS, BoardMessage, BoardSettings, DecodeCounts, Direction,
    FrameDecoder, Header, HostMessage, Key, MAX_FRAME_BYTES, NackReason, Screen, encode_answer,
    encode_answer_authenticated,
};
use embedded_io::{Read, ReadReady, Write};

use crate::panel::{Panel, framebuffer_crc};
use crate::render::{Scene, render, render_boot};
use callboard_render::render_alpha;

/// How long the boot screen stays up when no frame arrives.
pub const BOOT_SCREEN_MS: u64 = 10_000;

/// Silence in the middle of a frame after which the partial frame is dropped. A whole frame of
/// [`MAX_FRAME_BYTES`] takes 89 ms at 115 200 baud, and hosts write a frame in one go.
pub const LINE_SILENCE_MS: u64 = 100;

/// How often a picture that moves (the ticker, the pages, the ageing longest wait) is redrawn:
/// the ticker moves a column every 30 ms.
pub const REDRAW_MS: u64 = 30;

/// Silence in the middle of an Alpha packet after which it is dropped: senders pause 100 ms
/// after each nested command's `STX`, so the callboard limit would cut every nested packet.
pub const ALPHA_SILENCE_MS: u64 = 1_000;

/// Room for the longest answer (`Status` is 45 bytes at most on the line, 69 authenticated).
const ANSWER_BYTES: usize = 96;

/// A board address given at build time (e.g. `option_env!("CALLBOARD_BOARD_ADDRESS")`): a
/// decimal number from 1 to 254, or none for 1. Meant for a `const`, where anything else stops
/// the build with the reason (0 is no board, 255 is broadcast).
#[must_use]
#[allow(clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
pub const fn build_address(given: Option<&str>) -> u8 {
    let Some(text) = given else { return 1 };
    let digits = text.as_bytes();
    assert!(!digits.is_empty() && digits.len() <= 3, "CALLBOARD_BOARD_ADDRESS: 1 to 254");
    let mut value: u32 = 0;
    let mut i = 0;
    while i < digits.len() {
        assert!(digits[i].is_ascii_digit(), "CALLBOARD_BOARD_ADDRESS: decimal digits only");
        value = value * 10 + (digits[i] - b'0') as u32;
        i += 1;
    }
    assert!(value >= 1 && value <= 254, "CALLBOARD_BOARD_ADDRESS: 1 to 254");
    value as u8
}

/// A key given at build time (e.g. `option_env!("CALLBOARD_BOARD_KEY")`): 64 hexadecimal
/// digits, as `callboard board keygen` writes them, or none (or empty) for a board that does
/// not require authentication. Meant for a `const`, where anything else stops the build.
#[must_use]
#[allow(clippy::panic)]
pub const fn build_key(given: Option<&str>) -> Option<Key> {
    match given {
        None => None,
        Some(text) if text.is_empty() => None,
        Some(text) => match Key::from_hex(text) {
            Ok(key) => Some(key),
            Err(_) => panic!("CALLBOARD_BOARD_KEY: 64 hexadecimal digits"),
        },
    }
}

/// The protocols a board takes on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Protocols {
    /// callboard frames only: every byte goes to the callboard decoder.
    Callboard,
    /// Alpha packets only: the board is an Alpha sign, and answers nothing.
    Alpha,
    /// Both, told apart by their first bytes.
    Both,
}

/// The protocols given at build time (e.g. `option_env!("CALLBOARD_BOARD_PROTOCOLS")`):
/// `callboard`, `alpha` or `both`, or none for both. Meant for a `const`, where anything else
/// stops the build with the reason.
#[must_use]
#[allow(clippy::panic, clippy::indexing_slicing, clippy::arithmetic_side_effects)]
pub const fn build_protocols(given: Option<&str>) -> Protocols {
    const fn is(text: &str, word: &str) -> bool {
        let (a, b) = (text.as_bytes(), word.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    match given {
        None => Protocols::Both,
        Some(text) if is(text, "both") => Protocols::Both,
        Some(text) if is(text, "callboard") => Protocols::Callboard,
        Some(text) if is(text, "alpha") => Protocols::Alpha,
        Some(_) => panic!("CALLBOARD_BOARD_PROTOCOLS: callboard, alpha or both"),
    }
}

/// Where the line's bytes go, with both protocols on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Between packets: the next byte that is not a NUL says which.
    Between,
    Callboard,
    Alpha,
}

/// The frame shown and where it stands on the board's clock.
#[derive(Debug, Clone)]
struct Shown {
    frame: BoardFrame,
    sequence: u16,
    /// Board uptime (ms) when it arrived.
    arrived_ms: u64,
}

impl Shown {
    /// The frame's clock at board uptime `uptime_ms`.
    fn clock(&self, uptime_ms: u64) -> Timestamp {
        self.frame.valid_at.saturating_add(uptime_ms.saturating_sub(self.arrived_ms))
    }
}

/// What the board keeps to show: the last protocol's. The board has RAM for a frame or for a
/// sign's files, not both.
#[derive(Debug, Clone)]
// No heap to box into: the variants share the RAM, which is the point.
#[allow(clippy::large_enum_variant)]
enum Content {
    Frame(Shown),
    Sign(EmulatedSign<SIGN_POOL>),
}

impl Content {
    /// The frame, if it is one and one has been received.
    const fn shown(&self, has_received: bool) -> Option<&Shown> {
        match self {
            Self::Frame(shown) if has_received => Some(shown),
            _ => None,
        }
    }
}

/// What the framebuffer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Picture {
    screen: Screen,
    sequence: Option<u16>,
    /// The frame clock it was drawn for (none: boot, or no frame ever).
    at: Option<Timestamp>,
    /// Board uptime (ms) when it was drawn.
    drawn_ms: u64,
}

/// A reader board's controller for panel `P`, drawing into a framebuffer it borrows (a board
/// keeps that in static RAM: 4 KiB is too much to move through a small part's stack).
pub struct Controller<'fb, P: Panel> {
    address: u8,
    protocols: Protocols,
    route: Route,
    /// Alpha packets, read into the callboard decoder's buffer (lent between frames).
    alpha: PacketReader,
    /// Alpha commands for this board a sign refused.
    alpha_refused: u32,
    started_ms: u64,
    decoder: FrameDecoder<MAX_FRAME_BYTES>,
    settings: BoardSettings,
    /// Where the host's messages are decoded, in place: a display frame lands here and is
    /// swapped with the one shown, so no copy of a frame passes through the stack.
    inbox: HostMessage,
    /// What the last protocol to write to the board wrote: a frame (shown once
    /// `has_received`), or Alpha files.
    content: Content,
    has_received: bool,
    framebuffer: &'fb mut P::Framebuffer,
    picture: Picture,
    /// Something changed that the picture does not show yet.
    stale: bool,
    /// Uptime of the last byte heard.
    heard_ms: u64,
    /// With authentication required (the key is the decoder's): the session (the board's count
    /// of starts) and the last counter accepted in it.
    security: Option<Security>,
}

/// A board's side of authenticated frames, beside the key its decoder holds.
#[derive(Debug, Clone, Copy)]
struct Security {
    session: u32,
    last_counter: u32,
}

impl<P: Panel> core::fmt::Debug for Controller<'_, P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Controller")
            .field("panel", &P::NAME)
            .field("address", &self.address)
            .field("protocols", &self.protocols)
            .field("settings", &self.settings)
            .field("shown", &self.picture)
            .field("counts", self.decoder.counts())
            .field("alpha_dropped", &self.alpha.dropped())
            .field("alpha_refused", &self.alpha_refused)
            .finish_non_exhaustive()
    }
}

impl<'fb, P: Panel> Controller<'fb, P> {
    /// A board at `address` that started at uptime `now_ms`, taking callboard frames and
    /// Alpha packets, drawing its boot screen into `framebuffer`.
    ///
    /// An address of `0xFF` (broadcast) would make the board answer nothing; the firmware
    /// reads its address from straps and should refuse that one.
    #[must_use]
    pub fn new(address: u8, framebuffer: &'fb mut P::Framebuffer, now_ms: u64) -> Self {
        Self::with_protocols(address, Protocols::Both, framebuffer, now_ms)
    }

    /// A board at `address` taking `protocols` on its line, as [`Controller::new`].
    #[must_use]
    pub fn with_protocols(
        address: u8,
        protocols: Protocols,
        framebuffer: &'fb mut P::Framebuffer,
        now_ms: u64,
    ) -> Self {
        let Ok(screen) = render_boot::<P, _>(address, framebuffer);
        Self {
            address,
            protocols,
            route: Route::Between,
            alpha: PacketReader::new(),
            alpha_refused: 0,
            started_ms: now_ms,
            decoder: FrameDecoder::new(),
            settings: BoardSettings::DEFAULT,
            inbox: HostMessage::Display(BoardFrame::EMPTY),
            content: Content::Frame(Shown {
                frame: BoardFrame::EMPTY,
                sequence: 0,
                arrived_ms: now_ms,
            }),
            has_received: false,
            framebuffer,
            picture: Picture { screen, sequence: None, at: None, drawn_ms: now_ms },
            stale: false,
            heard_ms: now_ms,
            security: None,
        }
    }

    /// Makes this board require authenticated frames (protocol version 3) under `key`, in
    /// `session`: the board's count of starts ([`session::BootLog`](crate::session::BootLog)),
    /// kept where neither a reset nor a power cut takes it back, so that no frame recorded
    /// before a start is accepted after it. Session 0 is a board that could not count its
    /// start: it takes no frame that changes what it shows, and says so in its answers (their
    /// session is 0). Frames of versions 1 and 2 are refused, and so are Alpha packets, which
    /// carry no authentication: the board takes callboard frames only.
    /// In place: a controller is kilobytes, which a small part's stack should not copy.
    pub fn require_authentication(&mut self, key: Key, session: u32) {
        self.decoder.set_key(key, Direction::HostToBoard);
        self.protocols = Protocols::Callboard;
        self.security = Some(Security { session, last_counter: 0 });
    }

    /// Frames refused for want of authentication, by reason (all zero on a board that does not
    /// require it).
    #[must_use]
    pub const fn auth_counts(&self) -> &AuthCounts {
        self.decoder.auth_counts()
    }

    /// This board's address.
    #[must_use]
    pub const fn address(&self) -> u8 {
        self.address
    }

    /// The settings in force.
    #[must_use]
    pub const fn settings(&self) -> &BoardSettings {
        &self.settings
    }

    /// The protocols this board takes.
    #[must_use]
    pub const fn protocols(&self) -> Protocols {
        self.protocols
    }

    /// What Alpha packets wrote to this board, when they were the last to write to it.
    #[must_use]
    pub const fn sign(&self) -> Option<&EmulatedSign<SIGN_POOL>> {
        match &self.content {
            Content::Sign(sign) => Some(sign),
            Content::Frame(_) => None,
        }
    }

    /// Alpha commands dropped (longer than the buffer, or holding a NUL) and refused (a bad
    /// checksum, a file the sign does not keep).
    #[must_use]
    pub const fn alpha_discarded(&self) -> (u32, u32) {
        (self.alpha.dropped(), self.alpha_refused)
    }

    /// What the decoder accepted and discarded.
    #[must_use]
    pub const fn counts(&self) -> &DecodeCounts {
        self.decoder.counts()
    }

    /// The framebuffer: the picture the LEDs should show.
    #[must_use]
    pub const fn framebuffer(&self) -> &P::Framebuffer {
        self.framebuffer
    }

    /// The last frame accepted, whether or not it is still within its time-to-live.
    #[must_use]
    pub fn frame(&self) -> Option<&BoardFrame> {
        self.shown().map(|shown| &shown.frame)
    }

    /// The screen in the framebuffer.
    #[must_use]
    pub const fn screen(&self) -> Screen {
        self.picture.screen
    }

    /// Reads every byte the line has ready and acts on the frames they complete, writing
    /// answers back to the line.
    ///
    /// # Errors
    /// The line's own read or write error; the controller's state stays consistent (a frame in
    /// progress stays in progress, an answer not written is not retried: the host asks again).
    pub fn serve<L>(&mut self, line: &mut L, now_ms: u64) -> Result<(), L::Error>
    where
        L: Read + ReadReady + Write,
    {
        let mut chunk = [0_u8; 32];
        while line.read_ready()? {
            let n = line.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            for &byte in chunk.get(..n).unwrap_or(&[]) {
                self.take(byte, now_ms, line)?;
            }
        }
        self.notice_silence(now_ms);
        Ok(())
    }

    /// Drops a frame the line has been silent in for longer than [`LINE_SILENCE_MS`], an
    /// Alpha packet after [`ALPHA_SILENCE_MS`].
    fn notice_silence(&mut self, now_ms: u64) {
        let silence = now_ms.saturating_sub(self.heard_ms);
        if silence > LINE_SILENCE_MS {
            self.decoder.abandon();
            if self.route == Route::Callboard {
                self.route = Route::Between;
            }
        }
        if silence > ALPHA_SILENCE_MS {
            self.alpha.reset();
            self.route = Route::Between;
        }
    }

    /// Which protocol `byte` belongs to, and where the next byte goes.
    fn route(&mut self, byte: u8) -> Route {
        let route = match (self.protocols, self.route) {
            (Protocols::Callboard, _) => return Route::Callboard,
            (Protocols::Alpha, _) => return Route::Alpha,
            (Protocols::Both, Route::Between) if byte == SOH => Route::Alpha,
            (Protocols::Both, Route::Between) => Route::Callboard,
            (Protocols::Both, route) => route,
        };
        self.route = match (route, byte) {
            // A NUL ends a callboard frame; an Alpha packet ends at EOT, and never holds one.
            (Route::Callboard | Route::Alpha, 0x00) | (Route::Alpha, EOT) => Route::Between,
            (route, _) => route,
        };
        route
    }

    /// Takes a byte of an Alpha packet.
    fn take_alpha(&mut self, byte: u8) {
        let buffer = self.decoder.lend_buffer();
        let Some(received) = self.alpha.feed(byte, buffer) else { return };
        if received.address != 0 && received.address != self.address {
            return;
        }
        if received.checksum_ok == Some(false) {
            self.alpha_refused = self.alpha_refused.saturating_add(1);
            return;
        }
        // An Alpha server has the board now: the frame goes, and the sign's memory takes its
        // place (the board has RAM for one or the other). A STRING write alone cannot start
        // it: the files it would go in went with the frame, and the frame stays.
        if let Content::Frame(_) = self.content {
            if received.code == command::WRITE_STRING {
                self.alpha_refused = self.alpha_refused.saturating_add(1);
                return;
            }
            self.content = Content::Sign(EmulatedSign::new());
            self.has_received = false;
        }
        if let Content::Sign(sign) = &mut self.content {
            if !sign.apply(&received) {
                self.alpha_refused = self.alpha_refused.saturating_add(1);
            }
        }
        self.stale = true;
    }

    /// Takes one byte heard at uptime `now_ms`, answering on `answers` when it completes a
    /// frame for this board.
    ///
    /// # Errors
    /// The answer's write error.
    pub fn take<W: Write>(
        &mut self,
        byte: u8,
        now_ms: u64,
        answers: &mut W,
    ) -> Result<(), W::Error> {
        self.notice_silence(now_ms);
        self.heard_ms = now_ms;
        if self.route(byte) == Route::Alpha {
            self.take_alpha(byte);
            return Ok(());
        }
        let address = self.address;
        let decoded = self.decoder.feed_into(
            byte,
            |to| to == address || to == BROADCAST_ADDRESS,
            &mut self.inbox,
        );
        let Some(Ok(header)) = decoded else {
            return Ok(());
        };
        let answer = match self.admit(&header) {
            Ok(()) => self.act(header.sequence, now_ms),
            Err(None) => return Ok(()),
            Err(Some(refusal)) => refusal,
        };
        if header.address == BROADCAST_ADDRESS {
            return Ok(());
        }
        let mut bytes = [0_u8; ANSWER_BYTES];
        let encoded = match (self.decoder.key(), &self.security) {
            (Some(key), Some(security)) => encode_answer_authenticated(
                &header,
                self.address,
                key,
                security.session,
                &answer,
                &mut bytes,
            ),
            _ => encode_answer(&header, self.address, &answer, &mut bytes),
        };
        match encoded {
            // Flushed at once: on RS-485 the board holds the pair until its answer is out.
            Ok(len) => {
                answers.write_all(bytes.get(..len).unwrap_or(&[]))?;
                answers.flush()
            }
            // Every answer fits; were one not to, silence is better than half an answer.
            Err(_) => Ok(()),
        }
    }

    /// Whether an authentic frame is current: one that changes what the board shows or does
    /// (a display, settings) must be for the board's session, with a counter beyond the last
    /// accepted; a question (ping, what are you showing, security) changes nothing and is
    /// answered in any session, so that a host can learn the session. A frame for another
    /// session is answered `Nack(OtherSession)`, whose header carries the session; a replay is
    /// not answered (`Err(None)`). Both are counted.
    fn admit(&mut self, header: &Header) -> Result<(), Option<BoardMessage>> {
        let (Some(security), Some(Auth { session, counter })) = (&mut self.security, header.auth)
        else {
            return Ok(());
        };
        let changes = matches!(self.inbox, HostMessage::Display(_) | HostMessage::Configure(_));
        if !changes {
            return Ok(());
        }
        if session != security.session || security.session == 0 {
            self.decoder.refuse(false);
            return Err(Some(BoardMessage::Nack(NackReason::OtherSession)));
        }
        if counter <= security.last_counter {
            self.decoder.refuse(true);
            return Err(None);
        }
        security.last_counter = counter;
        Ok(())
    }

    /// The frame shown, if any has been.
    fn shown(&self) -> Option<&Shown> {
        self.content.shown(self.has_received)
    }

    /// Acts on the message in the inbox.
    fn act(&mut self, sequence: u16, now_ms: u64) -> BoardMessage {
        match &mut self.inbox {
            HostMessage::Display(frame) => {
                let ttl_ms = u64::from(frame.ttl_s).saturating_mul(1000);
                let board_clock =
                    self.content.shown(self.has_received).map(|shown| shown.clock(now_ms));
                let expired = ttl_ms == 0
                    || board_clock.is_some_and(|now| frame.valid_at.saturating_add(ttl_ms) <= now);
                if expired {
                    return BoardMessage::Nack(NackReason::Expired);
                }
                // A callboard host has the board now: the Alpha files go.
                if let Content::Sign(_) = self.content {
                    self.content = Content::Frame(Shown {
                        frame: BoardFrame::EMPTY,
                        sequence,
                        arrived_ms: now_ms,
                    });
                }
                let Content::Frame(shown) = &mut self.content else {
                    return BoardMessage::Nack(NackReason::Unsupported);
                };
                core::mem::swap(&mut shown.frame, frame);
                shown.sequence = sequence;
                shown.arrived_ms = now_ms;
                self.has_received = true;
                self.stale = true;
                BoardMessage::Ack
            }
            HostMessage::Configure(settings) => {
                if !settings.is_valid() {
                    return BoardMessage::Nack(NackReason::InvalidSettings);
                }
                self.settings = *settings;
                self.stale = true;
                BoardMessage::Ack
            }
            HostMessage::Ping => BoardMessage::Status {
                uptime_s: u32::try_from(now_ms.saturating_sub(self.started_ms) / 1000)
                    .unwrap_or(u32::MAX),
                counts: *self.decoder.counts(),
                shown_sequence: self.picture.sequence,
            },
            HostMessage::WhatAreYouShowing => self.showing(),
            HostMessage::Security => BoardMessage::Security {
                session: self.security.as_ref().map_or(0, |security| security.session),
                last_counter: self.security.as_ref().map_or(0, |security| security.last_counter),
                counts: *self.decoder.auth_counts(),
            },
        }
    }

    /// What the board shows, as it reports it: the screen, the frame, the instant on the
    /// frame's clock the picture was drawn for, and the CRC of the framebuffer.
    #[must_use]
    pub fn showing(&self) -> BoardMessage {
        BoardMessage::Showing {
            screen: self.picture.screen,
            shown_sequence: self.picture.sequence,
            shown_at: self.picture.at,
            framebuffer_crc: framebuffer_crc(P::framebuffer_bytes(self.framebuffer)),
        }
    }

    /// Redraws the framebuffer if the picture for uptime `now_ms` differs from the one it
    /// holds: after a new frame or settings, when the time-to-live or the boot screen runs out,
    /// and every [`REDRAW_MS`] while the figures are up (they move). Returns whether it redrew,
    /// so the firmware flushes the LEDs only then.
    pub fn refresh(&mut self, now_ms: u64) -> bool {
        let alpha = matches!(self.content, Content::Sign(_));
        let booting =
            !self.has_received && !alpha && now_ms.saturating_sub(self.started_ms) < BOOT_SCREEN_MS;
        if booting {
            return false;
        }
        if alpha {
            return self.refresh_alpha(now_ms);
        }
        let shown = self.content.shown(self.has_received);
        let at = shown.map(|shown| shown.clock(now_ms));
        let scene = Scene {
            frame: shown.map(|shown| &shown.frame),
            now: at.unwrap_or(0),
            settings: &self.settings,
        };
        let screen = scene.screen();
        let moving =
            screen == Screen::Figures && now_ms.saturating_sub(self.picture.drawn_ms) >= REDRAW_MS;
        if !self.stale && !moving && screen == self.picture.screen {
            return false;
        }
        let Ok(screen) = render::<P, _>(&scene, self.framebuffer);
        let sequence = match screen {
            Screen::Figures | Screen::Closed => shown.map(|shown| shown.sequence),
            Screen::Boot | Screen::NoData | Screen::Alpha => None,
        };
        self.picture = Picture { screen, sequence, at, drawn_ms: now_ms };
        self.stale = false;
        true
    }

    /// Redraws the Alpha text, when it changed or every [`REDRAW_MS`] (pages turn, text
    /// travels). The picture's instant is the board's uptime.
    fn refresh_alpha(&mut self, now_ms: u64) -> bool {
        let moving = now_ms.saturating_sub(self.picture.drawn_ms) >= REDRAW_MS;
        if !self.stale && !moving && self.picture.screen == Screen::Alpha {
            return false;
        }
        let Content::Sign(sign) = &self.content else { return false };
        let page_ms = u64::from(self.settings.page_seconds).saturating_mul(1000);
        let Ok(screen) = render_alpha::<P, _, SIGN_POOL>(sign, now_ms, page_ms, self.framebuffer);
        self.picture = Picture { screen, sequence: None, at: Some(now_ms), drawn_ms: now_ms };
        self.stale = false;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::{Hub75Rgb64x32, TriColour160x32};
    use callboard_core::board::{Alert, LineAlerts, QueueLine};
    use callboard_core::wire::{Decoded, encode};
    use std::vec::Vec;

    const ADDRESS: u8 = 7;
    const VALID_AT: Timestamp = 1_700_000_000_000;

    /// A serial line: what the host sent, waiting to be read; what the board wrote.
    #[derive(Default)]
    struct Line {
        incoming: Vec<u8>,
        read: usize,
        written: Vec<u8>,
    }

    impl embedded_io::ErrorType for Line {
        type Error = core::convert::Infallible;
    }
    impl Read for Line {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            let rest = &self.incoming[self.read..];
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.read += n;
            Ok(n)
        }
    }
    impl ReadReady for Line {
        fn read_ready(&mut self) -> Result<bool, Self::Error> {
            Ok(self.read < self.incoming.len())
        }
    }
    impl Write for Line {
        fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    impl Line {
        fn send(&mut self, address: u8, sequence: u16, message: &HostMessage) {
            let mut bytes = [0_u8; MAX_FRAME_BYTES];
            let len = encode(address, sequence, message, &mut bytes).unwrap();
            self.incoming.extend_from_slice(&bytes[..len]);
        }

        /// The board's answers so far, decoded as the host decodes them.
        fn answers(&mut self) -> Vec<(u16, BoardMessage)> {
            let mut host = FrameDecoder::<MAX_FRAME_BYTES>::new();
            let answers = self
                .written
                .iter()
                .filter_map(|&b| match host.feed::<BoardMessage>(b, |a| a == ADDRESS) {
                    Some(Decoded::Frame(h, m)) => Some((h.sequence, m)),
                    Some(Decoded::Discarded(d)) => panic!("the board wrote a bad frame: {d:?}"),
                    None => None,
                })
                .collect();
            self.written.clear();
            answers
        }
    }

    fn frame(ttl_s: u16, waiting: u16) -> BoardFrame {
        let mut queues = heapless::Vec::new();
        queues
            .push(QueueLine {
                label: "STREETS".try_into().unwrap(),
                waiting,
                longest_wait_s: (waiting > 0).then_some(95),
                expected_wait_s: None,
                service_level_permille: Some(812),
                service_level_target_permille: 800,
                service_level_threshold_s: 30,
                agents_available: 2,
                alerts: LineAlerts {
                    waiting: Alert::Normal,
                    longest_wait: Alert::Normal,
                    expected_wait: Alert::Normal,
                    service_level: Alert::Normal,
                    agents_available: Alert::Normal,
                },
            })
            .unwrap();
        BoardFrame { valid_at: VALID_AT, ttl_s, queues, ..BoardFrame::EMPTY }
    }

    /// The CRC of the host's own render of `frame` at `at` with `settings`.
    fn host_crc(frame: Option<&BoardFrame>, at: Timestamp, settings: &BoardSettings) -> u32 {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let scene = Scene { frame, now: at, settings };
        render::<Hub75Rgb64x32, _>(&scene, &mut framebuffer).unwrap();
        framebuffer_crc(framebuffer.data())
    }

    fn ask_showing(
        board: &mut Controller<Hub75Rgb64x32>,
        line: &mut Line,
        now_ms: u64,
    ) -> BoardMessage {
        line.send(ADDRESS, 900, &HostMessage::WhatAreYouShowing);
        board.serve(line, now_ms).unwrap();
        let mut answers = line.answers();
        assert_eq!(answers.len(), 1);
        let (sequence, showing) = answers.remove(0);
        assert_eq!(sequence, 900);
        showing
    }

    #[test]
    fn build_addresses_are_board_addresses() {
        assert_eq!(build_address(None), 1);
        assert_eq!(build_address(Some("7")), 7);
        assert_eq!(build_address(Some("254")), 254);
        for wrong in ["", "0", "255", "1000", "x1", "-3"] {
            assert!(std::panic::catch_unwind(|| build_address(Some(wrong))).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_display_refused_midway_leaves_the_shown_frame_as_it_was() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        let shown = frame(30, 4);
        line.send(ADDRESS, 1, &HostMessage::Display(shown.clone()));
        board.serve(&mut line, 0).unwrap();
        assert_eq!(line.answers(), [(1, BoardMessage::Ack)]);

        // A display message cut short after its first two fields, in a well-framed frame: the
        // board starts decoding it into its inbox (a newer instant, another time-to-live) and
        // fails at the queues. Not answered, counted as malformed, nothing shown changes.
        let mut bytes = [0_u8; MAX_FRAME_BYTES];
        let len = encode(ADDRESS, 2, &(0_u8, VALID_AT + 5_000, 60_u16), &mut bytes).unwrap();
        line.incoming.extend_from_slice(&bytes[..len]);
        board.serve(&mut line, 10).unwrap();
        assert_eq!(line.answers(), []);
        assert_eq!(board.counts().malformed, 1);
        assert_eq!(board.frame(), Some(&shown));

        // An expired one is refused whole; the next good one is shown exactly.
        let mut stale = frame(30, 7);
        stale.valid_at = VALID_AT - 60_000;
        line.send(ADDRESS, 3, &HostMessage::Display(stale));
        board.serve(&mut line, 20).unwrap();
        assert_eq!(line.answers(), [(3, BoardMessage::Nack(NackReason::Expired))]);
        assert_eq!(board.frame(), Some(&shown));
        let mut next = frame(30, 9);
        next.valid_at = VALID_AT + 2_000;
        line.send(ADDRESS, 4, &HostMessage::Display(next.clone()));
        board.serve(&mut line, 2_000).unwrap();
        assert_eq!(line.answers(), [(4, BoardMessage::Ack)]);
        assert_eq!(board.frame(), Some(&next));
    }

    #[test]
    fn boots_into_the_boot_screen_then_no_data() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        let mut boot = Hub75Rgb64x32::blank_framebuffer();
        render_boot::<Hub75Rgb64x32, _>(ADDRESS, &mut boot).unwrap();
        let expected = BoardMessage::Showing {
            screen: Screen::Boot,
            shown_sequence: None,
            shown_at: None,
            framebuffer_crc: framebuffer_crc(boot.data()),
        };
        assert!(!board.refresh(BOOT_SCREEN_MS - 1));
        assert_eq!(ask_showing(&mut board, &mut line, BOOT_SCREEN_MS - 1), expected);
        assert!(board.refresh(BOOT_SCREEN_MS));
        assert_eq!(board.screen(), Screen::NoData);
        let settings = BoardSettings::DEFAULT;
        assert_eq!(
            ask_showing(&mut board, &mut line, BOOT_SCREEN_MS),
            BoardMessage::Showing {
                screen: Screen::NoData,
                shown_sequence: None,
                shown_at: None,
                framebuffer_crc: host_crc(None, 0, &settings),
            }
        );
        // A still picture is not redrawn.
        assert!(!board.refresh(BOOT_SCREEN_MS + 5_000));
    }

    #[test]
    fn a_frame_is_acknowledged_and_shown_exactly_as_the_host_draws_it() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        let sent = frame(30, 4);
        line.send(ADDRESS, 41, &HostMessage::Display(sent.clone()));
        board.serve(&mut line, 1_000).unwrap();
        assert_eq!(line.answers(), [(41, BoardMessage::Ack)]);
        assert!(board.refresh(1_250));
        let BoardMessage::Showing { screen, shown_sequence, shown_at, framebuffer_crc } =
            ask_showing(&mut board, &mut line, 1_260)
        else {
            panic!("not a Showing");
        };
        assert_eq!((screen, shown_sequence), (Screen::Figures, Some(41)));
        // Drawn 250 ms after the frame arrived: the frame's clock moved on as much.
        assert_eq!(shown_at, Some(VALID_AT + 250));
        assert_eq!(framebuffer_crc, host_crc(Some(&sent), VALID_AT + 250, &BoardSettings::DEFAULT));
        // Figures move, so they are redrawn on the redraw period and not more often.
        assert!(!board.refresh(1_250 + REDRAW_MS - 1));
        assert!(board.refresh(1_250 + REDRAW_MS));
    }

    #[test]
    fn after_the_time_to_live_no_figures_and_the_next_frame_brings_them_back() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        line.send(ADDRESS, 1, &HostMessage::Display(frame(5, 2)));
        board.serve(&mut line, 100).unwrap();
        assert_eq!(line.answers(), [(1, BoardMessage::Ack)]);
        assert!(board.refresh(100));
        assert!(board.refresh(5_099));
        assert_eq!(board.screen(), Screen::Figures);
        assert!(board.refresh(5_100));
        assert_eq!(board.screen(), Screen::NoData);
        line.send(ADDRESS, 2, &HostMessage::Ping);
        board.serve(&mut line, 5_100).unwrap();
        let answers = line.answers();
        assert!(
            matches!(answers.as_slice(), [(2, BoardMessage::Status { shown_sequence: None, .. })]),
            "{answers:?}"
        );
        let mut next = frame(5, 3);
        next.valid_at = VALID_AT + 9_000;
        line.send(ADDRESS, 3, &HostMessage::Display(next));
        board.serve(&mut line, 9_100).unwrap();
        assert_eq!(line.answers(), [(3, BoardMessage::Ack)]);
        assert!(board.refresh(9_100));
        assert_eq!(board.screen(), Screen::Figures);
    }

    #[test]
    fn a_frame_older_than_its_time_to_live_is_refused_and_the_shown_one_kept() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        let mut newer = frame(30, 2);
        newer.valid_at = VALID_AT + 60_000;
        line.send(ADDRESS, 1, &HostMessage::Display(newer));
        line.send(ADDRESS, 2, &HostMessage::Display(frame(30, 9)));
        line.send(ADDRESS, 3, &HostMessage::Display(frame(0, 9)));
        board.serve(&mut line, 0).unwrap();
        assert_eq!(
            line.answers(),
            [
                (1, BoardMessage::Ack),
                (2, BoardMessage::Nack(NackReason::Expired)),
                (3, BoardMessage::Nack(NackReason::Expired)),
            ]
        );
        board.refresh(10);
        assert!(matches!(board.showing(), BoardMessage::Showing { shown_sequence: Some(1), .. }));
    }

    #[test]
    fn broadcasts_are_obeyed_silently_and_other_boards_frames_ignored() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        line.send(BROADCAST_ADDRESS, 1, &HostMessage::Display(frame(30, 1)));
        line.send(BROADCAST_ADDRESS, 2, &HostMessage::Ping);
        line.send(ADDRESS + 1, 3, &HostMessage::Display(frame(30, 5)));
        line.send(ADDRESS + 1, 4, &HostMessage::Ping);
        board.serve(&mut line, 0).unwrap();
        assert_eq!(line.answers(), []);
        assert_eq!(board.counts().accepted, 2);
        assert_eq!(board.counts().other_address, 2);
        board.refresh(0);
        assert!(matches!(board.showing(), BoardMessage::Showing { shown_sequence: Some(1), .. }));
    }

    #[test]
    fn settings_are_applied_or_refused_whole() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        let dim = BoardSettings { brightness: 40, page_seconds: 8, ..BoardSettings::DEFAULT };
        let broken = BoardSettings { brightness: 10, page_seconds: 0, ..BoardSettings::DEFAULT };
        line.send(ADDRESS, 1, &HostMessage::Configure(dim));
        line.send(ADDRESS, 2, &HostMessage::Configure(broken));
        board.serve(&mut line, 0).unwrap();
        assert_eq!(
            line.answers(),
            [(1, BoardMessage::Ack), (2, BoardMessage::Nack(NackReason::InvalidSettings))]
        );
        assert_eq!(board.settings(), &dim);
    }

    #[test]
    fn a_frame_cut_off_by_a_silent_line_does_not_take_the_next_one_with_it() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        line.send(ADDRESS, 1, &HostMessage::Display(frame(30, 1)));
        let cut = line.incoming.len() / 2;
        line.incoming.truncate(cut);
        board.serve(&mut line, 0).unwrap();
        // The cable is back 2 s later, the host carries on with its next frame.
        line.send(ADDRESS, 2, &HostMessage::Display(frame(30, 2)));
        board.serve(&mut line, 2_000).unwrap();
        assert_eq!(line.answers(), [(2, BoardMessage::Ack)]);
        assert_eq!(board.counts().truncated, 1);

        // Silence noticed while polling an idle line, too.
        line.send(ADDRESS, 3, &HostMessage::Ping);
        line.incoming.truncate(line.incoming.len() - 3);
        board.serve(&mut line, 3_000).unwrap();
        board.serve(&mut line, 3_000 + LINE_SILENCE_MS + 1).unwrap();
        assert_eq!(board.counts().truncated, 2);
    }

    #[test]
    fn the_tricolour_board_reports_its_own_framebuffer() {
        let mut framebuffer = TriColour160x32::blank_framebuffer();
        let mut board = Controller::<TriColour160x32>::new(ADDRESS, &mut framebuffer, 0);
        let sent = frame(30, 4);
        let mut line = Line::default();
        line.send(ADDRESS, 5, &HostMessage::Display(sent.clone()));
        board.serve(&mut line, 0).unwrap();
        board.refresh(0);
        let mut host = TriColour160x32::blank_framebuffer();
        let scene = Scene { frame: Some(&sent), now: VALID_AT, settings: &BoardSettings::DEFAULT };
        render::<TriColour160x32, _>(&scene, &mut host).unwrap();
        assert_eq!(
            board.showing(),
            BoardMessage::Showing {
                screen: Screen::Figures,
                shown_sequence: Some(5),
                shown_at: Some(VALID_AT),
                framebuffer_crc: framebuffer_crc(host.data()),
            }
        );
    }

    /// Every packet that takes a fresh two-line sign at `address` to showing `frame`, as
    /// callboard's own Alpha encoder writes them (a wallboard server's would do as well).
    fn alpha_packets(frame: &BoardFrame, address: u8, before: Option<&BoardFrame>) -> Vec<Vec<u8>> {
        use callboard_core::alpha::layout::{PROFILES, lay_out, update};
        let profile = PROFILES[1];
        let before = before.map(|b| lay_out(b, &profile).unwrap());
        let after = lay_out(frame, &profile).unwrap();
        let mut buffer = std::vec![0_u8; 1024];
        let mut packets = Vec::new();
        update::<callboard_core::alpha::AlphaError>(
            before.as_ref(),
            &after,
            &profile,
            address,
            &mut buffer,
            |packet| {
                packets.push(packet.to_vec());
                Ok(())
            },
        )
        .unwrap();
        packets
    }

    /// What a sign fed `packets` keeps, on the host.
    fn host_sign(packets: &[Vec<u8>]) -> EmulatedSign<SIGN_POOL> {
        use callboard_core::alpha::sign::PacketDecoder;
        let mut sign = EmulatedSign::new();
        let mut decoder = PacketDecoder::<MAX_FRAME_BYTES>::new();
        for &byte in packets.iter().flatten() {
            if let Some(received) = decoder.feed(byte) {
                sign.apply(&received);
            }
        }
        sign
    }

    /// The CRC of the host's render of `sign` at board uptime `at`.
    fn host_alpha_crc(sign: &EmulatedSign<SIGN_POOL>, at: u64) -> u32 {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let page_ms = u64::from(BoardSettings::DEFAULT.page_seconds) * 1000;
        render_alpha::<Hub75Rgb64x32, _, SIGN_POOL>(sign, at, page_ms, &mut framebuffer).unwrap();
        framebuffer_crc(framebuffer.data())
    }

    #[test]
    fn alpha_text_is_shown_as_the_host_draws_it_and_the_last_protocol_wins() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        // Noise first (a callboard decoder sees a bad frame), then the packets.
        line.incoming.extend_from_slice(&[0x55, 0xAA, 0x13, 0x02, 0x7F]);
        let shown = frame(30, 4);
        let packets = alpha_packets(&shown, ADDRESS, None);
        assert!(packets.len() >= 3, "configuration, TEXT, STRINGs");
        for packet in &packets {
            line.incoming.extend_from_slice(packet);
        }
        board.serve(&mut line, 1_000).unwrap();
        assert!(line.written.is_empty(), "Alpha packets are not answered");
        assert_eq!(board.alpha_discarded(), (0, 0));
        assert!(board.refresh(1_000));
        let BoardMessage::Showing { screen, shown_sequence, shown_at, framebuffer_crc } =
            ask_showing(&mut board, &mut line, 1_010)
        else {
            panic!("not a Showing");
        };
        assert_eq!((screen, shown_sequence, shown_at), (Screen::Alpha, None, Some(1_000)));
        let sign = host_sign(&packets);
        assert_eq!(board.sign(), Some(&sign));
        assert_eq!(framebuffer_crc, host_alpha_crc(&sign, 1_000));
        assert_ne!(framebuffer_crc, host_alpha_crc(&EmulatedSign::new(), 1_000), "not blank");

        // A callboard frame: its figures. Then an Alpha update of one STRING file: Alpha again.
        line.send(ADDRESS, 8, &HostMessage::Display(shown.clone()));
        board.serve(&mut line, 2_000).unwrap();
        assert_eq!(line.answers(), [(8, BoardMessage::Ack)]);
        assert!(board.refresh(2_000));
        assert_eq!(board.screen(), Screen::Figures);
        // The sign's files went with the frame (the board has RAM for one or the other): a
        // STRING update alone is refused and the figures stay, until the server sends the
        // files again.
        let update = alpha_packets(&frame(30, 5), ADDRESS, Some(&shown));
        assert_eq!(update.len(), 1, "one STRING packet");
        line.incoming.extend_from_slice(&update[0]);
        board.serve(&mut line, 2_500).unwrap();
        assert_eq!(board.alpha_discarded(), (0, 1));
        assert!(board.refresh(2_500));
        assert_eq!(board.screen(), Screen::Figures);
        let again = alpha_packets(&frame(30, 5), ADDRESS, None);
        for packet in &again {
            line.incoming.extend_from_slice(packet);
        }
        board.serve(&mut line, 3_000).unwrap();
        assert!(board.refresh(3_000));
        let updated = host_sign(&again);
        let BoardMessage::Showing { screen, framebuffer_crc, .. } =
            ask_showing(&mut board, &mut line, 3_000)
        else {
            panic!("not a Showing");
        };
        assert_eq!(screen, Screen::Alpha);
        assert_eq!(framebuffer_crc, host_alpha_crc(&updated, 3_000));
        assert_eq!(board.counts().accepted, 3, "two questions and a display frame");
    }

    #[test]
    fn a_nested_packet_survives_its_pauses_and_other_signs_packets_are_passed_over() {
        use callboard_core::alpha::packet::pauses;
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        let mut line = Line::default();
        // Sign 8's packets: not this board's.
        for packet in alpha_packets(&frame(30, 4), 8, None) {
            line.incoming.extend_from_slice(&packet);
        }
        board.serve(&mut line, 0).unwrap();
        assert_eq!(board.sign(), None);
        // This board's, every pause a sender makes (100 ms after each nested STX) kept.
        let packets = alpha_packets(&frame(30, 4), ADDRESS, None);
        let mut now = 1_000;
        for packet in &packets {
            let mut from = 0;
            for at in pauses(packet).chain([packet.len()]) {
                line.incoming.extend_from_slice(&packet[from..at]);
                board.serve(&mut line, now).unwrap();
                now += 100 + LINE_SILENCE_MS;
                from = at;
            }
        }
        assert!(packets.iter().any(|p| pauses(p).count() > 0), "a nested packet");
        assert_eq!(board.sign(), Some(&host_sign(&packets)));
        // A packet cut off for longer than ALPHA_SILENCE_MS does not swallow the next frame.
        line.incoming.extend_from_slice(&packets[1][..20]);
        board.serve(&mut line, now).unwrap();
        line.send(ADDRESS, 9, &HostMessage::Ping);
        board.serve(&mut line, now + ALPHA_SILENCE_MS + 1).unwrap();
        assert!(matches!(line.answers()[..], [(9, BoardMessage::Status { .. })]));
    }

    #[test]
    fn a_board_takes_only_the_protocols_it_is_set_for() {
        let packets = alpha_packets(&frame(30, 4), ADDRESS, None);
        // callboard only: the Alpha packets are bad frames to it, and nothing is shown.
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::with_protocols(
            ADDRESS,
            Protocols::Callboard,
            &mut framebuffer,
            0,
        );
        let mut line = Line::default();
        for packet in &packets {
            line.incoming.extend_from_slice(packet);
        }
        board.serve(&mut line, 0).unwrap();
        // After a pause (the host's next poll), a question is answered.
        line.send(ADDRESS, 1, &HostMessage::Ping);
        board.serve(&mut line, 1_000).unwrap();
        assert_eq!(board.sign(), None);
        assert!(board.counts().discarded() > 0);
        assert!(matches!(line.answers()[..], [(1, BoardMessage::Status { .. })]));
        // Alpha only: callboard frames are not answered; the packets are shown.
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::with_protocols(
            ADDRESS,
            Protocols::Alpha,
            &mut framebuffer,
            0,
        );
        let mut line = Line::default();
        line.send(ADDRESS, 1, &HostMessage::Ping);
        for packet in &packets {
            line.incoming.extend_from_slice(packet);
        }
        board.serve(&mut line, 0).unwrap();
        assert!(line.written.is_empty());
        assert!(board.refresh(0));
        assert_eq!(board.screen(), Screen::Alpha);
        assert_eq!(board.counts().accepted, 0);
    }

    #[test]
    fn build_protocols_reads_the_three_words() {
        assert_eq!(build_protocols(None), Protocols::Both);
        assert_eq!(build_protocols(Some("both")), Protocols::Both);
        assert_eq!(build_protocols(Some("callboard")), Protocols::Callboard);
        assert_eq!(build_protocols(Some("alpha")), Protocols::Alpha);
        assert!(std::panic::catch_unwind(|| build_protocols(Some("Alpha"))).is_err());
    }

    const KEY: Key = Key::new([0x5a; 32]);
    const SESSION: u32 = 42;

    /// An authenticated frame to `address` in `session` with `counter`, under `key`.
    fn sealed(
        key: &Key,
        session: u32,
        counter: u32,
        sequence: u16,
        message: &HostMessage,
    ) -> Vec<u8> {
        let mut bytes = [0_u8; MAX_FRAME_BYTES];
        let auth = Auth { session, counter };
        let len = callboard_core::wire::encode_authenticated(
            key, ADDRESS, sequence, auth, message, &mut bytes,
        )
        .unwrap();
        bytes[..len].to_vec()
    }

    /// The board's answers, which must be authentic under `KEY`, with their auth fields.
    fn sealed_answers(line: &mut Line) -> Vec<(Auth, BoardMessage)> {
        let mut host = FrameDecoder::<MAX_FRAME_BYTES>::with_key(KEY, Direction::BoardToHost);
        let answers = line
            .written
            .iter()
            .filter_map(|&b| match host.feed::<BoardMessage>(b, |a| a == ADDRESS) {
                Some(Decoded::Frame(h, m)) => Some((h.auth.unwrap(), m)),
                Some(Decoded::Discarded(d)) => panic!("the board wrote a bad frame: {d:?}"),
                None => None,
            })
            .collect();
        line.written.clear();
        answers
    }

    #[test]
    fn with_a_key_only_current_authentic_frames_are_shown() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        board.require_authentication(KEY, SESSION);
        let mut line = Line::default();
        // A ping in session 0 learns the session; the answer echoes the ping's counter.
        line.incoming.extend(sealed(&KEY, 0, 7_001, 1, &HostMessage::Ping));
        board.serve(&mut line, 0).unwrap();
        let answers = sealed_answers(&mut line);
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].0, Auth { session: SESSION, counter: 7_001 });
        // An authentic display in the session is shown.
        let good = frame(30, 4);
        line.incoming.extend(sealed(&KEY, SESSION, 1, 2, &HostMessage::Display(good.clone())));
        board.serve(&mut line, 1_000).unwrap();
        assert_eq!(
            sealed_answers(&mut line),
            [(Auth { session: SESSION, counter: 1 }, BoardMessage::Ack)]
        );
        assert_eq!(board.frame(), Some(&good));

        let evil = frame(30, 99);
        let display = HostMessage::Display(evil.clone());
        // Unauthenticated (version 2), another key, a recording (counter 1 again), a frame for
        // a session the board has not reached, a tag cut short: none is shown.
        line.send(ADDRESS, 3, &display);
        line.incoming.extend(sealed(&Key::new([0xa5; 32]), SESSION, 2, 4, &display));
        line.incoming.extend(sealed(&KEY, SESSION, 2, 2, &HostMessage::Display(good.clone())));
        line.incoming.extend(sealed(&KEY, SESSION, 1, 5, &display));
        line.incoming.extend(sealed(&KEY, SESSION + 1, 9, 6, &display));
        board.serve(&mut line, 2_000).unwrap();
        assert_eq!(board.frame(), Some(&good));
        let counts = *board.auth_counts();
        assert_eq!((counts.unauthenticated, counts.forged), (1, 1));
        assert_eq!((counts.replayed, counts.other_session), (1, 1));
        // Answered: the second authentic display (counter 2), and the other session's with the
        // session to use; nothing to the rest.
        let answers = sealed_answers(&mut line);
        assert_eq!(
            answers,
            [
                (Auth { session: SESSION, counter: 2 }, BoardMessage::Ack),
                (
                    Auth { session: SESSION, counter: 9 },
                    BoardMessage::Nack(NackReason::OtherSession)
                ),
            ]
        );
        // A frame whose tag is cut short, its CRC made good again: forged.
        let mut cut = sealed(&KEY, SESSION, 3, 7, &display);
        let mut payload = cut[..cut.len() - 1].to_vec();
        let n = cobs::decode_in_place(&mut payload).unwrap();
        payload.truncate(n - 4 - 4); // the CRC and the tag's last four bytes
        let crc = callboard_core::crc::crc32(&payload).to_le_bytes();
        payload.extend_from_slice(&crc);
        cut = std::vec![0; payload.len() + 8];
        let m = cobs::encode(&payload, &mut cut);
        cut.truncate(m);
        cut.push(0);
        line.incoming.extend(cut);
        board.serve(&mut line, 2_100).unwrap();
        assert_eq!(board.auth_counts().forged, 2);
        assert_eq!(board.frame(), Some(&good));
        // Alpha packets are no way round it: the board takes callboard frames only.
        assert_eq!(board.protocols(), Protocols::Callboard);
        // The security counts, asked.
        line.incoming.extend(sealed(&KEY, 0, 8, 8, &HostMessage::Security));
        board.serve(&mut line, 2_200).unwrap();
        let answers = sealed_answers(&mut line);
        assert_eq!(
            answers[0].1,
            BoardMessage::Security {
                session: SESSION,
                last_counter: 2,
                counts: *board.auth_counts()
            }
        );
    }

    #[test]
    fn a_board_that_could_not_count_its_start_shows_nothing_authenticated() {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(ADDRESS, &mut framebuffer, 0);
        board.require_authentication(KEY, 0);
        let mut line = Line::default();
        // Session 0 said in every answer; a display in session 0 is refused, not shown.
        line.incoming.extend(sealed(&KEY, 0, 1, 1, &HostMessage::Ping));
        line.incoming.extend(sealed(&KEY, 0, 2, 2, &HostMessage::Display(frame(30, 4))));
        board.serve(&mut line, 0).unwrap();
        let answers = sealed_answers(&mut line);
        assert!(matches!(
            answers[0],
            (Auth { session: 0, counter: 1 }, BoardMessage::Status { .. })
        ));
        assert_eq!(
            answers[1],
            (Auth { session: 0, counter: 2 }, BoardMessage::Nack(NackReason::OtherSession))
        );
        assert_eq!(board.frame(), None);
        assert_eq!(board.auth_counts().other_session, 1);
    }
}
