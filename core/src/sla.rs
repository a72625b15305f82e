//! Service agreements with city departments: SLA clocks on service requests.
//!
//! A 311 center hands service requests (a missed pickup, a pothole, graffiti) to departments,
//! each request type bound by an [`SlaPolicy`]: a [`Target`] in business time or calendar time,
//! the [`BusinessCalendar`] it runs on, and an "at risk" point (e.g. 80 % of the target used).
//! An [`SlaTracker`] follows each request — open, pause (waiting on the resident), resume,
//! close — and keeps, per department and request type and per local day, what was opened,
//! closed, met and missed, with a bounded histogram of the business time each closed request
//! took. Everything is fixed-capacity: `REQUESTS` open at once, `KEYS` department × type pairs,
//! `DAYS` days kept per pair.
//!
//! # The clock of one request
//! - **Budget**: the business time the target allows. For `BusinessTime` and `CalendarTime` it
//!   is the target itself; for `BusinessDays(n)` it is the business time from the opening to the
//!   close of the n-th working day after the opening day
//!   ([`BusinessCalendar::end_of_business_days`]); for `CalendarDays(n)` it is the elapsed time
//!   to the same local time n days later.
//! - **Used**: the business time the request has been open and not paused. Calendar targets run
//!   around the clock: their business time is elapsed time.
//! - **Due**: when the budget runs out if nothing is paused again — recomputed at each resume.
//! - **Status** ([`SlaStatus`]): open requests are on time, at risk (used ≥ the at-risk share of
//!   the budget) or breached (past the due instant while running, or used > budget); closed
//!   ones met (closed by the due instant) or missed. A request due at Wednesday's close is
//!   breached on Thursday morning even if Thursday is a holiday: it was not done when due.
//!
//! Errors never change anything: an unknown request, a pause of a paused request, an instant
//! before the request's last event, a full tracker — each is refused with its reason.

use heapless::Vec;

use crate::business::{BusinessCalendar, BusinessError};
use crate::calendar::{LocalDate, MAX_TIMESTAMP, MILLIS_PER_DAY, MILLIS_PER_MINUTE, Timestamp};
use crate::id_map::IdMap;
use crate::ledger::Ledger;

/// Business calendars a tracker holds.
pub const MAX_CALENDARS: usize = 4;
/// Policies (request types) a tracker holds.
pub const MAX_POLICIES: usize = 32;
/// Buckets of the time-to-close histogram.
pub const CLOSE_BUCKETS: usize = 24;
/// Upper bounds of the time-to-close buckets, in business minutes; the last bucket is
/// everything longer. Roughly ×1.6 apart from 15 minutes to 60 days.
pub const CLOSE_BUCKET_BOUNDS_MIN: [u32; CLOSE_BUCKETS - 1] = [
    15, 30, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2160, 2880, 4320, 5760, 7200, 10_080,
    14_400, 20_160, 30_240, 43_200, 86_400,
];
/// The longest target a policy may have: a year.
pub const MAX_TARGET_DAYS: u32 = 366;

/// A service request's id, as the 311 system numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestId(pub u64);

/// A request type (graffiti removal, pothole repair…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestType(pub u32);

/// A city department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DepartmentId(pub u32);

/// How long a department has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Target {
    /// Minutes of business time ("5 business hours" is 300).
    BusinessMinutes(u32),
    /// Working days: by the close of the n-th working day after the opening day.
    BusinessDays(u32),
    /// Minutes of elapsed time, around the clock ("24 hours" is 1440).
    CalendarMinutes(u32),
    /// Days of elapsed time: the same local time n days later.
    CalendarDays(u32),
}

impl Target {
    /// Whether the target runs on the business calendar (not around the clock).
    #[must_use]
    pub const fn is_business(self) -> bool {
        matches!(self, Self::BusinessMinutes(_) | Self::BusinessDays(_))
    }

    fn is_valid(self) -> bool {
        let max_minutes = MAX_TARGET_DAYS.saturating_mul(1440);
        match self {
            Self::BusinessMinutes(m) | Self::CalendarMinutes(m) => (1..=max_minutes).contains(&m),
            Self::BusinessDays(d) | Self::CalendarDays(d) => (1..=MAX_TARGET_DAYS).contains(&d),
        }
    }
}

/// The agreement for one request type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SlaPolicy {
    /// The request type it governs.
    pub request_type: RequestType,
    /// The target.
    pub target: Target,
    /// The tracker's calendar it runs on (its index, from [`SlaTracker::add_calendar`]); for a
    /// calendar target only the calendar's clock (offset, daylight saving) matters.
    pub calendar: u8,
    /// The share of the budget after which an open request is at risk, permille (800 = 80 %).
    pub at_risk_permille: u16,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SlaStatus {
    /// Open, under the at-risk point.
    OnTime,
    /// Open, past the at-risk point, within the target.
    AtRisk,
    /// Open, past the target.
    Breached,
    /// Closed within the target.
    Met,
    /// Closed past the target.
    Missed,
}

