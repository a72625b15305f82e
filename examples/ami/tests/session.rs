//! The manager source over a real loopback socket, against a switch played back from a log:
//! it logs in, asks `QueueStatus`, and hears every event Asterisk would have sent for the
//! log's calls. The records it makes of them replay to the same day figures as the log itself
//! (the real sample day, and a simulated storm day with members, pauses and system exits);
//! a connection dropped in the middle of the day is resumed and resynchronised, the calls it
//! could not know counted.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use callboard_ami::client::{Manager, ManagerSettings};
use callboard_ami::protocol::{Decoded, Decoder, Message};
use callboard_ami::transcript::Switch;
use callboard_ami::translate::Translator;
use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_core::{CenterConfig, QueueConfig};
use callboard_queue_log::replay::{Replayed, replay_on_own_thread};
use callboard_queue_log::{Parsed, Record, parse};

const SECRET: &str = "s3cret";

fn calendar() -> SiteCalendar {
    SiteCalendar::new(UtcOffset::from_minutes(120).unwrap(), DstRule::None).unwrap()
}

/// Reads one action from the client.
fn action(stream: &mut TcpStream, decoder: &mut Decoder) -> Message {
    let mut buffer = [0_u8; 1024];
    loop {
        let n = stream.read(&mut buffer).unwrap();
        assert!(n > 0, "the client closed the connection");
        for decoded in decoder.feed(&buffer[..n]) {
            if let Decoded::Message(m) = decoded {
                return m;
            }
        }
    }
}

fn send(stream: &mut TcpStream, messages: &[Message]) {
    let bytes: Vec<u8> = messages.iter().flat_map(Message::encode).collect();
    stream.write_all(&bytes).unwrap();
}

/// One session of the played-back switch: login, status at `at`, then `records`' events.
fn session(listener: &TcpListener, switch: &mut Switch, records: &[Record], status_at: u64) {
    let (mut stream, _) = listener.accept().unwrap();
    stream.write_all(b"Asterisk Call Manager/9.0.0\r\n").unwrap();
    let mut decoder = Decoder::without_banner();
    let login = action(&mut stream, &mut decoder);
    assert_eq!(login.get("Action"), Some("Login"));
    assert_eq!(login.get("Events"), Some("on"));
    let ok = login.get("Secret") == Some(SECRET);
    let id = login.get("ActionID").unwrap_or("").to_owned();
    let answer = if ok { "Success" } else { "Error" };
    send(
        &mut stream,
        &[Message::new([
            ("Response", answer),
            ("ActionID", id.as_str()),
            ("Message", "Authentication accepted"),
        ])],
    );
    if !ok {
        return;
    }
    let status = action(&mut stream, &mut decoder);
    assert_eq!(status.get("Action"), Some("QueueStatus"));
    // The status answer and the first events in one write, as a busy switch sends them: the
    // events must not be lost with the read that ends the answer.
    let mut out = switch.status(status_at, status.get("ActionID").unwrap_or(""));
    for chunk in records.chunks(200) {
        out.extend(chunk.iter().flat_map(|r| switch.events(r)));
        send(&mut stream, &out);
        out.clear();
    }
    send(&mut stream, &out);
}

