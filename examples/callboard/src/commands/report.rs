//! `callboard report`: an Asterisk queue_log replayed into an interval report per queue.

use std::path::PathBuf;

use callboard_core::calendar::{IntervalLength, MILLIS_PER_SECOND, UtcOffset};
use callboard_core::center::Attribution;
use callboard_core::interval::WaitBuckets;
use callboard_core::service_level::ServiceLevelThreshold;
use callboard_core::{CenterConfig, QueueConfig};
use callboard_queue_log::local_time::parse_utc_offset;
use callboard_queue_log::replay::Settled;
use clap::ValueEnum;

use crate::input::log::{Replay, replay_log};
use crate::input::options::Dst;
use crate::input::surveys::SurveyArgs;
use crate::input::table::TableArgs;
use crate::report::{self, RowPeriod, Settings};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The queue_log: the classic text file or a realtime (database) export; `-` reads stdin.
    #[arg(long, value_name = "FILE", required_unless_present = "table")]
    queue_log: Option<PathBuf>,
    #[command(flatten)]
    table: TableArgs,
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
    #[command(flatten)]
    surveys: SurveyArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CountAt {
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

pub fn run(args: &ReportArgs) -> Result<String, String> {
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
        csat: args.surveys.config(),
        ..CenterConfig::default()
    };
    let queue_config = QueueConfig {
        service_level: threshold,
        short_abandon_ms: u64::from(args.short_abandon_seconds) * MILLIS_PER_SECOND,
    };

    // Rows of days need no settled interval: let go, memory stays flat however long the log.
    let settled = match args.interval {
        RowPeriod::Day => Settled::Drop,
        RowPeriod::Minutes(_) => Settled::Keep,
    };
    let how = Replay { calendar: &calendar, surveys: &args.surveys, config, queue_config, settled };
    let replayed = match (&args.table.table, &args.queue_log) {
        (Some(_), _) => args.table.replay(&how)?.ok_or("give --queue-log FILE or --table NAME")?,
        (None, Some(path)) => replay_log(path, &how)?,
        (None, None) => return Err("give --queue-log FILE or --table NAME".into()),
    };
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
