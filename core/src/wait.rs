//! Expected wait: "your wait is about 4 minutes", for a caller already in line and for a caller
//! who would join now (what a reader board shows).
//!
//! # What an estimate is made of
//! Every estimator reads a queue's [`WaitInputs`], which the [`Center`](crate::Center) keeps
//! current from the events it applies ([`Center::wait_inputs`](crate::Center::wait_inputs)):
//!
//! - `n`, the callers waiting now, and the agents: *idle* (available members) and *serving*
//!   (members reserved for, talking on or wrapping up a call). Agents on a break or logged out
//!   serve no one.
//! - The recent handle time 1/μ: talk + hold + after-call work per call, and the recent
//!   abandonment rate θ: abandons per second of waiting, the maximum-likelihood rate of
//!   exponential patience (abandons ÷ total time callers spent waiting, served or not). Both are
//!   sums over the queue's history that decay with a half-life of [`HALF_LIFE_MS`]: an hour ago
//!   weighs a quarter of now, so a surge or a slower afternoon shows within minutes, and the
//!   memory is a handful of numbers whatever the traffic.
//! - The line rate r: how fast the line has recently moved by answers, per second it had callers
//!   in it (decayed the same way). It is measured, not modelled: it needs nothing of the agents'
//!   states, so it stays right where those states are not reported or not believable — agents
//!   never logged out, agents answering several queues, priority callers jumping the line.
//! - The wait of the caller now at the head of the line, and of the last caller to enter
//!   service.
//! - Asterisk's running `holdtime`, updated exactly as Asterisk updates it.
//!
//! # The estimators
//! For a caller with `k` callers ahead (a new caller has `k = n` ahead), with `s` serving agents:
//!
//! | [`WaitEstimator`] | estimate |
//! |---|---|
//! | `LineRate` (the default) | Σ<sub>i=0..k</sub> 1 / (r + iθ), with sμ from the agents until the line has been seen to move |
//! | `QueueLength` | (k + 1) / (sμ): k + 1 service completions at rate sμ (Whitt's queue-length estimator) |
//! | `QueueLengthAbandonment` | Σ<sub>i=0..k</sub> 1 / (sμ + iθ): the line moves when an agent frees up or a caller ahead gives up |
//! | `HeadOfLine` | t<sub>HOL</sub> · (k + 1) / n: the head of the line has waited t<sub>HOL</sub> while n callers queued behind it |
//! | `LastToEnterService` | the wait of the last caller answered, less what this caller has already waited |
//! | `Asterisk` | Asterisk's announcement, reproduced exactly (see [`asterisk_announcement`]) |
//!
//! A new caller who finds an idle agent and no one waiting waits nothing (0) under every
//! estimator but Asterisk's, which knows nothing of agents.
//!
//! Why the default measures r instead of computing sμ: where the agents' states are complete
//! (the simulated days) the two agree and cost the same accuracy within a second of RMSE; on the
//! real bank month, whose log reports no logins, breaks or logouts, the agent-based forms lose
//! to Asterisk's announcement and the measured one beats it. The figures are in BENCHMARKS.md.
//!
//! The queueing estimators are those of W. Whitt, "Predicting queueing delays", Management
//! Science 45(6), 1999, and the delay-history ones follow R. Ibrahim and W. Whitt, "Real-time
//! delay estimation based on delay history", Manufacturing & Service Operations Management
//! 11(3), 2009. Which is best where is measured, not assumed: `callboard ewt-eval` and
//! BENCHMARKS.md.
//!
//! # Unknown is an answer
//! An estimate needs its inputs: [`WaitUnknown`] says which is missing — no serving agents
//! (zero agents is never a division by zero), no handle time yet (the first call of the day
//! has not ended), no one waiting to measure the head of the line, no one answered yet.

use crate::calendar::Timestamp;

/// The half-life of the recent handle time and abandonment rate: 20 minutes.
///
/// Chosen by `callboard ewt-eval` over simulated and real days: shorter follows a surge sooner
/// but makes the abandonment rate noisy; longer lags an afternoon that differs from the morning.
pub const HALF_LIFE_MS: u64 = 20 * 60_000;

/// The evidence [`WaitHistory::line_rate_per_s`] needs: one answer's worth of the decayed count,
/// i.e. one answer now, two 20 minutes ago. Below it the default estimator uses the agents.
pub const MIN_LINE_ANSWERS: f64 = 1.0;

/// Which estimator to use; see the [module](self) docs for the formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WaitEstimator {
    /// Σ 1 / (r + iθ), r the rate the line was measured to move by answers: the default, used
    /// by the reader boards and the C API.
    #[default]
    LineRate,
    /// (k + 1) / (sμ).
    QueueLength,
    /// Σ 1 / (sμ + iθ): the queue-length estimator with callers ahead giving up.
    QueueLengthAbandonment,
    /// The head-of-line caller's wait, scaled to the caller's place.
    HeadOfLine,
    /// The last caller answered waited this long.
    LastToEnterService,
    /// Asterisk's announced hold time.
    Asterisk,
}

impl WaitEstimator {
    /// Every estimator, the default first.
    pub const ALL: [Self; 6] = [
        Self::LineRate,
        Self::QueueLengthAbandonment,
        Self::QueueLength,
        Self::HeadOfLine,
        Self::LastToEnterService,
        Self::Asterisk,
    ];

