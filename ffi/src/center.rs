//! A contact center for C: create it (on the heap or in caller memory), configure queues,
//! feed ACD events, and read live snapshots, interval and day figures and CSAT.
//!
//! Thread-safety, for every function taking a `cb_center`: a center is not synchronized.
//! Functions taking `cb_center *` must not run concurrently with any other call on the same
//! center; functions taking `const cb_center *` may run concurrently with each other. Different
//! centers are independent.

use callboard_core::calendar::{DstRule, IntervalLength, LocalDate, SiteCalendar, UtcOffset};
use callboard_core::center::CallWaitError;
use callboard_core::center::{Attribution, CheckpointError, ConfigError, EventError};
use callboard_core::csat::{
    BASELINE_QUESTIONS, CsatConfig, CsatError, CsatFigureKind, CsatScale, CsatValue, SurveyResponse,
};
use callboard_core::event::{AgentId, AgentState, CallId, DequeueReason, QueueId, ReasonCode};
use callboard_core::interval::IntervalStats;
use callboard_core::service_level::{ServiceLevelThreshold, ServiceLevelVariant};
use callboard_core::wait::{WaitEstimator, WaitUnknown};
use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};

use crate::boundary::{Handle, borrow, check_out, guard, with_handle, with_handle_mut, write_out};
use crate::cb_status;
use crate::status::*;

/// Queues a center holds.
pub const CB_MAX_QUEUES: u32 = 32;
/// Calls in flight (waiting, talking or wrapping up) a center holds at once.
pub const CB_MAX_CALLS: u32 = 4096;
/// Agents a center knows.
pub const CB_MAX_AGENTS: u32 = 1024;
/// Intervals kept per queue: a day of 15-minute intervals.
pub const CB_MAX_INTERVALS: u32 = 96;
/// Local days kept per queue (and for CSAT).
pub const CB_MAX_DAYS: u32 = 8;

type CenterState = Center<32, 4096, 1024, 96, 8>;

const _: () = assert!(
    CB_MAX_QUEUES == 32
        && CB_MAX_CALLS == 4096
        && CB_MAX_AGENTS == 1024
        && CB_MAX_INTERVALS == 96
        && CB_MAX_DAYS == 8
);

/// A contact center: its queues, calls in flight, agents, interval and day figures and CSAT.
/// Opaque; `cb_center_size()` bytes aligned to `cb_center_align()`.
///
/// Stack: built for release, every `cb_center_` call fits in 256 KB of the calling thread's
/// stack at these capacities (tested); `cb_center_restore` needs the most (about 224 KB
/// measured), every other call under 64 KB.
///
/// Thread-safety (the rule every `cb_center_` function refers to): a center is not
/// synchronized. A call taking `cb_center *` needs exclusive use of that center for its
/// duration; calls taking `const cb_center *` may run concurrently with each other, but not with
/// a call taking `cb_center *`. Different centers are independent.
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct cb_center {
    state: CenterState,
    /// An internal panic left the state unknown: every later call is refused.
    poisoned: bool,
    /// Made by `cb_center_new` (freed by `cb_center_free`) rather than in caller memory.
    on_heap: bool,
}

/// An empty center, written into place by copying: constructing one by value would put a copy
/// of its megabytes on the stack, which an embedded switch's thread may not have.
const EMPTY: cb_center =
    cb_center { state: CenterState::new(CenterConfig::DEFAULT), poisoned: false, on_heap: false };

/// No daylight saving.
pub const CB_DST_NONE: u32 = 0;
/// United States rule: second Sunday of March to first Sunday of November.
pub const CB_DST_US: u32 = 1;
/// European Union rule: last Sunday of March to last Sunday of October.
pub const CB_DST_EU: u32 = 2;

/// Count each call in the interval it entered the queue.
pub const CB_ATTRIBUTION_ENTRY: u32 = 0;
/// Count each call in the interval it left the queue.
pub const CB_ATTRIBUTION_EXIT: u32 = 1;

/// The previous day's CSAT is the mean score.
pub const CB_CSAT_MEAN_SCORE: u32 = 0;
/// The previous day's CSAT is the share of responses in the top two points of the scale.
pub const CB_CSAT_TOP_TWO_BOX: u32 = 1;