/// Why an SLA operation was refused. Nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SlaError {
    /// No policy for the request type.
    #[error("no SLA policy for this request type")]
    UnknownType,
    /// No such calendar in the tracker.
    #[error("no such business calendar")]
    UnknownCalendar,
    /// A policy for the type exists already.
    #[error("a policy for this request type exists already")]
    DuplicatePolicy,
    /// A target of zero or longer than a year, or an at-risk point above 1000 ‰.
    #[error("invalid target or at-risk point")]
    InvalidPolicy,
    /// No open request with that id.
    #[error("no open request with this id")]
    UnknownRequest,
    /// A request with that id is open already.
    #[error("a request with this id is open already")]
    DuplicateRequest,
    /// Pausing a paused request.
    #[error("the request is paused already")]
    AlreadyPaused,
    /// Resuming a request that is not paused.
    #[error("the request is not paused")]
    NotPaused,
    /// An instant before the request's previous event.
    #[error("the instant is before the request's previous event")]
    BeforePrevious,
    /// A holiday for a calendar a policy already runs on: due instants already given would
    /// no longer agree with the calendar.
    #[error("the calendar is in use by a policy")]
    CalendarInUse,
    /// The tracker is full (requests, calendars, policies or department × type pairs).
    #[error("the tracker is full")]
    Full,
    /// The day is older than every day kept.
    #[error("the day is no longer kept")]
    TooOld,
    /// The calendar could not place the due instant.
    #[error(transparent)]
    Calendar(#[from] BusinessError),
}

/// A bounded histogram of business time to close, in [`CLOSE_BUCKET_BOUNDS_MIN`] buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CloseHistogram {
    counts: [u32; CLOSE_BUCKETS],
}

impl CloseHistogram {
    /// Counts a request that took `ms` of business time.
    pub fn record(&mut self, ms: u64) {
        let minutes = ms.div_ceil(MILLIS_PER_MINUTE);
        let bucket = CLOSE_BUCKET_BOUNDS_MIN
            .iter()
            .position(|&bound| minutes <= u64::from(bound))
            .unwrap_or(CLOSE_BUCKETS.saturating_sub(1));
        if let Some(count) = self.counts.get_mut(bucket) {
            *count = count.saturating_add(1);
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Self) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
    }

    /// Requests counted.
    #[must_use]
    pub fn total(&self) -> u32 {
        self.counts.iter().fold(0u32, |sum, c| sum.saturating_add(*c))
    }

    /// The counts per bucket.
    #[must_use]
    pub const fn counts(&self) -> &[u32; CLOSE_BUCKETS] {
        &self.counts
    }

    /// The `permille`-th percentile in milliseconds, interpolated linearly within its bucket
    /// (the first bucket starts at 0); `None` when empty. In the last, open-ended bucket it is
    /// that bucket's lower bound: "at least".
    #[must_use]
    pub fn percentile_ms(&self, permille: u16) -> Option<u64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        // The rank of the percentile among the counted requests, 0 < rank ≤ total.
        let rank =
            (f64::from(total) * f64::from(permille.min(1000)) / 1000.0).max(f64::MIN_POSITIVE);
        let mut below: u32 = 0;
        let mut lower_min: u32 = 0;
        for (i, &count) in self.counts.iter().enumerate() {
            let upto = below.saturating_add(count);
            if count > 0 && f64::from(upto) >= rank {
                let Some(&upper_min) = CLOSE_BUCKET_BOUNDS_MIN.get(i) else {
                    return Some(u64::from(lower_min).saturating_mul(MILLIS_PER_MINUTE));
                };
                let share = (rank - f64::from(below)) / f64::from(count);
                let width = f64::from(upper_min.saturating_sub(lower_min));
                let minutes = f64::from(lower_min) + share * width;
                // Non-negative and at most 86 400 minutes: the cast is exact enough.
                return Some(libm::round(minutes * MILLIS_PER_MINUTE as f64) as u64);
            }
            below = upto;
            lower_min = CLOSE_BUCKET_BOUNDS_MIN.get(i).copied().unwrap_or(lower_min);
        }
        None
    }
}

/// One department × type's counts for one local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SlaDay {
    /// Requests opened.
    pub opened: u32,
    /// Requests closed.
    pub closed: u32,
    /// Closed within the target.
    pub met: u32,
    /// Closed past the target.
    pub missed: u32,
    /// Business time to close of the requests closed.
    pub time_to_close: CloseHistogram,
}

/// One request's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestClock {
    /// Its type.
    pub request_type: RequestType,
    /// Its department.
    pub department: DepartmentId,
    /// When it was opened.
    pub opened_at: Timestamp,
    /// The business time the target allows, ms.
    pub budget_ms: u64,
    /// The business time used, ms, as of the instant asked about.
    pub used_ms: u64,
    /// When the budget runs out: `None` while paused within the target.
    pub due_at: Option<Timestamp>,
    /// Whether the clock is stopped.
    pub paused: bool,
    /// Where it stands.
    pub status: SlaStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct OpenRequest {
    request_type: RequestType,
    department: DepartmentId,
    policy: u8,
    opened_at: Timestamp,
    budget_ms: u64,
    /// Business time used up to `running_since` (or to the pause).
    used_ms: u64,
    /// When the clock last started; `None` while paused.
    running_since: Option<Timestamp>,
    /// When the budget runs out (or ran out), as last computed.
    due_at: Timestamp,
    last_at: Timestamp,
}

/// What a summary covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SlaFilter {
    /// One department, or all.
    pub department: Option<DepartmentId>,
    /// One request type, or all.
    pub request_type: Option<RequestType>,
}

/// A department's (or type's) compliance over a period, and its open requests now.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SlaSummary {
    /// Requests opened in the period.
    pub opened: u32,
    /// Requests closed in the period.
    pub closed: u32,
    /// Of those, closed within the target.
    pub met: u32,
    /// Of those, closed past the target.
    pub missed: u32,
    /// Open now, under the at-risk point.
    pub open_on_time: u32,
    /// Open now, past the at-risk point.
    pub open_at_risk: u32,
    /// Open now, past the target.
    pub open_breached: u32,
    /// Business time to close of the requests closed in the period.
    pub time_to_close: CloseHistogram,
}

