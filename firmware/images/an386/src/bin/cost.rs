//! What a frame costs the board: the board's own controller, on the emulated Cortex-M4, timed
//! by SysTick and reported over semihosting. Run under QEMU with `-icount shift=0`, where each
//! instruction takes exactly 1 ns of the emulated clock, so SysTick (25 MHz, 40 ns a tick)
//! counts instructions in steps of 40: the figures are instructions executed, not cycles of a
//! real part (a Cortex-M4 needs 1 to 3 cycles for most instructions, more for flash wait
//! states). `cargo test -p callboard-hil-tests --test cost -- --nocapture` runs it.

#![no_std]
#![no_main]

use callboard_an386::SYSCLK_HZ;
use callboard_board::hub75::Hub75Planes;
use callboard_board::panel::Hub75Framebuffer;
use callboard_board::{Controller, Hub75Rgb64x32};
use callboard_core::board::{
    Alert, BoardFrame, CsatLine, LineAlerts, Opening, QueueLine, SlaAlerts, SlaLine,
};
use callboard_core::wire::{Auth, HostMessage, Key, encode, encode_authenticated};
use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_halt as _;
use static_cell::ConstStaticCell;

/// Repetitions of each measurement.
const RUNS: u32 = 16;
/// Instructions a SysTick tick under `-icount shift=0` at 25 MHz.
const INSTRUCTIONS_A_TICK: u32 = 1_000_000_000 / SYSCLK_HZ;

static FRAMEBUFFER: ConstStaticCell<Hub75Framebuffer> =
    ConstStaticCell::new(Hub75Framebuffer::new());
static PLANES: ConstStaticCell<Hub75Planes> = ConstStaticCell::new(Hub75Planes::new());

/// Answers go nowhere: only the board's work is measured.
struct Nowhere;

impl embedded_io::ErrorType for Nowhere {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for Nowhere {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Four queues, every figure, an announcement, four departments' agreements: the floor's
/// typical frame.
fn floor_frame(valid_at: u64) -> BoardFrame {
    let alerts = LineAlerts {
        waiting: Alert::Normal,
        longest_wait: Alert::Warning,
        expected_wait: Alert::Normal,
        service_level: Alert::Alarm,
        agents_available: Alert::Normal,
    };
    let mut queues = heapless::Vec::new();
    for (label, waiting) in [("STREETS", 3), ("SANITATION", 12), ("PARKS", 0), ("PERMITS", 1)] {
        let _ = queues.push(QueueLine {
            label: heapless::String::try_from(label).unwrap_or_default(),
            waiting,
            longest_wait_s: (waiting > 0).then_some(95),
            expected_wait_s: Some(70),
            service_level_permille: Some(742),
            service_level_target_permille: 800,
            service_level_threshold_s: 20,
            agents_available: 2,
            alerts,
        });
    }
    BoardFrame {
        valid_at,
        ttl_s: 30,
        queues,
        csat: CsatLine::MeanScore { centi: 423, scale_highest: 5, responses: 57 },
        announcement: heapless::String::try_from("Storm line open: press 5 for outages")
            .unwrap_or_default(),
        opening: Opening::Open,
        sla: [
            ("SANITATION", 930, 4),
            ("STREETS", 849, 12),
            ("PARKS", 880, 0),
            ("BUILDINGS", 1000, 0),
        ]
        .into_iter()
        .map(|(label, permille, breached)| SlaLine {
            label: heapless::String::try_from(label).unwrap_or_default(),
            compliance_permille: Some(permille),
            goal_permille: 900,
            at_risk: 2,
            breached,
            alerts: SlaAlerts {
                compliance: if permille < 900 { Alert::Warning } else { Alert::Normal },
                at_risk: Alert::Warning,
                breached: if breached > 0 { Alert::Alarm } else { Alert::Normal },
            },
        })
        .collect(),
    }
}

/// SysTick ticks `work` takes, counted down from the top.
fn ticks(syst: &mut SYST, work: impl FnOnce()) -> u32 {
    syst.clear_current();
    let start = SYST::get_current();
    work();
    start.wrapping_sub(SYST::get_current()) & 0x00FF_FFFF
}

#[entry]
fn main() -> ! {
    let mut core = cortex_m::Peripherals::take().expect("main runs once");
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(0x00FF_FFFF);
    core.SYST.enable_counter();
    let syst = &mut core.SYST;

    let mut board = Controller::<Hub75Rgb64x32>::new(1, FRAMEBUFFER.take(), 0);
    let planes = PLANES.take();
    // The typical frame is 238 bytes on the line (262 authenticated); a whole frame's 1 KiB
    // buffer beside the controller and the encoder's own scratch would not leave the 16 KiB part
    // the stack the authenticated decode needs. A frame that did not fit would stop the runs,
    // and the suite checks that all 16 of each were accepted.
    let mut bytes = [0_u8; 512];
    let (mut decode, mut render, mut scan, mut check) = (0, 0, 0, 0);
    let mut frame_bytes = 0;
    for run in 0..RUNS {
        let now = u64::from(run) * 2_000;
        let message = HostMessage::Display(floor_frame(1_795_428_000_000 + now));
        let Ok(len) = encode(1, run as u16, &message, &mut bytes) else { break };
        frame_bytes = len;
        decode += ticks(syst, || {
            for &byte in &bytes[..len] {
                let Ok(()) = board.take(byte, now, &mut Nowhere);
            }
        });
        render += ticks(syst, || {
            board.refresh(now);
        });
        scan += ticks(syst, || {
            planes.load(board.framebuffer());
        });
        check += ticks(syst, || {
            core::hint::black_box(board.showing());
        });
    }
    // The same frames to the same board, now requiring authentication: decoding checks each
    // frame's tag, and the answer is tagged too. (One controller: a 16 KiB part has room for
    // one.)
    let accepted = board.counts().accepted;
    let key = Key::new([0x5A; 32]);
    board.require_authentication(key.clone(), 1);
    let (mut sealed_decode, mut sealed_bytes) = (0, 0);
    for run in 0..RUNS {
        let now = u64::from(RUNS + run) * 2_000;
        let message = HostMessage::Display(floor_frame(1_795_428_000_000 + now));
        let auth = Auth { session: 1, counter: run + 1 };
        let Ok(len) = encode_authenticated(&key, 1, run as u16, auth, &message, &mut bytes) else {
            break;
        };
        sealed_bytes = len;
        sealed_decode += ticks(syst, || {
            for &byte in &bytes[..len] {
                let Ok(()) = board.take(byte, now, &mut Nowhere);
            }
        });
    }
    let each = |total: u32| total / RUNS * INSTRUCTIONS_A_TICK;
    hprintln!("frame on the line: {} bytes", frame_bytes);
    hprintln!("decode + acknowledge: {} instructions", each(decode));
    hprintln!("authenticated frame on the line: {} bytes", sealed_bytes);
    hprintln!("decode + acknowledge, authenticated: {} instructions", each(sealed_decode));
    hprintln!("render (figures, 64x32): {} instructions", each(render));
    hprintln!("scan buffer load: {} instructions", each(scan));
    hprintln!("framebuffer CRC (what are you showing): {} instructions", each(check));
    hprintln!("accepted: {}", accepted);
    hprintln!("accepted authenticated: {}", board.counts().accepted - accepted);
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}