/// A center's configuration. `cb_center_config_default` fills in the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct cb_center_config {
    /// The site's standard offset from UTC in minutes (New York: -300).
    pub utc_offset_minutes: i32,
    /// `CB_DST_NONE`, `CB_DST_US` or `CB_DST_EU`.
    pub dst_rule: u32,
    /// Interval length in minutes: 15, 30 or 60.
    pub interval_minutes: u32,
    /// `CB_ATTRIBUTION_ENTRY` or `CB_ATTRIBUTION_EXIT`.
    pub attribution: u32,
    /// How far back (ms) an event may arrive out of order and still be applied exactly.
    pub reorder_tolerance_ms: u64,
    /// The largest forward jump of the clock (ms) accepted in one event or one
    /// `cb_center_advance_to` (default 31 days); `UINT64_MAX` for no limit. A jump's cost is
    /// bounded by what the center keeps, whatever its length.
    pub max_clock_jump_ms: u64,
    /// The survey's lowest score (e.g. 1).
    pub csat_scale_lowest: u8,
    /// The survey's highest score (e.g. 5).
    pub csat_scale_highest: u8,
    /// Fewest responses for a day's CSAT to be posted.
    pub csat_minimum_sample: u32,
    /// `CB_CSAT_MEAN_SCORE` or `CB_CSAT_TOP_TWO_BOX`.
    pub csat_figure: u32,
}

/// A queue's configuration. The service-level threshold is `sl_seconds`, or, when `sl_rings`
/// is above 0, `sl_rings` rings of `ring_cadence_ms` each ("answered by the third ring").
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct cb_queue_config {
    /// Service-level threshold in seconds (used when `sl_rings` is 0).
    pub sl_seconds: u32,
    /// Service-level threshold in rings, or 0.
    pub sl_rings: u32,
    /// Length of one ring cycle in milliseconds (North America: 6000).
    pub ring_cadence_ms: u32,
    /// Callers who hang up sooner than this are short abandons, left out of net figures.
    pub short_abandon_ms: u64,
}

/// A call entered a queue: `call`, `queue`, `priority`.
pub const CB_EVENT_CALL_ENTERED: u32 = 1;
/// An agent answered a waiting call: `call`, and `agent` when `has_agent`.
pub const CB_EVENT_CALL_ANSWERED: u32 = 2;
/// The caller hung up while waiting: `call`.
pub const CB_EVENT_CALL_ABANDONED: u32 = 3;
/// The system ended a call's wait: `call`, `reason` (`CB_DEQUEUE_*`).
pub const CB_EVENT_CALL_DEQUEUED: u32 = 4;
/// A waiting call moved to another queue (`queue` when `has_queue`) or out of the ACD. (An
/// answered call transferred: `CB_EVENT_CALL_ENDED`, then `CB_EVENT_CALL_ENTERED` of the same id.)
pub const CB_EVENT_CALL_TRANSFERRED: u32 = 5;
/// An answered call's conversation ended: `call`, `talk_ms`, `hold_ms`.
pub const CB_EVENT_CALL_ENDED: u32 = 6;
/// An agent finished after-call work: `agent`.
pub const CB_EVENT_AFTER_CALL_WORK_ENDED: u32 = 7;
/// An agent changed state: `agent`, `reason` (`CB_AGENT_*`), `not_ready_reason`.
pub const CB_EVENT_AGENT_STATE: u32 = 8;
/// An agent joined a queue: `agent`, `queue`.
pub const CB_EVENT_AGENT_JOINED_QUEUE: u32 = 9;
/// An agent left a queue: `agent`, `queue`.
pub const CB_EVENT_AGENT_LEFT_QUEUE: u32 = 10;

/// Dequeue reason: the queue's maximum wait ran out.
pub const CB_DEQUEUE_TIMEOUT: u32 = 0;
/// Dequeue reason: no agents were logged in or able to take the call.
pub const CB_DEQUEUE_NO_AGENTS: u32 = 1;
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
#[allow(non_camel_case_types)]
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
    /// Talk time of an ended call, ms.
    pub talk_ms: u64,
    /// Hold time of an ended call, ms.
    pub hold_ms: u64,
}

/// Member agents of a queue by state.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
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
#[allow(non_camel_case_types)]
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
#[allow(non_camel_case_types)]
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

/// Expected-wait estimator: Σ 1/(sμ + iθ), the queue-length estimator with callers ahead giving
/// up.
pub const CB_WAIT_QUEUE_LENGTH_ABANDONMENT: u32 = 0;
/// Expected-wait estimator: (k + 1)/(sμ), places in line over the agents' service rate.
pub const CB_WAIT_QUEUE_LENGTH: u32 = 1;
/// Expected-wait estimator: the head-of-line caller's wait, scaled to the caller's place.
pub const CB_WAIT_HEAD_OF_LINE: u32 = 2;
/// Expected-wait estimator: the wait of the last caller answered.
pub const CB_WAIT_LAST_TO_ENTER_SERVICE: u32 = 3;
/// Expected-wait estimator: Asterisk's announced hold time, reproduced exactly (a baseline).
pub const CB_WAIT_ASTERISK: u32 = 4;
/// Expected-wait estimator: Σ 1/(r + iθ), with r the rate the line was measured to move by
/// answers while callers waited (the agents' sμ until it has been seen to move).
pub const CB_WAIT_LINE_RATE: u32 = 5;
/// The default expected-wait estimator, `CB_WAIT_LINE_RATE`: the snapshot's `expected_wait_ms`
/// and the reader boards use it.
pub const CB_WAIT_DEFAULT: u32 = 5;

