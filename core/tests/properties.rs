//! Property tests: invariants that hold for any sequence of events, valid or not.

mod support;

use callboard_core::calendar::{MILLIS_PER_HOUR, Timestamp};
use callboard_core::center::Attribution;
use callboard_core::event::{CallId, DequeueReason, QueueId};
use callboard_core::interval::{IntervalReport, IntervalStats};
use callboard_core::service_level::{ServiceLevelThreshold, ServiceLevelVariant};
use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};
use proptest::prelude::*;
use support::event_kind;

/// Large enough that nothing is evicted over the generated spans (at most ~40 hours).
type TestCenter = Center<4, 64, 8, 256, 8>;

const T0: Timestamp = 1_795_420_800_000;
const QUEUES: [QueueId; 3] = [QueueId(0), QueueId(1), QueueId(2)];

fn new_center(attribution: Attribution) -> TestCenter {
    let config = CenterConfig { attribution, ..CenterConfig::default() };
    let mut c = TestCenter::new(config);
    for (i, q) in QUEUES.into_iter().enumerate() {
        let queue = QueueConfig {
            service_level: ServiceLevelThreshold::Seconds(10 + 10 * i as u32),
            short_abandon_ms: 2_000 * i as u64,
        };
        c.add_queue(q, queue).unwrap();
    }
    c
}

/// One event kind over small id spaces, so that many generated events refer to each other,
/// with talk and hold times up to two minutes.
fn kind() -> impl Strategy<Value = EventKind> {
    event_kind(0_u64..120_000)
}

/// Events with mostly increasing times: steps of up to two minutes, the odd jump of hours,
/// and jitter of up to three seconds backwards (some within the 2 s tolerance, some not).
fn events(max: usize) -> impl Strategy<Value = Vec<Event>> {
    let step = prop_oneof![
        20 => 0u64..120_000,
        1 => 0u64..(3 * MILLIS_PER_HOUR),
    ];
    let jitter = prop_oneof![4 => Just(0u64), 1 => 0u64..3_000];
    proptest::collection::vec((step, jitter, kind()), 1..max).prop_map(|steps| {
        let mut t = T0;
        steps
            .into_iter()
            .map(|(dt, jitter, kind)| {
                t += dt;
                Event::new(t - jitter, kind)
            })
            .collect()
    })
}

fn in_unit(x: Option<f64>) -> bool {
    x.is_none_or(|x| (0.0..=1.0).contains(&x))
}

fn check_stats(s: &IntervalStats, what: &str) {
    let outcomes = s.answered + s.abandoned + s.dequeued + s.transferred_out + s.waiting;
    assert_eq!(s.offered, outcomes, "conservation in {what}: {s:?}");
    assert!(s.short_abandoned <= s.abandoned, "{what}");
    assert!(s.abandoned_within_sl <= s.net_abandoned(), "{what}");
    assert!(s.answered_within_sl <= s.answered, "{what}");
    assert!(s.waiting_past_sl <= s.waiting, "{what}");
    assert!(s.handled <= s.answered, "{what}");
    assert_eq!(s.answered_waits.total(), s.answered, "{what}");
    assert_eq!(s.abandoned_waits.total(), s.abandoned, "{what}");
    for v in ServiceLevelVariant::ALL {
        assert!(in_unit(s.service_level(v)), "{v:?} in {what}: {s:?}");
    }
    assert!(in_unit(s.abandon_rate()), "{what}");
    assert!(in_unit(s.occupancy()), "{what}");
    assert!(in_unit(s.utilization()), "{what}");
}

fn check_invariants(c: &TestCenter) {
    for q in QUEUES {
        let intervals: Vec<IntervalReport> = c.intervals(q).collect();
        for r in &intervals {
            check_stats(&r.stats, "an interval");
        }
        for day in c.days(q) {
            check_stats(&day.stats, "a day");
            let mut sum = IntervalStats::default();
            for r in intervals.iter().filter(|r| r.start >= day.start && r.start < day.end) {
                sum.merge(&r.stats);
            }
            assert_eq!(sum, day.stats, "day {} of {q:?} is not the sum of its intervals", day.date);
        }
        if let Ok(snap) = c.snapshot(q) {
            check_stats(&snap.current_interval.stats, "the current interval");
            assert!(snap.waiting >= snap.current_interval.stats.waiting);
        }
    }
    let d = c.diagnostics();
    assert_eq!((d.intervals_evicted, d.late_updates, d.days_evicted), (0, 0, 0));
}

