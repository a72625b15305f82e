//! What the ACD tells the core: call and agent events.
//!
//! A call's life in a queue is short and always ends the same few ways. It **enters** a queue;
//! then exactly one of: an agent **answers** it (the ring time counts as waiting: the wait ends
//! when the agent picks up), the caller **abandons** (hangs up while waiting), the system
//! **dequeues** it (a timeout, no agents at all, the caller chose to leave by pressing a key,
//! overflow to voicemail or a call-back, a restart), or it is **transferred** (overflowed) to
//! another queue. An answered call later **ends**, with its talk and hold time, and the agent may
//! then spend time in **after-call work** (wrap-up) before taking the next call.
//!
//! Agents change **state** independently of any single call: logged out, available, reserved
//! (a call is ringing at their station), on a call, after-call work, or not ready with a reason
//! code (break, meeting, training: the "aux" codes of an ACD). They are **members** of one or
//! more queues; a queue's "agents by state" counts its members.
//!
//! Events carry the instant they happened ([`Timestamp`]) and are applied by
//! [`Center::apply`](crate::center::Center::apply), which documents ordering and errors.

use crate::calendar::Timestamp;

/// A call, as the ACD identifies it. The same id may be reused once the call has left the core
/// (after it ended or left the queue unanswered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CallId(pub u64);

/// A queue (a skill, split, hunt group or department line), as the ACD identifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueueId(pub u32);

/// An agent, as the ACD identifies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AgentId(pub u32);

/// A not-ready ("aux") reason code as the ACD numbers them: break, lunch, meeting, training...
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReasonCode(pub u16);

/// Why the system, not the caller, ended a call's wait. Dequeued calls are never counted as
/// abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DequeueReason {
    /// The queue's maximum wait ran out (Asterisk `EXITWITHTIMEOUT`).
    Timeout,
    /// No agents were logged in or able to take it (Asterisk `EXITEMPTY`).
    NoAgents,
    /// The caller chose an option to leave the queue, e.g. pressed a key (Asterisk
    /// `EXITWITHKEY`).
    CallerOption,
    /// Overflowed out of the ACD: to voicemail, a call-back, an announcement.
    Overflow,
    /// Removed by an administrator or an application (Asterisk `WITHDRAW`).
    Withdrawn,
    /// Lost when the switch restarted.
    SystemRestart,
}

impl DequeueReason {
    /// Every reason, in the order of [`DequeueCounts`] fields.
    pub const ALL: [Self; 6] = [
        Self::Timeout,
        Self::NoAgents,
        Self::CallerOption,
        Self::Overflow,
        Self::Withdrawn,
        Self::SystemRestart,
    ];
}

/// An agent's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AgentState {
    /// Not logged in: not counted as staffed.
    LoggedOut,
    /// Logged in, ready and idle: waiting for a call.
    Available,
    /// A call has been offered and is ringing at the agent's station.
    Reserved,
    /// Talking to (or holding) a caller.
    OnCall,
    /// Wrap-up after a call: notes, dispositions.
    AfterCallWork,
    /// Logged in but not taking calls, for the given reason.
    NotReady(ReasonCode),
}

