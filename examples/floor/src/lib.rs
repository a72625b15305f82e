//! A floor's reader boards, fed from its center.
//!
//! - [`alpha`]: frames for the Alpha signs a center already owns: packets of what changed,
//!   written at the pace a sign needs.
//! - [`check`]: whether a board or sign is there: one question, its answer.
//! - [`choice`]: `NAME[=LABEL][@N%]`, the way `--queue` and `--sla` name what a board shows.
//! - [`frame`]: what a board is told: the queues chosen (`NAME=LABEL@T%`), their figures taken
//!   from a replayed center, the opening hours, the frame encoded for an address.
//! - [`feed`]: the boards' lines (a serial port, a TCP terminal server) and a queue_log (a
//!   recorded day or a followed live file) replayed onto them at a steady rate, every frame
//!   acknowledged.
//! - [`keys`]: keys for authenticated frames, made, kept for their owner only, read back.
//! - [`picture`]: a frame drawn by the boards' own renderer into a panel's framebuffer, as a
//!   PNG: the previews, the demo's pictures and the web wallboard.
//! - [`stand_in`]: boards on a socket that acknowledge what they hear, for tests and
//!   measurements of what drives boards.
//!
//! `callboard board send` is this crate run from the command line; the hardware-in-the-loop
//! suite runs it against the real firmware image.

pub mod alpha;
pub mod check;
pub mod choice;
pub mod feed;
pub mod frame;
pub mod keys;
pub mod picture;
pub mod stand_in;
