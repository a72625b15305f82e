//! A log streamed ([`Stream`], [`replay_records`]) against the same log read whole ([`parse`],
//! [`replay`]): the same records, warnings and figures while its disorder stays within the
//! window, and a clear stop where it does not.

use callboard_core::calendar::SiteCalendar;
use callboard_core::csat::CsatScale;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_queue_log::read::{Parsed, Record, parse};
use callboard_queue_log::replay::{Replayed, Settled, on_replay_thread, replay, replay_records};
use callboard_queue_log::stream::{
    ANCHOR_RECORDS, Ended, LONGEST_LINE_BYTES, REORDER_WINDOW_MS, Stream,
};
use callboard_queue_log::surveys::{self, SURVEY_VERB, SurveyMatcher};
use proptest::prelude::*;

const DAY: &str = include_str!("../../data/anonymous-bank-1999-02-10.queue_log");
const SURVEYS: &str = include_str!("../../data/surveys-anonymous-bank-1999-02.csv");

fn streamed(log: &[u8], skip_late: bool) -> (Vec<Record>, Ended) {
    let mut stream = Stream::new(log, &SiteCalendar::UTC);
    if skip_late {
        stream = stream.skipping_late_lines();
    }
    let records: Vec<Record> = stream.by_ref().collect();
    (records, stream.end().unwrap())
}

/// Everything a replay shows, as text (a `Replayed` is not comparable as it stands).
fn shown(r: &Replayed) -> String {
    format!("{:?}\n{:?}\n{:?}\n{:?}\n{:?}", r.queues, r.warnings, r.open_calls, r.csat, r.end)
}

#[test]
fn the_sample_day_with_its_surveys_streams_to_the_same_report() {
    let calendar = SiteCalendar::UTC;
    let (rows, file_warnings) =
        surveys::read_csv(SURVEYS, &calendar, &CsatScale::ONE_TO_FIVE).unwrap();
    // Whole: the log parsed, its survey lines taken, the export's rows dated by their calls.
    let mut parsed = parse(DAY.as_bytes(), &calendar);
    parsed.take_survey_lines(SURVEY_VERB, &CsatScale::ONE_TO_FIVE);
    parsed.add_survey_rows(rows.clone(), "surveys.csv");
    let whole =
        on_replay_thread(move || replay(parsed, CenterConfig::default(), QueueConfig::default()))
            .unwrap();
    // Streamed, on a thread of its own.
    let mut matcher = SurveyMatcher::new(SURVEY_VERB, &CsatScale::ONE_TO_FIVE);
    matcher.add_rows(rows, "surveys.csv");
    let ahead = Stream::new(std::io::Cursor::new(DAY.as_bytes()), &calendar).read_ahead().unwrap();
    let (mut streamed, ahead) = on_replay_thread(move || {
        let mut ahead = ahead;
        let r = replay_records(
            &mut ahead,
            matcher,
            CenterConfig::default(),
            QueueConfig::default(),
            Settled::Keep,
        );
        (r, ahead)
    })
    .unwrap();
    let ended = ahead.end().unwrap();
    assert_eq!(ended.overflowed, None);
    streamed.warnings.extend(ended.read.warnings);
    streamed.warnings.sort_by_key(|w| w.line);
    assert!(!whole.csat.is_empty(), "the sample's surveys are counted");
    assert!(file_warnings.len() + whole.warnings.len() > 0);
    assert_eq!(shown(&streamed), shown(&whole));
}

#[test]
fn a_line_further_out_of_order_than_the_window_stops_the_stream_or_is_skipped() {
    // More records than the stream reads before its first is handed on, a minute apart, then
    // one from the window's length before the last.
    let t = 1_700_000_000_u64;
    let n = ANCHOR_RECORDS as u64 + 100;
    let mut log: String =
        (0..n).map(|i| format!("{}|c{i}|q|NONE|ENTERQUEUE||1|1\n", t + 60 * i)).collect();
    let late = t + 60 * (n - 1) - REORDER_WINDOW_MS / 1000 - 60;
    log += &format!("{late}|late|q|NONE|ENTERQUEUE||1|1\n");
    let late_line = usize::try_from(n).unwrap() + 1;
    let (_, ended) = streamed(log.as_bytes(), false);
    assert_eq!(ended.overflowed, Some(late_line));
    let (records, ended) = streamed(log.as_bytes(), true);
    assert_eq!(ended.overflowed, None);
    assert_eq!(records.len(), late_line - 1);
    assert!(records.iter().all(|r| r.callid != "late"));
    let warning = ended.read.warnings.iter().find(|w| w.line == Some(late_line)).unwrap();
    assert!(warning.reason.contains("further than the 10 minutes"), "{warning}");
    // Read whole, the same log is put in order.
    let whole = parse(log.as_bytes(), &SiteCalendar::UTC);
    assert_eq!(whole.records.len(), late_line);
}

#[test]
fn a_log_exported_newest_first_is_held_and_handed_on_oldest_first() {
    let t = 1_700_000_000_u64;
    let log: String =
        (0..50).rev().map(|i| format!("{}|c{i}|q|NONE|ENTERQUEUE||1|1\n", t + 60 * i)).collect();
    let (records, ended) = streamed(log.as_bytes(), false);
    let whole = parse(log.as_bytes(), &SiteCalendar::UTC);
    assert_eq!(ended.overflowed, None);
    assert_eq!(records, whole.records);
    assert_eq!(ended.read.warnings, whole.warnings);
    assert_eq!(ended.read.warnings.len(), 1, "said once: {:?}", ended.read.warnings);
}

