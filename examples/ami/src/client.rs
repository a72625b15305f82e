//! A manager session over TCP: log in with events on, ask `QueueStatus`, then listen; on a
//! dropped connection, reconnect with a back-off doubling from 1 s to 30 s and ask
//! `QueueStatus` again to resynchronise. The socket lives on a thread of its own; what it hears
//! is translated on the caller's thread, by [`Manager::poll`], so the translator's knowledge
//! can be checkpointed with the rest of the caller's state.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use callboard_core::calendar::Timestamp;
use callboard_queue_log::Record;

use crate::protocol::{Decoded, Decoder, Message};
use crate::translate::{Resynced, Translator, event_time};

const FIRST_RETRY: Duration = Duration::from_secs(1);
const LAST_RETRY: Duration = Duration::from_secs(30);
/// How long a login or a `QueueStatus` answer may take.
const ANSWER_TIME: Duration = Duration::from_secs(10);

/// Where the manager is and how to log in (`manager.conf`'s user; it needs `read = agent,call`
/// for the queue events).
#[derive(Clone, PartialEq, Eq)]
pub struct ManagerSettings {
    /// `HOST:PORT` (Asterisk listens on 5038).
    pub address: String,
    /// The user.
    pub username: String,
    /// Its secret.
    pub secret: String,
}

impl std::fmt::Debug for ManagerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagerSettings")
            .field("address", &self.address)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What the socket's thread heard.
#[derive(Debug)]
enum Heard {
    Said(String),
    /// A `QueueStatus` answer, with when it was taken.
    Status(Vec<Message>, Timestamp),
    Event(Message, Timestamp),
}

/// What a poll brought.
#[derive(Debug, Default)]
pub struct ManagerPolled {
    /// The log's records the events mean.
    pub records: Vec<Record>,
    /// What happened to the session, to say in the log.
    pub said: Vec<String>,
}

