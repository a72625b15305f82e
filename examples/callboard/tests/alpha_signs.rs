//! The Alpha signs a center already owns, driven by `board encode|send --protocol alpha`:
//! the packets are byte for byte those of an implementation callboard did not write
//! (`alphasignpy` from PyPI, installed by the test command into `target/alphasignpy`; its
//! builder is driven by `tests/alpha/oracle.py`), a sign fed a day's replay over TCP is sent
//! its files once and then only the STRING files whose figures changed, and what it ends up
//! showing is what a fresh sign sent the last frame whole shows.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use callboard_core::alpha::command::{WRITE_SPECIAL, WRITE_STRING, WRITE_TEXT};
use callboard_core::alpha::layout::{SIGN_POOL, TEXT_BYTES, TEXT_LABEL};
use callboard_core::alpha::sign::{EmulatedSign, PacketDecoder};
use support::{callboard, sample_log};

/// A command as decoded: its code, its data, and its checksum's verdict.
type Decoded = (u8, Vec<u8>, Option<bool>);

fn decode(packet: &[u8]) -> Vec<Decoded> {
    let mut decoder = PacketDecoder::<TEXT_BYTES>::new();
    packet
        .iter()
        .filter_map(|&b| decoder.feed(b).map(|r| (r.code, r.data.to_vec(), r.checksum_ok)))
        .collect()
}

/// Packets one after another in a byte stream, each from its SOH to its EOT.
fn packets(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in stream.iter().enumerate() {
        if b == 0x04 {
            out.push(stream[start..=i].to_vec());
            start = i + 1;
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn alphasignpy() -> PathBuf {
    std::env::var_os("CALLBOARD_ALPHASIGNPY").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/alphasignpy/bin/python"),
        PathBuf::from,
    )
}

/// The packets alphasignpy builds for the same commands, one per packet given.
fn oracle(ours: &[Vec<u8>], address: &str) -> Vec<String> {
    let mut lines = String::new();
    for packet in ours {
        let commands = decode(packet);
        match commands.first().map(|c| c.0) {
            Some(WRITE_TEXT) => {
                let data = &commands[0].1;
                // Label, ESC, position, mode, message.
                assert_eq!(data[1], 0x1b);
                lines += &format!(
                    "text {} {} {} {}\n",
                    hex(&data[..1]),
                    hex(&data[2..3]),
                    hex(&data[3..4]),
                    hex(&data[4..])
                );
            }
            Some(WRITE_STRING) => {
                lines += "strings";
                for (_, data, _) in &commands {
                    lines += &format!(" {}:{}", hex(&data[..1]), hex(&data[1..]));
                }
                lines += "\n";
            }
            other => panic!("a packet the oracle does not build: {other:?}"),
        }
    }
    let python = alphasignpy();
    let mut child = Command::new(&python)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/alpha/oracle.py"))
        .arg(address)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{}: {e} (scripts/test installs alphasignpy there)", python.display())
        });
    child.stdin.take().unwrap().write_all(lines.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// `callboard board COMMAND --protocol alpha --sign SIGN` on the sample day's PS and PE, with
/// `more` arguments.
fn on_a_sign(command: &str, sign: &str, more: &[&str]) -> std::process::Output {
    let log = sample_log();
    let mut args = vec!["board", command, "--protocol", "alpha", "--sign", sign];
    args.extend_from_slice(&["--queue-log", &log, "--utc-offset", "+02:00"]);
    args.extend_from_slice(&["--queue", "PS=STREETS", "--queue", "PE=ENGLISH"]);
    args.extend_from_slice(more);
    callboard(&args)
}

fn encode(at: &str, sign: &str, announcement: &str) -> Vec<Vec<u8>> {
    let out =
        on_a_sign("encode", sign, &["--address", "1", "--at", at, "--announcement", announcement]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| line.split(' ').map(|h| u8::from_str_radix(h, 16).unwrap()).collect())
        .collect()
}

#[test]
fn the_packets_are_alphasignpys_byte_for_byte() {
    for sign in ["two-line", "one-line", "two-line-red"] {
        let packets = encode("1999-02-10 11:00", sign, "Storm line open");
        // The memory configuration, the TEXT file, the STRING files.
        assert_eq!(packets.len(), 3, "{sign}");
        let configuration = decode(&packets[0]);
        assert_eq!(configuration.len(), 1);
        assert_eq!((configuration[0].0, configuration[0].1[0]), (WRITE_SPECIAL, b'$'));
        let theirs = oracle(&packets[1..], "01");
        let ours: Vec<String> = packets[1..].iter().map(|p| hex(p)).collect();
        assert_eq!(ours, theirs, "{sign}");
        // Every checksum holds, and a sign shows the queues.
        let mut shown = EmulatedSign::<SIGN_POOL>::new();
        for packet in &packets {
            assert!(decode(packet).iter().all(|c| c.2 == Some(true)));
            show(&mut shown, packet);
        }
        let pages = shown.pages::<96>(TEXT_LABEL);
        assert!(pages[0].text.starts_with("STREETS"), "{sign}: {:?}", pages[0].text);
        assert_eq!(pages.last().unwrap().text.as_str(), "Storm line open", "{sign}");
    }
}

#[test]
fn spectrum_signs_get_the_same_files_framed_their_way() {
    let alpha = encode("1999-02-10 11:00", "two-line", "Storm line open");
    let spectrum = encode("1999-02-10 11:00", "spectrum-two-line", "Storm line open");
    assert_eq!(spectrum.len(), alpha.len());
    for (ours, theirs) in spectrum.iter().zip(&alpha) {
        // Ten '0' before the SOH, not five NULs; no checksum after any ETX.
        assert!(ours.starts_with(b"0000000000\x01Z01\x02"), "{ours:?}");
        let commands = decode(ours);
        assert!(commands.iter().all(|c| c.2.is_none()), "{commands:?}");
        let alpha_commands: Vec<_> = decode(theirs).into_iter().map(|c| (c.0, c.1)).collect();
        let commands: Vec<_> = commands.into_iter().map(|c| (c.0, c.1)).collect();
        assert_eq!(commands, alpha_commands);
    }
}

/// A sign on a loopback socket that keeps what it is sent, `preload` first, and answers reads
/// as an Alpha sign on a two-way line does; `mute`, as one on a one-way line (it hears, never
/// answers). Its address.
fn answering_sign(preload: Vec<Vec<u8>>, mute: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut sign = EmulatedSign::<SIGN_POOL>::new();
        for packet in &preload {
            show(&mut sign, packet);
        }
        let Ok((mut line, _)) = listener.accept() else { return };
        let mut decoder = PacketDecoder::<TEXT_BYTES>::new();
        let mut buffer = [0_u8; 512];
        while let Ok(n @ 1..) = line.read(&mut buffer) {
            for &byte in &buffer[..n] {
                let Some(received) = decoder.feed(byte) else { continue };
                let mut answer = [0_u8; 512];
                match sign.answer(&received, &mut answer) {
                    Some(len) if !mute => line.write_all(&answer[..len]).unwrap(),
                    _ => {
                        sign.apply(&received);
                    }
                }
            }
        }
    });
    address
}

