//! `callboard staff`: the fewest agents meeting service targets, for one load or every
//! interval of a forecast.

use std::path::PathBuf;

use callboard_core::erlang::{ServiceGoal, Targets};

use super::erlang::{LoadArgs, model_of, question_of};
use super::json_line;
use crate::input::options::parse_share;
use crate::input::{forecast, read_input};
use crate::staffing;

#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct StaffArgs {
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

pub fn run(args: &StaffArgs) -> Result<String, String> {
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
        forecast::parse_forecast(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let minutes = args.interval_minutes.unwrap_or_else(|| forecast::interval_minutes(&intervals));
    let plan = staffing::plan(model, &intervals, minutes, &targets, args.shrinkage)?;
    if args.load.json {
        json_line(&plan)
    } else if args.csv {
        Ok(staffing::render_plan_csv(&plan))
    } else {
        Ok(staffing::render_plan(&plan, model))
    }
}
