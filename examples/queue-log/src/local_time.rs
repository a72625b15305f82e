//! Parsing the values integrators type on the command line.

use callboard_core::calendar::{DstRule, LocalDate, SiteCalendar, Timestamp, UtcOffset};

/// A daylight-saving rule as a site file writes it: `"us"`, `"eu"` or `"none"`.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_dst(s: &str) -> Result<DstRule, String> {
    match s.trim() {
        "us" => Ok(DstRule::UnitedStates),
        "eu" => Ok(DstRule::EuropeanUnion),
        "none" => Ok(DstRule::None),
        other => Err(format!("expected \"us\", \"eu\" or \"none\", not {other:?}")),
    }
}

/// A UTC offset written `+HH:MM`, `-HH:MM`, `+HH`, `Z` or `UTC`.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_utc_offset(s: &str) -> Result<UtcOffset, String> {
    let bad = || format!("expected a UTC offset like +02:00 or -05:00, not {s:?}");
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Ok(UtcOffset::UTC);
    }
    let (sign, rest) = match s.split_at_checked(1) {
        Some(("+", rest)) => (1, rest),
        Some(("-", rest)) => (-1, rest),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if !(0..60).contains(&m) {
        return Err(bad());
    }
    UtcOffset::from_minutes(sign * (h * 60 + m)).map_err(|e| format!("{e}: {s:?}"))
}

/// A date written `YYYY-MM-DD`.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_date(s: &str) -> Result<LocalDate, String> {
    let bad = || format!("expected a date like 1999-02-10, not {s:?}");
    let mut parts = s.trim().split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let (y, m, d) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    LocalDate::new(y, m, d).map_err(|e| format!("{e}: {s:?}"))
}

/// A local time of day, `HH:MM`, as minutes after midnight.
///
/// # Errors
/// A message naming the text.
pub fn parse_clock(text: &str) -> Result<u32, String> {
    let bad = || format!("expected a time of day like 14:00, not {text:?}");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h < 24 && m < 60 { Ok(h * 60 + m) } else { Err(bad()) }
}

/// A local date and time written `YYYY-MM-DD HH:MM[:SS]` (or with a `T`): the date and the
/// milliseconds since its midnight.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_local_datetime(s: &str) -> Result<(LocalDate, u32), String> {
    let bad = || format!("expected a local time like 2026-11-23 08:00, not {s:?}");
    let (date, time) = s.trim().split_once(['T', ' ']).ok_or_else(bad)?;
    let date = parse_date(date).map_err(|_| bad())?;
    let mut parts = time.split(':');
    let mut field = |most: u32| -> Result<u32, String> {
        match parts.next().map(str::parse::<u32>) {
            Some(Ok(value)) if value <= most => Ok(value),
            _ => Err(bad()),
        }
    };
    let (hour, minute) = (field(23)?, field(59)?);
    let second = if time.matches(':').count() == 2 { field(59)? } else { 0 };
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok((date, ((hour * 60 + minute) * 60 + second) * 1000))
}

/// The instant a site's local time `s` (as [`parse_local_datetime`] reads it) names: the first
/// of two in the hour the clocks fall back, the jump for one they spring over.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_local_instant(calendar: &SiteCalendar, s: &str) -> Result<Timestamp, String> {
    let (date, millis) = parse_local_datetime(s)?;
    Ok(calendar.resolve_local(date, millis).earliest())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(parse_utc_offset("+02:00").unwrap().minutes(), 120);
        assert_eq!(parse_utc_offset("-03:30").unwrap().minutes(), -210);
        assert_eq!(parse_utc_offset("+5").unwrap().minutes(), 300);
        assert_eq!(parse_utc_offset("Z").unwrap().minutes(), 0);
        for bad in ["", "02:00", "+2:75", "+15:00", "Europe/Paris", "+é"] {
            assert!(parse_utc_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1999-02-10").unwrap().to_string(), "1999-02-10");
        for bad in ["1999-02-30", "1999-02", "1999-02-10-01", "yesterday"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_datetimes() {
        let (date, millis) = parse_local_datetime("1999-02-10 11:00").unwrap();
        assert_eq!((date.day(), millis), (10, 11 * 3_600_000));
        assert_eq!(parse_local_datetime("2026-11-23T08:15:30").unwrap().1, 29_730_000);
        for bad in [
            "yesterday",
            "2026-11-23",
            "2026-11-23 24:00",
            "2026-11-23 08:60",
            "2026-11-23 08:00:00:00",
        ] {
            assert!(parse_local_datetime(bad).is_err(), "{bad:?}");
        }
    }
}
