//! The boundary: panics caught, pointers checked, out-parameters written only on success.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::cb_status;
use crate::status::{
    CB_STATUS_BUFFER_TOO_SMALL, CB_STATUS_MISALIGNED, CB_STATUS_NULL_ARGUMENT, CB_STATUS_OK,
    CB_STATUS_PANIC, CB_STATUS_POISONED,
};

/// Runs a function body: its `Err` becomes the returned status, and a panic becomes
/// `CB_STATUS_PANIC` instead of unwinding into C (which would be undefined behaviour).
pub(crate) fn guard(body: impl FnOnce() -> Result<(), cb_status>) -> cb_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => CB_STATUS_OK,
        Ok(Err(status)) => status,
        Err(_) => CB_STATUS_PANIC,
    }
}

/// A shared reference from a C pointer: NULL and misaligned pointers are statuses.
///
/// # Safety
/// A non-NULL, aligned `pointer` must point to a valid, initialized `T` that is not written
/// during `'a`.
pub(crate) unsafe fn borrow<'a, T>(pointer: *const T) -> Result<&'a T, cb_status> {
    if pointer.is_null() {
        return Err(CB_STATUS_NULL_ARGUMENT);
    }
    if !pointer.is_aligned() {
        return Err(CB_STATUS_MISALIGNED);
    }
    // SAFETY: non-NULL and aligned (checked above); validity is the caller's contract.
    Ok(unsafe { &*pointer })
}

/// Checks an out-parameter before any work is done, so that a bad one fails fast and nothing
/// is half-written.
pub(crate) fn check_out<T>(pointer: *mut T) -> Result<(), cb_status> {
    if pointer.is_null() {
        Err(CB_STATUS_NULL_ARGUMENT)
    } else if !pointer.is_aligned() {
        Err(CB_STATUS_MISALIGNED)
    } else {
        Ok(())
    }
}

/// Writes a result through an out-parameter already checked by [`check_out`].
///
/// # Safety
/// `pointer` must have passed [`check_out`] and point to memory writable as a `T`.
pub(crate) unsafe fn write_out<T>(pointer: *mut T, value: T) {
    // SAFETY: non-NULL and aligned (check_out); writable is the caller's contract. `write`
    // does not read or drop the old contents, which may be uninitialized.
    unsafe { pointer.write(value) };
}

/// Answers through an out-parameter: `out` is checked before `body` does any work and written
/// only with what `body` returns on success.
///
/// # Safety
/// `out` must be NULL or point to memory writable as a `T`.
pub(crate) unsafe fn answer_into<T>(
    out: *mut T,
    body: impl FnOnce() -> Result<T, cb_status>,
) -> Result<(), cb_status> {
    check_out(out)?;
    let answer = body()?;
    // SAFETY: checked by check_out; writable by the caller's contract.
    unsafe { write_out(out, answer) };
    Ok(())
}

/// A whole export that computes an answer from its arguments alone (no handle): `out` checked
/// first, the body under [`guard`], the answer written only on success.
///
/// # Safety
/// `out` must be NULL or point to memory writable as a `T`.
pub(crate) unsafe fn compute_into<T>(
    out: *mut T,
    body: impl FnOnce() -> Result<T, cb_status>,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    guard(|| unsafe { answer_into(out, body) })
}

/// A whole export that reads an answer from a handle's state: the handle and `out` checked
/// first (see [`with_handle`]), the answer written only on success.
///
/// # Safety
/// `handle` must be NULL or a live handle not written during the call; `out` must be NULL or
/// point to memory writable as a `T`.
pub(crate) unsafe fn read_into<H: Handle, T>(
    handle: *const H,
    out: *mut T,
    body: impl FnOnce(&H::State) -> Result<T, cb_status>,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe { with_handle(handle, |state| answer_into(out, || body(state))) }
}

/// A place for a `T` in caller memory of `len` bytes at `memory` (`cb_center_init`,
/// `cb_wire_decoder_init`): NULL, misaligned and short memory are statuses; `make` then writes
/// the whole `T` there.
///
/// # Safety
/// `memory` must be NULL or `len` writable bytes used by nothing else while the `T` lives, and
/// `make` must initialize every field of the place it is given.
pub(crate) unsafe fn place_in<T>(
    memory: *mut core::ffi::c_void,
    len: usize,
    make: impl FnOnce(*mut T),
) -> Result<*mut T, cb_status> {
    let place = memory.cast::<T>();
    check_out(place)?;
    if len < size_of::<T>() {
        return Err(CB_STATUS_BUFFER_TOO_SMALL);
    }
    make(place);
    Ok(place)
}

/// Fills the fields of the figures that are defined and returns the mask of their bits: the
/// `defined` word of `cb_figures` and `cb_period`, whose undefined fields stay 0.
pub(crate) fn fill_defined<const N: usize>(figures: [(u32, Option<f64>, &mut f64); N]) -> u32 {
    let mut defined = 0;
    for (bit, value, field) in figures {
        if let Some(value) = value {
            *field = value;
            defined |= bit;
        }
    }
    defined
}

