//! The site calendar: what local day and which reporting interval an instant belongs to.
//!
//! The core never reads a clock. Every instant is a [`Timestamp`], milliseconds since the Unix
//! epoch in UTC, passed in by the caller. A contact center, however, reports in *local* time:
//! "the 08:00 interval", "yesterday's CSAT", "today" beginning at local midnight. A
//! [`SiteCalendar`] turns instants into local dates and interval boundaries from two pieces of
//! configuration: the site's standard UTC offset, and an optional daylight-saving rule
//! ([`DstRule`]: the United States and European Union rules are built in, other rules can be
//! described with [`DstTransition`]s).
//!
//! Consequences worth knowing:
//! - A local day is 23, 24 or 25 hours long. On the day clocks spring forward the 02:00 hour
//!   (US) does not exist; on the day they fall back the 01:00 hour happens twice, and each
//!   occurrence is its own interval with its own UTC start.
//! - Interval boundaries are local wall-clock multiples of the interval length (08:00, 08:15,
//!   ...). Daylight saving always shifts clocks by exactly one hour, so in UTC the boundaries stay
//!   evenly spaced and an interval is always exactly its nominal length.
//! - Dates are proleptic Gregorian, years 1 to 9999. Instants after
//!   9999-12-31T23:59:59.999Z ([`MAX_TIMESTAMP`]) are treated as that instant.

use core::fmt;

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
pub type Timestamp = u64;

/// Milliseconds in a second.
pub const MILLIS_PER_SECOND: u64 = 1_000;
/// Milliseconds in a minute.
pub const MILLIS_PER_MINUTE: u64 = 60_000;
/// Milliseconds in an hour.
pub const MILLIS_PER_HOUR: u64 = 3_600_000;
/// Milliseconds in a 24-hour day.
pub const MILLIS_PER_DAY: u64 = 86_400_000;
/// The latest instant the calendar represents: 9999-12-31T23:59:59.999Z.
pub const MAX_TIMESTAMP: Timestamp = 253_402_300_799_999;
/// How far daylight saving moves the clock, in minutes. Every rule the calendar accepts moves it
/// by exactly one hour.
pub const DST_SAVE_MINUTES: i32 = 60;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
/// Days from 0001-01-01 to 1970-01-01.
const MIN_DAYS: i64 = -719_162;
/// Days from 1970-01-01 to 9999-12-31.
const MAX_DAYS: i64 = 2_932_896;

/// Errors in calendar configuration or dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CalendarError {
    /// The UTC offset is outside -14:00 ..= +14:00.
    #[error("UTC offset must be within -14:00 and +14:00")]
    OffsetOutOfRange,
    /// The year, month or day does not form a date between 0001-01-01 and 9999-12-31.
    #[error("not a calendar date between 0001-01-01 and 9999-12-31")]
    InvalidDate,
    /// A daylight-saving transition names a month outside 1..=12, a time outside the day, or a
    /// time that is not on the hour.
    #[error("daylight-saving transition must be on the hour, in a month 1..=12")]
    InvalidTransition,
    /// The daylight-saving rule starts and ends in the same month.
    #[error("daylight-saving rule must start and end in different months")]
    TransitionMonthsEqual,
    /// A rule with transitions at a UTC instant combined with an offset that is not whole hours:
    /// the transition would fall inside a local interval.
    #[error("a UTC-based daylight-saving rule needs a whole-hour UTC offset")]
    MisalignedTransition,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// Every weekday, Monday first (the order of [`Weekday::days_from_monday`]).
    pub const ALL: [Self; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    /// Days after Monday: Monday is 0, Sunday is 6.
    #[must_use]
    pub const fn days_from_monday(self) -> u8 {
        self as u8
    }

    const fn from_days_from_monday(n: i64) -> Self {
        match n {
            0 => Self::Monday,
            1 => Self::Tuesday,
            2 => Self::Wednesday,
            3 => Self::Thursday,
            4 => Self::Friday,
            5 => Self::Saturday,
            _ => Self::Sunday,
        }
    }
}

/// A date on the site's local calendar.
///
/// Kept as days since 1970-01-01: every interval and day update of the center asks for the
/// date of an instant, and a count of days is a division away from it, where a year, month and
/// day are thirty operations further (and as many back for each comparison of days). The
/// calendar date is worked out when it is shown. It is written (serde) as its year, month and
/// day, as it always was.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDate {
    /// Days since 1970-01-01, `MIN_DAYS ..= MAX_DAYS`; the order is the calendar's.
    days: i32,
}

