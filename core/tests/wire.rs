//! The reader-board wire protocol: golden bytes (the ones PROTOCOL.md shows), round trips in
//! any chunking, and a decoder that survives anything and resynchronises.

mod support;

use callboard_core::board::{
    Alert, AlertThresholds, BoardFrame, CsatLine, LineAlerts, Opening, QueueLine, Reopening,
    SlaAlerts, SlaLine,
};
use callboard_core::calendar::Weekday;
use callboard_core::wire::{
    AUTHENTICATED_VERSION, Auth, AuthCounts, BROADCAST_ADDRESS, BoardMessage, BoardSettings,
    DecodeCounts, Decoded, Direction, Discard, FrameDecoder, HostMessage, KEY_BYTES, Key,
    MAX_FRAME_BYTES, NackReason, PROTOCOL_VERSION, Screen, encode, encode_answer,
    encode_answer_authenticated, encode_authenticated,
};
use heapless::{String, Vec};
use proptest::prelude::*;
use support::crc32;

fn bytes_of<M: serde::Serialize>(address: u8, sequence: u16, message: &M) -> std::vec::Vec<u8> {
    let mut out = [0_u8; MAX_FRAME_BYTES];
    let len = encode(address, sequence, message, &mut out).expect("fits");
    out[..len].to_vec()
}

/// A message's body as version 1 wrote it: version 2's without the (empty) list of agreements
/// that ends a display frame.
fn version_1_body(message: &HostMessage) -> std::vec::Vec<u8> {
    let mut body = [0_u8; MAX_FRAME_BYTES];
    let body = postcard::to_slice(message, &mut body).expect("fits");
    let (&mut last, rest) = body.split_last_mut().expect("not empty");
    assert_eq!(last, 0, "an empty list is one 0x00, written last");
    rest.to_vec()
}

fn hex(bytes: &[u8]) -> std::string::String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<std::vec::Vec<_>>().join(" ")
}

/// Everything `decoder` makes of `bytes`, as a board at `address` would take them.
fn decode_all<M: callboard_core::wire::Message>(
    decoder: &mut FrameDecoder,
    bytes: &[u8],
    address: u8,
) -> std::vec::Vec<Decoded<M>> {
    bytes
        .iter()
        .filter_map(|&b| decoder.feed(b, |a| a == address || a == BROADCAST_ADDRESS))
        .collect()
}

/// Sanitation's agreement as PROTOCOL.md shows it: 93.0 % against 90 %, four breached.
fn sanitation() -> SlaLine {
    SlaLine {
        label: String::try_from("SANITATION").unwrap(),
        compliance_permille: Some(930),
        goal_permille: 900,
        at_risk: 0,
        breached: 4,
        alerts: SlaAlerts { breached: Alert::Alarm, ..SlaAlerts::default() },
    }
}

/// The frame PROTOCOL.md walks through: one queue, a CSAT line, an announcement, one
/// service agreement.
fn example_frame() -> BoardFrame {
    let mut queues = Vec::new();
    queues
        .push(QueueLine {
            label: String::try_from("STREETS").unwrap(),
            waiting: 4,
            longest_wait_s: Some(95),
            expected_wait_s: None,
            service_level_permille: Some(812),
            service_level_target_permille: 800,
            service_level_threshold_s: 20,
            agents_available: 2,
            alerts: LineAlerts { longest_wait: Alert::Warning, ..LineAlerts::default() },
        })
        .unwrap();
    BoardFrame {
        valid_at: 1_795_420_800_000,
        ttl_s: 30,
        queues,
        csat: CsatLine::MeanScore { centi: 423, scale_highest: 5, responses: 57 },
        announcement: String::try_from("Storm").unwrap(),
        opening: Opening::Open,
        sla: [sanitation()].into_iter().collect(),
    }
}

/// The frame for `body` (a postcard message written by hand), built with this file's own CRC
/// and COBS: an encoding independent of the code under test.
fn by_hand(address: u8, sequence: u16, body: &[u8]) -> std::vec::Vec<u8> {
    by_hand_in(PROTOCOL_VERSION, address, sequence, body)
}

