//! A center's figures for C: a queue now (the wallboard's snapshot), and a queue's interval and
//! day figures under the normative definitions on `cb_period`.

use callboard_core::calendar::LocalDate;
use callboard_core::center::ReadError;
use callboard_core::event::QueueId;
use callboard_core::interval::IntervalStats;

use crate::boundary::{check_out, fill_defined, read_into, with_handle_mut, write_out};
use crate::cb_status;
use crate::center::cb_center;
use crate::status::*;

/// Member agents of a queue by state.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_agent_counts {
    /// Logged out.
    pub logged_out: u32,
    /// Ready and idle.
    pub available: u32,
    /// A call ringing at the station.
    pub reserved: u32,
    /// Talking or holding.
    pub on_call: u32,
    /// After-call work.
    pub after_call_work: u32,
    /// Logged in, not ready.
    pub not_ready: u32,
}

/// `cb_period.defined`: `sl_answered` holds a value.
pub const CB_PERIOD_SL_ANSWERED: u32 = 1 << 0;

/// `cb_period.defined`: `sl_offered` holds a value.
pub const CB_PERIOD_SL_OFFERED: u32 = 1 << 1;

/// `cb_period.defined`: `sl_abandons_ignored` holds a value.
pub const CB_PERIOD_SL_ABANDONS_IGNORED: u32 = 1 << 2;

/// `cb_period.defined`: `sl_abandons_positive` holds a value.
pub const CB_PERIOD_SL_ABANDONS_POSITIVE: u32 = 1 << 3;

/// `cb_period.defined`: `asa_seconds` holds a value.
pub const CB_PERIOD_ASA: u32 = 1 << 4;

/// `cb_period.defined`: `aht_seconds` holds a value.
pub const CB_PERIOD_AHT: u32 = 1 << 5;

/// `cb_period.defined`: `average_abandon_seconds` holds a value.
pub const CB_PERIOD_AVERAGE_ABANDON: u32 = 1 << 6;

/// `cb_period.defined`: `max_wait_seconds` holds a value.
pub const CB_PERIOD_MAX_WAIT: u32 = 1 << 7;

/// `cb_period.defined`: `abandon_rate` holds a value.
pub const CB_PERIOD_ABANDON_RATE: u32 = 1 << 8;

/// `cb_period.defined`: `occupancy` holds a value.
pub const CB_PERIOD_OCCUPANCY: u32 = 1 << 9;

