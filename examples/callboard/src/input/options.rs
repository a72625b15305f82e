//! Values typed on the command line that more than one subcommand takes.

use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Dst {
    /// United States rule (second Sunday of March to first Sunday of November).
    Us,
    /// European Union rule (last Sunday of March to last Sunday of October).
    Eu,
    /// No daylight saving.
    None,
}

impl Dst {
    /// The name the report's settings print.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Us => "us",
            Self::Eu => "eu",
            Self::None => "none",
        }
    }

    /// The site calendar for this rule and a standard offset.
    pub(crate) fn calendar(self, offset: UtcOffset) -> Result<SiteCalendar, String> {
        let rule = match self {
            Self::Us => DstRule::UnitedStates,
            Self::Eu => DstRule::EuropeanUnion,
            Self::None => DstRule::None,
        };
        SiteCalendar::new(offset, rule).map_err(|e| e.to_string())
    }
}

/// A share written as a fraction (0.8) or a percentage (80%).
pub(crate) fn parse_share(s: &str) -> Result<f64, String> {
    let bad = || format!("expected a share like 0.8 or 80%, not {s:?}");
    let text = s.trim();
    let value = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map_err(|_| bad())? / 100.0,
        None => text.parse::<f64>().map_err(|_| bad())?,
    };
    if value.is_finite() && (0.0..=1.0).contains(&value) { Ok(value) } else { Err(bad()) }
}