/// [`by_hand`] in any protocol version.
fn by_hand_in(version: u8, address: u8, sequence: u16, body: &[u8]) -> std::vec::Vec<u8> {
    let mut payload = vec![version, address];
    payload.extend_from_slice(&sequence.to_le_bytes());
    payload.extend_from_slice(body);
    let crc = crc32(&payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    cobs(&payload)
}

#[test]
fn golden_bytes() {
    // Checked against an encoding by hand (Ping is message variant 2, Ack variant 0; the
    // example frame's postcard fields are listed in PROTOCOL.md) and, when written, against
    // Python's zlib.crc32.
    assert_eq!(bytes_of(3, 0x0102, &HostMessage::Ping), by_hand(3, 0x0102, &[2]));
    assert_eq!(bytes_of(3, 0x0102, &BoardMessage::Ack), by_hand(3, 0x0102, &[0]));
    let body = "00 80 88 ad bb a0 34 1e 01 07 53 54 52 45 45 54 53 04 01 5f 00 01 ac 06 a0 06 14 \
                02 00 01 00 00 00 00 a7 03 05 39 05 53 74 6f 72 6d 00 \
                01 0a 53 41 4e 49 54 41 54 49 4f 4e 01 a2 07 84 07 00 04 00 00 02";
    let body: std::vec::Vec<u8> =
        body.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect();
    assert_eq!(bytes_of(3, 7, &HostMessage::Display(example_frame())), by_hand(3, 7, &body));
    // Host → board 3, sequence 0x0102: Ping (message variant 2).
    assert_eq!(hex(&bytes_of(3, 0x0102, &HostMessage::Ping)), "0a 02 03 02 01 02 90 8f c6 5a 00");
    // Board 3 → host, sequence 0x0102: Ack (variant 0).
    assert_eq!(hex(&bytes_of(3, 0x0102, &BoardMessage::Ack)), "05 02 03 02 01 05 bc ee c8 b4 00");
    // Host → board 3: the example frame.
    let display = bytes_of(3, 7, &HostMessage::Display(example_frame()));
    assert_eq!(
        hex(&display),
        "04 02 03 07 01 14 80 88 ad bb a0 34 1e 01 07 53 54 52 45 45 54 53 04 01 5f 08 01 ac 06 \
         a0 06 14 02 02 01 01 01 01 0b a7 03 05 39 05 53 74 6f 72 6d 12 01 0a 53 41 4e 49 54 41 \
         54 49 4f 4e 01 a2 07 84 07 02 04 01 06 02 b8 01 e4 2b 00"
    );
    assert_eq!(display.len(), 77, "the example frame's size on the line");
}

#[test]
fn golden_frames_decode_back() {
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let frame = example_frame();
    let bytes = bytes_of(3, 7, &HostMessage::Display(frame.clone()));
    let got: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &bytes, 3);
    assert_eq!(got.len(), 1);
    let Decoded::Frame(header, HostMessage::Display(decoded)) = &got[0] else { panic!("{got:?}") };
    assert_eq!((header.version, header.address, header.sequence), (PROTOCOL_VERSION, 3, 7));
    assert_eq!(decoded, &frame);
    assert_eq!(decoder.counts().accepted, 1);
}

#[test]
fn every_kind_of_bad_frame_is_counted_and_skipped() {
    let good = bytes_of(3, 1, &HostMessage::Ping);
    let mut stream = std::vec::Vec::new();
    stream.extend_from_slice(&[0x13, 0x37, 0x42]); // noise, then a delimiter (bad framing)
    stream.push(0);
    stream.extend_from_slice(&good[..5]); // a frame cut short...
    stream.extend_from_slice(&good); // ...runs into a whole one: one broken frame, then resync
    let mut flipped = good.clone();
    flipped[3] ^= 0x10; // a flipped bit: the CRC catches it
    stream.extend_from_slice(&flipped);
    stream.extend_from_slice(&bytes_of(4, 1, &HostMessage::Ping)); // another board's
    stream.extend_from_slice(&bytes_of(BROADCAST_ADDRESS, 2, &HostMessage::Ping)); // everyone's
    stream.extend_from_slice(&[0x55; MAX_FRAME_BYTES + 10]); // far too long
    stream.push(0);
    stream.extend_from_slice(&[0, 0, 0]); // an idle line
    stream.extend_from_slice(&good);
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let got: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &stream, 3);
    let frames = got.iter().filter(|d| matches!(d, Decoded::Frame(..))).count();
    assert_eq!(frames, 2, "the broadcast and the last good frame: {got:?}");
    let counts = *decoder.counts();
    assert_eq!(counts.accepted, 2);
    assert_eq!(counts.other_address, 1);
    assert_eq!(counts.oversized, 1);
    // The noise is bad framing (its first code byte promises 18 bytes, two follow). The cut
    // frame running into the whole one is valid COBS here, the bytes it decodes to fail the
    // CRC; and the flipped bit fails the CRC.
    assert_eq!((counts.bad_framing, counts.bad_crc), (1, 2), "{counts:?}");
    assert_eq!(counts.discarded(), 5, "{counts:?}");
    assert!(got.contains(&Decoded::Discarded(Discard::OtherAddress)));
}

#[test]
fn other_versions_and_malformed_messages_are_discarded() {
    // Hand-built frames: versions 0 and 3, and this version and version 1 with an unknown
    // message variant (9), each with a valid CRC and this file's own COBS.
    for (payload, reason) in [
        ([0_u8, 3, 0, 0, 2], Discard::UnknownVersion),
        ([PROTOCOL_VERSION + 1, 3, 0, 0, 2], Discard::UnknownVersion),
        ([PROTOCOL_VERSION, 3, 0, 0, 9], Discard::Malformed),
        ([1, 3, 0, 0, 9], Discard::Malformed),
    ] {
        let mut raw = payload.to_vec();
        raw.extend_from_slice(&crc32(&raw).to_le_bytes());
        let encoded = cobs(&raw);
        let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
        let got: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &encoded, 3);
        assert_eq!(got, vec![Decoded::Discarded(reason)]);
    }
}

