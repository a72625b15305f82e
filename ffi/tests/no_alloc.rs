//! A center in caller memory never allocates: making it, feeding it, reading it, staffing with
//! it, checkpointing it, building a board's frame from it, encoding the frame and decoding a
//! board's answers in caller memory all run with the heap untouched (counted by a wrapping
//! allocator).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use callboard::board::*;
use callboard::cb_status::{self, CB_STATUS_OK};
use callboard::center::*;
use callboard::checkpoint::*;
use callboard::erlang::*;
use callboard::events::*;
use callboard::figures::*;
use callboard::wire::*;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted: only the test's own, never the test
    /// harness's (which may allocate on its main thread while the test runs).
    static COUNTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged, counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.try_with(std::cell::Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_center_in_caller_memory_never_allocates() {
    let size = cb_center_size();
    let align = cb_center_align();
    let layout = Layout::from_size_align(size, align).unwrap();
    // SAFETY: a non-zero layout.
    let memory = unsafe { std::alloc::alloc(layout) };
    let mut checkpoint = vec![0_u8; 1 << 20];
    let mut config = std::mem::MaybeUninit::uninit();

    COUNTING.with(|counting| counting.set(true));
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    // SAFETY: valid pointers; the memory is this center's alone.
    unsafe {
        assert_eq!(cb_center_config_default(config.as_mut_ptr()), CB_STATUS_OK);
        let mut center = std::ptr::null_mut();
        assert_eq!(
            cb_center_init(memory.cast(), size, config.as_ptr(), &raw mut center),
            CB_STATUS_OK
        );
        let queue = cb_queue_config {
            sl_seconds: 20,
            sl_rings: 0,
            ring_cadence_ms: 0,
            short_abandon_ms: 0,
        };
        assert_eq!(cb_center_add_queue(center, 311, &raw const queue), CB_STATUS_OK);
        let at = 1_795_420_800_000;
        for (kind, offset) in [
            (cb_event_kind::CB_EVENT_CALL_ENTERED as u32, 0),
            (cb_event_kind::CB_EVENT_CALL_ANSWERED as u32, 9_000),
        ] {
            let event =
                cb_event { at_ms: at + offset, kind, call: 1, queue: 311, ..cb_event::default() };
            assert_eq!(cb_center_apply(center, &raw const event), CB_STATUS_OK);
        }
        let mut snapshot = cb_queue_snapshot::default();
        assert_eq!(cb_center_snapshot(center, 311, &raw mut snapshot), CB_STATUS_OK);
        let mut period = cb_period::default();
        assert_eq!(cb_center_interval(center, 311, at, &raw mut period), CB_STATUS_OK);
        let mut written = 0;
        let status = cb_center_checkpoint(
            center,
            checkpoint.as_mut_ptr(),
            checkpoint.len(),
            &raw mut written,
        );
        assert_eq!(status, CB_STATUS_OK);
        assert_eq!(cb_center_restore(center, checkpoint.as_ptr(), written), CB_STATUS_OK);
        let query = cb_erlang_query {
            model: CB_MODEL_ERLANG_A,
            traffic_erlangs: 80.0,
            handle_seconds: 240.0,
            patience_seconds: 180.0,
            target_seconds: 20.0,
        };
        let targets = cb_targets {
            given: CB_TARGET_SERVICE_LEVEL,
            service_level: 0.8,
            ..cb_targets::default()
        };
        let mut staffing = cb_staffing::default();
        assert_eq!(
            cb_erlang_staff(&raw const query, &raw const targets, 0.3, &raw mut staffing),
            CB_STATUS_OK
        );
        assert_eq!(snapshot.current_interval.answered, 1);

        // A board's frame from the center, by opening hours, its bytes, and a decoder of the
        // board's answers in caller memory.
        let mut board = std::mem::MaybeUninit::<cb_board_config>::uninit();
        assert_eq!(cb_board_config_default(board.as_mut_ptr()), CB_STATUS_OK);
        let board = &mut *board.as_mut_ptr();
        board.queue_count = 1;
        board.queues[0].queue = 311;
        for (slot, &byte) in board.queues[0].label.iter_mut().zip(b"STREETS") {
            *slot = byte as core::ffi::c_char;
        }
        board.opening = cb_board_opening::CB_BOARD_BY_HOURS as u32;
        for day in &mut board.hours.days[..5] {
            day.count = 1;
            day.spans[0] = callboard::sla::cb_open_span { start_min: 480, end_min: 1200 };
        }
        let mut frame = std::mem::MaybeUninit::<cb_board_frame>::uninit();
        assert_eq!(cb_board_config_check(board), CB_STATUS_OK);
        assert_eq!(
            cb_board_frame_from_center(center, core::ptr::null(), board, frame.as_mut_ptr()),
            CB_STATUS_OK
        );
        let mut bytes = [0_u8; CB_WIRE_MAX_FRAME_BYTES];
        let mut written = 0;
        let status = cb_wire_encode_display(
            3,
            1,
            frame.as_ptr(),
            bytes.as_mut_ptr(),
            bytes.len(),
            &raw mut written,
        );
        assert_eq!(status, CB_STATUS_OK);
        let status = cb_wire_encode_configure(
            3,
            2,
            &raw const board.settings,
            bytes.as_mut_ptr(),
            bytes.len(),
            &raw mut written,
        );
        assert_eq!(status, CB_STATUS_OK);
        let status =
            cb_wire_encode_what_are_you_showing(3, 2, bytes.as_mut_ptr(), 4, &raw mut written);
        assert_eq!(status, cb_status::CB_STATUS_BUFFER_TOO_SMALL);
        assert_eq!(
            cb_wire_encode_ping(3, 2, bytes.as_mut_ptr(), bytes.len(), &raw mut written),
            CB_STATUS_OK
        );
        let mut place = [0_u64; 256];
        assert!(cb_wire_decoder_size() <= size_of_val(&place));
        let mut decoder = std::ptr::null_mut();
        let status =
            cb_wire_decoder_init(place.as_mut_ptr().cast(), size_of_val(&place), &raw mut decoder);
        assert_eq!(status, CB_STATUS_OK);
        let (mut consumed, mut has) = (0, false);
        let mut answer = std::mem::MaybeUninit::uninit();
        let status = cb_wire_decoder_feed(
            decoder,
            bytes.as_ptr(),
            written,
            &raw mut consumed,
            &raw mut has,
            answer.as_mut_ptr(),
        );
        assert_eq!((status, consumed), (CB_STATUS_OK, written));
        let mut counts = std::mem::MaybeUninit::uninit();
        assert_eq!(cb_wire_decoder_counts(decoder, counts.as_mut_ptr()), CB_STATUS_OK);
        // The ping is a host's message: a board's decoder would take it, this one discards it.
        assert_eq!(counts.assume_init().malformed, 1);
        let mut dropped = true;
        assert_eq!(cb_wire_decoder_abandon(decoder, &raw mut dropped), CB_STATUS_OK);
        assert!(!dropped);
    }
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTING.with(|counting| counting.set(false));
    assert_eq!(after - before, 0, "the heap was used {} times", after - before);
    // SAFETY: allocated above with this layout.
    unsafe { std::alloc::dealloc(memory, layout) };
}
