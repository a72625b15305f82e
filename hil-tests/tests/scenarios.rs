//! The reader board's firmware image, run as hardware: each test starts the real image under QEMU
//! (or uses the real board named by `CALLBOARD_HIL_SERIAL`) and talks to it over its serial line.

use std::time::{Duration, Instant};

use callboard_board::controller::LINE_SILENCE_MS;
use callboard_core::board::{Alert, BoardFrame, Opening, Reopening};

use callboard_core::calendar::Weekday;
use callboard_core::wire::{
    BROADCAST_ADDRESS, BoardMessage, BoardSettings, DecodeCounts, FrameDecoder, HostMessage,
    MAX_FRAME_BYTES, NackReason, PROTOCOL_VERSION, Screen,
};
use callboard_hil_tests::{
    ADDRESS, EMULATED_BOARD, Emulator, Link, WATCHDOG_DRILL, boot_crc, build, check_stack,
    floor_frame, host_crc, image_size, real_board,
};

/// 2026-11-23 10:00 UTC, the feed's clock in these scenarios.
const MORNING: u64 = 1_795_428_000_000;

/// The board to test: the real one if `CALLBOARD_HIL_SERIAL` names it, else the emulated one.
enum Bench {
    Emulated(Emulator, Link),
    Real(Link),
}

impl Bench {
    fn open() -> Self {
        if let Some(link) = real_board().unwrap() {
            return Self::Real(link);
        }
        let elf = build(EMULATED_BOARD).unwrap();
        let emulator = Emulator::start(&elf).unwrap();
        let link = emulator.connect().unwrap();
        Self::Emulated(emulator, link)
    }

    fn link(&mut self) -> &mut Link {
        match self {
            Self::Emulated(_, link) | Self::Real(link) => link,
        }
    }

    fn emulator(&self) -> Option<&Emulator> {
        match self {
            Self::Emulated(emulator, _) => Some(emulator),
            Self::Real(_) => None,
        }
    }
}

fn status(link: &mut Link) -> (u32, DecodeCounts, Option<u16>) {
    match link.ask(&HostMessage::Ping).unwrap() {
        BoardMessage::Status { uptime_s, counts, shown_sequence } => {
            (uptime_s, counts, shown_sequence)
        }
        other => panic!("a ping answered with {other:?}"),
    }
}

fn showing(link: &mut Link) -> (Screen, Option<u16>, Option<u64>, u32) {
    match link.ask(&HostMessage::WhatAreYouShowing).unwrap() {
        BoardMessage::Showing { screen, shown_sequence, shown_at, framebuffer_crc } => {
            (screen, shown_sequence, shown_at, framebuffer_crc)
        }
        other => panic!("asked what it shows, answered {other:?}"),
    }
}

/// Sends `frame`, expects it acknowledged, and returns its sequence.
fn display(link: &mut Link, frame: &BoardFrame) -> u16 {
    let sequence = link.send(ADDRESS, &HostMessage::Display(frame.clone())).unwrap();
    let (answered, answer) = link.next_answer(callboard_hil_tests::ANSWER_TIME).unwrap();
    assert_eq!((answered, answer), (sequence, BoardMessage::Ack), "display {sequence}");
    sequence
}

/// How long the host gives the board to get round to something. The board works by its own
/// clock, and under QEMU on a busy host that clock falls behind the host's (seen here with
/// compilers running beside it), so the scenarios wait for what they expect to see rather than
/// sleeping a fixed time and hoping the board's clock kept up.
const PATIENCE: Duration = Duration::from_secs(10);

