//! Staffing searches: the fewest agents meeting a set of targets, then shrinkage.

use super::ln::ln;
use super::search::{self, crossing, fewest_whole};
use super::special::SERIES_EPSILON;
use super::{
    ErlangA, ErlangC, ErlangError, Figures, MAX_AGENTS, Model, Workload, a, b, check_agents,
    check_target_time,
};

/// A service-level goal: at least `fraction` of calls answered within `within_seconds`
/// (the 80/20 of "80 % within 20 seconds").
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ServiceGoal {
    fraction: f64,
    within_seconds: f64,
}

impl ServiceGoal {
    /// At least `fraction` (0 < fraction < 1) answered within `within_seconds` (≥ 0).
    ///
    /// # Errors
    /// [`ErlangError::InvalidServiceGoal`], [`ErlangError::InvalidTargetTime`].
    pub fn new(fraction: f64, within_seconds: f64) -> Result<Self, ErlangError> {
        if !(fraction.is_finite() && fraction > 0.0 && fraction < 1.0) {
            return Err(ErlangError::InvalidServiceGoal);
        }
        check_target_time(within_seconds)?;
        Ok(Self { fraction, within_seconds })
    }

    /// The share of calls to answer within the target time.
    #[must_use]
    pub const fn fraction(&self) -> f64 {
        self.fraction
    }

    /// The target time, in seconds.
    #[must_use]
    pub const fn within_seconds(&self) -> f64 {
        self.within_seconds
    }
}

/// What a staffing must achieve; every target given must be met at once.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Targets {
    /// Service level at or above a goal (Erlang C and A).
    pub service_level: Option<ServiceGoal>,
    /// Average speed of answer at most this many seconds (Erlang C and A).
    pub max_asa_seconds: Option<f64>,
    /// Probability of waiting at most this (Erlang C and A).
    pub max_p_wait: Option<f64>,
    /// Probability of abandoning at most this (Erlang A).
    pub max_p_abandon: Option<f64>,
    /// Occupancy at most this (every model).
    pub max_occupancy: Option<f64>,
    /// Blocking probability at most this (Erlang B).
    pub max_blocking: Option<f64>,
}

impl Targets {
    fn check(&self, model: &Model, workload: &Workload) -> Result<(), ErlangError> {
        let none_given = self.service_level.is_none()
            && self.max_asa_seconds.is_none()
            && self.max_p_wait.is_none()
            && self.max_p_abandon.is_none()
            && self.max_occupancy.is_none()
            && self.max_blocking.is_none();
        if none_given {
            return Err(ErlangError::NoTarget);
        }
        let not_in_model = match model {
            Model::ErlangB => {
                self.service_level.is_some()
                    || self.max_asa_seconds.is_some()
                    || self.max_p_wait.is_some()
                    || self.max_p_abandon.is_some()
            }
            Model::ErlangC => self.max_p_abandon.is_some() || self.max_blocking.is_some(),
            Model::ErlangA { .. } => self.max_blocking.is_some(),
        };
        if not_in_model {
            return Err(ErlangError::TargetNotInModel);
        }
        let needs_time = self.service_level.is_some() || self.max_asa_seconds.is_some();
        // No calls need no agents, whatever the handle time (forecasts write 0 there).
        if needs_time && workload.handle_seconds().is_none() && workload.traffic() > 0.0 {
            return Err(ErlangError::HandleTimeRequired);
        }
        if let Some(asa) = self.max_asa_seconds {
            if !(asa.is_finite() && asa > 0.0) {
                return Err(ErlangError::InvalidAsaCeiling);
            }
        }
        for ceiling in
            [self.max_p_wait, self.max_p_abandon, self.max_occupancy].into_iter().flatten()
        {
            if !(ceiling.is_finite() && ceiling > 0.0 && ceiling <= 1.0) {
                return Err(ErlangError::InvalidCeiling);
            }
        }
        if let Some(blocking) = self.max_blocking {
            b::check_blocking(blocking)?;
        }
        Ok(())
    }

    /// How far each target is from being missed at `figures`, in the figure's own unit:
    /// ≥ 0 when met, negative when missed (−1 when the figure is undefined there); `None` for a
    /// target not given. Order: service level, ASA, P(wait), P(abandon), occupancy, blocking.
    fn slacks(&self, figures: &Figures) -> [Option<f64>; 6] {
        let room = |ceiling: Option<f64>, figure: Option<f64>| {
            ceiling.map(|ceiling| figure.map_or(-1.0, |figure| ceiling - figure))
        };
        [
            self.service_level.map(|goal| {
                figures.service_level.map_or(-1.0, |achieved| achieved - goal.fraction)
            }),
            room(self.max_asa_seconds, figures.asa_seconds),
            room(self.max_p_wait, figures.p_wait),
            room(self.max_p_abandon, figures.p_abandon),
            room(self.max_occupancy, figures.occupancy),
            room(self.max_blocking, figures.p_block),
        ]
    }

