//! What a center keeps of each call and agent in flight: the state events move.

use crate::calendar::Timestamp;
use crate::event::{AgentId, AgentState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) enum CallPhase {
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
pub(super) struct CallRecord {
    /// Index into `Center::queues`.
    pub(super) queue: u8,
    pub(super) entered_at: Timestamp,
    pub(super) last_at: Timestamp,
    pub(super) priority: u8,
    /// The instant whose interval the call is counted in; `None` while waiting under
    /// `Attribution::QueueExit`.
    pub(super) attributed_at: Option<Timestamp>,
    pub(super) phase: CallPhase,
}

#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct AgentRecord {
    pub(super) state: AgentState,
    /// When the agent entered `state`.
    pub(super) state_since: Timestamp,
    /// Time before this is already counted in the intervals.
    pub(super) since: Timestamp,
    pub(super) last_at: Timestamp,
    /// Bit i: member of `Center::queues[i]`.
    pub(super) queues: u64,
    /// The after-call work this agent owes for the last call it ended, or is doing.
    pub(super) wrap_up: Option<WrapUp>,
}

/// After-call work an agent owes for a call that ended: counted, when the agent's next state
/// comes, with the call's other figures. The call itself has left the center, so its id is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct WrapUp {
    /// Index into `Center::queues` of the call's queue.
    pub(super) queue: u8,
    /// The instant whose interval the call is counted in.
    pub(super) attributed_at: Timestamp,
    /// When the agent went into after-call work for it; `None` until it does.
    pub(super) since: Option<Timestamp>,
}

impl AgentRecord {
    pub(super) const fn new(at: Timestamp) -> Self {
        Self {
            state: AgentState::LoggedOut,
            state_since: at,
            since: at,
            last_at: at,
            queues: 0,
            wrap_up: None,
        }
    }

    pub(super) const fn is_member(&self, queue: u8) -> bool {
        self.queues & queue_bit(queue) != 0
    }

    /// Logged out of everything with nothing owed: kept only so that an event older than its
    /// last one is still refused while the reorder tolerance could deliver one.
    pub(super) fn is_idle(&self) -> bool {
        self.state == AgentState::LoggedOut && self.queues == 0 && self.wrap_up.is_none()
    }
}

pub(super) const fn queue_bit(queue: u8) -> u64 {
    match 1u64.checked_shl(queue as u32) {
        Some(bit) => bit,
        None => 0,
    }
}