/// The largest display frame there is: every field at its widest.
fn largest_frame() -> BoardFrame {
    let line = QueueLine {
        label: String::try_from("ÉÉÉÉÉÉÉÉ").unwrap(), // 16 bytes of two-byte characters
        waiting: u16::MAX,
        longest_wait_s: Some(u32::MAX),
        expected_wait_s: Some(u32::MAX),
        service_level_permille: Some(u16::MAX),
        service_level_target_permille: u16::MAX,
        service_level_threshold_s: u16::MAX,
        agents_available: u16::MAX,
        alerts: LineAlerts {
            waiting: Alert::Alarm,
            longest_wait: Alert::Alarm,
            expected_wait: Alert::Alarm,
            service_level: Alert::Alarm,
            agents_available: Alert::Alarm,
        },
    };
    BoardFrame {
        valid_at: u64::MAX,
        ttl_s: u16::MAX,
        queues: core::iter::repeat_n(line, 8).collect(),
        csat: CsatLine::NotEnoughResponses { responses: u32::MAX, minimum: u32::MAX },
        announcement: String::try_from("€".repeat(32).as_str()).unwrap(),
        opening: Opening::Closed {
            reopens: Some(Reopening { weekday: Weekday::Sunday, hour: 23, minute: 59 }),
        },
        sla: core::iter::repeat_n(
            SlaLine {
                label: String::try_from("ÉÉÉÉÉÉÉÉ").unwrap(),
                compliance_permille: Some(u16::MAX),
                goal_permille: u16::MAX,
                at_risk: u16::MAX,
                breached: u16::MAX,
                alerts: SlaAlerts {
                    compliance: Alert::Alarm,
                    at_risk: Alert::Alarm,
                    breached: Alert::Alarm,
                },
            },
            8,
        )
        .collect(),
    }
}

#[test]
fn the_largest_frame_fits() {
    let frame = largest_frame();
    let bytes = bytes_of(254, u16::MAX, &HostMessage::Display(frame));
    assert!(bytes.len() <= MAX_FRAME_BYTES, "{}", bytes.len());
}

#[test]
fn board_messages_round_trip() {
    let messages = [
        BoardMessage::Ack,
        BoardMessage::Nack(NackReason::Expired),
        BoardMessage::Status {
            uptime_s: 86_400,
            counts: DecodeCounts { accepted: 10, bad_crc: 2, ..DecodeCounts::NONE },
            shown_sequence: Some(9),
        },
        BoardMessage::Showing {
            screen: Screen::NoData,
            shown_sequence: None,
            shown_at: None,
            framebuffer_crc: 7,
        },
    ];
    let settings = HostMessage::Configure(BoardSettings {
        brightness: 128,
        page_seconds: 5,
        thresholds: AlertThresholds::DEFAULT,
    });
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let got: std::vec::Vec<Decoded<HostMessage>> =
        decode_all(&mut decoder, &bytes_of(9, 1, &settings), 9);
    assert_eq!(got.len(), 1);
    assert!(matches!(&got[0], Decoded::Frame(_, m) if *m == settings));
    for message in messages {
        let bytes = bytes_of(9, 5, &message);
        let got: std::vec::Vec<Decoded<BoardMessage>> = decode_all(&mut decoder, &bytes, 9);
        assert!(matches!(&got[..], [Decoded::Frame(h, m)] if h.sequence == 5 && *m == message));
    }
}

/// COBS written again here from the paper, so the tests do not trust the code under test.
fn cobs(data: &[u8]) -> std::vec::Vec<u8> {
    let mut out = vec![0];
    let mut code_at = 0;
    for &byte in data {
        if byte == 0 {
            out[code_at] = u8::try_from(out.len() - code_at).unwrap();
            code_at = out.len();
            out.push(0);
        } else {
            out.push(byte);
            if out.len() - code_at == 0xFF {
                out[code_at] = 0xFF;
                code_at = out.len();
                out.push(0);
            }
        }
    }
    out[code_at] = u8::try_from(out.len() - code_at).unwrap();
    out.push(0);
    out
}