fn estimator(code: u32) -> Result<WaitEstimator, cb_status> {
    match code {
        CB_WAIT_QUEUE_LENGTH_ABANDONMENT => Ok(WaitEstimator::QueueLengthAbandonment),
        CB_WAIT_QUEUE_LENGTH => Ok(WaitEstimator::QueueLength),
        CB_WAIT_HEAD_OF_LINE => Ok(WaitEstimator::HeadOfLine),
        CB_WAIT_LAST_TO_ENTER_SERVICE => Ok(WaitEstimator::LastToEnterService),
        CB_WAIT_ASTERISK => Ok(WaitEstimator::Asterisk),
        CB_WAIT_LINE_RATE => Ok(WaitEstimator::LineRate),
        _ => Err(CB_STATUS_INVALID_ARGUMENT),
    }
}

/// A survey response about a contact.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct cb_survey {
    /// When the rated contact happened, ms since the epoch (the day it counts for).
    pub contact_at_ms: u64,
    /// The score, on the configured scale.
    pub score: u8,
    /// The four baseline yes/no questions (explained the process, had the information, timely,
    /// satisfied): 1 yes, 0 no, -1 not answered.
    pub answers: [i8; 4],
    /// Whether the resident asked to be contacted again.
    pub follow_up_requested: bool,
}

/// `cb_csat.status`: `value` holds the figure.
pub const CB_CSAT_AVAILABLE: u32 = 0;
/// `cb_csat.status`: no responses that day.
pub const CB_CSAT_NO_RESPONSES: u32 = 1;
/// `cb_csat.status`: fewer responses than the minimum sample (`minimum_sample`).
pub const CB_CSAT_NOT_ENOUGH_RESPONSES: u32 = 2;

/// The previous day's CSAT, as a board posts it.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct cb_csat {
    /// The day's local date: year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
    /// `CB_CSAT_MEAN_SCORE` or `CB_CSAT_TOP_TWO_BOX`.
    pub figure: u32,
    /// Responses that day.
    pub responses: u32,
    /// `CB_CSAT_AVAILABLE`, `CB_CSAT_NO_RESPONSES` or `CB_CSAT_NOT_ENOUGH_RESPONSES`.
    pub status: u32,
    /// The figure, when `status` is `CB_CSAT_AVAILABLE`.
    pub value: f64,
    /// The configured minimum sample.
    pub minimum_sample: u32,
}

/// What a center has counted about its input.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
#[allow(non_camel_case_types)]
pub struct cb_diagnostics {
    /// Events applied.
    pub applied: u64,
    /// Events refused (each refused event changed nothing).
    pub rejected: u64,
    /// Survey responses refused.
    pub surveys_rejected: u32,
    /// Intervals dropped from a full ring before they were read.
    pub intervals_evicted: u32,
    /// Days dropped from a full day ledger.
    pub days_evicted: u32,
    /// Updates to an interval or day no longer kept.
    pub late_updates: u32,
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

/// Any configuration error is an argument out of range.
fn invalid<E>(_: E) -> cb_status {
    CB_STATUS_INVALID_ARGUMENT
}

fn config_of(config: &cb_center_config) -> Result<CenterConfig, cb_status> {
    let dst = match config.dst_rule {
        CB_DST_NONE => DstRule::None,
        CB_DST_US => DstRule::UnitedStates,
        CB_DST_EU => DstRule::EuropeanUnion,
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
    };
    let offset = UtcOffset::from_minutes(config.utc_offset_minutes).map_err(invalid)?;
    let interval = match config.interval_minutes {
        15 => IntervalLength::Minutes15,
        30 => IntervalLength::Minutes30,
        60 => IntervalLength::Minutes60,
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
    };
    let attribution = match config.attribution {
        CB_ATTRIBUTION_ENTRY => Attribution::QueueEntry,
        CB_ATTRIBUTION_EXIT => Attribution::QueueExit,
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
    };
    let figure = match config.csat_figure {
        CB_CSAT_MEAN_SCORE => CsatFigureKind::MeanScore,
        CB_CSAT_TOP_TWO_BOX => CsatFigureKind::TopTwoBox,
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
    };
    let scale =
        CsatScale::new(config.csat_scale_lowest, config.csat_scale_highest).map_err(invalid)?;
    Ok(CenterConfig {
        calendar: SiteCalendar::new(offset, dst).map_err(invalid)?,
        interval,
        attribution,
        reorder_tolerance_ms: config.reorder_tolerance_ms,
        max_clock_jump_ms: config.max_clock_jump_ms,
        csat: CsatConfig { scale, minimum_sample: config.csat_minimum_sample, figure },
        ..CenterConfig::DEFAULT
    })
}

/// Writes the default configuration: UTC, no daylight saving, 15-minute intervals, calls
/// counted where they entered the queue, 2 s reorder tolerance, clock jumps up to 31 days,
/// CSAT on a 1–5 scale as a mean score with at least 10 responses.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` for NULL.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `out` must be NULL or point to writable memory for a `cb_center_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_config_default(out: *mut cb_center_config) -> cb_status {
    guard(|| {
        check_out(out)?;
        let d = CenterConfig::DEFAULT;
        let config = cb_center_config {
            utc_offset_minutes: d.calendar.standard_offset().minutes(),
            dst_rule: CB_DST_NONE,
            interval_minutes: 15,
            attribution: CB_ATTRIBUTION_ENTRY,
            reorder_tolerance_ms: d.reorder_tolerance_ms,
            max_clock_jump_ms: d.max_clock_jump_ms,
            csat_scale_lowest: d.csat.scale.lowest(),
            csat_scale_highest: d.csat.scale.highest(),
            csat_minimum_sample: d.csat.minimum_sample,
            csat_figure: CB_CSAT_MEAN_SCORE,
        };
        // SAFETY: checked by check_out; writable by the caller's contract.
        unsafe { write_out(out, config) };
        Ok(())
    })
}

