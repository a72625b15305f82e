//! Erlang A (M/M/N+M): callers wait, and hang up after an exponentially distributed patience.

use super::special::{
    SERIES_EPSILON, digamma_difference, lower_gamma_share_above, lower_series_sum, t_minus_log1p,
};
use super::{
    ErlangError, MAX_AGENTS, b, check_handle_time, check_target_time, check_traffic, uniform,
};

/// The patience may be at most this many handle times long, or this many times shorter: beyond
/// either end the model degenerates (into Erlang C, or into "everyone abandons at once") and the
/// stationary distribution spreads over more states than is worth summing.
const PATIENCE_RATIO_LIMIT: f64 = 1e6;

/// States weighing less than this, relative to the modal state, are left out: they could only
/// matter for a figure below 10⁻²⁸⁰, and walking further would lose the weights to underflow.
const NEGLIGIBLE_WEIGHT: f64 = 1e-290;

/// The closed form ([`closed_form`]) is used while the queue's heaviest state weighs at most about
/// `e` to this (`x·(λ − 1 − ln λ)`, `λ = y/x`) relative to state `N`: its sums stay far from
/// overflowing.
const MOST_QUEUE_EXPONENT: f64 = 600.0;

/// Below this many queue positions, the harmonic prefix of the stage times is summed directly;
/// above it, it comes from the digamma function.
const DIRECT_HARMONIC_LIMIT: f64 = 64.0;

/// The Erlang A model at one number of agents.
///
/// Time is measured in handle times inside (service rate μ = 1); `r = handle / patience` is the
/// abandonment rate θ/μ. The chain's state `j` is the number of callers in the system; its
/// death rate is `min(j, N) + r·max(j − N, 0)`. The stationary distribution is unimodal, so it
/// is summed outward from its mode, in terms relative to the mode (nothing overflows), until
/// what is left cannot change the sums. An arrival that finds `k` callers queued stands at
/// position `p = k + 1`; by the memorylessness of service and patience it is answered with
/// probability `N / (N + p·r)`, after an expected `Σ_{i=1}^{p} 1/(N + i·r)` handle times if so.
///
/// ```
/// use callboard_core::erlang::ErlangA;
/// // 100 erlangs offered to 95 agents: Erlang C has no answer, Erlang A does.
/// let storm = ErlangA::new(100.0, 95, 180.0, 120.0)?;
/// assert!(storm.p_abandon() > 0.05 && storm.p_abandon() < 0.15);
/// assert!(storm.service_level(20.0)? < storm.p_answered());
/// # Ok::<(), callboard_core::erlang::ErlangError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ErlangA {
    traffic: f64,
    agents: u32,
    handle_seconds: f64,
    patience_seconds: f64,
    p_wait: f64,
    p_abandon: f64,
    p_answered_at_once: f64,
    p_answered: f64,
    p_answered_after_waiting: f64,
    /// `E[wait · 1{answered}]`, in handle times; `None` where Temme's expansion gives the
    /// model, which gives it too, but at a cost a search need not pay ([`ErlangA::asa_seconds`]).
    answered_wait: Option<f64>,
    /// The chain's total weight relative to state `N`, for `answered_wait` when it is `None`.
    total: f64,
    /// `Σₙ yⁿ / ((x + 2)…(x + 1 + n))` (`x = Nμ/θ`, `y = λ/θ`), the queue's weights seen from
    /// its first waiting state, where the closed form gave it: the service level's denominator.
    queue_sum: Option<f64>,
}

/// A handle time and a patience the model accepts: both positive and finite, and within
/// [`PATIENCE_RATIO_LIMIT`] of each other.
///
/// # Errors
/// [`ErlangError::InvalidHandleTime`], [`ErlangError::InvalidPatience`].
pub(super) fn check_patience(
    handle_seconds: f64,
    patience_seconds: f64,
) -> Result<(), ErlangError> {
    check_handle_time(handle_seconds)?;
    if !(patience_seconds.is_finite() && patience_seconds > 0.0) {
        return Err(ErlangError::InvalidPatience);
    }
    let rate = handle_seconds / patience_seconds;
    if (1.0 / PATIENCE_RATIO_LIMIT..=PATIENCE_RATIO_LIMIT).contains(&rate) {
        Ok(())
    } else {
        Err(ErlangError::InvalidPatience)
    }
}

