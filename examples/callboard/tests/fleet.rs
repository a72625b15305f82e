//! Many sites, one fleet, through a real broker (Debian's `mosquitto`, TLS only, users and
//! passwords required): two `callboard serve` sites publish their boards' frames and their queues'
//! figures; two `callboard gateway`s each drive one board (the firmware's own controller on a
//! socket) from them. Each board shows its own site's figures. The broker is killed: the boards
//! turn to "no data" after their time-to-live and nothing crashes; it comes back: so do the
//! figures. A gateway is killed: its last will says it is offline within the keep-alive.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_board::{Controller, Hub75Rgb64x32, Panel};
use callboard_core::wire::{AuthCounts, Key, Screen};
use callboard_hil_tests::broker::Mosquitto;
use support::serve::{scratch, start, stop};

/// What a software board shows now: its screen and the labels of its frame's queues; with a
/// key, its session, what it refused and the waiting counts it has shown.
#[derive(Debug, Clone, Default)]
struct Shows {
    screen: Option<Screen>,
    labels: Vec<String>,
    frames: u32,
    session: u32,
    refused: AuthCounts,
    waiting_shown: Vec<u16>,
}

/// A board at `address` on a local socket, taking any number of connections one after
/// another (a gateway reconnects its line).
fn software_board(address: u8, shows: Arc<Mutex<Shows>>, done: Arc<AtomicBool>) -> String {
    keyed_board(address, None, shows, done, Arc::default())
}

/// A board as [`software_board`], requiring frames authenticated under `key` when given, in
/// session 1, and in the next session each time `restart` is set (a reset: it forgets all).
fn keyed_board(
    address: u8,
    key: Option<Key>,
    shows: Arc<Mutex<Shows>>,
    done: Arc<AtomicBool>,
    restart: Arc<AtomicBool>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut session = 1;
        let mut board = Controller::<Hub75Rgb64x32>::new(address, &mut framebuffer, 0);
        if let Some(key) = &key {
            board.require_authentication(key.clone(), session);
        }
        listener.set_nonblocking(false).unwrap();
        while !done.load(Ordering::SeqCst) {
            let Ok((mut line, _)) = listener.accept() else { return };
            line.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
            let mut chunk = [0_u8; 512];
            while !done.load(Ordering::SeqCst) {
                let n = match line.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(_) => 0,
                };
                let now = started.elapsed().as_millis() as u64;
                if restart.swap(false, Ordering::SeqCst) {
                    session += 1;
                    drop(board);
                    board = Controller::<Hub75Rgb64x32>::new(address, &mut framebuffer, now);
                    if let Some(key) = &key {
                        board.require_authentication(key.clone(), session);
                    }
                }
                let mut answers: Vec<u8> = Vec::new();
                for &byte in &chunk[..n] {
                    board.take(byte, now, &mut answers).unwrap();
                }
                if !answers.is_empty() && std::io::Write::write_all(&mut line, &answers).is_err() {
                    break;
                }
                board.refresh(now);
                let mut seen = shows.lock().unwrap();
                if n > 0 && board.frame().is_some() {
                    seen.frames += 1;
                }
                seen.screen = Some(board.screen());
                seen.session = session;
                seen.refused = *board.auth_counts();
                if let Some(frame) = board.frame()
                    && let Some(queue) = frame.queues.first()
                    && seen.waiting_shown.last() != Some(&queue.waiting)
                {
                    seen.waiting_shown.push(queue.waiting);
                }
                seen.labels = board
                    .frame()
                    .map(|f| f.queues.iter().map(|q| q.label.to_string()).collect())
                    .unwrap_or_default();
            }
        }
    });
    at
}

