//! Whatever happens to a log on its way to us — bit flips, NUL runs, cut lines, repeated or
//! swapped lines, foreign bytes — the report survives it and its figures stay consistent.

use callboard_core::calendar::SiteCalendar;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_queue_log as queue_log;
use callboard_queue_log::replay::replay_on_own_thread;
use proptest::prelude::*;

fn source() -> Vec<u8> {
    let sample = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/anonymous-bank-1999-02-10.queue_log"
    ))
    .unwrap();
    // The first 400 lines of the real day, then the messy fixture.
    let cut = sample
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(399)
        .map_or(sample.len(), |(i, _)| i + 1);
    let mut bytes = sample[..cut].to_vec();
    bytes.extend(
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/messy.queue_log")).unwrap(),
    );
    bytes
}

#[derive(Debug, Clone)]
enum Mangle {
    FlipBit(prop::sample::Index, u8),
    NulRun(prop::sample::Index, u8),
    Cut(prop::sample::Index),
    RepeatLine(prop::sample::Index),
    SwapLines(prop::sample::Index, prop::sample::Index),
    Insert(prop::sample::Index, Vec<u8>),
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(i, b)| Mangle::FlipBit(i, b)),
        (any::<prop::sample::Index>(), 1u8..200).prop_map(|(i, n)| Mangle::NulRun(i, n)),
        any::<prop::sample::Index>().prop_map(Mangle::Cut),
        any::<prop::sample::Index>().prop_map(Mangle::RepeatLine),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mangle::SwapLines(a, b)),
        (any::<prop::sample::Index>(), proptest::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(i, bytes)| Mangle::Insert(i, bytes)),
    ]
}

fn apply(mut bytes: Vec<u8>, m: &Mangle) -> Vec<u8> {
    // A log an earlier cut emptied has no byte or line left to mangle (and an index into nothing
    // is a bug of the test, not of the reader).
    if bytes.is_empty() {
        return bytes;
    }
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    match m {
        Mangle::FlipBit(i, bit) => {
            let i = i.index(bytes.len());
            bytes[i] ^= 1 << bit;
            return bytes;
        }
        Mangle::NulRun(i, n) => {
            let i = i.index(bytes.len());
            bytes.splice(i..i, std::iter::repeat_n(0, usize::from(*n)));
            return bytes;
        }
        Mangle::Cut(i) => {
            bytes.truncate(i.index(bytes.len()));
            return bytes;
        }
        Mangle::Insert(i, extra) => {
            let i = i.index(bytes.len());
            bytes.splice(i..i, extra.iter().copied());
            return bytes;
        }
        Mangle::RepeatLine(i) => {
            let i = i.index(lines.len());
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        Mangle::SwapLines(a, b) => {
            let (a, b) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(a, b);
        }
    }
    lines.join(&b'\n')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mangled_logs_are_survived(mangles in proptest::collection::vec(mangle(), 1..12)) {
        let bytes = mangles.iter().fold(source(), apply);
        let line_count = bytes.split(|&b| b == b'\n').count();
        let parsed = queue_log::parse(&bytes, &SiteCalendar::UTC);
        let r = replay_on_own_thread(parsed, CenterConfig::default(), QueueConfig::default()).unwrap();
        for w in &r.warnings {
            // A warning names a line of the input, or none (the whole input), never line 0.
            let named = w.line.unwrap_or(1);
            prop_assert!((1..=line_count).contains(&named), "{w} in {line_count} lines");
        }
        for q in &r.queues {
            for row in q.intervals.iter().map(|i| i.stats).chain(q.days.iter().map(|d| d.stats)) {
                let outcomes = row.answered + row.abandoned + row.dequeued + row.transferred_out + row.waiting;
                prop_assert_eq!(row.offered, outcomes);
            }
        }
    }
}
