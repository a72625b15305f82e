//! The contact center: queues, calls in flight and agents, fed by events, read as figures.
//!
//! A [`Center`] is the whole real-time state of one ACD in fixed memory. Its capacities are
//! const generics: `QUEUES` queues (at most 64), `CALLS` calls in flight and `AGENTS` agents
//! (both powers of two), `INTERVALS` reporting intervals kept per queue and `DAYS` days of daily
//! figures and CSAT kept. Nothing allocates; when a capacity is reached the event is refused
//! with an error and the state is unchanged.
//!
//! # Feeding it
//! [`Center::apply`] takes one [`Event`]. Events are expected in time order, but an event up to
//! [`CenterConfig::reorder_tolerance_ms`] older than the newest one seen is still applied
//! exactly as if it had arrived in order: ACDs with several threads or trunks interleave their
//! events by a few milliseconds. What cannot be reordered is the history of one call or one
//! agent: an event earlier than that call's or agent's previous event is refused
//! ([`EventError::BeforePreviousEvent`]). Every refused event is counted by kind in
//! [`Diagnostics`], and refusing it changes nothing else.
//!
//! [`Center::advance_to`] moves the clock without an event, so waits grow and intervals close
//! while the center is quiet.
//!
//! # Reading it
//! - [`Center::snapshot`]: a queue right now, as a wallboard shows it;
//! - [`Center::interval`], [`Center::intervals`], [`Center::day`], [`Center::days`]: figures per
//!   interval and per local day, including what is live at the moment of reading (calls still
//!   waiting and whether they have passed T; agents' time in their current state);
//! - [`Center::pop_settled_interval`]: takes out, oldest first, each interval that can no longer
//!   change (it ended, nothing attributed to it is still open, and the reorder tolerance has
//!   passed), so a consumer can archive every interval of an arbitrarily long feed.
//!
//! # Attribution
//! Calls are counted in the interval in which they entered the queue
//! ([`Attribution::QueueEntry`], the default) or in which they left it
//! ([`Attribution::QueueExit`]). Everything about a call (its outcome, wait, handle time and
//! after-call work) is counted in that one interval. Agent time is counted where it happens,
//! split at interval boundaries.

use core::cmp::Reverse;

use heapless::index_map::FnvIndexMap;
use heapless::{Deque, Vec};

mod audit;
#[cfg(feature = "checkpoint")]
mod checkpoint;
pub use audit::Inconsistency;
#[cfg(feature = "checkpoint")]
pub use checkpoint::{CheckpointError, FORMAT_VERSION as CHECKPOINT_FORMAT_VERSION};

use crate::calendar::{IntervalLength, LocalDate, MAX_TIMESTAMP, SiteCalendar, Timestamp};
use crate::csat::{CsatConfig, CsatError, CsatLedger, PreviousDayCsat, SurveyResponse};
use crate::event::{
    AgentId, AgentState, CallId, DequeueReason, Event, EventKind, QueueId, ReasonCode,
};
use crate::interval::{DayReport, IntervalReport, IntervalStats, WaitBuckets};
use crate::ledger::Ledger;
use crate::queue::{AgentCounts, QueueConfig, QueueSnapshot};
use crate::wait::{Caller, WaitEstimator, WaitHistory, WaitInputs, WaitUnknown};

/// Slack allowed between an ACD's reported talk + hold time and the time the core saw the call
/// connected, for ACDs that report whole seconds.
const DURATION_SLACK_MS: u64 = 1_000;

/// Which interval a call is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Attribution {
    /// The interval in which it entered the queue.
    #[default]
    QueueEntry,
    /// The interval in which it left the queue (answered, abandoned, dequeued, transferred).
    QueueExit,
}

/// How a center counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CenterConfig {
    /// The site's calendar: local days and interval boundaries.
    pub calendar: SiteCalendar,
    /// Reporting interval length.
    pub interval: IntervalLength,
    /// Which interval a call is counted in.
    pub attribution: Attribution,
    /// How much older than the newest event an event may be and still be applied.
    pub reorder_tolerance_ms: u64,
    /// How far ahead of the clock an event (or [`Center::advance_to`]) may move it at once. A
    /// timestamp further ahead is almost always a wrong clock; accepting it would make every
    /// later, correct event look too late. `u64::MAX` for no limit (a replay of a log with long
    /// silences); the cost of a jump is bounded either way.
    pub max_clock_jump_ms: u64,
    /// Wait-time histogram buckets.
    pub wait_buckets: WaitBuckets,
    /// Customer-satisfaction scale, minimum sample and posted figure.
    pub csat: CsatConfig,
}

impl CenterConfig {
    /// UTC, 15-minute intervals, calls counted where they entered the queue, 2 s reorder
    /// tolerance, clock jumps up to 31 days, the default wait buckets and CSAT: the default.
    pub const DEFAULT: Self = Self {
        calendar: SiteCalendar::UTC,
        interval: IntervalLength::Minutes15,
        attribution: Attribution::QueueEntry,
        reorder_tolerance_ms: 2_000,
        max_clock_jump_ms: 31 * crate::calendar::MILLIS_PER_DAY,
        wait_buckets: WaitBuckets::DEFAULT,
        csat: CsatConfig::DEFAULT,
    };
}

impl Default for CenterConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why an event was refused. The state is unchanged by a refused event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EventError {
    /// The event names a queue that was never added.
    #[error("unknown queue")]
    UnknownQueue,
    /// The event names a call that is not in flight.
    #[error("unknown call")]
    UnknownCall,
    /// The event names an agent the center does not know.
    #[error("unknown agent")]
    UnknownAgent,
    /// A call entered a queue while the same call id was still in flight.
    #[error("call is already in flight")]
    DuplicateCall,
    /// Answered, abandoned, dequeued or transferred, but the call is not waiting.
    #[error("call is not waiting in a queue")]
    CallNotWaiting,
    /// Ended, but the call was never answered or has already ended.
    #[error("call is not connected to an agent")]
    CallNotConnected,
    /// Talk plus hold time is longer than the call was connected.
    #[error("talk and hold time exceed the time the call was connected")]
    ImpossibleDuration,
    /// A call was transferred to the queue it is already in.
    #[error("call transferred to the queue it is in")]
    TransferToSameQueue,
    /// The agent is already in that state.
    #[error("agent is already in that state")]
    AgentAlreadyInState,
    /// After-call work ended for an agent who is not in after-call work.
    #[error("agent is not in after-call work")]
    NotInAfterCallWork,
    /// The agent is already a member of the queue.
    #[error("agent is already a member of the queue")]
    AlreadyMember,
    /// The agent is not a member of the queue.
    #[error("agent is not a member of the queue")]
    NotAMember,
    /// The event is older than the reorder tolerance allows.
    #[error("event is older than the reorder tolerance allows")]
    TooLate,
    /// The event is earlier than its call's or agent's previous event.
    #[error("event is earlier than the previous event of its call or agent")]
    BeforePreviousEvent,
    /// The event is further ahead of the clock than the configured maximum jump.
    #[error("event is implausibly far ahead of the clock")]
    ClockJump,
    /// The timestamp is after 9999-12-31.
    #[error("timestamp is beyond year 9999")]
    TimestampOutOfRange,
    /// The table of calls in flight is full.
    #[error("too many calls in flight")]
    TooManyCalls,
    /// The table of agents is full.
    #[error("too many agents")]
    TooManyAgents,
    /// The event's kind, or a code in it, is unknown (counted by
    /// [`Center::refuse_undecodable_event`]).
    #[error("unknown event kind or code")]
    Undecodable,
}

impl EventError {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 19] = [
        Self::UnknownQueue,
        Self::UnknownCall,
        Self::UnknownAgent,
        Self::DuplicateCall,
        Self::CallNotWaiting,
        Self::CallNotConnected,
        Self::ImpossibleDuration,
        Self::TransferToSameQueue,
        Self::AgentAlreadyInState,
        Self::NotInAfterCallWork,
        Self::AlreadyMember,
        Self::NotAMember,
        Self::TooLate,
        Self::BeforePreviousEvent,
        Self::ClockJump,
        Self::TimestampOutOfRange,
        Self::TooManyCalls,
        Self::TooManyAgents,
        Self::Undecodable,
    ];
}

/// Why [`Center::call_expected_wait`] has no estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallWaitError {
    /// No such call.
    #[error("unknown call")]
    UnknownCall,
    /// The call is not waiting (answered, or wrapping up).
    #[error("the call is not waiting")]
    NotWaiting,
    /// The estimator lacks an input.
    #[error(transparent)]
    Unknown(WaitUnknown),
}

/// Why a queue could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ConfigError {
    /// The center already has `QUEUES` queues.
    #[error("too many queues")]
    TooManyQueues,
    /// A queue with that id exists.
    #[error("a queue with that id exists")]
    DuplicateQueue,
}

/// Refused events, counted by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RejectionCounts {
    counts: [u32; EventError::ALL.len()],
}

impl RejectionCounts {
    /// How many events were refused with `error`.
    #[must_use]
    pub fn get(&self, error: EventError) -> u32 {
        self.counts.get(error as usize).copied().unwrap_or(0)
    }

    /// All refused events.
    #[must_use]
    pub fn total(&self) -> u32 {
        self.counts.iter().fold(0, |a, &n| a.saturating_add(n))
    }

    fn count(&mut self, error: EventError) {
        if let Some(n) = self.counts.get_mut(error as usize) {
            *n = n.saturating_add(1);
        }
    }
}

