//! `callboard serve` with the manager source: a switch played back from the sample day's
//! `queue_log` over a loopback socket (the events Asterisk would have sent, in its field
//! layout). The service logs in, asks `QueueStatus`, and drives a board from the events; at
//! the end of the day the board has the last frame and the service's figures equal
//! `callboard report`'s for the log the switch was played from.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use callboard_ami::protocol::{Decoded, Decoder, Message};
use callboard_ami::transcript::Switch;
use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_floor::stand_in::StandIn;
use serde_json::Value;
use support::serve::{scratch, start, stop, wait_for};
use support::{callboard, sample_log};

#[test]
fn a_day_heard_from_the_manager_is_the_reports_day() {
    let dir = scratch("serve-manager");
    let calendar = SiteCalendar::new(UtcOffset::from_minutes(120).unwrap(), DstRule::None).unwrap();
    let records =
        callboard_queue_log::parse(&std::fs::read(sample_log()).unwrap(), &calendar).records;
    let last_at = records.last().unwrap().at;

    // The switch: one session, login, status, then the day's events; it stays connected.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let manager = listener.local_addr().unwrap().to_string();
    let switch = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(b"Asterisk Call Manager/9.0.0\r\n").unwrap();
        let mut decoder = Decoder::without_banner();
        let mut buffer = [0_u8; 1024];
        let mut actions = Vec::new();
        while actions.len() < 2 {
            let n = stream.read(&mut buffer).unwrap();
            assert!(n > 0);
            for decoded in decoder.feed(&buffer[..n]) {
                if let Decoded::Message(m) = decoded {
                    let id = m.get("ActionID").unwrap_or("").to_owned();
                    let reply = if m.get("Action") == Some("Login") {
                        assert_eq!(m.get("Secret"), Some("s3cret"));
                        vec![Message::new([("Response", "Success"), ("ActionID", id.as_str())])]
                    } else {
                        Switch::new().status(records[0].at, &id)
                    };
                    let bytes: Vec<u8> = reply.iter().flat_map(Message::encode).collect();
                    stream.write_all(&bytes).unwrap();
                    actions.push(m);
                }
            }
        }
        let mut played = Switch::new();
        for chunk in records.chunks(100) {
            let bytes: Vec<u8> =
                chunk.iter().flat_map(|r| played.events(r)).flat_map(|m| m.encode()).collect();
            stream.write_all(&bytes).unwrap();
        }
        // Held open until the service logs off.
        let _ = stream.read(&mut buffer);
    });

    let boards = StandIn::start(&[1], None).unwrap();
    let state = dir.join("state");
    let secret = dir.join("ami-secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[site]
utc_offset = "+02:00"
state_dir = "{state}"
clock = "log"
every_seconds = 0.1
checkpoint_seconds = 1

[source]
manager = "{manager}"
username = "wallboard"
secret_file = "{secret}"

[[queue]]
name = "PS"

[[queue]]
name = "PE"

[[line]]
name = "floor"
tcp = "{board}"

[[board]]
line = "floor"
address = 1
queues = ["PS", "PE"]
"#,
            state = state.display(),
            secret = secret.display(),
            board = boards.address,
        ),
    )
    .unwrap();
    let service = start(&config);
    let figures = wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !boards.heard.lock().unwrap().iter().any(|(a, f)| *a == 1 && f.valid_at == last_at) {
        assert!(Instant::now() < deadline, "the board never got the day's last frame");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = stop(service);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("logged in as wallboard"), "{stderr}");
    switch.join().unwrap();

    let report = callboard(&[
        "report",
        "--queue-log",
        &sample_log(),
        "--utc-offset",
        "+02:00",
        "--interval",
        "1d",
        "--json",
    ]);
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(figures["warnings"], 0, "{stderr}");
    let keys = ["offered", "answered", "abandoned", "dequeued", "answered_within_sl", "handled"];
    let compared = support::compare_days(&figures, &report, &keys, &stderr);
    assert!(compared >= 3, "{figures}");
    std::fs::remove_dir_all(&dir).unwrap();
}
