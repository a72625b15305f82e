//! Compliance with the agreements: each request's life run through the core's SLA tracker up
//! to an instant, summed per department and request type over a period of local days, as a
//! table or JSON (`callboard sla report`, `GET /api/v1/agreements` of `callboard serve`).

use std::collections::{BTreeMap, BTreeSet};

use callboard_core::calendar::{LocalDate, SiteCalendar, Timestamp};
use callboard_core::sla::{
    DepartmentId, RequestId, RequestType, SlaFilter, SlaPolicy, SlaSummary, SlaTracker,
};
use callboard_queue_log::RowWarning;
use serde::Serialize;

use crate::policies::Policies;
use crate::requests::{RequestRow, Requests};

/// Requests open at once the report can follow.
pub const OPEN_REQUESTS: usize = 16_384;
/// Department × type pairs.
pub const KEYS: usize = 64;
/// Days kept per pair (a little over a year).
pub const DAYS: usize = 400;

pub(crate) type Tracker = SlaTracker<OPEN_REQUESTS, KEYS, DAYS>;

/// One department × type line of the report (or a department's total).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportLine {
    /// The department.
    pub department: String,
    /// The request type; `None` for the department's total.
    pub request_type: Option<String>,
    /// The target, as the policy says it.
    pub target: Option<String>,
    /// Opened in the period.
    pub opened: u32,
    /// Closed in the period.
    pub closed: u32,
    /// Closed within the target.
    pub met: u32,
    /// Closed past it.
    pub missed: u32,
    /// Met ÷ closed.
    pub compliance: Option<f64>,
    /// Open now under the at-risk point.
    pub open_on_time: u32,
    /// Open now past the at-risk point.
    pub open_at_risk: u32,
    /// Open now past the target.
    pub open_breached: u32,
    /// Median business hours to close (from the histogram).
    pub median_close_hours: Option<f64>,
    /// 90th-percentile business hours to close (from the histogram).
    pub p90_close_hours: Option<f64>,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaReport {
    /// First day covered (local).
    pub from: String,
    /// Last day covered (local).
    pub to: String,
    /// The instant open requests are judged at (local).
    pub now: String,
    /// Rows read.
    pub requests: usize,
    /// Rows not read: line and reason.
    pub rejected: Vec<RowWarning>,
    /// Per department and type, then each department's total, then the city's.
    pub lines: Vec<ReportLine>,
}

/// The requests of a file run through the tracker up to an instant.
pub(crate) struct Loaded {
    pub(crate) tracker: Box<Tracker>,
    /// Departments by name, numbered in the order they first appear.
    pub(crate) departments: BTreeMap<String, DepartmentId>,
    /// Rows counted.
    pub(crate) read: usize,
    /// Rows not counted: line and reason.
    pub(crate) rejected: Vec<RowWarning>,
    /// Rows opened after the instant: not counted, not wrong.
    pub(crate) later: Vec<usize>,
    /// The instant open requests are judged at.
    pub(crate) now: Timestamp,
    /// The local day the first request counted was opened.
    pub(crate) first_day: Option<LocalDate>,
}

