//! # The bytes a UART has received and the main loop has not yet read
//!
//! A board takes each received byte in its UART interrupt, so that nothing is lost while the
//! main loop draws, and the main loop reads them when it comes round. [`ByteQueue`] is that
//! queue: a `static` both sides share through `critical-section`, fixed in size, counting what
//! it had no room for (the frame a lost byte belonged to is then discarded and counted by the
//! decoder, and the host, which has no answer, sends it again).

use core::cell::RefCell;

use critical_section::Mutex;
use heapless::Deque;

/// Up to `N` received bytes.
#[derive(Debug)]
pub struct ByteQueue<const N: usize> {
    queue: Mutex<RefCell<Deque<u8, N>>>,
    dropped: Mutex<RefCell<u32>>,
}

impl<const N: usize> Default for ByteQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ByteQueue<N> {
    /// Empty; `const`, for a `static`.
    #[must_use]
    pub const fn new() -> Self {
        Self { queue: Mutex::new(RefCell::new(Deque::new())), dropped: Mutex::new(RefCell::new(0)) }
    }

    /// Queues a byte (from the UART interrupt); a byte with no room is counted and dropped.
    pub fn push(&self, byte: u8) {
        critical_section::with(|cs| {
            if self.queue.borrow_ref_mut(cs).push_back(byte).is_err() {
                let mut dropped = self.dropped.borrow_ref_mut(cs);
                *dropped = dropped.saturating_add(1);
            }
        });
    }

    /// Moves queued bytes into `buf`, oldest first; returns how many.
    pub fn take(&self, buf: &mut [u8]) -> usize {
        critical_section::with(|cs| {
            let mut queue = self.queue.borrow_ref_mut(cs);
            let mut n: usize = 0;
            for slot in buf.iter_mut() {
                let Some(byte) = queue.pop_front() else { break };
                *slot = byte;
                n = n.saturating_add(1);
            }
            n
        })
    }

    /// Whether nothing is queued.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        critical_section::with(|cs| self.queue.borrow_ref(cs).is_empty())
    }

    /// Bytes dropped because the queue was full.
    #[must_use]
    pub fn dropped(&self) -> u32 {
        critical_section::with(|cs| *self.dropped.borrow_ref(cs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_out_in_order_and_overflow_is_counted() {
        let received = ByteQueue::<4>::new();
        assert!(received.is_empty());
        for byte in 1..=6 {
            received.push(byte);
        }
        assert_eq!(received.dropped(), 2);
        let mut buf = [0; 3];
        assert_eq!(received.take(&mut buf), 3);
        assert_eq!(buf, [1, 2, 3]);
        assert_eq!(received.take(&mut buf), 1);
        assert_eq!(buf[0], 4);
        assert!(received.is_empty());
        assert_eq!(received.take(&mut buf), 0);
    }
}
