//! The reader-board wire protocol for C (`PROTOCOL.md`; the core's `wire` module): messages to
//! a board encoded into the caller's buffer, and a stream decoder the caller feeds the bytes it
//! reads off the line, handing back each board's answer. The library never does I/O: the switch
//! owns the serial port or the socket.

use callboard_core::wire::{
    self, AUTHENTICATED_VERSION, Auth, AuthCounts, BROADCAST_ADDRESS, BoardMessage, DecodeCounts,
    Decoded, Direction, EncodeError, FrameDecoder, HostMessage, KEY_BYTES, Key, MAX_FRAME_BYTES,
    NackReason, PROTOCOL_VERSION, Screen, SealError,
};

use crate::board::{cb_board_frame, cb_board_settings, frame_of, settings_of};
use crate::boundary::{
    answer_into, borrow, check_out, compute_into, guard, handle, place_in, read_into,
    with_handle_mut, write_out,
};
use crate::cb_status;
use crate::status::*;

/// The longest frame on the line, its delimiter included: a buffer of this many bytes holds
/// any message.
pub const CB_WIRE_MAX_FRAME_BYTES: usize = 1024;
/// The address that reaches every board (boards do not answer it).
pub const CB_WIRE_BROADCAST: u8 = 255;
/// The protocol version the encoders write.
pub const CB_WIRE_PROTOCOL_VERSION: u8 = 2;
/// The authenticated version `cb_wire_seal` writes (PROTOCOL.md, "Authenticated frames").
pub const CB_WIRE_AUTHENTICATED_VERSION: u8 = 3;
/// Bytes of a key shared by the host and a board.
pub const CB_WIRE_KEY_BYTES: usize = 32;

// Written out for cbindgen; the core's values are the truth.
const _: () = assert!(
    CB_WIRE_MAX_FRAME_BYTES == MAX_FRAME_BYTES
        && CB_WIRE_BROADCAST == BROADCAST_ADDRESS
        && CB_WIRE_PROTOCOL_VERSION == PROTOCOL_VERSION
        && CB_WIRE_AUTHENTICATED_VERSION == AUTHENTICATED_VERSION
        && CB_WIRE_KEY_BYTES == KEY_BYTES
);

/// What a board answered (`cb_board_answer.kind`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_answer_kind {
    /// The frame with `sequence` was accepted.
    CB_ANSWER_ACK = 0,
    /// The frame with `sequence` was refused, for `nack_reason`.
    CB_ANSWER_NACK = 1,
    /// Health, answering a ping: `uptime_s`, `counts`, `shown_sequence`.
    CB_ANSWER_STATUS = 2,
    /// What it shows, answering "what are you showing?": `screen`, `shown_sequence`,
    /// `shown_at_ms`, `framebuffer_crc`.
    CB_ANSWER_SHOWING = 3,
    /// What it refused for want of authentication, answering `cb_wire_encode_security`'s
    /// question: `board_session`, `board_last_counter`, `auth_counts`.
    CB_ANSWER_SECURITY = 4,
}

/// Why a board refused a frame (`cb_board_answer.nack_reason`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_nack_reason {
    /// The frame's data was already older than its time-to-live on arrival.
    CB_NACK_EXPIRED = 0,
    /// The settings are out of range.
    CB_NACK_INVALID_SETTINGS = 1,
    /// The board cannot show this.
    CB_NACK_UNSUPPORTED = 2,
    /// The frame is authentic but for another session (the board restarted): the answer's
    /// `auth.session` is the session to seal with, counting from 1 again.
    CB_NACK_OTHER_SESSION = 3,
}

/// What a board shows (`cb_board_answer.screen`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_screen {
    /// The start-up screen, before any frame.
    CB_SCREEN_BOOT = 0,
    /// A frame's figures.
    CB_SCREEN_FIGURES = 1,
    /// The center is closed.
    CB_SCREEN_CLOSED = 2,
    /// No valid frame within its time-to-live: no numbers.
    CB_SCREEN_NO_DATA = 3,
    /// Text an Alpha-protocol wallboard server wrote; `shown_at_ms` is then the board's
    /// uptime in ms, not a frame's clock.
    CB_SCREEN_ALPHA = 4,
}

