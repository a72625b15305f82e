//! `callboard board`: reader-board frames from a replayed log or a JSON file, their bytes on
//! the line (`PROTOCOL.md`), pictures of what each panel shows, and a board fed over its line.

use std::path::PathBuf;

use callboard_core::alpha::layout::{PROFILES, SignProfile};
use callboard_core::board::BoardFrame;
use callboard_core::calendar::UtcOffset;
use callboard_core::service_level::{ServiceLevelThreshold, ServiceLevelVariant};
use callboard_core::wire::{BoardSettings, Key};
use callboard_core::{CenterConfig, QueueConfig};
use callboard_floor::picture as preview;
use callboard_floor::{feed, frame};
use callboard_queue_log::follow::Follower;
use callboard_queue_log::local_time::{self, parse_utc_offset};
use callboard_queue_log::{self as queue_log, replay};
use clap::{Subcommand, ValueEnum};

use super::json_line;

use crate::input::options::Dst;
use crate::input::surveys::SurveyArgs;
use crate::input::{read_input, utf8_input};
use callboard_agreements::board as sla;

#[derive(Debug, Subcommand)]
pub enum BoardCommand {
    /// A board frame's bytes for an address: from a replayed queue_log at a moment, or a JSON
    /// frame.
    Encode(BoardEncodeArgs),
    /// A PNG of what a panel shows for a frame: from a replayed queue_log at a moment, or a
    /// JSON frame.
    Preview(BoardPreviewArgs),
    /// Feed a board its frames over a serial line or TCP, at a steady rate: a queue_log
    /// replayed, or followed live as the switch writes it.
    Send(BoardSendArgs),
    /// Ask a board whether it is there: a callboard board answers a ping with its status, an
    /// Alpha or Spectrum sign (--protocol alpha) a memory-configuration read with its files.
    Check(BoardCheckArgs),
    /// Make a key for a board that requires authenticated frames: 32 random bytes as 64 hex
    /// digits in a new file only its owner can read. Build the board with it
    /// (CALLBOARD_BOARD_KEY=$(cat FILE)) and give the host the file (--key, a site file's key).
    Keygen(BoardKeygenArgs),
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
pub struct BoardSiteArgs {
    /// A queue to show, in order: NAME, NAME=LABEL or NAME=LABEL@80% (up to 8).
    #[arg(long, value_name = "NAME=LABEL@T%", value_parser = frame::parse_queue_choice)]
    queue: Vec<frame::QueueChoice>,
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
    #[arg(long, value_name = "HH:MM-HH:MM", value_parser = frame::parse_opening_hours)]
    hours: Option<frame::OpeningHours>,
    /// The center is closed now (whatever --hours says).
    #[arg(long)]
    closed: bool,
    #[command(flatten)]
    sla: BoardSlaArgs,
    #[command(flatten)]
    surveys: SurveyArgs,
}

/// Service agreements on the board: compliance per department from `callboard sla report`'s
/// files, judged at each frame's moment.
#[derive(Debug, clap::Args)]
pub struct BoardSlaArgs {
    /// The service requests (as for `sla report`): puts the departments' agreements on the
    /// board's ticker.
    #[arg(long, value_name = "FILE.csv", requires = "sla_policies")]
    sla_requests: Option<PathBuf>,
    /// The agreements (as for `sla report`).
    #[arg(long, value_name = "FILE.toml", requires = "sla_requests")]
    sla_policies: Option<PathBuf>,
    /// A department to show, in order: NAME, NAME=LABEL or NAME=LABEL@90% (the compliance
    /// goal; 90 % by default). Every department in the file when not given (up to 8).
    #[arg(long, value_name = "NAME=LABEL@G%", requires = "sla_requests", value_parser = sla::parse_board_choice)]
    sla: Vec<sla::BoardChoice>,
    /// Compliance over this many days, ending on the frame's day.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=i64::from(sla::MAX_BOARD_DAYS)))]
    sla_days: u32,
}

impl BoardSlaArgs {
    /// The agreements to put on frames, if asked for.
    fn agreements(&self) -> Result<Option<sla::BoardAgreements>, String> {
        let (Some(requests), Some(policies)) = (&self.sla_requests, &self.sla_policies) else {
            return Ok(None);
        };
        let policies_text = utf8_input(policies)?;
        let parsed = callboard_agreements::policies::parse_policies(&policies_text)
            .map_err(|e| format!("{}: {e}", policies.display()))?;
        let requests_text = utf8_input(requests)?;
        sla::BoardAgreements::new(parsed, requests_text, self.sla.clone(), self.sla_days).map(Some)
    }
}

/// Which protocol a board speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProtocolArg {
    /// callboard's own boards: display frames, acknowledged.
    Callboard,
    /// The Alpha Sign Communications Protocol of the LED signs a center already owns (Alpha,
    /// BetaBrite): TEXT and STRING files, only what changed after the first frame.
    Alpha,
}

