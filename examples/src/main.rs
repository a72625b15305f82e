//! `callboard`: the command integrators run.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use callboard_core::board::BoardFrame;
use callboard_core::calendar::{
    DstRule, IntervalLength, MILLIS_PER_SECOND, SiteCalendar, UtcOffset,
};
use callboard_core::center::Attribution;
use callboard_core::erlang::{Model, ServiceGoal, Targets, Workload};
use callboard_core::interval::WaitBuckets;
use callboard_core::service_level::ServiceLevelThreshold;
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::wire::BoardSettings;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_examples::options;
use callboard_examples::options::parse_utc_offset;
use callboard_examples::report::{self, RowPeriod, Settings};
use callboard_examples::staffing::{self, Question};
use callboard_examples::{board, board_feed};
use callboard_examples::{queue_log, replay};
use clap::{Parser, Subcommand, ValueEnum};

/// Contact-center figures computed one way everywhere: reports from ACD logs, staffing.
#[derive(Debug, Parser)]
#[command(name = "callboard", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay an Asterisk queue_log into an interval report per queue.
    Report(ReportArgs),
    /// A queueing model's figures at a number of agents (or lines).
    Erlang(ErlangArgs),
    /// The fewest agents meeting service targets, for one load or a whole forecast.
    Staff(StaffArgs),
    /// Reader boards: frames and their bytes on the line (PROTOCOL.md).
    #[command(subcommand)]
    Board(BoardCommand),
    /// A 311 center's day in seconds: simulated, fed through the core as a switch would, its
    /// reader board live in the terminal, snapshots of the board, the day's report and CSAT.
    Demo(DemoArgs),
    /// How right each expected-wait estimator is: every caller's estimate at arrival against the
    /// wait that followed, on simulated days and real logs.
    EwtEval(EwtEvalArgs),
    /// Service agreements with departments: business-calendar SLA clocks on service requests.
    #[command(subcommand)]
    Sla(SlaCommand),
}

#[derive(Debug, Subcommand)]
enum SlaCommand {
    /// Compliance per department and request type: service requests from a CSV against the
    /// agreements in a TOML file (formats: `callboard_examples::sla`; samples in
    /// examples/data/sla-*).
    Report(SlaReportArgs),
}

#[derive(Debug, clap::Args)]
struct SlaReportArgs {
    /// The service requests: id,type,department,opened,closed,pauses (local times).
    #[arg(long, value_name = "FILE.csv")]
    requests: PathBuf,
    /// The agreements: the site's clock, business calendars, a policy per request type.
    #[arg(long, value_name = "FILE.toml")]
    policies: PathBuf,
    /// First local day of the period (default: the first day in the file).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = options::parse_date)]
    from: Option<callboard_core::calendar::LocalDate>,
    /// Last local day of the period (default: the day of --now).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = options::parse_date)]
    to: Option<callboard_core::calendar::LocalDate>,
    /// When open requests are judged, local time (default: the last time in the file).
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    now: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
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
    #[arg(long, value_name = "HH:MM", default_value = "14:00", value_parser = options::parse_clock)]
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

fn demo(args: &DemoArgs) -> Result<String, String> {
    use std::io::IsTerminal as _;
    let live = !args.no_live
        && std::io::stdout().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
    callboard_examples::demo::run(callboard_examples::demo::DemoOptions {
        seed: args.seed,
        speed: args.speed,
        surge_factor: args.surge,
        surge_start_min: args.surge_at,
        live,
        panel: board::PanelChoice::from(args.panel),
        out_dir: args.out.clone(),
    })
}

#[derive(Debug, clap::Args)]
struct EwtEvalArgs {
    /// Simulated days per scenario (steady, time-varying, surge, heavy abandonment).
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(0..=365))]
    days: u32,
    /// The first day's seed; day i uses seed + i.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// A real queue_log to score as well (repeatable). Abandoners' waits are censored: see
    /// BENCHMARKS.md.
    #[arg(long, value_name = "FILE")]
    queue_log: Vec<PathBuf>,
    /// The logs' site's UTC offset, ±HH:MM.
    #[arg(long, value_name = "±HH:MM", default_value = "+00:00", allow_hyphen_values = true, value_parser = parse_utc_offset)]
    utc_offset: UtcOffset,
    /// Print Markdown tables.
    #[arg(long)]
    markdown: bool,
    /// Fail unless the default estimator's RMSE is at least this many percent below
    /// Asterisk's in every scenario.
    #[arg(long, value_name = "PERCENT")]
    require_margin: Option<f64>,
}