impl LocalDate {
    /// The date `year`-`month`-`day`.
    ///
    /// # Errors
    /// [`CalendarError::InvalidDate`] unless it is a real date between 0001-01-01 and 9999-12-31.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, CalendarError> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(CalendarError::InvalidDate);
        }
        let year = i16::try_from(year).map_err(|_| CalendarError::InvalidDate)?;
        if day == 0 || day > days_in_month(year, month) {
            return Err(CalendarError::InvalidDate);
        }
        Ok(Self::from_days_since_epoch(days_from_civil(year, month, day)))
    }

    /// 1970-01-01.
    pub(crate) const EPOCH: Self = Self { days: 0 };

    /// The date `days` days after 1970-01-01 (negative: before), clamped to 0001-01-01 ..=
    /// 9999-12-31.
    #[must_use]
    pub fn from_days_since_epoch(days: i64) -> Self {
        // In i32 range once clamped; the fallback is unreachable.
        Self { days: i32::try_from(days.clamp(MIN_DAYS, MAX_DAYS)).unwrap_or(0) }
    }

    /// Days from 1970-01-01 to this date (negative before it).
    #[must_use]
    pub fn days_since_epoch(self) -> i64 {
        i64::from(self.days)
    }

    /// The year, month and day.
    fn civil(self) -> (i16, u8, u8) {
        civil_from_days(self.days_since_epoch())
    }

    /// The year, 1 ..= 9999.
    #[must_use]
    pub fn year(self) -> i32 {
        i32::from(self.civil().0)
    }

    /// The month, 1 ..= 12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.civil().1
    }

    /// The day of the month, 1 ..= 31.
    #[must_use]
    pub fn day(self) -> u8 {
        self.civil().2
    }

    /// The quarter of the year, 1 ..= 4.
    #[must_use]
    pub fn quarter(self) -> u8 {
        self.month().div_ceil(3)
    }

    /// The day of the week.
    #[must_use]
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (3 days after Monday).
        Weekday::from_days_from_monday(self.days_since_epoch().saturating_add(3).rem_euclid(7))
    }

    /// The day after (9999-12-31 stays itself).
    #[must_use]
    pub fn next(self) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch().saturating_add(1))
    }

    /// The day before (0001-01-01 stays itself).
    #[must_use]
    pub fn previous(self) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch().saturating_sub(1))
    }
}

/// How a date is written: its year, month and day.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename = "LocalDate")]
struct CivilDate {
    year: i16,
    month: u8,
    day: u8,
}

#[cfg(feature = "serde")]
impl serde::Serialize for LocalDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (year, month, day) = self.civil();
        CivilDate { year, month, day }.serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for LocalDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let CivilDate { year, month, day } = CivilDate::deserialize(deserializer)?;
        Self::new(i32::from(year), month, day)
            .map_err(|_| serde::de::Error::custom("not a date from 0001-01-01 to 9999-12-31"))
    }
}

impl fmt::Display for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.civil();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl fmt::Debug for LocalDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for LocalDate {
    fn format(&self, f: defmt::Formatter<'_>) {
        let (year, month, day) = self.civil();
        defmt::write!(f, "{=i16:04}-{=u8:02}-{=u8:02}", year, month, day);
    }
}

/// A local date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LocalDateTime {
    /// The local date.
    pub date: LocalDate,
    /// Milliseconds since local midnight, 0 ..= 86 399 999.
    pub millis_of_day: u32,
    /// The UTC offset in effect, in minutes east of UTC (includes daylight saving).
    pub offset_minutes: i16,
}

impl LocalDateTime {
    /// Hour of the day, 0 ..= 23.
    #[must_use]
    pub const fn hour(&self) -> u8 {
        (self.millis_of_day / 3_600_000) as u8
    }

    /// Minute of the hour, 0 ..= 59.
    #[must_use]
    pub const fn minute(&self) -> u8 {
        (self.millis_of_day / 60_000 % 60) as u8
    }

    /// Second of the minute, 0 ..= 59.
    #[must_use]
    pub const fn second(&self) -> u8 {
        (self.millis_of_day / 1_000 % 60) as u8
    }
}

/// A UTC offset in whole minutes east of UTC, within -14:00 ..= +14:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UtcOffset {
    minutes: i16,
}

impl UtcOffset {
    /// UTC itself.
    pub const UTC: Self = Self { minutes: 0 };

    /// An offset of `minutes` east of UTC (negative: west), e.g. -300 for US Eastern standard time.
    ///
    /// # Errors
    /// [`CalendarError::OffsetOutOfRange`] outside -840 ..= 840.
    pub fn from_minutes(minutes: i32) -> Result<Self, CalendarError> {
        if !(-840..=840).contains(&minutes) {
            return Err(CalendarError::OffsetOutOfRange);
        }
        let minutes = i16::try_from(minutes).map_err(|_| CalendarError::OffsetOutOfRange)?;
        Ok(Self { minutes })
    }

