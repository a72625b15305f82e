//! A classic queue_log made N times larger, for measuring a replay at sizes beyond the data at
//! hand (`BENCHMARKS.md`, `scripts/bench-replay`):
//!
//! ```sh
//! repeat-queue-log --times 10 < month.queue_log > month-x10.queue_log
//! ```
//!
//! The result is the same days with N times the calls: a center N times the size. Copy `k`
//! (from 0; copy 0 is the log itself) is the log moved `k × 97 s` later, modulo 15 minutes, so
//! that the copies' calls do not arrive in step; its call ids and agent names get the suffix
//! `-k`, so that no two copies share a call or an agent. The copies are merged in time order,
//! each keeping its own order. A line whose first field is not an epoch is written once, where
//! copy 0 has it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufRead, BufWriter, Write};

const USAGE: &str = "usage: repeat-queue-log --times N < queue_log > larger";

/// How much later each copy is than the one before it, and the span the shifts wrap in.
const STEP_S: u64 = 97;
const WRAP_S: u64 = 900;

fn main() {
    if let Err(message) = run() {
        eprintln!("repeat-queue-log: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let times: u64 = match args.as_slice() {
        [flag, n] if flag == "--times" => {
            n.parse().map_err(|_| format!("--times needs a whole number, not {n:?}\n{USAGE}"))?
        }
        _ => return Err(USAGE.into()),
    };
    let mut log = Vec::new();
    for line in std::io::stdin().lock().lines() {
        log.push(line.map_err(|e| format!("cannot read standard input: {e}"))?);
    }
    // Each copy's cursor, by the time of its next line (then the copy, for a stable order).
    let mut cursors: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::new();
    for copy in 0..times {
        if !log.is_empty() {
            cursors.push(Reverse((time_of(&log[0], copy), copy, 0)));
        }
    }
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    while let Some(Reverse((_, copy, index))) = cursors.pop() {
        let line = &log[index];
        let written = match epoch(line) {
            Some((at, rest)) if copy > 0 => write_copy(&mut out, at + shift(copy), rest, copy),
            Some(_) => writeln!(out, "{line}"),
            None if copy == 0 => writeln!(out, "{line}"),
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
            cursors.push(Reverse((time_of(next, copy), copy, index + 1)));
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write: {e}")),
        _ => Ok(()),
    }
}

fn shift(copy: u64) -> u64 {
    copy * STEP_S % WRAP_S
}

/// When a line of copy `copy` is written: its own time moved, or the time of the line before
/// it for a line without one (0 sorts it first).
fn time_of(line: &str, copy: u64) -> u64 {
    epoch(line).map_or(0, |(at, _)| at + shift(copy))
}

/// `callid|queue|agent|rest` of copy `copy`: the call and the agent renamed.
fn write_copy(out: &mut impl Write, at: u64, line: &str, copy: u64) -> std::io::Result<()> {
    let mut fields = line.splitn(4, '|');
    let (callid, queue, agent, rest) = (fields.next(), fields.next(), fields.next(), fields.next());
    match (callid, queue, agent, rest) {
        (Some(callid), Some(queue), Some(agent), rest) => {
            let none = agent.is_empty() || agent.eq_ignore_ascii_case("NONE");
            let agent = if none { agent.to_owned() } else { format!("{agent}-{copy}") };
            match rest {
                Some(rest) => writeln!(out, "{at}|{callid}-{copy}|{queue}|{agent}|{rest}"),
                None => writeln!(out, "{at}|{callid}-{copy}|{queue}|{agent}"),
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
