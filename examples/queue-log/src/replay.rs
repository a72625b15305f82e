//! Replaying a queue_log through the core, the way a switch would feed it live.
//!
//! Each queue_log verb becomes the core event it means:
//!
//! | queue_log | core |
//! |---|---|
//! | `ENTERQUEUE` | call entered |
//! | `CONNECT` | call answered (and the agent on a call) |
//! | `COMPLETECALLER`, `COMPLETEAGENT`, `BLINDTRANSFER`, `ATTENDEDTRANSFER`, `TRANSFER` | call ended (the agent's part of it is over) |
//! | `ABANDON` | call abandoned |
//! | `EXITWITHTIMEOUT`, `EXITEMPTY`, `EXITWITHKEY`, `WITHDRAW` | call dequeued: timeout, no agents, caller's choice, withdrawn; never an abandon |
//! | `AGENTLOGIN`, `AGENTCALLBACKLOGIN`, `ADDMEMBER` | agent logged in (and a member of the queue) |
//! | `AGENTLOGOFF`, `AGENTCALLBACKLOGOFF`, `REMOVEMEMBER` | agent logged out (left the queue) |
//! | `PAUSE`, `PAUSEALL`, `UNPAUSE`, `UNPAUSEALL` | agent not ready (with the reason) / ready |
//! | `QUEUESTART` | Asterisk restarted: calls still in the queues were lost (dequeued, "system restart"), calls with agents ended, agents logged out |
//! | `RINGNOANSWER`, `RINGCANCELED`, `AGENTDUMP`, `SYSCOMPAT`, `AGENTCALLED`, `DID`, `CONFIGRELOAD`, `INFO`, `JOINEMPTY`, `FULL`, `CLOSED`, hold events | nothing to count |
//! | `CALLOUTBOUND` (QueueMetrics' outbound dialling) | the call and all its events are not queue calls and are left out |
//!
//! Waits and talk times come from the events' timestamps, never from the data fields, so the
//! figures do not depend on which Asterisk version wrote the log or which fields a vendor moved.
//! Agents first seen on a call (static queue members log no login) are counted from that
//! moment. Anything that cannot be counted gets a warning naming its line.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use callboard_core::calendar::{LocalDate, MILLIS_PER_DAY, Timestamp};
use callboard_core::center::{CallStatus, Diagnostics};
use callboard_core::csat::{CsatError, CsatTally};
use callboard_core::event::{AgentId, AgentState, CallId, DequeueReason, QueueId, ReasonCode};
use callboard_core::interval::{DayReport, IntervalReport};
use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};

use serde::{Deserialize, Serialize};

use crate::read::{Parsed, Record};
use crate::row::RowWarning;
use crate::surveys::{Survey, SurveyMatcher};
use crate::verb::Verb;

/// Capacities of the replay engine: 64 queues, 16 384 calls in flight, 4 096 agents, two days of
/// 15-minute intervals waiting to settle, and 400 days.
pub type ReplayCenter = Center<64, 16_384, 4_096, REPLAY_INTERVALS, 400>;

/// Intervals the replay's engine keeps per queue: two days of quarter hours.
pub const REPLAY_INTERVALS: usize = 192;

/// The figures of one queue.
#[derive(Debug, Clone)]
pub struct QueueFigures {
    /// The queue's name in the log.
    pub name: String,
    /// Every interval from its first activity to the end of the log, oldest first.
    pub intervals: Vec<IntervalReport>,
    /// Every local day with activity, oldest first.
    pub days: Vec<DayReport>,
}

/// A call without an outcome when the log ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCall {
    /// Its callid.
    pub callid: String,
    /// Its queue.
    pub queue: String,
    /// The line of its `ENTERQUEUE`.
    pub entered_line: usize,
    /// Whether an agent had answered it.
    pub answered: bool,
}

/// Everything a replay produced.
#[derive(Debug)]
pub struct Replayed {
    /// Per queue, sorted by name.
    pub queues: Vec<QueueFigures>,
    /// Warnings from reading and replaying, by line.
    pub warnings: Vec<RowWarning>,
    /// Calls still open when the log ended.
    pub open_calls: Vec<OpenCall>,
    /// The engine's counters.
    pub diagnostics: Diagnostics,
    /// The last instant of the log: what "now" means for open calls.
    pub end: Option<Timestamp>,
    /// Survey results by the local day of the calls rated, for the days with responses.
    pub csat: Vec<(LocalDate, CsatTally)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting,
    Connected,
}

/// What the replay keeps of a call the log named: the core's id for it and the line it entered
/// on. Its phase, queue and agent are the center's to say ([`Replayer::state_of`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CallTrack {
    id: CallId,
    entered_line: usize,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct AgentTrack {
    id: u32,
    logged_in: bool,
    paused: Option<ReasonCode>,
    on_call: bool,
    queues: BTreeSet<String>,
    /// The state last sent to the core.
    sent: Option<AgentState>,
}

impl AgentTrack {
    fn derived(&self) -> AgentState {
        match (self.logged_in, self.on_call, self.paused) {
            (false, _, _) => AgentState::LoggedOut,
            (true, true, _) => AgentState::OnCall,
            (true, false, Some(reason)) => AgentState::NotReady(reason),
            (true, false, None) => AgentState::Available,
        }
    }
}

/// Per-callid trouble collected while replaying, reported once per call.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Orphan {
    first_line: usize,
    lines: usize,
}

