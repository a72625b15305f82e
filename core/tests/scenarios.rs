//! Hand-worked scenarios through the public API: each one a situation a contact center meets,
//! with the figures worked out by hand in the comments.

use callboard_core::calendar::{
    DstRule, IntervalLength, LocalDate, MILLIS_PER_HOUR, MILLIS_PER_MINUTE, SiteCalendar,
    Timestamp, UtcOffset,
};
use callboard_core::center::{Attribution, CallStatus, EventError, ReadError};
use callboard_core::csat::{CsatValue, SurveyResponse};
use callboard_core::event::{AgentId, AgentState, CallId, DequeueReason, QueueId, ReasonCode};
use callboard_core::interval::IntervalStats;
use callboard_core::service_level::{
    NORTH_AMERICAN_RING_CADENCE_MS, ServiceLevelThreshold, ServiceLevelVariant,
};
use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};

type TestCenter = Center<4, 64, 16, 128, 8>;

/// 2026-11-23T08:00:00Z, a Monday.
const T0: Timestamp = 1_795_420_800_000;
const A: QueueId = QueueId(1);
const B: QueueId = QueueId(2);

fn s(seconds: u64) -> u64 {
    seconds * 1000
}

fn center_with(config: CenterConfig, queue: QueueConfig) -> TestCenter {
    let mut c = TestCenter::new(config);
    c.add_queue(A, queue).unwrap();
    c.add_queue(B, queue).unwrap();
    c
}

fn center() -> TestCenter {
    center_with(CenterConfig::default(), QueueConfig::default())
}

fn apply(c: &mut TestCenter, at: Timestamp, kind: EventKind) {
    c.apply(&Event::new(at, kind)).unwrap_or_else(|e| panic!("{kind:?} at {at}: {e}"));
}

fn enter(c: &mut TestCenter, at: Timestamp, call: u64, queue: QueueId) {
    apply(c, at, EventKind::CallEntered { call: CallId(call), queue, priority: 0 });
}

fn answer(c: &mut TestCenter, at: Timestamp, call: u64, agent: Option<u32>) {
    apply(c, at, EventKind::CallAnswered { call: CallId(call), agent: agent.map(AgentId) });
}

fn abandon(c: &mut TestCenter, at: Timestamp, call: u64) {
    apply(c, at, EventKind::CallAbandoned { call: CallId(call) });
}

fn agent_state(c: &mut TestCenter, at: Timestamp, agent: u32, state: AgentState) {
    apply(c, at, EventKind::AgentStateChanged { agent: AgentId(agent), state });
}

