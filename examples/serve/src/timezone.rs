//! An IANA time-zone name (`America/New_York`) resolved on the host into the core's site clock:
//! the zone's file in the tz database (`$TZDIR`, or `/usr/share/zoneinfo`) ends, from TZif
//! version 2 on, with a POSIX TZ string for the times after its table (RFC 8536, §3.3), such as
//! `EST5EDT,M3.2.0,M11.1.0`. Its standard offset and one-hour daylight-saving rule become a
//! `SiteCalendar`. A zone whose rule the core does not model (a daylight saving of other than
//! an hour, rules by day of the year) is refused, naming the rule.

use std::path::PathBuf;

use callboard_core::calendar::{
    DstRule, DstTransition, SiteCalendar, TransitionBasis, UtcOffset, WeekOfMonth, Weekday,
};

/// The site clock of the zone `name` on this host.
///
/// # Errors
/// A name not in the host's tz database, a file that is not TZif version 2 or later, or a rule
/// the core does not model.
pub fn site_calendar(name: &str) -> Result<SiteCalendar, String> {
    let dir = std::env::var_os("TZDIR")
        .map_or_else(|| PathBuf::from("/usr/share/zoneinfo"), PathBuf::from);
    site_calendar_in(&dir, name)
}

/// The site clock of the zone `name` in the tz database at `dir`.
fn site_calendar_in(dir: &std::path::Path, name: &str) -> Result<SiteCalendar, String> {
    if name.is_empty() || name.split('/').any(|part| part.is_empty() || part == "..") {
        return Err(format!("{name:?} is not a time-zone name"));
    }
    let path = dir.join(name);
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("time zone {name:?}: cannot read {}: {e}", path.display()))?;
    if !bytes.starts_with(b"TZif") || bytes.get(4).is_none_or(|v| *v < b'2') {
        return Err(format!(
            "time zone {name:?}: {} is not a TZif file of version 2 or later",
            path.display()
        ));
    }
    let text = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let footer = text.rsplit(|&b| b == b'\n').next().unwrap_or_default();
    let footer =
        std::str::from_utf8(footer).map_err(|_| format!("time zone {name:?}: no TZ string"))?;
    from_posix(footer).map_err(|e| format!("time zone {name:?} ({footer}): {e}"))
}

/// A zone's name in a TZ string: letters, or anything between `<` and `>`.
fn name(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix('<') {
        let end = rest.find('>')?;
        return Some((rest.get(..end)?, rest.get(end + 1..)?));
    }
    let end = text.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(text.len());
    (end >= 3).then(|| text.split_at(end))
}

/// `[+-]hh[:mm[:ss]]` in seconds, and the rest.
fn seconds(text: &str) -> Option<(i64, &str)> {
    let (sign, text) = match text.as_bytes().first()? {
        b'-' => (-1, text.get(1..)?),
        b'+' => (1, text.get(1..)?),
        _ => (1, text),
    };
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == ':')).unwrap_or(text.len());
    let (value, rest) = text.split_at(end);
    let mut total = 0_i64;
    for (i, part) in value.split(':').enumerate() {
        let unit = [3600, 60, 1].get(i)?;
        total += part.parse::<i64>().ok()? * unit;
    }
    Some((sign * total, rest))
}

/// `Mm.w.d[/time]`: a transition on the wall clock.
fn transition(text: &str) -> Result<DstTransition, String> {
    let (date, time) = text.split_once('/').map_or((text, None), |(d, t)| (d, Some(t)));
    let parts: Vec<&str> =
        date.strip_prefix('M').ok_or("only Mm.w.d rules are modelled")?.split('.').collect();
    let [month, week, day] = parts[..] else { return Err(format!("{text:?} is not Mm.w.d")) };
    let number = |t: &str| t.parse::<u8>().map_err(|_| format!("{text:?} is not Mm.w.d"));
    let month = number(month)?;
    let week = match number(week)? {
        1 => WeekOfMonth::First,
        2 => WeekOfMonth::Second,
        3 => WeekOfMonth::Third,
        4 => WeekOfMonth::Fourth,
        5 => WeekOfMonth::Last,
        _ => return Err(format!("{text:?}: the week is 1 to 5")),
    };
    let weekday = match number(day)? {
        0 => Weekday::Sunday,
        d @ 1..=6 => *Weekday::ALL.get(usize::from(d - 1)).ok_or("a weekday")?,
        _ => return Err(format!("{text:?}: the day is 0 to 6")),
    };
    let at = match time {
        None => 7200,
        Some(t) => {
            seconds(t).filter(|(_, rest)| rest.is_empty()).ok_or(format!("{text:?}: a time"))?.0
        }
    };
    if !(0..=86_400).contains(&at) || at % 3600 != 0 {
        return Err(format!("{text:?}: a transition on a whole hour of the day is modelled"));
    }
    Ok(DstTransition {
        month,
        week,
        weekday,
        minute_of_day: u16::try_from(at / 60).map_err(|_| "a time")?,
        basis: TransitionBasis::LocalWall,
    })
}