/// The replay's maps by the log's names (calls, agents): looked up on every line, so hashed
/// by foldhash rather than SipHash (a third of a replay's time went to SipHash), with a seed
/// chosen per process.
type Names<V> = HashMap<String, V, foldhash::fast::RandomState>;

struct Replayer {
    center: Box<ReplayCenter>,
    queue_ids: HashMap<String, QueueId>,
    /// Queue names by `QueueId`, which the replay numbers from 0 in order of appearance.
    queue_names: Vec<String>,
    queue_config: QueueConfig,
    /// Queues measured otherwise than `queue_config`, by name.
    queue_configs: HashMap<String, QueueConfig>,
    calls: Names<CallTrack>,
    next_call: u64,
    agents: Names<AgentTrack>,
    /// Agent names by `AgentId`, numbered from 0 in order of appearance.
    agent_names: Vec<String>,
    reasons: Names<ReasonCode>,
    outbound: Names<Orphan>,
    orphans: Names<Orphan>,
    custom: BTreeMap<String, Orphan>,
    warnings: Vec<RowWarning>,
    settled: HashMap<QueueId, Vec<IntervalReport>>,
    /// Survey responses not yet filed, in the order of the calls they rate: each is filed once
    /// the clock has reached its call.
    surveys: VecDeque<Survey>,
    /// What the center was handed, when [`replay_recorded`] asks for it.
    recorded: Option<Vec<Handed>>,
}

/// One thing a replay handed its center, in order ([`replay_recorded`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Handed {
    /// A queue added: its id, its name in the log and its configuration.
    Queue(QueueId, String, QueueConfig),
    /// An event, and whether the center took it.
    Event(Event, bool),
}

/// [`replay`], also returning everything the replay handed its center, in order: the center's
/// configuration, the queues as they were added and every event with whether it was taken.
/// Another implementation of the core (the C ABI) fed the same must show the same figures.
#[must_use]
pub fn replay_recorded(
    parsed: Parsed,
    config: CenterConfig,
    queue_config: QueueConfig,
) -> (Replayed, CenterConfig, Vec<Handed>) {
    let mut r = Replayer::new(parsed.warnings, config, queue_config);
    r.recorded = Some(Vec::new());
    let config = *r.center.config();
    r.replay_all(&parsed.records, parsed.surveys);
    let handed = r.recorded.take().unwrap_or_default();
    (r.finish(), config, handed)
}

/// Replays parsed records through a new center.
///
/// The engine is large (it holds two days of intervals for 64 queues); callers on a thread with
/// a small stack should use [`replay_on_own_thread`].
#[must_use]
pub fn replay(parsed: Parsed, config: CenterConfig, queue_config: QueueConfig) -> Replayed {
    let mut r = Replayer::new(parsed.warnings, config, queue_config);
    r.replay_all(&parsed.records, parsed.surveys);
    r.finish()
}

/// What a streamed replay does with each interval as it settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Kept for [`Replayed`]'s intervals: the output grows with the log, an interval at a time.
    Keep,
    /// Let go: [`Replayed`] has only the intervals still open at the end (the last two days),
    /// and the days. For a report of days, whose memory then stays flat however long the log.
    Drop,
}

/// Replays records as they stream by (from a [`Stream`](crate::stream::Stream)), holding only
/// the calls in flight and the intervals not yet settled, whatever the log's length (and the
/// settled intervals, if `settled` keeps them): the same figures as [`replay`] of the whole
/// log. Survey responses are matched to their calls on the way ([`SurveyMatcher`]). The
/// stream's own warnings are the caller's to add.
///
/// Like [`replay`], build it on a thread with [`REPLAY_STACK_BYTES`] of stack.
#[must_use]
pub fn replay_records(
    records: impl Iterator<Item = Record>,
    mut surveys: SurveyMatcher,
    config: CenterConfig,
    queue_config: QueueConfig,
    settled: Settled,
) -> Replayed {
    let mut r = Replayer::new(Vec::new(), config, queue_config);
    r.surveys.extend(surveys.take_dated());
    let mut found = Vec::new();
    for record in records {
        if !surveys.see(&record, &mut found) {
            r.record(&record);
        }
        for survey in found.drain(..) {
            match survey {
                Ok(survey) => {
                    let at = survey.response.contact_at;
                    let place = r.surveys.partition_point(|s| s.response.contact_at <= at);
                    r.surveys.insert(place, survey);
                }
                Err(warning) => r.warnings.push(warning),
            }
        }
        r.file_surveys();
        while let Some((queue, report)) = r.center.pop_settled_interval() {
            if settled == Settled::Keep {
                r.settled.entry(queue).or_default().push(report);
            }
        }
    }
    r.file_surveys_until(Timestamp::MAX);
    r.warnings.extend(surveys.finish());
    r.finish()
}

/// Replays the records up to and including `moment`, moves the clock to `moment`, and hands
/// the center as it stood then, with the queue ids given to the log's queue names, to `look`.
/// For pictures of a moment: what a wallboard showed at 11:00.
///
/// Runs on its own thread (like [`replay_on_own_thread`]).
///
/// # Errors
/// When the thread cannot be started or panics, or the moment is out of range.
pub fn center_at<T: Send + 'static>(
    parsed: Parsed,
    config: CenterConfig,
    queue_config: QueueConfig,
    moment: Timestamp,
    look: impl FnOnce(&ReplayCenter, &HashMap<String, QueueId>) -> T + Send + 'static,
) -> std::io::Result<T> {
    std::thread::Builder::new()
        .name("replay".into())
        .stack_size(REPLAY_STACK_BYTES)
        .spawn(move || {
            let mut stepper = Stepper::new(parsed.warnings, config, queue_config);
            stepper.push(parsed.records);
            stepper.push_surveys(parsed.surveys);
            stepper.advance_to(moment).map_err(std::io::Error::other)?;
            Ok(look(stepper.center(), stepper.queue_ids()))
        })?
        .join()
        .map_err(|_| std::io::Error::other("the replay thread panicked"))?
}

