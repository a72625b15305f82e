//! Customer satisfaction (CSAT) from follow-up surveys.
//!
//! After a contact, a sample of callers is surveyed by phone. Each response rates the contact on
//! a declared scale (1–5 unless configured otherwise) and may answer the baseline yes/no
//! questions ([`BaselineQuestion`]): did the agent explain the process, did the agent have the
//! information, was the contact handled in a timely manner, was the customer satisfied. The
//! caller may also ask to be contacted again.
//!
//! Responses arrive hours or days after the contact, in any order. Each is filed under the
//! **local date of the contact it rates** (not the date the survey was taken), so "yesterday's
//! CSAT" means "how satisfied were the people we served yesterday".
//!
//! Per day, and rolled up per month and per quarter, the [`CsatTally`] gives: responses, mean
//! score, top-2-box % (the share scoring in the top two points of the scale: 4–5 of 5), yes-%
//! per question, and follow-ups requested. The figure the floor boards post is
//! [`PreviousDayCsat`]: the tally for the local date before today, with its sample size, and
//! withheld when fewer responses than the configured minimum came in; a mean of two responses
//! is noise, not news. The figure always says which kind it is ([`CsatFigureKind`]).

use crate::calendar::{LocalDate, SiteCalendar, Timestamp};
use crate::interval::ratio;
use crate::ledger::Ledger;

/// Number of baseline yes/no questions.
pub const BASELINE_QUESTIONS: usize = 4;
/// Months of roll-ups kept.
pub const MONTHS_KEPT: usize = 25;
/// Quarters of roll-ups kept.
pub const QUARTERS_KEPT: usize = 9;

/// Errors recording a survey response or configuring the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CsatError {
    /// The scale's highest point is not above its lowest.
    #[error("CSAT scale must have its highest point above its lowest")]
    InvalidScale,
    /// The score is outside the configured scale.
    #[error("score is outside the CSAT scale")]
    ScoreOutOfScale,
    /// The rated contact is older than every day (or month, or quarter) kept.
    #[error("the rated contact is older than the CSAT history kept")]
    TooOld,
    /// The rated contact is later than the center's clock.
    #[error("the rated contact is in the future")]
    ContactInFuture,
}

/// The baseline survey questions, answered yes or no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BaselineQuestion {
    /// Did the agent explain the process?
    ExplainedProcess,
    /// Did the agent have the information you needed?
    HadInformation,
    /// Was your contact handled in a timely manner?
    Timely,
    /// Were you satisfied?
    Satisfied,
}

impl BaselineQuestion {
    /// All questions, in the order of [`SurveyResponse::answers`].
    pub const ALL: [Self; BASELINE_QUESTIONS] =
        [Self::ExplainedProcess, Self::HadInformation, Self::Timely, Self::Satisfied];

    const fn index(self) -> usize {
        self as usize
    }
}

/// The score scale of a survey, inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CsatScale {
    lowest: u8,
    highest: u8,
}

impl CsatScale {
    /// The usual 1–5 scale.
    pub const ONE_TO_FIVE: Self = Self { lowest: 1, highest: 5 };

    /// A scale from `lowest` to `highest`.
    ///
    /// # Errors
    /// [`CsatError::InvalidScale`] unless `highest > lowest`.
    pub fn new(lowest: u8, highest: u8) -> Result<Self, CsatError> {
        if highest > lowest { Ok(Self { lowest, highest }) } else { Err(CsatError::InvalidScale) }
    }

    /// The lowest score.
    #[must_use]
    pub const fn lowest(&self) -> u8 {
        self.lowest
    }

    /// The highest score.
    #[must_use]
    pub const fn highest(&self) -> u8 {
        self.highest
    }

    /// Whether `score` is in the top two points of the scale (4 or 5 of 5).
    #[must_use]
    pub const fn is_top_two_box(&self, score: u8) -> bool {
        score.saturating_add(1) >= self.highest
    }

    const fn contains(&self, score: u8) -> bool {
        score >= self.lowest && score <= self.highest
    }
}

impl Default for CsatScale {
    fn default() -> Self {
        Self::ONE_TO_FIVE
    }
}

/// Which CSAT figure a board posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CsatFigureKind {
    /// The mean score, on the survey's scale.
    #[default]
    MeanScore,
    /// The share of responses in the top two points of the scale, a fraction in [0, 1].
    TopTwoBox,
}

/// How CSAT is computed and posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CsatConfig {
    /// The score scale.
    pub scale: CsatScale,
    /// The fewest responses for which a day's figure is shown.
    pub minimum_sample: u32,
    /// The figure posted.
    pub figure: CsatFigureKind,
}

