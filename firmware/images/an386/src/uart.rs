//! UART0, the serial line to the host: received bytes are taken by the RX interrupt into a
//! queue (so nothing is lost while the main loop renders), and sent by polling.

use core::convert::Infallible;

use callboard_board::byte_queue::ByteQueue;
use cortex_m::peripheral::NVIC;

use crate::{SYSCLK_HZ, read, write};

const BASE: usize = 0x4000_4000;
const DATA: usize = BASE;
const STATE: usize = BASE + 0x04;
const CTRL: usize = BASE + 0x08;
const INTCLEAR: usize = BASE + 0x0C;
const BAUDDIV: usize = BASE + 0x10;

const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const CTRL_TX_ENABLE: u32 = 1 << 0;
const CTRL_RX_ENABLE: u32 = 1 << 1;
const CTRL_RX_INTERRUPT: u32 = 1 << 3;
const INT_RX: u32 = 1 << 1;

/// The line speed.
pub const BAUD: u32 = 115_200;

/// Bytes held between the interrupt and the main loop: a whole frame, 89 ms of the line at
/// 115 200 baud, where the loop comes round every millisecond or so.
const QUEUE_BYTES: usize = 1024;

/// Received, not yet read.
static RECEIVED: ByteQueue<QUEUE_BYTES> = ByteQueue::new();

/// UART0's RX interrupt line.
#[derive(Debug, Clone, Copy)]
struct Uart0Rx;

// SAFETY: IRQ 0 is UART0 RX on the MPS2-AN385/AN386 (Arm AN386, "Interrupt map").
unsafe impl cortex_m::interrupt::InterruptNumber for Uart0Rx {
    fn number(self) -> u16 {
        0
    }
}

/// The interrupt number the image's `DefaultHandler` passes to [`on_interrupt`].
pub const RX_IRQ: i16 = 0;

/// UART0 at [`BAUD`], receiving by interrupt.
#[derive(Debug)]
pub struct Uart0(());

impl Uart0 {
    /// Configures and enables UART0 and its RX interrupt.
    pub fn start() -> Self {
        // SAFETY: UART0 is this crate's; divider first, then enable, as the CMSDK UART wants.
        unsafe {
            write(BAUDDIV, SYSCLK_HZ / BAUD);
            write(CTRL, CTRL_TX_ENABLE | CTRL_RX_ENABLE | CTRL_RX_INTERRUPT);
            NVIC::unmask(Uart0Rx);
        }
        // A byte that arrived before RX was enabled sits in DATA with no interrupt raised for
        // it, and the UART takes no other until it is read.
        on_interrupt();
        Self(())
    }
}

/// Moves every received byte into the queue; the image calls it from its UART0 RX interrupt,
/// and reading calls it too.
pub fn on_interrupt() {
    // One critical section around the check and the read: the main loop polls too, and the
    // interrupt must not take the byte between its check and its read (it would read DATA
    // empty, and queue a stale byte).
    critical_section::with(|_| {
        // SAFETY: reading DATA pops the byte the STATE check said was there; INTCLEAR
        // acknowledges the interrupt.
        unsafe {
            while read(STATE) & STATE_RX_FULL != 0 {
                RECEIVED.push(read(DATA) as u8);
            }
            write(INTCLEAR, INT_RX);
        }
    });
}

impl embedded_io::ErrorType for Uart0 {
    type Error = Infallible;
}

impl embedded_io::ReadReady for Uart0 {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        // Polling as well as the interrupt: a lost interrupt then costs a pass of the loop,
        // never the line.
        on_interrupt();
        Ok(!RECEIVED.is_empty())
    }
}

impl embedded_io::Read for Uart0 {
    /// Returns what has arrived, up to `buf.len()`; blocks (sleeping) until at least one byte
    /// has, as `embedded-io` asks.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let n = RECEIVED.take(buf);
            if n > 0 {
                return Ok(n);
            }
            cortex_m::asm::wfi();
        }
    }
}

impl embedded_io::Write for Uart0 {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            // SAFETY: DATA is written only when STATE says the TX buffer has room.
            unsafe {
                while read(STATE) & STATE_TX_FULL != 0 {}
                write(DATA, u32::from(byte));
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
