//! A queue's book: its intervals and days kept, and the rules of which periods it keeps;
//! agents' time counted into it, split at interval boundaries.

use heapless::{Deque, Vec};

use super::records::{AgentRecord, queue_bit};
use super::{CenterConfig, Diagnostics};
use crate::calendar::{LocalDate, Timestamp};
use crate::event::{AgentId, AgentState, DequeueReason, QueueId, ReasonCode};
use crate::id_map::IdMap;
use crate::interval::IntervalStats;
use crate::ledger::Ledger;
use crate::queue::QueueConfig;
use crate::wait::WaitHistory;

#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct IntervalSlot {
    pub(super) start: Timestamp,
    pub(super) stats: IntervalStats,
    /// Calls counted here that are still in flight.
    pub(super) open_calls: u32,
}

impl IntervalSlot {
    pub(super) fn new(start: Timestamp) -> Self {
        Self { start, stats: IntervalStats::default(), open_calls: 0 }
    }
}

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct QueueBook<const INTERVALS: usize, const DAYS: usize> {
    pub(super) id: QueueId,
    pub(super) config: QueueConfig,
    /// Consecutive intervals, oldest first, all at or after `horizon`.
    pub(super) intervals: Deque<IntervalSlot, INTERVALS>,
    /// Intervals starting before this were evicted, taken out, or are older than the last
    /// `INTERVALS` up to the clock's: they can be neither read nor written again.
    pub(super) horizon: Timestamp,
    /// The first instant this queue counts: the interval boundary of the center's first
    /// event for a queue added before it, the flush mark for one added later. `None` until
    /// the center has a clock. Nothing before it was seen, so nothing before it is kept.
    pub(super) counts_from: Option<Timestamp>,
    /// The end of the last interval taken out by [`Center::pop_settled_interval`] (0 before):
    /// the next slot continues from it when the ring is empty, so that what a consumer takes
    /// is one unbroken sequence.
    pub(super) taken_to: Timestamp,
    pub(super) days: Ledger<LocalDate, IntervalStats, DAYS>,
    /// What the expected-wait estimators need of the recent past.
    pub(super) wait: WaitHistory,
}

impl<const INTERVALS: usize, const DAYS: usize> QueueBook<INTERVALS, DAYS> {
    /// Removes the oldest interval, moving the horizon past it.
    pub(super) fn pop_interval(&mut self, len: u64) -> Option<IntervalSlot> {
        let slot = self.intervals.pop_front()?;
        self.horizon = self.horizon.max(slot.start.saturating_add(len));
        Some(slot)
    }

    /// Where the slot of the interval starting at `start` is in the ring, if it is there: the
    /// slots are consecutive, so this is arithmetic, not a search.
    pub(super) fn position(&self, start: Timestamp, len: u64) -> Option<usize> {
        let front = self.intervals.front()?.start;
        let offset = start.checked_sub(front)?;
        if offset.checked_rem(len)? != 0 {
            return None;
        }
        let index = usize::try_from(offset.checked_div(len)?).ok()?;
        (index < self.intervals.len()).then_some(index)
    }

    pub(super) fn interval(&self, start: Timestamp, len: u64) -> Option<&IntervalSlot> {
        let index = self.position(start, len)?;
        self.intervals.get(index)
    }

    pub(super) fn interval_mut(&mut self, start: Timestamp, len: u64) -> Option<&mut IntervalSlot> {
        let index = self.position(start, len)?;
        self.intervals.get_mut(index)
    }

    /// Moves the horizon to `floor` (at least), dropping the slots before it; returns how many
    /// were dropped.
    pub(super) fn raise_horizon(&mut self, floor: Timestamp) -> u32 {
        let mut dropped: u32 = 0;
        while self.intervals.front().is_some_and(|slot| slot.start < floor) {
            self.intervals.pop_front();
            dropped = dropped.saturating_add(1);
        }
        self.horizon = self.horizon.max(floor);
        dropped
    }