    /// Minutes east of UTC.
    #[must_use]
    pub const fn minutes(self) -> i32 {
        self.minutes as i32
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let m = self.minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// Which occurrence of a weekday in a month a transition happens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)]
pub enum WeekOfMonth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// The clock a transition time is read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransitionBasis {
    /// UTC (the EU rule: 01:00 UTC).
    Utc,
    /// Local standard time, whatever the clocks show.
    LocalStandard,
    /// Local time as the clocks show it just before the transition (the US rule: 02:00).
    LocalWall,
}

/// One daylight-saving transition: "the second Sunday of March at 02:00 local time".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DstTransition {
    /// Month, 1 ..= 12.
    pub month: u8,
    /// Which occurrence of `weekday` in the month.
    pub week: WeekOfMonth,
    /// The weekday.
    pub weekday: Weekday,
    /// Time of day in minutes after midnight on the `basis` clock; must be on the hour.
    pub minute_of_day: u16,
    /// The clock `minute_of_day` is read on.
    pub basis: TransitionBasis,
}

/// A daylight-saving rule: when clocks move one hour forward, and when they move back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DstRule {
    /// No daylight saving: the standard offset all year.
    #[default]
    None,
    /// United States since 2007 (Energy Policy Act of 2005, 15 U.S.C. § 260a): from the second
    /// Sunday of March at 02:00 local time to the first Sunday of November at 02:00 local time.
    UnitedStates,
    /// European Union (Directive 2000/84/EC): from the last Sunday of March at 01:00 UTC to the
    /// last Sunday of October at 01:00 UTC.
    EuropeanUnion,
    /// Any other one-hour rule. When `start` falls later in the year than `end` (southern
    /// hemisphere), daylight time spans the new year.
    Custom {
        /// When clocks move forward.
        start: DstTransition,
        /// When clocks move back.
        end: DstTransition,
    },
}

const US_START: DstTransition = DstTransition {
    month: 3,
    week: WeekOfMonth::Second,
    weekday: Weekday::Sunday,
    minute_of_day: 120,
    basis: TransitionBasis::LocalWall,
};
const US_END: DstTransition = DstTransition {
    month: 11,
    week: WeekOfMonth::First,
    weekday: Weekday::Sunday,
    minute_of_day: 120,
    basis: TransitionBasis::LocalWall,
};
const EU_START: DstTransition = DstTransition {
    month: 3,
    week: WeekOfMonth::Last,
    weekday: Weekday::Sunday,
    minute_of_day: 60,
    basis: TransitionBasis::Utc,
};
const EU_END: DstTransition = DstTransition {
    month: 10,
    week: WeekOfMonth::Last,
    weekday: Weekday::Sunday,
    minute_of_day: 60,
    basis: TransitionBasis::Utc,
};

impl DstRule {
    /// The (start, end) transitions, or `None` without daylight saving.
    #[must_use]
    pub const fn transitions(&self) -> Option<(DstTransition, DstTransition)> {
        match *self {
            Self::None => None,
            Self::UnitedStates => Some((US_START, US_END)),
            Self::EuropeanUnion => Some((EU_START, EU_END)),
            Self::Custom { start, end } => Some((start, end)),
        }
    }
}

/// The length of a reporting interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IntervalLength {
    /// Quarter-hour intervals: 96 in a 24-hour day.
    #[default]
    Minutes15,
    /// Half-hour intervals.
    Minutes30,
    /// Hourly intervals.
    Minutes60,
}

impl IntervalLength {
    /// The length in milliseconds.
    #[must_use]
    pub const fn millis(self) -> u64 {
        match self {
            Self::Minutes15 => 15 * MILLIS_PER_MINUTE,
            Self::Minutes30 => 30 * MILLIS_PER_MINUTE,
            Self::Minutes60 => 60 * MILLIS_PER_MINUTE,
        }
    }

    /// The length in minutes.
    #[must_use]
    pub const fn minutes(self) -> u32 {
        match self {
            Self::Minutes15 => 15,
            Self::Minutes30 => 30,
            Self::Minutes60 => 60,
        }
    }
}

/// What a local date and time means as an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LocalResolution {
    /// The local time happened exactly once.
    Unique(Timestamp),
    /// The local time happened twice (clocks fell back); both instants, earlier first.
    Ambiguous(Timestamp, Timestamp),
    /// The local time never happened (clocks sprang forward over it); the instant the gap began.
    Skipped(Timestamp),
}

impl LocalResolution {
    /// The earliest instant the local time names: the only one, the first of two, or the jump
    /// over a skipped one.
    #[must_use]
    pub const fn earliest(self) -> Timestamp {
        match self {
            Self::Unique(t) | Self::Ambiguous(t, _) | Self::Skipped(t) => t,
        }
    }
}

/// A site's calendar: its standard UTC offset and daylight-saving rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SiteCalendar {
    standard_offset: UtcOffset,
    dst: DstRule,
}

