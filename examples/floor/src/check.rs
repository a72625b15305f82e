//! Is the board there? One question on its line, and its answer: a callboard board is sent a
//! `Ping` and answers with its status; an Alpha or Spectrum sign is sent a memory-configuration
//! read (`F$`) and answers with the files it keeps. A sign answers only on a two-way line
//! (RS-232 with its transmit wire connected, or RS-485); many installations only send.

use std::time::{Duration, Instant};

use callboard_core::alpha::ANSWER_TYPE;
use callboard_core::alpha::layout::{SignProfile, memory_query};
use callboard_core::alpha::sign::{FileEntry, PacketDecoder, memory_table};
use callboard_core::wire::{
    Auth, AuthCounts, BROADCAST_ADDRESS, BoardMessage, DecodeCounts, Decoded, Direction,
    FrameDecoder, HostMessage, Key, MAX_FRAME_BYTES, encode, encode_authenticated,
};

use crate::feed::{Link, connect, read_within};

/// What the board answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A callboard board's status.
    Board {
        /// Seconds since it started.
        uptime_s: u32,
        /// What its decoder accepted and discarded.
        counts: DecodeCounts,
        /// The sequence of the frame it shows, if any.
        shown_sequence: Option<u16>,
    },
    /// A sign's files.
    Sign(Vec<FileEntry>),
    /// A board that requires authentication: its session, the last counter it accepted, and
    /// what it refused, in an answer whose tag held under the key and which echoes the
    /// question's random counter (so it is this board's, and fresh).
    Secured {
        /// The board's session (its count of starts).
        session: u32,
        /// The last counter it accepted in that session.
        last_counter: u32,
        /// What it refused, by reason.
        counts: AuthCounts,
    },
}

/// A line both ways, as one thing.
pub trait Duplex: std::io::Read + std::io::Write {}
impl<T: std::io::Read + std::io::Write + ?Sized> Duplex for T {}

/// A line's two halves, opened apart, as one [`Duplex`].
pub struct Split<'a>(pub &'a mut dyn std::io::Write, pub &'a mut dyn std::io::Read);

impl std::fmt::Debug for Split<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Split(..)")
    }
}

impl std::io::Read for Split<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.1.read(buffer)
    }
}

impl std::io::Write for Split<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

const BROADCAST_UNANSWERED: &str =
    "255 is every board, and boards do not answer a broadcast: give one board's address";

/// Asks the board at `address` on `link`, which requires authentication under `key`, for its
/// session, the last counter it accepted and what it refused, waiting `patience`.
///
/// # Errors
/// The link's, a broadcast address, or no authentic answer in time.
pub fn check_secured(
    link: &Link,
    address: u8,
    key: &Key,
    patience: Duration,
) -> Result<Answer, String> {
    if address == BROADCAST_ADDRESS {
        return Err(BROADCAST_UNANSWERED.into());
    }
    let (mut out, mut input) = connect(link, None)?;
    let mut line = Split(&mut *out, &mut *input);
    let (session, last_counter, counts) = ask_security(&mut line, link, address, key, patience)?;
    Ok(Answer::Secured { session, last_counter, counts })
}

/// What a host says of a keyed board in session 0, which could not count its start.
#[must_use]
pub fn cannot_count_its_start(address: u8, line: &str) -> String {
    format!(
        "board {address} on {line} could not count its start (writing its boot log failed): it \
         takes no authenticated frame that changes its display and will show no data; restart \
         it, and if that does not help, its flash needs replacing"
    )
}

