//! The boundary: panics caught, pointers checked, out-parameters written only on success.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::cb_status;
use crate::status::{CB_STATUS_MISALIGNED, CB_STATUS_NULL_ARGUMENT, CB_STATUS_OK, CB_STATUS_PANIC};

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