/// One line of a generated log: its time and what it says.
fn line(at: u64, i: usize) -> String {
    match i % 4 {
        0 => format!("{at}|c{i}|q{}|NONE|ENTERQUEUE||555|1", i % 3),
        1 => format!("{at}|c{}|q{}|SIP/{}|CONNECT|3||1", i - 1, (i - 1) % 3, i % 5),
        2 => format!("{at}|c{}|q{}|NONE|ABANDON|1|1|4", i - 2, (i - 2) % 3),
        _ => format!("{at}|NONE|q0|SIP/{}|PAUSE|Lunch", i % 5),
    }
}

/// What the reader's checks all have to say about a log with every kind of mess they know,
/// the disorder kept within the window.
fn messy_log() -> impl Strategy<Value = String> {
    let steps = prop::collection::vec((0_u64..40, -200_i64..200, 0_u8..20), 1..300);
    steps.prop_map(|steps| {
        let mut at = 1_700_000_000_u64;
        let mut lines: Vec<String> = Vec::new();
        for (i, (step, jitter, mess)) in steps.into_iter().enumerate() {
            at += step;
            let when = at.saturating_add_signed(jitter);
            let text = line(when, i);
            match mess {
                0 => lines.push(String::new()),
                1 => lines.push(format!("{text}\0\0")),
                2 => lines.push("garbage without fields".into()),
                3 if !lines.is_empty() => {
                    let again = lines[lines.len() / 2].clone();
                    lines.push(text);
                    lines.push(again);
                }
                _ => lines.push(text),
            }
        }
        lines.join("\n")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Within the window, a streamed log is the log read whole: the same records in the same
    /// order, the same warnings, and the stream never stops.
    #[test]
    fn within_the_window_streaming_is_reading_whole(log in messy_log()) {
        let whole: Parsed = parse(log.as_bytes(), &SiteCalendar::UTC);
        let (records, ended) = streamed(log.as_bytes(), false);
        prop_assert_eq!(ended.overflowed, None);
        prop_assert_eq!(records, whole.records);
        prop_assert_eq!(ended.read.warnings, whole.warnings);
        prop_assert_eq!(ended.read.format, whole.format);
    }
}

#[test]
fn a_line_longer_than_any_log_line_is_skipped_without_holding_it() {
    let t = 1_700_000_000_u64;
    let long = "x".repeat(3 * LONGEST_LINE_BYTES + 17);
    let log =
        format!("{t}|a|q|NONE|ENTERQUEUE||1|1\n{long}\n{}|b|q|NONE|ENTERQUEUE||1|1\n{long}", t + 1);
    let (records, ended) = streamed(log.as_bytes(), false);
    assert_eq!(records.iter().map(|r| r.callid.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    let said: Vec<String> = ended.read.warnings.iter().map(ToString::to_string).collect();
    let bytes = 3 * LONGEST_LINE_BYTES + 17;
    assert_eq!(
        said,
        [2, 4].map(|line| format!(
            "line {line}: a line of {} bytes, longer than any queue_log line (not a log, or one \
             without line ends?); skipped",
            bytes
        ))
    );
}

/// The sample day five times, a day apart: each copy's times moved and its calls renamed.
fn five_days() -> String {
    let mut log = String::new();
    for day in 0..5_u64 {
        for line in DAY.lines() {
            let mut fields = line.splitn(3, '|');
            let (Some(at), Some(callid), Some(rest)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Ok(at) = at.parse::<u64>() else { continue };
            log.push_str(&format!("{}|{callid}-{day}|{rest}\n", at + day * 86_400));
        }
    }
    log
}

/// Letting settled intervals go (a report of days) changes no day and no open interval: the
/// replay only holds less.
#[test]
fn settled_intervals_let_go_leave_the_days_and_the_open_intervals() {
    let log = five_days();
    let replayed = |settled: Settled| {
        let ahead = Stream::new(std::io::Cursor::new(log.clone().into_bytes()), &SiteCalendar::UTC)
            .read_ahead()
            .unwrap();
        let matcher = SurveyMatcher::new(SURVEY_VERB, &CsatScale::ONE_TO_FIVE);
        on_replay_thread(move || {
            let mut ahead = ahead;
            let config = (CenterConfig::default(), QueueConfig::default());
            let r = replay_records(&mut ahead, matcher, config.0, config.1, settled);
            assert_eq!(ahead.end().unwrap().overflowed, None);
            r
        })
        .unwrap()
    };
    let (kept, dropped) = (replayed(Settled::Keep), replayed(Settled::Drop));
    assert_eq!(kept.queues.len(), dropped.queues.len());
    let mut let_go = 0;
    for (k, d) in kept.queues.iter().zip(&dropped.queues) {
        assert_eq!(k.name, d.name);
        assert_eq!(format!("{:?}", k.days), format!("{:?}", d.days), "queue {}", k.name);
        assert_eq!(k.days.len(), 5, "queue {}", k.name);
        // What is left are the last of the kept ones, exactly.
        let tail = &k.intervals[k.intervals.len() - d.intervals.len()..];
        assert_eq!(format!("{tail:?}"), format!("{:?}", d.intervals), "queue {}", k.name);
        let_go += k.intervals.len() - d.intervals.len();
    }
    assert!(let_go > 0, "five days settle intervals");
    assert_eq!(format!("{:?}", kept.warnings), format!("{:?}", dropped.warnings));
    assert_eq!(kept.csat, dropped.csat);
}
