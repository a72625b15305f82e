//! What a reader of a center sees of one call or one agent in flight.

use crate::calendar::Timestamp;
use crate::event::{AgentId, AgentState, CallId, QueueId};

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