/// What the center did with its input, beyond the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Diagnostics {
    /// Events applied.
    pub applied: u64,
    /// Events refused, by kind.
    pub rejected: RejectionCounts,
    /// Survey responses refused.
    pub surveys_rejected: u32,
    /// Intervals dropped from the front of a full ring before anyone took them with
    /// [`Center::pop_settled_interval`]. Their calls are still in the day figures.
    pub intervals_evicted: u32,
    /// Days dropped from a full day ledger.
    pub days_evicted: u32,
    /// Updates to an interval or day that was no longer kept (for example the after-call work
    /// of a call whose interval was evicted). The day figures keep them when the day is kept.
    pub late_updates: u32,
}

impl Diagnostics {
    const NONE: Self = Self {
        applied: 0,
        rejected: RejectionCounts { counts: [0; EventError::ALL.len()] },
        surveys_rejected: 0,
        intervals_evicted: 0,
        days_evicted: 0,
        late_updates: 0,
    };
}

/// Where a call in flight is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CallStatus {
    /// Waiting in the queue.
    Waiting,
    /// Connected to an agent.
    Connected {
        /// When it was answered.
        answered_at: Timestamp,
        /// Who answered, when the ACD said.
        agent: Option<AgentId>,
    },
}

/// A call in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CallView {
    /// The call.
    pub call: CallId,
    /// Its queue.
    pub queue: QueueId,
    /// When it entered that queue.
    pub entered_at: Timestamp,
    /// Its priority.
    pub priority: u8,
    /// Where it is.
    pub status: CallStatus,
}

/// An agent's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AgentView {
    /// The agent.
    pub agent: AgentId,
    /// The state.
    pub state: AgentState,
    /// When the agent entered it.
    pub state_since: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
enum CallPhase {
    Waiting,
    Connected {
        answered_at: Timestamp,
        agent: Option<AgentId>,
    },
    /// Gone from the center: kept only so that an event older than its last one is still
    /// refused while the reorder tolerance could deliver one. Invisible to every figure.
    Ended,
}

#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct CallRecord {
    /// Index into `Center::queues`.
    queue: u8,
    entered_at: Timestamp,
    last_at: Timestamp,
    priority: u8,
    /// The instant whose interval the call is counted in; `None` while waiting under
    /// `Attribution::QueueExit`.
    attributed_at: Option<Timestamp>,
    phase: CallPhase,
}

#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct AgentRecord {
    state: AgentState,
    /// When the agent entered `state`.
    state_since: Timestamp,
    /// Time before this is already counted in the intervals.
    since: Timestamp,
    last_at: Timestamp,
    /// Bit i: member of `Center::queues[i]`.
    queues: u64,
    /// The after-call work this agent owes for the last call it ended, or is doing.
    wrap_up: Option<WrapUp>,
}

/// After-call work an agent owes for a call that ended: counted, when the agent's next state
/// comes, with the call's other figures. The call itself has left the center, so its id is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct WrapUp {
    /// Index into `Center::queues` of the call's queue.
    queue: u8,
    /// The instant whose interval the call is counted in.
    attributed_at: Timestamp,
    /// When the agent went into after-call work for it; `None` until it does.
    since: Option<Timestamp>,
}

impl AgentRecord {
    const fn new(at: Timestamp) -> Self {
        Self {
            state: AgentState::LoggedOut,
            state_since: at,
            since: at,
            last_at: at,
            queues: 0,
            wrap_up: None,
        }
    }

    const fn is_member(&self, queue: u8) -> bool {
        self.queues & queue_bit(queue) != 0
    }

    /// Logged out of everything with nothing owed: kept only so that an event older than its
    /// last one is still refused while the reorder tolerance could deliver one.
    fn is_idle(&self) -> bool {
        self.state == AgentState::LoggedOut && self.queues == 0 && self.wrap_up.is_none()
    }
}

const fn queue_bit(queue: u8) -> u64 {
    match 1u64.checked_shl(queue as u32) {
        Some(bit) => bit,
        None => 0,
    }
}

#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct IntervalSlot {
    start: Timestamp,
    stats: IntervalStats,
    /// Calls counted here that are still in flight.
    open_calls: u32,
}

impl IntervalSlot {
    fn new(start: Timestamp) -> Self {
        Self { start, stats: IntervalStats::default(), open_calls: 0 }
    }
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct QueueBook<const INTERVALS: usize, const DAYS: usize> {
    id: QueueId,
    config: QueueConfig,
    /// Consecutive intervals, oldest first, all at or after `horizon`.
    intervals: Deque<IntervalSlot, INTERVALS>,
    /// Intervals starting before this were evicted, taken out, or are older than the last
    /// `INTERVALS` up to the clock's: they can be neither read nor written again.
    horizon: Timestamp,
    /// The first instant this queue counts: the interval boundary of the center's first
    /// event for a queue added before it, the flush mark for one added later. `None` until
    /// the center has a clock. Nothing before it was seen, so nothing before it is kept.
    counts_from: Option<Timestamp>,
    /// The end of the last interval taken out by [`Center::pop_settled_interval`] (0 before):
    /// the next slot continues from it when the ring is empty, so that what a consumer takes
    /// is one unbroken sequence.
    taken_to: Timestamp,
    days: Ledger<LocalDate, IntervalStats, DAYS>,
    /// What the expected-wait estimators need of the recent past.
    wait: WaitHistory,
}

impl<const INTERVALS: usize, const DAYS: usize> QueueBook<INTERVALS, DAYS> {
    /// Removes the oldest interval, moving the horizon past it.
    fn pop_interval(&mut self, len: u64) -> Option<IntervalSlot> {
        let slot = self.intervals.pop_front()?;
        self.horizon = self.horizon.max(slot.start.saturating_add(len));
        Some(slot)
    }

    /// Where the slot of the interval starting at `start` is in the ring, if it is there: the
    /// slots are consecutive, so this is arithmetic, not a search.
    fn position(&self, start: Timestamp, len: u64) -> Option<usize> {
        let front = self.intervals.front()?.start;
        let offset = start.checked_sub(front)?;
        if offset.checked_rem(len)? != 0 {
            return None;
        }
        let index = usize::try_from(offset.checked_div(len)?).ok()?;
        (index < self.intervals.len()).then_some(index)
    }

    fn interval(&self, start: Timestamp, len: u64) -> Option<&IntervalSlot> {
        let index = self.position(start, len)?;
        self.intervals.get(index)
    }

    fn interval_mut(&mut self, start: Timestamp, len: u64) -> Option<&mut IntervalSlot> {
        let index = self.position(start, len)?;
        self.intervals.get_mut(index)
    }

    /// Moves the horizon to `floor` (at least), dropping the slots before it; returns how many
    /// were dropped.
    fn raise_horizon(&mut self, floor: Timestamp) -> u32 {
        let mut dropped: u32 = 0;
        while self.intervals.front().is_some_and(|slot| slot.start < floor) {
            self.intervals.pop_front();
            dropped = dropped.saturating_add(1);
        }
        self.horizon = self.horizon.max(floor);
        dropped
    }

