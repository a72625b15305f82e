//! `callboard erlang` and `callboard staff`, run as a planner runs them.
//!
//! Expected figures are from the closed forms evaluated in Python mpmath at 30 digits (see
//! `core/tests/data/erlang/generate.py` for the formulas).

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{callboard, words};

fn json(args: &[&str]) -> Value {
    let out = callboard(&[args, &["--json"]].concat());
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn failure(args: &[&str]) -> String {
    let out = callboard(args);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(out.stdout.is_empty(), "{args:?} printed a result");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn close(v: &Value, expected: f64, tolerance: f64) -> bool {
    v.as_f64().is_some_and(|v| ((v - expected) / expected).abs() < tolerance)
}

/// Every key of the documented contract (docs/staffing-json.md).
const FIGURE_KEYS: [&str; 9] = [
    "traffic_erlangs",
    "agents",
    "p_block",
    "p_wait",
    "service_level",
    "asa_seconds",
    "mean_wait_all_seconds",
    "p_abandon",
    "occupancy",
];

#[test]
fn erlang_c_figures_at_a_staffing() {
    let v = json(&words(
        "erlang --model erlang-c --calls-per-hour 1200 --aht 240 --agents 86 --target-seconds 20",
    ));
    for key in FIGURE_KEYS {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["model"], "erlang-c");
    assert_eq!(v["traffic_erlangs"], 80.0);
    assert!(close(&v["p_wait"], 0.402_388_622_184_180_1, 1e-12), "{v}");
    assert!(close(&v["service_level"], 0.755_938_963_525_771_6, 1e-12), "{v}");
    assert!(close(&v["asa_seconds"], 16.095_544_887_367_204, 1e-12), "{v}");
    assert_eq!(v["asa_seconds"], v["mean_wait_all_seconds"]);
    assert!(v["p_block"].is_null() && v["p_abandon"].is_null());
    assert!(v.get("scheduled_agents").is_none() && v.get("agents_fractional").is_none());
}

#[test]
fn erlang_b_with_traffic_only() {
    let v = json(&["erlang", "--model", "erlang-b", "--traffic", "10", "--agents", "15"]);
    assert!(close(&v["p_block"], 0.036_496_945_472_370_79, 1e-12), "{v}");
    assert!(v["p_wait"].is_null() && v["service_level"].is_null() && v["asa_seconds"].is_null());
    assert!(v["aht_seconds"].is_null());
    let text = callboard(&["erlang", "--model", "erlang-b", "--traffic", "10", "--agents", "15"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Erlang B at 15 lines") && text.contains("3.65 %"), "{text}");
}

#[test]
fn erlang_b_lines_at_a_blocking_target() {
    let v = json(&["erlang", "--model", "erlang-b", "--agents", "15", "--blocking", "1%"]);
    // The classic table's 8.108 erlangs; mpmath findroot on the closed form: 8.108042797184452.
    let offered = v["traffic_erlangs"].as_f64().unwrap();
    assert!(close(&v["traffic_erlangs"], 8.108_042_797_184_452, 1e-12), "{v}");
    assert!(close(&v["p_block"], 0.01, 1e-9), "{v}");
    assert!(close(&v["carried_erlangs"], offered * 0.99, 1e-12), "{v}");
    let message =
        failure(&["erlang", "--model", "erlang-c", "--agents", "15", "--blocking", "0.01"]);
    assert!(message.contains("Erlang B only"), "{message}");
}

#[test]
fn erlang_a_beyond_saturation() {
    let v = json(&words(
        "erlang --model erlang-a --traffic 120 --aht 300 --patience 120 --agents 100 \
         --target-seconds 30",
    ));
    let abandon = v["p_abandon"].as_f64().unwrap();
    let served = 120.0 * (1.0 - abandon);
    assert!(abandon > 1.0 / 6.0, "at least the excess traffic abandons: {abandon}");
    assert!(close(&v["occupancy"], served / 100.0, 1e-12));
    assert!(v["service_level"].as_f64().unwrap() < 1.0 - abandon);
}

#[test]
fn staff_for_a_service_level_with_shrinkage() {
    let args = words(
        "staff --model erlang-c --calls-per-hour 1200 --aht 240 --target-seconds 20 \
         --service-level 80% --shrinkage 30%",
    );
    let v = json(&args);
    // SL(86) = 75.59 %, SL(87) = 81.08 %.
    assert_eq!(v["agents"], 87.0);
    assert_eq!(v["scheduled_agents"], 125);
    let fractional = v["agents_fractional"].as_f64().unwrap();
    assert!(fractional > 86.0 && fractional < 87.0, "{fractional}");
    assert!(close(&v["service_level"], 0.810_844_381_483_902_6, 1e-12), "{v}");

    let text = String::from_utf8(callboard(&args).stdout).unwrap();
    assert!(text.contains("agents needed") && text.contains("87"), "{text}");
    assert!(text.contains("scheduled (30.00 % shrinkage)") && text.contains("125"), "{text}");
}

#[test]
fn staff_with_several_targets_under_erlang_a() {
    let base = words("staff --model erlang-a --patience 150 --calls-per-hour 900 --aht 300");
    let abandon_only = json(&[&base[..], &["--max-abandon", "0.05"]].concat());
    let both = json(&[&base[..], &["--max-abandon", "0.05", "--max-asa", "10"]].concat());
    assert!(abandon_only["p_abandon"].as_f64().unwrap() <= 0.05);
    assert!(both["asa_seconds"].as_f64().unwrap() <= 10.0);
    assert!(both["agents"].as_f64() >= abandon_only["agents"].as_f64());
    assert!(both["agents_fractional"].is_null());
}

#[test]
fn a_week_forecast_becomes_a_plan() {
    let forecast = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/forecast-week.csv");
    let forecast = forecast.to_str().unwrap();
    let args = [
        "staff",
        "--model",
        "erlang-a",
        "--patience",
        "180",
        "--forecast",
        forecast,
        "--target-seconds",
        "20",
        "--service-level",
        "0.8",
        "--shrinkage",
        "0.3",
    ];
    let plan = json(&args);
    let intervals = plan["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), 672);
    assert_eq!(plan["interval_minutes"], 15);
    let mut hours = 0.0;
    for row in intervals {
        let agents = row["agents"].as_f64().unwrap();
        hours += agents / 4.0;
        if row["calls"] == 0.0 {
            assert_eq!(agents, 0.0);
        } else {
            assert!(row["service_level"].as_f64().unwrap() >= 0.8, "{row}");
        }
    }
    assert!((plan["agent_hours"].as_f64().unwrap() - hours).abs() < 1e-9);

    let csv = callboard(&[&args[..], &["--csv"]].concat());
    assert!(csv.status.success());
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(csv.lines().count(), 673);
    assert!(csv.starts_with("interval_start,calls,aht_seconds,traffic_erlangs,agents,"));

    let table = String::from_utf8(callboard(&args).stdout).unwrap();
    assert!(table.contains("672 intervals of 15 minutes") && table.contains("total:"), "{table}");
}

#[test]
fn nonsense_gets_a_clear_error() {
    let c = ["--model", "erlang-c", "--calls-per-hour", "600", "--aht", "300"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        ([&["erlang"], &c[..], &["--agents", "50"]].concat(), "below the number of agents"),
        (words("erlang --model erlang-c --calls-per-hour -5 --aht 300 --agents 3"), "call rate"),
        ([&["erlang"], &c[..], &["--agents", "-1"]].concat(), "number of agents"),
        (words("erlang --model erlang-c --calls-per-hour 60 --aht 0 --agents 3"), "handle time"),
        ([&["staff"], &c[..], &["--max-p-wait", "0.2", "--shrinkage", "1"]].concat(), "shrinkage"),
        ([&["staff"], &c[..], &["--max-abandon", "0.05"]].concat(), "Erlang A"),
        ([&["staff"], &c[..]].concat(), "no staffing target"),
        (
            [&["staff"], &c[..], &["--target-seconds", "20", "--service-level", "1"]].concat(),
            "never reached",
        ),
        ([&["staff"], &c[..], &["--max-occupancy", "0.0000001"]].concat(), "1,000,000 agents"),
        (
            vec!["erlang", "--model", "erlang-a", "--traffic", "5", "--aht", "60", "--agents", "3"],
            "--patience",
        ),
        (words("erlang --model erlang-a --traffic 5 --patience 60 --agents 3"), "--aht"),
        (
            words("erlang --model erlang-a --traffic 5 --aht 60 --patience 60 --agents 2.5"),
            "whole number",
        ),
    ];
    for (args, expected) in cases {
        let message = failure(&args);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
}

#[test]
fn a_broken_forecast_names_its_line() {
    let dir = std::env::temp_dir().join(format!("callboard-forecast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.csv");
    std::fs::write(
        &path,
        "interval_start,calls,aht_seconds\n2026-11-23 08:00,12,240\n2026-11-23 08:15,twelve,240\n",
    )
    .unwrap();
    let message = failure(&[
        "staff",
        "--model",
        "erlang-c",
        "--forecast",
        path.to_str().unwrap(),
        "--max-p-wait",
        "0.2",
    ]);
    assert!(message.contains("line 3") && message.contains("twelve"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A million erlangs of Erlang C is beyond any staffing the models compute: a clear message
/// and exit status 1, never a panic's backtrace (f64::clamp once panicked here).
#[test]
fn a_million_erlangs_is_refused_clearly() {
    let args = words(
        "staff --model erlang-c --traffic 1000000 --aht 180 --target-seconds 20 \
         --service-level 80%",
    );
    let out = callboard(&args);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let message = failure(&args);
    assert!(message.contains("no staffing up to 1,000,000 agents"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}