fn any_frame() -> impl Strategy<Value = BoardFrame> {
    let line = (
        any::<u16>(),
        proptest::option::of(any::<u32>()),
        proptest::option::of(0..1000_u16),
        "[A-Z ]{0,16}",
    )
        .prop_map(|(waiting, longest, sl, label)| QueueLine {
            label: String::try_from(label.as_str()).unwrap(),
            waiting,
            longest_wait_s: longest,
            expected_wait_s: longest.map(|l| l / 2),
            service_level_permille: sl,
            service_level_target_permille: 800,
            service_level_threshold_s: 20,
            agents_available: waiting / 3,
            alerts: LineAlerts { waiting: Alert::Warning, ..LineAlerts::default() },
        });
    let sla = (
        "[A-Z ]{0,16}",
        proptest::option::of(0..=1000_u16),
        0..=1000_u16,
        any::<u16>(),
        any::<u16>(),
    )
        .prop_map(|(label, compliance, goal, at_risk, breached)| SlaLine {
            label: String::try_from(label.as_str()).unwrap(),
            compliance_permille: compliance,
            goal_permille: goal,
            at_risk,
            breached,
            alerts: SlaAlerts {
                compliance: Alert::Warning,
                at_risk: Alert::Normal,
                breached: Alert::Alarm,
            },
        });
    (
        any::<u64>(),
        any::<u16>(),
        proptest::collection::vec(line, 0..=8),
        "[ -~]{0,96}",
        any::<bool>(),
        proptest::collection::vec(sla, 0..=8),
    )
        .prop_map(|(valid_at, ttl_s, lines, announcement, open, sla)| BoardFrame {
            valid_at,
            ttl_s,
            queues: lines.into_iter().collect(),
            csat: CsatLine::TopTwoBox { permille: 731, responses: 12 },
            announcement: String::try_from(announcement.as_str()).unwrap(),
            opening: if open {
                Opening::Open
            } else {
                Opening::Closed {
                    reopens: (valid_at % 2 == 0).then_some(Reopening {
                        weekday: Weekday::Monday,
                        hour: 8,
                        minute: 0,
                    }),
                }
            },
            sla: sla.into_iter().collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// encode → decode is the identity, in any chunking, between any noise.
    #[test]
    fn encode_then_decode_is_identity(
        frame in any_frame(),
        address in 1..=254_u8,
        sequence in any::<u16>(),
        noise in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let message = HostMessage::Display(frame);
        let bytes = bytes_of(address, sequence, &message);
        prop_assert!(bytes.len() <= MAX_FRAME_BYTES);
        prop_assert!(bytes[..bytes.len() - 1].iter().all(|&b| b != 0));
        let mut stream = noise.clone();
        stream.push(0);
        stream.extend_from_slice(&bytes);
        let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
        let got: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &stream, address);
        let frames: std::vec::Vec<_> = got.into_iter().filter_map(|d| match d {
            Decoded::Frame(h, m) => Some((h.sequence, m)),
            Decoded::Discarded(_) => None,
        }).collect();
        prop_assert_eq!(frames.last(), Some(&(sequence, message)));
    }

    /// Any body in a well-framed frame of either version, with a good CRC (what random noise
    /// almost never reaches): the decoder never panics, and what it accepts re-encodes to the
    /// same message.
    #[test]
    fn any_body_of_either_version_is_decoded_or_refused(
        version in 1..=PROTOCOL_VERSION,
        body in proptest::collection::vec(any::<u8>(), 0..600),
        display in any::<bool>(),
    ) {
        let mut body = body;
        if display && !body.is_empty() {
            body[0] = 0;
        }
        let bytes = by_hand_in(version, 3, 5, &body);
        let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
        let got: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &bytes, 3);
        prop_assert_eq!(got.len(), 1);
        if let Decoded::Frame(header, message) = &got[0] {
            prop_assert_eq!(header.version, version);
            let again: std::vec::Vec<Decoded<HostMessage>> =
                decode_all(&mut FrameDecoder::<MAX_FRAME_BYTES>::new(), &bytes_of(3, 5, message), 3);
            prop_assert_eq!(&again[0], &Decoded::Frame(callboard_core::wire::Header { version: PROTOCOL_VERSION, ..*header }, message.clone()));
        }
    }

    /// Decoding into an inbox in place (what a board does, `feed_into`) gives exactly what
    /// decoding by value gives — frame for frame, reason for reason, count for count —
    /// whatever the inbox held before and whatever a refused frame left in it: on a body of
    /// any first byte in a well-framed frame of either version, then real frames, after noise.
    #[test]
    fn decoding_in_place_agrees_with_decoding_by_value(
        version in 1..=PROTOCOL_VERSION,
        variant in 0..6_u8,
        body in proptest::collection::vec(any::<u8>(), 0..400),
        frame in any_frame(),
        held in 0..4_usize,
        noise in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut stream = noise;
        stream.push(0);
        stream.extend(by_hand_in(version, 3, 5, &[&[variant][..], &body].concat()));
        stream.extend(bytes_of(3, 6, &HostMessage::Display(frame)));
        stream.extend(bytes_of(3, 7, &HostMessage::Configure(BoardSettings::DEFAULT)));
        let without_agreements = BoardFrame { sla: Vec::new(), ..example_frame() };
        stream.extend(by_hand_in(1, 3, 8, &version_1_body(&HostMessage::Display(without_agreements))));
        stream.extend(bytes_of(3, 9, &HostMessage::Ping));
        let mut inbox = [
            HostMessage::Display(example_frame()),
            HostMessage::Ping,
            HostMessage::Configure(BoardSettings::DEFAULT),
            HostMessage::WhatAreYouShowing,
        ][held].clone();
        let mut by_value = FrameDecoder::<MAX_FRAME_BYTES>::new();
        let mut in_place = FrameDecoder::<MAX_FRAME_BYTES>::new();
        let mut frames = 0;
        for &byte in &stream {
            let accepts = |a| a == 3;
            let into = in_place.feed_into(byte, accepts, &mut inbox);
            match (by_value.feed::<HostMessage>(byte, accepts), into) {
                (None, None) => {}
                (Some(Decoded::Frame(header, message)), Some(Ok(h))) => {
                    prop_assert_eq!((header, &message), (h, &inbox));
                    frames += 1;
                }
                (Some(Decoded::Discarded(reason)), Some(Err(r))) => prop_assert_eq!(reason, r),
                (a, b) => prop_assert!(false, "by value {:?}, in place {:?}", a, b),
            }
            prop_assert_eq!(by_value.counts(), in_place.counts());
        }
        prop_assert!(frames >= 4, "the four real frames after the body: {}", frames);
    }

    /// No byte sequence makes the decoder panic, and it always recovers at the next frame.
    #[test]
    fn the_decoder_survives_anything(garbage in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
        let _: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &garbage, 3);
        let mut tail = vec![0];
        tail.extend_from_slice(&bytes_of(3, 42, &HostMessage::WhatAreYouShowing));
        let got: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &tail, 3);
        prop_assert!(matches!(got.last(), Some(Decoded::Frame(h, HostMessage::WhatAreYouShowing)) if h.sequence == 42));
    }
}

