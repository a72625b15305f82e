//! callboard boards speak Alpha too: the emulated board (taking both protocols, its default)
//! is sent a 311 floor's frame as an Alpha wallboard server would send it to a two-line sign,
//! with line noise before every packet and the pauses senders make, and must show exactly what
//! the host's own decoder and renderer make of those packets; a live update of one queue's
//! STRING file must show too; and the callboard host must still be answered on the same line.

use std::time::Duration;

use callboard_core::alpha::layout::{SIGN_POOL, SignProfile, TEXT_LABEL};
use callboard_core::alpha::packet::pauses;
use callboard_core::alpha::sign::{EmulatedSign, PacketDecoder};
use callboard_core::wire::{BoardMessage, BoardSettings, HostMessage, MAX_FRAME_BYTES, Screen};
use callboard_floor::alpha::Sign;
use callboard_hil_tests::{
    ADDRESS, EMULATED_BOARD, Emulator, Link, build, check_stack, floor_frame, host_artifact,
    image_size,
};
use callboard_render::panel::{Hub75Rgb64x32, Panel, framebuffer_crc};
use callboard_render::render_alpha;

/// 2026-11-23 10:00 UTC.
const MORNING: u64 = 1_795_428_000_000;

/// Bytes no protocol would send: an LCG's, zeros and SOHs included.
fn noise(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (*seed >> 56) as u8
        })
        .collect()
}

/// Sends `packet` as a sender does: a pause after each nested command's STX.
fn send_paced(link: &mut Link, packet: &[u8]) {
    let mut from = 0;
    for at in pauses(packet).chain([packet.len()]) {
        link.send_raw(&packet[from..at]).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        from = at;
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

/// What a sign keeps after `packets`, and the CRC of its picture at board uptime `at`.
fn host_picture(packets: &[Vec<u8>], at: u64) -> (EmulatedSign<SIGN_POOL>, u32) {
    let mut sign = EmulatedSign::<SIGN_POOL>::new();
    let mut decoder = PacketDecoder::<MAX_FRAME_BYTES>::new();
    for &byte in packets.iter().flatten() {
        if let Some(received) = decoder.feed(byte) {
            assert!(sign.apply(&received), "the host's sign refused {received:?}");
        }
    }
    let page_ms = u64::from(BoardSettings::DEFAULT.page_seconds) * 1000;
    let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
    let Ok(_) = render_alpha::<Hub75Rgb64x32, _, SIGN_POOL>(&sign, at, page_ms, &mut framebuffer);
    let crc = framebuffer_crc(Hub75Rgb64x32::framebuffer_bytes(&framebuffer));
    (sign, crc)
}

#[test]
fn the_board_shows_alpha_text_sent_through_noise() {
    let elf = build(EMULATED_BOARD).unwrap();
    let size = image_size(&elf).unwrap();
    let emulator = Emulator::start(&elf).unwrap();
    let mut link = emulator.connect().unwrap();
    let mut seed = 0x0311_a1fa_u64;

    let profile = SignProfile::named("two-line").unwrap();
    let mut server = Sign::new(profile, ADDRESS);
    let frame = floor_frame(MORNING);
    let packets = server.packets(&frame).unwrap();
    assert!(packets.len() >= 3, "memory configuration, TEXT file, STRING files");
    for packet in &packets {
        link.send_raw(&noise(&mut seed, 200)).unwrap();
        send_paced(&mut link, packet);
    }
    // The callboard host on the same line is still answered.
    assert!(matches!(link.ask(&HostMessage::Ping).unwrap(), BoardMessage::Status { .. }));

    let (screen, sequence, at, crc) = showing(&mut link);
    assert_eq!((screen, sequence), (Screen::Alpha, None));
    let at = at.expect("the uptime the picture was drawn for");
    let (sign, expected) = host_picture(&packets, at);
    assert_eq!(crc, expected, "the board's picture at uptime {at} ms");
    // What that picture is: the first queue's label and its calls waiting, in the board's font
    // (render_alpha's own tests pin the pixels of text).
    let first = &frame.queues[0];
    let pages = sign.pages::<64>(TEXT_LABEL);
    assert!(pages[0].text.contains(first.label.as_str()), "{pages:?}");
    assert!(pages[0].text.contains(&first.waiting.to_string()), "{pages:?}");

    // A live update: one queue's calls waiting change, only its STRING file is sent.
    let mut later = frame.clone();
    later.valid_at = MORNING + 2_000;
    later.queues[0].waiting += 3;
    let update = server.packets(&later).unwrap();
    assert_eq!(update.len(), 1, "one packet of STRING files");
    link.send_raw(&noise(&mut seed, 200)).unwrap();
    send_paced(&mut link, &update[0]);
    let (screen, _, at, crc) = showing(&mut link);
    assert_eq!(screen, Screen::Alpha);
    let at = at.unwrap();
    let (sign, expected) = host_picture(&[packets, update].concat(), at);
    assert_eq!(crc, expected, "the board's picture after the update, at uptime {at} ms");
    let pages = sign.pages::<64>(TEXT_LABEL);
    assert!(pages[0].text.contains(&(first.waiting + 3).to_string()), "{pages:?}");

    check_stack(&emulator, &size, "showing Alpha text");
}

/// `callboard board check` finds the emulated board by its address and reports its status;
/// another address gets no answer, said as such.
#[test]
fn board_check_finds_the_emulated_board() {
    let callboard = host_artifact("callboard-cli", &["--bin", "callboard"], "callboard").unwrap();
    let emulator = Emulator::start(&build(EMULATED_BOARD).unwrap()).unwrap();
    // Up and listening (QEMU takes one connection at a time: this one ends here).
    emulator.connect().unwrap().ask(&HostMessage::Ping).unwrap();
    let at = emulator.serial_address();
    let check = |address: u8| {
        std::process::Command::new(&callboard)
            .args(["board", "check", "--address", &address.to_string(), "--tcp", &at])
            .args(["--timeout-ms", "3000"])
            .output()
            .unwrap()
    };
    let out = check(ADDRESS);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Two frames accepted, the earlier ping and the check's own; no display frame yet.
    let expected = format!("board {ADDRESS} on tcp {at}: up ");
    assert!(said.starts_with(&expected), "{said}");
    assert!(said.contains("frames accepted 2, discarded 0; no frame shown"), "{said}");
    let out = check(ADDRESS + 1);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(&format!("no answer from board {}", ADDRESS + 1)), "{said}");
}
