//! The CMSDK APB watchdog: it counts down from [`TIMEOUT_MS`]; at zero it raises its interrupt
//! (an NMI on this board) and starts again, and at zero a second time, unfed, it resets the
//! board. The main loop feeds it once a pass, so only a loop that stopped going round — a hang —
//! lets it bite.

use crate::{SYSCLK_HZ, write};

const BASE: usize = 0x4000_8000;
const LOAD: usize = BASE;
const CONTROL: usize = BASE + 0x08;
const INTCLR: usize = BASE + 0x0C;
const LOCK: usize = BASE + 0xC00;

const CONTROL_INTERRUPT: u32 = 1 << 0;
const CONTROL_RESET: u32 = 1 << 1;
const UNLOCK: u32 = 0x1ACC_E551;

/// Time from the last feed to the interrupt; the reset follows as long again later.
pub const TIMEOUT_MS: u32 = 500;

/// The running watchdog.
#[derive(Debug)]
pub struct Watchdog(());

impl Watchdog {
    /// Starts it; it can only be stopped by a reset.
    pub fn start() -> Self {
        // SAFETY: the watchdog is this crate's; unlock, load, enable, lock, as the CMSDK
        // watchdog wants.
        unsafe {
            write(LOCK, UNLOCK);
            write(LOAD, SYSCLK_HZ / 1000 * TIMEOUT_MS);
            write(CONTROL, CONTROL_INTERRUPT | CONTROL_RESET);
            write(LOCK, 0);
        }
        Self(())
    }

    /// Restarts the count.
    pub fn feed(&mut self) {
        // SAFETY: clearing the interrupt reloads the counter; the register is unlocked for it.
        unsafe {
            write(LOCK, UNLOCK);
            write(INTCLR, 1);
            write(LOCK, 0);
        }
    }
}
