//! The queue_log vocabulary through the replay, checked against figures worked out by hand.

use callboard_core::calendar::SiteCalendar;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_queue_log as queue_log;
use callboard_queue_log::replay::{Replayed, replay_on_own_thread};

/// 2023-11-14T22:00:00Z, an interval boundary.
const T0: u64 = 1_699_999_200;

fn run(lines: &[(u64, &str)]) -> Replayed {
    let log: String = lines.iter().map(|(dt, rest)| format!("{}|{rest}\n", T0 + dt)).collect();
    let parsed = queue_log::parse(log.as_bytes(), &SiteCalendar::UTC);
    replay_on_own_thread(parsed, CenterConfig::default(), QueueConfig::default()).unwrap()
}

/// Two agents over a quarter hour: logins, a pause taken during a call (it starts when the call
/// ends), a blind transfer ending a call, a withdrawal, and an Asterisk restart that cuts off a
/// call in progress and loses one still waiting.
///
/// SIP/1: available 0–110 s, on a call 110–300, paused (lunch) 300–700, logged out by the restart.
/// SIP/2: available 0–60, paused 60–360, available 360–505, on a call 505–700, logged out.
/// Available 110 + 60 + 145 = 315 s; on calls 190 + 195 = 385 s; not ready 400 + 300 = 700 s.
#[test]
fn agents_pauses_transfers_withdrawals_and_a_restart() {
    let r = run(&[
        (0, "NONE|water|SIP/1|ADDMEMBER|"),
        (0, "NONE|water|SIP/2|ADDMEMBER|"),
        (60, "NONE|NONE|SIP/2|PAUSEALL|Break"),
        (60, "NONE|water|SIP/2|PAUSE|Break"),
        (100, "c1|water|NONE|ENTERQUEUE||5550001|1"),
        (110, "c1|water|SIP/1|CONNECT|10|c1b|2"),
        (200, "NONE|water|SIP/1|PAUSE|Lunch"),
        (300, "c1|water|SIP/1|BLINDTRANSFER|2000|default|10|190|1"),
        (360, "NONE|NONE|SIP/2|UNPAUSEALL|"),
        (400, "c2|water|NONE|ENTERQUEUE||5550002|1"),
        (401, "c2|water|NONE|WITHDRAW|"),
        (500, "c3|water|NONE|ENTERQUEUE||5550003|1"),
        (505, "c3|water|SIP/2|CONNECT|5|c3b|1"),
        (600, "c4|water|NONE|ENTERQUEUE||5550004|1"),
        (700, "NONE|NONE|NONE|QUEUESTART|"),
        (900, "NONE|water|SIP/1|REMOVEMEMBER|"),
    ]);
    let water = &r.queues[0];
    assert_eq!(water.name, "water");
    let s = water.intervals[0].stats;
    assert_eq!((s.offered, s.answered, s.answered_within_sl, s.dequeued), (4, 2, 2, 2));
    assert_eq!((s.dequeued_by_reason.withdrawn, s.dequeued_by_reason.system_restart), (1, 1));
    assert_eq!((s.handled, s.talk_ms), (2, 385_000));
    assert_eq!(s.aht_seconds(), Some(192.5));
    let t = s.agent_time;
    assert_eq!((t.available_ms, t.on_call_ms, t.not_ready_ms), (315_000, 385_000, 700_000));
    assert_eq!(s.occupancy(), Some(0.55));
    assert_eq!(s.utilization(), Some(0.275));
    let restart: Vec<&str> =
        r.warnings.iter().filter(|w| w.line == Some(15)).map(|w| w.reason.as_str()).collect();
    assert_eq!(restart.len(), 2, "{:#?}", r.warnings);
    assert!(restart[0].contains("c3") && restart[0].contains("cut off while connected"));
    assert!(restart[1].contains("c4") && restart[1].contains("lost while waiting"));
    assert_eq!(r.warnings.len(), 2, "{:#?}", r.warnings);
    assert!(r.open_calls.is_empty());
}

