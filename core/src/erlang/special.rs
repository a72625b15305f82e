//! The special functions the queueing formulas need, written for the whole range the staffing
//! math promises (up to 100,000 agents and beyond) rather than for the textbook range.
//!
//! Where a quantity would overflow a `f64` on its own (Γ(100 001), e^100 000), it is only ever
//! formed as a ratio or in log space. Accuracy is checked against arbitrary-precision references
//! in `core/tests/erlang_reference.rs`.

use core::f64::consts::PI;

/// Series and continued fractions stop once a term no longer changes the sum at this relative
/// size (well below one unit in the last place of an `f64`).
pub(crate) const SERIES_EPSILON: f64 = 1e-17;

/// No series or continued fraction here runs longer; the bounds are far above what any finite
/// input needs (about 10·√a terms for an argument near a), so hitting one means a non-finite
/// input slipped through, and the partial result is returned rather than looping forever.
const MAX_TERMS: u32 = 10_000_000;

/// `t − ln(1 + t)` without the cancellation of the direct form for small `t`.
pub(super) fn t_minus_log1p(t: f64) -> f64 {
    // 1/(2j + 3) for j = 0, 1, …: the series below needs 17 terms at |u| = ⅓.
    const ODD: [f64; 18] = [
        1.0 / 3.0,
        1.0 / 5.0,
        1.0 / 7.0,
        1.0 / 9.0,
        1.0 / 11.0,
        1.0 / 13.0,
        1.0 / 15.0,
        1.0 / 17.0,
        1.0 / 19.0,
        1.0 / 21.0,
        1.0 / 23.0,
        1.0 / 25.0,
        1.0 / 27.0,
        1.0 / 29.0,
        1.0 / 31.0,
        1.0 / 33.0,
        1.0 / 35.0,
        1.0 / 37.0,
    ];
    if (-0.5..=1.0).contains(&t) {
        // ln(1 + t) = 2·atanh(u) = 2(u + u³/3 + u⁵/5 + …) with u = t/(2 + t), |u| ≤ ⅓, and
        // t − 2u = t·u exactly, so t − ln(1 + t) = t·u − 2u³(1/3 + u²/5 + u⁴/7 + …). For t < 0
        // both parts are positive; for t > 0 the second is at most a tenth of the first. (The
        // direct form loses up to three bits at |t| = 0.2.) The series' terms are positive.
        let u = t / (2.0 + t);
        let v = u * u;
        let mut tail = 0.0;
        let mut power = 1.0;
        for c in ODD {
            let term = power * c;
            tail += term;
            if term <= tail * SERIES_EPSILON {
                break;
            }
            power *= v;
        }
        t * u - 2.0 * u * v * tail
    } else {
        // At most a factor 3 cancels here (t = 1 or −0.5): under two bits.
        t - libm::log1p(t)
    }
}

/// `ln Γ(a + 1) − [(a + ½) ln a − a + ½ ln 2π]`, Stirling's correction, for `a ≥ 10`.
/// Coefficients: the Bernoulli-number series, DLMF 5.11.1.
fn stirling_correction(a: f64) -> f64 {
    let inv = 1.0 / a;
    let inv2 = inv * inv;
    // 1/12a − 1/360a³ + 1/1260a⁵ − 1/1680a⁷ + 1/1188a⁹ − 691/360360a¹¹ + 1/156a¹³
    inv * (1.0 / 12.0
        + inv2
            * (-1.0 / 360.0
                + inv2
                    * (1.0 / 1260.0
                        + inv2
                            * (-1.0 / 1680.0
                                + inv2
                                    * (1.0 / 1188.0
                                        + inv2 * (-691.0 / 360_360.0 + inv2 * (1.0 / 156.0)))))))
}

/// `ln(z^a e^{−z} / Γ(a + 1))` for `a > 0`, `z > 0`: the Poisson-like prefactor of the
/// incomplete gamma functions, accurate when `a` and `z` are large and close (the case of a
/// busy center), where the three logarithms of the direct form cancel to a few units.
fn ln_gamma_prefactor(a: f64, z: f64) -> f64 {
    if a < 10.0 {
        a * libm::log(z) - z - libm::lgamma(a + 1.0)
    } else {
        let t = (z - a) / a;
        -a * t_minus_log1p(t) - 0.5 * libm::log(2.0 * PI * a) - stirling_correction(a)
    }
}

