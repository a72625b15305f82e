//! # Staffing: Erlang B, C and A
//!
//! A contact center sizes its staff interval by interval from three numbers: how many calls
//! arrive (λ, calls per hour), how long each takes to handle (the average handle time, AHT), and
//! what service it promises. The product of the first two is the **offered traffic** in erlangs,
//! `A = λ · AHT`: the number of agents that would be busy if every call were answered at once.
//! Three classic models turn traffic and a number of agents (or lines) into service figures:
//!
//! - **Erlang B** (M/M/N/N, [`blocking`]): a call that finds every line busy is lost. Used for
//!   trunks, IVR ports and overflow routes: the blocking probability, the fewest lines for a
//!   blocking target ([`fewest_lines`]), the traffic some lines carry at a blocking target
//!   ([`traffic_at_blocking`]).
//! - **Erlang C** (M/M/N, [`ErlangC`]): a call that finds every agent busy waits, forever. The
//!   probability of waiting, the service level within T, the average speed of answer (ASA) and
//!   occupancy. Defined only while traffic is below the number of agents; beyond that the queue
//!   grows without bound and the model has no answer ([`ErlangError::Unstable`]).
//! - **Erlang A** (M/M/N+M, [`ErlangA`]): callers also hang up after an exponentially distributed
//!   patience. The model for a 311 center in a storm: it stays defined at any load, including more
//!   traffic than agents, and it does not over-staff the way Erlang C does when callers abandon.
//!
//! [`staff`] finds the fewest agents that meet any combination of targets, adds shrinkage
//! (breaks, training, absence: scheduled = ⌈raw / (1 − shrinkage)⌉), and for Erlang B and C also
//! the fractional requirement — the continuous extension of the model in the number of agents —
//! which planners sum over many small queues instead of summing rounded-up integers.
//!
//! ## Definitions
//!
//! With `N` agents, offered traffic `A`, handle time `h` and target time `T`:
//! - Erlang B: `B(N, A)`, by the recursion `1/B(N) = 1 + (N/A) / B(N − 1)` summed from the top
//!   (no factorials), and for fractional `N` from `1/B(f, A) = e^A A^{−f} Γ(f + 1, A)`, `0 ≤ f < 1`
//!   (Jagerman 1974). Where that sum is long (hundreds of agents near the traffic),
//!   `1/B(N, A) = e^A A^{−N} Γ(N + 1, A)` by Temme's uniform asymptotic expansion (1979).
//! - Erlang C: `P(wait) = N·B / (N − A + A·B)`; `SL(T) = 1 − P(wait) · e^{−(N − A) T / h}`;
//!   `ASA = P(wait) · h / (N − A)` (over all calls, which are all answered); occupancy `A / N`.
//! - Erlang A, patience `p` (abandonment rate `θ = 1/p`, service rate `μ = 1/h`), computed from
//!   the stationary distribution of the birth–death chain by PASTA: `P(wait)`; `P(abandon)`;
//!   service level = P(answered within T) over **all** arrivals — a caller who abandons counts as
//!   a failure, whenever they hang up; ASA = mean wait of the answered calls (including those
//!   answered at once); the mean wait over all arrivals, abandoners' time to abandon included;
//!   occupancy of the served traffic `A · (1 − P(abandon)) / N`. Formulas: Garnett, Mandelbaum &
//!   Reiman (2002), Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures".
//!
//! ## Range and accuracy
//!
//! Every function works from 1 to 100,000 agents (and up to [`MAX_AGENTS`]) and any traffic
//! where its model is defined, with relative error ≤ 1e-9 against arbitrary-precision
//! references (`core/tests/erlang_reference.rs`, vectors from Python mpmath). Nothing overflows
//! and nothing returns NaN: quantities that would exceed an `f64` are only formed as ratios, and
//! sums are taken outward from their largest term and stopped once the rest cannot matter. The
//! promise holds down to 10⁻²⁸⁰; a figure smaller than that is returned as 0 or as an
//! approximation of its tiny size.
//!
//! ```
//! use callboard_core::erlang::{self, ErlangA, ErlangC, Model, ServiceGoal, Targets, Workload};
//!
//! // 311 at a storm's peak: 1,200 calls an hour, 4-minute calls, 80 % answered within 20 s.
//! let storm = Workload::from_calls(1_200.0, 240.0)?;
//! assert_eq!(storm.traffic(), 80.0);
//!
//! let c = ErlangC::new(storm.traffic(), 86.0)?;
//! assert!((c.service_level(20.0, 240.0)? - 0.755_94).abs() < 1e-5); // 75.6 %: not enough
//!
//! // The same load with 3-minute patience: Erlang A needs fewer agents than Erlang C.
//! let goal = Targets { service_level: Some(ServiceGoal::new(0.8, 20.0)?), ..Targets::default() };
//! let erlang_c = erlang::staff(Model::ErlangC, storm, &goal, 0.3)?;
//! let erlang_a = erlang::staff(Model::ErlangA { patience_seconds: 180.0 }, storm, &goal, 0.3)?;
//! assert_eq!((erlang_c.agents, erlang_c.scheduled_agents), (87, 125));
//! assert!(erlang_a.agents < erlang_c.agents);
//!
//! let a = ErlangA::new(80.0, 70, 240.0, 180.0)?; // under-staffed: still an answer
//! assert!(a.p_abandon() > 0.05 && a.p_abandon() < 0.5);
//! # Ok::<(), callboard_core::erlang::ErlangError>(())
//! ```