    /// Target `index`'s slack (as in [`Targets::slacks`]) measured on a log scale where that
    /// makes it nearly straight in the number of agents, for the fractional search to
    /// interpolate: the service level as `ln(1 − goal) − ln(1 − SL)` (Erlang C's `1 − SL` is
    /// `P(wait)·e^{−(N − A)T/h}`, log-linear but for `P(wait)`), and a ceiling as
    /// `ln ceiling − ln figure`. The sign is always the plain slack's, so a target is met
    /// exactly where it was. `None` for a target not given.
    fn crossing_slack(&self, index: usize) -> Option<impl Fn(&Figures) -> f64> {
        self.crossing_slack_under(index, self.ln_ceiling(index)?)
    }

    /// [`Targets::crossing_slack`] with the logarithm of the target's ceiling
    /// ([`Targets::ln_ceiling`]) already taken.
    fn crossing_slack_under(
        &self,
        index: usize,
        ln_bound: f64,
    ) -> Option<impl Fn(&Figures) -> f64> {
        // (the ceiling, whether it is the service level's floor, the figure).
        type Figure = fn(&Figures) -> Option<f64>;
        let (bound, floor, figure): (f64, bool, Figure) = match index {
            0 => (self.service_level?.fraction, true, |f| f.service_level),
            1 => (self.max_asa_seconds?, false, |f| f.asa_seconds),
            2 => (self.max_p_wait?, false, |f| f.p_wait),
            3 => (self.max_p_abandon?, false, |f| f.p_abandon),
            4 => (self.max_occupancy?, false, |f| f.occupancy),
            _ => (self.max_blocking?, false, |f| f.p_block),
        };
        Some(move |figures: &Figures| {
            let Some(value) = figure(figures) else { return -1.0 };
            // The plain slack exactly as `slacks` forms it, for the sign.
            let (plain, shaped) = if floor {
                (value - bound, ln_bound - ln(1.0 - value))
            } else {
                (bound - value, ln_bound - ln(value))
            };
            if plain >= 0.0 {
                shaped.max(0.0)
            } else if shaped < 0.0 {
                shaped
            } else {
                // Missed by less than the logarithms resolve: just below 0.
                plain.min(-f64::MIN_POSITIVE)
            }
        })
    }

    /// The logarithm of target `index`'s ceiling on its log-scale figure: of `1 − goal` for the
    /// service level (a floor on it is a ceiling on the share answered late), of the ceiling
    /// itself for the others. `None` for a target not given.
    fn ln_ceiling(&self, index: usize) -> Option<f64> {
        let ceiling = match index {
            0 => 1.0 - self.service_level?.fraction,
            1 => self.max_asa_seconds?,
            2 => self.max_p_wait?,
            3 => self.max_p_abandon?,
            4 => self.max_occupancy?,
            _ => self.max_blocking?,
        };
        Some(ln(ceiling))
    }

    /// Target `index`'s slack under Erlang C as [`Targets::crossing_slack`] shapes it, formed
    /// from the agents and `ln P(wait)` alone: `ln(1 − SL)` is `ln P(wait) − (N − A)T/h`, the ASA's
    /// logarithm `ln P(wait) + ln h − ln(N − A)`, the occupancy's `ln A − ln N`. One logarithm
    /// instead of the figures' exponential and the shaping's logarithm, and no rounding of
    /// `1 − SL` near 1. `None` for a target not given or not in the model, or without the handle
    /// time a time target needs. `ln_bound` is [`Targets::ln_ceiling`].
    fn erlang_c_crossing_slack(
        &self,
        index: usize,
        ln_bound: f64,
        workload: &Workload,
    ) -> Option<impl Fn(f64, f64) -> f64> {
        enum Figure {
            ServiceLevel { per_agent: f64 },
            Asa { ln_handle: f64 },
            PWait,
            Occupancy,
        }
        let traffic = workload.traffic();
        let handle = workload.handle_seconds();
        let figure = match index {
            0 => Figure::ServiceLevel { per_agent: self.service_level?.within_seconds / handle? },
            1 => Figure::Asa { ln_handle: ln(handle?) },
            2 => Figure::PWait,
            4 => Figure::Occupancy,
            _ => return None,
        };
        Some(move |agents: f64, ln_p_wait: f64| {
            ln_bound
                - match figure {
                    Figure::ServiceLevel { per_agent } => {
                        ln_p_wait - (agents - traffic) * per_agent
                    }
                    Figure::Asa { ln_handle } => ln_p_wait + ln_handle - ln(agents - traffic),
                    Figure::PWait => ln_p_wait,
                    Figure::Occupancy => ln(traffic / agents),
                }
        })
    }

