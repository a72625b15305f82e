//! The soak: `callboard serve` driven through simulated days of a 311 center at speed while
//! faults are injected, then held to a clean run's figures.
//!
//! The days come from the simulator (two queues, a storm surge each afternoon) and are written
//! into the followed `queue_log` in pieces, a fault after each piece, in a fixed rotation:
//! - the log rotated as logrotate's `create` does (renamed to `queue_log.1`, the older ones
//!   shifted, a new file started), whether or not the service has read it all;
//! - the log rotated as `copytruncate` does (copied to `queue_log.1`, truncated in place);
//! - the service killed with SIGKILL right after a piece, and started again on its state;
//! - or, when the switch writes Asterisk's realtime table in PostgreSQL instead of the file
//!   (the second soak; Debian's server, started on loopback by the test), the database
//!   restarted under the service in place of each rotation;
//! - the state directory's disk full for a piece (a small tmpfs mounted there, which takes
//!   root; without it the soak says so and goes on without this fault): the service must say
//!   so once, keep driving the boards, and say so again once the disk has room;
//! - and throughout, one board's TCP line (a serial-to-Ethernet converter) dropped by the far
//!   end after some frames of every connection, and reconnected by the service.
//!
//! At the end, every call counted exactly once: each day's figures equal those of `callboard
//! report` over the whole log as written (the clean run), call for call, as published at each
//! day's end and at the very end; one process's memory did not grow from one day to the next
//! (no kills in the last two days: its resident set at the end of each); and each board kept
//! receiving frames through every fault.
//!
//! `CALLBOARD_SOAK_DAYS` sets the days (4 in the test command; `scripts/soak` runs more).
//! The emulated board's part (a noisy line, the service killed past the frames' time-to-live,
//! "no data" then figures again) is `hil-tests/tests/soak.rs`; the stand-ins here only
//! acknowledge.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use callboard_core::calendar::{DstRule, LocalDate, SiteCalendar, UtcOffset};
use callboard_floor::stand_in::StandIn;
use callboard_sim::simulate::{self as sim, DayPlan, HandleTime, QueuePlan, Surge};
use serde_json::Value;
use support::compare_days;
use support::postgres::{PASSWORD, Postgres, SCHEMA, insert_all};
use support::serve::scratch;

/// How a piece of the log ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    Rotate,
    CopyTruncate,
    Kill,
    DiskFull,
    RestartDatabase,
}

/// Where the switch writes and the service reads.
enum Feed {
    /// The classic `queue_log` file, rotated as logrotate rotates it.
    Log(PathBuf),
    /// Asterisk's realtime table, restarted under the service.
    Table { server: Postgres, client: Box<postgres::Client> },
}

/// The site's local time (-05:00) as PostgreSQL names it (POSIX's sign).
const UTC_MINUS_5: &str = "Etc/GMT+5";

impl Feed {
    fn log(dir: &Path) -> Self {
        let path = dir.join("queue_log");
        std::fs::write(&path, "").unwrap();
        Self::Log(path)
    }

    fn table(dir: &Path) -> Self {
        let server = Postgres::start(dir);
        let mut client = Box::new(server.client());
        client.batch_execute(SCHEMA).unwrap();
        Self::Table { server, client }
    }

    /// The site file's `[source]` lines.
    fn source(&self, dir: &Path) -> String {
        match self {
            Self::Log(path) => format!("queue_log = \"{}\"", path.display()),
            Self::Table { server, .. } => {
                let password = dir.join("db-password");
                std::fs::write(&password, format!("{PASSWORD}\n")).unwrap();
                format!(
                    "table = \"queue_log\"\nconnection = \"{}\"\npassword_file = \"{}\"",
                    server.connection(),
                    password.display()
                )
            }
        }
    }

    /// The switch writes `lines`: appended to the file, or inserted in one transaction.
    fn write(&mut self, lines: &[&str]) {
        match self {
            Self::Log(path) => {
                let mut log = std::fs::OpenOptions::new().append(true).open(path).unwrap();
                log.write_all((lines.join("\n") + "\n").as_bytes()).unwrap();
            }
            Self::Table { client, .. } => insert_all(client, lines.iter().copied(), UTC_MINUS_5),
        }
    }

    /// What this feed does in place of `fault`.
    fn fault(&self, fault: Fault) -> Fault {
        match (self, fault) {
            (Self::Table { .. }, Fault::Rotate | Fault::CopyTruncate) => Fault::RestartDatabase,
            _ => fault,
        }
    }
}

