//! `callboard board encode`, run as an integrator runs it: frames from the real sample day,
//! their bytes decoded back with the protocol's own decoder.

mod support;

use std::process::Output;

use callboard_core::board::{Alert, BoardFrame, CsatLine, Opening};
use callboard_core::wire::{Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES};
use support::{STORM_BOARD, callboard, hex_bytes, sample_log};

fn at_eleven(extra: &[&str]) -> Output {
    let log = sample_log();
    let mut args = vec![
        "board",
        "encode",
        "--address",
        "3",
        "--sequence",
        "7",
        "--queue-log",
        &log,
        "--at",
        "1999-02-10 11:00",
        "--utc-offset",
        "+02:00",
    ];
    args.extend_from_slice(&STORM_BOARD);
    args.extend_from_slice(extra);
    callboard(&args)
}

#[test]
fn a_frame_from_the_sample_day_encodes_to_protocol_bytes() {
    let json = at_eleven(&["--json"]);
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let frame: BoardFrame = serde_json::from_slice(&json.stdout).expect("a frame");
    // 11:00 local on 10 February 1999 is 09:00 UTC.
    assert_eq!(frame.valid_at, 918_637_200_000);
    assert_eq!(frame.queues.len(), 2);
    assert_eq!(frame.queues[0].label.as_str(), "STREETS");
    assert_eq!(frame.queues[1].service_level_target_permille, 900);
    assert_eq!(frame.csat, CsatLine::Unavailable); // the bank's log has no surveys
    assert_eq!(frame.opening, Opening::Open);
    // The service level is the engine's: PS had answered 34.7 % within 20 s by 11:00.
    assert_eq!(frame.queues[0].service_level_permille, Some(347));
    assert_eq!(frame.queues[0].alerts.service_level, Alert::Alarm);

    let encoded = at_eleven(&[]);
    assert!(encoded.status.success());
    let line = hex_bytes(&String::from_utf8(encoded.stdout).unwrap());
    assert!(line.len() <= MAX_FRAME_BYTES && line.last() == Some(&0));
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let decoded: Vec<Decoded<HostMessage>> =
        line.iter().filter_map(|&b| decoder.feed(b, |a| a == 3)).collect();
    match &decoded[..] {
        [Decoded::Frame(header, HostMessage::Display(back))] => {
            assert_eq!(header.sequence, 7);
            assert_eq!(back, &frame);
        }
        other => panic!("{other:?}"),
    }

    // The same frame from its JSON gives the same bytes.
    let dir = std::env::temp_dir().join(format!("callboard-board-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("frame.json");
    std::fs::write(&path, &json.stdout).unwrap();
    let from_json = callboard(&[
        "board",
        "encode",
        "--address",
        "3",
        "--sequence",
        "7",
        "--frame",
        path.to_str().unwrap(),
    ]);
    assert!(from_json.status.success());
    assert_eq!(hex_bytes(&String::from_utf8(from_json.stdout).unwrap()), line);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mistakes_get_clear_errors() {
    let unknown = at_eleven(&["--queue", "NOPE"]);
    assert!(!unknown.status.success() && unknown.stdout.is_empty());
    let message = String::from_utf8_lossy(&unknown.stderr);
    assert!(message.contains("no queue \"NOPE\"") && message.contains("PS"), "{message}");
    let log = sample_log();
    for (args, expected) in [
        (vec!["board", "encode", "--address", "0", "--frame", "x.json"], "0 is not in 1..=255"),
        (
            vec![
                "board",
                "encode",
                "--address",
                "3",
                "--queue-log",
                &log,
                "--at",
                "yesterday",
                "--queue",
                "PS",
            ],
            "local time",
        ),
        (vec!["board", "encode", "--address", "3", "--frame", "/nonexistent.json"], "cannot read"),
        (vec!["board", "encode", "--address", "3"], "--frame"),
    ] {
        let out = callboard(&args);
        assert!(!out.status.success(), "{args:?}");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(message.contains(expected), "{args:?}: {message}");
    }
}

/// A log cut off mid-line (a copy taken while the switch wrote it): the board's frame is made
/// from what was read, and the line not read is said on standard error, not dropped in silence.
#[test]
fn a_cut_log_is_read_and_its_unread_line_said() {
    let log = std::fs::read(sample_log()).unwrap();
    let dir = std::env::temp_dir().join(format!("callboard-cut-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cut = dir.join("cut.queue_log");
    // Cut six bytes into a line: its epoch's first digits, and nothing after them.
    let line_start = log[..4_000].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    std::fs::write(&cut, &log[..line_start + 6]).unwrap();
    let out = callboard(&[
        "board",
        "encode",
        "--address",
        "3",
        "--queue-log",
        cut.to_str().unwrap(),
        "--utc-offset",
        "+02:00",
        "--at",
        "1999-02-10 09:00",
        "--queue",
        "PS=STREETS",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(!out.stdout.is_empty());
    assert!(said.contains("cut.queue_log: 1 lines not read (first: line "), "{said}");
    assert!(said.contains("`callboard report` lists them"), "{said}");
    std::fs::remove_dir_all(&dir).unwrap();
}
