//! Checkpoints: a restored center is indistinguishable from the original, now and after more
//! events; damaged, truncated or foreign bytes are refused and change nothing.

mod support;

use callboard_core::calendar::{DstRule, SiteCalendar, Timestamp, UtcOffset};
use callboard_core::center::CheckpointError;
use callboard_core::csat::SurveyResponse;
use callboard_core::event::{AgentId, AgentState, CallId, QueueId, ReasonCode};
use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};
use proptest::prelude::*;
use support::crc32;

type TestCenter = Center<4, 64, 16, 32, 4>;

/// 2026-11-23T08:00:00Z.
const T0: Timestamp = 1_795_420_800_000;
const MINUTE: u64 = 60_000;
const QUEUES: [QueueId; 2] = [QueueId(311), QueueId(411)];

fn config() -> CenterConfig {
    let offset = UtcOffset::from_minutes(-300).unwrap();
    CenterConfig {
        calendar: SiteCalendar::new(offset, DstRule::UnitedStates).unwrap(),
        ..CenterConfig::default()
    }
}

/// A busy morning: agents, queue memberships, answered, abandoned and still-waiting calls,
/// calls still talking, surveys.
fn busy_center(calls: u64) -> TestCenter {
    let mut center = TestCenter::new(config());
    for queue in QUEUES {
        center.add_queue(queue, QueueConfig::default()).unwrap();
    }
    let apply = |center: &mut TestCenter, at: Timestamp, kind: EventKind| {
        center.apply(&Event::new(at, kind)).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    };
    for agent in 1..=3 {
        let agent = AgentId(agent);
        apply(&mut center, T0, EventKind::AgentJoinedQueue { agent, queue: QUEUES[0] });
        apply(
            &mut center,
            T0,
            EventKind::AgentStateChanged { agent, state: AgentState::Available },
        );
    }
    let break_state = AgentState::NotReady(ReasonCode(4));
    apply(&mut center, T0, EventKind::AgentStateChanged { agent: AgentId(3), state: break_state });
    for i in 0..calls {
        let at = T0 + i * 3 * MINUTE;
        let call = CallId(i + 1);
        let queue = QUEUES[(i % 2) as usize];
        apply(&mut center, at, EventKind::CallEntered { call, queue, priority: 0 });
        match i % 4 {
            0 => {
                apply(&mut center, at + 15_000, EventKind::CallAnswered { call, agent: None });
                let end = EventKind::CallEnded { call, talk_ms: Some(90_000), hold_ms: 5_000 };
                apply(&mut center, at + 120_000, end);
            }
            1 => apply(&mut center, at + 40_000, EventKind::CallAbandoned { call }),
            2 => apply(&mut center, at + 25_000, EventKind::CallAnswered { call, agent: None }),
            _ => {} // still waiting
        }
    }
    let survey = |score| SurveyResponse {
        contact_at: T0 + MINUTE,
        score,
        answers: [Some(true), None, Some(false), Some(true)],
        follow_up_requested: score < 3,
    };
    for score in [5, 4, 2] {
        center.record_survey(&survey(score)).unwrap();
    }
    center.advance_to(T0 + calls * 3 * MINUTE + MINUTE).unwrap();
    center
}

/// Everything a user can observe, as text: two centers that print the same are the same.
fn observe(center: &TestCenter) -> String {
    let mut seen = format!("{:?}\n{:?}\n", center.now(), center.diagnostics());
    for queue in center.queue_ids() {
        seen +=
            &format!("{queue:?} {:?}\n{:?}\n", center.queue_config(queue), center.snapshot(queue));
        for report in center.intervals(queue) {
            seen += &format!("{report:?}\n");
        }
        for report in center.days(queue) {
            seen += &format!("{report:?}\n");
        }
    }
    for call in center.calls() {
        seen += &format!("{call:?}\n");
    }
    for agent in 1..=4 {
        seen += &format!("{:?}\n", center.agent(AgentId(agent)));
    }
    seen + &format!("{:?}\n{:?}\n", center.csat(), center.previous_day_csat())
}

fn checkpoint(center: &TestCenter) -> Vec<u8> {
    let mut bytes = vec![0; center.checkpoint_len().unwrap()];
    let written = center.checkpoint(&mut bytes).unwrap();
    assert_eq!(written, bytes.len());
    bytes
}

