//! A contact center for C: create it (on the heap or in caller memory), configure queues,
//! feed ACD events, and read live snapshots, interval and day figures and CSAT.
//!
//! Thread-safety, for every function taking a `cb_center`: a center is not synchronized.
//! Functions taking `cb_center *` must not run concurrently with any other call on the same
//! center; functions taking `const cb_center *` may run concurrently with each other. Different
//! centers are independent.

use callboard_core::calendar::IntervalLength;
use callboard_core::center::{Attribution, ConfigError};
use callboard_core::csat::{CsatConfig, CsatFigureKind, CsatScale};
use callboard_core::event::QueueId;
use callboard_core::service_level::ServiceLevelThreshold;
use callboard_core::{Center, CenterConfig, QueueConfig};

use crate::boundary::{
    answer_into, borrow, compute_into, guard, handle, place_in, read_into, with_handle_mut,
};
use core::mem::MaybeUninit;

use crate::calendar::{cb_dst_rule, site_calendar};
use crate::cb_status;
use crate::csat::{CB_CSAT_MEAN_SCORE, CB_CSAT_TOP_TWO_BOX};
use crate::status::*;

/// Queues a center holds.
pub const CB_MAX_QUEUES: u32 = 32;

/// Calls in flight (waiting, talking or wrapping up) a center holds at once.
pub const CB_MAX_CALLS: u32 = 4096;

/// Agents a center knows.
pub const CB_MAX_AGENTS: u32 = 1024;

/// Intervals kept per queue: a day of 15-minute intervals.
pub const CB_MAX_INTERVALS: u32 = 96;

/// Local days kept per queue (and for CSAT).
pub const CB_MAX_DAYS: u32 = 8;

pub(crate) type CenterState = Center<32, 4096, 1024, 96, 8>;

const _: () = assert!(
    CB_MAX_QUEUES == 32
        && CB_MAX_CALLS == 4096
        && CB_MAX_AGENTS == 1024
        && CB_MAX_INTERVALS == 96
        && CB_MAX_DAYS == 8
);

/// A contact center: its queues, calls in flight, agents, interval and day figures and CSAT.
/// Opaque; `cb_center_size()` bytes aligned to `cb_center_align()`.
///
/// Stack: built for release, every `cb_center_` call fits in 256 KB of the calling thread's
/// stack at these capacities (tested); `cb_center_restore` needs the most (about 224 KB
/// measured), every other call under 64 KB.
///
/// Thread-safety (the rule every `cb_center_` function refers to): a center is not
/// synchronized. A call taking `cb_center *` needs exclusive use of that center for its
/// duration; calls taking `const cb_center *` may run concurrently with each other, but not with
/// a call taking `cb_center *`. Different centers are independent.
#[derive(Debug)]
pub struct cb_center {
    state: CenterState,
    /// An internal panic left the state unknown: every later call is refused.
    poisoned: bool,
    /// Made by `cb_center_new` (freed by `cb_center_free`) rather than in caller memory.
    on_heap: bool,
}

/// Makes an empty center in `place`: the state through the core's `Center::new_in`, which writes
/// it in place (a copy of its megabytes on the stack first is what an embedded switch's thread
/// may not have room for), then the two flags.
///
/// # Safety
/// `place` must be non-NULL, aligned, valid for writes of a `cb_center` and unshared.
unsafe fn make_in(place: *mut cb_center, config: CenterConfig, on_heap: bool) {
    // SAFETY: by the caller's contract `place` is valid for writes; the field pointers stay
    // inside it, and `MaybeUninit<CenterState>` has the layout of `CenterState`.
    unsafe {
        let state = core::ptr::addr_of_mut!((*place).state).cast::<MaybeUninit<CenterState>>();
        CenterState::new_in(&mut *state, config);
        core::ptr::addr_of_mut!((*place).poisoned).write(false);
        core::ptr::addr_of_mut!((*place).on_heap).write(on_heap);
    }
}

/// Count each call in the interval it entered the queue.
pub const CB_ATTRIBUTION_ENTRY: u32 = 0;