fn interval(c: &TestCenter, queue: QueueId, start: Timestamp) -> IntervalStats {
    c.interval(queue, start).expect("interval kept").stats
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

/// Cisco's published example driven through the engine: 100 calls offered in one interval, 70
/// answered within the 20 s threshold, 20 answered late, 10 abandoned within the threshold.
#[test]
fn cisco_example_through_the_engine() {
    let mut c = center();
    let mut events = Vec::new();
    for i in 0..100u64 {
        let entered = T0 + s(5 * i);
        events.push(Event::new(
            entered,
            EventKind::CallEntered { call: CallId(i), queue: A, priority: 0 },
        ));
        let (after, kind) = match i {
            0..70 => (s(10), EventKind::CallAnswered { call: CallId(i), agent: None }),
            70..90 => (s(30), EventKind::CallAnswered { call: CallId(i), agent: None }),
            _ => (s(15), EventKind::CallAbandoned { call: CallId(i) }),
        };
        events.push(Event::new(entered + after, kind));
        if i < 90 {
            let end = EventKind::CallEnded { call: CallId(i), talk_ms: Some(s(100)), hold_ms: 0 };
            events.push(Event::new(entered + after + s(100), end));
        }
    }
    events.sort_by_key(|e| e.at);
    for e in &events {
        c.apply(e).unwrap();
    }
    let st = interval(&c, A, T0);
    assert_eq!((st.offered, st.answered, st.answered_within_sl), (100, 90, 70));
    assert_eq!((st.abandoned, st.abandoned_within_sl, st.waiting), (10, 10, 0));
    let sl = st.service_levels();
    assert_eq!(format!("{:.1}", 100.0 * sl.abandons_ignored.unwrap()), "77.8");
    assert!(close(sl.offered, 0.70));
    assert!(close(sl.abandons_positive, 0.80));
    assert!(close(sl.answered, 70.0 / 90.0));
    // ASA: (70 × 10 + 20 × 30) / 90 = 1300 / 90.
    assert!(close(st.asa_seconds(), 1300.0 / 90.0));
    assert_eq!(st.max_wait_ms, Some(s(30)));
}

#[test]
fn a_call_counts_as_missed_the_moment_it_crosses_t() {
    let mut c = center();
    enter(&mut c, T0, 1, A);
    c.advance_to(T0 + s(20)).unwrap();
    let now = c.snapshot(A).unwrap();
    assert_eq!(now.waiting, 1);
    assert_eq!(now.current_interval.stats.waiting_past_sl, 0);
    for v in ServiceLevelVariant::ALL {
        assert_eq!(now.current_interval.stats.service_level(v), None, "undecided at exactly T");
    }
    c.advance_to(T0 + s(20) + 1).unwrap();
    let now = c.snapshot(A).unwrap();
    assert_eq!(now.current_interval.stats.waiting_past_sl, 1);
    assert_eq!(now.today_stats.stats.waiting_past_sl, 1);
    for v in ServiceLevelVariant::ALL {
        assert_eq!(now.current_interval.stats.service_level(v), Some(0.0), "{v:?}");
    }
    answer(&mut c, T0 + s(25), 1, None);
    let st = interval(&c, A, T0);
    assert_eq!((st.answered, st.answered_within_sl, st.waiting, st.waiting_past_sl), (1, 0, 0, 0));
    assert_eq!(st.service_level(ServiceLevelVariant::Answered), Some(0.0));
}

#[test]
fn third_ring_threshold_is_inclusive() {
    let third_ring = QueueConfig {
        service_level: ServiceLevelThreshold::Rings {
            rings: 3,
            cadence_ms: NORTH_AMERICAN_RING_CADENCE_MS,
        },
        short_abandon_ms: 0,
    };
    let mut c = center_with(CenterConfig::default(), third_ring);
    enter(&mut c, T0, 1, A);
    enter(&mut c, T0, 2, A);
    answer(&mut c, T0 + s(18), 1, None);
    answer(&mut c, T0 + s(18) + 1, 2, None);
    let st = interval(&c, A, T0);
    assert_eq!((st.answered, st.answered_within_sl), (2, 1));
    assert_eq!(c.snapshot(A).unwrap().service_level_threshold_ms, 18_000);
}

#[test]
fn short_abandons_leave_every_net_figure() {
    let config =
        QueueConfig { service_level: ServiceLevelThreshold::Seconds(20), short_abandon_ms: 5_000 };
    let mut c = center_with(CenterConfig::default(), config);
    for call in 1..=4 {
        enter(&mut c, T0, call, A);
    }
    abandon(&mut c, T0 + 4_999, 1); // short
    abandon(&mut c, T0 + s(5), 2); // not short, within SL
    answer(&mut c, T0 + s(10), 3, None);
    abandon(&mut c, T0 + s(25), 4); // not within SL
    let st = interval(&c, A, T0);
    assert_eq!(
        (st.offered, st.abandoned, st.short_abandoned, st.abandoned_within_sl),
        (4, 3, 1, 1)
    );
    assert_eq!((st.net_offered(), st.net_abandoned()), (3, 2));
    assert!(close(st.abandon_rate(), 2.0 / 3.0));
    // Offered variant: 1 / (1 answered + 2 net abandoned); positive: (1 + 1) / 3.
    assert!(close(st.service_level(ServiceLevelVariant::Offered), 1.0 / 3.0));
    assert!(close(st.service_level(ServiceLevelVariant::AbandonsPositive), 2.0 / 3.0));
    assert!(close(st.service_level(ServiceLevelVariant::AbandonsIgnored), 1.0 / 2.0));
    assert!(close(st.service_level(ServiceLevelVariant::Answered), 1.0));
    // Average abandon time covers every abandon: (4.999 + 5 + 25) / 3.
    assert!(close(st.average_abandon_seconds(), 34.999 / 3.0));
}

#[test]
fn dequeued_calls_are_never_abandons() {
    let mut c = center();
    let reasons = [
        DequeueReason::Timeout,
        DequeueReason::NoAgents,
        DequeueReason::CallerOption,
        DequeueReason::Timeout,
    ];
    for call in 0..reasons.len() as u64 {
        enter(&mut c, T0, call, A);
    }
    enter(&mut c, T0, 9, A);
    for (i, reason) in reasons.into_iter().enumerate() {
        apply(&mut c, T0 + s(30), EventKind::CallDequeued { call: CallId(i as u64), reason });
    }
    answer(&mut c, T0 + s(31), 9, None);
    let st = interval(&c, A, T0);
    assert_eq!((st.offered, st.answered, st.abandoned, st.dequeued), (5, 1, 0, 4));
    assert_eq!(st.dequeued_by_reason.timeout, 2);
    assert_eq!(st.dequeued_by_reason.no_agents, 1);
    assert_eq!(st.dequeued_by_reason.caller_option, 1);
    // The answered call waited 31 s: nothing met the threshold.
    assert_eq!(st.service_level(ServiceLevelVariant::Offered), Some(0.0));
    assert_eq!(st.service_level(ServiceLevelVariant::Answered), Some(0.0));
    assert_eq!(st.abandon_rate(), Some(0.0));
}

#[test]
fn transfer_moves_a_waiting_call_and_restarts_its_queue_wait() {
    let mut c = center();
    enter(&mut c, T0, 1, A);
    apply(&mut c, T0 + s(30), EventKind::CallTransferred { call: CallId(1), to: Some(B) });
    answer(&mut c, T0 + s(40), 1, None);
    let a = interval(&c, A, T0);
    assert_eq!((a.offered, a.transferred_out, a.answered, a.waiting), (1, 1, 0, 0));
    assert_eq!(a.max_wait_ms, Some(s(30)));
    let b = interval(&c, B, T0);
    assert_eq!((b.offered, b.answered, b.answered_within_sl), (1, 1, 1));
    assert!(close(b.asa_seconds(), 10.0));
    // Overflow out of the tracked queues.
    enter(&mut c, T0 + s(50), 2, A);
    apply(&mut c, T0 + s(60), EventKind::CallTransferred { call: CallId(2), to: None });
    assert_eq!(interval(&c, A, T0).transferred_out, 2);
    assert_eq!(c.calls().filter(|v| v.call == CallId(2)).count(), 0);
}

/// One agent's quarter hour: available, a five-minute call, 30 s of wrap-up, available again.
#[test]
fn handle_time_after_call_work_and_occupancy() {
    let mut c = center();
    apply(&mut c, T0, EventKind::AgentJoinedQueue { agent: AgentId(7), queue: A });
    agent_state(&mut c, T0, 7, AgentState::Available);
    enter(&mut c, T0 + s(60), 1, A);
    answer(&mut c, T0 + s(70), 1, Some(7));
    agent_state(&mut c, T0 + s(70), 7, AgentState::OnCall);
    apply(
        &mut c,
        T0 + s(370),
        EventKind::CallEnded { call: CallId(1), talk_ms: Some(s(280)), hold_ms: s(20) },
    );
    // The call has left the center (its id is free); the agent owes its after-call work.
    assert_eq!(c.calls().count(), 0);
    agent_state(&mut c, T0 + s(370), 7, AgentState::AfterCallWork);
    apply(&mut c, T0 + s(400), EventKind::AfterCallWorkEnded { agent: AgentId(7) });
    c.advance_to(T0 + s(900) + s(2)).unwrap();
    let st = interval(&c, A, T0);
    assert_eq!(
        (st.handled, st.talk_ms, st.hold_ms, st.after_call_work_ms),
        (1, s(280), s(20), s(30))
    );
    assert!(close(st.aht_seconds(), 330.0));
    let t = st.agent_time;
    assert_eq!((t.available_ms, t.on_call_ms, t.after_call_work_ms), (s(570), s(300), s(30)));
    assert!(close(st.occupancy(), 330.0 / 900.0));
    assert!(close(st.utilization(), 330.0 / 900.0));
    // The next interval holds the two seconds since the boundary, live.
    let next = interval(&c, A, T0 + s(900));
    assert_eq!(next.agent_time.available_ms, s(2));
}

#[test]
fn agent_time_is_split_at_interval_boundaries_and_counted_per_queue() {
    let mut c = center();
    for q in [A, B] {
        apply(&mut c, T0 + s(600), EventKind::AgentJoinedQueue { agent: AgentId(1), queue: q });
    }
    agent_state(&mut c, T0 + s(600), 1, AgentState::NotReady(ReasonCode(3)));
    agent_state(&mut c, T0 + s(1200), 1, AgentState::Available);
    c.advance_to(T0 + s(1800) + s(2)).unwrap();
    for q in [A, B] {
        assert_eq!(interval(&c, q, T0).agent_time.not_ready_ms, s(300));
        let second = interval(&c, q, T0 + s(900));
        assert_eq!(
            (second.agent_time.not_ready_ms, second.agent_time.available_ms),
            (s(300), s(600))
        );
        assert_eq!(second.occupancy(), Some(0.0));
        assert!(close(second.utilization(), 0.0));
    }
    apply(&mut c, T0 + s(1800) + s(3), EventKind::AgentLeftQueue { agent: AgentId(1), queue: B });
    // Leaving a queue is not a change of state.
    let view = c.agent(AgentId(1)).unwrap();
    assert_eq!((view.state, view.state_since), (AgentState::Available, T0 + s(1200)));
    let snap = c.snapshot(B).unwrap();
    assert_eq!(snap.agents.logged_in(), 0);
    assert_eq!(c.snapshot(A).unwrap().agents.available, 1);
}

#[test]
fn attribution_by_queue_entry_or_exit() {
    let entered = T0 + s(14 * 60 + 50); // 08:14:50
    for (attribution, counted_in) in
        [(Attribution::QueueEntry, T0), (Attribution::QueueExit, T0 + s(900))]
    {
        let config = CenterConfig { attribution, ..CenterConfig::default() };
        let mut c = center_with(config, QueueConfig::default());
        enter(&mut c, entered, 1, A);
        if attribution == Attribution::QueueExit {
            // Still waiting: it is live in the interval of now.
            let live = c.snapshot(A).unwrap().current_interval;
            assert_eq!((live.start, live.stats.offered, live.stats.waiting), (T0, 1, 1));
        }
        answer(&mut c, entered + s(20), 1, None);
        let other = if counted_in == T0 { T0 + s(900) } else { T0 };
        assert_eq!(interval(&c, A, counted_in).answered, 1, "{attribution:?}");
        assert_eq!(interval(&c, A, counted_in).offered, 1, "{attribution:?}");
        assert_eq!(c.interval(A, other).map_or(0, |r| r.stats.offered), 0, "{attribution:?}");
    }
}

#[test]
fn interval_lengths() {
    for (length, start) in [
        (IntervalLength::Minutes15, T0 + s(45 * 60)),
        (IntervalLength::Minutes30, T0 + s(30 * 60)),
        (IntervalLength::Minutes60, T0),
    ] {
        let config = CenterConfig { interval: length, ..CenterConfig::default() };
        let mut c = center_with(config, QueueConfig::default());
        enter(&mut c, T0 + s(50 * 60), 1, A);
        let current = c.snapshot(A).unwrap().current_interval;
        assert_eq!((current.start, current.end - current.start), (start, length.millis()));
        assert_eq!(c.interval(A, start + 1).err(), Some(ReadError::NotKept), "not a boundary");
    }
}

#[test]
fn the_day_rolls_over_at_local_midnight() {
    // US Eastern in November: UTC-5. Local midnight of the 24th is 05:00Z.
    let calendar =
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::UnitedStates).unwrap();
    let config = CenterConfig { calendar, ..CenterConfig::default() };
    let mut c = center_with(config, QueueConfig::default());
    let midnight = T0 - 8 * MILLIS_PER_HOUR + 29 * MILLIS_PER_HOUR; // 2026-11-24T05:00Z
    enter(&mut c, midnight - 1, 1, A);
    enter(&mut c, midnight, 2, A);
    let mon = LocalDate::new(2026, 11, 23).unwrap();
    let tue = LocalDate::new(2026, 11, 24).unwrap();
    assert_eq!(c.day(A, mon).unwrap().stats.offered, 1);
    assert_eq!(c.day(A, tue).unwrap().stats.offered, 1);
    assert_eq!(c.day(A, tue).unwrap().start, midnight);
    assert_eq!(c.snapshot(A).unwrap().today, tue);
}