/// Frames a decoder accepted, and those it discarded by reason.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct cb_wire_counts {
    /// Frames decoded and accepted.
    pub accepted: u32,
    /// Frames longer than `CB_WIRE_MAX_FRAME_BYTES`.
    pub oversized: u32,
    /// Frames whose byte stuffing (COBS) is broken.
    pub bad_framing: u32,
    /// Frames too short for a header and a CRC, or cut off by silence.
    pub truncated: u32,
    /// Frames whose CRC does not match.
    pub bad_crc: u32,
    /// Frames of another protocol version.
    pub unknown_version: u32,
    /// Frames for another address (a board's decoder; a switch's accepts every board).
    pub other_address: u32,
    /// Frames with a good CRC whose message does not decode (a host's own frame echoed on a
    /// half-duplex line, for one).
    pub malformed: u32,
}

impl From<&DecodeCounts> for cb_wire_counts {
    fn from(c: &DecodeCounts) -> Self {
        Self {
            accepted: c.accepted,
            oversized: c.oversized,
            bad_framing: c.bad_framing,
            truncated: c.truncated,
            bad_crc: c.bad_crc,
            unknown_version: c.unknown_version,
            other_address: c.other_address,
            malformed: c.malformed,
        }
    }
}

/// An authenticated frame's replay protection: the board's session (its count of starts; 0 in
/// a ping that asks for it) and the host's counter for that board in that session (in an
/// answer, the counter of the frame answered).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct cb_wire_auth {
    /// The board's session.
    pub session: u32,
    /// The host's counter.
    pub counter: u32,
}

/// Frames a board (or a decoder with a key) refused for want of authentication, by reason.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct cb_wire_auth_counts {
    /// Frames of version 1 or 2, which carry no tag.
    pub unauthenticated: u32,
    /// Frames whose tag did not hold.
    pub forged: u32,
    /// Authentic frames whose counter was not beyond the last accepted.
    pub replayed: u32,
    /// Authentic frames for another session than the board's.
    pub other_session: u32,
}

impl From<&AuthCounts> for cb_wire_auth_counts {
    fn from(c: &AuthCounts) -> Self {
        Self {
            unauthenticated: c.unauthenticated,
            forged: c.forged,
            replayed: c.replayed,
            other_session: c.other_session,
        }
    }
}

/// One board's answer, as `cb_wire_decoder_feed` hands it back. `kind` says which fields count;
/// the others are 0.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_board_answer {
    /// The protocol version it answered in (the version of the frame it answers).
    pub version: u8,
    /// The board's address.
    pub address: u8,
    /// The sequence of the frame it answers.
    pub sequence: u16,
    /// `cb_answer_kind`.
    pub kind: u32,
    /// `cb_nack_reason`, for `CB_ANSWER_NACK`.
    pub nack_reason: u32,
    /// Seconds since the board started, for `CB_ANSWER_STATUS`.
    pub uptime_s: u32,
    /// What the board's own decoder accepted and discarded, for `CB_ANSWER_STATUS`.
    pub counts: cb_wire_counts,
    /// Whether a frame is shown (and `shown_sequence` is its sequence).
    pub has_shown_sequence: bool,
    /// The sequence of the frame shown.
    pub shown_sequence: u16,
    /// `cb_screen`, for `CB_ANSWER_SHOWING`.
    pub screen: u32,
    /// Whether `shown_at_ms` is known (not before the first frame).
    pub has_shown_at: bool,
    /// The instant, on the frame's clock (ms since the epoch), the picture was drawn for.
    pub shown_at_ms: u64,
    /// CRC-32 of the board's framebuffer, row by row: compare it with a render of the same
    /// frame at the same instant.
    pub framebuffer_crc: u32,
    /// Whether the answer was authenticated (version 3, its tag checked under the decoder's
    /// key) and `auth` holds the board's session and the counter of the frame answered.
    pub has_auth: bool,
    /// The board's session and the counter answered, when `has_auth`.
    pub auth: cb_wire_auth,
    /// The board's session, for `CB_ANSWER_SECURITY`. 0 on a board without a key, and on a
    /// keyed board that could not count its start (its boot log failed): such a board takes
    /// no frame that changes its display; report it rather than feed it.
    pub board_session: u32,
    /// The last counter the board accepted in its session, for `CB_ANSWER_SECURITY`: a host
    /// that restarts seals its next frame with the one after.
    pub board_last_counter: u32,
    /// What the board refused, for `CB_ANSWER_SECURITY`.
    pub auth_counts: cb_wire_auth_counts,
}