    /// The slot for the interval starting at `start`, created (with any skipped intervals
    /// before it) if it is newer than every slot kept. `None` when it is before the horizon,
    /// or older than the oldest slot of a full ring (the horizon then moves to that slot, so
    /// the interval is never read as if it were kept).
    fn interval_slot(
        &mut self,
        start: Timestamp,
        len: u64,
        diagnostics: &mut Diagnostics,
    ) -> Option<&mut IntervalSlot> {
        if start < self.horizon {
            return None;
        }
        let (front, back) = match (self.intervals.front(), self.intervals.back()) {
            (Some(f), Some(b)) => (f.start, b.start),
            // Empty after intervals were taken out: continue without a gap from the horizon,
            // so that the intervals taken and the intervals kept are one unbroken sequence.
            _ if self.taken_to > 0
                && self.taken_to >= self.horizon
                && start
                    .saturating_sub(self.taken_to)
                    .checked_div(len)
                    .is_some_and(|gap| gap < INTERVALS as u64) =>
            {
                let first = self.taken_to;
                self.intervals.push_back(IntervalSlot::new(first)).ok()?;
                (first, first)
            }
            _ => {
                self.intervals.push_back(IntervalSlot::new(start)).ok()?;
                return self.intervals.back_mut();
            }
        };
        if start > back {
            let skipped = start.saturating_sub(back).checked_div(len).unwrap_or(0);
            if skipped >= INTERVALS as u64 {
                let dropped = self.raise_horizon(start);
                diagnostics.intervals_evicted =
                    diagnostics.intervals_evicted.saturating_add(dropped);
                self.intervals.push_back(IntervalSlot::new(start)).ok()?;
            } else {
                let mut next = back.saturating_add(len);
                while next <= start {
                    if self.intervals.is_full() {
                        self.pop_interval(len);
                        diagnostics.intervals_evicted =
                            diagnostics.intervals_evicted.saturating_add(1);
                    }
                    self.intervals.push_back(IntervalSlot::new(next)).ok()?;
                    next = next.saturating_add(len);
                }
            }
        } else if start < front {
            let mut first = front;
            while first > start && !self.intervals.is_full() && first > self.horizon {
                first = first.saturating_sub(len);
                self.intervals.push_front(IntervalSlot::new(first)).ok()?;
            }
            if first > start {
                self.horizon = self.horizon.max(first);
                return None;
            }
        }
        self.interval_mut(start, len)
    }
}

/// The whole real-time state of a contact center; see the [module](self) docs.
#[derive(Debug, Clone)]
pub struct Center<
    const QUEUES: usize,
    const CALLS: usize,
    const AGENTS: usize,
    const INTERVALS: usize,
    const DAYS: usize,
> {
    config: CenterConfig,
    queues: Vec<QueueBook<INTERVALS, DAYS>, QUEUES>,
    calls: FnvIndexMap<CallId, CallRecord, CALLS>,
    /// Ended calls kept in `calls`, in the order they ended, so that each is forgotten once the
    /// reorder tolerance has passed it without a scan of every call (a busy center ends
    /// thousands of calls an interval). Derived from `calls`: rebuilt on restore.
    ended: Deque<(CallId, Timestamp), CALLS>,
    /// The end of the clock's interval: until the clock reaches it, the intervals kept do not
    /// change. Derived from the clock (0: work it out at the next move).
    window_moves_at: Timestamp,
    agents: FnvIndexMap<AgentId, AgentRecord, AGENTS>,
    csat: CsatLedger<DAYS>,
    /// The newest instant seen.
    clock: Option<Timestamp>,
    /// Agent time before this interval boundary is counted; events before it are refused.
    flushed_to: Option<Timestamp>,
    diagnostics: Diagnostics,
}

impl<
    const QUEUES: usize,
    const CALLS: usize,
    const AGENTS: usize,
    const INTERVALS: usize,
    const DAYS: usize,
> Center<QUEUES, CALLS, AGENTS, INTERVALS, DAYS>
{
    /// An empty center with no queues. `QUEUES` must be at most 64 and `CALLS` and `AGENTS`
    /// powers of two of at least 2 (checked at compile time).
    #[must_use]
    pub const fn new(config: CenterConfig) -> Self {
        const {
            assert!(QUEUES <= 64, "a center has at most 64 queues");
            assert!(INTERVALS > 0 && DAYS > 0, "keep at least one interval and one day");
        }
        Self {
            csat: CsatLedger::new(config.csat, config.calendar),
            config,
            queues: Vec::new(),
            calls: FnvIndexMap::new(),
            ended: Deque::new(),
            window_moves_at: 0,
            agents: FnvIndexMap::new(),
            clock: None,
            flushed_to: None,
            diagnostics: Diagnostics::NONE,
        }
    }

    /// Empties the center in place and gives it a new configuration: no queues, no calls, no
    /// agents, no history, as [`Center::new`] would make it. For a center in memory that cannot
    /// hold a second copy on the stack (a few megabytes at large capacities).
    pub fn reset(&mut self, config: CenterConfig) {
        self.queues.clear();
        self.calls.clear();
        self.ended.clear();
        self.window_moves_at = 0;
        self.agents.clear();
        self.csat = CsatLedger::new(config.csat, config.calendar);
        self.config = config;
        self.clock = None;
        self.flushed_to = None;
        self.diagnostics = Diagnostics::NONE;
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &CenterConfig {
        &self.config
    }

    /// Adds a queue.
    ///
    /// # Errors
    /// [`ConfigError::DuplicateQueue`] if `id` exists; [`ConfigError::TooManyQueues`] when
    /// `QUEUES` queues exist.
    pub fn add_queue(&mut self, id: QueueId, config: QueueConfig) -> Result<(), ConfigError> {
        if self.queue_index(id).is_some() {
            return Err(ConfigError::DuplicateQueue);
        }
        // A queue added after the first event counts from the flush mark: events before it
        // are refused anyway.
        let counts_from = self.flushed_to;
        let book = QueueBook {
            id,
            config,
            intervals: Deque::new(),
            horizon: counts_from.map_or(0, |from| from.max(self.interval_floor())),
            counts_from,
            taken_to: 0,
            days: Ledger::new(),
            wait: WaitHistory::default(),
        };
        self.queues.push(book).map_err(|_| ConfigError::TooManyQueues)
    }

    /// The queues, in the order they were added.
    pub fn queue_ids(&self) -> impl ExactSizeIterator<Item = QueueId> + '_ {
        self.queues.iter().map(|book| book.id)
    }

    /// A queue's configuration.
    #[must_use]
    pub fn queue_config(&self, id: QueueId) -> Option<&QueueConfig> {
        self.book(id).map(|book| &book.config)
    }

    /// The newest instant the center has seen, `None` before the first event.
    #[must_use]
    pub const fn now(&self) -> Option<Timestamp> {
        self.clock
    }

    /// Counters of what was applied and refused.
    #[must_use]
    pub const fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// Applies one event.
    ///
    /// # Errors
    /// An [`EventError`] saying why the event was refused; a refused event is counted in
    /// [`Diagnostics::rejected`] and changes nothing else.
    pub fn apply(&mut self, event: &Event) -> Result<(), EventError> {
        let outcome =
            self.check_time(event.at).and_then(|()| self.apply_kind(event.at, event.kind));
        match outcome {
            Ok(()) => self.diagnostics.applied = self.diagnostics.applied.saturating_add(1),
            Err(error) => self.diagnostics.rejected.count(error),
        }
        outcome
    }

    /// Moves the clock forward to `now` without an event (the clock never moves back: an
    /// earlier `now` changes nothing). Use it while the center is quiet so that waits keep
    /// growing and intervals close. Like an event, it may move the clock at most
    /// [`CenterConfig::max_clock_jump_ms`] at once: a clock that jumped years ahead would make
    /// every later, correct event too late. Its cost is bounded by the intervals and days kept,
    /// however far it moves.
    ///
    /// # Errors
    /// [`EventError::TimestampOutOfRange`] after year 9999; [`EventError::ClockJump`] beyond the
    /// maximum jump. The center is unchanged then.
    pub fn advance_to(&mut self, now: Timestamp) -> Result<(), EventError> {
        if now > MAX_TIMESTAMP {
            return Err(EventError::TimestampOutOfRange);
        }
        if self.clock.is_some_and(|clock| now > clock.saturating_add(self.config.max_clock_jump_ms))
        {
            return Err(EventError::ClockJump);
        }
        self.advance_clock(now);
        Ok(())
    }

    /// A queue right now, or `None` for an unknown queue or before the clock is set.
    #[must_use]
    pub fn snapshot(&self, queue: QueueId) -> Option<QueueSnapshot> {
        let q = self.queue_index(queue)?;
        let book = self.queues.get(usize::from(q))?;
        let now = self.clock?;
        let inputs = self.inputs_of(q, now, book);
        let agents = self.agent_counts(q);
        let calendar = &self.config.calendar;
        let current_start = calendar.interval_start(now, self.config.interval);
        let today = calendar.local_date(now);
        Some(QueueSnapshot {
            queue,
            at: now,
            service_level_threshold_ms: book.config.service_level.millis(),
            waiting: inputs.waiting,
            longest_wait_ms: inputs.head_of_line_ms,
            expected_wait_ms: WaitEstimator::default().estimate(&inputs, Caller::New).ok(),
            agents,
            current_interval: self.interval_report(q, current_start)?,
            today,
            today_stats: self.day_report(q, today)?,
        })
    }

    /// What the expected-wait estimators read of `queue` now (see [`crate::wait`]); `None` for
    /// an unknown queue or before the clock is set.
    #[must_use]
    pub fn wait_inputs(&self, queue: QueueId) -> Option<WaitInputs> {
        let q = self.queue_index(queue)?;
        let book = self.queues.get(usize::from(q))?;
        Some(self.inputs_of(q, self.clock?, book))
    }

    /// The expected wait in milliseconds of a caller who would join `queue` now, by
    /// `estimator`. The snapshot's `expected_wait_ms` is this with the default estimator.
    ///
    /// # Errors
    /// [`WaitUnknown`]: what the estimate needs and the queue does not know yet.
    pub fn expected_wait(
        &self,
        queue: QueueId,
        estimator: WaitEstimator,
    ) -> Result<u64, WaitUnknown> {
        let inputs = self.wait_inputs(queue).ok_or(WaitUnknown::NoQueue)?;
        estimator.estimate(&inputs, Caller::New)
    }

    /// The expected remaining wait in milliseconds of `call`, waiting now, by `estimator`:
    /// what to announce to that caller. Callers of higher priority, then those who entered
    /// earlier, are ahead of it.
    ///
    /// # Errors
    /// [`CallWaitError`]: an unknown call, a call not waiting, or an input the estimator
    /// lacks.
    pub fn call_expected_wait(
        &self,
        call: CallId,
        estimator: WaitEstimator,
    ) -> Result<u64, CallWaitError> {
        let rec = self.calls.get(&call).filter(|rec| rec.phase != CallPhase::Ended);
        let rec = rec.ok_or(CallWaitError::UnknownCall)?;
        if rec.phase != CallPhase::Waiting {
            return Err(CallWaitError::NotWaiting);
        }
        let now = self.clock.ok_or(CallWaitError::Unknown(WaitUnknown::NoQueue))?;
        let book = self.queues.get(usize::from(rec.queue)).ok_or(CallWaitError::UnknownCall)?;
        let inputs = self.inputs_of(rec.queue, now, book);
        // Served first: higher priority, then the earlier entry, then the lower id.
        let rank = |id: CallId, c: &CallRecord| (Reverse(c.priority), c.entered_at, id);
        let mine = rank(call, rec);
        let ahead = self
            .calls
            .iter()
            .filter(|&(&id, c)| {
                c.queue == rec.queue && c.phase == CallPhase::Waiting && rank(id, c) < mine
            })
            .count();
        let caller = Caller::Waiting {
            ahead: u32::try_from(ahead).unwrap_or(u32::MAX),
            waited_ms: now.saturating_sub(rec.entered_at),
        };
        estimator.estimate(&inputs, caller).map_err(CallWaitError::Unknown)
    }

    fn agent_counts(&self, q: u8) -> AgentCounts {
        let mut agents = AgentCounts::default();
        for agent in self.agents.values().filter(|a| a.is_member(q)) {
            agents.count(agent.state);
        }
        agents
    }

    fn inputs_of(&self, q: u8, now: Timestamp, book: &QueueBook<INTERVALS, DAYS>) -> WaitInputs {
        let mut waiting: u32 = 0;
        let mut head_of_line_ms = None;
        for call in self.calls.values() {
            if call.queue == q && call.phase == CallPhase::Waiting {
                waiting = waiting.saturating_add(1);
                let wait = now.saturating_sub(call.entered_at);
                head_of_line_ms = Some(head_of_line_ms.map_or(wait, |w: u64| w.max(wait)));
            }
        }
        let agents = self.agent_counts(q);
        WaitInputs {
            at: now,
            waiting,
            idle_agents: agents.available,
            serving_agents: agents
                .reserved
                .saturating_add(agents.on_call)
                .saturating_add(agents.after_call_work),
            handle_ms: book.wait.handle_ms(),
            abandon_rate_per_s: book.wait.abandon_rate_per_s(),
            head_of_line_ms,
            last_entered_service: book.wait.last_entered_service(),
            asterisk_holdtime_s: book.wait.asterisk_holdtime_s(),
            line_rate_per_s: book.wait.line_rate_per_s(),
        }
    }

    /// The figures of the interval starting at `start`, including what is live now. `None` for
    /// an unknown queue, a `start` that is not an interval boundary, or an interval no longer
    /// kept.
    #[must_use]
    pub fn interval(&self, queue: QueueId, start: Timestamp) -> Option<IntervalReport> {
        let q = self.queue_index(queue)?;
        if self.config.calendar.interval_start(start, self.config.interval) != start {
            return None;
        }
        self.interval_report(q, start)
    }

    /// Every interval kept for `queue`, oldest first, each with what is live now; then the
    /// newer intervals that have only live figures so far (the interval in progress, and any
    /// just before it still within the reorder tolerance).
    pub fn intervals(&self, queue: QueueId) -> impl Iterator<Item = IntervalReport> + '_ {
        let q = self.queue_index(queue);
        let book = q.and_then(|q| self.queues.get(usize::from(q)));
        let len = self.config.interval.millis();
        let kept = book
            .into_iter()
            .flat_map(|book| book.intervals.iter())
            .filter_map(move |slot| Some(self.live_interval(q?, slot.start, slot.stats)));
        // Live figures only exist from the last flushed boundary on: before it, agent time is
        // stored, and waiting calls are counted in stored intervals.
        let live_span = match (q, self.clock, self.flushed_to) {
            (Some(q), Some(now), Some(flushed)) => {
                let after_newest = book
                    .and_then(|book| book.intervals.back())
                    .map(|slot| slot.start.saturating_add(len));
                let first = after_newest.map_or(flushed, |n| n.max(flushed));
                let last = self.config.calendar.interval_start(now, self.config.interval);
                Some((q, first, last))
            }
            _ => None,
        };
        let live = live_span.into_iter().flat_map(move |(q, first, last)| {
            core::iter::successors(Some(first), move |&start| Some(start.saturating_add(len)))
                .take_while(move |&start| start <= last)
                .map(move |start| self.live_interval(q, start, IntervalStats::default()))
                .filter(|report| report.stats != IntervalStats::default())
        });
        kept.chain(live)
    }