#[test]
fn a_spring_forward_day_has_23_hours_of_intervals() {
    let calendar =
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::UnitedStates).unwrap();
    let config =
        CenterConfig { calendar, interval: IntervalLength::Minutes60, ..CenterConfig::default() };
    let mut c = center_with(config, QueueConfig::default());
    let day = LocalDate::new(2026, 3, 8).unwrap();
    let start = calendar.day_start(day);
    // A call at the start of every hour of the local day.
    let mut t = start;
    let mut call = 0;
    while t < calendar.day_end(day) {
        enter(&mut c, t, call, A);
        abandon(&mut c, t + 1, call);
        call += 1;
        t += MILLIS_PER_HOUR;
    }
    assert_eq!(call, 23);
    let report = c.day(A, day).unwrap();
    assert_eq!(report.end - report.start, 23 * MILLIS_PER_HOUR);
    assert_eq!(report.stats.offered, 23);
    // 01:00 EST is followed directly by 03:00 EDT.
    let hours: Vec<u8> = c.intervals(A).map(|r| calendar.to_local(r.start).hour()).collect();
    assert_eq!(&hours[..4], &[0, 1, 3, 4]);
    assert_eq!(hours.len(), 23);
}

#[test]
fn events_within_the_reorder_tolerance_give_identical_figures() {
    let in_order = [
        Event::new(T0, EventKind::CallEntered { call: CallId(1), queue: A, priority: 0 }),
        Event::new(T0 + 500, EventKind::CallEntered { call: CallId(2), queue: A, priority: 0 }),
        Event::new(T0 + s(12), EventKind::CallAnswered { call: CallId(1), agent: None }),
        Event::new(T0 + s(13), EventKind::CallAbandoned { call: CallId(2) }),
    ];
    let shuffled = [in_order[1], in_order[0], in_order[3], in_order[2]];
    let mut x = center();
    let mut y = center();
    for e in &in_order {
        x.apply(e).unwrap();
    }
    for e in &shuffled {
        y.apply(e).unwrap();
    }
    assert_eq!(x.intervals(A).collect::<Vec<_>>(), y.intervals(A).collect::<Vec<_>>());
    assert_eq!(x.snapshot(A), y.snapshot(A));
}