/// The regularized incomplete gamma functions `(P(a, z), Q(a, z))` for `a > 0`, `z ≥ 0`.
///
/// The smaller of the two is computed directly (series below the transition, Legendre's
/// continued fraction above it) and the other as its complement, so the small one keeps its
/// full relative accuracy.
pub(crate) fn regularized_gamma(a: f64, z: f64) -> (f64, f64) {
    if z <= 0.0 {
        return (0.0, 1.0);
    }
    if z < a + 1.0 {
        let (ln_prefactor, sum) = lower_gamma_series(a, z);
        let p = libm::exp(ln_prefactor) * sum;
        (p, 1.0 - p)
    } else {
        let fraction = gamma_continued_fraction(a, z, SERIES_EPSILON);
        let q = a * libm::exp(ln_gamma_prefactor(a, z)) * fraction;
        (1.0 - q, q)
    }
}

/// `P(a, z) = e^{ln_prefactor} · sum`, returned as the pair so that ratios of two lower
/// incomplete gammas can be formed even where each underflows. Converges for any `z`, fast for
/// `z < a + 1`.
fn lower_gamma_series(a: f64, z: f64) -> (f64, f64) {
    // γ(a, z) / Γ(a) = z^a e^{−z} / Γ(a + 1) · Σₙ zⁿ / ((a + 1)…(a + n)).
    (ln_gamma_prefactor(a, z), lower_series_sum(a, z))
}

/// `Σₙ zⁿ / ((a + 1)…(a + n))`, term by term: the sum of [`lower_gamma_series`] without its
/// prefactor. Fast for `z < a + 1`.
pub(crate) fn lower_series_sum(a: f64, z: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let mut denominator = a;
    for _ in 0..MAX_TERMS {
        denominator += 1.0;
        term *= z / denominator;
        sum += term;
        if term <= sum * SERIES_EPSILON {
            break;
        }
    }
    sum
}

/// `1 − P(a, z) / P(a, y)` for `0 ≤ z ≤ y`, `y > 0`: of the mass of the lower incomplete gamma up
/// to `y`, the share above `z`. Formed from whichever tail is small, so neither a tiny `P(a, y)`
/// (light load, many agents) nor a `P` close to 1 (heavy load) costs accuracy.
pub(crate) fn lower_gamma_share_above(a: f64, z: f64, y: f64) -> f64 {
    if z <= 0.0 {
        return 1.0;
    }
    if y < a + 1.0 {
        let (ln_z, sum_z) = lower_gamma_series(a, z);
        let (ln_y, sum_y) = lower_gamma_series(a, y);
        1.0 - libm::exp(ln_z - ln_y) * sum_z / sum_y
    } else {
        let (p_y, q_y) = regularized_gamma(a, y);
        let (p_z, q_z) = regularized_gamma(a, z);
        if p_z <= 0.5 { (p_y - p_z) / p_y } else { (q_z - q_y) / p_y }
    }
}

/// Legendre's continued fraction `1/(z + 1 − a − 1·(1 − a)/(z + 3 − a − 2·(2 − a)/…))`, which is
/// `Γ(a, z) e^z z^{−a}`. Converges fast for `z > a + 1`.
///
/// Evaluated by the forward (Wallis) recurrence of its numerators and denominators rather than
/// by Lentz's method: a step is then four multiply-adds on two independent chains instead of two
/// dependent divisions. It stops on the size of the last change, `|Pₖ Qₖ₋₁ − Pₖ₋₁ Qₖ| = Π|aᵢ|`,
/// which is exact, rather than on two rounded convergents agreeing to the last bit (which could
/// take three times the steps); it stops once that change is at most `epsilon` of the value
/// ([`SERIES_EPSILON`] for the full precision). The running values are rescaled together before
/// they overflow.
fn gamma_continued_fraction(a: f64, z: f64, epsilon: f64) -> f64 {
    const HUGE: f64 = 1e100;
    const SCALE: f64 = 1e-100;
    // K = b₀ + a₁/(b₁ + a₂/(b₂ + …)), bᵢ = z + 2i + 1 − a, aᵢ = −i(i − a); the fraction is 1/K.
    let mut b = z + 1.0 - a;
    let (mut p_prev, mut p) = (1.0, b);
    let (mut q_prev, mut q) = (0.0, 1.0);
    // |P₀ Q₋₁ − P₋₁ Q₀| = 1, and each step multiplies it by |aᵢ|.
    let mut change = 1.0;
    let mut i = 1.0;
    for _ in 0..MAX_TERMS / 4 {
        for _ in 0..4 {
            let an = -i * (i - a);
            b += 2.0;
            let p_next = b * p + an * p_prev;
            let q_next = b * q + an * q_prev;
            (p_prev, p, q_prev, q) = (p, p_next, q, q_next);
            change *= an.abs();
            i += 1.0;
        }
        // |Kₖ − Kₖ₋₁| / |Kₖ| = change / |Pₖ Qₖ₋₁|.
        if change <= epsilon * (p * q_prev).abs() {
            break;
        }
        if p.abs().max(q.abs()) > HUGE {
            (p_prev, p, q_prev, q) = (p_prev * SCALE, p * SCALE, q_prev * SCALE, q * SCALE);
            change *= SCALE * SCALE;
        }
    }
    q / p
}

