//! `callboard demo`: a 311 center's whole day in a few seconds — simulated, fed through the core
//! as a switch would feed it, shown on a reader board drawn in the terminal, photographed at the
//! moments that matter, and summed up in the day's report.
//!
//! The day: 2026-11-23, open 8:00–20:00, three lines (STREETS, SANITATION, PERMITS) with a 311
//! day's arrival curve and staff that follows it, agents taking breaks. At 14:00 a storm brings
//! down trees: STREETS and SANITATION calls surge for two and a half hours with no extra staff,
//! and at 14:20 the supervisor posts an announcement. Survey responses trickle in from callers
//! (shorter waits, better scores), and yesterday's survey CSAT is on the board all day.
//!
//! Everything the board shows comes from the same code as production: the simulator writes an
//! Asterisk queue_log, the queue_log reader and replay feed the core, the core builds each frame
//! (with the default expected-wait estimator), and the boards' own renderer draws it.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use callboard_core::board::{BoardFrame, Opening};
use callboard_core::calendar::{DstRule, LocalDate, SiteCalendar, Timestamp, UtcOffset};
use callboard_core::csat::SurveyResponse;
use callboard_core::interval::WaitBuckets;
use callboard_core::queue::QueueSnapshot;
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::wire::BoardSettings;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_render::render::Scene;
use crossterm::style::{Color, ResetColor, SetBackgroundColor, SetForegroundColor};
use crossterm::terminal::{Clear, ClearType};
use crossterm::{cursor, execute, queue};
use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::{OriginDimensions, Point, RgbColor};

use crate::commands::board::PanelArg;
use crate::report::{self, RowPeriod, Settings};
use callboard_agreements::board::{self as sla, BoardAgreements};
use callboard_floor::frame::{self as board, FrameSettings, OpeningHours, QueueChoice};
use callboard_floor::picture::{self as preview, PanelChoice};
use callboard_queue_log::local_time::parse_clock;
use callboard_queue_log::replay::{self, REPLAY_STACK_BYTES, Stepper};
use callboard_queue_log::{self as queue_log, Verb};
use callboard_sim::simulate::{self as sim, DayPlan, HandleTime, QueuePlan, Rng, Surge};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The simulation's seed: the same seed, the same day.
    #[arg(long, value_name = "N", default_value_t = 311)]
    seed: u64,
    /// Simulated seconds per real second (the day takes 12 h 50 min / speed).
    #[arg(long, value_name = "X", default_value_t = 2400.0)]
    speed: f64,
    /// The afternoon storm's multiplier of STREETS and SANITATION calls; 1 for no storm.
    #[arg(long, value_name = "FACTOR", default_value_t = 2.5, allow_hyphen_values = true)]
    surge: f64,
    /// When the storm starts, local time.
    #[arg(long, value_name = "HH:MM", default_value = "14:00", value_parser = parse_clock)]
    surge_at: u32,
    /// No live board: a line an hour, no pauses (for CI and logs). The default when standard
    /// output is not a terminal or CI is set.
    #[arg(long)]
    no_live: bool,
    /// The panel drawn in the terminal.
    #[arg(long, value_enum, default_value_t = PanelArg::Hub75)]
    panel: PanelArg,
    /// Where the snapshots and the day's queue_log go.
    #[arg(long, value_name = "DIR", default_value = "callboard-demo")]
    out: PathBuf,
}

pub fn run(args: &DemoArgs) -> Result<String, String> {
    use std::io::IsTerminal as _;
    let live = !args.no_live
        && std::io::stdout().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
    if live {
        watch_ctrl_c()?;
    }
    run_day(DemoOptions {
        seed: args.seed,
        speed: args.speed,
        surge_factor: args.surge,
        surge_start_min: args.surge_at,
        live,
        panel: PanelChoice::from(args.panel),
        out_dir: args.out.clone(),
    })
}

