//! `callboard sla`: service agreements with the city's departments, business-calendar SLA
//! clocks on their service requests.

use std::path::PathBuf;

use clap::Subcommand;

use callboard_agreements::report as sla;
use callboard_queue_log::local_time;

use crate::input::utf8_input;

#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// Compliance per department and request type: service requests from a CSV against the
    /// agreements in a TOML file (formats: examples/agreements/src/requests.rs and
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
    let policies = callboard_agreements::policies::parse_policies(&policies_text)
        .map_err(|e| format!("{}: {e}", args.policies.display()))?;
    let requests = utf8_input(&args.requests)?;
    let now = args
        .now
        .as_deref()
        .map(|text| local_time::parse_local_instant(policies.site(), text))
        .transpose()?;
    let report = sla::report(&policies, &requests, args.from, args.to, now)
        .map_err(|e| format!("{}: {e}", args.requests.display()))?;
    if let Some(first) = report.rejected.first() {
        crate::input::say(&format!(
            "{}: {} rows not counted (first: {first})",
            args.requests.display(),
            report.rejected.len()
        ));
    }
    if args.json {
        sla::render_json(&report).map(|s| s + "\n").map_err(|e| e.to_string())
    } else {
        Ok(sla::render_text(&report))
    }
}

/// Runs an `sla` subcommand.
pub fn run(command: &SlaCommand) -> Result<String, String> {
    match command {
        SlaCommand::Report(args) => report(args),
    }
}