impl SiteCalendar {
    /// UTC all year.
    pub const UTC: Self = Self { standard_offset: UtcOffset::UTC, dst: DstRule::None };

    /// A calendar with the given standard offset and daylight-saving rule.
    ///
    /// # Errors
    /// [`CalendarError::InvalidTransition`], [`CalendarError::TransitionMonthsEqual`] for a bad
    /// custom rule; [`CalendarError::MisalignedTransition`] for a UTC-based rule with an offset
    /// that is not whole hours.
    pub fn new(standard_offset: UtcOffset, dst: DstRule) -> Result<Self, CalendarError> {
        if let Some((start, end)) = dst.transitions() {
            for t in [start, end] {
                if !(1..=12).contains(&t.month)
                    || t.minute_of_day >= 1440
                    || t.minute_of_day % 60 != 0
                {
                    return Err(CalendarError::InvalidTransition);
                }
                if t.basis == TransitionBasis::Utc && standard_offset.minutes() % 60 != 0 {
                    return Err(CalendarError::MisalignedTransition);
                }
            }
            if start.month == end.month {
                return Err(CalendarError::TransitionMonthsEqual);
            }
        }
        Ok(Self { standard_offset, dst })
    }

    /// The standard (winter) offset.
    #[must_use]
    pub const fn standard_offset(&self) -> UtcOffset {
        self.standard_offset
    }

    /// The daylight-saving rule.
    #[must_use]
    pub const fn dst_rule(&self) -> DstRule {
        self.dst
    }

    /// Whether daylight saving is in effect at `at`.
    #[must_use]
    pub fn is_dst(&self, at: Timestamp) -> bool {
        let Some((start, end)) = self.dst.transitions() else {
            return false;
        };
        let at = clamp_ms(at);
        let year = civil_from_days(at.div_euclid(DAY_MS)).0;
        let std = i64::from(self.standard_offset.minutes);
        let begins = transition_instant(start, year, std, false);
        let ends = transition_instant(end, year, std, true);
        if begins < ends { begins <= at && at < ends } else { at >= begins || at < ends }
    }

    /// The offset in effect at `at`, in minutes east of UTC.
    #[must_use]
    pub fn offset_minutes_at(&self, at: Timestamp) -> i32 {
        let dst = if self.is_dst(at) { DST_SAVE_MINUTES } else { 0 };
        self.standard_offset.minutes().saturating_add(dst)
    }

    /// The local date and time at `at`.
    #[must_use]
    pub fn to_local(&self, at: Timestamp) -> LocalDateTime {
        let offset = self.offset_minutes_at(at);
        let local = local_ms(at, offset);
        let date = LocalDate::from_days_since_epoch(local.div_euclid(DAY_MS));
        // rem_euclid of a positive modulus is in 0..DAY_MS, which fits u32.
        let millis_of_day = u32::try_from(local.rem_euclid(DAY_MS)).unwrap_or(0);
        let offset_minutes = i16::try_from(offset).unwrap_or(0);
        LocalDateTime { date, millis_of_day, offset_minutes }
    }

    /// The local date at `at`.
    #[must_use]
    pub fn local_date(&self, at: Timestamp) -> LocalDate {
        // Daylight saving moves the clocks an hour ahead of standard time: outside the last
        // hour of a standard-time day the date is the same either way, and the rule (the
        // costliest part, every interval and day update asks for a date) need not be asked.
        let std = self.standard_offset.minutes();
        let standard = local_ms(at, std).div_euclid(DAY_MS);
        let daylight = local_ms(at, std.saturating_add(DST_SAVE_MINUTES)).div_euclid(DAY_MS);
        if self.dst == DstRule::None || standard == daylight {
            return LocalDate::from_days_since_epoch(standard);
        }
        self.to_local(at).date
    }

    /// The instant(s) at which the clocks showed `millis_of_day` on `date`.
    #[must_use]
    pub fn resolve_local(&self, date: LocalDate, millis_of_day: u32) -> LocalResolution {
        let local = date
            .days_since_epoch()
            .saturating_mul(DAY_MS)
            .saturating_add(i64::from(millis_of_day.min(86_399_999)));
        let std = i64::from(self.standard_offset.minutes);
        let as_standard = local.saturating_sub(std.saturating_mul(MINUTE_MS));
        if self.dst == DstRule::None {
            return LocalResolution::Unique(to_timestamp(as_standard));
        }
        let save = i64::from(DST_SAVE_MINUTES).saturating_mul(MINUTE_MS);
        let as_daylight = as_standard.saturating_sub(save);
        let standard_ok = as_standard >= 0 && !self.is_dst(to_timestamp(as_standard));
        let daylight_ok = as_daylight >= 0 && self.is_dst(to_timestamp(as_daylight));
        match (daylight_ok, standard_ok) {
            (true, true) => {
                LocalResolution::Ambiguous(to_timestamp(as_daylight), to_timestamp(as_standard))
            }
            (true, false) => LocalResolution::Unique(to_timestamp(as_daylight)),
            (false, true) => LocalResolution::Unique(to_timestamp(as_standard)),
            // In the spring gap: read as standard time the instant is already past the
            // transition by the same amount it is into the gap.
            (false, false) => {
                let into_gap = local.rem_euclid(save);
                LocalResolution::Skipped(to_timestamp(as_standard.saturating_sub(into_gap)))
            }
        }
    }

