//! Erlang C: callers wait until answered.

use super::b::inverse_blocking;
use super::{ErlangError, check_agents, check_handle_time, check_target_time, check_traffic};

/// The Erlang C model at one number of agents.
///
/// ```
/// use callboard_core::erlang::ErlangC;
/// // The textbook case: 2 calls a minute (120 an hour), 3-minute calls, 8 agents, 20 s target.
/// let c = ErlangC::new(6.0, 8.0)?;
/// // Values from the closed form in mpmath: 0.356 981 08…, 0.714 151 89…, 32.128 29… s.
/// assert!((c.p_wait() - 0.356_981_09).abs() < 1e-8);
/// assert!((c.service_level(20.0, 180.0)? - 0.714_151_89).abs() < 1e-8);
/// assert!((c.asa_seconds(180.0)? - 32.128_30).abs() < 1e-5);
/// assert_eq!(c.occupancy(), 0.75);
/// # Ok::<(), callboard_core::erlang::ErlangError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ErlangC {
    traffic: f64,
    agents: f64,
    p_wait: f64,
}

impl ErlangC {
    /// The model for `traffic` erlangs offered to `agents` agents (fractional allowed).
    ///
    /// # Errors
    /// [`ErlangError::InvalidTraffic`], [`ErlangError::InvalidAgents`],
    /// [`ErlangError::Unstable`] unless `traffic < agents`.
    pub fn new(traffic: f64, agents: f64) -> Result<Self, ErlangError> {
        check_traffic(traffic)?;
        check_agents(agents)?;
        if traffic >= agents {
            return Err(ErlangError::Unstable);
        }
        Ok(Self::from_inverse_blocking(traffic, agents, inverse_blocking(traffic, agents)))
    }

    /// The model from `1/B(agents, traffic)` already known (the staffing search walks whole
    /// agents by Erlang B's recursion); the arguments are as checked by [`ErlangC::new`].
    pub(crate) fn from_inverse_blocking(traffic: f64, agents: f64, inverse: f64) -> Self {
        // C = N·B / (N − A + A·B) = N / ((N − A)/B + A); N − A is exact-ish, 1 − A/N is not.
        let p_wait = if inverse.is_infinite() {
            0.0
        } else {
            agents / ((agents - traffic) * inverse + traffic)
        };
        Self { traffic, agents, p_wait }
    }

    /// Offered traffic, in erlangs.
    #[must_use]
    pub const fn traffic(&self) -> f64 {
        self.traffic
    }

    /// Agents.
    #[must_use]
    pub const fn agents(&self) -> f64 {
        self.agents
    }

    /// The probability that a call waits at all (the "Erlang C formula").
    #[must_use]
    pub const fn p_wait(&self) -> f64 {
        self.p_wait
    }

    /// Occupancy, `traffic / agents`: every offered call is eventually served.
    #[must_use]
    pub fn occupancy(&self) -> f64 {
        self.traffic / self.agents
    }

    /// The share of calls answered within `target_seconds`, for calls of `handle_seconds`
    /// on average: `1 − P(wait) · e^{−(N − A) T / h}`.
    ///
    /// # Errors
    /// [`ErlangError::InvalidTargetTime`], [`ErlangError::InvalidHandleTime`].
    pub fn service_level(
        &self,
        target_seconds: f64,
        handle_seconds: f64,
    ) -> Result<f64, ErlangError> {
        check_target_time(target_seconds)?;
        check_handle_time(handle_seconds)?;
        let decay = libm::exp(-(self.agents - self.traffic) * target_seconds / handle_seconds);
        Ok(1.0 - self.p_wait * decay)
    }

    /// Average speed of answer, in seconds: `P(wait) · h / (N − A)`. Every call is answered, so
    /// this is also the mean wait over all calls.
    ///
    /// # Errors
    /// [`ErlangError::InvalidHandleTime`].
    pub fn asa_seconds(&self, handle_seconds: f64) -> Result<f64, ErlangError> {
        check_handle_time(handle_seconds)?;
        Ok(self.p_wait * handle_seconds / (self.agents - self.traffic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defined_only_below_saturation() {
        assert_eq!(ErlangC::new(10.0, 10.0), Err(ErlangError::Unstable));
        assert_eq!(ErlangC::new(10.5, 10.0), Err(ErlangError::Unstable));
        assert_eq!(ErlangC::new(0.0, 0.0), Err(ErlangError::Unstable));
        let just_below = ErlangC::new(10.0, 10.000_001).unwrap();
        assert!(just_below.p_wait() > 0.999_99 && just_below.p_wait() <= 1.0);
    }

    #[test]
    fn no_traffic_never_waits() {
        let c = ErlangC::new(0.0, 3.0).unwrap();
        assert_eq!(c.p_wait(), 0.0);
        assert_eq!(c.service_level(20.0, 180.0), Ok(1.0));
        assert_eq!(c.asa_seconds(180.0), Ok(0.0));
        assert_eq!(c.occupancy(), 0.0);
    }

    #[test]
    fn one_agent_is_m_m_1() {
        // M/M/1: P(wait) = ρ, ASA = ρ h / (1 − ρ).
        let c = ErlangC::new(0.6, 1.0).unwrap();
        assert!((c.p_wait() - 0.6).abs() < 1e-15);
        assert!((c.asa_seconds(100.0).unwrap() - 150.0).abs() < 1e-12);
    }

    #[test]
    fn time_inputs_are_checked() {
        let c = ErlangC::new(6.0, 8.0).unwrap();
        assert_eq!(c.service_level(-1.0, 180.0), Err(ErlangError::InvalidTargetTime));
        assert_eq!(c.service_level(20.0, 0.0), Err(ErlangError::InvalidHandleTime));
        assert_eq!(c.asa_seconds(f64::NAN), Err(ErlangError::InvalidHandleTime));
    }
}
