//! `callboard erlang`: a queueing model's figures at a number of agents (or lines).

use callboard_core::erlang::Model;
use callboard_core::erlang::Workload;
use clap::ValueEnum;

use super::json_line;
use crate::input::options::parse_share;
use crate::staffing::{self, Question};

#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct ErlangArgs {
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

pub fn run(args: &ErlangArgs) -> Result<String, String> {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModelArg {
    /// Lost calls cleared: lines, trunks, ports.
    ErlangB,
    /// Callers wait until answered.
    ErlangC,
    /// Callers wait, and abandon after an exponential patience (needs --patience).
    ErlangA,
}

#[derive(Debug, clap::Args)]
pub(crate) struct LoadArgs {
    /// The queueing model.
    #[arg(long, value_enum)]
    pub(crate) model: ModelArg,
    /// Calls offered per hour (with --aht).
    #[arg(long, value_name = "X", requires = "aht", conflicts_with = "traffic")]
    pub(crate) calls_per_hour: Option<f64>,
    /// Average handle time in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) aht: Option<f64>,
    /// Offered traffic in erlangs, instead of --calls-per-hour (times need --aht too).
    #[arg(long, value_name = "ERLANGS")]
    pub(crate) traffic: Option<f64>,
    /// Callers' average patience in seconds (Erlang A).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) patience: Option<f64>,
    /// Print JSON (the contract in docs/staffing-json.md) instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) fn model_of(load: &LoadArgs) -> Result<Model, String> {
    match (load.model, load.patience) {
        (ModelArg::ErlangA, Some(patience_seconds)) => Ok(Model::ErlangA { patience_seconds }),
        (ModelArg::ErlangA, None) => Err("Erlang A needs --patience SECONDS".into()),
        (_, Some(_)) => Err("--patience applies to Erlang A only".into()),
        (ModelArg::ErlangB, None) => Ok(Model::ErlangB),
        (ModelArg::ErlangC, None) => Ok(Model::ErlangC),
    }
}

pub(crate) fn question_of(
    load: &LoadArgs,
    target_seconds: Option<f64>,
) -> Result<Question, String> {
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
