//! A board's session: its count of starts, kept in non-volatile memory so that neither a reset
//! nor a power cut takes it back.
//!
//! Authenticated frames (protocol version 3) are accepted for the board's current session
//! only, so a frame recorded in one session is refused in every later one. That holds only if
//! no session number ever comes round again, whatever happens to the board between two
//! starts; so the count is a [`BootLog`] in NOR flash (or any memory with its rules: erase
//! sets a whole bank to ones, programming only clears bits), written once at each start before
//! the board listens to its line.
//!
//! ## Layout
//!
//! Two banks of equal length, each erased as a whole. A bank is
//! `[generation, !generation, MAGIC, mark, mark, ...]`, little-endian 32-bit words; a start
//! programs the first erased mark to zero. The session is
//! `(generation - 1) × marks per bank + marks programmed`, so the first start of a blank log is
//! session 1. When the current bank is full, the other is erased and given the next generation
//! (its `MAGIC` programmed last, so a bank is valid only once its header is whole), and the
//! full one stays as it is until the next turn.
//!
//! ## What a power cut at any point leaves
//!
//! - During a mark: the word is erased (the start never ran with its session, and the next
//!   start programs it again) or partly programmed (counted as used: the count only goes up).
//! - During the other bank's erase or header: that bank is not valid, the full bank still is,
//!   and the next start begins the turn again.
//! - After the new header, before its first mark: the new bank has no marks, and its first
//!   session is beyond every session of the full one.
//!
//! So each session a start returns is greater than every session returned before it
//! (property-tested below with a cut at every step). What this does not survive is the flash
//! itself losing bits (past its retention or endurance); at one word per start, a bank of
//! 64 KiB is erased once every 16 381 starts, far inside a flash sector's 10 000 erase cycles.

use embedded_storage::nor_flash::NorFlash;

/// Marks a bank's header as whole ("CBSS").
const MAGIC: u32 = 0x4342_5353;
/// Generation, its complement, [`MAGIC`].
const HEADER_WORDS: u32 = 3;
const ERASED: u32 = u32::MAX;
const WORD: u32 = 4;

/// Where a board counts its starts: two banks of `bank_len` bytes at offsets of a
/// [`NorFlash`], each erased on its own (`erase(bank, bank + bank_len)` erases exactly that
/// bank's sector or sectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootLog {
    banks: [u32; 2],
    bank_len: u32,
}

impl BootLog {
    /// A log in two banks of `bank_len` bytes at `first` and `second`.
    ///
    /// # Panics
    /// (At build time, when `const`.) When a bank is not whole words, has no room for a mark,
    /// or the banks overlap.
    #[must_use]
    pub const fn new(first: u32, second: u32, bank_len: u32) -> Self {
        assert!(bank_len & 3 == 0 && bank_len > 12, "a bank is whole words, with room for marks");
        assert!((first | second) & 3 == 0, "banks are word-aligned");
        assert!(first.abs_diff(second) >= bank_len, "the banks do not overlap");
        Self { banks: [first, second], bank_len }
    }

    /// How many starts one bank counts.
    #[must_use]
    pub const fn marks_per_bank(&self) -> u32 {
        (self.bank_len >> 2).saturating_sub(HEADER_WORDS)
    }

    /// Counts this start and returns its session, greater than any this log returned before.
    /// Call once, at start, before the board takes a frame; on a real part, before its
    /// watchdog runs, as erasing a bank can take longer than the watchdog waits.
    ///
    /// # Errors
    /// The flash's own error when it cannot be read, erased or programmed. The board must then
    /// take no authenticated frame that changes what it shows (session 0, see
    /// [`Controller::require_authentication`](crate::Controller::require_authentication)):
    /// it cannot promise that a recording is refused.
    pub fn start<F: NorFlash>(&self, flash: &mut F) -> Result<u32, F::Error> {
        let mut current: Option<(u32, u32, u32)> = None;
        let [first, second] = self.banks;
        for (bank, other) in [(first, second), (second, first)] {
            if let Some(generation) = self.generation(flash, bank)?
                && current.is_none_or(|(_, _, newest)| generation > newest)
            {
                current = Some((bank, other, generation));
            }
        }
        if let Some((bank, other, generation)) = current {
            let used = self.used(flash, bank)?;
            if used < self.marks_per_bank() {
                self.mark(flash, bank, used)?;
                return Ok(self.session(generation, used.saturating_add(1)));
            }
            self.begin(flash, other, generation.saturating_add(1))
        } else {
            self.begin(flash, first, 1)
        }
    }