/// A queue's figures for an interval or a day. These definitions are normative: a figure that
/// disagrees with them is a bug in libcallboard.
///
/// Terms. **T** is the queue's service-level threshold in ms (`sl_seconds` × 1000, or
/// `sl_rings` × `ring_cadence_ms` when `sl_rings` > 0); **S** its `short_abandon_ms`. A call's
/// **wait** in a queue runs from its entry (`CB_EVENT_CALL_ENTERED`, or the transfer that
/// brought it there) to its answer, abandon, dequeue or transfer out; while it still waits,
/// its wait so far is the center's clock minus its entry. **The period a call is counted in**
/// is the interval (or local day) containing its entry with `CB_ATTRIBUTION_ENTRY`, or the one
/// containing the moment it left the queue with `CB_ATTRIBUTION_EXIT` (a call still waiting is
/// then counted in the period containing the clock). Everything about a call (its entry,
/// outcome, wait, talk, hold and after-call work) is counted in that one period. Agents' time
/// is counted where it happens, split at the periods' bounds, in every queue the agent is a
/// member of, up to the center's clock. A day is the site's local day (`utc_offset_minutes`
/// and `dst_rule`), 23 or 25 hours long on the days the clocks change; a day's figures are sums
/// of counters, never averages of the intervals' ratios.
///
/// Always `offered` = `answered` + `abandoned` + `dequeued` + `transferred_out` + `waiting`.
/// **Net offered** = `offered` − `short_abandoned`; **net abandoned** = `abandoned` −
/// `short_abandoned`; **missed waiting** = `waiting_past_sl` (a call counts as missed the
/// moment its wait passes T, even before it leaves the queue).
///
/// Ratios (each 0 with its bit clear in `defined` when its denominator is 0):
/// - `sl_answered` = `answered_within_sl` / (`answered` + missed waiting);
/// - `sl_offered` = `answered_within_sl` / (`answered` + net abandoned + `dequeued` + missed
///   waiting);
/// - `sl_abandons_ignored` = `answered_within_sl` / (net offered − (`waiting` − missed
///   waiting) − `abandoned_within_sl`);
/// - `sl_abandons_positive` = (`answered_within_sl` + `abandoned_within_sl`) / (net offered −
///   (`waiting` − missed waiting));
/// - `asa_seconds` = the answered calls' waits summed / `answered`;
/// - `aht_seconds` = (talk + hold + after-call work of the handled calls) / `handled`, where
///   talk and hold are `CB_EVENT_CALL_ENDED`'s `talk_ms` and `hold_ms`, and after-call work is
///   the answering agent's time in `CB_AGENT_AFTER_CALL_WORK` that followed the call's end, up
///   to the agent's next state;
/// - `average_abandon_seconds` = the abandoned calls' waits summed (short abandons included)
///   / `abandoned`;
/// - `max_wait_seconds` = the longest wait of any call counted (defined when `offered` > 0),
///   a waiting call's wait so far included;
/// - `abandon_rate` = net abandoned / net offered;
/// - `occupancy` = handle / (handle + available), where handle is the member agents' time in
///   `CB_AGENT_ON_CALL` and `CB_AGENT_AFTER_CALL_WORK` and available their time in
///   `CB_AGENT_AVAILABLE` (reserved and not-ready time count in neither).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_period {
    /// First instant, ms since the epoch.
    pub start_ms: u64,
    /// First instant after, ms since the epoch.
    pub end_ms: u64,
    /// Calls counted here: calls that entered the queue (a transfer into it is an entry).
    pub offered: u32,
    /// Of those, answered by an agent.
    pub answered: u32,
    /// Answered with a wait ≤ T (inclusive).
    pub answered_within_sl: u32,
    /// Callers who hung up while waiting, short abandons included.
    pub abandoned: u32,
    /// Abandoned with a wait < S (strictly).
    pub short_abandoned: u32,
    /// Abandoned, not short, with a wait ≤ T.
    pub abandoned_within_sl: u32,
    /// Calls whose wait the system ended (`CB_EVENT_CALL_DEQUEUED`); never abandoned.
    pub dequeued: u32,
    /// Calls moved to another queue or out of the ACD while waiting.
    pub transferred_out: u32,
    /// Calls still waiting at the center's clock.
    pub waiting: u32,
    /// Of those, waiting longer than T (strictly) already.
    pub waiting_past_sl: u32,
    /// Answered calls whose `CB_EVENT_CALL_ENDED` was applied.
    pub handled: u32,
    /// `CB_PERIOD_*` bits of the ratios below that hold values.
    pub defined: u32,
    /// Service level, answered variant (see above).
    pub sl_answered: f64,
    /// Service level, offered ("abandons negative") variant.
    pub sl_offered: f64,
    /// Service level, abandons-ignored variant.
    pub sl_abandons_ignored: f64,
    /// Service level, abandons-positive variant.
    pub sl_abandons_positive: f64,
    /// Average speed of answer, seconds.
    pub asa_seconds: f64,
    /// Average handle time, seconds.
    pub aht_seconds: f64,
    /// Average wait of abandoned calls (short abandons included), seconds.
    pub average_abandon_seconds: f64,
    /// Longest wait of any call counted, seconds.
    pub max_wait_seconds: f64,
    /// Net abandoned / net offered.
    pub abandon_rate: f64,
    /// Member agents' occupancy.
    pub occupancy: f64,
}

