//! The `callboard` program, run as a user runs it.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use support::callboard;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> PathBuf {
    manifest_dir().join("../data/anonymous-bank-1999-02-10.queue_log")
}

fn report_json(args: &[&str]) -> Value {
    let out = callboard(&[&["report", "--json"], args].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn queue<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["queue"] == name)
        .unwrap_or_else(|| panic!("no queue {name}"))
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

/// Compares `actual` with a committed golden file; `CALLBOARD_UPDATE_GOLDEN=1` rewrites it.
fn golden(name: &str, actual: &str) {
    let path = manifest_dir().join("tests/golden").join(name);
    if std::env::var_os("CALLBOARD_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (run with CALLBOARD_UPDATE_GOLDEN=1 to create it)", path.display())
    });
    assert!(
        expected == actual,
        "{} differs from the golden file; if the change is intended, rerun with CALLBOARD_UPDATE_GOLDEN=1\n--- got ---\n{actual}",
        path.display()
    );
}

/// The sample day against figures computed independently from the original records by
/// `data/crosscheck_anonymous_bank.py` (the data's own q_time column, not timestamps).
#[test]
fn sample_day_matches_the_independent_cross_check() {
    let r = report_json(&["--queue-log", sample().to_str().unwrap(), "--utc-offset", "+02:00"]);
    assert_eq!(r["warnings"].as_array().unwrap().len(), 0, "{:#}", r["warnings"]);
    assert_eq!(r["open_calls"], 0);
    let all = &r["all_queues"];
    assert_eq!(
        [
            &all["offered"],
            &all["answered"],
            &all["abandoned"],
            &all["answered_within_sl"],
            &all["abandoned_within_sl"]
        ],
        [1597, 1333, 264, 693, 65]
    );
    let sl = &all["service_level"];
    assert!(close(&sl["answered"], 693.0 / 1333.0));
    assert!(close(&sl["offered"], 693.0 / 1597.0));
    assert!(close(&sl["abandons_ignored"], 693.0 / (1597.0 - 65.0)));
    assert!(close(&sl["abandons_positive"], (693.0 + 65.0) / 1597.0));
    assert!(close(&all["asa_seconds"], 51.244_561_140_285_07));
    assert!(close(&all["avg_abandon_seconds"], 69.238_636_363_636_36));
    assert!(close(&all["max_wait_seconds"], 499.0));
    let ps = &queue(&r, "PS")["total"];
    assert_eq!([&ps["offered"], &ps["answered"], &ps["abandoned"]], [1007, 878, 129]);
}

#[test]
fn sample_day_golden_report() {
    let path = sample();
    let args = ["report", "--queue-log", path.to_str().unwrap(), "--utc-offset", "+02:00"];
    let text = callboard(&args);
    assert!(text.status.success());
    golden("anonymous-bank-1999-02-10.txt", &String::from_utf8(text.stdout).unwrap());
    // Hourly rows keep the JSON golden file small; the quarter hours are pinned by the text.
    let json = callboard(&[&args[..], &["--json", "--interval", "1h"]].concat());
    golden("anonymous-bank-1999-02-10-hourly.json", &String::from_utf8(json.stdout).unwrap());
}

#[test]
fn every_row_length_gives_the_same_day() {
    let path = sample();
    let base = ["--queue-log", path.to_str().unwrap(), "--utc-offset", "+02:00"];
    let totals: Vec<Value> = ["15m", "30m", "1h", "1d"]
        .iter()
        .map(|interval| {
            let mut r =
                report_json(&[&base[..], &["--interval", interval]].concat())["all_queues"].clone();
            // Only where the rows start and end may differ: a day starts at local midnight.
            for key in ["start_epoch", "end_epoch", "start_local"] {
                r[key] = Value::Null;
            }
            r
        })
        .collect();
    for t in &totals[1..] {
        assert_eq!(t, &totals[0]);
    }
    let days = report_json(&[&base[..], &["--interval", "1d"]].concat());
    let ps = queue(&days, "PS");
    // Calls enter on the 10th and (one, after midnight) on the 11th.
    assert_eq!(ps["intervals"].as_array().unwrap().len(), 2);
    assert_eq!(ps["intervals"][0]["start_local"], "1999-02-10T00:00:00+02:00");
}