    /// The figures of a local day, including what is live now; `None` for an unknown queue or
    /// a day no longer kept.
    #[must_use]
    pub fn day(&self, queue: QueueId, date: LocalDate) -> Option<DayReport> {
        self.day_report(self.queue_index(queue)?, date)
    }

    /// Every day kept for `queue`, oldest first, each with what is live now; then the days up
    /// to today that have only live figures so far.
    pub fn days(&self, queue: QueueId) -> impl Iterator<Item = DayReport> + '_ {
        let q = self.queue_index(queue);
        let book = q.and_then(|q| self.queues.get(usize::from(q)));
        let kept = book
            .into_iter()
            .flat_map(move |book| {
                book.days.iter().filter(move |&(date, _)| self.day_kept(book, date))
            })
            .filter_map(move |(date, stats)| Some(self.live_day(q?, date, *stats)));
        let live_span = match (q, book, self.clock, self.flushed_to) {
            (Some(q), Some(book), Some(now), Some(flushed)) => {
                let calendar = &self.config.calendar;
                Some((q, book, calendar.local_date(flushed), calendar.local_date(now)))
            }
            _ => None,
        };
        let live = live_span.into_iter().flat_map(move |(q, book, first, last)| {
            core::iter::successors(Some(first), move |&date| (date < last).then(|| date.next()))
                .filter(move |&date| book.days.get(date).is_none())
                .map(move |date| self.live_day(q, date, IntervalStats::default()))
                .filter(|report| report.stats != IntervalStats::default())
        });
        kept.chain(live)
    }

    /// Takes out the oldest interval, of any queue, that can no longer change: it has ended,
    /// the reorder tolerance has passed its end, and no call counted in it is still in flight.
    /// Call it after applying events to archive every interval of a feed of any length.
    pub fn pop_settled_interval(&mut self) -> Option<(QueueId, IntervalReport)> {
        let flushed_to = self.flushed_to?;
        let len = self.config.interval.millis();
        let mut oldest: Option<(usize, Timestamp)> = None;
        for (i, book) in self.queues.iter().enumerate() {
            let Some(front) = book.intervals.front() else {
                continue;
            };
            let settled = front.open_calls == 0 && front.start.saturating_add(len) <= flushed_to;
            if settled && oldest.is_none_or(|(_, start)| front.start < start) {
                oldest = Some((i, front.start));
            }
        }
        let book = self.queues.get_mut(oldest?.0)?;
        let slot = book.pop_interval(len)?;
        let end = slot.start.saturating_add(len);
        book.taken_to = end;
        Some((book.id, IntervalReport { start: slot.start, end, stats: slot.stats }))
    }

    /// Calls in flight: waiting, connected, or wrapping up.
    pub fn calls(&self) -> impl Iterator<Item = CallView> + '_ {
        self.calls.iter().filter_map(|(&call, rec)| {
            let status = match rec.phase {
                CallPhase::Waiting => CallStatus::Waiting,
                CallPhase::Connected { answered_at, agent } => {
                    CallStatus::Connected { answered_at, agent }
                }
                CallPhase::Ended => return None,
            };
            let queue = self.queues.get(usize::from(rec.queue)).map_or(QueueId(u32::MAX), |b| b.id);
            Some(CallView {
                call,
                queue,
                entered_at: rec.entered_at,
                priority: rec.priority,
                status,
            })
        })
    }

    /// An agent's current state, `None` for an agent the center does not know (never seen, or
    /// logged out with no queue memberships).
    #[must_use]
    pub fn agent(&self, agent: AgentId) -> Option<AgentView> {
        let rec = self.agents.get(&agent).filter(|rec| !rec.is_idle())?;
        Some(AgentView { agent, state: rec.state, state_since: rec.state_since })
    }

    /// Whether `agent` is a member of `queue`.
    #[must_use]
    pub fn is_member(&self, agent: AgentId, queue: QueueId) -> bool {
        match (self.agents.get(&agent), self.queue_index(queue)) {
            (Some(rec), Some(q)) => rec.is_member(q),
            _ => false,
        }
    }

    /// Records a survey response, filed under the local date of the contact it rates.
    ///
    /// # Errors
    /// [`CsatError::ContactInFuture`] when the contact is later than the clock (plus the
    /// reorder tolerance); [`CsatError::TooOld`] when its day is older than the `DAYS` local
    /// days up to today (the ledger could not show it, however empty it is); the ledger's errors
    /// otherwise. Refused responses are counted in [`Diagnostics::surveys_rejected`].
    pub fn record_survey(&mut self, response: &SurveyResponse) -> Result<LocalDate, CsatError> {
        let outcome = match self.clock {
            Some(now)
                if response.contact_at > now.saturating_add(self.config.reorder_tolerance_ms) =>
            {
                Err(CsatError::ContactInFuture)
            }
            Some(now) if response.contact_at < day_floor::<DAYS>(&self.config, now) => {
                Err(CsatError::TooOld)
            }
            _ => self.csat.record(response),
        };
        if outcome.is_err() {
            self.diagnostics.surveys_rejected = self.diagnostics.surveys_rejected.saturating_add(1);
        }
        outcome
    }

    /// The CSAT ledger.
    #[must_use]
    pub const fn csat(&self) -> &CsatLedger<DAYS> {
        &self.csat
    }

    /// The previous local day's CSAT as of the clock, `None` before the clock is set.
    #[must_use]
    pub fn previous_day_csat(&self) -> Option<PreviousDayCsat> {
        let today = self.config.calendar.local_date(self.clock?);
        Some(self.csat.previous_day(today))
    }

    /// Counts an event refused before it could be given to [`Center::apply`]: its kind, or a
    /// code in it, is unknown (a C caller's or a log's bytes that name no event). Every event a
    /// caller tried is then counted once, applied or refused.
    pub fn refuse_undecodable_event(&mut self) {
        self.diagnostics.rejected.count(EventError::Undecodable);
    }

    /// Counts a survey response refused before it could be given to
    /// [`Center::record_survey`] (an answer that is neither yes, no nor unanswered).
    pub fn refuse_undecodable_survey(&mut self) {
        self.diagnostics.surveys_rejected = self.diagnostics.surveys_rejected.saturating_add(1);
    }

    // ----- applying events -------------------------------------------------------------------

    fn check_time(&self, at: Timestamp) -> Result<(), EventError> {
        if at > MAX_TIMESTAMP {
            return Err(EventError::TimestampOutOfRange);
        }
        if let Some(now) = self.clock {
            if at < now.saturating_sub(self.config.reorder_tolerance_ms) {
                return Err(EventError::TooLate);
            }
            if at > now.saturating_add(self.config.max_clock_jump_ms) {
                return Err(EventError::ClockJump);
            }
        }
        Ok(())
    }

    fn apply_kind(&mut self, at: Timestamp, kind: EventKind) -> Result<(), EventError> {
        match kind {
            EventKind::CallEntered { call, queue, priority } => {
                self.call_entered(at, call, queue, priority)
            }
            EventKind::CallAnswered { call, agent } => {
                let mut rec = self.waiting_call(call, at)?;
                self.advance_clock(at);
                let threshold = self.threshold(rec.queue);
                let buckets = self.config.wait_buckets;
                self.leave_queue(&mut rec, at, |s, wait| {
                    s.answered = s.answered.saturating_add(1);
                    if wait <= threshold {
                        s.answered_within_sl = s.answered_within_sl.saturating_add(1);
                    }
                    s.answer_wait_ms = s.answer_wait_ms.saturating_add(wait);
                    s.answered_waits.record(&buckets, wait);
                });
                self.wait_history(rec.queue, |h| h.answered(rec.entered_at, at));
                self.line_moved(rec.queue, at, true);
                rec.phase = CallPhase::Connected { answered_at: at, agent };
                rec.last_at = at;
                self.store_call(call, rec);
                Ok(())
            }
            EventKind::CallAbandoned { call } => {
                let mut rec = self.waiting_call(call, at)?;
                self.advance_clock(at);
                let threshold = self.threshold(rec.queue);
                let short = self.queue_config_at(rec.queue).short_abandon_ms;
                let buckets = self.config.wait_buckets;
                self.leave_queue(&mut rec, at, |s, wait| {
                    s.abandoned = s.abandoned.saturating_add(1);
                    if wait < short {
                        s.short_abandoned = s.short_abandoned.saturating_add(1);
                    } else if wait <= threshold {
                        s.abandoned_within_sl = s.abandoned_within_sl.saturating_add(1);
                    }
                    s.abandon_wait_ms = s.abandon_wait_ms.saturating_add(wait);
                    s.abandoned_waits.record(&buckets, wait);
                });
                self.wait_history(rec.queue, |h| h.abandoned(rec.entered_at, at));
                self.line_moved(rec.queue, at, false);
                self.remove_call(call, &rec, at);
                Ok(())
            }
            EventKind::CallDequeued { call, reason } => {
                let mut rec = self.waiting_call(call, at)?;
                self.advance_clock(at);
                self.leave_queue(&mut rec, at, |s, _| count_dequeued(s, reason));
                self.wait_history(rec.queue, |h| h.left(rec.entered_at, at));
                self.line_moved(rec.queue, at, false);
                self.remove_call(call, &rec, at);
                Ok(())
            }
            EventKind::CallTransferred { call, to } => self.call_transferred(at, call, to),
            EventKind::CallEnded { call, talk_ms, hold_ms } => {
                self.call_ended(at, call, talk_ms, hold_ms)
            }
            EventKind::AfterCallWorkEnded { agent } => {
                let rec = self.agents.get(&agent).filter(|rec| !rec.is_idle());
                let rec = rec.ok_or(EventError::UnknownAgent)?;
                if rec.state != AgentState::AfterCallWork {
                    return Err(EventError::NotInAfterCallWork);
                }
                self.agent_state_changed(at, agent, AgentState::Available)
            }
            EventKind::AgentStateChanged { agent, state } => {
                self.agent_state_changed(at, agent, state)
            }
            EventKind::AgentJoinedQueue { agent, queue } => self.membership(at, agent, queue, true),
            EventKind::AgentLeftQueue { agent, queue } => self.membership(at, agent, queue, false),
        }
    }

    fn call_entered(
        &mut self,
        at: Timestamp,
        call: CallId,
        queue: QueueId,
        priority: u8,
    ) -> Result<(), EventError> {
        let q = self.queue_index(queue).ok_or(EventError::UnknownQueue)?;
        match self.calls.get(&call).copied() {
            Some(rec) if at < rec.last_at => return Err(EventError::BeforePreviousEvent),
            Some(rec) if rec.phase != CallPhase::Ended => return Err(EventError::DuplicateCall),
            // An id used again once its call has ended.
            Some(_) => {}
            None if !self.room_for_call(at) => return Err(EventError::TooManyCalls),
            None => {}
        }
        self.advance_clock(at);
        let mut rec = CallRecord {
            queue: q,
            entered_at: at,
            last_at: at,
            priority,
            attributed_at: None,
            phase: CallPhase::Waiting,
        };
        if self.config.attribution == Attribution::QueueEntry {
            self.attribute(&mut rec, at);
        }
        self.store_call(call, rec);
        Ok(())
    }

    fn call_transferred(
        &mut self,
        at: Timestamp,
        call: CallId,
        to: Option<QueueId>,
    ) -> Result<(), EventError> {
        let mut rec = self.waiting_call(call, at)?;
        let target = match to {
            Some(id) => Some(self.queue_index(id).ok_or(EventError::UnknownQueue)?),
            None => None,
        };
        if target == Some(rec.queue) {
            return Err(EventError::TransferToSameQueue);
        }
        self.advance_clock(at);
        self.leave_queue(&mut rec, at, |s, _| {
            s.transferred_out = s.transferred_out.saturating_add(1);
        });
        self.wait_history(rec.queue, |h| h.left(rec.entered_at, at));
        self.line_moved(rec.queue, at, false);
        self.remove_call(call, &rec, at);
        if let Some(q) = target {
            // Offered anew in the target queue; its wait there starts now.
            let mut moved = CallRecord {
                queue: q,
                entered_at: at,
                last_at: at,
                priority: rec.priority,
                attributed_at: None,
                phase: CallPhase::Waiting,
            };
            if self.config.attribution == Attribution::QueueEntry {
                self.attribute(&mut moved, at);
            }
            self.store_call(call, moved);
        }
        Ok(())
    }

    fn call_ended(
        &mut self,
        at: Timestamp,
        call: CallId,
        talk_ms: u64,
        hold_ms: u64,
    ) -> Result<(), EventError> {
        let rec = self.call_record(call, at)?;
        let CallPhase::Connected { answered_at, agent } = rec.phase else {
            return Err(EventError::CallNotConnected);
        };
        let connected = at.saturating_sub(answered_at).saturating_add(DURATION_SLACK_MS);
        if talk_ms.saturating_add(hold_ms) > connected {
            return Err(EventError::ImpossibleDuration);
        }
        self.advance_clock(at);
        if let Some(attributed) = rec.attributed_at {
            self.record(rec.queue, attributed, |s| {
                s.handled = s.handled.saturating_add(1);
                s.talk_ms = s.talk_ms.saturating_add(talk_ms);
                s.hold_ms = s.hold_ms.saturating_add(hold_ms);
            });
        }
        self.wait_history(rec.queue, |h| h.ended(at, talk_ms, hold_ms));
        // The agent owes the call's after-call work (settling what it owed before); the call
        // leaves the center, but its interval stays open until the work is counted.
        let owed = rec.attributed_at.map(|attributed_at| WrapUp {
            queue: rec.queue,
            attributed_at,
            since: None,
        });
        let agent = agent.filter(|a| self.agents.get(a).is_some_and(|a| !a.is_idle()));
        let previous = match (agent, owed) {
            (Some(agent), Some(owed)) => {
                self.agents.get_mut(&agent).and_then(|a| a.wrap_up.replace(owed))
            }
            _ => None,
        };
        if let Some(previous) = previous {
            self.settle_wrap_up(previous, at);
        }
        let still_open = agent.is_some() && owed.is_some();
        self.end_call(call, &rec, at, !still_open);
        Ok(())
    }

    fn agent_state_changed(
        &mut self,
        at: Timestamp,
        agent: AgentId,
        state: AgentState,
    ) -> Result<(), EventError> {
        match self.agents.get(&agent).copied() {
            Some(rec) if at < rec.last_at => return Err(EventError::BeforePreviousEvent),
            // An idle agent logged out again is as unknown to the figures as before.
            Some(rec) if rec.state == state && !rec.is_idle() => {
                return Err(EventError::AgentAlreadyInState);
            }
            Some(_) => {}
            // Logging out an agent never seen (a feed that starts mid-shift) changes no figure,
            // but the agent is remembered as idle, so that its earlier events stay refused.
            None if !self.room_for_agent(at) => return Err(EventError::TooManyAgents),
            None => {}
        }
        self.advance_clock(at);
        // Read after advancing the clock: flushing moves `since`.
        let mut rec = self.agents.get(&agent).copied().unwrap_or(AgentRecord::new(at));
        self.account(&rec, at);
        if let Some(owed) = rec.wrap_up {
            if owed.since.is_none() && state == AgentState::AfterCallWork {
                rec.wrap_up = Some(WrapUp { since: Some(at), ..owed });
            } else {
                self.settle_wrap_up(owed, at);
                rec.wrap_up = None;
            }
        }
        rec.state = state;
        rec.state_since = at;
        rec.since = at;
        rec.last_at = at;
        self.store_agent(agent, rec);
        Ok(())
    }

    fn membership(
        &mut self,
        at: Timestamp,
        agent: AgentId,
        queue: QueueId,
        join: bool,
    ) -> Result<(), EventError> {
        let q = self.queue_index(queue).ok_or(EventError::UnknownQueue)?;
        match self.agents.get(&agent).copied() {
            Some(rec) if at < rec.last_at => return Err(EventError::BeforePreviousEvent),
            Some(rec) if !join && rec.is_idle() => return Err(EventError::UnknownAgent),
            Some(rec) if join && rec.is_member(q) => return Err(EventError::AlreadyMember),
            Some(rec) if !join && !rec.is_member(q) => return Err(EventError::NotAMember),
            Some(_) => {}
            None if !join => return Err(EventError::UnknownAgent),
            None if !self.room_for_agent(at) => return Err(EventError::TooManyAgents),
            None => {}
        }
        self.advance_clock(at);
        let mut rec = self.agents.get(&agent).copied().unwrap_or(AgentRecord::new(at));
        self.account(&rec, at);
        if join {
            rec.queues |= queue_bit(q);
        } else {
            rec.queues &= !queue_bit(q);
        }
        rec.since = at;
        rec.last_at = at;
        self.store_agent(agent, rec);
        Ok(())
    }

    // ----- bookkeeping -----------------------------------------------------------------------

    /// The call in flight named by an event at `at`.
    fn call_record(&self, call: CallId, at: Timestamp) -> Result<CallRecord, EventError> {
        let rec = *self.calls.get(&call).ok_or(EventError::UnknownCall)?;
        if at < rec.last_at {
            return Err(EventError::BeforePreviousEvent);
        }
        if rec.phase == CallPhase::Ended {
            return Err(EventError::UnknownCall);
        }
        Ok(rec)
    }

    fn waiting_call(&self, call: CallId, at: Timestamp) -> Result<CallRecord, EventError> {
        let rec = self.call_record(call, at)?;
        if rec.phase != CallPhase::Waiting {
            return Err(EventError::CallNotWaiting);
        }
        Ok(rec)
    }

    /// Counts the call as offered in the interval of `at`, once.
    fn attribute(&mut self, rec: &mut CallRecord, at: Timestamp) {
        if rec.attributed_at.is_some() {
            return;
        }
        rec.attributed_at = Some(at);
        self.record(rec.queue, at, |s| s.offered = s.offered.saturating_add(1));
        self.adjust_open_calls(rec.queue, at, true);
    }

    /// The call leaves its queue at `at`: counted where it is attributed, with its wait.
    fn leave_queue(
        &mut self,
        rec: &mut CallRecord,
        at: Timestamp,
        outcome: impl Fn(&mut IntervalStats, u64),
    ) {
        self.attribute(rec, at);
        let wait = at.saturating_sub(rec.entered_at);
        if let Some(attributed) = rec.attributed_at {
            self.record(rec.queue, attributed, |s| {
                outcome(s, wait);
                s.record_wait(wait);
            });
        }
    }

    /// The after-call work owed for a call is over (or never came): count it, and close what
    /// the call kept open.
    fn settle_wrap_up(&mut self, owed: WrapUp, at: Timestamp) {
        if let Some(since) = owed.since {
            let acw = at.saturating_sub(since);
            self.record(owed.queue, owed.attributed_at, |s| {
                s.after_call_work_ms = s.after_call_work_ms.saturating_add(acw);
            });
            self.wait_history(owed.queue, |h| h.wrapped_up(at, acw));
        }
        self.adjust_open_calls(owed.queue, owed.attributed_at, false);
    }

    fn store_call(&mut self, call: CallId, rec: CallRecord) {
        // Callers checked the capacity or replace an existing entry, so this cannot fail.
        let _ = self.calls.insert(call, rec);
    }

    /// The call leaves the center at `at`; its id is remembered until the reorder tolerance
    /// has passed.
    fn remove_call(&mut self, call: CallId, rec: &CallRecord, at: Timestamp) {
        self.end_call(call, rec, at, true);
    }

    /// The call leaves the center at `at`; `close` whether its interval no longer waits for it
    /// (false while its agent owes its after-call work).
    fn end_call(&mut self, call: CallId, rec: &CallRecord, at: Timestamp, close: bool) {
        let ended = CallRecord {
            last_at: rec.last_at.max(at),
            attributed_at: None,
            phase: CallPhase::Ended,
            ..*rec
        };
        let _ = self.calls.insert(call, ended);
        if self.ended.is_full() {
            // Every slot is an ended call: the oldest goes first.
            if let Some((oldest, _)) = self.ended.pop_front() {
                self.forget_if_ended(oldest, Timestamp::MAX);
            }
        }
        let _ = self.ended.push_back((call, ended.last_at));
        if let Some(attributed) = rec.attributed_at.filter(|_| close) {
            self.adjust_open_calls(rec.queue, attributed, false);
        }
    }

    /// The oldest instant an event can still have once the clock is at `at` or later: ended
    /// calls and idle agents last seen before it can be forgotten.
    fn watermark(&self, at: Timestamp) -> Timestamp {
        let now = self.clock.map_or(at, |clock| clock.max(at));
        now.saturating_sub(self.config.reorder_tolerance_ms)
    }

    /// Whether a new call fits, after forgetting ended calls no event can name any more.
    fn room_for_call(&mut self, at: Timestamp) -> bool {
        if self.calls.len() >= CALLS {
            self.forget_ended_calls(at);
        }
        self.calls.len() < CALLS
    }

    /// Forgets, oldest first, the ended calls the reorder tolerance has passed.
    fn forget_ended_calls(&mut self, at: Timestamp) {
        let watermark = self.watermark(at);
        while let Some(&(call, last_at)) = self.ended.front() {
            if last_at >= watermark {
                break;
            }
            self.ended.pop_front();
            self.forget_if_ended(call, watermark);
        }
    }

    /// Removes `call` if it is an ended call last seen before `watermark` (its id may have
    /// been used again since it was queued for forgetting).
    fn forget_if_ended(&mut self, call: CallId, watermark: Timestamp) {
        let stale = self
            .calls
            .get(&call)
            .is_some_and(|rec| rec.phase == CallPhase::Ended && rec.last_at < watermark);
        if stale {
            self.calls.swap_remove(&call);
        }
    }

    /// Queues every ended call for forgetting, as after a restore.
    #[cfg(feature = "checkpoint")]
    fn queue_ended_calls(&mut self) {
        self.ended.clear();
        for (&call, rec) in &self.calls {
            if rec.phase == CallPhase::Ended {
                let _ = self.ended.push_back((call, rec.last_at));
            }
        }
    }

    fn store_agent(&mut self, agent: AgentId, rec: AgentRecord) {
        // Callers checked the capacity or replace an existing entry, so this cannot fail. An
        // idle agent stays until the reorder tolerance has passed its last event.
        let _ = self.agents.insert(agent, rec);
    }

    /// Whether a new agent fits, after forgetting idle agents no event can name any more.
    fn room_for_agent(&mut self, at: Timestamp) -> bool {
        if self.agents.len() >= AGENTS {
            self.forget_idle_agents(at);
        }
        self.agents.len() < AGENTS
    }

    fn forget_idle_agents(&mut self, at: Timestamp) {
        let watermark = self.watermark(at);
        self.agents.retain(|_, rec| !(rec.is_idle() && rec.last_at < watermark));
    }

    fn queue_index(&self, id: QueueId) -> Option<u8> {
        let i = self.queues.iter().position(|book| book.id == id)?;
        u8::try_from(i).ok()
    }

    fn book(&self, id: QueueId) -> Option<&QueueBook<INTERVALS, DAYS>> {
        self.queues.get(usize::from(self.queue_index(id)?))
    }

    fn threshold(&self, q: u8) -> u64 {
        self.queue_config_at(q).service_level.millis()
    }

    fn queue_config_at(&self, q: u8) -> QueueConfig {
        self.queues.get(usize::from(q)).map(|book| book.config).unwrap_or_default()
    }

    /// Moves the clock to `at` if it is later. Its cost is bounded by what is kept, however far
    /// the clock moves: intervals older than the last `INTERVALS` up to the clock's are dropped
    /// (counted in [`Diagnostics::intervals_evicted`]) before agents' time is counted, and
    /// agents' time is counted only into the intervals and days still kept.
    fn advance_clock(&mut self, at: Timestamp) {
        let now = self.clock.map_or(at, |clock| clock.max(at));
        self.clock = Some(now);
        let watermark = now.saturating_sub(self.config.reorder_tolerance_ms);
        let boundary = self.config.calendar.interval_start(watermark, self.config.interval);
        self.forget_ended_calls(now);
        if now >= self.window_moves_at {
            let current = self.config.calendar.interval_start(now, self.config.interval);
            self.window_moves_at = current.saturating_add(self.config.interval.millis());
            let floor = self.interval_floor();
            let Self { queues, diagnostics, .. } = self;
            for book in queues.iter_mut() {
                book.counts_from.get_or_insert(boundary);
                let dropped = book.raise_horizon(floor);
                diagnostics.intervals_evicted =
                    diagnostics.intervals_evicted.saturating_add(dropped);
            }
        }
        match self.flushed_to {
            Some(done) if boundary <= done => {}
            Some(_) => {
                self.forget_idle_agents(now);
                let Self { agents, queues, config, diagnostics, .. } = self;
                // All agents at once, so the cost does not grow with agents × queues × pieces
                // (a quiet night, a jump).
                account_all(queues, config, diagnostics, agents, boundary, now);
                for rec in agents.values_mut().filter(|rec| rec.since < boundary) {
                    rec.since = boundary;
                }
                self.flushed_to = Some(boundary);
            }
            None => self.flushed_to = Some(boundary),
        }
    }

    fn interval_floor(&self) -> Timestamp {
        interval_floor::<INTERVALS>(&self.config, self.clock)
    }

    /// Checks every invariant the engine keeps (see [`Inconsistency`]): what a test calls after
    /// every event, and what a checkpoint must satisfy to be restored. Cost: a pass over the
    /// calls per queue.
    ///
    /// # Errors
    /// The first invariant the state breaks (never, unless the engine has a bug).
    pub fn audit(&self) -> Result<(), Inconsistency> {
        let head = audit::Head {
            config: &self.config,
            csat: &self.csat,
            clock: self.clock,
            flushed_to: self.flushed_to,
        };
        audit::audit::<QUEUES, CALLS, AGENTS, INTERVALS, DAYS>(&head, self)
    }

    /// Counts the agent's time in its current state up to `to`.
    fn account(&mut self, rec: &AgentRecord, to: Timestamp) {
        let now = self.clock.unwrap_or(to);
        let Self { queues, config, diagnostics, .. } = self;
        account(queues, config, diagnostics, rec, to, now);
    }

    /// Applies `update` to the interval and the day of `at` in queue `q`.
    fn record(&mut self, q: u8, at: Timestamp, update: impl Fn(&mut IntervalStats)) {
        let Self { queues, config, diagnostics, .. } = self;
        if let Some(book) = queues.get_mut(usize::from(q)) {
            record(book, config, diagnostics, at, update);
        }
    }

    fn wait_history(&mut self, q: u8, update: impl FnOnce(&mut WaitHistory)) {
        if let Some(book) = self.queues.get_mut(usize::from(q)) {
            update(&mut book.wait);
        }
    }

    /// A caller still in `q`'s line leaves it at `at`.
    fn line_moved(&mut self, q: u8, at: Timestamp, answered: bool) {
        let head = self
            .calls
            .values()
            .filter(|c| c.queue == q && c.phase == CallPhase::Waiting)
            .map(|c| c.entered_at)
            .min()
            .unwrap_or(at);
        self.wait_history(q, |h| h.line_moved(at, head, answered));
    }

    fn adjust_open_calls(&mut self, q: u8, at: Timestamp, open: bool) {
        let Self { queues, config, diagnostics, .. } = self;
        let Some(book) = queues.get_mut(usize::from(q)) else {
            return;
        };
        let start = config.calendar.interval_start(at, config.interval);
        let len = config.interval.millis();
        let slot = if open {
            book.interval_slot(start, len, diagnostics)
        } else {
            book.interval_mut(start, len)
        };
        if let Some(slot) = slot {
            slot.open_calls = if open {
                slot.open_calls.saturating_add(1)
            } else {
                slot.open_calls.saturating_sub(1)
            };
        }
    }

    // ----- reading ---------------------------------------------------------------------------

    /// The interval starting at `start` (a boundary), if it is kept: counted from the queue's
    /// first instant, not yet evicted or taken out, and not after the clock's interval.
    fn interval_report(&self, q: u8, start: Timestamp) -> Option<IntervalReport> {
        let book = self.queues.get(usize::from(q))?;
        let now = self.clock?;
        let current = self.config.calendar.interval_start(now, self.config.interval);
        let counted = book.counts_from.is_some_and(|from| from <= start);
        if !counted || start < book.horizon || start > current {
            return None;
        }
        let len = self.config.interval.millis();
        let stored =
            book.interval(start, len).map_or_else(IntervalStats::default, |slot| slot.stats);
        Some(self.live_interval(q, start, stored))
    }

    /// The local day `date`, if it is kept: from the queue's first day to today, among the
    /// last `DAYS` days, and not evicted from the ledger.
    fn day_report(&self, q: u8, date: LocalDate) -> Option<DayReport> {
        let book = self.queues.get(usize::from(q))?;
        if !self.day_kept(book, date) {
            return None;
        }
        let stored = book.days.get(date).copied().unwrap_or_default();
        Some(self.live_day(q, date, stored))
    }

    fn day_kept(&self, book: &QueueBook<INTERVALS, DAYS>, date: LocalDate) -> bool {
        let (Some(now), Some(from)) = (self.clock, book.counts_from) else { return false };
        let calendar = &self.config.calendar;
        let today = calendar.local_date(now);
        let oldest = today.days_since_epoch().saturating_sub(days_i64::<DAYS>().saturating_sub(1));
        calendar.local_date(from) <= date
            && date <= today
            && date.days_since_epoch() >= oldest
            && book.days.accepts(date)
    }

    fn live_interval(&self, q: u8, start: Timestamp, stored: IntervalStats) -> IntervalReport {
        let end = start.saturating_add(self.config.interval.millis());
        IntervalReport { start, end, stats: self.with_live(q, start, end, stored) }
    }

    fn live_day(&self, q: u8, date: LocalDate, stored: IntervalStats) -> DayReport {
        let start = self.config.calendar.day_start(date);
        let end = self.config.calendar.day_end(date);
        DayReport { date, start, end, stats: self.with_live(q, start, end, stored) }
    }

    /// `stored` plus what is live now in `[start, end)`: calls waiting, and agents' time in
    /// their current state.
    fn with_live(
        &self,
        q: u8,
        start: Timestamp,
        end: Timestamp,
        stored: IntervalStats,
    ) -> IntervalStats {
        let mut stats = stored;
        let Some(now) = self.clock else { return stats };
        let threshold = self.threshold(q);
        for call in self.calls.values() {
            if call.queue != q || call.phase != CallPhase::Waiting {
                continue;
            }
            // Under QueueExit a waiting call has left no interval yet: it is live in the
            // interval of now.
            let attributed = call.attributed_at.unwrap_or(now);
            if attributed < start || attributed >= end {
                continue;
            }
            if call.attributed_at.is_none() {
                stats.offered = stats.offered.saturating_add(1);
            }
            let wait = now.saturating_sub(call.entered_at);
            stats.waiting = stats.waiting.saturating_add(1);
            if wait > threshold {
                stats.waiting_past_sl = stats.waiting_past_sl.saturating_add(1);
            }
            stats.record_wait(wait);
        }
        for agent in self.agents.values().filter(|a| a.is_member(q)) {
            let from = agent.since.max(start);
            let to = now.min(end);
            if from < to {
                stats.agent_time.add(agent.state, to.saturating_sub(from));
            }
        }
        stats
    }
}