    /// The first instant of the local `date`.
    #[must_use]
    pub fn day_start(&self, date: LocalDate) -> Timestamp {
        self.resolve_local(date, 0).earliest()
    }

    /// The first instant of the local day after `date`: the end of `date`.
    #[must_use]
    pub fn day_end(&self, date: LocalDate) -> Timestamp {
        if date == LocalDate::from_days_since_epoch(MAX_DAYS) {
            return MAX_TIMESTAMP.saturating_add(1);
        }
        self.day_start(date.next())
    }

    /// The start of the reporting interval of length `length` that contains `at`.
    ///
    /// Intervals begin at local wall-clock multiples of their length.
    #[must_use]
    pub fn interval_start(&self, at: Timestamp, length: IntervalLength) -> Timestamp {
        // Every interval length divides the hour daylight saving adds, so standard and
        // daylight time put the boundaries at the same instants: the rule need not be asked.
        const { assert!(DST_SAVE_MINUTES % 60 == 0, "an interval length does not divide it") };
        let offset = self.standard_offset.minutes();
        let local = local_ms(at, offset);
        let len = i64::from(length.minutes()).saturating_mul(MINUTE_MS);
        let floored = local.saturating_sub(local.rem_euclid(len));
        to_timestamp(floored.saturating_sub(i64::from(offset).saturating_mul(MINUTE_MS)))
    }
}

fn clamp_ms(at: Timestamp) -> i64 {
    // MAX_TIMESTAMP < i64::MAX, so the conversion cannot fail after the clamp.
    i64::try_from(at.min(MAX_TIMESTAMP)).unwrap_or(i64::MAX)
}

fn local_ms(at: Timestamp, offset_minutes: i32) -> i64 {
    clamp_ms(at).saturating_add(i64::from(offset_minutes).saturating_mul(MINUTE_MS))
}

fn to_timestamp(ms: i64) -> Timestamp {
    u64::try_from(ms.max(0)).unwrap_or(0).min(MAX_TIMESTAMP)
}

/// The UTC instant (ms) of `transition` in `year`, for a site with standard offset `std` minutes.
fn transition_instant(transition: DstTransition, year: i16, std: i64, is_end: bool) -> i64 {
    let day = nth_weekday(year, transition.month, transition.week, transition.weekday);
    let local = day
        .saturating_mul(DAY_MS)
        .saturating_add(i64::from(transition.minute_of_day).saturating_mul(MINUTE_MS));
    let offset = match transition.basis {
        TransitionBasis::Utc => 0,
        TransitionBasis::LocalStandard => std,
        // Before the end transition the clocks show daylight time.
        TransitionBasis::LocalWall if is_end => std.saturating_add(i64::from(DST_SAVE_MINUTES)),
        TransitionBasis::LocalWall => std,
    };
    local.saturating_sub(offset.saturating_mul(MINUTE_MS))
}

/// Days since the epoch of the `week`th `weekday` of `month` in `year`.
#[allow(clippy::arithmetic_side_effects)] // bounded: days of years 1..=9999, weeks 0..=4
fn nth_weekday(year: i16, month: u8, week: WeekOfMonth, weekday: Weekday) -> i64 {
    let month = month.clamp(1, 12);
    let first = days_from_civil(year, month, 1);
    let first_weekday = first.saturating_add(3).rem_euclid(7);
    let target = i64::from(weekday.days_from_monday());
    let first_match = first.saturating_add((target - first_weekday).rem_euclid(7));
    let weeks_later = match week {
        WeekOfMonth::First => 0,
        WeekOfMonth::Second => 1,
        WeekOfMonth::Third => 2,
        WeekOfMonth::Fourth => 3,
        WeekOfMonth::Last => {
            let last_day = first.saturating_add(i64::from(days_in_month(year, month))) - 1;
            (last_day - first_match) / 7
        }
    };
    first_match.saturating_add(weeks_later * 7)
}

