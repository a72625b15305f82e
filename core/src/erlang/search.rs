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

/// The fewest whole `n ≥ lowest` whose `slack(n)` is not negative, for a `slack` that grows with
/// `n` (once met, a target stays met) and is smooth enough to interpolate; with what `slack`
/// computed there. For a model with no cheaper way from one number of agents to the next
/// (Erlang A: a full evaluation each), where [`fewest_whole`]'s gallop and bisection took about
/// twice the logarithm of the distance in evaluations.
///
/// Each probe goes where the line through the two points nearest the crossing meets zero: out
/// from `guess` (by at most `first_step` at first, doubling), then inside the bracket, rounded up
/// so that a good estimate lands on the answer and the next probe, one below, proves it. A probe
/// on the same side as the two before it is replaced by bisection, so a badly shaped slack costs
/// no more than bisecting would. Only the sign of `slack` decides the answer; its size only
/// steers the probes, so the answer is `fewest_whole`'s with `meets = slack ≥ 0`.
pub(super) fn fewest_whole_interpolated<T>(
    lowest: f64,
    guess: f64,
    first_step: f64,
    slope: f64,
    slack: impl Fn(f64) -> Result<(f64, T), ErlangError>,
) -> Result<(u32, T), ErlangError> {
    if lowest.is_nan() || lowest > MAX_AGENTS {
        return Err(ErlangError::Unreachable);
    }
    let mut x = libm::floor(guess.max(lowest).min(MAX_AGENTS));
    let mut step = libm::floor(first_step).max(1.0);
    // The highest failing point and the lowest passing one (with what it computed).
    let mut failing: Option<(f64, f64)> = None;
    let mut passing: Option<(f64, f64, T)> = None;
    let mut previous: Option<(f64, f64)> = None;
    // How many probes in a row fell on the same side of the crossing.
    let mut same_side = 0_u32;
    loop {
        let (value, computed) = slack(x)?;
        let met = value >= 0.0;
        if met {
            if passing.as_ref().is_none_or(|p| x < p.0) {
                passing = Some((x, value, computed));
            }
        } else if failing.is_none_or(|f| x > f.0) {
            failing = Some((x, value));
        }
        same_side = match previous {
            Some((_, before)) if (before >= 0.0) == met => same_side.saturating_add(1),
            _ => 0,
        };
        // Where the line through the last two points crosses zero, if it rises; from the first,
        // where a line of the expected slope does.
        let extrapolated = match previous {
            Some((x0, s0)) => {
                let estimate = x - value * (x - x0) / (value - s0);
                ((value - s0) / (x - x0) > 0.0 && estimate.is_finite()).then_some(estimate)
            }
            None => (slope > 0.0).then(|| x - value / slope).filter(|e| e.is_finite()),
        };
        previous = Some((x, value));
        x = match (failing, passing.as_ref()) {
            (Some(f), Some(p)) => {
                if p.0 - f.0 <= 1.0 {
                    break;
                }
                let estimate = if same_side >= 2 {
                    0.5 * (f.0 + p.0)
                } else {
                    // p.1 ≥ 0 > f.1: the line rises, and its zero is inside the bracket.
                    f.0 - f.1 * (p.0 - f.0) / (p.1 - f.1)
                };
                libm::ceil(estimate).clamp(f.0 + 1.0, p.0 - 1.0)
            }
            (Some(f), None) => {
                if f.0 >= MAX_AGENTS {
                    return Err(ErlangError::Unreachable);
                }
                let reach = f.0 + step;
                step *= 2.0;
                extrapolated.map_or(reach, |e| libm::ceil(e).min(reach)).max(f.0 + 1.0)
            }
            (None, Some(p)) => {
                if p.0 <= lowest {
                    break;
                }
                let reach = p.0 - step;
                step *= 2.0;
                // One below the estimated answer: a failing point there closes the bracket.
                extrapolated.map_or(reach, |e| (libm::ceil(e) - 1.0).max(reach)).min(p.0 - 1.0)
            }
            // Every probe is failing or passing: not reached.
            (None, None) => return Err(ErlangError::Unreachable),
        }
        .clamp(lowest, MAX_AGENTS);
    }
    let (agents, _, computed) = passing.ok_or(ErlangError::Unreachable)?;
    // Whole, non-negative and at most MAX_AGENTS.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok((agents as u32, computed))
}

