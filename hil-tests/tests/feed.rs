//! The host's own feed (`callboard board send`'s code) driving the real firmware image: a real
//! morning replayed at the boards' update rate, every frame acknowledged.

use callboard_core::QueueConfig;
use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_core::csat::CsatConfig;
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::wire::{BoardMessage, BoardSettings, HostMessage};
use callboard_floor::feed::{FeedPlan, FeedSource, Link, feed};
use callboard_floor::frame::parse_queue_choice;
use callboard_hil_tests::{ADDRESS, EMULATED_BOARD, Emulator, build, real_board};
use callboard_queue_log::{self as queue_log, local_time as options};

fn local(calendar: &SiteCalendar, text: &str) -> u64 {
    options::parse_local_instant(calendar, text).unwrap()
}

#[test]
fn a_real_morning_at_the_update_rate_is_all_acknowledged() {
    // On a real board: CALLBOARD_HIL_SERIAL=DEVICE[@BAUD], and the feed runs in real time.
    let serial = std::env::var("CALLBOARD_HIL_SERIAL").ok();
    let emulator = match serial {
        Some(_) => None,
        None => Some(Emulator::start(&build(EMULATED_BOARD).unwrap()).unwrap()),
    };
    let link = match (&emulator, &serial) {
        (Some(emulator), _) => {
            // Up and listening before the feed connects.
            let mut link = emulator.connect().unwrap();
            link.ask(&HostMessage::Ping).unwrap();
            Link::Tcp(emulator.serial_address())
        }
        (None, Some(given)) => {
            let (path, baud) = given.split_once('@').unwrap_or((given, "115200"));
            Link::Serial { path: path.to_owned(), baud: baud.parse().unwrap() }
        }
        (None, None) => unreachable!(),
    };

    // The Anonymous Bank's 10 February 1999, 08:00 to 09:00: a frame every 2 s of the day, the
    // rate a floor's boards are fed at. The emulated board takes them 100 times faster (a frame
    // every 20 ms; its emulated UART carries about 15 kB/s, a little more than 115 200 baud).
    // On a slow or busy host the emulator can fall behind that pace; nothing is lost (the
    // socket holds the bytes) and the feed waits for the board to drain them. What a frame
    // costs the board is measured in instructions by `cost`, not by the host's wall clock.
    let calendar = SiteCalendar::new(UtcOffset::from_minutes(120).unwrap(), DstRule::None).unwrap();
    let log =
        callboard_hil_tests::repository().join("examples/data/anonymous-bank-1999-02-10.queue_log");
    let parsed = queue_log::parse(&std::fs::read(log).unwrap(), &calendar);
    let source = FeedSource::Replay {
        parsed,
        from: Some(local(&calendar, "1999-02-10 08:00")),
        until: Some(local(&calendar, "1999-02-10 09:00")),
    };
    let plan = FeedPlan {
        link,
        address: ADDRESS,
        first_sequence: 1,
        queues: ["PS=STREETS", "PE=ENGLISH@90%", "IN=ONLINE", "NE=MARKETS"]
            .iter()
            .map(|q| parse_queue_choice(q).unwrap())
            .collect(),
        calendar,
        csat: CsatConfig::DEFAULT,
        survey_verb: "SURVEY".into(),
        ttl_s: 30,
        announcement: "Storm line open: press 5 for outages".into(),
        variant: ServiceLevelVariant::Answered,
        hours: None,
        closed: false,
        every_ms: 2_000,
        speed: if emulator.is_some() { 100.0 } else { 1.0 },
        configure: Some(BoardSettings { page_seconds: 4, ..BoardSettings::DEFAULT }),
        agreements: None,
        sign: None,
        key: None,
    };
    let summary = feed(plan, source, QueueConfig::default()).unwrap();
    eprintln!("{summary}");

    // What the board says it heard, asked before judging, so that a failure says whether frames
    // were lost on the line (the board's counts) or only answered late.
    let mut link = match &emulator {
        Some(emulator) => emulator.connect().unwrap(),
        None => real_board().unwrap().unwrap(),
    };
    let BoardMessage::Status { counts, shown_sequence, .. } = link.ask(&HostMessage::Ping).unwrap()
    else {
        panic!("not a status");
    };
    let told =
        format!("{summary}the board counted {counts:?}, showing sequence {shown_sequence:?}");

    // An hour at one frame every 2 s, both ends included, and the settings first.
    let frames = 3600 / 2 + 1 + 1;
    assert!(summary.contains(&format!("sent {frames} frames")), "{told}");
    assert!(summary.contains(&format!("the board acknowledged {frames}, refused 0")), "{told}");
    assert!(!summary.contains("unanswered") && !summary.contains("unreadable"), "{told}");
    assert_eq!(counts.discarded(), 0, "{told}");
    assert_eq!(shown_sequence, Some(u16::try_from(frames).unwrap()), "the last frame: {told}");
}