#[test]
fn third_ring_threshold_and_short_abandons() {
    let path = sample();
    let base = ["--queue-log", path.to_str().unwrap(), "--utc-offset", "+02:00"];
    let rings = report_json(&[&base[..], &["--sl-rings", "3"]].concat());
    assert_eq!(rings["settings"]["sl_threshold_seconds"], 18.0);
    let seconds = report_json(&[&base[..], &["--sl-seconds", "18"]].concat());
    assert_eq!(rings["all_queues"], seconds["all_queues"]);
    let short = report_json(&[&base[..], &["--short-abandon-seconds", "5"]].concat());
    let all = &short["all_queues"];
    let short_abandons = all["short_abandoned"].as_u64().unwrap();
    assert!(short_abandons > 0);
    assert_eq!(all["abandoned"], 264, "short abandons stay in the abandoned count");
    let net_abandoned = 264.0 - short_abandons as f64;
    assert!(close(&all["abandon_rate"], net_abandoned / (1597.0 - short_abandons as f64)));
}

#[test]
fn messy_log_is_survived_with_warnings_naming_the_lines() {
    let log = manifest_dir().join("../queue-log/tests/data/messy.queue_log");
    let r = report_json(&["--queue-log", log.to_str().unwrap()]);
    let water = &queue(&r, "water")["total"];
    assert_eq!(
        [
            &water["offered"],
            &water["answered"],
            &water["abandoned"],
            &water["dequeued"],
            &water["answered_within_sl"]
        ],
        [4, 1, 1, 2, 1]
    );
    assert!(close(&water["service_level"]["offered"], 0.25));
    let streets = &queue(&r, "streets")["total"];
    assert_eq!([&streets["offered"], &streets["answered"], &streets["waiting"]], [2, 1, 1]);
    assert_eq!(r["open_calls"], 2);
    assert!(r["queues"].as_array().unwrap().iter().all(|q| q["queue"] != "outbound"));
    let warnings: Vec<(u64, String)> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["line"].as_u64().unwrap(), w["message"].as_str().unwrap().to_owned()))
        .collect();
    let expect = [
        (5, "blank line"),
        (7, "exact duplicate of line 6"),
        (8, "8 NUL bytes"),
        (10, "out of time order"),
        (11, "out of time order"),
        (12, "no ENTERQUEUE"),
        (14, "FROBNICATE"),
        (15, "outbound"),
        (20, "still connected"),
        (22, "still waiting"),
        (23, "not a queue_log line"),
    ];
    assert_eq!(warnings.len(), expect.len(), "{warnings:#?}");
    for ((line, message), (want_line, want)) in warnings.iter().zip(expect) {
        assert_eq!(*line, want_line, "{message}");
        assert!(message.contains(want), "line {line}: {message:?} should mention {want:?}");
    }
}

