//! Values typed on the command line (and in the files it reads) that more than one subcommand
//! takes.

use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_core::share::Share;
use clap::ValueEnum;
use serde::Deserialize;

/// A site's daylight-saving rule as written on the command line (`--dst us`) and in the
/// policies file (`dst = "us"`): one spelling, read by clap and by serde alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// A share written as a fraction (0.8) or a percentage (80%) ([`Share`]), as a fraction.
pub(crate) fn parse_share(s: &str) -> Result<f64, String> {
    s.parse::<Share>()
        .map(Share::fraction)
        .map_err(|_| format!("expected a share like 0.8 or 80%, not {s:?}"))
}
