//! Asterisk's realtime `queue_log` table as the service polls it: the table's column names
//! (any names, in any order) and then rows of fields, mapped to records by
//! `Reader::for_columns` and `Reader::fields`, settled as a read to the end settles them, and
//! replayed. Nothing may panic; names that do not place the time, call, queue, agent and event
//! are refused with a message; every figure of the replay holds (`callboard_fuzz::holds`).
//!
//! The input's first line is the column names, comma-separated; each further line is a row,
//! its fields split at `|` (a field may hold commas, quotes and anything else).
#![no_main]

use callboard_core::calendar::SiteCalendar;
use callboard_core::center::CenterConfig;
use callboard_core::queue::QueueConfig;
use callboard_fuzz::holds;
use callboard_queue_log::read::{Parsed, Reader, settle};
use callboard_queue_log::replay::replay;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let Some(header) = lines.next() else { return };
    let names: Vec<String> = header.split(',').map(str::to_owned).collect();
    let calendar = SiteCalendar::UTC;
    let mut reader = match Reader::for_columns(calendar, &names) {
        Ok(reader) => reader,
        Err(message) => {
            assert!(!message.is_empty(), "a refusal without a message");
            return;
        }
    };
    let mut parsed = Parsed::default();
    for (id, line) in lines.enumerate() {
        let fields: Vec<String> = line.split('|').map(str::to_owned).collect();
        reader.fields(id + 1, &fields, &mut parsed);
    }
    reader.finish(&mut parsed);
    settle(&mut parsed);
    assert!(parsed.records.windows(2).all(|w| w[0].at <= w[1].at), "records out of time order");
    let replayed = replay(parsed, CenterConfig::default(), QueueConfig::default());
    for queue in &replayed.queues {
        queue.intervals.iter().for_each(|i| holds(&i.stats));
        queue.days.iter().for_each(|d| holds(&d.stats));
    }
});
