//! Business calendars: when a city department is working, and how much working time lies
//! between two instants.
//!
//! A [`BusinessCalendar`] is a site's [`SiteCalendar`] (UTC offset and daylight-saving rule), its
//! opening hours per weekday ([`WeekHours`]: up to [`SPANS_PER_DAY`] spans a day, or 24/7) and
//! a list of holidays (closed all day, up to [`MAX_HOLIDAYS`]). It answers three questions:
//!
//! - [`business_between`](BusinessCalendar::business_between): the working time between two
//!   instants;
//! - [`add_business`](BusinessCalendar::add_business): the instant a working duration after
//!   another ends;
//! - [`end_of_business_days`](BusinessCalendar::end_of_business_days): the close of the n-th
//!   working day after an instant's day.
//!
//! Spans are local wall-clock times, so a span 08:00–20:00 on the day the clocks go forward is
//! 12 hours of the new time — 11 hours long if the change fell inside it. An opening or closing
//! time that the clocks skip means the instant they skipped at; one they repeat means the first
//! time for an opening and the second for a closing, and no instant is ever counted twice.
//!
//! Working time is exact to the millisecond: adding a duration and measuring it back gives the
//! duration (`business_between(t, add_business(t, d)) == d`).
//!
//! The cost of an answer does not grow with the span it covers: whole 400-year cycles and whole
//! local years are taken at once. A year's working time and working days, holidays aside,
//! depend only on the weekday of its 1 January and whether it is a leap year (the opening hours
//! are per weekday, and the daylight-saving rules fall on the same weekdays of the same months);
//! the Gregorian calendar repeats every 400 years. A year is 52 or 53 of each weekday's hours,
//! corrected on the days the clocks change, and its holidays are taken out of it.

use heapless::Vec;

use crate::calendar::{
    LocalDate, LocalResolution, MILLIS_PER_DAY, MILLIS_PER_MINUTE, SiteCalendar, Timestamp, Weekday,
};

/// Opening spans a weekday can have.
pub const SPANS_PER_DAY: usize = 4;

/// Holidays a calendar can hold (about five years of a city's holidays).
pub const MAX_HOLIDAYS: usize = 64;

const MINUTES_PER_DAY: u16 = 1440;

/// Why a calendar could not be built or could not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BusinessError {
    /// A span that is empty, ends before it starts, or goes past midnight (24:00 is the latest
    /// closing).
    #[error("an opening span must start before it ends, within one day")]
    InvalidSpan,
    /// More than [`SPANS_PER_DAY`] spans on one weekday.
    #[error("too many opening spans on one day")]
    TooManySpans,
    /// Two spans of one weekday overlap or are out of order.
    #[error("opening spans overlap or are out of order")]
    SpansOverlap,
    /// More than [`MAX_HOLIDAYS`] holidays.
    #[error("too many holidays")]
    TooManyHolidays,
    /// The calendar is never open: no working time can be added.
    #[error("the calendar has no opening hours")]
    NeverOpen,
    /// The answer lies past the last representable instant.
    #[error("the result is out of range")]
    OutOfRange,
}

/// One opening span of a day, in local minutes after midnight: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OpenSpan {
    start_min: u16,
    end_min: u16,
}

impl OpenSpan {
    /// All day, 00:00–24:00.
    pub const ALL_DAY: Self = Self { start_min: 0, end_min: MINUTES_PER_DAY };

    /// A span from `start_min` to `end_min` minutes after local midnight (`end_min` ≤ 1440).
    ///
    /// # Errors
    /// [`BusinessError::InvalidSpan`] unless `start_min < end_min ≤ 1440`.
    pub const fn new(start_min: u16, end_min: u16) -> Result<Self, BusinessError> {
        if start_min < end_min && end_min <= MINUTES_PER_DAY {
            Ok(Self { start_min, end_min })
        } else {
            Err(BusinessError::InvalidSpan)
        }
    }

    /// The opening, minutes after midnight.
    #[must_use]
    pub const fn start_min(&self) -> u16 {
        self.start_min
    }

    /// The closing, minutes after midnight (1440 = midnight at the end of the day).
    #[must_use]
    pub const fn end_min(&self) -> u16 {
        self.end_min
    }
}

/// Opening hours for each weekday, Monday first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WeekHours {
    days: [Vec<OpenSpan, SPANS_PER_DAY>; 7],
}

impl WeekHours {
    /// Closed every day; open days with [`set`](Self::set).
    #[must_use]
    pub fn closed() -> Self {
        Self::default()
    }

    /// Open around the clock, every day.
    #[must_use]
    pub fn always() -> Self {
        let mut week = Self::default();
        for day in &mut week.days {
            // One span into an empty vector of capacity SPANS_PER_DAY ≥ 1.
            let _ = day.push(OpenSpan::ALL_DAY);
        }
        week
    }

    /// Open `span` Monday to Friday, closed at weekends.
    #[must_use]
    pub fn weekdays(span: OpenSpan) -> Self {
        let mut week = Self::default();
        for day in week.days.iter_mut().take(5) {
            let _ = day.push(span);
        }
        week
    }

