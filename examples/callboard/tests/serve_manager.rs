//! `callboard serve` with the manager source: a switch played back from the sample day's
//! `queue_log` over a loopback socket (the events Asterisk would have sent, in its field
//! layout). The service logs in, asks `QueueStatus`, and drives a board from the events; at
//! the end of the day the board has the last frame and the service's figures equal
//! `callboard report`'s for the log the switch was played from. Killed in the middle of the
//! day while the switch goes on, the service restarts from its state, resynchronises, and
//! counts what it could not know.

mod support;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use callboard_ami::protocol::{Decoded, Decoder, Message};
use callboard_ami::transcript::Switch;
use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_floor::stand_in::StandIn;
use callboard_queue_log::{Record, Verb};
use serde_json::Value;
use support::serve::{sample_floor, scratch, start, stop, wait_for};
use support::{report_json, sample_log};

fn sample_records() -> Vec<Record> {
    let calendar = SiteCalendar::new(UtcOffset::from_minutes(120).unwrap(), DstRule::None).unwrap();
    callboard_queue_log::parse(&std::fs::read(sample_log()).unwrap(), &calendar).records
}

/// A switch played back from `records` on `listener`, one session per piece of `sessions`
/// (index ranges); before each later session it waits for `resume`, and the records between
/// two sessions happen with no one listening. Each session: the banner, a login, a
/// `QueueStatus` answered as the switch stands, then the piece's events. The last session is
/// held open until the service logs off.
fn play(
    listener: TcpListener,
    records: Vec<Record>,
    sessions: Vec<(usize, usize)>,
    resume: Receiver<()>,
) {
    let mut switch = Switch::new();
    let mut played = 0;
    let count = sessions.len();
    for (n, (from, to)) in sessions.into_iter().enumerate() {
        if n > 0 {
            resume.recv().unwrap();
        }
        for record in &records[played..from] {
            switch.events(record);
        }
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(b"Asterisk Call Manager/9.0.0\r\n").unwrap();
        let mut decoder = Decoder::without_banner();
        let mut buffer = [0_u8; 1024];
        let mut answered = 0;
        while answered < 2 {
            let n = stream.read(&mut buffer).unwrap();
            assert!(n > 0, "the service hung up before its QueueStatus");
            for decoded in decoder.feed(&buffer[..n]) {
                if let Decoded::Message(m) = decoded {
                    let id = m.get("ActionID").unwrap_or("").to_owned();
                    let reply = if m.get("Action") == Some("Login") {
                        assert_eq!(m.get("Secret"), Some("s3cret"));
                        vec![Message::new([("Response", "Success"), ("ActionID", id.as_str())])]
                    } else {
                        switch.status(records[from].at, &id)
                    };
                    let bytes: Vec<u8> = reply.iter().flat_map(Message::encode).collect();
                    stream.write_all(&bytes).unwrap();
                    answered += 1;
                }
            }
        }
        for chunk in records[from..to].chunks(100) {
            let bytes: Vec<u8> =
                chunk.iter().flat_map(|r| switch.events(r)).flat_map(|m| m.encode()).collect();
            stream.write_all(&bytes).unwrap();
        }
        played = to;
        if n + 1 == count {
            let _ = stream.read(&mut buffer);
        } else {
            // Kept open: the service is killed, not hung up on.
            std::mem::forget(stream);
        }
    }
}

/// The site file: the sample's two queues on one board, the manager at `manager`.
fn site_file(dir: &Path, manager: &str, board: &str) -> (PathBuf, PathBuf) {
    let secret = dir.join("ami-secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let source = format!(
        "manager = \"{manager}\"\nusername = \"wallboard\"\nsecret_file = \"{}\"",
        secret.display()
    );
    sample_floor(dir, &source, board, "")
}