/// The asymptotic part of the digamma function, `ψ(z) − ln z`, for `z ≥ 10` (DLMF 5.11.2).
fn digamma_tail(z: f64) -> f64 {
    let inv = 1.0 / z;
    let inv2 = inv * inv;
    // −1/2z − 1/12z² + 1/120z⁴ − 1/252z⁶ + 1/240z⁸ − 1/132z¹⁰ + 691/32760z¹² − 1/12z¹⁴
    -0.5 * inv
        - inv2
            * (1.0 / 12.0
                + inv2
                    * (-1.0 / 120.0
                        + inv2
                            * (1.0 / 252.0
                                + inv2
                                    * (-1.0 / 240.0
                                        + inv2
                                            * (1.0 / 132.0
                                                + inv2 * (-691.0 / 32_760.0 + inv2 / 12.0))))))
}

/// `ψ(a + p) − ψ(a)` for `a > 0`, `p ≥ 0`, i.e. `Σ_{i=0}^{p−1} 1/(a + i)` for whole `p`,
/// without summing `p` terms and without the cancellation of subtracting two digammas.
pub(crate) fn digamma_difference(a: f64, p: f64) -> f64 {
    let mut lower = a;
    let mut upper = a + p;
    let mut shifted = 0.0;
    // ψ(z) = ψ(z + 1) − 1/z: move both arguments up until the asymptotic series is exact.
    while lower < 10.0 {
        shifted += 1.0 / lower - 1.0 / upper;
        lower += 1.0;
        upper += 1.0;
    }
    shifted + libm::log1p(p / lower) + (digamma_tail(upper) - digamma_tail(lower))
}

