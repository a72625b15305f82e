//! Post-call survey responses, the CSAT the boards post: from a survey tool's CSV export, and
//! from the `queue_log` lines a dialplan writes after an IVR survey (`QueueLog()` with a verb of
//! its own, `SURVEY` unless configured otherwise). Both become the core's `SurveyResponse`,
//! filed under the local day of the call it rates.
//!
//! # The CSV file
//!
//! A header row names the columns, in any order and any case; other columns are ignored:
//!
//! | column | |
//! |---|---|
//! | `time` | when the rated call took place: local `YYYY-MM-DD HH:MM[:SS]`, or Unix seconds |
//! | `callid` | or instead: the call's unique id in the queue_log, whose `ENTERQUEUE` dates it |
//! | `score` | required: a whole number on the survey's scale (1 to 5 unless configured) |
//! | `explained_process`, `had_information`, `timely`, `satisfied` | the baseline yes/no questions: `yes`/`no`, `y`/`n`, `1`/`0`, `true`/`false`; empty when not asked |
//! | `follow_up` | the caller asked to be contacted again (the same spellings; empty: no) |
//!
//! A row that cannot be counted (no score, a score off the scale, a time that is not one, a
//! call the log does not have) is left out with a warning naming its line; the rest count.
//!
//! # The queue_log line
//!
//! `epoch|callid|queue|agent|SURVEY|score|explained_process|had_information|timely|satisfied|follow_up`,
//! every field after the score optional, in the yes/no spellings above. The response rates the
//! call with that callid: it is dated by the call's `ENTERQUEUE` (by its own line when the log
//! does not have the call).

use std::collections::HashMap;
use std::hash::BuildHasher as _;

use callboard_core::calendar::{SiteCalendar, Timestamp};
use callboard_core::csat::{BASELINE_QUESTIONS, CsatScale, SurveyResponse};

use crate::local_time::parse_local_instant;
use crate::read::{Parsed, Record};
use crate::row::RowWarning;
use crate::stream::IdentityHash;
use crate::verb::Verb;

/// The verb of a survey's queue_log line unless configured otherwise.
pub const SURVEY_VERB: &str = "SURVEY";

/// The CSV columns of the baseline questions, in the core's order.
pub const QUESTION_COLUMNS: [&str; BASELINE_QUESTIONS] =
    ["explained_process", "had_information", "timely", "satisfied"];

/// What a response rates: a call at a time, or a call of the log by its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Contact {
    /// The call took place at this instant.
    At(Timestamp),
    /// The call with this unique id in the queue_log; its `ENTERQUEUE` dates it.
    Call(String),
}

/// One row of a survey export, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    /// Its 1-based line in the file.
    pub line: usize,
    /// The call it rates.
    pub contact: Contact,
    /// The score, on the scale.
    pub score: u8,
    /// The baseline questions' answers; `None` when not asked.
    pub answers: [Option<bool>; BASELINE_QUESTIONS],
    /// Whether the caller asked to be contacted again.
    pub follow_up: bool,
}

/// A response ready for the center, with where it came from (for a warning if the center
/// cannot count it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Survey {
    /// "surveys.csv line 4", "queue_log line 812".
    pub origin: String,
    /// The response.
    pub response: SurveyResponse,
}

fn yes_no(text: &str) -> Result<Option<bool>, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "1" | "true" => Ok(Some(true)),
        "no" | "n" | "0" | "false" => Ok(Some(false)),
        other => Err(format!("{other:?} is not yes or no")),
    }
}

fn score_on(text: &str, scale: &CsatScale) -> Result<u8, String> {
    let text = text.trim();
    let score: u8 = text.parse().map_err(|_| format!("score {text:?} is not a whole number"))?;
    if (scale.lowest()..=scale.highest()).contains(&score) {
        Ok(score)
    } else {
        Err(format!("score {score} is off the {}-{} scale", scale.lowest(), scale.highest()))
    }
}

fn instant(text: &str, calendar: &SiteCalendar) -> Result<Timestamp, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = text.parse().map_err(|_| format!("time {text:?} is out of range"))?;
        return seconds.checked_mul(1000).ok_or_else(|| format!("time {text:?} is out of range"));
    }
    parse_local_instant(calendar, text)
}

