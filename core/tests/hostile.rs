//! A hostile caller: seeded random event sequences over small capacities (any kind, id, queue
//! and time: the clock going back, years ahead, past every capacity), every read for periods
//! kept, evicted, never seen and in the future, and checkpoints with bytes mutated and the CRC
//! recomputed. After every call the engine's invariants must hold (`Center::audit`), every
//! refusal must be counted, no entity's history may run backwards, and a read must answer only
//! for a period the center keeps.
//!
//! `PROPTEST_CASES` sets the number of sequences (`scripts/hostile` runs it long).

mod support;

use std::collections::HashMap;

use callboard_core::calendar::{
    LocalDate, MAX_TIMESTAMP, MILLIS_PER_DAY, MILLIS_PER_MINUTE, SiteCalendar, Timestamp,
};
use callboard_core::center::{Attribution, CheckpointError, ReadError};
use callboard_core::event::{AgentId, CallId, QueueId};
use callboard_core::service_level::ServiceLevelThreshold;
use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};
use proptest::prelude::*;
use support::{agent_state, event_kind};

/// Small enough that every capacity is reached: 3 queues, 8 calls, 4 agents, 8 intervals, 3 days.
type Hostile = Center<3, 8, 4, 8, 3>;

const T0: Timestamp = 1_795_420_800_000; // 2026-11-23T08:00:00Z
const YEAR_MS: u64 = 365 * MILLIS_PER_DAY;

fn config(attribution: bool, tolerance: u8, jump: u8) -> CenterConfig {
    CenterConfig {
        attribution: if attribution { Attribution::QueueExit } else { Attribution::QueueEntry },
        reorder_tolerance_ms: [0, 2_000, 60 * MILLIS_PER_MINUTE][usize::from(tolerance % 3)],
        max_clock_jump_ms: [31 * MILLIS_PER_DAY, u64::MAX, 1_000][usize::from(jump % 3)],
        calendar: SiteCalendar::new(
            callboard_core::calendar::UtcOffset::from_minutes(-300).unwrap(),
            callboard_core::calendar::DstRule::UnitedStates,
        )
        .unwrap(),
        ..CenterConfig::DEFAULT
    }
}

fn new_center(config: CenterConfig) -> Hostile {
    let mut center = Hostile::new(config);
    for (i, q) in [0_u32, 1, 2].into_iter().enumerate() {
        let queue = QueueConfig {
            service_level: if i == 1 {
                ServiceLevelThreshold::Rings { rings: 3, cadence_ms: 6_000 }
            } else {
                ServiceLevelThreshold::Seconds(20)
            },
            short_abandon_ms: 5_000 * i as u64,
        };
        center.add_queue(QueueId(q), queue).unwrap();
    }
    center
}

/// A period's figures, `None` where it is refused as not kept; any other refusal of a known
/// queue with a clock fails the test.
fn kept<T>(answer: Result<T, ReadError>) -> Result<Option<T>, TestCaseError> {
    match answer {
        Ok(report) => Ok(Some(report)),
        Err(ReadError::NotKept) => Ok(None),
        Err(error) => Err(TestCaseError::fail(format!("refused as {error:?}, not as not kept"))),
    }
}

/// Any event over small id spaces (queue 3 does not exist), with durations up to absurd.
fn kind() -> impl Strategy<Value = EventKind> {
    event_kind(prop_oneof![4 => 0_u64..600_000, 1 => any::<u64>()])
}

/// Time moves: mostly forward a little, sometimes back, sometimes years ahead or to the end of
/// time.
#[derive(Debug, Clone, Copy)]
enum Step {
    Forward(u64),
    Back(u64),
    Years(u64),
    Absolute(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        20 => (0_u64..120_000).prop_map(Step::Forward),
        3 => (0_u64..4 * 3_600_000).prop_map(Step::Forward),
        3 => (0_u64..10_000).prop_map(Step::Back),
        1 => (0_u64..2 * YEAR_MS).prop_map(Step::Back),
        1 => (1_u64..9_000).prop_map(Step::Years),
        1 => prop_oneof![Just(0), Just(MAX_TIMESTAMP), Just(MAX_TIMESTAMP + 1), Just(u64::MAX), any::<u64>()]
            .prop_map(Step::Absolute),
    ]
}

