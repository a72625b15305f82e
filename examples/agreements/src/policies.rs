//! The agreements requests are judged by: a TOML file read through serde.
//!
//! # The policies file
//! ```toml
//! [site]
//! utc_offset = "-05:00"
//! dst = "us"            # "us", "eu" or "none"
//!
//! [calendars.city]
//! monday = ["08:00-12:00", "13:00-17:00"]   # spans per weekday; a day left out is closed
//! friday = ["08:00-12:00"]
//! holidays = ["2026-11-26"]
//!
//! [calendars.around-the-clock]
//! always = true
//!
//! [[policy]]
//! type = "Graffiti removal"
//! target = "7 business days"   # or "5 business hours", "90 business minutes", "24 hours", "30 days"
//! calendar = "city"
//! at_risk = "80%"              # optional, 80 % by default
//! ```

use std::collections::BTreeMap;

use callboard_core::business::{BusinessCalendar, OpenSpan, WeekHours};
use callboard_core::calendar::{SiteCalendar, Weekday};
use callboard_core::share::Share;
use callboard_core::sla::{RequestType, SlaPolicy, SlaTracker, Target};
use callboard_queue_log::local_time::{parse_clock, parse_date, parse_dst, parse_utc_offset};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    site: SiteSection,
    calendars: BTreeMap<String, CalendarSection>,
    policy: Vec<PolicySection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteSection {
    utc_offset: String,
    #[serde(default)]
    dst: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarSection {
    #[serde(default)]
    always: bool,
    #[serde(default)]
    monday: Vec<String>,
    #[serde(default)]
    tuesday: Vec<String>,
    #[serde(default)]
    wednesday: Vec<String>,
    #[serde(default)]
    thursday: Vec<String>,
    #[serde(default)]
    friday: Vec<String>,
    #[serde(default)]
    saturday: Vec<String>,
    #[serde(default)]
    sunday: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicySection {
    #[serde(rename = "type")]
    request_type: String,
    target: String,
    calendar: String,
    #[serde(default)]
    at_risk: Option<String>,
}

/// The agreements, read and checked: the tracker set up, and the type names.
#[derive(Debug)]
pub struct Policies {
    pub(crate) site: SiteCalendar,
    pub(crate) calendars: Vec<(String, BusinessCalendar)>,
    pub(crate) policies: Vec<(String, SlaPolicy, String)>,
}

impl Policies {
    /// A tracker of these capacities with every calendar and policy added.
    ///
    /// # Errors
    /// What the core refuses (a target out of range, a business target on a closed calendar).
    pub(crate) fn tracker<const R: usize, const K: usize, const D: usize>(
        &self,
    ) -> Result<Box<SlaTracker<R, K, D>>, String> {
        let mut tracker = SlaTracker::<R, K, D>::new_boxed();
        for (_, calendar) in &self.calendars {
            tracker.add_calendar(calendar.clone()).map_err(|e| e.to_string())?;
        }
        for (name, policy, _) in &self.policies {
            tracker.add_policy(*policy).map_err(|e| format!("policy {name:?}: {e}"))?;
        }
        Ok(tracker)
    }

    /// The site's clock.
    #[must_use]
    pub const fn site(&self) -> &SiteCalendar {
        &self.site
    }
}

/// Reads a policies file's text.
///
/// # Errors
/// What is wrong, and where.
pub fn parse_policies(text: &str) -> Result<Policies, String> {
    let file: PolicyFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let offset =
        parse_utc_offset(&file.site.utc_offset).map_err(|e| format!("[site] utc_offset: {e}"))?;
    let rule = parse_dst(file.site.dst.as_deref().unwrap_or("none"))
        .map_err(|e| format!("[site] dst: {e}"))?;
    let site = SiteCalendar::new(offset, rule).map_err(|e| format!("[site]: {e}"))?;
    let mut calendars = Vec::new();
    for (name, section) in &file.calendars {
        let calendar =
            calendar_of(site, section).map_err(|e| format!("[calendars.{name}]: {e}"))?;
        calendars.push((name.clone(), calendar));
    }
    if calendars.len() > callboard_core::sla::MAX_CALENDARS {
        return Err(format!(
            "at most {} calendars, not {}",
            callboard_core::sla::MAX_CALENDARS,
            calendars.len()
        ));
    }
    let mut policies = Vec::new();
    for (i, section) in file.policy.iter().enumerate() {
        let at = || format!("[[policy]] {} ({:?})", i + 1, section.request_type);
        let target = parse_target(&section.target).map_err(|e| format!("{}: {e}", at()))?;
        let calendar = calendars
            .iter()
            .position(|(name, _)| *name == section.calendar)
            .ok_or_else(|| format!("{}: no calendar {:?}", at(), section.calendar))?;
        let at_risk_permille = match &section.at_risk {
            None => 800,
            Some(text) => parse_share(text).map_err(|e| format!("{}: at_risk: {e}", at()))?,
        };
        if policies.iter().any(|(name, _, _)| *name == section.request_type) {
            return Err(format!("{}: a second policy for the same type", at()));
        }
        let policy = SlaPolicy {
            request_type: RequestType(u32::try_from(policies.len()).map_err(|_| at())?),
            target,
            calendar: u8::try_from(calendar).map_err(|_| at())?,
            at_risk_permille,
        };
        policies.push((section.request_type.clone(), policy, section.target.trim().to_owned()));
    }
    if policies.is_empty() {
        return Err("no [[policy]]".into());
    }
    let policies = Policies { site, calendars, policies };
    // Let the core check the rest (target ranges, a business target on a closed calendar): the
    // checks do not depend on capacities, so the smallest tracker will do.
    policies.tracker::<2, 1, 1>()?;
    Ok(policies)
}

fn calendar_of(site: SiteCalendar, section: &CalendarSection) -> Result<BusinessCalendar, String> {
    let days = [
        (Weekday::Monday, &section.monday),
        (Weekday::Tuesday, &section.tuesday),
        (Weekday::Wednesday, &section.wednesday),
        (Weekday::Thursday, &section.thursday),
        (Weekday::Friday, &section.friday),
        (Weekday::Saturday, &section.saturday),
        (Weekday::Sunday, &section.sunday),
    ];
    let mut calendar = if section.always {
        if days.iter().any(|(_, spans)| !spans.is_empty()) {
            return Err("`always` and opening hours together".into());
        }
        BusinessCalendar::always(site)
    } else {
        let mut week = WeekHours::closed();
        for (day, spans) in days {
            let spans = spans.iter().map(|s| parse_span(s)).collect::<Result<Vec<_>, _>>()?;
            week.set(day, &spans).map_err(|e| format!("{day:?}: {e}"))?;
        }
        BusinessCalendar::new(site, week)
    };
    for holiday in &section.holidays {
        let date = parse_date(holiday).map_err(|e| format!("holidays: {e}"))?;
        calendar.add_holiday(date).map_err(|e| e.to_string())?;
    }
    Ok(calendar)
}

fn parse_span(text: &str) -> Result<OpenSpan, String> {
    let bad = || format!("expected a span like 08:00-17:00, not {text:?}");
    let (from, to) = text.split_once('-').ok_or_else(bad)?;
    let from = parse_clock(from.trim()).map_err(|_| bad())?;
    let to = if to.trim() == "24:00" { 1440 } else { parse_clock(to.trim()).map_err(|_| bad())? };
    let minutes = |m: u32| u16::try_from(m).map_err(|_| bad());
    OpenSpan::new(minutes(from)?, minutes(to)?).map_err(|e| format!("{text:?}: {e}"))
}

/// A target: `N business days`, `N business hours`, `N business minutes`, `N hours`,
/// `N days`, `N minutes` (also singular; `calendar days` for days).
///
/// # Errors
/// What was expected.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let bad = || {
        format!(
            "expected a target like \"7 business days\", \"5 business hours\" or \"24 hours\", not {text:?}"
        )
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let (amount, unit) = match words.as_slice() {
        [n, rest @ ..] if !rest.is_empty() => {
            (n.parse::<u32>().map_err(|_| bad())?, rest.join(" "))
        }
        _ => return Err(bad()),
    };
    let minutes = |per: u32| amount.checked_mul(per).ok_or_else(bad);
    let unit = unit.to_ascii_lowercase();
    Ok(match unit.trim_end_matches('s') {
        "business day" | "working day" => Target::BusinessDays(amount),
        "business hour" | "working hour" => Target::BusinessMinutes(minutes(60)?),
        "business minute" | "working minute" => Target::BusinessMinutes(amount),
        "day" | "calendar day" => Target::CalendarDays(amount),
        "hour" | "calendar hour" => Target::CalendarMinutes(minutes(60)?),
        "minute" | "calendar minute" => Target::CalendarMinutes(amount),
        _ => return Err(bad()),
    })
}

pub(crate) fn parse_share(text: &str) -> Result<u16, String> {
    text.parse::<Share>()
        .map(Share::permille)
        .map_err(|_| format!("expected a share like 80% or 0.8, not {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(parse_target("7 business days"), Ok(Target::BusinessDays(7)));
        assert_eq!(parse_target("5 business hours"), Ok(Target::BusinessMinutes(300)));
        assert_eq!(parse_target("1 business hour"), Ok(Target::BusinessMinutes(60)));
        assert_eq!(parse_target("24 hours"), Ok(Target::CalendarMinutes(1440)));
        assert_eq!(parse_target("30 days"), Ok(Target::CalendarDays(30)));
        assert_eq!(parse_target("90 Business Minutes"), Ok(Target::BusinessMinutes(90)));
        for bad in ["", "7", "seven days", "7 fortnights", "-1 days", "99999999999 hours"] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_share("80%"), Ok(800));
        assert_eq!(parse_share("92.5 %"), Ok(925));
        assert!(parse_share("120%").is_err());
    }
}
