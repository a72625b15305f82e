//! Queues: their configuration and what a wallboard shows of one right now.

use crate::calendar::{LocalDate, Timestamp};
use crate::event::{AgentState, QueueId};
use crate::interval::{DayReport, IntervalReport};
use crate::service_level::ServiceLevelThreshold;

/// How a queue measures service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueueConfig {
    /// The service-level answer time T.
    pub service_level: ServiceLevelThreshold,
    /// The short-abandon threshold S in milliseconds: callers who hang up sooner are short
    /// abandons. 0 (the default) means none are.
    pub short_abandon_ms: u64,
}

/// A queue's member agents by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)] // one field per `AgentState`, documented there
pub struct AgentCounts {
    pub logged_out: u32,
    pub available: u32,
    pub reserved: u32,
    pub on_call: u32,
    pub after_call_work: u32,
    pub not_ready: u32,
}

impl AgentCounts {
    /// Logged-in members: everyone but the logged out.
    #[must_use]
    pub const fn logged_in(&self) -> u32 {
        self.available
            .saturating_add(self.reserved)
            .saturating_add(self.on_call)
            .saturating_add(self.after_call_work)
            .saturating_add(self.not_ready)
    }

    pub(crate) fn count(&mut self, state: AgentState) {
        let slot = match state {
            AgentState::LoggedOut => &mut self.logged_out,
            AgentState::Available => &mut self.available,
            AgentState::Reserved => &mut self.reserved,
            AgentState::OnCall => &mut self.on_call,
            AgentState::AfterCallWork => &mut self.after_call_work,
            AgentState::NotReady(_) => &mut self.not_ready,
        };
        *slot = slot.saturating_add(1);
    }
}

/// A queue right now: what a wallboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueueSnapshot {
    /// The queue.
    pub queue: QueueId,
    /// The instant the snapshot describes: the center's clock.
    pub at: Timestamp,
    /// The queue's service-level threshold T in milliseconds.
    pub service_level_threshold_ms: u64,
    /// Calls waiting now.
    pub waiting: u32,
    /// How long the oldest waiting call has waited, `None` when none is waiting.
    pub longest_wait_ms: Option<u64>,
    /// The expected wait of a caller who would join now, by the default estimator
    /// ([`WaitEstimator::default`](crate::wait::WaitEstimator)); `None` when it does not know
    /// yet (no agents serving, no call ended yet).
    pub expected_wait_ms: Option<u64>,
    /// Member agents by state.
    pub agents: AgentCounts,
    /// The interval in progress.
    pub current_interval: IntervalReport,
    /// The local date of `at`.
    pub today: LocalDate,
    /// Today so far.
    pub today_stats: DayReport,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::ReasonCode;

    #[test]
    fn agents_by_state() {
        let mut counts = AgentCounts::default();
        for state in [
            AgentState::LoggedOut,
            AgentState::Available,
            AgentState::Available,
            AgentState::Reserved,
            AgentState::OnCall,
            AgentState::AfterCallWork,
            AgentState::NotReady(ReasonCode(4)),
            AgentState::NotReady(ReasonCode(9)),
        ] {
            counts.count(state);
        }
        assert_eq!(
            counts,
            AgentCounts {
                logged_out: 1,
                available: 2,
                reserved: 1,
                on_call: 1,
                after_call_work: 1,
                not_ready: 2
            }
        );
        assert_eq!(counts.logged_in(), 7);
    }
}
