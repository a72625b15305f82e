//! Interval statistics: what happened in a queue during one reporting interval (or a day).
//!
//! Every figure a report, a board or a C caller shows is defined here once, from integer
//! counters and millisecond sums that [`Center`](crate::center::Center) accumulates. Counters
//! add up: a day is the [`merge`](IntervalStats::merge) of its intervals, never an average of
//! percentages. Derived figures are `Option<f64>`: `None` when the denominator is zero (no calls
//! answered means no ASA, not an ASA of 0).
//!
//! The definitions (DESIGN §2.2), with threshold **T** (the service-level answer time) and
//! short-abandon threshold **S**:
//! - **offered**: calls that entered the queue; **answered**, **abandoned** (the caller hung up
//!   while waiting), **dequeued** (the system ended the wait; never counted as abandoned),
//!   **transferred out** (moved to another queue while waiting), and **waiting** (still in the
//!   queue) always add up to offered.
//! - **short abandoned**: abandoned with a wait shorter than S (wrong numbers, instant
//!   hang-ups). They stay in `offered` and `abandoned` but are taken out of every *net* figure.
//! - **answered within SL**: answered with wait ≤ T. **abandoned within SL**: abandoned (not
//!   short) with wait ≤ T. **waiting past SL**: still waiting and already waited longer than T:
//!   such a call has missed its service level even before anything else happens to it.
//! - **ASA** (average speed of answer): total wait of answered calls / answered.
//! - **AHT** (average handle time): (talk + hold + after-call work) / handled calls.
//! - **average abandon time**: total wait of abandoned calls / abandoned.
//! - **max wait**: the longest wait of any call counted in the interval, including a call still
//!   waiting (its wait so far).
//! - **abandon rate**: net abandoned / net offered.
//! - **occupancy**: agents' handle time / (handle time + available idle time); **utilization**:
//!   handle time / logged-in time (which includes not-ready time). Agent time is counted in
//!   every queue the agent is a member of, as ACD skill-group reports do.
//! - **wait-time histograms** of answered and of abandoned calls, so a report can recompute the
//!   share within any threshold that is a bucket bound.
//!
//! The four service-level variants are in [`service_level`](crate::service_level).

use crate::calendar::{LocalDate, MILLIS_PER_SECOND, Timestamp};
use crate::event::{AgentState, DequeueCounts};
use crate::service_level::ServiceLevels;

/// Number of buckets in a [`WaitHistogram`].
pub const WAIT_BUCKETS: usize = 16;

/// Upper bounds (inclusive, in seconds) of the first 15 wait-time buckets; the 16th holds every
/// longer wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaitBuckets {
    upper_bounds_s: [u32; WAIT_BUCKETS - 1],
}

/// Error from [`WaitBuckets::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[error("wait-time bucket bounds must be strictly increasing")]
pub struct BucketsNotIncreasing;

impl WaitBuckets {
    /// Bounds that cover the usual thresholds: 5 … 20 s including 18 s (three North American
    /// rings), 30, 40, 60 s, and minutes beyond.
    pub const DEFAULT: Self =
        Self { upper_bounds_s: [5, 10, 15, 18, 20, 30, 40, 60, 90, 120, 180, 300, 600, 900, 1800] };

    /// Buckets with the given inclusive upper bounds in seconds.
    ///
    /// # Errors
    /// [`BucketsNotIncreasing`] unless every bound is larger than the one before.
    pub fn new(upper_bounds_s: [u32; WAIT_BUCKETS - 1]) -> Result<Self, BucketsNotIncreasing> {
        if upper_bounds_s.windows(2).all(|w| matches!(w, [a, b] if a < b)) {
            Ok(Self { upper_bounds_s })
        } else {
            Err(BucketsNotIncreasing)
        }
    }

    /// The inclusive upper bounds in seconds.
    #[must_use]
    pub const fn upper_bounds_s(&self) -> &[u32; WAIT_BUCKETS - 1] {
        &self.upper_bounds_s
    }