impl SlaSummary {
    /// Met ÷ closed; `None` when nothing closed.
    #[must_use]
    pub fn compliance(&self) -> Option<f64> {
        (self.closed > 0).then(|| f64::from(self.met) / f64::from(self.closed))
    }

    /// The median business time to close, ms (from the histogram).
    #[must_use]
    pub fn median_close_ms(&self) -> Option<u64> {
        self.time_to_close.percentile_ms(500)
    }

    /// The 90th-percentile business time to close, ms (from the histogram).
    #[must_use]
    pub fn p90_close_ms(&self) -> Option<u64> {
        self.time_to_close.percentile_ms(900)
    }
}

type DayLedger<const DAYS: usize> = Ledger<LocalDate, SlaDay, DAYS>;

/// Tracks service requests against their agreements; see the [module](self) docs.
#[derive(Debug, Clone)]
pub struct SlaTracker<const REQUESTS: usize, const KEYS: usize, const DAYS: usize> {
    calendars: Vec<BusinessCalendar, MAX_CALENDARS>,
    policies: Vec<SlaPolicy, MAX_POLICIES>,
    open: IdMap<RequestId, OpenRequest, REQUESTS>,
    days: Vec<((DepartmentId, RequestType), DayLedger<DAYS>), KEYS>,
}