#[derive(Debug, Subcommand)]
enum BoardCommand {
    /// A board frame's bytes for an address: from a replayed queue_log at a moment, or a JSON
    /// frame.
    Encode(BoardEncodeArgs),
    /// A PNG of what a panel shows for a frame: from a replayed queue_log at a moment, or a
    /// JSON frame.
    Preview(BoardPreviewArgs),
    /// Feed a board its frames over a serial line or TCP, at a steady rate: a queue_log
    /// replayed, or followed live as the switch writes it.
    Send(BoardSendArgs),
}

/// Where a frame comes from: a JSON file, or a replayed log at a moment.
#[derive(Debug, clap::Args)]
struct FrameSourceArgs {
    /// A frame as JSON (the shape `board encode --json` prints), instead of a replayed log.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["queue_log", "at", "queue"])]
    frame: Option<PathBuf>,
    /// The queue_log to replay (classic or realtime export); `-` reads stdin.
    #[arg(long, value_name = "FILE", requires_all = ["at", "queue"])]
    queue_log: Option<PathBuf>,
    /// The moment to show, local time: "1999-02-10 11:00".
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    #[command(flatten)]
    site: BoardSiteArgs,
}

/// What a board shows of a center, besides the log.
#[derive(Debug, clap::Args)]
struct BoardSiteArgs {
    /// A queue to show, in order: NAME, NAME=LABEL or NAME=LABEL@80% (up to 8).
    #[arg(long, value_name = "NAME=LABEL@T%", value_parser = board::parse_queue_choice)]
    queue: Vec<board::QueueChoice>,
    /// The site's standard UTC offset, ±HH:MM.
    #[arg(long, value_name = "±HH:MM", default_value = "+00:00", allow_hyphen_values = true, value_parser = parse_utc_offset)]
    utc_offset: UtcOffset,
    /// Daylight-saving rule of the site.
    #[arg(long, value_enum, default_value_t = Dst::None)]
    dst: Dst,
    /// Service-level threshold T in seconds.
    #[arg(long, value_name = "N", default_value_t = 20)]
    sl_seconds: u32,
    /// Seconds the board may show the frame without a newer one.
    #[arg(long, value_name = "S", default_value_t = 30)]
    ttl: u16,
    /// The announcement line (up to 96 bytes).
    #[arg(long, value_name = "TEXT", default_value = "")]
    announcement: String,
    /// Opening hours, local time: outside them the board shows CLOSED and the next opening.
    #[arg(long, value_name = "HH:MM-HH:MM", value_parser = board::parse_opening_hours)]
    hours: Option<board::OpeningHours>,
    /// The center is closed now (whatever --hours says).
    #[arg(long)]
    closed: bool,
    #[command(flatten)]
    sla: BoardSlaArgs,
}

/// Service agreements on the board: compliance per department from `callboard sla report`'s
/// files, judged at each frame's moment.
#[derive(Debug, clap::Args)]
struct BoardSlaArgs {
    /// The service requests (as for `sla report`): puts the departments' agreements on the
    /// board's ticker.
    #[arg(long, value_name = "FILE.csv", requires = "sla_policies")]
    sla_requests: Option<PathBuf>,
    /// The agreements (as for `sla report`).
    #[arg(long, value_name = "FILE.toml", requires = "sla_requests")]
    sla_policies: Option<PathBuf>,
    /// A department to show, in order: NAME, NAME=LABEL or NAME=LABEL@90% (the compliance
    /// goal; 90 % by default). Every department in the file when not given (up to 8).
    #[arg(long, value_name = "NAME=LABEL@G%", requires = "sla_requests", value_parser = callboard_examples::sla::parse_board_choice)]
    sla: Vec<callboard_examples::sla::BoardChoice>,
    /// Compliance over this many days, ending on the frame's day.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=i64::from(callboard_examples::sla::MAX_BOARD_DAYS)))]
    sla_days: u32,
}

impl BoardSlaArgs {
    /// The agreements to put on frames, if asked for.
    fn agreements(&self) -> Result<Option<callboard_examples::sla::BoardAgreements>, String> {
        use callboard_examples::sla;
        let (Some(requests), Some(policies)) = (&self.sla_requests, &self.sla_policies) else {
            return Ok(None);
        };
        let policies_text = utf8_input(policies)?;
        let parsed = sla::parse_policies(&policies_text)
            .map_err(|e| format!("{}: {e}", policies.display()))?;
        let requests_text = utf8_input(requests)?;
        sla::BoardAgreements::new(parsed, requests_text, self.sla.clone(), self.sla_days).map(Some)
    }
}

