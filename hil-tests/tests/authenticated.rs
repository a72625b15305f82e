//! Only the center writes to a board: the emulated board built with a key (`AUTHENTICATED_BOARD`)
//! shows authentic frames exactly as before, and no forged, tampered, replayed, unauthenticated
//! or out-of-session frame sent on its line ever reaches its display; each is counted by
//! reason. Each start of the board, a reset (QEMU's `system_reset`) or a power cut (QEMU
//! stopped and started again on the same non-volatile memory), is a new session, so a frame
//! recorded before it is refused after it.

use std::time::{Duration, Instant};

use callboard_core::board::BoardFrame;
use callboard_core::crc::crc32;
use callboard_core::wire::{
    Auth, AuthCounts, BoardMessage, BoardSettings, HostMessage, Key, MAX_FRAME_BYTES, NackReason,
    Screen, seal,
};
use callboard_hil_tests::{
    ADDRESS, ANSWER_TIME, AUTHENTICATED_BOARD, Emulator, Link, TEST_KEY, boot_crc, build,
    check_stack, floor_frame, host_crc, image_size,
};

/// 2026-11-23 10:00 UTC.
const MORNING: u64 = 1_795_428_000_000;

fn key() -> Key {
    Key::from_hex(TEST_KEY).unwrap()
}

/// `message` to the board as the next frame, sealed with `auth` under `key`; its sequence.
fn sealed(link: &mut Link, key: &Key, auth: Auth, message: &HostMessage) -> (u16, Vec<u8>) {
    let (sequence, plain) = link.frame_bytes(ADDRESS, message);
    let mut out = vec![0; MAX_FRAME_BYTES];
    let len = seal(key, auth, &plain, &mut out).unwrap();
    out.truncate(len);
    (sequence, out)
}

/// Sends `bytes` and returns the authenticated answer to `sequence`, with its session.
fn answer(link: &mut Link, sequence: u16, bytes: &[u8]) -> (Auth, BoardMessage) {
    link.send_raw(bytes).unwrap();
    let (header, message) = link.next_answer_framed(ANSWER_TIME).unwrap();
    assert_eq!(header.sequence, sequence, "{message:?}");
    (header.auth.expect("an authenticated answer"), message)
}

/// The board's session, from its answer to a ping in session 0.
fn session(link: &mut Link, counter: u32) -> u32 {
    let (sequence, bytes) = sealed(link, &key(), Auth { session: 0, counter }, &HostMessage::Ping);
    let (auth, message) = answer(link, sequence, &bytes);
    assert!(matches!(message, BoardMessage::Status { .. }), "{message:?}");
    assert_eq!(auth.counter, counter, "the answer echoes the question's counter");
    auth.session
}

fn showing(link: &mut Link, session: u32, counter: u32) -> (Screen, Option<u16>, Option<u64>, u32) {
    let auth = Auth { session, counter };
    let (sequence, bytes) = sealed(link, &key(), auth, &HostMessage::WhatAreYouShowing);
    match answer(link, sequence, &bytes).1 {
        BoardMessage::Showing { screen, shown_sequence, shown_at, framebuffer_crc } => {
            (screen, shown_sequence, shown_at, framebuffer_crc)
        }
        other => panic!("asked what it shows, answered {other:?}"),
    }
}

fn refused(link: &mut Link, session: u32) -> AuthCounts {
    let (sequence, bytes) =
        sealed(link, &key(), Auth { session, counter: 0 }, &HostMessage::Security);
    match answer(link, sequence, &bytes).1 {
        BoardMessage::Security { session: said, counts, .. } => {
            assert_eq!(said, session);
            counts
        }
        other => panic!("asked what it refused, answered {other:?}"),
    }
}

