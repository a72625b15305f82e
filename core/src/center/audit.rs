//! The invariants a center's state keeps, checked in one place: on a live center
//! ([`Center::audit`], which the property tests call after every event) and on a checkpoint
//! before it is restored, so that every checkpoint accepted is a state the engine could have
//! reached.
//!
//! The state is read through [`Parts`], one part at a time, so that a checkpoint is checked as
//! it is decoded, without a second copy of the center in memory.
//!
//! What is checked:
//! - the configuration is one the constructors accept, and the CSAT ledger is well formed and
//!   belongs to it; the clock and the flush mark are both unset or both set, the flush mark
//!   being the interval boundary of the clock less the reorder tolerance;
//! - each queue: a unique id; its intervals consecutive, on boundaries, from its first counted
//!   instant and horizon up to the clock's interval, the horizon no older than the last
//!   `INTERVALS` intervals; its days ordered, valid, up to today; its expected-wait history
//!   finite and not after the clock;
//! - each interval and day: outcomes (answered, abandoned, dequeued, transferred out) add up to
//!   offered less the calls counted there that are still waiting; subsets within their sets
//!   (answered within SL ≤ answered; short abandons and abandons within SL ≤ abandoned; handled
//!   ≤ answered); histograms and dequeue reasons add up to their counts; waits no longer than
//!   the longest wait; answered within SL equal to the histogram's count when T is a bucket
//!   bound; no stored live figures (waiting is only ever read live);
//! - each call: a unique id in a known queue; entered ≤ previous event ≤ clock; counted where
//!   the attribution rule puts it; an answer between entry and the previous event;
//! - each agent: a unique id; member of known queues only; its instants in order and not after
//!   the clock; after-call work owed in a known queue, under way only in after-call work;
//! - each interval's count of calls still open is the number of calls in flight counted there
//!   plus the after-call work agents owe for calls counted there.

use heapless::Vec;

use super::{
    AgentRecord, Attribution, CallPhase, CallRecord, CenterConfig, QueueBook, interval_floor,
};
use crate::calendar::{LocalDate, MAX_TIMESTAMP, SiteCalendar, Timestamp};
use crate::csat::{CsatLedger, CsatScale};
use crate::event::{AgentId, AgentState, CallId};
use crate::id_map::IdMap;
use crate::interval::{IntervalStats, WaitBuckets};
use crate::service_level::ServiceLevelThreshold;

/// A state the engine cannot reach: which invariant it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[error("inconsistent center state: {0}")]
pub struct Inconsistency(pub &'static str);

/// The small parts of a center's state, read first.
pub(super) struct Head<'a, const DAYS: usize> {
    pub(super) config: &'a CenterConfig,
    pub(super) csat: &'a CsatLedger<DAYS>,
    pub(super) clock: Option<Timestamp>,
    pub(super) flushed_to: Option<Timestamp>,
}

/// What the audit does with each call in flight.
pub(super) type EachCall<'a> = dyn FnMut((CallId, &CallRecord)) -> Result<(), Inconsistency> + 'a;
/// What the audit does with each agent tracked.
pub(super) type EachAgent<'a> =
    dyn FnMut((AgentId, &AgentRecord)) -> Result<(), Inconsistency> + 'a;

