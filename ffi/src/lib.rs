//! # libcallboard: the C ABI of callboard-core
//!
//! Telephony vendors' ACDs and PBXs are written in C and C++ and run for years. This crate is
//! the one place where C meets the core: `include/callboard.h` is generated from it by cbindgen
//! (`cbindgen.toml`; the test suite fails when the committed header is stale), and it builds
//! `libcallboard.a` and `libcallboard.so`.
//!
//! Conventions, after rustls-ffi:
//! - every symbol starts with `cb_`; every fallible function returns a [`cb_status`] and writes
//!   its out-parameters only on `CB_STATUS_OK`;
//! - every pointer is checked for NULL (and alignment) before use: a bad pointer is a status,
//!   not a crash;
//! - no panic crosses the boundary: each function body runs under `catch_unwind`, and a panic
//!   becomes `CB_STATUS_PANIC`;
//! - thread-safety is stated per function; the staffing functions are pure and thread-safe, a
//!   center is used by one writer at a time (see [`center`]);
//! - a center lives on the heap (`cb_center_new`/`cb_center_free`) or, with no allocation, in
//!   caller memory (`cb_center_size`, `cb_center_align`, `cb_center_init`).
//!
//! One module per module of the core, as rustls-ffi keeps one per concept:
//! [`center`] (the handle, its configuration and diagnostics), [`events`] (`cb_event`, the
//! clock), [`figures`] (snapshots, interval and day figures), [`wait`] (expected waits),
//! [`csat`], [`checkpoint`], [`calendar`] (the site's clock), [`erlang`], [`sla`], [`board`]
//! (what a reader board shows, built from a center), [`wire`] (the boards' protocol: encoders
//! and the decoder of their answers), [`status`];
//! `boundary` holds the one way every export checks pointers and catches panics.

pub mod board;
mod boundary;
pub mod calendar;
pub mod center;
pub mod checkpoint;
pub mod csat;
pub mod erlang;
pub mod events;
pub mod figures;
pub mod sla;
pub mod status;
pub mod wait;
pub mod wire;

pub use status::cb_status;

/// The library's major version; the header's `CB_VERSION_MAJOR` and `cb_version()` agree
/// with it and with `Cargo.toml` (checked by the test suite).
pub const CB_VERSION_MAJOR: u32 = 0;
/// The library's minor version.
pub const CB_VERSION_MINOR: u32 = 4;
/// The library's patch version.
pub const CB_VERSION_PATCH: u32 = 2;

/// The library's version as a static, NUL-terminated string such as `"0.1.0"`.
///
/// Thread-safety: safe to call from any thread at any time.
#[unsafe(no_mangle)]
pub extern "C" fn cb_version() -> *const core::ffi::c_char {
    const VERSION: &core::ffi::CStr = match core::ffi::CStr::from_bytes_with_nul(
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
    ) {
        Ok(version) => version,
        Err(_) => c"unknown",
    };
    VERSION.as_ptr()
}

/// A static, NUL-terminated English description of `status`; an unknown number gives
/// `"unknown status"`. Never NULL.
///
/// Thread-safety: safe to call from any thread at any time.
#[unsafe(no_mangle)]
pub extern "C" fn cb_status_str(status: u32) -> *const core::ffi::c_char {
    status::describe_number(status).as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ffi::CStr;

    #[test]
    fn version_agrees_with_cargo() {
        assert_eq!(CB_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(CB_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(CB_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
        // SAFETY: cb_version returns a pointer to a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(cb_version()) };
        assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn every_status_has_its_own_description() {
        let mut seen = std::collections::HashSet::new();
        for status in cb_status::ALL_STATUSES {
            // SAFETY: cb_status_str returns a pointer to a static NUL-terminated string.
            let text = unsafe { CStr::from_ptr(cb_status_str(status as u32)) };
            assert!(seen.insert(text.to_bytes().to_vec()), "{status:?} repeats a description");
        }
        // SAFETY: as above.
        let unknown = unsafe { CStr::from_ptr(cb_status_str(77)) };
        assert_eq!(unknown.to_str(), Ok("unknown status"));
    }
}
