//! `callboard board send`: feeding a reader board its frames over a serial line (RS-485
//! adapters show up as serial ports) or a TCP socket (serial-to-Ethernet converters, and the
//! emulated board), at a steady rate, and hearing what it answers.
//!
//! The bytes are exactly [`wire::encode`]'s, as `PROTOCOL.md` documents them. Answers are
//! decoded with the protocol's own stream decoder on a thread of their own and counted; a board
//! that says nothing is reported, not waited for: frames carry their own time-to-live, so a
//! lost frame is replaced by the next one. Only at the end is a board that is still answering
//! waited for, until its answers stop.

use std::collections::HashSet;
use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_core::calendar::{SiteCalendar, Timestamp};
use callboard_core::csat::CsatConfig;
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::wire::{
    self, Auth, BoardMessage, BoardSettings, Decoded, Direction, FrameDecoder, HostMessage, Key,
    MAX_FRAME_BYTES, NackReason,
};
use callboard_core::{CenterConfig, QueueConfig};

use crate::alpha::Sign;
pub use crate::frame::FrameAddition;
use crate::frame::{FrameSettings, OpeningHours, QueueChoice, frame_from_center, opening_at};
use callboard_core::alpha::layout::SignProfile;
use callboard_core::board::BoardFrame;
use callboard_queue_log::follow::{Follower, Happened};
use callboard_queue_log::replay::{REPLAY_STACK_BYTES, Stepper};
use callboard_queue_log::surveys::SurveyMatcher;
use callboard_queue_log::{self as queue_log, Parsed};

/// Where the board is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// `HOST:PORT` of a serial-to-Ethernet converter or an emulated board.
    Tcp(String),
    /// A serial device (`/dev/ttyUSB0`, `COM3`) at a baud rate, 8 data bits, no parity, one
    /// stop bit, no flow control.
    Serial {
        /// The device.
        path: String,
        /// Bits per second.
        baud: u32,
    },
}

impl std::fmt::Display for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tcp(address) => write!(f, "tcp {address}"),
            Self::Serial { path, baud } => write!(f, "serial {path} at {baud} baud"),
        }
    }
}

/// What the board answered, counted as it arrives.
#[derive(Debug, Default)]
struct Answers {
    /// Frames acknowledged.
    acks: AtomicU64,
    /// Frames refused.
    nacks: AtomicU64,
    /// Bytes from the line that did not make a frame for us (noise, another board's answer).
    discarded: AtomicU64,
}

/// A connection to a board: frames go out, answers are counted.
#[derive(Debug)]
pub struct BoardLine {
    link: Link,
    address: u8,
    out: Box<dyn WriteSend>,
    answers: Arc<Answers>,
    stop: Arc<AtomicBool>,
    listener: Option<JoinHandle<()>>,
    frames_sent: u64,
    bytes_sent: u64,
    /// An Alpha sign rather than a callboard board.
    sign: Option<Sign>,
    /// A board that requires authentication: the key, its session, the last counter used.
    sealing: Option<Arc<Sealing>>,
}

/// What the host keeps to seal its frames for one board: the key, the board's session and the
/// last counter used in it. The listener moves the session on when the board says it restarted
/// (`Nack(OtherSession)`, whose authenticated header names the session).
#[derive(Debug)]
struct Sealing {
    key: Key,
    session: AtomicU32,
    counter: AtomicU32,
}

/// A line opened both ways: what is written to it, what is read from it.
pub type Connection = (Box<dyn WriteSend>, Box<dyn Read + Send>);

/// A writer that can move to another thread.
pub trait WriteSend: Write + Send + std::fmt::Debug {}
impl<T: Write + Send + std::fmt::Debug> WriteSend for T {}

impl BoardLine {
    /// Opens `link` to board `address` (255: every board on the line, which do not answer).
    ///
    /// # Errors
    /// A message naming the link when it cannot be opened.
    pub fn open(link: &Link, address: u8) -> Result<Self, String> {
        Self::open_as(link, address, None)
    }

    /// Opens `link` to an Alpha sign: 7 data bits, even parity on a serial line, as Alpha
    /// signs expect; frames are sent as the sign's files, only what changed after the first.
    ///
    /// # Errors
    /// As [`BoardLine::open`].
    pub fn open_sign(link: &Link, sign: Sign) -> Result<Self, String> {
        Self::open_as(link, sign.address, Some(sign))
    }