/// Where a continuous, increasing `slack` (negative while a target is missed, ≥ 0 once met)
/// crosses 0, to 10⁻¹⁰ (relative, or absolute below 1): the passing end of the final bracket.
///
/// `known` holds points already evaluated, at least one failing (slack < 0) and one passing
/// (slack ≥ 0); the whole-agent search hands over the agents on both sides of its answer and
/// their neighbours, which cost it nothing extra. Each step interpolates the inverse function
/// through the three points whose slacks are nearest 0 (inverse quadratic interpolation, order
/// about 1.8) and keeps the estimate inside the bracket; once an estimate moves less than half a
/// tolerance, one point a tolerance across the last closes the bracket. A step that is not half
/// the one before the last is replaced by bisection (Brent's safeguard), so it never does much
/// worse than bisection. From four whole points it takes three to five evaluations where regula
/// falsi from the two ends took six to eleven.
///
/// `slack(x, accuracy)` may be computed only to within `accuracy` (an absolute error in the
/// slack's own unit) as long as its sign is right: an implementation that cannot vouch for the
/// sign of a value that small computes it exactly. The search asks for `10⁻³·(s/x)²` (at most
/// 10⁻⁷), `s` the slack of the point before and `x` the agents (the whole-agent estimate is
/// closer for larger centers): the first probes are 10⁻³ to 10⁻⁶ of an agent from the crossing
/// and need only a few digits to steer the next, and the last ones, next to it, get the exact
/// value.
pub(super) fn crossing(
    known: &[(f64, f64)],
    slack: impl Fn(f64, f64) -> Result<f64, ErlangError>,
) -> Result<f64, ErlangError> {
    let mut nearest = Nearest::default();
    let (mut failing, mut passing) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut last = (f64::NAN, f64::INFINITY);
    for &(x, value) in known {
        if value < 0.0 {
            failing = failing.max(x);
        } else {
            passing = passing.min(x);
        }
        if value.abs() < last.1.abs() {
            last = (x, value);
        }
        nearest.insert((x, value));
    }
    debug_assert!(failing < passing, "the known points must bracket the crossing");
    let mut steps = [f64::INFINITY; 2];
    for _ in 0..200 {
        let width = passing - failing;
        let tolerance = 1e-10 * passing.abs().max(1.0);
        if width <= tolerance {
            break;
        }
        let margin = 0.5 * tolerance;
        let bisect = 0.5 * (failing + passing);
        let candidate = match nearest.inverse_quadratic() {
            // The estimate has settled on the last point (inside the bracket or, by rounding,
            // just outside it): the crossing is within half a tolerance of that point, so a
            // point a tolerance across it ends the search.
            Some(estimate) if (estimate - last.0).abs() < margin => {
                if last.1 >= 0.0 {
                    last.0 - 0.9 * tolerance
                } else {
                    last.0 + 0.9 * tolerance
                }
            }
            Some(estimate) if estimate > failing && estimate < passing => {
                if (estimate - last.0).abs() > 0.5 * steps[0] {
                    bisect
                } else {
                    estimate.clamp(failing + margin, passing - margin)
                }
            }
            _ => bisect,
        };
        let candidate = if candidate > failing && candidate < passing { candidate } else { bisect };
        steps = [steps[1], (candidate - last.0).abs()];
        let relative = last.1 / candidate.max(1.0);
        let accuracy = (1e-3 * relative * relative).min(1e-7);
        let value = slack(candidate, accuracy)?;
        if value >= 0.0 {
            passing = candidate;
        } else {
            failing = candidate;
        }
        last = (candidate, value);
        nearest.insert(last);
    }
    Ok(passing)
}

/// The three points of a crossing search whose slacks are nearest 0, nearest first: all that
/// its interpolation reads.
#[derive(Default)]
struct Nearest {
    points: heapless::Vec<(f64, f64), 3>,
}

impl Nearest {
    /// Keeps `point` if it is among the three nearest so far (and its slack is finite).
    fn insert(&mut self, point: (f64, f64)) {
        if !point.1.is_finite() {
            return;
        }
        let size = point.1.abs();
        let at = self.points.iter().position(|p| size < p.1.abs()).unwrap_or(self.points.len());
        if at < self.points.capacity() {
            if self.points.is_full() {
                self.points.pop();
            }
            let _ = self.points.insert(at, point);
        }
    }

    /// Where the parabola through the three points, seen as agents in terms of slack, gives
    /// slack 0; the secant through the two nearest when there are only two or two slacks
    /// coincide. `None` with fewer than two points.
    fn inverse_quadratic(&self) -> Option<f64> {
        match *self.points {
            [(x0, s0), (x1, s1), (x2, s2)] if s0 != s1 && s1 != s2 && s0 != s2 => Some(
                x0 * s1 * s2 / ((s0 - s1) * (s0 - s2))
                    + x1 * s0 * s2 / ((s1 - s0) * (s1 - s2))
                    + x2 * s0 * s1 / ((s2 - s0) * (s2 - s1)),
            ),
            [(x0, s0), (x1, s1), ..] if s0 != s1 => Some(x0 - s0 * (x1 - x0) / (s1 - s0)),
            _ => None,
        }
    }
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
