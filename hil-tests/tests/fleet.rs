//! The fleet with the real firmware: two `callboard serve` sites publish to Debian's mosquitto;
//! one `callboard gateway` drives the emulated board (QEMU) from the main site's frames, another
//! a stand-in board from the overflow site's. Each board shows its own site's figures; the main
//! site's fleet view (`GET /api/v1/fleet`) sees both sites, both gateways and both boards, and
//! the overflow gateway offline once it is killed. The emulated board shows the site's last
//! published frame, pixel for pixel as the host draws it; the site hears the board's health
//! back through the broker; with the broker gone, the board turns to "no data" after its
//! time-to-live, and never restarts.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_core::wire::{
    BoardMessage, BoardSettings, Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES, Screen,
};
use callboard_floor::stand_in::StandIn;
use callboard_hil_tests::broker::Mosquitto;
use callboard_hil_tests::{
    ADDRESS, EMULATED_BOARD, Emulator, Link, build, host_artifact, host_crc, repository,
};

/// The board's time-to-live: long enough to ask it what it shows after the gateway stops.
const TTL_S: u64 = 8;

fn spawn(callboard: &Path, args: &[&str]) -> Child {
    Command::new(callboard)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn terminate(child: Child) -> String {
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait(what: &str, limit: Duration, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `GET target` on the site's HTTP side, as JSON.
fn get_json(port: u16, target: &str) -> serde_json::Value {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or(serde_json::Value::Null)
}

/// What the board shows, asked on its line (nothing else may be connected).
fn showing(link: &mut Link) -> (Screen, Option<u64>, u32, u64) {
    let uptime = match link.ask(&HostMessage::Ping).unwrap() {
        BoardMessage::Status { uptime_s, .. } => uptime_s,
        other => panic!("pinged, answered {other:?}"),
    };
    match link.ask(&HostMessage::WhatAreYouShowing).unwrap() {
        BoardMessage::Showing { screen, shown_at, framebuffer_crc, .. } => {
            (screen, shown_at, framebuffer_crc, u64::from(uptime))
        }
        other => panic!("asked what it shows, answered {other:?}"),
    }
}

#[test]
fn a_gateway_drives_the_emulated_board_from_the_broker() {
    let callboard = host_artifact("callboard-cli", &["--bin", "callboard"], "callboard").unwrap();
    let dir = repository().join("target/hil").join(format!("fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut broker = Mosquitto::start(&dir);
    let emulator = Emulator::start(&build(EMULATED_BOARD).unwrap()).unwrap();
    // The board runs from its line's first connection.
    drop(emulator.connect().unwrap());

    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let log = dir.join("queue_log");
    std::fs::write(
        &log,
        format!(
            "{t}|c1|STREETS|NONE|ENTERQUEUE||5550101|1\n{t}|c2|STREETS|NONE|ENTERQUEUE||5550102|2\n\
             {t}|c3|SANITATION|NONE|ENTERQUEUE||5550103|1\n",
            t = now - 5
        ),
    )
    .unwrap();
    let state = dir.join("state");
    let site = dir.join("site.toml");
    let http = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    std::fs::write(
        &site,
        format!(
            "[site]\nutc_offset = \"+00:00\"\nstate_dir = \"{}\"\nclock = \"wall\"\n\
             every_seconds = 0.5\ncheckpoint_seconds = 1\n\n[source]\nqueue_log = \"{}\"\n\n\
             [[queue]]\nname = \"STREETS\"\n\n[[queue]]\nname = \"SANITATION\"\n\n\
             [[line]]\nname = \"ops-room\"\ngateway = true\n\n[[board]]\nline = \"ops-room\"\n\
             address = {ADDRESS}\nqueues = [\"STREETS\", \"SANITATION\"]\npanel = \"hub75-64x32\"\n\
             ttl_seconds = {TTL_S}\n\n[http]\naddress = \"127.0.0.1:{http}\"\n\n{}",
            state.display(),
            log.display(),
            broker.section("main")
        ),
    )
    .unwrap();
    // The overflow site: its own log and queue, a board on a desk in another room.
    let overflow_log = dir.join("overflow.queue_log");
    std::fs::write(&overflow_log, format!("{}|o1|PARKS|NONE|ENTERQUEUE||5550199|1\n", now - 5))
        .unwrap();
    let overflow = dir.join("overflow.toml");
    std::fs::write(
        &overflow,
        format!(
            "[site]\nutc_offset = \"+00:00\"\nstate_dir = \"{}\"\nclock = \"wall\"\n\
             every_seconds = 0.5\n\n[source]\nqueue_log = \"{}\"\n\n[[queue]]\nname = \"PARKS\"\n\n\
             [[line]]\nname = \"overflow-desk\"\ngateway = true\n\n[[board]]\n\
             line = \"overflow-desk\"\naddress = 2\nqueues = [\"PARKS\"]\n\n{}",
            dir.join("overflow-state").display(),
            overflow_log.display(),
            broker.section("overflow")
        ),
    )
    .unwrap();
    let desk = StandIn::start(&[2], None).unwrap();
    let desk_gateway_file = dir.join("desk-gateway.toml");
    std::fs::write(
        &desk_gateway_file,
        format!(
            "{}\n[[line]]\nsite = \"overflow\"\nname = \"overflow-desk\"\ntcp = \"{}\"\n\n\
             [[board]]\nline = \"overflow-desk\"\naddress = 2\n",
            broker.section("desk-gw"),
            desk.address
        ),
    )
    .unwrap();
    let gateway_file = dir.join("gateway.toml");
    std::fs::write(
        &gateway_file,
        format!(
            "{}\n[[line]]\nsite = \"main\"\nname = \"ops-room\"\ntcp = \"{}\"\n\n\
             [[board]]\nline = \"ops-room\"\naddress = {ADDRESS}\n",
            broker.section("ops-gw"),
            emulator.serial_address()
        ),
    )
    .unwrap();
    let site_args = ["serve", "--config", site.to_str().unwrap()];
    let gateway_args = ["gateway", "--config", gateway_file.to_str().unwrap()];
    let serve = spawn(&callboard, &site_args);
    let gateway = spawn(&callboard, &gateway_args);

    // The site hears, through the broker, that the board acknowledges its frames.
    let acknowledged = || -> u64 {
        std::fs::read(state.join("figures.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|f| f["boards"][0]["acknowledged"].as_u64())
            .unwrap_or(0)
    };
    wait("the board acknowledges, as the site hears", Duration::from_secs(60), || {
        acknowledged() >= 3
    });

    // The overflow site and its gateway: the desk's board shows the overflow's queue, and the
    // main site's fleet view sees both sites, both gateways and both boards.
    let overflow_site = spawn(&callboard, &["serve", "--config", overflow.to_str().unwrap()]);
    let mut desk_gateway =
        spawn(&callboard, &["gateway", "--config", desk_gateway_file.to_str().unwrap()]);
    wait("the desk's board shows the overflow's queue", Duration::from_secs(60), || {
        desk.last_frame(2).is_some_and(|f| {
            f.queues.len() == 1 && f.queues[0].label.as_str() == "PARKS" && f.queues[0].waiting == 1
        })
    });
    let status = |kind: &str, name: &str| -> Option<String> {
        let view = get_json(http, "/api/v1/fleet");
        view["fleet"][kind].as_array().and_then(|all| {
            all.iter()
                .find(|x| x["name"] == name)
                .and_then(|x| x["status"].as_str().map(String::from))
        })
    };
    wait("the fleet view sees everyone", Duration::from_secs(20), || {
        let boards = get_json(http, "/api/v1/fleet")["fleet"]["boards"].clone();
        status("sites", "main").as_deref() == Some("online")
            && status("sites", "overflow").as_deref() == Some("online")
            && status("gateways", "ops-gw").as_deref() == Some("online")
            && status("gateways", "desk-gw").as_deref() == Some("online")
            && boards.as_array().is_some_and(|b| b.len() == 2)
    });
    // The desk's gateway dies: the fleet view shows it offline within the keep-alive.
    desk_gateway.kill().unwrap();
    let _ = desk_gateway.wait();
    wait("the fleet view shows the desk's gateway offline", Duration::from_secs(10), || {
        status("gateways", "desk-gw").as_deref() == Some("offline")
    });
    let _ = terminate(overflow_site);

    // The broker goes away: the gateway gets nothing, and the board turns to "no data" after
    // its time-to-live instead of keeping the last numbers.
    broker.kill();
    std::thread::sleep(Duration::from_secs(TTL_S + 2));
    let said = terminate(gateway);
    assert!(said.contains("frames forwarded"), "{said}");
    let mut link = emulator.connect().unwrap();
    let (screen, _, _, uptime) = showing(&mut link);
    assert_eq!(screen, Screen::NoData, "stale figures kept with the broker gone");
    assert!(uptime >= TTL_S, "the board restarted (up {uptime} s)");
    drop(link);

    // The broker and the gateway return; the figures with them.
    broker.resume();
    let gateway = spawn(&callboard, &gateway_args);
    let before = acknowledged();
    wait("the figures return", Duration::from_secs(60), || acknowledged() >= before + 3);
    let heard = broker.observe("fleet-hil-observer");
    // The site stops (its goodbye: offline); the gateway forwards the last frame it published.
    let _ = terminate(serve);
    std::thread::sleep(Duration::from_millis(1500));
    let _ = terminate(gateway);
    let frame = {
        let heard = heard.lock().unwrap();
        assert_eq!(
            heard.get("callboard/main/status").map(Vec::as_slice),
            Some(b"offline".as_slice())
        );
        let bytes = heard
            .get(&format!("callboard/main/lines/ops-room/boards/{ADDRESS}/frame"))
            .expect("the board's frame, retained")
            .clone();
        let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
        bytes
            .iter()
            .find_map(|&b| match decoder.feed::<HostMessage>(b, |a| a == ADDRESS) {
                Some(Decoded::Frame(_, HostMessage::Display(frame))) => Some(frame),
                _ => None,
            })
            .expect("a Display")
    };
    assert_eq!(frame.queues.len(), 2);
    assert_eq!((frame.queues[0].waiting, frame.queues[1].waiting), (2, 1));
    let mut link = emulator.connect().unwrap();
    let (screen, shown_at, crc, _) = showing(&mut link);
    assert_eq!(screen, Screen::Figures);
    assert_eq!(
        crc,
        host_crc(Some(&frame), shown_at, &BoardSettings::DEFAULT),
        "the board's picture is the host's of the site's last frame"
    );
    assert!(emulator.running());
    drop(broker);
    let _ = std::fs::remove_dir_all(&dir);
}