/// How the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The simulation's seed.
    pub seed: u64,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// The storm's multiplier of calls on STREETS and SANITATION; 1 for no storm.
    pub surge_factor: f64,
    /// When the storm starts, minutes after local midnight.
    pub surge_start_min: u32,
    /// Draw the board live in the terminal (ANSI colours); otherwise a line an hour.
    pub live: bool,
    /// The panel drawn.
    pub panel: PanelChoice,
    /// Where the snapshots go.
    pub out_dir: PathBuf,
}

/// The site: UTC−05:00, no DST rule needed in November.
fn calendar() -> Result<SiteCalendar, String> {
    let offset = UtcOffset::from_minutes(-300).map_err(|e| e.to_string())?;
    SiteCalendar::new(offset, DstRule::None).map_err(|e| e.to_string())
}

const OPEN_MIN: u32 = 8 * 60;
const CLOSE_MIN: u32 = 20 * 60;
/// A frame every minute of the day.
const FRAME_EVERY_MS: u64 = 60_000;
const ANNOUNCEMENT: &str = "Storm: trees down citywide. Report downed trees at 311.city/trees";

/// The day's plan.
#[must_use]
pub fn plan(options: &DemoOptions, date: LocalDate) -> DayPlan {
    let surge = (options.surge_factor != 1.0).then(|| Surge {
        start_s: options.surge_start_min * 60,
        end_s: options.surge_start_min * 60 + 150 * 60,
        factor: options.surge_factor,
    });
    let queue =
        |name: &str, scale: f64, staff: f64, handle_s: f64, surge: Option<Surge>| QueuePlan {
            name: name.into(),
            calls_per_hour: sim::CALLS_PER_HOUR_311.iter().map(|c| c * scale).collect(),
            agents: sim::AGENTS_311
                .iter()
                .map(|&a| (f64::from(a) * staff).round().max(1.0) as u32)
                .collect(),
            surge,
            handle: HandleTime::LogNormal { mean_s: handle_s, cv: 0.9 },
            patience_s: Some(240.0),
            breaks: true,
        };
    DayPlan {
        date,
        open_s: OPEN_MIN * 60,
        close_s: CLOSE_MIN * 60,
        seed: options.seed,
        queues: vec![
            queue("STREETS", 1.0, 1.0, 270.0, surge),
            queue("SANITATION", 0.5, 0.55, 240.0, surge),
            queue("PERMITS", 0.3, 0.4, 360.0, None),
        ],
    }
}

/// The moments photographed: (minute of the day, file name, what it shows).
const SNAPSHOTS: [(u32, &str, &str); 5] = [
    (8 * 60 + 30, "0830-morning", "the morning: short waits"),
    (11 * 60, "1100-peak", "the late-morning peak"),
    (14 * 60 + 45, "1445-storm", "the storm: the announcement is up"),
    (16 * 60 + 10, "1610-storm-peak", "the storm at its worst"),
    (20 * 60 + 30, "2030-closed", "closed for the night"),
];

/// Runs the demo; returns the closing summary.
///
/// # Errors
/// A plan the simulator refuses, a snapshot that cannot be written, a terminal that goes away.
fn run_day(options: DemoOptions) -> Result<String, String> {
    std::thread::Builder::new()
        .name("demo".into())
        .stack_size(REPLAY_STACK_BYTES)
        .spawn(move || run_here(&options))
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the demo thread panicked".to_owned())?
}