/// Every way a call leaves a queue, and every verb that ends an answered call.
#[test]
fn outcomes_and_call_endings() {
    let r = run(&[
        (0, "a|q|NONE|ENTERQUEUE||1|1"),
        (0, "b|q|NONE|ENTERQUEUE||2|2"),
        (0, "c|q|NONE|ENTERQUEUE||3|3"),
        (0, "d|q|NONE|ENTERQUEUE||4|4"),
        (0, "e|q|NONE|ENTERQUEUE||5|5"),
        (0, "f|q|NONE|ENTERQUEUE||6|6"),
        (0, "g|q|NONE|ENTERQUEUE||7|7"),
        (0, "h|q|NONE|ENTERQUEUE||8|8"),
        (3, "a|q|NONE|EXITEMPTY|1|1|3"),
        (4, "b|q|NONE|EXITWITHKEY|5|1|2|4"),
        (4, "e|q|Agent/9|RINGNOANSWER|4000"),
        (5, "e|q|Agent/1|CONNECT|5|x|1"),
        (6, "f|q|Agent/2|CONNECT|6|y|1"),
        (7, "g|q|Agent/3|CONNECT|7|z|1"),
        (8, "d|q|NONE|ABANDON|1|4|8"),
        (9, "h|q|Agent/4|CONNECT|9|w|1"),
        (30, "c|q|NONE|EXITWITHTIMEOUT|1|3|30"),
        (65, "e|q|Agent/1|COMPLETECALLER|5|60|1"),
        (76, "f|q|Agent/2|COMPLETEAGENT|6|70|1"),
        (87, "g|q|Agent/3|ATTENDEDTRANSFER|BRIDGE|k|7|80|1"),
        (99, "h|q|Agent/4|TRANSFER|2001|default|9|90"),
        (100, "NONE|NONE|NONE|CONFIGRELOAD|"),
        (100, "e|q|NONE|DID|5551234"),
    ]);
    let s = r.queues[0].intervals[0].stats;
    assert_eq!((s.offered, s.answered, s.abandoned, s.dequeued), (8, 4, 1, 3));
    let d = s.dequeued_by_reason;
    assert_eq!((d.no_agents, d.caller_option, d.timeout), (1, 1, 1));
    assert_eq!((s.handled, s.talk_ms), (4, (60 + 70 + 80 + 90) * 1000));
    assert_eq!(s.max_wait_ms, Some(30_000));
    assert!(r.warnings.is_empty(), "{:#?}", r.warnings);
}

/// An agent who logs in and out, and a queue_log whose ENTERQUEUE came twice.
#[test]
fn logins_logoffs_and_a_repeated_enterqueue() {
    let r = run(&[
        (0, "NONE|NONE|Agent/7|AGENTLOGIN|SIP/7"),
        (0, "NONE|help|Agent/7|ADDMEMBER|"),
        (10, "x|help|NONE|ENTERQUEUE||1|1"),
        (12, "x|help|NONE|ENTERQUEUE||1|1"),
        (20, "x|help|Agent/7|CONNECT|10|y|1"),
        (80, "x|help|Agent/7|COMPLETECALLER|10|60|1"),
        (300, "NONE|NONE|Agent/7|AGENTLOGOFF|SIP/7|300"),
        (301, "NONE|help|Agent/8|REMOVEMEMBER|"),
    ]);
    let s = r.queues[0].intervals[0].stats;
    assert_eq!((s.offered, s.answered, s.handled), (1, 1, 1));
    // Logged in 0–300: on the call 20–80, available the rest.
    assert_eq!((s.agent_time.on_call_ms, s.agent_time.available_ms), (60_000, 240_000));
    assert_eq!(r.warnings.len(), 2, "{:#?}", r.warnings);
    assert_eq!(r.warnings[0].line, Some(4));
    assert!(r.warnings[0].reason.contains("still waiting"), "{}", r.warnings[0].reason);
    assert_eq!(r.warnings[1].line, Some(8));
    assert!(r.warnings[1].reason.contains("not a member"), "{}", r.warnings[1].reason);
}

/// A warning about the log as a whole names no line: a call left waiting for three days has its
/// entry interval dropped from the two days kept while it is still open.
#[test]
fn a_warning_about_the_whole_log_names_no_line() {
    let three_days = 3 * 86_400;
    let r = run(&[
        (0, "forgotten|LINES|NONE|ENTERQUEUE||311|1"),
        (three_days, "next|LINES|NONE|ENTERQUEUE||311|1"),
    ]);
    let whole: Vec<&str> =
        r.warnings.iter().filter(|w| w.line.is_none()).map(|w| w.reason.as_str()).collect();
    assert_eq!(whole.len(), 1, "{:?}", r.warnings);
    assert!(whole[0].contains("intervals were dropped before their calls ended"), "{whole:?}");
    assert_eq!(r.warnings[0].line, None, "whole-log warnings come first");
    assert!(r.warnings[1..].iter().all(|w| w.line.is_some()), "{:?}", r.warnings);
}