/// Everything a reader can observe, to prove a refused event changed nothing.
fn observable(c: &TestCenter) -> String {
    let mut out = String::new();
    for q in [A, B] {
        out += &format!("{:?}\n", c.snapshot(q));
        out += &format!("{:?}\n", c.intervals(q).collect::<Vec<_>>());
        out += &format!("{:?}\n", c.days(q).collect::<Vec<_>>());
    }
    let mut calls: Vec<_> = c.calls().map(|v| format!("{v:?}")).collect();
    calls.sort();
    out += &calls.join("\n");
    for agent in 0..20 {
        out += &format!("{:?}", c.agent(AgentId(agent)));
    }
    out + &format!("{:?}", c.now())
}

fn refused(c: &mut TestCenter, at: Timestamp, kind: EventKind, expected: EventError) {
    let before = observable(c);
    let count = c.diagnostics().rejected.get(expected);
    assert_eq!(c.apply(&Event::new(at, kind)), Err(expected), "{kind:?}");
    assert_eq!(observable(c), before, "{kind:?} changed the state");
    assert_eq!(c.diagnostics().rejected.get(expected), count + 1);
}

#[test]
fn refused_events_change_nothing_and_are_counted() {
    let mut c = center();
    enter(&mut c, T0, 1, A);
    enter(&mut c, T0, 2, A);
    answer(&mut c, T0 + s(5), 2, Some(9));
    apply(&mut c, T0 + s(5), EventKind::AgentJoinedQueue { agent: AgentId(9), queue: A });
    agent_state(&mut c, T0 + s(5), 9, AgentState::OnCall);
    let t = T0 + s(10);
    let unknown = CallId(77);
    refused(
        &mut c,
        t,
        EventKind::CallAnswered { call: unknown, agent: None },
        EventError::UnknownCall,
    );
    refused(&mut c, t, EventKind::CallAbandoned { call: unknown }, EventError::UnknownCall);
    refused(
        &mut c,
        t,
        EventKind::CallEntered { call: CallId(1), queue: A, priority: 0 },
        EventError::DuplicateCall,
    );
    refused(
        &mut c,
        t,
        EventKind::CallEntered { call: unknown, queue: QueueId(99), priority: 0 },
        EventError::UnknownQueue,
    );
    refused(
        &mut c,
        t,
        EventKind::CallAnswered { call: CallId(2), agent: None },
        EventError::CallNotWaiting,
    );
    refused(
        &mut c,
        t,
        EventKind::CallEnded { call: CallId(1), talk_ms: Some(0), hold_ms: 0 },
        EventError::CallNotConnected,
    );
    refused(
        &mut c,
        t,
        EventKind::CallEnded { call: CallId(2), talk_ms: Some(s(7)), hold_ms: 0 },
        EventError::ImpossibleDuration,
    );
    refused(
        &mut c,
        t,
        EventKind::CallTransferred { call: CallId(1), to: Some(A) },
        EventError::TransferToSameQueue,
    );
    refused(
        &mut c,
        t,
        EventKind::CallTransferred { call: CallId(1), to: Some(QueueId(99)) },
        EventError::UnknownQueue,
    );
    refused(
        &mut c,
        t,
        EventKind::AgentStateChanged { agent: AgentId(9), state: AgentState::OnCall },
        EventError::AgentAlreadyInState,
    );
    refused(
        &mut c,
        t,
        EventKind::AfterCallWorkEnded { agent: AgentId(9) },
        EventError::NotInAfterCallWork,
    );
    refused(
        &mut c,
        t,
        EventKind::AfterCallWorkEnded { agent: AgentId(5) },
        EventError::UnknownAgent,
    );
    refused(
        &mut c,
        t,
        EventKind::AgentJoinedQueue { agent: AgentId(9), queue: A },
        EventError::AlreadyMember,
    );
    refused(
        &mut c,
        t,
        EventKind::AgentLeftQueue { agent: AgentId(9), queue: B },
        EventError::NotAMember,
    );
    refused(
        &mut c,
        t,
        EventKind::AgentLeftQueue { agent: AgentId(5), queue: B },
        EventError::UnknownAgent,
    );
    // Time: the clock is at T0 + 5 s, the tolerance 2 s.
    refused(
        &mut c,
        T0 + s(5) - 2_001,
        EventKind::CallAbandoned { call: CallId(1) },
        EventError::TooLate,
    );
    refused(
        &mut c,
        T0 + s(5) + 32 * 24 * MILLIS_PER_HOUR,
        EventKind::CallAbandoned { call: CallId(1) },
        EventError::ClockJump,
    );
    refused(
        &mut c,
        u64::MAX,
        EventKind::CallAbandoned { call: CallId(1) },
        EventError::TimestampOutOfRange,
    );
    refused(
        &mut c,
        T0 + s(4),
        EventKind::AgentStateChanged { agent: AgentId(9), state: AgentState::Available },
        EventError::BeforePreviousEvent,
    );
    refused(
        &mut c,
        T0 + s(4),
        EventKind::CallEnded { call: CallId(2), talk_ms: Some(0), hold_ms: 0 },
        EventError::BeforePreviousEvent,
    );
    assert_eq!(c.diagnostics().rejected.total(), 20);
    // And the center still works.
    answer(&mut c, t, 1, None);
    assert_eq!(interval(&c, A, T0).answered, 2);
}