#[derive(Debug, clap::Args)]
struct BoardEncodeArgs {
    /// The board's address, 1–254, or 255 for every board.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=255))]
    address: u8,
    /// The frame's sequence number.
    #[arg(long, value_name = "N", default_value_t = 0)]
    sequence: u16,
    #[command(flatten)]
    source: FrameSourceArgs,
    /// Print the frame as JSON instead of its bytes.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct BoardSendArgs {
    /// The board's address, 1–254, or 255 for every board on the line.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=255))]
    address: u8,
    /// The first frame's sequence number.
    #[arg(long, value_name = "N", default_value_t = 0)]
    sequence: u16,
    /// The board (or serial-to-Ethernet converter) at HOST:PORT.
    #[arg(
        long,
        value_name = "HOST:PORT",
        required_unless_present = "serial",
        conflicts_with = "serial"
    )]
    tcp: Option<String>,
    /// The serial device of the board's line, e.g. /dev/ttyUSB0 (8N1, no flow control).
    #[arg(long, value_name = "DEVICE")]
    serial: Option<String>,
    /// The serial line's speed.
    #[arg(long, value_name = "BAUD", default_value_t = 115_200, requires = "serial")]
    baud: u32,
    /// The queue_log: replayed, or with --follow read as the switch writes it (`-`: stdin).
    #[arg(long, value_name = "FILE")]
    queue_log: PathBuf,
    /// Follow the log live: a frame every --every seconds of the wall clock, with the events
    /// read so far, until the input ends.
    #[arg(long, conflicts_with_all = ["from", "until", "speed"])]
    follow: bool,
    /// Replay from this local time ("1999-02-10 08:00"); the log's first event by default.
    #[arg(long, value_name = "TIME")]
    from: Option<String>,
    /// Replay until this local time; the log's last event by default.
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Seconds between frames (of the log when replaying, of the clock when following).
    #[arg(long, value_name = "S", default_value_t = 2.0)]
    every: f64,
    /// Replay speed: log seconds per real second (1 is real time, 60 a minute a second).
    #[arg(long, value_name = "X")]
    speed: Option<f64>,
    /// Send these page seconds (and --brightness) to the board before the first frame.
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u8).range(1..))]
    page_seconds: Option<u8>,
    /// Send this LED brightness, 0–255, before the first frame.
    #[arg(long, value_name = "N")]
    brightness: Option<u8>,
    #[command(flatten)]
    site: BoardSiteArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PanelArg {
    /// 64 × 32 RGB LED matrix (HUB75), one queue a page.
    #[value(name = "hub75-64x32")]
    Hub75,
    /// 160 × 32 red/green/amber reader board, two queues a page.
    #[value(name = "tricolour-160x32")]
    TriColour,
}

impl From<PanelArg> for board::PanelChoice {
    fn from(panel: PanelArg) -> Self {
        match panel {
            PanelArg::Hub75 => Self::Hub75Rgb64x32,
            PanelArg::TriColour => Self::TriColour160x32,
        }
    }
}

#[derive(Debug, clap::Args)]
struct BoardPreviewArgs {
    /// The panel.
    #[arg(long, value_enum)]
    panel: PanelArg,
    /// The PNG to write.
    #[arg(long, value_name = "FILE.png")]
    out: PathBuf,
    /// Screen pixels per LED (1 to 32).
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=32))]
    scale: u32,
    /// Show the board this many seconds after the frame's moment: later pages, the ticker
    /// further on, or (past the time-to-live) the no-data screen.
    #[arg(long, value_name = "S", default_value_t = 0)]
    after: u32,
    /// Seconds each page shows when the queues do not fit.
    #[arg(long, value_name = "S", default_value_t = BoardSettings::DEFAULT.page_seconds, value_parser = clap::value_parser!(u8).range(1..))]
    page_seconds: u8,
    #[command(flatten)]
    source: FrameSourceArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModelArg {
    /// Lost calls cleared: lines, trunks, ports.
    ErlangB,
    /// Callers wait until answered.
    ErlangC,
    /// Callers wait, and abandon after an exponential patience (needs --patience).
    ErlangA,
}