/// The large parts of a center's state, each walked as often as the audit needs.
pub(super) trait Parts<const INTERVALS: usize, const DAYS: usize> {
    /// Every queue, in order.
    fn books(
        &self,
        each: &mut dyn FnMut(&QueueBook<INTERVALS, DAYS>) -> Result<(), Inconsistency>,
    ) -> Result<(), Inconsistency>;
    /// Every call in flight.
    fn calls(&self, each: &mut EachCall<'_>) -> Result<(), Inconsistency>;
    /// Every agent tracked.
    fn agents(&self, each: &mut EachAgent<'_>) -> Result<(), Inconsistency>;
}

/// A sum of counters that cannot overflow (each is a `u32`, and there are few).
fn total(counts: &[u32]) -> u64 {
    counts.iter().fold(0, |sum, &n| sum.saturating_add(u64::from(n)))
}

fn ensure(holds: bool, invariant: &'static str) -> Result<(), Inconsistency> {
    if holds { Ok(()) } else { Err(Inconsistency(invariant)) }
}

pub(super) fn valid_date(date: LocalDate) -> bool {
    LocalDate::new(date.year(), date.month(), date.day()).is_ok_and(|checked| checked == date)
}

fn valid_config(config: &CenterConfig) -> bool {
    let calendar = SiteCalendar::new(config.calendar.standard_offset(), config.calendar.dst_rule());
    let scale = CsatScale::new(config.csat.scale.lowest(), config.csat.scale.highest());
    let buckets = WaitBuckets::new(*config.wait_buckets.upper_bounds_s());
    calendar.is_ok_and(|calendar| calendar == config.calendar) && scale.is_ok() && buckets.is_ok()
}

/// Checks every invariant of a state; see the [module](self) docs.
pub(super) fn audit<
    const QUEUES: usize,
    const CALLS: usize,
    const AGENTS: usize,
    const INTERVALS: usize,
    const DAYS: usize,
>(
    head: &Head<'_, DAYS>,
    parts: &impl Parts<INTERVALS, DAYS>,
) -> Result<(), Inconsistency> {
    let config = head.config;
    ensure(valid_config(config), "configuration out of range")?;
    ensure(
        head.csat.config() == &config.csat
            && head.csat.calendar() == &config.calendar
            && head.csat.is_well_formed(valid_date),
        "CSAT ledger malformed or of another configuration",
    )?;
    match (head.clock, head.flushed_to) {
        (None, None) => {}
        (Some(now), Some(flushed)) => {
            let watermark = now.saturating_sub(config.reorder_tolerance_ms);
            ensure(now <= MAX_TIMESTAMP, "clock beyond year 9999")?;
            ensure(
                flushed == config.calendar.interval_start(watermark, config.interval),
                "flush mark is not the clock's",
            )?;
        }
        _ => return Err(Inconsistency("clock and flush mark disagree")),
    }

    let mut ids: Vec<u32, QUEUES> = Vec::new();
    parts.books(&mut |book| {
        ensure(!ids.contains(&book.id.0), "duplicate queue")?;
        ids.push(book.id.0).map_err(|_| Inconsistency("too many queues"))?;
        audit_book(head, book)
    })?;
    let queues = ids.len();

    audit_ids::<CALLS, AGENTS, INTERVALS, DAYS>(head, parts, queues)?;
    let mut index: u8 = 0;
    parts.books(&mut |book| {
        let queue = index;
        index = index.saturating_add(1);
        audit_counts(head, book, queue, parts)
    })
}

/// Unique ids, known queues, and each call's and agent's own invariants. A function of its own
/// so that its tables of ids are off the stack before the books are decoded again.
#[inline(never)]
fn audit_ids<const CALLS: usize, const AGENTS: usize, const INTERVALS: usize, const DAYS: usize>(
    head: &Head<'_, DAYS>,
    parts: &impl Parts<INTERVALS, DAYS>,
    queues: usize,
) -> Result<(), Inconsistency> {
    let mut call_ids: IdMap<CallId, (), CALLS> = IdMap::new();
    parts.calls(&mut |(id, call)| {
        ensure(usize::from(call.queue) < queues, "call in an unknown queue")?;
        ensure(matches!(call_ids.insert(id, ()), Ok(None)), "duplicate call")?;
        audit_call(head, call)
    })?;

    let queue_mask = if queues >= 64 { u64::MAX } else { (1_u64 << queues).wrapping_sub(1) };
    let mut agent_ids: IdMap<AgentId, (), AGENTS> = IdMap::new();
    parts.agents(&mut |(id, agent)| {
        ensure(matches!(agent_ids.insert(id, ()), Ok(None)), "duplicate agent")?;
        ensure(agent.queues & !queue_mask == 0, "agent in an unknown queue")?;
        if let Some(owed) = agent.wrap_up {
            ensure(usize::from(owed.queue) < queues, "wrap-up owed in an unknown queue")?;
        }
        audit_agent(head, agent)
    })?;

    Ok(())
}

fn audit_book<const INTERVALS: usize, const DAYS: usize>(
    head: &Head<'_, DAYS>,
    book: &QueueBook<INTERVALS, DAYS>,
) -> Result<(), Inconsistency> {
    let config = head.config;
    let calendar = &config.calendar;
    let len = config.interval.millis();
    let on_boundary = |at: Timestamp| calendar.interval_start(at, config.interval) == at;
    ensure(book.wait.is_sane(head.clock), "expected-wait history out of range")?;
    let slots_consecutive = book
        .intervals
        .iter()
        .zip(book.intervals.iter().skip(1))
        .all(|(earlier, later)| earlier.start.checked_add(len) == Some(later.start));
    ensure(slots_consecutive, "intervals not consecutive")?;
    ensure(book.days.is_strictly_ordered(), "days not in order")?;
    ensure(book.days.iter().all(|(date, _)| valid_date(date)), "invalid date")?;
    ensure(book.taken_to <= book.horizon, "intervals taken out beyond the horizon")?;
    ensure(book.taken_to == 0 || on_boundary(book.taken_to), "taken-out mark off a boundary")?;
    let (Some(now), Some(from)) = (head.clock, book.counts_from) else {
        let empty = head.clock.is_none()
            && book.counts_from.is_none()
            && book.intervals.is_empty()
            && book.days.iter().next().is_none();
        return ensure(empty, "figures counted before the first event");
    };
    let current = calendar.interval_start(now, config.interval);
    let today = calendar.local_date(now);
    ensure(on_boundary(from) && from <= current, "first counted instant out of range")?;
    ensure(
        book.horizon >= interval_floor::<INTERVALS>(config, Some(now)) && book.horizon <= current,
        "horizon outside the intervals kept",
    )?;
    ensure(on_boundary(book.horizon), "horizon off a boundary")?;
    for slot in &book.intervals {
        ensure(on_boundary(slot.start), "interval off a boundary")?;
        ensure(
            slot.start >= book.horizon && slot.start >= from && slot.start <= current,
            "interval outside the span kept",
        )?;
        audit_stats(config, &book.config.service_level, &slot.stats)?;
    }
    let first_day = calendar.local_date(from);
    for (date, stats) in book.days.iter() {
        ensure(first_day <= date && date <= today, "day outside the span counted")?;
        audit_stats(config, &book.config.service_level, stats)?;
    }
    Ok(())
}

/// The invariants of one interval's or day's stored counters (before the calls still waiting
/// there are added).
fn audit_stats(
    config: &CenterConfig,
    threshold: &ServiceLevelThreshold,
    s: &IntervalStats,
) -> Result<(), Inconsistency> {
    let outcomes = total(&[s.answered, s.abandoned, s.dequeued, s.transferred_out]);
    ensure(s.waiting == 0 && s.waiting_past_sl == 0, "live figures stored")?;
    ensure(outcomes <= u64::from(s.offered), "more outcomes than calls offered")?;
    ensure(s.answered_within_sl <= s.answered, "more answered within SL than answered")?;
    ensure(
        total(&[s.short_abandoned, s.abandoned_within_sl]) <= u64::from(s.abandoned),
        "more short or within-SL abandons than abandons",
    )?;
    ensure(s.handled <= s.answered, "more calls handled than answered")?;
    ensure(
        s.handled > 0 || s.talk_ms == 0 && s.hold_ms == 0 && s.after_call_work_ms == 0,
        "handle time without a handled call",
    )?;
    let d = &s.dequeued_by_reason;
    let by_reason = total(&[
        d.timeout,
        d.no_agents,
        d.caller_option,
        d.overflow,
        d.withdrawn,
        d.system_restart,
    ]);
    ensure(by_reason == u64::from(s.dequeued), "dequeue reasons do not add up")?;
    ensure(s.answered_waits.total() == s.answered, "answered histogram does not add up")?;
    ensure(s.abandoned_waits.total() == s.abandoned, "abandoned histogram does not add up")?;
    ensure(s.max_wait_ms.is_some() == (outcomes > 0), "longest wait without a call")?;
    let longest = s.max_wait_ms.unwrap_or(0);
    ensure(
        u128::from(s.answer_wait_ms) <= u128::from(s.answered).saturating_mul(u128::from(longest))
            && u128::from(s.abandon_wait_ms)
                <= u128::from(s.abandoned).saturating_mul(u128::from(longest)),
        "a mean wait above the longest wait",
    )?;
    let threshold_ms = threshold.millis();
    if threshold_ms.is_multiple_of(1_000) {
        let bound = u32::try_from(threshold_ms.saturating_div(1_000)).ok();
        let within = bound.and_then(|bound| s.answered_waits.within(&config.wait_buckets, bound));
        ensure(
            within.is_none_or(|within| within == s.answered_within_sl),
            "answered within SL disagrees with the histogram",
        )?;
    }
    Ok(())
}

fn audit_call<const DAYS: usize>(
    head: &Head<'_, DAYS>,
    call: &CallRecord,
) -> Result<(), Inconsistency> {
    let now = head.clock.ok_or(Inconsistency("call in flight before the first event"))?;
    ensure(call.entered_at <= call.last_at && call.last_at <= now, "call's instants out of order")?;
    let answered_at = match call.phase {
        CallPhase::Connected { answered_at, .. } => Some(answered_at),
        _ => None,
    };
    ensure(
        answered_at.is_none_or(|at| call.entered_at <= at && at <= call.last_at),
        "answered outside the call's span",
    )?;
    if call.phase == CallPhase::Ended {
        return ensure(call.attributed_at.is_none(), "an ended call still counted");
    }
    let counted = match head.config.attribution {
        Attribution::QueueEntry => call.attributed_at == Some(call.entered_at),
        Attribution::QueueExit => match (call.phase, call.attributed_at) {
            (CallPhase::Waiting, attributed) => attributed.is_none(),
            (_, Some(at)) => call.entered_at <= at && at <= call.last_at,
            (_, None) => false,
        },
    };
    ensure(counted, "call counted against the attribution rule")
}

fn audit_agent<const DAYS: usize>(
    head: &Head<'_, DAYS>,
    agent: &AgentRecord,
) -> Result<(), Inconsistency> {
    let (Some(now), Some(flushed)) = (head.clock, head.flushed_to) else {
        return Err(Inconsistency("agent tracked before the first event"));
    };
    if let Some(owed) = agent.wrap_up {
        // After-call work starts with the agent's state, so it is under way exactly in it.
        ensure(owed.attributed_at <= now, "wrap-up owed for a call after the clock")?;
        ensure(
            owed.since.is_none_or(|since| since <= now && agent.state == AgentState::AfterCallWork),
            "wrap-up under way outside after-call work",
        )?;
    }
    ensure(
        agent.state_since <= agent.last_at
            && agent.last_at <= now
            && agent.state_since <= agent.since
            && flushed <= agent.since
            && agent.since <= now,
        "agent's instants out of order",
    )
}

/// Each interval's and day's offered calls are its outcomes plus its calls still waiting, and
/// each interval's count of calls in flight is right.
fn audit_counts<const INTERVALS: usize, const DAYS: usize>(
    head: &Head<'_, DAYS>,
    book: &QueueBook<INTERVALS, DAYS>,
    queue: u8,
    parts: &impl Parts<INTERVALS, DAYS>,
) -> Result<(), Inconsistency> {
    let config = head.config;
    let len = config.interval.millis();
    let mut in_flight = [0_u32; INTERVALS];
    let mut waiting = [0_u32; INTERVALS];
    let mut waiting_on_day = [0_u32; DAYS];
    parts.calls(&mut |(_, call)| {
        let Some(at) = call.attributed_at.filter(|_| call.queue == queue) else {
            return Ok(());
        };
        let is_waiting = u32::from(call.phase == CallPhase::Waiting);
        let start = config.calendar.interval_start(at, config.interval);
        match book.position(start, len) {
            Some(i) => {
                let (open, wait) = in_flight
                    .get_mut(i)
                    .zip(waiting.get_mut(i))
                    .ok_or(Inconsistency("interval beyond the ring"))?;
                *open = open.saturating_add(1);
                *wait = wait.saturating_add(is_waiting);
            }
            None => ensure(start < book.horizon, "call counted in an interval never made")?,
        }
        let date = config.calendar.local_date(at);
        match book.days.position(date) {
            Some(i) => {
                let wait = waiting_on_day.get_mut(i).ok_or(Inconsistency("day beyond ledger"))?;
                *wait = wait.saturating_add(is_waiting);
            }
            None => ensure(!book.days.accepts(date), "call counted on a day never made")?,
        }
        Ok(())
    })?;
    // A call whose agent still owes its after-call work keeps its interval open.
    parts.agents(&mut |(_, agent)| {
        let Some(owed) = agent.wrap_up.filter(|owed| owed.queue == queue) else {
            return Ok(());
        };
        let start = config.calendar.interval_start(owed.attributed_at, config.interval);
        match book.position(start, len) {
            Some(i) => {
                let open = in_flight.get_mut(i).ok_or(Inconsistency("interval beyond the ring"))?;
                *open = open.saturating_add(1);
            }
            None => ensure(start < book.horizon, "wrap-up owed in an interval never made")?,
        }
        Ok(())
    })?;
    let balanced = |s: &IntervalStats, waiting: u32| {
        total(&[s.answered, s.abandoned, s.dequeued, s.transferred_out, waiting])
            == u64::from(s.offered)
    };
    for ((slot, open), wait) in book.intervals.iter().zip(in_flight).zip(waiting) {
        ensure(slot.open_calls == open, "interval's calls in flight miscounted")?;
        ensure(balanced(&slot.stats, wait), "interval's calls do not add up to offered")?;
    }
    for ((_, stats), wait) in book.days.iter().zip(waiting_on_day) {
        ensure(balanced(stats, wait), "day's calls do not add up to offered")?;
    }
    Ok(())
}