/// A frame's bytes with its CRC made good again after `change` edits its payload: what an
/// attacker who knows the protocol (but not the key) sends.
fn tampered(frame: &[u8], change: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut payload = frame[..frame.len() - 1].to_vec();
    let len = cobs::decode_in_place(&mut payload).unwrap();
    payload.truncate(len - 4);
    change(&mut payload);
    let crc = crc32(&payload).to_le_bytes();
    payload.extend_from_slice(&crc);
    let mut out = vec![0; payload.len() + payload.len() / 254 + 2];
    let n = cobs::encode(&payload, &mut out);
    out.truncate(n);
    out.push(0);
    out
}

/// Waits until the board shows frame `sequence` (it draws within a few milliseconds).
fn shows(link: &mut Link, session: u32, counter: &mut u32, sequence: u16, frame: &BoardFrame) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        *counter += 1;
        let (screen, shown, at, crc) = showing(link, session, *counter);
        if shown == Some(sequence) {
            assert_eq!(screen, Screen::Figures);
            assert_eq!(crc, host_crc(Some(frame), at, &BoardSettings::DEFAULT));
            return;
        }
        assert!(
            Instant::now() < deadline,
            "frame {sequence} never shown: {screen:?} {shown:?} {at:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn no_forged_tampered_or_replayed_frame_reaches_the_display() {
    let elf = build(AUTHENTICATED_BOARD).unwrap();
    let size = image_size(&elf).unwrap();
    let emulator = Emulator::start(&elf).unwrap();
    let mut link = emulator.connect().unwrap();
    link.set_key(key());
    let first = session(&mut link, 7);
    assert_eq!(first, 1, "a board just powered on is in its first session");

    // An authentic frame: acknowledged, and shown exactly as the host draws it.
    let mut counter = 1;
    let genuine = floor_frame(MORNING);
    let display = HostMessage::Display(genuine.clone());
    let (shown_sequence, recorded) =
        sealed(&mut link, &key(), Auth { session: first, counter }, &display);
    let (auth, ack) = answer(&mut link, shown_sequence, &recorded);
    assert_eq!((auth, ack), (Auth { session: first, counter }, BoardMessage::Ack));
    shows(&mut link, first, &mut counter, shown_sequence, &genuine);

    // What someone else on the line sends, each with a frame that would say 999 waiting.
    let mut storm = floor_frame(MORNING + 2_000);
    storm.queues[0].waiting = 999;
    let evil = HostMessage::Display(storm);
    let next = Auth { session: first, counter: counter + 1 };
    let (_, unauthenticated) = link.frame_bytes(ADDRESS, &evil);
    let (_, wrong_key) = sealed(&mut link, &Key::new([0x42; 32]), next, &evil);
    let (_, good) = sealed(&mut link, &key(), next, &evil);
    // One byte of the message changed, the CRC made good: the tag no longer holds.
    let changed = tampered(&good, |p| p[20] ^= 0x01);
    // The tag's last four bytes cut off, the CRC made good.
    let cut = tampered(&good, |p| p.truncate(p.len() - 4));
    link.send_raw(&unauthenticated).unwrap();
    link.send_raw(&wrong_key).unwrap();
    link.send_raw(&changed).unwrap();
    link.send_raw(&cut).unwrap();
    // None of those is answered.
    link.expect_silence(Duration::from_millis(300)).unwrap();
    // The recording of the genuine frame, played back: silently refused.
    link.send_raw(&recorded).unwrap();
    link.expect_silence(Duration::from_millis(300)).unwrap();
    // A frame from the future: authentic, but for a session the board has not reached (the key
    // in the wrong hands would need it); refused, and the answer names the current session.
    let (future_sequence, future) =
        sealed(&mut link, &key(), Auth { session: first + 1, counter: 1 }, &evil);
    let (auth, nack) = answer(&mut link, future_sequence, &future);
    assert_eq!(nack, BoardMessage::Nack(NackReason::OtherSession));
    assert_eq!(auth.session, first);
    // Still the genuine frame, pixel for pixel.
    shows(&mut link, first, &mut counter, shown_sequence, &genuine);
    let counts = refused(&mut link, first);
    assert_eq!(
        counts,
        AuthCounts { unauthenticated: 1, forged: 3, replayed: 1, other_session: 1 },
        "each refused frame counted by reason"
    );

    // A restart: a new session, and the recording from before it is refused after it.
    emulator.monitor("system_reset").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let second = loop {
        std::thread::sleep(Duration::from_millis(200));
        let (sequence, bytes) =
            sealed(&mut link, &key(), Auth { session: 0, counter: 99 }, &HostMessage::Ping);
        link.send_raw(&bytes).unwrap();
        if let Ok((header, BoardMessage::Status { uptime_s, .. })) =
            link.next_answer_framed(Duration::from_millis(500))
        {
            if header.sequence == sequence && uptime_s < 5 {
                break header.auth.unwrap().session;
            }
        }
        assert!(Instant::now() < deadline, "the board never came back from its reset");
    };
    assert_eq!(second, first + 1, "a reset is the next session");
    let (_, replay) = sealed(&mut link, &key(), Auth { session: first, counter: 1 }, &display);
    link.send_raw(&replay).unwrap();
    let (_, nack) = link.next_answer_framed(ANSWER_TIME).unwrap();
    assert_eq!(nack, BoardMessage::Nack(NackReason::OtherSession));
    let (screen, shown, _, crc) = showing(&mut link, second, 1);
    assert_eq!((screen, shown, crc), (Screen::Boot, None, boot_crc(ADDRESS)));
    // The host, told the session, goes on counting from 1 in it.
    let mut counter = 1;
    let later = floor_frame(MORNING + 4_000);
    let (sequence, bytes) = sealed(
        &mut link,
        &key(),
        Auth { session: second, counter },
        &HostMessage::Display(later.clone()),
    );
    assert_eq!(answer(&mut link, sequence, &bytes).1, BoardMessage::Ack);
    shows(&mut link, second, &mut counter, sequence, &later);

    check_stack(&emulator, &size, "with authentication on");
    assert!(emulator.running());
}

