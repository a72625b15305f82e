//! The service agreements' two readers, fed anything: the policies file (TOML) and the
//! requests file (CSV), through to the report `callboard sla report` prints.
//!
//! The first byte picks which one the rest is: even, a policies file, which must be refused
//! with a message or parsed (and then runs a small fixed requests file); odd, a requests file
//! run against the sample policies of `examples/data`. Nothing may panic; in a report, met and
//! missed are within closed, compliance in [0, 1] and median times finite; it renders as text
//! and as JSON.
#![no_main]

use callboard_agreements::policies::parse_policies;
use callboard_agreements::report::{render_json, render_text, report};
use libfuzzer_sys::fuzz_target;

const SAMPLE_POLICIES: &str = include_str!("../../examples/data/sla-policies-311.toml");
const SMALL_REQUESTS: &str = "id,type,department,opened,closed,pauses\n\
    SR-1,Missed trash pickup,Sanitation,2026-11-23 08:10,2026-11-24 09:00,\n\
    SR-2,Pothole repair,Streets,2026-11-23 09:00,,2026-11-23 12:00/2026-11-23 13:00\n";

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let (policies, requests) = if which % 2 == 0 {
        match parse_policies(&text) {
            Ok(policies) => (policies, SMALL_REQUESTS),
            Err(message) => {
                assert!(!message.is_empty(), "a refusal without a message");
                return;
            }
        }
    } else {
        (parse_policies(SAMPLE_POLICIES).expect("the sample policies"), &*text)
    };
    let Ok(report) = report(&policies, requests, None, None, None) else { return };
    for line in &report.lines {
        assert!(line.met + line.missed <= line.closed, "{line:?}");
        if let Some(compliance) = line.compliance {
            assert!((0.0..=1.0).contains(&compliance), "{line:?}");
        }
        if let Some(hours) = line.median_close_hours {
            assert!(hours.is_finite() && hours >= 0.0, "{line:?}");
        }
    }
    let _ = render_text(&report);
    let json = render_json(&report).expect("a report renders as JSON");
    let _: serde_json::Value = serde_json::from_str(&json).expect("the JSON reads back");
});