#[test]
fn a_restored_center_is_the_same_center() {
    let original = busy_center(20);
    let bytes = checkpoint(&original);
    let mut restored = TestCenter::new(CenterConfig::default());
    restored.restore(&bytes).unwrap();
    assert_eq!(observe(&restored), observe(&original));

    // And it goes on the same way: the waiting calls are answered in both.
    let mut original = original;
    for center in [&mut original, &mut restored] {
        let later = T0 + 61 * 3 * MINUTE;
        center
            .apply(&Event::new(later, EventKind::CallAnswered { call: CallId(4), agent: None }))
            .unwrap();
        center.advance_to(later + 20 * MINUTE).unwrap();
    }
    assert_eq!(observe(&restored), observe(&original));
    // A checkpoint of the restored center is byte for byte the original's.
    assert_eq!(checkpoint(&restored), checkpoint(&original));
}

#[test]
fn a_short_buffer_is_refused() {
    let center = busy_center(6);
    let needed = center.checkpoint_len().unwrap();
    let mut bytes = vec![0; needed - 1];
    assert_eq!(center.checkpoint(&mut bytes), Err(CheckpointError::BufferTooSmall));
    assert_eq!(center.checkpoint(&mut []), Err(CheckpointError::BufferTooSmall));
}

#[test]
fn foreign_bytes_are_refused_and_change_nothing() {
    let original = busy_center(10);
    let good = checkpoint(&original);
    let mut target = busy_center(3);
    let before = observe(&target);

    let mut wrong_magic = good.clone();
    wrong_magic[0] = b'X';
    let mut wrong_version = good.clone();
    wrong_version[4] = 99;
    let cases: [(&[u8], CheckpointError); 5] = [
        (&[], CheckpointError::NotACheckpoint),
        (&good[..5], CheckpointError::NotACheckpoint),
        (&wrong_magic, CheckpointError::NotACheckpoint),
        (&wrong_version, CheckpointError::UnsupportedVersion),
        (&good[..good.len() - 1], CheckpointError::Damaged),
    ];
    for (bytes, expected) in cases {
        assert_eq!(target.restore(bytes), Err(expected));
        assert_eq!(observe(&target), before);
    }

    // A checkpoint of a center with other capacities.
    let mut other: Center<4, 64, 16, 32, 8> = Center::new(config());
    other.add_queue(QueueId(1), QueueConfig::default()).unwrap();
    let mut bytes = vec![0; other.checkpoint_len().unwrap()];
    other.checkpoint(&mut bytes).unwrap();
    assert_eq!(target.restore(&bytes), Err(CheckpointError::CapacityMismatch));
    assert_eq!(observe(&target), before);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any single damaged byte is caught (CRC-32 detects every single-byte error), and the
    /// center is unchanged.
    #[test]
    fn any_damaged_byte_is_caught(position in any::<prop::sample::Index>(), flip in 1..=255_u8) {
        let good = checkpoint(&busy_center(8));
        let mut damaged = good.clone();
        let at = position.index(damaged.len());
        damaged[at] ^= flip;
        let mut target = busy_center(2);
        let before = observe(&target);
        prop_assert!(target.restore(&damaged).is_err());
        prop_assert_eq!(observe(&target), before);
    }

    /// Bytes with a valid envelope but a nonsensical body (the CRC recomputed to match) are
    /// refused too, and change nothing.
    #[test]
    fn a_forged_body_is_refused_or_consistent(position in any::<prop::sample::Index>(), value in any::<u8>()) {
        let good = checkpoint(&busy_center(8));
        let mut forged = good.clone();
        let body = 6..forged.len() - 4;
        let at = body.start + position.index(body.len());
        forged[at] = value;
        let crc = crc32(&forged[..forged.len() - 4]);
        let end = forged.len();
        forged[end - 4..].copy_from_slice(&crc.to_le_bytes());
        let mut target = busy_center(2);
        let before = observe(&target);
        match target.restore(&forged) {
            Err(_) => prop_assert_eq!(observe(&target), before),
            // Some single-byte changes are still a consistent state (a count, a time, a varint
            // written the long way): then the center took it whole, and it round-trips.
            Ok(()) => {
                let mut copy = TestCenter::new(CenterConfig::default());
                prop_assert_eq!(copy.restore(&checkpoint(&target)), Ok(()));
                prop_assert_eq!(observe(&copy), observe(&target));
            }
        }
    }
}
