//! The C ABI's event entry point, `cb_center_apply`, fed any sequence of `cb_event`s a switch
//! could pass: any kind number, any flags, ids in and out of range, clocks that jump and go
//! back. Each event is taken or refused with a status; no call ever answers `CB_STATUS_PANIC`
//! (a panic caught at the boundary) or leaves the center poisoned.
//!
//! Every few events the wallboard's reads run on every queue: the snapshot's periods keep their
//! counts within their sets and their ratios in [0, 1]. At the end the center checkpoints
//! through the C ABI, restores into a second center, and that center checkpoints to the same
//! bytes.
//!
//! Each event is 16 bytes of the input, spread over the struct's fields (see `event`).
#![no_main]

use callboard::center::{
    cb_center, cb_center_add_queue, cb_center_config, cb_center_config_default, cb_center_free,
    cb_center_new, cb_queue_config,
};
use callboard::checkpoint::{cb_center_checkpoint, cb_center_restore};
use callboard::events::{cb_center_apply, cb_event};
use callboard::figures::{cb_center_snapshot, cb_period, cb_queue_snapshot};
use callboard::status::cb_status;
use libfuzzer_sys::fuzz_target;

const START_MS: u64 = 1_795_420_500_000;

fuzz_target!(|data: &[u8]| {
    let center = new_center();
    let mut at = START_MS;
    for (n, chunk) in data.chunks_exact(16).enumerate() {
        let event = event(chunk, &mut at);
        // SAFETY: a live center and a valid event, as the header asks.
        let status = unsafe { cb_center_apply(center, &event) };
        healthy(status, "cb_center_apply");
        if n % 8 == 7 {
            reads_hold(center);
        }
    }
    reads_hold(center);

    let saved = checkpoint(center);
    let second = new_center();
    // SAFETY: a live center and a buffer of `saved.len()` bytes.
    let status = unsafe { cb_center_restore(second, saved.as_ptr(), saved.len()) };
    assert_eq!(status, cb_status::CB_STATUS_OK, "a center's own checkpoint was refused");
    assert!(checkpoint(second) == saved, "a restored center checkpoints otherwise");
    // SAFETY: centers from cb_center_new, freed once.
    unsafe {
        cb_center_free(center);
        cb_center_free(second);
    }
});

/// One event from 16 bytes: kind (1), call (2), queue (1), agent (1), flags (1), priority (1),
/// reasons (1 + 2), clock step (1), talk (3) and hold (2) times.
fn event(b: &[u8], at: &mut u64) -> cb_event {
    *at = match b[9] {
        250.. => at.saturating_sub(u64::from(b[9] - 249) * 5_000),
        step => at.saturating_add(u64::from(step) * 1_000),
    };
    let flags = b[5];
    cb_event {
        at_ms: if flags == 0xFF { u64::MAX - u64::from(b[1]) } else { *at },
        // Mostly the twelve kinds, sometimes a number none of them has.
        kind: if flags & 0x80 != 0 { u32::from(b[0]) } else { u32::from(b[0] % 12) },
        call: u64::from(u16::from_le_bytes([b[1], b[2]]) % 48),
        queue: u32::from(b[3] % 5),
        has_queue: flags & 1 != 0,
        agent: u32::from(b[4] % 24),
        has_agent: flags & 2 != 0,
        priority: b[6],
        reason: u32::from(b[7] % 8),
        not_ready_reason: u16::from_le_bytes([b[8], b[7]]),
        talk_ms: u64::from(u32::from_le_bytes([b[10], b[11], b[12], 0])) * 10,
        hold_ms: u64::from(u16::from_le_bytes([b[13], b[14]])) * 10,
    }
}

fn new_center() -> *mut cb_center {
    let mut config = core::mem::MaybeUninit::<cb_center_config>::zeroed();
    // The 311 center's: 20 s, callers gone within 5 s not counted against it.
    let queue = cb_queue_config { sl_seconds: 20, short_abandon_ms: 5_000, ..Default::default() };
    let mut center = core::ptr::null_mut();
    // SAFETY: valid out-pointers; the configuration is the library's default.
    unsafe {
        healthy(cb_center_config_default(config.as_mut_ptr()), "cb_center_config_default");
        assert_eq!(cb_center_new(config.as_ptr(), &mut center), cb_status::CB_STATUS_OK);
        for id in 0..4 {
            assert_eq!(cb_center_add_queue(center, id, &queue), cb_status::CB_STATUS_OK);
        }
    }
    center
}

fn healthy(status: cb_status, what: &str) {
    assert!(
        !matches!(status, cb_status::CB_STATUS_PANIC | cb_status::CB_STATUS_POISONED),
        "{what} answered {status:?}"
    );
}

fn reads_hold(center: *mut cb_center) {
    for queue in 0..5 {
        let mut snapshot = cb_queue_snapshot::default();
        // SAFETY: a live center and a valid out-pointer.
        let status = unsafe { cb_center_snapshot(center, queue, &mut snapshot) };
        healthy(status, "cb_center_snapshot");
        if status != cb_status::CB_STATUS_OK {
            // Before the first event nothing is kept yet; queue 4 was never added.
            assert!(
                queue == 4 || status == cb_status::CB_STATUS_NOT_KEPT,
                "a known queue's snapshot refused: {status:?}"
            );
            continue;
        }
        period_holds(&snapshot.current_interval);
        period_holds(&snapshot.today);
        assert!(snapshot.today.waiting == snapshot.waiting, "{snapshot:?}");
    }
}

fn period_holds(p: &cb_period) {
    let outcomes = u64::from(p.answered)
        + u64::from(p.abandoned)
        + u64::from(p.dequeued)
        + u64::from(p.transferred_out)
        + u64::from(p.waiting);
    assert!(outcomes <= u64::from(p.offered), "more outcomes than calls: {p:?}");
    assert!(p.answered_within_sl <= p.answered && p.handled <= p.answered, "{p:?}");
    assert!(p.short_abandoned <= p.abandoned && p.waiting_past_sl <= p.waiting, "{p:?}");
    for ratio in [
        p.sl_answered,
        p.sl_offered,
        p.sl_abandons_ignored,
        p.sl_abandons_positive,
        p.abandon_rate,
        p.occupancy,
    ] {
        assert!((0.0..=1.0).contains(&ratio), "a ratio out of [0, 1]: {ratio} in {p:?}");
    }
    for seconds in [p.asa_seconds, p.aht_seconds, p.average_abandon_seconds, p.max_wait_seconds] {
        assert!(seconds.is_finite() && seconds >= 0.0, "{seconds} s in {p:?}");
    }
}

fn checkpoint(center: *mut cb_center) -> Vec<u8> {
    let mut needed = 0;
    // SAFETY: a NULL buffer of length 0 asks for the length, written to `needed`.
    let status = unsafe { cb_center_checkpoint(center, core::ptr::null_mut(), 0, &mut needed) };
    assert_eq!(status, cb_status::CB_STATUS_BUFFER_TOO_SMALL, "asking the length");
    let mut bytes = vec![0; needed];
    let mut written = 0;
    // SAFETY: a buffer of `needed` bytes.
    let status = unsafe { cb_center_checkpoint(center, bytes.as_mut_ptr(), needed, &mut written) };
    assert_eq!(status, cb_status::CB_STATUS_OK);
    bytes.truncate(written);
    bytes
}