/// The start of the oldest interval a center with `INTERVALS` intervals keeps: `INTERVALS`
/// intervals up to the clock's (0 before the clock is set).
fn interval_floor<const INTERVALS: usize>(
    config: &CenterConfig,
    clock: Option<Timestamp>,
) -> Timestamp {
    let Some(now) = clock else { return 0 };
    let len = config.interval.millis();
    let current = config.calendar.interval_start(now, config.interval);
    let older = u64::try_from(INTERVALS.saturating_sub(1)).unwrap_or(u64::MAX);
    current.saturating_sub(older.saturating_mul(len))
}

impl<
    const QUEUES: usize,
    const CALLS: usize,
    const AGENTS: usize,
    const INTERVALS: usize,
    const DAYS: usize,
> audit::Parts<INTERVALS, DAYS> for Center<QUEUES, CALLS, AGENTS, INTERVALS, DAYS>
{
    fn books(
        &self,
        each: &mut dyn FnMut(&QueueBook<INTERVALS, DAYS>) -> Result<(), Inconsistency>,
    ) -> Result<(), Inconsistency> {
        self.queues.iter().try_for_each(each)
    }

    fn calls(&self, each: &mut audit::EachCall<'_>) -> Result<(), Inconsistency> {
        self.calls.iter().try_for_each(|(&id, call)| each((id, call)))
    }

    fn agents(&self, each: &mut audit::EachAgent<'_>) -> Result<(), Inconsistency> {
        self.agents.iter().try_for_each(|(&id, agent)| each((id, agent)))
    }
}