/// Reads a survey export (see the [module](self) docs): the rows that can be counted, and a
/// warning for each that cannot.
///
/// # Errors
/// A file that is not CSV with a header naming `score` and `time` or `callid`.
pub fn read_csv(
    text: &str,
    calendar: &SiteCalendar,
    scale: &CsatScale,
) -> Result<(Vec<SurveyRow>, Vec<RowWarning>), String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("not a CSV file: {e}"))?
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let score = column("score").ok_or("the header names no score column")?;
    let (time, callid) = (column("time"), column("callid"));
    if time.is_none() && callid.is_none() {
        return Err("the header names neither a time nor a callid column".into());
    }
    let questions = QUESTION_COLUMNS.map(column);
    let follow_up = column("follow_up");
    let (mut rows, mut warnings) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                warnings.push(RowWarning::at(line, format!("not a CSV row ({e}); not counted")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let row = (|| {
            let contact = match (field(time).trim(), field(callid).trim()) {
                ("", "") => return Err("no time and no callid".to_owned()),
                ("", call) => Contact::Call(call.to_owned()),
                (at, _) => Contact::At(instant(at, calendar)?),
            };
            let mut answers = [None; BASELINE_QUESTIONS];
            for (answer, (&column, name)) in
                answers.iter_mut().zip(questions.iter().zip(QUESTION_COLUMNS))
            {
                *answer = yes_no(field(column)).map_err(|e| format!("{name}: {e}"))?;
            }
            Ok(SurveyRow {
                line,
                contact,
                score: score_on(field(Some(score)), scale)?,
                answers,
                follow_up: yes_no(field(follow_up))
                    .map_err(|e| format!("follow_up: {e}"))?
                    .unwrap_or(false),
            })
        })();
        match row {
            Ok(row) => rows.push(row),
            Err(reason) => warnings.push(RowWarning::at(line, format!("{reason}; not counted"))),
        }
    }
    Ok((rows, warnings))
}

impl Parsed {
    /// Adds a survey export's rows (`source` names the file in warnings): a row rating a call by
    /// its id is dated by that call's `ENTERQUEUE` in this log; one whose call the log does not
    /// have is left out with a warning.
    pub fn add_survey_rows(&mut self, rows: Vec<SurveyRow>, source: &str) {
        let entered = entered_at(&self.records);
        let mut added = Vec::with_capacity(rows.len());
        for row in rows {
            let origin = format!("{source} line {}", row.line);
            let contact_at = match &row.contact {
                Contact::At(at) => *at,
                Contact::Call(call) => match entered.get(call.as_str()) {
                    Some(&at) => at,
                    None => {
                        let reason =
                            format!("{origin}: call {call} is not in the log; not counted");
                        self.warnings.push(RowWarning::whole(reason));
                        continue;
                    }
                },
            };
            added.push(Survey { origin, response: response(&row, contact_at) });
        }
        self.add_surveys(added);
    }

    /// Takes the survey lines out of the records (`verb`, e.g. [`SURVEY_VERB`]) and keeps their
    /// responses, each dated by the `ENTERQUEUE` of the call it names (by its own line when the
    /// log does not have the call); a line that cannot be counted gets a warning.
    pub fn take_survey_lines(&mut self, verb: &str, scale: &CsatScale) {
        let lines = self.split_off_verb(verb);
        let entered = entered_at(&self.records);
        let (added, warnings) =
            date_survey_lines(lines, verb, scale, |call, _| entered.get(call).copied());
        self.warnings.extend(warnings);
        self.add_surveys(added);
    }

    /// [`Parsed::take_survey_lines`] for a part of a log read as it grows (a follower's poll),
    /// where a survey line's call may have entered in an earlier part: `entered` says when the
    /// calls the caller has seen so far (this part's included) entered their first queue. A line
    /// is dated by its call's entry when that is at most [`SURVEY_LINE_HORIZON_MS`] before it,
    /// as a streamed report dates it, else by its own time.
    pub fn take_survey_lines_entered(
        &mut self,
        verb: &str,
        scale: &CsatScale,
        entered: impl Fn(&str) -> Option<Timestamp>,
    ) {
        let lines = self.split_off_verb(verb);
        let (added, warnings) =
            date_survey_lines(lines, verb, scale, |call, at| within_horizon(entered(call), at));
        self.warnings.extend(warnings);
        self.add_surveys(added);
    }