fn moved(now: Timestamp, step: Step) -> Timestamp {
    match step {
        Step::Forward(ms) => now.saturating_add(ms),
        Step::Back(ms) => now.saturating_sub(ms),
        Step::Years(years) => now.saturating_add(years.saturating_mul(YEAR_MS)),
        Step::Absolute(at) => at,
    }
}

/// The entities an event's history belongs to.
fn entities(kind: &EventKind) -> (Option<CallId>, Option<AgentId>) {
    match *kind {
        // An answer is its call's event; the agent it names is not checked against the agent's
        // own history (a CONNECT reordered after the agent's next state must still count).
        EventKind::CallAnswered { call, .. }
        | EventKind::CallEntered { call, .. }
        | EventKind::CallAbandoned { call }
        | EventKind::CallDequeued { call, .. }
        | EventKind::CallTransferred { call, .. }
        | EventKind::CallEnded { call, .. } => (Some(call), None),
        EventKind::AfterCallWorkEnded { agent }
        | EventKind::AgentStateChanged { agent, .. }
        | EventKind::AgentJoinedQueue { agent, .. }
        | EventKind::AgentLeftQueue { agent, .. } => (None, Some(agent)),
    }
}

/// A read of every queue's figures: each answer must be for a period the center keeps, and its
/// figures must add up.
fn check_reads(center: &Hostile, probe: Timestamp) -> Result<(), TestCaseError> {
    let calendar = center.config().calendar;
    let length = center.config().interval;
    let len = length.millis();
    let in_flight = center.calls().count() as u64;
    for queue in center.queue_ids() {
        let snapshot = center.snapshot(queue);
        // A known queue has a snapshot exactly when the clock is set, and says why when not.
        match center.now() {
            Some(_) => prop_assert!(snapshot.is_ok(), "{:?}", snapshot.err()),
            None => prop_assert_eq!(snapshot.err(), Some(ReadError::NoClock)),
        }
        let Some(now) = center.now() else {
            let start = calendar.interval_start(probe, length);
            prop_assert_eq!(center.interval(queue, start).err(), Some(ReadError::NoClock));
            continue;
        };
        let current = calendar.interval_start(now, length);
        let snapshot = snapshot.unwrap();
        prop_assert!(u64::from(snapshot.waiting) <= in_flight);
        let a = snapshot.agents;
        let by_state = a.available + a.reserved + a.on_call + a.after_call_work + a.not_ready;
        prop_assert_eq!(by_state, a.logged_in());
        let today = calendar.local_date(now);
        for start in [
            current,
            current.saturating_add(len),
            current.saturating_sub(7 * len),
            current.saturating_sub(8 * len),
            current.saturating_sub(YEAR_MS),
            calendar.interval_start(probe.min(MAX_TIMESTAMP), length),
        ] {
            let Some(report) = kept(center.interval(queue, start))? else { continue };
            prop_assert!(start <= current, "an interval after the clock's was answered");
            prop_assert!(start + 8 * len > current, "an interval older than the ring was answered");
            check_figures(&report.stats)?;
        }
        for date in [
            today,
            today.next(),
            today.previous().previous().previous(),
            LocalDate::from_days_since_epoch(today.days_since_epoch() - 365),
            calendar.local_date(probe.min(MAX_TIMESTAMP)),
        ] {
            let Some(report) = kept(center.day(queue, date))? else { continue };
            prop_assert!(date <= today, "a day after today was answered");
            prop_assert!(
                date.days_since_epoch() > today.days_since_epoch() - 3,
                "a day older than the ledger was answered"
            );
            check_figures(&report.stats)?;
        }
        for report in center.intervals(queue) {
            prop_assert!(report.start <= current);
            check_figures(&report.stats)?;
        }
        for report in center.days(queue) {
            prop_assert!(report.date <= today);
            check_figures(&report.stats)?;
        }
    }
    Ok(())
}