fn run_here(options: &DemoOptions) -> Result<String, String> {
    if !(options.speed.is_finite() && options.speed > 0.0) {
        return Err(format!("--speed must be above 0, not {}", options.speed));
    }
    if !(options.surge_factor.is_finite() && options.surge_factor > 0.0) {
        return Err(format!("--surge must be above 0, not {}", options.surge_factor));
    }
    let calendar = calendar()?;
    let date = LocalDate::new(2026, 11, 23).map_err(|e| e.to_string())?;
    let plan = plan(options, date);
    let simulated = sim::simulate(&plan, &calendar)?;
    std::fs::create_dir_all(&options.out_dir)
        .map_err(|e| format!("cannot create {}: {e}", options.out_dir.display()))?;
    let log_path = options.out_dir.join("queue_log");
    std::fs::write(&log_path, &simulated.queue_log)
        .map_err(|e| format!("cannot write {}: {e}", log_path.display()))?;

    let parsed = queue_log::parse(simulated.queue_log.as_bytes(), &calendar);
    let config = CenterConfig { calendar, ..CenterConfig::default() };
    let queue_config = QueueConfig::default();
    let mut stepper = Stepper::new(parsed.warnings.clone(), config, queue_config);
    let choices: Vec<QueueChoice> = [("STREETS", 800), ("SANITATION", 800), ("PERMITS", 700)]
        .iter()
        .map(|&(name, target)| QueueChoice {
            name: name.into(),
            label: name.into(),
            target_permille: target,
        })
        .collect();
    for choice in &choices {
        stepper.declare_queue(&choice.name)?;
    }
    stepper.push(parsed.records.iter().cloned());
    let day_start = calendar.day_start(date);
    let at_min = |minutes: u32| day_start + u64::from(minutes) * 60_000;
    // Yesterday's surveys, filed before the day starts: the board posts their CSAT all day.
    stepper.advance_to(at_min(7 * 60 + 55))?;
    let mut rng = Rng::new(options.seed ^ 0x0C5A_7000);
    let yesterday = calendar.day_start(date.previous());
    for i in 0..190u64 {
        let contact_at = yesterday + (8 * 3600 + i * 12 * 3600 / 190) * 1000;
        let waited = rng_wait(&mut rng);
        let score = survey_score(&mut rng, waited);
        record_survey(&mut stepper, contact_at, score);
    }

    let agreements = city_agreements()?;
    let hours = OpeningHours { opens_min: OPEN_MIN, closes_min: CLOSE_MIN };
    let settings = BoardSettings::DEFAULT;
    let mut screen = Terminal::new(options.live);
    let started = Instant::now();
    let (first, last) = (at_min(OPEN_MIN - 10), at_min(CLOSE_MIN + 40));
    let mut snapshots = Vec::new();
    let mut last_hour_line = None;
    let mut moment = first;
    let mut last_agreements = Vec::new();
    while moment <= last {
        // Apply the log up to this minute, one record at a time (surveys follow completed calls).
        while stepper.peek().is_some_and(|r| r.at <= moment) {
            let Some(record) = stepper.step() else { break };
            if matches!(record.verb, Verb::CompleteCaller | Verb::CompleteAgent)
                && let Some(caller) =
                    sim::caller_index(&record.callid).and_then(|i| simulated.callers.get(i))
                && rng.uniform() < 0.15
            {
                let score = survey_score(&mut rng, caller.waited_ms);
                record_survey(&mut stepper, record.at, score);
            }
        }
        stepper.advance_to(moment)?;
        let minute = u32::try_from((moment - day_start) / 60_000).unwrap_or(0);
        let storm_posted = plan.queues[0].surge.is_some()
            && minute >= options.surge_start_min + 20
            && minute < options.surge_start_min + 180;
        let frame_settings = FrameSettings {
            ttl_s: 30,
            announcement: if storm_posted { ANNOUNCEMENT.into() } else { String::new() },
            opening: hours.at(&calendar, moment),
            variant: ServiceLevelVariant::Answered,
            thresholds: callboard_core::board::AlertThresholds::DEFAULT,
        };
        let mut frame = board::frame_from_center(
            stepper.center(),
            stepper.queue_ids(),
            &choices,
            &frame_settings,
        )?;
        agreements.put_on(&mut frame)?;
        let snapshots_now: Vec<QueueSnapshot> = choices
            .iter()
            .filter_map(|c| stepper.queue_ids().get(&c.name))
            .filter_map(|&id| stepper.center().snapshot(id).ok())
            .collect();
        // The board pages through its queues; show the page a board would show at this minute.
        let scene = Scene { frame: Some(&frame), now: moment, settings: &settings };
        let picture = preview::preview(options.panel, &scene);
        let progress = (moment - first) as f64 / (last - first) as f64;
        let status = status_line(&calendar, moment, &frame, &snapshots_now, progress);
        if options.live {
            screen.draw(&picture.pixels, &status)?;
            if screen.interrupted() {
                screen.finish()?;
                return Err(format!("stopped at {} (Ctrl-C)", clock(&calendar, moment)));
            }
            // Time compressed: a minute of the day every 60/speed seconds.
            let due =
                started + Duration::from_secs_f64((moment - first) as f64 / 1000.0 / options.speed);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        } else {
            let hour = minute / 60;
            if minute % 60 == 0 && last_hour_line != Some(hour) {
                last_hour_line = Some(hour);
                screen.line(&status)?;
            }
        }
        for &(at, name, what) in &SNAPSHOTS {
            if at == minute {
                let path = options.out_dir.join(format!("board-{name}.png"));
                picture.save_png(&path, 8)?;
                let tri = preview::preview(PanelChoice::TriColour160x32, &scene);
                let tri_path = options.out_dir.join(format!("board-{name}-tricolour.png"));
                tri.save_png(&tri_path, 4)?;
                if !options.live {
                    screen.line(&format!("  snapshot {}: {what}", path.display()))?;
                }
                snapshots.push((path, tri_path, what, status.clone()));
            }
        }
        last_agreements = frame.sla.to_vec();
        moment += FRAME_EVERY_MS;
    }
    screen.finish()?;
    let elapsed = started.elapsed();
    let ledger = stepper.center().csat();
    let mean = |day: LocalDate| ledger.day(day).and_then(|t| Some((t.mean_score()?, t.responses)));
    let mut csat = String::new();
    if let Some((score, n)) = mean(date.previous()) {
        let _ = writeln!(
            csat,
            "CSAT yesterday ({}): {score:.2} / 5 from {n} survey responses — on the board all day.",
            date.previous()
        );
    }
    match (mean(date), mean(date.previous())) {
        (Some((score, n)), before) => {
            let change = before.map_or(String::new(), |(was, _)| {
                let word = if score < was {
                    "down"
                } else if score > was {
                    "up"
                } else {
                    "level"
                };
                format!(", {word} from yesterday's {was:.2}")
            });
            let _ = writeln!(
                csat,
                "CSAT today ({date}): {score:.2} / 5 from {n} responses{change} — on tomorrow's board."
            );
        }
        (None, _) => {
            let _ = writeln!(csat, "CSAT today ({date}): no survey responses.");
        }
    }
    let _ = write!(
        csat,
        "Service agreements on the board's ticker at {} (requests closed in the last 30 days):",
        clock(&calendar, last)
    );
    for line in &last_agreements {
        let compliance = line
            .compliance_permille
            .map_or("--".into(), |p| format!("{:.1} %", f64::from(p) / 10.0));
        let _ = write!(
            csat,
            "\n  {} {compliance} (goal {:.0} %), {} at risk, {} breached",
            line.label,
            f64::from(line.goal_permille) / 10.0,
            line.at_risk,
            line.breached
        );
    }
    csat.push('\n');
    summary(options, &simulated, parsed, &calendar, &snapshots, &csat, &log_path, elapsed)
}

