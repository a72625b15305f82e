//! Applying events: time order and the reorder tolerance, each event's effect on calls, agents
//! and the books, the clock's moves, and refusals that change nothing.

use super::book::{account, account_all, count_dequeued, day_floor, interval_floor, record};
use super::records::{AgentRecord, CallPhase, CallRecord, WrapUp, queue_bit};
use super::{Attribution, Center, EventError};
use crate::calendar::{LocalDate, MAX_TIMESTAMP, Timestamp};
use crate::csat::{CsatError, CsatLedger, SurveyResponse};
use crate::event::{AgentId, AgentState, CallId, Event, EventKind, QueueId};
use crate::interval::IntervalStats;
use crate::wait::WaitHistory;

/// Slack allowed between an ACD's reported talk + hold time and the time the core saw the call
/// connected, for ACDs that report whole seconds.
const DURATION_SLACK_MS: u64 = 1_000;

impl<const Q: usize, const C: usize, const A: usize, const I: usize, const D: usize>
    Center<Q, C, A, I, D>
{
    /// The newest instant the center has seen, `None` before the first event.
    #[must_use]
    pub const fn now(&self) -> Option<Timestamp> {
        self.clock
    }

    /// Applies one event.
    ///
    /// # Errors
    /// An [`EventError`] saying why the event was refused; a refused event is counted in
    /// [`Diagnostics::rejected`](super::Diagnostics::rejected) and changes nothing else.
    pub fn apply(&mut self, event: &Event) -> Result<(), EventError> {
        let outcome =
            self.check_time(event.at).and_then(|()| self.apply_kind(event.at, event.kind));
        match outcome {
            Ok(()) => self.diagnostics.applied = self.diagnostics.applied.saturating_add(1),
            Err(error) => self.diagnostics.rejected.count(error),
        }
        outcome
    }

    /// Moves the clock forward to `now` without an event (the clock never moves back: an
    /// earlier `now` changes nothing). Use it while the center is quiet so that waits keep
    /// growing and intervals close. Like an event, it may move the clock at most
    /// [`CenterConfig::max_clock_jump_ms`](super::CenterConfig::max_clock_jump_ms) at once: a clock that jumped years ahead would make
    /// every later, correct event too late. Its cost is bounded by the intervals and days kept,
    /// however far it moves.
    ///
    /// # Errors
    /// [`EventError::TimestampOutOfRange`] after year 9999; [`EventError::ClockJump`] beyond the
    /// maximum jump. The center is unchanged then.
    pub fn advance_to(&mut self, now: Timestamp) -> Result<(), EventError> {
        if now > MAX_TIMESTAMP {
            return Err(EventError::TimestampOutOfRange);
        }
        if self.clock.is_some_and(|clock| now > clock.saturating_add(self.config.max_clock_jump_ms))
        {
            return Err(EventError::ClockJump);
        }
        self.advance_clock(now);
        Ok(())
    }

    /// Records a survey response, filed under the local date of the contact it rates.
    ///
    /// # Errors
    /// [`CsatError::ContactInFuture`] when the contact is later than the clock (plus the
    /// reorder tolerance); [`CsatError::TooOld`] when its day is older than the `DAYS` local
    /// days up to today (the ledger could not show it, however empty it is); the ledger's errors
    /// otherwise. Refused responses are counted in [`Diagnostics::surveys_rejected`](super::Diagnostics::surveys_rejected).
    pub fn record_survey(&mut self, response: &SurveyResponse) -> Result<LocalDate, CsatError> {
        let outcome = match self.clock {
            Some(now)
                if response.contact_at > now.saturating_add(self.config.reorder_tolerance_ms) =>
            {
                Err(CsatError::ContactInFuture)
            }
            Some(now) if response.contact_at < day_floor::<D>(&self.config, now) => {
                Err(CsatError::TooOld)
            }
            _ => self.csat.record(response),
        };
        if outcome.is_err() {
            self.diagnostics.surveys_rejected = self.diagnostics.surveys_rejected.saturating_add(1);
        }
        outcome
    }

    /// The CSAT ledger.
    #[must_use]
    pub const fn csat(&self) -> &CsatLedger<D> {
        &self.csat
    }

    /// Counts an event refused before it could be given to [`Center::apply`]: its kind, or a
    /// code in it, is unknown (a C caller's or a log's bytes that name no event). Every event a
    /// caller tried is then counted once, applied or refused.
    pub fn refuse_undecodable_event(&mut self) {
        self.diagnostics.rejected.count(EventError::Undecodable);
    }

    /// Counts a survey response refused before it could be given to
    /// [`Center::record_survey`] (an answer that is neither yes, no nor unanswered).
    pub fn refuse_undecodable_survey(&mut self) {
        self.diagnostics.surveys_rejected = self.diagnostics.surveys_rejected.saturating_add(1);
    }

    // ----- applying events -------------------------------------------------------------------

    pub(super) fn check_time(&self, at: Timestamp) -> Result<(), EventError> {
        if at > MAX_TIMESTAMP {
            return Err(EventError::TimestampOutOfRange);
        }
        if let Some(now) = self.clock {
            if at < now.saturating_sub(self.config.reorder_tolerance_ms) {
                return Err(EventError::TooLate);
            }
            if at > now.saturating_add(self.config.max_clock_jump_ms) {
                return Err(EventError::ClockJump);
            }
        }
        Ok(())
    }

    pub(super) fn apply_kind(&mut self, at: Timestamp, kind: EventKind) -> Result<(), EventError> {
        match kind {
            EventKind::CallEntered { call, queue, priority } => {
                self.call_entered(at, call, queue, priority)
            }
            EventKind::CallAnswered { call, agent } => {
                let mut rec = self.waiting_call(call, at)?;
                self.advance_clock(at);
                let threshold = self.threshold(rec.queue);
                let buckets = self.config.wait_buckets;
                self.leave_queue(&mut rec, at, |s, wait| {
                    s.answered = s.answered.saturating_add(1);
                    if wait <= threshold {
                        s.answered_within_sl = s.answered_within_sl.saturating_add(1);
                    }
                    s.answer_wait_ms = s.answer_wait_ms.saturating_add(wait);
                    s.answered_waits.record(&buckets, wait);
                });
                self.wait_history(rec.queue, |h| h.answered(rec.entered_at, at));
                self.line_moved(rec.queue, at, true);
                self.line_leave(rec.entered_at, call);
                rec.phase = CallPhase::Connected { answered_at: at, agent };
                rec.last_at = at;
                self.store_call(call, rec);
                Ok(())
            }
            EventKind::CallAbandoned { call } => {
                let mut rec = self.waiting_call(call, at)?;
                self.advance_clock(at);
                let threshold = self.threshold(rec.queue);
                let short = self.queue_config_at(rec.queue).short_abandon_ms;
                let buckets = self.config.wait_buckets;
                self.leave_queue(&mut rec, at, |s, wait| {
                    s.abandoned = s.abandoned.saturating_add(1);
                    if wait < short {
                        s.short_abandoned = s.short_abandoned.saturating_add(1);
                    } else if wait <= threshold {
                        s.abandoned_within_sl = s.abandoned_within_sl.saturating_add(1);
                    }
                    s.abandon_wait_ms = s.abandon_wait_ms.saturating_add(wait);
                    s.abandoned_waits.record(&buckets, wait);
                });
                self.wait_history(rec.queue, |h| h.abandoned(rec.entered_at, at));
                self.line_moved(rec.queue, at, false);
                self.line_leave(rec.entered_at, call);
                self.remove_call(call, &rec, at);
                Ok(())
            }
            EventKind::CallDequeued { call, reason } => {
                let mut rec = self.waiting_call(call, at)?;
                self.advance_clock(at);
                self.leave_queue(&mut rec, at, |s, _| count_dequeued(s, reason));
                self.wait_history(rec.queue, |h| h.left(rec.entered_at, at));
                self.line_moved(rec.queue, at, false);
                self.line_leave(rec.entered_at, call);
                self.remove_call(call, &rec, at);
                Ok(())
            }
            EventKind::CallTransferred { call, to } => self.call_transferred(at, call, to),
            EventKind::CallEnded { call, talk_ms, hold_ms } => {
                self.call_ended(at, call, talk_ms, hold_ms)
            }
            EventKind::AfterCallWorkEnded { agent } => {
                let rec = self.agents.get(&agent).filter(|rec| !rec.is_idle());
                let rec = rec.ok_or(EventError::UnknownAgent)?;
                if rec.state != AgentState::AfterCallWork {
                    return Err(EventError::NotInAfterCallWork);
                }
                self.agent_state_changed(at, agent, AgentState::Available)
            }
            EventKind::AgentStateChanged { agent, state } => {
                self.agent_state_changed(at, agent, state)
            }
            EventKind::AgentJoinedQueue { agent, queue } => self.membership(at, agent, queue, true),
            EventKind::AgentLeftQueue { agent, queue } => self.membership(at, agent, queue, false),
        }
    }

    pub(super) fn call_entered(
        &mut self,
        at: Timestamp,
        call: CallId,
        queue: QueueId,
        priority: u8,
    ) -> Result<(), EventError> {
        let q = self.queue_index(queue).ok_or(EventError::UnknownQueue)?;
        match self.calls.get(&call).copied() {
            Some(rec) if at < rec.last_at => return Err(EventError::BeforePreviousEvent),
            Some(rec) if rec.phase != CallPhase::Ended => return Err(EventError::DuplicateCall),
            // An id used again once its call has ended.
            Some(_) => {}
            None if !self.room_for_call(at) => return Err(EventError::TooManyCalls),
            None => {}
        }
        self.advance_clock(at);
        self.enqueue(at, call, q, priority);
        Ok(())
    }

    /// A call starts waiting in queue `q` at `at`: offered there (now, under queue-entry
    /// attribution) and stored. Entering, and being transferred in, are the same here.
    fn enqueue(&mut self, at: Timestamp, call: CallId, q: u8, priority: u8) {
        let mut rec = CallRecord {
            queue: q,
            entered_at: at,
            last_at: at,
            priority,
            attributed_at: None,
            phase: CallPhase::Waiting,
        };
        if self.config.attribution == Attribution::QueueEntry {
            self.attribute(&mut rec, at);
        }
        // A new id, or an ended call's used again: one probe of the map either way. Callers
        // checked the capacity, so this cannot fail.
        let _ = self.calls.insert(call, rec);
        self.line_join(at, call, q);
    }

    pub(super) fn call_transferred(
        &mut self,
        at: Timestamp,
        call: CallId,
        to: Option<QueueId>,
    ) -> Result<(), EventError> {
        let mut rec = self.waiting_call(call, at)?;
        let target = match to {
            Some(id) => Some(self.queue_index(id).ok_or(EventError::UnknownQueue)?),
            None => None,
        };
        if target == Some(rec.queue) {
            return Err(EventError::TransferToSameQueue);
        }
        self.advance_clock(at);
        self.leave_queue(&mut rec, at, |s, _| {
            s.transferred_out = s.transferred_out.saturating_add(1);
        });
        self.wait_history(rec.queue, |h| h.left(rec.entered_at, at));
        self.line_moved(rec.queue, at, false);
        self.line_leave(rec.entered_at, call);
        self.remove_call(call, &rec, at);
        if let Some(q) = target {
            // Offered anew in the target queue; its wait there starts now.
            self.enqueue(at, call, q, rec.priority);
        }
        Ok(())
    }

    pub(super) fn call_ended(
        &mut self,
        at: Timestamp,
        call: CallId,
        talk_ms: Option<u64>,
        hold_ms: u64,
    ) -> Result<(), EventError> {
        let rec = self.call_record(call, at)?;
        let CallPhase::Connected { answered_at, agent } = rec.phase else {
            return Err(EventError::CallNotConnected);
        };
        let since_answer = at.saturating_sub(answered_at);
        let talk_ms = talk_ms.unwrap_or_else(|| since_answer.saturating_sub(hold_ms));
        let connected = since_answer.saturating_add(DURATION_SLACK_MS);
        if talk_ms.saturating_add(hold_ms) > connected {
            return Err(EventError::ImpossibleDuration);
        }
        self.advance_clock(at);
        if let Some(attributed) = rec.attributed_at {
            self.record(rec.queue, attributed, |s| {
                s.handled = s.handled.saturating_add(1);
                s.talk_ms = s.talk_ms.saturating_add(talk_ms);
                s.hold_ms = s.hold_ms.saturating_add(hold_ms);
            });
        }
        self.wait_history(rec.queue, |h| h.ended(at, talk_ms, hold_ms));
        // The agent owes the call's after-call work (settling what it owed before); the call
        // leaves the center, but its interval stays open until the work is counted.
        let owed = rec.attributed_at.map(|attributed_at| WrapUp {
            queue: rec.queue,
            attributed_at,
            since: None,
        });
        let agent = agent.filter(|a| self.agents.get(a).is_some_and(|a| !a.is_idle()));
        let previous = match (agent, owed) {
            (Some(agent), Some(owed)) => {
                self.agents.get_mut(&agent).and_then(|a| a.wrap_up.replace(owed))
            }
            _ => None,
        };
        if let Some(previous) = previous {
            self.settle_wrap_up(previous, at);
        }
        let still_open = agent.is_some() && owed.is_some();
        self.end_call(call, &rec, at, !still_open);
        Ok(())
    }

    pub(super) fn agent_state_changed(
        &mut self,
        at: Timestamp,
        agent: AgentId,
        state: AgentState,
    ) -> Result<(), EventError> {
        let mut slot = self.agent_slot(agent);
        match slot.map(|(_, rec)| rec) {
            Some(rec) if at < rec.last_at => return Err(EventError::BeforePreviousEvent),
            // An idle agent logged out again is as unknown to the figures as before.
            Some(rec) if rec.state == state && !rec.is_idle() => {
                return Err(EventError::AgentAlreadyInState);
            }
            Some(_) => {}
            // Logging out an agent never seen (a feed that starts mid-shift) changes no figure,
            // but the agent is remembered as idle, so that its earlier events stay refused.
            None if !self.room_for_agent(at) => return Err(EventError::TooManyAgents),
            None => {}
        }
        // Read again if advancing the clock changed agents: flushing moves `since`.
        if self.advance_clock(at) {
            slot = self.agent_slot(agent);
        }
        let mut rec = slot.map_or(AgentRecord::new(at), |(_, rec)| rec);
        self.account(&rec, at);
        if let Some(owed) = rec.wrap_up {
            if owed.since.is_none() && state == AgentState::AfterCallWork {
                rec.wrap_up = Some(WrapUp { since: Some(at), ..owed });
            } else {
                self.settle_wrap_up(owed, at);
                rec.wrap_up = None;
            }
        }
        rec.state = state;
        rec.state_since = at;
        rec.since = at;
        rec.last_at = at;
        self.put_agent(slot.map(|(index, _)| index), agent, rec);
        Ok(())
    }

    pub(super) fn membership(
        &mut self,
        at: Timestamp,
        agent: AgentId,
        queue: QueueId,
        join: bool,
    ) -> Result<(), EventError> {
        let q = self.queue_index(queue).ok_or(EventError::UnknownQueue)?;
        let mut slot = self.agent_slot(agent);
        match slot.map(|(_, rec)| rec) {
            Some(rec) if at < rec.last_at => return Err(EventError::BeforePreviousEvent),
            Some(rec) if !join && rec.is_idle() => return Err(EventError::UnknownAgent),
            Some(rec) if join && rec.is_member(q) => return Err(EventError::AlreadyMember),
            Some(rec) if !join && !rec.is_member(q) => return Err(EventError::NotAMember),
            Some(_) => {}
            None if !join => return Err(EventError::UnknownAgent),
            None if !self.room_for_agent(at) => return Err(EventError::TooManyAgents),
            None => {}
        }
        if self.advance_clock(at) {
            slot = self.agent_slot(agent);
        }
        let mut rec = slot.map_or(AgentRecord::new(at), |(_, rec)| rec);
        self.account(&rec, at);
        if join {
            rec.queues |= queue_bit(q);
        } else {
            rec.queues &= !queue_bit(q);
        }
        rec.since = at;
        rec.last_at = at;
        self.put_agent(slot.map(|(index, _)| index), agent, rec);
        Ok(())
    }

    // ----- bookkeeping -----------------------------------------------------------------------

    /// The call in flight named by an event at `at`.
    pub(super) fn call_record(
        &self,
        call: CallId,
        at: Timestamp,
    ) -> Result<CallRecord, EventError> {
        let rec = *self.calls.get(&call).ok_or(EventError::UnknownCall)?;
        if at < rec.last_at {
            return Err(EventError::BeforePreviousEvent);
        }
        if rec.phase == CallPhase::Ended {
            return Err(EventError::UnknownCall);
        }
        Ok(rec)
    }

    pub(super) fn waiting_call(
        &self,
        call: CallId,
        at: Timestamp,
    ) -> Result<CallRecord, EventError> {
        let rec = self.call_record(call, at)?;
        if rec.phase != CallPhase::Waiting {
            return Err(EventError::CallNotWaiting);
        }
        Ok(rec)
    }

    /// Counts the call as offered in the interval of `at`, once.
    pub(super) fn attribute(&mut self, rec: &mut CallRecord, at: Timestamp) {
        if rec.attributed_at.is_some() {
            return;
        }
        rec.attributed_at = Some(at);
        self.record(rec.queue, at, |s| s.offered = s.offered.saturating_add(1));
        self.adjust_open_calls(rec.queue, at, true);
    }

    /// The call leaves its queue at `at`: counted where it is attributed, with its wait.
    pub(super) fn leave_queue(
        &mut self,
        rec: &mut CallRecord,
        at: Timestamp,
        outcome: impl Fn(&mut IntervalStats, u64),
    ) {
        self.attribute(rec, at);
        let wait = at.saturating_sub(rec.entered_at);
        if let Some(attributed) = rec.attributed_at {
            self.record(rec.queue, attributed, |s| {
                outcome(s, wait);
                s.record_wait(wait);
            });
        }
    }

    /// The after-call work owed for a call is over (or never came): count it, and close what
    /// the call kept open.
    pub(super) fn settle_wrap_up(&mut self, owed: WrapUp, at: Timestamp) {
        if let Some(since) = owed.since {
            let acw = at.saturating_sub(since);
            self.record(owed.queue, owed.attributed_at, |s| {
                s.after_call_work_ms = s.after_call_work_ms.saturating_add(acw);
            });
            self.wait_history(owed.queue, |h| h.wrapped_up(at, acw));
        }
        self.adjust_open_calls(owed.queue, owed.attributed_at, false);
    }

    pub(super) fn store_call(&mut self, call: CallId, rec: CallRecord) {
        // Callers checked the capacity or replace an existing entry, so this cannot fail. A
        // call answered or ended is written in place (an insert would move the old record out).
        match self.calls.get_mut(&call) {
            Some(kept) => *kept = rec,
            None => {
                let _ = self.calls.insert(call, rec);
            }
        }
    }

    /// The call leaves the center at `at`; its id is remembered until the reorder tolerance
    /// has passed.
    pub(super) fn remove_call(&mut self, call: CallId, rec: &CallRecord, at: Timestamp) {
        self.end_call(call, rec, at, true);
    }

    /// The call leaves the center at `at`; `close` whether its interval no longer waits for it
    /// (false while its agent owes its after-call work).
    pub(super) fn end_call(&mut self, call: CallId, rec: &CallRecord, at: Timestamp, close: bool) {
        let ended = CallRecord {
            last_at: rec.last_at.max(at),
            attributed_at: None,
            phase: CallPhase::Ended,
            ..*rec
        };
        self.store_call(call, ended);
        if self.ended.is_full() {
            // Every slot is an ended call: the oldest goes first.
            if let Some((oldest, _)) = self.ended.pop_front() {
                self.forget_if_ended(oldest, Timestamp::MAX);
            }
        }
        let _ = self.ended.push_back((call, ended.last_at));
        if let Some(attributed) = rec.attributed_at.filter(|_| close) {
            self.adjust_open_calls(rec.queue, attributed, false);
        }
    }

    /// The oldest instant an event can still have once the clock is at `at` or later: ended
    /// calls and idle agents last seen before it can be forgotten.
    pub(super) fn watermark(&self, at: Timestamp) -> Timestamp {
        let now = self.clock.map_or(at, |clock| clock.max(at));
        now.saturating_sub(self.config.reorder_tolerance_ms)
    }

    /// Whether a new call fits, after forgetting ended calls no event can name any more.
    pub(super) fn room_for_call(&mut self, at: Timestamp) -> bool {
        if self.calls.len() >= C {
            self.forget_ended_calls(at);
        }
        self.calls.len() < C
    }

    /// Forgets, oldest first, the ended calls the reorder tolerance has passed.
    pub(super) fn forget_ended_calls(&mut self, at: Timestamp) {
        let watermark = self.watermark(at);
        while let Some(&(call, last_at)) = self.ended.front() {
            if last_at >= watermark {
                break;
            }
            self.ended.pop_front();
            self.forget_if_ended(call, watermark);
        }
    }

    /// Removes `call` if it is an ended call last seen before `watermark` (its id may have
    /// been used again since it was queued for forgetting).
    pub(super) fn forget_if_ended(&mut self, call: CallId, watermark: Timestamp) {
        let stale = self
            .calls
            .get(&call)
            .is_some_and(|rec| rec.phase == CallPhase::Ended && rec.last_at < watermark);
        if stale {
            self.calls.swap_remove(&call);
        }
    }

    /// Queues every ended call for forgetting, as after a restore.
    #[cfg(feature = "checkpoint")]
    pub(super) fn queue_ended_calls(&mut self) {
        self.ended.clear();
        for (&call, rec) in &self.calls {
            if rec.phase == CallPhase::Ended {
                let _ = self.ended.push_back((call, rec.last_at));
            }
        }
    }

    pub(super) fn store_agent(&mut self, agent: AgentId, rec: AgentRecord) {
        // Callers checked the capacity or replace an existing entry, so this cannot fail. An
        // idle agent stays until the reorder tolerance has passed its last event. Nearly always
        // the agent is known: its record is written in place (an insert would hash, probe and
        // move the old record out).
        match self.agents.get_mut(&agent) {
            Some(kept) => *kept = rec,
            None => {
                let _ = self.agents.insert(agent, rec);
            }
        }
    }

    /// Where agent `agent`'s record is in the map, and the record.
    fn agent_slot(&self, agent: AgentId) -> Option<(usize, AgentRecord)> {
        let index = self.agents.get_index_of(&agent)?;
        self.agents.get_index(index).map(|(_, rec)| (index, *rec))
    }

    /// Writes `rec` where [`Self::agent_slot`] found the agent's record (still there: nothing
    /// removed agents since), or adds it.
    fn put_agent(&mut self, index: Option<usize>, agent: AgentId, rec: AgentRecord) {
        match index.and_then(|index| self.agents.get_index_mut(index)) {
            Some((key, kept)) if *key == agent => *kept = rec,
            _ => self.store_agent(agent, rec),
        }
    }

    /// Whether a new agent fits, after forgetting idle agents no event can name any more.
    pub(super) fn room_for_agent(&mut self, at: Timestamp) -> bool {
        if self.agents.len() >= A {
            self.forget_idle_agents(at);
        }
        self.agents.len() < A
    }

    pub(super) fn forget_idle_agents(&mut self, at: Timestamp) {
        let watermark = self.watermark(at);
        self.agents.retain(|_, rec| !(rec.is_idle() && rec.last_at < watermark));
    }

    /// Moves the clock to `at` if it is later. Its cost is bounded by what is kept, however far
    /// the clock moves: intervals older than the last `INTERVALS` up to the clock's are dropped
    /// (counted in [`Diagnostics::intervals_evicted`](super::Diagnostics::intervals_evicted)) before agents' time is counted, and
    /// agents' time is counted only into the intervals and days still kept.
    ///
    /// `true` when it changed agents' records (their time flushed to an interval boundary, idle
    /// ones forgotten): a record read before is stale then.
    pub(super) fn advance_clock(&mut self, at: Timestamp) -> bool {
        // An event at or before the clock moves nothing: all below depends on the clock alone
        // and ran when the clock got there (ended calls queued since are no older than the
        // watermark, which `check_time` holds every event to). After a restore the clock's
        // interval is unknown until the clock is moved once.
        if self.clock.is_some_and(|clock| at <= clock) && self.period.is_known() {
            return false;
        }
        let now = self.clock.map_or(at, |clock| clock.max(at));
        self.clock = Some(now);
        let watermark = now.saturating_sub(self.config.reorder_tolerance_ms);
        let boundary = self.period.interval_start(&self.config, watermark);
        self.forget_ended_calls(now);
        // Until the clock leaves its interval, the intervals kept do not change.
        if !self.period.holds_interval_of(now) {
            self.period = self.period.of(&self.config, now);
            let floor = self.interval_floor();
            let Self { queues, diagnostics, .. } = self;
            for book in queues.iter_mut() {
                book.counts_from.get_or_insert(boundary);
                let dropped = book.raise_horizon(floor);
                diagnostics.intervals_evicted =
                    diagnostics.intervals_evicted.saturating_add(dropped);
            }
        }
        match self.flushed_to {
            Some(done) if boundary <= done => false,
            Some(_) => {
                self.forget_idle_agents(now);
                let Self { agents, queues, config, period, diagnostics, .. } = self;
                // All agents at once, so the cost does not grow with agents × queues × pieces
                // (a quiet night, a jump).
                account_all(queues, config, period, diagnostics, agents, boundary, now);
                for rec in agents.values_mut().filter(|rec| rec.since < boundary) {
                    rec.since = boundary;
                }
                self.flushed_to = Some(boundary);
                true
            }
            None => {
                self.flushed_to = Some(boundary);
                false
            }
        }
    }

    pub(super) fn interval_floor(&self) -> Timestamp {
        interval_floor::<I>(&self.config, self.clock)
    }

    /// Counts the agent's time in its current state up to `to`.
    pub(super) fn account(&mut self, rec: &AgentRecord, to: Timestamp) {
        let now = self.clock.unwrap_or(to);
        let Self { queues, config, period, diagnostics, .. } = self;
        account(queues, config, period, diagnostics, rec, to, now);
    }

    /// Applies `update` to the interval and the day of `at` in queue `q`.
    pub(super) fn record(&mut self, q: u8, at: Timestamp, update: impl Fn(&mut IntervalStats)) {
        let Self { queues, config, period, diagnostics, .. } = self;
        if let Some(book) = queues.get_mut(usize::from(q)) {
            record(book, config, period, diagnostics, at, update);
        }
    }

    pub(super) fn wait_history(&mut self, q: u8, update: impl FnOnce(&mut WaitHistory)) {
        if let Some(book) = self.queues.get_mut(usize::from(q)) {
            update(&mut book.wait);
        }
    }

    /// A caller still in `q`'s line leaves it at `at`.
    pub(super) fn line_moved(&mut self, q: u8, at: Timestamp, answered: bool) {
        let head = self.head_of_line(q).unwrap_or(at);
        debug_assert_eq!(
            Some(head),
            self.calls
                .values()
                .filter(|c| c.queue == q && c.phase == CallPhase::Waiting)
                .map(|c| c.entered_at)
                .min()
                .or(Some(at)),
            "the line's index and the calls disagree"
        );
        self.wait_history(q, |h| h.line_moved(at, head, answered));
    }

    /// When the call that has waited longest in `q` entered (`None`: nobody waits).
    pub(super) fn head_of_line(&self, q: u8) -> Option<Timestamp> {
        self.line.iter().find(|&&(.., queue)| queue == q).map(|&(entered_at, ..)| entered_at)
    }

    /// `call` starts waiting: into the line, in order of entry (nearly always at its end).
    pub(super) fn line_join(&mut self, entered_at: Timestamp, call: CallId, q: u8) {
        let at = self.line.partition_point(|&(t, id, _)| (t, id) < (entered_at, call));
        // One entry per waiting call, and at most CALLS calls: this cannot fail.
        let _ = self.line.insert(at, (entered_at, call, q));
    }

    /// `call`, which entered at `entered_at`, stops waiting.
    pub(super) fn line_leave(&mut self, entered_at: Timestamp, call: CallId) {
        let at = self.line.partition_point(|&(t, id, _)| (t, id) < (entered_at, call));
        if self.line.get(at).is_some_and(|&(t, id, _)| (t, id) == (entered_at, call)) {
            self.line.remove(at);
        }
    }

    /// Puts every waiting call in the line, as after a restore.
    #[cfg(feature = "checkpoint")]
    pub(super) fn rebuild_line(&mut self) {
        self.line.clear();
        for (&call, rec) in &self.calls {
            if rec.phase == CallPhase::Waiting {
                let _ = self.line.push((rec.entered_at, call, rec.queue));
            }
        }
        self.line.sort_unstable_by_key(|&(entered_at, call, _)| (entered_at, call));
    }

    pub(super) fn adjust_open_calls(&mut self, q: u8, at: Timestamp, open: bool) {
        let Self { queues, config, period, diagnostics, .. } = self;
        let Some(book) = queues.get_mut(usize::from(q)) else {
            return;
        };
        let start = period.interval_start(config, at);
        let len = config.interval.millis();
        let slot = if open {
            book.interval_slot(start, len, diagnostics)
        } else {
            book.interval_mut(start, len)
        };
        if let Some(slot) = slot {
            slot.open_calls = if open {
                slot.open_calls.saturating_add(1)
            } else {
                slot.open_calls.saturating_sub(1)
            };
        }
    }
}
