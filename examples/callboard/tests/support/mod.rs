//! Helpers the command-line tests share: running `callboard` as a user runs it, and the sample
//! data it reads.

// Each test crate uses the helpers it needs.
#![allow(dead_code)]

pub mod postgres;
pub mod serve;

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `callboard` with `args` and waits for it.
pub fn callboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_callboard")).args(args).output().expect("run callboard")
}

/// A command line's words, split at spaces: `words("erlang --traffic 20 --agents 25")`.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A file of `examples/data/`, as an argument.
pub fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The real sample day's queue_log, as an argument.
pub fn sample_log() -> String {
    data("anonymous-bank-1999-02-10.queue_log")
}

/// `callboard report SOURCE --utc-offset +02:00 --interval INTERVAL --json` on the sample's
/// clock, `source` being `--queue-log FILE` or `--table NAME ...`; refused if it fails.
pub fn report_json(source: &[&str], interval: &str) -> serde_json::Value {
    let mut args = vec!["report"];
    args.extend_from_slice(source);
    args.extend_from_slice(&["--utc-offset", "+02:00", "--interval", interval, "--json"]);
    let out = callboard(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("report --json")
}

/// Bytes printed as space-separated hex, as `board encode` prints them.
pub fn hex_bytes(hex: &str) -> Vec<u8> {
    hex.split_whitespace().map(|b| u8::from_str_radix(b, 16).expect("hex")).collect()
}

/// The two queues and the storm announcement most board tests show.
pub const STORM_BOARD: [&str; 6] = [
    "--queue",
    "PS=STREETS",
    "--queue",
    "PE=ENGLISH@90%",
    "--announcement",
    "Storm: expect delays",
];

/// Compares `callboard serve`'s `figures.json` with a `callboard report --interval 1d --json`:
/// every day of every queue the service kept, on each of `keys`. Returns the days compared.
pub fn compare_days(
    figures: &serde_json::Value,
    report: &serde_json::Value,
    keys: &[&str],
    context: &str,
) -> usize {
    let mut compared = 0;
    for queue in figures["queues"].as_array().expect("queues") {
        let name = queue["name"].as_str().expect("name");
        let rows = &report["queues"]
            .as_array()
            .expect("report queues")
            .iter()
            .find(|q| q["queue"] == name)
            .unwrap_or_else(|| panic!("no report for {name}"))["intervals"];
        for day in queue["days"].as_array().expect("days") {
            let date = day["date"].as_str().expect("date");
            let row = rows
                .as_array()
                .expect("intervals")
                .iter()
                .find(|r| r["start_local"].as_str().is_some_and(|s| s.starts_with(date)))
                .unwrap_or_else(|| panic!("no report row for {name} on {date}"));
            for key in keys {
                assert_eq!(day[*key], row[*key], "{name} {date} {key}: {context}");
            }
            compared += 1;
        }
    }
    compared
}
