//! # callboard-render: what a reader board draws
//!
//! The part of a callboard reader board that both the firmware and the host run: the
//! [`render`](render::render) function from the last valid frame and the clock to pixels on
//! any `embedded-graphics` `DrawTarget`, the [panels](panel) it draws for, and their
//! [colours](colour); and [`render_alpha`], the text an Alpha-protocol wallboard server wrote
//! to a board that also speaks Alpha. The firmware renders into a panel's framebuffer and scans it out to the
//! LEDs (`callboard-board`); `callboard board preview` renders the same frame into a PNG; so
//! what an integrator previews is, pixel for pixel, what the wall shows.
//!
//! Drawing only: no clock, no line, no interrupts, no pins (embedded-graphics' split of
//! drawing from drivers). `no_std`, no allocation, no panics on any frame: a board on a wall is
//! never rebooted.

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

pub mod alpha;
pub mod colour;
pub mod panel;
pub mod render;

pub use alpha::render_alpha;
pub use colour::{Ink, TriColour};
pub use panel::{Hub75Rgb64x32, Panel, TriColour160x32};
pub use render::{Scene, render, render_boot};
