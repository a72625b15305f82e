//! The fleet through a real broker (BENCHMARKS.md, issue 25): Debian's mosquitto on loopback,
//! a site (`callboard_serve::run`) publishing to it and a gateway (`gateway::run`) driving
//! stand-in boards (TCP, acknowledging every frame) from it, both in this process, each on its
//! own threads as the two programs run them.
//!
//! - Latency: a call enters the queue (a line appended to the followed `queue_log`) and the
//!   time until the stand-in on the gateway's line receives a frame counting it, 30 times, at
//!   a site step of 0.1 s.
//! - Capacity: N boards (10 to a line), a frame every 2 s each, for 20 s: the frames the
//!   stand-ins received against the frames due, for growing N.
//!
//! Run: `cargo bench -p callboard-serve --bench fleet` (release; needs Debian's mosquitto).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_floor::stand_in::StandIn;
use callboard_hil_tests::broker::Mosquitto;

fn epoch_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A site of `lines` gateway lines of `per_line` boards, stepping every `every` seconds, and
/// the gateway driving them on `stand_ins`; both running until `stop`.
fn floor(
    dir: &std::path::Path,
    broker: &Mosquitto,
    stand_ins: &[StandIn],
    per_line: u8,
    every: f64,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut site = format!(
        "[site]\nutc_offset = \"+00:00\"\nstate_dir = \"{}\"\nevery_seconds = {every}\n\
         checkpoint_seconds = 60\n\n[source]\nqueue_log = \"{}\"\n\n[[queue]]\nname = \"STREETS\"\n\n{}\n",
        dir.join("state").display(),
        dir.join("queue_log").display(),
        broker.section("bench-site"),
    );
    let mut gateway = format!("{}\n", broker.section("bench-gw"));
    for (l, stand_in) in stand_ins.iter().enumerate() {
        site += &format!("[[line]]\nname = \"l{l}\"\ngateway = true\n\n");
        gateway += &format!(
            "[[line]]\nsite = \"bench-site\"\nname = \"l{l}\"\ntcp = \"{}\"\n\n",
            stand_in.address
        );
        for address in 1..=per_line {
            site += &format!(
                "[[board]]\nline = \"l{l}\"\naddress = {address}\nqueues = [\"STREETS\"]\n\n"
            );
            gateway += &format!("[[board]]\nline = \"l{l}\"\naddress = {address}\n\n");
        }
    }
    let site = callboard_serve::parse(&site).unwrap();
    let gateway = callboard_serve::gateway::parse(&gateway).unwrap();
    let serving = std::thread::spawn({
        let stop = Arc::clone(stop);
        move || {
            callboard_serve::run(site, stop).unwrap();
        }
    });
    let relaying = std::thread::spawn({
        let stop = Arc::clone(stop);
        move || {
            callboard_serve::gateway::run(&gateway, &stop).unwrap();
        }
    });
    vec![serving, relaying]
}

fn latency(dir: &std::path::Path, broker: &Mosquitto) {
    std::fs::write(dir.join("queue_log"), "").unwrap();
    let stand_in = StandIn::start(&[1], None).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let threads = floor(dir, broker, std::slice::from_ref(&stand_in), 1, 0.1, &stop);
    let waiting = || stand_in.last_frame(1).and_then(|f| f.queues.first().map(|q| q.waiting));
    let deadline = Instant::now() + Duration::from_secs(30);
    while waiting().is_none() {
        assert!(Instant::now() < deadline, "no frame reached the stand-in");
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut log = std::fs::OpenOptions::new().append(true).open(dir.join("queue_log")).unwrap();
    let mut samples = Vec::new();
    for call in 0..30_u32 {
        let before = waiting().unwrap_or(0);
        let at = Instant::now();
        writeln!(log, "{}|c{call}|STREETS|NONE|ENTERQUEUE||5550100|1", epoch_s()).unwrap();
        log.flush().unwrap();
        while waiting().unwrap_or(0) <= before {
            assert!(at.elapsed() < Duration::from_secs(10), "call {call} never shown");
            std::thread::sleep(Duration::from_micros(500));
        }
        samples.push(at.elapsed());
        std::thread::sleep(Duration::from_millis(137));
    }
    stop.store(true, Ordering::SeqCst);
    for thread in threads {
        thread.join().unwrap();
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "latency, event appended to frame on the gateway's line (30 calls, site step 0.1 s): \
         min {:.1} ms, median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
        ms(samples[samples.len() - 1])
    );
}

fn capacity(dir: &std::path::Path, broker: &Mosquitto, boards: usize) {
    std::fs::write(
        dir.join("queue_log"),
        format!("{}|c0|STREETS|NONE|ENTERQUEUE||5550100|1\n", epoch_s() - 1),
    )
    .unwrap();
    let lines = boards.div_ceil(10);
    let stand_ins: Vec<StandIn> = (0..lines).map(|_| StandIn::start(&[], None).unwrap()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let threads = floor(dir, broker, &stand_ins, 10, 2.0, &stop);
    // Settled: every line connected, a first round out.
    std::thread::sleep(Duration::from_secs(6));
    let count = || stand_ins.iter().map(|s| s.frames.load(Ordering::Relaxed)).sum::<u64>();
    let before = count();
    let window = Duration::from_secs(20);
    std::thread::sleep(window);
    let received = count() - before;
    stop.store(true, Ordering::SeqCst);
    for thread in threads {
        thread.join().unwrap();
    }
    let due = (lines * 10) as u64 * window.as_secs() / 2;
    println!(
        "| {} boards ({lines} lines of 10) | {due} | {received} | {:.1} % |",
        lines * 10,
        received as f64 * 100.0 / due as f64
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("callboard-bench-fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let broker = Mosquitto::start(&dir);
    latency(&dir, &broker);
    println!("| boards, a frame every 2 s | frames due in 20 s | received | share |");
    println!("|---|---:|---:|---:|");
    for boards in [100, 1000, 4000, 8000] {
        let _ = std::fs::remove_dir_all(dir.join("state"));
        capacity(&dir, &broker, boards);
    }
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}
