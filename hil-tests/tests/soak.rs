//! The soak on the emulated board: `callboard serve` drives the firmware under QEMU through a
//! simulated 311 day over a noisy line, is killed with SIGKILL and left down past the frames'
//! time-to-live, and is started again on its state.
//!
//! The line is a relay between the service and the board's serial port that passes every byte
//! and, after every second frame, adds a burst of noise ending in a delimiter, as a long RS-485
//! run near a lift motor would; it also decodes the frames it passes, so the test knows the
//! last frame the board was sent. Checked:
//! - every frame the service sent reached the board and was acknowledged through the noise
//!   (the service's own count at its stop: nothing refused or unanswered), and the board
//!   counted each burst as a discarded frame;
//! - with the service down, the board kept its last frame only until that frame's
//!   time-to-live ran out by the board's own clock, then turned to "no data", its picture the
//!   host renderer's for that frame at that instant;
//! - started again, the service continued the day, and at its end the board shows the host
//!   renderer's picture of the last frame, pixel for pixel (its CRC).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callboard_core::board::BoardFrame;
use callboard_core::wire::{
    BoardMessage, BoardSettings, Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES, Screen,
};
use callboard_hil_tests::{
    ADDRESS, EMULATED_BOARD, Emulator, build, demo_day, host_artifact, host_crc,
};
use serde_json::Value;

/// Frames' time-to-live on this floor, short so that the test waits little for "no data".
const TTL_S: u16 = 4;

/// Frames between two bursts of noise.
const FRAMES_PER_BURST: u64 = 2;

/// The relay between the service and the board.
struct NoisyLine {
    address: String,
    /// Bursts of noise sent.
    bursts: Arc<AtomicU64>,
    /// Display frames passed to the board.
    frames: Arc<AtomicU64>,
    /// The last display frame passed to the board.
    last: Arc<Mutex<Option<BoardFrame>>>,
}

impl NoisyLine {
    /// Listens on a loopback port; each connection is relayed to `board` while it lasts.
    fn start(board: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let bursts = Arc::new(AtomicU64::new(0));
        let frames = Arc::new(AtomicU64::new(0));
        let last = Arc::new(Mutex::new(None));
        let (b, f, l) = (Arc::clone(&bursts), Arc::clone(&frames), Arc::clone(&last));
        std::thread::spawn(move || {
            let mut seed: u64 = 0x0311_0311;
            for host in listener.incoming() {
                let Ok(host) = host else { continue };
                let Ok(to_board) = TcpStream::connect(&board) else { continue };
                relay(host, to_board, &mut seed, &b, &f, &l);
            }
        });
        Self { address, bursts, frames, last }
    }
}

