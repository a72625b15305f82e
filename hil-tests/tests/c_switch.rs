//! The switch drives the board through the C ABI: `examples/c/board_feed.c`, linked only
//! against `libcallboard` and `callboard.h`, feeds a center a simulated 311 day and drives the
//! emulated board image over its serial line. Every frame it builds is acknowledged and shown
//! exactly as the host renderer draws it, and its bytes are exactly those `callboard board
//! encode` gives for the same frame.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use callboard_core::board::{Alert, BoardFrame, CsatLine, Opening};
use callboard_core::wire::{BoardSettings, Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES};
use callboard_hil_tests::{
    ADDRESS, ANSWER_TIME, EMULATED_BOARD, Emulator, build, c_example, host_artifact, host_crc,
};

/// The settings `board_feed` configures the board with.
const SETTINGS: BoardSettings = BoardSettings { page_seconds: 4, ..BoardSettings::DEFAULT };

fn bytes_of(hex: &str) -> Vec<u8> {
    hex.split_whitespace().map(|b| u8::from_str_radix(b, 16).expect("hex")).collect()
}

fn frame_of(bytes: &[u8], sequence: u16) -> BoardFrame {
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let decoded: Vec<_> = bytes.iter().filter_map(|&b| decoder.feed(b, |a| a == ADDRESS)).collect();
    match decoded.as_slice() {
        [Decoded::Frame(header, HostMessage::Display(frame))] if header.sequence == sequence => {
            frame.clone()
        }
        other => panic!("frame {sequence} is not one display frame: {other:?}"),
    }
}

fn alarmed(frame: &BoardFrame) -> bool {
    frame.queues.iter().any(|q| {
        let a = q.alerts;
        [a.waiting, a.longest_wait, a.expected_wait, a.service_level, a.agents_available]
            .contains(&Alert::Alarm)
    })
}

fn all_normal(frame: &BoardFrame) -> bool {
    frame.queues.iter().all(|q| q.alerts == Default::default())
}

/// What `callboard board encode` prints for `frame` to `address` with `sequence`.
fn cli_bytes(frame: &BoardFrame, sequence: u16) -> Vec<u8> {
    let callboard = host_artifact("callboard-cli", &["--bin", "callboard"], "callboard").unwrap();
    let path = callboard_hil_tests::repository()
        .join("target/hil")
        .join(format!("c-switch-frame-{}-{sequence}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(frame).unwrap()).unwrap();
    let out = Command::new(callboard)
        .args(["board", "encode", "--address", &ADDRESS.to_string()])
        .args(["--sequence", &sequence.to_string(), "--frame"])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    bytes_of(&String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_switch_drives_the_board_through_the_c_abi() {
    let program = c_example("board_feed").unwrap();
    let emulator = Emulator::start(&build(EMULATED_BOARD).unwrap()).unwrap();
    // Up and listening before the program connects.
    emulator.connect().unwrap().ask(&HostMessage::Ping).unwrap();
    let timeout = ANSWER_TIME.as_millis().to_string();
    let out = Command::new(&program)
        .arg(emulator.serial_address())
        .args(["--address", &ADDRESS.to_string(), "--check", "--pause-ms", "0"])
        .args(["--timeout-ms", &timeout])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let told = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "board_feed failed ({}):\n{told}", out.status);
    // 07:30 to 20:30, a frame every 15 minutes of the day.
    assert!(stdout.contains("sent 53 frames: 53 acknowledged, 0 refused, 0 unanswered"), "{told}");

    let lines: Vec<&str> = stdout.lines().collect();
    let (mut normal, mut alarm, mut csat, mut closed, mut checked) = (0, 0, 0, 0, 0);
    for pair in lines.windows(2) {
        let Some(frame_line) = pair[0].strip_prefix("frame ") else { continue };
        let (sequence, hex) = frame_line.split_once(' ').unwrap();
        let sequence: u16 = sequence.parse().unwrap();
        let bytes = bytes_of(hex);
        let frame = frame_of(&bytes, sequence);

        // The board shows exactly the host's picture of that frame at the instant it drew.
        let words: Vec<&str> = pair[1].split_whitespace().collect();
        let ["showing", shown, "screen", screen, "at", at, "crc", crc] = words[..] else {
            panic!("no answer to \"what are you showing?\" after frame {sequence}:\n{told}");
        };
        assert_eq!(shown.parse::<u16>().unwrap(), sequence, "{told}");
        let at: u64 = at.parse().unwrap();
        let crc = u32::from_str_radix(crc, 16).unwrap();
        assert_eq!(crc, host_crc(Some(&frame), Some(at), &SETTINGS), "frame {sequence}: {told}");
        let is_closed = matches!(frame.opening, Opening::Closed { .. });
        assert_eq!(screen, if is_closed { "2" } else { "1" }, "frame {sequence}: {told}");

        // The bytes the C ABI wrote are those the CLI writes for the same frame.
        assert_eq!(cli_bytes(&frame, sequence), bytes, "frame {sequence}");

        checked += 1;
        closed += usize::from(is_closed);
        normal += usize::from(!is_closed && all_normal(&frame));
        alarm += usize::from(!is_closed && alarmed(&frame));
        csat += usize::from(matches!(frame.csat, CsatLine::MeanScore { .. }));
        // Sanitation's agreement rides on every frame.
        assert_eq!(frame.sla.len(), 1, "frame {sequence}");
    }
    eprintln!(
        "{checked} frames: {normal} all green, {alarm} with an alarm, {csat} with CSAT, \
         {closed} closed"
    );
    assert_eq!(checked, 53, "{told}");
    assert!(normal > 0 && alarm > 0 && csat > 0 && closed > 0, "{told}");
    assert!(stdout.contains("discarded 0"), "{told}");
}

#[test]
fn a_board_that_stops_answering_is_reported() {
    let program = c_example("board_feed").unwrap();
    let emulator = Emulator::start(&build(EMULATED_BOARD).unwrap()).unwrap();
    emulator.connect().unwrap().ask(&HostMessage::Ping).unwrap();
    let mut child = Command::new(&program)
        .arg(emulator.serial_address())
        .args(["--address", &ADDRESS.to_string(), "--every", "1800", "--pause-ms", "0"])
        .args(["--timeout-ms", "700"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Power lost (the emulator stopped) after the 09:30 frame; back after the report.
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.starts_with("09:30") {
            emulator.monitor("stop").unwrap();
        }
        if line.contains("stopped answering") {
            emulator.monitor("cont").unwrap();
            break;
        }
    }
    seen.extend(lines.map(Result::unwrap));
    let status = child.wait().unwrap();
    let told = seen.join("\n");
    assert_eq!(status.code(), Some(2), "{told}");
    let stopped =
        seen.iter().position(|l| l == "board 1 stopped answering: 3 frames in a row unanswered");
    let again = seen.iter().position(|l| l.ends_with(": ack; board 1 answers again"));
    assert!(matches!((stopped, again), (Some(s), Some(a)) if s < a), "{told}");
    // 07:30 to 20:30 every 30 minutes; the frames sent while it was stopped went unanswered
    // (three, or more if the emulator was slow to wake), every other one acknowledged.
    let summary = seen.iter().find(|l| l.starts_with("sent ")).expect("a summary");
    let numbers: Vec<u32> =
        summary.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
    let [sent, acknowledged, refused, unanswered] = numbers[..] else { panic!("{summary}") };
    assert_eq!((sent, refused), (27, 0), "{told}");
    assert!(unanswered >= 3 && acknowledged + unanswered == sent, "{told}");
}