/// Running sums over the states of the chain, in units of the modal state's weight.
#[derive(Default)]
struct StateSums {
    total: f64,
    answered_at_once: f64,
    waiting: f64,
    answered_after_waiting: f64,
    abandoning: f64,
    /// See [`ErlangA::answered_wait`].
    answered_wait: Option<f64>,
    /// See [`ErlangA::queue_sum`].
    queue_sum: Option<f64>,
}

impl ErlangA {
    /// The model for `traffic` erlangs offered to `agents` agents, with calls of
    /// `handle_seconds` and callers' mean patience `patience_seconds`. Any load is allowed.
    ///
    /// # Errors
    /// [`ErlangError::InvalidTraffic`], [`ErlangError::InvalidAgents`],
    /// [`ErlangError::InvalidHandleTime`], [`ErlangError::InvalidPatience`] (also when patience
    /// and handle time differ by more than a factor of a million).
    pub fn new(
        traffic: f64,
        agents: u32,
        handle_seconds: f64,
        patience_seconds: f64,
    ) -> Result<Self, ErlangError> {
        check_traffic(traffic)?;
        let servers = f64::from(agents);
        if servers > MAX_AGENTS {
            return Err(ErlangError::InvalidAgents);
        }
        check_patience(handle_seconds, patience_seconds)?;
        let rate = handle_seconds / patience_seconds;
        let sums = if traffic == 0.0 {
            // Only the empty state: an arrival waits (and so abandons) only with no agents.
            let nobody = if agents == 0 { 1.0 } else { 0.0 };
            StateSums {
                total: 1.0,
                answered_at_once: 1.0 - nobody,
                waiting: nobody,
                abandoning: nobody,
                answered_wait: Some(0.0),
                ..StateSums::default()
            }
        } else {
            closed_form(traffic, servers, rate)
                .unwrap_or_else(|| state_sums(traffic, servers, rate))
        };
        Ok(Self::from_sums(traffic, agents, handle_seconds, patience_seconds, &sums))
    }

    /// The figures from the chain's sums.
    fn from_sums(
        traffic: f64,
        agents: u32,
        handle_seconds: f64,
        patience_seconds: f64,
        sums: &StateSums,
    ) -> Self {
        // Each share is a sum of parts of the total; rounding may carry it an ulp past 1.
        let share = |part: f64| (part / sums.total).min(1.0);
        let p_answered_at_once = share(sums.answered_at_once);
        let p_answered_after_waiting = share(sums.answered_after_waiting);
        Self {
            traffic,
            agents,
            handle_seconds,
            patience_seconds,
            p_wait: share(sums.waiting),
            p_abandon: share(sums.abandoning),
            p_answered_at_once,
            // Sums of positive parts, not 1 − P(abandon), which would cancel under overload.
            p_answered: (p_answered_at_once + p_answered_after_waiting).min(1.0),
            p_answered_after_waiting,
            answered_wait: sums.answered_wait.map(|wait| wait / sums.total),
            total: sums.total,
            queue_sum: sums.queue_sum,
        }
    }

    /// Offered traffic, in erlangs.
    #[must_use]
    pub const fn traffic(&self) -> f64 {
        self.traffic
    }

    /// Agents.
    #[must_use]
    pub const fn agents(&self) -> u32 {
        self.agents
    }

    /// The probability that a caller waits at all.
    #[must_use]
    pub const fn p_wait(&self) -> f64 {
        self.p_wait
    }

    /// The probability that a caller abandons.
    #[must_use]
    pub const fn p_abandon(&self) -> f64 {
        self.p_abandon
    }

    /// The probability that a caller is answered (at once or after waiting).
    #[must_use]
    pub const fn p_answered(&self) -> f64 {
        self.p_answered
    }

