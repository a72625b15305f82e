//! The board's non-volatile memory: where it counts its starts
//! ([`callboard_board::session::BootLog`]).
//!
//! The MPS2 board's 16 MiB PSRAM at `0x2100_0000` is QEMU's machine RAM, which QEMU can keep in
//! a host file (`-object memory-backend-file,id=nvm,mem-path=FILE,share=on -machine
//! mps2-an386,memory-backend=nvm`): with one, what the board wrote there is there at its next
//! power-on, as a real board's flash is; without one, the memory is blank at each power-on, a
//! board whose flash was just erased. The hardware-in-the-loop suite gives each emulated board
//! its file, and cuts the power by stopping QEMU.
//!
//! The board uses it as NOR flash, with the rules a real part's flash has, so that the boot log
//! runs here exactly as on the real board: an erase sets whole banks to ones, and programming
//! only clears bits.

use core::sync::atomic::{AtomicBool, Ordering};

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash, check_erase, check_read,
    check_write,
};

/// Where the memory starts.
const BASE: usize = 0x2100_0000;
/// The part of it the board uses: two banks of [`BANK`].
const LEN: usize = 2 * BANK as usize;
/// One erasable bank.
pub const BANK: u32 = 4096;

/// The board's start count: two 4 KiB banks, 1 021 starts each.
pub const BOOT_LOG: callboard_board::session::BootLog =
    callboard_board::session::BootLog::new(0, BANK, BANK);

/// The PSRAM, used as NOR flash.
#[derive(Debug)]
pub struct Nvm(());

/// An access outside the memory or not aligned to its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(NorFlashErrorKind);

impl NorFlashError for Refused {
    fn kind(&self) -> NorFlashErrorKind {
        self.0
    }
}

impl Nvm {
    /// The memory, the first time it is asked for; `None` after.
    #[must_use]
    pub fn take() -> Option<Self> {
        static TAKEN: AtomicBool = AtomicBool::new(false);
        (!TAKEN.swap(true, Ordering::Relaxed)).then_some(Self(()))
    }

    fn byte(offset: usize) -> *mut u8 {
        (BASE + offset) as *mut u8
    }
}

impl ErrorType for Nvm {
    type Error = Refused;
}

impl ReadNorFlash for Nvm {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Refused> {
        check_read(self, offset, bytes.len()).map_err(Refused)?;
        for (i, byte) in bytes.iter_mut().enumerate() {
            // SAFETY: within the PSRAM (checked above), which is always mapped and which
            // nothing but this type touches.
            *byte = unsafe { core::ptr::read_volatile(Self::byte(offset as usize + i)) };
        }
        Ok(())
    }

    fn capacity(&self) -> usize {
        LEN
    }
}

impl NorFlash for Nvm {
    const WRITE_SIZE: usize = 1;
    const ERASE_SIZE: usize = BANK as usize;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Refused> {
        check_erase(self, from, to).map_err(Refused)?;
        for at in from as usize..to as usize {
            // SAFETY: as in `read`.
            unsafe { core::ptr::write_volatile(Self::byte(at), 0xFF) };
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Refused> {
        check_write(self, offset, bytes.len()).map_err(Refused)?;
        for (i, &byte) in bytes.iter().enumerate() {
            let at = Self::byte(offset as usize + i);
            // SAFETY: as in `read`. Programming clears bits and never sets one, as flash does.
            unsafe { core::ptr::write_volatile(at, core::ptr::read_volatile(at) & byte) };
        }
        Ok(())
    }
}
