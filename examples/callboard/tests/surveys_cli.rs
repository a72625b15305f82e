//! Real survey results in: `--surveys FILE.csv` and the log's own `SURVEY` lines, through
//! `report` (each day's CSAT beside the calls) and the boards ("CSAT yesterday"). The expected
//! figures are computed here from the sample files themselves, not by the code under test.

mod support;

use std::collections::HashMap;

use serde_json::Value;
use support::{callboard, data, sample_log};

fn surveys_file() -> String {
    data("surveys-anonymous-bank-1999-02.csv")
}

/// Each day's (responses, mean score) computed from the sample files: rows dated by `time`
/// are the 9th's; rows naming a call take the day of its ENTERQUEUE (all the 10th); a score
/// off the 1-5 scale, a row with neither, or a call the log lacks is not counted.
fn expected_days() -> HashMap<String, (u32, f64)> {
    let log = std::fs::read_to_string(sample_log()).unwrap();
    let calls: std::collections::HashSet<&str> = log
        .lines()
        .filter(|l| l.split('|').nth(4) == Some("ENTERQUEUE"))
        .filter_map(|l| l.split('|').nth(1))
        .collect();
    let text = std::fs::read_to_string(surveys_file()).unwrap();
    let mut days: HashMap<&str, (u32, u64)> = HashMap::new();
    for row in text.lines().skip(1) {
        let fields: Vec<&str> = row.split(',').collect();
        let (time, callid, score) = (fields[0], fields[1], fields[2].parse::<u64>().unwrap());
        let day = match (time, callid) {
            ("", "") => continue,
            ("", call) if !calls.contains(call) => continue,
            ("", _) => "1999-02-10",
            (t, _) => &t[..10],
        };
        if (1..=5).contains(&score) {
            let entry = days.entry(day).or_default();
            *entry = (entry.0 + 1, entry.1 + score);
        }
    }
    days.into_iter().map(|(d, (n, sum))| (d.to_owned(), (n, sum as f64 / f64::from(n)))).collect()
}

fn json(args: &[&str]) -> Value {
    let out = callboard(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn the_report_puts_each_days_csat_beside_the_calls() {
    let (log, surveys) = (sample_log(), surveys_file());
    let base = ["report", "--queue-log", &log, "--utc-offset", "+02:00", "--interval", "1d"];
    let report = json(&[&base[..], &["--json", "--surveys", &surveys]].concat());
    let expected = expected_days();
    let csat = report["csat"].as_array().expect("a csat list");
    assert_eq!(csat.len(), 2, "{csat:?}");
    for day in csat {
        let (responses, mean) = expected[day["date"].as_str().unwrap()];
        assert_eq!(day["responses"], responses, "{day}");
        assert!((day["mean_score"].as_f64().unwrap() - mean).abs() < 1e-9, "{day} vs {mean}");
        let top = day["top_two_box"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&top), "{day}");
    }
    // The three rows that cannot be counted, each named by the file and its line.
    let rows = std::fs::read_to_string(&surveys).unwrap().lines().count();
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["message"].as_str())
        .collect();
    for (line, reason) in [
        (rows - 2, "score 7 is off the 1-5 scale"),
        (rows - 1, "no time and no callid"),
        (rows, "call 918699999.99999 is not in the log"),
    ] {
        let wanted = format!("{surveys} line {line}: {reason}; not counted");
        assert!(warnings.contains(&wanted.as_str()), "{wanted} not in {warnings:?}");
    }

    // The call figures are the same with or without the surveys, and without them there is
    // no csat at all (the JSON contract is unchanged for logs without surveys).
    let plain = json(&[&base[..], &["--json"]].concat());
    assert!(plain.get("csat").is_none());
    assert_eq!(plain["queues"], report["queues"]);

    let text = callboard(&[&base[..], &["--surveys", &surveys]].concat());
    let text = String::from_utf8(text.stdout).unwrap();
    let (n, mean) = expected["1999-02-09"];
    assert!(text.contains(&format!("Tue 1999-02-09  {n} responses  mean {mean:.2}")), "{text}");
}

