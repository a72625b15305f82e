//! The two searches every staffing question reduces to, shared by the models: the fewest
//! whole agents (or lines) meeting a monotone condition, and where a continuous slack crosses
//! zero. Apart from the models so that `b` (fewest lines) and `staffing` (fewest agents) both
//! use them without depending on each other.

use super::{ErlangError, MAX_AGENTS};

/// The fewest whole `n ≥ lowest` with `meets(n)`, for a `meets` that once true stays true,
/// searching outward from `guess`.
pub(super) fn fewest_whole(
    lowest: f64,
    guess: f64,
    meets: impl Fn(f64) -> Result<bool, ErlangError>,
) -> Result<u32, ErlangError> {
    // Erlang C at a million erlangs or more needs more than MAX_AGENTS before any search (and
    // `clamp` panics when its floor is above its ceiling).
    if lowest.is_nan() || lowest > MAX_AGENTS {
        return Err(ErlangError::Unreachable);
    }
    let guess = guess.max(lowest).min(MAX_AGENTS);
    // `failing` never meets the targets (or is below `lowest`); `passing` always does.
    let (mut failing, mut passing);
    if meets(guess)? {
        passing = guess;
        failing = lowest - 1.0;
        let mut step = 1.0;
        while passing - step >= lowest {
            let candidate = passing - step;
            if meets(candidate)? {
                passing = candidate;
                step *= 2.0;
            } else {
                failing = candidate;
                break;
            }
        }
        if failing < lowest && passing > lowest {
            // Galloped to the floor without a failure: the floor is all that is left to try.
            if meets(lowest)? {
                passing = lowest;
            } else {
                failing = lowest;
            }
        }
    } else {
        failing = guess;
        let mut step = 1.0;
        loop {
            if failing >= MAX_AGENTS {
                return Err(ErlangError::Unreachable);
            }
            let candidate = (failing + step).min(MAX_AGENTS);
            if meets(candidate)? {
                passing = candidate;
                break;
            }
            failing = candidate;
            step *= 2.0;
        }
    }
    while passing - failing > 1.0 {
        let middle = libm::floor(0.5 * (passing + failing));
        if meets(middle)? {
            passing = middle;
        } else {
            failing = middle;
        }
    }
    // Whole, non-negative and at most MAX_AGENTS.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(passing as u32)
}

/// Where a continuous, increasing `slack` (negative while a target is missed, ≥ 0 once met)
/// crosses 0 between `failing` (slack `failing_slack` < 0) and `passing` (slack ≥ 0): the
/// Illinois variant of regula falsi, which keeps the bracket and converges superlinearly (about
/// 6 to 10 evaluations to 10⁻¹⁰ agents, against 35 for bisection). Returns the passing end.
pub(super) fn crossing(
    mut failing: f64,
    mut failing_slack: f64,
    mut passing: f64,
    mut passing_slack: f64,
    slack: impl Fn(f64) -> Result<f64, ErlangError>,
) -> Result<f64, ErlangError> {
    let mut last_side = 0_i8;
    for _ in 0..200 {
        if passing - failing <= 1e-10 * passing.max(1.0) {
            break;
        }
        let mut candidate =
            (failing * passing_slack - passing * failing_slack) / (passing_slack - failing_slack);
        if !(candidate > failing && candidate < passing) {
            candidate = 0.5 * (failing + passing);
        }
        let value = slack(candidate)?;
        if value >= 0.0 {
            passing = candidate;
            passing_slack = value;
            if last_side == 1 {
                failing_slack *= 0.5;
            }
            last_side = 1;
        } else {
            failing = candidate;
            failing_slack = value;
            if last_side == -1 {
                passing_slack *= 0.5;
            }
            last_side = -1;
        }
    }
    Ok(passing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_from_any_guess_finds_the_same_floor() {
        let threshold = 137.0;
        let meets = |n: f64| Ok(n >= threshold);
        for guess in [0.0, 1.0, 136.0, 137.0, 138.0, 5000.0] {
            assert_eq!(fewest_whole(0.0, guess, meets), Ok(137));
        }
        assert_eq!(fewest_whole(3.0, 3.0, |_| Ok(true)), Ok(3));
        assert_eq!(fewest_whole(0.0, 10.0, |_| Ok(false)), Err(ErlangError::Unreachable));
    }
}