impl CsatConfig {
    /// A 1–5 scale, mean score, at least 10 responses: the default.
    pub const DEFAULT: Self = Self {
        scale: CsatScale::ONE_TO_FIVE,
        minimum_sample: 10,
        figure: CsatFigureKind::MeanScore,
    };
}

impl Default for CsatConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One survey response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SurveyResponse {
    /// When the contact being rated took place.
    pub contact_at: Timestamp,
    /// The score, on the configured scale.
    pub score: u8,
    /// Answers to the baseline questions in [`BaselineQuestion::ALL`] order; `None` when not
    /// asked or not answered.
    pub answers: [Option<bool>; BASELINE_QUESTIONS],
    /// Whether the customer asked to be contacted again.
    pub follow_up_requested: bool,
}

/// Yes/no answers to one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct YesNoTally {
    /// Responses that answered yes.
    pub yes: u32,
    /// Responses that answered at all.
    pub answered: u32,
}

impl YesNoTally {
    /// yes / answered.
    #[must_use]
    pub fn yes_rate(&self) -> Option<f64> {
        ratio(u64::from(self.yes), u64::from(self.answered))
    }
}

/// Survey results over a day, a month or a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CsatTally {
    /// Responses received.
    pub responses: u32,
    /// Sum of their scores.
    pub score_sum: u64,
    /// Responses in the top two points of the scale.
    pub top_two_box: u32,
    /// Answers per baseline question, in [`BaselineQuestion::ALL`] order.
    pub questions: [YesNoTally; BASELINE_QUESTIONS],
    /// Responses asking to be contacted again.
    pub follow_ups_requested: u32,
}

impl CsatTally {
    /// The mean score.
    #[must_use]
    pub fn mean_score(&self) -> Option<f64> {
        (self.responses != 0).then(|| self.score_sum as f64 / f64::from(self.responses))
    }

    /// The top-2-box share, a fraction in [0, 1].
    #[must_use]
    pub fn top_two_box_rate(&self) -> Option<f64> {
        ratio(u64::from(self.top_two_box), u64::from(self.responses))
    }

    /// The yes share for `question`.
    #[must_use]
    pub fn yes_rate(&self, question: BaselineQuestion) -> Option<f64> {
        self.questions.get(question.index()).and_then(YesNoTally::yes_rate)
    }

    /// The figure of `kind`.
    #[must_use]
    pub fn figure(&self, kind: CsatFigureKind) -> Option<f64> {
        match kind {
            CsatFigureKind::MeanScore => self.mean_score(),
            CsatFigureKind::TopTwoBox => self.top_two_box_rate(),
        }
    }

    fn add(&mut self, response: &SurveyResponse, scale: &CsatScale) {
        self.responses = self.responses.saturating_add(1);
        self.score_sum = self.score_sum.saturating_add(u64::from(response.score));
        if scale.is_top_two_box(response.score) {
            self.top_two_box = self.top_two_box.saturating_add(1);
        }
        for (tally, answer) in self.questions.iter_mut().zip(response.answers) {
            if let Some(yes) = answer {
                tally.answered = tally.answered.saturating_add(1);
                tally.yes = tally.yes.saturating_add(u32::from(yes));
            }
        }
        if response.follow_up_requested {
            self.follow_ups_requested = self.follow_ups_requested.saturating_add(1);
        }
    }
}

/// The posted figure, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CsatValue {
    /// The figure: a mean score, or a top-2-box fraction.
    Available(f64),
    /// No responses for that day.
    NoResponses,
    /// Too few responses to post; the minimum is given.
    BelowMinimumSample {
        /// The configured minimum sample.
        minimum: u32,
    },
}

/// The previous day's CSAT, as a board posts it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PreviousDayCsat {
    /// The day rated.
    pub date: LocalDate,
    /// Which figure `value` is.
    pub kind: CsatFigureKind,
    /// Responses received for that day: the sample size.
    pub responses: u32,
    /// The figure, or why it is withheld.
    pub value: CsatValue,
}

/// A (year, month) key, ordered chronologically.
type MonthKey = (i32, u8);

/// Survey results per local day, month and quarter, in fixed memory: `DAYS` days are kept, plus
/// [`MONTHS_KEPT`] months and [`QUARTERS_KEPT`] quarters of roll-ups.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CsatLedger<const DAYS: usize> {
    config: CsatConfig,
    calendar: SiteCalendar,
    days: Ledger<LocalDate, CsatTally, DAYS>,
    months: Ledger<MonthKey, CsatTally, MONTHS_KEPT>,
    quarters: Ledger<MonthKey, CsatTally, QUARTERS_KEPT>,
}

impl<const DAYS: usize> CsatLedger<DAYS> {
    /// An empty ledger filing responses by `calendar`'s local dates.
    #[must_use]
    pub const fn new(config: CsatConfig, calendar: SiteCalendar) -> Self {
        Self {
            config,
            calendar,
            days: Ledger::new(),
            months: Ledger::new(),
            quarters: Ledger::new(),
        }
    }

