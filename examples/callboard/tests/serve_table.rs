//! `callboard serve` reading Asterisk's realtime `queue_log` table from a real PostgreSQL
//! server (Debian's, started on loopback by the test; TLS required, a password from a file):
//! the sample day's rows inserted while the service runs, one row committed after rows with
//! higher ids, the database restarted under the service, the service itself killed and
//! started again while rows keep coming. At the end the board shows the day's last frame, and
//! the service's figures equal `callboard report`'s for the same rows, exported from the
//! table; nothing was refused or read twice. `callboard report --table` reads the same table
//! to the same report.

mod support;

use std::time::{Duration, Instant};

use callboard_floor::stand_in::StandIn;
use support::postgres::{PASSWORD, Postgres, SCHEMA};
use support::postgres::{insert, insert_all};
use support::serve::{
    last_hour_of_calls, offered_to, on_the_wall_clock, sample_floor, scratch, start, stop, wait_for,
};
use support::{report_json, sample_log};

/// The sample's local time, as PostgreSQL names a fixed offset (its sign is POSIX's).
const UTC_PLUS_2: &str = "Etc/GMT-2";

/// The site file's `[source]` lines for the table on `server`, its password in a file in `dir`
/// (returned too).
fn table_source(dir: &std::path::Path, server: &Postgres) -> (String, std::path::PathBuf) {
    let password = dir.join("db-password");
    std::fs::write(&password, format!("{PASSWORD}\n")).unwrap();
    let source = format!(
        "table = \"queue_log\"\nconnection = \"{}\"\npassword_file = \"{}\"",
        server.connection(),
        password.display()
    );
    (source, password)
}

/// A PostgreSQL server of its own in `dir`, with Asterisk's `queue_log` table, and a client.
fn server_with_table(dir: &std::path::Path) -> (Postgres, postgres::Client) {
    let server = Postgres::start(dir);
    let mut client = server.client();
    client.batch_execute(SCHEMA).unwrap();
    (server, client)
}

/// `callboard report --table queue_log` on `server`, with the service's connection settings
/// (the password in the file `password`), by `interval`.
fn report_from_table(
    server: &Postgres,
    password: &std::path::Path,
    interval: &str,
) -> serde_json::Value {
    let connection = server.connection();
    let password = password.to_str().unwrap();
    let source = ["--table", "queue_log", "--connection", &connection, "--password-file", password];
    report_json(&source, interval)
}

