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
/// their neighbours, which cost it little. Each step interpolates the inverse function (the
/// agents as a polynomial in the slack) through the [`INTERPOLATED`] points whose slacks are
/// nearest 0, and keeps the estimate inside the bracket. An estimate that moved by less than
/// [`SURE`] tolerances when the farthest of those points joined is trusted: two points, a little
/// under and a little over it, are evaluated together (neither waits for the other, so their
/// latencies overlap) and end the search. Otherwise the next point goes just short of the
/// estimate, on the side the last point is not, and once an estimate is within half a tolerance
/// of the last point, one point a tolerance across closes the bracket. A step that is not half
/// the one before the last is replaced by bisection (Brent's safeguard), so it never does much
/// worse than bisection. On the sample week this takes 3.4, 3.1 and 2.2 evaluations at peaks of
/// 13, 100 and 941 agents, the last two at once (three points, one at a time: 4.0, 3.5 and 3.0).
///
/// `slack(x, accuracy)` may be computed only to within `accuracy` (an absolute error in the
/// slack's own unit) as long as its sign is right: an implementation that cannot vouch for the
/// sign of a value that small computes it exactly. The search asks for `10⁻³·(s/x)²` (at most
/// 10⁻⁷), `s` the slack of the point before and `x` the agents, but never less than a tenth of
/// what the slack rises over a tolerance: the first probes need only a few digits to steer the
/// next, and the last ones, a fraction of a tolerance from the crossing on either side, need no
/// more than that to be signed (asking the exact value of a point on the crossing would cost
/// the full precision and, most of the time, the exact figures too).
pub(super) fn crossing(
    known: &[(f64, f64)],
    slack: impl Fn(f64, f64) -> Result<f64, ErlangError>,
) -> Result<f64, ErlangError> {
    let mut search = Search {
        nearest: Nearest::default(),
        failing: f64::NEG_INFINITY,
        passing: f64::INFINITY,
        last: (f64::NAN, f64::INFINITY),
    };
    for &point in known {
        search.record(point);
    }
    // The known point nearest the crossing, as if looked at last.
    if let Some(&nearest) = known.iter().min_by(|a, b| a.1.abs().total_cmp(&b.1.abs())) {
        search.last = nearest;
    }
    debug_assert!(search.failing < search.passing, "the known points must bracket the crossing");
    let mut steps = [f64::INFINITY; 2];
    for _ in 0..200 {
        let (failing, passing, last) = (search.failing, search.passing, search.last);
        let width = passing - failing;
        let tolerance = 1e-10 * passing.abs().max(1.0);
        if width <= tolerance {
            break;
        }
        let margin = 0.5 * tolerance;
        let bisect = 0.5 * (failing + passing);
        let interpolated = search.nearest.inverse_interpolation();
        // Never finer than a tenth of what the tolerance moves the slack: a value that close
        // to 0 is computed exactly anyway, and no estimate needs to be better than that.
        let resolution = 0.1 * tolerance * search.nearest.slope().unwrap_or(0.0);
        let accuracy_at = |candidate: f64| {
            let relative = last.1 / candidate.max(1.0);
            (1e-3 * relative * relative).min(1e-7).max(resolution)
        };
        if let Some(Interpolated { estimate, spread }) = interpolated {
            // Sure enough: the two points that end the search, a little under and a little over
            // the estimate, evaluated together. Only where neither end of the bracket is already
            // that close, or the one evaluation the settled case below takes would do.
            let (under, over) = (estimate - 0.45 * tolerance, estimate + 0.45 * tolerance);
            if spread < SURE * tolerance
                && failing < estimate - 0.9 * tolerance
                && passing > estimate + 0.9 * tolerance
            {
                let (at_under, at_over) =
                    (slack(under, accuracy_at(under))?, slack(over, accuracy_at(over))?);
                search.record((under, at_under));
                search.record((over, at_over));
                steps = [steps[1], (estimate - last.0).abs()];
                continue;
            }
        }
        let candidate = match interpolated.map(|i| i.estimate) {
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
                    // Not on the estimate but just short of it, on the side the last point is
                    // not: an estimate within a tolerance of the crossing then leaves a point
                    // on each side (this one, then the settled case's), and neither has a slack
                    // too close to 0 for an approximate value to sign.
                    let aside = if last.1 >= 0.0 { -0.45 } else { 0.45 };
                    (estimate + aside * tolerance).clamp(failing + margin, passing - margin)
                }
            }
            _ => bisect,
        };
        let candidate = if candidate > failing && candidate < passing { candidate } else { bisect };
        steps = [steps[1], (candidate - last.0).abs()];
        let value = slack(candidate, accuracy_at(candidate))?;
        search.record((candidate, value));
    }
    Ok(search.passing)
}

