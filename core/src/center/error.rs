//! What a center refuses and why, and what it counts of what it refused: one error enum per
//! kind of request, and the diagnostics every refusal feeds.

use crate::wait::WaitUnknown;

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
    /// [`Center::refuse_undecodable_event`](super::Center::refuse_undecodable_event)).
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

/// Why a reading of a queue or a call has no answer now: [`Center::snapshot`],
/// [`Center::wait_inputs`], [`Center::expected_wait`], [`Center::call_expected_wait`]. The
/// reason is the center's to give, so no caller re-derives it.
///
/// [`Center::snapshot`]: super::Center::snapshot
/// [`Center::wait_inputs`]: super::Center::wait_inputs
/// [`Center::expected_wait`]: super::Center::expected_wait
/// [`Center::call_expected_wait`]: super::Center::call_expected_wait
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReadError {
    /// No such queue.
    #[error("unknown queue")]
    UnknownQueue,
    /// No event has been applied and the clock was never moved: there is no "now" yet.
    #[error("no clock yet: nothing has happened")]
    NoClock,
    /// No such call in flight.
    #[error("unknown call")]
    UnknownCall,
    /// The call is not waiting (answered, or wrapping up).
    #[error("the call is not waiting")]
    NotWaiting,
    /// The estimator lacks an input.
    #[error(transparent)]
    Unknown(WaitUnknown),
    /// The period asked for is not kept: not an interval boundary, before the queue's first
    /// counted instant, after the clock's interval or day, or evicted.
    #[error("that period is not kept")]
    NotKept,
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

    pub(super) fn count(&mut self, error: EventError) {
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
    /// [`Center::pop_settled_interval`](super::Center::pop_settled_interval). Their calls are still in the day figures.
    pub intervals_evicted: u32,
    /// Days dropped from a full day ledger.
    pub days_evicted: u32,
    /// Updates to an interval or day that was no longer kept (for example the after-call work
    /// of a call whose interval was evicted). The day figures keep them when the day is kept.
    pub late_updates: u32,
}

impl Diagnostics {
    pub(super) const NONE: Self = Self {
        applied: 0,
        rejected: RejectionCounts { counts: [0; EventError::ALL.len()] },
        surveys_rejected: 0,
        intervals_evicted: 0,
        days_evicted: 0,
        late_updates: 0,
    };
}
