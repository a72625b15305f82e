//! The contact center the tests and the demo can run without one.
//!
//! - [`simulate`]: a seeded, deterministic day of calls, written as the Asterisk `queue_log` a
//!   switch would write, with the truth a log cannot keep (every caller's potential wait).
//! - [`ewt_eval`]: each expected-wait estimator of the core scored against the waits callers
//!   really had, on simulated days and real logs.
//!
//! The binary `anonymous-bank-to-queue-log` converts the public Anonymous Bank call center
//! data to a `queue_log`, so real days run through the same reader as a switch's.

pub mod ewt_eval;
pub mod simulate;