/// Feeds each request's life up to `now` (default: the last instant in the file) to a tracker
/// set up with `policies`.
pub(crate) fn load(
    policies: &Policies,
    requests: &Requests,
    now: Option<Timestamp>,
) -> Result<Loaded, String> {
    let site = policies.site;
    let rows = &requests.rows;
    let mut rejected = requests.unreadable.clone();
    let last_instant = rows
        .iter()
        .flat_map(|(_, r)| {
            let pauses = r.pauses.iter().flat_map(|(a, b)| [Some(*a), *b]).flatten();
            [r.opened].into_iter().chain(r.closed).chain(pauses)
        })
        .max();
    let now = now.or(last_instant).unwrap_or(0);

    let mut tracker: Box<Tracker> = policies.tracker()?;
    let mut departments: BTreeMap<String, DepartmentId> = BTreeMap::new();
    let mut seen_ids = BTreeSet::new();
    let mut read = 0;
    let mut later = Vec::new();
    let mut first_day = None;
    for (line, row) in rows {
        let line = *line;
        let Some((_, policy, _)) =
            policies.policies.iter().find(|(name, _, _)| *name == row.request_type)
        else {
            rejected.push(RowWarning::at(
                line,
                format!("no policy for the type {:?}", row.request_type),
            ));
            continue;
        };
        if !seen_ids.insert(row.id.clone()) {
            rejected.push(RowWarning::at(line, format!("the id {:?} appears twice", row.id)));
            continue;
        }
        if row.opened > now {
            later.push(line);
            continue;
        }
        let next = u32::try_from(departments.len()).unwrap_or(u32::MAX);
        let department = *departments.entry(row.department.clone()).or_insert(DepartmentId(next));
        // The tracker's id is the row's line: unique, whatever became of the rows before.
        let id = RequestId(u64::try_from(line).unwrap_or(u64::MAX));
        match apply(&mut tracker, id, policy.request_type, department, row, now) {
            Ok(()) => {
                read += 1;
                let day = site.local_date(row.opened);
                first_day = Some(first_day.map_or(day, |first: LocalDate| first.min(day)));
            }
            Err(e) => rejected.push(RowWarning::at(line, e)),
        }
    }
    Ok(Loaded { tracker, departments, read, rejected, later, now, first_day })
}

/// Runs the requests in `csv_text` through the agreements: compliance over the local days
/// `from..=to` (default: the days the file covers) with open requests judged at `now`
/// (default: the last instant in the file).
///
/// The tracker is a few megabytes of fixed-capacity state: it is run on a thread of its own
/// with a roomy stack, so any caller's thread will do.
///
/// # Errors
/// A file that is not a CSV with the expected header, or a tracker that overflows.
pub fn report(
    policies: &Policies,
    csv_text: &str,
    from: Option<LocalDate>,
    to: Option<LocalDate>,
    now: Option<Timestamp>,
) -> Result<SlaReport, String> {
    on_tracker_stack(|| report_here(policies, csv_text, from, to, now))
}

/// Runs `job` on a thread with the stack the tracker needs, and waits for it.
pub(crate) fn on_tracker_stack<T: Send>(
    job: impl FnOnce() -> Result<T, String> + Send,
) -> Result<T, String> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("sla".into())
            .stack_size(callboard_queue_log::replay::REPLAY_STACK_BYTES)
            .spawn_scoped(scope, job)
            .map_err(|e| format!("cannot start the SLA tracker: {e}"))?
            .join()
            .map_err(|_| "the SLA tracker's thread panicked".to_owned())?
    })
}

fn report_here(
    policies: &Policies,
    csv_text: &str,
    from: Option<LocalDate>,
    to: Option<LocalDate>,
    now: Option<Timestamp>,
) -> Result<SlaReport, String> {
    let site = policies.site;
    let requests = Requests::read(&site, csv_text)?;
    let Loaded { tracker, departments, read, mut rejected, later, now, first_day } =
        load(policies, &requests, now)?;
    rejected.extend(
        later.iter().map(|&line| RowWarning::at(line, "opened after the report's instant")),
    );
    rejected.sort();
    let from = from.or(first_day).unwrap_or_else(|| site.local_date(now));
    let to = to.unwrap_or_else(|| site.local_date(now));

    let keys: BTreeSet<(DepartmentId, RequestType)> = tracker.keys().collect();
    let mut types: Vec<&(String, SlaPolicy, String)> = policies.policies.iter().collect();
    types.sort_by(|a, b| a.0.cmp(&b.0));
    let line_of =
        |department: &str, request_type: Option<&(String, SlaPolicy, String)>, s: &SlaSummary| {
            ReportLine {
                department: department.to_owned(),
                request_type: request_type.map(|t| t.0.clone()),
                target: request_type.map(|t| t.2.clone()),
                opened: s.opened,
                closed: s.closed,
                met: s.met,
                missed: s.missed,
                compliance: s.compliance(),
                open_on_time: s.open_on_time,
                open_at_risk: s.open_at_risk,
                open_breached: s.open_breached,
                median_close_hours: s.median_close_ms().map(hours),
                p90_close_hours: s.p90_close_ms().map(hours),
            }
        };
    // Departments by name, each one's types by name, then its total.
    let mut lines = Vec::new();
    for (name, &department) in &departments {
        let mut any = false;
        for policy in types.iter().filter(|t| keys.contains(&(department, t.1.request_type))) {
            let filter = SlaFilter {
                department: Some(department),
                request_type: Some(policy.1.request_type),
            };
            lines.push(line_of(name, Some(policy), &tracker.summary(filter, from, to, now)));
            any = true;
        }
        if any {
            let filter = SlaFilter { department: Some(department), request_type: None };
            lines.push(line_of(name, None, &tracker.summary(filter, from, to, now)));
        }
    }
    lines.push(line_of(
        "All departments",
        None,
        &tracker.summary(SlaFilter::default(), from, to, now),
    ));
    Ok(SlaReport {
        from: from.to_string(),
        to: to.to_string(),
        now: local_text(&site, now),
        requests: read,
        rejected,
        lines,
    })
}

