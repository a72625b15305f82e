//! The contact center: queues, calls in flight and agents, fed by events, read as figures.
//!
//! A [`Center`] is the whole real-time state of one ACD in fixed memory. Its capacities are
//! const generics: `QUEUES` queues (at most 64), `CALLS` calls in flight and `AGENTS` agents
//! (both powers of two), `INTERVALS` reporting intervals kept per queue and `DAYS` days of daily
//! figures and CSAT kept. Nothing allocates; when a capacity is reached the event is refused
//! with an error and the state is unchanged.
//!
//! # Feeding it
//! [`Center::apply`] takes one [`Event`](crate::Event). Events are expected in time order, but an event up to
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
//!
//! # Where each part lives
//! - [`config`](CenterConfig): how a center counts;
//! - errors and [`Diagnostics`]: what it refuses and counts;
//! - `records` and `book`: the calls and agents in flight, and each queue's intervals and days;
//! - `apply`: events in, `read`: figures out;
//! - `audit` and `checkpoint`: the invariants checked, and the state saved and restored.

use core::mem::MaybeUninit;

use heapless::{Deque, Vec};

mod apply;
mod audit;
mod book;
#[cfg(feature = "checkpoint")]
mod checkpoint;
mod config;
mod error;
mod read;
mod records;
mod views;

pub use audit::Inconsistency;
#[cfg(feature = "checkpoint")]
pub use checkpoint::{CheckpointError, FORMAT_VERSION as CHECKPOINT_FORMAT_VERSION};
pub use config::{Attribution, CenterConfig};
pub use error::{ConfigError, Diagnostics, EventError, ReadError, RejectionCounts};
pub use views::{AgentView, CallStatus, CallView};

use crate::calendar::Timestamp;
use crate::csat::CsatLedger;
use crate::event::{AgentId, CallId, QueueId};
use crate::id_map::IdMap;
use crate::ledger::Ledger;
use crate::queue::QueueConfig;
use crate::wait::WaitHistory;
use book::{Period, QueueBook, interval_floor};
use records::{AgentRecord, CallPhase, CallRecord};

/// The whole real-time state of a contact center; see the [module](self) docs.
///
/// (The `impl` blocks of this folder name the five capacities `Q`, `C`, `A`, `I`, `D`.)
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
    calls: IdMap<CallId, CallRecord, CALLS>,
    /// Ended calls kept in `calls`, in the order they ended, so that each is forgotten once the
    /// reorder tolerance has passed it without a scan of every call (a busy center ends
    /// thousands of calls an interval). Derived from `calls`: rebuilt on restore.
    ended: Deque<(CallId, Timestamp), CALLS>,
    /// The calls waiting, in every queue, by their entry (`entered_at`, then id), with their
    /// queue: the head of each line without a scan of every call in flight (a 1,000-agent
    /// center has ten times more calls talking than waiting). Derived from `calls`: rebuilt
    /// on restore.
    line: Vec<(Timestamp, CallId, u8), CALLS>,
    /// The clock's interval and day, as the calendar gives them. Derived from the clock (none:
    /// until the next move).
    period: Period,
    agents: IdMap<AgentId, AgentRecord, AGENTS>,
    csat: CsatLedger<DAYS>,
    /// The newest instant seen.
    clock: Option<Timestamp>,
    /// Agent time before this interval boundary is counted; events before it are refused.
    flushed_to: Option<Timestamp>,
    diagnostics: Diagnostics,
}

impl<const Q: usize, const C: usize, const A: usize, const I: usize, const D: usize>
    Center<Q, C, A, I, D>
{
    /// An empty center with no queues. `QUEUES` must be at most 64 and `CALLS` and `AGENTS`
    /// powers of two of at least 2 (checked at compile time).
    #[must_use]
    #[inline(always)]
    pub const fn new(config: CenterConfig) -> Self {
        const {
            assert!(Q <= 64, "a center has at most 64 queues");
            assert!(I > 0 && D > 0, "keep at least one interval and one day");
        }
        Self {
            csat: CsatLedger::new(config.csat, config.calendar),
            config,
            queues: Vec::new(),
            calls: IdMap::new(),
            ended: Deque::new(),
            line: Vec::new(),
            period: Period::NONE,
            agents: IdMap::new(),
            clock: None,
            flushed_to: None,
            diagnostics: Diagnostics::NONE,
        }
    }

    /// Makes an empty center in `place`, as [`Center::new`] would, and returns it: the one way
    /// to make a center too large for a thread's stack (the C ABI's, on the heap or in caller
    /// memory; a replay's, over ten megabytes). Both it and [`Center::new`] are always inlined,
    /// so that in an optimized caller (opt-level 1 or more) the center is written straight into
    /// `place`: no copy of it is built on the stack first. With `std`, `Center::new_boxed`
    /// does the same on the heap.
    #[inline(always)]
    pub fn new_in(place: &mut MaybeUninit<Self>, config: CenterConfig) -> &mut Self {
        place.write(Self::new(config))
    }

    /// A new empty center on the heap, written in place as [`Center::new_in`] writes it.
    #[cfg(feature = "std")]
    #[must_use]
    #[inline(always)]
    pub fn new_boxed(config: CenterConfig) -> std::boxed::Box<Self> {
        std::boxed::Box::write(std::boxed::Box::new_uninit(), Self::new(config))
    }

    /// Empties the center in place and gives it a new configuration: no queues, no calls, no
    /// agents, no history, as [`Center::new`] would make it. For a center in memory that cannot
    /// hold a second copy on the stack (a few megabytes at large capacities).
    pub fn reset(&mut self, config: CenterConfig) {
        self.queues.clear();
        self.calls.clear();
        self.ended.clear();
        self.line.clear();
        self.period = Period::NONE;
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

    fn queue_index(&self, id: QueueId) -> Option<u8> {
        let i = self.queues.iter().position(|book| book.id == id)?;
        u8::try_from(i).ok()
    }

    fn book(&self, id: QueueId) -> Option<&QueueBook<I, D>> {
        self.queues.get(usize::from(self.queue_index(id)?))
    }

    fn threshold(&self, q: u8) -> u64 {
        self.queue_config_at(q).service_level.millis()
    }

    fn queue_config_at(&self, q: u8) -> QueueConfig {
        self.queues.get(usize::from(q)).map(|book| book.config).unwrap_or_default()
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
        audit::audit::<Q, C, A, I, D>(&head, self)
    }
}

impl<const Q: usize, const C: usize, const A: usize, const I: usize, const D: usize>
    audit::Parts<I, D> for Center<Q, C, A, I, D>
{
    fn books(
        &self,
        each: &mut dyn FnMut(&QueueBook<I, D>) -> Result<(), Inconsistency>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::IntervalLength;
    use crate::event::{Event, EventKind};

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
        assert_eq!(center.snapshot(queue).map(|s| s.waiting), Ok(1));
    }
}
