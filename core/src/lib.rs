//! # callboard-core
//!
//! One set of contact-center numbers, computed the same way everywhere they are shown: on a
//! telephony vendor's screen through the C ABI, on an LED reader board on the floor, in an
//! integrator's report.
//!
//! This crate is `no_std`, allocates nothing, contains no `unsafe` code, and never panics on any
//! input: every limit, unknown id, duplicate or impossible event is a typed error that leaves the
//! state as it was. Time is passed in by the caller ([`calendar::Timestamp`], milliseconds since
//! the Unix epoch), so everything is deterministic and replayable.
//!
//! Where to find what (every module, in the order a call meets them):
//! - [`event`]: what the ACD reports: calls entering, answered, abandoned, dequeued,
//!   transferred, ended; agents changing state and queue memberships.
//! - [`center`]: the engine. A [`Center`] applies events and answers with live queue state and
//!   interval and daily figures; its folder holds one file per part (config, errors, the books,
//!   applying, reading, audit, checkpoint).
//! - [`queue`]: queue configuration and the wallboard snapshot.
//! - [`interval`]: the definition of every counter and derived figure (ASA, AHT, abandon rate,
//!   occupancy, …) of an interval or a day.
//! - [`service_level`]: the four service-level variants and the threshold in seconds or rings.
//! - [`calendar`]: local days, daylight saving and interval boundaries.
//! - [`share`]: a share of a whole as people write it (`80%`, `0.8`): targets, goals, ceilings.
//! - [`wait`]: expected wait: the queueing estimators, delay history and Asterisk's
//!   announcement.
//! - [`csat`]: survey responses, daily CSAT with the previous day's figure, monthly and
//!   quarterly roll-ups.
//! - [`erlang`]: staffing math: Erlang B, C and A, and the fewest agents for a set of targets.
//! - [`business`]: business calendars: open hours per weekday, holidays, business time
//!   between two instants.
//! - [`sla`]: service agreements with departments: SLA clocks on service requests, paused and
//!   resumed, judged against business time.
//! - [`board`]: what an LED reader board shows, built from the live state.
//! - `wire` (feature `wire`): the reader-board protocol, frames in and out of a serial line.
//! - [`crc`]: the CRC-32 that checkpoints, frames and a board's framebuffer report use.
//! - `ledger` (private): the fixed-capacity, key-ordered periods (days, months, quarters) the
//!   center and CSAT keep.
//!
//! ```
//! use callboard_core::{Center, CenterConfig, Event, EventKind, QueueConfig};
//! use callboard_core::event::{CallId, QueueId};
//! use callboard_core::service_level::ServiceLevelVariant;
//!
//! // 4 queues, 64 calls in flight, 32 agents, 96 intervals, 7 days.
//! let mut center: Center<4, 64, 32, 96, 7> = Center::new(CenterConfig::default());
//! let potholes = QueueId(311);
//! center.add_queue(potholes, QueueConfig::default())?;
//!
//! let t0 = 1_795_420_800_000; // 2026-11-23T08:00:00Z
//! center.apply(&Event::new(t0, EventKind::CallEntered { call: CallId(1), queue: potholes, priority: 0 }))?;
//! center.apply(&Event::new(t0 + 12_000, EventKind::CallAnswered { call: CallId(1), agent: None }))?;
//! center.apply(&Event::new(t0 + 30_000, EventKind::CallEntered { call: CallId(2), queue: potholes, priority: 0 }))?;
//! center.advance_to(t0 + 60_000)?;
//!
//! let now = center.snapshot(potholes).expect("queue exists and the clock is set");
//! assert_eq!(now.waiting, 1);
//! assert_eq!(now.longest_wait_ms, Some(30_000));
//! // Call 2 has waited 30 s, past the 20 s threshold: it already counts as missed.
//! let sl = now.current_interval.stats.service_level(ServiceLevelVariant::Answered);
//! assert_eq!(sl, Some(0.5));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Never panic on input: no unwraps, no indexing, no unchecked arithmetic outside tests.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod alpha;
pub mod board;
pub mod business;
pub mod calendar;
pub mod center;
pub mod crc;
pub mod csat;
pub mod erlang;
pub mod event;
mod id_map;
pub mod interval;
mod ledger;
pub mod queue;
pub mod service_level;
pub mod share;
pub mod sla;
pub mod wait;
#[cfg(feature = "wire")]
pub mod wire;

pub use center::{Center, CenterConfig};
pub use event::{Event, EventKind};
pub use queue::QueueConfig;