impl From<(wire::Header, BoardMessage)> for cb_board_answer {
    fn from((header, message): (wire::Header, BoardMessage)) -> Self {
        let mut answer = Self {
            version: header.version,
            address: header.address,
            sequence: header.sequence,
            has_auth: header.auth.is_some(),
            auth: header.auth.map_or_else(cb_wire_auth::default, |a| cb_wire_auth {
                session: a.session,
                counter: a.counter,
            }),
            ..Self::default()
        };
        match message {
            BoardMessage::Ack => answer.kind = cb_answer_kind::CB_ANSWER_ACK as u32,
            BoardMessage::Nack(reason) => {
                answer.kind = cb_answer_kind::CB_ANSWER_NACK as u32;
                answer.nack_reason = match reason {
                    NackReason::Expired => cb_nack_reason::CB_NACK_EXPIRED,
                    NackReason::InvalidSettings => cb_nack_reason::CB_NACK_INVALID_SETTINGS,
                    NackReason::Unsupported => cb_nack_reason::CB_NACK_UNSUPPORTED,
                    NackReason::OtherSession => cb_nack_reason::CB_NACK_OTHER_SESSION,
                } as u32;
            }
            BoardMessage::Status { uptime_s, counts, shown_sequence } => {
                answer.kind = cb_answer_kind::CB_ANSWER_STATUS as u32;
                answer.uptime_s = uptime_s;
                answer.counts = cb_wire_counts::from(&counts);
                answer.has_shown_sequence = shown_sequence.is_some();
                answer.shown_sequence = shown_sequence.unwrap_or(0);
            }
            BoardMessage::Showing { screen, shown_sequence, shown_at, framebuffer_crc } => {
                answer.kind = cb_answer_kind::CB_ANSWER_SHOWING as u32;
                answer.screen = match screen {
                    Screen::Boot => cb_screen::CB_SCREEN_BOOT,
                    Screen::Figures => cb_screen::CB_SCREEN_FIGURES,
                    Screen::Closed => cb_screen::CB_SCREEN_CLOSED,
                    Screen::NoData => cb_screen::CB_SCREEN_NO_DATA,
                    Screen::Alpha => cb_screen::CB_SCREEN_ALPHA,
                } as u32;
                answer.has_shown_sequence = shown_sequence.is_some();
                answer.shown_sequence = shown_sequence.unwrap_or(0);
                answer.has_shown_at = shown_at.is_some();
                answer.shown_at_ms = shown_at.unwrap_or(0);
                answer.framebuffer_crc = framebuffer_crc;
            }
            BoardMessage::Security { session, last_counter, counts } => {
                answer.kind = cb_answer_kind::CB_ANSWER_SECURITY as u32;
                answer.board_session = session;
                answer.board_last_counter = last_counter;
                answer.auth_counts = cb_wire_auth_counts::from(&counts);
            }
        }
        answer
    }
}