    /// Sets `weekday`'s spans (none: closed that day).
    ///
    /// # Errors
    /// [`BusinessError::TooManySpans`], or [`BusinessError::SpansOverlap`] for spans that
    /// overlap or are not in order; the hours are unchanged then.
    pub fn set(&mut self, weekday: Weekday, spans: &[OpenSpan]) -> Result<(), BusinessError> {
        let day = Vec::from_slice(spans).map_err(|_| BusinessError::TooManySpans)?;
        if !day.windows(2).all(|pair| matches!(pair, [a, b] if a.end_min <= b.start_min)) {
            return Err(BusinessError::SpansOverlap);
        }
        if let Some(slot) = self.days.get_mut(usize::from(weekday.days_from_monday())) {
            *slot = day;
        }
        Ok(())
    }

    /// `weekday`'s spans, in order.
    #[must_use]
    pub fn spans(&self, weekday: Weekday) -> &[OpenSpan] {
        self.days.get(usize::from(weekday.days_from_monday())).map_or(&[], |d| d.as_slice())
    }

    /// Whether any day has a span.
    #[must_use]
    pub fn is_ever_open(&self) -> bool {
        self.days.iter().any(|d| !d.is_empty())
    }
}

/// A site's working time: its clock, opening hours and holidays.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BusinessCalendar {
    site: SiteCalendar,
    week: WeekHours,
    /// Sorted, without duplicates.
    holidays: Vec<LocalDate, MAX_HOLIDAYS>,
}

impl BusinessCalendar {
    /// A calendar with `week`'s hours at `site`, no holidays yet.
    #[must_use]
    pub const fn new(site: SiteCalendar, week: WeekHours) -> Self {
        Self { site, week, holidays: Vec::new() }
    }

    /// Around the clock at `site`, holidays included: working time is elapsed time.
    #[must_use]
    pub fn always(site: SiteCalendar) -> Self {
        Self::new(site, WeekHours::always())
    }

    /// The site's clock.
    #[must_use]
    pub const fn site(&self) -> &SiteCalendar {
        &self.site
    }

    /// The opening hours.
    #[must_use]
    pub const fn week(&self) -> &WeekHours {
        &self.week
    }

    /// The holidays, in order.
    #[must_use]
    pub fn holidays(&self) -> &[LocalDate] {
        &self.holidays
    }

    /// Closes the whole local `date`. Adding a holiday twice is harmless.
    ///
    /// # Errors
    /// [`BusinessError::TooManyHolidays`]; the calendar is unchanged then.
    pub fn add_holiday(&mut self, date: LocalDate) -> Result<(), BusinessError> {
        match self.holidays.binary_search(&date) {
            Ok(_) => Ok(()),
            Err(pos) => self.holidays.insert(pos, date).map_err(|_| BusinessError::TooManyHolidays),
        }
    }

    /// Whether the local `date` is a holiday.
    #[must_use]
    pub fn is_holiday(&self, date: LocalDate) -> bool {
        self.holidays.binary_search(&date).is_ok()
    }