fn is_leap_year(year: i16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// The two conversions below are Howard Hinnant's public-domain algorithms ("chrono-Compatible
// Low-Level Date Algorithms", https://howardhinnant.github.io/date_algorithms.html), restricted
// to years 1..=9999 so that no intermediate value can overflow.

#[allow(clippy::arithmetic_side_effects)] // bounded: year 1..=9999, month 1..=12, day 1..=31
fn days_from_civil(year: i16, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[allow(clippy::arithmetic_side_effects)] // bounded: days is clamped to MIN_DAYS..=MAX_DAYS
fn civil_from_days(days: i64) -> (i16, u8, u8) {
    let z = days.clamp(MIN_DAYS, MAX_DAYS) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // All three are in range by construction; the fallbacks are unreachable.
    (
        i16::try_from(year).unwrap_or(9999),
        u8::try_from(month).unwrap_or(12),
        u8::try_from(day).unwrap_or(31),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    /// The date and the interval start the short ways give are those of the full local time,
    /// minute by minute over two days around every transition of two years, for both rules
    /// and offsets either side of UTC, and every interval length.
    #[test]
    fn dates_and_intervals_need_no_rule_where_it_changes_nothing() {
        let mut checked = 0;
        for dst in [DstRule::UnitedStates, DstRule::EuropeanUnion, DstRule::None] {
            for minutes in [-600, -300, 0, 60, 330, 840] {
                let offset = UtcOffset::from_minutes(minutes).unwrap();
                // A transition off the quarter hours is refused (+05:30 under the EU's rule).
                let Ok(calendar) = SiteCalendar::new(offset, dst) else { continue };
                checked += 1;
                let mut around = std::vec::Vec::new();
                for year in [2026_i32, 2027] {
                    for month in [1, 3, 10, 11] {
                        around.push(calendar.day_start(date(year, month, 1)));
                    }
                    if let Some((start, end)) = dst.transitions() {
                        let std = i64::from(minutes);
                        for (t, is_end) in [(start, false), (end, true)] {
                            let at = transition_instant(t, year as i16, std, is_end);
                            around.push(to_timestamp(at));
                        }
                    }
                }
                for centre in around {
                    for step in 0..(4 * 24 * 60) {
                        let at = centre - 2 * 86_400_000 + step * 60_000 + 59_999 * (step % 2);
                        assert_eq!(calendar.local_date(at), calendar.to_local(at).date, "{at}");
                        let offset = calendar.offset_minutes_at(at);
                        for length in [
                            IntervalLength::Minutes15,
                            IntervalLength::Minutes30,
                            IntervalLength::Minutes60,
                        ] {
                            let local = local_ms(at, offset);
                            let len = i64::from(length.minutes()) * MINUTE_MS;
                            let start =
                                local - local.rem_euclid(len) - i64::from(offset) * MINUTE_MS;
                            assert_eq!(calendar.interval_start(at, length), to_timestamp(start));
                        }
                    }
                }
            }
        }
        assert!(checked >= 15, "{checked} calendars");
    }

    fn date(y: i32, m: u8, d: u8) -> LocalDate {
        LocalDate::new(y, m, d).unwrap()
    }

    /// Seconds since the epoch from a UTC date and time, via the date algorithm under test's
    /// independent cousin: a literal table of known instants is used where it matters below.
    const HOUR: u64 = MILLIS_PER_HOUR;

    fn us_eastern() -> SiteCalendar {
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::UnitedStates).unwrap()
    }

    fn central_europe() -> SiteCalendar {
        SiteCalendar::new(UtcOffset::from_minutes(60).unwrap(), DstRule::EuropeanUnion).unwrap()
    }

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(date(1970, 1, 1).days_since_epoch(), 0);
        // `date -u -d 2000-03-01 +%s` = 951868800
        assert_eq!(date(2000, 3, 1).days_since_epoch(), 951_868_800 / 86_400);
        // `date -u -d 2026-11-23 +%s` = 1795392000
        assert_eq!(date(2026, 11, 23).days_since_epoch(), 1_795_392_000 / 86_400);
        assert_eq!(LocalDate::from_days_since_epoch(-1), date(1969, 12, 31));
        assert_eq!(date(2026, 11, 23).weekday(), Weekday::Monday);
        assert_eq!(date(1999, 2, 10).weekday(), Weekday::Wednesday);
    }

    #[test]
    fn date_round_trip_over_the_whole_range() {
        let mut d = MIN_DAYS;
        while d <= MAX_DAYS {
            let date = LocalDate::from_days_since_epoch(d);
            assert_eq!(date.days_since_epoch(), d);
            d += 97; // a stride coprime with 7, 30, 31 and 365
        }
        assert_eq!(LocalDate::from_days_since_epoch(MAX_DAYS), date(9999, 12, 31));
        assert_eq!(LocalDate::from_days_since_epoch(MIN_DAYS), date(1, 1, 1));
        assert_eq!(LocalDate::from_days_since_epoch(i64::MAX), date(9999, 12, 31));
    }

    #[test]
    fn invalid_dates_are_refused() {
        assert_eq!(LocalDate::new(2023, 2, 29), Err(CalendarError::InvalidDate));
        assert!(LocalDate::new(2024, 2, 29).is_ok());
        assert!(LocalDate::new(1900, 2, 29).is_err());
        assert!(LocalDate::new(2000, 2, 29).is_ok());
        assert!(LocalDate::new(2024, 13, 1).is_err());
        assert!(LocalDate::new(2024, 4, 31).is_err());
        assert!(LocalDate::new(0, 1, 1).is_err());
        assert!(LocalDate::new(10_000, 1, 1).is_err());
    }

    #[test]
    fn quarter_and_display() {
        assert_eq!(date(2026, 3, 31).quarter(), 1);
        assert_eq!(date(2026, 4, 1).quarter(), 2);
        assert_eq!(date(2026, 12, 31).quarter(), 4);
        assert_eq!(format!("{}", date(999, 1, 2)), "0999-01-02");
        assert_eq!(format!("{}", UtcOffset::from_minutes(-210).unwrap()), "-03:30");
        assert_eq!(format!("{}", UtcOffset::from_minutes(345).unwrap()), "+05:45");
    }

    #[test]
    fn offsets_out_of_range_are_refused() {
        assert!(UtcOffset::from_minutes(841).is_err());
        assert!(UtcOffset::from_minutes(-841).is_err());
        assert!(UtcOffset::from_minutes(840).is_ok());
    }

    #[test]
    fn us_transitions_2026() {
        let cal = us_eastern();
        // 2026-03-08 07:00:00Z (02:00 EST) clocks spring forward: `date -u -d '2026-03-08 07:00' +%s`
        let spring = 1_772_953_200_000;
        assert!(!cal.is_dst(spring - 1));
        assert!(cal.is_dst(spring));
        // 2026-11-01 06:00:00Z (02:00 EDT) clocks fall back.
        let fall = 1_793_512_800_000;
        assert!(cal.is_dst(fall - 1));
        assert!(!cal.is_dst(fall));
        assert_eq!(cal.offset_minutes_at(fall - 1), -240);
        assert_eq!(cal.offset_minutes_at(fall), -300);
    }

    #[test]
    fn eu_transitions_2026() {
        let cal = central_europe();
        // Last Sunday of March 2026 is the 29th; 01:00 UTC = 1774746000.
        let spring = 1_774_746_000_000;
        assert!(!cal.is_dst(spring - 1));
        assert!(cal.is_dst(spring));
        // Last Sunday of October 2026 is the 25th; 01:00 UTC = 1792890000.
        let fall = 1_792_890_000_000;
        assert!(cal.is_dst(fall - 1));
        assert!(!cal.is_dst(fall));
    }

    #[test]
    fn southern_hemisphere_custom_rule() {
        // New South Wales: first Sunday of October 02:00 standard -> first Sunday of April
        // 03:00 daylight (= 02:00 standard).
        let rule = DstRule::Custom {
            start: DstTransition {
                month: 10,
                week: WeekOfMonth::First,
                weekday: Weekday::Sunday,
                minute_of_day: 120,
                basis: TransitionBasis::LocalStandard,
            },
            end: DstTransition {
                month: 4,
                week: WeekOfMonth::First,
                weekday: Weekday::Sunday,
                minute_of_day: 120,
                basis: TransitionBasis::LocalStandard,
            },
        };
        let cal = SiteCalendar::new(UtcOffset::from_minutes(600).unwrap(), rule).unwrap();
        // January is summer in Sydney.
        let jan = date(2026, 1, 15).days_since_epoch() as u64 * MILLIS_PER_DAY;
        let jul = date(2026, 7, 15).days_since_epoch() as u64 * MILLIS_PER_DAY;
        assert!(cal.is_dst(jan));
        assert!(!cal.is_dst(jul));
        // 2026-04-05 is the first Sunday of April: 02:00 AEST = 2026-04-04 16:00Z.
        let end = (date(2026, 4, 4).days_since_epoch() as u64) * MILLIS_PER_DAY + 16 * HOUR;
        assert!(cal.is_dst(end - 1));
        assert!(!cal.is_dst(end));
    }

    #[test]
    fn custom_rules_are_validated() {
        let t = DstTransition {
            month: 3,
            week: WeekOfMonth::Last,
            weekday: Weekday::Sunday,
            minute_of_day: 90,
            basis: TransitionBasis::LocalWall,
        };
        let end = DstTransition { month: 10, minute_of_day: 120, ..t };
        assert_eq!(
            SiteCalendar::new(UtcOffset::UTC, DstRule::Custom { start: t, end }),
            Err(CalendarError::InvalidTransition)
        );
        let start = DstTransition { minute_of_day: 120, ..t };
        assert_eq!(
            SiteCalendar::new(UtcOffset::UTC, DstRule::Custom { start, end: start }),
            Err(CalendarError::TransitionMonthsEqual)
        );
        let bad_month = DstTransition { month: 13, ..start };
        assert!(
            SiteCalendar::new(UtcOffset::UTC, DstRule::Custom { start: bad_month, end }).is_err()
        );
        // India's +05:30 with the EU's UTC-based rule would cut an interval in half.
        assert_eq!(
            SiteCalendar::new(UtcOffset::from_minutes(330).unwrap(), DstRule::EuropeanUnion),
            Err(CalendarError::MisalignedTransition)
        );
        // Newfoundland's -03:30 with the US local-time rule is fine.
        assert!(
            SiteCalendar::new(UtcOffset::from_minutes(-210).unwrap(), DstRule::UnitedStates)
                .is_ok()
        );
    }

    #[test]
    fn spring_forward_day_has_23_hours() {
        let cal = us_eastern();
        let day = date(2026, 3, 8);
        let start = cal.day_start(day);
        let end = cal.day_end(day);
        assert_eq!(end - start, 23 * HOUR);
        // Local midnight EST = 05:00Z.
        assert_eq!(start, 1_772_946_000_000);
        // 02:30 does not exist; the gap begins at 07:00Z.
        assert_eq!(cal.resolve_local(day, 9_000_000), LocalResolution::Skipped(1_772_953_200_000));
        // 24 hourly intervals would be wrong: count them.
        let mut t = start;
        let mut n = 0;
        while t < end {
            assert_eq!(cal.interval_start(t, IntervalLength::Minutes60), t);
            t += IntervalLength::Minutes60.millis();
            n += 1;
        }
        assert_eq!(n, 23);
    }

    #[test]
    fn fall_back_day_has_25_hours_and_two_one_oclocks() {
        let cal = us_eastern();
        let day = date(2026, 11, 1);
        assert_eq!(cal.day_end(day) - cal.day_start(day), 25 * HOUR);
        let one_am = 3_600_000;
        match cal.resolve_local(day, one_am) {
            LocalResolution::Ambiguous(first, second) => {
                assert_eq!(second - first, HOUR);
                // 01:00 EDT = 05:00Z
                assert_eq!(first, 1_793_509_200_000);
                let a = cal.to_local(first);
                let b = cal.to_local(second);
                assert_eq!((a.hour(), a.offset_minutes), (1, -240));
                assert_eq!((b.hour(), b.offset_minutes), (1, -300));
                // Two distinct 01:00 intervals.
                assert_ne!(
                    cal.interval_start(first + 60_000, IntervalLength::Minutes15),
                    cal.interval_start(second + 60_000, IntervalLength::Minutes15)
                );
            }
            other => panic!("expected two 01:00s, got {other:?}"),
        }
    }

    #[test]
    fn eu_day_lengths() {
        let cal = central_europe();
        let spring = date(2026, 3, 29);
        let fall = date(2026, 10, 25);
        assert_eq!(cal.day_end(spring) - cal.day_start(spring), 23 * HOUR);
        assert_eq!(cal.day_end(fall) - cal.day_start(fall), 25 * HOUR);
        let ordinary = date(2026, 7, 1);
        assert_eq!(cal.day_end(ordinary) - cal.day_start(ordinary), 24 * HOUR);
    }

    #[test]
    fn interval_boundaries_follow_the_local_clock() {
        // Nepal, +05:45: local quarter hours fall on UTC :00, :15, :30, :45 anyway, but local
        // hours fall on UTC :15.
        let cal = SiteCalendar::new(UtcOffset::from_minutes(345).unwrap(), DstRule::None).unwrap();
        let at = 10 * HOUR + 20 * 60_000; // 10:20Z = 16:05 local
        assert_eq!(cal.interval_start(at, IntervalLength::Minutes60), 10 * HOUR + 15 * 60_000);
        assert_eq!(cal.interval_start(at, IntervalLength::Minutes15), 10 * HOUR + 15 * 60_000);
        assert_eq!(cal.interval_start(at, IntervalLength::Minutes30), 10 * HOUR + 15 * 60_000);
        let l = cal.to_local(at);
        assert_eq!((l.hour(), l.minute()), (16, 5));
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        for cal in [us_eastern(), central_europe(), SiteCalendar::UTC] {
            for at in [0, 1, MAX_TIMESTAMP, MAX_TIMESTAMP + 1, u64::MAX] {
                let _ = cal.to_local(at);
                let _ = cal.interval_start(at, IntervalLength::Minutes15);
                let _ = cal.day_end(cal.local_date(at));
            }
        }
        let west =
            SiteCalendar::new(UtcOffset::from_minutes(-720).unwrap(), DstRule::None).unwrap();
        assert_eq!(west.local_date(0), date(1969, 12, 31));
        assert_eq!(west.interval_start(0, IntervalLength::Minutes60), 0);
    }
}
