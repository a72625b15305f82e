//! The emulated reader board: a 64 × 32 HUB75 board on an MPS2-AN386 (QEMU), its serial line on
//! UART0. The same controller, renderer and scan buffer as the real board; the emulator has no
//! LED matrix, so the picture stops at the scan buffer, and the suite asks the board what it
//! shows instead of looking.
//!
//! Run it: `qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -kernel <elf>`, the
//! board's line on QEMU's serial port (see hil-tests/README.md).

#![no_std]
#![no_main]

use callboard_an386::clock::{self, Clock};
use callboard_an386::nvm::{self, Nvm};
use callboard_an386::uart::{self, Uart0};
use callboard_an386::watchdog::Watchdog;
use callboard_board::controller::Protocols;
use callboard_board::hub75::Hub75Planes;
use callboard_board::panel::Hub75Framebuffer;
use callboard_board::{Controller, Hub75Rgb64x32};
use callboard_core::wire::Key;
use cortex_m_rt::{entry, exception};
use panic_halt as _;
use static_cell::ConstStaticCell;

/// This board's address on the line, set at build time (`CALLBOARD_BOARD_ADDRESS`, 1–254).
const ADDRESS: u8 =
    callboard_board::controller::build_address(option_env!("CALLBOARD_BOARD_ADDRESS"));
/// The protocols its line takes, set at build time (`CALLBOARD_BOARD_PROTOCOLS`: `callboard`,
/// `alpha` or `both`; both when unset).
const PROTOCOLS: Protocols =
    callboard_board::controller::build_protocols(option_env!("CALLBOARD_BOARD_PROTOCOLS"));
/// The key it shares with the host, set at build time (`CALLBOARD_BOARD_KEY`: 64 hex digits, as
/// `callboard board keygen` writes them): with one, the board takes only authenticated frames.
const KEY: Option<Key> = callboard_board::controller::build_key(option_env!("CALLBOARD_BOARD_KEY"));

static FRAMEBUFFER: ConstStaticCell<Hub75Framebuffer> =
    ConstStaticCell::new(Hub75Framebuffer::new());
static PLANES: ConstStaticCell<Hub75Planes> = ConstStaticCell::new(Hub75Planes::new());

#[entry]
fn main() -> ! {
    let core = cortex_m::Peripherals::take().expect("main runs once");
    let mut clock = Clock::start(core.SYST);
    let mut line = Uart0::start();
    let mut watchdog = Watchdog::start();
    // The two 4 KiB buffers live in static RAM, initialised at build time (all zeros: .bss),
    // never on the stack, which on a 16 KiB part has no room for copies of them.
    let framebuffer = FRAMEBUFFER.take();
    let planes = PLANES.take();
    let mut board = Controller::<Hub75Rgb64x32>::with_protocols(
        ADDRESS,
        PROTOCOLS,
        framebuffer,
        clock.now_ms(),
    );
    if let Some(key) = KEY {
        // A start the board cannot count is session 0, in which it shows nothing authenticated.
        let session =
            Nvm::take().and_then(|mut nvm| nvm::BOOT_LOG.start(&mut nvm).ok()).unwrap_or(0);
        board.require_authentication(key, session);
    }
    planes.load(board.framebuffer());
    loop {
        watchdog.feed();
        let Ok(()) = board.serve(&mut line, clock.now_ms());
        if board.refresh(clock.now_ms()) {
            planes.load(board.framebuffer());
        }
        drill(&board);
        // Until the next byte or the next millisecond.
        cortex_m::asm::wfi();
    }
}

/// The watchdog drill: a hang, on request, in the drill image only.
fn drill(board: &Controller<'_, Hub75Rgb64x32>) {
    if cfg!(feature = "watchdog-drill")
        && board.frame().is_some_and(|frame| frame.announcement == "WATCHDOG DRILL")
    {
        loop {
            cortex_m::asm::nop();
        }
    }
}

#[exception]
fn SysTick() {
    clock::tick();
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    // The watchdog's first warning (the NMI) needs nothing: a loop that still runs feeds it,
    // and one that does not is reset by its second.
    if irqn == uart::RX_IRQ {
        uart::on_interrupt();
    }
}
