//! Reading a center: a queue now, its intervals and days (with what is live at the moment of
//! reading), calls and agents in flight, expected waits, the previous day's CSAT.

use core::cmp::Reverse;

use super::book::{QueueBook, days_i64};
use super::records::{CallPhase, CallRecord};
use super::{AgentView, CallStatus, CallView, Center, Diagnostics, ReadError};
use crate::calendar::{LocalDate, Timestamp};
use crate::csat::PreviousDayCsat;
use crate::event::{AgentId, CallId, QueueId};
use crate::interval::{DayReport, IntervalReport, IntervalStats};
use crate::queue::{AgentCounts, QueueSnapshot};
use crate::wait::{Caller, WaitEstimator, WaitInputs};

impl<const Q: usize, const C: usize, const A: usize, const I: usize, const D: usize>
    Center<Q, C, A, I, D>
{
    /// Counters of what was applied and refused.
    #[must_use]
    pub const fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// A queue right now.
    ///
    /// # Errors
    /// [`ReadError::UnknownQueue`]; [`ReadError::NoClock`] before anything has happened.
    pub fn snapshot(&self, queue: QueueId) -> Result<QueueSnapshot, ReadError> {
        let (q, book) = self.queue_book(queue)?;
        let now = self.clock.ok_or(ReadError::NoClock)?;
        let inputs = self.inputs_of(q, now, book);
        let agents = self.agent_counts(q);
        let calendar = &self.config.calendar;
        let current_start = calendar.interval_start(now, self.config.interval);
        let today = calendar.local_date(now);
        Ok(QueueSnapshot {
            queue,
            at: now,
            service_level_threshold_ms: book.config.service_level.millis(),
            waiting: inputs.waiting,
            longest_wait_ms: inputs.head_of_line_ms,
            expected_wait_ms: WaitEstimator::default().estimate(&inputs, Caller::New).ok(),
            agents,
            // The clock's own interval and day are always kept.
            current_interval: self.interval_report(q, current_start).ok_or(ReadError::NoClock)?,
            today,
            today_stats: self.day_report(q, today).ok_or(ReadError::NoClock)?,
        })
    }

    /// What the expected-wait estimators read of `queue` now (see [`crate::wait`]).
    ///
    /// # Errors
    /// [`ReadError::UnknownQueue`]; [`ReadError::NoClock`] before anything has happened.
    pub fn wait_inputs(&self, queue: QueueId) -> Result<WaitInputs, ReadError> {
        let (q, book) = self.queue_book(queue)?;
        Ok(self.inputs_of(q, self.clock.ok_or(ReadError::NoClock)?, book))
    }

    /// The index and book of a queue, or why there is none.
    fn queue_book(&self, queue: QueueId) -> Result<(u8, &QueueBook<I, D>), ReadError> {
        let q = self.queue_index(queue).ok_or(ReadError::UnknownQueue)?;
        let book = self.queues.get(usize::from(q)).ok_or(ReadError::UnknownQueue)?;
        Ok((q, book))
    }

    /// The expected wait in milliseconds of a caller who would join `queue` now, by
    /// `estimator`. The snapshot's `expected_wait_ms` is this with the default estimator.
    ///
    /// # Errors
    /// As [`Center::wait_inputs`], and [`ReadError::Unknown`]: what the estimate needs and the
    /// queue does not know yet.
    pub fn expected_wait(
        &self,
        queue: QueueId,
        estimator: WaitEstimator,
    ) -> Result<u64, ReadError> {
        let inputs = self.wait_inputs(queue)?;
        estimator.estimate(&inputs, Caller::New).map_err(ReadError::Unknown)
    }

    /// The expected remaining wait in milliseconds of `call`, waiting now, by `estimator`:
    /// what to announce to that caller. Callers of higher priority, then those who entered
    /// earlier, are ahead of it.
    ///
    /// # Errors
    /// [`ReadError::UnknownCall`], [`ReadError::NotWaiting`], or [`ReadError::Unknown`]: an
    /// input the estimator lacks.
    pub fn call_expected_wait(
        &self,
        call: CallId,
        estimator: WaitEstimator,
    ) -> Result<u64, ReadError> {
        let rec = self.calls.get(&call).filter(|rec| rec.phase != CallPhase::Ended);
        let rec = rec.ok_or(ReadError::UnknownCall)?;
        if rec.phase != CallPhase::Waiting {
            return Err(ReadError::NotWaiting);
        }
        let now = self.clock.ok_or(ReadError::NoClock)?;
        let book = self.queues.get(usize::from(rec.queue)).ok_or(ReadError::UnknownCall)?;
        let inputs = self.inputs_of(rec.queue, now, book);
        // Served first: higher priority, then the earlier entry, then the lower id.
        let rank = |id: CallId, c: &CallRecord| (Reverse(c.priority), c.entered_at, id);
        let mine = rank(call, rec);
        let ahead = self
            .calls
            .iter()
            .filter(|&(&id, c)| {
                c.queue == rec.queue && c.phase == CallPhase::Waiting && rank(id, c) < mine
            })
            .count();
        let caller = Caller::Waiting {
            ahead: u32::try_from(ahead).unwrap_or(u32::MAX),
            waited_ms: now.saturating_sub(rec.entered_at),
        };
        estimator.estimate(&inputs, caller).map_err(ReadError::Unknown)
    }

    pub(super) fn agent_counts(&self, q: u8) -> AgentCounts {
        let mut agents = AgentCounts::default();
        for agent in self.agents.values().filter(|a| a.is_member(q)) {
            agents.count(agent.state);
        }
        agents
    }

    pub(super) fn inputs_of(&self, q: u8, now: Timestamp, book: &QueueBook<I, D>) -> WaitInputs {
        let mut waiting: u32 = 0;
        let mut head_of_line_ms = None;
        for call in self.calls.values() {
            if call.queue == q && call.phase == CallPhase::Waiting {
                waiting = waiting.saturating_add(1);
                let wait = now.saturating_sub(call.entered_at);
                head_of_line_ms = Some(head_of_line_ms.map_or(wait, |w: u64| w.max(wait)));
            }
        }
        let agents = self.agent_counts(q);
        WaitInputs {
            at: now,
            waiting,
            idle_agents: agents.available,
            serving_agents: agents
                .reserved
                .saturating_add(agents.on_call)
                .saturating_add(agents.after_call_work),
            handle_ms: book.wait.handle_ms(),
            abandon_rate_per_s: book.wait.abandon_rate_per_s(),
            head_of_line_ms,
            last_entered_service: book.wait.last_entered_service(),
            asterisk_holdtime_s: book.wait.asterisk_holdtime_s(),
            line_rate_per_s: book.wait.line_rate_per_s(),
        }
    }

    /// The figures of the interval starting at `start`, including what is live now.
    ///
    /// # Errors
    /// [`ReadError::UnknownQueue`], [`ReadError::NoClock`] before anything has happened, and
    /// [`ReadError::NotKept`] for a `start` that is not an interval boundary or an interval
    /// not kept (before the queue's first counted instant, after the clock's interval, or
    /// evicted).
    pub fn interval(&self, queue: QueueId, start: Timestamp) -> Result<IntervalReport, ReadError> {
        let q = self.queue_index(queue).ok_or(ReadError::UnknownQueue)?;
        if self.clock.is_none() {
            return Err(ReadError::NoClock);
        }
        if self.config.calendar.interval_start(start, self.config.interval) != start {
            return Err(ReadError::NotKept);
        }
        self.interval_report(q, start).ok_or(ReadError::NotKept)
    }

    /// Every interval kept for `queue`, oldest first, each with what is live now; then the
    /// newer intervals that have only live figures so far (the interval in progress, and any
    /// just before it still within the reorder tolerance).
    pub fn intervals(&self, queue: QueueId) -> impl Iterator<Item = IntervalReport> + '_ {
        let q = self.queue_index(queue);
        let book = q.and_then(|q| self.queues.get(usize::from(q)));
        let len = self.config.interval.millis();
        let kept = book
            .into_iter()
            .flat_map(|book| book.intervals.iter())
            .filter_map(move |slot| Some(self.live_interval(q?, slot.start, slot.stats)));
        // Live figures only exist from the last flushed boundary on: before it, agent time is
        // stored, and waiting calls are counted in stored intervals.
        let live_span = match (q, self.clock, self.flushed_to) {
            (Some(q), Some(now), Some(flushed)) => {
                let after_newest = book
                    .and_then(|book| book.intervals.back())
                    .map(|slot| slot.start.saturating_add(len));
                let first = after_newest.map_or(flushed, |n| n.max(flushed));
                let last = self.config.calendar.interval_start(now, self.config.interval);
                Some((q, first, last))
            }
            _ => None,
        };
        let live = live_span.into_iter().flat_map(move |(q, first, last)| {
            core::iter::successors(Some(first), move |&start| Some(start.saturating_add(len)))
                .take_while(move |&start| start <= last)
                .map(move |start| self.live_interval(q, start, IntervalStats::default()))
                .filter(|report| report.stats != IntervalStats::default())
        });
        kept.chain(live)
    }

    /// The figures of a local day, including what is live now.
    ///
    /// # Errors
    /// [`ReadError::UnknownQueue`], [`ReadError::NoClock`] before anything has happened, and
    /// [`ReadError::NotKept`] for a day not kept (before the queue's first day, after today,
    /// or evicted from the ledger).
    pub fn day(&self, queue: QueueId, date: LocalDate) -> Result<DayReport, ReadError> {
        let q = self.queue_index(queue).ok_or(ReadError::UnknownQueue)?;
        if self.clock.is_none() {
            return Err(ReadError::NoClock);
        }
        self.day_report(q, date).ok_or(ReadError::NotKept)
    }

    /// Every day kept for `queue`, oldest first, each with what is live now; then the days up
    /// to today that have only live figures so far.
    pub fn days(&self, queue: QueueId) -> impl Iterator<Item = DayReport> + '_ {
        let q = self.queue_index(queue);
        let book = q.and_then(|q| self.queues.get(usize::from(q)));
        let kept = book
            .into_iter()
            .flat_map(move |book| {
                book.days.iter().filter(move |&(date, _)| self.day_kept(book, date))
            })
            .filter_map(move |(date, stats)| Some(self.live_day(q?, date, *stats)));
        let live_span = match (q, book, self.clock, self.flushed_to) {
            (Some(q), Some(book), Some(now), Some(flushed)) => {
                let calendar = &self.config.calendar;
                Some((q, book, calendar.local_date(flushed), calendar.local_date(now)))
            }
            _ => None,
        };
        let live = live_span.into_iter().flat_map(move |(q, book, first, last)| {
            core::iter::successors(Some(first), move |&date| (date < last).then(|| date.next()))
                .filter(move |&date| book.days.get(date).is_none())
                .map(move |date| self.live_day(q, date, IntervalStats::default()))
                .filter(|report| report.stats != IntervalStats::default())
        });
        kept.chain(live)
    }

    /// Takes out the oldest interval, of any queue, that can no longer change: it has ended,
    /// the reorder tolerance has passed its end, and no call counted in it is still in flight.
    /// Call it after applying events to archive every interval of a feed of any length.
    pub fn pop_settled_interval(&mut self) -> Option<(QueueId, IntervalReport)> {
        let flushed_to = self.flushed_to?;
        let len = self.config.interval.millis();
        let mut oldest: Option<(usize, Timestamp)> = None;
        for (i, book) in self.queues.iter().enumerate() {
            let Some(front) = book.intervals.front() else {
                continue;
            };
            let settled = front.open_calls == 0 && front.start.saturating_add(len) <= flushed_to;
            if settled && oldest.is_none_or(|(_, start)| front.start < start) {
                oldest = Some((i, front.start));
            }
        }
        let book = self.queues.get_mut(oldest?.0)?;
        let slot = book.pop_interval(len)?;
        let end = slot.start.saturating_add(len);
        book.taken_to = end;
        Some((book.id, IntervalReport { start: slot.start, end, stats: slot.stats }))
    }

    /// Calls in flight: waiting or connected.
    pub fn calls(&self) -> impl Iterator<Item = CallView> + '_ {
        self.calls.iter().filter_map(|(&call, rec)| self.view(call, rec))
    }

    /// One call in flight, `None` for a call the center does not have (never entered, or
    /// ended): what a feed asks instead of keeping its own copy of each call's state.
    #[must_use]
    pub fn call(&self, call: CallId) -> Option<CallView> {
        self.view(call, self.calls.get(&call)?)
    }

    fn view(&self, call: CallId, rec: &CallRecord) -> Option<CallView> {
        let status = match rec.phase {
            CallPhase::Waiting => CallStatus::Waiting,
            CallPhase::Connected { answered_at, agent } => {
                CallStatus::Connected { answered_at, agent }
            }
            CallPhase::Ended => return None,
        };
        let queue = self.queues.get(usize::from(rec.queue)).map_or(QueueId(u32::MAX), |b| b.id);
        Some(CallView { call, queue, entered_at: rec.entered_at, priority: rec.priority, status })
    }

    /// An agent's current state, `None` for an agent the center does not know (never seen, or
    /// logged out with no queue memberships).
    #[must_use]
    pub fn agent(&self, agent: AgentId) -> Option<AgentView> {
        let rec = self.agents.get(&agent).filter(|rec| !rec.is_idle())?;
        Some(AgentView { agent, state: rec.state, state_since: rec.state_since })
    }

    /// Whether `agent` is a member of `queue`.
    #[must_use]
    pub fn is_member(&self, agent: AgentId, queue: QueueId) -> bool {
        match (self.agents.get(&agent), self.queue_index(queue)) {
            (Some(rec), Some(q)) => rec.is_member(q),
            _ => false,
        }
    }

    /// The previous local day's CSAT as of the clock, `None` before the clock is set.
    #[must_use]
    pub fn previous_day_csat(&self) -> Option<PreviousDayCsat> {
        let today = self.config.calendar.local_date(self.clock?);
        Some(self.csat.previous_day(today))
    }

    // ----- reading ---------------------------------------------------------------------------

    /// The interval starting at `start` (a boundary), if it is kept: counted from the queue's
    /// first instant, not yet evicted or taken out, and not after the clock's interval.
    pub(super) fn interval_report(&self, q: u8, start: Timestamp) -> Option<IntervalReport> {
        let book = self.queues.get(usize::from(q))?;
        let now = self.clock?;
        let current = self.config.calendar.interval_start(now, self.config.interval);
        let counted = book.counts_from.is_some_and(|from| from <= start);
        if !counted || start < book.horizon || start > current {
            return None;
        }
        let len = self.config.interval.millis();
        let stored =
            book.interval(start, len).map_or_else(IntervalStats::default, |slot| slot.stats);
        Some(self.live_interval(q, start, stored))
    }

    /// The local day `date`, if it is kept: from the queue's first day to today, among the
    /// last `DAYS` days, and not evicted from the ledger.
    pub(super) fn day_report(&self, q: u8, date: LocalDate) -> Option<DayReport> {
        let book = self.queues.get(usize::from(q))?;
        if !self.day_kept(book, date) {
            return None;
        }
        let stored = book.days.get(date).copied().unwrap_or_default();
        Some(self.live_day(q, date, stored))
    }

    pub(super) fn day_kept(&self, book: &QueueBook<I, D>, date: LocalDate) -> bool {
        let (Some(now), Some(from)) = (self.clock, book.counts_from) else { return false };
        let calendar = &self.config.calendar;
        let today = calendar.local_date(now);
        let oldest = today.days_since_epoch().saturating_sub(days_i64::<D>().saturating_sub(1));
        calendar.local_date(from) <= date
            && date <= today
            && date.days_since_epoch() >= oldest
            && book.days.accepts(date)
    }

    pub(super) fn live_interval(
        &self,
        q: u8,
        start: Timestamp,
        stored: IntervalStats,
    ) -> IntervalReport {
        let end = start.saturating_add(self.config.interval.millis());
        IntervalReport { start, end, stats: self.with_live(q, start, end, stored) }
    }

    pub(super) fn live_day(&self, q: u8, date: LocalDate, stored: IntervalStats) -> DayReport {
        let start = self.config.calendar.day_start(date);
        let end = self.config.calendar.day_end(date);
        DayReport { date, start, end, stats: self.with_live(q, start, end, stored) }
    }

    /// `stored` plus what is live now in `[start, end)`: calls waiting, and agents' time in
    /// their current state.
    pub(super) fn with_live(
        &self,
        q: u8,
        start: Timestamp,
        end: Timestamp,
        stored: IntervalStats,
    ) -> IntervalStats {
        let mut stats = stored;
        let Some(now) = self.clock else { return stats };
        let threshold = self.threshold(q);
        for call in self.calls.values() {
            if call.queue != q || call.phase != CallPhase::Waiting {
                continue;
            }
            // Under QueueExit a waiting call has left no interval yet: it is live in the
            // interval of now.
            let attributed = call.attributed_at.unwrap_or(now);
            if attributed < start || attributed >= end {
                continue;
            }
            if call.attributed_at.is_none() {
                stats.offered = stats.offered.saturating_add(1);
            }
            let wait = now.saturating_sub(call.entered_at);
            stats.waiting = stats.waiting.saturating_add(1);
            if wait > threshold {
                stats.waiting_past_sl = stats.waiting_past_sl.saturating_add(1);
            }
            stats.record_wait(wait);
        }
        for agent in self.agents.values().filter(|a| a.is_member(q)) {
            let from = agent.since.max(start);
            let to = now.min(end);
            if from < to {
                stats.agent_time.add(agent.state, to.saturating_sub(from));
            }
        }
        stats
    }
}
