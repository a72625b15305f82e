//! Service level: the share of calls answered within the threshold **T**.
//!
//! "Service level" is one phrase for four different formulas, and vendors disagree on which
//! one they mean. They differ in what they do with abandoned calls:
//!
//! | variant | formula | also known as |
//! |---|---|---|
//! | [`Answered`](ServiceLevelVariant::Answered) | answered within SL / answered | Asterisk "SL", Cisco UCCX "only handled" |
//! | [`Offered`](ServiceLevelVariant::Offered) | answered within SL / (answered + abandoned + dequeued) | Cisco "abandons negative", Avaya |
//! | [`AbandonsIgnored`](ServiceLevelVariant::AbandonsIgnored) | answered within SL / (net offered − abandoned within SL) | Cisco "ignore abandons" |
//! | [`AbandonsPositive`](ServiceLevelVariant::AbandonsPositive) | (answered + abandoned within SL) / net offered | Cisco "abandons positive" |
//!
//! Cisco's published example: 100 calls offered, 70 answered within SL, 10 abandoned within SL:
//! ignoring abandons 70/90 = 77.8 %, abandons negative 70/100 = 70 %, abandons positive
//! 80/100 = 80 %.
//!
//! Two rules apply to every variant here:
//! - **Short abandons** (wait < S) are not service-level events at all: they are removed from
//!   every denominator (`abandoned` above is *net* abandoned, `net offered` is offered minus
//!   short abandons).
//! - **A call is counted as missed the moment its wait crosses T**, even while it is still
//!   waiting (Cisco's "service-level event"). A call still waiting but not yet past T has not
//!   been decided and is in no denominator. So a board never shows 95 % while thirty callers have
//!   been waiting five minutes; Asterisk, which counts a call only when it leaves the queue,
//!   does exactly that. For a finished interval (nothing waiting) the formulas reduce to the
//!   table above.
//!
//! The threshold is a time ([`ServiceLevelThreshold::Seconds`]) or a number of rings at a ring
//! cadence ([`ServiceLevelThreshold::Rings`]): the "answered by the third ring" standard at the
//! North American cadence of 6 s (2 s ring, 4 s silence) is 18 s.

use crate::calendar::MILLIS_PER_SECOND;
use crate::interval::{IntervalStats, ratio};

/// North American ring cadence: 2 s ring, 4 s silence (Telcordia GR-506).
pub const NORTH_AMERICAN_RING_CADENCE_MS: u32 = 6_000;
/// British ring cadence: 0.4 s ring, 0.2 s silence, 0.4 s ring, 2 s silence.
pub const UK_RING_CADENCE_MS: u32 = 3_000;
/// The most common threshold when none is configured: 80 % within 20 s is the industry's
/// default target.
pub const DEFAULT_THRESHOLD_SECONDS: u32 = 20;

/// The service-level answer time T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ServiceLevelThreshold {
    /// A time in seconds.
    Seconds(u32),
    /// A number of rings at a ring cadence.
    Rings {
        /// Rings, e.g. 3 for "by the third ring".
        rings: u32,
        /// Length of one ring cycle in milliseconds, e.g. [`NORTH_AMERICAN_RING_CADENCE_MS`].
        cadence_ms: u32,
    },
}

impl ServiceLevelThreshold {
    /// T in milliseconds.
    #[must_use]
    pub fn millis(&self) -> u64 {
        match *self {
            Self::Seconds(s) => u64::from(s).saturating_mul(MILLIS_PER_SECOND),
            Self::Rings { rings, cadence_ms } => {
                u64::from(rings).saturating_mul(u64::from(cadence_ms))
            }
        }
    }
}

impl Default for ServiceLevelThreshold {
    fn default() -> Self {
        Self::Seconds(DEFAULT_THRESHOLD_SECONDS)
    }
}

/// Which service-level formula; see the [module](self) docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ServiceLevelVariant {
    /// Answered within SL / answered.
    Answered,
    /// Answered within SL / (answered + net abandoned + dequeued).
    Offered,
    /// Answered within SL / (net offered − abandoned within SL).
    AbandonsIgnored,
    /// (Answered within SL + abandoned within SL) / net offered.
    AbandonsPositive,
}

impl ServiceLevelVariant {
    /// All four, in the order of the module table.
    pub const ALL: [Self; 4] =
        [Self::Answered, Self::Offered, Self::AbandonsIgnored, Self::AbandonsPositive];
}

/// All four service levels of one interval, each a fraction in [0, 1] or `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[allow(missing_docs)] // one field per `ServiceLevelVariant`, documented there
pub struct ServiceLevels {
    pub answered: Option<f64>,
    pub offered: Option<f64>,
    pub abandons_ignored: Option<f64>,
    pub abandons_positive: Option<f64>,
}

impl IntervalStats {
    /// The service level in `variant`, a fraction in [0, 1], or `None` when no call has yet
    /// been decided for it.
    #[must_use]
    pub fn service_level(&self, variant: ServiceLevelVariant) -> Option<f64> {
        let within = u64::from(self.answered_within_sl);
        let missed_waiting = u64::from(self.waiting_past_sl);
        match variant {
            ServiceLevelVariant::Answered => {
                ratio(within, u64::from(self.answered).saturating_add(missed_waiting))
            }
            ServiceLevelVariant::Offered => {
                let decided = u64::from(self.answered)
                    .saturating_add(u64::from(self.net_abandoned()))
                    .saturating_add(u64::from(self.dequeued))
                    .saturating_add(missed_waiting);
                ratio(within, decided)
            }
            ServiceLevelVariant::AbandonsIgnored => {
                let den =
                    self.decided_net_offered().saturating_sub(u64::from(self.abandoned_within_sl));
                ratio(within, den)
            }
            ServiceLevelVariant::AbandonsPositive => {
                let num = within.saturating_add(u64::from(self.abandoned_within_sl));
                ratio(num, self.decided_net_offered())
            }
        }
    }

