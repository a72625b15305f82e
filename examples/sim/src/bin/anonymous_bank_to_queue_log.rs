//! Converts one day of the Technion "Anonymous Bank" call-center records (Guedj & Mandelbaum,
//! tab-separated, one row per call) into an Asterisk `queue_log`, so that a real center's day can
//! be replayed by `callboard report` exactly as a switch's log would be.
//!
//! ```text
//! anonymous-bank-to-queue-log --tsv anonymous_bank_1999_02.tsv --date 1999-02-10 \
//!     [--utc-offset +02:00] > anonymous-bank-1999-02-10.queue_log
//! anonymous-bank-to-queue-log --tsv anonymous_bank_1999_02.tsv > anonymous-bank-1999-02.queue_log
//! ```
//!
//! Without `--date`, every day in the file is written, in time order (the whole month).
//!
//! Each call becomes the events its row records:
//! - served after waiting (`AGENT`, queued): `ENTERQUEUE` at `q_start`, `CONNECT` at `q_exit`,
//!   `COMPLETECALLER` `ser_time` seconds later;
//! - served without waiting (`AGENT`, never queued): all three at `ser_start`, no wait;
//! - abandoned (`HANG`, queued): `ENTERQUEUE` at `q_start`, `ABANDON` at `q_exit`.
//!
//! Left out, and counted on stderr: calls that hung up in the voice-response unit before
//! reaching the agent queue (`HANG` never queued), `PHANTOM` rows (records the data's
//! documentation says to ignore), and rows without any usable time. The queue is the call
//! `type` (PS, PE, IN, NE, NW, TT); the agent is `Agent/<server>`, or `NONE` for `NO_SERVER`.
//! Wait and service use the row's own queue and service clocks, which in this data disagree with
//! each other by a second or two; the row says who hung up only for abandons, so completed calls
//! are written as `COMPLETECALLER`. Times are local to the bank (Israel, UTC+02:00 in February
//! 1999) and written as UTC epochs.

use std::collections::HashMap;
use std::io::{BufWriter, Write as _};
use std::process::ExitCode;

use callboard_core::calendar::{DstRule, LocalDate, MILLIS_PER_SECOND, SiteCalendar, UtcOffset};
use callboard_queue_log::local_time::{parse_date, parse_utc_offset};
use callboard_queue_log::{Line, Verb};

const USAGE: &str =
    "usage: anonymous-bank-to-queue-log --tsv FILE [--date YYYY-MM-DD] [--utc-offset ±HH:MM]";

struct Args {
    tsv: String,
    date: Option<LocalDate>,
    offset: UtcOffset,
}

fn parse_args() -> Result<Args, String> {
    let mut tsv = None;
    let mut date = None;
    // Israel Standard Time: the bank's clocks in February.
    let mut offset = UtcOffset::from_minutes(120).map_err(|e| e.to_string())?;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--tsv" => tsv = Some(value),
            "--date" => date = Some(parse_date(&value)?),
            "--utc-offset" => offset = parse_utc_offset(&value)?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(Args { tsv: tsv.ok_or(USAGE)?, date, offset })
}

/// Seconds after midnight of `H:MM:SS`.
fn clock(s: &str) -> Option<i64> {
    let mut it = s.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (it.next()??, it.next()??, it.next()??);
    Some(h * 3600 + m * 60 + sec)
}

/// The row's `YYMMDD` date (the data is from 1999: years 50–99 are 19xx).
fn row_date(text: &str) -> Option<LocalDate> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r)?.parse::<u8>().ok();
    let yy = i32::from(n(0..2)?);
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    LocalDate::new(year, n(2..4)?, n(4..6)?).ok()
}