/// `DAYS` as a day count.
fn days_i64<const DAYS: usize>() -> i64 {
    i64::try_from(DAYS).unwrap_or(i64::MAX)
}

/// The first instant of the oldest local day a center with `DAYS` days keeps at `now`.
fn day_floor<const DAYS: usize>(config: &CenterConfig, now: Timestamp) -> Timestamp {
    let today = config.calendar.local_date(now).days_since_epoch();
    let oldest = LocalDate::from_days_since_epoch(
        today.saturating_sub(days_i64::<DAYS>().saturating_sub(1)),
    );
    config.calendar.day_start(oldest)
}

/// Counts `[rec.since, to)` spent in the agent's state in every queue it is a member of, split
/// at interval boundaries. Time that no kept interval and no kept day can hold (before both the
/// queue's horizon and the oldest day kept at `now`) is skipped at once, and time before the horizon goes to the
/// days alone, a day at a time: the cost is bounded by what is kept, never by how long ago
/// `rec.since` was.
fn account<const INTERVALS: usize, const DAYS: usize>(
    queues: &mut [QueueBook<INTERVALS, DAYS>],
    config: &CenterConfig,
    diagnostics: &mut Diagnostics,
    rec: &AgentRecord,
    to: Timestamp,
    now: Timestamp,
) {
    if rec.state == AgentState::LoggedOut || rec.queues == 0 {
        return;
    }
    let len = config.interval.millis();
    for (q, book) in queues.iter_mut().enumerate() {
        if !u8::try_from(q).is_ok_and(|q| rec.queues & queue_bit(q) != 0) {
            continue;
        }
        // Only time before the horizon needs the days' floor (rarely: after a jump).
        let mut t = rec.since;
        if t < book.horizon {
            t = t.max(day_floor::<DAYS>(config, now).min(book.horizon));
        }
        while t < to && t < book.horizon {
            let date = config.calendar.local_date(t);
            let piece_end = config.calendar.day_end(date).min(book.horizon).min(to);
            if piece_end <= t {
                break;
            }
            let ms = piece_end.saturating_sub(t);
            record_day(book, config, diagnostics, t, |s| s.agent_time.add(rec.state, ms));
            t = piece_end;
        }
        while t < to {
            let start = config.calendar.interval_start(t, config.interval);
            let piece_end = start.saturating_add(len).min(to);
            if piece_end <= t {
                break;
            }
            let ms = piece_end.saturating_sub(t);
            record(book, config, diagnostics, t, |s| s.agent_time.add(rec.state, ms));
            t = piece_end;
        }
    }
}