/// One connection, until either end closes it: the board's answers back as they come; the
/// host's bytes on, with a burst of noise after every `FRAMES_PER_BURST`th frame.
fn relay(
    host: TcpStream,
    board: TcpStream,
    seed: &mut u64,
    bursts: &AtomicU64,
    frames: &AtomicU64,
    last: &Mutex<Option<BoardFrame>>,
) {
    let (mut host_in, mut board_out) = (host.try_clone().unwrap(), board.try_clone().unwrap());
    let (mut board_in, mut host_out) = (board, host);
    let answers = std::thread::spawn(move || {
        let mut chunk = [0_u8; 512];
        while let Ok(n) = board_in.read(&mut chunk) {
            if n == 0 || host_out.write_all(&chunk[..n]).is_err() {
                break;
            }
        }
        let _ = host_out.shutdown(std::net::Shutdown::Both);
    });
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let mut passed = 0_u64;
    let mut chunk = [0_u8; 512];
    loop {
        let n = match host_in.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let mut out = Vec::with_capacity(n + 256);
        for &byte in &chunk[..n] {
            out.push(byte);
            if let Some(Decoded::Frame(header, HostMessage::Display(frame))) =
                decoder.feed::<HostMessage>(byte, |_| true)
                && header.address == ADDRESS
            {
                frames.fetch_add(1, Ordering::SeqCst);
                *last.lock().unwrap() = Some(frame);
                passed += 1;
                // After the frame's closing delimiter, so never a frame's middle.
                if passed.is_multiple_of(FRAMES_PER_BURST) {
                    // Noise, zeros and all, then a delimiter.
                    let len = 40 + (*seed >> 60) as usize * 16;
                    for _ in 0..len {
                        *seed = seed
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1_442_695_040_888_963_407);
                        out.push((*seed >> 56) as u8);
                    }
                    out.push(0);
                    bursts.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        if board_out.write_all(&out).is_err() {
            break;
        }
    }
    let _ = board_out.shutdown(std::net::Shutdown::Both);
    let _ = answers.join();
}

fn figures(state: &Path) -> Option<Value> {
    std::fs::read(state.join("figures.json")).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn serve(callboard: &Path, config: &Path) -> Child {
    Command::new(callboard)
        .args(["serve", "--config"])
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn time_of(line: &str) -> u64 {
    let seconds: f64 = line.split('|').next().unwrap().parse().unwrap();
    (seconds * 1000.0).round() as u64
}

#[test]
#[allow(clippy::too_many_lines)] // one day, fault after fault, then its checks
fn a_day_over_a_noisy_line_through_a_kill_and_the_time_to_live() {
    let callboard = host_artifact("callboard-cli", &["--bin", "callboard"], "callboard").unwrap();
    let (dir, day) = demo_day(&callboard, "soak");
    let lines: Vec<&str> = day.lines().collect();

    let started = Instant::now();
    let emulator = Emulator::start(&build(EMULATED_BOARD).unwrap()).unwrap();
    let mut link = emulator.connect().unwrap();
    let BoardMessage::Status { counts: before, .. } = link.ask(&HostMessage::Ping).unwrap() else {
        panic!("not a Status answer")
    };
    drop(link);
    let line = NoisyLine::start(emulator.serial_address());
    let (log, state) = (dir.join("queue_log"), dir.join("state"));
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[site]
utc_offset = "-05:00"
dst = "us"
hours = "08:00-20:00"
state_dir = "{state}"
clock = "log"
every_seconds = 0.2
checkpoint_seconds = 1

[source]
queue_log = "{log}"

[[queue]]
name = "STREETS"

[[queue]]
name = "SANITATION"

[[line]]
name = "floor"
tcp = "{line}"

[[board]]
line = "floor"
address = {ADDRESS}
queues = ["STREETS", "SANITATION"]
ttl_seconds = {TTL_S}
"#,
            state = state.display(),
            log = log.display(),
            line = line.address,
        ),
    )
    .unwrap();

    // The morning written, the service started, the day written as it runs until the kill.
    let (morning, kill_at) = (lines.len() / 3, 2 * lines.len() / 3);
    std::fs::write(&log, lines[..morning].join("\n") + "\n").unwrap();
    let mut service = serve(&callboard, &config);
    let append = |piece: &[&str]| {
        let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        for chunk in piece.chunks(200) {
            file.write_all((chunk.join("\n") + "\n").as_bytes()).unwrap();
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    // The service has read to `to`, the board was sent that moment's frame, and a few more.
    let caught_up = |to: u64| {
        wait_until(&format!("the service read to {to}"), Duration::from_secs(90), || {
            figures(&state).is_some_and(|f| f["at_ms"] == to)
        });
        wait_until(&format!("the board sent the frame of {to}"), Duration::from_secs(30), || {
            line.last.lock().unwrap().as_ref().is_some_and(|f| f.valid_at == to)
        });
        let sent = line.frames.load(Ordering::SeqCst);
        wait_until("frames after it", Duration::from_secs(30), || {
            line.frames.load(Ordering::SeqCst) > sent + 2
        });
    };
    append(&lines[morning..kill_at]);
    caught_up(time_of(lines[kill_at - 1]));
    // Then the service killed outright.
    service.kill().unwrap();
    let killed = service.wait_with_output().unwrap();
    let first_run = String::from_utf8_lossy(&killed.stderr).into_owned();
    let kept = line.last.lock().unwrap().clone().expect("a frame was sent");

    // The board alone: its last frame until the time-to-live, then "no data".
    let mut link = {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // The relay lets go of the board's port once the service's connection is gone.
            match emulator.connect().and_then(|mut l| l.ask(&HostMessage::Ping).map(|_| l)) {
                Ok(link) => break link,
                Err(e) => {
                    assert!(Instant::now() < deadline, "the board's port: {e}");
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    };
    let settings = BoardSettings::DEFAULT;
    let down = Instant::now();
    let mut figures_seen = 0;
    let (at, crc) = loop {
        let BoardMessage::Showing { screen, shown_at, framebuffer_crc, .. } =
            link.ask(&HostMessage::WhatAreYouShowing).unwrap()
        else {
            panic!("not a Showing answer")
        };
        let at = shown_at.expect("the board's clock runs from its frame");
        match screen {
            Screen::Figures => {
                // Still within the frame's time-to-live, by the board's clock.
                assert!(at < kept.valid_at + u64::from(TTL_S) * 1000, "{at} past the TTL");
                figures_seen += 1;
            }
            Screen::NoData => break (at, framebuffer_crc),
            other => panic!("the board shows {other:?}"),
        }
        assert!(
            down.elapsed() < Duration::from_secs(u64::from(TTL_S) + 10),
            "still figures {:?} after the service went down",
            down.elapsed()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let to_no_data = down.elapsed();
    assert!(at >= kept.valid_at + u64::from(TTL_S) * 1000, "no data at {at}, before the TTL");
    assert_eq!(crc, host_crc(Some(&kept), Some(at), &settings), "the 'no data' picture");
    drop(link);

    // Started again on its state: the rest of the day.
    let service = serve(&callboard, &config);
    append(&lines[kill_at..]);
    let end = time_of(lines.last().unwrap());
    caught_up(end);
    let term = Command::new("kill").args(["-TERM", &service.id().to_string()]).status().unwrap();
    assert!(term.success());
    let stopped = service.wait_with_output().unwrap();
    let second_run = String::from_utf8_lossy(&stopped.stderr).into_owned();
    let summary = String::from_utf8_lossy(&stopped.stdout).into_owned();
    assert!(stopped.status.success(), "{second_run}");
    assert!(second_run.contains("restored the state saved at offset"), "{second_run}");
    let last = line.last.lock().unwrap().clone().unwrap();
    assert_eq!(last.valid_at, end);

    // Every frame of the second run acknowledged through the noise, by the service's count.
    let board_line = summary
        .lines()
        .chain(second_run.lines())
        .find(|l| l.contains(&format!("board {ADDRESS} on floor:")))
        .unwrap_or_else(|| panic!("no board summary:\n{summary}{second_run}"));
    let numbers: Vec<u64> =
        board_line.split([' ', ',']).filter_map(|w| w.parse().ok()).skip(1).collect();
    let [sent, acknowledged, refused, unanswered] = numbers[..] else { panic!("{board_line}") };
    assert!(sent >= 5, "{board_line}");
    assert_eq!((acknowledged, refused, unanswered), (sent, 0, 0), "{board_line}");

    // The board: the last frame's picture, and every burst counted as discarded.
    let mut link = emulator.connect().unwrap();
    let BoardMessage::Showing { screen, shown_at, framebuffer_crc, .. } =
        link.ask(&HostMessage::WhatAreYouShowing).unwrap()
    else {
        panic!("not a Showing answer")
    };
    // After 20:00 the frame says the floor is closed, and the board shows that.
    assert_ne!(screen, Screen::NoData);
    assert_eq!(framebuffer_crc, host_crc(Some(&last), shown_at, &settings), "the last picture");
    let BoardMessage::Status { counts, .. } = link.ask(&HostMessage::Ping).unwrap() else {
        panic!("not a Status answer")
    };
    let bursts = line.bursts.load(Ordering::SeqCst);
    assert!(bursts >= 10, "{bursts} bursts");
    assert!(
        u64::from(counts.discarded() - before.discarded()) >= bursts,
        "{bursts} bursts, {counts:?}"
    );
    eprintln!(
        "hil soak: {} lines, {} frames to the board through {bursts} bursts of noise ({} \
         discarded by the board), killed: the last frame shown {figures_seen} looks, then no \
         data {:.1} s after the kill (TTL {TTL_S} s), every frame of the second run acknowledged ({sent}), {:.1} s\n{first_run}",
        lines.len(),
        line.frames.load(Ordering::SeqCst),
        counts.discarded() - before.discarded(),
        to_no_data.as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
