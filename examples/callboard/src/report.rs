//! The interval report: one table per queue, as text for a terminal or as JSON for programs.
//!
//! The JSON shape is a stable contract, documented in `docs/report-json.md`; keys are only ever
//! added, never renamed or removed.

use std::fmt::Write as _;

use callboard_core::calendar::{LocalDate, MILLIS_PER_SECOND, SiteCalendar, Timestamp};
use callboard_core::csat::{BASELINE_QUESTIONS, BaselineQuestion, CsatTally};
use callboard_core::interval::{Figures, IntervalStats, WaitBuckets};
use serde::Serialize;

use callboard_queue_log::RowWarning;
use callboard_queue_log::replay::Replayed;

/// The reporting period of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPeriod {
    /// Intervals of this many minutes (15, 30 or 60).
    Minutes(u32),
    /// Local days.
    Day,
}

impl RowPeriod {
    /// `15m`, `30m`, `1h` or `1d`.
    #[must_use]
    pub fn label(self) -> String {
        match self {
            Self::Minutes(60) => "1h".into(),
            Self::Minutes(m) => format!("{m}m"),
            Self::Day => "1d".into(),
        }
    }
}

/// How the figures were computed, echoed in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// `15m`, `30m`, `1h` or `1d`.
    pub interval: String,
    /// The service-level threshold T in seconds.
    pub sl_threshold_seconds: f64,
    /// How T was given: `"20 s"` or `"3 rings × 6 s"`.
    pub sl_threshold: String,
    /// The short-abandon threshold S in seconds.
    pub short_abandon_seconds: f64,
    /// The site's standard UTC offset, `±HH:MM`.
    pub utc_offset: String,
    /// `us`, `eu` or `none`.
    pub dst: String,
    /// `entry` or `exit`: the interval calls are counted in.
    pub attribution: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// How the figures were computed.
    pub settings: Settings,
    /// Upper bounds (inclusive, seconds) of the wait histogram buckets; the last bucket holds
    /// every longer wait.
    pub wait_buckets_seconds: Vec<u32>,
    /// One entry per queue, sorted by name.
    pub queues: Vec<QueueReport>,
    /// Every queue together.
    pub all_queues: Row,
    /// Every input line that could not be counted as it stood.
    pub warnings: Vec<RowWarning>,
    /// Calls without an outcome when the log ended.
    pub open_calls: usize,
    /// The post-call surveys by the local day of the calls rated (left out when there were no
    /// responses).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub csat: Vec<CsatDay>,
}

/// One day's survey results, by the core's CSAT definitions.
#[derive(Debug, Clone, Serialize)]
pub struct CsatDay {
    /// The local day of the calls rated, `YYYY-MM-DD`.
    pub date: String,
    /// Responses.
    pub responses: u32,
    /// The mean score on the survey's scale.
    pub mean_score: Option<f64>,
    /// The share of responses in the top two points of the scale.
    pub top_two_box: Option<f64>,
    /// Each baseline question's yes share, in the order explained_process, had_information,
    /// timely, satisfied (`null` when nobody answered it).
    pub yes_rates: [Option<f64>; BASELINE_QUESTIONS],
    /// Responses asking to be contacted again.
    pub follow_ups_requested: u32,
    /// The day, for the text table.
    #[serde(skip)]
    pub day: LocalDate,
}

impl CsatDay {
    fn new(date: LocalDate, tally: &CsatTally) -> Self {
        Self {
            date: date.to_string(),
            responses: tally.responses,
            mean_score: tally.mean_score(),
            top_two_box: tally.top_two_box_rate(),
            yes_rates: BaselineQuestion::ALL.map(|q| tally.yes_rate(q)),
            follow_ups_requested: tally.follow_ups_requested,
            day: date,
        }
    }
}

/// One queue's rows and total.
#[derive(Debug, Clone, Serialize)]
pub struct QueueReport {
    /// The queue name.
    pub queue: String,
    /// One row per interval (or day), oldest first.
    pub intervals: Vec<Row>,
    /// All rows together.
    pub total: Row,
}

/// One row: an interval, a day, or a total.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// First instant, seconds since the epoch (a total's is its first row's).
    pub start_epoch: u64,
    /// First instant after the period, seconds since the epoch.
    pub end_epoch: u64,
    /// `start_epoch` in the site's local time, ISO 8601 with offset.
    pub start_local: String,
    /// Calls that entered the queue.
    pub offered: u32,
    /// Calls answered by an agent.
    pub answered: u32,
    /// Callers who hung up while waiting (short abandons included).
    pub abandoned: u32,
    /// Abandoned before the short-abandon threshold.
    pub short_abandoned: u32,
    /// Calls the system took out of the queue (timeout, empty queue, key press, withdrawal).
    pub dequeued: u32,
    /// Calls moved to another queue.
    pub transferred_out: u32,
    /// Answered with wait ≤ T.
    pub answered_within_sl: u32,
    /// Abandoned (not short) with wait ≤ T.
    pub abandoned_within_sl: u32,
    /// Calls still waiting when the log ended.
    pub waiting: u32,
    /// Answered calls whose conversation ended.
    pub handled: u32,
    /// The derived figures: the four service levels, ASA, AHT, average abandon time, abandon
    /// rate, max wait, occupancy, utilization (the core's definitions, `null` when undefined).
    #[serde(flatten)]
    pub figures: Figures,
    /// Answered calls per wait bucket (see `wait_buckets_seconds`).
    pub answered_waits: Vec<u32>,
    /// Abandoned calls per wait bucket.
    pub abandoned_waits: Vec<u32>,
    /// The figures the row was made from, for the text table.
    #[serde(skip)]
    pub stats: IntervalStats,
}