/// The stack of a thread that replays a log (or follows one, or runs the SLA tracker): the
/// engine itself is on the heap, made in place by the core (`Center::new_boxed`), so this is
/// only room for the work around it. (It was 256 MiB while the engine was built on the stack
/// first.)
pub const REPLAY_STACK_BYTES: usize = 8 << 20;

/// How late a live queue_log line may be read and still counted: its whole-second stamp, plus
/// a slow writer or a `tail` over a network file system.
pub const LIVE_LATENESS_MS: u64 = 5_000;

/// A replay that moves forward a step at a time, for boards fed a log at a steady rate or fed
/// live: records are pushed as they come and applied as the clock reaches them.
///
/// Build it on a thread with [`REPLAY_STACK_BYTES`] of stack.
pub struct Stepper {
    replayer: Replayer,
    pending: VecDeque<Record>,
    /// Settled intervals stay in the engine's ring (see [`Stepper::keep_intervals`]).
    keep_intervals: bool,
}

impl std::fmt::Debug for Stepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stepper")
            .field("clock", &self.replayer.center.now())
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Stepper {
    /// A stepper with no records yet; `warnings` are the reader's, kept with the replay's.
    #[must_use]
    pub fn new(warnings: Vec<RowWarning>, config: CenterConfig, queue_config: QueueConfig) -> Self {
        Self {
            replayer: Replayer::new(warnings, config, queue_config),
            pending: VecDeque::new(),
            keep_intervals: false,
        }
    }

    /// A stepper for a log read as it is written: the clock follows the wall clock, and a line
    /// written a moment before the clock moved on (queue_log stamps whole seconds) is still
    /// counted, up to [`LIVE_LATENESS_MS`] late.
    #[must_use]
    pub fn live(config: CenterConfig, queue_config: QueueConfig) -> Self {
        Self {
            replayer: Replayer::with_tolerance(Vec::new(), config, queue_config, LIVE_LATENESS_MS),
            pending: VecDeque::new(),
            keep_intervals: false,
        }
    }

    /// Adds the queue called `name` now, before any of its calls, so a board can show it from
    /// the start.
    ///
    /// # Errors
    /// The engine's refusal (too many queues).
    pub fn declare_queue(&mut self, name: &str) -> Result<QueueId, String> {
        self.replayer.queue_id(name, 0).ok_or_else(|| {
            self.replayer.warnings.last().map_or_else(String::new, |w| w.reason.clone())
        })
    }

    /// Measures the queue called `name` by `config` rather than the stepper's own, from when
    /// it is added (by [`Stepper::declare_queue`] or its first call).
    pub fn configure_queue(&mut self, name: &str, config: QueueConfig) {
        self.replayer.queue_configs.insert(name.to_owned(), config);
    }

    /// Keeps the reader's warnings about lines it could not read, with the replay's own.
    pub fn note(&mut self, warnings: impl IntoIterator<Item = RowWarning>) {
        self.replayer.warnings.extend(warnings);
    }

    /// Queues records to apply when the clock reaches them. A record older than some already
    /// queued (a database row committed late, a manager event held back) takes its place in
    /// time order among them.
    pub fn push(&mut self, records: impl IntoIterator<Item = Record>) {
        for record in records {
            if self.pending.back().is_none_or(|last| last.at <= record.at) {
                self.pending.push_back(record);
            } else {
                let at = self.pending.partition_point(|queued| queued.at <= record.at);
                self.pending.insert(at, record);
            }
        }
    }

    /// Queues survey responses, in the order of the calls they rate, to file when the clock
    /// reaches their calls.
    pub fn push_surveys(&mut self, surveys: impl IntoIterator<Item = Survey>) {
        self.replayer.surveys.extend(surveys);
    }

    /// Applies the queued records up to and including `moment` and moves the clock there.
    ///
    /// # Errors
    /// The engine's refusal of the moment (before its clock, or out of range).
    pub fn advance_to(&mut self, moment: Timestamp) -> Result<(), String> {
        while self.pending.front().is_some_and(|record| record.at <= moment) {
            if let Some(record) = self.pending.pop_front() {
                self.replayer.record(&record);
            }
        }
        let moved = self.replayer.center.advance_to(moment).map_err(|e| e.to_string());
        self.replayer.file_surveys();
        self.take_settled();
        moved
    }

    /// Keeps the intervals that can no longer change in the engine, where
    /// [`Center::intervals`](callboard_core::center::Center::intervals) reads them: the last
    /// [`REPLAY_INTERVALS`] of each queue (two days of quarter hours), the oldest making room
    /// for the newest. Without it a stepper shows only the present and lets them go.
    pub fn keep_intervals(&mut self) {
        self.keep_intervals = true;
    }

    /// Lets the settled intervals go, unless they are kept.
    fn take_settled(&mut self) {
        if !self.keep_intervals {
            while self.replayer.center.pop_settled_interval().is_some() {}
        }
    }

    /// The next record not yet applied.
    #[must_use]
    pub fn peek(&self) -> Option<&Record> {
        self.pending.front()
    }

    /// Applies the next record (its time moves the clock) and returns it: for looking at the
    /// center between one event and the next, as an evaluation of estimates at each arrival does.
    pub fn step(&mut self) -> Option<Record> {
        let record = self.pending.pop_front()?;
        self.replayer.record(&record);
        self.replayer.file_surveys();
        self.take_settled();
        Some(record)
    }

    /// The center as it stands.
    #[must_use]
    pub fn center(&self) -> &ReplayCenter {
        &self.replayer.center
    }

    /// The queue ids given to the log's queue names.
    #[must_use]
    pub fn queue_ids(&self) -> &HashMap<String, QueueId> {
        &self.replayer.queue_ids
    }

    /// The center, to record what the log does not carry (survey responses).
    pub fn center_mut(&mut self) -> &mut ReplayCenter {
        &mut self.replayer.center
    }

    /// Warnings so far, by line.
    #[must_use]
    pub fn warnings(&self) -> &[RowWarning] {
        &self.replayer.warnings
    }
}

