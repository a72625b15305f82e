//! The service: the followed log into the center, the center onto every board, the state
//! onto the disk.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_core::board::Opening;
use callboard_core::calendar::Timestamp;
use callboard_core::csat::{CsatTally, SurveyResponse};
use callboard_core::interval::{Figures, IntervalStats};
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::wire::{BoardSettings, HostMessage};
use callboard_core::{CenterConfig, QueueConfig};
use callboard_floor::frame::{FrameSettings, QueueChoice, frame_from_center};
use callboard_queue_log::replay::{LIVE_LATENESS_MS, REPLAY_STACK_BYTES, Stepper};
use callboard_queue_log::surveys::{self, Contact, SURVEY_LINE_HORIZON_MS, Survey};
use serde::Serialize;

use crate::config::{Clock, Config};
use crate::line::{self, Health};
use crate::publish;
use crate::source::{Source, SourcePosition};
use crate::state::{self, Kept};

fn say(message: &str) {
    eprintln!("callboard serve: {message}");
}

fn wall_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Runs the service until `stop` is set (SIGTERM, Ctrl-C), on a thread with room for the
/// engine; returns what it did.
///
/// # Errors
/// A state directory that cannot be made, or a thread that cannot start. Everything else (a
/// line down, a board silent, a log not there yet, a bad row) is said in the log and lived
/// with.
pub fn run(config: Config, stop: Arc<AtomicBool>) -> Result<String, String> {
    std::thread::Builder::new()
        .name("serve".into())
        .stack_size(REPLAY_STACK_BYTES)
        .spawn(move || serve(&config, &stop))
        .map_err(|e| format!("cannot start the service: {e}"))?
        .join()
        .map_err(|_| "the service's thread panicked".to_owned())?
}

/// A queue's figures for a day, as `figures.json` has them.
#[derive(Debug, Serialize)]
struct QueueDay {
    date: String,
    #[serde(flatten)]
    stats: IntervalStats,
    #[serde(flatten)]
    figures: Figures,
}

/// A queue's figures for yesterday and today (the days with calls), as `figures.json` has
/// them.
#[derive(Debug, Serialize)]
struct QueueToday<'a> {
    name: &'a str,
    label: &'a str,
    days: Vec<QueueDay>,
}

#[derive(Debug, Serialize)]
struct FiguresFile<'a> {
    at_ms: Option<Timestamp>,
    queues: Vec<QueueToday<'a>>,
    /// Survey results by the day of the calls rated, for the days kept with responses.
    csat: Vec<(String, CsatTally)>,
    boards: Vec<Health>,
    lines_read: u64,
    warnings: usize,
}

fn fingerprint(row: &surveys::SurveyRow) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&row.contact, row.score, row.answers, row.follow_up).hash(&mut hasher);
    hasher.finish()
}