/// A whole encoding export: `message` builds what to send (checking the caller's input), then
/// the frame is built in a frame-sized scratch on the stack and copied, so that a buffer too
/// short learns the length it needs.
///
/// # Safety
/// `buffer` NULL or `len` writable bytes; `written` NULL or writable.
unsafe fn encode_with(
    address: u8,
    sequence: u16,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
    message: impl FnOnce() -> Result<HostMessage, cb_status>,
) -> cb_status {
    guard(|| {
        let message = message()?;
        check_out(written)?;
        if buffer.is_null() && len != 0 {
            return Err(CB_STATUS_NULL_ARGUMENT);
        }
        let mut frame = [0_u8; MAX_FRAME_BYTES];
        let needed =
            wire::encode(address, sequence, &message, &mut frame).map_err(|e| match e {
                EncodeError::ReservedAddress => CB_STATUS_INVALID_ARGUMENT,
                // A frame-sized buffer holds every message (a core test checks the largest).
                _ => CB_STATUS_PANIC,
            })?;
        let bytes = frame.get(..needed).ok_or(CB_STATUS_PANIC)?;
        // SAFETY: forwarded caller contract; `written` checked by check_out.
        unsafe { copy_out(bytes, buffer, len, written) }
    })
}

/// Copies a frame built on our stack to the caller's `buffer` of `len` bytes and its length to
/// `*written`; a buffer too short learns the length it needs (the documented exception to
/// "nothing written on an error") and gets nothing.
///
/// # Safety
/// `buffer` non-NULL with `len` writable bytes unless `len` is 0; `written` checked by
/// check_out and writable.
unsafe fn copy_out(
    bytes: &[u8],
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> Result<(), cb_status> {
    let needed = bytes.len();
    if len < needed {
        // SAFETY: by this function's contract.
        unsafe { write_out(written, needed) };
        return Err(CB_STATUS_BUFFER_TOO_SMALL);
    }
    // SAFETY: `len` is at least a frame's length, so not 0, and `buffer` has `len` writable
    // bytes by this function's contract; `bytes` is the caller's own stack.
    let out = unsafe { core::slice::from_raw_parts_mut(buffer, len) };
    out.get_mut(..needed).ok_or(CB_STATUS_PANIC)?.copy_from_slice(bytes);
    // SAFETY: by this function's contract.
    unsafe { write_out(written, needed) };
    Ok(())
}

/// Encodes a display frame for the board at `address` (1 to 254, or `CB_WIRE_BROADCAST`) with
/// the host's `sequence` into `buffer`, and its length, delimiter included, into `*written`:
/// the bytes to write to the line. `CB_WIRE_MAX_FRAME_BYTES` always suffices.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED`, `CB_STATUS_INVALID_ARGUMENT`
/// (address 0; a frame a board could not show: see `cb_board_frame`'s fields),
/// `CB_STATUS_BUFFER_TOO_SMALL` (the length needed is written to `*written`, nothing to
/// `buffer`). No allocation.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `frame` NULL or valid; `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_encode_display(
    address: u8,
    sequence: u16,
    frame: *const cb_board_frame,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    // SAFETY: forwarded caller contract; `frame` NULL or valid by it.
    unsafe {
        encode_with(address, sequence, buffer, len, written, || {
            Ok(HostMessage::Display(frame_of(borrow(frame)?)?))
        })
    }
}