/// What `account` does for every agent at once: counts each agent's time in its current state
/// from its `since` up to `to`, queue by queue and kind of time by kind of time, sweeping the
/// pieces (intervals kept; days before the horizon) once with the agents in order of `since`.
/// The same sums as agent by agent, at a cost of queues × 5 × (agents + pieces) instead of
/// agents × queues × pieces.
#[inline(never)] // its list of agents is on the stack only while the clock crosses a boundary
fn account_all<const INTERVALS: usize, const DAYS: usize, const AGENTS: usize>(
    queues: &mut [QueueBook<INTERVALS, DAYS>],
    config: &CenterConfig,
    diagnostics: &mut Diagnostics,
    agents: &FnvIndexMap<AgentId, AgentRecord, AGENTS>,
    to: Timestamp,
    now: Timestamp,
) {
    /// One representative per kind of agent time (every not-ready reason is one kind).
    const KINDS: [AgentState; 5] = [
        AgentState::Available,
        AgentState::Reserved,
        AgentState::OnCall,
        AgentState::AfterCallWork,
        AgentState::NotReady(ReasonCode(0)),
    ];
    let kind_of = |state: AgentState| match state {
        AgentState::NotReady(_) => AgentState::NotReady(ReasonCode(0)),
        other => other,
    };
    let mut owed: Vec<(Timestamp, AgentState, u64), AGENTS> = Vec::new();
    for rec in agents.values() {
        if rec.since < to && rec.state != AgentState::LoggedOut && rec.queues != 0 {
            // At most AGENTS agents, so this cannot fail.
            let _ = owed.push((rec.since, kind_of(rec.state), rec.queues));
        }
    }
    owed.sort_unstable_by_key(|&(since, ..)| since);
    let len = config.interval.millis();
    let day_floor = day_floor::<DAYS>(config, now);
    for (q, book) in queues.iter_mut().enumerate() {
        let bit = u8::try_from(q).map_or(0, queue_bit);
        for kind in KINDS {
            let mut members =
                owed.iter().filter(|&&(_, k, queues)| k == kind && queues & bit != 0).peekable();
            let Some(&&(first, ..)) = members.peek() else { continue };
            // As agent by agent: before the horizon only the days kept count.
            let mut t = first;
            if t < book.horizon {
                t = t.max(day_floor.min(book.horizon));
            }
            let mut active: u64 = 0;
            while members.next_if(|&&(since, ..)| since <= t).is_some() {
                active = active.saturating_add(1);
            }
            while t < to {
                let piece_end = if t < book.horizon {
                    config.calendar.day_end(config.calendar.local_date(t)).min(book.horizon)
                } else {
                    config.calendar.interval_start(t, config.interval).saturating_add(len)
                }
                .min(to);
                if piece_end <= t {
                    break;
                }
                let mut ms = active.saturating_mul(piece_end.saturating_sub(t));
                // Agents whose time starts inside the piece count from their start.
                while let Some(&(since, ..)) = members.next_if(|&&(since, ..)| since < piece_end) {
                    ms = ms.saturating_add(piece_end.saturating_sub(since));
                    active = active.saturating_add(1);
                }
                if ms > 0 {
                    let update = |s: &mut IntervalStats| s.agent_time.add(kind, ms);
                    if t < book.horizon {
                        record_day(book, config, diagnostics, t, update);
                    } else {
                        record(book, config, diagnostics, t, update);
                    }
                }
                t = piece_end;
            }
        }
    }
}

