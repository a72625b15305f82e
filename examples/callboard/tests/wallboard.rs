//! The web wallboard in a real browser: `callboard serve` replays the sample day's morning (to
//! 11:20) with two
//! boards (a tri-colour reader board and a HUB75 matrix) and its HTTP side on a loopback port;
//! Debian's chromium, headless, driven by Playwright (`tests/browser/wallboard.mjs`; the test
//! command installs both), loads the page, waits for a live update over the event stream and
//! takes screenshots. Each board in the page equals, pixel for pixel, the PNG `callboard board
//! preview` draws for the frame the board was last sent; the table shows the API's numbers;
//! when the service stops, the page says the connection is lost.
//!
//! `CALLBOARD_UPDATE_SCREENSHOT=1` copies the page's screenshot to
//! `docs/previews/wallboard.png`, the README's picture.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use callboard_floor::stand_in::StandIn;
use serde_json::Value;
use support::serve::{get_json as get, scratch, start, wait_for};
use support::{callboard, sample_log};

/// A process killed if the test ends early, so no browser or service outlives a failure.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// The pixels of a PNG, as RGB.
fn pixels(path: &Path) -> image::RgbImage {
    image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgb8()
}

#[test]
fn the_wallboard_in_chromium_draws_the_boards_and_the_apis_numbers() {
    assert!(
        Path::new("/usr/bin/chromium").exists()
            && browser_dir().join("node_modules/playwright-core").exists(),
        "needs Debian's chromium and playwright-core: run scripts/test, which installs both"
    );
    let dir = scratch("wallboard");
    let port = support::serve::free_port();
    // The sample day up to 11:20 local time, in the late-morning peak: the README's picture.
    let log = dir.join("queue_log");
    let day = std::fs::read_to_string(sample_log()).unwrap();
    let morning: Vec<&str> = day
        .lines()
        .filter(|l| l.split('|').next().unwrap().parse::<u64>().unwrap() <= 918_638_400)
        .collect();
    std::fs::write(&log, morning.join("\n") + "\n").unwrap();
    let state = dir.join("state");
    let boards = StandIn::start(&[1, 2], None).unwrap();
    let config = dir.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[site]
utc_offset = "+02:00"
state_dir = "{state}"
clock = "log"
every_seconds = 0.5
checkpoint_seconds = 1
announcement = "Storm: expect delays"

[source]
queue_log = "{log}"

[[queue]]
name = "PS"
label = "STREETS"

[[queue]]
name = "PE"
label = "ENGLISH"
target = "90%"

[[line]]
name = "floor"
tcp = "{board}"

[[board]]
line = "floor"
address = 1
queues = ["PS", "PE"]

[[board]]
line = "floor"
address = 2
queues = ["PE"]
panel = "hub75-64x32"

[http]
address = "127.0.0.1:{port}"
"#,
            state = state.display(),
            log = log.display(),
            board = boards.address,
        ),
    )
    .unwrap();
    let last_at = morning.last().unwrap().split('|').next().unwrap().parse::<u64>().unwrap() * 1000;
    let mut service = Reaped(start(&config));
    wait_for(&state, "the end of the day", |f| f["at_ms"] == last_at);
    let shots = dir.join("shots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut node = Reaped(
        Command::new("node")
            .arg(browser_dir().join("wallboard.mjs"))
            .arg(format!("http://127.0.0.1:{port}/"))
            .arg(&shots)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node"),
    );
    let mut said = BufReader::new(node.0.stdout.take().unwrap()).lines();
    let page: Value = serde_json::from_str(&said.next().unwrap().unwrap()).unwrap();
    let api = get(port, "/api/v1/queues");
    let sent = get(port, "/api/v1/boards");

    // Live: the stream delivered at least two steps.
    assert_eq!(page["status"], "live", "{page}");
    assert!(page["updates"].as_u64().unwrap() >= 2, "{page}");
    assert_eq!(page["at"], last_at);
    assert_eq!(page["boards"], serde_json::json!(["floor/1", "floor/2"]));
    assert_eq!(page["phone_overflow"], false, "the page is wider than a phone");

    // Each board in the page is the renderer's picture of the frame it was last sent.
    for (i, panel) in ["tricolour-160x32", "hub75-64x32"].iter().enumerate() {
        let frame = &sent["boards"][i]["frame"];
        assert_eq!(frame["valid_at"], last_at);
        let frame_file = dir.join(format!("frame-{i}.json"));
        std::fs::write(&frame_file, frame.to_string()).unwrap();
        let expected = dir.join(format!("expected-{i}.png"));
        let out = callboard(&[
            "board",
            "preview",
            "--frame",
            frame_file.to_str().unwrap(),
            "--panel",
            panel,
            "--scale",
            "4",
            "--out",
            expected.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let (drawn, want) = (pixels(&shots.join(format!("board-{i}.png"))), pixels(&expected));
        assert_eq!(drawn.dimensions(), want.dimensions(), "board {i}: the picture's size");
        let differing = drawn.pixels().zip(want.pixels()).filter(|(a, b)| a != b).count();
        assert_eq!(differing, 0, "board {i}: {differing} pixels differ from the renderer's");
    }

    // The table shows the API's numbers.
    let rows = page["rows"].as_array().unwrap();
    for (row, queue) in rows.iter().zip(api["queues"].as_array().unwrap()) {
        let text = |i: usize| row[i].as_str().unwrap().to_owned();
        assert_eq!(text(0), queue["label"].as_str().unwrap());
        assert_eq!(text(1), queue["waiting"].to_string());
        assert_eq!(text(6), queue["today"]["offered"].to_string());
        assert_eq!(text(7), queue["today"]["answered"].to_string());
        assert_eq!(text(8), queue["today"]["abandoned"].to_string());
    }
    assert_eq!(rows.len(), 2);
    // A site without a broker has no fleet to show.
    assert_eq!(page["fleet_hidden"], true, "{page}");

    // The service stops: the page says the connection is lost.
    let term = Command::new("kill").args(["-TERM", &service.0.id().to_string()]).status().unwrap();
    assert!(term.success());
    assert!(service.0.wait().unwrap().success());
    node.0.stdin.as_mut().unwrap().write_all(b"stopped\n").unwrap();
    let after: Value = serde_json::from_str(&said.next().unwrap().unwrap()).unwrap();
    assert_eq!(after["status"], "connection lost: retrying");
    let status = node.0.wait().unwrap();
    assert!(status.success());

    if std::env::var_os("CALLBOARD_UPDATE_SCREENSHOT").is_some() {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/previews");
        std::fs::copy(shots.join("page.png"), docs.join("wallboard.png")).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