    /// Whether the calendar is open at `at`.
    #[must_use]
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.open_ranges(self.site.local_date(at)).any(|(start, end)| start <= at && at < end)
    }

    /// The first instant at or after `at` at which the calendar is open: `at` itself while it
    /// is open, else the start of the next opening span (holidays skipped). What a reader
    /// board shows as "reopens".
    ///
    /// # Errors
    /// [`BusinessError::NeverOpen`] for a calendar with no hours; [`BusinessError::OutOfRange`]
    /// past the last representable instant.
    pub fn next_opening(&self, at: Timestamp) -> Result<Timestamp, BusinessError> {
        if !self.week.is_ever_open() {
            return Err(BusinessError::NeverOpen);
        }
        // Each week has an open weekday, and each holiday closes at most one of them: the next
        // opening is at most this many days away.
        const REACH: usize = 7 * (MAX_HOLIDAYS + 1) + 1;
        let mut date = self.site.local_date(at);
        for _ in 0..REACH {
            if let Some((start, _)) = self.open_ranges(date).find(|&(_, end)| at < end) {
                return Ok(start.max(at));
            }
            date = next_date(date)?;
        }
        Err(BusinessError::NeverOpen)
    }

    /// The working time in milliseconds from `from` to `to` (0 if `to` is not after `from`).
    #[must_use]
    pub fn business_between(&self, from: Timestamp, to: Timestamp) -> u64 {
        if to <= from {
            return 0;
        }
        let last = self.site.local_date(to);
        let mut date = self.site.local_date(from);
        let mut years = YearBook::new(self);
        let mut total: u64 = 0;
        loop {
            for (start, end) in self.open_ranges(date) {
                let (s, e) = (start.max(from), end.min(to));
                total = total.saturating_add(e.saturating_sub(s));
            }
            if date >= last {
                return total;
            }
            date = date.next();
            // Whole cycles, then whole years, inside the span, at once.
            while is_new_year(date) && last.year().saturating_sub(date.year()) > CYCLE_YEARS {
                total = total.saturating_add(years.cycle(date.year()).ms);
                match new_year_in(date, CYCLE_YEARS) {
                    Some(next) => date = next,
                    None => return total,
                }
            }
            while is_new_year(date) && last.year() > date.year() {
                total = total.saturating_add(years.year(date.year()).ms);
                match new_year_in(date, 1) {
                    Some(next) => date = next,
                    None => return total,
                }
            }
        }
    }

    /// The instant at which `ms` of working time after `from` has passed. Adding nothing gives
    /// `from`; a duration that ends exactly at a closing gives that closing.
    ///
    /// # Errors
    /// [`BusinessError::NeverOpen`] for a calendar with no hours; [`BusinessError::OutOfRange`]
    /// past the last representable instant.
    pub fn add_business(&self, from: Timestamp, ms: u64) -> Result<Timestamp, BusinessError> {
        if ms == 0 {
            return Ok(from);
        }
        if !self.week.is_ever_open() {
            return Err(BusinessError::NeverOpen);
        }
        let mut remaining = ms;
        let mut date = self.site.local_date(from);
        let mut years = YearBook::new(self);
        loop {
            for (start, end) in self.open_ranges(date) {
                let s = start.max(from);
                let available = end.saturating_sub(s);
                if available == 0 {
                    continue;
                }
                if remaining <= available {
                    return Ok(s.saturating_add(remaining));
                }
                remaining = remaining.saturating_sub(available);
            }
            date = next_date(date)?;
            // A whole year that ends before the duration does, at once (one that ends exactly
            // at its last closing is walked, so that the answer is that closing).
            while is_new_year(date) && remaining > years.cycle(date.year()).ms {
                remaining = remaining.saturating_sub(years.cycle(date.year()).ms);
                date = new_year_in(date, CYCLE_YEARS).ok_or(BusinessError::OutOfRange)?;
            }
            while is_new_year(date) && remaining > years.year(date.year()).ms {
                remaining = remaining.saturating_sub(years.year(date.year()).ms);
                date = new_year_in(date, 1).ok_or(BusinessError::OutOfRange)?;
            }
        }
    }

    /// The close of the `n`-th working day after the local day of `from` (a day with opening
    /// hours that is not a holiday): "within 7 business days" of a Monday-morning request is
    /// the close of the following Wednesday. `n = 0` is the close of `from`'s own day if it is
    /// still open after `from`, else of the next working day.
    ///
    /// # Errors
    /// [`BusinessError::NeverOpen`] for a calendar with no hours; [`BusinessError::OutOfRange`]
    /// past the last representable instant.
    pub fn end_of_business_days(
        &self,
        from: Timestamp,
        n: u32,
    ) -> Result<Timestamp, BusinessError> {
        if !self.week.is_ever_open() {
            return Err(BusinessError::NeverOpen);
        }
        let mut date = self.site.local_date(from);
        if n == 0 {
            if let Some(close) = self.close_of(date).filter(|&close| close > from) {
                return Ok(close);
            }
        }
        let mut counted: u32 = 0;
        let mut years = YearBook::new(self);
        loop {
            date = next_date(date)?;
            // A whole year whose working days all come before the n-th, at once.
            while is_new_year(date)
                && counted.saturating_add(years.cycle(date.year()).days) < n.max(1)
            {
                counted = counted.saturating_add(years.cycle(date.year()).days);
                date = new_year_in(date, CYCLE_YEARS).ok_or(BusinessError::OutOfRange)?;
            }
            while is_new_year(date)
                && counted.saturating_add(years.year(date.year()).days) < n.max(1)
            {
                counted = counted.saturating_add(years.year(date.year()).days);
                date = new_year_in(date, 1).ok_or(BusinessError::OutOfRange)?;
            }
            if let Some(close) = self.close_of(date) {
                counted = counted.saturating_add(1);
                if counted >= n.max(1) {
                    return Ok(close);
                }
            }
        }
    }

    /// The last closing of `date`, if it opens at all.
    fn close_of(&self, date: LocalDate) -> Option<Timestamp> {
        self.open_ranges(date).last().map(|(_, end)| end)
    }

    /// `date`'s opening spans as instants `[start, end)`, in order, never overlapping (a span
    /// that starts in a repeated hour starts where the previous one ended at the earliest).
    fn open_ranges(&self, date: LocalDate) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let spans: &[OpenSpan] =
            if self.is_holiday(date) { &[] } else { self.week.spans(date.weekday()) };
        self.ranges_of(date, spans)
    }

    /// What a `weekday` holds on a day the clocks do not change.
    fn nominal_day(&self, weekday: Weekday) -> YearTotals {
        self.week.spans(weekday).iter().fold(YearTotals::default(), |day, span| {
            let minutes = u64::from(span.end_min.saturating_sub(span.start_min));
            YearTotals {
                ms: day.ms.saturating_add(minutes.saturating_mul(MILLIS_PER_MINUTE)),
                days: 1,
            }
        })
    }

    /// `date`'s opening spans by its weekday, as if it were not a holiday.
    fn weekday_ranges(&self, date: LocalDate) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        self.ranges_of(date, self.week.spans(date.weekday()))
    }

    fn ranges_of<'a>(
        &'a self,
        date: LocalDate,
        spans: &'a [OpenSpan],
    ) -> impl Iterator<Item = (Timestamp, Timestamp)> + 'a {
        let mut floor: Timestamp = 0;
        spans.iter().filter_map(move |span| {
            let start = self.instant(date, span.start_min, true).max(floor);
            let end = self.instant(date, span.end_min, false);
            floor = floor.max(end);
            (start < end).then_some((start, end))
        })
    }

    /// The instant the clocks showed `minute` on `date`: the first of a repeated time for an
    /// opening, the second for a closing; the instant of the jump for a skipped one.
    fn instant(&self, date: LocalDate, minute: u16, opening: bool) -> Timestamp {
        if minute >= MINUTES_PER_DAY {
            return self.site.day_end(date);
        }
        let millis = u32::from(minute).saturating_mul(MILLIS_PER_MINUTE as u32);
        match self.site.resolve_local(date, millis) {
            LocalResolution::Unique(t) | LocalResolution::Skipped(t) => t,
            LocalResolution::Ambiguous(first, second) => {
                if opening {
                    first
                } else {
                    second
                }
            }
        }
    }
}

