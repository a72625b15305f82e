//! `callboard sla report`: service requests from a CSV, agreements from a TOML file, run through
//! the core's SLA tracker, compliance per department and request type. The two files' formats
//! are in `input/policies.rs` and `input/requests.rs`.

use std::collections::{BTreeMap, BTreeSet};

use callboard_core::board::{
    AlertThresholds, BoardAgreement, BoardFrame, LABEL_BYTES, SLA_LINES_PER_FRAME, SlaLine,
};
use callboard_core::calendar::{LocalDate, SiteCalendar, Timestamp};
use callboard_core::share::Share;
use callboard_core::sla::{
    DepartmentId, RequestId, RequestType, SlaFilter, SlaPolicy, SlaSummary, SlaTracker,
};
use callboard_floor::choice::Choice;
use callboard_queue_log::RowWarning;
use serde::Serialize;

use crate::input::policies::Policies;
use crate::input::requests::{RequestRow, Requests};

/// Requests open at once the report can follow.
pub const OPEN_REQUESTS: usize = 16_384;
/// Department × type pairs.
pub const KEYS: usize = 64;
/// Days kept per pair (a little over a year).
pub const DAYS: usize = 400;
/// The longest period a board's agreement lines cover, in days: every day the tracker keeps.
pub const MAX_BOARD_DAYS: u32 = DAYS as u32;

type Tracker = SlaTracker<OPEN_REQUESTS, KEYS, DAYS>;

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
struct Loaded {
    tracker: Box<Tracker>,
    /// Departments by name, numbered in the order they first appear.
    departments: BTreeMap<String, DepartmentId>,
    /// Rows counted.
    read: usize,
    /// Rows not counted: line and reason.
    rejected: Vec<RowWarning>,
    /// Rows opened after the instant: not counted, not wrong.
    later: Vec<usize>,
    /// The instant open requests are judged at.
    now: Timestamp,
    /// The local day the first request counted was opened.
    first_day: Option<LocalDate>,
}

/// A requests file read: its rows by line, and the lines that could not be read.
/// Feeds each request's life up to `now` (default: the last instant in the file) to a tracker
/// set up with `policies`.
fn load(
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
/// # Errors
/// A file that is not a CSV with the expected header, or a tracker that overflows.
pub fn report(
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

/// A department to put on a reader board: its name in the requests file, its label on the
/// board, and the compliance the city agreed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardChoice {
    /// The department as the requests file names it.
    pub department: String,
    /// The board's label (the name, upper-cased, when not given).
    pub label: String,
    /// The compliance goal, permille.
    pub goal_permille: u16,
}

/// A department's label when none is given: its name in capitals, cut to what a board shows.
fn default_label(name: &str) -> String {
    let mut label = name.to_uppercase();
    while label.len() > LABEL_BYTES {
        label.pop();
    }
    label.trim_end().to_owned()
}

/// Parses `DEPARTMENT[=LABEL][@GOAL]` ([`Choice`]), e.g. `Sanitation=SANITATION@90%`; the goal
/// defaults to 90 % and the label to the name in capitals, cut to 16 bytes.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_board_choice(text: &str) -> Result<BoardChoice, String> {
    let choice: Choice = text.parse().map_err(|_| {
        format!("expected DEPARTMENT, DEPARTMENT=LABEL or DEPARTMENT=LABEL@90%, not {text:?}")
    })?;
    Ok(BoardChoice {
        label: choice.label.unwrap_or_else(|| default_label(&choice.name)),
        department: choice.name,
        goal_permille: choice.share.map_or(900, Share::permille),
    })
}

/// Service agreements as reader boards show them: the requests and the agreements, the
/// departments to show, and the period compliance covers.
#[derive(Debug)]
pub struct BoardAgreements {
    policies: Policies,
    requests: Requests,
    choices: Vec<BoardChoice>,
    days: u32,
}

/// A board's agreement lines at an instant, and what could not be counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardLines {
    /// One line per department chosen, in order.
    pub lines: Vec<SlaLine>,
    /// Rows of the requests file not counted: line and reason.
    pub rejected: Vec<RowWarning>,
}

impl BoardAgreements {
    /// Agreements from `policies` and the requests file's text, for the departments in
    /// `choices` (every department in the file, by name, when empty), with compliance over the
    /// `days` local days ending on a frame's own day.
    ///
    /// # Errors
    /// More than [`SLA_LINES_PER_FRAME`] departments, a period of no days, a label too long for
    /// a board, or a requests file that cannot be read.
    pub fn new(
        policies: Policies,
        requests: String,
        choices: Vec<BoardChoice>,
        days: u32,
    ) -> Result<Self, String> {
        if !(1..=MAX_BOARD_DAYS).contains(&days) {
            return Err(format!("the SLA period must be 1 to {MAX_BOARD_DAYS} days, not {days}"));
        }
        let requests = Requests::read(&policies.site, &requests)?;
        let named: Vec<String> = requests.departments().into_iter().map(str::to_owned).collect();
        if let Some(unknown) = choices.iter().find(|c| !named.contains(&c.department)) {
            let known: Vec<&str> = named.iter().map(String::as_str).collect();
            return Err(format!(
                "the requests file has no department {:?} (it has: {})",
                unknown.department,
                known.join(", ")
            ));
        }
        let mut agreements = Self { policies, requests, choices, days };
        if agreements.choices.is_empty() {
            agreements.choices = named
                .into_iter()
                .map(|name| BoardChoice {
                    label: default_label(&name),
                    department: name,
                    goal_permille: 900,
                })
                .collect();
        }
        if agreements.choices.len() > SLA_LINES_PER_FRAME {
            return Err(format!(
                "a board frame carries at most {SLA_LINES_PER_FRAME} departments' agreements, \
                 not {} (choose them with --sla)",
                agreements.choices.len()
            ));
        }
        for choice in &agreements.choices {
            if choice.label.len() > LABEL_BYTES {
                return Err(format!(
                    "the board label {:?} is longer than {LABEL_BYTES} bytes: give a shorter one \
                     with --sla {}=LABEL",
                    choice.label, choice.department
                ));
            }
        }
        Ok(agreements)
    }