/// The city's service agreements, from the four weeks of service requests before the demo's
/// day that ship as `examples/data/sla-*` (the sample `callboard sla report` reads).
fn city_agreements() -> Result<BoardAgreements, String> {
    let policies = callboard_agreements::policies::parse_policies(include_str!(
        "../../../data/sla-policies-311.toml"
    ))?;
    let choices = [
        "Sanitation=SANITATION",
        "Streets=STREETS",
        "Parks and Forestry=PARKS",
        "Buildings=BUILDINGS",
    ]
    .into_iter()
    .map(sla::parse_board_choice)
    .collect::<Result<Vec<_>, _>>()?;
    let requests = include_str!("../../../data/sla-requests-311.csv").to_owned();
    BoardAgreements::new(policies, requests, choices, 30)
}

/// A plausible wait for yesterday's callers (a quiet day): mostly under a minute.
fn rng_wait(rng: &mut Rng) -> u64 {
    (rng.exponential(40.0) * 1000.0) as u64
}

/// A survey score 1–5: happy callers when answered quickly, less so after long waits.
fn survey_score(rng: &mut Rng, waited_ms: u64) -> u8 {
    let minutes = waited_ms as f64 / 60_000.0;
    let mean = (4.7 - 0.35 * minutes).clamp(1.5, 4.7);
    let score = mean + 0.8 * rng.normal();
    score.round().clamp(1.0, 5.0) as u8
}

