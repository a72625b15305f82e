//! The `callboard` program's building blocks: reading ACD logs, replaying them through
//! `callboard-core`, printing reports, and staffing with the core's Erlang models.
//!
//! Every figure comes from the core; this crate only translates a log's vocabulary into core
//! events and the core's figures into tables.

pub mod board;
pub mod board_feed;
pub mod demo;
pub mod ewt_eval;
pub mod options;
pub mod queue_log;
pub mod replay;
pub mod report;
pub mod sim;
pub mod sla;
pub mod staffing;
