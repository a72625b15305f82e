//! Staffing math for C: Erlang B, C and A evaluations and staffing searches.
//!
//! Every function here is pure: it touches no shared state and is safe to call from any number
//! of threads at once.

use callboard_core::erlang::{self, Figures, Model, ServiceGoal, Targets, Workload};

use crate::boundary::{answer_into, borrow, check_out, fill_defined, guard, write_out};
use crate::cb_status;
use crate::status::CB_STATUS_INVALID_ARGUMENT;

/// Erlang B: calls that find every line busy are lost (trunks, ports, overflow routes).
pub const CB_MODEL_ERLANG_B: u32 = 1;
/// Erlang C: callers wait until answered. Defined only while traffic is below the agents.
pub const CB_MODEL_ERLANG_C: u32 = 2;
/// Erlang A: callers wait and abandon after an exponential patience. Defined at any load.
pub const CB_MODEL_ERLANG_A: u32 = 3;

/// `cb_figures.defined`: `p_block` holds a value.
pub const CB_FIGURE_P_BLOCK: u32 = 1 << 0;
/// `cb_figures.defined`: `p_wait` holds a value.
pub const CB_FIGURE_P_WAIT: u32 = 1 << 1;
/// `cb_figures.defined`: `service_level` holds a value.
pub const CB_FIGURE_SERVICE_LEVEL: u32 = 1 << 2;
/// `cb_figures.defined`: `asa_seconds` holds a value.
pub const CB_FIGURE_ASA: u32 = 1 << 3;
/// `cb_figures.defined`: `mean_wait_all_seconds` holds a value.
pub const CB_FIGURE_MEAN_WAIT_ALL: u32 = 1 << 4;
/// `cb_figures.defined`: `p_abandon` holds a value.
pub const CB_FIGURE_P_ABANDON: u32 = 1 << 5;
/// `cb_figures.defined`: `occupancy` holds a value.
pub const CB_FIGURE_OCCUPANCY: u32 = 1 << 6;

/// `cb_targets.given`: `service_level` is a target (answered within the query's target time).
pub const CB_TARGET_SERVICE_LEVEL: u32 = 1 << 0;
/// `cb_targets.given`: `max_asa_seconds` is a target.
pub const CB_TARGET_MAX_ASA: u32 = 1 << 1;
/// `cb_targets.given`: `max_p_wait` is a target.
pub const CB_TARGET_MAX_P_WAIT: u32 = 1 << 2;
/// `cb_targets.given`: `max_p_abandon` is a target (Erlang A).
pub const CB_TARGET_MAX_P_ABANDON: u32 = 1 << 3;
/// `cb_targets.given`: `max_occupancy` is a target.
pub const CB_TARGET_MAX_OCCUPANCY: u32 = 1 << 4;
/// `cb_targets.given`: `max_blocking` is a target (Erlang B).
pub const CB_TARGET_MAX_BLOCKING: u32 = 1 << 5;

/// What to evaluate: the model and the load.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_erlang_query {
    /// `CB_MODEL_ERLANG_B`, `CB_MODEL_ERLANG_C` or `CB_MODEL_ERLANG_A`.
    pub model: u32,
    /// Offered traffic in erlangs: calls per hour × average handle time in hours.
    pub traffic_erlangs: f64,
    /// Average handle time in seconds, or 0 when unknown (then no time-based figure or target;
    /// Erlang A always needs it).
    pub handle_seconds: f64,
    /// Erlang A: callers' average patience in seconds. Ignored by B and C.
    pub patience_seconds: f64,
    /// The service-level target time T in seconds, or a negative number for none.
    pub target_seconds: f64,
}

/// A model's figures at a number of agents. A figure whose bit is not set in `defined` is
/// not defined by the model (or needs the handle time) and holds 0.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_figures {
    /// Offered traffic, erlangs.
    pub traffic_erlangs: f64,
    /// Agents (lines for Erlang B).
    pub agents: f64,
    /// `CB_FIGURE_*` bits of the figures that hold values.
    pub defined: u32,
    /// Erlang B: share of calls lost.
    pub p_block: f64,
    /// Probability of waiting.
    pub p_wait: f64,
    /// Share of all calls answered within the target time (an abandoner is a failure).
    pub service_level: f64,
    /// Average speed of answer of answered calls, seconds.
    pub asa_seconds: f64,
    /// Mean wait over all callers, abandoners included, seconds.
    pub mean_wait_all_seconds: f64,
    /// Erlang A: probability of abandoning.
    pub p_abandon: f64,
    /// Share of the agents' time on calls.
    pub occupancy: f64,
}