    /// The slot for the interval starting at `start`, created (with any skipped intervals
    /// before it) if it is newer than every slot kept. `None` when it is before the horizon,
    /// or older than the oldest slot of a full ring (the horizon then moves to that slot, so
    /// the interval is never read as if it were kept).
    pub(super) fn interval_slot(
        &mut self,
        start: Timestamp,
        len: u64,
        diagnostics: &mut Diagnostics,
    ) -> Option<&mut IntervalSlot> {
        if start < self.horizon {
            return None;
        }
        // Nearly every update is to the newest interval: no search, no division.
        if self.intervals.back().is_some_and(|newest| newest.start == start) {
            return self.intervals.back_mut();
        }
        let (front, back) = match (self.intervals.front(), self.intervals.back()) {
            (Some(f), Some(b)) => (f.start, b.start),
            // Empty after intervals were taken out: continue without a gap from the horizon,
            // so that the intervals taken and the intervals kept are one unbroken sequence.
            _ if self.taken_to > 0
                && self.taken_to >= self.horizon
                && start
                    .saturating_sub(self.taken_to)
                    .checked_div(len)
                    .is_some_and(|gap| gap < INTERVALS as u64) =>
            {
                let first = self.taken_to;
                self.intervals.push_back(IntervalSlot::new(first)).ok()?;
                (first, first)
            }
            _ => {
                self.intervals.push_back(IntervalSlot::new(start)).ok()?;
                return self.intervals.back_mut();
            }
        };
        if start > back {
            let skipped = start.saturating_sub(back).checked_div(len).unwrap_or(0);
            if skipped >= INTERVALS as u64 {
                let dropped = self.raise_horizon(start);
                diagnostics.intervals_evicted =
                    diagnostics.intervals_evicted.saturating_add(dropped);
                self.intervals.push_back(IntervalSlot::new(start)).ok()?;
            } else {
                let mut next = back.saturating_add(len);
                while next <= start {
                    if self.intervals.is_full() {
                        self.pop_interval(len);
                        diagnostics.intervals_evicted =
                            diagnostics.intervals_evicted.saturating_add(1);
                    }
                    self.intervals.push_back(IntervalSlot::new(next)).ok()?;
                    next = next.saturating_add(len);
                }
            }
        } else if start < front {
            let mut first = front;
            while first > start && !self.intervals.is_full() && first > self.horizon {
                first = first.saturating_sub(len);
                self.intervals.push_front(IntervalSlot::new(first)).ok()?;
            }
            if first > start {
                self.horizon = self.horizon.max(first);
                return None;
            }
        }
        self.interval_mut(start, len)
    }
}

/// The clock's interval and local day, worked out once as the clock enters them.
///
/// Nearly every update a center makes falls in them, and asking the calendar each time cost a
/// 64-bit division for the interval and the daylight-saving rule near midnight for the date,
/// several times an event. Outside them, or before they are known (a new, reset or restored
/// center), the calendar is asked as before; the answers are the same either way. Derived from
/// the clock: never saved.
#[derive(Debug, Clone, Copy)]
pub(super) struct Period {
    /// `[start, end)` of the clock's interval.
    interval: (Timestamp, Timestamp),
    /// `[start, end)` of the clock's local day, and its date.
    day: (Timestamp, Timestamp),
    date: LocalDate,
}

impl Period {
    /// Known for no instant.
    pub(super) const NONE: Self = Self { interval: (0, 0), day: (0, 0), date: LocalDate::EPOCH };

    /// The period of `now`, reusing this one's day while `now` is still in it.
    pub(super) fn of(&self, config: &CenterConfig, now: Timestamp) -> Self {
        let start = config.calendar.interval_start(now, config.interval);
        let interval = (start, start.saturating_add(config.interval.millis()));
        if now >= self.day.0 && now < self.day.1 {
            return Self { interval, ..*self };
        }
        let date = config.calendar.local_date(now);
        let day = (config.calendar.day_start(date), config.calendar.day_end(date));
        Self { interval, day, date }
    }

    /// Whether the clock's interval is known (not before the clock first moves, nor after a
    /// reset or a restore).
    pub(super) const fn is_known(&self) -> bool {
        self.interval.1 > 0
    }

    /// Whether `at` is in the interval kept.
    pub(super) const fn holds_interval_of(&self, at: Timestamp) -> bool {
        at >= self.interval.0 && at < self.interval.1
    }

    /// The start of the interval holding `at`.
    pub(super) fn interval_start(&self, config: &CenterConfig, at: Timestamp) -> Timestamp {
        if self.holds_interval_of(at) {
            debug_assert_eq!(self.interval.0, config.calendar.interval_start(at, config.interval));
            return self.interval.0;
        }
        config.calendar.interval_start(at, config.interval)
    }

    /// The local date of `at`.
    pub(super) fn local_date(&self, config: &CenterConfig, at: Timestamp) -> LocalDate {
        if at >= self.day.0 && at < self.day.1 {
            debug_assert_eq!(self.date, config.calendar.local_date(at));
            return self.date;
        }
        config.calendar.local_date(at)
    }
}

