//! The millisecond clock: SysTick interrupts once a millisecond and counts; the main loop
//! extends the 32-bit count to a 64-bit uptime that does not wrap in the board's lifetime.

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;

use crate::SYSCLK_HZ;

static TICKS_MS: AtomicU32 = AtomicU32::new(0);

/// The running clock.
#[derive(Debug)]
pub struct Clock {
    last: u32,
    uptime_ms: u64,
}

impl Clock {
    /// Starts SysTick at 1 kHz from the core clock.
    pub fn start(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(SYSCLK_HZ / 1000 - 1);
        syst.clear_current();
        syst.enable_interrupt();
        syst.enable_counter();
        Self { last: TICKS_MS.load(Ordering::Relaxed), uptime_ms: 0 }
    }

    /// Milliseconds since [`start`](Self::start). Call at least once every 49 days (the main
    /// loop calls it every pass).
    pub fn now_ms(&mut self) -> u64 {
        let ticks = TICKS_MS.load(Ordering::Relaxed);
        self.uptime_ms = self.uptime_ms.saturating_add(u64::from(ticks.wrapping_sub(self.last)));
        self.last = ticks;
        self.uptime_ms
    }
}

/// Counts a millisecond; the image's SysTick handler calls it.
pub fn tick() {
    TICKS_MS.fetch_add(1, Ordering::Relaxed);
}
