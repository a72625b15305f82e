//! Customer satisfaction for C: survey responses in, the previous day's CSAT out.

use callboard_core::csat::{
    BASELINE_QUESTIONS, CsatError, CsatFigureKind, CsatValue, SurveyResponse,
};

use crate::boundary::{borrow, read_into, with_handle_mut};
use crate::cb_status;
use crate::center::cb_center;
use crate::status::*;

/// The previous day's CSAT is the mean score.
pub const CB_CSAT_MEAN_SCORE: u32 = 0;

/// The previous day's CSAT is the share of responses in the top two points of the scale.
pub const CB_CSAT_TOP_TWO_BOX: u32 = 1;

/// A survey response about a contact.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_survey {
    /// When the rated contact happened, ms since the epoch (the day it counts for).
    pub contact_at_ms: u64,
    /// The score, on the configured scale.
    pub score: u8,
    /// The four baseline yes/no questions (explained the process, had the information, timely,
    /// satisfied): 1 yes, 0 no, -1 not answered.
    pub answers: [i8; 4],
    /// Whether the resident asked to be contacted again.
    pub follow_up_requested: bool,
}

/// `cb_csat.status`: `value` holds the figure.
pub const CB_CSAT_AVAILABLE: u32 = 0;

/// `cb_csat.status`: no responses that day.
pub const CB_CSAT_NO_RESPONSES: u32 = 1;

/// `cb_csat.status`: fewer responses than the minimum sample (`minimum_sample`).
pub const CB_CSAT_NOT_ENOUGH_RESPONSES: u32 = 2;

/// The previous day's CSAT, as a board posts it.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cb_csat {
    /// The day's local date: year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
    /// `CB_CSAT_MEAN_SCORE` or `CB_CSAT_TOP_TWO_BOX`.
    pub figure: u32,
    /// Responses that day.
    pub responses: u32,
    /// `CB_CSAT_AVAILABLE`, `CB_CSAT_NO_RESPONSES` or `CB_CSAT_NOT_ENOUGH_RESPONSES`.
    pub status: u32,
    /// The figure, when `status` is `CB_CSAT_AVAILABLE`.
    pub value: f64,
    /// The configured minimum sample.
    pub minimum_sample: u32,
}

/// Records a survey response, filed under the local day of the rated contact.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_INVALID_ARGUMENT` (score off the scale, an
/// answer other than -1, 0 or 1, a contact later than the center's clock),
/// `CB_STATUS_OUT_OF_ORDER` (the contact's day is older than the `CB_MAX_DAYS` days up to the
/// clock's). Every refused response (NULL aside) is counted in `surveys_rejected`.
///
/// Thread-safety: writes the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live and unshared; `survey` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_record_survey(
    center: *mut cb_center,
    survey: *const cb_survey,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        with_handle_mut(center, |state| {
            let survey = borrow(survey)?;
            let mut answers = [None; BASELINE_QUESTIONS];
            for (slot, answer) in answers.iter_mut().zip(survey.answers) {
                *slot = match answer {
                    -1 => None,
                    0 => Some(false),
                    1 => Some(true),
                    _ => {
                        state.refuse_undecodable_survey();
                        return Err(CB_STATUS_INVALID_ARGUMENT);
                    }
                };
            }
            let response = SurveyResponse {
                contact_at: survey.contact_at_ms,
                score: survey.score,
                answers,
                follow_up_requested: survey.follow_up_requested,
            };
            state.record_survey(&response).map(|_| ()).map_err(|error| match error {
                CsatError::TooOld => CB_STATUS_OUT_OF_ORDER,
                _ => CB_STATUS_INVALID_ARGUMENT,
            })
        })
    }
}

/// The previous day's CSAT (the local day before the center's clock), with its sample size or
/// why it cannot be posted.
///
/// Returns `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_NOT_KEPT` (no clock yet). `*out` is written
/// only on `CB_STATUS_OK`.
///
/// Thread-safety: reads the center (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `out` NULL or writable for a `cb_csat`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_center_previous_day_csat(
    center: *const cb_center,
    out: *mut cb_csat,
) -> cb_status {
    // SAFETY: forwarded caller contract.
    unsafe {
        read_into(center, out, |state| {
            let csat = state.previous_day_csat().ok_or(CB_STATUS_NOT_KEPT)?;
            let minimum_sample = state.config().csat.minimum_sample;
            let (status, value) = match csat.value {
                CsatValue::Available(value) => (CB_CSAT_AVAILABLE, value),
                CsatValue::NoResponses => (CB_CSAT_NO_RESPONSES, 0.0),
                CsatValue::BelowMinimumSample { .. } => (CB_CSAT_NOT_ENOUGH_RESPONSES, 0.0),
            };
            Ok(cb_csat {
                year: csat.date.year(),
                month: csat.date.month(),
                day: csat.date.day(),
                figure: match csat.kind {
                    CsatFigureKind::MeanScore => CB_CSAT_MEAN_SCORE,
                    CsatFigureKind::TopTwoBox => CB_CSAT_TOP_TWO_BOX,
                },
                responses: csat.responses,
                status,
                value,
                minimum_sample,
            })
        })
    }
}
