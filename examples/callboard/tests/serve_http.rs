//! `callboard serve`'s HTTP side: the sample day replayed through the service with its API on
//! a loopback port. `/api/v1/queues` has `callboard report --json`'s numbers for the same
//! moment (the day, and the interval in progress); `/metrics` parses with the Prometheus
//! project's own Python parser (Debian's `python3-prometheus-client`, installed by the test
//! command) and says the same; bad requests get JSON errors with the right status, and the
//! service goes on serving.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::serve::{get_json as get, request, sample_floor, scratch, start, stop, wait_for};
use support::{callboard, data, report_json, sample_log};

const KEYS: [&str; 12] = [
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "dequeued",
    "answered_within_sl",
    "abandoned_within_sl",
    "handled",
    "service_level",
    "asa_seconds",
    "aht_seconds",
    "abandon_rate",
];

#[test]
fn the_api_and_the_metrics_say_what_the_report_says() {
    let dir = scratch("serve-http");
    let port = support::serve::free_port();
    let log = dir.join("queue_log");
    std::fs::copy(sample_log(), &log).unwrap();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let (config, state) = sample_floor(
        &dir,
        &format!("queue_log = \"{}\"", log.display()),
        &silent.local_addr().unwrap().to_string(),
        &format!("[http]\naddress = \"127.0.0.1:{port}\""),
    );
    let day = std::fs::read_to_string(sample_log()).unwrap();
    let last_at =
        day.lines().last().unwrap().split('|').next().unwrap().parse::<u64>().unwrap() * 1000;
    let service = start(&config);
    wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);

    // The API at the day's last moment against the report of the whole log.
    let api = get(port, "/api/v1/queues");
    assert_eq!(api["at_ms"], last_at);
    let log_source = ["--queue-log", &sample_log()];
    let (by_day, by_quarter) = (report_json(&log_source, "1d"), report_json(&log_source, "15m"));
    let rows = |report: &Value, name: &str| -> Vec<Value> {
        report["queues"].as_array().unwrap().iter().find(|q| q["queue"] == name).unwrap()["intervals"]
            .as_array()
            .unwrap()
            .clone()
    };
    let (mut compared, mut quarters) = (0, 0);
    for queue in api["queues"].as_array().unwrap() {
        let name = queue["name"].as_str().unwrap();
        let today = &queue["today"];
        let day_row = rows(&by_day, name)
            .into_iter()
            .find(|r| {
                r["start_local"].as_str().unwrap().starts_with(today["date"].as_str().unwrap())
            })
            .unwrap();
        let start = queue["current_interval"]["start_ms"].as_u64().unwrap() / 1000;
        let quarter = rows(&by_quarter, name).into_iter().find(|r| r["start_epoch"] == start);
        for key in KEYS {
            assert_eq!(today[key], day_row[key], "{name} today {key}");
            if let Some(quarter) = &quarter {
                assert_eq!(queue["current_interval"][key], quarter[key], "{name} interval {key}");
            }
        }
        quarters += usize::from(quarter.is_some());
        assert_eq!(queue["waiting"], day_row["waiting"], "{name} waiting");
        compared += 1;
        // One queue by its name, the same body.
        assert_eq!(get(port, &format!("/api/v1/queues/{name}")), *queue);
    }
    assert_eq!(compared, 2);
    assert!(quarters >= 1, "no interval in progress was compared");
    // A day's intervals: the whole of the 10th (yesterday, for the clock is past midnight) as
    // the report has it, quarter by quarter; today's by default.
    let today = api["queues"][0]["today"]["date"].as_str().unwrap().to_owned();
    let mut intervals_compared = 0;
    for name in ["PS", "PE"] {
        let kept = get(port, &format!("/api/v1/intervals?queue={name}&date=1999-02-10"));
        assert_eq!(
            (kept["queue"].as_str(), kept["date"].as_str()),
            (Some(name), Some("1999-02-10"))
        );
        let kept = kept["intervals"].as_array().unwrap().clone();
        let report_rows: Vec<Value> = rows(&by_quarter, name)
            .into_iter()
            .filter(|r| r["start_local"].as_str().unwrap().starts_with("1999-02-10"))
            .collect();
        assert!(report_rows.len() > 20, "{name}: {} report rows", report_rows.len());
        for row in &report_rows {
            let start = row["start_epoch"].as_u64().unwrap() * 1000;
            let api_row = kept
                .iter()
                .find(|r| r["start_ms"] == start)
                .unwrap_or_else(|| panic!("{name}: no interval at {start} in the API"));
            for key in KEYS {
                assert_eq!(api_row[key], row[key], "{name} {} {key}", row["start_local"]);
            }
            intervals_compared += 1;
        }
        // The quarters the report leaves out had no calls.
        for api_row in &kept {
            let start = api_row["start_ms"].as_u64().unwrap() / 1000;
            if !report_rows.iter().any(|r| r["start_epoch"] == start) {
                assert_eq!(api_row["offered"], 0, "{name} {api_row}");
            }
        }
        let now = get(port, &format!("/api/v1/intervals?queue={name}"));
        assert_eq!(now["date"].as_str(), Some(today.as_str()));
    }
    assert!(intervals_compared > 40, "{intervals_compared}");
    for (target, status, reason) in [
        ("/api/v1/intervals", 400, "no queue"),
        ("/api/v1/intervals?queue=PS&day=1999-02-10", 400, "unknown parameter \\\"day\\\""),
        ("/api/v1/intervals?queue=PS&date=10.02.1999", 400, "date: "),
        ("/api/v1/intervals?queue=PS&date=1999-02-31", 400, "date: "),
        ("/api/v1/intervals?queue=NOPE", 404, "no queue \\\"NOPE\\\""),
        ("/api/v1/intervals?queue=PS&date=1999-01-10", 404, "no intervals of 1999-01-10 kept"),
        ("/api/v1/intervals?queue=PS&date=1999-02-12", 404, "no intervals of 1999-02-12 kept"),
        ("/api/v1/agreements", 404, "no agreements"),
    ] {
        let (got, body) = request(port, "GET", target);
        assert_eq!(got, status, "{target}: {body}");
        assert!(body.contains(reason), "{target}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["status"], status);
    }

    let boards = get(port, "/api/v1/boards");
    assert_eq!(boards["boards"][0]["address"], 1);
    assert_eq!(boards["boards"][0]["panel"], "tricolour-160x32");
    assert_eq!(boards["boards"][0]["frame"]["valid_at"], last_at);
    let csat = get(port, "/api/v1/csat");
    assert!(csat["days"].is_array());
    assert_eq!(csat["today"]["date"].as_str(), Some(today.as_str()));
    assert_eq!(csat["previous_day"]["date"], "1999-02-10");
    assert_eq!(csat["previous_day"]["withheld"], "no responses");

    // /metrics, read by the Prometheus client library's own parser.
    let (status, metrics) = request(port, "GET", "/metrics");
    assert_eq!(status, 200);
    let samples = prometheus_samples(&dir, &metrics);
    let sample = |name: &str, labels: &str| -> f64 {
        samples
            .lines()
            .find_map(|l| {
                let mut parts = l.split('|');
                (parts.next() == Some(name) && parts.next() == Some(labels))
                    .then(|| parts.next().unwrap().parse().unwrap())
            })
            .unwrap_or_else(|| panic!("no sample {name}{{{labels}}} in\n{samples}"))
    };
    let ps = api["queues"].as_array().unwrap().iter().find(|q| q["name"] == "PS").unwrap();
    assert_eq!(
        sample("callboard_queue_offered_total", "queue=PS"),
        ps["today"]["offered"].as_f64().unwrap()
    );
    assert_eq!(sample("callboard_queue_waiting", "queue=PS"), ps["waiting"].as_f64().unwrap());
    assert_eq!(
        sample("callboard_queue_service_level_ratio", "queue=PS,variant=answered"),
        ps["today"]["service_level"]["answered"].as_f64().unwrap()
    );
    assert_eq!(sample("callboard_board_up", "address=1,line=floor"), 1.0);
    assert!(sample("callboard_source_lines_read_total", "") > 4000.0);

    // Bad requests: a JSON reason and the right status; the service keeps serving.
    let (status, body) = request(port, "GET", "/api/v1/queues/NOPE");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no queue \\\"NOPE\\\""), "{body}");
    assert_eq!(request(port, "GET", "/api/v2/queues").0, 404);
    let (status, body) = request(port, "POST", "/api/v1/queues");
    assert_eq!(status, 405, "{body}");
    assert!(body.contains("only GET"), "{body}");
    let huge = format!("/api/v1/queues?{}", "x".repeat(1 << 20));
    let (status, _) = request(port, "GET", &huge);
    // 431 Request Header Fields Too Large, from hyper; the server then closes, and if that
    // close resets the connection before the answer is read there is no status (0).
    assert!(matches!(status, 431 | 0), "a megabyte of query: {status}");
    assert_eq!(get(port, "/api/v1/queues")["at_ms"], last_at);

    let out = stop(service);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("http: serving the API on http://127.0.0.1:{port}/")),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `/metrics` read by the Prometheus client library's own parser: one `name|labels|value` line