/// Encodes a board's new settings (brightness, paging, alert thresholds), as
/// `cb_wire_encode_display` does a frame. A board answers `CB_NACK_INVALID_SETTINGS` to settings
/// it cannot apply; these are checked first (`CB_STATUS_INVALID_ARGUMENT`: pages of 0 s, a
/// warning past its alarm, a margin over 1000 permille).
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `settings` NULL or valid; `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_encode_configure(
    address: u8,
    sequence: u16,
    settings: *const cb_board_settings,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    // SAFETY: forwarded caller contract; `settings` NULL or valid by it.
    unsafe {
        encode_with(address, sequence, buffer, len, written, || {
            Ok(HostMessage::Configure(settings_of(borrow(settings)?)?))
        })
    }
}

/// Encodes a ping, which a board answers with its status (`CB_ANSWER_STATUS`), as
/// `cb_wire_encode_display` does a frame.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_encode_ping(
    address: u8,
    sequence: u16,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { encode_with(address, sequence, buffer, len, written, || Ok(HostMessage::Ping)) }
}

/// Encodes "what are you showing?", which a board answers with its screen and its
/// framebuffer's CRC (`CB_ANSWER_SHOWING`), as `cb_wire_encode_display` does a frame.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_encode_what_are_you_showing(
    address: u8,
    sequence: u16,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    let message = || Ok(HostMessage::WhatAreYouShowing);
    // SAFETY: forwarded caller contract.
    unsafe { encode_with(address, sequence, buffer, len, written, message) }
}

/// Encodes "what have you refused for want of authentication, and what is your session?", which
/// a board answers with `CB_ANSWER_SECURITY`, as `cb_wire_encode_display` does a frame.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_encode_security(
    address: u8,
    sequence: u16,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { encode_with(address, sequence, buffer, len, written, || Ok(HostMessage::Security)) }
}

/// The key at `key`, `key_len` bytes (`CB_WIRE_KEY_BYTES`).
///
/// # Safety
/// `key` NULL or `key_len` readable bytes.
unsafe fn key_of(key: *const u8, key_len: usize) -> Result<Key, cb_status> {
    if key.is_null() {
        return Err(CB_STATUS_NULL_ARGUMENT);
    }
    if key_len != KEY_BYTES {
        return Err(CB_STATUS_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, and `key_len` readable bytes by the caller's contract.
    let bytes = unsafe { core::slice::from_raw_parts(key, key_len) };
    let bytes: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    Ok(Key::new(bytes))
}

/// Seals a frame one of the `cb_wire_encode_*` functions wrote (`frame`, `frame_len` bytes,
/// its delimiter included) for a board that requires authentication: the version-3 frame of
/// the same message, to the same board with the same sequence, carrying `auth` (the board's
/// session and the host's next counter for it) and tagged under the `key_len`-byte key at
/// `key` (`CB_WIRE_KEY_BYTES`). Writes it into `buffer` and its length into `*written`, as the
/// encoders do (`CB_WIRE_MAX_FRAME_BYTES` always suffices).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (a key of another length;
/// `frame` not one whole frame of version 2), `CB_STATUS_BUFFER_TOO_SMALL` (the length needed
/// is written to `*written`, nothing to `buffer`). No allocation.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `key` NULL or `key_len` readable bytes; `frame` NULL or `frame_len` readable bytes;
/// `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_seal(
    key: *const u8,
    key_len: usize,
    auth: cb_wire_auth,
    frame: *const u8,
    frame_len: usize,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    guard(|| {
        // SAFETY: forwarded caller contract.
        let key = unsafe { key_of(key, key_len) }?;
        check_out(written)?;
        if frame.is_null() || (buffer.is_null() && len != 0) {
            return Err(CB_STATUS_NULL_ARGUMENT);
        }
        // SAFETY: non-NULL, `frame_len` readable bytes by the caller's contract.
        let frame = unsafe { core::slice::from_raw_parts(frame, frame_len) };
        let auth = Auth { session: auth.session, counter: auth.counter };
        let mut sealed = [0_u8; MAX_FRAME_BYTES];
        let needed = wire::seal(&key, auth, frame, &mut sealed).map_err(|e| match e {
            SealError::NotAFrame => CB_STATUS_INVALID_ARGUMENT,
            // A frame of version 2 with room for 24 bytes more: every message (a core test).
            _ => CB_STATUS_PANIC,
        })?;
        let bytes = sealed.get(..needed).ok_or(CB_STATUS_PANIC)?;
        // SAFETY: forwarded caller contract; `written` checked by check_out.
        unsafe { copy_out(bytes, buffer, len, written) }
    })
}