    /// Average speed of answer: the mean wait of answered calls (those answered at once count
    /// with 0), in seconds. `None` when no call is ever answered (no agents).
    ///
    /// Where Temme's expansion gave the model (about 50 agents' worth of `patience/handle` and
    /// up), this is the expansion's slope, computed here: about as much work again as the model.
    #[must_use]
    pub fn asa_seconds(&self) -> Option<f64> {
        if self.p_answered <= 0.0 {
            return None;
        }
        let answered_wait = self.answered_wait.unwrap_or_else(|| {
            // The slope of the expansion that gave the other figures.
            let rate = self.handle_seconds / self.patience_seconds;
            let (x, y) = (f64::from(self.agents) / rate, self.traffic / rate);
            uniform::lower_sum_and_slope(x, y).map_or_else(
                || {
                    let sums = state_sums(self.traffic, f64::from(self.agents), rate);
                    sums.answered_wait.unwrap_or(0.0) / sums.total
                },
                |(_, slope)| x / y * -slope / rate / self.total,
            )
        });
        Some(answered_wait / self.p_answered * self.handle_seconds)
    }

    /// The mean wait over all callers — answered ones until answered, abandoners until they hang
    /// up — in seconds. By Little's law on the queue it is `P(abandon) · patience`.
    #[must_use]
    pub fn mean_wait_all_seconds(&self) -> f64 {
        self.p_abandon * self.patience_seconds
    }

    /// The agents' occupancy: the traffic actually served, `A · P(answered)`, over the agents.
    /// `None` with no agents.
    #[must_use]
    pub fn occupancy(&self) -> Option<f64> {
        // The traffic carried never exceeds the agents; rounding in an overload could pass 1.
        (self.agents > 0)
            .then(|| (self.traffic * self.p_answered / f64::from(self.agents)).min(1.0))
    }

    /// The probability that a caller is answered within `target_seconds`, over **all** callers:
    /// an abandoner is a failure even if they hung up before the target time.
    ///
    /// Of the callers answered after waiting, the share answered within `T` is
    /// `1 − P(x + 1, y·e^{−θT}) / P(x + 1, y)` with `x = Nμ/θ`, `y = λ/θ` (regularized lower
    /// incomplete gamma; the mixture over queue positions of the Beta law of each position's
    /// virtual wait, in closed form).
    ///
    /// # Errors
    /// [`ErlangError::InvalidTargetTime`].
    pub fn service_level(&self, target_seconds: f64) -> Result<f64, ErlangError> {
        check_target_time(target_seconds)?;
        let answered_at_once = self.p_answered_at_once;
        if self.p_answered_after_waiting == 0.0 || target_seconds == 0.0 {
            return Ok(answered_at_once);
        }
        let rate = self.handle_seconds / self.patience_seconds;
        let x = f64::from(self.agents) / rate;
        let y = self.traffic / rate;
        let decay = target_seconds / self.patience_seconds;
        let z = y * libm::exp(-decay);
        let a = x + 1.0;
        let within = match self.queue_sum {
            // P(a, z)/P(a, y) = (z/y)^a e^{y − z} · Σ(a, z)/Σ(a, y), with (z/y)^a = e^{−a·T/θ}.
            // Up to z = a, P(a, z) is at most about ½, so 1 − the ratio loses digits only where
            // z is close to y (a short target); above, both P are near 1 and
            // `lower_gamma_share_above` takes the difference of the upper tails instead.
            Some(below_y) if z <= a => {
                let below_z = uniform::lower_sum(a, z).unwrap_or_else(|| lower_series_sum(a, z));
                1.0 - libm::exp(y - z - a * decay) * below_z / below_y
            }
            _ => lower_gamma_share_above(a, z, y),
        }
        .clamp(0.0, 1.0);
        // Never above the share answered at all, which rounding could otherwise pass by an ulp.
        Ok((answered_at_once + self.p_answered_after_waiting * within).min(self.p_answered))
    }
}