/// Asks with `ask` until `done` holds of the answer, for at most [`PATIENCE`], and returns
/// that answer.
fn eventually<T: std::fmt::Debug>(
    what: &str,
    mut ask: impl FnMut() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let answer = ask();
        if done(&answer) {
            return answer;
        }
        assert!(Instant::now() < deadline, "{what}: still {answer:?} after {PATIENCE:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Asks what the board shows until it has drawn frame `sequence` (a board acknowledges a frame,
/// then draws it on its next pass), and checks it is `frame`, drawn exactly as the host draws
/// it.
fn assert_shows(link: &mut Link, sequence: u16, frame: &BoardFrame, settings: &BoardSettings) {
    let (screen, _, at, crc) =
        eventually("the frame drawn", || showing(link), |shown| shown.1 == Some(sequence));
    let at = at.expect("a frame's picture has an instant");
    assert!(at >= frame.valid_at, "drawn for {at}, before the frame's {}", frame.valid_at);
    assert_eq!(crc, host_crc(Some(frame), Some(at), settings), "{screen:?} at {at}");
}

/// After new settings: asks what the board shows until it is `frame` drawn with `settings`
/// exactly as the host draws it (the settings apply from the board's next pass; a picture drawn
/// before it is not wrong, only old).
fn assert_settles_on(link: &mut Link, sequence: u16, frame: &BoardFrame, settings: &BoardSettings) {
    let drawn_with_settings = |&(_, shown, at, crc): &(Screen, Option<u16>, Option<u64>, u32)| {
        shown == Some(sequence) && at.is_some() && crc == host_crc(Some(frame), at, settings)
    };
    eventually("the frame drawn with the new settings", || showing(link), drawn_with_settings);
}

#[test]
fn boots_into_its_boot_screen_and_answers() {
    let mut bench = Bench::open();
    if bench.emulator().is_none() {
        eprintln!("skipped on a real board: it cannot be reset from here");
        return;
    }
    let link = bench.link();
    assert_eq!(showing(link), (Screen::Boot, None, None, boot_crc(ADDRESS)));
    let (uptime_s, counts, shown) = status(link);
    assert!(uptime_s < 10, "{uptime_s} s");
    assert_eq!(counts, DecodeCounts { accepted: 2, ..DecodeCounts::NONE });
    assert_eq!(shown, None);
}

#[test]
fn shows_exactly_the_frame_it_was_sent() {
    let mut bench = Bench::open();
    let link = bench.link();
    let mut settings = BoardSettings::DEFAULT;

    // The floor's four queues, one a page on a 64-column panel, with the ticker running.
    let floor = floor_frame(MORNING);
    let sequence = display(link, &floor);
    assert_shows(link, sequence, &floor, &settings);
    assert_eq!(showing(link).0, Screen::Figures);

    // A storm: everything in alarm, a long announcement that scrolls.
    let mut storm = floor_frame(MORNING + 2_000);
    for line in &mut storm.queues {
        line.waiting = 41;
        line.longest_wait_s = Some(611);
    }
    storm.announcement = "STORM: power outages citywide, call volume high".try_into().unwrap();
    let sequence = display(link, &storm);
    for _ in 0..3 {
        assert_shows(link, sequence, &storm, &settings);
        std::thread::sleep(Duration::from_millis(70));
    }

    // New settings: faster pages, dimmer. Refused settings change nothing.
    settings = BoardSettings { page_seconds: 2, brightness: 90, ..BoardSettings::DEFAULT };
    assert_eq!(link.ask(&HostMessage::Configure(settings)).unwrap(), BoardMessage::Ack);
    let broken = BoardSettings { page_seconds: 0, ..settings };
    assert_eq!(
        link.ask(&HostMessage::Configure(broken)).unwrap(),
        BoardMessage::Nack(NackReason::InvalidSettings)
    );
    assert_settles_on(link, sequence, &storm, &settings);
    assert_shows(link, sequence, &storm, &settings);

    // Closed for the night.
    let mut night = floor_frame(MORNING + 4_000);
    night.opening = Opening::Closed {
        reopens: Some(Reopening { weekday: Weekday::Tuesday, hour: 8, minute: 0 }),
    };
    let sequence = display(link, &night);
    assert_shows(link, sequence, &night, &settings);
    assert_eq!(showing(link).0, Screen::Closed);

    // A frame already past its time-to-live by the board's clock is refused; the shown one stays.
    let stale = floor_frame(MORNING - 60_000);
    assert_eq!(
        link.ask(&HostMessage::Display(stale)).unwrap(),
        BoardMessage::Nack(NackReason::Expired)
    );
    assert_shows(link, sequence, &night, &settings);

    // Broadcasts are obeyed and never answered.
    let everyone = floor_frame(MORNING + 6_000);
    let broadcast = link.send(BROADCAST_ADDRESS, &HostMessage::Display(everyone.clone())).unwrap();
    link.expect_silence(Duration::from_millis(300)).unwrap();
    assert_shows(link, broadcast, &everyone, &settings);

    // The departments' agreements on the ticker: a frame whose ticker shows Sanitation's
    // breached requests (red) for the next seconds, drawn exactly as the host draws it.
    let agreements = agreements_on_the_ticker(MORNING + 8_000, &settings);
    assert!(!agreements.sla.is_empty());
    let sequence = display(link, &agreements);
    assert_shows(link, sequence, &agreements, &settings);

    // A host not yet upgraded speaks version 1: its display frame is version 2's without the
    // list of agreements. The board shows it and answers in version 1.
    let old = BoardFrame { sla: Default::default(), ..floor_frame(MORNING + 10_000) };
    let mut body = [0_u8; MAX_FRAME_BYTES];
    let body = postcard::to_slice(&HostMessage::Display(old.clone()), &mut body).unwrap();
    let (&mut empty_list, version_1_body) = body.split_last_mut().unwrap();
    assert_eq!(empty_list, 0);
    link.send_raw(&by_hand(1, ADDRESS, 700, version_1_body)).unwrap();
    let (header, answer) = link.next_answer_framed(callboard_hil_tests::ANSWER_TIME).unwrap();
    assert_eq!((header.version, header.sequence, answer), (1, 700, BoardMessage::Ack));
    assert_shows(link, 700, &old, &settings);
}

/// The floor frame, valid from a moment after `after` at which its ticker shows red (the
/// breached count of an agreement) on a 64-column panel from then for at least a second.
fn agreements_on_the_ticker(after: u64, settings: &BoardSettings) -> BoardFrame {
    use callboard_render::colour::Ink;
    use callboard_render::panel::{Hub75Rgb64x32, Panel};
    use callboard_render::render::{Scene, render};
    use embedded_graphics::pixelcolor::raw::ToBytes;

    let red = Hub75Rgb64x32::colour(Ink::Alarm).to_le_bytes();
    let red_on_ticker = |frame: &BoardFrame, now: u64| {
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let scene = Scene { frame: Some(frame), now, settings };
        render::<Hub75Rgb64x32, _>(&scene, &mut framebuffer).unwrap();
        framebuffer.data()[25 * 64 * 2..].chunks(2).any(|pixel| pixel == red)
    };
    (0..600_u64)
        .map(|step| floor_frame(after + step * 100))
        .find(|frame| (0..=10).all(|tenth| red_on_ticker(frame, frame.valid_at + tenth * 100)))
        .expect("the 311 floor frame's ticker carries a breached count")
}

/// Every byte sent to the board, fed to the protocol's own decoder as the board's address sees
/// it: what the board must have counted.
struct Reference(FrameDecoder<MAX_FRAME_BYTES>);

impl Reference {
    fn hear(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            let _ = self.0.feed::<HostMessage>(byte, |a| a == ADDRESS || a == BROADCAST_ADDRESS);
        }
    }
}

/// Sends raw bytes and tells the reference.
fn inject(link: &mut Link, reference: &mut Reference, bytes: &[u8]) {
    reference.hear(bytes);
    link.send_raw(bytes).unwrap();
}

/// A frame by hand: any version, any body, a correct CRC, COBS-framed.
fn by_hand(version: u8, address: u8, sequence: u16, body: &[u8]) -> Vec<u8> {
    let mut payload = vec![version, address];
    payload.extend_from_slice(&sequence.to_le_bytes());
    payload.extend_from_slice(body);
    let crc = callboard_core::crc::crc32(&payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    let mut framed = Vec::new();
    for block in payload.split(|&b| b == 0) {
        // An empty block (two zeros in a row) is a code byte of its own.
        if block.is_empty() {
            framed.push(1);
        }
        for chunk in block.chunks(254) {
            framed.push(u8::try_from(chunk.len() + 1).unwrap());
            framed.extend_from_slice(chunk);
        }
    }
    framed.push(0);
    framed
}

#[test]
fn line_noise_is_counted_and_survived() {
    let mut bench = Bench::open();
    let link = bench.link();
    let (start_uptime, start_counts, _) = status(link);
    let mut reference = Reference(FrameDecoder::new());
    let mut seed: u64 = 0x0311_2026;
    let mut noise = |len: usize| -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (seed >> 56) as u8
            })
            .collect()
    };
    let mut last = None;
    for round in 0..70_u16 {
        let frame = floor_frame(MORNING + u64::from(round) * 2_000);
        let (sequence, good) = link.frame_bytes(ADDRESS, &HostMessage::Display(frame.clone()));
        inject(link, &mut reference, &good);
        let answer = link.next_answer(callboard_hil_tests::ANSWER_TIME).unwrap();
        assert_eq!(answer, (sequence, BoardMessage::Ack), "round {round}");
        last = Some((sequence, frame.clone()));

        let (_, mut bad) = link.frame_bytes(ADDRESS, &HostMessage::Display(frame.clone()));
        let injection = match round % 7 {
            // Line noise, zeros and all, then a delimiter.
            0 => [noise(300), vec![0]].concat(),
            // A frame cut short: its first half, then the next frame's delimiter.
            1 => [&bad[..bad.len() / 2], &[0]].concat(),
            // One bit flipped in the middle (a flip to zero would cut the frame in two).
            2 => {
                let middle = bad.len() / 2;
                bad[middle] ^= if bad[middle] == 0x10 { 0x01 } else { 0x10 };
                bad
            }
            // Far longer than any frame.
            3 => [vec![0x55; 3 * MAX_FRAME_BYTES], vec![0]].concat(),
            // Another board's frame, a Display and a Ping.
            4 => {
                let (_, display) = link.frame_bytes(ADDRESS + 1, &HostMessage::Display(frame));
                let (_, ping) = link.frame_bytes(ADDRESS + 1, &HostMessage::Ping);
                [display, ping].concat()
            }
            // A future protocol version.
            5 => by_hand(PROTOCOL_VERSION + 1, ADDRESS, 7, &[2]),
            // A message this version does not know.
            _ => by_hand(1, ADDRESS, 7, &[9, 1, 2, 3]),
        };
        inject(link, &mut reference, &injection);
    }
    // Nothing in the noise was answered: the next answer is the ping's.
    let (uptime_s, counts, shown) = status(link);
    reference.hear(&link.frame_bytes(ADDRESS, &HostMessage::Ping).1);
    // What the board counted: what it had before (this test's first ping included), and
    // exactly what the protocol's decoder makes of every byte sent since.
    let heard = reference.0.counts();
    let expected = DecodeCounts {
        accepted: start_counts.accepted + heard.accepted,
        oversized: start_counts.oversized + heard.oversized,
        bad_framing: start_counts.bad_framing + heard.bad_framing,
        truncated: start_counts.truncated + heard.truncated,
        bad_crc: start_counts.bad_crc + heard.bad_crc,
        unknown_version: start_counts.unknown_version + heard.unknown_version,
        other_address: start_counts.other_address + heard.other_address,
        malformed: start_counts.malformed + heard.malformed,
    };
    assert_eq!(counts, expected);
    for reason in [
        counts.oversized,
        counts.bad_framing,
        counts.bad_crc,
        counts.unknown_version,
        counts.other_address,
        counts.malformed,
    ] {
        assert!(reason > 0, "every kind of bad frame was sent: {counts:?}");
    }
    // It never restarted: the counts above run on from before the noise (a restart zeroes
    // them), and its uptime only went forward. (Not "by as much as the host's clock": under a
    // busy emulator the board's clock runs behind.)
    assert!(uptime_s >= start_uptime, "uptime {uptime_s} s, was {start_uptime} s");
    let (sequence, frame) = last.unwrap();
    assert_eq!(shown, Some(sequence));
    assert_shows(link, sequence, &frame, &BoardSettings::DEFAULT);

    if let Some(emulator) = bench.emulator() {
        let size = image_size(&build(EMULATED_BOARD).unwrap()).unwrap();
        check_stack(emulator, &size, &format!("after {} frames", counts.accepted));
    }
}