/// A stream decoder of the boards' answers on one line: the bytes go in as they are read, in
/// any chunking, and each complete answer comes out; frames that are garbage, cut off,
/// corrupted or of another version are discarded and counted. Opaque;
/// `cb_wire_decoder_size()` bytes aligned to `cb_wire_decoder_align()`.
///
/// Thread-safety: one caller at a time per decoder (a call taking `cb_wire_decoder *` needs
/// exclusive use of it); different decoders are independent.
#[derive(Debug)]
pub struct cb_wire_decoder {
    decoder: FrameDecoder,
    /// An internal panic left the decoder unknown: every later call is refused.
    poisoned: bool,
    /// Made by `cb_wire_decoder_new` (freed by `cb_wire_decoder_free`).
    on_heap: bool,
}

handle!(cb_wire_decoder, decoder: FrameDecoder);

impl cb_wire_decoder {
    const fn new(on_heap: bool) -> Self {
        Self { decoder: FrameDecoder::new(), poisoned: false, on_heap }
    }
}

/// Makes an empty decoder on the heap and writes it to `*out`; free it with
/// `cb_wire_decoder_free`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` or `CB_STATUS_MISALIGNED` for a bad `out`.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `out` must be NULL or point to writable memory for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_new(out: *mut *mut cb_wire_decoder) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { compute_into(out, || Ok(Box::into_raw(Box::new(cb_wire_decoder::new(true))))) }
}

/// The bytes a decoder needs in caller memory (`cb_wire_decoder_init`).
///
/// Thread-safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cb_wire_decoder_size() -> usize {
    size_of::<cb_wire_decoder>()
}

/// The alignment a decoder needs in caller memory.
///
/// Thread-safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cb_wire_decoder_align() -> usize {
    align_of::<cb_wire_decoder>()
}

/// Makes an empty decoder in caller memory of `len` bytes at `memory` (at least
/// `cb_wire_decoder_size()` bytes aligned to `cb_wire_decoder_align()`); no allocation, no
/// freeing. Writes its handle to `*out`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED`, `CB_STATUS_BUFFER_TOO_SMALL`.
///
/// Thread-safety: safe from any thread; the memory must not be in use by anyone else.
///
/// # Safety
/// `memory` NULL or `len` writable bytes not used for anything else while the decoder lives;
/// `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_init(
    memory: *mut core::ffi::c_void,
    len: usize,
    out: *mut *mut cb_wire_decoder,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        // The place is checked by place_in; writable and unshared by the caller's contract.
        // `write` does not read the old contents.
        compute_into(out, || {
            place_in(memory, len, |place: *mut cb_wire_decoder| {
                place.write(cb_wire_decoder::new(false))
            })
        })
    }
}

/// Frees a decoder made by `cb_wire_decoder_new`; NULL and decoders in caller memory are
/// ignored.
///
/// Thread-safety: the decoder must not be in use.
///
/// # Safety
/// `decoder` NULL or live and not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_free(decoder: *mut cb_wire_decoder) {
    let _ = guard(|| {
        if decoder.is_null() || !decoder.is_aligned() {
            return Ok(());
        }
        // SAFETY: a live decoder by the caller's contract.
        if unsafe { (*decoder).on_heap } {
            // SAFETY: made by Box::into_raw in cb_wire_decoder_new and not freed before.
            drop(unsafe { Box::from_raw(decoder) });
        }
        Ok(())
    });
}

