//! The HTTP side under load while the boards keep their frame rate (BENCHMARKS.md, issue 22):
//! the service replays a synthetic day (three queues, 40 agents) and drives 20 TCP boards (10
//! lines, stand-ins that acknowledge every frame) at a frame a second, while `wrk` (Debian's)
//! sends requests on 100 connections for 10 s to `/api/v1/queues`, then to `/metrics`, to a
//! queue's intervals of today, and to the wallboard (20 boards drawn, once a step).
//! Measured: requests a second, and the frames the boards received during each run against
//! the frames due.
//!
//! Run: `cargo bench -p callboard-serve --bench http` (release; needs `wrk` on the PATH).

use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use callboard_floor::stand_in::StandIn;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("callboard-bench-http-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // A day's calls before now, one every 3 s, so the wall clock runs on past them.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let queues = ["STREETS", "SANITATION", "PERMITS"];
    let mut log = String::new();
    for agent in 0..40 {
        for q in queues {
            log += &format!("{}|NONE|{q}|Agent/{agent}|ADDMEMBER|\n", now - 7200);
        }
    }
    let mut lines = Vec::new();
    for call in 0..2000_u64 {
        let (q, at) = (queues[(call % 3) as usize], now - 7000 + call * 3);
        let (wait, talk) = (5 + call % 40, 60 + call % 200);
        lines.push((at, format!("{at}|c{call}|{q}|NONE|ENTERQUEUE||555|1")));
        lines.push((
            at + wait,
            format!("{}|c{call}|{q}|Agent/{}|CONNECT|{wait}||0", at + wait, call % 40),
        ));
        lines.push((
            at + wait + talk,
            format!(
                "{}|c{call}|{q}|Agent/{}|COMPLETECALLER|{wait}|{talk}|1",
                at + wait + talk,
                call % 40
            ),
        ));
    }
    lines.sort_by_key(|(at, _)| *at);
    for (_, line) in lines.into_iter().filter(|(at, _)| *at < now) {
        log += &line;
        log.push('\n');
    }
    std::fs::write(dir.join("queue_log"), log).unwrap();
    let stand_ins: Vec<StandIn> = (0..10).map(|_| StandIn::start(&[1, 2], None).unwrap()).collect();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut text = format!(
        "[site]\nutc_offset = \"-05:00\"\ndst = \"us\"\nstate_dir = \"{}\"\nevery_seconds = 1.0\n\n\
         [source]\nqueue_log = \"{}\"\n\n[http]\naddress = \"127.0.0.1:{port}\"\n\n",
        dir.join("state").display(),
        dir.join("queue_log").display()
    );
    for q in queues {
        text += &format!("[[queue]]\nname = \"{q}\"\n\n");
    }
    for (i, s) in stand_ins.iter().enumerate() {
        text += &format!("[[line]]\nname = \"l{i}\"\ntcp = \"{}\"\n\n", s.address);
        for address in [1, 2] {
            text += &format!(
                "[[board]]\nline = \"l{i}\"\naddress = {address}\nqueues = [\"STREETS\", \"SANITATION\", \"PERMITS\"]\n\n"
            );
        }
    }
    let config = callboard_serve::parse(&text).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let service = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || callboard_serve::run(config, stop)
    });
    // The log read and the boards running.
    std::thread::sleep(Duration::from_secs(5));
    println!("| path | wrk | requests/s | latency (mean) | frames to 20 boards during the run |");
    println!("|---|---|---|---|---|");
    for path in
        ["/api/v1/queues", "/metrics", "/api/v1/intervals?queue=STREETS", "/api/v1/wallboard"]
    {
        let before: u64 = stand_ins.iter().map(|s| s.frames.load(Ordering::Relaxed)).sum();
        let out = Command::new("wrk")
            .args(["-t2", "-c100", "-d10s", &format!("http://127.0.0.1:{port}{path}")])
            .output()
            .expect("wrk (Debian's `wrk`) on the PATH");
        let after: u64 = stand_ins.iter().map(|s| s.frames.load(Ordering::Relaxed)).sum();
        let report = String::from_utf8_lossy(&out.stdout);
        let field = |label: &str| {
            report
                .lines()
                .find(|l| l.trim_start().starts_with(label))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_owned()
        };
        let errors = report.lines().find(|l| l.contains("Non-2xx") || l.contains("Socket errors"));
        println!(
            "| {path} | 2 threads, 100 connections, 10 s | {} | {} | {} of about 200 due{} |",
            field("Requests/sec:"),
            field("Latency"),
            after - before,
            errors.map_or(String::new(), |e| format!(" ({})", e.trim()))
        );
    }
    stop.store(true, Ordering::SeqCst);
    service.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
