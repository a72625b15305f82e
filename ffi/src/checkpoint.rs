//! Checkpoints for C: a center's whole state as bytes, and restored from them, so a restart
//! loses nothing of the day.

use callboard_core::center::CheckpointError;

use crate::boundary::{check_out, with_handle, with_handle_mut, write_out};
use crate::cb_status;
use crate::center::cb_center;
use crate::status::*;

impl From<CheckpointError> for cb_status {
    fn from(error: CheckpointError) -> Self {
        match error {
            CheckpointError::BufferTooSmall => CB_STATUS_BUFFER_TOO_SMALL,
            _ => CB_STATUS_INVALID_CHECKPOINT,
        }
    }
}

/// Writes the center's whole state into `buffer` (`len` bytes) as a checkpoint that
/// `cb_center_restore` takes back, in this or a later process: a switch can checkpoint
/// periodically and restart without losing the day. The format is versioned and CRC-checked.
///
/// On `CB_STATUS_OK`, `*written` is the checkpoint's length. On `CB_STATUS_BUFFER_TOO_SMALL`,
/// `*written` is the length needed: call with `buffer` NULL and `len` 0 to ask (the one case
/// where NULL is not `CB_STATUS_NULL_ARGUMENT`, as with `snprintf`). Returns
/// `CB_STATUS_NULL_ARGUMENT` for a NULL `center` or `written`, or a NULL `buffer` with a
/// non-zero `len` (checked before anything is written).
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `buffer` NULL or `len` writable bytes; `written` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_checkpoint(
    center: *const cb_center,
    buffer: *mut u8,
    len: usize,
    written: *mut usize,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle(center, |state| {
            check_out(written)?;
            if buffer.is_null() && len != 0 {
                return Err(CB_STATUS_NULL_ARGUMENT);
            }
            let needed = state.checkpoint_len()?;
            if len < needed {
                // The documented exception: a short buffer learns the length it needs.
                write_out(written, needed);
                return Err(CB_STATUS_BUFFER_TOO_SMALL);
            }
            if buffer.is_null() {
                return Err(CB_STATUS_NULL_ARGUMENT);
            }
            let bytes = core::slice::from_raw_parts_mut(buffer, len);
            let length = state.checkpoint(bytes)?;
            write_out(written, length);
            Ok(())
        })
    }
}

/// Replaces the center's whole state with a checkpoint from `cb_center_checkpoint`. The
/// checkpoint is checked (format, version, capacities, CRC) and audited in full first against
/// every invariant the engine keeps (offered = answered + abandoned + dequeued + transferred
/// out + waiting in every interval and day, every subset within its set, every instant in
/// order): a refused checkpoint changes nothing, and an accepted one is a state the engine
/// could have reached, which checkpoints back to the same bytes.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_CHECKPOINT` (damaged, truncated, of
/// another version or another center layout, or inconsistent).
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `bytes` NULL or `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_restore(
    center: *mut cb_center,
    bytes: *const u8,
    len: usize,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            if bytes.is_null() {
                return Err(CB_STATUS_NULL_ARGUMENT);
            }
            let bytes = core::slice::from_raw_parts(bytes, len);
            Ok(state.restore(bytes)?)
        })
    }
}