fn next_date(date: LocalDate) -> Result<LocalDate, BusinessError> {
    let next = date.next();
    if next > date { Ok(next) } else { Err(BusinessError::OutOfRange) }
}

fn is_new_year(date: LocalDate) -> bool {
    date.month() == 1 && date.day() == 1
}

/// 1 January `years` after `date`'s year, if it is a date.
fn new_year_in(date: LocalDate, years: i32) -> Option<LocalDate> {
    let next = LocalDate::new(date.year().checked_add(years)?, 1, 1).ok()?;
    (next > date).then_some(next)
}

/// What a span of local years holds: working time and working days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct YearTotals {
    ms: u64,
    days: u32,
}

impl YearTotals {
    fn plus(self, other: Self) -> Self {
        Self { ms: self.ms.saturating_add(other.ms), days: self.days.saturating_add(other.days) }
    }

    fn minus(self, other: Self) -> Self {
        Self { ms: self.ms.saturating_sub(other.ms), days: self.days.saturating_sub(other.days) }
    }

    /// One day's opening ranges.
    fn of_day(ranges: impl Iterator<Item = (Timestamp, Timestamp)>) -> Self {
        ranges.fold(Self::default(), |day, (start, end)| Self {
            ms: day.ms.saturating_add(end.saturating_sub(start)),
            days: 1,
        })
    }
}

/// Years in a Gregorian cycle: 146,097 days, exactly 20,871 weeks, so weekdays and the
/// daylight-saving rules repeat.
const CYCLE_YEARS: i32 = 400;

/// Years' totals for one answer. A year's totals, holidays aside, depend only on its kind (the
/// weekday of 1 January, leap or not): 52 or 53 of each weekday's hours, corrected on the days
/// the clocks change. Each kind is worked out once, the 400-year cycle once, and holidays are
/// taken out of the years they fall in.
struct YearBook<'a> {
    calendar: &'a BusinessCalendar,
    kinds: [Option<YearTotals>; 14],
    cycle: Option<YearTotals>,
}

impl<'a> YearBook<'a> {
    fn new(calendar: &'a BusinessCalendar) -> Self {
        Self { calendar, kinds: [None; 14], cycle: None }
    }

    /// `year`'s totals, holidays taken out.
    fn year(&mut self, year: i32) -> YearTotals {
        self.weekdays(year).minus(self.holidays(year, year.saturating_add(1)))
    }

    /// The totals of the 400 years from `year`, holidays taken out.
    fn cycle(&mut self, year: i32) -> YearTotals {
        let cycle = match self.cycle {
            Some(cycle) => cycle,
            None => {
                let cycle = (0..CYCLE_YEARS).fold(YearTotals::default(), |sum, i| {
                    sum.plus(self.weekdays(year.saturating_add(i)))
                });
                *self.cycle.insert(cycle)
            }
        };
        cycle.minus(self.holidays(year, year.saturating_add(CYCLE_YEARS)))
    }

    /// What the holidays of the years `from..to` would have held.
    fn holidays(&self, from: i32, to: i32) -> YearTotals {
        let calendar = self.calendar;
        let first = calendar.holidays.partition_point(|h| h.year() < from);
        let holidays = calendar.holidays.get(first..).unwrap_or_default();
        holidays.iter().take_while(|h| h.year() < to).fold(YearTotals::default(), |sum, &h| {
            sum.plus(YearTotals::of_day(calendar.weekday_ranges(h)))
        })
    }

    /// `year`'s totals by its weekdays, holidays aside.
    fn weekdays(&mut self, year: i32) -> YearTotals {
        let Ok(first) = LocalDate::new(year, 1, 1) else { return YearTotals::default() };
        let leap = LocalDate::new(year, 2, 29).is_ok();
        let kind = usize::from(first.weekday().days_from_monday())
            .saturating_mul(2)
            .saturating_add(usize::from(leap));
        if let Some(Some(known)) = self.kinds.get(kind) {
            return *known;
        }
        let totals = self.count_weekdays(first, leap);
        if let Some(slot) = self.kinds.get_mut(kind) {
            *slot = Some(totals);
        }
        totals
    }

