//! `callboard serve` on the shipped sample (`examples/data/serve-311.toml`), its lines pointed
//! at test boards: the east line at the emulated firmware under QEMU (board 1), the west line at
//! a socket stand-in (boards 1 and 2). It follows a simulated 311 day's `queue_log` as it is
//! written, with yesterday's surveys in a survey export. At the day's last moment every board
//! shows what `callboard board encode` computes from the same log at the same moment, queue by
//! queue, yesterday's CSAT included; the emulated board's picture is the host renderer's, pixel
//! for pixel.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use callboard_core::board::{BoardFrame, CsatLine};
use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_core::wire::{BoardMessage, BoardSettings, HostMessage};
use callboard_floor::stand_in::StandIn;
use callboard_hil_tests::{
    ADDRESS, EMULATED_BOARD, Emulator, build, demo_day, host_artifact, host_crc, repository,
};
use serde_json::Value;

fn figures(state: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(state.join("figures.json")).ok()?).ok()
}

#[test]
fn the_shipped_floor_shows_what_the_report_computes() {
    let callboard = host_artifact("callboard-cli", &["--bin", "callboard"], "callboard").unwrap();
    // A simulated 311 day, as the demo writes it (New York, 2026-11-23).
    let (dir, day) = demo_day(&callboard, "serve");
    let mut lines: Vec<String> = day.lines().map(str::to_owned).collect();
    // The last moment, on a whole minute: a line that counts for nothing (INFO) moves the
    // clock there, so the boards and `board encode --at HH:MM` see the same instant.
    // Stamps have fractions of a second: 1795482101.881.
    let last: f64 = lines.last().unwrap().split('|').next().unwrap().parse().unwrap();
    let end = (last as u64 / 60 + 1) * 60;
    lines.push(format!("{end}|NONE|NONE|NONE|INFO|"));
    let calendar =
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::UnitedStates).unwrap();
    let local = calendar.to_local(end * 1000);
    let at = format!("{} {:02}:{:02}", local.date, local.hour(), local.minute());

    // Yesterday's surveys: 20 responses, mean 4.00.
    let surveys = dir.join("surveys.csv");
    let mut csv = String::from("time,score\n");
    for i in 0..20 {
        csv +=
            &format!("2026-11-22 {:02}:{:02},{}\n", 9 + i / 4, (i % 4) * 15, [5, 4, 4, 3][i % 4]);
    }
    std::fs::write(&surveys, csv).unwrap();

    // The shipped sample, pointed at the test's files and boards.
    let emulator = Emulator::start(&build(EMULATED_BOARD).unwrap()).unwrap();
    emulator.connect().unwrap().ask(&HostMessage::Ping).unwrap();
    let west_line = StandIn::start(&[1, 2], None).unwrap();
    let west = &west_line.address;
    let log = dir.join("queue_log");
    let state = dir.join("state");
    let sample =
        std::fs::read_to_string(repository().join("examples/data/serve-311.toml")).unwrap();
    // The sample's east board 1 is the emulated board: its address must be the image's.
    let east_board = format!("line = \"east\"\naddress = {ADDRESS}\n");
    assert!(sample.contains(&east_board), "the sample's east board is not at {ADDRESS}");
    let http_port =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = sample;
    for (from, to) in [
        (
            "state_dir = \"/var/lib/callboard\"".to_owned(),
            format!("state_dir = \"{}\"", state.display()),
        ),
        ("clock = \"wall\"".into(), "clock = \"log\"".into()),
        ("every_seconds = 2.0".into(), "every_seconds = 0.2".into()),
        ("checkpoint_seconds = 5.0".into(), "checkpoint_seconds = 1.0".into()),
        (
            "queue_log = \"/var/log/asterisk/queue_log\"".into(),
            format!("queue_log = \"{}\"", log.display()),
        ),
        (
            "surveys = \"/var/spool/surveys/post-call.csv\"".into(),
            format!("surveys = \"{}\"", surveys.display()),
        ),
        ("tcp = \"10.0.0.40:4001\"".into(), format!("tcp = \"{}\"", emulator.serial_address())),
        ("serial = \"/dev/ttyUSB0\"\nbaud = 115200".into(), format!("tcp = \"{west}\"")),
        ("line = \"east\"\naddress = 2".into(), "line = \"west\"\naddress = 2".into()),
        // The API on a port of its own, so no other program's 8311 gets in the way.
        ("address = \"127.0.0.1:8311\"".into(), format!("address = \"127.0.0.1:{http_port}\"")),
    ] {
        assert!(config.contains(&from), "the sample has no {from:?}");
        config = config.replacen(&from, &to, 1);
    }
    let config_path = dir.join("serve.toml");
    std::fs::write(&config_path, config).unwrap();

    // The morning written, the service started, the rest written as it runs.
    let split = lines.len() * 2 / 5;
    std::fs::write(&log, lines[..split].join("\n") + "\n").unwrap();
    let serve = Command::new(&callboard)
        .args(["serve", "--config"])
        .arg(&config_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    for chunk in lines[split..].chunks(500) {
        file.write_all((chunk.join("\n") + "\n").as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(file);
    let deadline = Instant::now() + Duration::from_secs(90);
    while figures(&state).is_none_or(|f| f["at_ms"] != end * 1000) {
        assert!(Instant::now() < deadline, "the service never reached the end of the day");
        std::thread::sleep(Duration::from_millis(100));
    }
    // A few more turns, so that every board has the last moment's frame.
    std::thread::sleep(Duration::from_secs(2));
    let term = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status().unwrap();
    assert!(term.success());
    let out = serve.wait_with_output().unwrap();
    let told = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{told}");

    // What `board encode` computes for each queue at that moment, with its own threshold.
    let expected = |queue: &str, label_target: &str, sl_seconds: &str| -> BoardFrame {
        let log = log.to_str().unwrap();
        let out = Command::new(&callboard)
            .args(["board", "encode", "--address", "1", "--json", "--queue-log", log])
            .args(["--utc-offset", "-05:00", "--dst", "us", "--at", &at, "--hours", "08:00-20:00"])
            .args(["--queue", &format!("{queue}={label_target}"), "--sl-seconds", sl_seconds])
            .args(["--surveys", surveys.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // STREETS: by the third ring of 6 s, 18 s.
    let streets = expected("STREETS", "STREETS@80%", "18");
    let sanitation = expected("SANITATION", "SANITATION@80%", "30");
    let permits = expected("PERMITS", "PERMITS@70%", "60");
    assert!(
        matches!(streets.csat, CsatLine::MeanScore { centi: 400, responses: 20, .. }),
        "{:?}",
        streets.csat
    );
    let board = |queues: &[&BoardFrame]| BoardFrame {
        queues: queues.iter().map(|f| f.queues[0].clone()).collect(),
        ..streets.clone()
    };
    let east_1 = board(&[&streets, &sanitation]);
    let west_1 = board(&[&streets, &sanitation, &permits]);
    let west_2 = board(&[&permits]);
    for (address, want) in [(1, &west_1), (2, &west_2)] {
        let last = west_line.last_frame(address).expect("frames");
        assert_eq!(&last, want, "west board {address}: {told}");
    }

    // The emulated board shows exactly the host's picture of the frame it should show.
    let mut link = emulator.connect().unwrap();
    let BoardMessage::Showing { shown_at, framebuffer_crc, .. } =
        link.ask(&HostMessage::WhatAreYouShowing).unwrap()
    else {
        panic!("not a Showing answer");
    };
    let settings = BoardSettings { page_seconds: 5, brightness: 255, ..BoardSettings::DEFAULT };
    assert_eq!(
        framebuffer_crc,
        host_crc(Some(&east_1), shown_at, &settings),
        "east board 1: {told}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