#[allow(clippy::too_many_lines)] // one loop, read top to bottom
fn serve(config: &Config, stop: &Arc<AtomicBool>) -> Result<String, String> {
    std::fs::create_dir_all(&config.state_dir)
        .map_err(|e| format!("cannot make {}: {e}", config.state_dir.display()))?;
    let live = config.clock == Clock::Wall;
    let center_config =
        CenterConfig { calendar: config.calendar, csat: config.csat, ..CenterConfig::default() };
    let fresh = || {
        if live {
            Stepper::live(center_config, QueueConfig::default())
        } else {
            Stepper::new(Vec::new(), center_config, QueueConfig::default())
        }
    };
    let source_name = config.source.describe();
    let (mut stepper, mut kept) = match state::load(&config.state_dir) {
        Ok(Some((kept, replay))) => match Stepper::restore(&replay, live) {
            Ok(stepper) => {
                say(&format!("restored the state saved at {}", where_in(&kept.source)));
                (stepper, kept)
            }
            Err(e) => {
                say(&format!("checkpoint refused ({e}); reading {source_name} from its start"));
                (fresh(), Kept::default())
            }
        },
        Ok(None) => (fresh(), Kept::default()),
        Err(e) => {
            say(&format!("checkpoint refused ({e}); reading {source_name} from its start"));
            (fresh(), Kept::default())
        }
    };
    // Today's and yesterday's intervals, for GET /api/v1/intervals.
    stepper.keep_intervals();
    for queue in &config.queues {
        stepper.configure_queue(&queue.name, queue.config);
        stepper.declare_queue(&queue.name)?;
    }
    let mut source = Source::start(&config.source, config.calendar, &kept.source);
    let mut counted: HashMap<u64, Timestamp> = kept.surveys_counted_at.iter().copied().collect();
    // Fingerprints of an older state, undated: as of its time (never forgotten without one).
    let as_of = stepper.center().now().unwrap_or(Timestamp::MAX);
    counted.extend(kept.surveys_counted.iter().map(|&print| (print, as_of)));
    let mut told_too_old = false;
    let mut entered: HashMap<String, Timestamp> = kept.entered.iter().cloned().collect();
    forget_old_calls(&mut entered, stepper.center().now(), calls_kept_ms(config));
    let mut entered_sweep = (2 * entered.len()).max(4_096);

    // The lines, each with its boards.
    let health = Arc::new(Mutex::new(Vec::new()));
    let lines_stop = Arc::new(AtomicBool::new(false));
    let mut running = Vec::new();
    // Each board's line writer and slot there; none for a board a gateway drives.
    let mut slot_of = vec![None; config.boards.len()];
    for (l, line_config) in config.lines.iter().enumerate() {
        let on_line: Vec<usize> = (0..config.boards.len())
            .filter(|&b| config.boards.get(b).is_some_and(|board| board.line == l))
            .collect();
        let first = health.lock().map_or(0, |h| h.len());
        let mut settings = Vec::new();
        for (slot, &b) in on_line.iter().enumerate() {
            if let (Some(board), Some(s)) = (config.boards.get(b), slot_of.get_mut(b)) {
                *s = line_config.link.is_some().then_some((running.len(), slot));
                settings.push(Some(BoardSettings {
                    brightness: board.brightness,
                    page_seconds: board.page_seconds,
                    thresholds: board.thresholds,
                }));
                if let Ok(mut h) = health.lock() {
                    h.push(Health {
                        line: line_config.name.clone(),
                        address: board.address,
                        up: true,
                        ..Health::default()
                    });
                }
            }
        }
        if line_config.link.is_none() {
            continue;
        }
        let addresses =
            on_line.iter().filter_map(|&b| config.boards.get(b).map(|x| x.address)).collect();
        let signs =
            on_line.iter().map(|&b| config.boards.get(b).and_then(|x| x.alpha_sign)).collect();
        let keys =
            on_line.iter().map(|&b| config.boards.get(b).and_then(|x| x.key.clone())).collect();
        running.push(line::start(
            line_config.clone(),
            addresses,
            signs,
            keys,
            settings,
            Arc::clone(&health),
            first,
            Arc::clone(&lines_stop),
            None,
        )?);
    }

    let mut frames = vec![None; config.boards.len()];
    // The fleet's broker: every board's frame and every queue's figures published, the health
    // of the boards gateways drive heard back.
    let (heard_tx, heard) = std::sync::mpsc::channel();
    let fleet = config.fleet.as_ref().map(|fleet| {
        let connection = crate::mqtt::Connection::start(
            &fleet.broker,
            &format!("callboard-serve-{}", fleet.site),
            crate::mqtt::topic::site_status(&fleet.site),
            [crate::mqtt::topic::fleet(), vec![crate::mqtt::topic::answers(&fleet.site)]].concat(),
            Some(heard_tx),
            "serve",
        );
        (fleet, connection)
    });
    let mut published_sequences = vec![0_u16; config.boards.len()];
    let mut fleet_view = crate::mqtt::FleetView::default();
    // The boards behind gateways that require authenticated frames: sealed here, end to end.
    let mut remote: Vec<Option<RemoteSeal>> = config
        .boards
        .iter()
        .map(|board| {
            let behind_gateway =
                config.lines.get(board.line).is_some_and(|line| line.link.is_none());
            board
                .key
                .clone()
                .filter(|_| behind_gateway && config.fleet.is_some())
                .map(RemoteSeal::new)
        })
        .collect();
    // The service agreements, judged on a thread of their own; a wrong agreements file stops
    // the start, as a wrong site file does.
    let mut judge = match &config.agreements {
        Some(agreements) => {
            crate::agreements::read_policies(&agreements.policies, &config.calendar)
                .map_err(|e| format!("agreements: {e}"))?;
            Some(crate::agreements::Judge::start(agreements.clone(), config.calendar)?)
        }
        None => None,
    };
    let http = match config.http {
        Some(address) => {
            let board = crate::http::Board::default();
            let server = crate::http::start(address, Arc::clone(&board))?;
            say(&format!("http: serving the API on http://{}/api/v1/queues", server.address));
            Some((server, board))
        }
        None => None,
    };
    let started = Instant::now();
    // When the steps' schedule began: at the start, and again after a backlog.
    let mut schedule = started;
    let mut last_checkpoint = Instant::now();
    let mut surveys_seen: Option<SystemTime> = None;
    let mut lines_read = 0_u64;
    let mut warned = stepper.warnings().len();
    let mut latest: Option<Timestamp> = stepper.center().now();
    let mut step = 0_u32;
    let mut saving = state::Saving::default();
    let save = |saving: &mut state::Saving,
                stepper: &Stepper,
                kept: &Kept,
                lines_read: u64,
                health: &Mutex<Vec<Health>>| {
        let outcome = stepper
            .checkpoint()
            .and_then(|replay| state::save(&config.state_dir, kept, &replay))
            .and_then(|()| write_figures(config, stepper, health, lines_read));
        let saved = outcome.is_ok();
        if let Some(said) = saving.note(outcome, wall_ms()) {
            say(&said);
        }
        saved
    };
    while !stop.load(Ordering::SeqCst) {
        // The source.
        let batch = source.poll();
        for said in &batch.said {
            say(said);
        }
        lines_read += batch.lines as u64;
        let mut parsed = batch.parsed;
        for record in &parsed.records {
            latest = Some(latest.map_or(record.at, |l| l.max(record.at)));
            if record.verb == callboard_queue_log::Verb::EnterQueue {
                entered.entry(record.callid.clone()).or_insert(record.at);
            }
        }
        if entered.len() >= entered_sweep {
            forget_old_calls(&mut entered, latest, calls_kept_ms(config));
            entered_sweep = (2 * entered.len()).max(4_096);
        }
        // Dated by the calls of earlier polls too (and of before a restart): a survey line
        // follows its call by minutes, often in the next poll.
        parsed.take_survey_lines_entered(&config.survey_verb, &config.csat.scale, |call| {
            entered.get(call).copied()
        });
        stepper.note(parsed.warnings);
        stepper.push(parsed.records);
        stepper.push_surveys(parsed.surveys);
        // The survey export, when it changes.
        if let Some(path) = &config.surveys {
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            if modified.is_some() && modified != surveys_seen {
                surveys_seen = modified;
                let horizon = horizon(stepper.center().now(), calls_kept_ms(config));
                read_surveys(
                    config,
                    path,
                    &mut counted,
                    horizon,
                    &entered,
                    &mut stepper,
                    &mut told_too_old,
                );
            }
        }
        // The clock. While a backlog is caught up with (a start on a long log, a table behind),
        // it follows the log, a lateness behind its newest line: moved to the wall clock, the
        // rest of the backlog would be late, and moved to the newest line, lines a moment older
        // than it in the next part would be.
        let catching_up = batch.more;
        let now = match config.clock {
            Clock::Wall if !catching_up => wall_ms().max(stepper.center().now().unwrap_or(0)),
            Clock::Wall | Clock::Log if catching_up => {
                latest.unwrap_or(0).saturating_sub(LIVE_LATENESS_MS)
            }
            Clock::Wall | Clock::Log => latest.unwrap_or(0),
        };
        if now > 0 {
            if let Err(e) = stepper.advance_to(now) {
                say(&format!("the clock: {e}"));
            }
        }
        for warning in stepper.warnings().iter().skip(warned) {
            say(&format!("{source_name}: {warning}"));
        }
        warned = stepper.warnings().len();
        // What the broker tells: the boards' sealed answers (before this step seals anew), the
        // health of the boards gateways drive, the fleet.
        while let Ok((topic, payload)) = heard.try_recv() {
            let ours = |site: &str| fleet.as_ref().is_some_and(|(fleet, _)| fleet.site == site);
            // This site's boards, by the line and address a topic names.
            let board = |line: &str, address: u8| {
                config.boards.iter().position(|b| {
                    b.address == address && config.lines.get(b.line).is_some_and(|l| l.name == line)
                })
            };
            match crate::mqtt::about(&topic) {
                Some(crate::mqtt::About::Answer(site, line, address)) => {
                    if let Some(Some(seal)) =
                        board(line, address).filter(|_| ours(site)).and_then(|b| remote.get_mut(b))
                    {
                        seal.hear(line, address, &payload);
                    }
                }
                about => {
                    if !fleet_view.hear(&topic, &payload) {
                        say(&format!("mqtt: {topic}: not the fleet's, or not readable; ignored"));
                    } else if let Some(crate::mqtt::About::Board(site, line, address)) = about
                        && ours(site)
                    {
                        heard_health(line, address, &payload, &health);
                    }
                }
            }
        }
        // The boards.
        if stepper.center().now().is_some() {
            for (b, board) in config.boards.iter().enumerate() {
                let choices: Vec<QueueChoice> = board
                    .queues
                    .iter()
                    .filter_map(|&q| config.queues.get(q))
                    .map(|q| QueueChoice {
                        name: q.name.clone(),
                        label: q.label.clone(),
                        target_permille: q.target_permille,
                    })
                    .collect();
                let at = stepper.center().now().unwrap_or(now);
                let settings = FrameSettings {
                    ttl_s: board.ttl_s,
                    announcement: config.announcement.clone(),
                    opening: config
                        .hours
                        .as_ref()
                        .map_or(Opening::Open, |h| Opening::by_hours(h, at)),
                    variant: ServiceLevelVariant::Answered,
                    thresholds: board.thresholds,
                };
                match frame_from_center(stepper.center(), stepper.queue_ids(), &choices, &settings)
                {
                    Ok(frame) => {
                        if let Some(last) = frames.get_mut(b) {
                            *last = Some(frame.clone());
                        }
                        let message = HostMessage::Display(frame);
                        if let (Some((fleet, connection)), Some(line), Some(sequence)) =
                            (&fleet, config.lines.get(board.line), published_sequences.get_mut(b))
                        {
                            *sequence = sequence.wrapping_add(1).max(1);
                            let mut bytes = [0_u8; callboard_core::wire::MAX_FRAME_BYTES];
                            let encoded = match remote.get_mut(b).and_then(Option::as_mut) {
                                // Sealed here, for a board behind a gateway that requires it.
                                Some(seal) => {
                                    seal.seal(board.address, *sequence, &message, &mut bytes)
                                }
                                None => callboard_core::wire::encode(
                                    board.address,
                                    *sequence,
                                    &message,
                                    &mut bytes,
                                )
                                .map(|len| Some((len, true)))
                                .map_err(|e| e.to_string()),
                            };
                            match encoded {
                                // A question already on its way.
                                Ok(None) => {}
                                Ok(Some((len, retained))) => connection.publish(
                                    &crate::mqtt::topic::frame(
                                        &fleet.site,
                                        &line.name,
                                        board.address,
                                    ),
                                    bytes.get(..len).unwrap_or(&[]).to_vec(),
                                    rumqttc::QoS::AtLeastOnce,
                                    retained,
                                ),
                                Err(e) => say(&format!("board {}: {e}", board.address)),
                            }
                        }
                        if let Some((l, slot)) = slot_of.get(b).copied().flatten()
                            && let Some(line) = running.get(l)
                        {
                            line.slots.put(slot, message);
                        }
                    }
                    Err(e) => say(&format!("board {}: {e}", board.address)),
                }
            }
            if let (Some(judge), Some(now)) = (&mut judge, stepper.center().now()) {
                judge.ask(now);
            }
            // The supervisors' view and the fleet's figures, from the same center.
            if http.is_some() || fleet.is_some() {
                let judged = judge.as_ref().map(crate::agreements::Judge::judged);
                let boards_health = health.lock().map(|h| h.clone()).unwrap_or_default();
                let published = publish::publish(&publish::Inputs {
                    config,
                    stepper: &stepper,
                    health: &boards_health,
                    frames: &frames,
                    lines_read,
                    latest,
                    wall_ms: wall_ms(),
                    agreements: judged.as_ref().map(Option::as_ref),
                    saving,
                    fleet: fleet.as_ref().map(|_| fleet_view.json()),
                });
                if let Some((fleet, connection)) = &fleet {
                    for (name, body) in published.queue.iter() {
                        connection.publish(
                            &crate::mqtt::topic::queue(&fleet.site, name),
                            body.clone().into_bytes(),
                            rumqttc::QoS::AtMostOnce,
                            true,
                        );
                    }
                }
                if let Some((_, board)) = &http
                    && let Ok(mut slot) = board.write()
                {
                    *slot = crate::http::Published { step: slot.step + 1, ..published };
                }
            }
        }
        // The state.
        if last_checkpoint.elapsed() >= Duration::from_millis(config.checkpoint_ms) {
            kept = kept_now(source.position(), &counted, &entered);
            save(&mut saving, &stepper, &kept, lines_read, &health);
            last_checkpoint = Instant::now();
        }
        if catching_up {
            // The next part of the backlog at once; the steps' schedule starts again after it.
            schedule = Instant::now();
            step = 0;
            continue;
        }
        step += 1;
        let due = Duration::from_millis(config.every_ms.saturating_mul(u64::from(step)));
        while schedule.elapsed() < due && !stop.load(Ordering::SeqCst) {
            std::thread::sleep((due - schedule.elapsed()).min(Duration::from_millis(50)));
        }
    }
    kept = kept_now(source.position(), &counted, &entered);
    drop(source);
    let saved = save(&mut saving, &stepper, &kept, lines_read, &health);
    if let Some((server, _)) = http {
        server.stop();
    }
    if let Some((_, connection)) = fleet {
        connection.stop();
    }
    if let Some(judge) = judge {
        judge.stop();
    }
    lines_stop.store(true, Ordering::SeqCst);
    for line in running {
        line.join();
    }
    let boards = health.lock().map(|h| h.clone()).unwrap_or_default();
    let mut summary = format!(
        "stopped after {:.1} s: {lines_read} log lines read; {} {}\n",
        started.elapsed().as_secs_f64(),
        if saved { "state saved in" } else { "the state could not be saved (see above) in" },
        config.state_dir.display()
    );
    for h in boards {
        summary += &format!(
            "board {} on {}: {} sent, {} acknowledged, {} refused, {} unanswered\n",
            h.address, h.line, h.sent, h.acknowledged, h.refused, h.unanswered
        );
    }
    Ok(summary)
}