/// One event of a call, to be written: when (seconds since the epoch), by whom, what.
struct Event {
    at: i64,
    callid: String,
    queue: String,
    agent: String,
    verb: Verb,
    data: Vec<String>,
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .from_path(&args.tsv)
        .map_err(|e| format!("cannot read {}: {e}", args.tsv))?;
    let header = reader.headers().map_err(|e| format!("{}: {e}", args.tsv))?.clone();
    if header.is_empty() {
        return Err("empty file".into());
    }
    let col =
        |name: &str| header.iter().position(|h| h == name).ok_or(format!("no column {name:?}"));
    let [
        call_id,
        customer,
        kind,
        date,
        vru_entry,
        q_start,
        q_exit,
        outcome,
        ser_start,
        ser_time,
        server,
    ] = [
        col("call_id")?,
        col("customer_id")?,
        col("type")?,
        col("date")?,
        col("vru_entry")?,
        col("q_start")?,
        col("q_exit")?,
        col("outcome")?,
        col("ser_start")?,
        col("ser_time")?,
        col("server")?,
    ];
    let wanted =
        args.date.map(|day| format!("{:02}{:02}{:02}", day.year() % 100, day.month(), day.day()));
    let calendar = SiteCalendar::new(args.offset, DstRule::None).map_err(|e| e.to_string())?;
    let mut events: Vec<Event> = Vec::new();
    let mut skipped: HashMap<&str, usize> = HashMap::new();
    let mut written = 0;
    for row in reader.records() {
        let row = row.map_err(|e| format!("{}: {e}", args.tsv))?;
        let get = |i: usize| row.get(i).unwrap_or("");
        if wanted.as_deref().is_some_and(|w| get(date) != w) {
            continue;
        }
        let Some(day) = row_date(get(date)) else {
            *skipped.entry("no usable date").or_default() += 1;
            continue;
        };
        let midnight = i64::try_from(calendar.day_start(day) / MILLIS_PER_SECOND)
            .map_err(|e| e.to_string())?;
        let Some(vru) = clock(get(vru_entry)) else {
            *skipped.entry("no usable time").or_default() += 1;
            continue;
        };
        // A time of day earlier than the call reached the bank (by over 12 hours) is the next day.
        let instant = |t: i64| midnight + if t + 43_200 < vru { t + 86_400 } else { t };
        let queued = get(q_start) != "0:00:00";
        let agent = match get(server) {
            "NO_SERVER" | "" => "NONE".to_owned(),
            name => format!("Agent/{name}"),
        };
        let service = get(ser_time).parse::<i64>().unwrap_or(0).max(0);
        let caller = match get(customer) {
            "0" | "" => "anonymous",
            id => id,
        };
        // The events after ENTERQUEUE: when, by whom, what, with its data fields.
        type Outcome = Vec<(i64, String, Verb, Vec<String>)>;
        let served = |answered: i64, hold: i64| -> Outcome {
            let hold = hold.to_string();
            vec![
                (
                    answered,
                    agent.clone(),
                    Verb::Connect,
                    vec![hold.clone(), String::new(), "0".into()],
                ),
                (
                    answered + service,
                    agent.clone(),
                    Verb::CompleteCaller,
                    vec![hold, service.to_string(), "1".into()],
                ),
            ]
        };
        let (entered, outcome_events): (i64, Outcome) = match (get(outcome), queued) {
            ("AGENT", true) => {
                let (Some(qs), Some(qe)) = (clock(get(q_start)), clock(get(q_exit))) else {
                    *skipped.entry("no usable time").or_default() += 1;
                    continue;
                };
                let (entered, answered) = (instant(qs), instant(qe));
                (entered, served(answered, answered - entered))
            }
            ("AGENT", false) => {
                let Some(start) = clock(get(ser_start)).filter(|&t| t != 0) else {
                    *skipped.entry("no usable time").or_default() += 1;
                    continue;
                };
                let answered = instant(start);
                (answered, served(answered, 0))
            }
            ("HANG", true) => {
                let (Some(qs), Some(qe)) = (clock(get(q_start)), clock(get(q_exit))) else {
                    *skipped.entry("no usable time").or_default() += 1;
                    continue;
                };
                let (entered, left) = (instant(qs), instant(qe));
                let data = vec!["1".into(), "1".into(), (left - entered).to_string()];
                (entered, vec![(left, "NONE".to_owned(), Verb::Abandon, data)])
            }
            ("HANG", false) => {
                *skipped.entry("hung up in the voice-response unit, never queued").or_default() +=
                    1;
                continue;
            }
            ("PHANTOM", _) => {
                *skipped.entry("PHANTOM record").or_default() += 1;
                continue;
            }
            (other, _) => {
                *skipped
                    .entry(if other.is_empty() { "no outcome" } else { "unknown outcome" })
                    .or_default() += 1;
                continue;
            }
        };
        let callid = format!("{entered}.{}", get(call_id));
        let queue = get(kind).to_owned();
        events.push(Event {
            at: entered,
            callid: callid.clone(),
            queue: queue.clone(),
            agent: "NONE".into(),
            verb: Verb::EnterQueue,
            data: vec![String::new(), caller.to_owned(), "1".into()],
        });
        for (at, agent, verb, data) in outcome_events {
            events.push(Event {
                at,
                callid: callid.clone(),
                queue: queue.clone(),
                agent,
                verb,
                data,
            });
        }
        written += 1;
    }
    // Stable: a call's own events, generated in order, stay in order within a second.
    events.sort_by_key(|e| e.at);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for e in &events {
        let at = u64::try_from(e.at).map_err(|_| format!("a time before 1970: {}", e.at))?;
        let data: Vec<&str> = e.data.iter().map(String::as_str).collect();
        let line = Line {
            at: at * MILLIS_PER_SECOND,
            callid: &e.callid,
            queue: &e.queue,
            agent: &e.agent,
            verb: &e.verb,
            data: &data,
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    let what = args.date.map_or_else(|| "every day".to_owned(), |d| d.to_string());
    eprintln!("{written} queued calls written for {what} ({} queue_log lines)", events.len());
    let mut skipped: Vec<_> = skipped.into_iter().collect();
    skipped.sort();
    for (why, n) in skipped {
        eprintln!("  left out: {n} ({why})");
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anonymous-bank-to-queue-log: {e}");
            ExitCode::FAILURE
        }
    }
}