/// Plays `records` to a manager client; with `gap = Some((a, b))`, the connection is dropped
/// before record `a` and the records up to `b` happen while no one listens. Returns the
/// records the client made, what it repaired, and the calls waiting at the drop and at the
/// return.
fn play(
    records: &[Record],
    gap: Option<(usize, usize)>,
) -> (Vec<Record>, Translator, Vec<String>, Vec<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let owned = records.to_vec();
    let switch_thread = std::thread::spawn(move || {
        let mut switch = Switch::new();
        let first_at = owned.first().map_or(0, |r| r.at);
        let (mut at_drop, mut at_return) = (Vec::new(), Vec::new());
        match gap {
            None => session(&listener, &mut switch, &owned, first_at),
            Some((a, b)) => {
                session(&listener, &mut switch, &owned[..a], first_at);
                at_drop = switch.waiting();
                for record in &owned[a..b] {
                    switch.events(record);
                }
                at_return = switch.waiting();
                session(&listener, &mut switch, &owned[b..], owned[b].at);
            }
        }
        (at_drop, at_return)
    });
    let settings = ManagerSettings { address, username: "wallboard".into(), secret: SECRET.into() };
    let mut manager = Manager::start(settings, Translator::new());
    let sessions = if gap.is_some() { 2 } else { 1 };
    let mut closed = 0;
    let mut made = Vec::new();
    let mut said = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while closed < sessions {
        assert!(Instant::now() < deadline, "the sessions never ended: {said:?}");
        let polled = manager.poll();
        closed += polled.said.iter().filter(|s| s.contains("connection closed")).count();
        made.extend(polled.records);
        said.extend(polled.said);
        std::thread::sleep(Duration::from_millis(20));
    }
    made.extend(manager.poll().records);
    assert_eq!(
        said.iter().filter(|s| s.contains("logged in as wallboard")).count(),
        sessions,
        "{said:?}"
    );
    let (at_drop, at_return) = switch_thread.join().unwrap();
    (made, manager.translator().clone(), at_drop, at_return)
}

fn figures(records: Vec<Record>) -> Replayed {
    let parsed = Parsed { records, ..Parsed::default() };
    replay_on_own_thread(
        parsed,
        CenterConfig { calendar: calendar(), ..CenterConfig::default() },
        QueueConfig::default(),
    )
    .unwrap()
}

/// Each queue's day figures, the split of dequeued calls by reason left out (AMI does not say
/// why a caller left without an agent).
fn days(replayed: &Replayed) -> Vec<String> {
    replayed
        .queues
        .iter()
        .flat_map(|q| {
            q.days.iter().map(move |d| {
                let mut stats = d.stats;
                stats.dequeued_by_reason = Default::default();
                format!("{} {}: {stats:?}", q.name, d.date)
            })
        })
        .collect()
}

fn sample_day() -> Vec<Record> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/anonymous-bank-1999-02-10.queue_log");
    parse(&std::fs::read(path).unwrap(), &calendar()).records
}

/// A simulated 311 storm day (members logging in and out, breaks), with callers leaving
/// without an agent added: a timeout, a key pressed, a queue with no one in it.
fn simulated_day() -> Vec<Record> {
    use callboard_sim::simulate::{self as sim, DayPlan, HandleTime, QueuePlan, Surge};
    let date = callboard_core::calendar::LocalDate::new(2026, 11, 23).unwrap();
    let queue = |name: &str, scale: f64| QueuePlan {
        name: name.into(),
        calls_per_hour: sim::CALLS_PER_HOUR_311.iter().map(|c| c * scale).collect(),
        agents: sim::AGENTS_311.iter().map(|&a| (a / 2).max(1)).collect(),
        surge: Some(Surge { start_s: 14 * 3600, end_s: 16 * 3600, factor: 2.5 }),
        handle: HandleTime::LogNormal { mean_s: 270.0, cv: 0.9 },
        patience_s: Some(240.0),
        breaks: true,
    };
    let plan = DayPlan {
        date,
        open_s: 8 * 3600,
        close_s: 20 * 3600,
        queues: vec![queue("STREETS", 0.6), queue("SANITATION", 0.3)],
        seed: 311,
    };
    let day = sim::simulate(&plan, &calendar()).unwrap();
    let mut log = day.queue_log;
    let noon = calendar().resolve_local(date, 12 * 3600 * 1000);
    let noon = match noon {
        callboard_core::calendar::LocalResolution::Unique(at) => at / 1000,
        _ => unreachable!(),
    };
    for (i, verb) in
        ["EXITWITHTIMEOUT|1|1|300", "EXITWITHKEY|5|1", "EXITEMPTY|1|1|10"].iter().enumerate()
    {
        let t = noon + i as u64 * 60;
        log += &format!(
            "{t}|exit.{i}|SANITATION|NONE|ENTERQUEUE||5550100|1\n{}|exit.{i}|SANITATION|NONE|{verb}\n",
            t + 20
        );
    }
    let mut records = parse(log.as_bytes(), &calendar()).records;
    records.sort_by_key(|r| r.at);
    records
}