    /// Takes the records of `verb` out, keeping the others in order.
    fn split_off_verb(&mut self, verb: &str) -> Vec<Record> {
        let verb = Verb::read(verb);
        let (lines, records): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.records).into_iter().partition(|r| r.verb == verb);
        self.records = records;
        lines
    }

    fn add_surveys(&mut self, added: Vec<Survey>) {
        self.surveys.extend(added);
        // Stable: responses to the same instant keep their order.
        self.surveys.sort_by_key(|s| s.response.contact_at);
    }
}

/// The responses of survey lines of verb `verb`, each dated by `entered(call, line time)` (by the
/// line's own time when that says nothing), and the warnings for lines that cannot be counted.
fn date_survey_lines(
    lines: Vec<Record>,
    verb: &str,
    scale: &CsatScale,
    entered: impl Fn(&str, Timestamp) -> Option<Timestamp>,
) -> (Vec<Survey>, Vec<RowWarning>) {
    let verb = Verb::read(verb);
    let mut added = Vec::with_capacity(lines.len());
    let mut warnings = Vec::new();
    for record in lines {
        let contact_at = entered(record.callid.as_str(), record.at).unwrap_or(record.at);
        match survey_line(&record, contact_at, &verb, scale) {
            Ok(survey) => added.push(survey),
            Err(warning) => warnings.push(warning),
        }
    }
    (added, warnings)
}

/// The response of a survey line (`record`, of verb `verb`) rating a call that entered its
/// queue at `contact_at`, or the warning saying why it cannot be counted.
fn survey_line(
    record: &Record,
    contact_at: Timestamp,
    verb: &Verb,
    scale: &CsatScale,
) -> Result<Survey, RowWarning> {
    let data = |i: usize| record.data.get(i).map_or("", String::as_str);
    let response = (|| {
        let mut answers = [None; BASELINE_QUESTIONS];
        for (i, (answer, name)) in answers.iter_mut().zip(QUESTION_COLUMNS).enumerate() {
            *answer = yes_no(data(i + 1)).map_err(|e| format!("{name}: {e}"))?;
        }
        Ok::<_, String>(SurveyResponse {
            contact_at,
            score: score_on(data(0), scale)?,
            answers,
            follow_up_requested: yes_no(data(5))
                .map_err(|e| format!("follow_up: {e}"))?
                .unwrap_or(false),
        })
    })();
    match response {
        Ok(response) => Ok(Survey { origin: format!("queue_log line {}", record.line), response }),
        Err(reason) => {
            Err(RowWarning::at(record.line, format!("{}: {reason}; not counted", verb.as_str())))
        }
    }
}

/// How long after a call entered its queue a survey line naming it is still dated by that
/// entry when a log is streamed ([`SurveyMatcher`]): two days. A later line is dated by its own
/// time.
pub const SURVEY_LINE_HORIZON_MS: u64 = 2 * 86_400_000;

/// A call's `entry`, if it is at most [`SURVEY_LINE_HORIZON_MS`] before a survey line at
/// `line_at` naming it: what dates the line.
fn within_horizon(entry: Option<Timestamp>, line_at: Timestamp) -> Option<Timestamp> {
    entry.filter(|&entry| line_at.saturating_sub(entry) <= SURVEY_LINE_HORIZON_MS)
}

/// Survey responses matched to their calls while a log streams by, for a replay that never
/// holds the whole log: what [`Parsed::take_survey_lines`] and [`Parsed::add_survey_rows`] do
/// for a whole one.
///
/// An export's row naming a call waits for that call's `ENTERQUEUE`; a survey line is dated by
/// its call's entry if the call entered within [`SURVEY_LINE_HORIZON_MS`] before it (a
/// post-call survey follows its call by minutes). The calls remembered for that are the last two
/// days', so its memory does not grow with the log.
#[derive(Debug)]
pub struct SurveyMatcher {
    verb: Verb,
    scale: CsatScale,
    /// Rows naming a call, by its id, with the origin to name in a warning.
    waiting: HashMap<String, Vec<(String, SurveyRow)>>,
    /// Rows dated by their own time.
    dated: Vec<Survey>,
    /// When recent calls entered their first queue, by a hash of their ids (every call is
    /// remembered for two days, so no copy of its id is made).
    entered: HashMap<u64, Timestamp, IdentityHash>,
    hasher: foldhash::quality::FixedState,
    next_sweep: usize,
}

