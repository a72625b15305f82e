//! What one `callboard serve` keeps up with (BENCHMARKS.md, issue 20):
//!
//! 1. events: a log of synthetic queue calls (enter, answer, end, over three queues and 40
//!    agents) written whole before the service starts (clock = "log"), read as fast as the
//!    service can: lines a second, and the process's peak memory;
//! 2. boards: N boards, each on its own TCP line to a stand-in that acknowledges every frame,
//!    a frame every 2 s for 20 s: how many frames each board got, for N = 50 to 1,000, and the
//!    peak memory.
//!
//! Run: `cargo bench -p callboard-serve --bench floor` (release). Prints a Markdown table.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_floor::stand_in::StandIn;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("callboard-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The peak resident memory of this process so far, MiB (VmHWM).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn config(dir: &Path, log: &Path, clock: &str, lines: &[String], boards: usize) -> String {
    // Reading a log whole, the state is written every second: figures.json says when the end
    // was reached, within a second.
    let checkpoint = if clock == "log" { 1.0 } else { 5.0 };
    let mut text = format!(
        "[site]\nutc_offset = \"-05:00\"\ndst = \"us\"\nstate_dir = \"{}\"\nclock = \"{clock}\"\n\
         every_seconds = 2.0\ncheckpoint_seconds = {checkpoint:.1}\n\n[source]\nqueue_log = \"{}\"\n\n",
        dir.join("state").display(),
        log.display()
    );
    for q in ["STREETS", "SANITATION", "PERMITS"] {
        text += &format!("[[queue]]\nname = \"{q}\"\n\n");
    }
    for (i, address) in lines.iter().enumerate() {
        text += &format!("[[line]]\nname = \"l{i}\"\ntcp = \"{address}\"\n\n");
    }
    for i in 0..boards {
        let line = i % lines.len();
        text += &format!(
            "[[board]]\nline = \"l{line}\"\naddress = {}\nqueues = [\"STREETS\", \"SANITATION\", \"PERMITS\"]\n\n",
            1 + i / lines.len()
        );
    }
    text
}

/// `calls` calls over three queues and 40 agents, from `start` (s), one every `gap` s.
fn synthetic_log(start: u64, calls: u64, gap: u64) -> String {
    let queues = ["STREETS", "SANITATION", "PERMITS"];
    let mut out = String::new();
    for agent in 0..40 {
        for q in queues {
            out += &format!("{start}|NONE|{q}|Agent/{agent}|ADDMEMBER|\n");
        }
    }
    let mut lines: Vec<(u64, String)> = Vec::new();
    for call in 0..calls {
        let q = queues[(call % 3) as usize];
        let at = start + 1 + call * gap;
        let agent = call % 40;
        let wait = 5 + call % 40;
        let talk = 60 + call % 200;
        lines.push((at, format!("{at}|c{call}|{q}|NONE|ENTERQUEUE||555{call}|1")));
        lines.push((
            at + wait,
            format!("{}|c{call}|{q}|Agent/{agent}|CONNECT|{wait}||0", at + wait),
        ));
        lines.push((
            at + wait + talk,
            format!(
                "{}|c{call}|{q}|Agent/{agent}|COMPLETECALLER|{wait}|{talk}|1",
                at + wait + talk
            ),
        ));
    }
    lines.sort_by_key(|(at, _)| *at);
    for (_, line) in lines {
        out += &line;
        out.push('\n');
    }
    out
}

fn events() {
    let dir = scratch("events");
    let log = dir.join("queue_log");
    // 200,000 calls, one every 3 s: 600,000 lines over about a week.
    let text = synthetic_log(1_795_420_800, 200_000, 3);
    let lines = text.lines().count() as u64;
    std::fs::write(&log, &text).unwrap();
    let end: u64 = text.lines().last().unwrap().split('|').next().unwrap().parse().unwrap();
    // Boards on a port nobody listens on: the line retries in the background.
    let dead = { TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string() };
    let config = callboard_serve::parse(&config(&dir, &log, "log", &[dead], 1)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let service = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || callboard_serve::run(config, stop)
    });
    let state = dir.join("state");
    let elapsed = loop {
        let at = std::fs::read(state.join("figures.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|f| f["at_ms"].as_u64());
        if at == Some(end * 1000) {
            break started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    stop.store(true, Ordering::SeqCst);
    service.join().unwrap().unwrap();
    // figures.json is written at each checkpoint (every second): the time is an upper bound.
    println!(
        "| events | {lines} log lines (200,000 calls), read whole | {:.1} s | {:.0} lines/s (at least) | {:.0} MiB |",
        elapsed.as_secs_f64(),
        lines as f64 / elapsed.as_secs_f64(),
        peak_mib()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn boards(count: usize) {
    let dir = scratch(&format!("boards-{count}"));
    let log = dir.join("queue_log");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    std::fs::write(&log, synthetic_log(now - 3600, 1000, 3)).unwrap();
    let stand_ins: Vec<StandIn> = (0..count).map(|_| StandIn::start(&[], None).unwrap()).collect();
    let lines: Vec<String> = stand_ins.iter().map(|s| s.address.clone()).collect();
    let config = callboard_serve::parse(&config(&dir, &log, "wall", &lines, count)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let service = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || callboard_serve::run(config, stop)
    });
    let run = Duration::from_secs(20);
    std::thread::sleep(run);
    stop.store(true, Ordering::SeqCst);
    service.join().unwrap().unwrap();
    let got: u64 = stand_ins.iter().map(|s| s.frames.load(Ordering::Relaxed)).sum();
    let due = count as u64 * 10;
    println!(
        "| boards | {count} TCP boards, a frame every 2 s for 20 s | {got} frames of {due} due | {:.1} % | {:.0} MiB |",
        100.0 * got as f64 / due as f64,
        peak_mib()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // Each case in a process of its own, so that its peak memory is its own.
    // Cargo adds its own flags (`--bench`): the case is the words.
    match args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["events"] => events(),
        ["boards", count] => boards(count.parse().unwrap()),
        _ => {
            println!("| what | load | measured | rate | peak memory |");
            println!("|---|---|---|---|---|");
            let me = std::env::current_exe().unwrap();
            let mut cases = vec![vec!["events".to_owned()]];
            cases.extend([50, 200, 500, 1000, 2000].map(|n| vec!["boards".into(), n.to_string()]));
            for case in cases {
                let out = std::process::Command::new(&me)
                    .args(&case)
                    .stderr(std::process::Stdio::null())
                    .output()
                    .unwrap();
                print!("{}", String::from_utf8_lossy(&out.stdout));
            }
        }
    }
}