/// Everything observable, for comparing two centers.
fn figures(c: &TestCenter) -> Vec<String> {
    let mut out = Vec::new();
    for q in QUEUES {
        out.push(format!("{:?}", c.intervals(q).collect::<Vec<_>>()));
        out.push(format!("{:?}", c.days(q).collect::<Vec<_>>()));
        out.push(format!("{:?}", c.snapshot(q)));
    }
    let mut calls: Vec<String> = c.calls().map(|v| format!("{v:?}")).collect();
    calls.sort();
    out.extend(calls);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_any_events(events in events(300), exit in any::<bool>()) {
        let mut c = new_center(if exit { Attribution::QueueExit } else { Attribution::QueueEntry });
        let mut accepted = 0;
        for e in &events {
            if c.apply(e).is_ok() {
                accepted += 1;
            }
        }
        let d = c.diagnostics();
        prop_assert_eq!(d.applied, accepted);
        prop_assert_eq!(u64::from(d.rejected.total()) + d.applied, events.len() as u64);
        check_invariants(&c);
    }

    /// Feeding in chunks, reading the board and taking every settled interval out after each
    /// chunk, gives the same figures as feeding everything at once.
    #[test]
    fn chunking_and_archiving_change_nothing(
        events in events(200),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut whole = new_center(Attribution::QueueEntry);
        for e in &events {
            let _ = whole.apply(e);
        }
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(events.len() + 1)).collect();
        cuts.push(events.len());
        cuts.sort_unstable();
        let mut chunked = new_center(Attribution::QueueEntry);
        let mut archive: Vec<(QueueId, IntervalReport)> = Vec::new();
        let mut from = 0;
        for to in cuts {
            for e in &events[from..to] {
                let _ = chunked.apply(e);
            }
            for q in QUEUES {
                let _ = chunked.snapshot(q);
            }
            while let Some(settled) = chunked.pop_settled_interval() {
                archive.push(settled);
            }
            from = to;
        }
        // Both read at the same instant, a little after the last event.
        let end = events.iter().map(|e| e.at).max().unwrap_or(T0) + 60_000;
        whole.advance_to(end).unwrap();
        chunked.advance_to(end).unwrap();
        while let Some(settled) = chunked.pop_settled_interval() {
            archive.push(settled);
        }
        prop_assert_eq!(whole.diagnostics().applied, chunked.diagnostics().applied);
        prop_assert_eq!(whole.diagnostics().rejected, chunked.diagnostics().rejected);
        for q in QUEUES {
            let mut rebuilt: Vec<IntervalReport> =
                archive.iter().filter(|(id, _)| *id == q).map(|(_, r)| *r).collect();
            rebuilt.extend(chunked.intervals(q));
            let expected: Vec<IntervalReport> = whole.intervals(q).collect();
            prop_assert_eq!(rebuilt, expected);
            prop_assert_eq!(
                chunked.days(q).collect::<Vec<_>>(),
                whole.days(q).collect::<Vec<_>>()
            );
            prop_assert_eq!(chunked.snapshot(q), whole.snapshot(q));
        }
    }

    /// A center with a short interval ring and few days, fed events whose clock jumps by
    /// hours, keeps for every interval and day it still holds exactly the figures of a center
    /// that evicts nothing; what it could not keep it counts, never shows wrong. (The ring's
    /// eviction on a jump, late events before its front, agent time before its horizon.)
    #[test]
    fn a_short_ring_keeps_what_it_holds_right(events in events(300), exit in any::<bool>()) {
        type ShortCenter = Center<4, 64, 8, 8, 2>;
        let attribution = if exit { Attribution::QueueExit } else { Attribution::QueueEntry };
        let mut long = new_center(attribution);
        let mut short = ShortCenter::new(CenterConfig { attribution, ..CenterConfig::default() });
        for (i, q) in QUEUES.into_iter().enumerate() {
            let queue = QueueConfig {
                service_level: ServiceLevelThreshold::Seconds(10 + 10 * i as u32),
                short_abandon_ms: 2_000 * i as u64,
            };
            short.add_queue(q, queue).unwrap();
        }
        for e in &events {
            prop_assert_eq!(long.apply(e), short.apply(e), "{:?}", e);
        }
        let end = events.iter().map(|e| e.at).max().unwrap_or(T0) + 60_000;
        long.advance_to(end).unwrap();
        short.advance_to(end).unwrap();
        for q in QUEUES {
            let kept: Vec<IntervalReport> = long.intervals(q).collect();
            let held: Vec<IntervalReport> = short.intervals(q).collect();
            prop_assert!(held.len() <= 8);
            for interval in &held {
                let same = kept.iter().find(|k| k.start == interval.start);
                prop_assert_eq!(Some(interval), same, "interval at {}", interval.start);
            }
            let days: Vec<_> = long.days(q).collect();
            for day in short.days(q) {
                prop_assert_eq!(Some(&day), days.iter().find(|d| d.date == day.date));
            }
            prop_assert_eq!(short.snapshot(q), long.snapshot(q));
            // Whatever was lost is counted.
            let lost = kept.iter().filter(|k| !held.iter().any(|h| h.start == k.start)).count();
            if lost > 0 && kept.iter().any(|k| k.stats != IntervalStats::default()) {
                // Dropped from the ring, or never made because the agents' time that would
                // have filled it fell before the ring's horizon (a late update).
                let said = short.diagnostics().intervals_evicted > 0
                    || short.diagnostics().late_updates > 0;
                prop_assert!(said || held.is_empty());
            }
        }
    }

    /// Swapping neighbouring events of different calls that are within the reorder tolerance of
    /// each other is invisible.
    #[test]
    fn reordering_within_tolerance_is_invisible(
        steps in proptest::collection::vec((0u64..4_000, 0u64..8, 0u8..4, 0u32..3), 1..150),
        swaps in proptest::collection::vec(any::<bool>(), 150),
    ) {
        // Independent calls, no agents: enter; then answer (and end), abandon or dequeue.
        #[derive(Clone, Copy, PartialEq)]
        enum Phase { Idle, Waiting, Connected }
        let mut t = T0;
        let mut events = Vec::new();
        let mut phase = [Phase::Idle; 8];
        for (dt, call, action, queue) in steps {
            t += dt;
            let id = CallId(call);
            let slot = &mut phase[call as usize];
            let kind = match (*slot, action) {
                (Phase::Idle, _) => {
                    *slot = Phase::Waiting;
                    EventKind::CallEntered { call: id, queue: QueueId(queue), priority: 0 }
                }
                (Phase::Waiting, 0 | 1) => {
                    *slot = Phase::Connected;
                    EventKind::CallAnswered { call: id, agent: None }
                }
                (Phase::Waiting, 2) => {
                    *slot = Phase::Idle;
                    EventKind::CallAbandoned { call: id }
                }
                (Phase::Waiting, _) => {
                    *slot = Phase::Idle;
                    EventKind::CallDequeued { call: id, reason: DequeueReason::Timeout }
                }
                (Phase::Connected, _) => {
                    *slot = Phase::Idle;
                    EventKind::CallEnded { call: id, talk_ms: Some(0), hold_ms: 0 }
                }
            };
            events.push(Event::new(t, kind));
        }
        let call_of = |e: &Event| match e.kind {
            EventKind::CallEntered { call, .. }
            | EventKind::CallAnswered { call, .. }
            | EventKind::CallAbandoned { call }
            | EventKind::CallDequeued { call, .. }
            | EventKind::CallEnded { call, .. } => call,
            _ => CallId(u64::MAX),
        };
        let mut shuffled = events.clone();
        let mut i = 0;
        while i + 1 < shuffled.len() {
            let (a, b) = (shuffled[i], shuffled[i + 1]);
            if swaps[i % swaps.len()] && call_of(&a) != call_of(&b) && b.at - a.at <= 2_000 {
                shuffled.swap(i, i + 1);
                i += 2;
            } else {
                i += 1;
            }
        }
        let mut x = new_center(Attribution::QueueEntry);
        let mut y = new_center(Attribution::QueueEntry);
        for e in &events {
            x.apply(e).unwrap();
        }
        for e in &shuffled {
            y.apply(e).unwrap();
        }
        prop_assert_eq!(figures(&x), figures(&y));
    }

    /// Arbitrary events (any timestamp, any ids) never panic and never break an invariant.
    #[test]
    fn arbitrary_input_never_panics(
        raw in proptest::collection::vec((any::<u64>(), kind(), any::<bool>()), 1..200),
    ) {
        let mut c = new_center(Attribution::QueueEntry);
        for (at, kind, near) in raw {
            // Half the events near the clock so that some are accepted.
            let at = if near { T0 + at % (4 * MILLIS_PER_HOUR) } else { at };
            let _ = c.apply(&Event::new(at, kind));
            let _ = c.advance_to(at);
        }
        for q in QUEUES {
            for r in c.intervals(q) {
                check_stats(&r.stats, "an interval");
            }
            let _ = c.snapshot(q);
        }
        while c.pop_settled_interval().is_some() {}
    }
}