/// What a [`Stepper`] knows besides its center, as saved by [`Stepper::checkpoint`]: the names
/// the log gave to the core's ids, each call and agent as the log last told of it, the
/// warnings so far, and what is queued.
#[derive(Serialize, Deserialize)]
struct Saved {
    queue_ids: BTreeMap<String, QueueId>,
    queue_names: Vec<String>,
    queue_config: QueueConfig,
    queue_configs: BTreeMap<String, QueueConfig>,
    calls: BTreeMap<String, CallTrack>,
    next_call: u64,
    agents: BTreeMap<String, AgentTrack>,
    agent_names: Vec<String>,
    reasons: BTreeMap<String, ReasonCode>,
    outbound: BTreeMap<String, Orphan>,
    orphans: BTreeMap<String, Orphan>,
    custom: BTreeMap<String, Orphan>,
    warnings: Vec<RowWarning>,
    surveys: VecDeque<Survey>,
    pending: VecDeque<Record>,
}

/// A map in key order: a saved stepper's bytes are the same for the same state.
fn sorted<V: Clone, S>(map: &HashMap<String, V, S>) -> BTreeMap<String, V> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The start of a saved stepper.
const SAVED_MAGIC: &[u8; 8] = b"CBSTEP01";

impl Stepper {
    /// The whole stepper as bytes: the core's checkpoint of its center (versioned,
    /// CRC-checked, audited when restored) and, as JSON, what the replay knows besides (the
    /// log's names for the core's ids, each call and agent, the warnings, what is queued).
    /// [`Stepper::restore`] continues from it exactly where this one stands.
    ///
    /// # Errors
    /// The core's refusal to checkpoint (not expected), or the replay's state not encodable.
    pub fn checkpoint(&self) -> Result<Vec<u8>, String> {
        let r = &self.replayer;
        let saved = Saved {
            queue_ids: sorted(&r.queue_ids),
            queue_names: r.queue_names.clone(),
            queue_config: r.queue_config,
            queue_configs: sorted(&r.queue_configs),
            calls: sorted(&r.calls),
            next_call: r.next_call,
            agents: sorted(&r.agents),
            agent_names: r.agent_names.clone(),
            reasons: sorted(&r.reasons),
            outbound: sorted(&r.outbound),
            orphans: sorted(&r.orphans),
            custom: r.custom.clone(),
            warnings: r.warnings.clone(),
            surveys: r.surveys.clone(),
            pending: self.pending.clone(),
        };
        let json = serde_json::to_vec(&saved).map_err(|e| format!("the replay's state: {e}"))?;
        let len = r.center.checkpoint_len().map_err(|e| e.to_string())?;
        let mut bytes = Vec::with_capacity(SAVED_MAGIC.len() + 8 + json.len() + len);
        bytes.extend_from_slice(SAVED_MAGIC);
        bytes.extend_from_slice(&(json.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&json);
        let start = bytes.len();
        bytes.resize(start + len, 0);
        let written = r.center.checkpoint(&mut bytes[start..]).map_err(|e| e.to_string())?;
        bytes.truncate(start + written);
        Ok(bytes)
    }

    /// A stepper continued from [`Stepper::checkpoint`]'s bytes, live (as [`Stepper::live`])
    /// or not. Its center's configuration is the checkpoint's.
    ///
    /// # Errors
    /// Bytes that are not a saved stepper, or whose center the core refuses (damaged, of
    /// another format or capacity, or in a state the engine cannot reach): nothing is
    /// restored then.
    pub fn restore(bytes: &[u8], live: bool) -> Result<Self, String> {
        let rest = bytes.strip_prefix(SAVED_MAGIC).ok_or("not a saved replay")?;
        let (len, rest) = rest.split_first_chunk::<8>().ok_or("a saved replay cut short")?;
        let len =
            usize::try_from(u64::from_le_bytes(*len)).map_err(|_| "a saved replay too long")?;
        if rest.len() < len {
            return Err("a saved replay cut short".into());
        }
        let (json, center) = rest.split_at(len);
        let saved: Saved =
            serde_json::from_slice(json).map_err(|e| format!("a damaged saved replay: {e}"))?;
        let tolerance = if live { LIVE_LATENESS_MS } else { 0 };
        let mut replayer = Replayer::with_tolerance(
            Vec::new(),
            CenterConfig::default(),
            saved.queue_config,
            tolerance,
        );
        replayer.center.restore(center).map_err(|e| format!("the saved center: {e}"))?;
        replayer.queue_ids = saved.queue_ids.into_iter().collect();
        replayer.queue_names = saved.queue_names;
        replayer.queue_configs = saved.queue_configs.into_iter().collect();
        replayer.calls = saved.calls.into_iter().collect();
        replayer.next_call = saved.next_call;
        replayer.agents = saved.agents.into_iter().collect();
        replayer.agent_names = saved.agent_names;
        replayer.reasons = saved.reasons.into_iter().collect();
        replayer.outbound = saved.outbound.into_iter().collect();
        replayer.orphans = saved.orphans.into_iter().collect();
        replayer.custom = saved.custom;
        replayer.warnings = saved.warnings;
        replayer.surveys = saved.surveys;
        Ok(Self { replayer, pending: saved.pending, keep_intervals: false })
    }
}

/// [`replay`] on a thread with a stack large enough for the engine in debug builds.
///
/// # Errors
/// When the thread cannot be started or panics.
pub fn replay_on_own_thread(
    parsed: Parsed,
    config: CenterConfig,
    queue_config: QueueConfig,
) -> std::io::Result<Replayed> {
    on_replay_thread(move || replay(parsed, config, queue_config))
}

/// Runs `work` (a replay, [`replay_records`]) on a thread with [`REPLAY_STACK_BYTES`] of stack.
///
/// # Errors
/// When the thread cannot be started or panics.
pub fn on_replay_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<T> {
    std::thread::Builder::new()
        .name("replay".into())
        .stack_size(REPLAY_STACK_BYTES)
        .spawn(work)?
        .join()
        .map_err(|_| std::io::Error::other("the replay thread panicked"))
}

impl Replayer {
    /// Every record of a whole log, its survey responses filed as the clock reaches their
    /// calls, the intervals that settle kept.
    fn replay_all(&mut self, records: &[Record], surveys: Vec<Survey>) {
        self.surveys.extend(surveys);
        for record in records {
            self.record(record);
            self.file_surveys();
            while let Some((queue, report)) = self.center.pop_settled_interval() {
                self.settled.entry(queue).or_default().push(report);
            }
        }
        // Responses to calls after the log's last line cannot be filed: each says so.
        self.file_surveys_until(Timestamp::MAX);
    }