    /// Erases the bank at `offset`, makes it generation `generation` and counts a start in it.
    fn begin<F: NorFlash>(
        &self,
        flash: &mut F,
        offset: u32,
        generation: u32,
    ) -> Result<u32, F::Error> {
        flash.erase(offset, offset.saturating_add(self.bank_len))?;
        flash.write(at(offset, 0), &generation.to_le_bytes())?;
        flash.write(at(offset, 1), &(!generation).to_le_bytes())?;
        flash.write(at(offset, 2), &MAGIC.to_le_bytes())?;
        self.mark(flash, offset, 0)?;
        Ok(self.session(generation, 1))
    }

    fn mark<F: NorFlash>(&self, flash: &mut F, offset: u32, index: u32) -> Result<(), F::Error> {
        flash.write(at(offset, HEADER_WORDS.saturating_add(index)), &0_u32.to_le_bytes())
    }

    /// The session of the `used`th start of `generation`; four billion starts are never
    /// reached, and the count stops there rather than wrap.
    fn session(&self, generation: u32, used: u32) -> u32 {
        let before = u64::from(generation.saturating_sub(1));
        let session =
            before.saturating_mul(u64::from(self.marks_per_bank())).saturating_add(u64::from(used));
        u32::try_from(session).unwrap_or(u32::MAX)
    }

    /// The bank's generation, when its header is whole.
    fn generation<F: NorFlash>(&self, flash: &mut F, offset: u32) -> Result<Option<u32>, F::Error> {
        let generation = word(flash, at(offset, 0))?;
        let check = word(flash, at(offset, 1))?;
        let magic = word(flash, at(offset, 2))?;
        Ok((magic == MAGIC && check == !generation && generation != 0).then_some(generation))
    }

    /// Marks programmed in the bank: those before its first erased one (marks are programmed
    /// in order; one partly programmed counts).
    fn used<F: NorFlash>(&self, flash: &mut F, offset: u32) -> Result<u32, F::Error> {
        for index in 0..self.marks_per_bank() {
            if word(flash, at(offset, HEADER_WORDS.saturating_add(index)))? == ERASED {
                return Ok(index);
            }
        }
        Ok(self.marks_per_bank())
    }
}

/// The offset of word `index` of the bank at `bank` (within the bank: [`BootLog::new`] checked
/// that the bank fits).
const fn at(bank: u32, index: u32) -> u32 {
    bank.saturating_add(index.saturating_mul(WORD))
}