    /// A short name: `line-rate`, `ql-abandon`, `ql`, `hol`, `les`, `asterisk`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::QueueLength => "ql",
            Self::QueueLengthAbandonment => "ql-abandon",
            Self::HeadOfLine => "hol",
            Self::LastToEnterService => "les",
            Self::Asterisk => "asterisk",
            Self::LineRate => "line-rate",
        }
    }

    /// The estimator called `name` (see [`name`](Self::name)).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The expected wait of `caller` in milliseconds, from now until an agent answers.
    ///
    /// # Errors
    /// [`WaitUnknown`]: what the estimate would need and the queue does not know.
    pub fn estimate(self, inputs: &WaitInputs, caller: Caller) -> Result<u64, WaitUnknown> {
        let (ahead, waited_ms) = match caller {
            Caller::New => {
                if inputs.waiting == 0 && inputs.idle_agents > 0 && self != Self::Asterisk {
                    return Ok(0);
                }
                (inputs.waiting, 0)
            }
            Caller::Waiting { ahead, waited_ms } => (ahead, waited_ms),
        };
        match self {
            Self::LineRate | Self::QueueLength | Self::QueueLengthAbandonment => {
                // Answers per millisecond.
                let service = match (self, inputs.line_rate_per_s) {
                    (Self::LineRate, Some(per_s)) if per_s.is_finite() && per_s > 0.0 => {
                        if inputs.serving_agents == 0 && inputs.idle_agents == 0 {
                            // The line moved before; no one is there to move it now.
                            return Err(WaitUnknown::NoAgents);
                        }
                        per_s / 1000.0
                    }
                    _ => agent_service_rate(inputs)?,
                };
                let theta = match self {
                    Self::QueueLength => 0.0,
                    _ => inputs.abandon_rate_per_s.map_or(0.0, |per_s| per_s / 1000.0),
                };
                let ms = if theta > 0.0 {
                    abandonment_sum(ahead, service, theta)
                } else {
                    (f64::from(ahead) + 1.0) / service
                };
                Ok(millis(ms))
            }
            Self::HeadOfLine => {
                let head = inputs.head_of_line_ms.ok_or(WaitUnknown::NoOneWaiting)?;
                if inputs.waiting == 0 {
                    return Err(WaitUnknown::NoOneWaiting);
                }
                let places = f64::from(ahead) + 1.0;
                Ok(millis(head as f64 * places / f64::from(inputs.waiting)))
            }
            Self::LastToEnterService => {
                let last = inputs.last_entered_service.ok_or(WaitUnknown::NoOneAnswered)?;
                Ok(last.wait_ms.saturating_sub(waited_ms))
            }
            Self::Asterisk => {
                let elapsed_s = i64::try_from(waited_ms / 1000).unwrap_or(i64::MAX);
                let said = asterisk_announcement(inputs.asterisk_holdtime_s, elapsed_s, 0);
                Ok(said.seconds().saturating_mul(1000))
            }
        }
    }
}

/// sμ per millisecond: the serving agents over the recent handle time.
fn agent_service_rate(inputs: &WaitInputs) -> Result<f64, WaitUnknown> {
    let handle_ms = inputs.handle_ms.ok_or(WaitUnknown::NoHandleTime)?;
    if inputs.serving_agents == 0 {
        return Err(WaitUnknown::NoAgents);
    }
    if handle_ms.is_nan() || handle_ms <= 0.0 {
        return Err(WaitUnknown::NoHandleTime);
    }
    Ok(f64::from(inputs.serving_agents) / handle_ms)
}

/// Terms summed one by one in [`abandonment_sum`]; past them the sum is an integral.
const EXACT_TERMS: u32 = 4_096;

/// Σ<sub>i=0..k</sub> 1 / (service + iθ), exactly for the first [`EXACT_TERMS`] terms and by
/// the midpoint integral (1/θ) ln((service + (k + ½)θ) / (service + (m − ½)θ)) for the rest,
/// which differs from the sum by far less than a millisecond there: the work is bounded however
/// long the line.
fn abandonment_sum(k: u32, service: f64, theta: f64) -> f64 {
    let exact_to = k.min(EXACT_TERMS.saturating_sub(1));
    let mut sum: f64 = (0..=exact_to).map(|i| 1.0 / (service + f64::from(i) * theta)).sum();
    if k > exact_to {
        let m = f64::from(exact_to) + 1.0;
        let far = service + (f64::from(k) + 0.5) * theta;
        let near = service + (m - 0.5) * theta;
        sum += libm::log(far / near) / theta;
    }
    sum
}

/// Milliseconds from a non-negative float, rounded, saturating.
fn millis(ms: f64) -> u64 {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else if ms >= u64::MAX as f64 {
        u64::MAX
    } else {
        // In range and non-negative: the cast rounds toward zero after adding a half.
        (ms + 0.5) as u64
    }
}

/// Whose wait is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Caller {
    /// A caller who would join the queue now, behind everyone waiting.
    New,
    /// A caller in line.
    Waiting {
        /// Callers ahead of it (0 at the head of the line).
        ahead: u32,
        /// How long it has waited so far.
        waited_ms: u64,
    },
}

/// Why there is no estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WaitUnknown {
    /// No agent serves the queue: no idle, reserved, talking or wrapping member.
    #[error("no agent is serving the queue")]
    NoAgents,
    /// No call of the queue has ended yet, so there is no handle time.
    #[error("no handle time yet: no call has ended")]
    NoHandleTime,
    /// No one is waiting: there is no head of the line to measure.
    #[error("no one is waiting")]
    NoOneWaiting,
    /// No caller has been answered yet.
    #[error("no caller has been answered yet")]
    NoOneAnswered,
}