impl Row {
    fn new(
        start: Timestamp,
        end: Timestamp,
        stats: &IntervalStats,
        calendar: &SiteCalendar,
    ) -> Self {
        Self {
            start_epoch: start / MILLIS_PER_SECOND,
            end_epoch: end / MILLIS_PER_SECOND,
            start_local: iso_local(start, calendar),
            offered: stats.offered,
            answered: stats.answered,
            abandoned: stats.abandoned,
            short_abandoned: stats.short_abandoned,
            dequeued: stats.dequeued,
            transferred_out: stats.transferred_out,
            answered_within_sl: stats.answered_within_sl,
            abandoned_within_sl: stats.abandoned_within_sl,
            waiting: stats.waiting,
            handled: stats.handled,
            figures: stats.figures(),
            answered_waits: stats.answered_waits.counts.to_vec(),
            abandoned_waits: stats.abandoned_waits.counts.to_vec(),
            stats: *stats,
        }
    }
}

fn iso_local(at: Timestamp, calendar: &SiteCalendar) -> String {
    let l = calendar.to_local(at);
    let offset = callboard_core::calendar::UtcOffset::from_minutes(i32::from(l.offset_minutes))
        .map_or_else(|_| "+00:00".to_owned(), |o| o.to_string());
    format!("{}T{:02}:{:02}:{:02}{offset}", l.date, l.hour(), l.minute(), l.second())
}

/// Builds the report from a replay.
#[must_use]
pub fn build(
    replayed: &Replayed,
    period: RowPeriod,
    settings: Settings,
    calendar: &SiteCalendar,
    buckets: &WaitBuckets,
) -> Report {
    let queues: Vec<QueueReport> = replayed
        .queues
        .iter()
        .map(|q| {
            let rows: Vec<(Timestamp, Timestamp, IntervalStats)> = match period {
                RowPeriod::Minutes(_) => {
                    q.intervals.iter().map(|r| (r.start, r.end, r.stats)).collect()
                }
                RowPeriod::Day => q.days.iter().map(|d| (d.start, d.end, d.stats)).collect(),
            };
            let mut total = IntervalStats::default();
            for (_, _, stats) in &rows {
                total.merge(stats);
            }
            let first = rows.first().map_or(0, |r| r.0);
            let last = rows.last().map_or(0, |r| r.1);
            QueueReport {
                queue: q.name.clone(),
                intervals: rows.iter().map(|(s, e, st)| Row::new(*s, *e, st, calendar)).collect(),
                total: Row::new(first, last, &total, calendar),
            }
        })
        .collect();
    let mut all = IntervalStats::default();
    for q in &queues {
        all.merge(&q.total.stats);
    }
    let first = queues.iter().map(|q| q.total.start_epoch).min().unwrap_or(0);
    let last = queues.iter().map(|q| q.total.end_epoch).max().unwrap_or(0);
    let all_queues = Row::new(first * MILLIS_PER_SECOND, last * MILLIS_PER_SECOND, &all, calendar);
    Report {
        settings,
        wait_buckets_seconds: buckets.upper_bounds_s().to_vec(),
        queues,
        all_queues,
        warnings: replayed.warnings.clone(),
        open_calls: replayed.open_calls.len(),
        csat: replayed.csat.iter().map(|(date, tally)| CsatDay::new(*date, tally)).collect(),
    }
}

/// Warnings shown in the text report before it points to `--json` for the rest.
const WARNINGS_SHOWN: usize = 25;

