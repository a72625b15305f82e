//! `callboard serve`'s HTTP side: the sample day replayed through the service with its API on
//! a loopback port. `/api/v1/queues` has `callboard report --json`'s numbers for the same
//! moment (the day, and the interval in progress); `/metrics` parses with the Prometheus
//! project's own Python parser (Debian's `python3-prometheus-client`, installed by the test
//! command) and says the same; bad requests get JSON errors with the right status, and the
//! service goes on serving.

mod support;

use std::net::TcpListener;
use std::process::Command;

use serde_json::Value;
use support::serve::{get_json as get, request, scratch, start, stop, wait_for};
use support::{callboard, sample_log};

fn report(interval: &str) -> Value {
    let out = callboard(&[
        "report",
        "--queue-log",
        &sample_log(),
        "--utc-offset",
        "+02:00",
        "--interval",
        interval,
        "--json",
    ]);
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

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
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log = dir.join("queue_log");
    std::fs::copy(sample_log(), &log).unwrap();
    let state = dir.join("state");
    let config = dir.join("serve.toml");
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
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
queue_log = "{log}"

[[queue]]
name = "PS"
label = "STREETS"

[[queue]]
name = "PE"

[[line]]
name = "floor"
tcp = "{board}"

[[board]]
line = "floor"
address = 1
queues = ["PS", "PE"]

[http]
address = "127.0.0.1:{port}"
"#,
            state = state.display(),
            log = log.display(),
            board = silent.local_addr().unwrap(),
        ),
    )
    .unwrap();
    let day = std::fs::read_to_string(sample_log()).unwrap();
    let last_at =
        day.lines().last().unwrap().split('|').next().unwrap().parse::<u64>().unwrap() * 1000;
    let service = start(&config);
    wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);

    // The API at the day's last moment against the report of the whole log.
    let api = get(port, "/api/v1/queues");
    assert_eq!(api["at_ms"], last_at);
    let (by_day, by_quarter) = (report("1d"), report("15m"));
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
    let boards = get(port, "/api/v1/boards");
    assert_eq!(boards["boards"][0]["address"], 1);
    assert_eq!(boards["boards"][0]["frame"]["valid_at"], last_at);
    assert!(get(port, "/api/v1/csat")["days"].is_array());

    // /metrics, read by the Prometheus client library's own parser.
    let (status, metrics) = request(port, "GET", "/metrics");
    assert_eq!(status, 200);
    let metrics_file = dir.join("metrics.txt");
    std::fs::write(&metrics_file, &metrics).unwrap();
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
    let samples = String::from_utf8_lossy(&parsed.stdout).into_owned();
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
    assert!(status == 0 || (400..500).contains(&status), "a megabyte of query: {status}");
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