    /// A replayer for a whole log, whose records are already in time order.
    fn new(warnings: Vec<RowWarning>, config: CenterConfig, queue_config: QueueConfig) -> Self {
        Self::with_tolerance(warnings, config, queue_config, 0)
    }

    fn with_tolerance(
        warnings: Vec<RowWarning>,
        config: CenterConfig,
        queue_config: QueueConfig,
        reorder_tolerance_ms: u64,
    ) -> Self {
        let config = CenterConfig {
            reorder_tolerance_ms,
            // Gaps of weeks are normal in a log (a queue closed for the holidays); implausible
            // timestamps were removed by the reader.
            max_clock_jump_ms: 800 * MILLIS_PER_DAY,
            ..config
        };
        Self {
            center: ReplayCenter::new_boxed(config),
            queue_ids: HashMap::new(),
            queue_names: Vec::new(),
            queue_config,
            queue_configs: HashMap::new(),
            calls: Names::default(),
            next_call: 0,
            agents: Names::default(),
            agent_names: Vec::new(),
            reasons: Names::default(),
            outbound: Names::default(),
            orphans: Names::default(),
            custom: BTreeMap::new(),
            warnings,
            settled: HashMap::new(),
            surveys: VecDeque::new(),
            recorded: None,
        }
    }
}

fn lines(n: usize) -> String {
    if n == 1 { "1 line".into() } else { format!("{n} lines") }
}

fn is_none(field: &str) -> bool {
    field.is_empty() || field.eq_ignore_ascii_case("NONE")
}

impl Replayer {
    /// Files the responses to calls up to the clock.
    fn file_surveys(&mut self) {
        if let Some(now) = self.center.now() {
            self.file_surveys_until(now);
        }
    }

    /// Files the responses to calls up to `until`; one the center cannot count gets a warning
    /// naming where it came from.
    fn file_surveys_until(&mut self, until: Timestamp) {
        while self.surveys.front().is_some_and(|s| s.response.contact_at <= until) {
            let Some(survey) = self.surveys.pop_front() else { break };
            if let Err(error) = self.center.record_survey(&survey.response) {
                let reason = match error {
                    CsatError::ContactInFuture => "the call it rates is after the log ends".into(),
                    CsatError::TooOld => "the call it rates is older than the days kept".into(),
                    other => other.to_string(),
                };
                let message = format!("{}: survey response not counted: {reason}", survey.origin);
                self.warnings.push(RowWarning::whole(message));
            }
        }
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(RowWarning::at(line, message));
    }

    fn apply(&mut self, line: usize, what: &str, at: Timestamp, kind: EventKind) -> bool {
        let event = Event::new(at, kind);
        let outcome = self.center.apply(&event);
        if let Some(recorded) = &mut self.recorded {
            recorded.push(Handed::Event(event, outcome.is_ok()));
        }
        match outcome {
            Ok(()) => true,
            Err(e) => {
                self.warn(line, format!("{what} not counted: {e}"));
                false
            }
        }
    }

