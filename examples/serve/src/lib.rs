//! # callboard-serve: one live service for a whole floor of reader boards
//!
//! `callboard serve --config FILE.toml` reads the switch's queue events (its `queue_log`
//! followed through logrotate, its realtime table, or its manager interface), feeds the core as
//! the switch writes them, and drives every board on every line with the engine's figures and
//! yesterday's CSAT from real survey results; its state is checkpointed to disk every few
//! seconds and on SIGTERM, so that a restart, or a crash, continues the day instead of losing
//! it. Supervisors get the same numbers over HTTP: a JSON API, `/metrics` and a web wallboard.
//!
//! - [`config`]: the site file, read and checked (every key documented in
//!   `examples/data/serve-311.toml`);
//! - [`line`](mod@line): one writer per line, boards in turn, a silent board reported and passed over,
//!   a broken TCP line reconnected with back-off, each board's health;
//! - [`source`]: where the events come from: a followed file, the realtime table in PostgreSQL,
//!   or the Asterisk Manager Interface;
//! - [`state`]: what is kept on disk, written atomically;
//! - [`timezone`]: an IANA time-zone name resolved in the host's tz database;
//! - [`http`]: the JSON API and `/metrics`, on a runtime of their own; [`publish`]: what
//!   they serve, computed once a step; [`agreements`]: the departments' service agreements,
//!   judged on a thread of their own;
//! - [`mqtt`]: the fleet's broker, where a site publishes its frames and figures and a
//!   gateway reads them;
//! - [`gateway`]: `callboard gateway`, the boards of a room driven from the broker;
//! - [`service`]: the loop.

pub mod agreements;
pub mod config;
pub mod gateway;
pub mod http;
pub mod line;
pub mod mqtt;
pub mod publish;
pub mod service;
pub mod source;
pub mod state;
pub mod timezone;

pub use config::{Config, parse};
pub use service::run;