    /// Every target given holds: its slack is not negative (for finite figures, `a − b ≥ 0`
    /// exactly when `a ≥ b`, so this is the plain comparison).
    fn met_by(&self, figures: &Figures) -> bool {
        self.slacks(figures).into_iter().flatten().all(|slack| slack >= 0.0)
    }
}

/// The answer of a staffing search.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Staffing {
    /// The fewest agents on the phones that meet every target ("raw" staff).
    pub agents: u32,
    /// Agents to schedule so that, after shrinkage, `agents` are on the phones:
    /// `⌈agents / (1 − shrinkage)⌉`.
    pub scheduled_agents: u32,
    /// The fractional requirement (Erlang B and C): where the continuous model meets the
    /// targets exactly; within one agent below `agents`. `None` for Erlang A.
    pub agents_fractional: Option<f64>,
    /// The model's figures at `agents`.
    pub figures: Figures,
}

/// The model's figures for `workload` at `agents` agents; the service level is evaluated at
/// `target_seconds` when given. Time figures need the workload's handle time, and are `None`
/// without it.
///
/// # Errors
/// [`ErlangError::InvalidAgents`], [`ErlangError::InvalidTargetTime`], and per model:
/// [`ErlangError::Unstable`] (Erlang C at or above saturation); [`ErlangError::FractionalAgents`],
/// [`ErlangError::HandleTimeRequired`] or [`ErlangError::InvalidPatience`] (Erlang A).
pub fn evaluate(
    model: Model,
    workload: Workload,
    agents: f64,
    target_seconds: Option<f64>,
) -> Result<Figures, ErlangError> {
    check_agents(agents)?;
    if let Some(target) = target_seconds {
        check_target_time(target)?;
    }
    let traffic = workload.traffic();
    let handle = workload.handle_seconds();
    let mut figures = Figures::undefined(traffic, agents);
    match model {
        Model::ErlangB => {
            let blocking = b::blocking(traffic, agents)?;
            figures.p_block = Some(blocking);
            figures.occupancy = (agents > 0.0).then(|| traffic * (1.0 - blocking) / agents);
        }
        Model::ErlangC => {
            figures = erlang_c_figures(&ErlangC::new(traffic, agents)?, handle, target_seconds)?;
        }
        Model::ErlangA { patience_seconds } => {
            let a = erlang_a(workload, agents, patience_seconds)?;
            let service_level = target_seconds.map(|target| a.service_level(target)).transpose()?;
            figures = erlang_a_figures(&a, service_level, true);
        }
    }
    Ok(figures)
}

/// The Erlang A model at `agents` (already checked): [`evaluate`]'s first half.
fn erlang_a(
    workload: Workload,
    agents: f64,
    patience_seconds: f64,
) -> Result<ErlangA, ErlangError> {
    if libm::floor(agents) != agents {
        return Err(ErlangError::FractionalAgents);
    }
    let handle = workload.handle_seconds().ok_or(ErlangError::HandleTimeRequired)?;
    // Whole and at most MAX_AGENTS (checked by the caller), so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = agents as u32;
    ErlangA::new(workload.traffic(), whole, handle, patience_seconds)
}

/// The figures of `a`, with its service level within the target time (if one is given) and its
/// ASA only if `asa`: where Temme's expansion gives the model the ASA costs as much again, and
/// a search that does not steer by it need not pay for it at every probe.
fn erlang_a_figures(a: &ErlangA, service_level: Option<f64>, asa: bool) -> Figures {
    let mut figures = Figures::undefined(a.traffic(), f64::from(a.agents()));
    figures.p_wait = Some(a.p_wait());
    figures.p_abandon = Some(a.p_abandon());
    figures.asa_seconds = if asa { a.asa_seconds() } else { None };
    figures.mean_wait_all_seconds = Some(a.mean_wait_all_seconds());
    figures.occupancy = a.occupancy();
    figures.service_level = service_level;
    figures
}

/// Erlang C's figures at `c`, as [`evaluate`] gives them.
fn erlang_c_figures(
    c: &ErlangC,
    handle: Option<f64>,
    target_seconds: Option<f64>,
) -> Result<Figures, ErlangError> {
    let mut figures = Figures::undefined(c.traffic(), c.agents());
    figures.p_wait = Some(c.p_wait());
    figures.occupancy = Some(c.occupancy());
    if let Some(handle) = handle {
        let asa = c.asa_seconds(handle)?;
        figures.asa_seconds = Some(asa);
        figures.mean_wait_all_seconds = Some(asa);
        if let Some(target) = target_seconds {
            figures.service_level = Some(c.service_level(target, handle)?);
        }
    }
    Ok(figures)
}

/// A whole number of agents the Erlang C search looked at: `1/B` there and the figures.
#[derive(Debug, Clone, Copy)]
struct Rung {
    agents: f64,
    inverse: f64,
    figures: Figures,
}