#[test]
fn the_board_posts_yesterdays_csat_from_the_survey_file() {
    let (log, surveys) = (sample_log(), surveys_file());
    let encode = [
        "board",
        "encode",
        "--address",
        "3",
        "--queue-log",
        &log,
        "--utc-offset",
        "+02:00",
        "--at",
        "1999-02-10 11:00",
        "--queue",
        "PS=STREETS",
        "--json",
        "--surveys",
        &surveys,
    ];
    let (n, mean) = expected_days()["1999-02-09"];
    let frame = json(&encode);
    let centi = (mean * 100.0).round() as u64;
    assert_eq!(
        frame["csat"],
        serde_json::json!({"MeanScore": {"centi": centi, "scale_highest": 5, "responses": n}})
    );
    let top_two = json(&[&encode[..], &["--csat-figure", "top-two"]].concat());
    assert!(top_two["csat"]["TopTwoBox"]["permille"].as_u64().is_some_and(|p| p <= 1000));
    let strict = json(&[&encode[..], &["--csat-minimum", "100"]].concat());
    assert_eq!(
        strict["csat"],
        serde_json::json!({"NotEnoughResponses": {"responses": n, "minimum": 100}})
    );
    // Without surveys the board says it has no CSAT, as before.
    let without = json(&encode[..encode.len() - 2]);
    assert_eq!(without["csat"], "Unavailable");
}

#[test]
fn the_logs_own_survey_lines_count_and_bad_ones_are_named() {
    let dir = std::env::temp_dir().join(format!("callboard-surveys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("queue_log");
    std::fs::write(
        &log,
        "\
1795420800|1.1|STREETS|NONE|ENTERQUEUE||5551234|1
1795420805|1.1|STREETS|Agent/1|CONNECT|5||0
1795420900|1.1|STREETS|Agent/1|COMPLETECALLER|5|95|1
1795420910|1.1|STREETS|NONE|IVRSURVEY|5|yes|yes|yes|yes|
1795421000|1.2|STREETS|NONE|ENTERQUEUE||5559876|1
1795421030|1.2|STREETS|Agent/1|CONNECT|30||0
1795421100|1.2|STREETS|Agent/1|COMPLETEAGENT|30|70|1
1795421110|1.2|STREETS|NONE|IVRSURVEY|2|no||no|no|yes
1795421111|1.2|STREETS|NONE|IVRSURVEY|six
",
    )
    .unwrap();
    let log = log.to_str().unwrap();
    let report = json(&["report", "--queue-log", log, "--json", "--survey-verb", "IVRSURVEY"]);
    let day = &report["csat"][0];
    assert_eq!((day["date"].as_str(), day["responses"].as_u64()), (Some("2026-11-23"), Some(2)));
    assert_eq!(day["mean_score"], 3.5);
    assert_eq!(day["follow_ups_requested"], 1);
    assert_eq!(day["yes_rates"][0], 0.5);
    let bad = &report["warnings"].as_array().unwrap()[0];
    assert_eq!(bad["line"], 9);
    assert!(bad["message"].as_str().unwrap().contains("score \"six\""), "{bad}");
    // Under the default verb those lines are a custom event, counted in no figure.
    let other = json(&["report", "--queue-log", log, "--json"]);
    assert!(other.get("csat").is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_is_not_a_survey_export_is_refused() {
    let dir = std::env::temp_dir().join(format!("callboard-not-surveys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ratings.csv");
    std::fs::write(&file, "time,rating\n1999-02-10 08:00,5\n").unwrap();
    let log = sample_log();
    let out = callboard(&["report", "--queue-log", &log, "--surveys", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ratings.csv: the header names no score column"), "{stderr}");
    let scale = callboard(&["report", "--queue-log", &log, "--csat-scale", "5-1"]);
    assert_eq!(scale.status.code(), Some(2), "clap refuses a reversed scale");
    std::fs::remove_dir_all(&dir).unwrap();
}