mod a;
mod b;
mod c;
mod ln;
mod search;
mod special;
mod staffing;
mod uniform;

pub use a::ErlangA;
pub use b::{CarriedTraffic, blocking, fewest_lines, fractional_lines, traffic_at_blocking};
pub use c::ErlangC;
pub use staffing::{ServiceGoal, Staffing, Targets, evaluate, staff};

/// The most agents (or lines) any function accepts, and the furthest a staffing search looks.
pub const MAX_AGENTS: f64 = 1_000_000.0;

/// The most offered traffic, in erlangs, any function accepts.
pub const MAX_TRAFFIC: f64 = 1_000_000.0;

/// Why a staffing figure could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ErlangError {
    /// Traffic is negative, not finite, or above [`MAX_TRAFFIC`] erlangs.
    #[error("traffic must be a finite number of erlangs from 0 to 1,000,000")]
    InvalidTraffic,
    /// The call rate is negative or not finite.
    #[error("the call rate must be a finite number of calls, 0 or more")]
    InvalidCallRate,
    /// The number of agents or lines is negative, not finite, or above [`MAX_AGENTS`].
    #[error("the number of agents must be a finite number from 0 to 1,000,000")]
    InvalidAgents,
    /// Erlang A counts whole agents; a fractional number was given.
    #[error("Erlang A needs a whole number of agents")]
    FractionalAgents,
    /// The handle time is zero, negative or not finite.
    #[error("the average handle time must be a finite number of seconds above 0")]
    InvalidHandleTime,
    /// A time-based figure or target was asked for without a handle time.
    #[error("service level and speed of answer need the average handle time")]
    HandleTimeRequired,
    /// The patience is zero, negative or not finite, or more than a million times longer or
    /// shorter than the handle time.
    #[error(
        "the average patience must be a finite number of seconds above 0, \
         within a million times the handle time either way"
    )]
    InvalidPatience,
    /// The service-level target time is negative or not finite.
    #[error("the service-level target time must be a finite number of seconds, 0 or more")]
    InvalidTargetTime,
    /// Erlang C: traffic is not below the number of agents, so the queue grows without bound.
    #[error("Erlang C is defined only when traffic is below the number of agents")]
    Unstable,
    /// A blocking target is outside (0, 1).
    #[error("the blocking target must be above 0 and below 1")]
    InvalidBlocking,
    /// A service-level goal's fraction is outside (0, 1).
    #[error("the service-level goal must be above 0 and below 1 (100 % is never reached)")]
    InvalidServiceGoal,
    /// A probability or occupancy ceiling is outside (0, 1].
    #[error("a probability or occupancy ceiling must be above 0 and at most 1")]
    InvalidCeiling,
    /// The ASA ceiling is zero, negative or not finite.
    #[error("the ASA ceiling must be a finite number of seconds above 0")]
    InvalidAsaCeiling,
    /// Shrinkage is negative, not finite, or 1 (100 %) or more.
    #[error("shrinkage must be at least 0 and below 1")]
    InvalidShrinkage,
    /// A staffing search was asked for with no target.
    #[error("no staffing target was given")]
    NoTarget,
    /// A target the chosen model does not define (e.g. abandonment under Erlang C).
    #[error("the model does not define this target")]
    TargetNotInModel,
    /// No number of agents up to [`MAX_AGENTS`] meets the targets.
    #[error("no staffing up to 1,000,000 agents meets the targets")]
    Unreachable,
}

/// A queueing model, with what it needs beyond traffic and handle time.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Model {
    /// Lost calls cleared (lines, trunks, ports).
    ErlangB,
    /// Callers wait forever.
    ErlangC,
    /// Callers wait, and abandon after an exponentially distributed patience.
    ErlangA {
        /// The callers' average patience, in seconds.
        patience_seconds: f64,
    },
}

impl Model {
    /// The model's name as the command line and the JSON contract spell it.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::ErlangB => "erlang-b",
            Self::ErlangC => "erlang-c",
            Self::ErlangA { .. } => "erlang-a",
        }
    }
}

/// The work offered in an interval: traffic in erlangs and, where known, the handle time.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Workload {
    traffic: f64,
    handle_seconds: Option<f64>,
}

impl Workload {
    /// Calls per hour and the average handle time in seconds.
    ///
    /// # Errors
    /// [`ErlangError::InvalidCallRate`], [`ErlangError::InvalidHandleTime`], or
    /// [`ErlangError::InvalidTraffic`] when the product exceeds [`MAX_TRAFFIC`].
    pub fn from_calls(calls_per_hour: f64, handle_seconds: f64) -> Result<Self, ErlangError> {
        if !(calls_per_hour.is_finite() && calls_per_hour >= 0.0) {
            return Err(ErlangError::InvalidCallRate);
        }
        check_handle_time(handle_seconds)?;
        Self::from_traffic(calls_per_hour * handle_seconds / 3600.0)?
            .with_handle_seconds(handle_seconds)
    }