/// What any period's figures must satisfy, live calls included.
fn check_figures(s: &callboard_core::interval::IntervalStats) -> Result<(), TestCaseError> {
    let outcomes = u64::from(s.answered)
        + u64::from(s.abandoned)
        + u64::from(s.dequeued)
        + u64::from(s.transferred_out)
        + u64::from(s.waiting);
    prop_assert_eq!(outcomes, u64::from(s.offered), "{:?}", s);
    prop_assert!(s.waiting_past_sl <= s.waiting);
    prop_assert!(s.short_abandoned <= s.abandoned);
    for variant in callboard_core::service_level::ServiceLevelVariant::ALL {
        if let Some(level) = s.service_level(variant) {
            prop_assert!((0.0..=1.0).contains(&level), "{variant:?} = {level}: {s:?}");
        }
    }
    for ratio in [s.abandon_rate(), s.occupancy(), s.utilization()].into_iter().flatten() {
        prop_assert!((0.0..=1.0).contains(&ratio), "{ratio}: {s:?}");
    }
    if let (Some(asa), Some(longest)) = (s.asa_seconds(), s.max_wait_seconds()) {
        prop_assert!(asa <= longest + 1e-9, "ASA {asa} above the longest wait {longest}");
    }
    Ok(())
}

/// What the caller does next: a sensible event for the center's state (most of the time, so
/// that sequences go deep: calls answered, ended, wrapped up; agents working), or the raw
/// event, whatever it says.
#[derive(Debug, Clone, Copy)]
struct Plan {
    sensible: bool,
    choice: u8,
    pick: u16,
    duration: u64,
}

fn plan() -> impl Strategy<Value = Plan> {
    (proptest::bool::weighted(0.7), any::<u8>(), any::<u16>(), 0_u64..400_000)
        .prop_map(|(sensible, choice, pick, duration)| Plan { sensible, choice, pick, duration })
}

/// The sensible event `plan` makes of the center's state, or `raw`.
fn choose(center: &Hostile, now: Timestamp, plan: Plan, raw: EventKind) -> EventKind {
    if !plan.sensible {
        return raw;
    }
    let calls: Vec<_> = center.calls().collect();
    let nth = |n: usize| usize::from(plan.pick) % n.max(1);
    let waiting: Vec<_> =
        calls.iter().filter(|c| c.status == callboard_core::center::CallStatus::Waiting).collect();
    let connected: Vec<_> = calls
        .iter()
        .filter_map(|c| match c.status {
            callboard_core::center::CallStatus::Connected { answered_at, .. } => {
                Some((c.call, answered_at))
            }
            _ => None,
        })
        .collect();
    let agent = AgentId(u32::from(plan.pick % 6));
    let fresh = CallId(u64::from(plan.pick % 12));
    let queue = QueueId(u32::from(plan.choice % 3));
    match plan.choice % 9 {
        0 | 1 => EventKind::CallEntered { call: fresh, queue, priority: plan.choice / 9 },
        2 if !waiting.is_empty() => {
            EventKind::CallAnswered { call: waiting[nth(waiting.len())].call, agent: Some(agent) }
        }
        3 if !waiting.is_empty() => {
            EventKind::CallAbandoned { call: waiting[nth(waiting.len())].call }
        }
        4 if !waiting.is_empty() => EventKind::CallTransferred {
            call: waiting[nth(waiting.len())].call,
            to: plan.choice.is_multiple_of(2).then_some(queue),
        },
        5 if !connected.is_empty() => {
            let (call, answered_at) = connected[nth(connected.len())];
            let talk = plan.duration.min(now.saturating_sub(answered_at));
            EventKind::CallEnded { call, talk_ms: Some(talk / 2), hold_ms: talk / 3 }
        }
        6 => EventKind::AgentStateChanged { agent, state: agent_state(plan.choice / 9) },
        7 => EventKind::AgentJoinedQueue { agent, queue },
        8 => EventKind::AfterCallWorkEnded { agent },
        _ => raw,
    }
}