#[test]
fn capacity_limits_refuse_and_recover() {
    let mut c: Center<1, 2, 2, 4, 2> = Center::new(CenterConfig::default());
    c.add_queue(A, QueueConfig::default()).unwrap();
    assert_eq!(
        c.add_queue(A, QueueConfig::default()),
        Err(callboard_core::center::ConfigError::DuplicateQueue)
    );
    assert_eq!(
        c.add_queue(B, QueueConfig::default()),
        Err(callboard_core::center::ConfigError::TooManyQueues)
    );
    for call in 0..2 {
        c.apply(&Event::new(
            T0,
            EventKind::CallEntered { call: CallId(call), queue: A, priority: 0 },
        ))
        .unwrap();
    }
    let third = Event::new(T0, EventKind::CallEntered { call: CallId(2), queue: A, priority: 0 });
    assert_eq!(c.apply(&third), Err(EventError::TooManyCalls));
    c.apply(&Event::new(T0 + 1, EventKind::CallAbandoned { call: CallId(0) })).unwrap();
    // The ended call's slot is kept while the reorder tolerance (2 s) could still deliver one
    // of its events, which must be refused as earlier than its end, then it is free.
    assert_eq!(c.apply(&third), Err(EventError::TooManyCalls));
    let reused = Event::new(T0, EventKind::CallEntered { call: CallId(0), queue: A, priority: 0 });
    assert_eq!(c.apply(&reused), Err(EventError::BeforePreviousEvent));
    let third =
        Event::new(T0 + 2_002, EventKind::CallEntered { call: CallId(2), queue: A, priority: 0 });
    c.apply(&third).unwrap();
    for agent in 0..2 {
        c.apply(&Event::new(
            T0 + 2_002,
            EventKind::AgentStateChanged { agent: AgentId(agent), state: AgentState::Available },
        ))
        .unwrap();
    }
    let extra = |at| {
        Event::new(
            at,
            EventKind::AgentStateChanged { agent: AgentId(2), state: AgentState::Available },
        )
    };
    assert_eq!(c.apply(&extra(T0 + 2_002)), Err(EventError::TooManyAgents));
    // Logging an agent out with no memberships frees its slot once the reorder tolerance has
    // passed its last event.
    c.apply(&Event::new(
        T0 + 2_003,
        EventKind::AgentStateChanged { agent: AgentId(0), state: AgentState::LoggedOut },
    ))
    .unwrap();
    assert_eq!(c.agent(AgentId(0)), None);
    assert_eq!(c.apply(&extra(T0 + 2_003)), Err(EventError::TooManyAgents));
    c.apply(&extra(T0 + 4_004)).unwrap();
}

#[test]
fn settled_intervals_come_out_oldest_first_and_only_when_final() {
    let mut c = center();
    enter(&mut c, T0, 1, A); // stays waiting into the next interval
    enter(&mut c, T0 + s(60), 2, B);
    answer(&mut c, T0 + s(70), 2, None);
    apply(
        &mut c,
        T0 + s(100),
        EventKind::CallEnded { call: CallId(2), talk_ms: Some(s(30)), hold_ms: 0 },
    );
    enter(&mut c, T0 + s(1000), 3, B);
    c.advance_to(T0 + s(1900)).unwrap();
    // B's 08:00 is settled; A's 08:00 still has call 1 waiting.
    let (q, first) = c.pop_settled_interval().unwrap();
    assert_eq!((q, first.start, first.stats.offered, first.stats.handled), (B, T0, 1, 1));
    assert_eq!(c.pop_settled_interval(), None, "A's 08:00 has a waiting call; B's 08:15 too");
    abandon(&mut c, T0 + s(1900), 1);
    abandon(&mut c, T0 + s(1900), 3);
    let (q, second) = c.pop_settled_interval().unwrap();
    assert_eq!((q, second.start, second.stats.abandoned), (A, T0, 1));
    assert_eq!(second.stats.max_wait_ms, Some(s(1900)));
    // Nothing happened in A after 08:00, so A has no 08:15 interval.
    let (q, third) = c.pop_settled_interval().unwrap();
    assert_eq!((q, third.start, third.stats.abandoned), (B, T0 + s(900), 1));
    // The interval in progress is not settled.
    assert_eq!(c.pop_settled_interval(), None);
    // Popped intervals are gone; the days still hold everything.
    assert_eq!(c.interval(A, T0).err(), Some(ReadError::NotKept));
    let today = c.snapshot(A).unwrap().today;
    assert_eq!(c.day(A, today).unwrap().stats.abandoned, 1);
    assert_eq!(c.day(B, today).unwrap().stats.offered, 2);
}