    /// The calendar responses are filed by.
    #[must_use]
    pub const fn calendar(&self) -> &SiteCalendar {
        &self.calendar
    }

    /// Whether every period is in order and every day passes `valid_day`: true for any ledger
    /// built by its methods; a ledger read from outside (a checkpoint) must be checked.
    pub(crate) fn is_well_formed(&self, valid_day: impl Fn(LocalDate) -> bool) -> bool {
        self.days.is_strictly_ordered()
            && self.months.is_strictly_ordered()
            && self.quarters.is_strictly_ordered()
            && self.days.iter().all(|(day, _)| valid_day(day))
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &CsatConfig {
        &self.config
    }

    /// Files `response` under the local date of its contact, and returns that date.
    ///
    /// # Errors
    /// [`CsatError::ScoreOutOfScale`]; [`CsatError::TooOld`] when its day, month or quarter is
    /// older than everything kept. Nothing is recorded on error.
    pub fn record(&mut self, response: &SurveyResponse) -> Result<LocalDate, CsatError> {
        if !self.config.scale.contains(response.score) {
            return Err(CsatError::ScoreOutOfScale);
        }
        let date = self.calendar.local_date(response.contact_at);
        let month = (date.year(), date.month());
        let quarter = (date.year(), date.quarter());
        if !(self.days.accepts(date)
            && self.months.accepts(month)
            && self.quarters.accepts(quarter))
        {
            return Err(CsatError::TooOld);
        }
        let scale = self.config.scale;
        for tally in [
            self.days.entry(date).map(|(t, _)| t),
            self.months.entry(month).map(|(t, _)| t),
            self.quarters.entry(quarter).map(|(t, _)| t),
        ]
        .into_iter()
        .flatten()
        {
            tally.add(response, &scale);
        }
        Ok(date)
    }

    /// The tally for a local date, if any response for it is kept.
    #[must_use]
    pub fn day(&self, date: LocalDate) -> Option<&CsatTally> {
        self.days.get(date)
    }

    /// The tally for a month (1 ..= 12) of a year.
    #[must_use]
    pub fn month(&self, year: i32, month: u8) -> Option<&CsatTally> {
        self.months.get((year, month))
    }

    /// The tally for a quarter (1 ..= 4) of a year.
    #[must_use]
    pub fn quarter(&self, year: i32, quarter: u8) -> Option<&CsatTally> {
        self.quarters.get((year, quarter))
    }

    /// Every day kept, oldest first.
    pub fn days(&self) -> impl DoubleEndedIterator<Item = (LocalDate, &CsatTally)> + '_ {
        self.days.iter()
    }

