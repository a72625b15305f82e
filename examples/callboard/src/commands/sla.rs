//! `callboard sla`: service agreements with the city's departments, business-calendar SLA
//! clocks on their service requests.

use std::path::PathBuf;

use clap::Subcommand;

use callboard_queue_log::local_time;
use callboard_queue_log::replay::REPLAY_STACK_BYTES;

use crate::input::utf8_input;
use crate::sla;

#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// Compliance per department and request type: service requests from a CSV against the
    /// agreements in a TOML file (formats: examples/callboard/src/input/requests.rs and
    /// policies.rs; samples in examples/data/sla-*).
    Report(SlaReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct SlaReportArgs {
    /// The service requests: id,type,department,opened,closed,pauses (local times).
    #[arg(long, value_name = "FILE.csv")]
    requests: PathBuf,
    /// The agreements: the site's clock, business calendars, a policy per request type.
    #[arg(long, value_name = "FILE.toml")]
    policies: PathBuf,
    /// First local day of the period (default: the first day in the file).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = local_time::parse_date)]
    from: Option<callboard_core::calendar::LocalDate>,
    /// Last local day of the period (default: the day of --now).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = local_time::parse_date)]
    to: Option<callboard_core::calendar::LocalDate>,
    /// When open requests are judged, local time (default: the last time in the file).
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    now: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn report(args: &SlaReportArgs) -> Result<String, String> {
    let policies_text = utf8_input(&args.policies)?;
    let policies = crate::input::policies::parse_policies(&policies_text)
        .map_err(|e| format!("{}: {e}", args.policies.display()))?;
    let requests = utf8_input(&args.requests)?;
    let now = args
        .now
        .as_deref()
        .map(|text| local_time::parse_local_instant(policies.site(), text))
        .transpose()?;
    let (from, to, json) = (args.from, args.to, args.json);
    let path = args.requests.display().to_string();
    // The tracker is a few megabytes of fixed-capacity state: built on a roomy stack.
    std::thread::Builder::new()
        .name("sla".into())
        .stack_size(REPLAY_STACK_BYTES)
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

/// Runs an `sla` subcommand.
pub fn run(command: &SlaCommand) -> Result<String, String> {
    match command {
        SlaCommand::Report(args) => report(args),
    }
}