/// The chain's stationary sums in closed form, relative to the weight of state `N` (every agent
/// busy, no one waiting); `None` with no agents, where the queue's weights pass e⁶⁰⁰ (far
/// overload), or where `1/B` passes 10³⁰⁰ (far underload): [`state_sums`] then walks the states.
///
/// With `x = N/r`, `y = A/r` (`r = θ/μ`), the waiting states weigh `w_m = yᵐ / ((x + 1)…(x + m))`
/// relative to state `N`, and the states below it `(N/A)/B(N − 1, A)` (Erlang B, one line fewer:
/// no `1/B − 1` to cancel under overload). A caller arriving at `N + k` is answered with
/// probability `x/(x + k + 1)`, and `w_k·y/(x + k + 1) = w_{k+1}`, so with `S₁ = Σ_{m≥1} w_m` and
/// `M₁ = Σ_{m≥1} m·w_m`:
///
/// ```text
/// waiting = 1 + S₁,   answered after waiting = (x/y)·S₁,   abandoning = M₁/y,
/// ```
///
/// and `E[wait·1{answered}] = (x/y)·Σ_{m≥1} w_m·hₘ / r` with `hₘ = Σ_{i≤m} 1/(x + i)`. Those are
/// the lower incomplete gamma's series `Σ(x, y) = 1 + S₁` and its slope `∂Σ/∂x = −Σ w_m·hₘ`, which
/// Temme's expansion gives from 50 agents' worth of `x` ([`uniform::lower_sum`]; the slope only
/// when the ASA is asked for, [`ErlangA::asa_seconds`]), with
/// `M₁ = (y − x)·(1 + S₁) + x` (from `Σ_{m≥1} (x + m)·w_m = y·Σ_{m≥0} w_m`): the whole model in a
/// few fixed-time evaluations where the walk took a few hundred states at a few hundred agents.
/// Below that, or outside the expansion's range, the same sums are taken term by term
/// ([`queue_series`]). `S₁` also gives the service level's denominator, `Σ(x + 1, y) =
/// S₁·(x + 1)/y`.
fn closed_form(traffic: f64, servers: f64, rate: f64) -> Option<StateSums> {
    if servers < 1.0 {
        return None;
    }
    let (x, y) = (servers / rate, traffic / rate);
    // x(λ − 1 − ln λ) is at most x(λ − 1)²/2 above the traffic: the logarithm only when that
    // bound does not settle it.
    let over = (y - x).max(0.0);
    if over * over > 2.0 * x * MOST_QUEUE_EXPONENT
        && x * t_minus_log1p(over / x) > MOST_QUEUE_EXPONENT
    {
        return None;
    }
    let below = servers / traffic * b::inverse_blocking(traffic, servers - 1.0);
    if !below.is_finite() {
        return None;
    }
    let (queue, answered_wait) = uniform::lower_sum(x, y).map_or_else(
        || {
            let queue = queue_series(x, y);
            let wait = x / y * queue.harmonic / rate;
            (queue, Some(wait))
        },
        |sum| {
            let queue = QueueSums { beyond: sum - 1.0, moment: (y - x) * sum + x, harmonic: 0.0 };
            (queue, None)
        },
    );
    let per_y = 1.0 / y;
    Some(StateSums {
        total: below + 1.0 + queue.beyond,
        answered_at_once: below,
        waiting: 1.0 + queue.beyond,
        answered_after_waiting: x * per_y * queue.beyond,
        abandoning: queue.moment * per_y,
        answered_wait,
        queue_sum: Some(queue.beyond * (x + 1.0) * per_y),
    })
}

/// The waiting states' sums of [`closed_form`], relative to state `N`.
struct QueueSums {
    /// `S₁ = Σ_{m≥1} w_m`.
    beyond: f64,
    /// `M₁ = Σ_{m≥1} m·w_m`.
    moment: f64,
    /// `Σ_{m≥1} w_m·hₘ`.
    harmonic: f64,
}

