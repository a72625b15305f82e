//! `callboard serve`: one live service for a whole floor of reader boards (`callboard-serve`):
//! the log followed, every board on every line fed, the state kept across restarts.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::input::utf8_input;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The site file: clock, hours, source, CSAT, queues, lines, boards, state directory (every
    /// key is documented in examples/data/serve-311.toml).
    #[arg(long, value_name = "FILE.toml")]
    config: PathBuf,
    /// Check the file and say what would run, without running it (exit 1, naming the line
    /// and key, when something is wrong).
    #[arg(long)]
    check: bool,
}

pub fn run(args: &ServeArgs) -> Result<String, String> {
    let text = utf8_input(&args.config)?;
    let config =
        callboard_serve::parse(&text).map_err(|e| format!("{}: {e}", args.config.display()))?;
    if args.check {
        if let Some(agreements) = &config.agreements {
            callboard_serve::agreements::read_policies(&agreements.policies, &config.calendar)
                .map_err(|e| format!("{}: agreements: {e}", args.config.display()))?;
        }
        return Ok(describe(&config));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot catch SIGTERM and Ctrl-C: {e}"))?;
    callboard_serve::run(config, stop)
}

/// What the file says would run.
fn describe(config: &callboard_serve::Config) -> String {
    let mut out = format!(
        "ok: {} queues, {} lines, {} boards; following {}{}; state in {}\n",
        config.queues.len(),
        config.lines.len(),
        config.boards.len(),
        config.source.describe(),
        config.surveys.as_ref().map_or_else(String::new, |s| format!(" and {}", s.display())),
        config.state_dir.display()
    );
    if let Some(fleet) = &config.fleet {
        out += &format!(
            "publishing to the broker {}:{} as site {} (docs/fleet.md)\n",
            fleet.broker.host, fleet.broker.port, fleet.site
        );
    }
    if let Some(address) = config.http {
        out += &format!("the API and /metrics on http://{address}/\n");
    }
    if let Some(a) = &config.agreements {
        out += &format!(
            "agreements from {} and {}, compliance over {} days\n",
            a.policies.display(),
            a.requests.display(),
            a.days
        );
    }
    for line in &config.lines {
        let boards: Vec<String> = config
            .boards
            .iter()
            .filter(|b| config.lines.get(b.line).is_some_and(|l| l.name == line.name))
            .map(|b| {
                let queues: Vec<&str> = b
                    .queues
                    .iter()
                    .filter_map(|&q| config.queues.get(q).map(|q| q.label.as_str()))
                    .collect();
                format!("board {} ({})", b.address, queues.join(", "))
            })
            .collect();
        let link = line
            .link
            .as_ref()
            .map_or_else(|| "a gateway, from the broker".to_owned(), ToString::to_string);
        out += &format!("line {} ({link}): {}\n", line.name, boards.join("; "));
    }
    out
}