/// Feeds one request's life to the tracker, up to `now`: a request still open then stays open.
fn apply(
    tracker: &mut Tracker,
    id: RequestId,
    request_type: RequestType,
    department: DepartmentId,
    row: &RequestRow,
    now: Timestamp,
) -> Result<(), String> {
    tracker.open(id, request_type, department, row.opened).map_err(|e| e.to_string())?;
    // The row's order was checked when it was read, so the engine only refuses what it cannot
    // keep (a day older than every day kept); the request then stays as far as it got.
    for (from, to) in &row.pauses {
        if *from > now {
            break;
        }
        tracker.pause(id, *from).map_err(|e| e.to_string())?;
        match to {
            Some(to) if *to <= now => tracker.resume(id, *to).map_err(|e| e.to_string())?,
            _ => return Ok(()),
        }
    }
    if let Some(closed) = row.closed.filter(|&c| c <= now) {
        tracker.close(id, closed).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn hours(ms: u64) -> f64 {
    ms as f64 / 3_600_000.0
}

fn local_text(site: &SiteCalendar, at: Timestamp) -> String {
    let local = site.to_local(at);
    format!("{} {:02}:{:02}", local.date, local.hour(), local.minute())
}

/// The report as a table.
#[must_use]
pub fn render_text(report: &SlaReport) -> String {
    let mut out = format!(
        "SLA compliance {} to {}, open requests as of {} ({} requests)\n\n",
        report.from, report.to, report.now, report.requests
    );
    out.push_str(&format!(
        "{:<20} {:<24} {:<17} {:>6} {:>6} {:>5} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8}\n",
        "department",
        "type",
        "target",
        "opened",
        "closed",
        "met",
        "missed",
        "comply",
        "on time",
        "at risk",
        "breached",
        "median h",
        "p90 h"
    ));
    for line in &report.lines {
        let (department, request_type) = match &line.request_type {
            Some(t) => (line.department.as_str(), t.as_str()),
            None => (line.department.as_str(), "(all)"),
        };
        out.push_str(&format!(
            "{:<20} {:<24} {:<17} {:>6} {:>6} {:>5} {:>6} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8}\n",
            department,
            request_type,
            line.target.as_deref().unwrap_or(""),
            line.opened,
            line.closed,
            line.met,
            line.missed,
            line.compliance.map_or("-".into(), |c| format!("{:.1} %", 100.0 * c)),
            line.open_on_time,
            line.open_at_risk,
            line.open_breached,
            line.median_close_hours.map_or("-".into(), |h| format!("{h:.1}")),
            line.p90_close_hours.map_or("-".into(), |h| format!("{h:.1}")),
        ));
    }
    if !report.rejected.is_empty() {
        out.push_str(&format!(
            "\n{} rows not counted (first: {})\n",
            report.rejected.len(),
            report.rejected.first().map_or_else(String::new, ToString::to_string)
        ));
    }
    out.push_str("\nmedian and p90: business hours to close (calendar hours for calendar targets), from the core's bounded histograms\n");
    out
}

/// The report as JSON.
///
/// # Errors
/// Never in practice (plain data).
pub fn render_json(report: &SlaReport) -> serde_json::Result<String> {
    serde_json::to_string_pretty(report)
}