fn epoch_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// A site `name` following `dir/<name>.queue_log` on the wall clock, with `queue` on board
/// `address` of its line `line`, driven by a gateway; two callers waiting in the queue.
fn site(
    dir: &std::path::Path,
    broker: &Mosquitto,
    name: &str,
    queue: &str,
    (line, address): (&str, u8),
    more: &str,
    board_more: &str,
) -> std::path::PathBuf {
    let log = dir.join(format!("{name}.queue_log"));
    let now = epoch_s();
    std::fs::write(
        &log,
        format!(
            "{t}|{name}-1|{queue}|NONE|ENTERQUEUE||5550101|1\n{t}|{name}-2|{queue}|NONE|ENTERQUEUE||5550102|2\n",
            t = now - 5
        ),
    )
    .unwrap();
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(
        &config,
        format!(
            r#"
[site]
utc_offset = "+00:00"
state_dir = "{state}"
clock = "wall"
every_seconds = 0.5
checkpoint_seconds = 5

[source]
queue_log = "{log}"

[[queue]]
name = "{queue}"

[[line]]
name = "{line}"
gateway = true

[[board]]
line = "{line}"
address = {address}
queues = ["{queue}"]
ttl_seconds = 3
{board_more}

{more}

{mqtt}
"#,
            state = dir.join(format!("{name}-state")).display(),
            log = log.display(),
            mqtt = broker.section(name),
        ),
    )
    .unwrap();
    config
}