#[test]
fn a_day_heard_from_the_manager_is_the_reports_day() {
    let dir = scratch("serve-manager");
    let records = sample_records();
    let last_at = records.last().unwrap().at;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let manager = listener.local_addr().unwrap().to_string();
    let (_resume, never) = channel();
    let whole = vec![(0, records.len())];
    let switch = std::thread::spawn({
        let records = records.clone();
        move || play(listener, records, whole, never)
    });
    let boards = StandIn::start(&[1], None).unwrap();
    let (config, state) = site_file(&dir, &manager, &boards.address);

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

    let report = report_json(&["--queue-log", &sample_log()], "1d");
    assert_eq!(figures["warnings"], 0, "{stderr}");
    let keys = ["offered", "answered", "abandoned", "dequeued", "answered_within_sl", "handled"];
    let compared = support::compare_days(&figures, &report, &keys, &stderr);
    assert!(compared >= 3, "{figures}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn killed_in_the_day_it_restarts_resynchronises_and_counts_what_it_missed() {
    let dir = scratch("serve-manager-restart");
    let records = sample_records();
    let last_at = records.last().unwrap().at;
    // Down from the first moment after 11:00 with two callers waiting, to the first moment
    // twenty minutes later with a caller waiting.
    let midnight = records[0].at - (records[0].at + 2 * 3_600_000) % 86_400_000;
    let mut switch = Switch::new();
    let a = 1 + records
        .iter()
        .position(|r| {
            switch.events(r);
            r.at >= midnight + 11 * 3_600_000 && switch.waiting().len() >= 2
        })
        .unwrap();
    let at_drop: BTreeSet<String> = switch.waiting().into_iter().collect();
    let back = records[a].at + 20 * 60_000;
    let b = a
        + 1
        + records[a..]
            .iter()
            .position(|r| {
                switch.events(r);
                r.at >= back && !switch.waiting().is_empty()
            })
            .unwrap();
    let at_return: BTreeSet<String> = switch.waiting().into_iter().collect();
    let lost = at_drop.difference(&at_return).count();
    let found = at_return.difference(&at_drop).count();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let manager = listener.local_addr().unwrap().to_string();
    let (resume, resumed) = channel();
    let sessions = vec![(0, a), (b, records.len())];
    let player = std::thread::spawn({
        let records = records.clone();
        move || play(listener, records, sessions, resumed)
    });
    let boards = StandIn::start(&[1], None).unwrap();
    let (config, state) = site_file(&dir, &manager, &boards.address);

    // The morning heard and checkpointed, then the service killed outright.
    let mut first = start(&config);
    wait_for(&state, "the morning", |f| f["at_ms"] == records[a - 1].at);
    first.kill().unwrap();
    let _ = first.wait();
    // The switch goes on without it; started again, it logs in and resynchronises.
    resume.send(()).unwrap();
    let second = start(&config);
    let figures = wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);
    let out = stop(second);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    player.join().unwrap();
    assert!(stderr.contains("restored the state saved at the manager's last event"), "{stderr}");
    assert!(!stderr.contains("cannot save the state"), "{stderr}");
    let resynced = format!("resynchronised: {found} callers found waiting, {lost} gone while away");
    assert!(stderr.contains(&resynced), "{resynced:?} not in {stderr}");
    assert!(lost > 0 && found > 0, "the gap should hide calls: lost {lost}, found {found}");

    // Every call is counted but those that came and went while it was down.
    let report = report_json(&["--queue-log", &sample_log()], "1d");
    for queue in figures["queues"].as_array().unwrap() {
        let name = queue["name"].as_str().unwrap();
        let offered = |days: &Value| -> u64 {
            days.as_array().unwrap().iter().map(|d| d["offered"].as_u64().unwrap()).sum()
        };
        let reported =
            report["queues"].as_array().unwrap().iter().find(|q| q["queue"] == name).unwrap();
        let unseen = records[a..b]
            .iter()
            .filter(|r| {
                r.queue == name && r.verb == Verb::EnterQueue && !at_return.contains(&r.callid)
            })
            .count() as u64;
        assert_eq!(
            offered(&queue["days"]),
            offered(&reported["intervals"]) - unseen,
            "{name}: {stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