/// The bytes a center needs in caller memory (`cb_center_init`): about 1.3 MB.
///
/// Thread-safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cb_center_size() -> usize {
    size_of::<cb_center>()
}

/// The alignment, in bytes, caller memory for `cb_center_init` must have.
///
/// Thread-safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cb_center_align() -> usize {
    align_of::<cb_center>()
}

/// Makes a center on the heap. Free it with `cb_center_free`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED`, or `CB_STATUS_INVALID_ARGUMENT`
/// for a configuration out of range. `*out` is written only on `CB_STATUS_OK`.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `config` must be NULL or point to a valid `cb_center_config`; `out` must be NULL or point to
/// writable memory for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_new(
    config: *const cb_center_config,
    out: *mut *mut cb_center,
) -> cb_status {
    guard(|| {
        // SAFETY: the caller's contract: NULL or a valid configuration.
        let config = config_of(unsafe { borrow(config) }?)?;
        check_out(out)?;
        let mut memory = Box::<cb_center>::new_uninit();
        memory.write(EMPTY);
        // SAFETY: initialized by the write just above.
        let mut center = unsafe { memory.assume_init() };
        center.state.reset(config);
        center.on_heap = true;
        // SAFETY: checked by check_out; writable by the caller's contract.
        unsafe { write_out(out, Box::into_raw(center)) };
        Ok(())
    })
}

/// Makes a center in caller memory of `len` bytes at `memory`, which must be at least
/// `cb_center_size()` bytes aligned to `cb_center_align()`; no allocation. The center lives
/// as long as the memory; it needs no freeing (do not pass it to `cb_center_free`).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED` (memory not aligned),
/// `CB_STATUS_BUFFER_TOO_SMALL` (`len` below `cb_center_size()`), or
/// `CB_STATUS_INVALID_ARGUMENT`. Nothing is written on failure.
///
/// Thread-safety: safe from any thread; the memory must not be in use by anyone else.
///
/// # Safety
/// `memory` must be NULL or point to `len` writable bytes not used for anything else while the
/// center lives; `config` NULL or valid; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_init(
    memory: *mut core::ffi::c_void,
    len: usize,
    config: *const cb_center_config,
    out: *mut *mut cb_center,
) -> cb_status {
    guard(|| {
        // SAFETY: the caller's contract: NULL or a valid configuration.
        let config = config_of(unsafe { borrow(config) }?)?;
        check_out(out)?;
        let place = memory.cast::<cb_center>();
        check_out(place)?;
        if len < size_of::<cb_center>() {
            return Err(CB_STATUS_BUFFER_TOO_SMALL);
        }
        // SAFETY: non-NULL, aligned (check_out) and at least size_of::<cb_center>() writable
        // bytes (checked above; writable and unshared by the caller's contract). The constant
        // is copied in place, without a temporary on the stack.
        unsafe { place.write(EMPTY) };
        // SAFETY: initialized just above; no other reference to it exists.
        let center = unsafe { &mut *place };
        center.state.reset(config);
        // SAFETY: checked by check_out; writable by the caller's contract.
        unsafe { write_out(out, place) };
        Ok(())
    })
}

