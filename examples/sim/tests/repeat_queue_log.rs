//! `repeat-queue-log` makes a larger log that is still a well-formed one: every copy's lines,
//! renamed so that no two copies share a call or an agent, moved in time as documented, merged
//! in time order.

use std::io::Write;
use std::process::{Command, Stdio};

/// A short log of two calls and an agent, a header line first (written once).
const LOG: &str = "\
VERSION 1
1000|1000.1|Q|NONE|ENTERQUEUE||555|1
1010|1000.1|Q|Agent/ANN|CONNECT|10|1000.9|2
1070|1000.1|Q|Agent/ANN|COMPLETECALLER|10|60|1
1100|1000.2|Q|NONE|ENTERQUEUE||556|1
1130|1000.2|Q|NONE|ABANDON|1|1|30
";

const WEEK: u64 = 7 * 86_400;

fn repeat(args: &[&str]) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_repeat-queue-log"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A refused command line ends before reading: the pipe it leaves is no failure here.
    let _ = child.stdin.take().unwrap().write_all(LOG.as_bytes());
    let out = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

fn epochs(log: &str) -> Vec<u64> {
    log.lines().filter_map(|line| line.split('|').next()?.parse().ok()).collect()
}

#[test]
fn one_time_over_is_the_log_itself() {
    let (ok, out, _) = repeat(&["--times", "1"]);
    assert!(ok);
    assert_eq!(out, LOG);
    assert_eq!(repeat(&["--times", "1", "--periods", "1"]).1, LOG);
}

#[test]
fn copies_are_renamed_moved_and_merged_in_time_order() {
    let (ok, out, _) = repeat(&["--times", "2"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 1 + 2 * 5, "{out}");
    assert_eq!(out.lines().next(), Some("VERSION 1"));
    let times = epochs(&out);
    assert!(times.is_sorted(), "{out}");
    // Copy 1 is 97 s later, its call and its agent renamed; copy 0 is untouched.
    assert!(out.contains("\n1010|1000.1|Q|Agent/ANN|CONNECT|10|1000.9|2\n"), "{out}");
    assert!(out.contains("\n1107|1000.1-1|Q|Agent/ANN-1|CONNECT|10|1000.9|2\n"), "{out}");
    assert!(out.contains("\n1227|1000.2-1|Q|NONE|ABANDON|1|1|30\n"), "{out}");
}

#[test]
fn periods_follow_each_other_a_whole_week_apart() {
    let (ok, out, _) = repeat(&["--times", "2", "--periods", "3"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 1 + 3 * 2 * 5, "{out}");
    assert!(epochs(&out).is_sorted(), "{out}");
    // The log spans under a week: each period is one week after the one before, its calls
    // renamed for the period, its agents the same people.
    for period in 1..3 {
        let at = 1010 + period * WEEK;
        let line = format!("\n{at}|1000.1.{period}|Q|Agent/ANN|CONNECT|10|1000.9|2\n");
        assert!(out.contains(&line), "{line:?} in {out}");
        let at = 1107 + period * WEEK;
        let line = format!("\n{at}|1000.1-1.{period}|Q|Agent/ANN-1|CONNECT|10|1000.9|2\n");
        assert!(out.contains(&line), "{line:?} in {out}");
    }
    // No call id is used by two copies.
    let mut enters: Vec<&str> = out
        .lines()
        .filter(|line| line.contains("|ENTERQUEUE|"))
        .map(|line| line.split('|').nth(1).unwrap())
        .collect();
    let all = enters.len();
    enters.sort_unstable();
    enters.dedup();
    assert_eq!(enters.len(), all);
}

#[test]
fn bad_arguments_are_refused_with_the_usage() {
    for args in [&[][..], &["--times"], &["--times", "0"], &["--times", "2", "--periods", "x"]] {
        let (ok, out, err) = repeat(args);
        assert!(!ok, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains("usage: repeat-queue-log"), "{args:?}: {err}");
    }
    let (ok, _, err) = repeat(&["--times", "2", "--weeks", "3"]);
    assert!(!ok);
    assert!(err.contains("unknown argument \"--weeks\""), "{err}");
}
