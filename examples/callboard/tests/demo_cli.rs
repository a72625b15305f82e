//! `callboard demo` as CI runs it: no terminal, no arguments but where to put the pictures.

mod support;

use std::path::Path;

use support::callboard;

fn run_demo(out: &Path, extra: &[&str]) -> (String, String, bool) {
    let mut args = vec!["demo", "--no-live", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = callboard(&args);
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.success(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("callboard-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_day_runs_without_a_terminal_and_leaves_its_pictures_and_report() {
    let out = temp_dir("ci");
    let (stdout, stderr, ok) = run_demo(&out, &[]);
    assert!(ok, "{stderr}");
    // A line an hour, the report, CSAT and the snapshots.
    for hour in ["08:00", "12:00", "16:00", "20:00  CLOSED"] {
        assert!(
            stdout.contains(&format!("\n{hour}")) || stdout.starts_with(hour),
            "{hour}\n{stdout}"
        );
    }
    assert!(!stdout.contains('\x1b'), "no terminal codes when not live");
    for queue in ["Queue STREETS", "Queue SANITATION", "Queue PERMITS", "All queues"] {
        assert!(stdout.contains(queue), "{queue}");
    }
    assert!(stdout.contains("CSAT yesterday (2026-11-22):"), "{stdout}");
    assert!(stdout.contains("from 190 survey responses"), "{stdout}");
    assert!(stdout.contains("CSAT today (2026-11-23):"), "{stdout}");
    // The agreements on the ticker at the day's end: the sample's 30 days (as `sla report`
    // gives them), with the requests breached by Monday evening.
    assert!(stdout.contains("SANITATION 93.0 % (goal 90 %)"), "{stdout}");
    assert!(stdout.contains("STREETS 84.9 % (goal 90 %)"), "{stdout}");
    for name in ["0830-morning", "1100-peak", "1445-storm", "1610-storm-peak", "2030-closed"] {
        for suffix in ["", "-tricolour"] {
            let png = out.join(format!("board-{name}{suffix}.png"));
            let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
            assert_eq!(&bytes[1..4], b"PNG");
        }
    }
    // The switch's log is a queue_log the report command reads like any other.
    let log = out.join("queue_log");
    let report =
        callboard(&["report", "--queue-log", log.to_str().unwrap(), "--utc-offset", "-05:00"]);
    assert!(report.status.success());
    assert!(String::from_utf8_lossy(&report.stdout).contains("No warnings"));
    // The storm shows: long expected waits on STREETS in the storm's snapshot line.
    let storm = stdout.lines().find(|l| l.trim_start().starts_with("16:10")).expect("16:10 line");
    let ew = storm.split("EW ").nth(1).unwrap().split(',').next().unwrap();
    let minutes: u32 = ew.split(':').next().unwrap().parse().unwrap();
    assert!(minutes >= 2, "STREETS expected wait at the storm's height: {storm}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_seed_gives_the_same_day_and_no_storm_means_shorter_waits() {
    let (a, b, c) = (temp_dir("a"), temp_dir("b"), temp_dir("c"));
    run_demo(&a, &["--seed", "9"]);
    run_demo(&b, &["--seed", "9"]);
    run_demo(&c, &["--seed", "9", "--surge", "1"]);
    let log = |d: &Path| std::fs::read_to_string(d.join("queue_log")).unwrap();
    assert_eq!(log(&a), log(&b));
    assert!(log(&c).lines().count() < log(&a).lines().count());
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn bad_options_are_refused_clearly() {
    let out = temp_dir("bad");
    for (args, says) in [
        (&["--speed", "0"][..], "--speed must be above 0"),
        (&["--surge", "-2"][..], "--surge must be above 0"),
        (&["--surge-at", "25:00"][..], "expected a time of day like 14:00"),
    ] {
        let (_, stderr, ok) = run_demo(&out, args);
        assert!(!ok);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let blocked = std::env::temp_dir().join(format!("callboard-demo-file-{}", std::process::id()));
    std::fs::write(&blocked, b"a file, not a folder").unwrap();
    let (_, stderr, ok) = run_demo(&blocked, &[]);
    assert!(!ok && stderr.contains("cannot create"), "{stderr}");
    let _ = std::fs::remove_file(blocked);
}

/// Live in a terminal (a pseudo-terminal from util-linux's `script`), Ctrl-C stops the day at
/// the next frame and leaves the terminal as it was: the cursor hidden for the board is shown
/// again, the colours reset, and the command says where it stopped.
#[test]
fn ctrl_c_in_a_live_terminal_gives_the_cursor_back() {
    let out = temp_dir("live");
    // `timeout` sends SIGINT, as a user's Ctrl-C does, after the board has started; a slow
    // machine that is still simulating then stops at the first frame, which is drawn first.
    let command = format!(
        "timeout -s INT 4 {} demo --speed 60 --out {}",
        env!("CARGO_BIN_EXE_callboard"),
        out.display()
    );
    let output = std::process::Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env_remove("CI")
        .output()
        .expect("util-linux's script runs the demo in a pseudo-terminal");
    let screen = String::from_utf8_lossy(&output.stdout);
    let hidden = screen.rfind("\x1b[?25l").expect("the live board hides the cursor");
    let shown = screen.rfind("\x1b[?25h").expect("the cursor is shown again");
    assert!(shown > hidden, "shown after it was hidden");
    assert!(screen[shown..].contains("(Ctrl-C)"), "says it was stopped: {:?}", &screen[shown..]);
    assert!(screen.contains("\x1b[0m"), "colours reset");
    let _ = std::fs::remove_dir_all(&out);
}