/// What a staffing must achieve; only the targets whose `CB_TARGET_*` bit is set in `given`
/// count, and all of them must hold at once.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_targets {
    /// `CB_TARGET_*` bits of the targets given.
    pub given: u32,
    /// Answer at least this share (0 < x < 1) within the query's `target_seconds`.
    pub service_level: f64,
    /// Average speed of answer at most this many seconds.
    pub max_asa_seconds: f64,
    /// Probability of waiting at most this (0 < p ≤ 1).
    pub max_p_wait: f64,
    /// Probability of abandoning at most this (Erlang A).
    pub max_p_abandon: f64,
    /// Occupancy at most this (0 < o ≤ 1).
    pub max_occupancy: f64,
    /// Blocking at most this (Erlang B, 0 < b < 1).
    pub max_blocking: f64,
}

/// The answer of a staffing search.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_staffing {
    /// The fewest agents on the phones meeting every target.
    pub agents: u32,
    /// Agents to schedule after shrinkage: ceil(agents / (1 − shrinkage)).
    pub scheduled_agents: u32,
    /// Whether `agents_fractional` holds a value (Erlang B and C).
    pub has_fractional: bool,
    /// The fractional requirement: where the continuous model meets the targets exactly.
    pub agents_fractional: f64,
    /// The model's figures at `agents`.
    pub figures: cb_figures,
}

fn model_of(query: &cb_erlang_query) -> Result<Model, cb_status> {
    match query.model {
        CB_MODEL_ERLANG_B => Ok(Model::ErlangB),
        CB_MODEL_ERLANG_C => Ok(Model::ErlangC),
        CB_MODEL_ERLANG_A => Ok(Model::ErlangA { patience_seconds: query.patience_seconds }),
        _ => Err(CB_STATUS_INVALID_ARGUMENT),
    }
}

fn workload_of(query: &cb_erlang_query) -> Result<Workload, cb_status> {
    let workload = Workload::from_traffic(query.traffic_erlangs)?;
    if query.handle_seconds == 0.0 {
        Ok(workload)
    } else {
        Ok(workload.with_handle_seconds(query.handle_seconds)?)
    }
}

fn target_of(query: &cb_erlang_query) -> Result<Option<f64>, cb_status> {
    if query.target_seconds.is_nan() {
        Err(CB_STATUS_INVALID_ARGUMENT)
    } else if query.target_seconds < 0.0 {
        Ok(None)
    } else {
        Ok(Some(query.target_seconds))
    }
}

impl From<&Figures> for cb_figures {
    fn from(figures: &Figures) -> Self {
        let mut out = Self {
            traffic_erlangs: figures.traffic_erlangs,
            agents: figures.agents,
            ..Self::default()
        };
        out.defined = fill_defined([
            (CB_FIGURE_P_BLOCK, figures.p_block, &mut out.p_block),
            (CB_FIGURE_P_WAIT, figures.p_wait, &mut out.p_wait),
            (CB_FIGURE_SERVICE_LEVEL, figures.service_level, &mut out.service_level),
            (CB_FIGURE_ASA, figures.asa_seconds, &mut out.asa_seconds),
            (
                CB_FIGURE_MEAN_WAIT_ALL,
                figures.mean_wait_all_seconds,
                &mut out.mean_wait_all_seconds,
            ),
            (CB_FIGURE_P_ABANDON, figures.p_abandon, &mut out.p_abandon),
            (CB_FIGURE_OCCUPANCY, figures.occupancy, &mut out.occupancy),
        ]);
        out
    }
}

/// Evaluates a model at `agents` agents (lines for Erlang B; fractional allowed for B and C).
///
/// Returns `CB_STATUS_NULL_ARGUMENT` for a NULL pointer, `CB_STATUS_INVALID_ARGUMENT` for an
/// unknown model or an input out of range (negative traffic, patience ≤ 0 for Erlang A,
/// fractional agents for Erlang A, ...), `CB_STATUS_MODEL_UNDEFINED` for Erlang C at or above
/// saturation, `CB_STATUS_MISSING_INPUT` for Erlang A without a handle time. `*out` is written
/// only on `CB_STATUS_OK`.
///
/// Thread-safety: pure; safe from any thread, concurrently.
///
/// # Safety
/// `query` must be NULL or point to a valid `cb_erlang_query`; `out` must be NULL or point to
/// writable memory for a `cb_figures`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_erlang_evaluate(
    query: *const cb_erlang_query,
    agents: f64,
    out: *mut cb_figures,
) -> cb_status {
    guard(|| {
        // SAFETY: the caller's contract: NULL or a valid query; `out` NULL or writable.
        unsafe {
            let query = borrow(query)?;
            answer_into(out, || {
                let model = model_of(query)?;
                let figures =
                    erlang::evaluate(model, workload_of(query)?, agents, target_of(query)?)?;
                Ok(cb_figures::from(&figures))
            })
        }
    })
}