const FAULTS: [Fault; 6] =
    [Fault::None, Fault::Rotate, Fault::Kill, Fault::CopyTruncate, Fault::Kill, Fault::DiskFull];

/// The pause after each piece: the service's checkpoint interval and a little.
const PACE: Duration = Duration::from_millis(1_200);

/// Pieces each day is written in.
const PIECES_PER_DAY: usize = 10;

fn day(date: LocalDate, seed: u64, calendar: &SiteCalendar) -> String {
    let queue = |name: &str, scale: f64, staff: f64| QueuePlan {
        name: name.into(),
        calls_per_hour: sim::CALLS_PER_HOUR_311.iter().map(|c| c * scale).collect(),
        agents: sim::AGENTS_311
            .iter()
            .map(|&a| (f64::from(a) * staff).round().max(1.0) as u32)
            .collect(),
        surge: Some(Surge { start_s: 14 * 3600, end_s: 16 * 3600, factor: 2.5 }),
        handle: HandleTime::LogNormal { mean_s: 270.0, cv: 0.9 },
        patience_s: Some(240.0),
        breaks: true,
    };
    let plan = DayPlan {
        date,
        open_s: 8 * 3600,
        close_s: 20 * 3600,
        queues: vec![queue("STREETS", 1.0, 1.0), queue("SANITATION", 0.5, 0.55)],
        seed,
    };
    sim::simulate(&plan, calendar).expect("a simulated day").queue_log
}

fn start(config: &Path, stderr: &Path) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(stderr).unwrap();
    Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start callboard serve")
}

/// A small filesystem of its own for the state directory, so that it can be filled: a tmpfs
/// mounted there, unmounted when dropped.
struct SmallDisk {
    at: PathBuf,
}

impl SmallDisk {
    /// Mounts it; the reason it cannot be (most often: not root) otherwise.
    fn mount(at: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=32m,mode=0700", "callboard-soak"])
            .arg(at)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if out.status.success() {
            Ok(Self { at: at.to_owned() })
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }

    fn filler(&self) -> PathBuf {
        self.at.join("filler")
    }

    /// Fills it to the last byte; returns the bytes written.
    fn fill(&self) -> u64 {
        let mut file = std::fs::File::create(self.filler()).unwrap();
        let block = vec![0xA5_u8; 64 * 1024];
        let mut written = 0_u64;
        loop {
            match file.write(&block) {
                Ok(n) if n > 0 => written += n as u64,
                Ok(_) => break,
                Err(e) => {
                    assert_eq!(e.raw_os_error(), Some(28), "filling the disk: {e}"); // ENOSPC
                    break;
                }
            }
        }
        written
    }

    fn empty(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).status();
    }
}

/// Waits up to 60 s for `done`, then fails saying `what`.
fn within(what: &str, stderr: &Path, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what}, not within 60 s:\n{}",
            std::fs::read_to_string(stderr).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How often the service has said `what` so far.
fn said(stderr: &Path, what: &str) -> usize {
    std::fs::read_to_string(stderr).unwrap_or_default().matches(what).count()
}

/// The disk full, the `fulls`th time: the service says so once, keeps driving the boards
/// (`driven`), and once the disk is emptied says that the state is saved again.
fn through_a_full_disk(
    disk: Option<&SmallDisk>,
    stderr: &Path,
    fulls: usize,
    driven: &dyn Fn() -> bool,
) {
    within("the full disk said", stderr, || said(stderr, CANNOT_SAVE) == fulls);
    let why = std::fs::read_to_string(stderr).unwrap();
    assert!(why.contains("No space left on device"), "{why}");
    within("frames while the disk is full", stderr, driven);
    disk.expect("a small disk").empty();
    within("the state saved again", stderr, || said(stderr, SAVED_AGAIN) == fulls);
}

const CANNOT_SAVE: &str = "cannot save the state: ";
const SAVED_AGAIN: &str = "the state is saved again, after ";