/// Count each call in the interval it left the queue.
pub const CB_ATTRIBUTION_EXIT: u32 = 1;

/// A center's configuration. `cb_center_config_default` fills in the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_center_config {
    /// The site's standard offset from UTC in minutes (New York: -300).
    pub utc_offset_minutes: i32,
    /// `CB_DST_NONE`, `CB_DST_US` or `CB_DST_EU`.
    pub dst_rule: u32,
    /// Interval length in minutes: 15, 30 or 60.
    pub interval_minutes: u32,
    /// `CB_ATTRIBUTION_ENTRY` or `CB_ATTRIBUTION_EXIT`.
    pub attribution: u32,
    /// How far back (ms) an event may arrive out of order and still be applied exactly.
    pub reorder_tolerance_ms: u64,
    /// The largest forward jump of the clock (ms) accepted in one event or one
    /// `cb_center_advance_to` (default 31 days); `UINT64_MAX` for no limit. A jump's cost is
    /// bounded by what the center keeps, whatever its length.
    pub max_clock_jump_ms: u64,
    /// The survey's lowest score (e.g. 1).
    pub csat_scale_lowest: u8,
    /// The survey's highest score (e.g. 5).
    pub csat_scale_highest: u8,
    /// Fewest responses for a day's CSAT to be posted.
    pub csat_minimum_sample: u32,
    /// `CB_CSAT_MEAN_SCORE` or `CB_CSAT_TOP_TWO_BOX`.
    pub csat_figure: u32,
}

/// A queue's configuration. The service-level threshold is `sl_seconds`, or, when `sl_rings`
/// is above 0, `sl_rings` rings of `ring_cadence_ms` each ("answered by the third ring").
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_queue_config {
    /// Service-level threshold in seconds (used when `sl_rings` is 0).
    pub sl_seconds: u32,
    /// Service-level threshold in rings, or 0.
    pub sl_rings: u32,
    /// Length of one ring cycle in milliseconds (North America: 6000).
    pub ring_cadence_ms: u32,
    /// Callers who hang up sooner than this are short abandons, left out of net figures.
    pub short_abandon_ms: u64,
}

/// What a center has counted about its input.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_diagnostics {
    /// Events applied.
    pub applied: u64,
    /// Events refused (each refused event changed nothing).
    pub rejected: u64,
    /// Survey responses refused.
    pub surveys_rejected: u32,
    /// Intervals dropped from a full ring before they were read.
    pub intervals_evicted: u32,
    /// Days dropped from a full day ledger.
    pub days_evicted: u32,
    /// Updates to an interval or day no longer kept.
    pub late_updates: u32,
}

/// Any configuration error is an argument out of range.
fn invalid<E>(_: E) -> cb_status {
    CB_STATUS_INVALID_ARGUMENT
}

fn config_of(config: &cb_center_config) -> Result<CenterConfig, cb_status> {
    let interval = match config.interval_minutes {
        15 => IntervalLength::Minutes15,
        30 => IntervalLength::Minutes30,
        60 => IntervalLength::Minutes60,
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
    };
    let attribution = match config.attribution {
        CB_ATTRIBUTION_ENTRY => Attribution::QueueEntry,
        CB_ATTRIBUTION_EXIT => Attribution::QueueExit,
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
    };
    let figure = match config.csat_figure {
        CB_CSAT_MEAN_SCORE => CsatFigureKind::MeanScore,
        CB_CSAT_TOP_TWO_BOX => CsatFigureKind::TopTwoBox,
        _ => return Err(CB_STATUS_INVALID_ARGUMENT),
    };
    let scale =
        CsatScale::new(config.csat_scale_lowest, config.csat_scale_highest).map_err(invalid)?;
    Ok(CenterConfig {
        calendar: site_calendar(config.utc_offset_minutes, config.dst_rule)?,
        interval,
        attribution,
        reorder_tolerance_ms: config.reorder_tolerance_ms,
        max_clock_jump_ms: config.max_clock_jump_ms,
        csat: CsatConfig { scale, minimum_sample: config.csat_minimum_sample, figure },
        ..CenterConfig::DEFAULT
    })
}