/// How long a site waits for a board behind a gateway to answer its question before asking
/// again.
const ASK_AGAIN: Duration = Duration::from_secs(2);

/// What the site keeps to seal its frames for a board behind a gateway that requires
/// authenticated frames: what a line keeps for a keyed board it drives itself
/// ([`line::Seal`]), and the counter and time of the last question asked, as the site asks
/// through the broker rather than on a line.
struct RemoteSeal {
    seal: line::Seal,
    asked: u32,
    asked_at: Option<Instant>,
}

impl RemoteSeal {
    fn new(key: callboard_core::wire::Key) -> Self {
        Self { seal: line::Seal::new(key), asked: 0, asked_at: None }
    }

    /// `message` sealed for the board's session with the next counter: the length and whether
    /// it is retained. Until the session is known, the board's `Security` is asked instead, in
    /// session 0 with a random counter, not retained, and again only when [`ASK_AGAIN`] has
    /// passed without an answer (`None` in between).
    fn seal(
        &mut self,
        address: u8,
        sequence: u16,
        message: &HostMessage,
        out: &mut [u8],
    ) -> Result<Option<(usize, bool)>, String> {
        use callboard_core::wire::{Auth, encode_authenticated};
        let key = self.seal.answers.key().cloned().ok_or("no key")?;
        match self.seal.session {
            Some(_) => {
                let auth = self.seal.next_auth();
                encode_authenticated(&key, address, sequence, auth, message, out)
                    .map(|len| Some((len, true)))
                    .map_err(|e| e.to_string())
            }
            None if self.asked_at.is_some_and(|at| at.elapsed() < ASK_AGAIN) => Ok(None),
            None => {
                self.asked_at = Some(Instant::now());
                let mut nonce = [0_u8; 4];
                getrandom::fill(&mut nonce).map_err(|e| format!("no random source: {e}"))?;
                self.asked = u32::from_le_bytes(nonce);
                let auth = Auth { session: 0, counter: self.asked };
                encode_authenticated(&key, address, sequence, auth, &HostMessage::Security, out)
                    .map(|len| Some((len, false)))
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// An answer the board sealed, relayed by the gateway: authentic ones only (the decoder
    /// checks the tag). The answer to the question gives the session and the last counter; a
    /// `Nack(OtherSession)` says the board restarted, and names its session.
    fn hear(&mut self, line: &str, address: u8, bytes: &[u8]) {
        use callboard_core::wire::{BoardMessage, Decoded, NackReason};
        for &byte in bytes {
            let Some(Decoded::Frame(header, message)) =
                self.seal.answers.feed::<BoardMessage>(byte, |a| a == address)
            else {
                continue;
            };
            let Some(auth) = header.auth else { continue };
            match message {
                BoardMessage::Security { session: 0, .. } if auth.counter == self.asked => {
                    say(&callboard_floor::check::cannot_count_its_start(address, line));
                }
                BoardMessage::Security { session, last_counter, .. }
                    if auth.counter == self.asked =>
                {
                    self.seal.session = Some(session);
                    self.seal.counter = last_counter;
                    self.asked_at = None;
                }
                BoardMessage::Nack(NackReason::OtherSession) if auth.session != 0 => {
                    say(&format!(
                        "board {address} on {line} is in session {}: it restarted",
                        auth.session
                    ));
                    self.seal.follow(header.auth);
                }
                _ => {}
            }
        }
    }
}

/// A board of this site's health as the gateway driving it published it
/// (`callboard/<site>/lines/<line>/boards/<address>/health`), put in the site's table.
fn heard_health(line: &str, address: u8, payload: &[u8], health: &Mutex<Vec<Health>>) {
    let Ok(heard) = serde_json::from_slice::<Health>(payload) else {
        say(&format!("mqtt: the health of board {address} on {line} is not readable"));
        return;
    };
    let mut health = health.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(entry) = health.iter_mut().find(|h| h.line == *line && h.address == address) {
        *entry = Health { line: entry.line.clone(), address, ..heard };
    }
}

/// Where a saved state stood in its source, for the log.
fn where_in(position: &SourcePosition) -> String {
    match (&position.table, &position.manager) {
        (Some(table), _) => format!("row id {} of the table", table.high_water),
        (None, Some(_)) => "the manager's last event".into(),
        (None, None) => format!("offset {} of the log", position.offset),
    }
}

/// What to keep besides the replay, as it stands.
fn kept_now(
    position: SourcePosition,
    counted: &HashMap<u64, Timestamp>,
    entered: &HashMap<String, Timestamp>,
) -> Kept {
    Kept {
        source: position,
        surveys_counted_at: counted.iter().map(|(&print, &at)| (print, at)).collect(),
        surveys_counted: Vec::new(),
        entered: entered.iter().map(|(call, at)| (call.clone(), *at)).collect(),
    }
}

/// How long after a call entered its queue a survey export's row naming it is still dated by
/// it: a week and a day (the boards post yesterday's CSAT; a survey tool exports within days).
/// A row naming an older call is not counted.
const SURVEYED_CALLS_KEPT_MS: u64 = 8 * 86_400_000;

/// How long the calls are kept: for an export's rows when the site has one, else for the
/// log's own survey lines ([`SURVEY_LINE_HORIZON_MS`], two days). A 1,000-agent center enters
/// about 50,000 calls a day, each kept and saved with every checkpoint. (An export added to
/// the site later finds the calls of the last two days, not eight, until eight have passed.)
fn calls_kept_ms(config: &Config) -> u64 {
    if config.surveys.is_some() { SURVEYED_CALLS_KEPT_MS } else { SURVEY_LINE_HORIZON_MS }
}

/// Forgets the calls that entered more than `kept_ms` before `latest`, so that what is kept for
/// survey rows and lines (and saved with the state) does not grow with the log.
fn forget_old_calls(
    entered: &mut HashMap<String, Timestamp>,
    latest: Option<Timestamp>,
    kept_ms: u64,
) {
    if let Some(horizon) = horizon(latest, kept_ms) {
        entered.retain(|_, &mut at| at >= horizon);
    }
}

/// `kept_ms` before `latest`: what entered (or was contacted) earlier is forgotten. `None`
/// before the log has a time.
fn horizon(latest: Option<Timestamp>, kept_ms: u64) -> Option<Timestamp> {
    latest.map(|latest| latest.saturating_sub(kept_ms))
}

/// Adds the rows of the survey export not counted yet.
fn read_surveys(
    config: &Config,
    path: &std::path::Path,
    counted: &mut HashMap<u64, Timestamp>,
    horizon: Option<Timestamp>,
    entered: &HashMap<String, Timestamp>,
    stepper: &mut Stepper,
    told_too_old: &mut bool,
) {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return say(&format!("{name}: cannot read it: {e}")),
    };
    let (rows, warnings) = match surveys::read_csv(&text, &config.calendar, &config.csat.scale) {
        Ok(read) => read,
        Err(e) => return say(&format!("{name}: {e}")),
    };
    for warning in warnings {
        say(&format!("{name}: {warning}"));
    }
    let (mut added, too_old) = new_rows(&name, rows, counted, horizon, entered);
    // Said once: an export that keeps its history has such rows at every change.
    if too_old > 0 && !*told_too_old {
        *told_too_old = true;
        say(&format!("{name}: {too_old} rows rate contacts more than eight days old; not counted"));
    }
    if !added.is_empty() {
        say(&format!("{name}: {} new survey responses", added.len()));
        added.sort_by_key(|s| s.response.contact_at);
        stepper.push_surveys(added);
    }
}

/// The export's rows not counted yet, now counted, and how many rows rate a contact older than
/// `horizon` (eight days before the log's time). Those are not counted: a row naming a call is
/// dated only while the call is kept (eight days), and a dated row is held to the same rule, so
/// that a fingerprint can be forgotten with its contact and `counted` stays the size of eight
/// days of responses however long the service runs.
fn new_rows(
    name: &str,
    rows: Vec<surveys::SurveyRow>,
    counted: &mut HashMap<u64, Timestamp>,
    horizon: Option<Timestamp>,
    entered: &HashMap<String, Timestamp>,
) -> (Vec<Survey>, usize) {
    if let Some(horizon) = horizon {
        counted.retain(|_, &mut at| at >= horizon);
    }
    let mut added = Vec::new();
    let mut too_old = 0;
    for row in rows {
        let contact_at = match &row.contact {
            Contact::At(at) => *at,
            Contact::Call(call) => match entered.get(call) {
                Some(&at) => at,
                // Not seen yet (perhaps later in the log; looked for again at the next change),
                // or forgotten with the calls older than eight days.
                None => continue,
            },
        };
        if horizon.is_some_and(|horizon| contact_at < horizon) {
            too_old += 1;
            continue;
        }
        let print = fingerprint(&row);
        if counted.insert(print, contact_at).is_some() {
            continue;
        }
        added.push(Survey {
            origin: format!("{name} line {}", row.line),
            response: SurveyResponse {
                contact_at,
                score: row.score,
                answers: row.answers,
                follow_up_requested: row.follow_up,
            },
        });
    }
    (added, too_old)
}

/// Writes `figures.json`: each queue's figures for today and each board's health.
fn write_figures(
    config: &Config,
    stepper: &Stepper,
    health: &Mutex<Vec<Health>>,
    lines_read: u64,
) -> Result<(), String> {
    let center = stepper.center();
    let at = center.now();
    let today = at.map(|now| config.calendar.local_date(now));
    let queues = config
        .queues
        .iter()
        .filter_map(|q| {
            let id = *stepper.queue_ids().get(&q.name)?;
            let today = today?;
            let days = center
                .days(id)
                .filter(|d| d.date == today || d.date == today.previous())
                .map(|d| QueueDay {
                    date: d.date.to_string(),
                    stats: d.stats,
                    figures: d.stats.figures(),
                })
                .collect();
            Some(QueueToday { name: &q.name, label: &q.label, days })
        })
        .collect();
    let file = FiguresFile {
        at_ms: at,
        queues,
        csat: center.csat().days().map(|(date, tally)| (date.to_string(), *tally)).collect(),
        boards: health.lock().map(|h| h.clone()).unwrap_or_default(),
        lines_read,
        warnings: stepper.warnings().len(),
    };
    let json = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
    state::write_atomically(&config.state_dir.join("figures.json"), &json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_kept_for_survey_rows_are_the_last_eight_days() {
        let now = 1_800_000_000_000;
        let mut entered: HashMap<String, Timestamp> = HashMap::new();
        entered.insert("old".into(), now - SURVEYED_CALLS_KEPT_MS - 1);
        entered.insert("edge".into(), now - SURVEYED_CALLS_KEPT_MS);
        entered.insert("three days".into(), now - 3 * 86_400_000);
        entered.insert("today".into(), now - 60_000);
        forget_old_calls(&mut entered, None, SURVEYED_CALLS_KEPT_MS);
        assert_eq!(entered.len(), 4, "no clock yet: nothing is old");
        forget_old_calls(&mut entered, Some(now), SURVEYED_CALLS_KEPT_MS);
        let kept = |entered: &HashMap<String, Timestamp>| {
            let mut kept: Vec<String> = entered.keys().cloned().collect();
            kept.sort_unstable();
            kept
        };
        assert_eq!(kept(&entered), ["edge", "three days", "today"]);
        // Without an export, only the log's survey lines look calls up: two days.
        forget_old_calls(&mut entered, Some(now), SURVEY_LINE_HORIZON_MS);
        assert_eq!(kept(&entered), ["today"]);
    }

    /// An export's rows are counted once each; a row rating a contact older than eight days
    /// is not counted, so its fingerprint is forgotten after those days and `counted` holds
    /// eight days of responses however long the export grows.
    #[test]
    fn export_rows_are_counted_once_and_forgotten_with_their_contacts() {
        let day = 86_400_000;
        let start = 1_800_000_000_000;
        let row = |line: usize, contact: Contact| surveys::SurveyRow {
            line,
            contact,
            score: 4,
            answers: [None; callboard_core::csat::BASELINE_QUESTIONS],
            follow_up: false,
        };
        let export = |days: u64| {
            // A row a day for `days` days, and one about a call by its id.
            let mut rows: Vec<_> =
                (0..days).map(|d| row(2 + d as usize, Contact::At(start + d * day))).collect();
            rows.push(row(99, Contact::Call("1.7".into())));
            rows
        };
        let mut entered = HashMap::from([("1.7".to_string(), start + 2 * day)]);
        let mut counted = HashMap::new();
        let horizon = |now: u64| horizon(Some(now), SURVEYED_CALLS_KEPT_MS);

        // Day 3: the three rows so far and the call's.
        let (added, old) =
            new_rows("s.csv", export(3), &mut counted, horizon(start + 3 * day), &entered);
        assert_eq!((added.len(), old), (4, 0));
        // Read again with a day more: only the new row.
        let (added, old) =
            new_rows("s.csv", export(4), &mut counted, horizon(start + 4 * day), &entered);
        assert_eq!((added.len(), old), (1, 0));
        assert_eq!(added[0].response.contact_at, start + 3 * day);
        assert_eq!(counted.len(), 5);

        // Thirty days on, the export has thirty rows; the call is forgotten. The rows older
        // than eight days are not counted (nor counted again), and their fingerprints are gone.
        let now = start + 30 * day;
        forget_old_calls(&mut entered, Some(now), SURVEYED_CALLS_KEPT_MS);
        let (added, old) = new_rows("s.csv", export(30), &mut counted, horizon(now), &entered);
        // Rows of days 0 to 21 are too old (the first four, counted before, are not counted
        // again); 22 to 29 are new.
        assert_eq!(old, 22);
        assert_eq!(added.len(), 8);
        assert!(added.iter().all(|s| s.response.contact_at >= now - SURVEYED_CALLS_KEPT_MS));
        assert_eq!(counted.len(), 8, "only the last eight days' fingerprints are kept");
        let (added, _) = new_rows("s.csv", export(30), &mut counted, horizon(now), &entered);
        assert!(added.is_empty(), "counted twice: {added:?}");
    }

    #[test]
    fn calls_are_kept_eight_days_only_for_an_export() {
        // The sample site has a survey export.
        let mut config = crate::config::parse(include_str!("../../data/serve-311.toml")).unwrap();
        assert!(config.surveys.is_some());
        assert_eq!(calls_kept_ms(&config), SURVEYED_CALLS_KEPT_MS);
        config.surveys = None;
        assert_eq!(calls_kept_ms(&config), SURVEY_LINE_HORIZON_MS);
    }
}
