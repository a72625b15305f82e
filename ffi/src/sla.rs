//! Service agreements over the C ABI: business calendars and SLA clocks on service requests
//! (the core's `business` and `sla` modules).
//!
//! A `cb_sla_tracker` holds up to 4 calendars, 32 policies (one per request type), 4,096 open
//! requests, and per department × type (64 pairs) the counts of its last 100 local days. Every
//! call either does what it says or returns a status and changes nothing.

use callboard_core::business::{BusinessCalendar, OpenSpan, SPANS_PER_DAY, WeekHours};
use callboard_core::calendar::{LocalDate, MAX_TIMESTAMP, SiteCalendar, Timestamp, Weekday};
use callboard_core::sla::{
    DepartmentId, RequestId, RequestType, SlaError, SlaFilter, SlaPolicy, SlaStatus, SlaTracker,
    Target,
};

use crate::boundary::{
    answer_into, borrow, check_out, compute_into, guard, handle, read_into, with_handle_mut,
    write_out,
};
use crate::calendar::site_calendar;
use crate::status::cb_status::{self, *};

/// The local days a tracker keeps per department and request type.
pub(crate) const SLA_DAYS: u16 = 100;

pub(crate) type Tracker = SlaTracker<4096, 64, { SLA_DAYS as usize }>;

/// A tracker of service requests against their agreements. Opaque; made by
/// `cb_sla_tracker_new`, freed by `cb_sla_tracker_free`.
pub struct cb_sla_tracker {
    tracker: Tracker,
    poisoned: bool,
}

impl core::fmt::Debug for cb_sla_tracker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("cb_sla_tracker")
            .field("open_requests", &self.tracker.open_requests())
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

/// One opening span: local minutes after midnight, `[start_min, end_min)`, `end_min` ≤ 1440.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_open_span {
    /// The opening.
    pub start_min: u16,
    /// The closing (1440 = midnight at the end of the day).
    pub end_min: u16,
}

/// Opening spans a weekday can have.
pub const CB_SLA_SPANS_PER_DAY: usize = 4;
const _: () = assert!(CB_SLA_SPANS_PER_DAY == SPANS_PER_DAY);

/// One weekday's opening spans, in order, not overlapping.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_day_hours {
    /// Spans used, 0 (closed) to 4.
    pub count: u8,
    /// The spans.
    pub spans: [cb_open_span; CB_SLA_SPANS_PER_DAY],
}

/// A business calendar: the site's clock and opening hours per weekday (Monday first), or
/// around the clock.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_business_calendar {
    /// The site's standard offset from UTC, minutes east.
    pub utc_offset_minutes: i32,
    /// Daylight saving: `CB_DST_NONE`, `CB_DST_US` or `CB_DST_EU`.
    pub dst_rule: u32,
    /// Open around the clock every day, holidays included (`days` is ignored).
    pub always: bool,
    /// Monday to Sunday.
    pub days: [cb_day_hours; 7],
}

/// Target kind: minutes of business time (`amount` minutes; "5 business hours" is 300).
pub const CB_SLA_BUSINESS_MINUTES: u32 = 0;
/// Target kind: by the close of the `amount`-th working day after the opening day.
pub const CB_SLA_BUSINESS_DAYS: u32 = 1;
/// Target kind: minutes of elapsed time, around the clock.
pub const CB_SLA_CALENDAR_MINUTES: u32 = 2;
/// Target kind: the same local time `amount` days later.
pub const CB_SLA_CALENDAR_DAYS: u32 = 3;

/// The agreement for one request type.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_sla_policy {
    /// The request type it governs.
    pub request_type: u32,
    /// `CB_SLA_BUSINESS_MINUTES`, `CB_SLA_BUSINESS_DAYS`, `CB_SLA_CALENDAR_MINUTES` or
    /// `CB_SLA_CALENDAR_DAYS`.
    pub target_kind: u32,
    /// The target's amount (1 up to a year).
    pub target_amount: u32,
    /// The calendar it runs on, as `cb_sla_add_calendar` numbered it.
    pub calendar: u8,
    /// At-risk point: the share of the target used, permille (800 = 80 %).
    pub at_risk_permille: u16,
}

/// Request status: open, under the at-risk point.
pub const CB_SLA_ON_TIME: u32 = 0;
/// Request status: open, past the at-risk point.
pub const CB_SLA_AT_RISK: u32 = 1;
/// Request status: open, past its due instant.
pub const CB_SLA_BREACHED: u32 = 2;
/// Request status: closed by its due instant.
pub const CB_SLA_MET: u32 = 3;
/// Request status: closed after it.
pub const CB_SLA_MISSED: u32 = 4;