    /// The lines a board shows at `at`: each department's compliance over the period ending
    /// on `at`'s local day, and its requests open at risk and breached at `at`, from the
    /// requests as they stood then.
    ///
    /// A department with no request opened by `at` has a line with no figures yet.
    ///
    /// # Errors
    /// A requests file that cannot be read, or a tracker that cannot start.
    pub fn lines_at(
        &self,
        at: Timestamp,
        thresholds: &AlertThresholds,
    ) -> Result<BoardLines, String> {
        // The tracker is a few megabytes of fixed-capacity state: built on a roomy stack.
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("sla".into())
                .stack_size(callboard_queue_log::replay::REPLAY_STACK_BYTES)
                .spawn_scoped(scope, || self.lines_here(at, thresholds))
                .map_err(|e| format!("cannot start the SLA tracker: {e}"))?
                .join()
                .map_err(|_| "the SLA tracker's thread panicked".to_owned())?
        })
    }

    /// Puts the lines at the frame's own moment on `frame`, in place of any it carried;
    /// returns the rows of the requests file that could not be counted (line and reason).
    ///
    /// # Errors
    /// As [`Self::lines_at`]; the frame is left as it was.
    pub fn put_on(&self, frame: &mut BoardFrame) -> Result<Vec<RowWarning>, String> {
        let BoardLines { lines, rejected } =
            self.lines_at(frame.valid_at, &AlertThresholds::DEFAULT)?;
        let mut with = frame.clone();
        with.sla.clear();
        for line in lines {
            // At most SLA_LINES_PER_FRAME lines, by the check in `new`.
            with.add_sla(line).map_err(|e| e.to_string())?;
        }
        *frame = with;
        Ok(rejected)
    }

    fn lines_here(
        &self,
        at: Timestamp,
        thresholds: &AlertThresholds,
    ) -> Result<BoardLines, String> {
        let loaded = load(&self.policies, &self.requests, Some(at))?;
        let site = self.policies.site;
        // At most MAX_BOARD_DAYS, by the check in `new`.
        let days = u16::try_from(self.days).unwrap_or(u16::MAX);
        let mut lines = Vec::with_capacity(self.choices.len());
        for choice in &self.choices {
            let (label, goal_permille) = (choice.label.as_str(), choice.goal_permille);
            // A department named in the file with no request opened by `at` has no figures
            // yet.
            let line = match loaded.departments.get(&choice.department) {
                Some(&department) => {
                    let agreement = BoardAgreement { department, label, goal_permille };
                    SlaLine::for_agreement(&loaded.tracker, &site, &agreement, days, at, thresholds)
                }
                None => {
                    SlaLine::from_summary(label, &SlaSummary::default(), goal_permille, thresholds)
                }
            };
            lines.push(line.map_err(|e| e.to_string())?);
        }
        Ok(BoardLines { lines, rejected: loaded.rejected })
    }
}

impl callboard_floor::frame::FrameAddition for BoardAgreements {
    fn add_to(&self, frame: &mut BoardFrame) -> Result<Option<String>, String> {
        self.put_on(frame).map(|rejected| rejected_note(&rejected))
    }
}

/// What to tell the user when rows of a requests file feeding a board could not be counted.
#[must_use]
pub fn rejected_note(rejected: &[RowWarning]) -> Option<String> {
    let first = rejected.first()?;
    Some(format!(
        "{} rows of the requests file not counted (first: {first}); `callboard sla report` lists \
         them",
        rejected.len()
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_choices() {
        let choice = parse_board_choice("Parks and Forestry=PARKS@85%").unwrap();
        assert_eq!(
            (choice.department.as_str(), choice.label.as_str(), choice.goal_permille),
            ("Parks and Forestry", "PARKS", 850)
        );
        let default = parse_board_choice("Parks and Forestry").unwrap();
        assert_eq!((default.label.as_str(), default.goal_permille), ("PARKS AND FOREST", 900));
        // Cut at a character, never inside one: "Área de Parques y Jardines" in capitals.
        assert_eq!(parse_board_choice("Área de Parques").unwrap().label, "ÁREA DE PARQUES");
        assert_eq!(parse_board_choice("Área de Parques y").unwrap().label, "ÁREA DE PARQUES");
        for bad in ["", "=X", "Streets=", "Streets@150%", "Streets@x"] {
            assert!(parse_board_choice(bad).is_err(), "{bad:?}");
        }
    }
}