fn word<F: NorFlash>(flash: &mut F, offset: u32) -> Result<u32, F::Error> {
    let mut bytes = [0; 4];
    flash.read(offset, &mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_storage::nor_flash::{ErrorType, NorFlashError, NorFlashErrorKind, ReadNorFlash};
    use proptest::prelude::*;
    use std::vec;
    use std::vec::Vec;

    /// NOR flash as the parts behave: erase sets a bank to ones, programming only clears bits,
    /// byte by byte (as the STM32F4's 8-bit parallelism programs). Power is cut after `left`
    /// more byte operations, the one cut short done halfway (some of its bits cleared).
    #[derive(Debug)]
    struct Nor {
        bytes: Vec<u8>,
        erase_len: usize,
        left: Option<usize>,
    }

    #[derive(Debug, PartialEq)]
    struct Cut;

    impl NorFlashError for Cut {
        fn kind(&self) -> NorFlashErrorKind {
            NorFlashErrorKind::Other
        }
    }

    impl Nor {
        fn new(len: usize, erase_len: usize, fill: u8) -> Self {
            Self { bytes: vec![fill; len], erase_len, left: None }
        }

        /// One byte operation, unless the power goes first.
        fn step(&mut self) -> Result<(), Cut> {
            match &mut self.left {
                Some(0) => Err(Cut),
                Some(left) => {
                    *left -= 1;
                    Ok(())
                }
                None => Ok(()),
            }
        }
    }

    impl ErrorType for Nor {
        type Error = Cut;
    }

    impl ReadNorFlash for Nor {
        const READ_SIZE: usize = 1;
        fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Cut> {
            let at = offset as usize;
            bytes.copy_from_slice(&self.bytes[at..at + bytes.len()]);
            Ok(())
        }
        fn capacity(&self) -> usize {
            self.bytes.len()
        }
    }

    impl NorFlash for Nor {
        const WRITE_SIZE: usize = 1;
        const ERASE_SIZE: usize = 1;
        fn erase(&mut self, from: u32, to: u32) -> Result<(), Cut> {
            assert_eq!((to - from) as usize % self.erase_len, 0, "whole sectors only");
            for at in from as usize..to as usize {
                if self.step().is_err() {
                    // Erase cut short: the rest keeps what it held, half of this byte is set.
                    self.bytes[at] |= 0x0F;
                    return Err(Cut);
                }
                self.bytes[at] = 0xFF;
            }
            Ok(())
        }
        fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Cut> {
            for (i, &byte) in bytes.iter().enumerate() {
                let at = offset as usize + i;
                assert_eq!(self.bytes[at] & byte, byte, "programmed over a programmed byte");
                if self.step().is_err() {
                    self.bytes[at] &= byte | 0xF0;
                    return Err(Cut);
                }
                self.bytes[at] &= byte;
            }
            Ok(())
        }
    }

    /// Two banks of 5 marks, so that the tests turn banks often.
    const SMALL: BootLog = BootLog::new(0, 32, 32);

    #[test]
    fn starts_count_from_one_and_turn_banks_without_going_back() {
        for fill in [0xFF, 0x00, 0x5A] {
            let mut flash = Nor::new(64, 32, fill);
            let sessions: Vec<u32> = (0..23).map(|_| SMALL.start(&mut flash).unwrap()).collect();
            assert_eq!(sessions, (1..=23).collect::<Vec<_>>(), "memory first holding {fill:#x}");
        }
        assert_eq!(SMALL.marks_per_bank(), 5);
        assert_eq!(BootLog::new(0x1_0000, 0x2_0000, 0x1_0000).marks_per_bank(), 16_381);
    }

    #[test]
    fn a_bank_whose_header_is_not_whole_is_not_a_generation() {
        let mut flash = Nor::new(64, 32, 0xFF);
        // Generation 2 written, its complement and MAGIC not: the bank is ignored.
        flash.write(0, &2_u32.to_le_bytes()).unwrap();
        assert_eq!(SMALL.start(&mut flash).unwrap(), 1);
        // A header of generation 0 is never written, and not taken.
        let mut flash = Nor::new(64, 32, 0x00);
        flash.bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        flash.bytes[8..12].copy_from_slice(&MAGIC.to_le_bytes());
        assert_eq!(SMALL.start(&mut flash).unwrap(), 1);
    }

    #[test]
    fn the_count_stops_at_the_top_rather_than_wrap() {
        let top = BootLog::new(0, 1024, 1024);
        let mut flash = Nor::new(2048, 1024, 0xFF);
        flash.write(0, &u32::MAX.wrapping_sub(1).to_le_bytes()).unwrap();
        flash.write(4, &(!u32::MAX.wrapping_sub(1)).to_le_bytes()).unwrap();
        flash.write(8, &MAGIC.to_le_bytes()).unwrap();
        assert_eq!(top.start(&mut flash).unwrap(), u32::MAX);
        assert_eq!(top.start(&mut flash).unwrap(), u32::MAX);
    }

    proptest! {
        /// Whatever the memory held first, and wherever the power is cut in any start, every
        /// start that returns a session returns one beyond all returned before.
        #[test]
        fn no_session_comes_round_again_whatever_the_power_does(
            fill in any::<u8>(),
            cuts in proptest::collection::vec(proptest::option::of(0_usize..80), 1..60),
        ) {
            let mut flash = Nor::new(64, 32, fill);
            let mut highest = 0;
            for cut in cuts {
                flash.left = cut;
                match SMALL.start(&mut flash) {
                    Ok(session) => {
                        prop_assert!(session > highest, "{session} after {highest}");
                        highest = session;
                    }
                    Err(Cut) => prop_assert!(cut.is_some()),
                }
            }
        }
    }
}