#[derive(Debug, clap::Args)]
struct LoadArgs {
    /// The queueing model.
    #[arg(long, value_enum)]
    model: ModelArg,
    /// Calls offered per hour (with --aht).
    #[arg(long, value_name = "X", requires = "aht", conflicts_with = "traffic")]
    calls_per_hour: Option<f64>,
    /// Average handle time in seconds.
    #[arg(long, value_name = "SECONDS")]
    aht: Option<f64>,
    /// Offered traffic in erlangs, instead of --calls-per-hour (times need --aht too).
    #[arg(long, value_name = "ERLANGS")]
    traffic: Option<f64>,
    /// Callers' average patience in seconds (Erlang A).
    #[arg(long, value_name = "SECONDS")]
    patience: Option<f64>,
    /// Print JSON (the contract in docs/staffing-json.md) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
struct ErlangArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Agents (or lines); fractional for Erlang B and C.
    #[arg(long, value_name = "N")]
    agents: f64,
    /// Service-level target time in seconds.
    #[arg(long, value_name = "T")]
    target_seconds: Option<f64>,
    /// Erlang B, instead of a load: the traffic the lines take at this blocking (0.01 or 1%).
    #[arg(long, value_name = "b", value_parser = parse_share, conflicts_with_all = ["calls_per_hour", "traffic"])]
    blocking: Option<f64>,
}

#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
struct StaffArgs {
    #[command(flatten)]
    load: LoadArgs,
    /// Service-level target time T in seconds, for --service-level.
    #[arg(long, value_name = "T", requires = "service_level")]
    target_seconds: Option<f64>,
    /// Answer at least this share within T: 0.8 or 80%.
    #[arg(long, value_name = "x", requires = "target_seconds", value_parser = parse_share)]
    service_level: Option<f64>,
    /// Average speed of answer at most this many seconds.
    #[arg(long, value_name = "S")]
    max_asa: Option<f64>,
    /// Probability of waiting at most p (0.2 or 20%).
    #[arg(long, value_name = "p", value_parser = parse_share)]
    max_p_wait: Option<f64>,
    /// Probability of abandoning at most p (Erlang A).
    #[arg(long, value_name = "p", value_parser = parse_share)]
    max_abandon: Option<f64>,
    /// Occupancy at most o.
    #[arg(long, value_name = "o", value_parser = parse_share)]
    max_occupancy: Option<f64>,
    /// Blocking probability at most b (Erlang B).
    #[arg(long, value_name = "b", value_parser = parse_share)]
    max_blocking: Option<f64>,
    /// Share of paid time not on the phones: scheduled = ceil(agents / (1 - shrinkage)).
    #[arg(long, value_name = "s", default_value = "0", value_parser = parse_share)]
    shrinkage: f64,
    /// A forecast CSV (interval_start, calls, aht_seconds): staff every interval.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["calls_per_hour", "traffic", "aht"])]
    forecast: Option<PathBuf>,
    /// With --forecast: minutes per interval [default: the shortest step between starts].
    #[arg(long, value_name = "N", requires = "forecast")]
    interval_minutes: Option<i64>,
    /// With --forecast: print CSV instead of a table.
    #[arg(long, requires = "forecast", conflicts_with = "json")]
    csv: bool,
}

/// A share written as a fraction (0.8) or a percentage (80%).
fn parse_share(s: &str) -> Result<f64, String> {
    let bad = || format!("expected a share like 0.8 or 80%, not {s:?}");
    let text = s.trim();
    let value = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map_err(|_| bad())? / 100.0,
        None => text.parse::<f64>().map_err(|_| bad())?,
    };
    if value.is_finite() && (0.0..=1.0).contains(&value) { Ok(value) } else { Err(bad()) }
}

fn model_of(load: &LoadArgs) -> Result<Model, String> {
    match (load.model, load.patience) {
        (ModelArg::ErlangA, Some(patience_seconds)) => Ok(Model::ErlangA { patience_seconds }),
        (ModelArg::ErlangA, None) => Err("Erlang A needs --patience SECONDS".into()),
        (_, Some(_)) => Err("--patience applies to Erlang A only".into()),
        (ModelArg::ErlangB, None) => Ok(Model::ErlangB),
        (ModelArg::ErlangC, None) => Ok(Model::ErlangC),
    }
}

fn question_of(load: &LoadArgs, target_seconds: Option<f64>) -> Result<Question, String> {
    let model = model_of(load)?;
    let workload = match (load.calls_per_hour, load.traffic, load.aht) {
        (Some(calls), None, Some(aht)) => Workload::from_calls(calls, aht),
        (None, Some(traffic), aht) => Workload::from_traffic(traffic)
            .and_then(|w| aht.map_or(Ok(w), |aht| w.with_handle_seconds(aht))),
        _ => return Err("give --calls-per-hour X --aht SECONDS, or --traffic ERLANGS".into()),
    }
    .map_err(|e| e.to_string())?;
    Ok(Question { model, workload, calls_per_hour: load.calls_per_hour, target_seconds })
}

