//! The cost of the C ABI: the same event stream through `Center::apply` (Rust) and through
//! `cb_center_apply` (C ABI: catch_unwind, pointer checks, event conversion), for a center of
//! 1,000 agents.
//!
//! And the worst clock jump: a full center (1,024 agents, each available in all 32 queues)
//! whose clock is moved, with no jump limit, from 2026 to the end of year 9999 in one call.
//!
//! `cargo bench -p callboard-ffi --bench abi`. Results and the machine: BENCHMARKS.md.

use std::hint::black_box;
use std::time::Instant;

use callboard::cb_status;
use callboard::center::*;
use callboard::events::*;
use callboard_core::event::{AgentId, AgentState, CallId, QueueId};
use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};

/// The C ABI center's capacities (ffi/src/center.rs).
type RustCenter = Center<32, 4096, 1024, 96, 8>;

const AGENTS: u32 = 1000;
const CALLS: u64 = 40_000;
const QUEUE: u32 = 311;
/// 2026-11-23T08:00:00Z.
const OPENING: u64 = 1_795_420_800_000;
const SAMPLES: usize = 15;

/// A busy morning at 1,000 agents: a call every 360 ms, each answered at once by the agent
/// whose turn it is, 300 s of talk, the agent free again 60 s before their next call. Five
/// events a call, in time order: 200,000 events over four hours.
fn morning() -> Vec<cb_event> {
    let blank = cb_event { queue: QUEUE, ..cb_event::default() };
    let mut events = Vec::new();
    for agent in 0..AGENTS {
        events.push(cb_event {
            kind: cb_event_kind::CB_EVENT_AGENT_JOINED_QUEUE as u32,
            agent,
            at_ms: OPENING - 60_000,
            ..blank
        });
        let ready = cb_event {
            kind: cb_event_kind::CB_EVENT_AGENT_STATE as u32,
            agent,
            reason: CB_AGENT_AVAILABLE,
            ..blank
        };
        events.push(cb_event { at_ms: OPENING - 60_000, ..ready });
    }
    let mut calls = Vec::new();
    for i in 0..CALLS {
        let at = OPENING + i * 360;
        let agent = u32::try_from(i % u64::from(AGENTS)).unwrap();
        let call = i + 1;
        let end = at + 300_000;
        let state = |at_ms, reason| cb_event {
            kind: cb_event_kind::CB_EVENT_AGENT_STATE as u32,
            at_ms,
            agent,
            reason,
            ..blank
        };
        calls.push(cb_event {
            kind: cb_event_kind::CB_EVENT_CALL_ENTERED as u32,
            at_ms: at,
            call,
            ..blank
        });
        calls.push(cb_event {
            kind: cb_event_kind::CB_EVENT_CALL_ANSWERED as u32,
            at_ms: at,
            call,
            agent,
            has_agent: true,
            ..blank
        });
        calls.push(state(at, CB_AGENT_ON_CALL));
        calls.push(cb_event {
            kind: cb_event_kind::CB_EVENT_CALL_ENDED as u32,
            at_ms: end,
            call,
            talk_ms: 300_000,
            ..blank
        });
        calls.push(state(end, CB_AGENT_AVAILABLE));
    }
    // Stable: events at the same instant keep their order (entered before answered).
    calls.sort_by_key(|e| e.at_ms);
    events.extend(calls);
    events
}