#[test]
fn the_manager_path_counts_the_days_calls_as_the_log_does() {
    for (name, records) in
        [("the sample day", sample_day()), ("a simulated storm day", simulated_day())]
    {
        let from_log = figures(records.clone());
        let (made, translator, _, _) = play(&records, None);
        assert_eq!(translator.resynced, Default::default(), "{name}: nothing to repair");
        let from_manager = figures(made);
        assert!(
            from_manager.warnings.is_empty(),
            "{name}: {:?}",
            &from_manager.warnings[..from_manager.warnings.len().min(5)]
        );
        let (log_days, manager_days) = (days(&from_log), days(&from_manager));
        assert!(!log_days.is_empty());
        assert_eq!(manager_days, log_days, "{name}");
    }
}

#[test]
fn a_dropped_connection_is_resynchronised_and_what_it_hid_counted() {
    let records = sample_day();
    // Drop the connection for twenty minutes or so, from the first moment after 10:00 with two
    // callers waiting.
    let midnight = records[0].at - (records[0].at + 2 * 3_600_000) % 86_400_000;
    let mut switch = Switch::new();
    let a = records
        .iter()
        .position(|r| {
            switch.events(r);
            r.at >= midnight + 10 * 3_600_000 && switch.waiting().len() >= 2
        })
        .unwrap()
        + 1;
    // ... to the first moment twenty minutes later with a caller waiting.
    let back = records[a].at + 20 * 60_000;
    let b = a
        + records[a..]
            .iter()
            .position(|r| {
                switch.events(r);
                r.at >= back && !switch.waiting().is_empty()
            })
            .unwrap()
        + 1;
    let (made, translator, at_drop, at_return) = play(&records, Some((a, b)));
    let (drop_set, return_set): (BTreeSet<_>, BTreeSet<_>) =
        (at_drop.iter().collect(), at_return.iter().collect());
    let lost = drop_set.difference(&return_set).count();
    let found = return_set.difference(&drop_set).count();
    assert!(lost > 0 && found > 0, "the gap should hide calls: lost {lost}, found {found}");
    assert_eq!(translator.resynced.lost_waiting, lost);
    assert_eq!(translator.resynced.found_waiting, found);

    // Calls that came and went entirely inside the gap were never heard of; every other call
    // is counted, and none is left waiting forever.
    let entered_in_gap: BTreeSet<&str> = records[a..b]
        .iter()
        .filter(|r| r.verb == callboard_queue_log::Verb::EnterQueue)
        .map(|r| r.callid.as_str())
        .collect();
    let unseen = entered_in_gap.iter().filter(|c| !return_set.contains(&c.to_string())).count();
    let from_log = figures(records.clone());
    let from_manager = figures(made);
    let offered = |r: &Replayed| {
        r.queues.iter().flat_map(|q| &q.days).map(|d| u64::from(d.stats.offered)).sum::<u64>()
    };
    assert_eq!(offered(&from_manager), offered(&from_log) - unseen as u64);
    let waiting_at_end = |r: &Replayed| r.open_calls.iter().filter(|c| !c.answered).count();
    assert_eq!(waiting_at_end(&from_manager), waiting_at_end(&from_log));
}

#[test]
fn a_refused_login_is_said_and_retried() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || session(&listener, &mut Switch::new(), &[], 0));
    let settings =
        ManagerSettings { address, username: "wallboard".into(), secret: "wrong".into() };
    let mut manager = Manager::start(settings, Translator::new());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut said = Vec::new();
    while !said.iter().any(|s: &String| s.contains("login refused")) {
        assert!(Instant::now() < deadline, "{said:?}");
        said.extend(manager.poll().said);
        std::thread::sleep(Duration::from_millis(20));
    }
    server.join().unwrap();
    assert!(said.iter().any(|s| s.contains("retrying")), "{said:?}");
}
