//! Erlang B: lost calls cleared.

use super::special::{SERIES_EPSILON, fractional_erlang_b_base};
use super::{ErlangError, MAX_AGENTS, check_agents, check_traffic, uniform};

/// Above this partial sum of `1/B`, the blocking probability is below 10⁻³⁰⁰ and reported as 0.
const NEGLIGIBLE_INVERSE: f64 = 1e300;

/// `1/B(lines, traffic)`, or infinity once it is certain to exceed 10³⁰⁰.
///
/// `1/B(x) = Σ_{i=0}^{n−1} Pᵢ + Pₙ·J(f)` with `Pᵢ = Π_{m<i} (x − m)/A`, `n = ⌊x⌋`, `f = x − n`:
/// the recursion `1/B(x) = 1 + (x/A)/B(x − 1)` unrolled from the top. All terms are positive, so
/// the sum is as accurate as its terms; it stops once the remainder, which is `Pᵢ/B(x − i)` and at
/// most `Pᵢ / (1 − (x − i)/A)` when `x − i < A` (carried traffic never exceeds the lines),
/// cannot change it. That is after about `x − A + 9√A` terms, not `x`.
pub(crate) fn inverse_blocking(traffic: f64, lines: f64) -> f64 {
    inverse_blocking_within(traffic, lines, SERIES_EPSILON)
}

/// [`inverse_blocking`] to a relative error of a few `epsilon` (≥ [`SERIES_EPSILON`]): the sum
/// stops once its remainder is at most `epsilon` of it, and the base's continued fraction once a
/// step moves it by at most that. A search steering towards a crossing needs only a few digits
/// at first: at 10⁻⁷, 5.5 lines offered 3 erlangs take 8 steps of the continued fraction instead
/// of 36, and 150.5 lines offered 140 erlangs 69 terms of the sum instead of 99.
///
/// Where the sum would be long (`x − A + 9√A` past 160 terms: a few hundred agents near the
/// traffic), Temme's uniform expansion ([`uniform::inverse_blocking`]) gives the full precision
/// in a fixed time instead: 80 ns here, against 25 ns and 0.5 ns a term for the sum.
pub(crate) fn inverse_blocking_within(traffic: f64, lines: f64, epsilon: f64) -> f64 {
    // Where the two cost the same (near 300 erlangs). Fewer than 100 lines never get there.
    const LONG_SUM: f64 = 160.0;
    if lines > 100.0 && (lines - traffic).max(0.0) + 9.0 * libm::sqrt(traffic) > LONG_SUM {
        if let Some(inverse) = uniform::inverse_blocking(traffic, lines) {
            return if inverse > NEGLIGIBLE_INVERSE { f64::INFINITY } else { inverse };
        }
    }
    inverse_blocking_sum(traffic, lines, epsilon)
}

/// `1/B(lines + 1)` from `inverse = 1/B(lines)`: Erlang B's recursion, `1 + ((n + 1)/A)/B(n)`.
/// Every term is positive, so a step up loses nothing.
pub(super) fn inverse_blocking_up(traffic: f64, lines: f64, inverse: f64) -> f64 {
    1.0 + (lines + 1.0) / traffic * inverse
}

/// `1/B(lines − 1)` from `inverse = 1/B(lines)`: the recursion backwards, `(1/B(n) − 1)·A/n`.
/// Above the traffic `1/B(n) > 2`, so a step down loses at most a bit.
pub(super) fn inverse_blocking_down(traffic: f64, lines: f64, inverse: f64) -> f64 {
    (inverse - 1.0) * traffic / lines
}

/// [`inverse_blocking_within`] by the sum, whatever its length.
pub(super) fn inverse_blocking_sum(traffic: f64, lines: f64, epsilon: f64) -> f64 {
    if traffic == 0.0 {
        return if lines == 0.0 { 1.0 } else { f64::INFINITY };
    }
    let per_erlang = 1.0 / traffic;
    let mut sum = 0.0;
    let mut term = 1.0;
    let mut remaining = lines;
    // Four terms at a time: their ratios to the block's first term are formed apart from the
    // running product, so the chain that carries `term` is one multiplication per block rather
    // than four (a 1,000-agent sum is latency-bound otherwise).
    while remaining >= 4.0 {
        let r0 = remaining * per_erlang;
        let r01 = r0 * ((remaining - 1.0) * per_erlang);
        let r012 = r01 * ((remaining - 2.0) * per_erlang);
        let r0123 = r012 * ((remaining - 3.0) * per_erlang);
        sum += (term + term * r0) + (term * r01 + term * r012);
        if sum > NEGLIGIBLE_INVERSE {
            return f64::INFINITY;
        }
        term *= r0123;
        remaining -= 4.0;
        // The rest is `term / B(remaining)`, at most `term / (1 − remaining/A)` once the lines
        // left are fewer than the erlangs; compared without a division.
        if remaining < traffic && term <= sum * epsilon * (1.0 - remaining * per_erlang) {
            return sum;
        }
    }
    while remaining >= 1.0 {
        sum += term;
        if sum > NEGLIGIBLE_INVERSE {
            return f64::INFINITY;
        }
        term *= remaining * per_erlang;
        remaining -= 1.0;
        if remaining < traffic && term <= sum * epsilon * (1.0 - remaining * per_erlang) {
            return sum;
        }
    }
    sum += term * fractional_erlang_b_base(remaining, traffic, epsilon);
    if sum > NEGLIGIBLE_INVERSE { f64::INFINITY } else { sum }
}