#[test]
fn snapshot_is_what_a_wallboard_shows() {
    let mut c = center();
    assert_eq!(c.snapshot(A).err(), Some(ReadError::NoClock), "no clock yet");
    enter(&mut c, T0, 1, A);
    for agent in 1..=4 {
        apply(&mut c, T0, EventKind::AgentJoinedQueue { agent: AgentId(agent), queue: A });
    }
    for (agent, state) in [
        (1, AgentState::Available),
        (2, AgentState::OnCall),
        (3, AgentState::NotReady(ReasonCode(2))),
    ] {
        agent_state(&mut c, T0 + s(1), agent, state);
    }
    enter(&mut c, T0 + s(40), 2, A);
    c.advance_to(T0 + s(90)).unwrap();
    let snap = c.snapshot(A).unwrap();
    assert_eq!((snap.waiting, snap.longest_wait_ms), (2, Some(s(90))));
    let a = snap.agents;
    assert_eq!((a.available, a.on_call, a.not_ready, a.logged_out, a.logged_in()), (1, 1, 1, 1, 3));
    assert_eq!(snap.current_interval.stats.waiting_past_sl, 2);
    assert_eq!(c.snapshot(QueueId(42)).err(), Some(ReadError::UnknownQueue));
}

#[test]
fn wrap_up_is_optional() {
    let mut c = center();
    apply(&mut c, T0, EventKind::AgentJoinedQueue { agent: AgentId(1), queue: A });
    agent_state(&mut c, T0, 1, AgentState::Available);
    enter(&mut c, T0, 1, A);
    answer(&mut c, T0 + s(2), 1, Some(1));
    agent_state(&mut c, T0 + s(2), 1, AgentState::OnCall);
    apply(
        &mut c,
        T0 + s(62),
        EventKind::CallEnded { call: CallId(1), talk_ms: Some(s(60)), hold_ms: 0 },
    );
    // Straight back to available: no after-call work for that call.
    agent_state(&mut c, T0 + s(62), 1, AgentState::Available);
    assert_eq!(c.calls().count(), 0);
    let st = interval(&c, A, T0);
    assert_eq!((st.handled, st.after_call_work_ms), (1, 0));
    assert!(close(st.aht_seconds(), 60.0));
}

/// One call looked up by id, as a feed asks instead of keeping its own copy: waiting, then
/// connected to its agent, then gone once it ends.
#[test]
fn a_call_is_looked_up_by_its_id() {
    let mut c = center();
    assert_eq!(c.call(CallId(1)), None);
    enter(&mut c, T0, 1, A);
    let waiting = c.call(CallId(1)).unwrap();
    assert_eq!((waiting.queue, waiting.entered_at, waiting.status), (A, T0, CallStatus::Waiting));
    answer(&mut c, T0 + s(5), 1, Some(7));
    let connected = c.call(CallId(1)).unwrap().status;
    assert_eq!(
        connected,
        CallStatus::Connected { answered_at: T0 + s(5), agent: Some(AgentId(7)) }
    );
    apply(&mut c, T0 + s(65), EventKind::CallEnded { call: CallId(1), talk_ms: None, hold_ms: 0 });
    assert_eq!(c.call(CallId(1)), None);
    assert_eq!(c.calls().count(), 0);
}

/// A call's end may leave the talk time to the center: from the answer to the end, less the
/// hold it was told of. A talk time given still wins.
#[test]
fn talk_time_left_out_is_the_time_since_the_answer_less_the_hold() {
    let mut c = center();
    enter(&mut c, T0, 1, A);
    answer(&mut c, T0 + s(10), 1, None);
    apply(
        &mut c,
        T0 + s(250),
        EventKind::CallEnded { call: CallId(1), talk_ms: None, hold_ms: s(30) },
    );
    enter(&mut c, T0 + s(300), 2, A);
    answer(&mut c, T0 + s(300), 2, None);
    apply(
        &mut c,
        T0 + s(400),
        EventKind::CallEnded { call: CallId(2), talk_ms: Some(s(70)), hold_ms: 0 },
    );
    let st = interval(&c, A, T0);
    assert_eq!((st.handled, st.talk_ms, st.hold_ms), (2, s(210) + s(70), s(30)));
    // A hold longer than the call is refused whichever way the talk time comes.
    enter(&mut c, T0 + s(500), 3, A);
    answer(&mut c, T0 + s(500), 3, None);
    let too_long = EventKind::CallEnded { call: CallId(3), talk_ms: None, hold_ms: s(100) };
    assert_eq!(c.apply(&Event::new(T0 + s(520), too_long)), Err(EventError::ImpossibleDuration));
}

#[test]
fn previous_day_csat_through_the_center() {
    let mut c = center();
    c.advance_to(T0).unwrap();
    let yesterday = T0 - 10 * MILLIS_PER_HOUR;
    for score in [5, 4, 4, 3, 5, 5, 2, 4, 5, 4] {
        let response = SurveyResponse {
            contact_at: yesterday,
            score,
            answers: [None; 4],
            follow_up_requested: false,
        };
        c.record_survey(&response).unwrap();
    }
    let p = c.previous_day_csat().unwrap();
    assert_eq!(p.responses, 10);
    assert_eq!(p.value, CsatValue::Available(4.1));
    let future = SurveyResponse {
        contact_at: T0 + MILLIS_PER_HOUR,
        score: 5,
        answers: [None; 4],
        follow_up_requested: false,
    };
    assert!(c.record_survey(&future).is_err());
    assert_eq!(c.diagnostics().surveys_rejected, 1);
    // A contact older than the days the center keeps (8 here) is refused, however empty its
    // ledger still is: no board or report could ever show that day.
    let ancient = SurveyResponse { contact_at: T0 - 30 * 24 * MILLIS_PER_HOUR, ..future };
    assert_eq!(c.record_survey(&ancient), Err(callboard_core::csat::CsatError::TooOld));
    let oldest_kept = SurveyResponse { contact_at: T0 - 7 * 24 * MILLIS_PER_HOUR, ..future };
    assert!(c.record_survey(&oldest_kept).is_ok());
    assert_eq!(c.diagnostics().surveys_rejected, 2);
}

