//! One module per subcommand, as cargo lays out its own: each owns its arguments and its run.

pub mod board;
pub mod demo;
pub mod erlang;
pub mod ewt_eval;
pub mod gateway;
pub mod report;
pub mod serve;
pub mod sla;
pub mod staff;

/// A value as pretty JSON and a newline.
pub(crate) fn json_line(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map(|s| s + "\n").map_err(|e| e.to_string())
}