fn targets_of(targets: &cb_targets, query: &cb_erlang_query) -> Result<Targets, cb_status> {
    let given = |bit: u32, value: f64| (targets.given & bit != 0).then_some(value);
    let known = CB_TARGET_SERVICE_LEVEL
        | CB_TARGET_MAX_ASA
        | CB_TARGET_MAX_P_WAIT
        | CB_TARGET_MAX_P_ABANDON
        | CB_TARGET_MAX_OCCUPANCY
        | CB_TARGET_MAX_BLOCKING;
    if targets.given & !known != 0 {
        return Err(CB_STATUS_INVALID_ARGUMENT);
    }
    let service_level = match given(CB_TARGET_SERVICE_LEVEL, targets.service_level) {
        Some(fraction) => {
            let within = target_of(query)?.ok_or(crate::status::CB_STATUS_MISSING_INPUT)?;
            Some(ServiceGoal::new(fraction, within)?)
        }
        None => None,
    };
    Ok(Targets {
        service_level,
        max_asa_seconds: given(CB_TARGET_MAX_ASA, targets.max_asa_seconds),
        max_p_wait: given(CB_TARGET_MAX_P_WAIT, targets.max_p_wait),
        max_p_abandon: given(CB_TARGET_MAX_P_ABANDON, targets.max_p_abandon),
        max_occupancy: given(CB_TARGET_MAX_OCCUPANCY, targets.max_occupancy),
        max_blocking: given(CB_TARGET_MAX_BLOCKING, targets.max_blocking),
    })
}

/// Finds the fewest agents meeting every target in `targets`, then applies `shrinkage`
/// (0 ≤ shrinkage < 1). The service-level target uses the query's `target_seconds`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (an input or target out of
/// range, a target the model does not define, an unknown `CB_TARGET_*` bit),
/// `CB_STATUS_MISSING_INPUT` (no target; a time-based target without the handle time or target
/// time), `CB_STATUS_UNREACHABLE` (no staffing up to 1,000,000 agents). `*out` is written only on
/// `CB_STATUS_OK`.
///
/// Thread-safety: pure; safe from any thread, concurrently.
///
/// # Safety
/// `query` and `targets` must be NULL or point to valid values; `out` must be NULL or point to
/// writable memory for a `cb_staffing`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_erlang_staff(
    query: *const cb_erlang_query,
    targets: *const cb_targets,
    shrinkage: f64,
    out: *mut cb_staffing,
) -> cb_status {
    guard(|| {
        // SAFETY: the caller's contract: NULL or a valid query and targets; `out` NULL or
        // writable.
        unsafe {
            let query = borrow(query)?;
            let targets = borrow(targets)?;
            answer_into(out, || {
                let targets = targets_of(targets, query)?;
                let model = model_of(query)?;
                let staffing = erlang::staff(model, workload_of(query)?, &targets, shrinkage)?;
                Ok(cb_staffing {
                    agents: staffing.agents,
                    scheduled_agents: staffing.scheduled_agents,
                    has_fractional: staffing.agents_fractional.is_some(),
                    agents_fractional: staffing.agents_fractional.unwrap_or(0.0),
                    figures: cb_figures::from(&staffing.figures),
                })
            })
        }
    })
}

/// Erlang B: the most traffic `lines` lines can be offered with blocking at most `blocking`
/// (0 < blocking < 1), and the traffic they then carry, both in erlangs.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` or `CB_STATUS_INVALID_ARGUMENT`; the out-parameters are
/// written only on `CB_STATUS_OK`.
///
/// Thread-safety: pure; safe from any thread, concurrently.
///
/// # Safety
/// `offered_erlangs` and `carried_erlangs` must be NULL or point to writable `double`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_erlang_b_traffic(
    lines: f64,
    blocking: f64,
    offered_erlangs: *mut f64,
    carried_erlangs: *mut f64,
) -> cb_status {
    guard(|| {
        check_out(offered_erlangs)?;
        check_out(carried_erlangs)?;
        let carried = erlang::traffic_at_blocking(lines, blocking)?;
        // SAFETY: both checked by check_out; writable by the caller's contract.
        unsafe {
            write_out(offered_erlangs, carried.offered_erlangs);
            write_out(carried_erlangs, carried.carried_erlangs);
        }
        Ok(())
    })
}