    fn record(&mut self, rec: &Record) {
        if self.outbound.contains_key(&rec.callid) {
            if let Some(o) = self.outbound.get_mut(&rec.callid) {
                o.lines += 1;
            }
            return;
        }
        match &rec.verb {
            Verb::EnterQueue => self.enter(rec),
            Verb::Connect => self.connect(rec),
            Verb::CompleteCaller
            | Verb::CompleteAgent
            | Verb::BlindTransfer
            | Verb::AttendedTransfer
            | Verb::Transfer => {
                self.complete(rec);
            }
            Verb::Abandon => self.leave(rec, |call| EventKind::CallAbandoned { call }),
            Verb::ExitWithTimeout => self.dequeue(rec, DequeueReason::Timeout),
            Verb::ExitEmpty => self.dequeue(rec, DequeueReason::NoAgents),
            Verb::ExitWithKey => self.dequeue(rec, DequeueReason::CallerOption),
            Verb::Withdraw => self.dequeue(rec, DequeueReason::Withdrawn),
            Verb::AgentLogin | Verb::AgentCallbackLogin | Verb::AddMember => {
                self.agent_update(rec, |a| a.logged_in = true)
            }
            Verb::AgentLogoff | Verb::AgentCallbackLogoff => {
                self.agent_update(rec, |a| a.logged_in = false)
            }
            Verb::RemoveMember => self.remove_member(rec),
            Verb::Pause | Verb::PauseAll => {
                let reason = self.reason_code(rec.data.first().map_or("", String::as_str));
                self.agent_update(rec, |a| a.paused = Some(reason));
            }
            Verb::Unpause | Verb::UnpauseAll => self.agent_update(rec, |a| a.paused = None),
            Verb::QueueStart => self.restart(rec),
            Verb::CallOutbound => {
                self.outbound.insert(rec.callid.clone(), Orphan { first_line: rec.line, lines: 1 });
                if let Some(track) = self.calls.remove(&rec.callid) {
                    self.warn(rec.line, format!(
                        "call {} was queued at line {} but is an outbound call; its queue events stay counted",
                        rec.callid, track.entered_line
                    ));
                }
            }
            // Known verbs that change no figure: ring attempts, announcements, configuration,
            // the dialled number, calls refused entry before joining, hold tracking.
            Verb::RingNoAnswer
            | Verb::RingCanceled
            | Verb::AgentDump
            | Verb::SysCompat
            | Verb::AgentCalled
            | Verb::Did
            | Verb::ConfigReload
            | Verb::Info
            | Verb::JoinEmpty
            | Verb::Full
            | Verb::Closed
            | Verb::CallerOnHold
            | Verb::CallerOffHold => {}
            Verb::Other(other) => {
                let entry = self
                    .custom
                    .entry(other.clone())
                    .or_insert(Orphan { first_line: rec.line, lines: 0 });
                entry.lines += 1;
            }
        }
    }

    /// The queue called `name`, added to the center on first sight.
    fn queue_id(&mut self, name: &str, line: usize) -> Option<QueueId> {
        if let Some(&id) = self.queue_ids.get(name) {
            return Some(id);
        }
        let id = QueueId(u32::try_from(self.queue_ids.len()).unwrap_or(u32::MAX));
        let config = self.queue_configs.get(name).copied().unwrap_or(self.queue_config);
        match self.center.add_queue(id, config) {
            Ok(()) => {
                if let Some(recorded) = &mut self.recorded {
                    recorded.push(Handed::Queue(id, name.to_owned(), config));
                }
                self.queue_ids.insert(name.to_owned(), id);
                self.queue_names.push(name.to_owned());
                Some(id)
            }
            Err(e) => {
                self.warn(line, format!("queue {name:?} not counted: {e}"));
                None
            }
        }
    }

    fn enter(&mut self, rec: &Record) {
        if is_none(&rec.queue) {
            self.warn(rec.line, "ENTERQUEUE without a queue name; skipped");
            return;
        }
        let Some(queue) = self.queue_id(&rec.queue, rec.line) else {
            return;
        };
        if let Some(open) = self.calls.get(&rec.callid)
            && let Some((phase, in_queue, _)) = self.state_of(open)
        {
            let message = format!(
                "ENTERQUEUE for call {} which is still {} in queue {in_queue} since line {}; skipped",
                rec.callid,
                if phase == Phase::Waiting { "waiting" } else { "connected" },
                open.entered_line
            );
            self.warn(rec.line, message);
            return;
        }
        let id = CallId(self.next_call);
        self.next_call += 1;
        let kind = EventKind::CallEntered { call: id, queue, priority: 0 };
        if self.apply(rec.line, Verb::EnterQueue.as_str(), rec.at, kind) {
            self.calls.insert(rec.callid.clone(), CallTrack { id, entered_line: rec.line });
        }
    }

    /// The call this record is about, if it entered a queue; otherwise remembers the orphan.
    fn tracked(&mut self, rec: &Record, expected: Phase) -> Option<CallId> {
        // A call the log never entered (or one the center no longer has) is an orphan.
        let known = self.calls.get(&rec.callid).and_then(|t| Some((t.id, self.state_of(t)?)));
        let Some((id, (phase, in_queue, _))) = known else {
            let orphan = self
                .orphans
                .entry(rec.callid.clone())
                .or_insert(Orphan { first_line: rec.line, lines: 0 });
            orphan.lines += 1;
            return None;
        };
        if phase != expected {
            let message = format!(
                "{} for call {} which is {}; skipped",
                rec.verb,
                rec.callid,
                if phase == Phase::Waiting { "still waiting" } else { "already connected" }
            );
            self.warn(rec.line, message);
            return None;
        }
        if in_queue != rec.queue && !is_none(&rec.queue) {
            let message = format!(
                "{} names queue {} but call {} is in queue {in_queue}",
                rec.verb, rec.queue, rec.callid
            );
            self.warn(rec.line, message);
        }
        Some(id)
    }