/// Gaps between updates up to this long (33 s) take [`decay_factor`]'s short path.
const SHORT_GAP_MS: u64 = 1 << 15;

/// `2^(−since/HALF_LIFE_MS)`: the weight left of what happened `since_ms` ago.
///
/// A queue's sums are decayed at every update, nearly always over a gap of a few seconds or
/// less, and `libm::exp2` (a call, its range checks, a table and a rescaling) was a fifteenth
/// of an event's time through the core. Over a gap up to [`SHORT_GAP_MS`] the weight is
/// `e^{−y}` with `y = since·ln 2 / half-life ≤ 0.019`, whose Taylor polynomial to `y⁷` leaves
/// out less than `y⁸/8! < 10⁻¹⁸`: within rounding of `exp2`, in a few independent
/// multiply-adds (Estrin's scheme). Longer gaps are rare and take `exp2`.
fn decay_factor(since_ms: u64) -> f64 {
    if since_ms > SHORT_GAP_MS {
        return libm::exp2(-(since_ms as f64) / HALF_LIFE_MS as f64);
    }
    let y = since_ms as f64 * (core::f64::consts::LN_2 / HALF_LIFE_MS as f64);
    let y2 = y * y;
    let low = (1.0 - y) + y2 * (1.0 / 2.0 - y * (1.0 / 6.0));
    let high = (1.0 / 24.0 - y * (1.0 / 120.0)) + y2 * (1.0 / 720.0 - y * (1.0 / 5040.0));
    low + (y2 * y2) * high
}

/// What an estimate of a queue's wait is made from, at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WaitInputs {
    /// The instant described.
    pub at: Timestamp,
    /// Callers waiting now.
    pub waiting: u32,
    /// Member agents available and idle.
    pub idle_agents: u32,
    /// Member agents reserved for, talking on or wrapping up a call.
    pub serving_agents: u32,
    /// The recent mean handle time (talk + hold + after-call work) in milliseconds; `None`
    /// before the first call ended.
    pub handle_ms: Option<f64>,
    /// The recent abandonment rate θ per second of waiting; `None` before anyone waited.
    pub abandon_rate_per_s: Option<f64>,
    /// How long the caller at the head of the line has waited; `None` when no one waits.
    pub head_of_line_ms: Option<u64>,
    /// The last caller answered.
    pub last_entered_service: Option<LastEnteredService>,
    /// Asterisk's `holdtime` for the queue, in seconds.
    pub asterisk_holdtime_s: i64,
    /// The recent rate r at which the line moved by answers, per second of time callers were
    /// waiting; `None` until about one answered caller's worth of evidence (see
    /// [`WaitHistory::line_rate_per_s`]).
    pub line_rate_per_s: Option<f64>,
}

/// The last caller to enter service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LastEnteredService {
    /// When it was answered.
    pub at: Timestamp,
    /// How long it had waited.
    pub wait_ms: u64,
}

/// A queue's recent history, as the estimators need it: a few decaying sums, fixed size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WaitHistory {
    /// When the sums were last decayed.
    decayed_at: Option<Timestamp>,
    /// Calls ended (decayed count).
    calls_ended: f64,
    /// Talk + hold of those calls, and after-call work as it ends (decayed milliseconds).
    handle_ms: f64,
    /// Abandons (decayed count).
    abandons: f64,
    /// Time callers spent waiting, whatever became of them (decayed milliseconds).
    waited_ms: f64,
    last_entered_service: Option<LastEnteredService>,
    asterisk_holdtime_s: i64,
    /// When a caller last left the line (answered, gave up or taken out).
    line_moved_at: Option<Timestamp>,
    /// Answers that moved a line which had callers in it (decayed count).
    line_answers: f64,
    /// Time the line had callers in it (decayed milliseconds).
    line_busy_ms: f64,
}

impl WaitHistory {
    /// Whether the sums are what the updates below can produce by `clock`: finite, not
    /// negative, and no instant after the clock. A history read from outside (a checkpoint)
    /// must be checked.
    pub(crate) fn is_sane(&self, clock: Option<Timestamp>) -> bool {
        let sums = [
            self.calls_ended,
            self.handle_ms,
            self.abandons,
            self.waited_ms,
            self.line_answers,
            self.line_busy_ms,
        ];
        let not_after_clock =
            |at: Option<Timestamp>| at.is_none_or(|at| clock.is_some_and(|c| at <= c));
        sums.iter().all(|sum| sum.is_finite() && *sum >= 0.0)
            && not_after_clock(self.decayed_at)
            && not_after_clock(self.line_moved_at)
            && not_after_clock(self.last_entered_service.map(|last| last.at))
    }

    /// Weighs everything so far down to instant `at`.
    fn decay_to(&mut self, at: Timestamp) {
        let since = self.decayed_at.map_or(0, |t| at.saturating_sub(t));
        if since > 0 {
            let factor = decay_factor(since);
            self.calls_ended *= factor;
            self.handle_ms *= factor;
            self.abandons *= factor;
            self.waited_ms *= factor;
            self.line_answers *= factor;
            self.line_busy_ms *= factor;
        }
        // Never moves back: an event reordered within the center's tolerance counts as now.
        self.decayed_at = Some(self.decayed_at.map_or(at, |t| t.max(at)));
    }