    /// Opens `link` to board `address`, which requires frames authenticated under `key`: its
    /// session and the last counter it accepted are asked first (an authentic answer, echoing
    /// a random counter), and each frame after is sealed for that session with the next
    /// counter.
    ///
    /// # Errors
    /// As [`BoardLine::open`], a broadcast address, and no authentic answer to the question.
    pub fn open_authenticated(link: &Link, address: u8, key: Key) -> Result<Self, String> {
        if address == wire::BROADCAST_ADDRESS {
            return Err("authenticated frames go to one board: give its address, not 255".into());
        }
        let (mut out, mut input) = connect(link, None)?;
        let mut line = crate::check::Split(&mut *out, &mut *input);
        let (session, last_counter, _) =
            crate::check::ask_security(&mut line, link, address, &key, Duration::from_secs(3))?;
        let sealing = Sealing {
            key,
            session: AtomicU32::new(session),
            counter: AtomicU32::new(last_counter),
        };
        Self::start(link, address, None, Some(Arc::new(sealing)), (out, input))
    }

    fn open_as(link: &Link, address: u8, sign: Option<Sign>) -> Result<Self, String> {
        let connection = connect(link, sign.as_ref().map(|s| &s.profile))?;
        Self::start(link, address, sign, None, connection)
    }

    /// Starts listening on an open line.
    fn start(
        link: &Link,
        address: u8,
        sign: Option<Sign>,
        sealing: Option<Arc<Sealing>>,
        (out, input): Connection,
    ) -> Result<Self, String> {
        let answers = Arc::new(Answers::default());
        let stop = Arc::new(AtomicBool::new(false));
        let listener = std::thread::Builder::new()
            .name("board answers".into())
            .spawn({
                let (answers, stop, sealing) =
                    (Arc::clone(&answers), Arc::clone(&stop), sealing.clone());
                move || listen(input, address, &answers, &stop, sealing.as_deref())
            })
            .map_err(|e| format!("cannot start the listener: {e}"))?;
        Ok(Self {
            link: link.clone(),
            address,
            out,
            answers,
            stop,
            listener: Some(listener),
            frames_sent: 0,
            bytes_sent: 0,
            sign,
            sealing,
        })
    }

    /// Shows `frame`: a display message with `sequence` to a callboard board, or to an Alpha
    /// sign the packets of what changed since the last frame, paced. Returns the bytes sent.
    ///
    /// # Errors
    /// The encoder's refusal, or the line's write error.
    pub fn show(&mut self, sequence: u16, frame: BoardFrame) -> Result<usize, String> {
        let Some(sign) = &mut self.sign else {
            return self.send(sequence, &HostMessage::Display(frame));
        };
        let mut sent = 0;
        for packet in sign.packets(&frame)? {
            crate::alpha::write_paced(&mut self.out, &packet)
                .map_err(|e| format!("{}: {e}", self.link))?;
            sent += packet.len();
        }
        self.frames_sent += 1;
        self.bytes_sent += sent as u64;
        Ok(sent)
    }

    /// Sends `message` with `sequence`.
    ///
    /// # Errors
    /// The encoder's refusal, or the line's write error (a cable pulled, a socket closed).
    pub fn send(&mut self, sequence: u16, message: &HostMessage) -> Result<usize, String> {
        let mut bytes = [0_u8; MAX_FRAME_BYTES];
        let len = match &self.sealing {
            Some(sealing) => {
                let counter = sealing.counter.fetch_add(1, Ordering::SeqCst).wrapping_add(1);
                let auth = Auth { session: sealing.session.load(Ordering::SeqCst), counter };
                wire::encode_authenticated(
                    &sealing.key,
                    self.address,
                    sequence,
                    auth,
                    message,
                    &mut bytes,
                )
            }
            None => wire::encode(self.address, sequence, message, &mut bytes),
        }
        .map_err(|e| e.to_string())?;
        let frame = bytes.get(..len).unwrap_or(&[]);
        self.out
            .write_all(frame)
            .and_then(|()| self.out.flush())
            .map_err(|e| format!("{}: {e}", self.link))?;
        self.frames_sent += 1;
        self.bytes_sent += len as u64;
        Ok(len)
    }