/// The replay's center (over ten megabytes) is made in place by the core's `new_boxed`, so a
/// whole real day replays on a thread with an ordinary stack, not one the center's size.
#[test]
fn a_real_day_replays_on_an_ordinary_stack() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/anonymous-bank-1999-02-10.queue_log");
    let bytes = std::fs::read(path).unwrap();
    let day = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let parsed = queue_log::parse(&bytes, &SiteCalendar::UTC);
            let replayed = callboard_queue_log::replay::replay(
                parsed,
                CenterConfig::default(),
                QueueConfig::default(),
            );
            replayed.queues.len()
        })
        .unwrap()
        .join()
        .expect("the replay fits in 2 MiB of stack");
    assert_eq!(day, 6);
}

/// A stepper saved at noon of the real day and restored (as a restarted service would) ends the
/// day with exactly the figures, warnings and survey responses of one never interrupted; bytes
/// that are not a saved stepper, or are damaged, are refused.
#[test]
fn a_saved_stepper_continues_exactly() {
    use callboard_core::calendar::{DstRule, UtcOffset};
    use callboard_core::csat::{CsatScale, SurveyResponse};
    use callboard_queue_log::replay::Stepper;
    use callboard_queue_log::surveys::Survey;

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/anonymous-bank-1999-02-10.queue_log");
    let bytes = std::fs::read(path).unwrap();
    let run = std::thread::Builder::new()
        .stack_size(callboard_queue_log::replay::REPLAY_STACK_BYTES)
        .spawn(move || {
            let calendar =
                SiteCalendar::new(UtcOffset::from_minutes(120).unwrap(), DstRule::None).unwrap();
            let config = CenterConfig { calendar, ..CenterConfig::default() };
            let at = |text| queue_log::local_time::parse_local_instant(&calendar, text).unwrap();
            let (noon, end) = (at("1999-02-10 12:00"), at("1999-02-10 23:59"));
            let survey = |hour: u64, score| Survey {
                origin: format!("test {hour}"),
                response: SurveyResponse {
                    contact_at: at("1999-02-10 00:00") + hour * 3_600_000,
                    score,
                    answers: [None; 4],
                    follow_up_requested: false,
                },
            };
            let steppers = || {
                let mut parsed = queue_log::parse(&bytes, &calendar);
                parsed.take_survey_lines("SURVEY", &CsatScale::ONE_TO_FIVE);
                let mut stepper = Stepper::new(parsed.warnings, config, QueueConfig::default());
                stepper.push(parsed.records);
                stepper.push_surveys([survey(9, 5), survey(15, 2)]);
                stepper
            };
            let mut whole = steppers();
            whole.advance_to(noon).unwrap();
            whole.advance_to(end).unwrap();

            let mut first = steppers();
            first.advance_to(noon).unwrap();
            let saved = first.checkpoint().unwrap();
            // The same state saves to the same bytes, before and after a restore: the
            // replay's maps and agents' queue sets are written in key order.
            assert!(first.checkpoint().unwrap() == saved, "a second save differs");
            drop(first);
            let mut restored = Stepper::restore(&saved, false).unwrap();
            assert!(restored.checkpoint().unwrap() == saved, "a restored stepper saves otherwise");
            restored.advance_to(end).unwrap();

            let figures = |s: &Stepper| {
                let mut ids: Vec<_> =
                    s.queue_ids().iter().map(|(n, id)| (n.clone(), *id)).collect();
                ids.sort();
                let days: Vec<_> = ids
                    .iter()
                    .map(|(n, id)| (n.clone(), s.center().days(*id).collect::<Vec<_>>()))
                    .collect();
                let csat: Vec<_> = s.center().csat().days().map(|(d, t)| (d, *t)).collect();
                (days, csat, s.warnings().to_vec(), *s.center().diagnostics())
            };
            assert!(figures(&restored) == figures(&whole), "the restored day differs");
            assert_eq!(figures(&whole).1[0].1.responses, 2);

            // Refused, nothing restored.
            assert!(Stepper::restore(b"not a stepper", false).is_err());
            let mut damaged = saved.clone();
            let last = damaged.len() - 10;
            damaged[last] ^= 0x55;
            assert!(Stepper::restore(&damaged, false).unwrap_err().contains("saved center"));
            assert!(Stepper::restore(&saved[..saved.len() / 2], false).is_err());
            saved.len()
        })
        .unwrap()
        .join()
        .unwrap();
    eprintln!("a saved stepper at noon of the sample day: {run} bytes");
}
