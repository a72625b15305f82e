//! ACD events for C: what the switch tells the center, one `cb_event` at a time, and the clock
//! moved without one.

use callboard_core::center::EventError;
use callboard_core::event::{AgentId, AgentState, CallId, DequeueReason, QueueId, ReasonCode};
use callboard_core::{Event, EventKind};

use crate::boundary::c_codes;
use crate::boundary::{borrow, with_handle_mut};
use crate::cb_status;
use crate::center::cb_center;
use crate::status::*;

/// What an ACD event reports (`cb_event.kind`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_event_kind {
    /// A call entered a queue: `call`, `queue`, `priority`.
    CB_EVENT_CALL_ENTERED = 1,
    /// An agent answered a waiting call: `call`, and `agent` when `has_agent`.
    CB_EVENT_CALL_ANSWERED = 2,
    /// The caller hung up while waiting: `call`.
    CB_EVENT_CALL_ABANDONED = 3,
    /// The system ended a call's wait: `call`, `reason` (`CB_DEQUEUE_*`).
    CB_EVENT_CALL_DEQUEUED = 4,
    /// A waiting call moved to another queue (`queue` when `has_queue`) or out of the ACD. (An
    /// answered call transferred: `CB_EVENT_CALL_ENDED`, then `CB_EVENT_CALL_ENTERED` of the same id.)
    CB_EVENT_CALL_TRANSFERRED = 5,
    /// An answered call's conversation ended: `call`, `talk_ms` (or `CB_TALK_FROM_ANSWER`),
    /// `hold_ms`.
    CB_EVENT_CALL_ENDED = 6,
    /// An agent finished after-call work: `agent`.
    CB_EVENT_AFTER_CALL_WORK_ENDED = 7,
    /// An agent changed state: `agent`, `reason` (`CB_AGENT_*`), `not_ready_reason`.
    CB_EVENT_AGENT_STATE = 8,
    /// An agent joined a queue: `agent`, `queue`.
    CB_EVENT_AGENT_JOINED_QUEUE = 9,
    /// An agent left a queue: `agent`, `queue`.
    CB_EVENT_AGENT_LEFT_QUEUE = 10,
}

c_codes!(cb_event_kind {
    CB_EVENT_CALL_ENTERED,
    CB_EVENT_CALL_ANSWERED,
    CB_EVENT_CALL_ABANDONED,
    CB_EVENT_CALL_DEQUEUED,
    CB_EVENT_CALL_TRANSFERRED,
    CB_EVENT_CALL_ENDED,
    CB_EVENT_AFTER_CALL_WORK_ENDED,
    CB_EVENT_AGENT_STATE,
    CB_EVENT_AGENT_JOINED_QUEUE,
    CB_EVENT_AGENT_LEFT_QUEUE
});

/// Dequeue reason: the queue's maximum wait ran out.
pub const CB_DEQUEUE_TIMEOUT: u32 = 0;

/// Dequeue reason: no agents were logged in or able to take the call.
pub const CB_DEQUEUE_NO_AGENTS: u32 = 1;

/// `talk_ms` of a `CB_EVENT_CALL_ENDED` for a switch that does not measure talk time: the talk
/// is everything from the answer to this event, less `hold_ms` (the center knows when the call
/// was answered). Asterisk's `queue_log` replayed by `callboard report` ends calls this way.
/// Added in 0.4.2; a library before it refuses the value as a talk longer than the call.
pub const CB_TALK_FROM_ANSWER: u64 = u64::MAX;

/// Dequeue reason: the caller chose to leave (pressed a key).
pub const CB_DEQUEUE_CALLER_OPTION: u32 = 2;

/// Dequeue reason: overflowed out of the ACD (voicemail, call-back, announcement).
pub const CB_DEQUEUE_OVERFLOW: u32 = 3;

/// Dequeue reason: removed by an administrator or application.
pub const CB_DEQUEUE_WITHDRAWN: u32 = 4;

/// Dequeue reason: lost when the switch restarted.
pub const CB_DEQUEUE_SYSTEM_RESTART: u32 = 5;

/// Agent state: logged out.
pub const CB_AGENT_LOGGED_OUT: u32 = 0;

/// Agent state: ready and idle.
pub const CB_AGENT_AVAILABLE: u32 = 1;

/// Agent state: a call is ringing at the station.
pub const CB_AGENT_RESERVED: u32 = 2;