impl<const REQUESTS: usize, const KEYS: usize, const DAYS: usize> Default
    for SlaTracker<REQUESTS, KEYS, DAYS>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const REQUESTS: usize, const KEYS: usize, const DAYS: usize> SlaTracker<REQUESTS, KEYS, DAYS> {
    /// An empty tracker: add calendars, then policies.
    #[must_use]
    #[inline(always)]
    pub const fn new() -> Self {
        Self { calendars: Vec::new(), policies: Vec::new(), open: IdMap::new(), days: Vec::new() }
    }

    /// Makes an empty tracker in `place` and returns it, without a copy of it on the stack in
    /// an optimized caller: as [`Center::new_in`](crate::Center::new_in) does for a center.
    #[inline(always)]
    pub fn new_in(place: &mut core::mem::MaybeUninit<Self>) -> &mut Self {
        place.write(Self::new())
    }

    /// A new empty tracker on the heap, written in place as [`SlaTracker::new_in`] writes it.
    #[cfg(feature = "std")]
    #[must_use]
    #[inline(always)]
    pub fn new_boxed() -> std::boxed::Box<Self> {
        std::boxed::Box::write(std::boxed::Box::new_uninit(), Self::new())
    }

    /// Adds a business calendar and returns its index for [`SlaPolicy::calendar`]. Days are
    /// counted in the first calendar's local time.
    ///
    /// # Errors
    /// [`SlaError::Full`] past [`MAX_CALENDARS`].
    pub fn add_calendar(&mut self, calendar: BusinessCalendar) -> Result<u8, SlaError> {
        let index = u8::try_from(self.calendars.len()).map_err(|_| SlaError::Full)?;
        self.calendars.push(calendar).map_err(|_| SlaError::Full)?;
        Ok(index)
    }

    /// Adds a holiday to calendar `index`, before any policy runs on it.
    ///
    /// # Errors
    /// [`SlaError::UnknownCalendar`], [`SlaError::CalendarInUse`], [`SlaError::Calendar`] (too
    /// many holidays).
    pub fn add_holiday(&mut self, index: u8, date: LocalDate) -> Result<(), SlaError> {
        if self.policies.iter().any(|p| p.calendar == index) {
            return Err(SlaError::CalendarInUse);
        }
        let calendar =
            self.calendars.get_mut(usize::from(index)).ok_or(SlaError::UnknownCalendar)?;
        calendar.add_holiday(date).map_err(SlaError::Calendar)
    }

    /// The calendar at `index`.
    #[must_use]
    pub fn calendar(&self, index: u8) -> Option<&BusinessCalendar> {
        self.calendars.get(usize::from(index))
    }

    /// Adds the policy for a request type.
    ///
    /// # Errors
    /// [`SlaError::UnknownCalendar`], [`SlaError::InvalidPolicy`] (a target of zero or over a
    /// year, an at-risk point over 1000 ‰), [`SlaError::Calendar`] for a business target on a
    /// calendar that is never open, [`SlaError::DuplicatePolicy`], [`SlaError::Full`].
    pub fn add_policy(&mut self, policy: SlaPolicy) -> Result<(), SlaError> {
        let calendar = self.calendar(policy.calendar).ok_or(SlaError::UnknownCalendar)?;
        if !policy.target.is_valid() || policy.at_risk_permille > 1000 {
            return Err(SlaError::InvalidPolicy);
        }
        if policy.target.is_business() && !calendar.week().is_ever_open() {
            return Err(SlaError::Calendar(BusinessError::NeverOpen));
        }
        if self.policy_index(policy.request_type).is_some() {
            return Err(SlaError::DuplicatePolicy);
        }
        self.policies.push(policy).map_err(|_| SlaError::Full)
    }

    /// The policy for `request_type`.
    #[must_use]
    pub fn policy(&self, request_type: RequestType) -> Option<&SlaPolicy> {
        self.policies.iter().find(|p| p.request_type == request_type)
    }

    /// Requests open now.
    #[must_use]
    pub fn open_requests(&self) -> usize {
        self.open.len()
    }

    /// Opens request `id` of `request_type` for `department` at `at`.
    ///
    /// # Errors
    /// [`SlaError::DuplicateRequest`], [`SlaError::UnknownType`], [`SlaError::Full`],
    /// [`SlaError::TooOld`], [`SlaError::Calendar`].
    pub fn open(
        &mut self,
        id: RequestId,
        request_type: RequestType,
        department: DepartmentId,
        at: Timestamp,
    ) -> Result<(), SlaError> {
        let at = within_range(at)?;
        if self.open.contains_key(&id) {
            return Err(SlaError::DuplicateRequest);
        }
        let policy_index = self.policy_index(request_type).ok_or(SlaError::UnknownType)?;
        let policy = *self.policies.get(usize::from(policy_index)).ok_or(SlaError::UnknownType)?;
        let calendar = self.calendar(policy.calendar).ok_or(SlaError::UnknownCalendar)?;
        let due_at = match policy.target {
            Target::BusinessMinutes(m) => {
                calendar.add_business(at, u64::from(m).saturating_mul(MILLIS_PER_MINUTE))?
            }
            Target::BusinessDays(n) => calendar.end_of_business_days(at, n)?,
            Target::CalendarMinutes(m) => {
                at.saturating_add(u64::from(m).saturating_mul(MILLIS_PER_MINUTE))
            }
            Target::CalendarDays(n) => same_time_days_later(calendar, at, n),
        };
        // A request whose budget runs past year 9999 has no due instant the calendar can give.
        let due_at = within_range(due_at)?;
        let budget_ms = measure(&policy, calendar, at, due_at);
        if self.open.len() >= REQUESTS {
            return Err(SlaError::Full);
        }
        let day = self.day_of(at);
        self.with_day(department, request_type, day, |d| d.opened = d.opened.saturating_add(1))?;
        let request = OpenRequest {
            request_type,
            department,
            policy: policy_index,
            opened_at: at,
            budget_ms,
            used_ms: 0,
            running_since: Some(at),
            due_at,
            last_at: at,
        };
        // Capacity was checked above.
        self.open.insert(id, request).map_err(|_| SlaError::Full)?;
        Ok(())
    }

    /// Stops `id`'s clock at `at` (waiting on the resident).
    ///
    /// # Errors
    /// [`SlaError::UnknownRequest`], [`SlaError::BeforePrevious`], [`SlaError::AlreadyPaused`].
    pub fn pause(&mut self, id: RequestId, at: Timestamp) -> Result<(), SlaError> {
        let (request, policy, calendar) = self.parts(id, at)?;
        let since = request.running_since.ok_or(SlaError::AlreadyPaused)?;
        let used = request.used_ms.saturating_add(measure(policy, calendar, since, at));
        let updated = OpenRequest { used_ms: used, running_since: None, last_at: at, ..*request };
        self.replace(id, updated);
        Ok(())
    }

    /// Restarts `id`'s clock at `at`; the due instant moves by the business time it was paused.
    ///
    /// # Errors
    /// [`SlaError::UnknownRequest`], [`SlaError::BeforePrevious`], [`SlaError::NotPaused`],
    /// [`SlaError::Calendar`].
    pub fn resume(&mut self, id: RequestId, at: Timestamp) -> Result<(), SlaError> {
        let (request, policy, calendar) = self.parts(id, at)?;
        if request.running_since.is_some() {
            return Err(SlaError::NotPaused);
        }
        let due_at = if request.used_ms < request.budget_ms {
            let left = request.budget_ms.saturating_sub(request.used_ms);
            within_range(if policy.target.is_business() {
                calendar.add_business(at, left)?
            } else {
                at.saturating_add(left)
            })?
        } else {
            // Breached before the pause: it stays due when it ran out.
            request.due_at
        };
        let updated = OpenRequest { running_since: Some(at), due_at, last_at: at, ..*request };
        self.replace(id, updated);
        Ok(())
    }

    /// Closes `id` at `at`: met or missed, counted on `at`'s day.
    ///
    /// # Errors
    /// [`SlaError::UnknownRequest`], [`SlaError::BeforePrevious`], [`SlaError::TooOld`].
    pub fn close(&mut self, id: RequestId, at: Timestamp) -> Result<SlaStatus, SlaError> {
        let at = within_range(at)?;
        let clock = self.request(id, at).ok_or(SlaError::UnknownRequest)?;
        let request = *self.open.get(&id).ok_or(SlaError::UnknownRequest)?;
        if at < request.last_at {
            return Err(SlaError::BeforePrevious);
        }
        let met = clock.status != SlaStatus::Breached;
        let day = self.day_of(at);
        self.with_day(request.department, request.request_type, day, |d| {
            d.closed = d.closed.saturating_add(1);
            if met {
                d.met = d.met.saturating_add(1);
            } else {
                d.missed = d.missed.saturating_add(1);
            }
            d.time_to_close.record(clock.used_ms);
        })?;
        self.open.swap_remove(&id);
        Ok(if met { SlaStatus::Met } else { SlaStatus::Missed })
    }

    /// Open request `id`'s clock as of `now` (`None` if not open).
    #[must_use]
    pub fn request(&self, id: RequestId, now: Timestamp) -> Option<RequestClock> {
        let request = self.open.get(&id)?;
        Some(self.clock_of(request, now))
    }

    /// The open requests with their clocks as of `now`, in no particular order.
    pub fn requests(&self, now: Timestamp) -> impl Iterator<Item = (RequestId, RequestClock)> + '_ {
        self.open.iter().map(move |(&id, r)| (id, self.clock_of(r, now)))
    }

    /// Compliance of the requests `filter` selects over the local days `from..=to` (in the
    /// first calendar's local time), and their open requests as of `now`.
    #[must_use]
    pub fn summary(
        &self,
        filter: SlaFilter,
        from: LocalDate,
        to: LocalDate,
        now: Timestamp,
    ) -> SlaSummary {
        let mut summary = SlaSummary::default();
        let selected = |department: DepartmentId, request_type: RequestType| {
            filter.department.is_none_or(|d| d == department)
                && filter.request_type.is_none_or(|t| t == request_type)
        };
        for ((department, request_type), ledger) in &self.days {
            if !selected(*department, *request_type) {
                continue;
            }
            for (_, day) in ledger.iter().filter(|(date, _)| from <= *date && *date <= to) {
                summary.opened = summary.opened.saturating_add(day.opened);
                summary.closed = summary.closed.saturating_add(day.closed);
                summary.met = summary.met.saturating_add(day.met);
                summary.missed = summary.missed.saturating_add(day.missed);
                summary.time_to_close.merge(&day.time_to_close);
            }
        }
        for (_, clock) in self.requests(now) {
            if !selected(clock.department, clock.request_type) {
                continue;
            }
            let count = match clock.status {
                SlaStatus::AtRisk => &mut summary.open_at_risk,
                SlaStatus::Breached => &mut summary.open_breached,
                _ => &mut summary.open_on_time,
            };
            *count = count.saturating_add(1);
        }
        summary
    }

    /// The department × type pairs seen, in the order first seen.
    pub fn keys(&self) -> impl Iterator<Item = (DepartmentId, RequestType)> + '_ {
        self.days.iter().map(|(key, _)| *key)
    }

    fn clock_of(&self, request: &OpenRequest, now: Timestamp) -> RequestClock {
        // No calendar goes past year 9999: a later `now` is read as its end.
        let now = now.min(MAX_TIMESTAMP);
        let policy = self.policies.get(usize::from(request.policy));
        let calendar = policy.and_then(|p| self.calendar(p.calendar));
        let running = match (request.running_since, policy, calendar) {
            (Some(since), Some(policy), Some(calendar)) => measure(policy, calendar, since, now),
            _ => 0,
        };
        let used_ms = request.used_ms.saturating_add(running);
        let at_risk_permille = policy.map_or(800, |p| p.at_risk_permille);
        let at_risk_ms = mul_permille(request.budget_ms, at_risk_permille);
        let past_due = request.running_since.is_some() && now > request.due_at;
        let status = if used_ms > request.budget_ms || past_due {
            SlaStatus::Breached
        } else if used_ms >= at_risk_ms {
            SlaStatus::AtRisk
        } else {
            SlaStatus::OnTime
        };
        let paused = request.running_since.is_none();
        let due_at = (!paused || used_ms > request.budget_ms).then_some(request.due_at);
        RequestClock {
            request_type: request.request_type,
            department: request.department,
            opened_at: request.opened_at,
            budget_ms: request.budget_ms,
            used_ms,
            due_at,
            paused,
            status,
        }
    }

    fn policy_index(&self, request_type: RequestType) -> Option<u8> {
        let i = self.policies.iter().position(|p| p.request_type == request_type)?;
        u8::try_from(i).ok()
    }

    /// The open request, its policy and calendar, checking `at` is not before its last event.
    fn parts(
        &self,
        id: RequestId,
        at: Timestamp,
    ) -> Result<(&OpenRequest, &SlaPolicy, &BusinessCalendar), SlaError> {
        let request = self.open.get(&id).ok_or(SlaError::UnknownRequest)?;
        if within_range(at)? < request.last_at {
            return Err(SlaError::BeforePrevious);
        }
        let policy = self.policies.get(usize::from(request.policy)).ok_or(SlaError::UnknownType)?;
        let calendar = self.calendar(policy.calendar).ok_or(SlaError::UnknownCalendar)?;
        Ok((request, policy, calendar))
    }

    fn replace(&mut self, id: RequestId, request: OpenRequest) {
        if let Some(slot) = self.open.get_mut(&id) {
            *slot = request;
        }
    }

    fn day_of(&self, at: Timestamp) -> LocalDate {
        self.calendars.first().map_or_else(
            || LocalDate::from_days_since_epoch(i64::try_from(at / MILLIS_PER_DAY).unwrap_or(0)),
            |c| c.site().local_date(at),
        )
    }

    /// Updates the counts of `department` × `request_type` on `day`, creating them if needed.
    fn with_day(
        &mut self,
        department: DepartmentId,
        request_type: RequestType,
        day: LocalDate,
        update: impl FnOnce(&mut SlaDay),
    ) -> Result<(), SlaError> {
        let key = (department, request_type);
        let index = match self.days.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let i = self.days.len();
                self.days.push((key, Ledger::new())).map_err(|_| SlaError::Full)?;
                i
            }
        };
        let (_, ledger) = self.days.get_mut(index).ok_or(SlaError::Full)?;
        if !ledger.accepts(day) {
            return Err(SlaError::TooOld);
        }
        let (entry, _) = ledger.entry(day).map_err(|_| SlaError::TooOld)?;
        update(entry);
        Ok(())
    }
}

