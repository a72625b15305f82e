//! A queue_log file replayed as it streams by (`callboard report`): its memory does not grow
//! with the log's length.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use callboard_core::calendar::SiteCalendar;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_queue_log as queue_log;
use callboard_queue_log::replay::{self, Replayed, Settled};
use callboard_queue_log::stream::{Ended, ReadAhead, Stream};
use callboard_queue_log::{Parsed, Record};

use super::read_input;
use super::surveys::SurveyArgs;

/// Reads with a buffer this large: big enough that reading costs nothing beside parsing.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// The log at `path` (`-`: standard input) replayed with its survey responses.
///
/// A file is streamed; if it has a line further out of time order than the stream's window
/// (logs concatenated in the wrong order), it is read again whole and put in order, as
/// [`queue_log::parse`] does. Standard input cannot be read twice: such a line is skipped with a
/// warning.
///
/// # Errors
/// A file that cannot be read, a survey file that cannot be, an input with no queue_log line
/// (the message quotes its first warnings).
pub(crate) fn replay_log(path: &Path, how: &Replay<'_>) -> Result<Replayed, String> {
    let name = path.display().to_string();
    let calendar = how.calendar;
    let ahead = open_stream(path, calendar)?;
    let end = |ahead: ReadAhead| ahead.end().map_err(|e| format!("cannot read {name}: {e}"));
    let whole = || Ok(queue_log::parse(&read_input(path)?, calendar));
    Streamed { name: &name, how }.replay(ahead, end, whole)
}

/// How `callboard report` replays its source.
pub(crate) struct Replay<'a> {
    pub(crate) calendar: &'a SiteCalendar,
    pub(crate) surveys: &'a SurveyArgs,
    pub(crate) config: CenterConfig,
    pub(crate) queue_config: QueueConfig,
    /// Whether the settled intervals are kept (rows of intervals) or let go (rows of days).
    pub(crate) settled: Settled,
}

/// A source's records replayed as they stream by, for `callboard report`.
pub(crate) struct Streamed<'a> {
    /// The source, as the errors name it.
    pub(crate) name: &'a str,
    pub(crate) how: &'a Replay<'a>,
}

impl Streamed<'_> {
    /// Replays `stream`'s records on the replay thread with the survey responses, and ends it
    /// with `end`. If the stream stopped at a record further out of order than its window, the
    /// source is read again `whole` and put in order, so nothing is lost.
    ///
    /// # Errors
    /// A source or survey file that cannot be read, a source with no queue_log record (the
    /// message quotes its first warnings).
    pub(crate) fn replay<S: Iterator<Item = Record> + Send + 'static>(
        &self,
        stream: S,
        end: impl FnOnce(S) -> Result<Ended, String>,
        whole: impl FnOnce() -> Result<Parsed, String>,
    ) -> Result<Replayed, String> {
        let how = self.how;
        let (config, queue_config, settled) = (how.config, how.queue_config, how.settled);
        let (matcher, survey_warnings) = how.surveys.matcher(how.calendar)?;
        let (replayed, stream) = replay::on_replay_thread(move || {
            let mut stream = stream;
            (replay::replay_records(&mut stream, matcher, config, queue_config, settled), stream)
        })
        .map_err(|e| e.to_string())?;
        let ended = end(stream)?;
        if ended.overflowed.is_some() {
            let mut parsed = whole()?;
            how.surveys.load(&mut parsed, how.calendar)?;
            let records = parsed.records.len();
            let replayed = replay::replay_on_own_thread(parsed, config, queue_config)
                .map_err(|e| e.to_string())?;
            return check(replayed, records, self.name);
        }
        let mut replayed = replayed;
        replayed.warnings.extend(ended.read.warnings);
        replayed.warnings.sort_by_key(|w| w.line);
        let mut replayed = check(replayed, ended.records, self.name)?;
        replayed.warnings.extend(survey_warnings);
        replayed.warnings.sort_by_key(|w| w.line);
        Ok(replayed)
    }
}

/// The log at `path` (`-`: standard input) streaming on a reading thread of its own. Standard
/// input, which cannot be read twice, skips a line further out of order than the window with a
/// warning; a file's stream stops there ([`Ended::overflowed`](callboard_queue_log::stream::Ended)).
///
/// # Errors
/// A file that cannot be opened, a thread that cannot be started.
pub(crate) fn open_stream(path: &Path, calendar: &SiteCalendar) -> Result<ReadAhead, String> {
    if path.as_os_str() == "-" {
        let input = BufReader::with_capacity(READ_BUFFER_BYTES, std::io::stdin());
        Stream::new(input, calendar).skipping_late_lines().read_ahead()
    } else {
        let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Stream::new(BufReader::with_capacity(READ_BUFFER_BYTES, file), calendar).read_ahead()
    }
    .map_err(|e| e.to_string())
}

/// The replay, unless the input had no queue_log line at all.
fn check(replayed: Replayed, records: usize, name: &str) -> Result<Replayed, String> {
    if records > 0 {
        return Ok(replayed);
    }
    let mut message = format!("no queue_log events found in {name}");
    for w in replayed.warnings.iter().take(5) {
        message += &format!("\n  {w}");
    }
    Err(message)
}