/// Agent state: talking or holding.
pub const CB_AGENT_ON_CALL: u32 = 3;

/// Agent state: after-call work.
pub const CB_AGENT_AFTER_CALL_WORK: u32 = 4;

/// Agent state: logged in but not ready, with `not_ready_reason`.
pub const CB_AGENT_NOT_READY: u32 = 5;

/// One ACD event. `kind` (`CB_EVENT_*`) says which fields count; the others are ignored.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_event {
    /// When it happened: milliseconds since 1970-01-01T00:00:00Z.
    pub at_ms: u64,
    /// `CB_EVENT_*`.
    pub kind: u32,
    /// The call.
    pub call: u64,
    /// The queue (entered, joined, left, or a transfer's target when `has_queue`).
    pub queue: u32,
    /// Whether `queue` holds a transfer's target queue.
    pub has_queue: bool,
    /// The agent.
    pub agent: u32,
    /// Whether `agent` holds the answering agent.
    pub has_agent: bool,
    /// A call's priority in its queue (higher is served first).
    pub priority: u8,
    /// `CB_DEQUEUE_*` for a dequeue, `CB_AGENT_*` for an agent state.
    pub reason: u32,
    /// The not-ready reason code, for `CB_AGENT_NOT_READY`.
    pub not_ready_reason: u16,
    /// Talk time of an ended call, ms; `CB_TALK_FROM_ANSWER` when the switch does not measure
    /// it.
    pub talk_ms: u64,
    /// Hold time of an ended call, ms.
    pub hold_ms: u64,
}

impl From<EventError> for cb_status {
    fn from(error: EventError) -> Self {
        match error {
            EventError::UnknownQueue | EventError::UnknownCall | EventError::UnknownAgent => {
                CB_STATUS_UNKNOWN_ID
            }
            EventError::TooManyCalls | EventError::TooManyAgents => CB_STATUS_CAPACITY_EXCEEDED,
            EventError::TooLate | EventError::BeforePreviousEvent | EventError::ClockJump => {
                CB_STATUS_OUT_OF_ORDER
            }
            EventError::TimestampOutOfRange
            | EventError::ImpossibleDuration
            | EventError::TransferToSameQueue
            | EventError::Undecodable => CB_STATUS_INVALID_ARGUMENT,
            _ => CB_STATUS_CONFLICT,
        }
    }
}

fn event_of(event: &cb_event) -> Result<Event, cb_status> {
    let call = CallId(event.call);
    let queue = QueueId(event.queue);
    let agent = AgentId(event.agent);
    let Some(code) = cb_event_kind::from_code(event.kind) else {
        return Err(CB_STATUS_INVALID_ARGUMENT);
    };
    let kind = match code {
        cb_event_kind::CB_EVENT_CALL_ENTERED => {
            EventKind::CallEntered { call, queue, priority: event.priority }
        }
        cb_event_kind::CB_EVENT_CALL_ANSWERED => {
            EventKind::CallAnswered { call, agent: event.has_agent.then_some(agent) }
        }
        cb_event_kind::CB_EVENT_CALL_ABANDONED => EventKind::CallAbandoned { call },
        cb_event_kind::CB_EVENT_CALL_DEQUEUED => {
            let reason = match event.reason {
                CB_DEQUEUE_TIMEOUT => DequeueReason::Timeout,
                CB_DEQUEUE_NO_AGENTS => DequeueReason::NoAgents,
                CB_DEQUEUE_CALLER_OPTION => DequeueReason::CallerOption,
                CB_DEQUEUE_OVERFLOW => DequeueReason::Overflow,
                CB_DEQUEUE_WITHDRAWN => DequeueReason::Withdrawn,
                CB_DEQUEUE_SYSTEM_RESTART => DequeueReason::SystemRestart,
                _ => return Err(CB_STATUS_INVALID_ARGUMENT),
            };
            EventKind::CallDequeued { call, reason }
        }
        cb_event_kind::CB_EVENT_CALL_TRANSFERRED => {
            EventKind::CallTransferred { call, to: event.has_queue.then_some(queue) }
        }
        cb_event_kind::CB_EVENT_CALL_ENDED => {
            let talk_ms = (event.talk_ms != CB_TALK_FROM_ANSWER).then_some(event.talk_ms);
            EventKind::CallEnded { call, talk_ms, hold_ms: event.hold_ms }
        }
        cb_event_kind::CB_EVENT_AFTER_CALL_WORK_ENDED => EventKind::AfterCallWorkEnded { agent },
        cb_event_kind::CB_EVENT_AGENT_STATE => {
            let state = match event.reason {
                CB_AGENT_LOGGED_OUT => AgentState::LoggedOut,
                CB_AGENT_AVAILABLE => AgentState::Available,
                CB_AGENT_RESERVED => AgentState::Reserved,
                CB_AGENT_ON_CALL => AgentState::OnCall,
                CB_AGENT_AFTER_CALL_WORK => AgentState::AfterCallWork,
                CB_AGENT_NOT_READY => AgentState::NotReady(ReasonCode(event.not_ready_reason)),
                _ => return Err(CB_STATUS_INVALID_ARGUMENT),
            };
            EventKind::AgentStateChanged { agent, state }
        }
        cb_event_kind::CB_EVENT_AGENT_JOINED_QUEUE => EventKind::AgentJoinedQueue { agent, queue },
        cb_event_kind::CB_EVENT_AGENT_LEFT_QUEUE => EventKind::AgentLeftQueue { agent, queue },
    };
    Ok(Event::new(event.at_ms, kind))
}

