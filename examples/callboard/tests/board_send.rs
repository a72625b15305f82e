//! `callboard board send` against a board on a TCP socket: a stand-in that decodes what it
//! hears with the protocol's own decoder and acknowledges each frame as a board does.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use callboard_core::board::{BoardFrame, CsatLine};
use callboard_core::wire::{
    BoardMessage, Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES, encode,
};

use support::serve::scratch;
use support::{STORM_BOARD, callboard, hex_bytes, sample_log};

const ADDRESS: u8 = 3;

/// A board on a socket: everything it heard, as raw bytes and as messages with their sequence.
struct Heard {
    bytes: Vec<u8>,
    messages: Vec<(u16, HostMessage)>,
}

fn board_on_a_socket() -> (String, JoinHandle<Heard>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let board = std::thread::spawn(move || {
        let (mut line, _) = listener.accept().unwrap();
        let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
        let mut heard = Heard { bytes: Vec::new(), messages: Vec::new() };
        let mut buffer = [0_u8; 512];
        loop {
            let n = line.read(&mut buffer).unwrap_or(0);
            if n == 0 {
                return heard;
            }
            for &byte in &buffer[..n] {
                heard.bytes.push(byte);
                if let Some(Decoded::Frame(header, message)) =
                    decoder.feed::<HostMessage>(byte, |a| a == ADDRESS)
                {
                    let mut ack = [0_u8; 32];
                    let len =
                        encode(ADDRESS, header.sequence, &BoardMessage::Ack, &mut ack).unwrap();
                    // The sender may already have hung up after its last frame.
                    let _ = line.write_all(&ack[..len]);
                    heard.messages.push((header.sequence, message));
                }
            }
        }
    });
    (address, board)
}

fn send(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["board", "send"])
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// `board send` to board 3 at `board` of queue STREETS, fed `live` on standard input as a switch
/// writes it (`--follow`, a frame every 0.2 s), with `more` arguments.
fn send_live(board: &str, live: &str, more: &[&str]) -> Output {
    let mut args =
        vec!["--address", "3", "--tcp", board, "--queue-log", "-", "--follow", "--every", "0.2"];
    args.extend_from_slice(&["--queue", "STREETS"]);
    args.extend_from_slice(more);
    send(&args, Some(live))
}

/// `board send` to board 3 at `board`: the sample day replayed from 11:00 to `until`, a frame
/// every two seconds of the log, as fast as the board takes them; then `rest`.
fn replay_from_eleven(board: &str, until: &str, rest: &[&str]) -> Output {
    let log = sample_log();
    let mut args = vec![
        "--address",
        "3",
        "--tcp",
        board,
        "--queue-log",
        &log,
        "--utc-offset",
        "+02:00",
        "--from",
        "1999-02-10 11:00",
        "--until",
        until,
        "--every",
        "2",
        "--speed",
        "100000",
    ];
    args.extend_from_slice(rest);
    send(&args, None)
}