    /// A caller who entered at `entered_at` was answered at `at`.
    pub fn answered(&mut self, entered_at: Timestamp, at: Timestamp) {
        self.decay_to(at);
        let wait = at.saturating_sub(entered_at);
        self.waited_ms += wait as f64;
        if self.last_entered_service.is_none_or(|last| at >= last.at) {
            self.last_entered_service = Some(LastEnteredService { at, wait_ms: wait });
        }
        // Asterisk: time(NULL) - qe->start, both whole seconds of the epoch.
        let waited_s = i64::try_from(at / 1000)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(entered_at / 1000).unwrap_or(i64::MAX));
        self.asterisk_holdtime_s = asterisk_holdtime(self.asterisk_holdtime_s, waited_s);
    }

    /// A caller left the line at `at` (answered if `answered`), when the longest-waiting caller
    /// in it had entered at `head_entered_at`.
    ///
    /// Between two callers leaving, no one leaves, so the line had callers in it from the
    /// previous leaving or from the entry of the longest-waiting caller, whichever is later:
    /// summed, that is exactly the time the line was non-empty. An answer counts as the line
    /// moving only if the line had been non-empty before it: a caller answered the instant they
    /// called found an idle agent, which says nothing of how fast the line moves.
    pub fn line_moved(&mut self, at: Timestamp, head_entered_at: Timestamp, answered: bool) {
        self.decay_to(at);
        let since = self.line_moved_at.map_or(head_entered_at, |m| m.max(head_entered_at));
        let busy = at.saturating_sub(since);
        self.line_busy_ms += busy as f64;
        if answered && busy > 0 {
            self.line_answers += 1.0;
        }
        self.line_moved_at = Some(self.line_moved_at.map_or(at, |m| m.max(at)));
    }

    /// A caller who entered at `entered_at` gave up at `at`.
    pub fn abandoned(&mut self, entered_at: Timestamp, at: Timestamp) {
        self.decay_to(at);
        self.abandons += 1.0;
        self.waited_ms += at.saturating_sub(entered_at) as f64;
    }

    /// A caller who entered at `entered_at` left the queue at `at` unanswered and not by
    /// hanging up (dequeued, transferred): time waited without giving up.
    pub fn left(&mut self, entered_at: Timestamp, at: Timestamp) {
        self.decay_to(at);
        self.waited_ms += at.saturating_sub(entered_at) as f64;
    }

    /// A call ended at `at` after `talk_ms` + `hold_ms` with an agent.
    pub fn ended(&mut self, at: Timestamp, talk_ms: u64, hold_ms: u64) {
        self.decay_to(at);
        self.calls_ended += 1.0;
        self.handle_ms += talk_ms.saturating_add(hold_ms) as f64;
    }

    /// After-call work for one of the queue's calls ended at `at` after `acw_ms`.
    pub fn wrapped_up(&mut self, at: Timestamp, acw_ms: u64) {
        self.decay_to(at);
        self.handle_ms += acw_ms as f64;
    }

    /// The recent mean handle time in milliseconds, `None` before any call ended.
    #[must_use]
    pub fn handle_ms(&self) -> Option<f64> {
        (self.calls_ended > 0.0).then(|| self.handle_ms / self.calls_ended)
    }

    /// The recent abandonment rate per second of waiting, `None` before anyone waited.
    #[must_use]
    pub fn abandon_rate_per_s(&self) -> Option<f64> {
        (self.waited_ms > 0.0).then(|| self.abandons * 1000.0 / self.waited_ms)
    }

    /// The recent rate at which the line moved by answers, per second it had callers in it: r,
    /// what sμ would be if the agents' states were all known. `None` until the decayed count of
    /// such answers reaches [`MIN_LINE_ANSWERS`].
    #[must_use]
    pub fn line_rate_per_s(&self) -> Option<f64> {
        (self.line_busy_ms > 0.0 && self.line_answers >= MIN_LINE_ANSWERS)
            .then(|| self.line_answers * 1000.0 / self.line_busy_ms)
    }

    /// The last caller answered.
    #[must_use]
    pub const fn last_entered_service(&self) -> Option<LastEnteredService> {
        self.last_entered_service
    }

    /// Asterisk's `holdtime` in seconds.
    #[must_use]
    pub const fn asterisk_holdtime_s(&self) -> i64 {
        self.asterisk_holdtime_s
    }
}

/// Asterisk's running hold time after a caller who waited `waited_s` seconds is answered:
/// `((old << 2) - old + new) >> 2`, i.e. ¾ of the old value plus ¼ of the new one, in integer
/// arithmetic that rounds down (app_queue.c, `recalc_holdtime`). It starts at 0.
#[must_use]
pub fn asterisk_holdtime(old_s: i64, waited_s: i64) -> i64 {
    // Asterisk keeps an `int`; the shift of a negative value is arithmetic there as here.
    let old = old_s.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
    let new = waited_s.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
    old.saturating_mul(3).saturating_add(new) >> 2
}

/// What Asterisk announces: whole minutes, and seconds rounded down to `rounding_s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AsteriskAnnouncement {
    /// Minutes said.
    pub minutes: i64,
    /// Seconds said (0 unless the queue sets `announce-round-seconds`).
    pub seconds: i64,
}

impl AsteriskAnnouncement {
    /// The announcement as seconds; 0 means Asterisk says no hold time at all.
    #[must_use]
    pub const fn seconds(&self) -> u64 {
        let total = self.minutes.saturating_mul(60).saturating_add(self.seconds);
        if total < 0 { 0 } else { total.unsigned_abs() }
    }
}