/// The protocol, and with Alpha the kind of sign.
#[derive(Debug, clap::Args)]
struct ProtocolArgs {
    /// The board's protocol.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Callboard)]
    protocol: ProtocolArg,
    /// With --protocol alpha, the kind of sign: one-line (16 characters), two-line (20 a
    /// line, red/green/amber) or two-line-red (one colour); spectrum-one-line and
    /// spectrum-two-line for Spectrum signs (their framing, 7E2).
    #[arg(long, value_name = "KIND", default_value = "two-line", value_parser = parse_sign)]
    sign: SignProfile,
}

impl ProtocolArgs {
    /// The sign's kind when the protocol is Alpha.
    fn alpha(&self) -> Option<SignProfile> {
        (self.protocol == ProtocolArg::Alpha).then_some(self.sign)
    }
}

fn parse_sign(text: &str) -> Result<SignProfile, String> {
    SignProfile::named(text).ok_or_else(|| {
        let names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
        format!("expected one of {}, not {text:?}", names.join(", "))
    })
}

#[derive(Debug, clap::Args)]
pub struct BoardEncodeArgs {
    /// The board's address, 1–254, or 255 for every board (a sign's, 1–255: hex 01–FF).
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
    #[command(flatten)]
    protocol: ProtocolArgs,
}

/// Where the board is: a socket or a serial line.
#[derive(Debug, clap::Args)]
struct LineArgs {
    /// The board (or serial-to-Ethernet converter) at HOST:PORT.
    #[arg(
        long,
        value_name = "HOST:PORT",
        required_unless_present = "serial",
        conflicts_with = "serial"
    )]
    tcp: Option<String>,
    /// The serial device of the board's line, e.g. /dev/ttyUSB0 (8N1, 7E1 or 7E2 for signs;
    /// no flow control).
    #[arg(long, value_name = "DEVICE")]
    serial: Option<String>,
    /// The serial line's speed: 115200 (8N1) for callboard boards, 9600 (7E1; 7E2 for
    /// Spectrum signs) for signs unless given.
    #[arg(long, value_name = "BAUD", requires = "serial")]
    baud: Option<u32>,
}