/// The state of a crossing search: the bracket, the point looked at last, and the points its
/// interpolation reads.
struct Search {
    nearest: Nearest,
    failing: f64,
    passing: f64,
    last: (f64, f64),
}

impl Search {
    fn record(&mut self, (x, value): (f64, f64)) {
        if value >= 0.0 {
            self.passing = self.passing.min(x);
        } else {
            self.failing = self.failing.max(x);
        }
        self.last = (x, value);
        self.nearest.insert(self.last);
    }
}

/// How many points a crossing search interpolates through: the known whole agents around the
/// answer and the probes since, nearest the crossing first. Five did best on the sample week:
/// four left the first probe at 941 agents 10⁻¹¹ of an agent short of a tolerance as often as
/// not, and six cost more in interpolation at 100 agents than they saved in evaluations.
const INTERPOLATED: usize = 5;

/// How little, in tolerances, an estimate must have moved when the farthest interpolated point
/// joined ([`Interpolated::spread`]) for the search to end with a point on each side of it. The
/// move measures the error of the estimate without that point; the estimate with it is closer.
/// On the sample week a pair landed on one side of the crossing (and the search went on) in 4,
/// 18 and 2 of the 399 intervals with calls at peaks of 13, 100 and 941 agents; a fifth of a
/// tolerance measured slower overall.
const SURE: f64 = 1.0;

/// The points of a crossing search whose slacks are nearest 0, nearest first: all that its
/// interpolation reads.
#[derive(Default)]
struct Nearest {
    points: heapless::Vec<(f64, f64), INTERPOLATED>,
}