/// [`QueueSums`] term by term. The terms rise while `q = y/(x + m)` is above 1, then fall, each
/// at most `q` of the one before, so what is left after term `m` is at most `w_m·q/(1 − q)` of
/// `S₁`, and `m + 1/(1 − q)` times that of `M₁` and of the harmonic sum (whose factor grows by at
/// most `1/(x + m)` a term): the walk stops when that cannot change them.
fn queue_series(x: f64, y: f64) -> QueueSums {
    let mut sums = QueueSums { beyond: 0.0, moment: 0.0, harmonic: 0.0 };
    let mut weight = 1.0;
    let mut stage_times = 0.0;
    let mut m = 1.0;
    loop {
        let per_stage = 1.0 / (x + m);
        let ratio = y * per_stage;
        weight *= ratio;
        sums.beyond += weight;
        sums.moment += m * weight;
        stage_times += per_stage;
        sums.harmonic += weight * stage_times;
        if ratio < 1.0 {
            let left = weight * ratio * (m + 1.0 / (1.0 - ratio));
            if left <= sums.beyond * SERIES_EPSILON * (1.0 - ratio) || weight == 0.0 {
                return sums;
            }
        }
        m += 1.0;
    }
}

/// The chain's stationary sums for `traffic > 0`, relative to the modal state's weight.
fn state_sums(traffic: f64, servers: f64, rate: f64) -> StateSums {
    let death = |state: f64| {
        if state <= servers { state } else { servers + (state - servers) * rate }
    };
    let mode = if traffic < servers {
        libm::floor(traffic)
    } else {
        servers + libm::floor((traffic - servers) / rate)
    };

    // Down from the mode. Below the mode each step multiplies by death(j)/traffic < 1, a ratio
    // that only shrinks further down, so what lies below is bounded by a geometric series. The
    // states with a free agent must be reached and summed to their own precision: in overload
    // they are a tiny tail, and they are the calls answered at once.
    let per_erlang = 1.0 / traffic;
    let mut lowest = mode;
    let mut weight = 1.0;
    let mut free_agent_weight = 0.0;
    // The weights of the states below the mode, `lowest ≤ j < mode`.
    let mut below_mode = 0.0;
    while lowest > 0.0 {
        if lowest < servers {
            free_agent_weight += weight;
        }
        let ratio = death(lowest) * per_erlang;
        let next = weight * ratio;
        let reached = lowest <= servers;
        if next < NEGLIGIBLE_WEIGHT
            || (reached && next <= free_agent_weight * SERIES_EPSILON * (1.0 - ratio))
        {
            break;
        }
        weight = next;
        lowest -= 1.0;
        below_mode += weight;
    }

    // Up from there, accumulating every figure. The waiting states likewise must be reached and
    // summed to their own precision: at light load they are a tiny tail. Below a mode under
    // the agents every state has a free agent, and the way down has summed them already: the
    // way up starts at the mode, a third fewer steps.
    let mut sums = StateSums::default();
    let mut answered_wait = 0.0;
    let mut state = lowest;
    if mode < servers {
        sums.total = below_mode;
        sums.answered_at_once = below_mode;
        state = mode;
        weight = 1.0;
    }
    let mut harmonic =
        if state > servers { stage_time_prefix(servers, rate, state - servers) } else { 0.0 };
    loop {
        sums.total += weight;
        // The next state's death rate: from a waiting state it is this state's stage.
        let ratio = if state < servers {
            sums.answered_at_once += weight;
            traffic / death(state + 1.0)
        } else {
            let position = state - servers + 1.0;
            let stage = servers + position * rate;
            // One division a state, not four: they were the loop's cost (they do not pipeline).
            let per_stage = 1.0 / stage;
            let answered = weight * servers * per_stage;
            harmonic += per_stage;
            sums.waiting += weight;
            sums.answered_after_waiting += answered;
            sums.abandoning += weight * position * rate * per_stage;
            answered_wait += answered * harmonic;
            traffic * per_stage
        };
        let next = weight * ratio;
        if next < NEGLIGIBLE_WEIGHT {
            break;
        }
        if state >= mode && state + 1.0 >= servers && ratio < 1.0 {
            // Every queue figure is a sum of weights times a factor of at most 1 (the harmonic
            // factor grows only logarithmically), so the smallest of them sets the precision.
            let smallest = sums.total.min(sums.waiting).min(sums.abandoning);
            if next <= smallest * SERIES_EPSILON * (1.0 - ratio) {
                break;
            }
        }
        weight = next;
        state += 1.0;
    }
    sums.answered_wait = Some(answered_wait);
    sums
}