impl LineArgs {
    /// The link to a board, or to a sign of kind `sign`.
    fn link(&self, sign: Option<&SignProfile>) -> Result<feed::Link, String> {
        match (&self.tcp, &self.serial) {
            (Some(to), _) => Ok(feed::Link::Tcp(to.clone())),
            (None, Some(path)) => {
                let baud = self.baud.unwrap_or(if sign.is_some() { 9_600 } else { 115_200 });
                Ok(feed::Link::Serial { path: path.clone(), baud })
            }
            (None, None) => Err("give --tcp HOST:PORT or --serial DEVICE".into()),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BoardCheckArgs {
    /// The board's address, 1–254 (a sign's, 1–255).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=255))]
    address: u8,
    #[command(flatten)]
    line: LineArgs,
    #[command(flatten)]
    protocol: ProtocolArgs,
    #[command(flatten)]
    key: KeyArgs,
    /// How long to wait for the answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2_000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    timeout_ms: u64,
}

/// The key of a board that requires authenticated frames.
#[derive(Debug, clap::Args)]
struct KeyArgs {
    /// The key file of a board that requires authenticated frames (`board keygen` makes one;
    /// the board is built with the same key): frames are sealed for the board's session, and
    /// `check` asks its session, last counter and refusals.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
}

impl KeyArgs {
    /// The key, read from its file (refused when others can read it), for a board, not a sign.
    fn read(&self, sign: Option<&SignProfile>) -> Result<Option<Key>, String> {
        match (&self.key, sign) {
            (None, _) => Ok(None),
            (Some(_), Some(_)) => {
                Err("Alpha signs take no authentication: --key is for callboard boards".into())
            }
            (Some(file), None) => callboard_floor::keys::read_key_file(file).map(Some),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BoardKeygenArgs {
    /// The key file to create (never overwritten).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct BoardSendArgs {
    /// The board's address, 1–254, or 255 for every board on the line (a sign's, 1–255:
    /// hex 01–FF).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=255))]
    address: u8,
    /// The first frame's sequence number.
    #[arg(long, value_name = "N", default_value_t = 0)]
    sequence: u16,
    #[command(flatten)]
    line: LineArgs,
    #[command(flatten)]
    protocol: ProtocolArgs,
    #[command(flatten)]
    key: KeyArgs,
    /// The queue_log: replayed, or with --follow read as the switch writes it (`-`: stdin).
    #[arg(long, value_name = "FILE")]
    queue_log: PathBuf,
    /// Follow the log live: a frame every --every seconds of the wall clock, with the events
    /// read so far. Standard input (`-`) until it ends; a file by its path, as `tail -F` does
    /// (through logrotate's rename and copytruncate, waiting for a file not there yet), until
    /// SIGTERM or Ctrl-C.
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
pub(crate) enum PanelArg {
    /// 64 × 32 RGB LED matrix (HUB75), one queue a page.
    #[value(name = "hub75-64x32")]
    Hub75,
    /// 160 × 32 red/green/amber reader board, two queues a page.
    #[value(name = "tricolour-160x32")]
    TriColour,
}

impl From<PanelArg> for preview::PanelChoice {
    fn from(panel: PanelArg) -> Self {
        match panel {
            PanelArg::Hub75 => Self::Hub75Rgb64x32,
            PanelArg::TriColour => Self::TriColour160x32,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BoardPreviewArgs {
    /// The panel (callboard boards).
    #[arg(long, value_enum)]
    panel: Option<PanelArg>,
    #[command(flatten)]
    protocol: ProtocolArgs,
    /// With --protocol alpha, the sign's screen to draw, from 1.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    page: u32,
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

/// The frame a command asks for: read from JSON, or built from a replayed log at a moment;
/// with the departments' agreements at its moment when asked for.
fn board_frame(source: &FrameSourceArgs) -> Result<BoardFrame, String> {
    let agreements = source.site.sla.agreements()?;
    let mut frame = frame_of(source)?;
    if let Some(agreements) = &agreements {
        if let Some(note) = sla::rejected_note(&agreements.put_on(&mut frame)?) {
            crate::input::say(&note);
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
            let moment = local_time::parse_local_instant(&calendar, at)?;
            let input = read_input(path)?;
            let mut parsed = queue_log::parse(&input, &calendar);
            crate::input::warn_unread(path, &parsed);
            site.surveys.load(&mut parsed, &calendar)?;
            if parsed.records.is_empty() {
                return Err(format!("no queue_log events found in {}", path.display()));
            }
            let config =
                CenterConfig { calendar, csat: site.surveys.config(), ..CenterConfig::default() };
            let queue_config = QueueConfig {
                service_level: ServiceLevelThreshold::Seconds(site.sl_seconds),
                ..QueueConfig::default()
            };
            let opening = frame::opening_at(site.hours, site.closed, &calendar, moment);
            let settings = frame::FrameSettings {
                ttl_s: site.ttl,
                announcement: site.announcement.clone(),
                opening,
                variant: ServiceLevelVariant::Answered,
                thresholds: callboard_core::board::AlertThresholds::DEFAULT,
            };
            let queues = site.queue.clone();
            replay::center_at(parsed, config, queue_config, moment, move |center, ids| {
                frame::frame_from_center(center, ids, &queues, &settings)
            })
            .map_err(|e| e.to_string())?
        }
        _ => Err("give --frame FILE.json, or --queue-log FILE --at TIME --queue NAME".into()),
    }
}

fn encode(args: &BoardEncodeArgs) -> Result<String, String> {
    let frame = board_frame(&args.source)?;
    if args.json {
        json_line(&frame)
    } else if let Some(sign) = args.protocol.alpha() {
        callboard_floor::alpha::encode_hex(&frame, sign, args.address)
    } else {
        frame::encode_hex(&frame, args.address, args.sequence)
    }
}

fn preview(args: &BoardPreviewArgs) -> Result<String, String> {
    let frame = board_frame(&args.source)?;
    if let Some(sign) = args.protocol.alpha() {
        return preview_sign(&frame, sign, args);
    }
    let Some(panel) = args.panel else {
        return Err("give --panel tricolour-160x32 or hub75-64x32 (or --protocol alpha)".into());
    };
    let settings = BoardSettings { page_seconds: args.page_seconds, ..BoardSettings::DEFAULT };
    let scene = preview::scene_after(&frame, args.after, &settings);
    let panel = preview::PanelChoice::from(panel);
    let preview = preview::preview(panel, &scene);
    preview.save_png(&args.out, args.scale)?;
    Ok(format!(
        "{}: {} shows {:?}, framebuffer CRC-32 {:08x}\n",
        args.out.display(),
        panel.name(),
        preview.screen,
        preview.framebuffer_crc
    ))
}

/// The screen of an Alpha sign sent `frame`, as a PNG.
fn preview_sign(
    frame: &BoardFrame,
    sign: SignProfile,
    args: &BoardPreviewArgs,
) -> Result<String, String> {
    let screens = callboard_floor::alpha::screens(frame, sign)?;
    let index = usize::try_from(args.page - 1).unwrap_or(usize::MAX);
    let screen = screens.get(index).ok_or_else(|| {
        format!("the {} sign shows {} screens, not {}", sign.name, screens.len(), args.page)
    })?;
    callboard_floor::alpha::draw(screen, sign)
        .to_rgb_output_image(&callboard_floor::alpha::output_settings(args.scale))
        .save_png(&args.out)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let lines: Vec<String> =
        screen.iter().map(|line| format!("{:?}", line.text.as_str())).collect();
    Ok(format!(
        "{}: the {} Alpha sign's screen {} of {}: {}\n",
        args.out.display(),
        sign.name,
        args.page,
        screens.len(),
        lines.join(" / ")
    ))
}

fn keygen(args: &BoardKeygenArgs) -> Result<String, String> {
    use callboard_floor::keys::{new_key, write_key_file};
    write_key_file(&args.out, &new_key()?)?;
    Ok(format!(
        "wrote a new key to {} (readable by its owner only); build the board with \
         CALLBOARD_BOARD_KEY=\"$(cat {})\" and give the host --key {}\n",
        args.out.display(),
        args.out.display(),
        args.out.display()
    ))
}

fn check(args: &BoardCheckArgs) -> Result<String, String> {
    use callboard_floor::check::{Answer, check, check_secured};
    use std::fmt::Write as _;
    let sign = args.protocol.alpha();
    let link = args.line.link(sign.as_ref())?;
    let patience = std::time::Duration::from_millis(args.timeout_ms);
    let mut text = String::new();
    let answer = match args.key.read(sign.as_ref())? {
        Some(key) => check_secured(&link, args.address, &key, patience)?,
        None => check(&link, args.address, sign.as_ref(), patience)?,
    };
    match answer {
        Answer::Secured { session, last_counter, counts } => {
            let _ = writeln!(
                text,
                "board {} on {link}: authentic; session {session}, last counter {last_counter}; \
                 refused {} unauthenticated, {} forged, {} replayed, {} for another session",
                args.address,
                counts.unauthenticated,
                counts.forged,
                counts.replayed,
                counts.other_session
            );
        }
        Answer::Board { uptime_s, counts, shown_sequence } => {
            let _ = writeln!(
                text,
                "board {} on {link}: up {uptime_s} s; frames accepted {}, discarded {}; {}",
                args.address,
                counts.accepted,
                counts.discarded(),
                shown_sequence
                    .map_or_else(|| "no frame shown".to_owned(), |s| format!("showing frame {s}")),
            );
        }
        Answer::Sign(files) => {
            let _ = writeln!(
                text,
                "sign {:02X} on {link}: {} file{}",
                args.address,
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            );
            for file in files {
                let _ = writeln!(
                    text,
                    "  {} {} {} bytes",
                    char::from(file.label),
                    if file.text { "TEXT" } else { "STRING" },
                    file.size
                );
            }
        }
    }
    Ok(text)
}

fn send(args: &BoardSendArgs) -> Result<String, String> {
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
    let sign = args.protocol.alpha();
    if sign.is_some() && (args.page_seconds.is_some() || args.brightness.is_some()) {
        return Err("--page-seconds and --brightness are callboard boards' settings; an Alpha \
                    sign keeps its own"
            .into());
    }
    let link = args.line.link(sign.as_ref())?;
    let key = args.key.read(sign.as_ref())?;
    let configure =
        (args.page_seconds.is_some() || args.brightness.is_some()).then(|| BoardSettings {
            brightness: args.brightness.unwrap_or(BoardSettings::DEFAULT.brightness),
            page_seconds: args.page_seconds.unwrap_or(BoardSettings::DEFAULT.page_seconds),
            ..BoardSettings::DEFAULT
        });
    // Whole milliseconds, 100 to 3,600,000 by the check above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let every_ms = (args.every * 1000.0).round() as u64;
    let agreements = site
        .sla
        .agreements()?
        .map(|a| std::sync::Arc::new(a) as std::sync::Arc<dyn feed::FrameAddition>);
    let plan = feed::FeedPlan {
        agreements,
        link,
        address: args.address,
        first_sequence: args.sequence,
        queues: site.queue.clone(),
        calendar,
        csat: site.surveys.config(),
        survey_verb: site.surveys.verb().to_owned(),
        ttl_s: site.ttl,
        announcement: site.announcement.clone(),
        variant: ServiceLevelVariant::Answered,
        hours: site.hours,
        closed: site.closed,
        every_ms,
        speed,
        configure,
        sign,
        key,
    };
    if args.follow && site.surveys.has_file() {
        return Err("--surveys is read with a replayed log; a followed log's survey lines count \
                    (--survey-verb), and a survey file followed live is `callboard serve`'s"
            .into());
    }
    let source = if args.follow && args.queue_log.as_os_str() == "-" {
        feed::FeedSource::Live(Box::new(std::io::BufReader::new(std::io::stdin())))
    } else if args.follow {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
            .map_err(|e| format!("cannot catch SIGTERM and Ctrl-C: {e}"))?;
        let follower = Follower::new(&args.queue_log, None);
        feed::FeedSource::Follow { follower, stop }
    } else {
        let input = read_input(&args.queue_log)?;
        let mut parsed = queue_log::parse(&input, &calendar);
        crate::input::warn_unread(&args.queue_log, &parsed);
        site.surveys.load(&mut parsed, &calendar)?;
        if parsed.records.is_empty() {
            return Err(format!("no queue_log events found in {}", args.queue_log.display()));
        }
        let from = args
            .from
            .as_deref()
            .map(|t| local_time::parse_local_instant(&calendar, t))
            .transpose()?;
        let until = args
            .until
            .as_deref()
            .map(|t| local_time::parse_local_instant(&calendar, t))
            .transpose()?;
        feed::FeedSource::Replay { parsed, from, until }
    };
    let queue_config = QueueConfig {
        service_level: ServiceLevelThreshold::Seconds(site.sl_seconds),
        ..QueueConfig::default()
    };
    feed::feed(plan, source, queue_config)
}

/// Runs a `board` subcommand.
pub fn run(command: &BoardCommand) -> Result<String, String> {
    match command {
        BoardCommand::Encode(args) => encode(args),
        BoardCommand::Preview(args) => preview(args),
        BoardCommand::Send(args) => send(args),
        BoardCommand::Check(args) => check(args),
        BoardCommand::Keygen(args) => keygen(args),
    }
}