impl Nearest {
    /// Keeps `point` if it is among the [`INTERPOLATED`] nearest so far (and its slack is finite
    /// and not one already kept, which the interpolation could not tell apart).
    fn insert(&mut self, point: (f64, f64)) {
        if !point.1.is_finite() || self.points.iter().any(|p| p.1 == point.1) {
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

    /// The slack's rise an agent between the two points nearest the crossing, if it rises.
    fn slope(&self) -> Option<f64> {
        match *self.points {
            [(x0, s0), (x1, s1), ..] => Some((s1 - s0) / (x1 - x0)).filter(|slope| *slope > 0.0),
            _ => None,
        }
    }

    /// Where the polynomial through the points, seen as agents in terms of slack, gives slack 0,
    /// and how far that moved when the farthest point joined. Inverse interpolation through `k`
    /// points misses by about the product of their slacks, so five whole agents around the
    /// answer (slacks of a few tenths) place the first estimate 4·10⁻⁶ of an agent from the
    /// crossing at 6 erlangs, 10⁻⁷ at 50 and 10⁻¹⁰ at 800, where three missed by 3·10⁻⁴, 7·10⁻⁵
    /// and 3·10⁻⁷. The agents are taken relative to the nearest point, so the rounding is that
    /// of the few agents the points span, not of the agents themselves. `None` with fewer than
    /// two points.
    // Every index is below the number of points, at most INTERPOLATED.
    #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
    fn inverse_interpolation(&self) -> Option<Interpolated> {
        let count = self.points.len();
        if count < 2 {
            return None;
        }
        let nearest = self.points[0].0;
        let (mut x, mut s) = ([0.0; INTERPOLATED], [0.0; INTERPOLATED]);
        for (i, &(agents, slack)) in self.points.iter().enumerate() {
            (x[i], s[i]) = (agents - nearest, slack);
        }
        // Lagrange's form at 0: each weight Π_{j≠i} s_j / Π_{j≠i} (s_j − s_i) is independent of
        // the others, so the divisions overlap (Neville's scheme chains them). Without the
        // farthest point m, weight i is this one times (s_m − s_i)/s_m.
        let far = count - 1;
        let (mut offset, mut without_far) = (0.0, 0.0);
        for i in 1..count {
            let (mut numerator, mut denominator) = (1.0, 1.0);
            for j in (0..i).chain(i + 1..count) {
                numerator *= s[j];
                denominator *= s[j] - s[i];
            }
            let term = x[i] * (numerator / denominator);
            offset += term;
            if i < far {
                without_far += term * (s[far] - s[i]);
            }
        }
        let spread = if count > 2 { (offset - without_far / s[far]).abs() } else { f64::INFINITY };
        let estimate = nearest + offset;
        (estimate.is_finite() && !spread.is_nan()).then_some(Interpolated { estimate, spread })
    }
}

/// An interpolated crossing, and how far it moved when the farthest point joined: about the
/// error of the estimate without that point, so more than the estimate's own.
struct Interpolated {
    estimate: f64,
    spread: f64,
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

    fn nearest(points: &[(f64, f64)]) -> Nearest {
        let mut nearest = Nearest::default();
        for &point in points {
            nearest.insert(point);
        }
        nearest
    }

    /// Agents as a polynomial of degree four or less in the slack are interpolated exactly from
    /// five points, and the move when the farthest joined is what the four nearest missed by.
    #[test]
    fn interpolation_through_five_points_is_exact_to_degree_four() {
        let slacks = [0.05, -0.2, 0.4, -0.7, 1.1];
        let at = |x: fn(f64) -> f64| nearest(&slacks.map(|s| (x(s), s))).inverse_interpolation();
        let cubic = at(|s| 7.0 + s * (2.0 + s * (-0.5 + s * 0.1))).unwrap();
        assert!((cubic.estimate - 7.0).abs() < 1e-13, "{}", cubic.estimate);
        assert!(cubic.spread < 1e-13, "{}", cubic.spread);
        // A quartic term: five points still exact; without 1.1, the four nearest miss by the
        // product of their slacks times the quartic's coefficient.
        let quartic = at(|s| 7.0 + s * (2.0 + s * (-0.5 + s * (0.1 + s * 0.03)))).unwrap();
        assert!((quartic.estimate - 7.0).abs() < 1e-13, "{}", quartic.estimate);
        let four_missed: f64 = 0.03 * 0.05 * -0.2 * 0.4 * -0.7;
        assert!((quartic.spread - four_missed.abs()).abs() < 1e-13, "{}", quartic.spread);
        // Fewer than two points, or two equal slacks kept once: nothing to interpolate.
        assert!(nearest(&[(3.0, 0.5)]).inverse_interpolation().is_none());
        assert!(nearest(&[(3.0, 0.5), (4.0, 0.5)]).inverse_interpolation().is_none());
    }

    /// From five whole points around it, the crossing of a smooth slack takes one evaluation to
    /// steer and a pair to close: within a tolerance, on the passing side, and the last two
    /// asked for no more than the tolerance needs.
    #[test]
    fn a_smooth_crossing_ends_with_a_pair() {
        let root = 7.3_f64;
        let asked = core::cell::RefCell::new(heapless::Vec::<(f64, f64), 16>::new());
        let slack = |x: f64, accuracy: f64| {
            let _ = asked.borrow_mut().push((x, accuracy));
            Ok(libm::log(x / root))
        };
        let known = [5.0, 6.0, 7.0, 8.0, 9.0].map(|x| (x, libm::log(x / root)));
        let crossing = crossing(&known, slack).unwrap();
        let tolerance = 1e-10 * root;
        assert!(crossing >= root && crossing - root <= tolerance, "{crossing}");
        let asked = asked.into_inner();
        assert_eq!(asked.len(), 3, "{asked:?}");
        let (under, over, slope) = (asked[1], asked[2], 1.0 / root);
        assert!(under.0 < root && root < over.0 && over.0 - under.0 < tolerance, "{asked:?}");
        for (_, accuracy) in [under, over] {
            assert!(accuracy >= 0.05 * tolerance * slope, "{accuracy:e}");
        }
    }
}