/// Asks a board that requires authentication what [`Answer::Secured`] says, on an open line:
/// the question in session 0 with a random counter, the answer's tag checked and its echo of
/// that counter required. Returns the session, the last counter and the counts.
///
/// # Errors
/// The line's, or no authentic answer within `patience` (a board without this key, or
/// without one at all, answers nothing a keyed decoder takes), or a board in session 0: one
/// that could not count its start, which shows nothing authenticated.
pub fn ask_security(
    line: &mut dyn Duplex,
    link: &Link,
    address: u8,
    key: &Key,
    patience: Duration,
) -> Result<(u32, u32, AuthCounts), String> {
    let mut nonce = [0_u8; 4];
    getrandom::fill(&mut nonce).map_err(|e| format!("no random source: {e}"))?;
    let auth = Auth { session: 0, counter: u32::from_le_bytes(nonce) };
    let mut question = [0_u8; MAX_FRAME_BYTES];
    let len = encode_authenticated(key, address, 1, auth, &HostMessage::Security, &mut question)
        .map_err(|e| e.to_string())?;
    line.write_all(question.get(..len).unwrap_or(&[]))
        .and_then(|()| line.flush())
        .map_err(|e| format!("{link}: {e}"))?;
    let mut frames = FrameDecoder::<MAX_FRAME_BYTES>::with_key(key.clone(), Direction::BoardToHost);
    let deadline = Instant::now() + patience;
    let mut buffer = [0_u8; 256];
    while Instant::now() < deadline {
        let n = match read_within(line, &mut buffer) {
            Ok(None) => continue,
            Ok(Some(0)) => return Err(format!("{link}: the line closed before an answer")),
            Ok(Some(n)) => n,
            Err(e) => return Err(format!("{link}: {e}")),
        };
        for &byte in buffer.get(..n).unwrap_or(&[]) {
            if let Some(Decoded::Frame(
                header,
                BoardMessage::Security { session, last_counter, counts },
            )) = frames.feed::<BoardMessage>(byte, |a| a == address)
            {
                if header.auth.is_some_and(|a| a.counter == auth.counter) {
                    if session == 0 {
                        return Err(cannot_count_its_start(address, &link.to_string()));
                    }
                    return Ok((session, last_counter, counts));
                }
            }
        }
    }
    let refused = frames.auth_counts();
    Err(format!(
        "no authentic answer from board {address} on {link} within {} ms ({} unauthenticated \
         and {} forged answers heard: check the board's key)",
        patience.as_millis(),
        refused.unauthenticated,
        refused.forged
    ))
}

/// Asks the board at `address` on `link` (a sign of kind `sign`, or a callboard board) whether
/// it is there, waiting `patience` for the answer.
///
/// # Errors
/// The link's, a broadcast address (every board: none answers), or no answer in time.
pub fn check(
    link: &Link,
    address: u8,
    sign: Option<&SignProfile>,
    patience: Duration,
) -> Result<Answer, String> {
    if sign.is_none() && address == BROADCAST_ADDRESS {
        return Err(BROADCAST_UNANSWERED.into());
    }
    let (mut out, mut input) = connect(link, sign)?;
    let mut question = [0_u8; MAX_FRAME_BYTES];
    let len = match sign {
        Some(profile) => memory_query(profile, address, &mut question).map_err(|e| e.to_string()),
        None => encode(address, 1, &HostMessage::Ping, &mut question).map_err(|e| e.to_string()),
    }?;
    out.write_all(question.get(..len).unwrap_or(&[]))
        .and_then(|()| out.flush())
        .map_err(|e| format!("{link}: {e}"))?;
    let mut frames = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let mut packets = PacketDecoder::<MAX_FRAME_BYTES>::new();
    let deadline = Instant::now() + patience;
    let mut buffer = [0_u8; 256];
    while Instant::now() < deadline {
        let n = match read_within(&mut input, &mut buffer) {
            Ok(None) => continue,
            Ok(Some(0)) => return Err(format!("{link}: the line closed before an answer")),
            Ok(Some(n)) => n,
            Err(e) => return Err(format!("{link}: {e}")),
        };
        for &byte in buffer.get(..n).unwrap_or(&[]) {
            if sign.is_some() {
                let Some(received) = packets.feed(byte) else { continue };
                // A sign answers as type 0, address 00; its table must check.
                if received.type_code == ANSWER_TYPE && received.checksum_ok != Some(false) {
                    if let Some(files) = memory_table(&received) {
                        return Ok(Answer::Sign(files.into_iter().collect()));
                    }
                }
            } else if let Some(Decoded::Frame(
                _,
                BoardMessage::Status { uptime_s, counts, shown_sequence },
            )) = frames.feed::<BoardMessage>(byte, |a| a == address)
            {
                return Ok(Answer::Board { uptime_s, counts, shown_sequence });
            }
        }
    }
    let what =
        if sign.is_some() { format!("sign {address:02X}") } else { format!("board {address}") };
    let hint = if sign.is_some() {
        " (a sign answers only on a two-way line: RS-232 with its transmit wire connected, or \
         RS-485; check its address and speed too)"
    } else {
        " (check its address, the line's speed and the wiring)"
    };
    Err(format!("no answer from {what} on {link} within {} ms{hint}", patience.as_millis()))
}
