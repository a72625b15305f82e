//! The city's service agreements with its departments: how long each type of service request
//! may take, on which business calendar, and how the requests did.
//!
//! - [`policies`]: the agreements file (TOML): the site's clock, business calendars, a target
//!   per request type.
//! - [`requests`]: the service requests file (CSV) a department's system exports.
//! - [`report`]: compliance per department and type over a period, with the open requests
//!   judged at an instant: `callboard sla report` and `callboard serve`'s
//!   `GET /api/v1/agreements`.
//! - [`board`]: the agreements a reader board shows, one line per department.
//!
//! The counting is the core's SLA tracker (`callboard_core::sla`); this crate reads the files
//! and says what it counted.

pub mod board;
pub mod policies;
pub mod report;
pub mod requests;