/// Feeds the decoder `len` bytes read off the line, up to and including the end of the first
/// board answer among them: `*consumed` says how many were taken (feed the rest again), and
/// `*has_answer` whether `*answer` holds an answer. Frames discarded on the way are counted
/// (`cb_wire_decoder_counts`), never returned. Answers of every board address are handed back;
/// the caller matches `answer.address` and `answer.sequence` to what it sent.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` (`bytes` may be NULL only with `len` 0),
/// `CB_STATUS_MISALIGNED`, `CB_STATUS_POISONED`. `*consumed` and `*has_answer` are written on
/// `CB_STATUS_OK`; `*answer` only when `*has_answer` is true. No allocation.
///
/// Thread-safety: writes the decoder.
///
/// # Safety
/// `decoder` NULL or live and unshared; `bytes` NULL or `len` readable bytes; `consumed`,
/// `has_answer` and `answer` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_feed(
    decoder: *mut cb_wire_decoder,
    bytes: *const u8,
    len: usize,
    consumed: *mut usize,
    has_answer: *mut bool,
    answer: *mut cb_board_answer,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(decoder, |decoder| {
            check_out(consumed)?;
            check_out(has_answer)?;
            check_out(answer)?;
            let bytes = match (bytes.is_null(), len) {
                (true, 0) => &[][..],
                (true, _) => return Err(CB_STATUS_NULL_ARGUMENT),
                (false, _) => core::slice::from_raw_parts(bytes, len),
            };
            let mut taken = 0;
            let mut found = None;
            for &byte in bytes {
                taken += 1;
                if let Some(Decoded::Frame(header, message)) =
                    decoder.feed::<BoardMessage>(byte, |_| true)
                {
                    found = Some(cb_board_answer::from((header, message)));
                    break;
                }
            }
            write_out(consumed, taken);
            write_out(has_answer, found.is_some());
            if let Some(found) = found {
                write_out(answer, found);
            }
            Ok(())
        })
    }
}

/// From now on, takes only answers authenticated under the `key_len`-byte key at `key`
/// (`CB_WIRE_KEY_BYTES`): version 3, tagged as from the board; each answer then says the
/// board's session and the counter it answers (`has_auth`, `auth`). Answers of versions 1 and
/// 2 and answers whose tag fails are discarded and counted (`cb_wire_decoder_auth_counts`).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED`, `CB_STATUS_POISONED`,
/// `CB_STATUS_INVALID_ARGUMENT` (a key of another length).
///
/// Thread-safety: writes the decoder.
///
/// # Safety
/// `decoder` NULL or live and unshared; `key` NULL or `key_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_set_key(
    decoder: *mut cb_wire_decoder,
    key: *const u8,
    key_len: usize,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(decoder, |decoder| {
            let key = key_of(key, key_len)?;
            decoder.set_key(key, Direction::BoardToHost);
            Ok(())
        })
    }
}

/// What the decoder has refused for want of authentication so far, by reason (all zero
/// before `cb_wire_decoder_set_key`).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED`, `CB_STATUS_POISONED`. `*out` is
/// written only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the decoder.
///
/// # Safety
/// `decoder` NULL or live; `out` NULL or writable for a `cb_wire_auth_counts`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_auth_counts(
    decoder: *const cb_wire_decoder,
    out: *mut cb_wire_auth_counts,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        read_into(decoder, out, |decoder| Ok(cb_wire_auth_counts::from(decoder.auth_counts())))
    }
}

/// What the decoder has accepted and discarded so far, by reason.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED`, `CB_STATUS_POISONED`. `*out` is
/// written only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the decoder.
///
/// # Safety
/// `decoder` NULL or live; `out` NULL or writable for a `cb_wire_counts`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_counts(
    decoder: *const cb_wire_decoder,
    out: *mut cb_wire_counts,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { read_into(decoder, out, |decoder| Ok(cb_wire_counts::from(decoder.counts()))) }
}

/// Drops a frame the line fell silent in the middle of (a board reset mid-answer, a cut
/// cable), counting it as truncated, so the next answer after the silence is not glued to its
/// remains. Call it when the line has been quiet for a while; `*dropped` (if not NULL) says
/// whether there was one.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` (`decoder`), `CB_STATUS_MISALIGNED`, `CB_STATUS_POISONED`.
///
/// Thread-safety: writes the decoder.
///
/// # Safety
/// `decoder` NULL or live and unshared; `dropped` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_wire_decoder_abandon(
    decoder: *mut cb_wire_decoder,
    dropped: *mut bool,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(decoder, |decoder| {
            if dropped.is_null() {
                decoder.abandon();
                Ok(())
            } else {
                answer_into(dropped, || Ok(decoder.abandon()))
            }
        })
    }
}
