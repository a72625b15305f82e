//! One line to boards (an RS-485 bus behind a serial port or a serial-to-Ethernet converter):
//! one writer, on a thread of its own, taking the boards' latest frames in turn and waiting for
//! each board's answer before the next, so boards on one bus never talk over each other. A
//! board that stops answering is reported and passed over for the others; a TCP line that
//! breaks is reconnected with a growing back-off. Each board's health is kept for whoever asks.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_core::alpha::layout::SignProfile;
use callboard_core::wire::{
    Auth, BoardMessage, BoardSettings, Decoded, Direction, FrameDecoder, Header, HostMessage, Key,
    MAX_FRAME_BYTES, NackReason, encode, encode_authenticated,
};
use callboard_floor::alpha::Sign;
use callboard_floor::feed::Link;
use serde::Serialize;

use crate::config::Line;

/// How long a board may take to answer a frame.
pub const ANSWER_TIME: Duration = Duration::from_secs(1);
/// Frames unanswered in a row before a board is reported down.
pub const DOWN_AFTER: u32 = 3;
/// The longest wait before reconnecting a broken line.
const MOST_BACKOFF: Duration = Duration::from_secs(30);

/// One board's health, as its line saw it.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Health {
    /// The line's name.
    pub line: String,
    /// The board's address.
    pub address: u8,
    /// Messages sent (settings and frames).
    pub sent: u64,
    /// Acknowledged.
    pub acknowledged: u64,
    /// Refused (with a reason the log line names).
    pub refused: u64,
    /// Not answered in time.
    pub unanswered: u64,
    /// When it last answered, ms since the epoch.
    pub last_answer_ms: Option<u64>,
    /// Whether it answers (false after [`DOWN_AFTER`] frames unanswered in a row).
    pub up: bool,
    /// How far behind the frame it last acknowledged was, ms (the frame's age on arrival).
    pub behind_ms: u64,
}

/// What a line sends a board next.
#[derive(Debug, Clone)]
// One a board, kept in its slot as the service's messages always were: boxing the frame would
// allocate for each one to save nothing.
#[allow(clippy::large_enum_variant)]
pub enum Outgoing {
    /// A message, encoded (and sealed, for a board with a key here) by the line.
    Message(HostMessage),
    /// A frame sealed elsewhere (by the site, for a gateway that holds no key), sent as it is:
    /// its answer, sealed by the board, goes back as it is too.
    Sealed {
        /// The frame's bytes on the wire.
        bytes: Vec<u8>,
        /// Its sequence, which the answer echoes.
        sequence: u16,
    },
}

/// What the service hands a line: each board's next message, newest wins.
#[derive(Debug, Default)]
pub struct Slots {
    next: Mutex<Vec<Option<(Outgoing, Instant)>>>,
    ready: Condvar,
}

impl Slots {
    fn new(boards: usize) -> Self {
        Self { next: Mutex::new(vec![None; boards]), ready: Condvar::new() }
    }

    /// Puts `message` as board `i`'s next, in place of one not sent yet.
    pub fn put(&self, i: usize, message: HostMessage) {
        self.put_outgoing(i, Outgoing::Message(message));
    }

    /// Puts `outgoing` as board `i`'s next, in place of one not sent yet.
    pub fn put_outgoing(&self, i: usize, outgoing: Outgoing) {
        let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(slot) = next.get_mut(i) {
            *slot = Some((outgoing, Instant::now()));
        }
        self.ready.notify_one();
    }
}

trait Wire: Read + Write + Send {}
impl<T: Read + Write + Send> Wire for T {}