/// A power cut takes nothing back: the board counts its starts in non-volatile memory (its boot
/// log, in the emulator's PSRAM kept in a file), so after the power comes back it is in a session
/// it has never been in, and a frame recorded before the cut is refused. The emulator is stopped
/// outright (a process killed, its RAM gone) and started again on the same memory.
#[test]
fn a_frame_recorded_before_a_power_cut_is_refused_after_it() {
    let elf = build(AUTHENTICATED_BOARD).unwrap();
    let memory = callboard_hil_tests::repository()
        .join("target/hil")
        .join(format!("nvm-{}.bin", std::process::id()));
    let _ = std::fs::remove_file(&memory);
    let power_on = || {
        let emulator = Emulator::start_with_memory(&elf, &memory).unwrap();
        let mut link = emulator.connect().unwrap();
        link.set_key(key());
        (emulator, link)
    };

    let (emulator, mut link) = power_on();
    let first = session(&mut link, 1);
    assert_eq!(first, 1, "a board whose memory is blank is in its first session");
    let genuine = floor_frame(MORNING);
    let display = HostMessage::Display(genuine.clone());
    let (sequence, recorded) =
        sealed(&mut link, &key(), Auth { session: first, counter: 1 }, &display);
    assert_eq!(answer(&mut link, sequence, &recorded).1, BoardMessage::Ack);
    let mut counter = 1;
    shows(&mut link, first, &mut counter, sequence, &genuine);
    drop(link);
    drop(emulator);

    for expected in [first + 1, first + 2] {
        let (emulator, mut link) = power_on();
        let now = session(&mut link, 1);
        assert_eq!(now, expected, "each power-on is a session never used before");
        // The recording, played back as it was captured: refused, the board naming its session.
        link.send_raw(&recorded).unwrap();
        let (header, nack) = link.next_answer_framed(ANSWER_TIME).unwrap();
        assert_eq!(nack, BoardMessage::Nack(NackReason::OtherSession));
        assert_eq!(header.auth.map(|a| a.session), Some(now));
        let (screen, shown, _, crc) = showing(&mut link, now, 2);
        assert_eq!((screen, shown, crc), (Screen::Boot, None, boot_crc(ADDRESS)));
        assert_eq!(refused(&mut link, now).other_session, 1);
        // The host, told the session, is shown as before.
        let later = floor_frame(MORNING + u64::from(now) * 60_000);
        let mut counter = 1;
        let (sequence, bytes) = sealed(
            &mut link,
            &key(),
            Auth { session: now, counter },
            &HostMessage::Display(later.clone()),
        );
        assert_eq!(answer(&mut link, sequence, &bytes).1, BoardMessage::Ack);
        shows(&mut link, now, &mut counter, sequence, &later);
        assert!(emulator.running());
    }
    let _ = std::fs::remove_file(&memory);
}