fn frames(heard: &Heard) -> Vec<(u16, &BoardFrame)> {
    heard
        .messages
        .iter()
        .filter_map(|(sequence, message)| match message {
            HostMessage::Display(frame) => Some((*sequence, frame)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_replayed_morning_reaches_the_board_frame_by_frame() {
    let (board, heard) = board_on_a_socket();
    let log = sample_log();
    let run = replay_from_eleven(
        &board,
        "1999-02-10 11:02",
        &[&["--page-seconds", "4"][..], &STORM_BOARD].concat(),
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let heard = heard.join().unwrap();

    // The settings first, then a frame every two seconds of the log from 11:00 to 11:02.
    match &heard.messages[0] {
        (0, HostMessage::Configure(settings)) => assert_eq!(settings.page_seconds, 4),
        other => panic!("{other:?}"),
    }
    let frames = frames(&heard);
    assert_eq!(frames.len(), 61);
    let eleven_utc = 918_637_200_000;
    for (i, (sequence, frame)) in frames.iter().enumerate() {
        assert_eq!(usize::from(*sequence), i + 1, "sequences count up without a gap");
        assert_eq!(frame.valid_at, eleven_utc + 2_000 * i as u64);
        assert_eq!(frame.queues[0].label.as_str(), "STREETS");
    }
    assert!(stdout.contains("sent 62 frames"), "{stdout}");
    assert!(stdout.contains("the board acknowledged 62, refused 0"), "{stdout}");

    // The first frame's bytes on the line are exactly what `board encode` prints for 11:00.
    let encoded = callboard(
        &[
            &[
                "board",
                "encode",
                "--address",
                "3",
                "--sequence",
                "1",
                "--queue-log",
                &log,
                "--utc-offset",
                "+02:00",
                "--at",
                "1999-02-10 11:00",
            ][..],
            &STORM_BOARD,
        ]
        .concat(),
    );
    assert!(encoded.status.success());
    let expected = hex_bytes(&String::from_utf8(encoded.stdout).unwrap());
    let first_frame_start = heard.bytes.iter().position(|&b| b == 0).unwrap() + 1;
    assert_eq!(&heard.bytes[first_frame_start..first_frame_start + expected.len()], &expected[..]);
}

#[test]
fn a_live_feed_on_stdin_shows_the_calls_as_they_come() {
    let (board, heard) = board_on_a_socket();
    let now_s = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let live = format!(
        "{t}|NONE|STREETS|Agent/1001|ADDMEMBER|\n\
         {t}|1001.1|STREETS|NONE|ENTERQUEUE||5551234|1\n\
         {t}|1001.2|STREETS|NONE|ENTERQUEUE||5555678|2\n\
         {t}|1001.1|STREETS|Agent/1001|CONNECT|0|1001.9|0\n\
         a line of line noise\n",
        t = now_s - 1
    );
    let run = send_live(&board, &live, &[]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("1 log line could not be counted; the first, line 5"), "{stdout}");
    let heard = heard.join().unwrap();
    let frames = frames(&heard);
    // The feed ended with the input; its last frame has every event the switch wrote.
    let (_, last) = frames.last().expect("at least one frame");
    assert_eq!(last.queues[0].waiting, 1);
    assert_eq!(last.queues[0].agents_available, 0);
    let valid_s = last.valid_at / 1000;
    assert!(valid_s >= now_s - 1, "frames are stamped with the wall clock: {valid_s} vs {now_s}");
}

/// A survey line in a live feed rates its call on the day the call came in: the site's clock is
/// set so that local midnight falls between the call and its rating, and the board posts the
/// rating as yesterday's CSAT.
#[test]
fn a_live_survey_line_counts_for_the_day_of_its_call() {
    let (board, heard) = board_on_a_socket();
    let now_s = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let (called, rated) = (now_s - 170, now_s - 5);
    // The first whole minute after the call is local midnight at this offset (in ±12 h).
    let midnight_minute = (called / 60 + 1) % 1440;
    let offset = (1440 - i64::try_from(midnight_minute).unwrap()) % 1440;
    let offset = if offset >= 720 { offset - 1440 } else { offset };
    let utc_offset = format!(
        "{}{:02}:{:02}",
        if offset < 0 { '-' } else { '+' },
        offset.abs() / 60,
        offset.abs() % 60
    );
    let live = format!(
        "{called}|c1|STREETS|NONE|ENTERQUEUE||5551234|1\n\
         {}|c1|STREETS|Agent/1001|CONNECT|5|c1.9|0\n\
         {}|c1|STREETS|Agent/1001|COMPLETECALLER|5|55|1\n\
         {rated}|c1|STREETS|NONE|SURVEY|4|yes|yes|yes|yes|\n",
        called + 5,
        called + 60,
    );
    let run = send_live(&board, &live, &["--utc-offset", &utc_offset]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let heard = heard.join().unwrap();
    let (_, last) = *frames(&heard).last().expect("at least one frame");
    let responses = match last.csat {
        CsatLine::MeanScore { responses, .. }
        | CsatLine::TopTwoBox { responses, .. }
        | CsatLine::NotEnoughResponses { responses, .. } => responses,
        CsatLine::Unavailable => 0,
    };
    assert_eq!(responses, 1, "at {utc_offset}: {:?}", last.csat);
}

#[test]
fn a_followed_log_survives_logrotate_and_stops_on_sigterm() {
    let (board, heard) = board_on_a_socket();
    let dir = scratch("follow");
    let log = dir.join("queue_log");
    let rotated = dir.join("queue_log.1");
    let now_s = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let enter = |call: u32| format!("{now_s}|1001.{call}|STREETS|NONE|ENTERQUEUE||555{call}|1\n");
    let append = |path: &std::path::Path, text: &str| {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    };
    let pause = || std::thread::sleep(std::time::Duration::from_millis(700));
    let child = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["board", "send", "--address", "3", "--tcp", &board, "--follow", "--every", "0.2"])
        .args(["--queue", "STREETS", "--queue-log"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Started before the switch writes its log; then two calls.
    pause();
    append(&log, &format!("{now_s}|NONE|STREETS|Agent/1001|ADDMEMBER|\n{}{}", enter(1), enter(2)));
    pause();
    // logrotate `create`: the log renamed, a last line written to it, a new log at the path.
    std::fs::rename(&log, &rotated).unwrap();
    append(&rotated, &enter(3));
    append(&log, &enter(4));
    pause();
    // logrotate `copytruncate`: a line written, the log copied and emptied, a line after.
    append(&log, &enter(5));
    std::fs::copy(&log, &rotated).unwrap();
    std::fs::OpenOptions::new().write(true).open(&log).unwrap().set_len(0).unwrap();
    append(&log, &enter(6));
    pause();
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "SIGTERM stops it promptly");
    for said in ["not there (yet)", "rotated", "truncated"] {
        assert!(stderr.contains(said), "{said:?} not in {stderr}");
    }
    let heard = heard.join().unwrap();
    let frames = frames(&heard);
    // Six calls entered, across the rename and the truncation: none lost, none counted twice.
    let (_, last) = frames.last().expect("frames");
    assert_eq!(last.queues[0].waiting, 6, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_followed_vendor_export_is_read_by_its_header() {
    // A PBXware-style export written as calls happen: its header first, then rows with an
    // epoch `date_time`; the layout learnt from the header holds for every later line.
    let (board, heard) = board_on_a_socket();
    let dir = scratch("follow-vendor");
    let log = dir.join("queue_log.csv");
    let now_s = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    std::fs::write(
        &log,
        format!(
            "uid,date_time,queue_name,agent,event,param1,param2,param3,holdtime,talktime\n\
             1001.1,{now_s},STREETS,NONE,ENTERQUEUE,,5551,1,0,0\n"
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["board", "send", "--address", "3", "--tcp", &board, "--follow", "--every", "0.2"])
        .args(["--queue", "STREETS", "--queue-log"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    file.write_all(format!("1001.2,{now_s},STREETS,NONE,ENTERQUEUE,,5552,2,0,0\n").as_bytes())
        .unwrap();
    drop(file);
    std::thread::sleep(std::time::Duration::from_millis(700));
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("bad time"), "{stderr}");
    let heard = heard.join().unwrap();
    let (_, last) = frames(&heard).last().cloned().expect("frames");
    assert_eq!(last.queues[0].waiting, 2, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let log = sample_log();
    let closed_port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    // Board 3 on a port nobody listens on, the sample log, then what each case adds.
    let to_board = ["--tcp", closed_port.as_str(), "--queue-log", log.as_str()];
    let cases: [(&[&str], &str); 7] = [
        (&["--address", "3", "--queue", "PS", "--every", "1e30"], "--every must be 0.1 to 3600"),
        (
            &[
                "--address",
                "3",
                "--queue",
                "PS",
                "--from",
                "1999-02-10 12:00",
                "--until",
                "1999-02-10 11:00",
            ],
            "nothing to replay",
        ),
        (&["--address", "3", "--queue", "PS"], "cannot connect to"),
        (&["--address", "3", "--queue", "NOPE"], "the log has no queue \"NOPE\""),
        (&["--address", "3"], "give the queues to show"),
        (&["--address", "3", "--queue", "PS", "--speed", "0"], "--speed must be above 0"),
        (&["--address", "0", "--queue", "PS"], "--address"),
    ];
    for (case, expected) in cases {
        let args = [&to_board[..], case].concat();
        let run = send(&args, None);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn each_frame_carries_the_agreements_as_they_stand_at_its_moment() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("board-send-sla");
    std::fs::create_dir_all(&dir).unwrap();
    let policies = dir.join("policies.toml");
    std::fs::write(
        &policies,
        "[site]\nutc_offset = \"+02:00\"\n\n[calendars.always]\nalways = true\n\n\
         [[policy]]\ntype = \"Call-back\"\ntarget = \"1 hours\"\ncalendar = \"always\"\n",
    )
    .unwrap();
    // The sample day: 1 met at 10:30; 2 due at 11:00, closed 11:01 (missed); 3 opened 10:11,
    // at risk from 10:59 (80 % of the hour).
    let requests = dir.join("requests.csv");
    std::fs::write(
        &requests,
        "id,type,department,opened,closed,pauses\n\
         1,Call-back,Branches,1999-02-10 10:00,1999-02-10 10:30,\n\
         2,Call-back,Branches,1999-02-10 10:00,1999-02-10 11:01,\n\
         3,Call-back,Branches,1999-02-10 10:11,,\n",
    )
    .unwrap();
    let (board, heard) = board_on_a_socket();
    let run = replay_from_eleven(
        &board,
        "1999-02-10 11:01",
        &[
            "--queue",
            "PS=STREETS",
            "--sla-requests",
            &requests.to_string_lossy(),
            "--sla-policies",
            &policies.to_string_lossy(),
            "--sla",
            "Branches=BRANCHES@90%",
        ],
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let heard = heard.join().unwrap();
    let frames = frames(&heard);
    assert_eq!(frames.len(), 31);
    let figures = |i: usize| {
        let line = &frames[i].1.sla[0];
        assert_eq!(line.label.as_str(), "BRANCHES");
        (line.compliance_permille, line.at_risk, line.breached)
    };
    // 11:00:00: one met; request 2 at its due instant (still within), 3 at risk.
    assert_eq!(figures(0), (Some(1000), 2, 0));
    // 11:00:02: request 2 is past due.
    assert_eq!(figures(1), (Some(1000), 1, 1));
    // 11:01:00: request 2 closed late.
    assert_eq!(figures(30), (Some(500), 1, 0));
}
