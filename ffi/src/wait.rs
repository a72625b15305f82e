//! Expected waits for C: what to announce to a caller joining a queue now, or to one waiting,
//! by each of the core's estimators.

use callboard_core::center::ReadError;
use callboard_core::event::{CallId, QueueId};
use callboard_core::wait::WaitEstimator;

use crate::boundary::c_codes;
use crate::boundary::read_into;
use crate::cb_status;
use crate::center::{CenterState, cb_center};
use crate::status::*;

/// An expected-wait estimator (`cb_center_expected_wait`, `cb_center_call_expected_wait`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_wait_estimator {
    /// Expected-wait estimator: Σ 1/(sμ + iθ), the queue-length estimator with callers ahead giving
    /// up.
    CB_WAIT_QUEUE_LENGTH_ABANDONMENT = 0,
    /// Expected-wait estimator: (k + 1)/(sμ), places in line over the agents' service rate.
    CB_WAIT_QUEUE_LENGTH = 1,
    /// Expected-wait estimator: the head-of-line caller's wait, scaled to the caller's place.
    CB_WAIT_HEAD_OF_LINE = 2,
    /// Expected-wait estimator: the wait of the last caller answered.
    CB_WAIT_LAST_TO_ENTER_SERVICE = 3,
    /// Expected-wait estimator: Asterisk's announced hold time, reproduced exactly (a baseline).
    CB_WAIT_ASTERISK = 4,
    /// Expected-wait estimator: Σ 1/(r + iθ), with r the rate the line was measured to move by
    /// answers while callers waited (the agents' sμ until it has been seen to move).
    CB_WAIT_LINE_RATE = 5,
}

c_codes!(cb_wait_estimator {
    CB_WAIT_QUEUE_LENGTH_ABANDONMENT,
    CB_WAIT_QUEUE_LENGTH,
    CB_WAIT_HEAD_OF_LINE,
    CB_WAIT_LAST_TO_ENTER_SERVICE,
    CB_WAIT_ASTERISK,
    CB_WAIT_LINE_RATE
});

/// The default expected-wait estimator, `CB_WAIT_LINE_RATE`: the snapshot's `expected_wait_ms`
/// and the reader boards use it.
pub const CB_WAIT_DEFAULT: u32 = 5;

/// The core's estimator for a `cb_wait_estimator` code.
fn estimator(code: u32) -> Result<WaitEstimator, cb_status> {
    Ok(match cb_wait_estimator::from_code(code).ok_or(CB_STATUS_INVALID_ARGUMENT)? {
        cb_wait_estimator::CB_WAIT_QUEUE_LENGTH_ABANDONMENT => {
            WaitEstimator::QueueLengthAbandonment
        }
        cb_wait_estimator::CB_WAIT_QUEUE_LENGTH => WaitEstimator::QueueLength,
        cb_wait_estimator::CB_WAIT_HEAD_OF_LINE => WaitEstimator::HeadOfLine,
        cb_wait_estimator::CB_WAIT_LAST_TO_ENTER_SERVICE => WaitEstimator::LastToEnterService,
        cb_wait_estimator::CB_WAIT_ASTERISK => WaitEstimator::Asterisk,
        cb_wait_estimator::CB_WAIT_LINE_RATE => WaitEstimator::LineRate,
    })
}

/// The expected wait of a caller who would join `queue` now, in ms, by `estimator`
/// (`CB_WAIT_*`; the definitions are in the core's `wait` module).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (no such estimator),
/// `CB_STATUS_UNKNOWN_ID` (no such queue), `CB_STATUS_NOT_KEPT` (no event yet, so no clock),
/// `CB_STATUS_MISSING_INPUT` (the estimator lacks an input: no agent serving, no call ended yet,
/// no one waiting or answered yet — an honest "unknown", never a guess). `*out_ms` is written
/// only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out_ms` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_expected_wait(
    center: *const cb_center,
    queue: u32,
    estimator_code: u32,
    out_ms: *mut u64,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { answer(center, estimator_code, out_ms, |s, e| s.expected_wait(QueueId(queue), e)) }
}

/// The expected remaining wait of `call`, waiting now, in ms, by `estimator` (`CB_WAIT_*`):
/// what to announce to that caller. Callers of higher priority, then those who entered earlier,
/// are ahead of it.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (no such estimator),
/// `CB_STATUS_UNKNOWN_ID` (no such call), `CB_STATUS_CONFLICT` (the call is not waiting),
/// `CB_STATUS_MISSING_INPUT` (the estimator lacks an input). `*out_ms` is written only on
/// `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out_ms` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_call_expected_wait(
    center: *const cb_center,
    call: u64,
    estimator_code: u32,
    out_ms: *mut u64,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { answer(center, estimator_code, out_ms, |s, e| s.call_expected_wait(CallId(call), e)) }
}

/// What both expected waits share: the estimator of `code`, `estimate` with it, the answer in
/// `*out_ms` only when there is one.
///
/// # Safety
/// `center` NULL or live; `out_ms` NULL or writable.
unsafe fn answer(
    center: *const cb_center,
    code: u32,
    out_ms: *mut u64,
    estimate: impl FnOnce(&CenterState, WaitEstimator) -> Result<u64, ReadError>,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { read_into(center, out_ms, |state| Ok(estimate(state, estimator(code)?)?)) }
}
