//! A classic queue_log made larger, for measuring a replay at sizes beyond the data at hand
//! (`BENCHMARKS.md`, `scripts/bench-replay`):
//!
//! ```sh
//! repeat-queue-log --times 10 < month.queue_log > month-x10.queue_log
//! # a year of a center 40 times the size: 13 months of 28 days end to end
//! repeat-queue-log --times 40 --periods 13 < month.queue_log > year-x40.queue_log
//! ```
//!
//! `--times N` gives the same days with N times the calls: a center N times the size. Copy `k`
//! (from 0; copy 0 is the log itself) is the log moved `k × 97 s` later, modulo 15 minutes, so
//! that the copies' calls do not arrive in step; its call ids and agent names get the suffix
//! `-k`, so that no two copies share a call or an agent.
//!
//! `--periods M` (default 1) lays M such spans end to end: period `p` is moved `p` times the log's
//! span, rounded up to whole weeks (a 28-day month stays 28 days, so every day keeps its weekday
//! and its hour). Its call ids get the suffix `.p` after the copy's (`p` > 0); its agents keep
//! their names, the same people another month.
//!
//! All copies are merged in time order, each keeping its own order. A line whose first field is
//! not an epoch is written once, where copy 0 of period 0 has it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufRead, BufWriter, Write};

const USAGE: &str = "usage: repeat-queue-log --times N [--periods M] < queue_log > larger";

/// How much later each copy is than the one before it, and the span the shifts wrap in.
const STEP_S: u64 = 97;
const WRAP_S: u64 = 900;
/// Periods are moved by whole weeks.
const WEEK_S: u64 = 7 * 86_400;

fn main() {
    if let Err(message) = run() {
        eprintln!("repeat-queue-log: {message}");
        std::process::exit(2);
    }
}

/// One copy of the log: which of the N, in which period, moved how far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Copy {
    period: u64,
    copy: u64,
}

impl Copy {
    fn shift(self, period_s: u64) -> u64 {
        self.period * period_s + self.copy * STEP_S % WRAP_S
    }

    fn is_original(self) -> bool {
        self.period == 0 && self.copy == 0
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (times, periods) = options(&args)?;
    let mut log = Vec::new();
    for line in std::io::stdin().lock().lines() {
        log.push(line.map_err(|e| format!("cannot read standard input: {e}"))?);
    }
    let period_s = period_seconds(&log);
    // Each copy's cursor, by the time of its next line (then the copy, for a stable order).
    let mut cursors: BinaryHeap<Reverse<(u64, Copy, usize)>> = BinaryHeap::new();
    for period in 0..periods {
        for copy in 0..times {
            let copy = Copy { period, copy };
            if !log.is_empty() {
                cursors.push(Reverse((time_of(&log[0], copy.shift(period_s)), copy, 0)));
            }
        }
    }
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    while let Some(Reverse((_, copy, index))) = cursors.pop() {
        let line = &log[index];
        let shift = copy.shift(period_s);
        let written = match epoch(line) {
            Some((at, rest)) if !copy.is_original() => write_copy(&mut out, at + shift, rest, copy),
            Some(_) => writeln!(out, "{line}"),
            None if copy.is_original() => writeln!(out, "{line}"),
            None => Ok(()),
        };
        if let Err(e) = written {
            // A reader that has gone wanted no more.
            return if e.kind() == std::io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(format!("cannot write: {e}"))
            };
        }
        if let Some(next) = log.get(index + 1) {
            cursors.push(Reverse((time_of(next, shift), copy, index + 1)));
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write: {e}")),
        _ => Ok(()),
    }
}

/// `--times N` (required, at least 1) and `--periods M` (at least 1, default 1), in any order.
fn options(args: &[String]) -> Result<(u64, u64), String> {
    let (mut times, mut periods) = (None, 1);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = |name: &str, n: Option<&String>| {
            let n = n.ok_or_else(|| format!("{name} needs a value\n{USAGE}"))?;
            match n.parse::<u64>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(format!("{name} needs a whole number of at least 1, not {n:?}\n{USAGE}")),
            }
        };
        match flag.as_str() {
            "--times" => times = Some(value("--times", rest.next())?),
            "--periods" => periods = value("--periods", rest.next())?,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok((times.ok_or(USAGE)?, periods))
}

/// The log's span, first to last epoch, rounded up to whole weeks (at least one).
fn period_seconds(log: &[String]) -> u64 {
    let times = log.iter().filter_map(|line| epoch(line).map(|(at, _)| at));
    let (first, last) = times.fold((u64::MAX, 0), |(lo, hi), at| (lo.min(at), hi.max(at)));
    let span = last.saturating_sub(first) + 1;
    span.div_ceil(WEEK_S).max(1) * WEEK_S
}

/// When a line moved by `shift` is written: its own time moved, or 0 for a line without one
/// (which sorts it first).
fn time_of(line: &str, shift: u64) -> u64 {
    epoch(line).map_or(0, |(at, _)| at + shift)
}

/// `callid|queue|agent|rest` of `copy`: the call renamed for its copy and period, the agent for
/// its copy.
fn write_copy(out: &mut impl Write, at: u64, line: &str, copy: Copy) -> std::io::Result<()> {
    let mut fields = line.splitn(4, '|');
    let (callid, queue, agent, rest) = (fields.next(), fields.next(), fields.next(), fields.next());
    match (callid, queue, agent, rest) {
        (Some(callid), Some(queue), Some(agent), rest) => {
            let none = agent.is_empty() || agent.eq_ignore_ascii_case("NONE");
            let agent = if none || copy.copy == 0 {
                agent.to_owned()
            } else {
                format!("{agent}-{}", copy.copy)
            };
            let callid = match (copy.copy, copy.period) {
                (0, period) => format!("{callid}.{period}"),
                (k, 0) => format!("{callid}-{k}"),
                (k, period) => format!("{callid}-{k}.{period}"),
            };
            match rest {
                Some(rest) => writeln!(out, "{at}|{callid}|{queue}|{agent}|{rest}"),
                None => writeln!(out, "{at}|{callid}|{queue}|{agent}"),
            }
        }
        _ => writeln!(out, "{at}|{line}"),
    }
}

/// A classic line's whole-second epoch and the rest after it.
fn epoch(line: &str) -> Option<(u64, &str)> {
    let (first, rest) = line.split_once('|')?;
    Some((first.parse().ok()?, rest))
}
