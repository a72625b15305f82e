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