    fn connect(&mut self, rec: &Record) {
        let Some(call) = self.tracked(rec, Phase::Waiting) else {
            return;
        };
        let agent = (!is_none(&rec.agent)).then(|| rec.agent.clone());
        let agent_id = agent.as_ref().map(|name| self.agent_id(name));
        let kind = EventKind::CallAnswered { call, agent: agent_id };
        if !self.apply(rec.line, Verb::Connect.as_str(), rec.at, kind) {
            return;
        }
        if agent.is_some() {
            let track = self.calls.get(&rec.callid);
            let queue = track.and_then(|t| self.state_of(t)).map(|(_, q, _)| q.to_owned());
            self.agent_update_named(rec, &rec.agent, queue.as_deref(), |a| {
                // A static member logs no login: being on a call shows they are logged in.
                a.logged_in = true;
                a.on_call = true;
            });
        }
    }

    fn complete(&mut self, rec: &Record) {
        let Some(call) = self.tracked(rec, Phase::Connected) else {
            return;
        };
        // Who answered, asked before the call leaves the center.
        let track = self.calls.get(&rec.callid);
        let agent = track.and_then(|t| self.state_of(t)).and_then(|(_, _, a)| a.map(str::to_owned));
        // Talk time is everything since the answer (the log has no hold events): the center
        // knows when that was.
        let kind = EventKind::CallEnded { call, talk_ms: None, hold_ms: 0 };
        if !self.apply(rec.line, rec.verb.as_str(), rec.at, kind) {
            return;
        }
        self.calls.remove(&rec.callid);
        if let Some(agent) = agent {
            self.agent_update_named(rec, &agent, None, |a| a.on_call = false);
        }
    }

    fn leave(&mut self, rec: &Record, kind: impl FnOnce(CallId) -> EventKind) {
        let Some(call) = self.tracked(rec, Phase::Waiting) else {
            return;
        };
        if self.apply(rec.line, rec.verb.as_str(), rec.at, kind(call)) {
            self.calls.remove(&rec.callid);
        }
    }

    fn dequeue(&mut self, rec: &Record, reason: DequeueReason) {
        self.leave(rec, |call| EventKind::CallDequeued { call, reason });
    }

    /// Asterisk restarted: nothing it had in flight survived.
    fn restart(&mut self, rec: &Record) {
        let mut open: Vec<(String, CallTrack, Option<Phase>)> = std::mem::take(&mut self.calls)
            .into_iter()
            .map(|(callid, track)| {
                let phase = self.state_of(&track).map(|(phase, _, _)| phase);
                (callid, track, phase)
            })
            .collect();
        open.sort_by_key(|(_, t, _)| t.entered_line);
        for (callid, track, phase) in open {
            let Some(phase) = phase else { continue };
            let (what, kind) = match phase {
                Phase::Waiting => (
                    "lost while waiting",
                    EventKind::CallDequeued {
                        call: track.id,
                        reason: DequeueReason::SystemRestart,
                    },
                ),
                Phase::Connected => (
                    "cut off while connected",
                    EventKind::CallEnded { call: track.id, talk_ms: None, hold_ms: 0 },
                ),
            };
            self.warn(
                rec.line,
                format!(
                    "Asterisk restarted (QUEUESTART): call {callid} (entered line {}) was {what}; \
                     counted as ended by the restart",
                    track.entered_line
                ),
            );
            self.apply(rec.line, Verb::QueueStart.as_str(), rec.at, kind);
        }
        let names: Vec<String> = self.agents.keys().cloned().collect();
        for name in names {
            self.agent_update_named(rec, &name, None, |a| {
                a.logged_in = false;
                a.on_call = false;
                a.paused = None;
            });
        }
    }

    fn agent_id(&mut self, name: &str) -> AgentId {
        if let Some(known) = self.agents.get(name) {
            return AgentId(known.id);
        }
        let id = u32::try_from(self.agents.len()).unwrap_or(u32::MAX);
        self.agents.insert(name.to_owned(), AgentTrack { id, ..AgentTrack::default() });
        self.agent_names.push(name.to_owned());
        AgentId(id)
    }

    /// What the center says of a call the log named: waiting or connected, in which queue
    /// (by name), with which agent (by name). `None` when the center does not have it (every
    /// queue the center knows was added by the replay, under a name).
    fn state_of(&self, track: &CallTrack) -> Option<(Phase, &str, Option<&str>)> {
        let view = self.center.call(track.id)?;
        let queue = usize::try_from(view.queue.0).ok().and_then(|q| self.queue_names.get(q))?;
        let name = |agent: AgentId| {
            usize::try_from(agent.0).ok().and_then(|a| self.agent_names.get(a)).map(String::as_str)
        };
        let (phase, agent) = match view.status {
            CallStatus::Waiting => (Phase::Waiting, None),
            CallStatus::Connected { agent, .. } => (Phase::Connected, agent.and_then(name)),
        };
        Some((phase, queue.as_str(), agent))
    }

    fn reason_code(&mut self, reason: &str) -> ReasonCode {
        let next = u16::try_from(self.reasons.len() + 1).unwrap_or(u16::MAX);
        *self.reasons.entry(reason.trim().to_owned()).or_insert(ReasonCode(next))
    }

    fn agent_update(&mut self, rec: &Record, change: impl FnOnce(&mut AgentTrack)) {
        if is_none(&rec.agent) {
            self.warn(rec.line, format!("{} without an agent; skipped", rec.verb));
            return;
        }
        let queue = (!is_none(&rec.queue)).then(|| rec.queue.clone());
        self.agent_update_named(rec, &rec.agent, queue.as_deref(), change);
    }