/// Frees a center made by `cb_center_new`. NULL, and centers made by `cb_center_init` (whose
/// memory belongs to the caller), are left alone.
///
/// Thread-safety: no other call may use the center during or after this one.
///
/// # Safety
/// `center` must be NULL or a center from `cb_center_new`/`cb_center_init` not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_free(center: *mut cb_center) {
    let _ = guard(|| {
        if center.is_null() || !center.is_aligned() {
            return Ok(());
        }
        // SAFETY: a live center by the caller's contract.
        if unsafe { (*center).on_heap } {
            // SAFETY: made by Box::into_raw in cb_center_new and not freed before.
            drop(unsafe { Box::from_raw(center) });
        }
        Ok(())
    });
}

impl Handle for cb_center {
    type State = CenterState;
    fn poisoned(&self) -> bool {
        self.poisoned
    }
    fn poison(&mut self) {
        self.poisoned = true;
    }
    fn state(&self) -> &CenterState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut CenterState {
        &mut self.state
    }
}

/// Adds a queue with id `queue`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (a ring threshold with a
/// zero cadence), `CB_STATUS_CONFLICT` (the id exists), `CB_STATUS_CAPACITY_EXCEEDED`
/// (`CB_MAX_QUEUES` queues exist).
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `config` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_add_queue(
    center: *mut cb_center,
    queue: u32,
    config: *const cb_queue_config,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            let config = borrow(config)?;
            let service_level = if config.sl_rings > 0 {
                if config.ring_cadence_ms == 0 {
                    return Err(CB_STATUS_INVALID_ARGUMENT);
                }
                ServiceLevelThreshold::Rings {
                    rings: config.sl_rings,
                    cadence_ms: config.ring_cadence_ms,
                }
            } else {
                ServiceLevelThreshold::Seconds(config.sl_seconds)
            };
            let queue_config =
                QueueConfig { service_level, short_abandon_ms: config.short_abandon_ms };
            state.add_queue(QueueId(queue), queue_config).map_err(|error| match error {
                ConfigError::DuplicateQueue => CB_STATUS_CONFLICT,
                ConfigError::TooManyQueues => CB_STATUS_CAPACITY_EXCEEDED,
                _ => CB_STATUS_INVALID_ARGUMENT,
            })
        })
    }
}

