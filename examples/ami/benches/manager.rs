//! How fast the manager source reads a busy switch (BENCHMARKS.md, issue 21): the sample day's
//! queue events as Asterisk would send them, with the channel traffic a real manager session
//! carries around them (four `Newexten`/`VarSet`-like events per queue event, ignored by the
//! translator but decoded), fed to the decoder in 16 KiB reads and every message translated.
//!
//! Run: `cargo bench -p callboard-ami --bench manager` (release). Prints a Markdown row.

use std::time::Instant;

use callboard_ami::protocol::{Decoded, Decoder, Message};
use callboard_ami::transcript::Switch;
use callboard_ami::translate::{Translator, event_time};
use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};

fn main() {
    let calendar = SiteCalendar::new(UtcOffset::from_minutes(120).unwrap(), DstRule::None).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/anonymous-bank-1999-02-10.queue_log");
    let records = callboard_queue_log::parse(&std::fs::read(path).unwrap(), &calendar).records;
    // One day's transcript, repeated as separate days' worth of calls (ids made unique).
    let days = 20;
    let mut wire = Vec::new();
    let mut queue_events = 0_u64;
    let mut all_events = 0_u64;
    for day in 0..days {
        let mut switch = Switch::new();
        for record in &records {
            let mut record = record.clone();
            record.callid = format!("{day}-{}", record.callid);
            record.at += day * 86_400_000;
            for event in switch.events(&record) {
                wire.extend(event.encode());
                queue_events += 1;
                all_events += 1;
                for noise in 0..4 {
                    let call = record.callid.clone();
                    let priority = noise.to_string();
                    let filler = Message::new([
                        ("Event", "Newexten"),
                        ("Privilege", "dialplan,all"),
                        ("Channel", "PJSIP/trunk-0000002a"),
                        ("Context", "from-311"),
                        ("Extension", "311"),
                        ("Priority", priority.as_str()),
                        ("Application", "Queue"),
                        ("AppData", "STREETS,t,,,300"),
                        ("Uniqueid", call.as_str()),
                    ]);
                    wire.extend(filler.encode());
                    all_events += 1;
                }
            }
        }
    }
    let started = Instant::now();
    let mut decoder = Decoder::without_banner();
    let mut translator = Translator::new();
    let mut records_made = 0_u64;
    for read in wire.chunks(16 * 1024) {
        for decoded in decoder.feed(read) {
            if let Decoded::Message(message) = decoded {
                let at = event_time(&message, 0);
                records_made += translator.event(&message, at).len() as u64;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("| bytes | events (queue events) | records made | seconds | events/s | MiB/s |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} | {all_events} ({queue_events}) | {records_made} | {seconds:.2} | {:.0} | {:.1} |",
        wire.len(),
        all_events as f64 / seconds,
        wire.len() as f64 / seconds / 1_048_576.0
    );
}