/// Writes the default configuration: UTC, no daylight saving, 15-minute intervals, calls
/// counted where they entered the queue, 2 s reorder tolerance, clock jumps up to 31 days,
/// CSAT on a 1–5 scale as a mean score with at least 10 responses.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` for NULL.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `out` must be NULL or point to writable memory for a `cb_center_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_config_default(out: *mut cb_center_config) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        compute_into(out, || {
            let d = CenterConfig::DEFAULT;
            Ok(cb_center_config {
                utc_offset_minutes: d.calendar.standard_offset().minutes(),
                dst_rule: cb_dst_rule::CB_DST_NONE as u32,
                interval_minutes: 15,
                attribution: CB_ATTRIBUTION_ENTRY,
                reorder_tolerance_ms: d.reorder_tolerance_ms,
                max_clock_jump_ms: d.max_clock_jump_ms,
                csat_scale_lowest: d.csat.scale.lowest(),
                csat_scale_highest: d.csat.scale.highest(),
                csat_minimum_sample: d.csat.minimum_sample,
                csat_figure: CB_CSAT_MEAN_SCORE,
            })
        })
    }
}

/// The bytes a center needs in caller memory (`cb_center_init`): about 1.6 MB (1,607,184 on a
/// 64-bit machine).
///
/// Thread-safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cb_center_size() -> usize {
    size_of::<cb_center>()
}

/// The alignment, in bytes, caller memory for `cb_center_init` must have.
///
/// Thread-safety: safe from any thread.
#[unsafe(no_mangle)]
pub extern "C" fn cb_center_align() -> usize {
    align_of::<cb_center>()
}

/// Makes a center on the heap. Free it with `cb_center_free`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED`, or `CB_STATUS_INVALID_ARGUMENT`
/// for a configuration out of range. `*out` is written only on `CB_STATUS_OK`.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `config` must be NULL or point to a valid `cb_center_config`; `out` must be NULL or point to
/// writable memory for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_new(
    config: *const cb_center_config,
    out: *mut *mut cb_center,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        made(config, out, |config| {
            let mut memory = Box::<cb_center>::new_uninit();
            // A fresh allocation of a `cb_center`: aligned, writable, unshared; `make_in` then
            // writes every field.
            make_in(memory.as_mut_ptr(), config, true);
            Ok(Box::into_raw(memory.assume_init()))
        })
    }
}

/// The part `cb_center_new` and `cb_center_init` share: the configuration read, then `out`
/// checked, then the center made by `make` and its pointer written to `out`.
///
/// # Safety
/// `config` NULL or valid; `out` NULL or writable.
unsafe fn made(
    config: *const cb_center_config,
    out: *mut *mut cb_center,
    make: impl FnOnce(CenterConfig) -> Result<*mut cb_center, cb_status>,
) -> cb_status {
    guard(|| {
        // SAFETY: forwarded caller contract.
        let config = config_of(unsafe { borrow(config) }?)?;
        // SAFETY: forwarded caller contract.
        unsafe { answer_into(out, || make(config)) }
    })
}