/// The most rungs the Erlang C search walks before it gallops instead.
const WALK: usize = 24;

/// The fewest whole agents meeting `targets` under Erlang C, and the rungs looked at on the way
/// (empty when the walk gave way to the gallop).
///
/// One sum gives `1/B` where the walk starts; from there Erlang B's recursion,
/// `1/B(n + 1) = 1 + ((n + 1)/A)/B(n)` upward and `1/B(n − 1) = (1/B(n) − 1)·A/n` downward, moves
/// one agent in a few operations instead of an `n − A + 9√A`-term sum. Above the traffic
/// `1/B(n) > 1 + n/A > 2`, so a step down loses at most a bit, and the walk is short: it starts
/// at `A + √A/2` (square-root staffing, Halfin and Whitt 1981: the answer is `A + β√A` with `β`
/// near 1 for common goals), so most answers are a few rungs away. A target far from the traffic
/// (a low occupancy ceiling) gallops and bisects with full evaluations after `WALK` rungs.
fn fewest_erlang_c(
    workload: Workload,
    targets: &Targets,
    target_seconds: Option<f64>,
    rungs: &mut heapless::Vec<Rung, { WALK + 1 }>,
) -> Result<u32, ErlangError> {
    let traffic = workload.traffic();
    let lowest = libm::floor(traffic) + 1.0;
    if lowest > MAX_AGENTS {
        return Err(ErlangError::Unreachable);
    }
    let handle = workload.handle_seconds();
    let rung = |agents: f64, inverse: f64| {
        let c = ErlangC::from_inverse_blocking(traffic, agents, inverse);
        let figures = erlang_c_figures(&c, handle, target_seconds)?;
        Ok::<_, ErlangError>(Rung { agents, inverse, figures })
    };
    let met = |rung: &Rung| targets.met_by(&rung.figures);
    let start = libm::floor(traffic + 0.5 * libm::sqrt(traffic)).clamp(lowest, MAX_AGENTS);
    let mut at = rung(start, b::inverse_blocking(traffic, start))?;
    let _ = rungs.push(at);
    let answer = if met(&at) {
        let mut answer = None;
        for _ in 0..WALK {
            if at.agents <= lowest {
                answer = Some(at.agents);
                break;
            }
            if at.inverse.is_infinite() {
                break;
            }
            at = rung(at.agents - 1.0, b::inverse_blocking_down(traffic, at.agents, at.inverse))?;
            let _ = rungs.push(at);
            if !met(&at) {
                answer = Some(at.agents + 1.0);
                break;
            }
        }
        answer
    } else {
        let mut answer = None;
        for _ in 0..WALK {
            if at.agents >= MAX_AGENTS {
                return Err(ErlangError::Unreachable);
            }
            let agents = at.agents + 1.0;
            at = rung(agents, b::inverse_blocking_up(traffic, at.agents, at.inverse))?;
            let _ = rungs.push(at);
            if met(&at) {
                answer = Some(agents);
                break;
            }
        }
        answer
    };
    let Some(answer) = answer else {
        rungs.clear();
        let meets = |agents: f64| match evaluate(Model::ErlangC, workload, agents, target_seconds) {
            Ok(figures) => Ok(targets.met_by(&figures)),
            Err(ErlangError::Unstable) => Ok(false),
            Err(other) => Err(other),
        };
        return fewest_whole(lowest, at.agents, meets);
    };
    // Whole, at least 1 and at most MAX_AGENTS.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(answer as u32)
}

/// How far the Erlang A search's first move may reach from the traffic, in `√A`.
const ERLANG_A_REACH: f64 = 2.0;

/// The rise of the log-shaped service-level slack ([`Targets::crossing_slack`]) an agent, in
/// `1/√A`, that the Erlang A search's first move assumes. The slack is nearly a function of
/// `(N − A)/√A` (the square-root staffing regime), so its slope scales with `1/√A`: on the
/// sample week, between the traffic and the answer, the medians were 1.1, 1.2 and 1.6 at peaks
/// 12, 93 and 865, and 1.3 to 1.4 next to the answer at all three. Only where the first probe
/// goes depends on it, never the answer.
const ERLANG_A_SLOPE: f64 = 1.5;