impl SurveyMatcher {
    /// A matcher for survey lines of verb `verb` on `scale`.
    #[must_use]
    pub fn new(verb: &str, scale: &CsatScale) -> Self {
        Self {
            verb: Verb::read(verb),
            scale: *scale,
            waiting: HashMap::new(),
            dated: Vec::new(),
            entered: HashMap::with_hasher(IdentityHash),
            hasher: foldhash::quality::FixedState::with_seed(0x005e_ed0f_ca11),
            next_sweep: 4_096,
        }
    }

    /// Adds a survey export's rows (`source` names the file in warnings).
    pub fn add_rows(&mut self, rows: Vec<SurveyRow>, source: &str) {
        for row in rows {
            let origin = format!("{source} line {}", row.line);
            match &row.contact {
                Contact::At(at) => {
                    self.dated.push(Survey { origin, response: response(&row, *at) })
                }
                Contact::Call(call) => {
                    self.waiting.entry(call.clone()).or_default().push((origin, row));
                }
            }
        }
    }

    /// The responses dated by their own time, oldest first, taken once before the replay.
    pub fn take_dated(&mut self) -> Vec<Survey> {
        let mut dated = std::mem::take(&mut self.dated);
        dated.sort_by_key(|s| s.response.contact_at);
        dated
    }

    /// Looks at a record on its way to the replay, in time order. A survey line is taken: its
    /// response, or the warning why it cannot be counted, goes to `found`, and `true` says the
    /// record is not for the replay. A call's first `ENTERQUEUE` dates the export rows naming
    /// it.
    pub fn see(&mut self, record: &Record, found: &mut Vec<Result<Survey, RowWarning>>) -> bool {
        if record.verb == self.verb {
            let entry = self.entered.get(&self.hasher.hash_one(record.callid.as_str()));
            let contact_at = within_horizon(entry.copied(), record.at).unwrap_or(record.at);
            found.push(survey_line(record, contact_at, &self.verb, &self.scale));
            return true;
        }
        if record.verb != Verb::EnterQueue {
            return false;
        }
        let call = self.hasher.hash_one(record.callid.as_str());
        if let std::collections::hash_map::Entry::Vacant(entry) = self.entered.entry(call) {
            entry.insert(record.at);
            if !self.waiting.is_empty()
                && let Some(rows) = self.waiting.remove(record.callid.as_str())
            {
                for (origin, row) in rows {
                    found.push(Ok(Survey { origin, response: response(&row, record.at) }));
                }
            }
            if self.entered.len() >= self.next_sweep {
                let horizon = record.at.saturating_sub(SURVEY_LINE_HORIZON_MS);
                self.entered.retain(|_, &mut at| at >= horizon);
                self.next_sweep = (2 * self.entered.len()).max(4_096);
            }
        }
        false
    }

    /// The warnings for the export's rows whose calls the log never had.
    #[must_use]
    pub fn finish(self) -> Vec<RowWarning> {
        let mut rows: Vec<(String, String)> = self
            .waiting
            .into_iter()
            .flat_map(|(call, rows)| {
                rows.into_iter().map(move |(origin, _)| (origin, call.clone()))
            })
            .collect();
        rows.sort();
        rows.into_iter()
            .map(|(origin, call)| {
                RowWarning::whole(format!("{origin}: call {call} is not in the log; not counted"))
            })
            .collect()
    }
}

fn response(row: &SurveyRow, contact_at: Timestamp) -> SurveyResponse {
    SurveyResponse {
        contact_at,
        score: row.score,
        answers: row.answers,
        follow_up_requested: row.follow_up,
    }
}