fn figures(state: &Path) -> Option<Value> {
    std::fs::read(state.join("figures.json")).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

/// Waits for the service's clock to reach `at_ms` (every line written so far read).
fn caught_up(state: &Path, at_ms: u64, stderr: &Path) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(f) = figures(state).filter(|f| f["at_ms"].as_u64() == Some(at_ms)) {
            return f;
        }
        assert!(
            Instant::now() < deadline,
            "the service never reached {at_ms}: {:?}\n{}",
            figures(state).map(|f| f["at_ms"].clone()),
            std::fs::read_to_string(stderr).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn resident_kib(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// logrotate's numbering: `queue_log.N` becomes `queue_log.N+1`, the newest first, so that
/// `queue_log.1` is free for the file rotated now.
fn shift(dir: &Path, rotations: usize) {
    for n in (1..=rotations).rev() {
        let from = dir.join(format!("queue_log.{n}"));
        if from.exists() {
            std::fs::rename(&from, dir.join(format!("queue_log.{}", n + 1))).unwrap();
        }
    }
}

/// A line's instant in ms: the log's seconds, with milliseconds after a dot.
fn time_of(line: &str) -> u64 {
    let seconds: f64 = line.split('|').next().unwrap().parse().unwrap();
    (seconds * 1000.0).round() as u64
}

#[test]
fn days_of_faults_lose_no_call_and_grow_no_memory() {
    let dir = scratch("soak-log");
    let feed = Feed::log(&dir);
    soak(&dir, feed);
}

#[test]
fn days_from_the_realtime_table_through_database_restarts_lose_no_call() {
    let dir = scratch("soak-table");
    let feed = Feed::table(&dir);
    soak(&dir, feed);
}

#[allow(clippy::too_many_lines)] // one run, fault after fault, then its checks
fn soak(dir: &Path, mut feed: Feed) {
    let days: u64 =
        std::env::var("CALLBOARD_SOAK_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(4);
    assert!(days >= 4, "faults take two days, the memory check the last two");
    let calendar =
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::None).unwrap();
    let first = LocalDate::new(2026, 11, 23).unwrap();

    let east = StandIn::start(&[1], None).unwrap();
    // The west converter drops every connection after the first one 40 frames in.
    let west = StandIn::start(&[7], Some(40)).unwrap();
    let (state, stderr) = (dir.join("state"), dir.join("serve.err"));
    let config = dir.join("serve.toml");
    let disk = SmallDisk::mount(&state)
        .map_err(|e| eprintln!("soak: no full disk among the faults: cannot mount a tmpfs: {e}"))
        .ok();
    std::fs::write(
        &config,
        format!(
            r#"
[site]
utc_offset = "-05:00"
hours = "08:00-20:00"
state_dir = "{state}"
clock = "log"
every_seconds = 0.1
checkpoint_seconds = 1

[source]
{source}

[[queue]]
name = "STREETS"

[[queue]]
name = "SANITATION"

[[line]]
name = "east"
tcp = "{east}"

[[line]]
name = "west"
tcp = "{west}"

[[board]]
line = "east"
address = 1
queues = ["STREETS", "SANITATION"]

[[board]]
line = "west"
address = 7
queues = ["STREETS"]
"#,
            state = state.display(),
            source = feed.source(dir),
            east = east.address,
            west = west.address,
        ),
    )
    .unwrap();

    let mut clean = String::new();
    let mut service = start(&config, &stderr);
    let (mut faults, mut kills, mut rotations, mut restarts, mut fulls) = (0, 0, 0, 0, 0);
    let mut resident = Vec::new();
    // While the disk is full: the frames both boards had heard when it filled.
    let mut full: Option<u64> = None;
    let frames = || east.frames.load(Ordering::SeqCst) + west.frames.load(Ordering::SeqCst);
    let mut day_ends = Vec::new();
    let started = Instant::now();
    let mut date = first;
    for d in 0..days {
        let text = day(date, 311 + d, &calendar);
        let lines: Vec<&str> = text.lines().collect();
        let piece = lines.len().div_ceil(PIECES_PER_DAY);
        for (p, chunk) in lines.chunks(piece).enumerate() {
            feed.write(chunk);
            clean += &(chunk.join("\n") + "\n");
            // A checkpoint's time between faults: one fault may come before the service has
            // read a piece, but not before it has saved its place since the last fault.
            std::thread::sleep(PACE);
            if let Some(before) = full.take() {
                through_a_full_disk(disk.as_ref(), &stderr, fulls, &|| frames() > before + 2);
            }
            let mut fault = feed.fault(FAULTS[(d as usize * PIECES_PER_DAY + p) % FAULTS.len()]);
            // The last two days keep one process, for its memory from one day to the next.
            if fault == Fault::Kill && d + 2 >= days || fault == Fault::DiskFull && disk.is_none() {
                fault = Fault::None;
            }
            match fault {
                Fault::None => {}
                Fault::Rotate => {
                    let Feed::Log(log_path) = &feed else { unreachable!() };
                    shift(dir, rotations);
                    std::fs::rename(log_path, dir.join("queue_log.1")).unwrap();
                    std::fs::write(log_path, "").unwrap();
                    rotations += 1;
                }
                Fault::CopyTruncate => {
                    // Lines written between the copy and the truncation would be lost to any
                    // reader: the writer is quiet here, as logrotate's own window assumes.
                    let Feed::Log(log_path) = &feed else { unreachable!() };
                    shift(dir, rotations);
                    std::fs::copy(log_path, dir.join("queue_log.1")).unwrap();
                    std::fs::OpenOptions::new().write(true).truncate(true).open(log_path).unwrap();
                    rotations += 1;
                }
                Fault::Kill => {
                    service.kill().unwrap();
                    let _ = service.wait();
                    // What it published is the killed one's: the next wait is for the new one.
                    let _ = std::fs::remove_file(state.join("figures.json"));
                    service = start(&config, &stderr);
                    kills += 1;
                }
                Fault::RestartDatabase => {
                    let Feed::Table { server, client } = &mut feed else { unreachable!() };
                    server.restart();
                    **client = server.client();
                    restarts += 1;
                }
                Fault::DiskFull => {
                    let disk = disk.as_ref().expect("a small disk");
                    assert!(disk.fill() > 0, "the state directory's disk is already full");
                    full = Some(frames());
                    fulls += 1;
                }
            }
            faults += usize::from(fault != Fault::None);
        }
        if let Some(before) = full.take() {
            // The day's last piece filled the disk: room again, for its figures.
            through_a_full_disk(disk.as_ref(), &stderr, fulls, &|| frames() > before + 2);
        }
        let end_of_day = time_of(lines.last().unwrap());
        day_ends.push(caught_up(&state, end_of_day, &stderr));
        resident.push((service.id(), resident_kib(&service)));
        date = date.next();
    }
    let figures = caught_up(&state, time_of(clean.lines().last().unwrap()), &stderr);
    let elapsed = started.elapsed();
    let term = Command::new("kill").args(["-TERM", &service.id().to_string()]).status().unwrap();
    assert!(term.success());
    let ended = service.wait().unwrap();
    let said = std::fs::read_to_string(&stderr).unwrap();
    assert!(ended.success(), "serve ended {ended}:\n{said}");
    // Each full disk said once, and its end once.
    assert_eq!(
        (said.matches(CANNOT_SAVE).count(), said.matches(SAVED_AGAIN).count()),
        (fulls, fulls)
    );

    // Every call exactly once: the report over the whole log as written.
    let whole = dir.join("clean.queue_log");
    std::fs::write(&whole, &clean).unwrap();
    let out = support::callboard(&[
        "report",
        "--queue-log",
        whole.to_str().unwrap(),
        "--utc-offset",
        "-05:00",
        "--interval",
        "1d",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(figures["warnings"], 0, "lines refused or read twice:\n{said}");
    let counts = ["offered", "answered", "answered_within_sl", "abandoned", "dequeued", "handled"];
    // The figures as published at each day's end (today and yesterday), and at the very end.
    let mut compared = 0;
    for published in day_ends.iter().chain([&figures]) {
        assert_eq!(published["warnings"], 0, "lines refused or read twice:\n{said}");
        compared += compare_days(published, &report, &counts, &said);
    }
    assert!(compared as u64 >= 2 * (2 * days - 1), "{compared} queue-days compared");

    // Memory: one process's resident set at the end of the last two days.
    let [.., (pid, settled), (same, last)] = resident[..] else { unreachable!() };
    assert_eq!(pid, same, "one process for the last two days");
    assert!(last <= settled + settled / 10 + 2048, "resident {resident:?} KiB: it grows");

    // Each database restart was a lost connection, said and reconnected.
    assert!(said.matches("table queue_log: connection lost").count() >= restarts, "{said}");

    // Both boards heard frames through it all, the west one over reconnections.
    assert!(said.matches("line west: connected").count() >= 2, "{said}");
    let heard = |line: &StandIn, address| {
        line.heard.lock().unwrap().iter().filter(|(a, _)| *a == address).count()
    };
    assert!(
        heard(&east, 1) > 100 && heard(&west, 7) > 100,
        "frames: {} {}",
        heard(&east, 1),
        heard(&west, 7)
    );
    eprintln!(
        "soak ({}): {days} simulated days, {} lines, {faults} faults ({kills} kills, \
         {rotations} rotations, {restarts} database restarts, {fulls} full disks), {compared} \
         queue-days equal to the clean run, calls lost 0, resident (pid, KiB) by day \
         {resident:?}, {:.1} s",
        match feed {
            Feed::Log(_) => "queue_log file",
            Feed::Table { .. } => "realtime table",
        },
        clean.lines().count(),
        elapsed.as_secs_f64()
    );
    drop((disk, feed));
    std::fs::remove_dir_all(dir).unwrap();
}