/// `at`, if the calendars reach it (year 9999 at the latest).
fn within_range(at: Timestamp) -> Result<Timestamp, SlaError> {
    if at <= MAX_TIMESTAMP { Ok(at) } else { Err(SlaError::Calendar(BusinessError::OutOfRange)) }
}

/// The business (or, for a calendar target, elapsed) time from `from` to `to` under `policy`.
fn measure(policy: &SlaPolicy, calendar: &BusinessCalendar, from: Timestamp, to: Timestamp) -> u64 {
    if policy.target.is_business() {
        calendar.business_between(from, to)
    } else {
        to.saturating_sub(from)
    }
}

/// The same local time `n` days after `at` (the first of a repeated time, the jump of a
/// skipped one).
fn same_time_days_later(calendar: &BusinessCalendar, at: Timestamp, n: u32) -> Timestamp {
    let site = calendar.site();
    let local = site.to_local(at);
    let date = LocalDate::from_days_since_epoch(
        local.date.days_since_epoch().saturating_add(i64::from(n)),
    );
    let millis = u32::from(local.hour())
        .saturating_mul(3_600_000)
        .saturating_add(u32::from(local.minute()).saturating_mul(60_000))
        .saturating_add(u32::from(local.second()).saturating_mul(1_000))
        .saturating_add(u32::try_from(at % 1000).unwrap_or(0));
    site.resolve_local(date, millis).earliest()
}

