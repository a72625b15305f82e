//! `callboard serve`, run as an operator runs it: the shipped sample checked; a recorded day
//! written to a log the service follows, three boards on two lines (socket stand-ins that
//! acknowledge what they hear), the service killed with SIGKILL in the middle of the day and
//! started again; the day's figures at the end equal `callboard report`'s for the same log, and
//! the boards post yesterday's CSAT from the survey file.

mod support;

use std::io::Write;
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use callboard_core::board::{BoardFrame, CsatLine};
use callboard_floor::stand_in::StandIn;
use support::serve::{
    last_hour_of_calls, offered_to, on_the_wall_clock, only_queue, scratch, start, wait_for,
};
use support::{callboard, compare_days, data, report_json, sample_log};

#[test]
fn the_shipped_sample_checks_and_mistakes_are_named() {
    let sample = data("serve-311.toml");
    let out = callboard(&["serve", "--config", &sample, "--check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("ok: 3 queues, 2 lines, 3 boards"), "{said}");

    let text = std::fs::read_to_string(&sample).unwrap();
    let dir = scratch("serve-check");
    // The realtime table instead of the file: checked without connecting.
    let table = dir.join("table.toml");
    let with_table = text.replacen(
        "queue_log = \"/var/log/asterisk/queue_log\"",
        "table = \"asterisk.queue_log\"\nconnection = \"host=db dbname=asteriskcdrdb\"\nsslmode = \"require\"",
        1,
    );
    std::fs::write(&table, with_table).unwrap();
    let out = callboard(&["serve", "--config", table.to_str().unwrap(), "--check"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("following table asterisk.queue_log"), "{said}");
    // The service agreements: the policies file read and its clock checked.
    let uncommented = text.replace("# [agreements]", "[agreements]").replace("# days =", "days =");
    let agreements = |policies: &str, days: &str| {
        uncommented
            .replace("\"/etc/callboard/sla-policies-311.toml\"", &format!("{policies:?}"))
            .replace(
                "# requests = \"/var/lib/callboard/sla-requests-311.csv\"",
                &format!("requests = {:?}", data("sla-requests-311.csv")),
            )
            .replace("# policies =", "policies =")
            .replace("days = 30", days)
    };
    let file = dir.join("agreements.toml");
    std::fs::write(&file, agreements(&data("sla-policies-311.toml"), "days = 30")).unwrap();
    let out = callboard(&["serve", "--config", file.to_str().unwrap(), "--check"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("sla-requests-311.csv, compliance over 30 days"), "{said}");
    let elsewhere = dir.join("elsewhere.toml");
    let policies = std::fs::read_to_string(data("sla-policies-311.toml")).unwrap();
    std::fs::write(
        &elsewhere,
        policies.replace("utc_offset = \"-05:00\"", "utc_offset = \"+01:00\""),
    )
    .unwrap();
    for (file_text, expected) in [
        (
            agreements(&data("sla-policies-311.toml"), "days = 0"),
            "agreements.days: 1 to 400 days, not 0",
        ),
        (
            agreements("/nonexistent/policies.toml", "days = 30"),
            "agreements: cannot read /nonexistent/policies.toml",
        ),
        (agreements(elsewhere.to_str().unwrap(), "days = 30"), "its [site] clock"),
    ] {
        std::fs::write(&file, file_text).unwrap();
        let out = callboard(&["serve", "--config", file.to_str().unwrap(), "--check"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }

    for (change, expected) in [
        (("\nbaud = 115200\n", "\nbaud = 115200\ncolour = \"red\"\n"), "unknown field `colour`"),
        (("address = 2", "address = 1"), "two boards with one address on one line"),
        (("queues = [\"PERMITS\"]", "queues = [\"POTHOLES\"]"), "no queue \"POTHOLES\""),
        (("line = \"west\"", "line = \"north\""), "no such line"),
        (("utc_offset = \"-05:00\"", "utc_offset = \"EST\""), "site.utc_offset"),
        (("waiting_alarm = 10", "waiting_alarm = 3"), "a warning level above its alarm level"),
        (("waiting_alarm = 10", "waiting_alarm = 10\nblink = true"), "unknown field `blink`"),
        (
            ("utc_offset = \"-05:00\"", "timezone = \"America/New_York\"\nutc_offset = \"-05:00\""),
            "timezone, or utc_offset and dst, not both",
        ),
        // The sources: one at a time, each with its own keys.
        (
            (
                "queue_log = \"/var/log/asterisk/queue_log\"",
                "queue_log = \"/q\"\ntable = \"queue_log\"",
            ),
            "source: one of queue_log, table",
        ),
        (
            (
                "queue_log = \"/var/log/asterisk/queue_log\"",
                "queue_log = \"/q\"\nsslmode = \"require\"",
            ),
            "source: one of queue_log, table",
        ),
        (
            (
                "queue_log = \"/var/log/asterisk/queue_log\"",
                "table = \"queue_log\"\nsslmode = \"sometimes\"",
            ),
            "source.sslmode: expected disable, prefer, require or verify-full",
        ),
        (
            (
                "queue_log = \"/var/log/asterisk/queue_log\"",
                "table = \"queue_log\"\npassword_file = \"/nonexistent/pw\"",
            ),
            "source.password_file: cannot read /nonexistent/pw",
        ),
        (
            ("queue_log = \"/var/log/asterisk/queue_log\"", "manager = \"127.0.0.1:5038\""),
            "give username and secret_file",
        ),
        (
            ("address = \"127.0.0.1:8311\"", "address = \"0.0.0.0:8311\""),
            "http.address: 0.0.0.0:8311 is reachable from the network; say open_to_network = true",
        ),
        (
            ("address = \"127.0.0.1:8311\"", "address = \"localhost\""),
            "http.address: expected IP:PORT",
        ),
        (
            ("queue_log = \"/var/log/asterisk/queue_log\"", "# no source"),
            "source: give queue_log = PATH, table = NAME or manager = HOST:PORT",
        ),
    ] {
        let file = dir.join("bad.toml");
        std::fs::write(&file, text.replacen(change.0, change.1, 1)).unwrap();
        let out = callboard(&["serve", "--config", file.to_str().unwrap(), "--check"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{change:?}: {stderr}");
        assert!(stderr.contains(expected), "{change:?}: {stderr}");
    }
}

#[test]
fn a_day_survives_sigkill_and_ends_with_the_reports_figures() {
    let dir = scratch("serve-day");
    // Board 3 on the east line never answers; the west line's converter drops the restarted
    // service's connection after 5 frames.
    let east_line = StandIn::start(&[1, 2], None).unwrap();
    let west_line = StandIn::start(&[7], Some(5)).unwrap();
    let (east, west) = (&east_line.address, &west_line.address);
    let (east_heard, west_heard) = (&east_line.heard, &west_line.heard);
    let log_path = dir.join("queue_log");
    let state = dir.join("state");
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[site]
utc_offset = "+02:00"
hours = "08:00-20:00"
state_dir = "{state}"
clock = "log"
every_seconds = 0.1
checkpoint_seconds = 1

[source]
queue_log = "{log}"
surveys = "{surveys}"

[[queue]]
name = "PS"
label = "STREETS"

[[queue]]
name = "PE"
label = "ENGLISH"
sl_seconds = 30
target = "90%"

[[line]]
name = "east"
tcp = "{east}"

[[line]]
name = "west"
tcp = "{west}"

[[line]]
name = "ghost"
serial = "/dev/callboard-no-such-port"

[[board]]
line = "east"
address = 1
queues = ["PS", "PE"]

[[board]]
line = "east"
address = 2
queues = ["PE"]

[[board]]
line = "east"
address = 3
queues = ["PE"]

[[board]]
line = "west"
address = 7
queues = ["PS"]

[[board]]
line = "ghost"
address = 9
queues = ["PS"]
"#,
            state = state.display(),
            log = log_path.display(),
            surveys = data("surveys-anonymous-bank-1999-02.csv"),
        ),
    )
    .unwrap();

    // The morning, then the service; killed outright once it has read it.
    let day = std::fs::read_to_string(sample_log()).unwrap();
    let lines: Vec<&str> = day.lines().collect();
    let half = lines.len() / 2;
    std::fs::write(&log_path, lines[..half].join("\n") + "\n").unwrap();
    let mut first = start(&config);
    wait_for(&state, "the morning", |f| f["lines_read"] == half);
    // Every answering board has posted the morning before the kill: on a busy machine the
    // silent board 3's timeouts can hold board 1's first frame back past the first checkpoint.
    for (heard, address) in [(east_heard, 1), (east_heard, 2), (west_heard, 7)] {
        wait_heard(heard, address, "a frame of the morning", |_| true);
    }
    first.kill().unwrap();
    let _ = first.wait();

    // The afternoon written while it was down; started again, it continues from its state.
    let mut log = std::fs::OpenOptions::new().append(true).open(&log_path).unwrap();
    log.write_all((lines[half..].join("\n") + "\n").as_bytes()).unwrap();
    drop(log);
    let last_at = lines.last().unwrap().split('|').next().unwrap().parse::<u64>().unwrap() * 1000;
    let second = start(&config);
    let figures = wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);
    // Every answering board gets the day's last frame, the west one over a new connection.
    for (heard, address) in [(east_heard, 1), (east_heard, 2), (west_heard, 7)] {
        wait_heard(heard, address, "the last frame", |f| f.valid_at == last_at);
    }
    // Long enough for the silent board's three timeouts (a second each) and the dropped
    // line's reconnection (a second's back-off).
    std::thread::sleep(Duration::from_secs(5));
    let term = Command::new("kill").args(["-TERM", &second.id().to_string()]).status().unwrap();
    assert!(term.success());
    let asked = Instant::now();
    let out = second.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(asked.elapsed() < Duration::from_secs(1), "SIGTERM stops it within a second");
    // A board that does not answer is said, and so is a dropped line, reconnected.
    assert!(stderr.contains("board 3 on east: not answering (3 frames in a row)"), "{stderr}");
    assert!(stderr.contains("line west: "), "{stderr}");
    assert_eq!(stderr.matches("line west: connected").count(), 2, "{stderr}");
    // A serial device that does not exist is said, and the rest of the floor works.
    assert!(stderr.contains("line ghost: cannot open /dev/callboard-no-such-port"), "{stderr}");
    assert!(stderr.contains("restored the state saved at offset"), "{stderr}");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("board 7 on west"), "{summary}");

    // The day's figures are the report's, to the call.
    let report = report_json(&["--queue-log", log_path.to_str().unwrap()], "1d");
    // Nothing read twice, nothing refused: a restart that lost its place would re-read the
    // morning and have every line of it refused as older than the clock.
    assert_eq!(figures["warnings"], 0, "{stderr}");
    let counts = ["offered", "answered", "abandoned", "dequeued", "transferred_out", "handled"];
    let compared = compare_days(&figures, &report, &counts, &stderr);
    // PE is measured within 30 s, as its queue says, and the report within 20 s: the calls
    // answered within the threshold are compared for PS alone.
    let ps_only = only_queue(&figures, "PS");
    assert!(compare_days(&ps_only, &report, &["answered_within_sl"], &stderr) >= 2);
    // PS and PE on the 10th, and PS's one call after midnight.
    assert!(compared >= 3, "{figures}");

    // Every board heard frames, and posted yesterday's CSAT from the survey file: on the 10th
    // the 9th's 64 responses, and after midnight (the log's last call) the 10th's.
    let csat_of = |date: &str| {
        let days = figures["csat"].as_array().unwrap();
        let tally = &days.iter().find(|d| d[0] == date).unwrap()[1];
        tally["responses"].as_u64().unwrap()
    };
    for (heard, address) in [(east_heard, 1), (east_heard, 2), (west_heard, 7)] {
        let heard = heard.lock().unwrap();
        let posted: Vec<u32> = heard
            .iter()
            .filter(|(a, _)| *a == address)
            .filter_map(|(_, frame)| match frame.csat {
                CsatLine::MeanScore { responses, scale_highest: 5, .. } => Some(responses),
                _ => None,
            })
            .collect();
        assert!(
            posted.contains(&64) && u64::from(posted[0]) == csat_of("1999-02-09"),
            "board {address} posted {posted:?}; the figures say {}",
            figures["csat"]
        );
        assert_eq!(u64::from(*posted.last().unwrap()), csat_of("1999-02-10"), "board {address}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Waits up to 30 s for board `address` to have heard a frame that `matches`.
fn wait_heard(
    heard: &Mutex<Vec<(u8, BoardFrame)>>,
    address: u8,
    what: &str,
    matches: impl Fn(&BoardFrame) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !heard.lock().unwrap().iter().any(|(a, f)| *a == address && matches(f)) {
        assert!(Instant::now() < deadline, "board {address} never got {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A service started on the wall clock beside a log many polls long (a large log, a restart
/// after hours away) catches up with all of it before its clock moves to the present: every call
/// is counted, none refused as late, and the log is read a few megabytes at a time.
#[test]
fn a_backlog_on_the_wall_clock_is_counted_to_the_call() {
    let dir = scratch("serve-backlog");
    let log_path = dir.join("queue_log");
    // 60,000 calls over the last hour: 180,000 lines, more than one poll reads.
    let calls = 60_000_u64;
    let log: String = last_hour_of_calls(calls, 300).into_iter().map(|(_, l)| l + "\n").collect();
    assert!(log.len() as u64 > callboard_queue_log::follow::POLL_BYTES, "{} bytes", log.len());
    std::fs::write(&log_path, &log).unwrap();
    let (config, state, _silent) = floor_following(&dir, &log_path);
    on_the_wall_clock(&config);
    let service = start(&config);
    let figures = wait_for(&state, "every call of the backlog", |f| offered_to(f, "PS") == calls);
    let out = support::serve::stop(service);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(figures["warnings"], 0, "{stderr}");
    let report = report_json(&["--queue-log", log_path.to_str().unwrap()], "1d");
    let counts = ["offered", "answered", "abandoned", "handled"];
    // PE, configured but silent, has no row in the report.
    assert!(compare_days(&only_queue(&figures, "PS"), &report, &counts, &stderr) >= 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A survey line rates the call it names, on the day that call came in, although it is read
/// in a later poll than the call and by a service restarted in between: a call at 23:58 whose
/// caller rated it at 00:03 counts for the day before, as the report counts it.
#[test]
fn a_survey_line_in_a_later_poll_is_dated_by_its_call() {
    let dir = scratch("serve-survey-line");
    let log_path = dir.join("queue_log");
    let (config, state, _silent) = floor_following(&dir, &log_path);
    // 1999-02-10 23:58 at +02:00, answered at once, ended at 00:01 the next day.
    let entered = 918_683_880_u64;
    let call = format!(
        "{entered}|c1|PS|NONE|ENTERQUEUE||5550100|1\n\
         {}|c1|PS|Agent/ANNA|CONNECT|5||0\n\
         {}|c1|PS|Agent/ANNA|COMPLETECALLER|5|175|1\n",
        entered + 5,
        entered + 180,
    );
    std::fs::write(&log_path, &call).unwrap();
    let mut first = start(&config);
    wait_for(&state, "the call", |f| f["lines_read"] == 3);
    first.kill().unwrap();
    let _ = first.wait();
    // The caller's rating, at 00:03 on the 11th, written while the service was down.
    let mut log = std::fs::OpenOptions::new().append(true).open(&log_path).unwrap();
    writeln!(log, "{}|c1|PS|NONE|SURVEY|4|yes|yes|yes|yes|", entered + 300).unwrap();
    drop(log);
    let second = start(&config);
    // (`lines_read` counts this run's lines.)
    let figures = wait_for(&state, "the survey line", |f| f["lines_read"] == 1);
    let out = support::serve::stop(second);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("restored the state saved at offset"), "{stderr}");
    assert_eq!(figures["warnings"], 0, "{stderr}");
    let days: Vec<(String, u64)> = figures["csat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|day| (day[0].as_str().unwrap().to_owned(), day[1]["responses"].as_u64().unwrap()))
        .collect();
    assert_eq!(days, [("1999-02-10".to_owned(), 1)], "{}", figures["csat"]);
    // The report, reading the whole log, says the same.
    let report = report_json(&["--queue-log", log_path.to_str().unwrap()], "1d");
    assert_eq!(report["csat"][0]["date"], "1999-02-10", "{}", report["csat"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The sample floor (`sample_floor`) following the file at `log`, its one board on a line that
/// accepts and never answers (kept open while the listener returned lives).
fn floor_following(
    dir: &std::path::Path,
    log: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::net::TcpListener) {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (config, state) = support::serve::sample_floor(
        dir,
        &format!("queue_log = \"{}\"", log.display()),
        &silent.local_addr().unwrap().to_string(),
        "",
    );
    (config, state, silent)
}