/// When each call of `records` entered its first queue.
fn entered_at(records: &[Record]) -> HashMap<&str, Timestamp> {
    let mut entered = HashMap::new();
    for record in records.iter().filter(|r| r.verb == Verb::EnterQueue) {
        entered.entry(record.callid.as_str()).or_insert(record.at);
    }
    entered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::parse;

    const CSV: &str = "\
time,callid,queue,score,explained_process,had_information,timely,satisfied,follow_up
1999-02-10 08:15,,PS,5,yes,y,1,true,
,1999021008001,PS,4,no,,0,false,yes
1999-02-10 09:00,,PE,7,,,,,
1999-02-10 25:00,,PE,3,,,,,
918633600,,PE,2,,,maybe,,
,,PS,3,,,,,
1999-02-10 10:00,,PS,,,,,,
,nosuchcall,PS,1,,,,,
";

    #[test]
    fn a_survey_export_is_read_row_by_row() {
        let calendar = SiteCalendar::UTC;
        let (rows, warnings) = read_csv(CSV, &calendar, &CsatScale::ONE_TO_FIVE).unwrap();
        assert_eq!(rows.len(), 3, "{warnings:?}");
        assert_eq!(rows[0].contact, Contact::At(918_634_500_000));
        assert_eq!(rows[0].answers, [Some(true); 4]);
        assert!(!rows[0].follow_up);
        assert_eq!(rows[1].contact, Contact::Call("1999021008001".into()));
        assert_eq!(rows[1].answers, [Some(false), None, Some(false), Some(false)]);
        assert!(rows[1].follow_up);
        assert_eq!(rows[2].contact, Contact::Call("nosuchcall".into()));
        let lines: Vec<Option<usize>> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(4), Some(5), Some(6), Some(7), Some(8)]);
        assert!(warnings[0].reason.contains("score 7 is off the 1-5 scale"), "{warnings:?}");
        assert!(warnings[2].reason.contains("timely"), "{warnings:?}");

        // Rows rating calls by id are dated by the log; an unknown call is a warning.
        let log = "918633605|1999021008001|PS|NONE|ENTERQUEUE||5551234|1\n";
        let mut parsed = parse(log.as_bytes(), &calendar);
        parsed.add_survey_rows(rows, "surveys.csv");
        assert_eq!(parsed.surveys.len(), 2);
        assert_eq!(parsed.surveys[0].response.contact_at, 918_633_605_000);
        assert_eq!(parsed.surveys[1].origin, "surveys.csv line 2");
        let unknown = parsed.warnings.iter().find(|w| w.reason.contains("nosuchcall")).unwrap();
        assert_eq!(unknown.line, None);
    }

    #[test]
    fn a_file_without_the_columns_is_refused() {
        let scale = CsatScale::ONE_TO_FIVE;
        let calendar = SiteCalendar::UTC;
        assert!(read_csv("time,rating\n", &calendar, &scale).unwrap_err().contains("score"));
        assert!(read_csv("queue,score\n", &calendar, &scale).unwrap_err().contains("callid"));
    }

    #[test]
    fn survey_lines_leave_the_records_for_the_responses() {
        let log = "\
918633605|1|PS|NONE|ENTERQUEUE||5551234|1
918633700|1|PS|NONE|SURVEY|4|1|1||0|
918633701|2|PS|NONE|SURVEY|9
918633702|3|PS|NONE|SURVEY|5|y|y|y|y|yes
";
        let mut parsed = parse(log.as_bytes(), &SiteCalendar::UTC);
        parsed.take_survey_lines(SURVEY_VERB, &CsatScale::ONE_TO_FIVE);
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.surveys.len(), 2);
        let first = &parsed.surveys[0].response;
        // Dated by its call's ENTERQUEUE; a call the log lacks, by its own line.
        assert_eq!((first.contact_at, first.score), (918_633_605_000, 4));
        assert_eq!(parsed.surveys[1].response.contact_at, 918_633_702_000);
        assert_eq!(first.answers, [Some(true), Some(true), None, Some(false)]);
        assert!(parsed.surveys[1].response.follow_up_requested);
        let warning = parsed.warnings.iter().find(|w| w.line == Some(3)).unwrap();
        assert!(warning.reason.contains("score 9"), "{warning:?}");
    }

    #[test]
    fn a_polled_survey_line_is_dated_by_a_call_seen_before_it_within_two_days() {
        let log = "\
918633700|1|PS|NONE|SURVEY|4
918633702|3|PS|NONE|SURVEY|5
918806500|2|PS|NONE|SURVEY|3
";
        let mut parsed = parse(log.as_bytes(), &SiteCalendar::UTC);
        // Call 1 entered a minute before its rating, call 2 more than two days before its.
        let seen = |call: &str| match call {
            "1" => Some(918_633_640_000),
            "2" => Some(918_633_640_000),
            _ => None,
        };
        parsed.take_survey_lines_entered(SURVEY_VERB, &CsatScale::ONE_TO_FIVE, seen);
        let dated: Vec<_> = parsed.surveys.iter().map(|s| s.response.contact_at).collect();
        assert_eq!(dated, [918_633_640_000, 918_633_702_000, 918_806_500_000]);
        assert!(parsed.records.is_empty() && parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }
}