/// An object C holds by pointer (a center, an SLA tracker): its state, and whether a panic
/// inside an earlier call left that state unknown.
pub(crate) trait Handle {
    /// What the calls work on.
    type State;
    /// Whether an earlier panic poisoned the handle.
    fn poisoned(&self) -> bool;
    /// Marks the handle poisoned.
    fn poison(&mut self);
    /// The state, for reading.
    fn state(&self) -> &Self::State;
    /// The state, for writing.
    fn state_mut(&mut self) -> &mut Self::State;
}

/// Implements [`Handle`] for a handle struct with a `poisoned: bool` field and its state in the
/// named field.
macro_rules! handle {
    ($handle:ty, $field:ident: $state:ty) => {
        impl crate::boundary::Handle for $handle {
            type State = $state;
            fn poisoned(&self) -> bool {
                self.poisoned
            }
            fn poison(&mut self) {
                self.poisoned = true;
            }
            fn state(&self) -> &$state {
                &self.$field
            }
            fn state_mut(&mut self) -> &mut $state {
                &mut self.$field
            }
        }
    };
}
pub(crate) use handle;

/// Runs `body` on a handle's state for writing: NULL, misaligned and poisoned handles are
/// statuses, and a panic poisons the handle.
///
/// # Safety
/// `handle` must be NULL or a live handle not used by anyone else during the call.
pub(crate) unsafe fn with_handle_mut<H: Handle>(
    handle: *mut H,
    body: impl FnOnce(&mut H::State) -> Result<(), cb_status>,
) -> cb_status {
    let status = guard(|| {
        check_out(handle)?;
        // SAFETY: non-NULL and aligned (checked); live and unshared by the caller's contract.
        let handle = unsafe { &mut *handle };
        if handle.poisoned() {
            return Err(CB_STATUS_POISONED);
        }
        body(handle.state_mut())
    });
    if status == CB_STATUS_PANIC && !handle.is_null() && handle.is_aligned() {
        // SAFETY: live by the caller's contract; the panicking borrow has ended.
        unsafe { (*handle).poison() };
    }
    status
}

/// Runs `body` on a handle's state for reading: NULL, misaligned and poisoned handles are
/// statuses.
///
/// # Safety
/// `handle` must be NULL or a live handle not written during the call.
pub(crate) unsafe fn with_handle<H: Handle>(
    handle: *const H,
    body: impl FnOnce(&H::State) -> Result<(), cb_status>,
) -> cb_status {
    guard(|| {
        // SAFETY: the caller's contract: NULL or a live handle.
        let handle = unsafe { borrow(handle) }?;
        if handle.poisoned() {
            return Err(CB_STATUS_POISONED);
        }
        body(handle.state())
    })
}

/// `ALL` and `from_code` for a `#[repr(u32)]` code enum a C caller passes as a `uint32_t`
/// (`cb_event_kind`, `cb_dst_rule`, `cb_wait_estimator`): the number is looked up among the
/// listed values, never transmuted, so any other number is refused. (The enum itself is
/// written out where it lives, for cbindgen to read.)
macro_rules! c_codes {
    ($name:ident { $($variant:ident),+ $(,)? }) => {
        impl $name {
            /// Every code, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The code a C caller passed, if it is one of these.
            #[must_use]
            pub fn from_code(code: u32) -> Option<Self> {
                Self::ALL.iter().copied().find(|&known| known as u32 == code)
            }
        }
    };
}
pub(crate) use c_codes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_status() {
        let status = guard(|| panic!("a bug"));
        assert_eq!(status, CB_STATUS_PANIC);
        assert_eq!(guard(|| Ok(())), CB_STATUS_OK);
        assert_eq!(guard(|| Err(CB_STATUS_NULL_ARGUMENT)), CB_STATUS_NULL_ARGUMENT);
    }

    #[test]
    fn bad_pointers_are_statuses() {
        let value = 7_u64;
        // SAFETY: a valid reference converted to a pointer.
        assert_eq!(unsafe { borrow(&raw const value) }, Ok(&7));
        // SAFETY: NULL is checked before use.
        assert_eq!(unsafe { borrow::<u64>(core::ptr::null()) }, Err(CB_STATUS_NULL_ARGUMENT));
        let misaligned = (&raw const value).cast::<u8>().wrapping_add(1).cast::<u64>();
        // SAFETY: alignment is checked before use.
        assert_eq!(unsafe { borrow(misaligned) }, Err(CB_STATUS_MISALIGNED));
        assert_eq!(check_out::<u64>(core::ptr::null_mut()), Err(CB_STATUS_NULL_ARGUMENT));
    }
}