#[test]
fn a_typical_floor_frame_is_253_bytes() {
    // The size PROTOCOL.md quotes: four queues, every figure present, a 45-byte announcement,
    // four departments' agreements.
    let line = |label: &str| QueueLine {
        label: String::try_from(label).unwrap(),
        waiting: 12,
        longest_wait_s: Some(245),
        expected_wait_s: Some(180),
        service_level_permille: Some(734),
        service_level_target_permille: 800,
        service_level_threshold_s: 20,
        agents_available: 3,
        alerts: LineAlerts::default(),
    };
    let frame = BoardFrame {
        valid_at: 1_795_420_800_000,
        ttl_s: 30,
        queues: ["STREETS", "SANITATION", "PARKS", "NOISE"].into_iter().map(line).collect(),
        csat: CsatLine::MeanScore { centi: 423, scale_highest: 5, responses: 57 },
        announcement: String::try_from("Storm warning: expect long waits until 14:00").unwrap(),
        opening: Opening::Open,
        sla: ["SANITATION", "STREETS", "PARKS", "BUILDINGS"]
            .into_iter()
            .map(|label| SlaLine { label: String::try_from(label).unwrap(), ..sanitation() })
            .collect(),
    };
    assert_eq!(bytes_of(3, 1, &HostMessage::Display(frame)).len(), 253);
}

#[test]
fn an_echo_of_the_other_direction_is_never_an_answer() {
    // On a half-duplex line that echoes, each side hears its own frames. A host's Display starts
    // with the byte a board's Ack is; only the exact fit tells them apart.
    let display = bytes_of(3, 9, &HostMessage::Display(example_frame()));
    let mut host = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let heard: std::vec::Vec<_> =
        display.iter().filter_map(|&b| host.feed::<BoardMessage>(b, |a| a == 3)).collect();
    assert_eq!(heard, [Decoded::Discarded(Discard::Malformed)]);

    // And a board never takes another board's answer for a request.
    let showing = BoardMessage::Showing {
        screen: Screen::Figures,
        shown_sequence: Some(9),
        shown_at: Some(1_700_000_000_000),
        framebuffer_crc: 0x1234_5678,
    };
    let mut board = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let answer = bytes_of(3, 9, &showing);
    let heard: std::vec::Vec<_> =
        answer.iter().filter_map(|&b| board.feed::<HostMessage>(b, |a| a == 3)).collect();
    assert_eq!(heard, [Decoded::Discarded(Discard::Malformed)]);
}

#[test]
fn settings_a_board_cannot_apply_are_invalid() {
    assert!(BoardSettings::DEFAULT.is_valid());
    assert_eq!(BoardSettings::default(), BoardSettings::DEFAULT);
    let no_pages = BoardSettings { page_seconds: 0, ..BoardSettings::DEFAULT };
    assert!(!no_pages.is_valid());
    let backwards = BoardSettings {
        thresholds: AlertThresholds {
            wait_warning_s: 200,
            wait_alarm_s: 100,
            ..AlertThresholds::DEFAULT
        },
        ..BoardSettings::DEFAULT
    };
    assert!(!backwards.is_valid());
    let calls_backwards = BoardSettings {
        thresholds: AlertThresholds {
            waiting_warning: 11,
            waiting_alarm: 10,
            ..AlertThresholds::DEFAULT
        },
        ..BoardSettings::DEFAULT
    };
    assert!(!calls_backwards.is_valid());
}

