//! What the fuzz targets share: a script of events read from the fuzzer's bytes.
//!
//! Each event takes four bytes: the kind, the call or agent it names (from a small set, so that
//! events meet the calls and agents earlier ones made), a queue or a state, and how far the
//! clock moves (0 to 255 seconds, or backwards a little, as late events arrive). Events the
//! center refuses are part of the test: they must be refused cleanly.

use callboard_core::calendar::Timestamp;
use callboard_core::event::{
    AgentId, AgentState, CallId, DequeueReason, Event, EventKind, QueueId, ReasonCode,
};
use callboard_core::interval::IntervalStats;

/// The first instant of every script: 2026-11-23 07:55 UTC, before a 311 center opens.
pub const START_MS: Timestamp = 1_795_420_500_000;

/// The queues a script uses, `0..QUEUES`; one more id names a queue no center has.
pub const QUEUES: u32 = 3;

/// The events `bytes` describe, four bytes each; a shorter tail is dropped.
pub fn events(bytes: &[u8]) -> impl Iterator<Item = Event> + '_ {
    let mut at = START_MS;
    bytes.chunks_exact(4).map(move |chunk| {
        let [kind, who, what, step] = [chunk[0], chunk[1], chunk[2], chunk[3]];
        at = if step >= 250 {
            // Late by up to 25 s: inside and beyond the reorder tolerance.
            at.saturating_sub(u64::from(step - 249) * 5_000)
        } else {
            at.saturating_add(u64::from(step) * 1_000)
        };
        let call = CallId(u64::from(who % 40));
        let agent = AgentId(u32::from(who % 20));
        let queue = QueueId(u32::from(what) % (QUEUES + 1));
        let kind = match kind % 11 {
            0 | 1 => EventKind::CallEntered { call, queue, priority: what >> 6 },
            2 => EventKind::CallAnswered { call, agent: (what & 1 == 1).then_some(agent) },
            3 => EventKind::CallAbandoned { call },
            4 => {
                EventKind::CallDequeued { call, reason: DequeueReason::ALL[usize::from(what) % 6] }
            }
            5 => EventKind::CallTransferred { call, to: (what & 4 == 0).then_some(queue) },
            6 => EventKind::CallEnded {
                call,
                talk_ms: (what & 1 == 1).then_some(u64::from(what) * 7_000),
                hold_ms: u64::from(what >> 5) * 1_000,
            },
            7 => EventKind::AfterCallWorkEnded { agent },
            8 => EventKind::AgentStateChanged { agent, state: state(what) },
            9 => EventKind::AgentJoinedQueue { agent, queue },
            _ => EventKind::AgentLeftQueue { agent, queue },
        };
        Event::new(at, kind)
    })
}

fn state(byte: u8) -> AgentState {
    match byte % 6 {
        0 => AgentState::LoggedOut,
        1 => AgentState::Available,
        2 => AgentState::Reserved,
        3 => AgentState::OnCall,
        4 => AgentState::AfterCallWork,
        _ => AgentState::NotReady(ReasonCode(u16::from(byte >> 3))),
    }
}

/// An interval's or a day's counts within their sets, its ratios in [0, 1] and its times finite
/// and non-negative: what a report may print.
pub fn holds(stats: &IntervalStats) {
    let outcomes = u64::from(stats.answered)
        + u64::from(stats.abandoned)
        + u64::from(stats.dequeued)
        + u64::from(stats.transferred_out);
    assert!(outcomes <= u64::from(stats.offered), "more outcomes than calls: {stats:?}");
    assert!(stats.answered_within_sl <= stats.answered, "{stats:?}");
    assert!(stats.short_abandoned <= stats.abandoned, "{stats:?}");
    assert!(stats.handled <= stats.answered, "{stats:?}");
    let figures = stats.figures();
    let levels = figures.service_level;
    for ratio in [
        levels.answered,
        levels.offered,
        levels.abandons_ignored,
        levels.abandons_positive,
        figures.abandon_rate,
        figures.occupancy,
        figures.utilization,
    ]
    .into_iter()
    .flatten()
    {
        assert!((0.0..=1.0).contains(&ratio), "a ratio out of [0, 1]: {ratio} in {stats:?}");
    }
    for seconds in [
        figures.asa_seconds,
        figures.aht_seconds,
        figures.average_abandon_seconds,
        figures.max_wait_seconds,
    ]
    .into_iter()
    .flatten()
    {
        assert!(seconds.is_finite() && seconds >= 0.0, "a time of {seconds} s in {stats:?}");
    }
}
