//! `callboard`: the command integrators run.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use callboard_core::calendar::{
    DstRule, IntervalLength, MILLIS_PER_SECOND, SiteCalendar, UtcOffset,
};
use callboard_core::center::Attribution;
use callboard_core::interval::WaitBuckets;
use callboard_core::service_level::ServiceLevelThreshold;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_examples::options::parse_utc_offset;
use callboard_examples::report::{self, RowPeriod, Settings};
use callboard_examples::{queue_log, replay};
use clap::{Parser, Subcommand, ValueEnum};

/// Contact-center figures computed one way everywhere: reports from ACD logs.
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
    let (dst_rule, dst_name) = match args.dst {
        Dst::Us => (DstRule::UnitedStates, "us"),
        Dst::Eu => (DstRule::EuropeanUnion, "eu"),
        Dst::None => (DstRule::None, "none"),
    };
    let calendar = SiteCalendar::new(args.utc_offset, dst_rule).map_err(|e| e.to_string())?;
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
        dst: dst_name.into(),
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Report(args) => report(args),
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