fn event_of(event: &cb_event) -> Result<Event, cb_status> {
    let call = CallId(event.call);
    let queue = QueueId(event.queue);
    let agent = AgentId(event.agent);
    let kind = match event.kind {
        CB_EVENT_CALL_ENTERED => EventKind::CallEntered { call, queue, priority: event.priority },
        CB_EVENT_CALL_ANSWERED => {
            EventKind::CallAnswered { call, agent: event.has_agent.then_some(agent) }
        }
        CB_EVENT_CALL_ABANDONED => EventKind::CallAbandoned { call },
        CB_EVENT_CALL_DEQUEUED => {
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
        CB_EVENT_CALL_TRANSFERRED => {
            EventKind::CallTransferred { call, to: event.has_queue.then_some(queue) }
        }
        CB_EVENT_CALL_ENDED => {
            EventKind::CallEnded { call, talk_ms: event.talk_ms, hold_ms: event.hold_ms }
        }
        CB_EVENT_AFTER_CALL_WORK_ENDED => EventKind::AfterCallWorkEnded { agent },
        CB_EVENT_AGENT_STATE => {
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
        CB_EVENT_AGENT_JOINED_QUEUE => EventKind::AgentJoinedQueue { agent, queue },
        CB_EVENT_AGENT_LEFT_QUEUE => EventKind::AgentLeftQueue { agent, queue },
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
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
    let mut defined = 0;
    for (bit, value, field) in [
        (
            CB_PERIOD_SL_ANSWERED,
            stats.service_level(ServiceLevelVariant::Answered),
            &mut out.sl_answered,
        ),
        (
            CB_PERIOD_SL_OFFERED,
            stats.service_level(ServiceLevelVariant::Offered),
            &mut out.sl_offered,
        ),
        (
            CB_PERIOD_SL_ABANDONS_IGNORED,
            stats.service_level(ServiceLevelVariant::AbandonsIgnored),
            &mut out.sl_abandons_ignored,
        ),
        (
            CB_PERIOD_SL_ABANDONS_POSITIVE,
            stats.service_level(ServiceLevelVariant::AbandonsPositive),
            &mut out.sl_abandons_positive,
        ),
        (CB_PERIOD_ASA, stats.asa_seconds(), &mut out.asa_seconds),
        (CB_PERIOD_AHT, stats.aht_seconds(), &mut out.aht_seconds),
        (
            CB_PERIOD_AVERAGE_ABANDON,
            stats.average_abandon_seconds(),
            &mut out.average_abandon_seconds,
        ),
        (CB_PERIOD_MAX_WAIT, stats.max_wait_seconds(), &mut out.max_wait_seconds),
        (CB_PERIOD_ABANDON_RATE, stats.abandon_rate(), &mut out.abandon_rate),
        (CB_PERIOD_OCCUPANCY, stats.occupancy(), &mut out.occupancy),
    ] {
        if let Some(value) = value {
            *field = value;
            defined |= bit;
        }
    }
    out.defined = defined;
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
        with_handle(center, |state| {
            check_out(out)?;
            let id = QueueId(queue);
            if state.queue_config(id).is_none() {
                return Err(CB_STATUS_UNKNOWN_ID);
            }
            let snapshot = state.snapshot(id).ok_or(CB_STATUS_NOT_KEPT)?;
            let agents = snapshot.agents;
            let interval = snapshot.current_interval;
            let today = snapshot.today_stats;
            let answer = cb_queue_snapshot {
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
            };
            write_out(out, answer);
            Ok(())
        })
    }
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
    unsafe {
        with_handle(center, |state| {
            check_out(out_ms)?;
            let estimator = estimator(estimator_code)?;
            let id = QueueId(queue);
            if state.queue_config(id).is_none() {
                return Err(CB_STATUS_UNKNOWN_ID);
            }
            // The queue exists, so the only `NoQueue` left is a center with no clock yet.
            let wait = state.expected_wait(id, estimator).map_err(|e| match e {
                WaitUnknown::NoQueue => CB_STATUS_NOT_KEPT,
                _ => CB_STATUS_MISSING_INPUT,
            })?;
            write_out(out_ms, wait);
            Ok(())
        })
    }
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
pub unsafe extern "C" fn cb_call_expected_wait(
    center: *const cb_center,
    call: u64,
    estimator_code: u32,
    out_ms: *mut u64,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle(center, |state| {
            check_out(out_ms)?;
            let estimator = estimator(estimator_code)?;
            let wait = state.call_expected_wait(CallId(call), estimator).map_err(|e| match e {
                CallWaitError::UnknownCall => CB_STATUS_UNKNOWN_ID,
                CallWaitError::NotWaiting => CB_STATUS_CONFLICT,
                CallWaitError::Unknown(_) => CB_STATUS_MISSING_INPUT,
            })?;
            write_out(out_ms, wait);
            Ok(())
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
        read_period(center, queue, out, |state, id| {
            let report = state.interval(id, start_ms).ok_or(CB_STATUS_NOT_KEPT)?;
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

/// Reads one period of a known queue into `out`.
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_period`.
unsafe fn read_period(
    center: *const cb_center,
    queue: u32,
    out: *mut cb_period,
    read: impl FnOnce(&CenterState, QueueId) -> Result<cb_period, cb_status>,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle(center, |state| {
            check_out(out)?;
            let id = QueueId(queue);
            if state.queue_config(id).is_none() {
                return Err(CB_STATUS_UNKNOWN_ID);
            }
            let period = read(state, id)?;
            write_out(out, period);
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
        read_period(center, queue, out, |state, id| {
            let report = state.day(id, date).ok_or(CB_STATUS_NOT_KEPT)?;
            Ok(period_of(report.start, report.end, &report.stats))
        })
    }
}

/// Records a survey response, filed under the local day of the rated contact.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (score off the scale, an
/// answer other than -1, 0 or 1, a contact later than the center's clock),
/// `CB_STATUS_OUT_OF_ORDER` (the contact's day is older than the `CB_MAX_DAYS` days up to the
/// clock's). Every refused response (NULL aside) is counted in `surveys_rejected`.
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `survey` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_record_survey(
    center: *mut cb_center,
    survey: *const cb_survey,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            let survey = borrow(survey)?;
            let mut answers = [None; BASELINE_QUESTIONS];
            for (slot, answer) in answers.iter_mut().zip(survey.answers) {
                *slot = match answer {
                    -1 => None,
                    0 => Some(false),
                    1 => Some(true),
                    _ => {
                        state.refuse_undecodable_survey();
                        return Err(CB_STATUS_INVALID_ARGUMENT);
                    }
                };
            }
            let response = SurveyResponse {
                contact_at: survey.contact_at_ms,
                score: survey.score,
                answers,
                follow_up_requested: survey.follow_up_requested,
            };
            state.record_survey(&response).map(|_| ()).map_err(|error| match error {
                CsatError::TooOld => CB_STATUS_OUT_OF_ORDER,
                _ => CB_STATUS_INVALID_ARGUMENT,
            })
        })
    }
}

/// The previous day's CSAT (the local day before the center's clock), with its sample size or
/// why it cannot be posted.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_NOT_KEPT` (no clock yet). `*out` is written
/// only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_csat`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_previous_day_csat(
    center: *const cb_center,
    out: *mut cb_csat,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle(center, |state| {
            check_out(out)?;
            let csat = state.previous_day_csat().ok_or(CB_STATUS_NOT_KEPT)?;
            let minimum_sample = state.config().csat.minimum_sample;
            let (status, value) = match csat.value {
                CsatValue::Available(value) => (CB_CSAT_AVAILABLE, value),
                CsatValue::NoResponses => (CB_CSAT_NO_RESPONSES, 0.0),
                CsatValue::BelowMinimumSample { .. } => (CB_CSAT_NOT_ENOUGH_RESPONSES, 0.0),
            };
            let answer = cb_csat {
                year: csat.date.year(),
                month: csat.date.month(),
                day: csat.date.day(),
                figure: match csat.kind {
                    CsatFigureKind::MeanScore => CB_CSAT_MEAN_SCORE,
                    CsatFigureKind::TopTwoBox => CB_CSAT_TOP_TWO_BOX,
                },
                responses: csat.responses,
                status,
                value,
                minimum_sample,
            };
            write_out(out, answer);
            Ok(())
        })
    }
}

/// What the center has counted about its input: events applied and refused, surveys refused,
/// history evicted.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`. `*out` is written only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_diagnostics`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_diagnostics(
    center: *const cb_center,
    out: *mut cb_diagnostics,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle(center, |state| {
            check_out(out)?;
            let d = state.diagnostics();
            let answer = cb_diagnostics {
                applied: d.applied,
                rejected: u64::from(d.rejected.total()),
                surveys_rejected: d.surveys_rejected,
                intervals_evicted: d.intervals_evicted,
                days_evicted: d.days_evicted,
                late_updates: d.late_updates,
            };
            write_out(out, answer);
            Ok(())
        })
    }
}

impl From<CheckpointError> for cb_status {
    fn from(error: CheckpointError) -> Self {
        match error {
            CheckpointError::BufferTooSmall => CB_STATUS_BUFFER_TOO_SMALL,
            _ => CB_STATUS_INVALID_CHECKPOINT,
        }
    }
}

/// Writes the center's whole state into `buffer` (`len` bytes) as a checkpoint that
/// `cb_center_restore` takes back, in this or a later process: a switch can checkpoint
/// periodically and restart without losing the day. The format is versioned and CRC-checked.
///
/// On `CB_STATUS_OK`, `*written` is the checkpoint's length. On `CB_STATUS_BUFFER_TOO_SMALL`,
/// `*written` is the length needed: call with `buffer` NULL and `len` 0 to ask (the one case
/// where NULL is not `CB_STATUS_NULL_ARGUMENT`, as with `snprintf`). Returns
/// `CB_STATUS_NULL_ARGUMENT` for a NULL `center` or `written`, or a NULL `buffer` with a
/// non-zero `len` (checked before anything is written).
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_checkpoint(
    center: *const cb_center,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle(center, |state| {
            check_out(written)?;
            if buffer.is_null() && len != 0 {
                return Err(CB_STATUS_NULL_ARGUMENT);
            }
            let needed = state.checkpoint_len()?;
            if len < needed {
                // The documented exception: a short buffer learns the length it needs.
                write_out(written, needed);
                return Err(CB_STATUS_BUFFER_TOO_SMALL);
            }
            if buffer.is_null() {
                return Err(CB_STATUS_NULL_ARGUMENT);
            }
            let bytes = core::slice::from_raw_parts_mut(buffer, len);
            let length = state.checkpoint(bytes)?;
            write_out(written, length);
            Ok(())
        })
    }
}

/// Replaces the center's whole state with a checkpoint from `cb_center_checkpoint`. The
/// checkpoint is checked (format, version, capacities, CRC) and audited in full first against
/// every invariant the engine keeps (offered = answered + abandoned + dequeued + transferred
/// out + waiting in every interval and day, every subset within its set, every instant in
/// order): a refused checkpoint changes nothing, and an accepted one is a state the engine
/// could have reached, which checkpoints back to the same bytes.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_CHECKPOINT` (damaged, truncated, of
/// another version or another center layout, or inconsistent).
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `bytes` NULL or `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_restore(
    center: *mut cb_center,
    bytes: *const u8,
    len: usize,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            if bytes.is_null() {
                return Err(CB_STATUS_NULL_ARGUMENT);
            }
            let bytes = core::slice::from_raw_parts(bytes, len);
            Ok(state.restore(bytes)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stack the header promises is enough (`cb_center`'s documentation) for the library
    /// built for release; unoptimized, the same calls need about four times as much.
    const STACK_KIB: usize = if cfg!(debug_assertions) { 1024 } else { 256 };

    #[test]
    fn a_center_is_made_without_a_copy_on_the_stack() {
        // 64 KiB of stack for a center of over a megabyte: it must be built in place.
        let worker = std::thread::Builder::new().stack_size(64 * 1024).spawn(|| {
            let mut config = core::mem::MaybeUninit::<cb_center_config>::uninit();
            // SAFETY: a valid out-pointer.
            assert_eq!(unsafe { cb_center_config_default(config.as_mut_ptr()) }, CB_STATUS_OK);
            let mut center: *mut cb_center = core::ptr::null_mut();
            // SAFETY: valid pointers.
            let status = unsafe { cb_center_new(config.as_ptr(), &raw mut center) };
            assert_eq!(status, CB_STATUS_OK);
            // SAFETY: made just above.
            unsafe { cb_center_free(center) };
        });
        assert!(worker.expect("spawn").join().is_ok());
        assert!(cb_center_size() > 1_000_000);
    }

    /// The stack a switch's thread needs, at full capacity: every agent in every queue, the
    /// clock moved across a night, a checkpoint written and restored (the deepest calls).
    #[test]
    fn a_full_center_runs_on_a_small_stack() {
        let stack = std::env::var("CB_TEST_STACK_KIB").map_or(STACK_KIB, |v| v.parse().unwrap());
        let worker = std::thread::Builder::new().stack_size(stack * 1024).spawn(|| {
            let mut config = core::mem::MaybeUninit::<cb_center_config>::uninit();
            let mut center: *mut cb_center = core::ptr::null_mut();
            // SAFETY: valid pointers; the center is this thread's alone and freed once.
            unsafe {
                assert_eq!(cb_center_config_default(config.as_mut_ptr()), CB_STATUS_OK);
                assert_eq!(cb_center_new(config.as_ptr(), &raw mut center), CB_STATUS_OK);
                let queue = cb_queue_config { sl_seconds: 20, ..cb_queue_config::default() };
                for q in 0..CB_MAX_QUEUES {
                    assert_eq!(cb_center_add_queue(center, q, &raw const queue), CB_STATUS_OK);
                }
                let at_ms = 1_795_420_800_000 + 123;
                for agent in 0..CB_MAX_AGENTS {
                    for q in 0..CB_MAX_QUEUES {
                        let kind = CB_EVENT_AGENT_JOINED_QUEUE;
                        let join = cb_event { at_ms, kind, agent, queue: q, ..cb_event::default() };
                        assert_eq!(cb_center_apply(center, &raw const join), CB_STATUS_OK);
                    }
                    let reason = CB_AGENT_AVAILABLE;
                    let kind = CB_EVENT_AGENT_STATE;
                    let ready = cb_event { at_ms, kind, agent, reason, ..cb_event::default() };
                    assert_eq!(cb_center_apply(center, &raw const ready), CB_STATUS_OK);
                }
                assert_eq!(cb_center_advance_to(center, at_ms + 12 * 3_600_000), CB_STATUS_OK);
                let mut needed = 0;
                let status =
                    cb_center_checkpoint(center, core::ptr::null_mut(), 0, &raw mut needed);
                assert_eq!(status, CB_STATUS_BUFFER_TOO_SMALL);
                let mut bytes = vec![0_u8; needed];
                let mut written = 0;
                let status =
                    cb_center_checkpoint(center, bytes.as_mut_ptr(), needed, &raw mut written);
                assert_eq!(status, CB_STATUS_OK);
                assert_eq!(cb_center_restore(center, bytes.as_ptr(), written), CB_STATUS_OK);
                cb_center_free(center);
            }
        });
        assert!(worker.expect("spawn").join().is_ok());
    }

    #[test]
    fn a_panic_poisons_only_its_center() {
        let mut config = core::mem::MaybeUninit::<cb_center_config>::uninit();
        // SAFETY: a valid out-pointer.
        assert_eq!(unsafe { cb_center_config_default(config.as_mut_ptr()) }, CB_STATUS_OK);
        let (mut victim, mut bystander) = (core::ptr::null_mut(), core::ptr::null_mut());
        // SAFETY: valid pointers.
        unsafe {
            assert_eq!(cb_center_new(config.as_ptr(), &raw mut victim), CB_STATUS_OK);
            assert_eq!(cb_center_new(config.as_ptr(), &raw mut bystander), CB_STATUS_OK);
        }
        // No input makes the library panic, so a bug is simulated inside the boundary.
        // SAFETY: a live center used by this thread only.
        let status = unsafe { with_handle_mut(victim, |_| panic!("simulated bug")) };
        assert_eq!(status, CB_STATUS_PANIC);
        // SAFETY: live centers.
        unsafe {
            assert_eq!(cb_center_advance_to(victim, 1_000), CB_STATUS_POISONED);
            let mut diagnostics = cb_diagnostics::default();
            assert_eq!(cb_center_diagnostics(victim, &raw mut diagnostics), CB_STATUS_POISONED);
            assert_eq!(cb_center_advance_to(bystander, 1_000), CB_STATUS_OK);
            cb_center_free(victim);
            cb_center_free(bystander);
        }
    }
}