/// One open request's clock.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_sla_request {
    /// `CB_SLA_ON_TIME`, `CB_SLA_AT_RISK` or `CB_SLA_BREACHED`.
    pub status: u32,
    /// Whether the clock is stopped (waiting on the resident).
    pub paused: bool,
    /// Whether `due_ms` holds a value (not while paused within the target).
    pub has_due: bool,
    /// When the target runs out, ms since the epoch.
    pub due_ms: u64,
    /// Business time used so far, ms.
    pub used_ms: u64,
    /// Business time the target allows, ms.
    pub budget_ms: u64,
}

/// Compliance over a period, and the open requests now.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_sla_summary {
    /// Opened in the period.
    pub opened: u32,
    /// Closed in the period.
    pub closed: u32,
    /// Closed within the target.
    pub met: u32,
    /// Closed past it.
    pub missed: u32,
    /// Open now, under the at-risk point.
    pub open_on_time: u32,
    /// Open now, past the at-risk point.
    pub open_at_risk: u32,
    /// Open now, past the due instant.
    pub open_breached: u32,
    /// Whether the compliance and times to close hold values (something closed).
    pub has_compliance: bool,
    /// Met ÷ closed, permille.
    pub compliance_permille: u16,
    /// Median business time to close, ms (from a bounded histogram).
    pub median_close_ms: u64,
    /// 90th-percentile business time to close, ms.
    pub p90_close_ms: u64,
}

fn status_of(error: SlaError) -> cb_status {
    match error {
        SlaError::UnknownType | SlaError::UnknownCalendar | SlaError::UnknownRequest => {
            CB_STATUS_UNKNOWN_ID
        }
        SlaError::InvalidPolicy | SlaError::Calendar(_) => CB_STATUS_INVALID_ARGUMENT,
        SlaError::Full => CB_STATUS_CAPACITY_EXCEEDED,
        SlaError::BeforePrevious => CB_STATUS_OUT_OF_ORDER,
        SlaError::TooOld => CB_STATUS_NOT_KEPT,
        _ => CB_STATUS_CONFLICT,
    }
}

fn status_code(status: SlaStatus) -> u32 {
    match status {
        SlaStatus::OnTime => CB_SLA_ON_TIME,
        SlaStatus::AtRisk => CB_SLA_AT_RISK,
        SlaStatus::Breached => CB_SLA_BREACHED,
        SlaStatus::Met => CB_SLA_MET,
        SlaStatus::Missed => CB_SLA_MISSED,
    }
}

/// The core's calendar for a `cb_business_calendar`, without allocating (a board's frame is
/// built from one with the center in caller memory).
pub(crate) fn calendar_of(c: &cb_business_calendar) -> Result<BusinessCalendar, cb_status> {
    let site = site_calendar(c.utc_offset_minutes, c.dst_rule)?;
    if c.always {
        return Ok(BusinessCalendar::always(site));
    }
    let mut week = WeekHours::closed();
    for (weekday, day) in Weekday::ALL.into_iter().zip(c.days.iter()) {
        let count = usize::from(day.count);
        let given = day.spans.get(..count).ok_or(CB_STATUS_INVALID_ARGUMENT)?;
        let mut spans = [OpenSpan::ALL_DAY; SPANS_PER_DAY];
        for (slot, span) in spans.iter_mut().zip(given) {
            *slot = OpenSpan::new(span.start_min, span.end_min)
                .map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
        }
        let spans = spans.get(..count).ok_or(CB_STATUS_INVALID_ARGUMENT)?;
        week.set(weekday, spans).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    }
    Ok(BusinessCalendar::new(site, week))
}

handle!(cb_sla_tracker, tracker: Tracker);

/// Makes an empty tracker (about 1.1 MB on the heap) and writes it to `*out`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` or `CB_STATUS_MISALIGNED` for a bad `out`.
///
/// # Safety
/// `out` must be NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_tracker_new(out: *mut *mut cb_sla_tracker) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        compute_into(out, || {
            let mut memory = Box::<cb_sla_tracker>::new_uninit();
            let place = memory.as_mut_ptr();
            // A fresh allocation of a `cb_sla_tracker`: aligned, writable, unshared; the field
            // pointers stay inside it and `MaybeUninit<Tracker>` has `Tracker`'s layout. The
            // core writes the tracker in place (no copy of its megabytes on the stack), then
            // the flag; every field is then written.
            Tracker::new_in(&mut *core::ptr::addr_of_mut!((*place).tracker).cast());
            core::ptr::addr_of_mut!((*place).poisoned).write(false);
            Ok(Box::into_raw(memory.assume_init()))
        })
    }
}