#[test]
fn a_day_from_the_realtime_table_survives_a_database_restart() {
    let dir = scratch("serve-table");
    let (server, mut client) = server_with_table(&dir);

    let boards = StandIn::start(&[1], None).unwrap();
    let (source, password) = table_source(&dir, &server);
    let (config, state) = sample_floor(&dir, &source, &boards.address, "");

    let day = std::fs::read_to_string(sample_log()).unwrap();
    let lines: Vec<&str> = day.lines().collect();
    let (first, second, third) = (lines.len() / 3, 2 * lines.len() / 3, lines.len());

    // The morning, then the service.
    for line in &lines[..first] {
        insert(&mut client, line, UTC_PLUS_2);
    }
    let service = start(&config);
    wait_for(&state, "the morning", |f| f["lines_read"] == first);
    // Its session is encrypted (sslmode=require) and authenticated by the password file.
    let sessions: Vec<bool> = client
        .query(
            "SELECT ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
             WHERE application_name = 'callboard'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(sessions, [true]);

    // A row committed late: its id is below the ids of rows committed before it. It is the
    // latest event of the batch, so the clock has not passed it when it arrives.
    let mut late = server.client();
    let mut transaction = late.transaction().unwrap();
    insert(&mut transaction, lines[second - 1], UTC_PLUS_2);
    for line in &lines[first..second - 1] {
        insert(&mut client, line, UTC_PLUS_2);
    }
    wait_for(&state, "the midday rows", |f| f["lines_read"] == second - 1);
    transaction.commit().unwrap();
    wait_for(&state, "the late row", |f| f["lines_read"] == second);

    // The database restarts under the running service; rows keep coming once it is back.
    drop(client);
    drop(late);
    server.restart();
    let mut client = server.client();
    let afternoon = (second + third) / 2;
    for line in &lines[second..afternoon] {
        insert(&mut client, line, UTC_PLUS_2);
    }
    wait_for(&state, "the rows after the restart", |f| f["lines_read"] == afternoon);

    // The service is killed outright; rows are written while it is down.
    let mut service = service;
    service.kill().unwrap();
    let first_run = service.wait_with_output().unwrap();
    let first_stderr = String::from_utf8_lossy(&first_run.stderr).into_owned();
    for line in &lines[afternoon..] {
        insert(&mut client, line, UTC_PLUS_2);
    }
    let last_at = lines.last().unwrap().split('|').next().unwrap().parse::<u64>().unwrap() * 1000;
    let service = start(&config);
    let at_end = wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !boards.heard.lock().unwrap().iter().any(|(a, f)| *a == 1 && f.valid_at == last_at) {
        assert!(Instant::now() < deadline, "the board never got the day's last frame");
        std::thread::sleep(Duration::from_millis(50));
    }
    let second_stderr = String::from_utf8_lossy(&stop(service).stderr).into_owned();

    // Connected over TLS with the password; the restart was a lost connection, reconnected.
    assert!(first_stderr.contains("connected to table queue_log (read to id 0)"), "{first_stderr}");
    assert!(first_stderr.contains("table queue_log: connection lost"), "{first_stderr}");
    assert_eq!(first_stderr.matches("connected to table queue_log").count(), 2, "{first_stderr}");
    assert!(second_stderr.contains("restored the state saved at row id"), "{second_stderr}");
    // The same rows, exported as a realtime export, through `callboard report`.
    let export = dir.join("export.csv");
    let mut csv =
        String::from("id,time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n");
    for row in server
        .client()
        .query(
            "SELECT id::text, time::text, callid, queuename, agent, event,
                    coalesce(data1,''), coalesce(data2,''), coalesce(data3,''), coalesce(data4,''), coalesce(data5,'')
             FROM queue_log ORDER BY id",
            &[],
        )
        .unwrap()
    {
        let fields: Vec<String> = (0..row.len()).map(|i| row.get::<_, String>(i)).collect();
        csv += &(fields.join(",") + "\n");
    }
    std::fs::write(&export, csv).unwrap();
    let report = report_json(&["--queue-log", export.to_str().unwrap()], "1d");
    // `callboard report` reads the table itself too, with the service's connection settings,
    // to the same report.
    let from_table = report_from_table(&server, &password, "1d");
    assert_eq!(from_table["queues"], report["queues"]);
    assert_eq!(
        at_end["lines_read"],
        lines.len() - afternoon,
        "the second run read only the rows written while it was down"
    );
    assert_eq!(at_end["warnings"], 0, "{second_stderr}");
    let keys = ["offered", "answered", "abandoned", "dequeued", "answered_within_sl", "handled"];
    let compared = support::compare_days(&at_end, &report, &keys, &second_stderr);
    assert!(compared >= 3, "{at_end}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A service started on the wall clock beside a table three polls behind (rows of the last
/// hour, more than `ROWS_PER_POLL`) reads all of it before its clock moves to the present:
/// every call counted, none refused as late.
#[test]
fn a_table_behind_on_the_wall_clock_is_counted_to_the_call() {
    let dir = scratch("serve-table-backlog");
    let (server, mut client) = server_with_table(&dir);
    let calls = 5_000_u64;
    let rows = 3 * calls;
    assert!(rows > 2 * u64::try_from(callboard_queue_log::table::ROWS_PER_POLL).unwrap());
    let mut lines = last_hour_of_calls(calls, 50);
    // Rows in time order, as a switch commits them.
    lines.sort_by_key(|(at, _)| *at);
    insert_all(&mut client, lines.iter().map(|(_, line)| line.as_str()), UTC_PLUS_2);

    let (source, _) = table_source(&dir, &server);
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (config, state) =
        sample_floor(&dir, &source, &silent.local_addr().unwrap().to_string(), "");
    on_the_wall_clock(&config);
    let service = start(&config);
    let at_end = wait_for(&state, "every row", |f| f["lines_read"] == rows);
    // The figures are written once a step: wait for the step after the last rows.
    let figures = wait_for(&state, "the backlog's calls", |f| {
        offered_to(f, "PS") == calls || f["warnings"].as_u64().unwrap_or(0) > 0
    });
    let stderr = String::from_utf8_lossy(&stop(service).stderr).into_owned();
    assert_eq!(at_end["lines_read"], rows);
    assert_eq!(figures["warnings"], 0, "{stderr}");
    assert_eq!(offered_to(&figures, "PS"), calls, "{stderr}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `callboard report --table` streams a table of many pages (three of `ROWS_PER_POLL`, rows up
/// to six seconds out of time order) to the report of the same rows in a file; with a row
/// further out of order than the stream's window, both read the rows whole, to the same report.
#[test]
fn report_streams_a_table_of_many_pages_to_the_files_report() {
    let dir = scratch("report-table-stream");
    let (server, mut client) = server_with_table(&dir);
    let mut lines: Vec<String> =
        last_hour_of_calls(5_000, 50).into_iter().map(|(_, l)| l).collect();
    assert!(lines.len() > 2 * usize::try_from(callboard_queue_log::table::ROWS_PER_POLL).unwrap());
    let (_, password) = table_source(&dir, &server);
    let from_table = || report_from_table(&server, &password, "15m");
    let export = dir.join("queue_log");
    let from_file = |lines: &[String]| {
        std::fs::write(&export, lines.join("\n") + "\n").unwrap();
        report_json(&["--queue-log", export.to_str().unwrap()], "15m")
    };
    insert_all(&mut client, lines.iter().map(String::as_str), UTC_PLUS_2);
    let (table, file) = (from_table(), from_file(&lines));
    assert_eq!(table["queues"], file["queues"]);
    assert_eq!(table["warnings"], file["warnings"]);
    assert!(!file["warnings"].as_array().unwrap().is_empty(), "the rows are out of order");

    // A call of 40 minutes ago committed last: further out of order than the window.
    let at: u64 = lines[0].split('|').next().unwrap().parse::<u64>().unwrap() + 1_200;
    let late = [
        format!("{at}|late|PS|NONE|ENTERQUEUE||5550000|1"),
        format!("{}|late|PS|NONE|ABANDON|1|1|30", at + 30),
    ];
    for line in &late {
        insert(&mut client, line, UTC_PLUS_2);
    }
    lines.extend(late);
    let (table, file) = (from_table(), from_file(&lines));
    assert_eq!(table["queues"], file["queues"]);
    assert_eq!(table["warnings"], file["warnings"]);
    let abandoned: u64 = table["queues"][0]["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["abandoned"].as_u64().unwrap())
        .sum();
    assert_eq!(abandoned, 1, "the late call is counted");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}