/// Applies one ACD event. A refused event changes nothing but its count in the diagnostics:
/// every event passed (NULL aside) is counted once, applied or rejected, an unknown kind or
/// code included.
///
/// The order rules: events arrive in time order, or at most `reorder_tolerance_ms` older than
/// the newest seen (applied exactly as if in order); no event may be earlier than the previous
/// event of its call (call events) or of its agent (agent events; an answer is an event of its
/// call only, and the agent it names is not checked against the agent's history).
///
/// A call is in flight from its entry until it is abandoned, dequeued, transferred out of the
/// ACD or ended (`CB_EVENT_CALL_ENDED`); its id may then be used again at once, but not with an
/// earlier time. After `CB_EVENT_CALL_ENDED` the answering agent owes the call's after-call
/// work: its next state, if `CB_AGENT_AFTER_CALL_WORK`, starts it, and the state after that
/// (or `CB_EVENT_AFTER_CALL_WORK_ENDED`, which makes the agent available, so an
/// `CB_AGENT_AVAILABLE` right after it is `CB_STATUS_CONFLICT`) ends it; any other next state
/// means there was none. A transfer of an answered call is its `CB_EVENT_CALL_ENDED` (talk and
/// hold in this queue; it counts as answered and handled here) followed by
/// `CB_EVENT_CALL_ENTERED` of the same id in the queue it goes to (offered there anew);
/// `CB_EVENT_CALL_TRANSFERRED` is for a call still waiting. An ended call or a logged-out agent
/// with no queues keeps its slot (of `CB_MAX_CALLS`, `CB_MAX_AGENTS`) until the tolerance has
/// passed its last event.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`; `CB_STATUS_INVALID_ARGUMENT` (unknown kind or reason, an
/// impossible duration, a transfer to the same queue, a time beyond year 9999);
/// `CB_STATUS_UNKNOWN_ID` (queue, call or agent not known); `CB_STATUS_CONFLICT` (the event
/// contradicts what the center knows: a duplicate call, a call not waiting, an agent already in
/// that state, ...); `CB_STATUS_OUT_OF_ORDER` (older than the reorder tolerance, before an
/// entity's previous event, or a clock jump beyond the configured maximum);
/// `CB_STATUS_CAPACITY_EXCEEDED` (`CB_MAX_CALLS` calls or `CB_MAX_AGENTS` agents).
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `event` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_apply(
    center: *mut cb_center,
    event: *const cb_event,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            let event =
                event_of(borrow(event)?).inspect_err(|_| state.refuse_undecodable_event())?;
            Ok(state.apply(&event)?)
        })
    }
}

/// Moves the center's clock forward to `now_ms` with no event (a quiet moment): waits grow,
/// intervals close. The clock never moves back: a time at or before it changes nothing.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (beyond year 9999),
/// `CB_STATUS_OUT_OF_ORDER` (further ahead than `max_clock_jump_ms`; the clock stays).
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_advance_to(center: *mut cb_center, now_ms: u64) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { with_handle_mut(center, |state| Ok(state.advance_to(now_ms)?)) }
}