/// The Erlang B blocking probability: the share of calls that find all `lines` busy and are
/// lost, for `traffic` erlangs offered. `lines` may be fractional (the continuous extension).
///
/// ```
/// // 10 erlangs on 15 trunks lose 3.65 % of calls (the classic table value 0.036 496).
/// let b = callboard_core::erlang::blocking(10.0, 15.0)?;
/// assert!((b - 0.036_496).abs() < 1e-6);
/// # Ok::<(), callboard_core::erlang::ErlangError>(())
/// ```
///
/// # Errors
/// [`ErlangError::InvalidTraffic`], [`ErlangError::InvalidAgents`].
pub fn blocking(traffic: f64, lines: f64) -> Result<f64, ErlangError> {
    check_traffic(traffic)?;
    check_agents(lines)?;
    Ok(1.0 / inverse_blocking(traffic, lines))
}

/// The fewest whole lines that keep blocking at or below `max_blocking`.
///
/// # Errors
/// [`ErlangError::InvalidTraffic`], [`ErlangError::InvalidBlocking`] (outside (0, 1)),
/// [`ErlangError::Unreachable`] beyond [`MAX_AGENTS`] lines.
pub fn fewest_lines(traffic: f64, max_blocking: f64) -> Result<u32, ErlangError> {
    check_traffic(traffic)?;
    check_blocking(max_blocking)?;
    if traffic == 0.0 {
        // No calls, nothing to block.
        return Ok(0);
    }
    let meets = |lines: f64| Ok(1.0 / inverse_blocking(traffic, lines) <= max_blocking);
    super::search::fewest_whole(0.0, libm::ceil(traffic), meets)
}

/// The fewest lines, as a real number, that keep blocking at or below `max_blocking`: where the
/// continuous Erlang B curve crosses the target. Always within one line below
/// [`fewest_lines`].
///
/// # Errors
/// As [`fewest_lines`].
pub fn fractional_lines(traffic: f64, max_blocking: f64) -> Result<f64, ErlangError> {
    let whole = f64::from(fewest_lines(traffic, max_blocking)?);
    if whole == 0.0 {
        return Ok(0.0);
    }
    // Computed exactly whatever accuracy the search would settle for.
    let slack =
        |lines: f64, _accuracy: f64| Ok(max_blocking - 1.0 / inverse_blocking(traffic, lines));
    let low = whole - 1.0;
    let ends = [(low, slack(low, 0.0)?), (whole, slack(whole, 0.0)?.max(0.0))];
    super::search::crossing(&ends, slack)
}

/// The traffic a number of lines takes at a blocking probability.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CarriedTraffic {
    /// The offered traffic at which blocking equals the target, in erlangs.
    pub offered_erlangs: f64,
    /// The traffic actually carried, `offered · (1 − blocking)`, in erlangs.
    pub carried_erlangs: f64,
}