fn record_survey(stepper: &mut Stepper, contact_at: Timestamp, score: u8) {
    let response = SurveyResponse {
        contact_at,
        score,
        answers: [None; callboard_core::csat::BASELINE_QUESTIONS],
        follow_up_requested: false,
    };
    // A refusal is counted by the core and shows in its diagnostics; the demo goes on.
    let _ = stepper.center_mut().record_survey(&response);
}

fn clock(calendar: &SiteCalendar, at: Timestamp) -> String {
    let local = calendar.to_local(at);
    let minutes = local.millis_of_day / 60_000;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn mmss(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

fn status_line(
    calendar: &SiteCalendar,
    at: Timestamp,
    frame: &BoardFrame,
    snapshots: &[QueueSnapshot],
    progress: f64,
) -> String {
    let mut line = format!("{}  ", clock(calendar, at));
    if matches!(frame.opening, Opening::Closed { .. }) {
        line.push_str("CLOSED  ");
    }
    for (queue, snap) in frame.queues.iter().zip(snapshots) {
        let ew = snap.expected_wait_ms.map_or("--".into(), mmss);
        let sl = queue
            .service_level_permille
            .map_or("--".into(), |p| format!("{:.0}%", f64::from(p) / 10.0));
        let _ = write!(line, "{} {} waiting, EW {ew}, SL {sl}   ", queue.label, snap.waiting);
    }
    let filled = (progress.clamp(0.0, 1.0) * 20.0).round() as usize;
    let _ = write!(
        line,
        "[{}{}] {:>3.0}%",
        "#".repeat(filled),
        ".".repeat(20 - filled),
        progress * 100.0
    );
    line
}

/// The terminal: a board redrawn in place with half-block characters, or plain lines.
/// Set by Ctrl-C while the live board is drawn: the day stops at the next frame, and the
/// terminal is put back (cursor shown, colours reset) as the [`Terminal`] is dropped.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// From the start of a live demo, Ctrl-C raises [`INTERRUPTED`] instead of killing the process,
/// so that the terminal is always put back.
fn watch_ctrl_c() -> Result<(), String> {
    match ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst)) {
        Ok(()) | Err(ctrlc::Error::MultipleHandlers) => Ok(()),
        Err(e) => Err(format!("cannot watch for Ctrl-C: {e}")),
    }
}

/// The terminal the live board is drawn in. Dropping it (at the end, on an error, on Ctrl-C)
/// shows the cursor again and resets the colours.
struct Terminal {
    live: bool,
    out: std::io::Stdout,
    drawn: bool,
    /// The reader of the lines has gone (`callboard demo | head`): the day runs on and writes
    /// its pictures, with nobody left to tell.
    reader_gone: bool,
}

impl Terminal {
    fn new(live: bool) -> Self {
        Self { live, out: std::io::stdout(), drawn: false, reader_gone: false }
    }

    /// Whether Ctrl-C asked the day to stop.
    fn interrupted(&self) -> bool {
        self.live && INTERRUPTED.load(Ordering::SeqCst)
    }