#[test]
fn a_frame_the_line_fell_silent_in_is_dropped_and_counted() {
    let ping = bytes_of(3, 5, &HostMessage::Ping);
    let mut board = FrameDecoder::<MAX_FRAME_BYTES>::new();
    assert!(!board.abandon(), "nothing to drop on a quiet line");
    for &byte in &ping[..4] {
        assert_eq!(board.feed::<HostMessage>(byte, |a| a == 3), None);
    }
    assert!(board.in_frame());
    assert!(board.abandon());
    assert!(!board.in_frame());
    assert_eq!(board.counts().truncated, 1);
    // The next whole frame is not glued to the remains of the cut one.
    let heard: std::vec::Vec<_> =
        ping.iter().filter_map(|&b| board.feed::<HostMessage>(b, |a| a == 3)).collect();
    assert!(matches!(heard.as_slice(), [Decoded::Frame(h, HostMessage::Ping)] if h.sequence == 5));
    assert_eq!(board.counts().accepted, 1);
}

#[test]
fn a_version_1_host_is_still_understood_and_answered_in_version_1() {
    // A host not yet upgraded sends version 1: its display frame is version 2's without the
    // list of agreements (the last field), its other messages are the same.
    let v1_frame = BoardFrame { sla: Vec::new(), ..example_frame() };
    let v1_body = &version_1_body(&HostMessage::Display(v1_frame.clone()));
    let mut stream = by_hand_in(1, 3, 11, v1_body);
    stream.extend_from_slice(&by_hand_in(1, 3, 12, &[2])); // Ping
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let got: std::vec::Vec<Decoded<HostMessage>> = decode_all(&mut decoder, &stream, 3);
    let header =
        |sequence| callboard_core::wire::Header { version: 1, address: 3, sequence, auth: None };
    assert_eq!(
        got,
        vec![
            Decoded::Frame(header(11), HostMessage::Display(v1_frame)),
            Decoded::Frame(header(12), HostMessage::Ping),
        ]
    );

    // The board answers each in the version it was asked in, and a version-1 host (whose
    // decoder is this one's, less version 2) takes the answer.
    let mut out = [0_u8; MAX_FRAME_BYTES];
    let len = encode_answer(&header(12), 3, &BoardMessage::Ack, &mut out).unwrap();
    assert_eq!(out[..len], by_hand_in(1, 3, 12, &[0])[..]);
    let v2 = callboard_core::wire::Header { version: PROTOCOL_VERSION, ..header(12) };
    let len = encode_answer(&v2, 3, &BoardMessage::Ack, &mut out).unwrap();
    assert_eq!(out[..len], by_hand(3, 12, &[0])[..]);

    // Echoes of version-1 frames are never taken for the other direction either.
    let ack = by_hand_in(1, 3, 12, &[0]);
    let nack = by_hand_in(1, 3, 12, &[1, 0]);
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let heard: std::vec::Vec<Decoded<HostMessage>> =
        decode_all(&mut decoder, &[ack, nack].concat(), 3);
    assert_eq!(heard, vec![Decoded::Discarded(Discard::Malformed); 2]);
    let display = by_hand_in(1, 3, 11, v1_body);
    let mut host = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let heard: std::vec::Vec<Decoded<BoardMessage>> = decode_all(&mut host, &display, 3);
    assert_eq!(heard, vec![Decoded::Discarded(Discard::Malformed)]);
}

/// The key of the golden vectors: the bytes 00 to 1f.
fn golden_key() -> Key {
    let mut bytes = [0_u8; KEY_BYTES];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = i as u8;
    }
    Key::new(bytes)
}

fn sealed_bytes<M: serde::Serialize>(
    key: &Key,
    address: u8,
    sequence: u16,
    auth: Auth,
    message: &M,
) -> std::vec::Vec<u8> {
    let mut out = [0_u8; MAX_FRAME_BYTES];
    let len = encode_authenticated(key, address, sequence, auth, message, &mut out).expect("fits");
    out[..len].to_vec()
}

#[test]
fn golden_authenticated_bytes() {
    // Computed independently with Python's hmac, hashlib and zlib (HMAC-SHA256 of the direction
    // byte and the payload, its first 16 bytes; then the CRC-32) and COBS by hand; PROTOCOL.md
    // shows the first byte by byte.
    let key = golden_key();
    let ping = sealed_bytes(&key, 3, 0x0102, Auth { session: 0, counter: 1 }, &HostMessage::Ping);
    assert_eq!(
        hex(&ping),
        "05 03 03 02 01 01 01 01 02 01 01 01 16 02 1c 45 d5 36 d7 1e c7 70 72 1d 48 eb 39 81 e0 \
         7e a5 e3 5f 8c 00"
    );
    // Board 3's Ack to it, in its session 42: the counter echoed, tagged as from the board.
    let header = callboard_core::wire::Header {
        version: AUTHENTICATED_VERSION,
        address: 3,
        sequence: 0x0102,
        auth: Some(Auth { session: 0, counter: 1 }),
    };
    let mut out = [0_u8; 64];
    let len =
        encode_answer_authenticated(&header, 3, &key, 42, &BoardMessage::Ack, &mut out).unwrap();
    assert_eq!(
        hex(&out[..len]),
        "06 03 03 02 01 2a 01 01 02 01 01 01 01 15 73 cf de 59 b9 07 5e de 20 d1 bd fc a8 0c b1 \
         ff 0a 77 97 f7 00"
    );
}