#[test]
fn a_quiet_queue_shows_growing_waits_without_events() {
    let mut c = center();
    enter(&mut c, T0, 1, A);
    for minutes in [1, 5, 30] {
        c.advance_to(T0 + minutes * MILLIS_PER_MINUTE).unwrap();
        assert_eq!(c.snapshot(A).unwrap().longest_wait_ms, Some(minutes * MILLIS_PER_MINUTE));
    }
    // The clock never goes back.
    c.advance_to(T0).unwrap();
    assert_eq!(c.now(), Some(T0 + 30 * MILLIS_PER_MINUTE));
}

const HOUR: u64 = MILLIS_PER_HOUR;
const MINUTE: u64 = MILLIS_PER_MINUTE;

/// Reads answer only for periods the center keeps: before its first event, after the clock's
/// interval or day, and older than the ring or the ledger are "not kept", never zeros.
#[test]
fn periods_not_kept_are_not_answered() {
    let mut c: Center<1, 4, 4, 4, 2> = Center::new(CenterConfig::default());
    c.add_queue(A, QueueConfig::default()).unwrap();
    assert_eq!(c.interval(A, T0).err(), Some(ReadError::NoClock));
    assert_eq!(c.day(A, LocalDate::new(2026, 11, 23).unwrap()).err(), Some(ReadError::NoClock));
    assert_eq!(c.interval(B, T0).err(), Some(ReadError::UnknownQueue));
    // The first event, five minutes into an interval: the interval before it is not seen.
    let now = T0 + HOUR + 5 * MINUTE;
    let entered = EventKind::CallEntered { call: CallId(1), queue: A, priority: 0 };
    c.apply(&Event::new(now, entered)).unwrap();
    let current = T0 + HOUR;
    assert!(c.interval(A, current).is_ok());
    let not_kept = Err(ReadError::NotKept);
    assert_eq!(
        c.interval(A, current + 15 * MINUTE),
        not_kept,
        "the next interval is in the future"
    );
    assert_eq!(c.interval(A, current - 15 * MINUTE), not_kept, "before the first event");
    assert_eq!(c.interval(A, current - 365 * 24 * HOUR), not_kept, "a year before any event");
    let today = c.config().calendar.local_date(now);
    assert!(c.day(A, today).is_ok());
    assert_eq!(c.day(B, today).err(), Some(ReadError::UnknownQueue));
    assert_eq!(c.day(A, today.next()).err(), Some(ReadError::NotKept), "tomorrow");
    assert_eq!(c.day(A, today.previous()).err(), Some(ReadError::NotKept), "a day before");
    // Three hours later the first interval is more than four intervals old: evicted.
    c.advance_to(now + 3 * HOUR).unwrap();
    assert_eq!(c.interval(A, current), not_kept, "older than the ring");
    assert!(c.interval(A, current + 3 * HOUR).is_ok());
    // Two days later the first day is older than the ledger's two.
    c.advance_to(now + 48 * HOUR).unwrap();
    assert_eq!(c.day(A, today).err(), Some(ReadError::NotKept), "older than the ledger");
    assert_eq!(c.audit(), Ok(()));
}

/// A jump of the clock is refused beyond the configured maximum, by `advance_to` too; and
/// with no maximum a jump of thousands of years with agents logged in costs what is kept
/// (it once took minutes: a step per interval crossed per agent).
#[test]
fn clock_jumps_are_limited_and_bounded() {
    let mut c = center();
    for agent in 0..8 {
        c.apply(&Event::new(T0, EventKind::AgentJoinedQueue { agent: AgentId(agent), queue: A }))
            .unwrap();
        c.apply(&Event::new(
            T0,
            EventKind::AgentStateChanged { agent: AgentId(agent), state: AgentState::Available },
        ))
        .unwrap();
    }
    let far = T0 + 100 * 365 * 24 * HOUR;
    assert_eq!(c.advance_to(far), Err(EventError::ClockJump));
    assert_eq!(c.now(), Some(T0), "a refused jump leaves the clock");
    let unlimited = CenterConfig { max_clock_jump_ms: u64::MAX, ..CenterConfig::default() };
    let mut c: Center<4, 64, 16, 128, 8> = Center::new(unlimited);
    c.add_queue(A, QueueConfig::default()).unwrap();
    for agent in 0..16 {
        let at = T0;
        c.apply(&Event::new(at, EventKind::AgentJoinedQueue { agent: AgentId(agent), queue: A }))
            .unwrap();
        c.apply(&Event::new(
            at,
            EventKind::AgentStateChanged { agent: AgentId(agent), state: AgentState::Available },
        ))
        .unwrap();
    }
    c.advance_to(callboard_core::calendar::MAX_TIMESTAMP).unwrap();
    assert_eq!(c.audit(), Ok(()));
    let today = c.config().calendar.local_date(callboard_core::calendar::MAX_TIMESTAMP);
    let day = c.day(A, today).unwrap();
    // Sixteen agents available all of the last day.
    assert_eq!(day.stats.agent_time.available_ms, 16 * (24 * HOUR - 1));
}