    /// Waits for the board to acknowledge every frame sent — for as long as its answers keep
    /// coming, giving up once it has been silent for `patience` — then stops listening and says
    /// what happened.
    ///
    /// A board that fell behind (a slow line, a busy emulator) is still draining the frames
    /// queued on the line when the last one is sent: it is waited for, and the summary says
    /// how far behind it was.
    #[must_use]
    pub fn finish(mut self, patience: Duration) -> String {
        if let Some(sign) = &self.sign {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(listener) = self.listener.take() {
                let _ = listener.join();
            }
            return format!(
                "sent {} frames ({} bytes) to the {} Alpha sign at address {} over {} (Alpha \
                 signs do not answer)\n",
                self.frames_sent, self.bytes_sent, sign.profile.name, sign.address, self.link
            );
        }
        let expect_answers = self.address != wire::BROADCAST_ADDRESS;
        let started = Instant::now();
        let mut last_progress = (started, self.answered());
        while expect_answers && self.answered() < self.frames_sent {
            let answered = self.answered();
            if answered != last_progress.1 {
                last_progress = (Instant::now(), answered);
            } else if last_progress.0.elapsed() >= patience {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let drained = started.elapsed();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(listener) = self.listener.take() {
            let _ = listener.join();
        }
        let a = &self.answers;
        let mut summary = format!(
            "sent {} frames ({} bytes) to board {} over {}",
            self.frames_sent, self.bytes_sent, self.address, self.link
        );
        if expect_answers {
            summary += &format!(
                "; the board acknowledged {}, refused {}{}",
                a.acks.load(Ordering::Relaxed),
                a.nacks.load(Ordering::Relaxed),
                match a.discarded.load(Ordering::Relaxed) {
                    0 => String::new(),
                    n => format!(", {n} answers unreadable"),
                }
            );
            let unanswered = self.frames_sent.saturating_sub(self.answered());
            if unanswered > 0 {
                summary += &format!("; {unanswered} frames unanswered");
            } else if drained >= patience {
                summary += &format!(
                    "; the board was behind: its last answer came {:.1} s after the last frame \
                     was sent",
                    drained.as_secs_f64()
                );
            }
        } else {
            summary += " (broadcast: boards do not answer)";
        }
        summary + "\n"
    }

    fn answered(&self) -> u64 {
        self.answers.acks.load(Ordering::Relaxed) + self.answers.nacks.load(Ordering::Relaxed)
    }
}

/// Opens `link` both ways for a receiver of kind `sign` (none: a callboard board): a TCP
/// connection, or a serial line 8N1 (7E1 or 7E2 for signs), reads timing out after 100 ms.
///
/// # Errors
/// A message naming the link when it cannot be opened.
pub fn connect(link: &Link, sign: Option<&SignProfile>) -> Result<Connection, String> {
    let (data_bits, parity, stop_bits) = crate::alpha::serial_frame(sign);
    Ok(match link {
        Link::Tcp(to) => {
            let stream =
                TcpStream::connect(to).map_err(|e| format!("cannot connect to {to}: {e}"))?;
            stream.set_nodelay(true).map_err(|e| format!("{to}: {e}"))?;
            stream
                .set_read_timeout(Some(Duration::from_millis(100)))
                .map_err(|e| format!("{to}: {e}"))?;
            let input = stream.try_clone().map_err(|e| format!("{to}: {e}"))?;
            (Box::new(stream), Box::new(input))
        }
        Link::Serial { path, baud } => {
            let port = serialport::new(path, *baud)
                .data_bits(data_bits)
                .parity(parity)
                .stop_bits(stop_bits)
                .flow_control(serialport::FlowControl::None)
                .timeout(Duration::from_millis(100))
                .open()
                .map_err(|e| format!("cannot open {path}: {e}"))?;
            let input = port.try_clone().map_err(|e| format!("{path}: {e}"))?;
            (Box::new(port), Box::new(input))
        }
    })
}

/// Reads what the line brings within its read timeout: `None` when nothing came in time,
/// `Some(0)` when the line closed.
///
/// # Errors
/// The line's, other than a timeout.
pub fn read_within(input: &mut dyn Read, buffer: &mut [u8]) -> std::io::Result<Option<usize>> {
    match input.read(buffer) {
        Ok(n) => Ok(Some(n)),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::WouldBlock
                    | std::io::ErrorKind::Interrupted
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Counts the board's answers until told to stop or the line closes; with `sealing`, takes only
/// authentic answers, and follows the board into a new session when it says it restarted.
fn listen(
    mut input: Box<dyn Read + Send>,
    address: u8,
    answers: &Answers,
    stop: &AtomicBool,
    sealing: Option<&Sealing>,
) {
    let mut decoder = match sealing {
        Some(sealing) => FrameDecoder::with_key(sealing.key.clone(), Direction::BoardToHost),
        None => FrameDecoder::<MAX_FRAME_BYTES>::new(),
    };
    let mut buffer = [0_u8; 256];
    while !stop.load(Ordering::Relaxed) {
        let n = match read_within(&mut input, &mut buffer) {
            Ok(None) => continue,
            Ok(Some(0)) | Err(_) => return,
            Ok(Some(n)) => n,
        };
        for &byte in buffer.get(..n).unwrap_or(&[]) {
            match decoder.feed::<BoardMessage>(byte, |from| from == address) {
                Some(Decoded::Frame(_, BoardMessage::Ack)) => {
                    answers.acks.fetch_add(1, Ordering::Relaxed);
                }
                Some(Decoded::Frame(header, BoardMessage::Nack(reason))) => {
                    answers.nacks.fetch_add(1, Ordering::Relaxed);
                    if let (Some(sealing), Some(auth), NackReason::OtherSession) =
                        (sealing, header.auth, reason)
                    {
                        // The board restarted: the frame is lost, the next is sealed for the
                        // session its answer names, counting from 1 again.
                        sealing.counter.store(0, Ordering::SeqCst);
                        sealing.session.store(auth.session, Ordering::SeqCst);
                    }
                }
                // Status reports are answers to requests `send` does not make.
                Some(Decoded::Frame(_, _)) | None => {}
                Some(Decoded::Discarded(_)) => {
                    answers.discarded.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// How to feed a board.
#[derive(Debug, Clone)]
pub struct FeedPlan {
    /// Where the board is.
    pub link: Link,
    /// The board's address (255: every board).
    pub address: u8,
    /// The first frame's sequence number; each frame after adds one (wrapping).
    pub first_sequence: u16,
    /// The queues to show.
    pub queues: Vec<QueueChoice>,
    /// The site's calendar.
    pub calendar: SiteCalendar,
    /// How the board's CSAT is computed from the survey responses (scale, figure, minimum
    /// sample).
    pub csat: CsatConfig,
    /// The verb of the survey lines in a followed log (`SURVEY`), which a [`SurveyMatcher`]
    /// takes out; a replayed log's survey lines are taken out by the caller
    /// ([`Parsed::take_survey_lines`](queue_log::Parsed::take_survey_lines)).
    pub survey_verb: String,
    /// Seconds each frame may be shown.
    pub ttl_s: u16,
    /// The announcement line.
    pub announcement: String,
    /// Which service level the board shows.
    pub variant: ServiceLevelVariant,
    /// Opening hours, if the center keeps them.
    pub hours: Option<OpeningHours>,
    /// Closed all along, whatever the hours say.
    pub closed: bool,
    /// Milliseconds of the log between frames (live: of the wall clock).
    pub every_ms: u64,
    /// Log time per real time when replaying: 1 is real time, 60 a minute a second.
    pub speed: f64,
    /// Settings to send before the first frame.
    pub configure: Option<BoardSettings>,
    /// An Alpha sign of this kind rather than a callboard board.
    pub sign: Option<SignProfile>,
    /// The key a board that requires authentication shares with the host.
    pub key: Option<Key>,
    /// More to put on each frame at its moment: the departments' service agreements, for one.
    pub agreements: Option<Arc<dyn FrameAddition>>,
}

/// Where the events come from.
pub enum FeedSource {
    /// A whole log, replayed from `from` to `until` (the log's first and last events when
    /// `None`).
    Replay {
        /// The log.
        parsed: Parsed,
        /// The first moment shown.
        from: Option<Timestamp>,
        /// The last moment shown.
        until: Option<Timestamp>,
    },
    /// queue_log lines as the switch writes them; the feed ends when the input does.
    Live(Box<dyn BufRead + Send>),
    /// The queue_log followed by its path as the switch writes it, through logrotate
    /// ([`Follower`]); the feed ends when `stop` is set (SIGTERM, Ctrl-C).
    Follow {
        /// The follower.
        follower: Follower,
        /// Set to end the feed.
        stop: Arc<AtomicBool>,
    },
}

impl std::fmt::Debug for FeedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Replay { parsed, from, until } => f
                .debug_struct("Replay")
                .field("records", &parsed.records.len())
                .field("from", from)
                .field("until", until)
                .finish(),
            Self::Live(_) => f.write_str("Live"),
            Self::Follow { follower, .. } => {
                f.debug_struct("Follow").field("path", &follower.path()).finish_non_exhaustive()
            }
        }
    }
}

/// Feeds the board: every `every_ms`, the frame of the center as it stands, until the log (or
/// the live input) ends. Returns what was sent and what the board answered.
///
/// Runs on a thread of its own with room for the replay engine.
///
/// # Errors
/// A queue the log never mentions, a link that cannot be opened or breaks, or a frame the core
/// refuses.
pub fn feed(
    plan: FeedPlan,
    source: FeedSource,
    queue_config: QueueConfig,
) -> Result<String, String> {
    std::thread::Builder::new()
        .name("board feed".into())
        .stack_size(REPLAY_STACK_BYTES)
        .spawn(move || feed_here(&plan, source, queue_config))
        .map_err(|e| format!("cannot start the feed: {e}"))?
        .join()
        .map_err(|_| "the feed thread panicked".to_owned())?
}

fn feed_here(
    plan: &FeedPlan,
    source: FeedSource,
    queue_config: QueueConfig,
) -> Result<String, String> {
    let config =
        CenterConfig { calendar: plan.calendar, csat: plan.csat, ..CenterConfig::default() };
    if let FeedSource::Replay { parsed, from, until } = &source {
        let (Some(first), Some(last)) = (parsed.records.first(), parsed.records.last()) else {
            return Err("the log has no events".into());
        };
        if until.unwrap_or(last.at) < from.unwrap_or(first.at) {
            return Err("nothing to replay: --until is before --from (or --from after the log's \
                        last event)"
                .into());
        }
        let known: HashSet<&str> = parsed.records.iter().map(|r| r.queue.as_str()).collect();
        if let Some(missing) = plan.queues.iter().find(|q| !known.contains(q.name.as_str())) {
            let mut names: Vec<&str> = known.into_iter().filter(|n| *n != "NONE").collect();
            names.sort_unstable();
            return Err(format!(
                "the log has no queue {:?} (it has: {})",
                missing.name,
                names.join(", ")
            ));
        }
    }
    let mut line = match (plan.sign, &plan.key) {
        (Some(_), Some(_)) => {
            return Err("Alpha signs take no authentication: --key is for callboard boards".into());
        }
        (Some(profile), None) => {
            BoardLine::open_sign(&plan.link, Sign::new(profile, plan.address))?
        }
        (None, Some(key)) => BoardLine::open_authenticated(&plan.link, plan.address, key.clone())?,
        (None, None) => BoardLine::open(&plan.link, plan.address)?,
    };
    let mut sequence = plan.first_sequence;
    if let Some(settings) = plan.configure {
        line.send(sequence, &HostMessage::Configure(settings))?;
        sequence = sequence.wrapping_add(1);
    }
    let mut warned_rejected = false;
    let mut send_frame = |stepper: &Stepper, moment: Timestamp| -> Result<(), String> {
        let settings = FrameSettings {
            ttl_s: plan.ttl_s,
            announcement: plan.announcement.clone(),
            opening: opening_at(plan.hours, plan.closed, &plan.calendar, moment),
            variant: plan.variant,
            // The thresholds the board was configured with, so that host and board agree.
            thresholds: plan.configure.map_or(BoardSettings::DEFAULT.thresholds, |s| s.thresholds),
        };
        let mut frame =
            frame_from_center(stepper.center(), stepper.queue_ids(), &plan.queues, &settings)?;
        if let Some(agreements) = &plan.agreements {
            let note = agreements.add_to(&mut frame)?;
            if let (false, Some(note)) = (warned_rejected, note) {
                eprintln!("callboard: {note}");
                warned_rejected = true;
            }
        }
        line.show(sequence, frame)?;
        sequence = sequence.wrapping_add(1);
        Ok(())
    };
    let started = Instant::now();
    /// A replay, or lines as they come (from standard input or a followed file).
    enum Run {
        Replay(Parsed, Option<Timestamp>, Option<Timestamp>),
        Lines(mpsc::Receiver<String>),
    }
    let run = match source {
        FeedSource::Replay { parsed, from, until } => Run::Replay(parsed, from, until),
        FeedSource::Live(input) => Run::Lines(spawn_line_reader(input)),
        FeedSource::Follow { follower, stop } => Run::Lines(spawn_follower(follower, stop)),
    };
    let warnings = match run {
        Run::Replay(parsed, from, until) => {
            let bounds = parsed.records.first().zip(parsed.records.last());
            let (from, until) = bounds.map_or((0, 0), |(first, last)| {
                (from.unwrap_or(first.at), until.unwrap_or(last.at))
            });
            let mut stepper = Stepper::new(parsed.warnings, config, queue_config);
            for queue in &plan.queues {
                stepper.declare_queue(&queue.name)?;
            }
            stepper.push(parsed.records);
            stepper.push_surveys(parsed.surveys);
            let mut moment = from;
            let mut step = 0_u32;
            while moment <= until {
                let due = Duration::from_secs_f64(
                    f64::from(step) * plan.every_ms as f64 / 1000.0 / plan.speed,
                );
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    std::thread::sleep(wait);
                }
                stepper.advance_to(moment)?;
                send_frame(&stepper, moment)?;
                let Some(next) = moment.checked_add(plan.every_ms) else { break };
                moment = next;
                step += 1;
            }
            stepper.warnings().to_vec()
        }
        Run::Lines(lines) => {
            let mut stepper = Stepper::live(config, queue_config);
            for queue in &plan.queues {
                stepper.declare_queue(&queue.name)?;
            }
            let mut line_number = 0_usize;
            // The layout is learnt from the first line: a classic log, or an export whose
            // header names its columns.
            let mut reader = queue_log::read::Reader::new(plan.calendar);
            // Survey lines dated by their calls, which came lines (or polls) before them.
            let mut surveys = SurveyMatcher::new(&plan.survey_verb, &plan.csat.scale);
            let mut found = Vec::new();
            let mut ended = false;
            let mut step = 0_u32;
            while !ended {
                let due = Duration::from_millis(plan.every_ms.saturating_mul(u64::from(step)));
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    std::thread::sleep(wait);
                }
                loop {
                    match lines.try_recv() {
                        Ok(text) => {
                            line_number += 1;
                            let mut parsed = Parsed::default();
                            reader.line(line_number, text.as_bytes(), &mut parsed);
                            parsed.records.retain(|record| !surveys.see(record, &mut found));
                            let (taken, refused): (Vec<_>, Vec<_>) =
                                found.drain(..).partition(Result::is_ok);
                            stepper.note(parsed.warnings);
                            stepper.note(refused.into_iter().filter_map(Result::err));
                            stepper.push(parsed.records);
                            stepper.push_surveys(taken.into_iter().filter_map(Result::ok));
                        }
                        Err(mpsc::TryRecvError::Empty) => break,
                        Err(mpsc::TryRecvError::Disconnected) => {
                            ended = true;
                            break;
                        }
                    }
                }
                let now = wall_clock_ms().max(stepper.center().now().unwrap_or(0));
                stepper.advance_to(now)?;
                send_frame(&stepper, now)?;
                step += 1;
            }
            stepper.warnings().to_vec()
        }
    };
    let mut summary = line.finish(Duration::from_millis(plan.every_ms.clamp(500, 5_000)));
    if let Some(first) = warnings.first() {
        summary += &format!(
            "{} could not be counted; the first, {first}\n",
            if warnings.len() == 1 {
                "1 log line".to_owned()
            } else {
                format!("{} log lines", warnings.len())
            },
        );
    }
    Ok(summary)
}

fn wall_clock_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Lines of the live input, read on a thread of their own so a quiet switch never stalls the
/// board's refresh. The channel closes when the input ends.
/// How often a followed log is looked at for new lines.
const FOLLOW_POLL: Duration = Duration::from_millis(100);

/// Polls a followed log on a thread of its own, sending its new lines; says on standard error
/// what happened to the file (rotated, truncated, missing). Ends when `stop` is set.
fn spawn_follower(mut follower: Follower, stop: Arc<AtomicBool>) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    let _ = std::thread::Builder::new().name("queue_log follower".into()).spawn(move || {
        let path = follower.path().display().to_string();
        while !stop.load(Ordering::SeqCst) {
            match follower.poll() {
                Ok(polled) => {
                    for happened in polled.happened {
                        eprintln!("callboard: {path}: {}", describe(&happened));
                    }
                    for line in polled.lines {
                        if sender.send(line).is_err() {
                            return;
                        }
                    }
                }
                Err(e) => eprintln!("callboard: {path}: cannot read it: {e}; trying again"),
            }
            std::thread::sleep(FOLLOW_POLL);
        }
    });
    receiver
}

/// What happened to a followed log, in words.
fn describe(happened: &Happened) -> String {
    match happened {
        Happened::Opened => "following it".into(),
        Happened::Rotated => {
            "rotated (renamed, a new file in its place): following the new one".into()
        }
        Happened::Truncated => "truncated (copytruncate): reading it again from its start".into(),
        Happened::SkippedNul(n) => format!("skipped {n} NUL bytes left by a writer not appending"),
        Happened::FromCopy(n) => {
            format!("{n} lines written before the truncation read from its copy")
        }
        Happened::Missing => "not there (yet): waiting for it".into(),
    }
}

fn spawn_line_reader(mut input: Box<dyn BufRead + Send>) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    let _ = std::thread::Builder::new().name("queue_log reader".into()).spawn(move || {
        let mut text = String::new();
        loop {
            text.clear();
            match input.read_line(&mut text) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if sender.send(text.trim_end().to_owned()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    receiver
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    const BOARD: u8 = 7;

    /// A board on a socket that takes `per_frame` over each frame it hears and acknowledges
    /// the first `answers` of them.
    fn slow_board(per_frame: Duration, answers: usize) -> (Link, JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let link = Link::Tcp(listener.local_addr().unwrap().to_string());
        let board = std::thread::spawn(move || {
            let (mut line, _) = listener.accept().unwrap();
            let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
            let mut heard = 0;
            let mut buffer = [0_u8; 64];
            while let Ok(n @ 1..) = line.read(&mut buffer) {
                for &byte in &buffer[..n] {
                    if let Some(Decoded::Frame(header, _)) =
                        decoder.feed::<HostMessage>(byte, |a| a == BOARD)
                    {
                        std::thread::sleep(per_frame);
                        heard += 1;
                        if heard <= answers {
                            let mut ack = [0_u8; 32];
                            let len =
                                wire::encode(BOARD, header.sequence, &BoardMessage::Ack, &mut ack)
                                    .unwrap();
                            let _ = line.write_all(&ack[..len]);
                        }
                    }
                }
            }
        });
        (link, board)
    }

    fn send_pings(link: &Link, frames: u16) -> BoardLine {
        let mut line = BoardLine::open(link, BOARD).unwrap();
        for sequence in 1..=frames {
            line.send(sequence, &HostMessage::Ping).unwrap();
        }
        line
    }

    #[test]
    fn a_board_still_answering_is_waited_for_and_said_to_be_behind() {
        // 20 frames at 30 ms each: 600 ms of work queued, against 150 ms of patience.
        let (link, board) = slow_board(Duration::from_millis(30), usize::MAX);
        let summary = send_pings(&link, 20).finish(Duration::from_millis(150));
        assert!(summary.contains("the board acknowledged 20, refused 0"), "{summary}");
        assert!(!summary.contains("unanswered"), "{summary}");
        assert!(summary.contains("the board was behind: its last answer came"), "{summary}");
        board.join().unwrap();
    }

    #[test]
    fn a_board_that_falls_silent_is_given_up_on_after_the_patience() {
        let (link, board) = slow_board(Duration::from_millis(5), 3);
        let started = Instant::now();
        let summary = send_pings(&link, 10).finish(Duration::from_millis(200));
        assert!(summary.contains("the board acknowledged 3, refused 0"), "{summary}");
        assert!(summary.contains("7 frames unanswered"), "{summary}");
        assert!(!summary.contains("behind"), "{summary}");
        // Silence, not the whole wait, is what is bounded: well under a second here.
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        board.join().unwrap();
    }

    #[test]
    fn a_board_keeping_up_gets_a_plain_summary() {
        // A ping is 11 bytes on the line (PROTOCOL.md).
        let (link, board) = slow_board(Duration::ZERO, usize::MAX);
        let summary = send_pings(&link, 5).finish(Duration::from_millis(500));
        assert_eq!(
            summary,
            format!(
                "sent 5 frames (55 bytes) to board 7 over {link}; the board acknowledged 5, refused 0\n"
            )
        );
        board.join().unwrap();
    }
}