/// The most traffic `lines` can be offered with blocking at most `blocking`, and what they carry.
///
/// Blocking grows with traffic, so this is the root of `B(lines, A) = blocking`, found by
/// bisection to the last representable digit.
///
/// # Errors
/// [`ErlangError::InvalidAgents`] (also for 0 lines, which block everything),
/// [`ErlangError::InvalidBlocking`] (outside (0, 1)), [`ErlangError::InvalidTraffic`] when the
/// answer exceeds [`super::MAX_TRAFFIC`].
pub fn traffic_at_blocking(lines: f64, blocking: f64) -> Result<CarriedTraffic, ErlangError> {
    check_agents(lines)?;
    if lines <= 0.0 {
        return Err(ErlangError::InvalidAgents);
    }
    check_blocking(blocking)?;
    let too_much = |traffic: f64| 1.0 / inverse_blocking(traffic, lines) > blocking;
    // Blocking grows with traffic towards 1: double until it is past the target.
    let mut high = lines;
    while !too_much(high) {
        high *= 2.0;
        if high > super::MAX_TRAFFIC * 2.0 {
            // The answer lies beyond the traffic any function accepts.
            return Err(ErlangError::InvalidTraffic);
        }
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if too_much(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    Ok(CarriedTraffic { offered_erlangs: low, carried_erlangs: low * (1.0 - blocking) })
}

pub(crate) fn check_blocking(blocking: f64) -> Result<(), ErlangError> {
    if blocking.is_finite() && blocking > 0.0 && blocking < 1.0 {
        Ok(())
    } else {
        Err(ErlangError::InvalidBlocking)
    }
}

const _: () = assert!(MAX_AGENTS < 9e15, "line counts must stay exact in an f64");

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_recursion(traffic: f64, lines: u32) -> f64 {
        let mut b = 1.0;
        for k in 1..=lines {
            b = traffic * b / (f64::from(k) + traffic * b);
        }
        b
    }

    /// The reduced precision keeps its promise: within a few `epsilon` of the full value, at
    /// loads where the sum is cut short and where it reaches the continued fraction.
    #[test]
    fn a_coarser_inverse_is_within_its_epsilon() {
        for (traffic, lines) in
            [(0.7, 1.5), (2.5, 4.25), (3.0, 5.5), (7.0, 9.9), (20.0, 26.5), (900.0, 930.5)]
        {
            let exact = inverse_blocking(traffic, lines);
            for epsilon in [1e-6, 1e-9, 1e-12, SERIES_EPSILON] {
                let coarse = inverse_blocking_within(traffic, lines, epsilon);
                let error = ((coarse - exact) / exact).abs();
                assert!(error <= 4.0 * epsilon.max(1e-15), "{traffic} E, {lines}: {error:e}");
            }
        }
    }

    #[test]
    fn agrees_with_the_textbook_recursion() {
        for lines in [1, 2, 7, 30, 171, 400] {
            for traffic in [0.5, 5.0, 25.0, 150.0, 390.0, 800.0] {
                let expected = naive_recursion(traffic, lines);
                let actual = blocking(traffic, f64::from(lines)).unwrap();
                if expected < 1e-290 {
                    assert!(actual < 1e-280, "{traffic} E on {lines}: {actual}");
                } else {
                    let error = ((actual - expected) / expected).abs();
                    assert!(error < 1e-12, "{traffic} E on {lines}: {actual} vs {expected}");
                }
            }
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(blocking(0.0, 0.0), Ok(1.0));
        assert_eq!(blocking(0.0, 3.0), Ok(0.0));
        assert_eq!(blocking(4.0, 0.0), Ok(1.0));
        // One line: B = A / (1 + A).
        assert!((blocking(3.0, 1.0).unwrap() - 0.75).abs() < 1e-15);
        // Far more lines than traffic: below 10⁻³⁰⁰, reported as 0, fast.
        assert_eq!(blocking(10.0, 1e6), Ok(0.0));
        assert_eq!(blocking(-1.0, 3.0), Err(ErlangError::InvalidTraffic));
        assert_eq!(blocking(1.0, f64::NAN), Err(ErlangError::InvalidAgents));
        assert_eq!(blocking(1.0, 2e6), Err(ErlangError::InvalidAgents));
    }

    #[test]
    fn fractional_lines_interpolate_monotonically() {
        let mut previous = f64::INFINITY;
        let mut lines = 0.0;
        while lines <= 12.0 {
            let b = blocking(8.0, lines).unwrap();
            assert!(b < previous, "B(8, {lines}) = {b} not below {previous}");
            previous = b;
            lines += 0.125;
        }
    }

    #[test]
    fn sizing_and_its_inverse() {
        // 10 E at 1 % blocking: 18 lines (B(17) = 1.45 %, B(18) = 0.71 %).
        assert_eq!(fewest_lines(10.0, 0.01), Ok(18));
        let fractional = fractional_lines(10.0, 0.01).unwrap();
        assert!(fractional > 17.0 && fractional <= 18.0, "{fractional}");
        assert!((blocking(10.0, fractional).unwrap() - 0.01).abs() < 1e-9);
        let carried = traffic_at_blocking(18.0, 0.01).unwrap();
        assert!((blocking(carried.offered_erlangs, 18.0).unwrap() - 0.01).abs() < 1e-12);
        assert!((carried.carried_erlangs - carried.offered_erlangs * 0.99).abs() < 1e-12);
        assert_eq!(fewest_lines(0.0, 0.01), Ok(0));
        assert_eq!(fewest_lines(10.0, 1.0), Err(ErlangError::InvalidBlocking));
        assert_eq!(traffic_at_blocking(0.0, 0.01), Err(ErlangError::InvalidAgents));
    }
}
