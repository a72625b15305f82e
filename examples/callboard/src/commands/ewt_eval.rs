//! `callboard ewt-eval`: how right each expected-wait estimator is, every caller's estimate at
//! arrival against the wait that followed, on simulated days and real logs.

use std::path::{Path, PathBuf};

use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};
use callboard_queue_log::local_time::parse_utc_offset;
use callboard_queue_log::{self as queue_log};
use callboard_sim::ewt_eval::{self, SimScenario};

use crate::input::log::open_stream;
use crate::input::read_input;

#[derive(Debug, clap::Args)]
pub struct EwtEvalArgs {
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

pub fn run(args: &EwtEvalArgs) -> Result<String, String> {
    let calendar = SiteCalendar::new(args.utc_offset, DstRule::None).map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    if args.days > 0 {
        for scenario in SimScenario::ALL {
            results.push(ewt_eval::evaluate_simulated(scenario, args.days, args.seed, calendar)?);
        }
    }
    for path in &args.queue_log {
        let name = path
            .file_name()
            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        results.push(evaluate_file(path, &name, calendar)?);
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

/// The log at `path` (`-`: standard input) scored as it streams by, as `report` reads it
/// ([`crate::input::log`]): read again whole only if a file has lines further out of time order
/// than the stream's window.
fn evaluate_file(
    path: &Path,
    name: &str,
    calendar: SiteCalendar,
) -> Result<ewt_eval::ScenarioResult, String> {
    let ahead = open_stream(path, &calendar)?;
    let (result, ahead) =
        ewt_eval::evaluate_records(name, ahead, calendar).map_err(|e| e.to_string())?;
    let ended = ahead.end().map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if ended.overflowed.is_some() {
        let parsed = queue_log::parse(&read_input(path)?, &calendar);
        crate::input::warn_unread(path, &parsed);
        return ewt_eval::evaluate_log(name, parsed, calendar, None).map_err(|e| e.to_string());
    }
    if ended.records == 0 {
        return Err(format!("no queue_log events found in {}", path.display()));
    }
    crate::input::warn_unread(path, &ended.read);
    Ok(result)
}
