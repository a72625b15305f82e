//! Post-call survey responses on the command line (`--surveys FILE.csv`, the log's own survey
//! lines) and the CSAT rule the center applies to them: the same for `report` and every
//! `board` command. The file's format is `callboard_queue_log::surveys`'.

use std::path::PathBuf;

use callboard_core::calendar::SiteCalendar;
use callboard_core::csat::{CsatConfig, CsatFigureKind, CsatScale};
use callboard_queue_log::surveys::{self, SURVEY_VERB, SurveyMatcher, SurveyRow};
use callboard_queue_log::{Parsed, RowWarning};
use clap::ValueEnum;

use super::utf8_input;

/// Which CSAT figure a board posts, as written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CsatFigure {
    /// The mean score on the survey's scale.
    Mean,
    /// The share of responses in the top two points of the scale.
    TopTwo,
}

/// Survey responses and the CSAT rule.
#[derive(Debug, Clone, clap::Args)]
pub struct SurveyArgs {
    /// Post-call survey responses exported by a survey tool (CSV with a header: `time` or
    /// `callid`, `score`, optionally the yes/no questions and `follow_up`).
    #[arg(long, value_name = "FILE.csv")]
    surveys: Option<PathBuf>,
    /// The verb of the survey lines a dialplan writes to the queue_log (`QueueLog()` after an
    /// IVR survey, the score in the first data field).
    #[arg(long, value_name = "VERB", default_value = SURVEY_VERB)]
    survey_verb: String,
    /// The survey's score scale.
    #[arg(long, value_name = "LOW-HIGH", default_value = "1-5", value_parser = parse_scale)]
    csat_scale: CsatScale,
    /// The CSAT figure a board posts.
    #[arg(long, value_enum, default_value_t = CsatFigure::Mean)]
    csat_figure: CsatFigure,
    /// The fewest responses for which a day's CSAT is posted.
    #[arg(long, value_name = "N", default_value_t = CsatConfig::DEFAULT.minimum_sample)]
    csat_minimum: u32,
}

fn parse_scale(text: &str) -> Result<CsatScale, String> {
    let bad = || format!("expected a scale like 1-5 or 0-10, not {text:?}");
    let (low, high) = text.split_once('-').ok_or_else(bad)?;
    let (low, high) =
        (low.trim().parse().map_err(|_| bad())?, high.trim().parse().map_err(|_| bad())?);
    CsatScale::new(low, high)
        .map_err(|_| format!("the scale's top must be above its bottom: {text:?}"))
}

/// A survey file read: its rows, its warnings (each naming the file) and its name.
type SurveyFile = (Vec<SurveyRow>, Vec<RowWarning>, String);

impl SurveyArgs {
    /// The CSAT rule for the center.
    pub(crate) fn config(&self) -> CsatConfig {
        CsatConfig {
            scale: self.csat_scale,
            minimum_sample: self.csat_minimum,
            figure: match self.csat_figure {
                CsatFigure::Mean => CsatFigureKind::MeanScore,
                CsatFigure::TopTwo => CsatFigureKind::TopTwoBox,
            },
        }
    }

    /// The verb of the log's survey lines.
    pub(crate) fn verb(&self) -> &str {
        &self.survey_verb
    }

    /// Whether a survey file was given.
    pub(crate) fn has_file(&self) -> bool {
        self.surveys.is_some()
    }

    /// Takes the log's survey lines out of its records, and adds the survey file's rows; rows
    /// that cannot be counted become warnings naming the file and the line.
    ///
    /// # Errors
    /// A survey file that cannot be read, or is not a survey export.
    pub(crate) fn load(&self, parsed: &mut Parsed, calendar: &SiteCalendar) -> Result<(), String> {
        parsed.take_survey_lines(&self.survey_verb, &self.csat_scale);
        let Some((rows, warnings, name)) = self.read_file(calendar)? else { return Ok(()) };
        parsed.warnings.extend(warnings);
        parsed.add_survey_rows(rows, &name);
        Ok(())
    }

    /// What [`SurveyArgs::load`] does, for a log that streams by: the matcher with the file's
    /// rows, and the file's warnings.
    pub(crate) fn matcher(
        &self,
        calendar: &SiteCalendar,
    ) -> Result<(SurveyMatcher, Vec<RowWarning>), String> {
        let mut matcher = SurveyMatcher::new(&self.survey_verb, &self.csat_scale);
        let Some((rows, warnings, name)) = self.read_file(calendar)? else {
            return Ok((matcher, Vec::new()));
        };
        matcher.add_rows(rows, &name);
        Ok((matcher, warnings))
    }

    /// The survey file's rows, its warnings (each naming the file) and its name.
    fn read_file(&self, calendar: &SiteCalendar) -> Result<Option<SurveyFile>, String> {
        let Some(path) = &self.surveys else { return Ok(None) };
        let text = utf8_input(path)?;
        let name = path.display().to_string();
        let (rows, warnings) = surveys::read_csv(&text, calendar, &self.csat_scale)
            .map_err(|e| format!("{name}: {e}"))?;
        let warnings = warnings
            .into_iter()
            .map(|w| {
                let line = w.line.map_or_else(String::new, |line| format!(" line {line}"));
                RowWarning::whole(format!("{name}{line}: {}", w.reason))
            })
            .collect();
        Ok(Some((rows, warnings, name)))
    }
}
