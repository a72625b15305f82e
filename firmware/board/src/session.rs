//! A board's session: its count of starts, kept where a restart does not clear it.
//!
//! Authenticated frames (protocol version 3) are accepted for the board's current session
//! only, so a frame recorded before a restart cannot be played back after it. The count lives
//! in a few words of RAM that the runtime does not initialise (cortex-m-rt's `.uninit`
//! section): a reset, the watchdog's included, keeps them, and the image reads and writes them
//! once at start through [`next`]. A power cut loses them; the count then starts again at 1
//! (see `docs/security.md` for what that leaves open, and what closes it).

/// Marks the words as written by [`next`] ("CBSS").
const MAGIC: u32 = 0x4342_5353;

/// The session this start is, and the words to keep for the next, from the words kept by the
/// last start (any bits at all after a power cut): `[MAGIC, session, !session]` when they were
/// written by a start, so a cold start, whose RAM holds noise, is told apart.
#[must_use]
pub const fn next(kept: [u32; 3]) -> ([u32; 3], u32) {
    let [magic, last, check] = kept;
    // Four billion starts are never reached: the count saturates rather than wrap.
    let session = if magic == MAGIC && check == !last { last.saturating_add(1) } else { 1 };
    ([MAGIC, session, !session], session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_start_is_the_next_session_and_noise_is_a_first_start() {
        let (kept, first) = next([0xDEAD_BEEF, 7, 9]);
        assert_eq!(first, 1);
        let (kept, second) = next(kept);
        let (_, third) = next(kept);
        assert_eq!((second, third), (2, 3));
        // Words half-written or flipped are noise, not a session.
        assert_eq!(next([MAGIC, 5, 5]).1, 1);
        assert_eq!(next([MAGIC ^ 1, 5, !5]).1, 1);
        // The count saturates rather than wrap back to sessions a recording could be for.
        assert_eq!(next([MAGIC, u32::MAX, 0]).1, u32::MAX);
    }
}