/// `J(f, A) = A ∫₀^∞ e^{−At} (1 + t)^f dt = e^A A^{−f} Γ(f + 1, A)` for `0 ≤ f < 1`, `A > 0`:
/// the reciprocal of Erlang B at a fractional number of lines below one, from which the
/// recursion climbs to any number of lines (Jagerman's continuous extension). Its series and
/// continued fraction stop once a step changes the value by at most `epsilon` of it.
pub(crate) fn fractional_erlang_b_base(f: f64, traffic: f64, epsilon: f64) -> f64 {
    if f == 0.0 {
        return 1.0;
    }
    let s = f + 1.0;
    if traffic < 2.0 {
        // e^A A^{−f} Γ(s) − A Σₙ Aⁿ / (s (s + 1) … (s + n)); A < 2 keeps e^A small, so the
        // subtraction loses at most a digit.
        let mut sum = 0.0;
        let mut term = 1.0 / s;
        let mut denominator = s;
        for _ in 0..MAX_TERMS {
            sum += term;
            denominator += 1.0;
            term *= traffic / denominator;
            if term <= sum * epsilon {
                break;
            }
        }
        // e^A A^{−f} Γ(s) as one exponential: ln Γ is within 0.12 of 0 for 1 ≤ s < 2, so its
        // absolute error is the relative error of Γ, and `pow` and `tgamma` (100 ns together)
        // are not needed.
        libm::exp(traffic - f * libm::log(traffic) + libm::lgamma(s)) - traffic * sum
    } else {
        // Γ(s, A) = e^{−A} A^s · fraction, so J = e^A A^{−f} Γ(s, A) = A · fraction: no
        // exponential is ever formed, whatever the size of A.
        traffic * gamma_continued_fraction(s, traffic, epsilon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative tolerance for values whose reference is exact to all printed digits.
    const TIGHT: f64 = 1e-13;

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        let error = ((actual - expected) / expected).abs();
        assert!(error <= tolerance, "{actual} vs {expected}: relative error {error:e}");
    }

    /// Against the alternating series `t²/2 − t³/3 + …` summed far past convergence.
    #[test]
    fn t_minus_log1p_is_the_series() {
        for t in [-0.45, -0.222, -0.099_9, -0.05, -0.003, -1e-6, 1e-9, 2e-4, 0.031, 0.099_9, 0.3] {
            let mut sum = 0.0;
            let mut power: f64 = t * t;
            for k in 2..2000 {
                sum += power / f64::from(k) * if k % 2 == 0 { 1.0 } else { -1.0 };
                power *= t;
            }
            assert_close(t_minus_log1p(t), sum, 4e-16);
        }
        // At the ends of the two forms, against ln 2: t = 1, −0.5 and 3 (ln 4 = 2 ln 2).
        let ln2 = core::f64::consts::LN_2;
        assert_close(t_minus_log1p(1.0), 1.0 - ln2, 4e-16);
        assert_close(t_minus_log1p(-0.5), ln2 - 0.5, 4e-16);
        assert_close(t_minus_log1p(3.0), 3.0 - 2.0 * ln2, 1e-15);
    }

    #[test]
    fn incomplete_gamma_matches_closed_forms() {
        // P(1, z) = 1 − e^{−z}; Q(2, z) = (1 + z) e^{−z} — exact identities.
        for z in [0.01, 0.5, 1.0, 1.9, 2.1, 7.0, 30.0, 600.0] {
            let (p, q) = regularized_gamma(1.0, z);
            assert_close(p, -libm::expm1(-z), TIGHT);
            assert_close(q, libm::exp(-z), TIGHT);
            let (_, q2) = regularized_gamma(2.0, z);
            assert_close(q2, (1.0 + z) * libm::exp(-z), TIGHT);
        }
    }

    #[test]
    fn incomplete_gamma_at_a_large_argument() {
        // P(10⁵, 10⁵) from mpmath 1.3: gammainc(1e5, 0, 1e5, regularized=True) at 40 digits
        // = 0.50042052211036517669…
        let (p, q) = regularized_gamma(1e5, 1e5);
        assert_close(p, 0.500_420_522_110_365_2, 1e-12);
        assert_close(p + q, 1.0, 1e-15);
    }

    #[test]
    fn digamma_difference_is_a_harmonic_sum() {
        for (a, p) in [(1.0, 1.0), (0.25, 3.0), (9.5, 40.0), (1e5, 7.0), (3.0, 20_000.0)] {
            let mut sum = 0.0;
            let mut i = 0.0;
            while i < p {
                sum += 1.0 / (a + i);
                i += 1.0;
            }
            assert_close(digamma_difference(a, p), sum, 1e-12);
        }
        assert_eq!(digamma_difference(4.0, 0.0), 0.0);
    }

    #[test]
    fn fractional_base_meets_its_ends() {
        // J(0, A) = 1 for every A, and J(f, A) → 1 + f/A as A grows (Laplace's method).
        for traffic in [0.1, 1.0, 1.99, 2.0, 50.0] {
            assert_close(fractional_erlang_b_base(0.0, traffic, SERIES_EPSILON), 1.0, TIGHT);
            assert_close(fractional_erlang_b_base(1e-12, traffic, SERIES_EPSILON), 1.0, 1e-10);
        }
        let big = 1e6;
        assert_close(fractional_erlang_b_base(0.5, big, SERIES_EPSILON), 1.0 + 0.5 / big, 1e-11);
        // The two branches agree at the seam.
        let below = fractional_erlang_b_base(0.7, 2.0 - 1e-12, SERIES_EPSILON);
        let above = fractional_erlang_b_base(0.7, 2.0, SERIES_EPSILON);
        assert_close(below, above, 1e-11);
    }
}
