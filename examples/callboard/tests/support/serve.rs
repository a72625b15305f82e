//! `callboard serve` run as an operator runs it: a scratch directory, the service started on
//! a site file, its `figures.json` waited for, SIGTERM to stop it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A loopback port free a moment ago, for a service's HTTP side.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A new, empty directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("callboard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Writes `dir/serve.toml` for the sample day's floor: the sample's clock (+02:00) and the
/// log's own time, a step every 0.1 s and a checkpoint every second, the state in `dir/state`;
/// the `[source]` section's lines from `source`; the queues PS and PE on board 1 of one TCP
/// line to `board`; then `more` (an `[http]` section, say). Returns the file and the state
/// directory.
pub fn sample_floor(dir: &Path, source: &str, board: &str, more: &str) -> (PathBuf, PathBuf) {
    let state = dir.join("state");
    let config = dir.join("serve.toml");
    let text = format!(
        r#"
[site]
utc_offset = "+02:00"
state_dir = "{state}"
clock = "log"
every_seconds = 0.1
checkpoint_seconds = 1

[source]
{source}

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

{more}
"#,
        state = state.display(),
    );
    std::fs::write(&config, text).expect("write the site file");
    (config, state)
}

/// `callboard serve --config CONFIG`, its output captured.
pub fn start(config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--config", config.to_str().expect("a UTF-8 path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start callboard serve")
}

/// The service's `figures.json` in `state`, once it says `ready` (waited for up to 90 s).
pub fn wait_for(state: &Path, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let read = || {
        std::fs::read(state.join("figures.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(figures) = read().filter(|f| ready(f)) {
            return figures;
        }
        assert!(Instant::now() < deadline, "the service never reached {what}: {:?}", read());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Stops the service with SIGTERM, as systemd does, and waits for it.
pub fn stop(child: Child) -> Output {
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(term.is_ok_and(|s| s.success()), "kill -TERM");
    child.wait_with_output().expect("wait for callboard serve")
}

/// One HTTP/1.1 request to the service on `port`: the status and the body.
pub fn request(port: u16, method: &str, target: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the HTTP side");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
    // A server may refuse a huge request and close before all of it is sent: what it answered
    // is still read.
    let _ = write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    );
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// `GET target` as JSON, which must come with 200.
pub fn get_json(port: u16, target: &str) -> Value {
    let (status, body) = request(port, "GET", target);
    assert_eq!(status, 200, "{target}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{target}: {e}: {body}"))
}

/// The log lines of `calls` calls of queue PS over the hour before now, each answered a second
/// after it entered by one of `agents` agents and five seconds long, in the order of the calls
/// (so up to six seconds out of time order), each with its time.
pub fn last_hour_of_calls(calls: u64, agents: u64) -> Vec<(u64, String)> {
    let now_s =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let first = now_s - 3_700;
    let mut lines = Vec::new();
    for i in 0..calls {
        let at = first + i * 3_600 / calls;
        let agent = format!("SIP/{}", i % agents);
        lines.push((at, format!("{at}|c{i:05}|PS|NONE|ENTERQUEUE||555{i:04}|1")));
        lines.push((at + 1, format!("{}|c{i:05}|PS|{agent}|CONNECT|1|c{i:05}b|1", at + 1)));
        lines.push((at + 6, format!("{}|c{i:05}|PS|{agent}|COMPLETECALLER|1|5|1", at + 6)));
    }
    lines
}

/// Puts the site file at `config` (a [`sample_floor`]) on the wall clock.
pub fn on_the_wall_clock(config: &Path) {
    let text =
        std::fs::read_to_string(config).unwrap().replace("clock = \"log\"", "clock = \"wall\"");
    std::fs::write(config, text).unwrap();
}

/// The calls offered to queue `name` over all the days `figures.json` shows.
pub fn offered_to(figures: &Value, name: &str) -> u64 {
    figures["queues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|q| q["name"] == name)
        .flat_map(|q| q["days"].as_array().into_iter().flatten())
        .map(|d| d["offered"].as_u64().unwrap_or(0))
        .sum()
}

/// `figures.json` with queue `name` alone.
pub fn only_queue(figures: &Value, name: &str) -> Value {
    let mut only = figures.clone();
    only["queues"] = Value::Array(
        figures["queues"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["name"] == name)
            .cloned()
            .collect(),
    );
    only
}