    /// All four variants at once.
    #[must_use]
    pub fn service_levels(&self) -> ServiceLevels {
        ServiceLevels {
            answered: self.service_level(ServiceLevelVariant::Answered),
            offered: self.service_level(ServiceLevelVariant::Offered),
            abandons_ignored: self.service_level(ServiceLevelVariant::AbandonsIgnored),
            abandons_positive: self.service_level(ServiceLevelVariant::AbandonsPositive),
        }
    }

    /// Net offered calls whose service-level outcome is decided: all but the short abandons and
    /// the calls still waiting within T.
    fn decided_net_offered(&self) -> u64 {
        let undecided = self.waiting.saturating_sub(self.waiting_past_sl);
        u64::from(self.net_offered()).saturating_sub(u64::from(undecided))
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use std::format;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    /// Cisco Unified CCE reporting guide, "Service level" example: 100 offered, 70 answered
    /// within the threshold, 10 abandoned within it (the other 20 answered late).
    #[test]
    fn cisco_published_example() {
        let s = IntervalStats {
            offered: 100,
            answered: 90,
            answered_within_sl: 70,
            abandoned: 10,
            abandoned_within_sl: 10,
            ..IntervalStats::default()
        };
        assert!(close(s.service_level(ServiceLevelVariant::AbandonsIgnored), 70.0 / 90.0));
        assert_eq!(format!("{:.1}", 100.0 * s.service_levels().abandons_ignored.unwrap()), "77.8");
        assert!(close(s.service_level(ServiceLevelVariant::Offered), 0.70));
        assert!(close(s.service_level(ServiceLevelVariant::AbandonsPositive), 0.80));
        assert!(close(s.service_level(ServiceLevelVariant::Answered), 70.0 / 90.0));
    }

    #[test]
    fn answered_variant_ignores_abandons_entirely() {
        // 10 answered, 8 within; 5 abandoned, none within.
        let s = IntervalStats {
            offered: 15,
            answered: 10,
            answered_within_sl: 8,
            abandoned: 5,
            ..IntervalStats::default()
        };
        assert!(close(s.service_level(ServiceLevelVariant::Answered), 0.8));
        assert!(close(s.service_level(ServiceLevelVariant::Offered), 8.0 / 15.0));
        assert!(close(s.service_level(ServiceLevelVariant::AbandonsIgnored), 8.0 / 15.0));
        assert!(close(s.service_level(ServiceLevelVariant::AbandonsPositive), 8.0 / 15.0));
    }

    #[test]
    fn offered_variant_counts_dequeued_calls_as_misses() {
        // 6 answered within SL, 2 timed out of the queue, 2 overflowed to another queue.
        let s = IntervalStats {
            offered: 10,
            answered: 6,
            answered_within_sl: 6,
            dequeued: 2,
            transferred_out: 2,
            ..IntervalStats::default()
        };
        assert!(close(s.service_level(ServiceLevelVariant::Answered), 1.0));
        assert!(close(s.service_level(ServiceLevelVariant::Offered), 0.75));
        assert!(close(s.service_level(ServiceLevelVariant::AbandonsIgnored), 0.6));
        assert!(close(s.service_level(ServiceLevelVariant::AbandonsPositive), 0.6));
    }

    #[test]
    fn short_abandons_are_not_service_level_events() {
        // 10 offered: 6 answered within, 2 answered late, 2 short abandons (wrong numbers).
        let s = IntervalStats {
            offered: 10,
            answered: 8,
            answered_within_sl: 6,
            abandoned: 2,
            short_abandoned: 2,
            ..IntervalStats::default()
        };
        for v in ServiceLevelVariant::ALL {
            assert!(close(s.service_level(v), 0.75), "{v:?}");
        }
        assert_eq!(s.abandon_rate(), Some(0.0));
    }

    #[test]
    fn a_call_waiting_past_t_is_already_missed() {
        // 4 answered within SL; 3 still waiting, of which 2 have waited past T.
        let s = IntervalStats {
            offered: 7,
            answered: 4,
            answered_within_sl: 4,
            waiting: 3,
            waiting_past_sl: 2,
            ..IntervalStats::default()
        };
        for v in ServiceLevelVariant::ALL {
            assert!(close(s.service_level(v), 4.0 / 6.0), "{v:?}");
        }
    }

    #[test]
    fn undecided_calls_are_in_no_denominator() {
        let s = IntervalStats { offered: 3, waiting: 3, ..IntervalStats::default() };
        for v in ServiceLevelVariant::ALL {
            assert_eq!(s.service_level(v), None, "{v:?}");
        }
        let s = IntervalStats { offered: 3, waiting: 3, waiting_past_sl: 1, ..Default::default() };
        for v in ServiceLevelVariant::ALL {
            assert_eq!(s.service_level(v), Some(0.0), "{v:?}");
        }
    }

    #[test]
    fn threshold_in_rings() {
        let third_ring =
            ServiceLevelThreshold::Rings { rings: 3, cadence_ms: NORTH_AMERICAN_RING_CADENCE_MS };
        assert_eq!(third_ring.millis(), 18_000);
        assert_eq!(ServiceLevelThreshold::Seconds(20).millis(), 20_000);
        assert_eq!(ServiceLevelThreshold::default().millis(), 20_000);
        let absurd = ServiceLevelThreshold::Rings { rings: u32::MAX, cadence_ms: u32::MAX };
        assert_eq!(absurd.millis(), u64::from(u32::MAX) * u64::from(u32::MAX));
    }
}
