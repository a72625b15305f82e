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

struct Line {
    at: i64,
    text: String,
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let text =
        std::fs::read_to_string(&args.tsv).map_err(|e| format!("cannot read {}: {e}", args.tsv))?;
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().ok_or("empty file")?.split('\t').collect();
    let col =
        |name: &str| header.iter().position(|h| *h == name).ok_or(format!("no column {name:?}"));
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
    let mut lines = Vec::new();
    let mut skipped: HashMap<&str, usize> = HashMap::new();
    let mut written = 0;
    for row in rows {
        let f: Vec<&str> = row.split('\t').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("");
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
        let (entered, outcome_lines): (i64, Vec<(i64, String)>) = match (get(outcome), queued) {
            ("AGENT", true) => {
                let (Some(qs), Some(qe)) = (clock(get(q_start)), clock(get(q_exit))) else {
                    *skipped.entry("no usable time").or_default() += 1;
                    continue;
                };
                let (entered, answered) = (instant(qs), instant(qe));
                let hold = answered - entered;
                (
                    entered,
                    vec![
                        (answered, format!("{agent}|CONNECT|{hold}||0")),
                        (answered + service, format!("{agent}|COMPLETECALLER|{hold}|{service}|1")),
                    ],
                )
            }
            ("AGENT", false) => {
                let Some(start) = clock(get(ser_start)).filter(|&t| t != 0) else {
                    *skipped.entry("no usable time").or_default() += 1;
                    continue;
                };
                let answered = instant(start);
                (
                    answered,
                    vec![
                        (answered, format!("{agent}|CONNECT|0||0")),
                        (answered + service, format!("{agent}|COMPLETECALLER|0|{service}|1")),
                    ],
                )
            }
            ("HANG", true) => {
                let (Some(qs), Some(qe)) = (clock(get(q_start)), clock(get(q_exit))) else {
                    *skipped.entry("no usable time").or_default() += 1;
                    continue;
                };
                let (entered, left) = (instant(qs), instant(qe));
                (entered, vec![(left, format!("NONE|ABANDON|1|1|{}", left - entered))])
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
        let queue = get(kind);
        lines.push(Line {
            at: entered,
            text: format!("{entered}|{callid}|{queue}|NONE|ENTERQUEUE||{caller}|1"),
        });
        for (at, rest) in outcome_lines {
            lines.push(Line { at, text: format!("{at}|{callid}|{queue}|{rest}") });
        }
        written += 1;
    }
    // Stable: a call's own events, generated in order, stay in order within a second.
    lines.sort_by_key(|l| l.at);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for l in &lines {
        writeln!(out, "{}", l.text).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    let what = args.date.map_or_else(|| "every day".to_owned(), |d| d.to_string());
    eprintln!("{written} queued calls written for {what} ({} queue_log lines)", lines.len());
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