/// The start of the oldest interval a center with `INTERVALS` intervals keeps: `INTERVALS`
/// intervals up to the clock's (0 before the clock is set).
pub(super) fn interval_floor<const INTERVALS: usize>(
    config: &CenterConfig,
    clock: Option<Timestamp>,
) -> Timestamp {
    let Some(now) = clock else { return 0 };
    let len = config.interval.millis();
    let current = config.calendar.interval_start(now, config.interval);
    let older = u64::try_from(INTERVALS.saturating_sub(1)).unwrap_or(u64::MAX);
    current.saturating_sub(older.saturating_mul(len))
}

/// `DAYS` as a day count.
pub(super) fn days_i64<const DAYS: usize>() -> i64 {
    i64::try_from(DAYS).unwrap_or(i64::MAX)
}

/// The first instant of the oldest local day a center with `DAYS` days keeps at `now`.
pub(super) fn day_floor<const DAYS: usize>(config: &CenterConfig, now: Timestamp) -> Timestamp {
    let today = config.calendar.local_date(now).days_since_epoch();
    let oldest = LocalDate::from_days_since_epoch(
        today.saturating_sub(days_i64::<DAYS>().saturating_sub(1)),
    );
    config.calendar.day_start(oldest)
}

/// Counts `[rec.since, to)` spent in the agent's state in every queue it is a member of, split
/// at interval boundaries. Time that no kept interval and no kept day can hold (before both the
/// queue's horizon and the oldest day kept at `now`) is skipped at once, and time before the horizon goes to the
/// days alone, a day at a time: the cost is bounded by what is kept, never by how long ago
/// `rec.since` was.
pub(super) fn account<const INTERVALS: usize, const DAYS: usize>(
    queues: &mut [QueueBook<INTERVALS, DAYS>],
    config: &CenterConfig,
    period: &Period,
    diagnostics: &mut Diagnostics,
    rec: &AgentRecord,
    to: Timestamp,
    now: Timestamp,
) {
    if rec.state == AgentState::LoggedOut || rec.queues == 0 {
        return;
    }
    let len = config.interval.millis();
    for (q, book) in queues.iter_mut().enumerate() {
        if !u8::try_from(q).is_ok_and(|q| rec.queues & queue_bit(q) != 0) {
            continue;
        }
        // Only time before the horizon needs the days' floor (rarely: after a jump).
        let mut t = rec.since;
        if t < book.horizon {
            t = t.max(day_floor::<DAYS>(config, now).min(book.horizon));
        }
        while t < to && t < book.horizon {
            let date = period.local_date(config, t);
            let piece_end = config.calendar.day_end(date).min(book.horizon).min(to);
            if piece_end <= t {
                break;
            }
            let ms = piece_end.saturating_sub(t);
            record_day(book, config, period, diagnostics, t, |s| s.agent_time.add(rec.state, ms));
            t = piece_end;
        }
        while t < to {
            let start = period.interval_start(config, t);
            let piece_end = start.saturating_add(len).min(to);
            if piece_end <= t {
                break;
            }
            let ms = piece_end.saturating_sub(t);
            record_in(book, config, period, diagnostics, start, t, |s| {
                s.agent_time.add(rec.state, ms);
            });
            t = piece_end;
        }
    }
}