fn mul_permille(ms: u64, permille: u16) -> u64 {
    let scaled = u128::from(ms).saturating_mul(u128::from(permille)) / 1000;
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::business::{OpenSpan, WeekHours};
    use crate::calendar::{DstRule, LocalResolution, SiteCalendar, UtcOffset};

    const HOUR: u64 = 3_600_000;
    const GRAFFITI: RequestType = RequestType(1);
    const STREETLIGHT: RequestType = RequestType(2);
    const TREE: RequestType = RequestType(3);
    const SANITATION: DepartmentId = DepartmentId(10);
    const STREETS: DepartmentId = DepartmentId(20);

    type Tracker = SlaTracker<16, 8, 31>;

    fn site() -> SiteCalendar {
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::UnitedStates).unwrap()
    }

    fn at(y: i32, m: u8, d: u8, h: u32, min: u32) -> Timestamp {
        match site().resolve_local(LocalDate::new(y, m, d).unwrap(), (h * 60 + min) * 60_000) {
            LocalResolution::Unique(t) => t,
            other => panic!("{other:?}"),
        }
    }

    fn tracker() -> Tracker {
        let mut t = Tracker::new();
        let mut city = BusinessCalendar::new(
            site(),
            WeekHours::weekdays(OpenSpan::new(8 * 60, 20 * 60).unwrap()),
        );
        city.add_holiday(LocalDate::new(2026, 11, 26).unwrap()).unwrap(); // Thanksgiving
        let city = t.add_calendar(city).unwrap();
        let policy = |request_type, target| SlaPolicy {
            request_type,
            target,
            calendar: city,
            at_risk_permille: 800,
        };
        t.add_policy(policy(GRAFFITI, Target::BusinessDays(7))).unwrap();
        t.add_policy(policy(STREETLIGHT, Target::BusinessMinutes(5 * 12 * 60))).unwrap();
        t.add_policy(policy(TREE, Target::CalendarMinutes(24 * 60))).unwrap();
        t
    }

    /// Instants past year 9999 are refused, a budget that would run past it has no due instant
    /// (refused, never 2^64 − 1), and a clock read at the end of time answers at once: the
    /// business time of thousands of years is taken a year at a time.
    #[test]
    fn the_end_of_time_is_refused_or_answered_at_once() {
        let mut t = tracker();
        let out_of_range = Err(SlaError::Calendar(BusinessError::OutOfRange));
        assert_eq!(t.open(RequestId(1), TREE, SANITATION, u64::MAX), out_of_range);
        assert_eq!(t.open(RequestId(1), TREE, SANITATION, MAX_TIMESTAMP - 60_000), out_of_range);
        assert_eq!(
            t.open(RequestId(1), GRAFFITI, SANITATION, MAX_TIMESTAMP - 60_000),
            out_of_range
        );
        assert_eq!(
            t.open(RequestId(1), STREETLIGHT, SANITATION, MAX_TIMESTAMP - 60_000),
            out_of_range
        );
        assert_eq!(t.requests(0).count(), 0, "refusals open nothing");
        let opened = at(2026, 11, 16, 10, 0);
        t.open(RequestId(2), STREETLIGHT, SANITATION, opened).unwrap();
        for now in [MAX_TIMESTAMP, MAX_TIMESTAMP + 1, u64::MAX] {
            let clock = t.request(RequestId(2), now).unwrap();
            assert_eq!(clock.status, SlaStatus::Breached);
            assert!(clock.due_at.is_some_and(|due| due < at(2026, 12, 1, 0, 0)));
            assert_eq!(
                clock.used_ms,
                t.calendar(0).unwrap().business_between(opened, MAX_TIMESTAMP)
            );
        }
        assert_eq!(t.pause(RequestId(2), u64::MAX), out_of_range);
        assert_eq!(
            t.close(RequestId(2), u64::MAX),
            Err(SlaError::Calendar(BusinessError::OutOfRange))
        );
        t.pause(RequestId(2), MAX_TIMESTAMP).unwrap();
        assert_eq!(
            t.resume(RequestId(2), MAX_TIMESTAMP),
            Ok(()),
            "breached: stays due when it ran out"
        );
        assert_eq!(t.close(RequestId(2), MAX_TIMESTAMP), Ok(SlaStatus::Missed));
    }

    #[test]
    fn a_request_is_due_by_its_policy_and_goes_at_risk_then_breached() {
        let mut t = tracker();
        // Monday 2026-11-16 10:00; 7 business days → close of Wednesday 25th.
        let opened = at(2026, 11, 16, 10, 0);
        t.open(RequestId(1), GRAFFITI, SANITATION, opened).unwrap();
        let clock = t.request(RequestId(1), opened).unwrap();
        assert_eq!(clock.due_at, Some(at(2026, 11, 25, 20, 0)));
        // 10 h Monday + 7 × 12 h = 94 h of business time.
        assert_eq!(clock.budget_ms, 94 * HOUR);
        assert_eq!(clock.status, SlaStatus::OnTime);
        // 80 % of 94 h is 75.2 h: Monday 10 h + 4 × 12 h = 58 h by Friday 20:00, 70 h by
        // Monday 23rd 20:00, at risk at Tuesday 24th 13:12.
        let almost = at(2026, 11, 24, 13, 11);
        assert_eq!(t.request(RequestId(1), almost).unwrap().status, SlaStatus::OnTime);
        let risky = at(2026, 11, 24, 13, 12);
        assert_eq!(t.request(RequestId(1), risky).unwrap().status, SlaStatus::AtRisk);
        // At the due instant it is still within; a millisecond later it is breached, even
        // though the closed evening and the holiday add no business time.
        let due = at(2026, 11, 25, 20, 0);
        assert_eq!(t.request(RequestId(1), due).unwrap().status, SlaStatus::AtRisk);
        assert_eq!(t.request(RequestId(1), due + 1).unwrap().status, SlaStatus::Breached);
        let next_morning = at(2026, 11, 26, 9, 0);
        assert_eq!(t.request(RequestId(1), next_morning).unwrap().status, SlaStatus::Breached);
        assert_eq!(t.close(RequestId(1), next_morning), Ok(SlaStatus::Missed));
        assert_eq!(t.request(RequestId(1), next_morning), None);
    }

    #[test]
    fn pausing_stops_the_clock_and_moves_the_due_instant() {
        let mut t = tracker();
        // Street light, 60 business hours (5 × 12): opened Monday 16th 8:00, due Friday 20:00.
        let opened = at(2026, 11, 16, 8, 0);
        t.open(RequestId(7), STREETLIGHT, STREETS, opened).unwrap();
        assert_eq!(t.request(RequestId(7), opened).unwrap().due_at, Some(at(2026, 11, 20, 20, 0)));
        // Waiting on the resident from Tuesday 8:00 to Wednesday 14:00: 18 business hours.
        t.pause(RequestId(7), at(2026, 11, 17, 8, 0)).unwrap();
        assert_eq!(t.pause(RequestId(7), at(2026, 11, 17, 9, 0)), Err(SlaError::AlreadyPaused));
        let paused = t.request(RequestId(7), at(2026, 11, 18, 12, 0)).unwrap();
        assert!(paused.paused && paused.due_at.is_none());
        assert_eq!(paused.used_ms, 12 * HOUR);
        t.resume(RequestId(7), at(2026, 11, 18, 14, 0)).unwrap();
        assert_eq!(t.resume(RequestId(7), at(2026, 11, 18, 15, 0)), Err(SlaError::NotPaused));
        // 48 h left from Wednesday 14:00: Wed 6 h, Thu 12 h, Fri 12 h, Mon 12 h, Tue 6 h →
        // Tuesday 24th 14:00, 18 business hours after Friday 20:00.
        let clock = t.request(RequestId(7), at(2026, 11, 18, 14, 0)).unwrap();
        assert_eq!(clock.due_at, Some(at(2026, 11, 24, 14, 0)));
        // An event before the last one is refused and changes nothing.
        assert_eq!(t.pause(RequestId(7), at(2026, 11, 18, 13, 0)), Err(SlaError::BeforePrevious));
        assert_eq!(t.request(RequestId(7), at(2026, 11, 18, 14, 0)), Some(clock));
        assert_eq!(t.close(RequestId(7), at(2026, 11, 24, 14, 0)), Ok(SlaStatus::Met));
    }

    #[test]
    fn a_calendar_target_runs_around_the_clock() {
        let mut t = tracker();
        // Emergency tree removal, 24 hours: opened Saturday night, weekend and holiday or not.
        let opened = at(2026, 11, 21, 23, 0);
        t.open(RequestId(3), TREE, STREETS, opened).unwrap();
        let clock = t.request(RequestId(3), opened).unwrap();
        assert_eq!((clock.budget_ms, clock.due_at), (24 * HOUR, Some(opened + 24 * HOUR)));
        assert_eq!(t.request(RequestId(3), opened + 20 * HOUR).unwrap().status, SlaStatus::AtRisk);
        assert_eq!(t.close(RequestId(3), opened + 25 * HOUR), Ok(SlaStatus::Missed));
    }

    #[test]
    fn summaries_per_department_type_and_period() {
        let mut t = tracker();
        let monday = at(2026, 11, 16, 9, 0);
        for i in 0..4u64 {
            t.open(RequestId(i), GRAFFITI, SANITATION, monday + i * HOUR).unwrap();
        }
        t.open(RequestId(10), STREETLIGHT, STREETS, monday).unwrap();
        // Two graffiti closed: one Monday after 2 business hours, one Tuesday after 11 (opened
        // Monday 10:00: 10 h Monday, 1 h Tuesday).
        t.close(RequestId(0), at(2026, 11, 16, 11, 0)).unwrap();
        t.close(RequestId(1), at(2026, 11, 17, 9, 0)).unwrap();
        let now = at(2026, 11, 26, 12, 0); // Thanksgiving
        let d = |day| LocalDate::new(2026, 11, day).unwrap();
        let graffiti = SlaFilter { department: Some(SANITATION), request_type: Some(GRAFFITI) };
        let s = t.summary(graffiti, d(16), d(17), now);
        assert_eq!((s.opened, s.closed, s.met, s.missed), (4, 2, 2, 0));
        assert_eq!(s.compliance(), Some(1.0));
        // Requests 2 and 3, opened Monday 11:00 and 12:00, due the close of Wednesday 25th:
        // breached by now.
        assert_eq!((s.open_on_time, s.open_at_risk, s.open_breached), (0, 0, 2));
        // Medians from the histogram: 2 h and 11 h land in the (1.5, 2] h and (8, 12] h
        // buckets; the median interpolates to the top of the first.
        assert_eq!(s.median_close_ms(), Some(2 * HOUR));
        let p90 = s.p90_close_ms().unwrap();
        assert!(p90 > 8 * HOUR && p90 <= 12 * HOUR, "{p90}");
        // Only Tuesday: one closed, none opened.
        let tue = t.summary(graffiti, d(17), d(17), now);
        assert_eq!((tue.opened, tue.closed), (0, 1));
        // The whole city: the street light as well (opened Monday 9:00, 60 business hours: due
        // Monday 23rd 9:00, breached by Thanksgiving).
        let all = t.summary(SlaFilter::default(), d(1), d(30), now);
        assert_eq!((all.opened, all.open_breached), (5, 3));
        assert_eq!(t.keys().count(), 2);
        let none = t.summary(graffiti, d(1), d(15), now);
        assert_eq!((none.opened, none.compliance(), none.median_close_ms()), (0, None, None));
    }

    #[test]
    fn refusals_change_nothing() {
        let mut t = tracker();
        let now = at(2026, 11, 16, 9, 0);
        assert_eq!(t.open(RequestId(1), RequestType(99), STREETS, now), Err(SlaError::UnknownType));
        t.open(RequestId(1), GRAFFITI, SANITATION, now).unwrap();
        assert_eq!(
            t.open(RequestId(1), GRAFFITI, SANITATION, now),
            Err(SlaError::DuplicateRequest)
        );
        assert_eq!(t.close(RequestId(2), now), Err(SlaError::UnknownRequest));
        assert_eq!(t.close(RequestId(1), now - 1), Err(SlaError::BeforePrevious));
        assert_eq!(t.open_requests(), 1);
        let bad = SlaPolicy {
            request_type: RequestType(5),
            target: Target::BusinessDays(0),
            calendar: 0,
            at_risk_permille: 800,
        };
        assert_eq!(t.add_policy(bad), Err(SlaError::InvalidPolicy));
        let bad = SlaPolicy { target: Target::CalendarDays(400), ..bad };
        assert_eq!(t.add_policy(bad), Err(SlaError::InvalidPolicy));
        let bad = SlaPolicy { target: Target::CalendarDays(4), calendar: 3, ..bad };
        assert_eq!(t.add_policy(bad), Err(SlaError::UnknownCalendar));
        let dup = SlaPolicy { request_type: GRAFFITI, calendar: 0, ..bad };
        assert_eq!(t.add_policy(dup), Err(SlaError::DuplicatePolicy));
        let day = LocalDate::new(2026, 12, 24).unwrap();
        assert_eq!(t.add_holiday(0, day), Err(SlaError::CalendarInUse));
        assert_eq!(t.add_holiday(9, day), Err(SlaError::UnknownCalendar));
        let closed = t.add_calendar(BusinessCalendar::new(site(), WeekHours::closed())).unwrap();
        t.add_holiday(closed, day).unwrap();
        assert_eq!(t.calendar(closed).unwrap().holidays(), &[day]);
        let never = SlaPolicy { target: Target::BusinessMinutes(60), calendar: closed, ..bad };
        assert_eq!(t.add_policy(never), Err(SlaError::Calendar(BusinessError::NeverOpen)));
        // Full: 16 requests.
        for i in 2..=16 {
            t.open(RequestId(i), GRAFFITI, SANITATION, now).unwrap();
        }
        assert_eq!(t.open(RequestId(17), GRAFFITI, SANITATION, now), Err(SlaError::Full));
        let s = t.summary(
            SlaFilter::default(),
            LocalDate::new(2026, 11, 16).unwrap(),
            LocalDate::new(2026, 11, 16).unwrap(),
            now,
        );
        assert_eq!(s.opened, 16);
    }

    #[test]
    fn calendar_days_keep_the_clock_time_across_a_dst_change() {
        let mut t = Tracker::new();
        let c = t.add_calendar(BusinessCalendar::always(site())).unwrap();
        let policy = SlaPolicy {
            request_type: TREE,
            target: Target::CalendarDays(2),
            calendar: c,
            at_risk_permille: 500,
        };
        t.add_policy(policy).unwrap();
        // Opened Saturday 2026-10-31 10:00; clocks fall back on Sunday: due Monday 10:00,
        // 49 hours later.
        let opened = at(2026, 10, 31, 10, 0);
        t.open(RequestId(1), TREE, STREETS, opened).unwrap();
        let clock = t.request(RequestId(1), opened).unwrap();
        assert_eq!(clock.due_at, Some(at(2026, 11, 2, 10, 0)));
        assert_eq!(clock.budget_ms, 49 * HOUR);
    }

    #[test]
    fn the_histogram_interpolates_and_bounds_the_open_end() {
        let mut h = CloseHistogram::default();
        assert_eq!(h.percentile_ms(500), None);
        for _ in 0..10 {
            h.record(45 * 60_000); // (30, 60] minutes
        }
        // Ten in (30, 60]: the median halfway, the 90th percentile at 57 minutes.
        assert_eq!(h.percentile_ms(500), Some(45 * 60_000));
        assert_eq!(h.percentile_ms(900), Some(57 * 60_000));
        h.record(u64::MAX);
        assert_eq!(h.total(), 11);
        assert_eq!(h.percentile_ms(1000), Some(86_400 * 60_000));
    }
}