/// Applies `update` to the interval and the day of `at` in `book`.
fn record<const INTERVALS: usize, const DAYS: usize>(
    book: &mut QueueBook<INTERVALS, DAYS>,
    config: &CenterConfig,
    diagnostics: &mut Diagnostics,
    at: Timestamp,
    update: impl Fn(&mut IntervalStats),
) {
    let start = config.calendar.interval_start(at, config.interval);
    match book.interval_slot(start, config.interval.millis(), diagnostics) {
        Some(slot) => update(&mut slot.stats),
        None => diagnostics.late_updates = diagnostics.late_updates.saturating_add(1),
    }
    record_day(book, config, diagnostics, at, update);
}

/// Applies `update` to the day of `at` in `book`.
fn record_day<const INTERVALS: usize, const DAYS: usize>(
    book: &mut QueueBook<INTERVALS, DAYS>,
    config: &CenterConfig,
    diagnostics: &mut Diagnostics,
    at: Timestamp,
    update: impl Fn(&mut IntervalStats),
) {
    match book.days.entry(config.calendar.local_date(at)) {
        Ok((stats, evicted)) => {
            if evicted {
                diagnostics.days_evicted = diagnostics.days_evicted.saturating_add(1);
            }
            update(stats);
        }
        Err(_) => diagnostics.late_updates = diagnostics.late_updates.saturating_add(1),
    }
}

fn count_dequeued(s: &mut IntervalStats, reason: DequeueReason) {
    s.dequeued = s.dequeued.saturating_add(1);
    s.dequeued_by_reason.count(reason);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rejections are counted by `EventError as usize`: `ALL` must list every variant at its
    /// own index. The match has no wildcard, so a new variant does not compile until it is
    /// listed here and in `ALL`.
    #[test]
    fn every_event_error_has_its_own_counter() {
        for (i, error) in EventError::ALL.into_iter().enumerate() {
            let position = match error {
                EventError::UnknownQueue => 0,
                EventError::UnknownCall => 1,
                EventError::UnknownAgent => 2,
                EventError::DuplicateCall => 3,
                EventError::CallNotWaiting => 4,
                EventError::CallNotConnected => 5,
                EventError::ImpossibleDuration => 6,
                EventError::TransferToSameQueue => 7,
                EventError::AgentAlreadyInState => 8,
                EventError::NotInAfterCallWork => 9,
                EventError::AlreadyMember => 10,
                EventError::NotAMember => 11,
                EventError::TooLate => 12,
                EventError::BeforePreviousEvent => 13,
                EventError::ClockJump => 14,
                EventError::TimestampOutOfRange => 15,
                EventError::TooManyCalls => 16,
                EventError::TooManyAgents => 17,
                EventError::Undecodable => 18,
            };
            assert_eq!((i, error as usize), (position, position));
            let mut counts = RejectionCounts::default();
            counts.count(error);
            assert_eq!((counts.get(error), counts.total()), (1, 1));
        }
    }

    #[test]
    fn reset_empties_in_place() {
        let mut center: Center<2, 4, 4, 4, 2> = Center::new(CenterConfig::DEFAULT);
        let queue = QueueId(1);
        center.add_queue(queue, QueueConfig::default()).unwrap();
        let entered = EventKind::CallEntered { call: CallId(7), queue, priority: 0 };
        center.apply(&Event::new(1_000, entered)).unwrap();
        assert_eq!(center.diagnostics().applied, 1);

        let hourly = CenterConfig { interval: IntervalLength::Minutes60, ..CenterConfig::DEFAULT };
        center.reset(hourly);
        assert_eq!(center.queue_ids().len(), 0);
        assert_eq!(center.now(), None);
        assert_eq!(center.diagnostics().applied, 0);
        assert_eq!(center.config().interval, IntervalLength::Minutes60);
        // As good as new: the same call id and queue are accepted again.
        center.add_queue(queue, QueueConfig::default()).unwrap();
        center.apply(&Event::new(1_000, entered)).unwrap();
        assert_eq!(center.snapshot(queue).map(|s| s.waiting), Some(1));
    }
}