/// A transfer of an answered call: its conversation ends in the first queue (handled, with its
/// agent's after-call work) and the same call id enters the second queue at once, offered there
/// anew. The id is free the moment the call ends, whatever its agent still owes.
#[test]
fn an_answered_call_transferred_is_handled_here_and_offered_there() {
    let mut c = center();
    for queue in [A, B] {
        apply(&mut c, T0, EventKind::AgentJoinedQueue { agent: AgentId(7), queue });
    }
    agent_state(&mut c, T0, 7, AgentState::Available);
    enter(&mut c, T0 + s(10), 1, A);
    answer(&mut c, T0 + s(15), 1, Some(7));
    agent_state(&mut c, T0 + s(15), 7, AgentState::OnCall);
    let ended = EventKind::CallEnded { call: CallId(1), talk_ms: Some(s(100)), hold_ms: 0 };
    apply(&mut c, T0 + s(115), ended);
    enter(&mut c, T0 + s(115), 1, B);
    agent_state(&mut c, T0 + s(115), 7, AgentState::AfterCallWork);
    answer(&mut c, T0 + s(125), 1, None);
    agent_state(&mut c, T0 + s(145), 7, AgentState::Available);
    c.advance_to(T0 + s(900) + s(2)).unwrap();
    let first = interval(&c, A, T0);
    assert_eq!((first.offered, first.answered, first.handled), (1, 1, 1));
    assert_eq!((first.talk_ms, first.after_call_work_ms), (s(100), s(30)));
    let second = interval(&c, B, T0);
    assert_eq!((second.offered, second.answered, second.answer_wait_ms), (1, 1, s(10)));
    assert_eq!(c.audit(), Ok(()));
    // Both intervals settle once the work is counted and the second call is over.
    let ended = EventKind::CallEnded { call: CallId(1), talk_ms: Some(s(60)), hold_ms: 0 };
    apply(&mut c, T0 + s(900) + s(3), ended);
    let taken: Vec<_> = core::iter::from_fn(|| c.pop_settled_interval()).collect();
    assert!(
        taken.iter().any(|(q, r)| *q == A && r.start == T0 && r.stats.after_call_work_ms == s(30))
    );
}

/// Agent time across a quiet night and a ten-day silence, counted when the clock jumps, agrees
/// with each agent's time in each state worked out here interval by interval and day by day
/// (and with the clock moving an interval at a time): agents in every kind of state since
/// instants that are not on a boundary, in one or both queues, many sharing a kind.
#[test]
fn a_long_quiet_spell_counts_every_agents_time() {
    let config = CenterConfig { max_clock_jump_ms: u64::MAX, ..CenterConfig::default() };
    let mut at_once = center_with(config, QueueConfig::default());
    let mut stepwise = at_once.clone();
    // Few kinds of time, so that many agents share one (the not-ready reasons are one kind).
    let states = [
        AgentState::Available,
        AgentState::OnCall,
        AgentState::NotReady(ReasonCode(3)),
        AgentState::NotReady(ReasonCode(9)),
    ];
    let mut seed: u64 = 17;
    let mut next = move |below: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % below
    };
    // Each agent's queues and states with their start, as applied.
    let mut members: Vec<Vec<QueueId>> = Vec::new();
    let mut history: Vec<Vec<(Timestamp, AgentState)>> = Vec::new();
    let mut at = T0;
    for agent in 0..16_u32 {
        let queues: Vec<QueueId> = [A, B].into_iter().filter(|_| next(3) != 0).collect();
        for &queue in &queues {
            let joined = EventKind::AgentJoinedQueue { agent: AgentId(agent), queue };
            for c in [&mut at_once, &mut stepwise] {
                apply(c, at, joined);
            }
        }
        members.push(queues);
        at += next(40 * 60_000) + 1;
        let state = states[usize::try_from(next(4)).unwrap()];
        for c in [&mut at_once, &mut stepwise] {
            apply(c, at, EventKind::AgentStateChanged { agent: AgentId(agent), state });
        }
        history.push(vec![(at, state)]);
    }
    // Then, within the evening's last minutes, every agent changes state once more, so that
    // most of them start their night inside an interval, not on its boundary.
    for agent in 0..16_u32 {
        at += next(50_000) + 1;
        let current = history[agent as usize].last().map(|&(_, state)| state);
        let state = states.into_iter().find(|&s| Some(s) != current).unwrap();
        for c in [&mut at_once, &mut stepwise] {
            apply(c, at, EventKind::AgentStateChanged { agent: AgentId(agent), state });
        }
        history[agent as usize].push((at, state));
    }
    // A queue's agent time over [start, end) up to `now`, from the history alone.
    let expected = |queue: QueueId, start: Timestamp, end: Timestamp, now: Timestamp| {
        let mut time = callboard_core::interval::AgentTime::default();
        for (queues, states) in members.iter().zip(&history) {
            if !queues.contains(&queue) {
                continue;
            }
            for (i, &(from, state)) in states.iter().enumerate() {
                let to = states.get(i + 1).map_or(now, |&(next, _)| next).min(end).min(now);
                let from = from.max(start);
                if from < to {
                    let ms = to - from;
                    match state {
                        AgentState::Available => time.available_ms += ms,
                        AgentState::OnCall => time.on_call_ms += ms,
                        _ => time.not_ready_ms += ms,
                    }
                }
            }
        }
        time
    };
    // A night (every interval of it kept, the evening's partial ones included), then ten days
    // (only the days kept count).
    let mut t = at;
    for morning in [at + 10 * 3_600_000 + 7_777, at + 10 * 24 * 3_600_000 + 5_555] {
        while t < morning {
            t = (t + 15 * 60_000).min(morning);
            stepwise.advance_to(t).unwrap();
        }
        at_once.advance_to(morning).unwrap();
        for queue in [A, B] {
            let by_interval: Vec<_> = at_once.intervals(queue).collect();
            assert!(by_interval.len() > 30);
            for report in &by_interval {
                let want = expected(queue, report.start, report.end, morning);
                assert_eq!(report.stats.agent_time, want, "{queue:?} at {}", report.start);
            }
            assert_eq!(by_interval, stepwise.intervals(queue).collect::<Vec<_>>());
            let by_day: Vec<_> = at_once.days(queue).collect();
            for report in &by_day {
                let want = expected(queue, report.start, report.end, morning);
                assert_eq!(report.stats.agent_time, want, "{queue:?} on {:?}", report.date);
            }
            assert_eq!(by_day, stepwise.days(queue).collect::<Vec<_>>());
        }
    }
    assert_eq!(at_once.audit(), Ok(()));
}