/// A queue as a wallboard shows it now.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_queue_snapshot {
    /// The instant described: the center's clock, ms since the epoch.
    pub at_ms: u64,
    /// The service-level threshold, ms.
    pub sl_threshold_ms: u64,
    /// Calls waiting now.
    pub waiting: u32,
    /// Whether `longest_wait_ms` holds a value (a call is waiting).
    pub has_longest_wait: bool,
    /// How long the oldest waiting call has waited, ms.
    pub longest_wait_ms: u64,
    /// Whether `expected_wait_ms` holds a value: false while the default estimator lacks an
    /// input (no agent serving, no call ended yet).
    pub has_expected_wait: bool,
    /// The expected wait of a caller joining now, ms, by the default estimator
    /// (`CB_WAIT_DEFAULT`): what the reader boards show.
    pub expected_wait_ms: u64,
    /// Member agents by state.
    pub agents: cb_agent_counts,
    /// The interval in progress.
    pub current_interval: cb_period,
    /// Today so far (the local day of `at_ms`).
    pub today: cb_period,
}

/// The status of each reason a reading has no answer: the core gives the reason, this is the
/// one place it becomes a status.
impl From<ReadError> for cb_status {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::UnknownQueue | ReadError::UnknownCall => CB_STATUS_UNKNOWN_ID,
            ReadError::NoClock | ReadError::NotKept => CB_STATUS_NOT_KEPT,
            ReadError::NotWaiting => CB_STATUS_CONFLICT,
            // Unknown(_), and whatever a later core adds: an honest "cannot say yet".
            _ => CB_STATUS_MISSING_INPUT,
        }
    }
}

fn period_of(start_ms: u64, end_ms: u64, stats: &IntervalStats) -> cb_period {
    let mut out = cb_period {
        start_ms,
        end_ms,
        offered: stats.offered,
        answered: stats.answered,
        answered_within_sl: stats.answered_within_sl,
        abandoned: stats.abandoned,
        short_abandoned: stats.short_abandoned,
        abandoned_within_sl: stats.abandoned_within_sl,
        dequeued: stats.dequeued,
        transferred_out: stats.transferred_out,
        waiting: stats.waiting,
        waiting_past_sl: stats.waiting_past_sl,
        handled: stats.handled,
        ..cb_period::default()
    };
    let figures = stats.figures();
    let sl = figures.service_level;
    out.defined = fill_defined([
        (CB_PERIOD_SL_ANSWERED, sl.answered, &mut out.sl_answered),
        (CB_PERIOD_SL_OFFERED, sl.offered, &mut out.sl_offered),
        (CB_PERIOD_SL_ABANDONS_IGNORED, sl.abandons_ignored, &mut out.sl_abandons_ignored),
        (CB_PERIOD_SL_ABANDONS_POSITIVE, sl.abandons_positive, &mut out.sl_abandons_positive),
        (CB_PERIOD_ASA, figures.asa_seconds, &mut out.asa_seconds),
        (CB_PERIOD_AHT, figures.aht_seconds, &mut out.aht_seconds),
        (
            CB_PERIOD_AVERAGE_ABANDON,
            figures.average_abandon_seconds,
            &mut out.average_abandon_seconds,
        ),
        (CB_PERIOD_MAX_WAIT, figures.max_wait_seconds, &mut out.max_wait_seconds),
        (CB_PERIOD_ABANDON_RATE, figures.abandon_rate, &mut out.abandon_rate),
        (CB_PERIOD_OCCUPANCY, figures.occupancy, &mut out.occupancy),
    ]);
    out
}