/// The report as text for a terminal.
#[must_use]
pub fn render_text(report: &Report, calendar: &SiteCalendar) -> String {
    let mut out = String::new();
    let s = &report.settings;
    let _ = writeln!(
        out,
        "callboard report · {} rows · service level within {} · short abandon < {} s · UTC{} (DST {}) · calls counted at queue {}",
        s.interval, s.sl_threshold, s.short_abandon_seconds, s.utc_offset, s.dst, s.attribution
    );
    let header = format!(
        "{:<12}{:>7}{:>7}{:>7}{:>6}{:>6}{:>6}{:>6} {:>8}{:>8}{:>8}{:>8} {:>7}{:>7}{:>7}{:>8}{:>7}",
        "",
        "Offer",
        "Answ",
        "Aband",
        "Short",
        "Deq",
        "Xfer",
        "InQ",
        "SL ans",
        "SL off",
        "SL ign",
        "SL pos",
        "ASA",
        "AHT",
        "AvgAb",
        "MaxWait",
        "Aband%"
    );
    let mut hidden = 0;
    for q in &report.queues {
        let _ = writeln!(out, "\nQueue {}", q.queue);
        let _ = writeln!(out, "{header}");
        let mut day = None;
        for row in &q.intervals {
            if !has_calls(&row.stats) {
                hidden += 1;
                continue;
            }
            let local = calendar.to_local(row.start_epoch * MILLIS_PER_SECOND);
            let label = if s.interval == "1d" {
                local.date.to_string()
            } else {
                if day != Some(local.date) {
                    let _ = writeln!(out, "{} {}", weekday(local.date), local.date);
                    day = Some(local.date);
                }
                let end = calendar.to_local(row.end_epoch * MILLIS_PER_SECOND);
                format!(
                    "{:02}:{:02}-{:02}:{:02}",
                    local.hour(),
                    local.minute(),
                    end.hour(),
                    end.minute()
                )
            };
            let _ = writeln!(out, "{}", text_row(&label, row));
        }
        let _ = writeln!(out, "{}", text_row("Total", &q.total));
    }
    if report.queues.len() > 1 {
        let _ = writeln!(out, "\nAll queues\n{header}\n{}", text_row("Total", &report.all_queues));
    }
    if hidden > 0 {
        let _ =
            writeln!(out, "\n({hidden} rows without calls are not shown; --json lists every row.)");
    }
    if !report.csat.is_empty() {
        let _ = writeln!(out, "\nCSAT (post-call surveys, by the day of the calls rated)");
        for day in &report.csat {
            let _ = writeln!(
                out,
                "{} {}  {} responses  mean {}  top two {}  satisfied {}  follow-ups {}",
                weekday(day.day),
                day.date,
                day.responses,
                day.mean_score.map_or_else(|| "-".to_owned(), |m| format!("{m:.2}")),
                percent(day.top_two_box),
                percent(day.yes_rates[3]),
                day.follow_ups_requested
            );
        }
    }
    let _ = writeln!(
        out,
        "\nInQ: calls still in the queue when the log ends. Calls still open (waiting or with an \
         agent) when the log ends: {}",
        report.open_calls
    );
    if report.warnings.is_empty() {
        let _ = writeln!(out, "No warnings: every line was counted.");
    } else {
        let _ = writeln!(out, "Warnings ({}):", report.warnings.len());
        for w in report.warnings.iter().take(WARNINGS_SHOWN) {
            let _ = writeln!(out, "  {w}");
        }
        if report.warnings.len() > WARNINGS_SHOWN {
            let _ = writeln!(
                out,
                "  … and {} more (--json lists them all)",
                report.warnings.len() - WARNINGS_SHOWN
            );
        }
    }
    out
}

/// Whether any call was counted: rows with only agent time are left out of the text table.
fn has_calls(s: &IntervalStats) -> bool {
    s.offered > 0 || s.waiting > 0 || s.handled > 0 || s.answered > 0
}

fn weekday(date: LocalDate) -> &'static str {
    use callboard_core::calendar::Weekday;
    match date.weekday() {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

fn text_row(label: &str, row: &Row) -> String {
    let (f, sl) = (&row.figures, row.figures.service_level);
    format!(
        "{:<12}{:>7}{:>7}{:>7}{:>6}{:>6}{:>6}{:>6} {:>8}{:>8}{:>8}{:>8} {:>7}{:>7}{:>7}{:>8}{:>7}",
        label,
        row.offered,
        row.answered,
        row.abandoned,
        row.short_abandoned,
        row.dequeued,
        row.transferred_out,
        row.waiting,
        percent(sl.answered),
        percent(sl.offered),
        percent(sl.abandons_ignored),
        percent(sl.abandons_positive),
        duration(f.asa_seconds),
        duration(f.aht_seconds),
        duration(f.average_abandon_seconds),
        duration(f.max_wait_seconds),
        percent(f.abandon_rate),
    )
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |x| format!("{:.1}%", 100.0 * x))
}

/// `m:ss`, or `h:mm:ss` from an hour on, rounded to the second.
fn duration(seconds: Option<f64>) -> String {
    let Some(seconds) = seconds else {
        return "-".to_owned();
    };
    let total = seconds.round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// The report as pretty-printed JSON.
///
/// # Errors
/// Never in practice: every value is a number, string, array or object.
pub fn render_json(report: &Report) -> serde_json::Result<String> {
    serde_json::to_string_pretty(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_percentages() {
        assert_eq!(duration(Some(12.4)), "0:12");
        assert_eq!(duration(Some(185.0)), "3:05");
        assert_eq!(duration(Some(3725.0)), "1:02:05");
        assert_eq!(duration(None), "-");
        assert_eq!(percent(Some(0.7777)), "77.8%");
        assert_eq!(percent(None), "-");
    }
}