/// Plays `script` into a fresh center, checking everything after every call.
fn play(config: CenterConfig, script: &[Move]) -> Result<Hostile, TestCaseError> {
    let mut center = new_center(config);
    let mut now = T0;
    let mut last_seen: HashMap<(bool, u64), Timestamp> = HashMap::new();
    let mut calls_made: u64 = 0;
    for &(step, raw, plan, advance) in script {
        now = moved(now, step);
        let kind = choose(&center, now, plan, raw);
        let before = center.now();
        if advance {
            let moved_to = center.advance_to(now);
            if moved_to.is_err() {
                prop_assert_eq!(center.now(), before, "a refused advance moved the clock");
            }
        } else {
            calls_made += 1;
            let at = now;
            if center.apply(&Event::new(at, kind)).is_ok() {
                let (call, agent) = entities(&kind);
                for key in [call.map(|c| (false, c.0)), agent.map(|a| (true, u64::from(a.0)))]
                    .into_iter()
                    .flatten()
                {
                    let previous = last_seen.insert(key, at);
                    prop_assert!(
                        previous.is_none_or(|p| p <= at),
                        "{kind:?} at {at} accepted before the entity's event at {previous:?}"
                    );
                }
            }
        }
        if let Err(broken) = center.audit() {
            return Err(TestCaseError::fail(format!("after {kind:?} at {now}: {broken}")));
        }
        let d = center.diagnostics();
        prop_assert_eq!(d.applied + u64::from(d.rejected.total()), calls_made);
        check_reads(&center, now)?;
    }
    Ok(center)
}

/// One call: how time moves, the raw event, the plan, and whether it is an advance of the
/// clock instead of an event.
type Move = (Step, EventKind, Plan, bool);

fn script() -> impl Strategy<Value = Vec<Move>> {
    proptest::collection::vec((step(), kind(), plan(), proptest::bool::weighted(0.05)), 1..300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any sequence, any configuration: invariants after every call.
    #[test]
    fn hostile_sequences_keep_every_invariant(
        attribution in any::<bool>(),
        tolerance in any::<u8>(),
        jump in any::<u8>(),
        script in script(),
    ) {
        play(config(attribution, tolerance, jump), &script)?;
    }

    /// Checkpoints with one to three bytes changed and the CRC recomputed: refused without
    /// touching the center, or accepted as a state that keeps every invariant and checkpoints
    /// back to the same bytes.
    #[test]
    fn mutated_checkpoints_are_refused_or_consistent(
        attribution in any::<bool>(),
        tolerance in any::<u8>(),
        script in script(),
        mutations in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let config = config(attribution, tolerance, 0);
        let source = play(config, &script)?;
        let mut bytes = vec![0; source.checkpoint_len().unwrap()];
        let len = source.checkpoint(&mut bytes).unwrap();
        bytes.truncate(len);
        let body_end = len - 4;
        for (index, value) in mutations {
            // Past the magic and version, within the CRC-covered body.
            let at = 6 + index.index(body_end - 6);
            bytes[at] = value;
        }
        let crc = support::crc32(&bytes[..body_end]).to_le_bytes();
        bytes[body_end..].copy_from_slice(&crc);

        let mut target = new_center(config);
        target.apply(&Event::new(T0, EventKind::CallEntered {
            call: CallId(99), queue: QueueId(0), priority: 0,
        })).unwrap();
        let mut before = vec![0; target.checkpoint_len().unwrap()];
        let before_len = target.checkpoint(&mut before).unwrap();
        before.truncate(before_len);
        match target.restore(&bytes) {
            Ok(()) => {
                if let Err(broken) = target.audit() {
                    return Err(TestCaseError::fail(format!("restored: {broken}")));
                }
                let mut again = vec![0; target.checkpoint_len().unwrap()];
                let again_len = target.checkpoint(&mut again).unwrap();
                again.truncate(again_len);
                prop_assert_eq!(&again, &bytes, "a restored center checkpoints to other bytes");
                check_reads(&target, T0)?;
            }
            Err(error) => {
                prop_assert!(!matches!(error, CheckpointError::BufferTooSmall));
                let mut after = vec![0; target.checkpoint_len().unwrap()];
                let after_len = target.checkpoint(&mut after).unwrap();
                after.truncate(after_len);
                prop_assert_eq!(after, before, "a refused checkpoint changed the center");
            }
        }
    }
}
