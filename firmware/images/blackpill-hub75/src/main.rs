//! The reader board on real hardware: an STM32F401 "Black Pill" driving a 64 × 32 HUB75 RGB
//! panel, on an RS-485 line to the host through a MAX3485 transceiver. The wiring and how to
//! flash it are in this crate's README.
//!
//! The main loop serves the line and redraws through the shared controller; TIM2's interrupt
//! scans the panel from the scan buffer; USART1's interrupt queues received bytes; the
//! independent watchdog restarts the board if the main loop stops going round.

#![no_std]
#![no_main]

use core::cell::RefCell;
use core::convert::Infallible;
use core::sync::atomic::{AtomicU32, Ordering};

use callboard_board::byte_queue::ByteQueue;
use callboard_board::controller::Protocols;
use callboard_board::hub75::{Dwell, Hub75Pins, Hub75Planes, Hub75Scanner, ROW_PAIRS};
use callboard_board::panel::Hub75Framebuffer;
use callboard_board::session::BootLog;
use callboard_board::{Controller, Hub75Rgb64x32};
use callboard_core::wire::Key;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use critical_section::Mutex;
use embedded_hal_nb::serial::{Read as _, Write as _};
use static_cell::ConstStaticCell;
use stm32f4xx_hal::flash::FlashExt;
use stm32f4xx_hal::gpio::{AnyPin, Output, PA8, PushPull};
use stm32f4xx_hal::pac::{self, Interrupt, TIM2, USART1, interrupt};
use stm32f4xx_hal::prelude::*;
use stm32f4xx_hal::rcc::Config;
use stm32f4xx_hal::serial::{Rx, RxListen, Tx};
use stm32f4xx_hal::timer::{CounterUs, Event};
use stm32f4xx_hal::watchdog::IndependentWatchdog;

#[cfg(not(feature = "defmt"))]
use panic_halt as _;
#[cfg(feature = "defmt")]
use {defmt_rtt as _, panic_probe as _};

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

const SYSCLK_HZ: u32 = 84_000_000;
const BAUD: u32 = 115_200;

/// Scan time units (see [`Dwell`]) a microsecond: 16 makes a whole picture (16 row pairs ×
/// 4 planes) about 3.8 ms of light, refreshed above 100 Hz with the shifting.
const UNITS_PER_US: u32 = 16;

static FRAMEBUFFER: ConstStaticCell<Hub75Framebuffer> =
    ConstStaticCell::new(Hub75Framebuffer::new());
static PLANES: ConstStaticCell<Hub75Planes> = ConstStaticCell::new(Hub75Planes::new());

static TICKS_MS: AtomicU32 = AtomicU32::new(0);
/// Received bytes: a whole frame, 89 ms of the line.
static RECEIVED: ByteQueue<1024> = ByteQueue::new();
static RECEIVER: Mutex<RefCell<Option<Rx<USART1>>>> = Mutex::new(RefCell::new(None));
static SCAN: Mutex<RefCell<Option<Scan>>> = Mutex::new(RefCell::new(None));

/// The panel scan, run by TIM2's interrupt.
struct Scan {
    scanner: Hub75Scanner<AnyPin<Output<PushPull>>>,
    planes: &'static mut Hub75Planes,
    timer: CounterUs<TIM2>,
    brightness: u8,
    /// The dark time owed after the row now lit.
    dark: Option<u32>,
}

impl Scan {
    fn step(&mut self) {
        let _ = self.timer.wait();
        let units = match self.dark.take() {
            Some(dark) => {
                let _ = self.scanner.blank();
                dark
            }
            None => {
                let _ = self.scanner.blank();
                // GPIO writes on this chip cannot fail.
                let Ok(Dwell { lit, dark }) = self.scanner.show_next(self.planes, self.brightness);
                self.dark = (dark > 0).then_some(dark);
                lit
            }
        };
        let micros = (units / UNITS_PER_US).max(1);
        let _ = self.timer.start(micros.micros());
    }
}

/// The RS-485 line: bytes in from the interrupt's queue, answers out with the driver enabled.
struct Rs485 {
    tx: Tx<USART1>,
    driver_enable: PA8<Output<PushPull>>,
}

impl embedded_io::ErrorType for Rs485 {
    type Error = Infallible;
}

impl embedded_io::ReadReady for Rs485 {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(!RECEIVED.is_empty())
    }
}

impl embedded_io::Read for Rs485 {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        loop {
            let n = RECEIVED.take(buf);
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            cortex_m::asm::wfi();
        }
    }
}

impl embedded_io::Write for Rs485 {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.driver_enable.set_high();
        for &byte in buf {
            let _ = nb::block!(self.tx.write(byte));
        }
        Ok(buf.len())
    }

    /// Waits for the last stop bit, then lets go of the pair.
    fn flush(&mut self) -> Result<(), Infallible> {
        let _ = nb::block!(self.tx.flush());
        self.driver_enable.set_low();
        Ok(())
    }
}

/// Where the board counts its starts ([`callboard_board::session::BootLog`]): flash sectors 4
/// (64 KiB at `0x0801_0000`) and 5 (128 KiB at `0x0802_0000`, of which the log uses 64 KiB),
/// beyond the image, which `memory.x` keeps to sectors 0–3. 16 381 starts a bank: a sector is
/// erased once in 32 762 starts.
const BOOT_LOG: BootLog = BootLog::new(0x1_0000, 0x2_0000, 0x1_0000);