    fn draw(
        &mut self,
        pixels: &embedded_graphics_simulator::SimulatorDisplay<Rgb888>,
        status: &str,
    ) -> Result<(), String> {
        let size = pixels.size();
        let mut frame: Vec<u8> = Vec::new();
        let rgb = |c: Rgb888| Color::Rgb { r: c.r(), g: c.g(), b: c.b() };
        let drawn = (|| -> std::io::Result<()> {
            // Clear once and hide the cursor; afterwards redraw from the top left.
            if !self.drawn {
                queue!(frame, Clear(ClearType::All), cursor::Hide)?;
            }
            queue!(frame, cursor::MoveTo(0, 0))?;
            frame.extend_from_slice(
                b"callboard demo: a 311 center's day on a reader board (Ctrl-C stops)\n\n",
            );
            // Two LED rows a character: the upper half block in the top LED's colour on the
            // bottom LED's; colours are sent only when they change.
            for y in (0..size.height).step_by(2) {
                frame.extend_from_slice(b"  ");
                let mut current = None;
                for x in 0..size.width {
                    let top = pixels.get_pixel(Point::new(x as i32, y as i32));
                    let bottom = pixels.get_pixel(Point::new(x as i32, y as i32 + 1));
                    if current != Some((top, bottom)) {
                        current = Some((top, bottom));
                        queue!(
                            frame,
                            SetForegroundColor(rgb(top)),
                            SetBackgroundColor(rgb(bottom))
                        )?;
                    }
                    frame.extend_from_slice("\u{2580}".as_bytes());
                }
                queue!(frame, ResetColor)?;
                frame.push(b'\n');
            }
            frame.push(b'\n');
            frame.extend_from_slice(status.as_bytes());
            queue!(frame, Clear(ClearType::UntilNewLine))?;
            frame.push(b'\n');
            Ok(())
        })();
        drawn.map_err(|e| e.to_string())?;
        self.drawn = true;
        self.out.write_all(&frame).and_then(|()| self.out.flush()).map_err(|e| e.to_string())
    }

    fn line(&mut self, text: &str) -> Result<(), String> {
        if self.reader_gone {
            return Ok(());
        }
        match writeln!(self.out, "{text}").and_then(|()| self.out.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.reader_gone = true;
                Ok(())
            }
            written => written.map_err(|e| format!("cannot write the output: {e}")),
        }
    }

    /// Puts the terminal back: the cursor shown, the colours reset.
    fn restore(&mut self) -> std::io::Result<()> {
        if self.live && self.drawn {
            self.drawn = false;
            execute!(self.out, ResetColor, cursor::Show)?;
            self.out.write_all(b"\n")?;
            self.out.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.restore().map_err(|e| e.to_string())
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // Best effort: a terminal that cannot be written to has nothing to restore.
        let _ = self.restore();
    }
}

#[allow(clippy::too_many_arguments)]
fn summary(
    options: &DemoOptions,
    simulated: &sim::SimulatedDay,
    parsed: queue_log::Parsed,
    calendar: &SiteCalendar,
    snapshots: &[(PathBuf, PathBuf, &str, String)],
    csat: &str,
    log_path: &Path,
    elapsed: Duration,
) -> Result<String, String> {
    let config = CenterConfig {
        calendar: *calendar,
        interval: callboard_core::calendar::IntervalLength::Minutes60,
        ..CenterConfig::default()
    };
    let replayed = replay::replay(parsed, config, QueueConfig::default());
    let settings = Settings {
        interval: RowPeriod::Minutes(60).label(),
        sl_threshold_seconds: 20.0,
        sl_threshold: "20 s".into(),
        short_abandon_seconds: 0.0,
        utc_offset: "-05:00".into(),
        dst: "none".into(),
        attribution: "entry".into(),
    };
    let report =
        report::build(&replayed, RowPeriod::Minutes(60), settings, calendar, &WaitBuckets::DEFAULT);
    let mut out = String::new();
    let answered = simulated.callers.iter().filter(|c| c.answered).count();
    let _ = writeln!(
        out,
        "\nThe day (seed {}): {} calls, {} answered, {} hung up; simulated and replayed in {:.1} s.",
        options.seed,
        simulated.callers.len(),
        answered,
        simulated.callers.len() - answered,
        elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "The switch's log: {} ({} lines)\n", log_path.display(), simulated.lines);
    out.push_str(&report::render_text(&report, calendar));
    out.push('\n');
    out.push_str(csat);
    let _ = writeln!(out, "\nSnapshots of the board:");
    for (hub75, tri, what, status) in snapshots {
        let _ =
            writeln!(out, "  {} and {}: {what}\n      {status}", hub75.display(), tri.display());
    }
    Ok(out)
}