fn json_line(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map(|s| s + "\n").map_err(|e| e.to_string())
}

fn erlang(args: &ErlangArgs) -> Result<String, String> {
    let answer = if let Some(blocking) = args.blocking {
        if args.load.model != ModelArg::ErlangB {
            return Err("--blocking applies to Erlang B only".into());
        }
        staffing::lines_at_blocking(args.agents, blocking)?
    } else {
        let question = question_of(&args.load, args.target_seconds)?;
        staffing::evaluate(&question, args.agents)?
    };
    if args.load.json { json_line(&answer) } else { Ok(staffing::render_evaluation(&answer)) }
}

fn staff(args: &StaffArgs) -> Result<String, String> {
    let goal = match (args.service_level, args.target_seconds) {
        (Some(fraction), Some(within)) => {
            Some(ServiceGoal::new(fraction, within).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let targets = Targets {
        service_level: goal,
        max_asa_seconds: args.max_asa,
        max_p_wait: args.max_p_wait,
        max_p_abandon: args.max_abandon,
        max_occupancy: args.max_occupancy,
        max_blocking: args.max_blocking,
    };
    let Some(path) = &args.forecast else {
        let question = question_of(&args.load, args.target_seconds)?;
        let answer = staffing::staff(&question, &targets, args.shrinkage)?;
        return if args.load.json {
            json_line(&answer)
        } else {
            Ok(staffing::render_staffing(&answer, &targets))
        };
    };
    let model = model_of(&args.load)?;
    let input = read_input(path)?;
    let text =
        String::from_utf8(input).map_err(|_| format!("{} is not UTF-8 text", path.display()))?;
    let intervals =
        staffing::parse_forecast(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let minutes = args.interval_minutes.unwrap_or_else(|| staffing::interval_minutes(&intervals));
    let plan = staffing::plan(model, &intervals, minutes, &targets, args.shrinkage)?;
    if args.load.json {
        json_line(&plan)
    } else if args.csv {
        Ok(staffing::render_plan_csv(&plan))
    } else {
        Ok(staffing::render_plan(&plan, model))
    }
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// The queue_log: the classic text file or a realtime (database) export; `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    queue_log: PathBuf,
    /// Row length: 15m, 30m, 1h or 1d.
    #[arg(long, default_value = "15m", value_parser = parse_period)]
    interval: RowPeriod,
    /// Service-level threshold T in seconds [default: 20].
    #[arg(long, value_name = "N", conflicts_with = "sl_rings")]
    sl_seconds: Option<u32>,
    /// Service-level threshold T in rings ("answered by the third ring": 3).
    #[arg(long, value_name = "N")]
    sl_rings: Option<u32>,
    /// Length of one ring cycle in seconds, for --sl-rings (North America: 6, UK: 3).
    #[arg(long, value_name = "SECONDS", default_value_t = 6.0, value_parser = parse_cadence, requires = "sl_rings")]
    ring_cadence: f64,
    /// Callers who hang up sooner than this are short abandons, left out of every net figure.
    #[arg(long, value_name = "N", default_value_t = 0)]
    short_abandon_seconds: u32,
    /// The site's standard UTC offset, ±HH:MM.
    #[arg(long, value_name = "±HH:MM", default_value = "+00:00", allow_hyphen_values = true, value_parser = parse_utc_offset)]
    utc_offset: UtcOffset,
    /// Daylight-saving rule of the site.
    #[arg(long, value_enum, default_value_t = Dst::None)]
    dst: Dst,
    /// Count each call in the interval it entered the queue, or the one it left it.
    #[arg(long, value_enum, default_value_t = CountAt::Entry)]
    attribution: CountAt,
    /// Print JSON (the contract in docs/report-json.md) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Dst {
    /// United States rule (second Sunday of March to first Sunday of November).
    Us,
    /// European Union rule (last Sunday of March to last Sunday of October).
    Eu,
    /// No daylight saving.
    None,
}

impl Dst {
    /// The name the report's settings print.
    const fn name(self) -> &'static str {
        match self {
            Self::Us => "us",
            Self::Eu => "eu",
            Self::None => "none",
        }
    }

    /// The site calendar for this rule and a standard offset.
    fn calendar(self, offset: UtcOffset) -> Result<SiteCalendar, String> {
        let rule = match self {
            Self::Us => DstRule::UnitedStates,
            Self::Eu => DstRule::EuropeanUnion,
            Self::None => DstRule::None,
        };
        SiteCalendar::new(offset, rule).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CountAt {
    /// The interval the call entered the queue in.
    Entry,
    /// The interval the call left the queue in.
    Exit,
}

fn parse_period(s: &str) -> Result<RowPeriod, String> {
    match s {
        "15m" | "15" => Ok(RowPeriod::Minutes(15)),
        "30m" | "30" => Ok(RowPeriod::Minutes(30)),
        "1h" | "60m" | "60" => Ok(RowPeriod::Minutes(60)),
        "1d" | "day" => Ok(RowPeriod::Day),
        _ => Err("expected 15m, 30m, 1h or 1d".into()),
    }
}

fn parse_cadence(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 60.0 => Ok(v),
        _ => Err("expected a ring cycle in seconds, above 0 and at most 60".into()),
    }
}

fn read_input(path: &PathBuf) -> Result<Vec<u8>, String> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read stdin: {e}"))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }
}

fn report(args: &ReportArgs) -> Result<String, String> {
    let calendar = args.dst.calendar(args.utc_offset)?;
    let (threshold, threshold_text) = match (args.sl_seconds, args.sl_rings) {
        (_, Some(rings)) => {
            let cadence_ms = (args.ring_cadence * 1000.0).round() as u32;
            let text = format!("{rings} rings × {} s", args.ring_cadence);
            (ServiceLevelThreshold::Rings { rings, cadence_ms }, text)
        }
        (Some(seconds), None) => (ServiceLevelThreshold::Seconds(seconds), format!("{seconds} s")),
        (None, None) => (ServiceLevelThreshold::default(), "20 s".to_owned()),
    };
    let interval = match args.interval {
        RowPeriod::Minutes(15) => IntervalLength::Minutes15,
        RowPeriod::Minutes(30) => IntervalLength::Minutes30,
        _ => IntervalLength::Minutes60,
    };
    let attribution = match args.attribution {
        CountAt::Entry => Attribution::QueueEntry,
        CountAt::Exit => Attribution::QueueExit,
    };
    let buckets = WaitBuckets::DEFAULT;
    let config = CenterConfig {
        calendar,
        interval,
        attribution,
        wait_buckets: buckets,
        ..CenterConfig::default()
    };
    let queue_config = QueueConfig {
        service_level: threshold,
        short_abandon_ms: u64::from(args.short_abandon_seconds) * MILLIS_PER_SECOND,
    };

    let input = read_input(&args.queue_log)?;
    let parsed = queue_log::parse(&input, &calendar);
    if parsed.records.is_empty() {
        let mut message = format!("no queue_log events found in {}", args.queue_log.display());
        for w in parsed.warnings.iter().take(5) {
            message += &format!("\n  line {}: {}", w.line, w.message);
        }
        return Err(message);
    }
    let replayed =
        replay::replay_on_own_thread(parsed, config, queue_config).map_err(|e| e.to_string())?;
    let settings = Settings {
        interval: args.interval.label(),
        sl_threshold_seconds: threshold.millis() as f64 / 1000.0,
        sl_threshold: threshold_text,
        short_abandon_seconds: f64::from(args.short_abandon_seconds),
        utc_offset: args.utc_offset.to_string(),
        dst: args.dst.name().into(),
        attribution: match args.attribution {
            CountAt::Entry => "entry".into(),
            CountAt::Exit => "exit".into(),
        },
    };
    let report = report::build(&replayed, args.interval, settings, &calendar, &buckets);
    if args.json {
        report::render_json(&report)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| e.to_string())
    } else {
        Ok(report::render_text(&report, &calendar))
    }
}

/// The frame a command asks for: read from JSON, or built from a replayed log at a moment;
/// with the departments' agreements at its moment when asked for.
fn board_frame(source: &FrameSourceArgs) -> Result<BoardFrame, String> {
    let agreements = source.site.sla.agreements()?;
    let mut frame = frame_of(source)?;
    if let Some(agreements) = &agreements {
        if let Some(note) = callboard_examples::sla::rejected_note(&agreements.put_on(&mut frame)?)
        {
            eprintln!("callboard: {note}");
        }
    }
    Ok(frame)
}

fn frame_of(source: &FrameSourceArgs) -> Result<BoardFrame, String> {
    match (&source.frame, &source.queue_log, &source.at) {
        (Some(path), _, _) => {
            let input = read_input(path)?;
            serde_json::from_slice(&input)
                .map_err(|e| format!("{} is not a board frame: {e}", path.display()))
        }
        (None, Some(path), Some(at)) => {
            let site = &source.site;
            let calendar = site.dst.calendar(site.utc_offset)?;
            let moment = options::parse_local_instant(&calendar, at)?;
            let input = read_input(path)?;
            let parsed = queue_log::parse(&input, &calendar);
            if parsed.records.is_empty() {
                return Err(format!("no queue_log events found in {}", path.display()));
            }
            let config = CenterConfig { calendar, ..CenterConfig::default() };
            let queue_config = QueueConfig {
                service_level: ServiceLevelThreshold::Seconds(site.sl_seconds),
                ..QueueConfig::default()
            };
            let opening = board::opening_at(site.hours, site.closed, &calendar, moment);
            let settings = board::FrameSettings {
                ttl_s: site.ttl,
                announcement: site.announcement.clone(),
                opening,
                variant: ServiceLevelVariant::Answered,
            };
            let queues = site.queue.clone();
            replay::center_at(parsed, config, queue_config, moment, move |center, ids| {
                board::frame_from_center(center, ids, &queues, &settings)
            })
            .map_err(|e| e.to_string())?
        }
        _ => Err("give --frame FILE.json, or --queue-log FILE --at TIME --queue NAME".into()),
    }
}

fn board_encode(args: &BoardEncodeArgs) -> Result<String, String> {
    let frame = board_frame(&args.source)?;
    if args.json {
        json_line(&frame)
    } else {
        board::encode_hex(&frame, args.address, args.sequence)
    }
}

fn board_preview(args: &BoardPreviewArgs) -> Result<String, String> {
    let frame = board_frame(&args.source)?;
    let settings = BoardSettings { page_seconds: args.page_seconds, ..BoardSettings::DEFAULT };
    let scene = board::scene_after(&frame, args.after, &settings);
    let panel = board::PanelChoice::from(args.panel);
    let preview = board::preview(panel, &scene);
    preview.save_png(&args.out, args.scale)?;
    Ok(format!(
        "{}: {} shows {:?}, framebuffer CRC-32 {:08x}\n",
        args.out.display(),
        panel.name(),
        preview.screen,
        preview.framebuffer_crc
    ))
}

fn board_send(args: &BoardSendArgs) -> Result<String, String> {
    let site = &args.site;
    if site.queue.is_empty() {
        return Err("give the queues to show: --queue NAME=LABEL@80% (up to 8)".into());
    }
    if !(args.every.is_finite() && (0.1..=3600.0).contains(&args.every)) {
        return Err(format!("--every must be 0.1 to 3600 seconds, not {}", args.every));
    }
    let speed = args.speed.unwrap_or(1.0);
    if !(speed.is_finite() && speed > 0.0) {
        return Err(format!("--speed must be above 0, not {speed}"));
    }
    let calendar = site.dst.calendar(site.utc_offset)?;
    let link = match (&args.tcp, &args.serial) {
        (Some(to), _) => board_feed::Link::Tcp(to.clone()),
        (None, Some(path)) => board_feed::Link::Serial { path: path.clone(), baud: args.baud },
        (None, None) => return Err("give --tcp HOST:PORT or --serial DEVICE".into()),
    };
    let configure =
        (args.page_seconds.is_some() || args.brightness.is_some()).then(|| BoardSettings {
            brightness: args.brightness.unwrap_or(BoardSettings::DEFAULT.brightness),
            page_seconds: args.page_seconds.unwrap_or(BoardSettings::DEFAULT.page_seconds),
            ..BoardSettings::DEFAULT
        });
    // Whole milliseconds, 100 to 3,600,000 by the check above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let every_ms = (args.every * 1000.0).round() as u64;
    let agreements = site.sla.agreements()?.map(std::sync::Arc::new);
    let plan = board_feed::FeedPlan {
        agreements,
        link,
        address: args.address,
        first_sequence: args.sequence,
        queues: site.queue.clone(),
        calendar,
        ttl_s: site.ttl,
        announcement: site.announcement.clone(),
        variant: ServiceLevelVariant::Answered,
        hours: site.hours,
        closed: site.closed,
        every_ms,
        speed,
        configure,
    };
    let source = if args.follow {
        let input: Box<dyn std::io::BufRead + Send> = if args.queue_log.as_os_str() == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            let file = std::fs::File::open(&args.queue_log)
                .map_err(|e| format!("cannot read {}: {e}", args.queue_log.display()))?;
            Box::new(std::io::BufReader::new(file))
        };
        board_feed::FeedSource::Live(input)
    } else {
        let input = read_input(&args.queue_log)?;
        let parsed = queue_log::parse(&input, &calendar);
        if parsed.records.is_empty() {
            return Err(format!("no queue_log events found in {}", args.queue_log.display()));
        }
        let from =
            args.from.as_deref().map(|t| options::parse_local_instant(&calendar, t)).transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|t| options::parse_local_instant(&calendar, t))
            .transpose()?;
        board_feed::FeedSource::Replay { parsed, from, until }
    };
    let queue_config = QueueConfig {
        service_level: ServiceLevelThreshold::Seconds(site.sl_seconds),
        ..QueueConfig::default()
    };
    board_feed::feed(plan, source, queue_config)
}

