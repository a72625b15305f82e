//! A `queue_log` of any bytes, read and replayed as `callboard report` and `callboard serve` do.
//!
//! Nothing may panic. After the whole log: the center keeps every invariant its audit knows
//! (calls in flight in known queues, every interval's and day's outcomes adding up to what was
//! offered less what still waits, subsets within their sets); every figure of every interval and
//! day the report would print is a ratio in [0, 1] or a finite, non-negative time; and the
//! replay's checkpoint restores to a replay that saves the same bytes. Streamed (as `report` and
//! `ewt-eval` read a file), the records come in time order, no more of them than the log has
//! lines, and their replay keeps the same figures' bounds.
//!
//! The first byte picks the site's UTC offset (in quarter hours) so that local days and DST-free
//! offsets are exercised; the rest is the log.
#![no_main]

use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_core::center::CenterConfig;
use callboard_core::csat::CsatScale;
use callboard_core::queue::QueueConfig;
use callboard_fuzz::holds;
use callboard_queue_log::parse;
use callboard_queue_log::replay::{Settled, Stepper, replay, replay_records};
use callboard_queue_log::stream::Stream;
use callboard_queue_log::surveys::{SURVEY_VERB, SurveyMatcher};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&zone, log)) = data.split_first() else { return };
    let minutes = (i32::from(zone % 57) - 28) * 30;
    let Ok(offset) = UtcOffset::from_minutes(minutes) else { return };
    let Ok(calendar) = SiteCalendar::new(offset, DstRule::None) else { return };
    let config = CenterConfig { calendar, ..CenterConfig::default() };

    // `callboard report`: the whole log at once.
    let replayed = replay(parse(log, &calendar), config, QueueConfig::default());
    for queue in &replayed.queues {
        for interval in &queue.intervals {
            holds(&interval.stats);
        }
        for day in &queue.days {
            holds(&day.stats);
        }
    }

    // `callboard report` of a file: streamed, lines too late for the window skipped.
    let mut stream = Stream::new(log, &calendar).skipping_late_lines();
    let records: Vec<_> = stream.by_ref().collect();
    let ended = stream.end().expect("bytes in memory read without error");
    assert!(ended.overflowed.is_none(), "told to skip late lines, the stream never stops");
    assert!(records.windows(2).all(|w| w[0].at <= w[1].at), "streamed out of time order");
    assert!(records.len() <= log.split(|&b| b == b'\n').count());
    let matcher = SurveyMatcher::new(SURVEY_VERB, &CsatScale::ONE_TO_FIVE);
    let streamed =
        replay_records(records.into_iter(), matcher, config, QueueConfig::default(), Settled::Keep);
    for queue in &streamed.queues {
        for interval in &queue.intervals {
            holds(&interval.stats);
        }
        for day in &queue.days {
            holds(&day.stats);
        }
    }

    // `callboard serve`: a record at a time, audited, then through its checkpoint.
    let parsed = parse(log, &calendar);
    let mut stepper = Stepper::new(parsed.warnings, config, QueueConfig::default());
    stepper.push(parsed.records);
    while stepper.step().is_some() {}
    stepper.center().audit().expect("the replay left a center its audit refuses");
    let saved = stepper.checkpoint().expect("a replay's checkpoint");
    let restored = Stepper::restore(&saved, false).expect("a replay's own checkpoint restores");
    restored.center().audit().expect("a restored center its audit refuses");
    let again = restored.checkpoint().expect("checkpoint again");
    assert!(again == saved, "a restored replay saves other bytes");
});