#[test]
fn no_data_after_the_time_to_live_then_figures_again() {
    let mut bench = Bench::open();
    let link = bench.link();
    let settings = BoardSettings::DEFAULT;
    let mut short = floor_frame(MORNING);
    short.ttl_s = 2;
    let sequence = display(link, &short);
    assert_shows(link, sequence, &short, &settings);
    assert_eq!(showing(link).0, Screen::Figures);

    // Two seconds by the board's clock.
    let (screen, shown, at, crc) =
        eventually("no data", || showing(link), |shown| shown.0 != Screen::Figures);
    assert_eq!((screen, shown), (Screen::NoData, None));
    let at = at.unwrap();
    assert!(at >= short.valid_at + 2_000);
    assert_eq!(crc, host_crc(Some(&short), Some(at), &settings));
    assert_eq!(status(link).2, None, "no frame is shown");

    let mut back = floor_frame(MORNING + 4_000);
    back.ttl_s = 30;
    let sequence = display(link, &back);
    assert_shows(link, sequence, &back, &settings);
    assert_eq!(showing(link).0, Screen::Figures);
}

#[test]
fn a_cable_cut_mid_frame_loses_nothing_after_it() {
    let mut bench = Bench::open();
    let frame = floor_frame(MORNING);
    let (_, before, _) = status(bench.link());
    let (_, cut) = bench.link().frame_bytes(ADDRESS, &HostMessage::Display(frame.clone()));
    bench.link().send_raw(&cut[..cut.len() / 3]).unwrap();
    let pause = Duration::from_millis(3 * LINE_SILENCE_MS);
    // Unplugged mid-frame; plugged back in after a pause. On the emulator the connection to its
    // UART goes and a new one comes; on a real line the board only sees the silence.
    let (_emulator, mut link) = match bench {
        Bench::Emulated(emulator, old) => {
            drop(old);
            std::thread::sleep(pause);
            let link = emulator.connect().unwrap();
            (Some(emulator), link)
        }
        Bench::Real(old) => {
            drop(old);
            std::thread::sleep(pause);
            (None, real_board().unwrap().unwrap())
        }
    };
    let sequence = display(&mut link, &frame);
    // The board acknowledges a frame, then draws it on its next pass; "shown" is what it drew.
    let (_, counts, _) =
        eventually("the frame drawn", || status(&mut link), |s| s.2 == Some(sequence));
    assert_eq!(counts.truncated, before.truncated + 1, "{counts:?}");
    assert_eq!(counts.discarded(), before.discarded() + 1, "{counts:?}");
    assert_shows(&mut link, sequence, &frame, &BoardSettings::DEFAULT);
}