/// The fewest whole agents meeting `targets` under Erlang A with callers' mean patience
/// `patience_seconds`, and the figures there.
///
/// Each number of agents costs an evaluation of the model (a few fixed-time special functions
/// from 50 agents' worth of patience up), so the search interpolates the targets' log-scale
/// slacks ([`Targets::crossing_slack`], nearly straight in the number of agents) rather than
/// galloping and bisecting: from the traffic, first to where a slack rising
/// [`ERLANG_A_SLOPE`]`/√A` an agent would cross zero (at most `2√A` away), then where the slacks
/// cross zero: on the sample week 2.6, 2.5 and 3.7 evaluations an interval at peaks of 12, 93
/// and 865 agents (2.6, 3.1 and 4.4 from a fixed first step of `√A/2`). The answer is the
/// gallop's (only the slacks' signs decide it).
fn fewest_erlang_a(
    patience_seconds: f64,
    workload: Workload,
    targets: &Targets,
    target_seconds: Option<f64>,
) -> Result<(u32, Figures), ErlangError> {
    let traffic = workload.traffic();
    let mut shaped = heapless::Vec::<_, 6>::new();
    for index in 0..6 {
        if let Some(slack) = targets.crossing_slack(index) {
            let _ = shaped.push(slack);
        }
    }
    // The probes leave out the ASA unless a target needs it; the answer's is added at the end.
    let asa = targets.max_asa_seconds.is_some();
    // What a probe keeps is the model and its service level, not the figures: less to copy.
    let slack = |agents: f64| {
        check_agents(agents)?;
        let a = erlang_a(workload, agents, patience_seconds)?;
        let service_level = target_seconds.map(|target| a.service_level(target)).transpose()?;
        let figures = erlang_a_figures(&a, service_level, asa);
        let least = shaped.iter().map(|slack| slack(&figures)).fold(f64::INFINITY, f64::min);
        Ok((least, (a, service_level)))
    };
    let root = libm::sqrt(traffic);
    let (agents, (a, service_level)) = search::fewest_whole_interpolated(
        0.0,
        libm::ceil(traffic),
        ERLANG_A_REACH * root,
        ERLANG_A_SLOPE / root,
        slack,
    )?;
    Ok((agents, erlang_a_figures(&a, service_level, true)))
}

/// The fewest agents meeting every target in `targets`, and the agents to schedule after
/// `shrinkage` (the share of paid time not on the phones, 0 ≤ shrinkage < 1).
///
/// Every figure improves with more agents, so each model searches outward from the traffic:
/// Erlang B gallops and bisects, Erlang C walks Erlang B's recursion from square-root staffing,
/// Erlang A interpolates its targets' slacks. An interval with no traffic needs no agents; its
/// figures are then undefined (`None`).
///
/// # Errors
/// [`ErlangError::NoTarget`], [`ErlangError::TargetNotInModel`],
/// [`ErlangError::HandleTimeRequired`], [`ErlangError::InvalidShrinkage`], a target out of range
/// ([`ErlangError::InvalidCeiling`], [`ErlangError::InvalidAsaCeiling`],
/// [`ErlangError::InvalidBlocking`]), [`ErlangError::InvalidPatience`], and
/// [`ErlangError::Unreachable`] when no staffing up to [`MAX_AGENTS`](super::MAX_AGENTS) does it.
pub fn staff(
    model: Model,
    workload: Workload,
    targets: &Targets,
    shrinkage: f64,
) -> Result<Staffing, ErlangError> {
    if !(shrinkage.is_finite() && (0.0..1.0).contains(&shrinkage)) {
        return Err(ErlangError::InvalidShrinkage);
    }
    targets.check(&model, &workload)?;
    let traffic = workload.traffic();
    let target_seconds = targets.service_level.map(|goal| goal.within_seconds);
    if let Model::ErlangA { patience_seconds } = model {
        if !(patience_seconds.is_finite() && patience_seconds > 0.0) {
            return Err(ErlangError::InvalidPatience);
        }
        if traffic > 0.0 {
            // Surface a bad patience or a missing handle time now, not as "unreachable".
            let handle = workload.handle_seconds().ok_or(ErlangError::HandleTimeRequired)?;
            a::check_patience(handle, patience_seconds)?;
        }
    }
    if traffic == 0.0 {
        let figures = Figures::undefined(0.0, 0.0);
        let fractional = (!matches!(model, Model::ErlangA { .. })).then_some(0.0);
        return Ok(Staffing {
            agents: 0,
            scheduled_agents: 0,
            agents_fractional: fractional,
            figures,
        });
    }
    let meets = |agents: f64| match evaluate(model, workload, agents, target_seconds) {
        Ok(figures) => Ok(targets.met_by(&figures)),
        Err(ErlangError::Unstable) => Ok(false),
        Err(other) => Err(other),
    };
    let mut rungs = heapless::Vec::new();
    let mut found = None;
    let (agents, below_lowest) = match model {
        // Erlang C needs more agents than traffic; the fractional answer lies above the traffic.
        Model::ErlangC => {
            (fewest_erlang_c(workload, targets, target_seconds, &mut rungs)?, traffic)
        }
        Model::ErlangB => (fewest_whole(0.0, libm::ceil(traffic), meets)?, 0.0),
        Model::ErlangA { patience_seconds } => {
            let (agents, figures) =
                fewest_erlang_a(patience_seconds, workload, targets, target_seconds)?;
            found = Some(figures);
            (agents, 0.0)
        }
    };
    let agents_fractional = match model {
        Model::ErlangB | Model::ErlangC => Some(fractional_requirement(
            model,
            workload,
            targets,
            below_lowest,
            f64::from(agents),
            &rungs,
        )?),
        Model::ErlangA { .. } => None,
    };
    let answer = f64::from(agents);
    let figures = match (found, rungs.iter().find(|rung| rung.agents == answer)) {
        (Some(figures), _) => figures,
        (None, Some(rung)) => rung.figures,
        (None, None) => evaluate(model, workload, answer, target_seconds)?,
    };
    Ok(Staffing {
        agents,
        scheduled_agents: scheduled_agents(agents, shrinkage)?,
        agents_fractional,
        figures,
    })
}