#[test]
fn a_keyed_decoder_takes_only_authentic_frames() {
    let key = golden_key();
    let other = Key::new([0xEE; KEY_BYTES]);
    let auth = Auth { session: 7, counter: 3 };
    let display = HostMessage::Display(example_frame());
    let mut board = FrameDecoder::with_key(key.clone(), Direction::HostToBoard);
    // The authentic frame, with its session and counter.
    let heard = decode_all::<HostMessage>(&mut board, &sealed_bytes(&key, 3, 9, auth, &display), 3);
    let header = callboard_core::wire::Header {
        version: AUTHENTICATED_VERSION,
        address: 3,
        sequence: 9,
        auth: Some(auth),
    };
    assert_eq!(heard, [Decoded::Frame(header, display.clone())]);
    // Version 2; another key; an answer's tag (the other direction) echoed back.
    let mut answer = [0_u8; 64];
    let len =
        encode_answer_authenticated(&header, 3, &key, 7, &BoardMessage::Ack, &mut answer).unwrap();
    let mut forged = bytes_of(3, 9, &display);
    forged.extend(sealed_bytes(&other, 3, 9, auth, &display));
    let heard = decode_all::<HostMessage>(&mut board, &forged, 3);
    assert_eq!(
        heard,
        [Decoded::Discarded(Discard::Unauthenticated), Decoded::Discarded(Discard::Forged)]
    );
    let mut reflect = FrameDecoder::with_key(key.clone(), Direction::HostToBoard);
    let heard = decode_all::<BoardMessage>(&mut reflect, &answer[..len], 3);
    assert_eq!(heard, [Decoded::Discarded(Discard::Forged)]);
    assert_eq!(
        *board.auth_counts(),
        AuthCounts { unauthenticated: 1, forged: 1, ..AuthCounts::NONE }
    );
    // A decoder without a key does not speak version 3, and goes on speaking version 2.
    let mut plain = FrameDecoder::new();
    let mut both = sealed_bytes(&key, 3, 9, auth, &display);
    both.extend(bytes_of(3, 10, &HostMessage::Ping));
    let heard = decode_all::<HostMessage>(&mut plain, &both, 3);
    assert_eq!(heard.len(), 2);
    assert_eq!(heard[0], Decoded::Discarded(Discard::UnknownVersion));
    assert!(matches!(heard[1], Decoded::Frame(_, HostMessage::Ping)));
}

#[test]
fn a_version_2_frame_sealed_is_the_version_3_frame_of_its_message() {
    let key = golden_key();
    let auth = Auth { session: 42, counter: 1_000_000 };
    for message in [
        HostMessage::Ping,
        HostMessage::Display(example_frame()),
        HostMessage::Display(largest_frame()),
    ] {
        let plain = bytes_of(3, 77, &message);
        let mut out = [0_u8; MAX_FRAME_BYTES];
        let len = callboard_core::wire::seal(&key, auth, &plain, &mut out).unwrap();
        assert_eq!(out[..len], sealed_bytes(&key, 3, 77, auth, &message)[..]);
    }
    // Not one whole version-2 frame: refused.
    let plain = bytes_of(3, 77, &HostMessage::Ping);
    let mut out = [0_u8; MAX_FRAME_BYTES];
    let sealed = sealed_bytes(&key, 3, 77, auth, &HostMessage::Ping);
    let mut flipped = plain.clone();
    flipped[3] ^= 0x40;
    for bad in [
        &plain[..plain.len() - 1],
        &flipped[..],
        &sealed[..],
        &[plain.clone(), plain.clone()].concat()[..],
        &[][..],
    ] {
        assert_eq!(
            callboard_core::wire::seal(&key, auth, bad, &mut out),
            Err(callboard_core::wire::SealError::NotAFrame)
        );
    }
    assert_eq!(
        callboard_core::wire::seal(&key, auth, &plain, &mut out[..10]),
        Err(callboard_core::wire::SealError::BufferTooSmall)
    );
}