/// The host's side from the command line: `board keygen` makes a key file only its owner can
/// read; `board send --key` feeds the keyed board a replayed morning, every frame sealed and
/// acknowledged; `board check --key` reads the board's session, last counter and refusals;
/// `board send` without the key is refused frame after frame.
#[test]
fn board_send_and_check_with_a_key_file() {
    let callboard =
        callboard_hil_tests::host_artifact("callboard-cli", &["--bin", "callboard"], "callboard")
            .unwrap();
    let dir = callboard_hil_tests::repository()
        .join("target/hil")
        .join(format!("keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(&callboard).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // keygen: a new file, 0600, 64 hex digits; never overwritten.
    let made = dir.join("made.key");
    let (code, _, said) = run(&["board", "keygen", "--out", made.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{said}");
    let text = std::fs::read_to_string(&made).unwrap();
    assert!(Key::from_hex(text.trim()).is_ok(), "{text}");
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&made).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (code, _, said) = run(&["board", "keygen", "--out", made.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(said.contains("never overwritten"), "{said}");

    // The suite's test key, which the emulated board is built with.
    let key_file = dir.join("board-1.key");
    std::fs::write(&key_file, format!("{TEST_KEY}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let emulator = Emulator::start(&build(AUTHENTICATED_BOARD).unwrap()).unwrap();
    drop(emulator.connect().unwrap());
    let at = emulator.serial_address();
    let log =
        callboard_hil_tests::repository().join("examples/data/anonymous-bank-1999-02-10.queue_log");
    let send = |key: Option<&str>| {
        let mut args = vec!["board", "send", "--address", "1", "--tcp", &at];
        args.extend_from_slice(&["--queue-log", log.to_str().unwrap(), "--utc-offset", "+02:00"]);
        args.extend_from_slice(&["--queue", "PS=STREETS", "--from", "1999-02-10 10:00"]);
        args.extend_from_slice(&["--until", "1999-02-10 10:10", "--every", "60", "--speed", "600"]);
        if let Some(key) = key {
            args.extend_from_slice(&["--key", key]);
        }
        run(&args)
    };
    let (code, summary, said) = send(Some(key_file.to_str().unwrap()));
    assert_eq!(code, Some(0), "{said}");
    assert!(summary.contains("sent 11 frames"), "{summary}");
    assert!(summary.contains("the board acknowledged 11, refused 0"), "{summary}");
    let check = || {
        let key = key_file.to_str().unwrap();
        run(&["board", "check", "--address", "1", "--tcp", &at, "--key", key])
    };
    let (code, checked, said) = check();
    assert_eq!(code, Some(0), "{said}");
    assert!(
        checked
            .contains("authentic; session 1, last counter 11; refused 0 unauthenticated, 0 forged"),
        "{checked}"
    );
    // Without the key: nothing acknowledged, and the board counts each refusal.
    let (_, summary, _) = send(None);
    assert!(summary.contains("the board acknowledged 0"), "{summary}");
    let (_, checked, _) = check();
    assert!(checked.contains("refused 11 unauthenticated"), "{checked}");
    // A key file open to others is refused before anything is sent.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (code, _, said) = send(Some(key_file.to_str().unwrap()));
    assert_eq!(code, Some(1));
    assert!(said.contains("open to others"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}