    /// The bucket a wait of `wait_ms` falls into.
    #[must_use]
    pub fn bucket(&self, wait_ms: u64) -> usize {
        self.upper_bounds_s
            .iter()
            .position(|&bound| wait_ms <= u64::from(bound).saturating_mul(MILLIS_PER_SECOND))
            .unwrap_or(WAIT_BUCKETS - 1)
    }
}

impl Default for WaitBuckets {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Calls counted by wait time, in the buckets of a [`WaitBuckets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct WaitHistogram {
    /// Calls per bucket.
    pub counts: [u32; WAIT_BUCKETS],
}

impl WaitHistogram {
    pub(crate) fn record(&mut self, buckets: &WaitBuckets, wait_ms: u64) {
        if let Some(n) = self.counts.get_mut(buckets.bucket(wait_ms)) {
            *n = n.saturating_add(1);
        }
    }

    /// All calls counted.
    #[must_use]
    pub fn total(&self) -> u32 {
        self.counts.iter().fold(0, |a, &n| a.saturating_add(n))
    }

    /// Calls that waited at most `threshold_s` seconds, when `threshold_s` is one of the
    /// bucket bounds (otherwise the histogram cannot tell, and the answer is `None`).
    #[must_use]
    pub fn within(&self, buckets: &WaitBuckets, threshold_s: u32) -> Option<u32> {
        let last = buckets.upper_bounds_s.iter().position(|&b| b == threshold_s)?;
        Some(self.counts.iter().take(last.saturating_add(1)).fold(0, |a, &n| a.saturating_add(n)))
    }

    fn merge(&mut self, other: &Self) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
    }
}

/// Time the queue's member agents spent in each logged-in state, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)] // one field per logged-in `AgentState`, documented there
pub struct AgentTime {
    pub available_ms: u64,
    pub reserved_ms: u64,
    pub on_call_ms: u64,
    pub after_call_work_ms: u64,
    pub not_ready_ms: u64,
}

impl AgentTime {
    /// Time working calls: on a call plus after-call work.
    #[must_use]
    pub const fn handle_ms(&self) -> u64 {
        self.on_call_ms.saturating_add(self.after_call_work_ms)
    }

    /// All logged-in time, including reserved and not-ready time.
    #[must_use]
    pub const fn logged_in_ms(&self) -> u64 {
        self.available_ms
            .saturating_add(self.reserved_ms)
            .saturating_add(self.on_call_ms)
            .saturating_add(self.after_call_work_ms)
            .saturating_add(self.not_ready_ms)
    }

    pub(crate) fn add(&mut self, state: AgentState, ms: u64) {
        let slot = match state {
            AgentState::LoggedOut => return,
            AgentState::Available => &mut self.available_ms,
            AgentState::Reserved => &mut self.reserved_ms,
            AgentState::OnCall => &mut self.on_call_ms,
            AgentState::AfterCallWork => &mut self.after_call_work_ms,
            AgentState::NotReady(_) => &mut self.not_ready_ms,
        };
        *slot = slot.saturating_add(ms);
    }

    fn merge(&mut self, other: &Self) {
        self.available_ms = self.available_ms.saturating_add(other.available_ms);
        self.reserved_ms = self.reserved_ms.saturating_add(other.reserved_ms);
        self.on_call_ms = self.on_call_ms.saturating_add(other.on_call_ms);
        self.after_call_work_ms = self.after_call_work_ms.saturating_add(other.after_call_work_ms);
        self.not_ready_ms = self.not_ready_ms.saturating_add(other.not_ready_ms);
    }
}

/// Everything counted for one queue over one interval or day. See the [module](self) docs for
/// the definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IntervalStats {
    /// Calls that entered the queue.
    pub offered: u32,
    /// Calls an agent answered.
    pub answered: u32,
    /// Answered with wait ≤ T.
    pub answered_within_sl: u32,
    /// Calls whose caller hung up while waiting (including short abandons).
    pub abandoned: u32,
    /// Abandoned with wait < S; a subset of `abandoned`.
    pub short_abandoned: u32,
    /// Abandoned, not short, with wait ≤ T.
    pub abandoned_within_sl: u32,
    /// Calls whose wait the system ended.
    pub dequeued: u32,
    /// `dequeued` by reason.
    pub dequeued_by_reason: DequeueCounts,
    /// Calls moved to another queue while waiting.
    pub transferred_out: u32,
    /// Calls still waiting when the figures were read.
    pub waiting: u32,
    /// Calls still waiting that had already waited longer than T; a subset of `waiting`.
    pub waiting_past_sl: u32,
    /// Sum of the waits of answered calls.
    pub answer_wait_ms: u64,
    /// Sum of the waits of abandoned calls.
    pub abandon_wait_ms: u64,
    /// The longest wait of any call counted here, `None` without calls.
    pub max_wait_ms: Option<u64>,
    /// Answered calls whose conversation ended.
    pub handled: u32,
    /// Talk time of handled calls.
    pub talk_ms: u64,
    /// Hold time of handled calls.
    pub hold_ms: u64,
    /// After-call work that followed handled calls.
    pub after_call_work_ms: u64,
    /// Member agents' time by state.
    pub agent_time: AgentTime,
    /// Answered calls by wait.
    pub answered_waits: WaitHistogram,
    /// Abandoned calls by wait.
    pub abandoned_waits: WaitHistogram,
}

impl IntervalStats {
    /// Adds `other`'s counts into `self`: the figures of the two periods together.
    pub fn merge(&mut self, other: &Self) {
        self.offered = self.offered.saturating_add(other.offered);
        self.answered = self.answered.saturating_add(other.answered);
        self.answered_within_sl = self.answered_within_sl.saturating_add(other.answered_within_sl);
        self.abandoned = self.abandoned.saturating_add(other.abandoned);
        self.short_abandoned = self.short_abandoned.saturating_add(other.short_abandoned);
        self.abandoned_within_sl =
            self.abandoned_within_sl.saturating_add(other.abandoned_within_sl);
        self.dequeued = self.dequeued.saturating_add(other.dequeued);
        self.dequeued_by_reason.merge(&other.dequeued_by_reason);
        self.transferred_out = self.transferred_out.saturating_add(other.transferred_out);
        self.waiting = self.waiting.saturating_add(other.waiting);
        self.waiting_past_sl = self.waiting_past_sl.saturating_add(other.waiting_past_sl);
        self.answer_wait_ms = self.answer_wait_ms.saturating_add(other.answer_wait_ms);
        self.abandon_wait_ms = self.abandon_wait_ms.saturating_add(other.abandon_wait_ms);
        self.max_wait_ms = max_option(self.max_wait_ms, other.max_wait_ms);
        self.handled = self.handled.saturating_add(other.handled);
        self.talk_ms = self.talk_ms.saturating_add(other.talk_ms);
        self.hold_ms = self.hold_ms.saturating_add(other.hold_ms);
        self.after_call_work_ms = self.after_call_work_ms.saturating_add(other.after_call_work_ms);
        self.agent_time.merge(&other.agent_time);
        self.answered_waits.merge(&other.answered_waits);
        self.abandoned_waits.merge(&other.abandoned_waits);
    }

    /// Offered minus short abandons.
    #[must_use]
    pub const fn net_offered(&self) -> u32 {
        self.offered.saturating_sub(self.short_abandoned)
    }

    /// Abandoned minus short abandons.
    #[must_use]
    pub const fn net_abandoned(&self) -> u32 {
        self.abandoned.saturating_sub(self.short_abandoned)
    }

    /// Average speed of answer in seconds.
    #[must_use]
    pub fn asa_seconds(&self) -> Option<f64> {
        mean_seconds(self.answer_wait_ms, self.answered)
    }

    /// Average handle time in seconds: (talk + hold + after-call work) / handled.
    #[must_use]
    pub fn aht_seconds(&self) -> Option<f64> {
        let handle =
            self.talk_ms.saturating_add(self.hold_ms).saturating_add(self.after_call_work_ms);
        mean_seconds(handle, self.handled)
    }

    /// Average time abandoned callers waited, in seconds.
    #[must_use]
    pub fn average_abandon_seconds(&self) -> Option<f64> {
        mean_seconds(self.abandon_wait_ms, self.abandoned)
    }

    /// The longest wait in seconds.
    #[must_use]
    pub fn max_wait_seconds(&self) -> Option<f64> {
        self.max_wait_ms.map(|ms| ms as f64 / 1000.0)
    }

    /// Net abandoned / net offered.
    #[must_use]
    pub fn abandon_rate(&self) -> Option<f64> {
        ratio(u64::from(self.net_abandoned()), u64::from(self.net_offered()))
    }

    /// Handle time / (handle time + available time) of member agents.
    #[must_use]
    pub fn occupancy(&self) -> Option<f64> {
        let handle = self.agent_time.handle_ms();
        ratio(handle, handle.saturating_add(self.agent_time.available_ms))
    }

    /// Handle time / logged-in time of member agents.
    #[must_use]
    pub fn utilization(&self) -> Option<f64> {
        ratio(self.agent_time.handle_ms(), self.agent_time.logged_in_ms())
    }

    /// Every derived figure at once, as [`Figures`]: what a report row or the C ABI's period
    /// shows next to the counters.
    #[must_use]
    pub fn figures(&self) -> Figures {
        Figures {
            service_level: self.service_levels(),
            asa_seconds: self.asa_seconds(),
            aht_seconds: self.aht_seconds(),
            average_abandon_seconds: self.average_abandon_seconds(),
            abandon_rate: self.abandon_rate(),
            max_wait_seconds: self.max_wait_seconds(),
            occupancy: self.occupancy(),
            utilization: self.utilization(),
        }
    }

    pub(crate) fn record_wait(&mut self, wait_ms: u64) {
        self.max_wait_ms = max_option(self.max_wait_ms, Some(wait_ms));
    }
}

/// The derived figures of an interval or a day, each `None` when its denominator is zero
/// (never NaN, never a made-up 0); their definitions are the methods of [`IntervalStats`] that
/// compute them. The one list every consumer shows: the report's rows, the C ABI's `cb_period`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Figures {
    /// All four service levels ([`IntervalStats::service_level`]).
    pub service_level: ServiceLevels,
    /// Average speed of answer ([`IntervalStats::asa_seconds`]).
    pub asa_seconds: Option<f64>,
    /// Average handle time ([`IntervalStats::aht_seconds`]).
    pub aht_seconds: Option<f64>,
    /// Average wait of abandoned calls ([`IntervalStats::average_abandon_seconds`]); named
    /// `avg_abandon_seconds` in serialized form, as the report's JSON has always had it.
    #[cfg_attr(feature = "serde", serde(rename = "avg_abandon_seconds"))]
    pub average_abandon_seconds: Option<f64>,
    /// Net abandoned / net offered ([`IntervalStats::abandon_rate`]).
    pub abandon_rate: Option<f64>,
    /// The longest wait of any call ([`IntervalStats::max_wait_seconds`]).
    pub max_wait_seconds: Option<f64>,
    /// Handle / (handle + available) time of member agents ([`IntervalStats::occupancy`]).
    pub occupancy: Option<f64>,
    /// Handle / logged-in time of member agents ([`IntervalStats::utilization`]).
    pub utilization: Option<f64>,
}

/// `num / den`, or `None` when `den` is zero. Callers guarantee `num <= den`.
pub(crate) fn ratio(num: u64, den: u64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

fn mean_seconds(total_ms: u64, count: u32) -> Option<f64> {
    (count != 0).then(|| total_ms as f64 / 1000.0 / f64::from(count))
}

fn max_option(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// One interval's (or day's) figures as read: where it is in time, and its statistics including
/// what is live at the moment of reading (calls still waiting, agents' current state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IntervalReport {
    /// First instant of the period.
    pub start: Timestamp,
    /// First instant after the period.
    pub end: Timestamp,
    /// The figures.
    pub stats: IntervalStats,
}

/// One local day's figures as read, like [`IntervalReport`] but for a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DayReport {
    /// The local date.
    pub date: LocalDate,
    /// First instant of the day (local midnight).
    pub start: Timestamp,
    /// First instant of the next day; 23, 24 or 25 hours after `start`.
    pub end: Timestamp,
    /// The figures.
    pub stats: IntervalStats,
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_inclusive_upper_bounds() {
        let b = WaitBuckets::DEFAULT;
        assert_eq!(b.bucket(0), 0);
        assert_eq!(b.bucket(5_000), 0);
        assert_eq!(b.bucket(5_001), 1);
        assert_eq!(b.bucket(18_000), 3);
        assert_eq!(b.bucket(1_800_000), 14);
        assert_eq!(b.bucket(1_800_001), 15);
        assert_eq!(b.bucket(u64::MAX), 15);
    }

    #[test]
    fn bucket_bounds_must_increase() {
        let mut bounds = *WaitBuckets::DEFAULT.upper_bounds_s();
        assert!(WaitBuckets::new(bounds).is_ok());
        bounds[3] = bounds[2];
        assert_eq!(WaitBuckets::new(bounds), Err(BucketsNotIncreasing));
    }

    #[test]
    fn histogram_recomputes_thresholds_that_are_bounds() {
        let b = WaitBuckets::DEFAULT;
        let mut h = WaitHistogram::default();
        for wait_s in [1, 7, 18, 19, 20, 21, 4000] {
            h.record(&b, wait_s * 1000);
        }
        assert_eq!(h.total(), 7);
        assert_eq!(h.within(&b, 18), Some(3));
        assert_eq!(h.within(&b, 20), Some(5));
        assert_eq!(h.within(&b, 1800), Some(6));
        assert_eq!(h.within(&b, 19), None);
    }

    #[test]
    fn empty_interval_has_no_ratios() {
        let s = IntervalStats::default();
        assert_eq!(s.asa_seconds(), None);
        assert_eq!(s.aht_seconds(), None);
        assert_eq!(s.average_abandon_seconds(), None);
        assert_eq!(s.abandon_rate(), None);
        assert_eq!(s.occupancy(), None);
        assert_eq!(s.utilization(), None);
        assert_eq!(s.max_wait_seconds(), None);
    }

    #[test]
    fn derived_figures() {
        let s = IntervalStats {
            offered: 12,
            answered: 8,
            abandoned: 4,
            short_abandoned: 2,
            answer_wait_ms: 80_000,
            abandon_wait_ms: 30_000,
            handled: 4,
            talk_ms: 800_000,
            hold_ms: 100_000,
            after_call_work_ms: 100_000,
            agent_time: AgentTime {
                available_ms: 1_000,
                on_call_ms: 2_000,
                after_call_work_ms: 1_000,
                not_ready_ms: 4_000,
                ..AgentTime::default()
            },
            max_wait_ms: Some(61_500),
            ..IntervalStats::default()
        };
        assert_eq!(s.asa_seconds(), Some(10.0));
        assert_eq!(s.aht_seconds(), Some(250.0));
        assert_eq!(s.average_abandon_seconds(), Some(7.5));
        assert_eq!(s.net_offered(), 10);
        assert_eq!(s.abandon_rate(), Some(0.2));
        assert_eq!(s.occupancy(), Some(0.75));
        assert_eq!(s.utilization(), Some(3.0 / 8.0));
        assert_eq!(s.max_wait_seconds(), Some(61.5));
    }

    #[test]
    fn merge_adds_counts_and_keeps_the_longest_wait() {
        let mut a = IntervalStats { offered: 3, max_wait_ms: Some(10), ..Default::default() };
        let b = IntervalStats { offered: 4, max_wait_ms: Some(7), ..Default::default() };
        a.merge(&b);
        assert_eq!(a.offered, 7);
        assert_eq!(a.max_wait_ms, Some(10));
        let mut empty = IntervalStats::default();
        empty.merge(&b);
        assert_eq!(empty.max_wait_ms, Some(7));
    }
}