    /// Traffic in erlangs, handle time unknown: enough for the probabilities of Erlang B and C,
    /// not for times or Erlang A.
    ///
    /// # Errors
    /// [`ErlangError::InvalidTraffic`].
    pub fn from_traffic(traffic: f64) -> Result<Self, ErlangError> {
        check_traffic(traffic)?;
        Ok(Self { traffic, handle_seconds: None })
    }

    /// The same traffic with a known average handle time.
    ///
    /// # Errors
    /// [`ErlangError::InvalidHandleTime`].
    pub fn with_handle_seconds(self, handle_seconds: f64) -> Result<Self, ErlangError> {
        check_handle_time(handle_seconds)?;
        Ok(Self { handle_seconds: Some(handle_seconds), ..self })
    }

    /// Offered traffic, in erlangs.
    #[must_use]
    pub const fn traffic(&self) -> f64 {
        self.traffic
    }

    /// Average handle time in seconds, when known.
    #[must_use]
    pub const fn handle_seconds(&self) -> Option<f64> {
        self.handle_seconds
    }
}

/// A model's figures at a number of agents; `None` where the model does not define a figure
/// (or, for times, where the handle time is unknown).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Figures {
    /// Offered traffic, in erlangs.
    pub traffic_erlangs: f64,
    /// Agents (or lines); fractional only for Erlang B and C.
    pub agents: f64,
    /// Erlang B: probability that a call finds every line busy and is lost.
    pub p_block: Option<f64>,
    /// Probability that a call waits at all.
    pub p_wait: Option<f64>,
    /// Probability that a call is answered within the target time, over all calls.
    pub service_level: Option<f64>,
    /// Average speed of answer: the mean wait of answered calls, in seconds.
    pub asa_seconds: Option<f64>,
    /// The mean wait over all calls, abandoners' waits included, in seconds.
    pub mean_wait_all_seconds: Option<f64>,
    /// Erlang A: probability that a caller abandons.
    pub p_abandon: Option<f64>,
    /// The share of agents' (or lines') time spent on calls.
    pub occupancy: Option<f64>,
}

impl Figures {
    /// Traffic and agents with every figure undefined; the model fills in what it defines.
    #[must_use]
    pub const fn undefined(traffic_erlangs: f64, agents: f64) -> Self {
        Self {
            traffic_erlangs,
            agents,
            p_block: None,
            p_wait: None,
            service_level: None,
            asa_seconds: None,
            mean_wait_all_seconds: None,
            p_abandon: None,
            occupancy: None,
        }
    }
}

fn check_traffic(traffic: f64) -> Result<(), ErlangError> {
    if traffic.is_finite() && (0.0..=MAX_TRAFFIC).contains(&traffic) {
        Ok(())
    } else {
        Err(ErlangError::InvalidTraffic)
    }
}

fn check_agents(agents: f64) -> Result<(), ErlangError> {
    if agents.is_finite() && (0.0..=MAX_AGENTS).contains(&agents) {
        Ok(())
    } else {
        Err(ErlangError::InvalidAgents)
    }
}

fn check_handle_time(handle_seconds: f64) -> Result<(), ErlangError> {
    if handle_seconds.is_finite() && handle_seconds > 0.0 {
        Ok(())
    } else {
        Err(ErlangError::InvalidHandleTime)
    }
}

fn check_target_time(target_seconds: f64) -> Result<(), ErlangError> {
    if target_seconds.is_finite() && target_seconds >= 0.0 {
        Ok(())
    } else {
        Err(ErlangError::InvalidTargetTime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_from_calls_is_traffic_in_erlangs() {
        let w = Workload::from_calls(360.0, 300.0).unwrap();
        assert_eq!(w.traffic(), 30.0);
        assert_eq!(w.handle_seconds(), Some(300.0));
        assert_eq!(Workload::from_calls(-1.0, 300.0), Err(ErlangError::InvalidCallRate));
        assert_eq!(Workload::from_calls(f64::NAN, 300.0), Err(ErlangError::InvalidCallRate));
        assert_eq!(Workload::from_calls(10.0, 0.0), Err(ErlangError::InvalidHandleTime));
        assert_eq!(Workload::from_calls(1e12, 300.0), Err(ErlangError::InvalidTraffic));
        assert_eq!(Workload::from_traffic(f64::INFINITY), Err(ErlangError::InvalidTraffic));
        assert_eq!(Workload::from_traffic(0.0).unwrap().handle_seconds(), None);
    }

    #[test]
    fn model_names_are_the_command_line_names() {
        assert_eq!(Model::ErlangB.name(), "erlang-b");
        assert_eq!(Model::ErlangC.name(), "erlang-c");
        assert_eq!(Model::ErlangA { patience_seconds: 60.0 }.name(), "erlang-a");
    }
}