/// One thing that happened at the ACD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Event {
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// An event of `kind` at `at`.
    #[must_use]
    pub const fn new(at: Timestamp, kind: EventKind) -> Self {
        Self { at, kind }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EventKind {
    /// A call entered a queue and began to wait.
    CallEntered {
        /// The call.
        call: CallId,
        /// The queue it entered.
        queue: QueueId,
        /// Its priority in the queue (higher is served first), as the ACD ranks it.
        priority: u8,
    },
    /// An agent answered a waiting call: its wait ends now.
    CallAnswered {
        /// The call.
        call: CallId,
        /// The agent who answered, when the ACD says.
        agent: Option<AgentId>,
    },
    /// The caller hung up while waiting.
    CallAbandoned {
        /// The call.
        call: CallId,
    },
    /// The system ended the call's wait.
    CallDequeued {
        /// The call.
        call: CallId,
        /// Why.
        reason: DequeueReason,
    },
    /// A waiting call was transferred or overflowed to another queue, where it is offered
    /// anew and its wait in that queue starts now.
    CallTransferred {
        /// The call.
        call: CallId,
        /// The queue it moved to, or `None` when it left for a destination the core does not
        /// track.
        to: Option<QueueId>,
    },
    /// An answered call ended. `talk_ms + hold_ms` cannot exceed the time since the answer
    /// (plus one second for ACDs that report whole seconds).
    CallEnded {
        /// The call.
        call: CallId,
        /// Time talking with the caller; `None` for "from the answer to now, less the hold":
        /// the center knows when the call was answered, so an ACD (or a log) that does not
        /// report talk time need not keep its own record of every answer.
        talk_ms: Option<u64>,
        /// Time the caller spent on hold.
        hold_ms: u64,
    },
    /// The agent finished after-call work and is available again. Shorthand for a state
    /// change from [`AgentState::AfterCallWork`] to [`AgentState::Available`].
    AfterCallWorkEnded {
        /// The agent.
        agent: AgentId,
    },
    /// An agent's state changed.
    AgentStateChanged {
        /// The agent.
        agent: AgentId,
        /// The new state.
        state: AgentState,
    },
    /// An agent became a member of a queue (was given the skill, logged in to the split).
    AgentJoinedQueue {
        /// The agent.
        agent: AgentId,
        /// The queue.
        queue: QueueId,
    },
    /// An agent stopped being a member of a queue.
    AgentLeftQueue {
        /// The agent.
        agent: AgentId,
        /// The queue.
        queue: QueueId,
    },
}

/// Dequeued calls by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)] // one field per `DequeueReason` variant, documented there
pub struct DequeueCounts {
    pub timeout: u32,
    pub no_agents: u32,
    pub caller_option: u32,
    pub overflow: u32,
    pub withdrawn: u32,
    pub system_restart: u32,
}

impl DequeueCounts {
    /// The count for `reason`.
    #[must_use]
    pub const fn get(&self, reason: DequeueReason) -> u32 {
        match reason {
            DequeueReason::Timeout => self.timeout,
            DequeueReason::NoAgents => self.no_agents,
            DequeueReason::CallerOption => self.caller_option,
            DequeueReason::Overflow => self.overflow,
            DequeueReason::Withdrawn => self.withdrawn,
            DequeueReason::SystemRestart => self.system_restart,
        }
    }

    pub(crate) fn count(&mut self, reason: DequeueReason) {
        self.add(reason, 1);
    }

    pub(crate) fn merge(&mut self, other: &Self) {
        for reason in DequeueReason::ALL {
            self.add(reason, other.get(reason));
        }
    }

    fn add(&mut self, reason: DequeueReason, n: u32) {
        let slot = match reason {
            DequeueReason::Timeout => &mut self.timeout,
            DequeueReason::NoAgents => &mut self.no_agents,
            DequeueReason::CallerOption => &mut self.caller_option,
            DequeueReason::Overflow => &mut self.overflow,
            DequeueReason::Withdrawn => &mut self.withdrawn,
            DequeueReason::SystemRestart => &mut self.system_restart,
        };
        *slot = slot.saturating_add(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dequeued_calls_by_reason() {
        let mut a = DequeueCounts::default();
        for (i, reason) in DequeueReason::ALL.into_iter().enumerate() {
            for _ in 0..=i {
                a.count(reason);
            }
        }
        for (i, reason) in DequeueReason::ALL.into_iter().enumerate() {
            assert_eq!(a.get(reason), i as u32 + 1);
        }
        let mut b = DequeueCounts { timeout: u32::MAX, ..DequeueCounts::default() };
        b.merge(&a);
        assert_eq!(b.timeout, u32::MAX, "saturates, never wraps");
        assert_eq!(b.system_restart, 6);
    }
}