    fn count_weekdays(&self, first: LocalDate, leap: bool) -> YearTotals {
        let calendar = self.calendar;
        let year = first.year();
        // Each weekday 52 times, and the first one (two in a leap year) once more.
        let mut totals = YearTotals::default();
        let mut date = first;
        for i in 0..7_u32 {
            let times = 52_u32.saturating_add(u32::from(i == 0 || (leap && i == 1)));
            let day = calendar.nominal_day(date.weekday());
            totals = totals.plus(YearTotals {
                ms: day.ms.saturating_mul(u64::from(times)),
                days: day.days.saturating_mul(times),
            });
            date = date.next();
        }
        // The days the clocks change are not nominal: found by the months whose length is not
        // a whole number of 24-hour days, then the day within by bisection.
        let site = &calendar.site;
        for month in 1..=12_u8 {
            let start = LocalDate::new(year, month, 1);
            let end = if month == 12 {
                year.checked_add(1).and_then(|next| LocalDate::new(next, 1, 1).ok())
            } else {
                LocalDate::new(year, month.saturating_add(1), 1).ok()
            };
            let (Ok(start), Some(end)) = (start, end) else { continue };
            let regular_until = |date: LocalDate| {
                let days = date.days_since_epoch().saturating_sub(start.days_since_epoch());
                let nominal = u64::try_from(days).unwrap_or(0).saturating_mul(MILLIS_PER_DAY);
                site.day_start(date).saturating_sub(site.day_start(start)) == nominal
            };
            if regular_until(end) {
                continue;
            }
            // The last date whose start is still regular is the irregular day.
            let (mut low, mut high) = (start.days_since_epoch(), end.days_since_epoch());
            while high.saturating_sub(low) > 1 {
                let middle = low.saturating_add(high.saturating_sub(low) / 2);
                if regular_until(LocalDate::from_days_since_epoch(middle)) {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            let day = LocalDate::from_days_since_epoch(low);
            let actual = YearTotals::of_day(calendar.weekday_ranges(day));
            totals = totals.minus(calendar.nominal_day(day.weekday())).plus(actual);
        }
        totals
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{DstRule, UtcOffset};

    const HOUR: u64 = 3_600_000;

    fn eastern() -> SiteCalendar {
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::UnitedStates).unwrap()
    }

    fn span(from_h: u16, to_h: u16) -> OpenSpan {
        OpenSpan::new(from_h * 60, to_h * 60).unwrap()
    }

    /// 8:00–20:00 every day but Sunday, as a 311 center; weekdays only for departments.
    fn city() -> BusinessCalendar {
        BusinessCalendar::new(eastern(), WeekHours::weekdays(span(8, 20)))
    }

    fn at(cal: &BusinessCalendar, y: i32, m: u8, d: u8, h: u32, min: u32) -> Timestamp {
        let date = LocalDate::new(y, m, d).unwrap();
        match cal.site().resolve_local(date, (h * 60 + min) * 60_000) {
            LocalResolution::Unique(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_next_opening_skips_nights_weekends_and_holidays() {
        let mut cal = city();
        // Wednesday 25 November 2026: open at 10:00; before 08:00 it opens at 08:00.
        let ten = at(&cal, 2026, 11, 25, 10, 0);
        assert_eq!(cal.next_opening(ten), Ok(ten));
        assert_eq!(
            cal.next_opening(at(&cal, 2026, 11, 25, 7, 0)),
            Ok(at(&cal, 2026, 11, 25, 8, 0))
        );
        // Closing time is closed: the next morning.
        let close = at(&cal, 2026, 11, 25, 20, 0);
        assert_eq!(cal.next_opening(close), Ok(at(&cal, 2026, 11, 26, 8, 0)));
        // Friday night: Monday; with Monday a holiday, Tuesday.
        let friday_night = at(&cal, 2026, 11, 27, 21, 0);
        assert_eq!(cal.next_opening(friday_night), Ok(at(&cal, 2026, 11, 30, 8, 0)));
        cal.add_holiday(LocalDate::new(2026, 11, 30).unwrap()).unwrap();
        assert_eq!(cal.next_opening(friday_night), Ok(at(&cal, 2026, 12, 1, 8, 0)));
        // Never open: no answer.
        let closed = BusinessCalendar::new(eastern(), WeekHours::closed());
        assert_eq!(closed.next_opening(ten), Err(BusinessError::NeverOpen));
        // Mondays only, the next 64 Mondays holidays: still found, 65 weeks on.
        let mut mondays = WeekHours::closed();
        mondays.set(Weekday::Monday, &[span(9, 17)]).unwrap();
        let mut sparse = BusinessCalendar::new(eastern(), mondays);
        let mut monday = LocalDate::new(2026, 11, 30).unwrap();
        for _ in 0..MAX_HOLIDAYS {
            sparse.add_holiday(monday).unwrap();
            monday = LocalDate::from_days_since_epoch(monday.days_since_epoch() + 7);
        }
        let found = sparse.next_opening(friday_night).unwrap();
        assert_eq!(sparse.site().local_date(found), monday);
    }

    /// The definitions, day by day, as they were before whole years were taken at once.
    fn between_by_day(cal: &BusinessCalendar, from: Timestamp, to: Timestamp) -> u64 {
        let (mut date, last) = (cal.site.local_date(from), cal.site.local_date(to.max(from)));
        let mut total = 0;
        loop {
            for (start, end) in cal.open_ranges(date) {
                total += end.min(to).saturating_sub(start.max(from));
            }
            if date >= last {
                return total;
            }
            date = date.next();
        }
    }

    fn add_by_day(cal: &BusinessCalendar, from: Timestamp, ms: u64) -> Timestamp {
        let (mut date, mut remaining) = (cal.site.local_date(from), ms);
        loop {
            for (start, end) in cal.open_ranges(date) {
                let available = end.saturating_sub(start.max(from));
                if available > 0 && remaining <= available {
                    return start.max(from) + remaining;
                }
                remaining -= available;
            }
            date = date.next();
        }
    }

    fn days_by_day(cal: &BusinessCalendar, from: Timestamp, n: u32) -> Timestamp {
        let mut date = cal.site.local_date(from);
        if n == 0 {
            if let Some(close) = cal.close_of(date).filter(|&close| close > from) {
                return close;
            }
        }
        let mut counted = 0;
        loop {
            date = date.next();
            if let Some(close) = cal.close_of(date) {
                counted += 1;
                if counted >= n.max(1) {
                    return close;
                }
            }
        }
    }

    /// Taking whole years and 400-year cycles at once gives exactly what walking every day
    /// gives: over spans of up to 40 years and of several cycles, across DST changes (a 24/7
    /// clock, night spans that contain them, one where they do not cancel) and holidays in
    /// several years, including spans that end exactly at a year's last closing.
    #[test]
    fn whole_years_agree_with_every_day() {
        let mut night = WeekHours::closed();
        let mut lopsided = WeekHours::closed();
        for weekday in Weekday::ALL {
            night.set(weekday, &[span(1, 3), span(8, 20)]).unwrap();
            // Across both changes but not symmetrically: the spring day loses 45 minutes of it,
            // the autumn day gains an hour, so a year is not its weekdays' nominal hours.
            lopsided.set(weekday, &[OpenSpan::new(90, 165).unwrap(), span(8, 20)]).unwrap();
        }
        let mut calendars = [
            city(),
            BusinessCalendar::always(eastern()),
            BusinessCalendar::new(eastern(), night),
            BusinessCalendar::new(eastern(), lopsided),
        ];
        for cal in &mut calendars {
            for (y, m, d) in [(2026, 12, 25), (2027, 1, 1), (2031, 7, 4), (2040, 2, 29)] {
                cal.add_holiday(LocalDate::new(y, m, d).unwrap()).unwrap();
            }
        }
        let mut seed: u64 = 0x311;
        let mut next = move |below: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % below
        };
        let t0 = at(&calendars[0], 2025, 6, 1, 0, 0);
        for cal in &calendars {
            for _ in 0..60 {
                let from = t0 + next(10 * 365 * 24) * HOUR + next(HOUR);
                let to = from + next(40 * 365 * 24) * HOUR + next(HOUR);
                let between = cal.business_between(from, to);
                assert_eq!(between, between_by_day(cal, from, to));
                let ms = next(between.max(1));
                let due = cal.add_business(from, ms).unwrap();
                assert_eq!(due, add_by_day(cal, from, ms));
                assert_eq!(cal.business_between(from, due), ms);
                let n = u32::try_from(next(12_000)).unwrap();
                assert_eq!(cal.end_of_business_days(from, n).unwrap(), days_by_day(cal, from, n));
            }
            // Spans of several 400-year cycles, holidays in the first.
            for _ in 0..2 {
                let from = t0 + next(365 * 24) * HOUR;
                let to = from + (450 + next(500)) * 365 * 24 * HOUR;
                let between = cal.business_between(from, to);
                assert_eq!(between, between_by_day(cal, from, to));
                let ms = between - next(1_000 * HOUR);
                assert_eq!(cal.add_business(from, ms).unwrap(), add_by_day(cal, from, ms));
                let n = 100_000 + u32::try_from(next(200_000)).unwrap();
                assert_eq!(cal.end_of_business_days(from, n).unwrap(), days_by_day(cal, from, n));
            }
            // A duration ending exactly at the last closing of a year is that closing.
            let start = at(cal, 2030, 1, 1, 0, 0);
            let end = at(cal, 2031, 1, 1, 0, 0);
            let whole = cal.business_between(start - HOUR, end);
            assert_eq!(
                cal.add_business(start - HOUR, whole).unwrap(),
                add_by_day(cal, start - HOUR, whole)
            );
        }
    }

    /// The cost no longer grows with the span: year 9999 from today answers, and past it is
    /// out of range rather than a walk of every day to the end of time.
    #[test]
    fn the_end_of_time_is_reached_at_once() {
        let cal = city();
        let now = at(&cal, 2026, 11, 20, 9, 0);
        let end = crate::calendar::MAX_TIMESTAMP;
        let all = cal.business_between(now, end);
        assert!(all > 7_000 * 250 * 12 * HOUR, "{all}");
        assert_eq!(cal.add_business(now, all + 1), Err(BusinessError::OutOfRange));
        assert_eq!(cal.end_of_business_days(now, u32::MAX), Err(BusinessError::OutOfRange));
    }

    #[test]
    fn friday_evening_plus_two_hours_is_monday_morning() {
        let cal = city();
        // 2026-11-20 is a Friday.
        let fri = at(&cal, 2026, 11, 20, 19, 30);
        let due = cal.add_business(fri, 2 * HOUR).unwrap();
        assert_eq!(due, at(&cal, 2026, 11, 23, 9, 30));
        assert_eq!(cal.business_between(fri, due), 2 * HOUR);
        // Ending exactly at a closing is that closing, not the next opening.
        let four = at(&cal, 2026, 11, 20, 16, 0);
        assert_eq!(cal.add_business(four, 4 * HOUR), Ok(at(&cal, 2026, 11, 20, 20, 0)));
        // Outside hours, time does not count; adding nothing is the instant itself.
        let sat = at(&cal, 2026, 11, 21, 12, 0);
        assert_eq!(cal.business_between(fri, sat), HOUR / 2);
        assert_eq!(cal.add_business(sat, 0), Ok(sat));
        assert!(!cal.is_open(sat) && cal.is_open(fri));
    }

    #[test]
    fn a_holiday_monday_is_skipped() {
        let mut cal = city();
        let monday = LocalDate::new(2026, 11, 23).unwrap();
        cal.add_holiday(monday).unwrap();
        cal.add_holiday(monday).unwrap();
        assert_eq!(cal.holidays(), &[monday]);
        let fri = at(&cal, 2026, 11, 20, 19, 30);
        assert_eq!(cal.add_business(fri, 2 * HOUR), Ok(at(&cal, 2026, 11, 24, 9, 30)));
        // 7 business days from Friday: Tue 24 … Wed 2 December (Monday 23 a holiday).
        assert_eq!(cal.end_of_business_days(fri, 7), Ok(at(&cal, 2026, 12, 2, 20, 0)));
        assert_eq!(cal.end_of_business_days(fri, 1), Ok(at(&cal, 2026, 11, 24, 20, 0)));
        // Same day if still open, else the next working day.
        assert_eq!(cal.end_of_business_days(fri, 0), Ok(at(&cal, 2026, 11, 20, 20, 0)));
        let late = at(&cal, 2026, 11, 20, 21, 0);
        assert_eq!(cal.end_of_business_days(late, 0), Ok(at(&cal, 2026, 11, 24, 20, 0)));
    }

    #[test]
    fn the_night_the_clocks_change() {
        // 2026-03-08: US clocks go from 2:00 to 3:00; 2026-11-01 from 2:00 back to 1:00.
        let always = BusinessCalendar::always(eastern());
        let spring = at(&always, 2026, 3, 8, 0, 30);
        // 24 h of elapsed time from 0:30 ends at 1:30 the next day by the clocks.
        let due = always.add_business(spring, 24 * HOUR).unwrap();
        assert_eq!(due, at(&always, 2026, 3, 9, 1, 30));
        assert_eq!(always.business_between(spring, due), 24 * HOUR);
        // The autumn day is 25 hours long.
        let d = LocalDate::new(2026, 11, 1).unwrap();
        let (start, end) = (eastern().day_start(d), eastern().day_end(d));
        assert_eq!(always.business_between(start, end), 25 * HOUR);
        // Opening hours 1:00–3:00 on the autumn night: 3 hours (1:00–2:00 happens twice).
        let mut week = WeekHours::closed();
        week.set(Weekday::Sunday, &[span(1, 3)]).unwrap();
        let night = BusinessCalendar::new(eastern(), week.clone());
        assert_eq!(night.business_between(start, end), 3 * HOUR);
        // On the spring night 1:00–3:00 is one hour: 2:00–3:00 never happened.
        let d = LocalDate::new(2026, 3, 8).unwrap();
        let (start, end) = (eastern().day_start(d), eastern().day_end(d));
        assert_eq!(night.business_between(start, end), HOUR);
        // Adjacent spans around the repeated hour never count it twice.
        let mut week = WeekHours::closed();
        let half = |a: u16, b: u16| OpenSpan::new(a, b).unwrap();
        week.set(Weekday::Sunday, &[half(60, 90), half(90, 180)]).unwrap();
        let split = BusinessCalendar::new(eastern(), week);
        let d = LocalDate::new(2026, 11, 1).unwrap();
        let (start, end) = (eastern().day_start(d), eastern().day_end(d));
        assert_eq!(split.business_between(start, end), 3 * HOUR);
    }

    #[test]
    fn a_request_opened_on_the_dst_night_with_business_hours() {
        let cal = city();
        // Saturday night 2026-03-07 23:00, as clocks spring forward: counting starts Monday 8:00.
        let opened = at(&cal, 2026, 3, 7, 23, 0);
        assert_eq!(cal.add_business(opened, 13 * HOUR), Ok(at(&cal, 2026, 3, 10, 9, 0)));
        // Across the change the offset moved by an hour; working time does not notice.
        assert_eq!(cal.business_between(opened, at(&cal, 2026, 3, 9, 20, 0)), 12 * HOUR);
    }

    #[test]
    fn year_ends_and_split_days() {
        let mut week = WeekHours::closed();
        for day in [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday] {
            week.set(day, &[span(8, 12), span(13, 17)]).unwrap();
        }
        week.set(Weekday::Friday, &[span(8, 12)]).unwrap();
        let mut cal = BusinessCalendar::new(eastern(), week);
        cal.add_holiday(LocalDate::new(2027, 1, 1).unwrap()).unwrap();
        // Thursday 2026-12-31 16:00 + 3 h: 1 h Thursday, Friday 1 Jan a holiday, Monday 8–10.
        let thu = at(&cal, 2026, 12, 31, 16, 0);
        assert_eq!(cal.add_business(thu, 3 * HOUR), Ok(at(&cal, 2027, 1, 4, 10, 0)));
        // Lunch does not count: Monday 11:00 + 2 h = 14:00.
        let mon = at(&cal, 2027, 1, 4, 11, 0);
        assert_eq!(cal.add_business(mon, 2 * HOUR), Ok(at(&cal, 2027, 1, 4, 14, 0)));
        assert_eq!(cal.business_between(thu, at(&cal, 2027, 1, 5, 0, 0)), 9 * HOUR);
    }

    #[test]
    fn bad_hours_are_refused_and_a_closed_calendar_never_ends() {
        assert_eq!(OpenSpan::new(600, 600), Err(BusinessError::InvalidSpan));
        assert_eq!(OpenSpan::new(600, 1441), Err(BusinessError::InvalidSpan));
        let mut week = WeekHours::closed();
        assert_eq!(
            week.set(Weekday::Monday, &[span(9, 12), span(11, 14)]),
            Err(BusinessError::SpansOverlap)
        );
        assert_eq!(
            week.set(
                Weekday::Monday,
                &[span(1, 2), span(3, 4), span(5, 6), span(7, 8), span(9, 10)]
            ),
            Err(BusinessError::TooManySpans)
        );
        assert_eq!(week, WeekHours::closed(), "a refused change changes nothing");
        let closed = BusinessCalendar::new(eastern(), week);
        assert_eq!(closed.add_business(0, 1), Err(BusinessError::NeverOpen));
        assert_eq!(closed.end_of_business_days(0, 1), Err(BusinessError::NeverOpen));
        assert_eq!(closed.business_between(0, 10 * 24 * HOUR), 0);
        let mut cal = city();
        for i in 0..MAX_HOLIDAYS {
            cal.add_holiday(LocalDate::from_days_since_epoch(i as i64)).unwrap();
        }
        assert_eq!(
            cal.add_holiday(LocalDate::new(2030, 1, 1).unwrap()),
            Err(BusinessError::TooManyHolidays)
        );
        let always = BusinessCalendar::always(SiteCalendar::UTC);
        assert_eq!(
            always.add_business(crate::calendar::MAX_TIMESTAMP, u64::MAX),
            Err(BusinessError::OutOfRange)
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn calendars() -> impl Strategy<Value = BusinessCalendar> {
            (0usize..3, proptest::collection::vec(0i64..800, 0..6)).prop_map(|(kind, days)| {
                let mut cal = match kind {
                    0 => city(),
                    1 => BusinessCalendar::always(eastern()),
                    _ => {
                        let mut week = WeekHours::weekdays(span(8, 12));
                        week.set(Weekday::Wednesday, &[span(0, 2), span(13, 24)]).unwrap();
                        BusinessCalendar::new(eastern(), week)
                    }
                };
                for d in days {
                    // Holidays around 2026–2028.
                    cal.add_holiday(LocalDate::from_days_since_epoch(20_400 + d)).unwrap();
                }
                cal
            })
        }

        /// Instants from 2025 to 2028, covering DST changes and year ends.
        fn instants() -> impl Strategy<Value = Timestamp> {
            1_735_689_600_000u64..1_830_000_000_000
        }

        proptest! {
            #[test]
            fn adding_then_measuring_round_trips(
                cal in calendars(), from in instants(), ms in 0u64..(400 * HOUR)
            ) {
                let to = cal.add_business(from, ms).unwrap();
                prop_assert!(to >= from);
                prop_assert_eq!(cal.business_between(from, to), ms);
            }

            #[test]
            fn business_time_is_monotonic_and_additive(
                cal in calendars(), a in instants(), b in instants(), c in instants()
            ) {
                let mut t = [a, b, c];
                t.sort_unstable();
                let [a, b, c] = t;
                let (ab, bc, ac) =
                    (cal.business_between(a, b), cal.business_between(b, c), cal.business_between(a, c));
                prop_assert_eq!(ab + bc, ac);
                prop_assert!(ab <= b - a);
                prop_assert_eq!(cal.business_between(c, a), 0);
            }

            #[test]
            fn adding_more_never_ends_earlier(
                cal in calendars(), from in instants(), x in 0u64..(200 * HOUR), y in 0u64..(200 * HOUR)
            ) {
                let (lo, hi) = (x.min(y), x.max(y));
                prop_assert!(cal.add_business(from, lo).unwrap() <= cal.add_business(from, hi).unwrap());
                let later = from + x;
                prop_assert!(cal.add_business(from, y).unwrap() <= cal.add_business(later, y).unwrap());
            }

            #[test]
            fn business_days_end_at_a_closing(cal in calendars(), from in instants(), n in 0u32..30) {
                let due = cal.end_of_business_days(from, n).unwrap();
                prop_assert!(due > from);
                let local = cal.site().to_local(due);
                // A closing: closed from then on, or midnight of a day open to its end.
                prop_assert!(!cal.is_open(due) || (local.hour() == 0 && local.minute() == 0));
                prop_assert!(cal.is_open(due - 1));
                let next = cal.end_of_business_days(from, n + 1).unwrap();
                // n = 0 on a day already closed is the next working day, as n = 1.
                prop_assert!(next > due || (n == 0 && next == due));
            }
        }
    }
}
