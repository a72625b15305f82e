//! The same events through the C ABI and through the replay `callboard report` runs must give
//! the same figures.
//!
//! The real sample day (`examples/data/anonymous-bank-1999-02-10.queue_log`, 4,527 lines of a
//! bank's call center) is replayed as `callboard report` replays it, recording everything the
//! replay hands its center: its configuration, each queue as it is added, and each event with
//! whether the center took it. A C program (`tests/c/replay_events.c`, linked to the static
//! library) feeds exactly that to a `cb_center`, must take and refuse the same events, and
//! prints every 15-minute interval's and the day's counts and figures per queue, which must
//! equal the replay's (`callboard report`'s rows): counts exactly, figures to 1e-9.
//! (`serve`'s API is held to the same report in `examples/callboard/tests/serve_http.rs`.)
//!
//! The C center keeps 96 intervals and 8 days a queue, so each period is asked for while it is
//! still kept: an interval just before the first event 23 hours after its start, a day just
//! before the first event 6 days after its end, the clock first moved to that instant (a
//! quiet night counts its agents' time up to there, as the replay's larger engine counts it);
//! the rest at the end, where the report stops its clock too. That lets a log of any
//! length be compared: `CALLBOARD_DIFFERENTIAL_LOG=FILE` (with
//! `CALLBOARD_DIFFERENTIAL_UTC_OFFSET=±HH:MM`, +02:00 unless set) replays FILE instead of the
//! sample day, the real month for one (BENCHMARKS.md says how it is made).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use callboard_core::calendar::Timestamp;
use callboard_core::calendar::{DstRule, SiteCalendar};
use callboard_core::center::{Attribution, CenterConfig};
use callboard_core::event::{AgentState, DequeueReason, EventKind};
use callboard_core::interval::IntervalStats;
use callboard_core::queue::QueueConfig;
use callboard_core::service_level::ServiceLevelThreshold;
use callboard_queue_log::replay::{Handed, replay_recorded};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The replay's stream as `replay_events.c` reads it; each period's question (`asks`, in
/// order of their instants: the instant and the line) put in before the first event at or
/// after its instant, the clock moved there first, the rest at the end.
fn script(config: &CenterConfig, handed: &[Handed], asks: Vec<(Timestamp, String)>) -> String {
    let mut asks = asks.into_iter().peekable();
    let mut out = format!(
        "C {} {} {} {} {} {}\n",
        config.calendar.standard_offset().minutes(),
        match config.calendar.dst_rule() {
            DstRule::None => 0,
            DstRule::UnitedStates => 1,
            DstRule::EuropeanUnion => 2,
            other => panic!("the C ABI has no {other:?}"),
        },
        config.interval.minutes(),
        match config.attribution {
            Attribution::QueueEntry => 0,
            Attribution::QueueExit => 1,
        },
        config.reorder_tolerance_ms,
        config.max_clock_jump_ms,
    );
    for item in handed {
        match item {
            Handed::Queue(id, _, queue) => {
                let ServiceLevelThreshold::Seconds(seconds) = queue.service_level else {
                    panic!("the test uses a threshold in seconds")
                };
                out += &format!("Q {} {seconds} {}\n", id.0, queue.short_abandon_ms);
            }
            Handed::Event(event, taken) => {
                while let Some((due, ask)) = asks.next_if(|(due, _)| *due <= event.at) {
                    out += &format!("T {due}\n{ask}");
                }
                // kind call queue has_queue agent has_agent priority reason not_ready talk hold
                let (kind, call, queue, agent, priority, reason, not_ready, talk, hold) =
                    match event.kind {
                        EventKind::CallEntered { call, queue, priority } => {
                            (1, call.0, Some(queue.0), None, priority, 0, 0, 0, 0)
                        }
                        EventKind::CallAnswered { call, agent } => {
                            (2, call.0, None, agent.map(|a| a.0), 0, 0, 0, 0, 0)
                        }
                        EventKind::CallAbandoned { call } => (3, call.0, None, None, 0, 0, 0, 0, 0),
                        EventKind::CallDequeued { call, reason } => {
                            let code =
                                DequeueReason::ALL.iter().position(|r| *r == reason).unwrap();
                            (4, call.0, None, None, 0, code as u32, 0, 0, 0)
                        }
                        EventKind::CallTransferred { call, to } => {
                            (5, call.0, to.map(|q| q.0), None, 0, 0, 0, 0, 0)
                        }
                        EventKind::CallEnded { call, talk_ms, hold_ms } => {
                            // The log has no talk times: the center takes them from the answer.
                            let talk = talk_ms.unwrap_or(u64::MAX); // CB_TALK_FROM_ANSWER
                            (6, call.0, None, None, 0, 0, 0, talk, hold_ms)
                        }
                        EventKind::AfterCallWorkEnded { agent } => {
                            (7, 0, None, Some(agent.0), 0, 0, 0, 0, 0)
                        }
                        EventKind::AgentStateChanged { agent, state } => {
                            let (code, not_ready) = match state {
                                AgentState::LoggedOut => (0, 0),
                                AgentState::Available => (1, 0),
                                AgentState::Reserved => (2, 0),
                                AgentState::OnCall => (3, 0),
                                AgentState::AfterCallWork => (4, 0),
                                AgentState::NotReady(reason) => (5, reason.0),
                            };
                            (8, 0, None, Some(agent.0), 0, code, not_ready, 0, 0)
                        }
                        EventKind::AgentJoinedQueue { agent, queue } => {
                            (9, 0, Some(queue.0), Some(agent.0), 0, 0, 0, 0, 0)
                        }
                        EventKind::AgentLeftQueue { agent, queue } => {
                            (10, 0, Some(queue.0), Some(agent.0), 0, 0, 0, 0, 0)
                        }
                    };
                out += &format!(
                    "E {} {kind} {call} {} {} {} {} {priority} {reason} {not_ready} {talk} {hold} {}\n",
                    event.at,
                    queue.unwrap_or(0),
                    u8::from(queue.is_some()),
                    agent.unwrap_or(0),
                    u8::from(agent.is_some()),
                    u8::from(*taken),
                );
            }
        }
    }
    out.extend(asks.map(|(_, ask)| ask));
    out
}

/// A period's line as `replay_events.c` prints it, from the replay's counts.
fn expected(what: &str, stats: &IntervalStats) -> String {
    let f = stats.figures();
    let figures = [
        f.service_level.answered,
        f.service_level.offered,
        f.service_level.abandons_ignored,
        f.service_level.abandons_positive,
        f.asa_seconds,
        f.aht_seconds,
        f.average_abandon_seconds,
        f.max_wait_seconds,
        f.abandon_rate,
        f.occupancy,
    ];
    let mut line = format!(
        "{what} {} {} {} {} {} {} {} {} {} {} {}",
        stats.offered,
        stats.answered,
        stats.answered_within_sl,
        stats.abandoned,
        stats.short_abandoned,
        stats.abandoned_within_sl,
        stats.dequeued,
        stats.transferred_out,
        stats.waiting,
        stats.waiting_past_sl,
        stats.handled,
    );
    for figure in figures {
        line += &figure.map_or(" nan".to_owned(), |v| format!(" {v:?}"));
    }
    line
}

/// Equal counts, and figures equal to 1e-9 (C prints them with 17 digits).
fn same(c_line: &str, rust_line: &str) -> bool {
    let (c, r): (Vec<&str>, Vec<&str>) =
        (c_line.split_whitespace().collect(), rust_line.split_whitespace().collect());
    c.len() == r.len()
        && c.iter().zip(&r).all(|(a, b)| {
            a == b
                || matches!((a.parse::<f64>(), b.parse::<f64>()),
                    (Ok(x), Ok(y)) if (x - y).abs() <= 1e-9 * x.abs().max(1.0))
        })
}

#[test]
fn the_sample_day_through_the_c_abi_gives_the_reports_figures() {
    let path = std::env::var_os("CALLBOARD_DIFFERENTIAL_LOG").map_or_else(
        || crate_dir().join("../examples/data/anonymous-bank-1999-02-10.queue_log"),
        PathBuf::from,
    );
    let log = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let offset = std::env::var("CALLBOARD_DIFFERENTIAL_UTC_OFFSET").unwrap_or("+02:00".into());
    let offset = callboard_queue_log::local_time::parse_utc_offset(&offset)
        .expect("CALLBOARD_DIFFERENTIAL_UTC_OFFSET: ±HH:MM");
    let calendar = SiteCalendar::new(offset, DstRule::None).unwrap();
    let config = CenterConfig { calendar, ..CenterConfig::default() };
    let queue_config =
        QueueConfig { service_level: ServiceLevelThreshold::Seconds(20), short_abandon_ms: 5_000 };
    // The replay's engine is large: on a thread with the stack it asks for.
    let (replayed, used, handed) = std::thread::Builder::new()
        .stack_size(callboard_queue_log::replay::REPLAY_STACK_BYTES)
        .spawn(move || {
            replay_recorded(callboard_queue_log::parse(&log, &calendar), config, queue_config)
        })
        .unwrap()
        .join()
        .unwrap();
    let events = handed.iter().filter(|h| matches!(h, Handed::Event(..))).count();
    let refused = handed.iter().filter(|h| matches!(h, Handed::Event(_, false))).count();
    assert!(events > 7_000, "{events} events");

    let id_of = |name: &str| -> u32 {
        handed
            .iter()
            .find_map(|h| match h {
                Handed::Queue(id, queue, _) if queue == name => Some(id.0),
                _ => None,
            })
            .expect("every reported queue was added")
    };
    const HOUR_MS: u64 = 3_600_000;
    // The question for each period, when it is asked, and the answer the report gives.
    let mut asks = Vec::new();
    for queue in &replayed.queues {
        let id = id_of(&queue.name);
        for interval in &queue.intervals {
            let what = format!("I {id} {}", interval.start);
            asks.push((
                interval.start + 23 * HOUR_MS,
                what.clone(),
                expected(&what, &interval.stats),
            ));
        }
        for day in &queue.days {
            let d = day.date;
            let what = format!("D {id} {} {} {}", d.year(), d.month(), d.day());
            let due = calendar.day_end(d) + 6 * 24 * HOUR_MS;
            asks.push((due, what.clone(), expected(&what, &day.stats)));
        }
    }
    // Asked (and so printed) in the order of their instants; a stable sort keeps the report's
    // order among equal ones, as the script does.
    asks.sort_by_key(|(due, ..)| *due);
    let expected_lines: Vec<String> = asks.iter().map(|(.., line)| line.clone()).collect();
    let questions = asks.into_iter().map(|(due, what, _)| (due, what + "\n")).collect();
    let input = script(&used, &handed, questions);
    assert!(expected_lines.len() > 100, "{} periods", expected_lines.len());

    let program = build_replay_events();
    let mut child = Command::new(&program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run replay_events");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("replay_events ends");
    writer.join().unwrap().expect("write the script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "replay_events failed:\n{stdout}{stderr}");
    let printed: Vec<&str> = stdout.lines().collect();
    assert_eq!(printed.len(), expected_lines.len(), "{stdout}");
    let differ: Vec<_> = printed
        .iter()
        .zip(&expected_lines)
        .filter(|(c, r)| !same(c, r))
        .map(|(c, r)| format!("C:    {c}\nRust: {r}"))
        .collect();
    assert!(differ.is_empty(), "{} periods differ:\n{}", differ.len(), differ.join("\n"));
    eprintln!(
        "{}: {events} events ({refused} refused by both), {} periods equal, {stderr}",
        path.display(),
        expected_lines.len()
    );
}

fn build_replay_events() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(std::path::Path::parent).unwrap().to_path_buf();
    let mut cargo = Command::new(env!("CARGO"));
    cargo.args(["build", "--quiet", "--locked", "-p", "callboard-ffi", "--lib"]);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        cargo.arg("--release");
    }
    assert!(cargo.status().unwrap().success());
    let binary = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("replay_events");
    let status = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-I"])
        .arg(crate_dir().join("../include"))
        .arg(crate_dir().join("tests/c/replay_events.c"))
        .arg(profile_dir.join("libcallboard.a"))
        .args(["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-o"])
        .arg(&binary)
        .status()
        .unwrap();
    assert!(status.success(), "cc replay_events.c failed");
    binary
}
