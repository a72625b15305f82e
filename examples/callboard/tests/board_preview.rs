//! `callboard board preview`, run as an integrator runs it, against the golden pictures in
//! `docs/previews/`: every screen on both panels, from the real sample day and from a 311
//! floor's frame. A picture that changes by one pixel fails; `CALLBOARD_UPDATE_GOLDEN=1`
//! rewrites them after a deliberate change (look at them before committing).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics_simulator::SimulatorDisplay;
use support::{data, sample_log};

const PANELS: [&str; 2] = ["hub75-64x32", "tricolour-160x32"];

/// The sample day at a local time, with the queues and options given.
fn sample_day(at: &str, rest: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "--queue-log".into(),
        sample_log(),
        "--utc-offset".into(),
        "+02:00".into(),
        "--at".into(),
        at.into(),
        "--hours".into(),
        "08:00-20:00".into(),
    ];
    args.extend(rest.iter().map(|s| (*s).to_owned()));
    args
}

/// Each screen the issue names, and how to get it.
fn cases() -> Vec<(&'static str, Vec<String>)> {
    let storm = ["--announcement", "Storm: expect delays, report outages at 311.example.gov"];
    vec![
        // A 311 floor within target, yesterday's CSAT posted.
        ("normal", vec!["--frame".into(), data("board-frame-311.json")]),
        // Ten seconds on: the ticker has reached the departments' service agreements.
        (
            "agreements",
            vec!["--frame".into(), data("board-frame-311.json"), "--after".into(), "10".into()],
        ),
        // The bank's busiest minute that morning: five waiting, the service level far under.
        (
            "alarm",
            sample_day(
                "1999-02-10 11:20",
                &[&["--queue", "PS=STREETS@80%", "--queue", "NW=SANITATION@40%"][..], &storm]
                    .concat(),
            ),
        ),
        // Five queues: the second page, ten seconds in.
        (
            "many-queues",
            sample_day(
                "1999-02-10 12:00",
                &[
                    "--queue",
                    "PS=STREETS",
                    "--queue",
                    "NW=SANITATION@40%",
                    "--queue",
                    "NE=NOISE@40%",
                    "--queue",
                    "TT=PARKS",
                    "--queue",
                    "PE=ENGLISH@20%",
                    "--after",
                    "5",
                ],
            ),
        ),
        // The bank runs no surveys: the CSAT is unavailable, and says so.
        ("csat-unavailable", sample_day("1999-02-10 14:30", &["--queue", "TT=PARKS@80%"])),
        // After hours.
        ("closed", sample_day("1999-02-10 21:15", &["--queue", "PS=STREETS"])),
        // The feed stopped: 31 seconds after a frame that lives 30.
        ("no-data", sample_day("1999-02-10 11:20", &["--queue", "PS=STREETS", "--after", "31"])),
    ]
}

fn differing_pixels(actual: &Path, golden: &Path) -> Result<usize, String> {
    let load = |path: &Path| {
        SimulatorDisplay::<Rgb888>::load_png(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let (actual, golden) = (load(actual)?, load(golden)?);
    if actual.size() != golden.size() {
        return Err(format!("size {:?}, golden {:?}", actual.size(), golden.size()));
    }
    Ok(actual
        .bounding_box()
        .points()
        .filter(|&p| actual.get_pixel(p) != golden.get_pixel(p))
        .count())
}

#[test]
fn every_screen_matches_its_golden_picture_on_both_panels() {
    let update = std::env::var_os("CALLBOARD_UPDATE_GOLDEN").is_some();
    let goldens = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/previews");
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("previews");
    std::fs::create_dir_all(&scratch).unwrap();
    let mut failures = Vec::new();
    for (name, source) in cases() {
        for panel in PANELS {
            let file = format!("{name}-{panel}.png");
            let out = scratch.join(&file);
            let run = Command::new(env!("CARGO_BIN_EXE_callboard"))
                .args(["board", "preview", "--panel", panel, "--scale", "4", "--out"])
                .arg(&out)
                .args(&source)
                .output()
                .unwrap();
            assert!(run.status.success(), "{file}: {}", String::from_utf8_lossy(&run.stderr));
            let said = String::from_utf8(run.stdout).unwrap();
            let screen = match name {
                "closed" => "Closed",
                "no-data" => "NoData",
                _ => "Figures",
            };
            assert!(said.contains(&format!("shows {screen}")), "{file}: {said}");
            let golden = goldens.join(&file);
            if update {
                std::fs::copy(&out, &golden).unwrap();
                continue;
            }
            match differing_pixels(&out, &golden) {
                Ok(0) => {}
                Ok(n) => failures
                    .push(format!("{file}: {n} pixels differ (new picture: {})", out.display())),
                Err(e) => failures.push(format!("{file}: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nCALLBOARD_UPDATE_GOLDEN=1 rewrites the goldens after a deliberate change",
        failures.join("\n")
    );
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let garbage = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("not-a-frame.json");
    std::fs::write(&garbage, "{\"valid_at\": \"noon\"}").unwrap();
    let frame = data("board-frame-311.json");
    let cases: [(&[&str], &str); 5] = [
        (&["--panel", "lcd-16x2", "--out", "x.png", "--frame", &frame], "invalid value 'lcd-16x2'"),
        (
            &["--panel", "hub75-64x32", "--out", "/nonexistent/dir/x.png", "--frame", &frame],
            "cannot write /nonexistent/dir/x.png",
        ),
        (
            &["--panel", "hub75-64x32", "--out", "x.png", "--frame", &garbage.to_string_lossy()],
            "is not a board frame",
        ),
        (
            &["--panel", "hub75-64x32", "--out", "x.png", "--scale", "0", "--frame", &frame],
            "--scale",
        ),
        (
            &[
                "--panel",
                "hub75-64x32",
                "--out",
                "x.png",
                "--queue-log",
                &sample_log(),
                "--at",
                "1999-02-10 11:00",
                "--queue",
                "PS",
                "--hours",
                "20:00-08:00",
            ],
            "the center must open before it closes",
        ),
    ];
    for (args, expected) in cases {
        let run = Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(["board", "preview"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
