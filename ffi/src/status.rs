//! `cb_status`: what every function returns.

use callboard_core::erlang::ErlangError;

/// The outcome of every `cb_` function that can fail. Out-parameters are written only when the
/// answer is `CB_STATUS_OK`. The numbers are part of the ABI and never change meaning.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_status {
    /// Success.
    CB_STATUS_OK = 0,
    /// A pointer argument that must not be NULL was NULL.
    CB_STATUS_NULL_ARGUMENT = 1,
    /// An argument is out of its documented range (negative traffic, zero handle time, an
    /// unknown model, ...).
    CB_STATUS_INVALID_ARGUMENT = 2,
    /// An id (queue, call, agent) the center does not know.
    CB_STATUS_UNKNOWN_ID = 3,
    /// A fixed capacity (queues, calls in flight, agents, history) is full.
    CB_STATUS_CAPACITY_EXCEEDED = 4,
    /// An event is older than the center accepts, or contradicts an entity's history.
    CB_STATUS_OUT_OF_ORDER = 5,
    /// An output buffer is too short; the needed length was written to the length out-parameter.
    CB_STATUS_BUFFER_TOO_SMALL = 6,
    /// A pointer or caller-provided memory is not aligned as its type requires.
    CB_STATUS_MISALIGNED = 7,
    /// The model has no answer for these inputs: Erlang C with traffic at or above the agents.
    CB_STATUS_MODEL_UNDEFINED = 8,
    /// No staffing up to 1,000,000 agents meets the targets.
    CB_STATUS_UNREACHABLE = 9,
    /// A required input is missing (a staffing search with no target; a time-based figure or
    /// target without the handle time).
    CB_STATUS_MISSING_INPUT = 10,
    /// A checkpoint is damaged, from another version, or for a different center layout.
    CB_STATUS_INVALID_CHECKPOINT = 11,
    /// The event or request contradicts what the center knows: a call id already in flight, a
    /// call that is not waiting, an agent already in that state, a queue id that exists, ...
    CB_STATUS_CONFLICT = 12,
    /// The interval, day or figure asked for is not (or no longer) kept, or there is nothing to
    /// show yet (no event has set the clock).
    CB_STATUS_NOT_KEPT = 13,
    /// The handle was poisoned by an earlier internal panic; free it.
    CB_STATUS_POISONED = 254,
    /// An internal panic was caught at the boundary: a bug in libcallboard. The handle involved
    /// is poisoned; every other handle is unaffected.
    CB_STATUS_PANIC = 255,
}

pub use cb_status::*;

impl cb_status {
    /// The status's description: a static, NUL-terminated English sentence.
    pub(crate) const fn describe(self) -> &'static core::ffi::CStr {
        match self {
            CB_STATUS_OK => c"success",
            CB_STATUS_NULL_ARGUMENT => c"a pointer argument was NULL",
            CB_STATUS_INVALID_ARGUMENT => c"an argument is out of its range",
            CB_STATUS_UNKNOWN_ID => c"unknown queue, call or agent id",
            CB_STATUS_CAPACITY_EXCEEDED => c"a fixed capacity is full",
            CB_STATUS_OUT_OF_ORDER => c"the event is out of order or contradicts history",
            CB_STATUS_BUFFER_TOO_SMALL => c"the output buffer is too small",
            CB_STATUS_MISALIGNED => c"the memory is not suitably aligned",
            CB_STATUS_MODEL_UNDEFINED => {
                c"the model is undefined here (Erlang C needs more agents than traffic)"
            }
            CB_STATUS_UNREACHABLE => c"no staffing up to 1,000,000 agents meets the targets",
            CB_STATUS_MISSING_INPUT => c"a required input is missing",
            CB_STATUS_INVALID_CHECKPOINT => c"the checkpoint is damaged or incompatible",
            CB_STATUS_CONFLICT => c"the event contradicts what the center knows",
            CB_STATUS_NOT_KEPT => c"not kept, or nothing to show yet",
            CB_STATUS_POISONED => c"the handle was poisoned by an earlier internal panic",
            CB_STATUS_PANIC => c"internal panic (a bug in libcallboard)",
        }
    }

    /// Every status.
    pub(crate) const ALL_STATUSES: [Self; 16] = [
        CB_STATUS_OK,
        CB_STATUS_NULL_ARGUMENT,
        CB_STATUS_INVALID_ARGUMENT,
        CB_STATUS_UNKNOWN_ID,
        CB_STATUS_CAPACITY_EXCEEDED,
        CB_STATUS_OUT_OF_ORDER,
        CB_STATUS_BUFFER_TOO_SMALL,
        CB_STATUS_MISALIGNED,
        CB_STATUS_MODEL_UNDEFINED,
        CB_STATUS_UNREACHABLE,
        CB_STATUS_MISSING_INPUT,
        CB_STATUS_INVALID_CHECKPOINT,
        CB_STATUS_CONFLICT,
        CB_STATUS_NOT_KEPT,
        CB_STATUS_POISONED,
        CB_STATUS_PANIC,
    ];
}

impl From<ErlangError> for cb_status {
    fn from(error: ErlangError) -> Self {
        match error {
            ErlangError::Unstable => CB_STATUS_MODEL_UNDEFINED,
            ErlangError::Unreachable => CB_STATUS_UNREACHABLE,
            ErlangError::NoTarget | ErlangError::HandleTimeRequired => CB_STATUS_MISSING_INPUT,
            _ => CB_STATUS_INVALID_ARGUMENT,
        }
    }
}

/// The description of a status number, including numbers no status has.
pub(crate) fn describe_number(number: u32) -> &'static core::ffi::CStr {
    cb_status::ALL_STATUSES
        .iter()
        .find(|status| **status as u32 == number)
        .map_or(c"unknown status", |status| status.describe())
}