    /// The figure to post on `today`: the day before, with its sample size, withheld below the
    /// minimum sample.
    #[must_use]
    pub fn previous_day(&self, today: LocalDate) -> PreviousDayCsat {
        let date = today.previous();
        let kind = self.config.figure;
        let tally = self.days.get(date).copied().unwrap_or_default();
        let value = match tally.figure(kind) {
            None => CsatValue::NoResponses,
            Some(_) if tally.responses < self.config.minimum_sample => {
                CsatValue::BelowMinimumSample { minimum: self.config.minimum_sample }
            }
            Some(v) => CsatValue::Available(v),
        };
        PreviousDayCsat { date, kind, responses: tally.responses, value }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;
    use crate::calendar::{DstRule, MILLIS_PER_DAY, MILLIS_PER_HOUR, UtcOffset};

    fn ledger<const D: usize>(minimum_sample: u32, figure: CsatFigureKind) -> CsatLedger<D> {
        // US Central: UTC-6.
        let cal = SiteCalendar::new(UtcOffset::from_minutes(-360).unwrap(), DstRule::None).unwrap();
        CsatLedger::new(CsatConfig { scale: CsatScale::ONE_TO_FIVE, minimum_sample, figure }, cal)
    }

    fn response(contact_at: Timestamp, score: u8) -> SurveyResponse {
        SurveyResponse { contact_at, score, answers: [None; 4], follow_up_requested: false }
    }

    fn date(y: i32, m: u8, d: u8) -> LocalDate {
        LocalDate::new(y, m, d).unwrap()
    }

    /// 2026-11-23T00:00Z.
    const MONDAY_UTC_MIDNIGHT: Timestamp = 1_795_392_000_000;

    #[test]
    fn responses_are_filed_by_the_local_date_of_the_contact() {
        let mut l = ledger::<8>(1, CsatFigureKind::MeanScore);
        // 03:00Z on the 23rd is 21:00 on the 22nd in UTC-6.
        let d = l.record(&response(MONDAY_UTC_MIDNIGHT + 3 * MILLIS_PER_HOUR, 4)).unwrap();
        assert_eq!(d, date(2026, 11, 22));
        let d = l.record(&response(MONDAY_UTC_MIDNIGHT + 7 * MILLIS_PER_HOUR, 2)).unwrap();
        assert_eq!(d, date(2026, 11, 23));
    }

    #[test]
    fn day_tally_figures() {
        let mut l = ledger::<8>(1, CsatFigureKind::MeanScore);
        let t = MONDAY_UTC_MIDNIGHT + 15 * MILLIS_PER_HOUR;
        let answers = [
            [Some(true), Some(true), Some(false), Some(true)],
            [Some(true), None, Some(true), Some(false)],
            [Some(false), None, None, Some(true)],
            [None, None, None, None],
        ];
        for (score, answers) in [5, 4, 3, 1].into_iter().zip(answers) {
            l.record(&SurveyResponse {
                contact_at: t,
                score,
                answers,
                follow_up_requested: score < 3,
            })
            .unwrap();
        }
        let day = l.day(date(2026, 11, 23)).unwrap();
        assert_eq!(day.responses, 4);
        assert_eq!(day.mean_score(), Some(13.0 / 4.0));
        assert_eq!(day.top_two_box_rate(), Some(0.5));
        assert_eq!(day.yes_rate(BaselineQuestion::ExplainedProcess), Some(2.0 / 3.0));
        assert_eq!(day.yes_rate(BaselineQuestion::HadInformation), Some(1.0));
        assert_eq!(day.yes_rate(BaselineQuestion::Timely), Some(0.5));
        assert_eq!(day.yes_rate(BaselineQuestion::Satisfied), Some(2.0 / 3.0));
        assert_eq!(day.follow_ups_requested, 1);
    }

    #[test]
    fn previous_day_respects_the_minimum_sample() {
        let mut l = ledger::<8>(3, CsatFigureKind::TopTwoBox);
        let sunday = MONDAY_UTC_MIDNIGHT - 6 * MILLIS_PER_HOUR; // 18:00 Sunday local
        let today = date(2026, 11, 23);
        let p = l.previous_day(today);
        assert_eq!(p.date, date(2026, 11, 22));
        assert_eq!(p.value, CsatValue::NoResponses);
        l.record(&response(sunday, 5)).unwrap();
        l.record(&response(sunday, 2)).unwrap();
        let p = l.previous_day(today);
        assert_eq!(p.responses, 2);
        assert_eq!(p.value, CsatValue::BelowMinimumSample { minimum: 3 });
        l.record(&response(sunday, 4)).unwrap();
        let p = l.previous_day(today);
        assert_eq!(p.kind, CsatFigureKind::TopTwoBox);
        assert_eq!(p.value, CsatValue::Available(2.0 / 3.0));
    }

    #[test]
    fn month_and_quarter_roll_ups_outlive_the_days_kept() {
        let mut l = ledger::<2>(1, CsatFigureKind::MeanScore);
        let base =
            date(2026, 1, 30).days_since_epoch() as u64 * MILLIS_PER_DAY + 18 * MILLIS_PER_HOUR;
        for (i, score) in [5u8, 3, 4, 2, 1].into_iter().enumerate() {
            l.record(&response(base + i as u64 * MILLIS_PER_DAY, score)).unwrap();
        }
        // Days kept: the last two (Feb 2 and Feb 3).
        assert_eq!(l.days().count(), 2);
        assert_eq!(l.day(date(2026, 1, 30)), None);
        assert_eq!(l.month(2026, 1).unwrap().responses, 2);
        assert_eq!(l.month(2026, 2).unwrap().responses, 3);
        assert_eq!(l.quarter(2026, 1).unwrap().responses, 5);
        assert_eq!(l.quarter(2026, 1).unwrap().mean_score(), Some(3.0));
        // A late response for a day older than all kept is refused, and nothing changes.
        assert_eq!(l.record(&response(base, 5)), Err(CsatError::TooOld));
        assert_eq!(l.quarter(2026, 1).unwrap().responses, 5);
    }

    #[test]
    fn scores_outside_the_scale_are_refused() {
        let mut l = ledger::<4>(1, CsatFigureKind::MeanScore);
        assert_eq!(l.record(&response(MONDAY_UTC_MIDNIGHT, 0)), Err(CsatError::ScoreOutOfScale));
        assert_eq!(l.record(&response(MONDAY_UTC_MIDNIGHT, 6)), Err(CsatError::ScoreOutOfScale));
        assert_eq!(l.days().count(), 0);
        assert_eq!(CsatScale::new(5, 5), Err(CsatError::InvalidScale));
        let ten = CsatScale::new(0, 10).unwrap();
        assert!(ten.is_top_two_box(9) && ten.is_top_two_box(10) && !ten.is_top_two_box(8));
    }
}
