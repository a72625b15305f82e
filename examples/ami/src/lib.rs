//! # callboard-ami: the Asterisk Manager Interface as a live source
//!
//! Many centers run their wallboards from the Asterisk Manager Interface (AMI, TCP 5038): it
//! reports callers joining and leaving queues and agents' states the moment they happen, and
//! answers `QueueStatus` with the state at any moment. This crate reads it into the same
//! `queue_log` records the file and the realtime table give, so a call is counted the same way
//! whichever way it came.
//!
//! - [`protocol`]: the wire format, sans I/O (bytes in, messages out), fuzzable;
//! - [`translate`]: the queue events as `queue_log` records, and a resynchronisation from
//!   `QueueStatus` after a gap (the table of events is there);
//! - [`client`]: a session over TCP kept up, with back-off and resynchronisation;
//! - [`transcript`]: what Asterisk would have sent for a `queue_log`'s calls, for tests and
//!   for trying the source without a switch.

pub mod client;
pub mod protocol;
pub mod transcript;
pub mod translate;