fn gateway(
    dir: &std::path::Path,
    broker: &Mosquitto,
    name: &str,
    site: &str,
    (line, address): (&str, u8),
    board: &str,
    board_more: &str,
) -> Child {
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(
        &config,
        format!(
            "{mqtt}\n[[line]]\nsite = \"{site}\"\nname = \"{line}\"\ntcp = \"{board}\"\n\n\
             [[board]]\nline = \"{line}\"\naddress = {address}\n{board_more}\n",
            mqtt = broker.section(name)
        ),
    )
    .unwrap();
    Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["gateway", "--config", config.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait(what: &str, limit: Duration, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn two_sites_two_gateways_through_a_broker_that_goes_away() {
    let dir = scratch("fleet");
    let mut broker = Mosquitto::start_tls(&dir);
    let done = Arc::new(AtomicBool::new(false));
    let (north_board, south_board) =
        (Arc::new(Mutex::new(Shows::default())), Arc::new(Mutex::new(Shows::default())));
    let north_at = software_board(1, Arc::clone(&north_board), Arc::clone(&done));
    let south_at = software_board(2, Arc::clone(&south_board), Arc::clone(&done));

    // North's supervisors see the whole fleet on its web wallboard.
    let http = support::serve::free_port();
    let north_http = format!("[http]\naddress = \"127.0.0.1:{http}\"");
    let north = start(&site(&dir, &broker, "north", "STREETS", ("storm-room", 1), &north_http, ""));
    let south = start(&site(&dir, &broker, "south", "PARKS", ("parks-desk", 2), "", ""));
    let mut storm_gateway =
        gateway(&dir, &broker, "storm-gw", "north", ("storm-room", 1), &north_at, "");
    let parks_gateway =
        gateway(&dir, &broker, "parks-gw", "south", ("parks-desk", 2), &south_at, "");
    let seen = broker.observe("fleet-observer-1");

    // Each board shows its own site's queue.
    let shows = |board: &Arc<Mutex<Shows>>, label: &str| {
        let s = board.lock().unwrap();
        s.screen == Some(Screen::Figures) && s.labels == [label]
    };
    wait("north's board shows STREETS", Duration::from_secs(60), || shows(&north_board, "STREETS"));
    wait("south's board shows PARKS", Duration::from_secs(60), || shows(&south_board, "PARKS"));
    // The figures are on the broker, retained, as the API gives them.
    wait("the figures published", Duration::from_secs(20), || {
        seen.lock().unwrap().get("callboard/north/queues/STREETS").is_some_and(|body| {
            serde_json::from_slice::<serde_json::Value>(body)
                .is_ok_and(|v| v["name"] == "STREETS" && v["waiting"] == 2)
        })
    });
    let online = |topic: &str| seen.lock().unwrap().get(topic).cloned();
    wait("sites and gateways online", Duration::from_secs(10), || {
        [
            "callboard/north/status",
            "callboard/gateways/storm-gw/status",
            "callboard/gateways/parks-gw/status",
        ]
        .iter()
        .all(|t| online(t).as_deref() == Some(b"online".as_slice()))
    });
    // The health of each board, as its gateway sees it, is on the broker.
    wait("north's board health", Duration::from_secs(10), || {
        online("callboard/north/lines/storm-room/boards/1/health").is_some_and(|body| {
            serde_json::from_slice::<serde_json::Value>(&body)
                .is_ok_and(|v| v["up"] == true && v["acknowledged"].as_u64() > Some(0))
        })
    });

    // North's fleet view: both sites, both gateways, both boards (south's too), from the
    // broker; the same in the web wallboard's stream.
    let fleet = || support::serve::get_json(http, "/api/v1/fleet");
    let status = |kind: &str, name: &str| {
        fleet()["fleet"][kind]
            .as_array()
            .and_then(|all| all.iter().find(|x| x["name"] == name).map(|x| x["status"].clone()))
    };
    wait("north's fleet view sees everyone", Duration::from_secs(10), || {
        let view = fleet();
        view["broker"] == true
            && ["north", "south"].iter().all(|s| status("sites", s) == Some("online".into()))
            && ["storm-gw", "parks-gw"]
                .iter()
                .all(|g| status("gateways", g) == Some("online".into()))
            && view["fleet"]["boards"].as_array().is_some_and(|b| {
                b.iter()
                    .any(|x| x["site"] == "south" && x["address"] == 2 && x["health"]["up"] == true)
            })
    });
    // A client with its password but without TLS, or with TLS but no client certificate,
    // never gets on the broker.
    let plain = dir.join("plain-gw.toml");
    let section = broker.section("plain-gw");
    let without = |keys: &[&str]| -> String {
        section
            .lines()
            .filter(|l| !keys.iter().any(|k| l.starts_with(k)))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    for (name, mqtt) in [
        ("no TLS", without(&["ca_file", "certificate_file", "key_file"])),
        ("no client certificate", without(&["certificate_file", "key_file"])),
    ] {
        std::fs::write(
            &plain,
            format!(
                "{mqtt}\n[[line]]\nsite = \"north\"\nname = \"storm-room\"\n\
                 tcp = \"127.0.0.1:9\"\n\n[[board]]\nline = \"storm-room\"\naddress = 1\n"
            ),
        )
        .unwrap();
        let refused = Command::new(env!("CARGO_BIN_EXE_callboard"))
            .args(["gateway", "--config", plain.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs(3));
        assert_eq!(status("gateways", "plain-gw"), None, "a client with {name} got on the broker");
        let said = stop(refused);
        let said = String::from_utf8_lossy(&said.stderr);
        assert!(said.contains("mqtt:") && !said.contains("mqtt: connected"), "{name}: {said}");
    }
    // The web wallboard in Debian's chromium (Playwright): the fleet's table as the page
    // draws it from the stream.
    let browser = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists()
            && browser.join("node_modules/playwright-core").exists(),
        "needs Debian's chromium and playwright-core: run scripts/test, which installs both"
    );
    let shots = dir.join("shots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut node = Command::new("node")
        .arg(browser.join("wallboard.mjs"))
        .arg(format!("http://127.0.0.1:{http}/"))
        .arg(&shots)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node");
    let mut first_line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(node.stdout.take().unwrap()),
        &mut first_line,
    )
    .unwrap();
    let _ = node.kill();
    let _ = node.wait();
    let page: serde_json::Value = serde_json::from_str(&first_line).unwrap();
    assert_eq!(page["fleet_hidden"], false, "{page}");
    let rows: Vec<Vec<String>> = serde_json::from_value(page["fleet"].clone()).unwrap();
    let row = |first: &str| rows.iter().find(|r| r[0] == first).cloned();
    assert_eq!(row("site south").map(|r| r[1].clone()).as_deref(), Some("online"), "{rows:?}");
    assert_eq!(row("gateway storm-gw").map(|r| r[1].clone()).as_deref(), Some("online"));
    assert_eq!(
        row("board south/parks-desk/2").map(|r| r[1].clone()).as_deref(),
        Some("answering"),
        "{rows:?}"
    );

    // The broker goes away: no stale numbers; each board turns to "no data" after its
    // time-to-live (3 s), and every process stays up.
    broker.kill();
    let no_data = |board: &Arc<Mutex<Shows>>| board.lock().unwrap().screen == Some(Screen::NoData);
    wait("north's board turns to no data", Duration::from_secs(15), || no_data(&north_board));
    wait("south's board turns to no data", Duration::from_secs(15), || no_data(&south_board));
    let mut children = [north, south];
    for child in &mut children {
        assert!(child.try_wait().unwrap().is_none(), "a site stopped when the broker went");
    }
    assert!(storm_gateway.try_wait().unwrap().is_none(), "a gateway stopped");

    // It comes back: so do the figures, by themselves.
    broker.resume();
    wait("north's figures return", Duration::from_secs(40), || shows(&north_board, "STREETS"));
    wait("south's figures return", Duration::from_secs(40), || shows(&south_board, "PARKS"));

    // A gateway dies: the fleet sees it offline within the keep-alive (2 s, the will after
    // 1.5 times that). A new observer: the first lost its subscription with the broker.
    let seen = broker.observe("fleet-observer-2");
    wait("the observer hears the gateways", Duration::from_secs(10), || {
        seen.lock().unwrap().get("callboard/gateways/storm-gw/status").map(Vec::as_slice)
            == Some(b"online".as_slice())
    });
    let killed_at = Instant::now();
    storm_gateway.kill().unwrap();
    let _ = storm_gateway.wait();
    wait("the storm gateway's will", Duration::from_secs(10), || {
        seen.lock().unwrap().get("callboard/gateways/storm-gw/status").map(Vec::as_slice)
            == Some(b"offline".as_slice())
    });
    eprintln!("storm gateway offline {:?} after it was killed", killed_at.elapsed());
    wait("north's fleet view shows the storm gateway offline", Duration::from_secs(10), || {
        status("gateways", "storm-gw") == Some("offline".into())
    });

    done.store(true, Ordering::SeqCst);
    let [north, south] = children;
    let gateway_out = stop(parks_gateway);
    assert!(gateway_out.status.success(), "{}", String::from_utf8_lossy(&gateway_out.stderr));
    let said = String::from_utf8_lossy(&gateway_out.stdout);
    assert!(said.contains("frames forwarded"), "{said}");
    for site in [north, south] {
        let out = stop(site);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Authenticated end to end: the board requires frames sealed under its key, the site holds
/// the key and seals them, and the gateway between, which holds none, passes the sealed frames
/// and the board's sealed answers through the broker untouched. What someone holding a broker
/// password publishes for the board (a plain frame, one sealed under another key, a recording
/// of the site's) is never shown; the board restarts and the site follows it into its new
/// session.
#[test]
fn a_keyed_board_behind_a_gateway_shows_only_its_sites_frames() {
    let key_hex = "5ea1ed0ff311c0ffee00112233445566778899aabbccddeeff00112233445566";
    assert_eq!(key_hex.len(), 64);
    let key = Key::from_hex(key_hex).unwrap();
    let dir = scratch("fleet-keyed");
    let broker = Mosquitto::start(&dir);
    let key_file = dir.join("board-1.key");
    std::fs::write(&key_file, format!("{key_hex}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let shows = Arc::new(Mutex::new(Shows::default()));
    let (done, restart) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let at = keyed_board(1, Some(key), Arc::clone(&shows), Arc::clone(&done), Arc::clone(&restart));
    let key_line = format!("key = \"{}\"", key_file.display());
    let site = start(&site(&dir, &broker, "main", "STREETS", ("storm-room", 1), "", &key_line));
    let relay = gateway(&dir, &broker, "storm-gw", "main", ("storm-room", 1), &at, "sealed = true");
    let heard = broker.observe("keyed-observer");

    let showing = |session: u32| {
        let s = shows.lock().unwrap();
        s.session == session && s.screen == Some(Screen::Figures) && s.labels == ["STREETS"]
    };
    wait("the keyed board shows the site's frames", Duration::from_secs(60), || showing(1));
    // What crossed the broker for the board is sealed (version 3), never readable as a frame.
    let topic = "callboard/main/lines/storm-room/boards/1/frame";
    let recorded = heard.lock().unwrap().get(topic).cloned().expect("the board's frame");
    let header = callboard_serve::line::sealed_header(&recorded);
    assert!(matches!(header, Some((1, _))), "not a sealed frame: {recorded:?}");

    // Someone with a broker password: a plain frame (no queues at all: it would blank the
    // board's figures), the same sealed under another key, and the site's own frame played
    // back.
    let mut storm = callboard_core::board::BoardFrame::EMPTY;
    storm.valid_at = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    storm.ttl_s = 30;
    let evil = callboard_core::wire::HostMessage::Display(storm);
    let mut plain = vec![0_u8; callboard_core::wire::MAX_FRAME_BYTES];
    let len = callboard_core::wire::encode(1, 7, &evil, &mut plain).unwrap();
    plain.truncate(len);
    let mut forged = vec![0_u8; callboard_core::wire::MAX_FRAME_BYTES];
    let auth = callboard_core::wire::Auth { session: 1, counter: u32::MAX - 1 };
    let other = Key::new([0x42; 32]);
    let len =
        callboard_core::wire::encode_authenticated(&other, 1, 8, auth, &evil, &mut forged).unwrap();
    forged.truncate(len);
    // The plain frame goes no further than the gateway, which sends this board only sealed
    // frames; the board refuses the others, each by its reason.
    broker.publish("intruder", topic, plain, false);
    broker.publish("intruder", topic, forged, false);
    wait("the forgery refused", Duration::from_secs(10), || {
        shows.lock().unwrap().refused.forged >= 1
    });
    // A frame the board does not answer holds the line for the answer time (1 s), during which
    // the site's next frame takes the slot (the newest wins): the recording is played until it
    // reaches the board, as its sender would.
    let deadline = Instant::now() + Duration::from_secs(20);
    while shows.lock().unwrap().refused.replayed == 0 {
        assert!(Instant::now() < deadline, "the recording never reached the board");
        std::thread::sleep(Duration::from_millis(1200));
        broker.publish("intruder", topic, recorded.clone(), false);
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(shows.lock().unwrap().refused.unauthenticated, 0, "an unsealed frame reached it");
    // The site's frames go on; no other was ever shown.
    let frames = shows.lock().unwrap().frames;
    wait("the site's frames go on", Duration::from_secs(10), || {
        shows.lock().unwrap().frames > frames + 2 && showing(1)
    });
    assert!(
        shows.lock().unwrap().waiting_shown.iter().all(|&w| w == 2),
        "{:?}",
        shows.lock().unwrap().waiting_shown
    );

    // The board restarts: the site, told the new session, seals for it.
    restart.store(true, Ordering::SeqCst);
    wait("the site follows the board's restart", Duration::from_secs(30), || showing(2));
    done.store(true, Ordering::SeqCst);
    let said = String::from_utf8_lossy(&stop(site).stderr).into_owned();
    assert!(said.contains("is in session 2: it restarted"), "{said}");
    let relayed = String::from_utf8_lossy(&stop(relay).stdout).into_owned();
    assert!(relayed.contains("1 unsealed for boards that take only sealed frames"), "{relayed}");
    let _ = std::fs::remove_dir_all(&dir);
}