#[test]
fn the_widest_answers_encode_in_both_versions() {
    // A board encodes its answers in a small scratch (its stack is short): every answer at its
    // widest must fit it, authenticated or not.
    let all = u32::MAX;
    let counts = DecodeCounts {
        accepted: all,
        oversized: all,
        bad_framing: all,
        truncated: all,
        bad_crc: all,
        unknown_version: all,
        other_address: all,
        malformed: all,
    };
    let widest = [
        BoardMessage::Status { uptime_s: all, counts, shown_sequence: Some(u16::MAX) },
        BoardMessage::Showing {
            screen: Screen::Alpha,
            shown_sequence: Some(u16::MAX),
            shown_at: Some(u64::MAX),
            framebuffer_crc: all,
        },
        BoardMessage::Security {
            session: all,
            last_counter: all,
            counts: AuthCounts {
                unauthenticated: all,
                forged: all,
                replayed: all,
                other_session: all,
            },
        },
    ];
    let to = callboard_core::wire::Header {
        version: AUTHENTICATED_VERSION,
        address: 254,
        sequence: u16::MAX,
        auth: Some(Auth { session: all, counter: all }),
    };
    for message in &widest {
        let mut out = [0_u8; MAX_FRAME_BYTES];
        assert!(encode_answer(&to, 254, message, &mut out).is_ok(), "{message:?}");
        assert!(
            encode_answer_authenticated(&to, 254, &golden_key(), all, message, &mut out).is_ok(),
            "{message:?}"
        );
    }
}

#[test]
fn the_largest_authenticated_frame_fits() {
    // As the_largest_frame_fits, with the 24 bytes version 3 adds.
    let frame = largest_frame();
    let auth = Auth { session: u32::MAX, counter: u32::MAX };
    let bytes = sealed_bytes(&golden_key(), 254, u16::MAX, auth, &HostMessage::Display(frame));
    assert!(bytes.len() <= MAX_FRAME_BYTES, "{}", bytes.len());
}

proptest! {
    /// Whatever is sealed is opened as it was, in any session and counter.
    #[test]
    fn sealing_then_opening_is_identity(
        frame in any_frame(),
        session in any::<u32>(),
        counter in any::<u32>(),
        sequence in any::<u16>(),
        address in 1_u8..=254,
    ) {
        let key = golden_key();
        let auth = Auth { session, counter };
        let message = HostMessage::Display(frame);
        let bytes = sealed_bytes(&key, address, sequence, auth, &message);
        let mut board = FrameDecoder::with_key(key, Direction::HostToBoard);
        let heard = decode_all::<HostMessage>(&mut board, &bytes, address);
        let header = callboard_core::wire::Header { version: AUTHENTICATED_VERSION, address, sequence, auth: Some(auth) };
        prop_assert_eq!(heard, [Decoded::Frame(header, message)]);
    }
}

/// What a board's controller uses of the decoder beyond `feed`: the small host messages
/// decoded in place into an inbox holding a display frame (and a malformed one refused), a
/// key set after counting began (the counts stay), the refusals its caller decides, and the
/// buffer lent between frames (a frame under way is forgotten, not counted).
#[test]
fn a_board_decodes_in_place_lends_its_buffer_and_counts_its_refusals() {
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::default();
    let mut inbox = HostMessage::Display(example_frame());
    for message in [HostMessage::Ping, HostMessage::WhatAreYouShowing, HostMessage::Security] {
        let mut taken = None;
        for byte in bytes_of(3, 7, &message) {
            if let Some(result) = decoder.feed_into(byte, |a| a == 3, &mut inbox) {
                taken = Some(result);
            }
        }
        assert_eq!(taken.expect("a frame").expect("taken").sequence, 7);
        assert_eq!(inbox, message);
    }
    // A Ping with a byte after it: the message must fill the body exactly.
    // (postcard writes a Ping as its variant's index, 2.)
    let spoiled = by_hand(3, 8, &[2, 0]);
    let refused: std::vec::Vec<_> =
        spoiled.iter().filter_map(|&b| decoder.feed_into(b, |a| a == 3, &mut inbox)).collect();
    assert_eq!(refused, [Err(Discard::Malformed)]);
    assert_eq!(decoder.counts().malformed, 1);

    assert!(decoder.key().is_none());
    let key = golden_key();
    decoder.set_key(key.clone(), Direction::HostToBoard);
    assert_eq!(decoder.key(), Some(&key));
    assert_eq!(decoder.counts().malformed, 1, "setting a key keeps what was counted");
    decoder.refuse(true);
    decoder.refuse(false);
    decoder.refuse(false);
    assert_eq!((decoder.auth_counts().replayed, decoder.auth_counts().other_session), (1, 2));

    // Half a frame, then the buffer lent to another protocol's decoder and given back.
    let ping = sealed_bytes(&key, 3, 9, Auth { session: 0, counter: 1 }, &HostMessage::Ping);
    for &byte in &ping[..ping.len() / 2] {
        assert!(decoder.feed::<HostMessage>(byte, |a| a == 3).is_none());
    }
    assert!(decoder.in_frame());
    decoder.lend_buffer().fill(0xAA);
    assert!(!decoder.in_frame());
    let decoded: std::vec::Vec<_> =
        ping.iter().filter_map(|&b| decoder.feed::<HostMessage>(b, |a| a == 3)).collect();
    assert!(
        matches!(&decoded[..], [Decoded::Frame(header, HostMessage::Ping)] if header.sequence == 9),
        "{decoded:?}"
    );
    assert_eq!(decoder.counts().truncated, 0, "a lent buffer's frame is not counted");
}