/// per sample, labels sorted.
fn prometheus_samples(dir: &Path, metrics: &str) -> String {
    let metrics_file = dir.join("metrics.txt");
    std::fs::write(&metrics_file, metrics).unwrap();
    let parsed = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(
            "import sys\n\
             from prometheus_client.parser import text_string_to_metric_families\n\
             for family in text_string_to_metric_families(open(sys.argv[1]).read()):\n\
             \x20   for s in family.samples:\n\
             \x20       labels = ','.join(f'{k}={v}' for k, v in sorted(s.labels.items()))\n\
             \x20       print(f'{s.name}|{labels}|{s.value}')\n",
        )
        .arg(&metrics_file)
        .output()
        .expect("python3 with prometheus_client (scripts/test installs python3-prometheus-client)");
    let stderr = String::from_utf8_lossy(&parsed.stderr);
    assert!(parsed.status.success(), "the parser refused /metrics: {stderr}\n{metrics}");
    String::from_utf8_lossy(&parsed.stdout).into_owned()
}

/// `callboard sla report --json` for the sample agreements, the period and the instant given.
fn sla_report(requests: &Path, from: &str, to: &str, now: &str) -> Value {
    let policies = data("sla-policies-311.toml");
    let out = callboard(&[
        "sla",
        "report",
        "--requests",
        requests.to_str().unwrap(),
        "--policies",
        &policies,
        "--from",
        from,
        "--to",
        to,
        "--now",
        now,
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_agreements_are_the_sla_reports_and_follow_a_new_requests_file() {
    let dir = scratch("serve-agreements");
    let port = support::serve::free_port();
    // The center's clock: one call on 2026-11-20 at 10:00:30 Eastern (15:00:30 UTC).
    let log = dir.join("queue_log");
    std::fs::write(&log, "1795186830|1795186830.1|PS|NONE|ENTERQUEUE||5550100|1\n").unwrap();
    let requests = dir.join("requests.csv");
    let all = std::fs::read_to_string(data("sla-requests-311.csv")).unwrap();
    std::fs::write(&requests, &all).unwrap();
    let state = dir.join("state");
    let config = dir.join("serve.toml");
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    std::fs::write(
        &config,
        format!(
            r#"
[site]
utc_offset = "-05:00"
dst = "us"
state_dir = "{state}"
clock = "log"
every_seconds = 0.1
checkpoint_seconds = 1

[source]
queue_log = "{log}"

[[queue]]
name = "PS"

[[line]]
name = "floor"
tcp = "{board}"

[[board]]
line = "floor"
address = 1
queues = ["PS"]

[http]
address = "127.0.0.1:{port}"

[agreements]
policies = "{policies}"
requests = "{requests}"
days = 14
"#,
            state = state.display(),
            log = log.display(),
            board = silent.local_addr().unwrap(),
            policies = data("sla-policies-311.toml"),
            requests = requests.display(),
        ),
    )
    .unwrap();
    let service = start(&config);
    wait_for(&state, "the clock", |f| f["at_ms"] == 1_795_186_830_000_u64);
    let judged = |ready: &dyn Fn(&Value) -> bool| -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (status, body) = request(port, "GET", "/api/v1/agreements");
            if status == 200 {
                let body: Value = serde_json::from_str(&body).unwrap();
                if ready(&body) {
                    return body;
                }
            } else {
                // Before the first report: said, with the reason.
                assert_eq!(status, 503, "{body}");
            }
            assert!(Instant::now() < deadline, "the agreements were never judged: {body}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };

    // The fourteen days to the clock's, open requests judged at its minute: the report's.
    let api = judged(&|_| true);
    assert_eq!(api["now"], "2026-11-20 10:00");
    let report = sla_report(&requests, "2026-11-07", "2026-11-20", "2026-11-20 10:00");
    assert_eq!(api, report);
    let city = api["lines"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(city["department"], "All departments");
    assert!(city["closed"].as_u64().unwrap() > 100, "{city}");
    // Requests opened after the clock are not counted, as the report says.
    assert!(api["rejected"].as_array().unwrap().iter().any(|r| {
        r["message"].as_str().is_some_and(|r| r.contains("opened after the report's instant"))
    }));

    // Per department and type in /metrics, read by Prometheus' parser.
    let (status, metrics) = request(port, "GET", "/metrics");
    assert_eq!(status, 200);
    let samples = prometheus_samples(&dir, &metrics);
    let line =
        api["lines"].as_array().unwrap().iter().find(|l| !l["request_type"].is_null()).unwrap();
    let labels = format!(
        "department={},type={}",
        line["department"].as_str().unwrap(),
        line["request_type"].as_str().unwrap()
    );
    let value = |name: &str| {
        samples
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!("{name}|{labels}|")).map(|v| v.parse::<f64>().unwrap())
            })
            .unwrap_or_else(|| panic!("no {name}{{{labels}}} in\n{samples}"))
    };
    if let Some(compliance) = line["compliance"].as_f64() {
        assert_eq!(value("callboard_agreement_compliance_ratio"), compliance);
    }
    assert_eq!(
        value("callboard_agreement_open_breached_requests"),
        line["open_breached"].as_f64().unwrap()
    );

    // The departments' system writes a new export (half the rows): read, and judged again.
    let half: Vec<&str> = all.lines().take(all.lines().count() / 2).collect();
    let next = dir.join("requests.next");
    std::fs::write(&next, half.join("\n") + "\n").unwrap();
    std::fs::rename(&next, &requests).unwrap();
    let before = api["requests"].clone();
    let api = judged(&|body| body["requests"] != before);
    assert_eq!(api, sla_report(&requests, "2026-11-07", "2026-11-20", "2026-11-20 10:00"));

    // A broken export is said; the last report stays and the service goes on.
    std::fs::write(&next, "not,a,requests,file\n").unwrap();
    std::fs::rename(&next, &requests).unwrap();
    std::thread::sleep(Duration::from_secs(7));
    assert_eq!(get(port, "/api/v1/agreements"), api);
    let out = stop(service);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("the requests file has no \"id\" column; the last report stays"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn slow_and_silent_clients_never_stall_the_boards() {
    use std::io::Write as _;
    use std::net::TcpStream;
    use std::sync::atomic::Ordering;

    let dir = scratch("serve-slow-clients");
    let port = support::serve::free_port();
    let log = dir.join("queue_log");
    std::fs::copy(sample_log(), &log).unwrap();
    let boards = callboard_floor::stand_in::StandIn::start(&[1], None).unwrap();
    let (config, state) = sample_floor(
        &dir,
        &format!("queue_log = \"{}\"", log.display()),
        &boards.address,
        &format!("[http]\naddress = \"127.0.0.1:{port}\""),
    );
    let day = std::fs::read_to_string(sample_log()).unwrap();
    let last_at =
        day.lines().last().unwrap().split('|').next().unwrap().parse::<u64>().unwrap() * 1000;
    let service = start(&config);
    wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);
    let frames_in = |seconds: u64| {
        let before = boards.frames.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_secs(seconds));
        boards.frames.load(Ordering::Relaxed) - before
    };
    let calm = frames_in(3);
    assert!(calm >= 10, "{calm} frames in 3 s at 10 a second with no client");

    // 300 clients that send half a request and wait; 40 that open the live stream and never
    // read it; 20 that ask for /metrics and read it a byte a second.
    let mut held = Vec::new();
    for _ in 0..300 {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.write_all(b"GET /api/v1/queues HTTP/1.1\r\nHost: local").unwrap();
        held.push(c);
    }
    for _ in 0..40 {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.write_all(b"GET /api/v1/stream HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        held.push(c);
    }
    let stop_readers = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..20)
        .map(|_| {
            let stop_readers = std::sync::Arc::clone(&stop_readers);
            std::thread::spawn(move || {
                use std::io::Read as _;
                let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
                c.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
                let mut byte = [0_u8; 1];
                while !stop_readers.load(Ordering::Relaxed)
                    && c.read(&mut byte).is_ok_and(|n| n == 1)
                {
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
        })
        .collect();
    // The boards keep their rate, and a well-behaved client is answered.
    let under_load = frames_in(3);
    assert!(
        under_load * 2 >= calm,
        "{under_load} frames in 3 s with 360 slow clients, {calm} without"
    );
    assert_eq!(get(port, "/api/v1/queues")["at_ms"], last_at);
    let (status, body) = request(port, "GET", "/api/v1/wallboard");
    assert_eq!(status, 200, "{body}");

    stop_readers.store(true, Ordering::Relaxed);
    let out = stop(service);
    drop(held);
    for reader in readers {
        reader.join().unwrap();
    }
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}