#[test]
fn the_watchdog_restarts_a_board_that_hangs() {
    if real_board().unwrap().is_some() {
        eprintln!("skipped on a real board: the drill needs the drill image");
        return;
    }
    let elf = build(WATCHDOG_DRILL).unwrap();
    let emulator = Emulator::start(&elf).unwrap();
    let mut link = emulator.connect().unwrap();
    let mut drill = floor_frame(MORNING);
    eventually("the board up for a second before the drill", || status(&mut link), |s| s.0 >= 1);
    drill.announcement = "WATCHDOG DRILL".try_into().unwrap();
    display(&mut link, &drill);
    // Hung: it answers nothing...
    link.expect_silence(Duration::from_millis(300)).unwrap();
    let sent = link.send(ADDRESS, &HostMessage::Ping).unwrap();
    let hung = link.next_answer(Duration::from_millis(200));
    assert!(hung.is_err(), "a hung board answered ping {sent}: {hung:?}");
    // ...until the watchdog restarts it (within two of its periods) into its boot screen.
    let deadline = Instant::now() + Duration::from_secs(10);
    let hung_at = Instant::now();
    let restarted = loop {
        assert!(Instant::now() < deadline, "the board never came back");
        std::thread::sleep(Duration::from_millis(200));
        let sent = link.send(ADDRESS, &HostMessage::Ping).unwrap();
        if let Ok((answered, answer)) = link.next_answer(Duration::from_millis(300)) {
            assert_eq!(answered, sent);
            break answer;
        }
    };
    let BoardMessage::Status { uptime_s, shown_sequence, .. } = restarted else {
        panic!("{restarted:?}");
    };
    // Up for less time than it has been since it hung: it started again.
    assert!(
        u64::from(uptime_s) < hung_at.elapsed().as_secs().max(1),
        "uptime {uptime_s} s, {:?} after the hang: it did not restart",
        hung_at.elapsed()
    );
    assert_eq!(shown_sequence, None);
    assert_eq!(showing(&mut link), (Screen::Boot, None, None, boot_crc(ADDRESS)));
    assert!(emulator.running());
}