#[test]
fn board_check_reads_a_signs_files_or_says_it_did_not_answer() {
    let packets = encode("1999-02-10 11:00", "two-line", "Storm line open");
    let at = answering_sign(packets.clone(), false);
    let out = on_a_sign_line("two-line", &["--address", "1", "--tcp", &at]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The files the memory configuration made: the TEXT file and a STRING file per figure.
    let configured = (decode(&packets[0])[0].1.len() - 1) / 11;
    let mut lines = text.lines();
    let first = format!("sign 01 on tcp {at}: {configured} files");
    assert_eq!(lines.next(), Some(first.as_str()), "{text}");
    assert_eq!(lines.next(), Some("  A TEXT 768 bytes"), "{text}");
    let strings = lines.filter(|l| l.ends_with("STRING 16 bytes")).count();
    assert_eq!(strings, configured - 1, "{text}");

    let mute = answering_sign(packets, true);
    let out =
        on_a_sign_line("two-line", &["--address", "1", "--tcp", &mute, "--timeout-ms", "500"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no answer from sign 01") && said.contains("two-way line"), "{said}");
}

/// `callboard board check --protocol alpha --sign SIGN` with `more` arguments.
fn on_a_sign_line(sign: &str, more: &[&str]) -> std::process::Output {
    let mut args = vec!["board", "check", "--protocol", "alpha", "--sign", sign];
    args.extend_from_slice(more);
    callboard(&args)
}

/// A sign's line on a loopback socket: its address, and everything it hears until the sender
/// hangs up.
fn sign_on_a_socket() -> (String, std::thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let heard = std::thread::spawn(move || {
        let (mut line, _) = listener.accept().unwrap();
        let mut bytes = Vec::new();
        line.read_to_end(&mut bytes).unwrap();
        bytes
    });
    (address, heard)
}

/// Applies every command of `packet` to `sign`.
fn show(sign: &mut EmulatedSign<SIGN_POOL>, packet: &[u8]) -> Vec<u8> {
    let mut codes = Vec::new();
    for (code, data, ok) in decode(packet) {
        let received = callboard_core::alpha::sign::Received {
            type_code: b'Z',
            address: 1,
            code,
            data: &data,
            checksum_ok: ok,
        };
        assert!(sign.apply(&received), "{code} refused");
        codes.push(code);
    }
    codes
}

#[test]
fn a_sign_fed_live_is_sent_only_the_figures_that_change() {
    let (address, heard) = sign_on_a_socket();
    let window = ["--from", "1999-02-10 10:00", "--until", "1999-02-10 10:20"];
    let pace = ["--every", "120", "--speed", "1000"];
    let mut more = vec!["--tcp", address.as_str(), "--address", "1"];
    more.extend_from_slice(&window);
    more.extend_from_slice(&pace);
    let out = on_a_sign("send", "two-line", &more);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("sent 11 frames"), "{summary}");
    assert!(summary.contains("two-line Alpha sign at address 1"), "{summary}");
    let stream = heard.join().unwrap();
    let packets = packets(&stream);
    assert!(summary.contains(&format!("({} bytes)", stream.len())), "{summary}");
    // What the socket heard after the memory configuration, the first frame's TEXT and STRING
    // files and every update, is byte for byte what alphasignpy builds for the same contents.
    let ours: Vec<String> = packets[1..].iter().map(|p| hex(p)).collect();
    assert_eq!(ours, oracle(&packets[1..], "01"));

    let mut sign = EmulatedSign::<SIGN_POOL>::new();
    // The first frame whole: memory configuration, TEXT file, every STRING file.
    assert_eq!(show(&mut sign, &packets[0]), [WRITE_SPECIAL]);
    assert_eq!(show(&mut sign, &packets[1]), [WRITE_TEXT]);
    let strings = show(&mut sign, &packets[2]);
    assert!(strings.iter().all(|&c| c == WRITE_STRING) && strings.len() == 6, "{strings:?}");
    let whole: usize = packets[..3].iter().map(Vec::len).sum();
    // After it, STRING writes only: each packet is its header, each changed file's command
    // (STX, code, label, data, ETX, four checksum digits) and EOT, nothing more.
    let mut updates = 0;
    for packet in &packets[3..] {
        let commands = decode(packet);
        assert!(commands.iter().all(|c| c.0 == WRITE_STRING), "{commands:?}");
        let expected: usize = 9 + commands.iter().map(|c| 7 + c.1.len()).sum::<usize>() + 1;
        assert_eq!(packet.len(), expected);
        assert!(packet.len() * 4 < whole, "{} bytes against {whole}", packet.len());
        show(&mut sign, packet);
        updates += 1;
    }
    assert!(updates >= 5, "{updates} updates in 20 minutes of the morning");
    // What the sign shows at the end is what a sign sent the last frame whole shows.
    let mut fresh = EmulatedSign::<SIGN_POOL>::new();
    for packet in encode("1999-02-10 10:20", "two-line", "") {
        show(&mut fresh, &packet);
    }
    assert_eq!(sign.pages::<96>(TEXT_LABEL), fresh.pages::<96>(TEXT_LABEL));
}

#[test]
fn a_preview_draws_the_signs_screen_in_its_colours() {
    let dir = support::serve::scratch("alpha-preview");
    let png = dir.join("sign.png");
    let preview = |sign: &str, page: &str| {
        let out = png.to_str().unwrap();
        on_a_sign(
            "preview",
            sign,
            &["--page", page, "--scale", "2", "--out", out, "--at", "1999-02-10 11:00"],
        )
    };
    let out = preview("two-line", "1");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("screen 1 of 2: \"STREETS 0 WAIT\" / \"OLD - SL 35%\""), "{said}");
    // 20 characters of 6 LEDs by 2 lines of 8, at 2 screen pixels an LED.
    let image = image::open(&png).unwrap().to_rgb8();
    assert_eq!(image.dimensions(), (240, 32));
    let lit = |rows: std::ops::Range<u32>, want: fn(&image::Rgb<u8>) -> bool| {
        image.enumerate_pixels().filter(|(_, y, p)| rows.contains(y) && want(p)).count()
    };
    let red = |p: &image::Rgb<u8>| p[0] > 200 && p[1] < 80;
    let green = |p: &image::Rgb<u8>| p[1] > 200 && p[0] < 80;
    // No call waits (green); the service level, 35 % against 80 %, is in alarm (red).
    assert!(lit(0..16, green) > 0 && lit(0..16, red) == 0);
    assert!(lit(16..32, red) > 0);
    // A screen the sign does not have is said.
    let out = preview("two-line", "3");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shows 2 screens, not 3"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn serve_drives_an_alpha_sign_on_its_own_line() {
    use support::serve::{scratch, start, stop, wait_for};
    let dir = scratch("serve-alpha");
    let (sign_at, heard) = sign_on_a_socket();
    let log = dir.join("queue_log");
    std::fs::copy(sample_log(), &log).unwrap();
    let state = dir.join("state");
    let config = dir.join("serve.toml");
    let text = format!(
        r#"
[site]
utc_offset = "+02:00"
state_dir = "{state}"
clock = "log"
every_seconds = 0.2
checkpoint_seconds = 1

[source]
queue_log = "{log}"

[[queue]]
name = "PS"
label = "STREETS"

[[queue]]
name = "PE"
label = "ENGLISH"

[[line]]
name = "lobby"
tcp = "{sign_at}"

[[board]]
line = "lobby"
address = 3
queues = ["PS", "PE"]
alpha_sign = "two-line"
"#,
        state = state.display(),
        log = log.display(),
    );
    std::fs::write(&config, &text).unwrap();
    // The site file is checked: a kind of sign it does not know, and a callboard board on the
    // sign's line, are refused with the board named.
    for (bad, expected) in [
        (text.replace("\"two-line\"", "\"three-line\""), "alpha_sign: expected one of one-line"),
        (
            text.clone() + "\n[[board]]\nline = \"lobby\"\naddress = 4\nqueues = [\"PS\"]\n",
            "callboard boards and Alpha signs on one line",
        ),
        (
            text.clone()
                + "\n[[board]]\nline = \"lobby\"\naddress = 4\nqueues = [\"PS\"]\n\
                   alpha_sign = \"spectrum-two-line\"\n",
            "Alpha signs (7E1) and Spectrum signs (7E2) on one line",
        ),
    ] {
        let file = dir.join("bad.toml");
        std::fs::write(&file, bad).unwrap();
        let out = callboard(&["serve", "--config", file.to_str().unwrap(), "--check"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains(expected));
    }

    let day = std::fs::read_to_string(sample_log()).unwrap();
    let last_at =
        day.lines().last().unwrap().split('|').next().unwrap().parse::<u64>().unwrap() * 1000;
    let service = start(&config);
    let figures = wait_for(&state, "the end of the day", |f| {
        f["at_ms"] == last_at && f["boards"][0]["sent"].as_u64().unwrap_or(0) >= 3
    });
    let out = stop(service);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(figures["boards"][0]["up"].as_bool().unwrap());
    let stream = heard.join().unwrap();
    let packets = packets(&stream);
    // The sign was configured and sent its TEXT file once, then figures only.
    let codes: Vec<u8> = packets.iter().flat_map(|p| decode(p)).map(|c| c.0).collect();
    assert_eq!(codes.iter().filter(|&&c| c == WRITE_SPECIAL).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|&&c| c == WRITE_TEXT).count(), 1, "{codes:?}");
    let mut sign = EmulatedSign::<SIGN_POOL>::new();
    for packet in &packets {
        show(&mut sign, packet);
    }
    // What it shows is the day's last figures.
    let ps = figures["queues"].as_array().unwrap().iter().find(|q| q["name"] == "PS").unwrap();
    let today = ps["days"].as_array().unwrap().last().unwrap();
    let pages = sign.pages::<96>(TEXT_LABEL);
    assert!(pages[0].text.starts_with("STREETS "), "{:?}", pages[0].text);
    assert_eq!(pages[2].text.as_str(), "ENGLISH 0 WAIT");
    let level = today["service_level"]["answered"].as_f64();
    if let Some(level) = level {
        let shown = format!("SL {}%", (level * 100.0).round());
        assert!(pages[1].text.ends_with(&shown), "{:?} against {shown}", pages[1].text);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