/// Frees a tracker from `cb_sla_tracker_new`; NULL is left alone.
///
/// # Safety
/// `tracker` must be NULL or a tracker from `cb_sla_tracker_new` not freed before, in use by no
/// other call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_tracker_free(tracker: *mut cb_sla_tracker) {
    let _ = guard(|| {
        if !tracker.is_null() && tracker.is_aligned() {
            // SAFETY: made by Box::into_raw in cb_sla_tracker_new and not freed before.
            drop(unsafe { Box::from_raw(tracker) });
        }
        Ok(())
    });
}

/// Adds a business calendar; its number (0, 1, …) goes to `*index`. Days are counted in the
/// first calendar's local time.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (an offset, rule or span out
/// of range; spans overlapping or out of order; a count above 4), or
/// `CB_STATUS_CAPACITY_EXCEEDED` (4 calendars).
///
/// # Safety
/// `tracker`: NULL or live and unshared; `calendar`: NULL or valid; `index`: NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_add_calendar(
    tracker: *mut cb_sla_tracker,
    calendar: *const cb_business_calendar,
    index: *mut u8,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe {
        with_handle_mut(tracker, |t| {
            let calendar = calendar_of(borrow(calendar)?)?;
            answer_into(index, || t.add_calendar(calendar).map_err(status_of))
        })
    }
}

/// Closes the local date `year`-`month`-`day` on calendar `calendar` (a holiday).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID` (no such calendar),
/// `CB_STATUS_INVALID_ARGUMENT` (no such date), `CB_STATUS_CAPACITY_EXCEEDED` (64 holidays).
/// Only before the first policy on that calendar; after it, `CB_STATUS_CONFLICT`.
///
/// # Safety
/// `tracker`: NULL or live and unshared.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_add_holiday(
    tracker: *mut cb_sla_tracker,
    calendar: u8,
    year: i32,
    month: u8,
    day: u8,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe {
        with_handle_mut(tracker, |t| {
            let date = LocalDate::new(year, month, day).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
            t.add_holiday(calendar, date).map_err(status_of)
        })
    }
}

/// Adds the policy for a request type.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID` (no such calendar),
/// `CB_STATUS_INVALID_ARGUMENT` (an unknown kind, an amount of 0 or over a year, an at-risk point
/// over 1000, a business target on a calendar never open), `CB_STATUS_CONFLICT` (the type has a
/// policy), `CB_STATUS_CAPACITY_EXCEEDED` (32 policies).
///
/// # Safety
/// `tracker`: NULL or live and unshared; `policy`: NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_add_policy(
    tracker: *mut cb_sla_tracker,
    policy: *const cb_sla_policy,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe {
        with_handle_mut(tracker, |t| {
            let p = borrow(policy)?;
            let target = match p.target_kind {
                CB_SLA_BUSINESS_MINUTES => Target::BusinessMinutes(p.target_amount),
                CB_SLA_BUSINESS_DAYS => Target::BusinessDays(p.target_amount),
                CB_SLA_CALENDAR_MINUTES => Target::CalendarMinutes(p.target_amount),
                CB_SLA_CALENDAR_DAYS => Target::CalendarDays(p.target_amount),
                _ => return Err(CB_STATUS_INVALID_ARGUMENT),
            };
            t.add_policy(SlaPolicy {
                request_type: RequestType(p.request_type),
                target,
                calendar: p.calendar,
                at_risk_permille: p.at_risk_permille,
            })
            .map_err(status_of)
        })
    }
}

/// Opens request `id` of `request_type` for `department` at `at_ms`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID` (no policy for the type),
/// `CB_STATUS_CONFLICT` (the id is open), `CB_STATUS_CAPACITY_EXCEEDED`, `CB_STATUS_NOT_KEPT`
/// (a day older than every day kept), `CB_STATUS_INVALID_ARGUMENT` (`at_ms` after year 9999, or
/// a target that would fall due after it: such a request has no due instant).
///
/// # Safety
/// `tracker`: NULL or live and unshared.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_open(
    tracker: *mut cb_sla_tracker,
    id: u64,
    request_type: u32,
    department: u32,
    at_ms: u64,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe {
        with_handle_mut(tracker, |t| {
            t.open(RequestId(id), RequestType(request_type), DepartmentId(department), at_ms)
                .map_err(status_of)
        })
    }
}

/// Stops request `id`'s clock at `at_ms` (waiting on the resident).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID`, `CB_STATUS_OUT_OF_ORDER` (before
/// the request's last event), `CB_STATUS_CONFLICT` (paused already),
/// `CB_STATUS_INVALID_ARGUMENT` (after year 9999).
///
/// # Safety
/// `tracker`: NULL or live and unshared.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_pause(
    tracker: *mut cb_sla_tracker,
    id: u64,
    at_ms: u64,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe { with_handle_mut(tracker, |t| t.pause(RequestId(id), at_ms).map_err(status_of)) }
}

