//! Asterisk's `queue_log`, the log a switch writes of every queue event, read and replayed.
//!
//! - [`read`]: the classic pipe-separated file and the realtime table's export, messy lines
//!   survived with a warning naming each.
//! - [`stream`]: a log of any length read a line at a time, handed on in time order within a
//!   window, without holding it whole.
//! - [`follow`]: a log followed by its path as the switch writes it, through logrotate's
//!   rename and copytruncate.
//! - [`table`]: Asterisk's realtime `queue_log` table in PostgreSQL, polled by id, every row
//!   once across restarts.
//! - [`replay`]: the records, in time order, turned into `callboard-core` events, at once or a
//!   step at a time as a live feed does.
//! - [`verb`]: the log's verbs, one type for everything that reads or writes them; [`write`](mod@write):
//!   a line written as Asterisk writes it.
//! - [`row`]: a warning about a line of an input, or the input as a whole.
//! - [`surveys`]: post-call survey responses, from a survey tool's CSV export or the log's own
//!   `SURVEY` lines, for the CSAT the boards post.
//! - [`local_time`]: the site's local times as people write them (`+02:00`, `1999-02-10 08:00`).
//!
//! Every figure comes from the core; this crate only translates the log's vocabulary.

pub mod follow;
pub mod local_time;
pub mod read;
pub mod replay;
pub mod row;
pub mod stream;
pub mod surveys;
pub mod table;
pub mod verb;
pub mod write;

pub use read::{Parsed, Record, parse};
pub use row::RowWarning;
pub use verb::Verb;
pub use write::Line;
