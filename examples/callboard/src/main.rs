//! `callboard`: the program integrators run. This file only parses the command line and
//! dispatches; each subcommand owns a file in `commands/`, each input format one in `input/`,
//! and what a command prints is built in the module named for it (`report`, `staffing`); the
//! service agreements' reports are the `callboard-agreements` crate's.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: a replay parses a log on one thread and replays it on another, allocating a few
/// small strings per line there and freeing them here (BENCHMARKS.md, "Replay at scale").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod commands;
mod input;
mod report;
mod staffing;

/// Contact-center figures computed one way everywhere: reports from ACD logs, staffing.
#[derive(Debug, Parser)]
#[command(name = "callboard", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay an Asterisk queue_log into an interval report per queue.
    Report(commands::report::ReportArgs),
    /// A queueing model's figures at a number of agents (or lines).
    Erlang(commands::erlang::ErlangArgs),
    /// The fewest agents meeting service targets, for one load or a whole forecast.
    Staff(commands::staff::StaffArgs),
    /// Reader boards: frames and their bytes on the line (PROTOCOL.md).
    #[command(subcommand)]
    Board(commands::board::BoardCommand),
    /// A 311 center's day in seconds: simulated, fed through the core as a switch would, its
    /// reader board live in the terminal, snapshots of the board, the day's report and CSAT.
    Demo(commands::demo::DemoArgs),
    /// How right each expected-wait estimator is: every caller's estimate at arrival against the
    /// wait that followed, on simulated days and real logs.
    EwtEval(commands::ewt_eval::EwtEvalArgs),
    /// Service agreements with departments: business-calendar SLA clocks on service requests.
    #[command(subcommand)]
    Sla(commands::sla::SlaCommand),
    /// One live service for a whole floor: the switch's log followed, every board on every
    /// line fed, the state kept across restarts (--config FILE.toml).
    Serve(commands::serve::ServeArgs),
    /// A room's boards driven from the fleet's MQTT broker, on the frames the sites' `serve`
    /// publish (--config FILE.toml).
    Gateway(commands::gateway::GatewayArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Report(args) => commands::report::run(args),
        Command::Erlang(args) => commands::erlang::run(args),
        Command::Staff(args) => commands::staff::run(args),
        Command::Board(command) => commands::board::run(command),
        Command::EwtEval(args) => commands::ewt_eval::run(args),
        Command::Sla(command) => commands::sla::run(command),
        Command::Demo(args) => commands::demo::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Gateway(args) => commands::gateway::run(args),
    };
    match outcome.and_then(|text| emit(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            input::say(&message);
            ExitCode::FAILURE
        }
    }
}

/// Writes a command's output. A reader that has gone (`callboard report ... | head`) is not an
/// error: what it wanted it has read, as with any Unix filter.
fn emit(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the output: {error}"))
        }
        _ => Ok(()),
    }
}