/// The site clock of a POSIX TZ string.
///
/// # Errors
/// A string that is not one, or a rule the core does not model.
pub fn from_posix(tz: &str) -> Result<SiteCalendar, String> {
    let (_, rest) = name(tz).ok_or("no standard time's name")?;
    let (std, rest) = seconds(rest).ok_or("no standard offset")?;
    // POSIX counts west of Greenwich as positive: EST5 is UTC-05:00.
    let offset = i32::try_from(-std / 60).map_err(|_| "an offset out of range")?;
    let offset = UtcOffset::from_minutes(offset).map_err(|e| e.to_string())?;
    if rest.is_empty() {
        return SiteCalendar::new(offset, DstRule::None).map_err(|e| e.to_string());
    }
    let (_, rest) = name(rest).ok_or("no daylight time's name")?;
    let rest = match seconds(rest) {
        Some((dst, rest)) if !rest.is_empty() || dst != 0 => {
            if dst != std - 3600 {
                return Err("only a daylight saving of one hour is modelled".into());
            }
            rest
        }
        _ => rest,
    };
    let (start, end) =
        rest.strip_prefix(',').and_then(|r| r.split_once(',')).ok_or("no daylight-saving rule")?;
    let rule = if (start, end) == ("M3.2.0", "M11.1.0") {
        DstRule::UnitedStates
    } else {
        DstRule::Custom { start: transition(start)?, end: transition(end)? }
    };
    SiteCalendar::new(offset, rule).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_rules_become_site_clocks() {
        let new_york = from_posix("EST5EDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(
            new_york,
            SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::UnitedStates)
                .unwrap()
        );
        let paris = from_posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        let eu = SiteCalendar::new(UtcOffset::from_minutes(60).unwrap(), DstRule::EuropeanUnion)
            .unwrap();
        // The same instants as the EU rule, every hour of two years.
        let start = 1_767_225_600_000_u64; // 2026-01-01
        for hour in 0..(2 * 366 * 24) {
            let at = start + hour * 3_600_000;
            assert_eq!(paris.to_local(at), eu.to_local(at), "{at}");
        }
        assert_eq!(from_posix("<+0530>-5:30").unwrap().standard_offset().minutes(), 330);
        assert_eq!(from_posix("UTC0").unwrap(), SiteCalendar::UTC);
        // Lord Howe's half-hour daylight saving is not modelled; nor are Julian-day rules.
        assert!(
            from_posix("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0").unwrap_err().contains("one hour")
        );
        assert!(from_posix("EST5EDT,J60,J300").is_err());
        assert!(from_posix("").is_err());
    }

    #[test]
    fn names_are_looked_up_in_the_tz_database() {
        let dir = std::env::temp_dir().join(format!("callboard-tzdir-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("America")).unwrap();
        // A TZif v2 file as far as it is read here: the magic and the closing TZ string.
        std::fs::write(
            dir.join("America/New_York"),
            b"TZif2\0\0\x01\x02binary table\nEST5EDT,M3.2.0,M11.1.0\n",
        )
        .unwrap();
        std::fs::write(dir.join("Old"), b"TZif\0only version 1\n").unwrap();
        let zone = |name| site_calendar_in(&dir, name);
        assert_eq!(zone("America/New_York").unwrap().standard_offset().minutes(), -300);
        assert!(zone("Old").unwrap_err().contains("version 2"));
        assert!(zone("Mars/Olympus_Mons").unwrap_err().contains("cannot read"));
        assert!(zone("../etc/passwd").unwrap_err().contains("not a time-zone name"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