/// `⌈agents / (1 − shrinkage)⌉`, where a quotient within rounding of a whole number is that
/// number (10 agents at 50 % shrinkage are 20 scheduled, not 21).
fn scheduled_agents(agents: u32, shrinkage: f64) -> Result<u32, ErlangError> {
    let exact = f64::from(agents) / (1.0 - shrinkage);
    let nearest = libm::round(exact);
    let scheduled = if (exact - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest
    } else {
        libm::ceil(exact)
    };
    if scheduled > f64::from(u32::MAX) {
        return Err(ErlangError::Unreachable);
    }
    // Whole, non-negative and in range (checked above).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(scheduled as u32)
}

/// The fractional requirement: for each target, where the continuous model meets it exactly,
/// between `whole − 1` (or just above `floor`) and `whole`; the largest of these. `rungs` are
/// whole numbers of agents already evaluated (with `whole − 1` and `whole` among them, or none).
fn fractional_requirement(
    model: Model,
    workload: Workload,
    targets: &Targets,
    floor: f64,
    whole: f64,
    rungs: &[Rung],
) -> Result<f64, ErlangError> {
    if whole <= 0.0 {
        return Ok(0.0);
    }
    let target_seconds = targets.service_level.map(|goal| goal.within_seconds);
    // Erlang C is undefined at its floor (the traffic): start a hair above it.
    let low = if whole - 1.0 > floor { whole - 1.0 } else { floor + (whole - floor) * 1e-9 };
    let figures = |agents: f64| match rungs.iter().find(|rung| rung.agents == agents) {
        Some(rung) => Ok(rung.figures),
        None => evaluate(model, workload, agents, target_seconds),
    };
    let (at_low, at_whole) = (figures(low)?, figures(whole)?);
    let mut requirement = low;
    for index in 0..6 {
        let Some(ln_bound) = targets.ln_ceiling(index) else { continue };
        let Some(shaped) = targets.crossing_slack_under(index, ln_bound) else { continue };
        let (low_slack, whole_slack) = (shaped(&at_low), shaped(&at_whole));
        if low_slack >= 0.0 {
            continue;
        }
        let exact = |agents: f64| {
            evaluate(model, workload, agents, target_seconds).map(|figures| shaped(&figures))
        };
        let fast = match model {
            Model::ErlangC => targets.erlang_c_crossing_slack(index, ln_bound, &workload),
            _ => None,
        };
        let slack = |agents: f64, accuracy: f64| {
            let Some(fast) = &fast else { return exact(agents) };
            // `1/B` to an eighth of the accuracy asked; `ln P(wait)` moves by less than
            // `ln(1/B)` does, so the value is within the accuracy of the exact one, and the two
            // forms differ by a few 10⁻¹⁶ of rounding. A value closer to 0 than that is taken
            // from the figures, so that every sign the search acts on is the figures' sign.
            let epsilon = (0.125 * accuracy).max(SERIES_EPSILON);
            let inverse = b::inverse_blocking_within(workload.traffic(), agents, epsilon);
            let c = ErlangC::from_inverse_blocking(workload.traffic(), agents, inverse);
            let value = fast(agents, ln(c.p_wait()));
            if value.abs() > accuracy + 1e-14 {
                return Ok(value);
            }
            // The figures as `evaluate` computes them: from `c` if it was exact.
            let c = if epsilon > SERIES_EPSILON {
                ErlangC::new(workload.traffic(), agents)?
            } else {
                c
            };
            erlang_c_figures(&c, workload.handle_seconds(), target_seconds)
                .map(|figures| shaped(&figures))
        };
        // The two ends, and the whole agents around them where the model is defined: two above
        // and one below. Erlang B's recursion takes `1/B` from the answer's rung to each in a
        // few operations, where a probe costs a full evaluation, and five points place the
        // first probe a hundred to a thousand times closer than three (see `crossing`).
        let mut points = heapless::Vec::<(f64, f64), 5>::new();
        let _ = points.push((low, low_slack));
        let _ = points.push((whole, whole_slack.max(0.0)));
        let top = rungs.iter().find(|rung| rung.agents == whole);
        if let (Some(fast), Some(top)) = (&fast, top) {
            let traffic = workload.traffic();
            let at = |agents: f64, inverse: f64| {
                let p_wait = ErlangC::from_inverse_blocking(traffic, agents, inverse).p_wait();
                (agents, fast(agents, ln(p_wait)))
            };
            let above = b::inverse_blocking_up(traffic, whole, top.inverse);
            let _ = points.push(at(whole + 1.0, above));
            let _ =
                points.push(at(whole + 2.0, b::inverse_blocking_up(traffic, whole + 1.0, above)));
            if low - 1.0 > traffic {
                let at_low = b::inverse_blocking_down(traffic, whole, top.inverse);
                let _ = points.push(at(low - 1.0, b::inverse_blocking_down(traffic, low, at_low)));
            }
        }
        requirement = requirement.max(crossing(&points, slack)?);
    }
    Ok(requirement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sl(fraction: f64, within: f64) -> Targets {
        Targets {
            service_level: Some(ServiceGoal::new(fraction, within).unwrap()),
            ..Targets::default()
        }
    }

    #[test]
    fn fewest_means_one_fewer_fails() {
        let workload = Workload::from_calls(600.0, 240.0).unwrap();
        let targets = sl(0.8, 20.0);
        for model in [Model::ErlangC, Model::ErlangA { patience_seconds: 90.0 }] {
            let staffing = staff(model, workload, &targets, 0.0).unwrap();
            let at = |agents: u32| {
                evaluate(model, workload, f64::from(agents), Some(20.0))
                    .map(|f| f.service_level.unwrap())
                    .unwrap_or(0.0)
            };
            assert!(at(staffing.agents) >= 0.8);
            assert!(at(staffing.agents - 1) < 0.8, "{model:?}: {}", staffing.agents);
        }
    }

    /// The fractional search's Erlang C slacks, formed from `ln P(wait)`, are the slacks
    /// [`Targets::crossing_slack`] forms from the figures, for every target Erlang C has.
    #[test]
    fn erlang_c_slacks_from_the_probability_of_waiting_are_the_shaped_ones() {
        let workload = Workload::from_calls(600.0, 240.0).unwrap();
        let targets = Targets {
            service_level: Some(ServiceGoal::new(0.8, 20.0).unwrap()),
            max_asa_seconds: Some(15.0),
            max_p_wait: Some(0.3),
            max_occupancy: Some(0.85),
            ..Targets::default()
        };
        for agents in [40.5, 44.0, 47.25, 52.0] {
            let figures = evaluate(Model::ErlangC, workload, agents, Some(20.0)).unwrap();
            let ln_p_wait = libm::log(figures.p_wait.unwrap());
            for index in [0, 1, 2, 4] {
                let shaped = targets.crossing_slack(index).unwrap()(&figures);
                let ln_bound = targets.ln_ceiling(index).unwrap();
                let direct = targets.erlang_c_crossing_slack(index, ln_bound, &workload).unwrap();
                let direct = direct(agents, ln_p_wait);
                assert!((shaped - direct).abs() < 1e-12, "{index} at {agents}: {shaped} {direct}");
            }
        }
        assert!(targets.erlang_c_crossing_slack(3, 0.0, &workload).is_none());
        let untimed = Workload::from_traffic(40.0).unwrap();
        assert!(targets.erlang_c_crossing_slack(0, 0.0, &untimed).is_none());
    }

    /// A load whose Erlang C floor (traffic + 1) is above `MAX_AGENTS` once panicked in
    /// `f64::clamp` ("min > max"): it is unreachable for Erlang C, and every model answers
    /// with a figure or a typed error near the limit.
    #[test]
    fn a_load_above_the_agent_limit_is_unreachable_not_a_panic() {
        for traffic in [999_999.5, super::super::MAX_TRAFFIC] {
            let workload = Workload::from_traffic(traffic).unwrap().with_handle_seconds(180.0);
            let workload = workload.unwrap();
            let erlang_c = staff(Model::ErlangC, workload, &sl(0.8, 20.0), 0.0);
            assert_eq!(erlang_c.map(|s| s.agents), Err(ErlangError::Unreachable), "{traffic}");
            let blocking = Targets { max_blocking: Some(0.01), ..Targets::default() };
            assert!(staff(Model::ErlangB, workload, &blocking, 0.3).is_ok());
            let patient = Model::ErlangA { patience_seconds: 60.0 };
            let _ = staff(patient, workload, &sl(0.8, 20.0), 0.0);
        }
    }

    #[test]
    fn erlang_a_needs_fewer_agents_than_erlang_c() {
        let workload = Workload::from_calls(1800.0, 300.0).unwrap();
        let targets = sl(0.8, 30.0);
        let c = staff(Model::ErlangC, workload, &targets, 0.0).unwrap();
        let a = staff(Model::ErlangA { patience_seconds: 120.0 }, workload, &targets, 0.0).unwrap();
        assert!(a.agents < c.agents, "{} vs {}", a.agents, c.agents);
    }

    #[test]
    fn all_targets_must_hold() {
        let workload = Workload::from_calls(300.0, 300.0).unwrap();
        let only_sl = staff(Model::ErlangC, workload, &sl(0.8, 20.0), 0.0).unwrap();
        let mut both = sl(0.8, 20.0);
        both.max_occupancy = Some(0.75);
        let with_occupancy = staff(Model::ErlangC, workload, &both, 0.0).unwrap();
        // 25 E at ≤ 75 % occupancy needs ⌈33.3⌉ = 34 agents, more than the SL alone needs.
        assert_eq!(with_occupancy.agents, 34.max(only_sl.agents));
        let fractional = with_occupancy.agents_fractional.unwrap();
        assert!((fractional - 25.0 / 0.75).abs() < 1e-8, "{fractional}");
    }

    #[test]
    fn shrinkage_rounds_up_but_not_past_whole_numbers() {
        assert_eq!(scheduled_agents(10, 0.5), Ok(20));
        assert_eq!(scheduled_agents(10, 0.3), Ok(15));
        assert_eq!(scheduled_agents(7, 0.0), Ok(7));
        assert_eq!(scheduled_agents(0, 0.9), Ok(0));
        let workload = Workload::from_traffic(10.0).unwrap();
        let blocking = Targets { max_blocking: Some(0.01), ..Targets::default() };
        assert_eq!(
            staff(Model::ErlangB, workload, &blocking, 1.0),
            Err(ErlangError::InvalidShrinkage)
        );
        assert_eq!(
            staff(Model::ErlangB, workload, &blocking, -0.1),
            Err(ErlangError::InvalidShrinkage)
        );
        assert_eq!(staff(Model::ErlangB, workload, &blocking, 0.25).unwrap().scheduled_agents, 24);
    }

    #[test]
    fn nonsense_is_refused() {
        let traffic_only = Workload::from_traffic(10.0).unwrap();
        let timed = traffic_only.with_handle_seconds(180.0).unwrap();
        let c = Model::ErlangC;
        assert_eq!(staff(c, timed, &Targets::default(), 0.0), Err(ErlangError::NoTarget));
        assert_eq!(
            staff(c, traffic_only, &sl(0.8, 20.0), 0.0),
            Err(ErlangError::HandleTimeRequired)
        );
        let abandon = Targets { max_p_abandon: Some(0.05), ..Targets::default() };
        assert_eq!(staff(c, timed, &abandon, 0.0), Err(ErlangError::TargetNotInModel));
        assert_eq!(
            staff(Model::ErlangB, timed, &sl(0.8, 20.0), 0.0),
            Err(ErlangError::TargetNotInModel)
        );
        let a = Model::ErlangA { patience_seconds: 60.0 };
        assert_eq!(staff(a, traffic_only, &abandon, 0.0), Err(ErlangError::HandleTimeRequired));
        let no_patience = Model::ErlangA { patience_seconds: -1.0 };
        assert_eq!(staff(no_patience, timed, &abandon, 0.0), Err(ErlangError::InvalidPatience));
        let zero_wait = Targets { max_p_wait: Some(0.0), ..Targets::default() };
        assert_eq!(staff(c, timed, &zero_wait, 0.0), Err(ErlangError::InvalidCeiling));
        assert_eq!(ServiceGoal::new(1.0, 20.0), Err(ErlangError::InvalidServiceGoal));
        let tiny_occupancy = Targets { max_occupancy: Some(1e-9), ..Targets::default() };
        assert_eq!(staff(c, timed, &tiny_occupancy, 0.0), Err(ErlangError::Unreachable));
    }

    #[test]
    fn no_calls_need_no_agents() {
        let quiet = Workload::from_calls(0.0, 300.0).unwrap();
        for model in [Model::ErlangB, Model::ErlangC, Model::ErlangA { patience_seconds: 60.0 }] {
            let targets = match model {
                Model::ErlangB => Targets { max_blocking: Some(0.01), ..Targets::default() },
                _ => sl(0.8, 20.0),
            };
            let staffing = staff(model, quiet, &targets, 0.3).unwrap();
            assert_eq!((staffing.agents, staffing.scheduled_agents), (0, 0));
            assert_eq!(staffing.figures.p_wait, None);
        }
        // Closed intervals carry no handle time; that is no reason to fail.
        let closed = Workload::from_traffic(0.0).unwrap();
        let staffing =
            staff(Model::ErlangA { patience_seconds: 60.0 }, closed, &sl(0.8, 20.0), 0.3);
        assert_eq!(staffing.map(|s| s.agents), Ok(0));
    }
}
