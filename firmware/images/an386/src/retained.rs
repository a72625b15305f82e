//! The words a reset keeps: the board's session count ([`callboard_board::session`]), in RAM
//! the runtime leaves as it finds it (cortex-m-rt's `.uninit` section, not zeroed at start).
//! QEMU's `system_reset`, like a real part's reset, leaves RAM as it was; starting QEMU again
//! is a power cut.

use core::mem::MaybeUninit;

#[unsafe(link_section = ".uninit.callboard.session")]
static mut KEPT: MaybeUninit<[u32; 3]> = MaybeUninit::uninit();

/// This start's session, counting it in the kept words. Call once, at start, before anything
/// else could touch them.
pub fn next_session() -> u32 {
    let place = (&raw mut KEPT).cast::<[u32; 3]>();
    // SAFETY: `place` is this static's own aligned storage and nothing else refers to it (only
    // this function does, once, before interrupts are enabled). RAM holds some bits whether or
    // not a start wrote them; any bits are a valid [u32; 3], and `next` tells noise from a
    // count. Volatile, so the compiler assumes nothing about what the runtime left there.
    let kept = unsafe { core::ptr::read_volatile(place) };
    let (keep, session) = callboard_board::session::next(kept);
    // SAFETY: as above.
    unsafe { core::ptr::write_volatile(place, keep) };
    session
}
