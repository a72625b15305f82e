//! The forecast `callboard staff --forecast` plans: a CSV of `interval_start,calls,aht_seconds`
//! (a header row naming those columns, in any order, is optional; `#` comments and blank lines
//! are skipped), read through the `csv` crate.

use callboard_queue_log::local_time::parse_local_datetime;

/// One interval of a forecast: when it starts (as written), its calls and handle time.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastInterval {
    /// The interval's start, exactly as the forecast wrote it.
    pub start: String,
    /// Minutes since 1970-01-01 00:00 of the local start, for interval arithmetic.
    pub start_minute: i64,
    /// Calls forecast for the interval.
    pub calls: f64,
    /// Average handle time forecast, in seconds (may be 0 when there are no calls).
    pub aht_seconds: f64,
}

/// A local date and time, `YYYY-MM-DD HH:MM[:SS]` or with a `T`, as minutes since 1970-01-01.
fn parse_local_minute(text: &str) -> Option<i64> {
    let (date, millis) = parse_local_datetime(text).ok()?;
    Some(date.days_since_epoch() * 1440 + i64::from(millis / 60_000))
}

/// Reads a forecast: `interval_start,calls,aht_seconds`. Starts must increase.
///
/// # Errors
/// A message naming the first bad line: a missing column, a number that is not one, negative
/// calls, calls with no handle time, a start that does not parse or does not increase.
pub fn parse_forecast(text: &str) -> Result<Vec<ForecastInterval>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut columns = (0, 1, 2);
    let mut intervals: Vec<ForecastInterval> = Vec::new();
    let mut seen_data = false;
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let number = record.position().map_or(0, csv::Position::line);
        let fields: Vec<&str> = record.iter().collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if !seen_data && parse_local_minute(fields[0]).is_none() {
            let find = |names: &[&str]| {
                fields.iter().position(|f| names.iter().any(|n| f.eq_ignore_ascii_case(n)))
            };
            let start = find(&["interval_start", "start", "interval"]);
            let calls = find(&["calls", "offered", "volume"]);
            let aht = find(&["aht_seconds", "aht", "aht_s", "handle_seconds"]);
            match (start, calls, aht) {
                (Some(s), Some(c), Some(a)) => {
                    columns = (s, c, a);
                    seen_data = true;
                    continue;
                }
                _ => {
                    return Err(format!(
                        "line {number}: expected a header naming interval_start, calls and \
                         aht_seconds, or a first interval like 2026-11-23 08:00,42,240"
                    ));
                }
            }
        }
        seen_data = true;
        let field = |i: usize, what: &str| {
            fields.get(i).copied().ok_or_else(|| format!("line {number}: no {what} column"))
        };
        let start = field(columns.0, "interval start")?;
        let start_minute = parse_local_minute(start).ok_or_else(|| {
            format!("line {number}: {start:?} is not a local time like 2026-11-23 08:00")
        })?;
        let number_field = |i: usize, what: &str| -> Result<f64, String> {
            let text = field(i, what)?;
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
                _ => Err(format!("line {number}: {what} {text:?} is not a number, 0 or more")),
            }
        };
        let calls = number_field(columns.1, "calls")?;
        let aht_seconds = number_field(columns.2, "AHT")?;
        if calls > 0.0 && aht_seconds <= 0.0 {
            return Err(format!("line {number}: {calls} calls with no handle time"));
        }
        if let Some(previous) = intervals.last() {
            if start_minute <= previous.start_minute {
                return Err(format!(
                    "line {number}: {start} does not come after {}",
                    previous.start
                ));
            }
        }
        intervals.push(ForecastInterval {
            start: start.to_owned(),
            start_minute,
            calls,
            aht_seconds,
        });
    }
    if intervals.is_empty() {
        return Err("the forecast has no intervals".into());
    }
    Ok(intervals)
}

/// The interval length of a forecast: the shortest step between starts (closed hours may leave
/// gaps), or 15 minutes for a single interval.
#[must_use]
pub fn interval_minutes(intervals: &[ForecastInterval]) -> i64 {
    intervals.windows(2).map(|w| w[1].start_minute - w[0].start_minute).min().unwrap_or(15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_with_a_header_in_any_order() {
        let text = "# week 48\ncalls,interval_start,aht_seconds\n12,2026-11-23 08:00,240\n\n\
                    0,2026-11-23T08:15,0\n30.5,2026-11-23 09:00:00,300\n";
        let intervals = parse_forecast(text).unwrap();
        assert_eq!(intervals.len(), 3);
        assert_eq!(intervals[0].calls, 12.0);
        assert_eq!(intervals[2].aht_seconds, 300.0);
        assert_eq!(interval_minutes(&intervals), 15);
    }

    #[test]
    fn forecast_errors_name_the_line() {
        let cases = [
            ("2026-11-23 08:00,-3,240\n", "line 1"),
            ("2026-11-23 08:00,3,0\n", "no handle time"),
            ("2026-11-23 08:00,3\n", "no AHT column"),
            ("2026-11-23 08:15,3,200\n2026-11-23 08:00,3,200\n", "line 2"),
            ("start,calls\n", "expected a header"),
            ("2026-11-23 25:00,3,200\n", "line 1"),
            ("# nothing\n", "no intervals"),
        ];
        for (text, expected) in cases {
            let error = parse_forecast(text).unwrap_err();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }
}