    fn remove_member(&mut self, rec: &Record) {
        if is_none(&rec.agent) || is_none(&rec.queue) {
            self.warn(rec.line, "REMOVEMEMBER without an agent or a queue; skipped");
            return;
        }
        let queue = self.queue_ids.get(&rec.queue).copied();
        let member = self.agents.get(&rec.agent).is_some_and(|a| a.queues.contains(&rec.queue));
        let Some(queue) = queue.filter(|_| member) else {
            let message = format!(
                "REMOVEMEMBER: {} is not a member of queue {}; nothing to remove",
                rec.agent, rec.queue
            );
            self.warn(rec.line, message);
            return;
        };
        let agent = self.agent_id(&rec.agent);
        if self.apply(
            rec.line,
            Verb::RemoveMember.as_str(),
            rec.at,
            EventKind::AgentLeftQueue { agent, queue },
        ) {
            let no_queues_left = self.agents.get_mut(&rec.agent).is_some_and(|a| {
                a.queues.remove(&rec.queue);
                a.queues.is_empty()
            });
            if no_queues_left {
                self.agent_update_named(rec, &rec.agent, None, |a| a.logged_in = false);
            }
        }
    }

    /// Changes what is known about an agent (joining `queue` if given) and sends the core the
    /// resulting state if it changed.
    fn agent_update_named(
        &mut self,
        rec: &Record,
        name: &str,
        queue: Option<&str>,
        change: impl FnOnce(&mut AgentTrack),
    ) {
        let agent = self.agent_id(name);
        if let Some(queue_name) = queue {
            let is_member = self.agents.get(name).is_some_and(|a| a.queues.contains(queue_name));
            let queue_id = self.queue_id(queue_name, rec.line);
            if let (false, Some(queue)) = (is_member, queue_id) {
                let kind = EventKind::AgentJoinedQueue { agent, queue };
                if self.apply(rec.line, "queue membership", rec.at, kind)
                    && let Some(a) = self.agents.get_mut(name)
                {
                    a.queues.insert(queue_name.to_owned());
                }
            }
        }
        let Some(track) = self.agents.get_mut(name) else {
            return;
        };
        change(track);
        let state = track.derived();
        let unchanged = track.sent.unwrap_or(AgentState::LoggedOut) == state;
        if !unchanged {
            let kind = EventKind::AgentStateChanged { agent, state };
            if self.apply(rec.line, rec.verb.as_str(), rec.at, kind)
                && let Some(track) = self.agents.get_mut(name)
            {
                track.sent = Some(state);
            }
        }
    }

    fn finish(mut self) -> Replayed {
        for (callid, o) in std::mem::take(&mut self.orphans) {
            let more = if o.lines > 1 {
                format!(" (and {} of it after)", lines(o.lines - 1))
            } else {
                String::new()
            };
            self.warn(o.first_line, format!(
                "call {callid} has no ENTERQUEUE (it entered before the log begins, or the line is lost); \
                 this line{more} not counted"
            ));
        }
        for (callid, o) in std::mem::take(&mut self.outbound) {
            self.warn(o.first_line, format!(
                "call {callid} is an outbound (dialler) call, not a queue call: its {} not counted",
                lines(o.lines)
            ));
        }
        for (event, o) in std::mem::take(&mut self.custom) {
            self.warn(o.first_line, format!(
                "unknown or custom event {event:?} ({}, first here) does not change any figure; ignored",
                lines(o.lines)
            ));
        }
        let d = *self.center.diagnostics();
        if d.intervals_evicted > 0 {
            self.warnings.push(RowWarning::whole(format!(
                "{} intervals were dropped before their calls ended (a call open for over two days); \
                 the day figures still hold them",
                d.intervals_evicted
            )));
        }
        if d.days_evicted > 0 {
            self.warnings.push(RowWarning::whole(format!(
                "{} of the oldest days exceeded the 400 days kept and are not shown",
                d.days_evicted
            )));
        }
        let mut open_calls: Vec<OpenCall> = self
            .calls
            .iter()
            .filter_map(|(callid, t)| {
                let (phase, queue, _) = self.state_of(t)?;
                Some(OpenCall {
                    callid: callid.clone(),
                    queue: queue.to_owned(),
                    entered_line: t.entered_line,
                    answered: phase == Phase::Connected,
                })
            })
            .collect();
        open_calls.sort_by_key(|c| c.entered_line);
        for c in &open_calls {
            let state = if c.answered { "still connected to an agent" } else { "still waiting" };
            self.warnings.push(RowWarning::at(
                c.entered_line,
                format!(
                    "call {} in queue {} is {state} when the log ends: reported as open",
                    c.callid, c.queue
                ),
            ));
        }
        let mut names: Vec<(&String, &QueueId)> = self.queue_ids.iter().collect();
        names.sort();
        let queues = names
            .into_iter()
            .map(|(name, &id)| {
                let mut intervals = self.settled.remove(&id).unwrap_or_default();
                intervals.extend(self.center.intervals(id));
                QueueFigures { name: name.clone(), intervals, days: self.center.days(id).collect() }
            })
            .collect();
        self.warnings.sort_by_key(|w| w.line);
        Replayed {
            queues,
            warnings: self.warnings,
            open_calls,
            diagnostics: *self.center.diagnostics(),
            end: self.center.now(),
            csat: self.center.csat().days().map(|(date, tally)| (date, *tally)).collect(),
        }
    }
}