/// Makes a center in caller memory of `len` bytes at `memory`, which must be at least
/// `cb_center_size()` bytes aligned to `cb_center_align()`; no allocation. The center lives
/// as long as the memory; it needs no freeing (do not pass it to `cb_center_free`).
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED` (memory not aligned),
/// `CB_STATUS_BUFFER_TOO_SMALL` (`len` below `cb_center_size()`), or
/// `CB_STATUS_INVALID_ARGUMENT`. Nothing is written on failure.
///
/// Thread-safety: safe from any thread; the memory must not be in use by anyone else.
///
/// # Safety
/// `memory` must be NULL or point to `len` writable bytes not used for anything else while the
/// center lives; `config` NULL or valid; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_init(
    memory: *mut core::ffi::c_void,
    len: usize,
    config: *const cb_center_config,
    out: *mut *mut cb_center,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        // The place is checked by place_in; writable and unshared by the caller's contract.
        made(config, out, |config| place_in(memory, len, |place| make_in(place, config, false)))
    }
}

/// Frees a center made by `cb_center_new`. NULL, and centers made by `cb_center_init` (whose
/// memory belongs to the caller), are left alone.
///
/// Thread-safety: no other call may use the center during or after this one.
///
/// # Safety
/// `center` must be NULL or a center from `cb_center_new`/`cb_center_init` not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_free(center: *mut cb_center) {
    let _ = guard(|| {
        if center.is_null() || !center.is_aligned() {
            return Ok(());
        }
        // SAFETY: a live center by the caller's contract.
        if unsafe { (*center).on_heap } {
            // SAFETY: made by Box::into_raw in cb_center_new and not freed before.
            drop(unsafe { Box::from_raw(center) });
        }
        Ok(())
    });
}

handle!(cb_center, state: CenterState);

/// Adds a queue with id `queue`.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (a ring threshold with a
/// zero cadence), `CB_STATUS_CONFLICT` (the id exists), `CB_STATUS_CAPACITY_EXCEEDED`
/// (`CB_MAX_QUEUES` queues exist).
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `config` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_add_queue(
    center: *mut cb_center,
    queue: u32,
    config: *const cb_queue_config,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            let config = borrow(config)?;
            let service_level = if config.sl_rings > 0 {
                if config.ring_cadence_ms == 0 {
                    return Err(CB_STATUS_INVALID_ARGUMENT);
                }
                ServiceLevelThreshold::Rings {
                    rings: config.sl_rings,
                    cadence_ms: config.ring_cadence_ms,
                }
            } else {
                ServiceLevelThreshold::Seconds(config.sl_seconds)
            };
            let queue_config =
                QueueConfig { service_level, short_abandon_ms: config.short_abandon_ms };
            state.add_queue(QueueId(queue), queue_config).map_err(|error| match error {
                ConfigError::DuplicateQueue => CB_STATUS_CONFLICT,
                ConfigError::TooManyQueues => CB_STATUS_CAPACITY_EXCEEDED,
                _ => CB_STATUS_INVALID_ARGUMENT,
            })
        })
    }
}

/// What the center has counted about its input: events applied and refused, surveys refused,
/// history evicted.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`. `*out` is written only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_diagnostics`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_diagnostics(
    center: *const cb_center,
    out: *mut cb_diagnostics,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        read_into(center, out, |state| {
            let d = state.diagnostics();
            Ok(cb_diagnostics {
                applied: d.applied,
                rejected: u64::from(d.rejected.total()),
                surveys_rejected: d.surveys_rejected,
                intervals_evicted: d.intervals_evicted,
                days_evicted: d.days_evicted,
                late_updates: d.late_updates,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{cb_center_checkpoint, cb_center_restore};
    use crate::events::{
        CB_AGENT_AVAILABLE, cb_center_advance_to, cb_center_apply, cb_event, cb_event_kind,
    };

    /// The stack the header promises is enough (`cb_center`'s documentation) for the library
    /// built for release; unoptimized, the same calls need about four times as much.
    const STACK_KIB: usize = if cfg!(debug_assertions) { 1024 } else { 256 };

    #[test]
    fn a_center_is_made_without_a_copy_on_the_stack() {
        // 64 KiB of stack for a center of over a megabyte: it must be built in place.
        let worker = std::thread::Builder::new().stack_size(64 * 1024).spawn(|| {
            let mut config = MaybeUninit::<cb_center_config>::uninit();
            // SAFETY: a valid out-pointer.
            assert_eq!(unsafe { cb_center_config_default(config.as_mut_ptr()) }, CB_STATUS_OK);
            let mut center: *mut cb_center = core::ptr::null_mut();
            // SAFETY: valid pointers.
            let status = unsafe { cb_center_new(config.as_ptr(), &raw mut center) };
            assert_eq!(status, CB_STATUS_OK);
            // SAFETY: made just above.
            unsafe { cb_center_free(center) };
        });
        assert!(worker.expect("spawn").join().is_ok());
        assert!(cb_center_size() > 1_000_000);
    }

    /// The stack a switch's thread needs, at full capacity: every agent in every queue, the
    /// clock moved across a night, a checkpoint written and restored (the deepest calls).
    #[test]
    fn a_full_center_runs_on_a_small_stack() {
        let stack = std::env::var("CB_TEST_STACK_KIB").map_or(STACK_KIB, |v| v.parse().unwrap());
        let worker = std::thread::Builder::new().stack_size(stack * 1024).spawn(|| {
            let mut config = MaybeUninit::<cb_center_config>::uninit();
            let mut center: *mut cb_center = core::ptr::null_mut();
            // SAFETY: valid pointers; the center is this thread's alone and freed once.
            unsafe {
                assert_eq!(cb_center_config_default(config.as_mut_ptr()), CB_STATUS_OK);
                assert_eq!(cb_center_new(config.as_ptr(), &raw mut center), CB_STATUS_OK);
                let queue = cb_queue_config { sl_seconds: 20, ..cb_queue_config::default() };
                for q in 0..CB_MAX_QUEUES {
                    assert_eq!(cb_center_add_queue(center, q, &raw const queue), CB_STATUS_OK);
                }
                let at_ms = 1_795_420_800_000 + 123;
                for agent in 0..CB_MAX_AGENTS {
                    for q in 0..CB_MAX_QUEUES {
                        let kind = cb_event_kind::CB_EVENT_AGENT_JOINED_QUEUE as u32;
                        let join = cb_event { at_ms, kind, agent, queue: q, ..cb_event::default() };
                        assert_eq!(cb_center_apply(center, &raw const join), CB_STATUS_OK);
                    }
                    let reason = CB_AGENT_AVAILABLE;
                    let kind = cb_event_kind::CB_EVENT_AGENT_STATE as u32;
                    let ready = cb_event { at_ms, kind, agent, reason, ..cb_event::default() };
                    assert_eq!(cb_center_apply(center, &raw const ready), CB_STATUS_OK);
                }
                assert_eq!(cb_center_advance_to(center, at_ms + 12 * 3_600_000), CB_STATUS_OK);
                let mut needed = 0;
                let status =
                    cb_center_checkpoint(center, core::ptr::null_mut(), 0, &raw mut needed);
                assert_eq!(status, CB_STATUS_BUFFER_TOO_SMALL);
                let mut bytes = vec![0_u8; needed];
                let mut written = 0;
                let status =
                    cb_center_checkpoint(center, bytes.as_mut_ptr(), needed, &raw mut written);
                assert_eq!(status, CB_STATUS_OK);
                assert_eq!(cb_center_restore(center, bytes.as_ptr(), written), CB_STATUS_OK);
                cb_center_free(center);
            }
        });
        assert!(worker.expect("spawn").join().is_ok());
    }

    #[test]
    fn a_panic_poisons_only_its_center() {
        let mut config = MaybeUninit::<cb_center_config>::uninit();
        // SAFETY: a valid out-pointer.
        assert_eq!(unsafe { cb_center_config_default(config.as_mut_ptr()) }, CB_STATUS_OK);
        let (mut victim, mut bystander) = (core::ptr::null_mut(), core::ptr::null_mut());
        // SAFETY: valid pointers.
        unsafe {
            assert_eq!(cb_center_new(config.as_ptr(), &raw mut victim), CB_STATUS_OK);
            assert_eq!(cb_center_new(config.as_ptr(), &raw mut bystander), CB_STATUS_OK);
        }
        // No input makes the library panic, so a bug is simulated inside the boundary.
        // SAFETY: a live center used by this thread only.
        let status = unsafe { with_handle_mut(victim, |_| panic!("simulated bug")) };
        assert_eq!(status, CB_STATUS_PANIC);
        // SAFETY: live centers.
        unsafe {
            assert_eq!(cb_center_advance_to(victim, 1_000), CB_STATUS_POISONED);
            let mut diagnostics = cb_diagnostics::default();
            assert_eq!(cb_center_diagnostics(victim, &raw mut diagnostics), CB_STATUS_POISONED);
            assert_eq!(cb_center_advance_to(bystander, 1_000), CB_STATUS_OK);
            cb_center_free(victim);
            cb_center_free(bystander);
        }
    }
}
