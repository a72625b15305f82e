//! Service agreements on a reader board: the departments a board shows (`NAME=LABEL@GOAL`),
//! each one's compliance over a period of days ending on the frame's day, and its requests at
//! risk and breached at the frame's moment.

use callboard_core::board::{
    AlertThresholds, BoardAgreement, BoardFrame, LABEL_BYTES, SLA_LINES_PER_FRAME, SlaLine,
};
use callboard_core::calendar::Timestamp;
use callboard_core::share::Share;
use callboard_core::sla::SlaSummary;
use callboard_floor::choice::Choice;
use callboard_queue_log::RowWarning;

use std::sync::{Mutex, PoisonError};

use crate::policies::Policies;
use crate::report::{DAYS, Loaded, load, on_tracker_stack};
use crate::requests::Requests;

/// The longest period a board's agreement lines cover, in days: every day the tracker keeps.
pub const MAX_BOARD_DAYS: u32 = DAYS as u32;

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
///
/// The requests as they stood at an instant are run through the tracker once and kept: a
/// later frame reuses them until a request opens, pauses, resumes or closes in between (a board
/// refreshed every second, or the demo's day, rebuilds it only when something changed). What
/// is open is judged at each frame's own instant either way.
pub struct BoardAgreements {
    policies: Policies,
    requests: Requests,
    choices: Vec<BoardChoice>,
    days: u32,
    /// Every instant a request changes, in order.
    changes: Vec<Timestamp>,
    /// The tracker last built, with how many of `changes` it has seen.
    built: Mutex<Option<(usize, Loaded)>>,
}

impl core::fmt::Debug for BoardAgreements {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BoardAgreements")
            .field("policies", &self.policies)
            .field("requests", &self.requests.rows.len())
            .field("choices", &self.choices)
            .field("days", &self.days)
            .field("changes", &self.changes.len())
            .finish_non_exhaustive()
    }
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
        let mut changes: Vec<Timestamp> = requests
            .rows
            .iter()
            .flat_map(|(_, row)| {
                let pauses = row.pauses.iter().flat_map(|&(from, to)| [Some(from), to]).flatten();
                [row.opened].into_iter().chain(row.closed).chain(pauses)
            })
            .collect();
        changes.sort_unstable();
        changes.dedup();
        let built = Mutex::new(None);
        let mut agreements = Self { policies, requests, choices, days, changes, built };
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
        on_tracker_stack(|| self.lines_here(at, thresholds))
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
        // The tracker as of `at` is the one as of any instant with the same changes behind it.
        let seen = self.changes.partition_point(|&change| change <= at);
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        let loaded = match &mut *built {
            Some((then, loaded)) if *then == seen => loaded,
            slot => &mut slot.insert((seen, load(&self.policies, &self.requests, Some(at))?)).1,
        };
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
        Ok(BoardLines { lines, rejected: loaded.rejected.clone() })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn city(choices: &[&str]) -> BoardAgreements {
        let policies =
            crate::policies::parse_policies(include_str!("../../data/sla-policies-311.toml"))
                .unwrap();
        let choices = choices.iter().map(|c| parse_board_choice(c).unwrap()).collect();
        let requests = include_str!("../../data/sla-requests-311.csv").to_owned();
        BoardAgreements::new(policies, requests, choices, 30).unwrap()
    }

    /// The tracker kept between frames gives at every instant what one built for that instant
    /// gives: on a change, a millisecond after it, between two changes, a millisecond before
    /// the next and on it (frames with nothing new reuse it), and back in time.
    #[test]
    fn kept_lines_are_the_lines_built_afresh() {
        let departments = ["Sanitation=SANITATION", "Streets", "Parks and Forestry=PARKS"];
        let kept = city(&departments);
        let changes = kept.changes.clone();
        let mut instants = vec![changes[0] - 60_000];
        for pair in changes.windows(2).step_by(23) {
            let (change, next) = (pair[0], pair[1]);
            instants.extend([change, change + 1, change + (next - change) / 2, next - 1, next]);
        }
        let (first, middle, last) =
            (changes[0], changes[changes.len() / 2], changes[changes.len() - 1]);
        instants.extend([last + 86_400_000, first, middle, first - 1, last]);
        let thresholds = AlertThresholds::DEFAULT;
        for at in instants {
            let afresh = city(&departments).lines_at(at, &thresholds).unwrap();
            assert_eq!(kept.lines_at(at, &thresholds).unwrap(), afresh, "at {at}");
        }
    }

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
