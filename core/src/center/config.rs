//! How a center counts: its site calendar, interval length, attribution, tolerances and the
//! rules of its CSAT.

use crate::calendar::{IntervalLength, SiteCalendar};
use crate::csat::CsatConfig;
use crate::interval::WaitBuckets;

/// Which interval a call is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Attribution {
    /// The interval in which it entered the queue.
    #[default]
    QueueEntry,
    /// The interval in which it left the queue (answered, abandoned, dequeued, transferred).
    QueueExit,
}

/// How a center counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CenterConfig {
    /// The site's calendar: local days and interval boundaries.
    pub calendar: SiteCalendar,
    /// Reporting interval length.
    pub interval: IntervalLength,
    /// Which interval a call is counted in.
    pub attribution: Attribution,
    /// How much older than the newest event an event may be and still be applied.
    pub reorder_tolerance_ms: u64,
    /// How far ahead of the clock an event (or [`Center::advance_to`](super::Center::advance_to)) may move it at once. A
    /// timestamp further ahead is almost always a wrong clock; accepting it would make every
    /// later, correct event look too late. `u64::MAX` for no limit (a replay of a log with long
    /// silences); the cost of a jump is bounded either way.
    pub max_clock_jump_ms: u64,
    /// Wait-time histogram buckets.
    pub wait_buckets: WaitBuckets,
    /// Customer-satisfaction scale, minimum sample and posted figure.
    pub csat: CsatConfig,
}

impl CenterConfig {
    /// UTC, 15-minute intervals, calls counted where they entered the queue, 2 s reorder
    /// tolerance, clock jumps up to 31 days, the default wait buckets and CSAT: the default.
    pub const DEFAULT: Self = Self {
        calendar: SiteCalendar::UTC,
        interval: IntervalLength::Minutes15,
        attribution: Attribution::QueueEntry,
        reorder_tolerance_ms: 2_000,
        max_clock_jump_ms: 31 * crate::calendar::MILLIS_PER_DAY,
        wait_buckets: WaitBuckets::DEFAULT,
        csat: CsatConfig::DEFAULT,
    };
}

impl Default for CenterConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}