/// A file's text (`-`: stdin), refused when it is not UTF-8.
fn utf8_input(path: &PathBuf) -> Result<String, String> {
    String::from_utf8(read_input(path)?).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

fn sla_report(args: &SlaReportArgs) -> Result<String, String> {
    use callboard_examples::sla;
    let policies_text = utf8_input(&args.policies)?;
    let policies = sla::parse_policies(&policies_text)
        .map_err(|e| format!("{}: {e}", args.policies.display()))?;
    let requests = utf8_input(&args.requests)?;
    let now = args
        .now
        .as_deref()
        .map(|text| options::parse_local_instant(policies.site(), text))
        .transpose()?;
    let (from, to, json) = (args.from, args.to, args.json);
    let path = args.requests.display().to_string();
    // The tracker is a few megabytes of fixed-capacity state: built on a roomy stack.
    std::thread::Builder::new()
        .name("sla".into())
        .stack_size(replay::REPLAY_STACK_BYTES)
        .spawn(move || {
            let report = sla::report(&policies, &requests, from, to, now)
                .map_err(|e| format!("{path}: {e}"))?;
            if let Some(first) = report.rejected.first() {
                eprintln!(
                    "callboard: {path}: {} rows not counted (first: {first})",
                    report.rejected.len()
                );
            }
            if json {
                sla::render_json(&report)
                    .map(|mut s| {
                        s.push('\n');
                        s
                    })
                    .map_err(|e| e.to_string())
            } else {
                Ok(sla::render_text(&report))
            }
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the SLA report thread panicked".to_owned())?
}

fn ewt_eval(args: &EwtEvalArgs) -> Result<String, String> {
    use callboard_examples::ewt_eval::{self, SimScenario};
    let calendar = SiteCalendar::new(args.utc_offset, DstRule::None).map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    if args.days > 0 {
        for scenario in SimScenario::ALL {
            results.push(ewt_eval::evaluate_simulated(scenario, args.days, args.seed, calendar)?);
        }
    }
    for path in &args.queue_log {
        let input = read_input(path)?;
        let parsed = queue_log::parse(&input, &calendar);
        if parsed.records.is_empty() {
            return Err(format!("no queue_log events found in {}", path.display()));
        }
        if let Some(first) = parsed.warnings.first() {
            eprintln!(
                "callboard: {}: {} lines not read (first: line {}: {}); `callboard report` lists them",
                path.display(),
                parsed.warnings.len(),
                first.line,
                first.message
            );
        }
        let name = path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        results.push(
            ewt_eval::evaluate_log(&name, parsed, calendar, None).map_err(|e| e.to_string())?,
        );
    }
    if results.is_empty() {
        return Err("nothing to evaluate: --days 0 and no --queue-log".into());
    }
    let table = ewt_eval::render(&results, args.markdown);
    if let Some(percent) = args.require_margin {
        let short: Vec<String> = results
            .iter()
            .filter(|r| 100.0 * r.margin.reduction < percent)
            .map(|r| format!("{} ({:.1} %)", r.name, 100.0 * r.margin.reduction))
            .collect();
        if !short.is_empty() {
            return Err(format!(
                "{table}the default estimator is not {percent} % better than Asterisk's on: {}",
                short.join(", ")
            ));
        }
    }
    Ok(table)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Report(args) => report(args),
        Command::Erlang(args) => erlang(args),
        Command::Staff(args) => staff(args),
        Command::Board(BoardCommand::Encode(args)) => board_encode(args),
        Command::Board(BoardCommand::Preview(args)) => board_preview(args),
        Command::Board(BoardCommand::Send(args)) => board_send(args),
        Command::EwtEval(args) => ewt_eval(args),
        Command::Sla(SlaCommand::Report(args)) => sla_report(args),
        Command::Demo(args) => demo(args),
    };
    match outcome {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("callboard: {message}");
            ExitCode::FAILURE
        }
    }
}