/// What `account` does for every agent at once: counts each agent's time in its current state
/// from its `since` up to `to`, queue by queue and kind of time by kind of time, sweeping the
/// pieces (intervals kept; days before the horizon) once with the agents in order of `since`.
/// The same sums as agent by agent, at a cost of queues × 5 × (agents + pieces) instead of
/// agents × queues × pieces.
#[inline(never)] // its list of agents is on the stack only while the clock crosses a boundary
pub(super) fn account_all<const INTERVALS: usize, const DAYS: usize, const AGENTS: usize>(
    queues: &mut [QueueBook<INTERVALS, DAYS>],
    config: &CenterConfig,
    period: &Period,
    diagnostics: &mut Diagnostics,
    agents: &IdMap<AgentId, AgentRecord, AGENTS>,
    to: Timestamp,
    now: Timestamp,
) {
    /// One representative per kind of agent time (every not-ready reason is one kind).
    const KINDS: [AgentState; 5] = [
        AgentState::Available,
        AgentState::Reserved,
        AgentState::OnCall,
        AgentState::AfterCallWork,
        AgentState::NotReady(ReasonCode(0)),
    ];
    let kind_of = |state: AgentState| match state {
        AgentState::NotReady(_) => AgentState::NotReady(ReasonCode(0)),
        other => other,
    };
    let mut owed: Vec<(Timestamp, AgentState, u64), AGENTS> = Vec::new();
    for rec in agents.values() {
        if rec.since < to && rec.state != AgentState::LoggedOut && rec.queues != 0 {
            // At most AGENTS agents, so this cannot fail.
            let _ = owed.push((rec.since, kind_of(rec.state), rec.queues));
        }
    }
    owed.sort_unstable_by_key(|&(since, ..)| since);
    let len = config.interval.millis();
    let day_floor = day_floor::<DAYS>(config, now);
    for (q, book) in queues.iter_mut().enumerate() {
        let bit = u8::try_from(q).map_or(0, queue_bit);
        for kind in KINDS {
            let mut members =
                owed.iter().filter(|&&(_, k, queues)| k == kind && queues & bit != 0).peekable();
            let Some(&&(first, ..)) = members.peek() else { continue };
            // As agent by agent: before the horizon only the days kept count.
            let mut t = first;
            if t < book.horizon {
                t = t.max(day_floor.min(book.horizon));
            }
            let mut active: u64 = 0;
            while members.next_if(|&&(since, ..)| since <= t).is_some() {
                active = active.saturating_add(1);
            }
            while t < to {
                let piece_end = if t < book.horizon {
                    config.calendar.day_end(config.calendar.local_date(t)).min(book.horizon)
                } else {
                    config.calendar.interval_start(t, config.interval).saturating_add(len)
                }
                .min(to);
                if piece_end <= t {
                    break;
                }
                let mut ms = active.saturating_mul(piece_end.saturating_sub(t));
                // Agents whose time starts inside the piece count from their start.
                while let Some(&(since, ..)) = members.next_if(|&&(since, ..)| since < piece_end) {
                    ms = ms.saturating_add(piece_end.saturating_sub(since));
                    active = active.saturating_add(1);
                }
                if ms > 0 {
                    let update = |s: &mut IntervalStats| s.agent_time.add(kind, ms);
                    if t < book.horizon {
                        // The interval of this time is no longer kept: said, as for a call's.
                        diagnostics.late_updates = diagnostics.late_updates.saturating_add(1);
                        record_day(book, config, period, diagnostics, t, update);
                    } else {
                        record(book, config, period, diagnostics, t, update);
                    }
                }
                t = piece_end;
            }
        }
    }
}

/// Applies `update` to the interval and the day of `at` in `book`.
pub(super) fn record<const INTERVALS: usize, const DAYS: usize>(
    book: &mut QueueBook<INTERVALS, DAYS>,
    config: &CenterConfig,
    period: &Period,
    diagnostics: &mut Diagnostics,
    at: Timestamp,
    update: impl Fn(&mut IntervalStats),
) {
    let start = period.interval_start(config, at);
    record_in(book, config, period, diagnostics, start, at, update);
}

/// [`record`] with the start of `at`'s interval already known.
fn record_in<const INTERVALS: usize, const DAYS: usize>(
    book: &mut QueueBook<INTERVALS, DAYS>,
    config: &CenterConfig,
    period: &Period,
    diagnostics: &mut Diagnostics,
    start: Timestamp,
    at: Timestamp,
    update: impl Fn(&mut IntervalStats),
) {
    match book.interval_slot(start, config.interval.millis(), diagnostics) {
        Some(slot) => update(&mut slot.stats),
        None => diagnostics.late_updates = diagnostics.late_updates.saturating_add(1),
    }
    record_day(book, config, period, diagnostics, at, update);
}

/// Applies `update` to the day of `at` in `book`.
pub(super) fn record_day<const INTERVALS: usize, const DAYS: usize>(
    book: &mut QueueBook<INTERVALS, DAYS>,
    config: &CenterConfig,
    period: &Period,
    diagnostics: &mut Diagnostics,
    at: Timestamp,
    update: impl Fn(&mut IntervalStats),
) {
    match book.days.entry(period.local_date(config, at)) {
        Ok((stats, evicted)) => {
            if evicted {
                diagnostics.days_evicted = diagnostics.days_evicted.saturating_add(1);
            }
            update(stats);
        }
        Err(_) => diagnostics.late_updates = diagnostics.late_updates.saturating_add(1),
    }
}

pub(super) fn count_dequeued(s: &mut IntervalStats, reason: DequeueReason) {
    s.dequeued = s.dequeued.saturating_add(1);
    s.dequeued_by_reason.count(reason);
}