/// Restarts request `id`'s clock at `at_ms`; its due instant moves by the business time paused.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID`, `CB_STATUS_OUT_OF_ORDER`,
/// `CB_STATUS_CONFLICT` (not paused), `CB_STATUS_INVALID_ARGUMENT` (after year 9999, or the
/// budget left would fall due after it).
///
/// # Safety
/// `tracker`: NULL or live and unshared.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_resume(
    tracker: *mut cb_sla_tracker,
    id: u64,
    at_ms: u64,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe { with_handle_mut(tracker, |t| t.resume(RequestId(id), at_ms).map_err(status_of)) }
}

/// Closes request `id` at `at_ms`; `CB_SLA_MET` or `CB_SLA_MISSED` goes to `*status` (which may
/// be NULL).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID`, `CB_STATUS_OUT_OF_ORDER`,
/// `CB_STATUS_NOT_KEPT`, `CB_STATUS_INVALID_ARGUMENT` (after year 9999).
///
/// # Safety
/// `tracker`: NULL or live and unshared; `status`: NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_close(
    tracker: *mut cb_sla_tracker,
    id: u64,
    at_ms: u64,
    status: *mut u32,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe {
        with_handle_mut(tracker, |t| {
            if !status.is_null() {
                check_out(status)?;
            }
            let outcome = t.close(RequestId(id), at_ms).map_err(status_of)?;
            if !status.is_null() {
                write_out(status, status_code(outcome));
            }
            Ok(())
        })
    }
}

/// Open request `id`'s clock as of `now_ms`. Its cost does not grow with how long the request
/// has been open.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_UNKNOWN_ID` (not open) or
/// `CB_STATUS_INVALID_ARGUMENT` (`now_ms` after year 9999); `*out` is untouched then.
///
/// # Safety
/// `tracker`: NULL or live; `out`: NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_sla_request_clock(
    tracker: *const cb_sla_tracker,
    id: u64,
    now_ms: u64,
    out: *mut cb_sla_request,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe {
        read_into(tracker, out, |t| {
            if now_ms > MAX_TIMESTAMP {
                return Err(CB_STATUS_INVALID_ARGUMENT);
            }
            let clock = t.request(RequestId(id), now_ms).ok_or(CB_STATUS_UNKNOWN_ID)?;
            Ok(cb_sla_request {
                status: status_code(clock.status),
                paused: clock.paused,
                has_due: clock.due_at.is_some(),
                due_ms: clock.due_at.unwrap_or(0),
                used_ms: clock.used_ms,
                budget_ms: clock.budget_ms,
            })
        })
    }
}

/// Compliance of the requests of `department` (all if `all_departments`) and `request_type`
/// (all if `all_types`) over the local days from that of `from_ms` to that of `to_ms`, with the
/// open ones judged at `now_ms`. Its cost does not grow with how far apart the instants are.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (an instant after year
/// 9999, the last the calendars reach).
///
/// # Safety
/// `tracker`: NULL or live; `out`: NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn cb_sla_summary_get(
    tracker: *const cb_sla_tracker,
    all_departments: bool,
    department: u32,
    all_types: bool,
    request_type: u32,
    from_ms: u64,
    to_ms: u64,
    now_ms: u64,
    out: *mut cb_sla_summary,
) -> cb_status {
    // SAFETY: the caller's contract.
    unsafe {
        read_into(tracker, out, |t| {
            if [from_ms, to_ms, now_ms].into_iter().any(|at| at > MAX_TIMESTAMP) {
                return Err(CB_STATUS_INVALID_ARGUMENT);
            }
            let filter = SlaFilter {
                department: (!all_departments).then_some(DepartmentId(department)),
                request_type: (!all_types).then_some(RequestType(request_type)),
            };
            let day = |at: Timestamp| {
                t.calendar(0)
                    .map_or_else(|| SiteCalendar::UTC.local_date(at), |c| c.site().local_date(at))
            };
            let s = t.summary(filter, day(from_ms), day(to_ms), now_ms);
            let compliance = s.compliance();
            Ok(cb_sla_summary {
                opened: s.opened,
                closed: s.closed,
                met: s.met,
                missed: s.missed,
                open_on_time: s.open_on_time,
                open_at_risk: s.open_at_risk,
                open_breached: s.open_breached,
                has_compliance: compliance.is_some(),
                // 0–1000 after rounding a share.
                compliance_permille: compliance.map_or(0, |c| (c * 1000.0).round() as u16),
                median_close_ms: s.median_close_ms().unwrap_or(0),
                p90_close_ms: s.p90_close_ms().unwrap_or(0),
            })
        })
    }
}