#[test]
fn stdin_gives_the_same_report_as_the_file() {
    let log = manifest_dir().join("../queue-log/tests/data/messy.queue_log");
    let from_file = callboard(&["report", "--json", "--queue-log", log.to_str().unwrap()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["report", "--json", "--queue-log", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&std::fs::read(&log).unwrap()).unwrap();
    let from_stdin = child.wait_with_output().unwrap();
    assert!(from_stdin.status.success());
    assert_eq!(from_file.stdout, from_stdin.stdout);
}

#[test]
fn realtime_export_across_the_fall_back_hour() {
    let csv = manifest_dir().join("../queue-log/tests/data/realtime-export.csv");
    let r = report_json(&[
        "--queue-log",
        csv.to_str().unwrap(),
        "--utc-offset",
        "-05:00",
        "--dst",
        "us",
    ]);
    assert_eq!(r["warnings"].as_array().unwrap().len(), 0, "{:#}", r["warnings"]);
    let potholes = queue(&r, "potholes");
    let total = &potholes["total"];
    assert_eq!(
        [&total["offered"], &total["answered"], &total["abandoned"], &total["answered_within_sl"]],
        [2, 1, 1, 1]
    );
    assert!(close(&total["asa_seconds"], 15.5));
    // 01:45 EDT and 01:00 EST: the first call's interval, then the second 01:00 hour.
    let starts: Vec<&str> = potholes["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["start_local"].as_str().unwrap())
        .collect();
    assert_eq!(starts.first(), Some(&"2026-11-01T01:45:00-04:00"));
    assert!(starts.contains(&"2026-11-01T01:00:00-05:00"), "{starts:?}");
    let graffiti = &queue(&r, "graffiti, removal")["total"];
    assert_eq!([&graffiti["offered"], &graffiti["dequeued"], &graffiti["abandoned"]], [1, 1, 0]);
}

fn fails_with(args: &[&str], code: i32, message: &str) {
    let out = callboard(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(message), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_input_gets_a_clear_error() {
    fails_with(
        &["report", "--queue-log", "/nonexistent/queue_log"],
        1,
        "cannot read /nonexistent/queue_log",
    );
    let log = sample();
    let log = log.to_str().unwrap();
    fails_with(&["report", "--queue-log", log, "--utc-offset", "+25:00"], 2, "UTC offset");
    fails_with(
        &["report", "--queue-log", log, "--utc-offset", "Europe/Paris"],
        2,
        "UTC offset like +02:00",
    );
    fails_with(&["report", "--queue-log", log, "--interval", "7m"], 2, "15m, 30m, 1h or 1d");
    fails_with(
        &["report", "--queue-log", log, "--sl-seconds", "20", "--sl-rings", "3"],
        2,
        "cannot be used with",
    );
    fails_with(
        &["report", "--queue-log", log, "--sl-rings", "3", "--ring-cadence", "0"],
        2,
        "ring cycle",
    );
    fails_with(&["report", "--queue-log", log, "--ring-cadence", "3"], 2, "--sl-rings");
    fails_with(&["report"], 2, "--queue-log");
    let dir = std::env::temp_dir().join(format!("callboard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage: Vec<u8> =
        (0u32..20_000).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = dir.join("garbage.bin");
    std::fs::write(&path, garbage).unwrap();
    fails_with(&["report", "--queue-log", path.to_str().unwrap()], 1, "no queue_log events found");
    let empty = dir.join("empty");
    std::fs::write(&empty, b"").unwrap();
    fails_with(&["report", "--queue-log", empty.to_str().unwrap()], 1, "no queue_log events found");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_truncated_log_reports_what_it_holds() {
    let bytes = std::fs::read(sample()).unwrap();
    let dir = std::env::temp_dir().join(format!("callboard-trunc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: &Path = &dir.join("truncated.queue_log");
    // Cut in the middle of a line, as a crash would.
    std::fs::write(path, &bytes[..bytes.len() / 2 + 7]).unwrap();
    let r = report_json(&["--queue-log", path.to_str().unwrap(), "--utc-offset", "+02:00"]);
    let warnings = r["warnings"].as_array().unwrap();
    assert!(!warnings.is_empty());
    assert!(
        r["open_calls"].as_u64().unwrap() > 0,
        "calls cut off by the truncation are reported open"
    );
    let all = &r["all_queues"];
    let outcomes = ["answered", "abandoned", "dequeued", "transferred_out", "waiting"]
        .iter()
        .map(|k| all[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(all["offered"].as_u64().unwrap(), outcomes);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every command that writes to standard output, run with both its outputs' readers gone
/// before it writes (`callboard ... 2>&1 | head -0`): it finishes its work and exits 0, with
/// no panic (exit 101) from a failed write to either.
#[test]
fn every_command_exits_quietly_when_its_readers_have_gone() {
    let out_dir = std::env::temp_dir().join(format!("callboard-pipe-{}", std::process::id()));
    let log = sample().display().to_string();
    let data = |name: &str| manifest_dir().join("../data").join(name).display().to_string();
    let commands: Vec<Vec<String>> = vec![
        vec!["report".into(), "--queue-log".into(), log.clone(), "--json".into()],
        vec!["demo".into(), "--out".into(), out_dir.display().to_string()],
        vec!["ewt-eval".into()],
        vec![
            "sla".into(),
            "report".into(),
            "--policies".into(),
            data("sla-policies-311.toml"),
            "--requests".into(),
            data("sla-requests-311.csv"),
        ],
        "staff --model erlang-c --calls-per-hour 1200 --aht 240 --target-seconds 20 \
         --service-level 80%"
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        "erlang --model erlang-c --traffic 80 --agents 86 --aht 240 --target-seconds 20"
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        vec![
            "board".into(),
            "encode".into(),
            "--address".into(),
            "1".into(),
            "--queue-log".into(),
            log.clone(),
            "--at".into(),
            "1999-02-10 11:00".into(),
            "--utc-offset".into(),
            "+02:00".into(),
            "--queue".into(),
            "PS=STREETS".into(),
        ],
    ];
    for args in commands {
        let mut child = Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run callboard");
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().expect("wait for callboard");
        assert!(status.success(), "callboard {}: {status:?}", args.join(" "));
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_reader_that_stops_reading_is_not_a_crash() {
    // `callboard report ... | head -1`: the reader has gone before the report is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .arg("report")
        .arg("--queue-log")
        .arg(sample())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run callboard");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for callboard");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}