/// A manager session, kept up.
#[derive(Debug)]
pub struct Manager {
    translator: Translator,
    /// The last event's time, and when it was heard: the switch's clock, carried forward
    /// between events so a caller's leave is settled in a quiet minute too.
    last_event: Option<(Timestamp, std::time::Instant)>,
    heard: Receiver<Heard>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn wall_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Manager {
    /// Starts a session, knowing what `translator` knows (a checkpoint's, or a new one).
    #[must_use]
    pub fn start(settings: ManagerSettings, translator: Translator) -> Self {
        let (tell, heard) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name(format!("manager {}", settings.address))
            .spawn({
                let stop = Arc::clone(&stop);
                move || keep_up(&settings, &tell, &stop)
            })
            .ok();
        Self { translator, last_event: None, heard, stop, thread }
    }

    /// What it knows, for a checkpoint.
    #[must_use]
    pub const fn translator(&self) -> &Translator {
        &self.translator
    }

    /// What was repaired at resynchronisations, since the start.
    #[must_use]
    pub const fn resynced(&self) -> Resynced {
        self.translator.resynced
    }

    /// Translates what was heard since the last poll.
    pub fn poll(&mut self) -> ManagerPolled {
        let mut polled = ManagerPolled::default();
        while let Ok(heard) = self.heard.try_recv() {
            match heard {
                Heard::Said(text) => polled.said.push(text),
                Heard::Status(status, at) => {
                    let before = self.translator.resynced;
                    polled.records.extend(self.translator.resync(&status, at));
                    let after = self.translator.resynced;
                    if after != before {
                        polled.said.push(format!(
                            "resynchronised: {} callers found waiting, {} gone while away (outcome unknown), {} calls ended while away, {} member changes",
                            after.found_waiting - before.found_waiting,
                            after.lost_waiting - before.lost_waiting,
                            after.ended_connected - before.ended_connected,
                            after.members_changed - before.members_changed,
                        ));
                    }
                }
                Heard::Event(message, received) => {
                    let at = event_time(&message, received);
                    self.last_event = Some((at, std::time::Instant::now()));
                    polled.records.extend(self.translator.event(&message, at));
                }
            }
        }
        if let Some((at, heard)) = self.last_event {
            let since = u64::try_from(heard.elapsed().as_millis()).unwrap_or(u64::MAX);
            polled.records.extend(self.translator.tick(at.saturating_add(since)));
        }
        polled
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sessions, one after another, until `stop`.
fn keep_up(settings: &ManagerSettings, tell: &Sender<Heard>, stop: &AtomicBool) {
    let mut backoff = FIRST_RETRY;
    let mut said_down = false;
    while !stop.load(Ordering::SeqCst) {
        let outcome = session(settings, tell, stop);
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match outcome {
            Ok(()) => {
                backoff = FIRST_RETRY;
                said_down = false;
                let _ = tell.send(Heard::Said(format!(
                    "manager {}: connection closed; reconnecting",
                    settings.address
                )));
            }
            Err(e) => {
                if !said_down {
                    let _ = tell.send(Heard::Said(format!(
                        "manager {}: {e}; retrying, every {} s at most",
                        settings.address,
                        LAST_RETRY.as_secs()
                    )));
                    said_down = true;
                }
            }
        }
        let until = std::time::Instant::now() + backoff;
        while std::time::Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        backoff = (backoff * 2).min(LAST_RETRY);
    }
}

/// Reads messages until `wanted` says it has what it waited for; returns the messages that
/// came in the same read after that one (events already on their way), to be handled next.
fn read_until(
    stream: &mut TcpStream,
    decoder: &mut Decoder,
    stop: &AtomicBool,
    mut wanted: impl FnMut(Message) -> Option<Result<(), String>>,
) -> Result<Vec<Message>, String> {
    let deadline = std::time::Instant::now() + ANSWER_TIME;
    let mut buffer = [0_u8; 4096];
    loop {
        if std::time::Instant::now() > deadline {
            return Err("no answer within 10 s".into());
        }
        if stop.load(Ordering::SeqCst) {
            return Ok(Vec::new());
        }
        match stream.read(&mut buffer) {
            Ok(0) => return Err("the manager closed the connection".into()),
            Ok(n) => {
                let mut messages = decoder
                    .feed(buffer.get(..n).unwrap_or_default())
                    .into_iter()
                    .filter_map(|decoded| match decoded {
                        Decoded::Message(message) => Some(message),
                        _ => None,
                    });
                while let Some(message) = messages.next() {
                    if let Some(done) = wanted(message) {
                        return done.map(|()| messages.collect());
                    }
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(format!("reading: {e}")),
        }
    }
}

/// One session: `Ok` when the manager closed it, `Err` when it could not be had.
fn session(
    settings: &ManagerSettings,
    tell: &Sender<Heard>,
    stop: &AtomicBool,
) -> Result<(), String> {
    let address = settings
        .address
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve: {e}"))?
        .next()
        .ok_or("cannot resolve: no address")?;
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
        .map_err(|e| format!("cannot connect: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_millis(200))).map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let mut decoder = Decoder::new();
    let login = Message::new([
        ("Action", "Login"),
        ("ActionID", "callboard-login"),
        ("Username", settings.username.as_str()),
        ("Secret", settings.secret.as_str()),
        ("Events", "on"),
    ]);
    stream.write_all(&login.encode()).map_err(|e| format!("writing: {e}"))?;
    let mut early = Vec::new();
    let after_login = read_until(&mut stream, &mut decoder, stop, |m| {
        if m.get("ActionID") == Some("callboard-login") {
            return Some(if m.response() == Some("Success") {
                Ok(())
            } else {
                Err(format!("login refused: {}", m.get("Message").unwrap_or("no reason given")))
            });
        }
        if m.event().is_some() {
            early.push((m, wall_ms()));
        }
        None
    })?;
    let received = wall_ms();
    early.extend(after_login.into_iter().filter(|m| m.event().is_some()).map(|m| (m, received)));
    let _ = tell.send(Heard::Said(format!(
        "manager {}: logged in as {}",
        settings.address, settings.username
    )));
    let status = Message::new([("Action", "QueueStatus"), ("ActionID", "callboard-status")]);
    stream.write_all(&status.encode()).map_err(|e| format!("writing: {e}"))?;
    let mut listed = Vec::new();
    let mut taken = None;
    let after_status = read_until(&mut stream, &mut decoder, stop, |m| {
        if m.get("ActionID") == Some("callboard-status") {
            if m.response() == Some("Error") {
                return Some(Err(format!(
                    "QueueStatus refused: {}",
                    m.get("Message").unwrap_or("no reason given")
                )));
            }
            let complete = m.event().is_some_and(|e| e.eq_ignore_ascii_case("QueueStatusComplete"));
            if complete {
                taken = Some(event_time(&m, wall_ms()));
                return Some(Ok(()));
            }
            if m.event().is_some() {
                listed.push(m);
            }
            return None;
        }
        if m.event().is_some() {
            early.push((m, wall_ms()));
        }
        None
    })?;
    let received = wall_ms();
    early.extend(after_status.into_iter().filter(|m| m.event().is_some()).map(|m| (m, received)));
    let _ = tell.send(Heard::Status(listed, taken.unwrap_or_else(wall_ms)));
    for (message, at) in early {
        let _ = tell.send(Heard::Event(message, at));
    }
    let mut buffer = [0_u8; 16 * 1024];
    while !stop.load(Ordering::SeqCst) {
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                let received = wall_ms();
                for decoded in decoder.feed(buffer.get(..n).unwrap_or_default()) {
                    match decoded {
                        Decoded::Message(message) if message.event().is_some() => {
                            let _ = tell.send(Heard::Event(message, received));
                        }
                        Decoded::Dropped(why) => {
                            let _ = tell.send(Heard::Said(format!(
                                "manager {}: a message dropped ({why:?})",
                                settings.address
                            )));
                        }
                        _ => {}
                    }
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(format!("connection lost: {e}")),
        }
    }
    let _ = stream.write_all(&Message::new([("Action", "Logoff")]).encode());
    Ok(())
}