/// `Σ_{i=1}^{positions} 1/(N + i·r)`: the expected time, in handle times, to move up from
/// `positions` in the queue to answered, if never abandoning.
fn stage_time_prefix(servers: f64, rate: f64, positions: f64) -> f64 {
    if positions <= DIRECT_HARMONIC_LIMIT {
        let mut sum = 0.0;
        let mut i = 1.0;
        while i <= positions {
            sum += 1.0 / (servers + i * rate);
            i += 1.0;
        }
        sum
    } else {
        // (1/r) Σ 1/(N/r + i) = (ψ(N/r + 1 + p) − ψ(N/r + 1)) / r.
        digamma_difference(servers / rate + 1.0, positions) / rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erlang::ErlangC;

    #[test]
    fn patient_callers_make_it_erlang_c() {
        // Patience a million handle times: Erlang A tends to Erlang C.
        let a = ErlangA::new(8.0, 10, 1.0, 1e6).unwrap();
        let c = ErlangC::new(8.0, 10.0).unwrap();
        assert!((a.p_wait() - c.p_wait()).abs() < 1e-4, "{} vs {}", a.p_wait(), c.p_wait());
        assert!(a.p_abandon() < 1e-5);
        let asa_c = c.asa_seconds(1.0).unwrap();
        assert!((a.asa_seconds().unwrap() - asa_c).abs() / asa_c < 1e-3);
        assert!((a.service_level(0.1).unwrap() - c.service_level(0.1, 1.0).unwrap()).abs() < 1e-4);
    }

    #[test]
    fn equal_rates_are_an_infinite_server_queue() {
        // θ = μ: every caller leaves at rate 1 whether served or waiting, so the number in the
        // system is Poisson(A), P(wait) = P(Poisson ≥ N), and P(abandon) = E[(L − N)⁺] / A.
        let traffic = 7.5;
        let a = ErlangA::new(traffic, 6, 60.0, 60.0).unwrap();
        let mut pmf = libm::exp(-traffic);
        let mut below = 0.0;
        let mut excess = 0.0;
        for j in 0..400 {
            let j = f64::from(j);
            if j < 6.0 {
                below += pmf;
            } else {
                excess += (j - 6.0) * pmf;
            }
            pmf *= traffic / (j + 1.0);
        }
        assert!((a.p_wait() - (1.0 - below)).abs() < 1e-14);
        assert!((a.p_abandon() - excess / traffic).abs() < 1e-14);
        assert!((a.p_answered() + a.p_abandon() - 1.0).abs() < 1e-14);
    }

    #[test]
    fn defined_at_any_load() {
        for (traffic, agents, handle, patience) in [
            (0.0, 0, 300.0, 90.0),
            (0.0, 5, 300.0, 90.0),
            (5.0, 0, 300.0, 90.0),
            (50.0, 10, 300.0, 90.0),
            (1e5, 2, 300.0, 90.0),
            (3.0, 1000, 300.0, 90.0),
            (1e6, 3, 1.0, 1e6),
            (1e6, 10, 100.0, 1.0),
        ] {
            let a = ErlangA::new(traffic, agents, handle, patience).unwrap();
            let occupancy = a.occupancy().unwrap_or(0.0);
            for figure in [
                a.p_wait(),
                a.p_abandon(),
                a.p_answered(),
                a.service_level(30.0).unwrap(),
                occupancy,
            ] {
                assert!((0.0..=1.0).contains(&figure), "{traffic} E, {agents}: {figure}");
            }
            assert!((a.p_answered() + a.p_abandon() - 1.0).abs() < 1e-12);
            assert!(a.mean_wait_all_seconds().is_finite());
        }
        let nobody = ErlangA::new(5.0, 0, 300.0, 90.0).unwrap();
        assert_eq!(
            (nobody.p_abandon(), nobody.asa_seconds(), nobody.occupancy()),
            (1.0, None, None)
        );
        assert_eq!(nobody.service_level(20.0), Ok(0.0));
    }

    #[test]
    fn service_level_runs_from_answered_at_once_to_answered() {
        let a = ErlangA::new(40.0, 41, 240.0, 150.0).unwrap();
        let mut previous = a.service_level(0.0).unwrap();
        assert!((previous - (1.0 - a.p_wait())).abs() < 1e-15);
        for target in [1.0, 5.0, 20.0, 60.0, 300.0, 3600.0, 1e5] {
            let sl = a.service_level(target).unwrap();
            assert!(sl >= previous, "SL({target}) = {sl} below {previous}");
            previous = sl;
        }
        assert!((previous - a.p_answered()).abs() < 1e-12);
    }

    /// The closed forms against the walk over the chain's states: from a third of the agents'
    /// traffic to three times it, one agent to 20,000, patience a tenth of the handle time to ten
    /// times it.
    #[test]
    fn closed_forms_match_the_walk() {
        let mut closed = 0;
        for agents in [1_u32, 2, 5, 12, 40, 93, 250, 865, 3_000, 20_000] {
            for load in [0.3, 0.7, 0.9, 0.97, 1.0, 1.01, 1.04, 1.1, 1.4, 3.0] {
                for (handle, patience) in
                    [(240.0, 180.0), (100.0, 180.0), (300.0, 30.0), (60.0, 600.0)]
                {
                    let servers = f64::from(agents);
                    let traffic = load * servers;
                    let rate = handle / patience;
                    let walk = ErlangA::from_sums(
                        traffic,
                        agents,
                        handle,
                        patience,
                        &state_sums(traffic, servers, rate),
                    );
                    if closed_form(traffic, servers, rate).is_none() {
                        continue;
                    }
                    closed += 1;
                    let model = ErlangA::new(traffic, agents, handle, patience).unwrap();
                    let close = |what: &str, actual: f64, expected: f64| {
                        let error = (actual - expected).abs() / expected.abs().max(1e-280);
                        assert!(
                            error < 1e-12,
                            "{what}: {traffic} E, {agents} agents, {handle}/{patience} s: \
                             {actual:e} vs {expected:e} ({error:e})"
                        );
                    };
                    close("P(wait)", model.p_wait(), walk.p_wait());
                    close("P(abandon)", model.p_abandon(), walk.p_abandon());
                    close("P(answered)", model.p_answered(), walk.p_answered());
                    close("ASA", model.asa_seconds().unwrap(), walk.asa_seconds().unwrap());
                    for target in [5.0, 20.0, 120.0] {
                        let sl = model.service_level(target).unwrap();
                        close("SL", sl, walk.service_level(target).unwrap());
                    }
                }
            }
        }
        assert!(closed >= 300, "only {closed} cases in closed form");
    }

    #[test]
    fn inputs_are_checked() {
        assert_eq!(ErlangA::new(-1.0, 3, 60.0, 60.0), Err(ErlangError::InvalidTraffic));
        assert_eq!(ErlangA::new(1.0, 3, 0.0, 60.0), Err(ErlangError::InvalidHandleTime));
        assert_eq!(ErlangA::new(1.0, 3, 60.0, 0.0), Err(ErlangError::InvalidPatience));
        assert_eq!(ErlangA::new(1.0, 3, 60.0, f64::INFINITY), Err(ErlangError::InvalidPatience));
        assert_eq!(ErlangA::new(1.0, 3, 1e-3, 1e4), Err(ErlangError::InvalidPatience));
        assert_eq!(ErlangA::new(1.0, 2_000_000, 60.0, 60.0), Err(ErlangError::InvalidAgents));
        let a = ErlangA::new(1.0, 3, 60.0, 60.0).unwrap();
        assert_eq!(a.service_level(-5.0), Err(ErlangError::InvalidTargetTime));
    }
}