/// Asterisk's hold-time announcement for a caller who has waited `elapsed_s` seconds, with the
/// queue's `holdtime` and `announce-round-seconds` (0 = minutes only), exactly as app_queue.c's
/// `say_position` computes it:
///
/// ```text
/// minutes = abs(((holdtime + 30) - elapsed) / 60)          // C division: toward zero
/// seconds = (abs((holdtime + 30) - elapsed) - 60 * minutes) / rounding * rounding
/// ```
///
/// The absolute value is the flaw: once a caller has waited past the average, the estimate grows
/// again — 10 minutes past it, Asterisk announces 10 minutes.
#[must_use]
pub fn asterisk_announcement(
    holdtime_s: i64,
    elapsed_s: i64,
    rounding_s: i64,
) -> AsteriskAnnouncement {
    let left = holdtime_s.saturating_add(30).saturating_sub(elapsed_s);
    // `/` on i64 truncates toward zero, as C's does.
    let minutes = left.checked_div(60).unwrap_or(0).saturating_abs();
    let seconds = if rounding_s > 0 {
        let rest = left.saturating_abs().saturating_sub(minutes.saturating_mul(60));
        rest.checked_div(rounding_s).unwrap_or(0).saturating_mul(rounding_s)
    } else {
        0
    };
    AsteriskAnnouncement { minutes, seconds }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> WaitInputs {
        WaitInputs {
            at: 1_000_000,
            waiting: 4,
            idle_agents: 0,
            serving_agents: 5,
            handle_ms: Some(300_000.0),
            abandon_rate_per_s: Some(0.0),
            head_of_line_ms: Some(120_000),
            last_entered_service: Some(LastEnteredService { at: 990_000, wait_ms: 90_000 }),
            asterisk_holdtime_s: 95,
            line_rate_per_s: None,
        }
    }

    /// The short path agrees with `exp2` to rounding at every gap it takes, and the two paths
    /// meet at the seam.
    #[test]
    fn the_decay_factor_is_exp2_to_rounding() {
        let exact = |ms: u64| libm::exp2(-(ms as f64) / HALF_LIFE_MS as f64);
        let mut worst: f64 = 0.0;
        for ms in (0..=SHORT_GAP_MS).chain([SHORT_GAP_MS + 1, 3_600_000, 86_400_000]) {
            let (ours, theirs) = (decay_factor(ms), exact(ms));
            worst = worst.max(((ours - theirs) / theirs).abs());
        }
        assert!(worst <= f64::EPSILON, "relative difference {worst:e}");
        assert_eq!(decay_factor(0), 1.0);
    }

    #[test]
    fn queue_length_is_places_over_service_rate() {
        // 5 agents, 5-minute calls: one completion a minute; the 5th place waits 5 minutes.
        let wait = WaitEstimator::QueueLength.estimate(&inputs(), Caller::New);
        assert_eq!(wait, Ok(300_000));
        let head = Caller::Waiting { ahead: 0, waited_ms: 50_000 };
        assert_eq!(WaitEstimator::QueueLength.estimate(&inputs(), head), Ok(60_000));
    }

    #[test]
    fn abandonment_shortens_the_wait_and_without_it_equals_queue_length() {
        let mut i = inputs();
        let plain = WaitEstimator::QueueLength.estimate(&i, Caller::New);
        assert_eq!(WaitEstimator::QueueLengthAbandonment.estimate(&i, Caller::New), plain);
        // θ = 1/120 s: callers give up after 2 minutes on average.
        i.abandon_rate_per_s = Some(1.0 / 120.0);
        let sμ = 5.0 / 300.0; // per second
        let θ = 1.0 / 120.0;
        let expected: f64 = (0..=4).map(|k| 1.0 / (sμ + f64::from(k) * θ)).sum();
        let got = WaitEstimator::QueueLengthAbandonment.estimate(&i, Caller::New).unwrap();
        assert_eq!(got, (expected * 1000.0).round() as u64);
        assert!(got < plain.unwrap());
        // No history of waiting: θ unknown counts as no abandonment.
        i.abandon_rate_per_s = None;
        assert_eq!(WaitEstimator::QueueLengthAbandonment.estimate(&i, Caller::New), plain);
    }

    #[test]
    fn the_line_rate_replaces_the_agents_once_measured() {
        let mut i = inputs();
        i.abandon_rate_per_s = Some(1.0 / 120.0);
        // Not measured yet: the agents' sμ, as the abandonment-aware form.
        let agents = WaitEstimator::QueueLengthAbandonment.estimate(&i, Caller::New);
        assert_eq!(WaitEstimator::LineRate.estimate(&i, Caller::New), agents);
        // The line moves at one answer every 20 s, whatever the agents claim.
        i.line_rate_per_s = Some(1.0 / 20.0);
        let (r, θ) = (1.0 / 20.0, 1.0 / 120.0);
        let expected: f64 = (0..=4).map(|k| 1.0 / (r + f64::from(k) * θ)).sum();
        assert_eq!(
            WaitEstimator::LineRate.estimate(&i, Caller::New),
            Ok((expected * 1000.0).round() as u64)
        );
        let head = Caller::Waiting { ahead: 0, waited_ms: 5_000 };
        assert_eq!(WaitEstimator::LineRate.estimate(&i, head), Ok(20_000));
        // Agents' states do not matter to it, as long as someone is there...
        i.serving_agents = 0;
        i.idle_agents = 3;
        assert_eq!(WaitEstimator::LineRate.estimate(&i, head), Ok(20_000));
        // ...but with every agent gone, no one moves the line.
        i.idle_agents = 0;
        assert_eq!(WaitEstimator::LineRate.estimate(&i, head), Err(WaitUnknown::NoAgents));
        // A rate that is not a rate falls back to the agents (none here).
        i.serving_agents = 5;
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            i.line_rate_per_s = Some(bad);
            assert_eq!(
                WaitEstimator::LineRate.estimate(&i, head),
                WaitEstimator::QueueLengthAbandonment.estimate(&i, head)
            );
        }
    }

    #[test]
    fn the_line_rate_counts_only_the_time_the_line_had_callers() {
        let mut h = WaitHistory::default();
        // Answered the instant they called: an idle agent, not the line moving.
        h.line_moved(10_000, 10_000, true);
        assert_eq!(h.line_rate_per_s(), None);
        // One caller from 20 s, answered at 50 s: 30 s of line, one answer — enough evidence.
        h.line_moved(50_000, 20_000, true);
        let r = h.line_rate_per_s().unwrap();
        assert!((r - 1.0 / 30.0).abs() < 1e-12, "{r}");
        // The line is busy again from 60 s; a caller behind gives up at 70 s (busy since 60 s),
        // the head is answered at 80 s (busy since 70 s): 20 s more, one more answer.
        h.line_moved(70_000, 60_000, false);
        h.line_moved(80_000, 60_000, true);
        let d = |ms: f64| libm::exp2(-ms / HALF_LIFE_MS as f64);
        let answers = d(30_000.0) + 1.0;
        let busy = 30_000.0 * d(30_000.0) + 10_000.0 * d(10_000.0) + 10_000.0;
        let r = h.line_rate_per_s().unwrap();
        assert!((r - answers * 1000.0 / busy).abs() < 1e-12, "{r}");
        // Far later, the evidence decays below one answer: unknown again.
        h.line_moved(80_000 + 4 * HALF_LIFE_MS, 80_000 + 4 * HALF_LIFE_MS, false);
        assert_eq!(h.line_rate_per_s(), None);
    }

    #[test]
    fn a_very_long_line_is_summed_in_bounded_work() {
        let (service, theta) = (5.0 / 300_000.0, 1.0 / 120_000.0);
        let exact = |k: u32| (0..=k).map(|i| 1.0 / (service + f64::from(i) * theta)).sum::<f64>();
        for k in [0, 1, EXACT_TERMS - 1, EXACT_TERMS, EXACT_TERMS + 1, 50_000] {
            let got = abandonment_sum(k, service, theta);
            assert!((got - exact(k)).abs() < 0.5, "k = {k}: {got} vs {}", exact(k));
        }
        let mut i = inputs();
        i.abandon_rate_per_s = Some(1.0 / 120.0);
        let far = Caller::Waiting { ahead: u32::MAX, waited_ms: 0 };
        let got = WaitEstimator::QueueLengthAbandonment.estimate(&i, far).unwrap();
        assert!(got > 0 && got < u64::MAX);
    }

    #[test]
    fn unknown_inputs_are_errors_not_divisions_by_zero() {
        for estimator in [WaitEstimator::QueueLength, WaitEstimator::QueueLengthAbandonment] {
            let mut i = inputs();
            i.serving_agents = 0;
            assert_eq!(estimator.estimate(&i, Caller::New), Err(WaitUnknown::NoAgents));
            let mut i = inputs();
            i.handle_ms = None;
            assert_eq!(estimator.estimate(&i, Caller::New), Err(WaitUnknown::NoHandleTime));
            i.handle_ms = Some(0.0);
            assert_eq!(estimator.estimate(&i, Caller::New), Err(WaitUnknown::NoHandleTime));
            i.handle_ms = Some(f64::NAN);
            assert_eq!(estimator.estimate(&i, Caller::New), Err(WaitUnknown::NoHandleTime));
        }
        let empty = WaitInputs::default();
        for estimator in WaitEstimator::ALL {
            // Nothing known at all: an answer or a reason, never a panic.
            let _ = estimator.estimate(&empty, Caller::New);
            let _ = estimator.estimate(&empty, Caller::Waiting { ahead: u32::MAX, waited_ms: 1 });
        }
        assert_eq!(
            WaitEstimator::HeadOfLine.estimate(&empty, Caller::New),
            Err(WaitUnknown::NoOneWaiting)
        );
        assert_eq!(
            WaitEstimator::LastToEnterService.estimate(&empty, Caller::New),
            Err(WaitUnknown::NoOneAnswered)
        );
        assert_eq!(WaitEstimator::Asterisk.estimate(&empty, Caller::New), Ok(0));
    }

    #[test]
    fn an_idle_agent_means_no_wait_except_for_asterisk() {
        let mut i = inputs();
        i.waiting = 0;
        i.head_of_line_ms = None;
        i.idle_agents = 2;
        for estimator in WaitEstimator::ALL {
            let got = estimator.estimate(&i, Caller::New);
            if estimator == WaitEstimator::Asterisk {
                assert_eq!(got, Ok(120_000), "holdtime 95 s + 30 → 2 minutes");
            } else {
                assert_eq!(got, Ok(0), "{estimator:?}");
            }
        }
    }

    #[test]
    fn head_of_line_scales_to_the_place_in_line() {
        let i = inputs();
        // 4 waiting, the head has waited 2 minutes: 30 s a place; a new caller is 5th.
        assert_eq!(WaitEstimator::HeadOfLine.estimate(&i, Caller::New), Ok(150_000));
        let second = Caller::Waiting { ahead: 1, waited_ms: 10_000 };
        assert_eq!(WaitEstimator::HeadOfLine.estimate(&i, second), Ok(60_000));
    }

    #[test]
    fn last_to_enter_service_less_the_wait_so_far() {
        let i = inputs();
        assert_eq!(WaitEstimator::LastToEnterService.estimate(&i, Caller::New), Ok(90_000));
        let c = Caller::Waiting { ahead: 0, waited_ms: 100_000 };
        assert_eq!(WaitEstimator::LastToEnterService.estimate(&i, c), Ok(0));
    }

    #[test]
    fn asterisk_holdtime_is_the_integer_boxcar_filter() {
        // ((old << 2) - old + new) >> 2, starting from 0.
        assert_eq!(asterisk_holdtime(0, 100), 25);
        assert_eq!(asterisk_holdtime(25, 100), 43); // (75 + 100) / 4 = 43.75 → 43
        assert_eq!(asterisk_holdtime(43, 0), 32); // 129 / 4 = 32.25 → 32
        assert_eq!(asterisk_holdtime(1, 0), 0); // 3 / 4 → 0
        assert_eq!(asterisk_holdtime(3, 2), 2); // 11 / 4 = 2.75 → 2
        let mut h = 0;
        for _ in 0..100 {
            h = asterisk_holdtime(h, 60);
        }
        // Rounding down every time, it settles below the true mean.
        assert_eq!(h, 57);
    }

    #[test]
    fn asterisk_announcement_rounds_and_reflects() {
        // holdtime 95 s: (95 + 30) / 60 = 2 minutes at arrival.
        assert_eq!(
            asterisk_announcement(95, 0, 0),
            AsteriskAnnouncement { minutes: 2, seconds: 0 }
        );
        // 89 s: (119) / 60 = 1 minute: "nearest minute" by adding 30 s.
        assert_eq!(asterisk_announcement(89, 0, 0).seconds(), 60);
        // With announce-round-seconds = 15: 125 s → 2 minutes, 5 s → 0 seconds.
        assert_eq!(
            asterisk_announcement(95, 0, 15),
            AsteriskAnnouncement { minutes: 2, seconds: 0 }
        );
        // 140 s → 2 minutes and 20 s rounded down to 15.
        assert_eq!(
            asterisk_announcement(110, 0, 15),
            AsteriskAnnouncement { minutes: 2, seconds: 15 }
        );
        // After 125 s of waiting the estimate is 0: nothing is said.
        assert_eq!(asterisk_announcement(95, 125, 0).seconds(), 0);
        // Past it, C's division truncates toward zero, then abs(): 10 minutes late → "10 minutes".
        assert_eq!(
            asterisk_announcement(95, 125 + 600, 0),
            AsteriskAnnouncement { minutes: 10, seconds: 0 }
        );
        // -59 s / 60 = 0 in C (not -1): still nothing said.
        assert_eq!(asterisk_announcement(95, 125 + 59, 0).seconds(), 0);
        // With rounding, the seconds come from abs() of the remainder: -130 s → 2 min 10 s.
        assert_eq!(
            asterisk_announcement(95, 255, 5),
            AsteriskAnnouncement { minutes: 2, seconds: 10 }
        );
        // The estimator says the same thing in milliseconds.
        let mut i = inputs();
        i.asterisk_holdtime_s = 95;
        let late = Caller::Waiting { ahead: 0, waited_ms: 725_999 };
        assert_eq!(WaitEstimator::Asterisk.estimate(&i, late), Ok(600_000));
    }

    #[test]
    fn history_decays_with_the_half_life() {
        let mut h = WaitHistory::default();
        assert_eq!(h.handle_ms(), None);
        assert_eq!(h.abandon_rate_per_s(), None);
        h.ended(0, 100_000, 0);
        h.ended(HALF_LIFE_MS, 400_000, 0);
        // Weights ½ and 1: (50 000 + 400 000) / 1.5 = 300 000.
        assert!((h.handle_ms().unwrap() - 300_000.0).abs() < 1e-6);
        h.wrapped_up(HALF_LIFE_MS, 30_000);
        assert!((h.handle_ms().unwrap() - 320_000.0).abs() < 1e-6);
        // Two callers waited 60 s, one gave up: 1 abandon per 120 s.
        h.answered(2 * HALF_LIFE_MS - 60_000, 2 * HALF_LIFE_MS);
        h.abandoned(2 * HALF_LIFE_MS - 60_000, 2 * HALF_LIFE_MS);
        assert!((h.abandon_rate_per_s().unwrap() - 1.0 / 120.0).abs() < 1e-12);
        assert_eq!(
            h.last_entered_service(),
            Some(LastEnteredService { at: 2 * HALF_LIFE_MS, wait_ms: 60_000 })
        );
        // Whole seconds of the epoch, as Asterisk: entered at …40.000, answered at …40.999 → 0.
        assert_eq!(h.asterisk_holdtime_s(), 15);
        let before = h.asterisk_holdtime_s();
        h.answered(5_000_000, 5_000_999);
        assert_eq!(h.asterisk_holdtime_s(), asterisk_holdtime(before, 0));
    }

    #[test]
    fn the_center_keeps_the_inputs_and_ranks_callers_by_priority_then_arrival() {
        use crate::center::ReadError;
        use crate::event::{AgentId, AgentState, CallId, QueueId};
        use crate::{Center, CenterConfig, Event, EventKind, QueueConfig};
        let q = QueueId(1);
        let mut c: Center<2, 16, 4, 8, 2> = Center::new(CenterConfig::default());
        c.add_queue(q, QueueConfig::default()).unwrap();
        // Before anything has happened there is no "now" to estimate for.
        assert_eq!(c.expected_wait(q, WaitEstimator::QueueLength), Err(ReadError::NoClock));
        assert_eq!(c.snapshot(q).map(|s| s.waiting), Err(ReadError::NoClock));
        let t0 = 1_795_420_800_000;
        let ev = |at, kind| Event::new(at, kind);
        let agent = AgentId(1);
        c.apply(&ev(t0, EventKind::AgentJoinedQueue { agent, queue: q })).unwrap();
        c.apply(&ev(t0, EventKind::AgentStateChanged { agent, state: AgentState::OnCall }))
            .unwrap();
        assert_eq!(
            c.expected_wait(q, WaitEstimator::QueueLength),
            Err(ReadError::Unknown(WaitUnknown::NoHandleTime))
        );
        assert_eq!(
            c.expected_wait(QueueId(9), WaitEstimator::QueueLength),
            Err(ReadError::UnknownQueue)
        );
        assert_eq!(c.snapshot(QueueId(9)).map(|s| s.waiting), Err(ReadError::UnknownQueue));
        // A first call: waited 10 s, talked 200 s.
        c.apply(&ev(t0, EventKind::CallEntered { call: CallId(1), queue: q, priority: 0 }))
            .unwrap();
        c.apply(&ev(t0 + 10_000, EventKind::CallAnswered { call: CallId(1), agent: Some(agent) }))
            .unwrap();
        c.apply(&ev(
            t0 + 210_000,
            EventKind::CallEnded { call: CallId(1), talk_ms: Some(200_000), hold_ms: 0 },
        ))
        .unwrap();
        // Three wait: two ordinary, then an urgent one who goes ahead of them.
        for (id, at, priority) in [(2, 1_000, 0), (3, 2_000, 0), (4, 3_000, 5)] {
            let kind = EventKind::CallEntered { call: CallId(id), queue: q, priority };
            c.apply(&ev(t0 + 210_000 + at, kind)).unwrap();
        }
        let inputs = c.wait_inputs(q).unwrap();
        assert_eq!((inputs.waiting, inputs.serving_agents), (3, 1));
        assert_eq!(inputs.handle_ms, Some(200_000.0));
        assert_eq!(c.expected_wait(q, WaitEstimator::QueueLength), Ok(800_000));
        let ql = |id| c.call_expected_wait(CallId(id), WaitEstimator::QueueLength);
        assert_eq!(ql(4), Ok(200_000));
        assert_eq!(ql(2), Ok(400_000));
        assert_eq!(ql(3), Ok(600_000));
        // Call 1 is over (its agent still owes the wrap-up, the call has left); 99 never was.
        assert_eq!(ql(1), Err(ReadError::UnknownCall));
        assert_eq!(ql(99), Err(ReadError::UnknownCall));
        assert_eq!(c.snapshot(q).unwrap().expected_wait_ms, Some(800_000));
        // Call 3 gives up after 60 s: θ = 1 abandon per 60 s + the first call's 10 s of
        // waiting, weighed down by the 262 s since.
        c.apply(&ev(t0 + 272_000, EventKind::CallAbandoned { call: CallId(3) })).unwrap();
        let theta = c.wait_inputs(q).unwrap().abandon_rate_per_s.unwrap();
        let earlier = 10.0 * libm::exp2(-262_000.0 / HALF_LIFE_MS as f64);
        assert!((theta - 1.0 / (60.0 + earlier)).abs() < 1e-12, "{theta}");
        let with = c.expected_wait(q, WaitEstimator::QueueLengthAbandonment).unwrap();
        let without = c.expected_wait(q, WaitEstimator::QueueLength).unwrap();
        assert!(with < without, "{with} < {without}");
        // Not enough of the line seen yet (one answer, 262 s ago): the agents' figure.
        assert_eq!(c.wait_inputs(q).unwrap().line_rate_per_s, None);
        assert_eq!(c.expected_wait(q, WaitEstimator::LineRate), Ok(with));
        // Call 2 (the longest waiting; call 4 went ahead only in rank) is answered at 280 s.
        c.apply(&ev(t0 + 280_000, EventKind::CallAnswered { call: CallId(2), agent: None }))
            .unwrap();
        // The line had callers 10 s before call 1's answer, then from call 2's entry (211 s)
        // on: 61 s to the abandon, 8 s more to this answer. Two answers, weighed down to now.
        let d = |ms: f64| libm::exp2(-ms / HALF_LIFE_MS as f64);
        let answers = d(270_000.0) + 1.0;
        let busy = 10_000.0 * d(270_000.0) + 61_000.0 * d(8_000.0) + 8_000.0;
        let inputs = c.wait_inputs(q).unwrap();
        let r = inputs.line_rate_per_s.unwrap();
        assert!((r - answers * 1000.0 / busy).abs() < 1e-12, "{r}");
        let (r, theta) = (r / 1000.0, inputs.abandon_rate_per_s.unwrap() / 1000.0);
        let expected: f64 = (0..=1).map(|k| 1.0 / (r + f64::from(k) * theta)).sum();
        let got = c.expected_wait(q, WaitEstimator::LineRate).unwrap();
        assert_eq!(got, expected.round() as u64);
        assert_eq!(c.snapshot(q).unwrap().expected_wait_ms, Some(got));
    }

    #[test]
    fn names_round_trip() {
        for e in WaitEstimator::ALL {
            assert_eq!(WaitEstimator::from_name(e.name()), Some(e));
        }
        assert_eq!(WaitEstimator::default(), WaitEstimator::LineRate);
        assert_eq!(WaitEstimator::ALL[0], WaitEstimator::default());
    }
}
