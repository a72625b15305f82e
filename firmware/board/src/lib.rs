//! # callboard-board: a reader board's runtime
//!
//! What runs a board, on top of the shared renderer (`callboard-render`): the
//! [`Controller`] that is the board itself over `embedded-io` (frames
//! out of the line's bytes, acknowledgements and status, settings, expiry, redrawing only when
//! the picture changes), the [`ByteQueue`](byte_queue::ByteQueue) the UART interrupt fills and
//! the main loop drains, the [HUB75 scan](hub75) that lights an RGB matrix from its
//! framebuffer, and the [`session`] count that authenticated frames are tied to. Each board image (`firmware/images/`) is a thin binary over this crate and its
//! own registers.
//!
//! `no_std`, no allocation, no panics on any input: a board on a wall is never rebooted.

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
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

#[cfg(test)]
extern crate std;

pub mod byte_queue;
pub mod controller;
pub mod hub75;
pub mod session;

pub use callboard_render::{Hub75Rgb64x32, Panel, TriColour160x32, panel, render};
pub use controller::Controller;