#[entry]
fn main() -> ! {
    let dp = pac::Peripherals::take().expect("main runs once");
    let mut core = cortex_m::Peripherals::take().expect("main runs once");
    let mut rcc = dp.RCC.freeze(Config::hse(25.MHz()).sysclk(SYSCLK_HZ.Hz()));

    // The start is counted before the watchdog runs: turning the log to its other bank erases
    // a sector, which takes the F401 a second or more for 128 KiB (t_ERASE128KB in its
    // datasheet), far longer than the watchdog waits. A start that cannot be counted is
    // session 0, in which the board shows nothing authenticated.
    let mut flash = dp.FLASH;
    let session = match KEY {
        Some(_) => BOOT_LOG.start(&mut flash.unlocked()).unwrap_or(0),
        None => 0,
    };

    let mut watchdog = IndependentWatchdog::new(dp.IWDG);
    watchdog.start(500.millis());

    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(SYSCLK_HZ / 1000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_interrupt();
    core.SYST.enable_counter();

    let gpioa = dp.GPIOA.split(&mut rcc);
    let gpiob = dp.GPIOB.split(&mut rcc);

    let serial = dp
        .USART1
        .serial((gpioa.pa9, gpioa.pa10), BAUD.bps(), &mut rcc)
        .expect("115 200 baud is reachable from 84 MHz");
    let (tx, mut rx) = serial.split();
    rx.listen();
    critical_section::with(|cs| *RECEIVER.borrow_ref_mut(cs) = Some(rx));
    let mut line = Rs485 { tx, driver_enable: gpioa.pa8.into_push_pull_output() };

    let pins = Hub75Pins {
        colour: [
            gpioa.pa0.into_push_pull_output().erase(),
            gpioa.pa1.into_push_pull_output().erase(),
            gpioa.pa2.into_push_pull_output().erase(),
            gpioa.pa3.into_push_pull_output().erase(),
            gpioa.pa4.into_push_pull_output().erase(),
            gpioa.pa5.into_push_pull_output().erase(),
        ],
        address: [
            gpiob.pb0.into_push_pull_output().erase(),
            gpiob.pb1.into_push_pull_output().erase(),
            gpiob.pb10.into_push_pull_output().erase(),
            gpiob.pb12.into_push_pull_output().erase(),
        ],
        clock: gpiob.pb13.into_push_pull_output().erase(),
        latch: gpiob.pb14.into_push_pull_output().erase(),
        output_enable: gpiob.pb15.into_push_pull_output_in_state(true.into()).erase(),
    };
    let mut scanner = Hub75Scanner::new(pins);
    let _ = scanner.blank();

    let framebuffer = FRAMEBUFFER.take();
    let mut uptime = Uptime::default();
    let mut board = Controller::<Hub75Rgb64x32>::with_protocols(
        ADDRESS,
        PROTOCOLS,
        framebuffer,
        now_ms(&mut uptime),
    );
    if let Some(key) = KEY {
        board.require_authentication(key, session);
    }
    let planes = PLANES.take();
    planes.load(board.framebuffer());

    let mut timer = dp.TIM2.counter_us(&mut rcc);
    let _ = timer.start(100.micros());
    timer.listen(Event::Update);
    critical_section::with(|cs| {
        *SCAN.borrow_ref_mut(cs) = Some(Scan {
            scanner,
            planes,
            timer,
            brightness: board.settings().brightness,
            dark: None,
        });
    });
    // SAFETY: both handlers only take what main put in their statics before this point.
    unsafe {
        cortex_m::peripheral::NVIC::unmask(Interrupt::USART1);
        cortex_m::peripheral::NVIC::unmask(Interrupt::TIM2);
    }

    #[cfg(feature = "defmt")]
    defmt::info!("callboard board {} up", ADDRESS);
    loop {
        watchdog.feed();
        let Ok(()) = board.serve(&mut line, now_ms(&mut uptime));
        if board.refresh(now_ms(&mut uptime)) {
            #[cfg(feature = "defmt")]
            defmt::debug!("showing {}", board.screen());
            let brightness = board.settings().brightness;
            // A row pair at a time, so the scan waits at most for one.
            for row_pair in 0..ROW_PAIRS {
                critical_section::with(|cs| {
                    if let Some(scan) = SCAN.borrow_ref_mut(cs).as_mut() {
                        scan.planes.load_row_pair(board.framebuffer(), row_pair);
                        scan.brightness = brightness;
                    }
                });
            }
        }
        cortex_m::asm::wfi();
    }
}

/// The millisecond count extended to 64 bits.
#[derive(Default)]
struct Uptime {
    last: u32,
    ms: u64,
}

fn now_ms(uptime: &mut Uptime) -> u64 {
    let ticks = TICKS_MS.load(Ordering::Relaxed);
    uptime.ms = uptime.ms.saturating_add(u64::from(ticks.wrapping_sub(uptime.last)));
    uptime.last = ticks;
    uptime.ms
}

#[exception]
fn SysTick() {
    TICKS_MS.fetch_add(1, Ordering::Relaxed);
}

#[interrupt]
fn USART1() {
    critical_section::with(|cs| {
        if let Some(rx) = RECEIVER.borrow_ref_mut(cs).as_mut() {
            // Overruns and framing errors surface as an error here and as a broken frame the
            // decoder counts; either way the byte is gone.
            while let Ok(byte) = rx.read() {
                RECEIVED.push(byte);
            }
        }
    });
}

#[interrupt]
fn TIM2() {
    critical_section::with(|cs| {
        if let Some(scan) = SCAN.borrow_ref_mut(cs).as_mut() {
            scan.step();
        }
    });
}
