//! Helpers shared by the integration tests, written independently of the code under test.

/// CRC-32/ISO-HDLC (the zlib CRC), bit by bit, written again here so the tests do not trust
/// the code they check.
#[allow(dead_code)] // not every test crate that shares this module checks CRCs
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// An agent state from any byte: the six states, the not-ready one carrying the byte as its
/// reason code. For generated event sequences.
#[allow(dead_code)] // not every test crate that shares this module generates agents
pub fn agent_state(code: u8) -> callboard_core::event::AgentState {
    use callboard_core::event::{AgentState, ReasonCode};
    match code % 6 {
        0 => AgentState::LoggedOut,
        1 => AgentState::Available,
        2 => AgentState::Reserved,
        3 => AgentState::OnCall,
        4 => AgentState::AfterCallWork,
        _ => AgentState::NotReady(ReasonCode(u16::from(code))),
    }
}

/// One event kind over small id spaces, so that many generated events refer to each other:
/// calls 0–11, agents 0–5, queues 0–3 (a test center has queues 0–2, so queue 3, as a call's
/// queue or a transfer's destination, does not exist), talk and hold times from `duration`.
#[allow(dead_code)] // not every test crate that shares this module generates events
pub fn event_kind(
    duration: impl proptest::strategy::Strategy<Value = u64> + Clone + 'static,
) -> impl proptest::strategy::Strategy<Value = callboard_core::EventKind> {
    use callboard_core::EventKind;
    use callboard_core::event::{AgentId, CallId, DequeueReason, QueueId};
    use proptest::prelude::*;
    let call = (0_u64..12).prop_map(CallId);
    let agent = (0_u32..6).prop_map(AgentId);
    let queue = (0_u32..4).prop_map(QueueId);
    prop_oneof![
        4 => (call.clone(), queue.clone(), any::<u8>())
            .prop_map(|(call, queue, priority)| EventKind::CallEntered { call, queue, priority }),
        3 => (call.clone(), proptest::option::of(agent.clone()))
            .prop_map(|(call, agent)| EventKind::CallAnswered { call, agent }),
        2 => call.clone().prop_map(|call| EventKind::CallAbandoned { call }),
        1 => (call.clone(), 0_usize..6)
            .prop_map(|(call, r)| EventKind::CallDequeued { call, reason: DequeueReason::ALL[r] }),
        1 => (call.clone(), proptest::option::of(queue.clone()))
            .prop_map(|(call, to)| EventKind::CallTransferred { call, to }),
        // Talk time given, or left to the center (from the answer, less the hold).
        3 => (call, proptest::option::of(duration.clone()), duration)
            .prop_map(|(call, talk_ms, hold_ms)| EventKind::CallEnded { call, talk_ms, hold_ms }),
        2 => agent.clone().prop_map(|agent| EventKind::AfterCallWorkEnded { agent }),
        4 => (agent.clone(), any::<u8>())
            .prop_map(|(agent, s)| EventKind::AgentStateChanged { agent, state: agent_state(s) }),
        2 => (agent.clone(), queue.clone())
            .prop_map(|(agent, queue)| EventKind::AgentJoinedQueue { agent, queue }),
        1 => (agent, queue).prop_map(|(agent, queue)| EventKind::AgentLeftQueue { agent, queue }),
    ]
}