fn to_rust(event: &cb_event) -> Event {
    let call = CallId(event.call);
    let agent = AgentId(event.agent);
    let kind = match cb_event_kind::from_code(event.kind) {
        Some(cb_event_kind::CB_EVENT_CALL_ENTERED) => {
            EventKind::CallEntered { call, queue: QueueId(QUEUE), priority: 0 }
        }
        Some(cb_event_kind::CB_EVENT_CALL_ANSWERED) => {
            EventKind::CallAnswered { call, agent: Some(agent) }
        }
        Some(cb_event_kind::CB_EVENT_CALL_ENDED) => {
            EventKind::CallEnded { call, talk_ms: Some(event.talk_ms), hold_ms: 0 }
        }
        Some(cb_event_kind::CB_EVENT_AGENT_JOINED_QUEUE) => {
            EventKind::AgentJoinedQueue { agent, queue: QueueId(QUEUE) }
        }
        _ => {
            let state = if event.reason == CB_AGENT_ON_CALL {
                AgentState::OnCall
            } else {
                AgentState::Available
            };
            EventKind::AgentStateChanged { agent, state }
        }
    };
    Event::new(event.at_ms, kind)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// The longest `Center::advance_to` can take: every agent slot and queue used, every agent in
/// every queue, the clock moved from 2026 by `jump_ms` (milliseconds, median).
fn worst_jump(jump_ms: u64) -> f64 {
    let unlimited = CenterConfig { max_clock_jump_ms: u64::MAX, ..CenterConfig::DEFAULT };
    let mut center = Box::new(RustCenter::new(unlimited));
    let mut samples = Vec::new();
    for _ in 0..5 {
        center.reset(unlimited);
        for queue in 0..32 {
            center.add_queue(QueueId(queue), QueueConfig::default()).unwrap();
        }
        for agent in 0..1024 {
            for queue in 0..32 {
                let joined =
                    EventKind::AgentJoinedQueue { agent: AgentId(agent), queue: QueueId(queue) };
                center.apply(&Event::new(OPENING, joined)).unwrap();
            }
            let ready = EventKind::AgentStateChanged {
                agent: AgentId(agent),
                state: AgentState::Available,
            };
            center.apply(&Event::new(OPENING, ready)).unwrap();
        }
        let start = Instant::now();
        let to = OPENING.saturating_add(jump_ms).min(callboard_core::calendar::MAX_TIMESTAMP);
        center.advance_to(black_box(to)).unwrap();
        samples.push(start.elapsed().as_secs_f64() * 1e3);
    }
    median(samples)
}

fn main() {
    let events = morning();
    let rust_events: Vec<Event> = events.iter().map(to_rust).collect();
    let count = events.len() as f64;

    // Rust API.
    let mut center = Box::new(RustCenter::new(CenterConfig::DEFAULT));
    let mut rust = Vec::new();
    for _ in 0..SAMPLES {
        center.reset(CenterConfig::DEFAULT);
        center.add_queue(QueueId(QUEUE), QueueConfig::default()).unwrap();
        let start = Instant::now();
        for event in &rust_events {
            center.apply(black_box(event)).unwrap();
        }
        rust.push(start.elapsed().as_secs_f64() * 1e9 / count);
    }
    assert_eq!(center.diagnostics().applied, rust_events.len() as u64);

    // C ABI, through a function pointer the optimizer cannot see through, as a C caller would.
    let apply: unsafe extern "C" fn(*mut cb_center, *const cb_event) -> cb_status =
        black_box(cb_center_apply);
    let mut config = std::mem::MaybeUninit::uninit();
    let mut handle = std::ptr::null_mut();
    let mut abi = Vec::new();
    // SAFETY: valid pointers throughout; the center is used by this thread only and freed once.
    unsafe {
        assert_eq!(cb_center_config_default(config.as_mut_ptr()), cb_status::CB_STATUS_OK);
        let queue = cb_queue_config {
            sl_seconds: 20,
            sl_rings: 0,
            ring_cadence_ms: 0,
            short_abandon_ms: 0,
        };
        for _ in 0..SAMPLES {
            cb_center_free(handle);
            assert_eq!(cb_center_new(config.as_ptr(), &raw mut handle), cb_status::CB_STATUS_OK);
            assert_eq!(
                cb_center_add_queue(handle, QUEUE, &raw const queue),
                cb_status::CB_STATUS_OK
            );
            let start = Instant::now();
            for event in &events {
                let status = apply(handle, black_box(event));
                debug_assert_eq!(status, cb_status::CB_STATUS_OK);
            }
            abi.push(start.elapsed().as_secs_f64() * 1e9 / count);
        }
        let mut diagnostics = cb_diagnostics::default();
        assert_eq!(cb_center_diagnostics(handle, &raw mut diagnostics), cb_status::CB_STATUS_OK);
        assert_eq!(diagnostics.applied, events.len() as u64);
        assert_eq!(diagnostics.rejected, 0);
        cb_center_free(handle);
    }

    let (rust, abi) = (median(rust), median(abi));
    println!("events: {} ({} agents, {} calls)", events.len(), AGENTS, CALLS);
    println!("Rust API  Center::apply    {rust:8.1} ns/event  {:>12.0} events/s", 1e9 / rust);
    println!("C ABI     cb_center_apply  {abi:8.1} ns/event  {:>12.0} events/s", 1e9 / abi);
    println!("overhead of the C ABI      {:8.1} ns/event", abi - rust);
    for (what, jump_ms) in [
        ("one interval", 16 * 60_000),
        ("four intervals", 61 * 60_000),
        ("a night", 12 * 3_600_000),
        ("2026 -> 9999", u64::MAX),
    ] {
        let ms = worst_jump(jump_ms);
        println!("clock moved {what:>14}, 1,024 agents in 32 queues  {ms:8.3} ms");
    }
}