/// Opens `link`: a serial line 8N1, or 7E1 for Alpha signs and 7E2 for Spectrum signs (the
/// profile of the line's signs, `sign`).
fn open(link: &Link, sign: Option<&SignProfile>) -> Result<Box<dyn Wire>, String> {
    match link {
        Link::Tcp(to) => {
            let address = to
                .parse()
                .or_else(|_| {
                    std::net::ToSocketAddrs::to_socket_addrs(to)
                        .map_err(|e| e.to_string())?
                        .next()
                        .ok_or_else(|| "no address".to_owned())
                })
                .map_err(|e| format!("cannot resolve {to}: {e}"))?;
            let stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))
                .map_err(|e| format!("cannot connect to {to}: {e}"))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            stream.set_read_timeout(Some(Duration::from_millis(50))).map_err(|e| e.to_string())?;
            Ok(Box::new(stream))
        }
        Link::Serial { path, baud } => {
            let (bits, parity, stop_bits) = callboard_floor::alpha::serial_frame(sign);
            let port = serialport::new(path, *baud)
                .data_bits(bits)
                .parity(parity)
                .stop_bits(stop_bits)
                .timeout(Duration::from_millis(50))
                .open()
                .map_err(|e| format!("cannot open {path}: {e}"))?;
            Ok(Box::new(port))
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A running line.
#[derive(Debug)]
pub struct Running {
    /// Where the service puts each board's next message.
    pub slots: Arc<Slots>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Waits for the line's thread after `stop` was set.
    pub fn join(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the writer of `line` for the boards at `addresses`, each given its `settings` (if
/// any: a board whose messages are sealed elsewhere takes no unsealed settings) each
/// time the line (re)connects; `health` has one entry per board at
/// `first..first + addresses.len()`. Ends when `stop` is set.
///
/// # Errors
/// When the thread cannot be started.
#[allow(clippy::too_many_arguments)] // a line's whole world, handed over once
pub fn start(
    line: Line,
    addresses: Vec<u8>,
    signs: Vec<Option<SignProfile>>,
    keys: Vec<Option<Key>>,
    settings: Vec<Option<BoardSettings>>,
    health: Arc<Mutex<Vec<Health>>>,
    first: usize,
    stop: Arc<AtomicBool>,
    sealed_answers: Option<std::sync::mpsc::Sender<(usize, Vec<u8>)>>,
) -> Result<Running, String> {
    let slots = Arc::new(Slots::new(addresses.len()));
    let name = format!("line {}", line.name);
    let thread = std::thread::Builder::new()
        .name(name.clone())
        .spawn({
            let slots = Arc::clone(&slots);
            move || {
                let mut signs: Vec<Option<Sign>> = signs
                    .iter()
                    .zip(&addresses)
                    .map(|(p, &a)| p.map(|p| Sign::new(p, a)))
                    .collect();
                let mut seals: Vec<Option<Seal>> =
                    keys.into_iter().map(|key| key.map(Seal::new)).collect();
                let boards = Boards {
                    addresses: &addresses,
                    signs: &mut signs,
                    seals: &mut seals,
                    sealed_answers: sealed_answers.as_ref(),
                };
                run(&line, boards, &settings, &slots, &health, first, &stop);
            }
        })
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    Ok(Running { slots, thread: Some(thread) })
}

/// What the host keeps for a board that requires authenticated frames: a decoder of its
/// answers under its key (the key is the decoder's), its session once asked (none after each
/// (re)connection), and the last counter used.
pub(crate) struct Seal {
    pub(crate) answers: FrameDecoder<MAX_FRAME_BYTES>,
    pub(crate) session: Option<u32>,
    pub(crate) counter: u32,
}

impl Seal {
    pub(crate) fn new(key: Key) -> Self {
        Self {
            answers: FrameDecoder::with_key(key, Direction::BoardToHost),
            session: None,
            counter: 0,
        }
    }

    /// The board said `Nack(OtherSession)`: it restarted, and its answer's header names its
    /// session; the next frame is sealed for that one, counting from 1.
    pub(crate) fn follow(&mut self, auth: Option<Auth>) {
        self.session = auth.map(|auth| auth.session);
        self.counter = 0;
    }

    /// The next frame's authentication, in the known session (0 before it is known).
    pub(crate) fn next_auth(&mut self) -> Auth {
        self.counter = self.counter.wrapping_add(1);
        Auth { session: self.session.unwrap_or(0), counter: self.counter }
    }
}

/// The boards on a line, each with what the host keeps for it.
struct Boards<'a> {
    addresses: &'a [u8],
    signs: &'a mut [Option<Sign>],
    seals: &'a mut [Option<Seal>],
    /// Where the answers to [`Outgoing::Sealed`] frames go, with the board's index on the line.
    sealed_answers: Option<&'a std::sync::mpsc::Sender<(usize, Vec<u8>)>>,
}

fn run(
    line: &Line,
    boards: Boards<'_>,
    settings: &[Option<BoardSettings>],
    slots: &Slots,
    health: &Mutex<Vec<Health>>,
    first: usize,
    stop: &AtomicBool,
) {
    let Boards { addresses, signs, seals, sealed_answers } = boards;
    // A line driven by a gateway is not driven from here.
    let Some(link) = &line.link else { return };
    let mut wire: Option<Box<dyn Wire>> = None;
    let mut backoff = Duration::from_secs(1);
    let mut retry_at = Instant::now();
    let mut said_down = false;
    let mut sequences = vec![1_u16; addresses.len()];
    let mut missed = vec![0_u32; addresses.len()];
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    while !stop.load(Ordering::SeqCst) {
        if wire.is_none() {
            if Instant::now() < retry_at {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            let sign = signs.iter().flatten().next().map(|sign| &sign.profile);
            match open(link, sign) {
                Ok(opened) => {
                    eprintln!("callboard serve: line {}: connected ({link})", line.name);
                    wire = Some(opened);
                    backoff = Duration::from_secs(1);
                    said_down = false;
                    decoder.reset();
                    // A board may have restarted while the line was down: ask its session again.
                    for seal in seals.iter_mut().flatten() {
                        seal.session = None;
                        seal.answers.reset();
                    }
                    // Each board's settings first, on every (re)connection; each sign is sent
                    // its next frame whole.
                    let mut slots_now =
                        slots.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    for ((slot, s), sign) in
                        slots_now.iter_mut().zip(settings).zip(signs.iter_mut())
                    {
                        match sign {
                            Some(sign) => sign.forget(),
                            // None for a board whose messages are sealed elsewhere.
                            None if slot.is_none() => {
                                if let Some(s) = s {
                                    *slot = Some((
                                        Outgoing::Message(HostMessage::Configure(*s)),
                                        Instant::now(),
                                    ));
                                }
                            }
                            None => {}
                        }
                    }
                }
                Err(e) => {
                    if !said_down {
                        eprintln!("callboard serve: line {}: {e}; retrying", line.name);
                        said_down = true;
                    }
                    retry_at = Instant::now() + backoff;
                    backoff = (backoff * 2).min(MOST_BACKOFF);
                    continue;
                }
            }
        }
        let next: Vec<Option<(Outgoing, Instant)>> = {
            let mut slots_now =
                slots.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if slots_now.iter().all(Option::is_none) {
                slots_now = slots
                    .ready
                    .wait_timeout(slots_now, Duration::from_millis(100))
                    .map(|(guard, _)| guard)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            slots_now.iter_mut().map(Option::take).collect()
        };
        for (i, message) in next.into_iter().enumerate() {
            let (Some((outgoing, queued)), Some(&address), Some(wire_now)) =
                (message, addresses.get(i), wire.as_mut())
            else {
                continue;
            };
            let message = match outgoing {
                Outgoing::Message(message) => message,
                Outgoing::Sealed { bytes, sequence } => {
                    if let Err(e) = wire_now.write_all(&bytes).and_then(|()| wire_now.flush()) {
                        eprintln!("callboard serve: line {}: {e}; reconnecting", line.name);
                        wire = None;
                        retry_at = Instant::now() + backoff;
                        break;
                    }
                    let answer = await_sealed_answer(wire_now.as_mut(), address, sequence, stop);
                    // The answer is sealed for the site, which reads it: here an answer counts
                    // as acknowledged, silence as unanswered.
                    let mut health =
                        health.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    if let (Some(h), Some(missed)) = (health.get_mut(first + i), missed.get_mut(i))
                    {
                        record(h, missed, answer.as_ref().map(|_| None), queued, &line.name);
                    }
                    drop(health);
                    if let (Some(answer), Some(sink)) = (answer, sealed_answers) {
                        let _ = sink.send((i, answer));
                    }
                    continue;
                }
            };
            if let Some(Some(sign)) = signs.get_mut(i) {
                // An Alpha sign: its changed files, paced; it does not answer.
                let HostMessage::Display(frame) = message else { continue };
                let written = sign.packets(&frame).and_then(|packets| {
                    packets.iter().try_for_each(|p| {
                        callboard_floor::alpha::write_paced(wire_now.as_mut(), p)
                            .map_err(|e| e.to_string())
                    })
                });
                if let Err(e) = written {
                    eprintln!("callboard serve: line {}: {e}; reconnecting", line.name);
                    wire = None;
                    retry_at = Instant::now() + backoff;
                    break;
                }
                let mut health = health.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(h) = health.get_mut(first + i) {
                    h.sent += 1;
                    h.up = true;
                    h.behind_ms = u64::try_from(queued.elapsed().as_millis()).unwrap_or(u64::MAX);
                }
                continue;
            }
            let mut seal = seals.get_mut(i).and_then(Option::as_mut);
            if let Some(seal) = seal.as_mut().filter(|seal| seal.session.is_none()) {
                // A seal's decoder always has its key: it is made with one.
                let Some(key) = seal.answers.key().cloned() else { continue };
                let asked = callboard_floor::check::ask_security(
                    wire_now,
                    link,
                    address,
                    &key,
                    ANSWER_TIME,
                );
                match asked {
                    Ok((session, last_counter, _)) => {
                        seal.session = Some(session);
                        seal.counter = last_counter;
                    }
                    Err(e) => {
                        eprintln!("callboard serve: board {address} on {}: {e}", line.name);
                        let mut slots_now =
                            slots.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        // The message waits for the next try, unless a newer one came.
                        if let Some(slot @ None) = slots_now.get_mut(i) {
                            *slot = Some((Outgoing::Message(message), queued));
                        }
                        continue;
                    }
                }
            }
            let sequence = sequences.get(i).copied().unwrap_or(1);
            if let Some(s) = sequences.get_mut(i) {
                *s = s.wrapping_add(1).max(1);
            }
            let mut bytes = [0_u8; MAX_FRAME_BYTES];
            let encoded = match seal.as_mut() {
                Some(seal) => {
                    let auth = seal.next_auth();
                    match seal.answers.key() {
                        Some(key) => {
                            encode_authenticated(key, address, sequence, auth, &message, &mut bytes)
                        }
                        None => continue,
                    }
                }
                None => encode(address, sequence, &message, &mut bytes),
            };
            let Ok(len) = encoded else { continue };
            if let Err(e) = wire_now.write_all(bytes.get(..len).unwrap_or(&[])) {
                eprintln!("callboard serve: line {}: {e}; reconnecting", line.name);
                wire = None;
                retry_at = Instant::now() + backoff;
                break;
            }
            let answers = seal.as_mut().map_or(&mut decoder, |seal| &mut seal.answers);
            let answered = await_answer(wire_now.as_mut(), answers, address, sequence, stop);
            if let (Some(seal), Some((header, BoardMessage::Nack(NackReason::OtherSession)))) =
                (seal.as_mut(), &answered)
            {
                seal.follow(header.auth);
            }
            let outcome = answered.map(|(_, message)| match message {
                BoardMessage::Nack(reason) => Some(reason),
                _ => None,
            });
            let mut health = health.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let (Some(h), Some(missed)) = (health.get_mut(first + i), missed.get_mut(i)) {
                record(h, missed, outcome, queued, &line.name);
            }
        }
    }
}

/// Counts a message sent to a board in its health: `outcome` is `None` when it went
/// unanswered, `Some(None)` when acknowledged and `Some(Some(reason))` when refused. A board
/// silent [`DOWN_AFTER`] times in a row is reported down, and up again when it answers.
fn record(
    h: &mut Health,
    missed: &mut u32,
    outcome: Option<Option<NackReason>>,
    queued: Instant,
    line: &str,
) {
    let address = h.address;
    h.sent += 1;
    match outcome {
        Some(Some(reason)) => {
            h.refused += 1;
            eprintln!("callboard serve: board {address} on {line}: refused ({reason:?})");
        }
        Some(None) => {
            h.acknowledged += 1;
            h.behind_ms = u64::try_from(queued.elapsed().as_millis()).unwrap_or(u64::MAX);
        }
        None => h.unanswered += 1,
    }
    if outcome.is_some() {
        h.last_answer_ms = Some(now_ms());
        if !h.up {
            eprintln!("callboard serve: board {address} on {line}: answering");
        }
        h.up = true;
        *missed = 0;
    } else {
        *missed += 1;
        if *missed == DOWN_AFTER {
            h.up = false;
            eprintln!(
                "callboard serve: board {address} on {line}: not answering ({DOWN_AFTER} frames in a row)"
            );
        }
    }
}

/// Reads the line until a sealed answer (version 3) from board `address` to `sequence` comes,
/// [`ANSWER_TIME`] passes, or `stop` is set: the answer's bytes on the wire, its delimiter
/// included, its tag not checked (the site checks it; only the header is read here).
fn await_sealed_answer(
    wire: &mut dyn Wire,
    address: u8,
    sequence: u16,
    stop: &AtomicBool,
) -> Option<Vec<u8>> {
    let mut frame: Vec<u8> = Vec::new();
    read_answer(wire, stop, |byte| {
        frame.push(byte);
        if byte != 0 {
            if frame.len() > 2 * MAX_FRAME_BYTES {
                frame.clear();
            }
            return None;
        }
        let whole = std::mem::take(&mut frame);
        (sealed_header(&whole) == Some((address, sequence))).then_some(whole)
    })
}

/// Reads the line, each byte to `take`, until `take` has the answer, [`ANSWER_TIME`] passes,
/// the line closes or fails, or `stop` is set (a stop does not wait for a silent board).
fn read_answer<T>(
    wire: &mut dyn Wire,
    stop: &AtomicBool,
    mut take: impl FnMut(u8) -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + ANSWER_TIME;
    let mut buffer = [0_u8; 256];
    while Instant::now() < deadline && !stop.load(Ordering::SeqCst) {
        let n = match wire.read(&mut buffer) {
            Ok(0) => return None,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(_) => return None,
        };
        if let Some(answer) = buffer.get(..n).unwrap_or(&[]).iter().find_map(|&b| take(b)) {
            return Some(answer);
        }
    }
    None
}

/// The address and sequence of a sealed frame (version 3) on the wire, its delimiter included:
/// the public part of its header, read without the key.
#[must_use]
pub fn sealed_header(frame: &[u8]) -> Option<(u8, u16)> {
    let body = frame.strip_suffix(&[0])?;
    let mut decoded = [0_u8; MAX_FRAME_BYTES];
    let len = cobs::decode(body, &mut decoded).ok()?;
    match decoded.get(..len)? {
        [3, address, low, high, ..] => Some((*address, u16::from_le_bytes([*low, *high]))),
        _ => None,
    }
}

/// Reads the line until board `address` answers `sequence`, [`ANSWER_TIME`] passes, or `stop`
/// is set. Other boards' answers and noise are passed over.
fn await_answer(
    wire: &mut dyn Wire,
    decoder: &mut FrameDecoder<MAX_FRAME_BYTES>,
    address: u8,
    sequence: u16,
    stop: &AtomicBool,
) -> Option<(Header, BoardMessage)> {
    let answer = read_answer(wire, stop, |byte| {
        match decoder.feed::<BoardMessage>(byte, |a| a == address) {
            Some(Decoded::Frame(header, message)) if header.sequence == sequence => {
                Some((header, message))
            }
            _ => None,
        }
    });
    if answer.is_none() {
        // What was half read belongs to no answer awaited any more.
        decoder.abandon();
    }
    answer
}
