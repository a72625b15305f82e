//! `callboard gateway`: a room's boards driven from the fleet's broker (`callboard-serve`'s
//! gateway; docs/fleet.md).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, clap::Args)]
pub struct GatewayArgs {
    /// The gateway file: the broker, the gateway's name, its lines (each with the site whose
    /// frames it carries) and its boards (see docs/fleet.md).
    #[arg(long, value_name = "FILE.toml")]
    config: PathBuf,
    /// Check the file and say what would run, without running it.
    #[arg(long)]
    check: bool,
}

pub fn run(args: &GatewayArgs) -> Result<String, String> {
    let config = callboard_serve::gateway::read(&args.config)?;
    if args.check {
        let mut out = format!(
            "ok: gateway {} on {}:{}, {} lines, {} boards\n",
            config.name,
            config.broker.host,
            config.broker.port,
            config.lines.len(),
            config.boards.len()
        );
        for (site, line) in &config.lines {
            let link = line.link.as_ref().map_or_else(String::new, ToString::to_string);
            out += &format!("line {} ({link}): the frames of site {site}\n", line.name);
        }
        return Ok(out);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot catch SIGTERM and Ctrl-C: {e}"))?;
    callboard_serve::gateway::run(&config, &stop)
}