/// A small, seeded generator (xorshift64*), so that a failing sample can be run again:
/// `CALLBOARD_HIL_SEED` picks the seed, `CALLBOARD_HIL_FRAMES` how many frames.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn maybe<T>(&mut self, value: T) -> Option<T> {
        (self.below(4) != 0).then_some(value)
    }

    fn alert(&mut self) -> Alert {
        [Alert::Normal, Alert::Warning, Alert::Alarm][self.below(3) as usize]
    }

    fn text(&mut self, max: u64) -> String {
        const LETTERS: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz0123456789:.,-!%";
        let len = self.below(max + 1);
        (0..len).map(|_| char::from(LETTERS[self.below(LETTERS.len() as u64) as usize])).collect()
    }
}

/// A random frame the board takes: 1 to 8 queues with any figures and alerts, labels and an
/// announcement of any length up to their limits, open or closed.
fn random_frame(draw: &mut Draw, valid_at: u64) -> BoardFrame {
    let mut frame = floor_frame(valid_at);
    let template = frame.queues[0].clone();
    frame.queues.clear();
    for _ in 0..=draw.below(8) {
        let mut line = template.clone();
        line.label = draw.text(16).as_str().try_into().expect("16 bytes fit");
        line.waiting = draw.below(1_200) as u16;
        line.longest_wait_s = {
            let value = draw.below(7_200) as u32;
            draw.maybe(value)
        };
        line.expected_wait_s = {
            let value = draw.below(3_600) as u32;
            draw.maybe(value)
        };
        line.service_level_permille = {
            let value = draw.below(1_001) as u16;
            draw.maybe(value)
        };
        line.agents_available = draw.below(120) as u16;
        line.alerts.waiting = draw.alert();
        line.alerts.longest_wait = draw.alert();
        line.alerts.expected_wait = draw.alert();
        line.alerts.service_level = draw.alert();
        line.alerts.agents_available = draw.alert();
        frame.queues.push(line).expect("eight queues fit");
    }
    frame.announcement = draw.text(96).as_str().try_into().expect("96 bytes fit");
    if draw.below(5) == 0 {
        let reopens = Reopening {
            weekday: [Weekday::Monday, Weekday::Saturday, Weekday::Sunday][draw.below(3) as usize],
            hour: draw.below(24) as u8,
            minute: draw.below(60) as u8,
        };
        frame.opening = Opening::Closed { reopens: draw.maybe(reopens) };
    }
    if draw.below(3) == 0 {
        frame.sla.clear();
    }
    frame
}

/// Random frames over the line: each one the board acknowledges is drawn exactly as the host
/// renderer draws it (the framebuffer's CRC against the host's, at the instant the board says
/// it drew it).
#[test]
fn random_frames_are_drawn_as_the_host_draws_them() {
    let seed = std::env::var("CALLBOARD_HIL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
                as u64
                | 1
        });
    let frames =
        std::env::var("CALLBOARD_HIL_FRAMES").ok().and_then(|s| s.parse().ok()).unwrap_or(24);
    eprintln!("random frames: CALLBOARD_HIL_SEED={seed} CALLBOARD_HIL_FRAMES={frames}");
    let mut draw = Draw(seed);
    let mut bench = Bench::open();
    let link = bench.link();
    let settings = BoardSettings::DEFAULT;
    for n in 0..frames {
        let frame = random_frame(&mut draw, MORNING + n * 3_000);
        let sequence = display(link, &frame);
        assert_shows(link, sequence, &frame, &settings);
    }
    if let Some(emulator) = bench.emulator() {
        assert!(emulator.running(), "the board stopped");
    }
}