/// A queue as a wallboard shows it now: waiting calls, the longest wait, agents by state, the
/// interval in progress and today so far.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID` (no such queue),
/// `CB_STATUS_NOT_KEPT` (no event yet, so no clock). `*out` is written only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_queue_snapshot`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_snapshot(
    center: *const cb_center,
    queue: u32,
    out: *mut cb_queue_snapshot,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        read_into(center, out, |state| {
            let snapshot = state.snapshot(QueueId(queue))?;
            let agents = snapshot.agents;
            let interval = snapshot.current_interval;
            let today = snapshot.today_stats;
            Ok(cb_queue_snapshot {
                at_ms: snapshot.at,
                sl_threshold_ms: snapshot.service_level_threshold_ms,
                waiting: snapshot.waiting,
                has_longest_wait: snapshot.longest_wait_ms.is_some(),
                longest_wait_ms: snapshot.longest_wait_ms.unwrap_or(0),
                has_expected_wait: snapshot.expected_wait_ms.is_some(),
                expected_wait_ms: snapshot.expected_wait_ms.unwrap_or(0),
                agents: cb_agent_counts {
                    logged_out: agents.logged_out,
                    available: agents.available,
                    reserved: agents.reserved,
                    on_call: agents.on_call,
                    after_call_work: agents.after_call_work,
                    not_ready: agents.not_ready,
                },
                current_interval: period_of(interval.start, interval.end, &interval.stats),
                today: period_of(today.start, today.end, &today.stats),
            })
        })
    }
}

/// A queue's figures for the interval starting at `start_ms` (an interval boundary), including
/// what is live now, as long as it is kept: from the interval of the center's first event (or
/// the queue's addition) to the interval of the clock, among the last `CB_MAX_INTERVALS` up to
/// it, and not taken out by `cb_center_pop_settled_interval`. An interval kept in which nothing
/// happened answers zeros; one not kept never does.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID` (no such queue),
/// `CB_STATUS_NOT_KEPT` (not a boundary, no clock yet, before the first event, after the clock's
/// interval, or evicted). `*out` is written only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_period`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_interval(
    center: *const cb_center,
    queue: u32,
    start_ms: u64,
    out: *mut cb_period,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        read_into(center, out, |state| {
            let report = state.interval(QueueId(queue), start_ms)?;
            Ok(period_of(report.start, report.end, &report.stats))
        })
    }
}

/// Takes out the oldest settled interval of any queue: one that has ended, whose reorder
/// tolerance has passed, and none of whose calls is still in flight (its figures can no longer
/// change). Its queue goes to `*queue` and its figures to `*out`; it is then no longer kept
/// (`cb_center_interval` answers `CB_STATUS_NOT_KEPT` for it). Call it after applying events,
/// until it answers `CB_STATUS_NOT_KEPT`, to archive every interval of a feed of any length;
/// an interval not taken before `CB_MAX_INTERVALS` newer ones exist is evicted (counted in
/// `intervals_evicted`).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_NOT_KEPT` (no interval is settled yet).
/// `*queue` and `*out` are written only on `CB_STATUS_OK`.
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `queue` NULL or writable for a `uint32_t`; `out` NULL or
/// writable for a `cb_period`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_pop_settled_interval(
    center: *mut cb_center,
    queue: *mut u32,
    out: *mut cb_period,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            check_out(queue)?;
            check_out(out)?;
            let (id, report) = state.pop_settled_interval().ok_or(CB_STATUS_NOT_KEPT)?;
            write_out(queue, id.0);
            write_out(out, period_of(report.start, report.end, &report.stats));
            Ok(())
        })
    }
}

/// A queue's figures for the local day `year`-`month`-`day`, including what is live now, as
/// long as it is kept: from the day of the center's first event to today, among the last
/// `CB_MAX_DAYS` days up to today.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (no such date),
/// `CB_STATUS_UNKNOWN_ID` (no such queue), `CB_STATUS_NOT_KEPT` (no clock yet, before the first
/// event, after today, or older than the days kept). `*out` is
/// written only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_period`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_day(
    center: *const cb_center,
    queue: u32,
    year: i32,
    month: u8,
    day: u8,
    out: *mut cb_period,
) -> cb_status {
    let Ok(date) = LocalDate::new(year, month, day) else {
        return CB_STATUS_INVALID_ARGUMENT;
    };
    // SAFETY: forwarded caller contract.
    unsafe {
        read_into(center, out, |state| {
            let report = state.day(QueueId(queue), date)?;
            Ok(period_of(report.start, report.end, &report.stats))
        })
    }
}
