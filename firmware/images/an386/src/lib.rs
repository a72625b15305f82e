//! # The MPS2-AN386 board support: what the emulated reader board is wired to
//!
//! Arm's MPS2 FPGA board with the AN386 image is a Cortex-M4F at 25 MHz with CMSDK APB
//! peripherals; QEMU (`-machine mps2-an386`) models it, and stands in for a reader board in the
//! hardware-in-the-loop suite. The parts the board uses:
//!
//! | part | address | use |
//! |---|---|---|
//! | UART0 (CMSDK APB UART) | `0x4000_4000`, RX interrupt IRQ 0 | the serial line to the host |
//! | watchdog (CMSDK APB watchdog) | `0x4000_8000`, NMI | resets a board that stops feeding it |
//! | SysTick | core | the millisecond clock |
//! | PSRAM, kept in a host file by QEMU | `0x2100_0000` | non-volatile memory: the count of starts that authenticated frames' sessions are |
//!
//! Only this crate touches registers; everything a board decides is in `callboard-board`.

#![no_std]

pub mod clock;
pub mod nvm;
pub mod uart;
pub mod watchdog;

/// The core clock (SYSCLK), which also drives the UART and the watchdog.
pub const SYSCLK_HZ: u32 = 25_000_000;

/// Volatile access to a 32-bit peripheral register.
///
/// # Safety
/// `address` must be a register of a peripheral this crate owns.
unsafe fn read(address: usize) -> u32 {
    // SAFETY: the caller names a device register, which is always mapped and aligned.
    unsafe { core::ptr::read_volatile(address as *const u32) }
}

/// # Safety
/// As [`read`]; the write must leave the peripheral in a state its owner expects.
unsafe fn write(address: usize, value: u32) {
    // SAFETY: as above.
    unsafe { core::ptr::write_volatile(address as *mut u32, value) }
}
