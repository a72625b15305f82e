//! Temme's uniform asymptotic expansion of the incomplete gamma function, for Erlang B with many
//! lines: `1/B(x, A) = e^A A^{−x} Γ(x + 1, A)` in a fixed number of operations, where summing
//! the recursion takes about `x − A + 9√A` terms (275 at 930.5 lines offered 900 erlangs).
//!
//! With `a = x + 1`, `λ = A/a` and `η = sign(λ − 1)·√(2(λ − 1 − ln λ))` (Temme 1979, "The
//! asymptotic expansion of the incomplete gamma functions", SIAM J. Math. Anal. 10(4); DLMF §8.12),
//!
//! ```text
//! Q(a, A) = ½·erfc(η·√(a/2)) + e^{−aη²/2}/√(2πa) · Σₖ cₖ(η)·a^{−k},
//! ```
//!
//! and `Γ(a) = Γ*(a)·√(2π/a)·(a/e)^a` turns `1/B = e^A A^{1−a} Γ(a) Q(a, A)` into
//!
//! ```text
//! 1/B = (A/a)·Γ*(a)·[√(2πa)·½·e^{aη²/2}·erfc(η·√(a/2)) + Σₖ cₖ(η)·a^{−k}],
//! ```
//!
//! both terms of order one near the traffic: nothing overflows or cancels. The `cₖ` are power
//! series in `η`, computed in exact arithmetic by `core/tests/data/erlang/uniform_coefficients.py`
//! (which documents their recurrence) and rounded once. Checked against the sum and against
//! mpmath in the tests below, and by the reference vectors up to 100,000 agents.
//!
//! The same expansion of `P = 1 − Q` gives Erlang A's queue: the lower incomplete gamma's series
//! `Σ(a, z)` ([`lower_sum`]) and its slope in `a` ([`lower_sum_and_slope`]).

use super::special::t_minus_log1p;
use core::f64::consts::PI;

/// The expansion is used from this `a` (lines + 1) up: its eight terms then leave less than
/// 10⁻¹⁶ of the sum (the first neglected one is about `0.0003·a⁻⁸`).
const LEAST_PARAMETER: f64 = 50.0;

/// The range of `η` where the table's series, cut at `η¹⁵`, are exact to an `f64`. They converge
/// for `|η| < 2√π`, and the first term left out is about `6·10⁻¹¹·η¹⁶`. Below the traffic
/// (`η < 0`, where Erlang C lives) the leading term is at least `√(2πa)/2·e^{aη²/2}` and the
/// series only corrects it, so `η` may reach −1 (traffic at 0.3 times the lines + 1); above it the
/// two terms are both near `1/η` and their difference is the answer, so `η` stops at ½ (traffic
/// at 1.6 times the lines + 1).
const ETA_RANGE: core::ops::RangeInclusive<f64> = -1.0..=0.5;

/// `e^{aη²/2}` is formed on its own (it overflows past e⁷⁰⁹), so the rounding of its exponent,
/// about 2·10⁻¹⁶ of it, is the expansion's error: 10⁻¹³ at this bound, where `1/B` is past
/// 10²⁶⁰. Below the traffic the answer is that large too, and the sum it replaces loses as much
/// over its thousands of terms.
const MOST_EXPONENT: f64 = 600.0;

/// Above the traffic the answer is near `1/(λ − 1)` while `e^{aη²/2}` and `erfc` are
/// reciprocals; their product keeps the exponent's rounding, so the expansion stops where that
/// reaches 10⁻¹⁴.
const MOST_EXPONENT_ABOVE: f64 = 25.0;

/// `1/B(lines, traffic)` by the expansion, or `None` outside the range where it is exact to an
/// `f64`: fewer than 49 lines, traffic far from the lines, or `e^{aη²/2}` past e⁶⁰⁰ (e²⁵ with
/// more traffic than lines).
pub(super) fn inverse_blocking(traffic: f64, lines: f64) -> Option<f64> {
    let a = lines + 1.0;
    let terms = Terms::at(a, traffic)?;
    let most = if terms.eta > 0.0 { MOST_EXPONENT_ABOVE } else { MOST_EXPONENT };
    if !(ETA_RANGE.contains(&terms.eta) && terms.exponent <= most) {
        return None;
    }
    Some(
        traffic
            * terms.per_a
            * gamma_star(terms.per_a)
            * (terms.leading(terms.eta) + terms.series()),
    )
}

/// The range of `η` for [`lower_sum`]: the mirror of [`ETA_RANGE`], since `P` is `Q` with `η`
/// negated and the series subtracted. Above the argument the leading term dominates and `η` may
/// reach 1; below it the two terms are both near `1/|η|` and `η` stops at −½.
const LOWER_ETA_RANGE: core::ops::RangeInclusive<f64> = -0.5..=1.0;

/// [`lower_sum`]'s bound on `e^{aη²/2}` below the argument, where the two terms nearly balance
/// and the exponent's rounding shows, as above the argument for `1/B`: the sum stays within
/// 10⁻¹⁴. Erlang A's abandonment, `(z − a)·Σ + a`, cancels by a further factor of about twice
/// the exponent, so more would show there. The series it replaces is shorter the further below
/// `a` the argument is.
const MOST_EXPONENT_BELOW: f64 = 25.0;

/// `Σₙ zⁿ / ((a + 1)(a + 2)…(a + n)) = Γ(a + 1)·e^z·z^{−a}·P(a, z)`, the sum of the lower
/// incomplete gamma's series (Erlang A's queue states, each relative to the one before it,
/// `z/(a + n)`), by the expansion: with `P = ½·erfc(−η·√(a/2)) − e^{−aη²/2}/√(2πa)·Σₖ cₖ(η)·a^{−k}`
/// and the same `Γ(a)` as above,
///
/// ```text
/// Σ = Γ*(a)·[√(2πa)·½·e^{aη²/2}·erfc(−η·√(a/2)) − Σₖ cₖ(η)·a^{−k}].
/// ```
///
/// `None` outside the range where that is exact to an `f64`: `a` below 50, `z` below 0.58 or
/// above 2.36 times `a` ([`LOWER_ETA_RANGE`]), or `e^{aη²/2}` past e²⁵ below `a`, e⁶⁰⁰ above.
pub(super) fn lower_sum(a: f64, z: f64) -> Option<f64> {
    let terms = Terms::at(a, z)?;
    let most = if terms.eta < 0.0 { MOST_EXPONENT_BELOW } else { MOST_EXPONENT };
    if !(LOWER_ETA_RANGE.contains(&terms.eta) && terms.exponent <= most) {
        return None;
    }
    Some(gamma_star(terms.per_a) * (terms.leading(-terms.eta) - terms.series()))
}

/// [`lower_sum`] and its derivative in `a` at a fixed `z`, `∂Σ/∂a`, which is `−Σₙ tₙ·hₙ` with
/// `tₙ` the series' terms and `hₙ = Σ_{i≤n} 1/(a + i)`: Erlang A's answered callers' wait, the
/// harmonic sum over the queue's states, in the same fixed time. Each factor of the expansion is
/// differentiated as it stands:
///
/// ```text
/// d/da [aη²/2] = −ln λ,
/// d/da [√(2πa)·½·e^{aη²/2}·erfc(−η√(a/2))] = (1/(2a) − ln λ)·leading − (λ − 1)/η + η/2,
/// d/da Σₖ cₖ(η)·a^{−k} = Σₖ (cₖ′(η)·dη/da − k·cₖ(η)/a)·a^{−k},
/// ```
///
/// the second because `erfc′(u) = −2/√π·e^{−u²}` and `u² = aη²/2` cancels the exponential. The
/// same range as [`lower_sum`]; tested against the harmonic sum term by term.
pub(super) fn lower_sum_and_slope(a: f64, z: f64) -> Option<(f64, f64)> {
    let terms = Terms::at(a, z)?;
    let most = if terms.eta < 0.0 { MOST_EXPONENT_BELOW } else { MOST_EXPONENT };
    if !(LOWER_ETA_RANGE.contains(&terms.eta) && terms.exponent <= most) {
        return None;
    }
    let per_a = terms.per_a;
    let (gamma, gamma_slope) = gamma_star_and_slope(per_a);
    let leading = terms.leading(-terms.eta);
    let leading_slope =
        leading * (0.5 * per_a - libm::log1p(terms.t)) - terms.lift() + 0.5 * terms.eta;
    let (series, series_slope) = terms.series_and_slope();
    let bracket = leading - series;
    Some((gamma * bracket, gamma_slope * bracket + gamma * (leading_slope - series_slope)))
}

/// Where the expansion stands at `(a, z)`: `η` and the exponent `aη²/2`, from which the callers
/// decide whether it is exact there before summing its series.
struct Terms {
    a: f64,
    /// `1/a`.
    per_a: f64,
    /// `λ − 1`.
    t: f64,
    eta: f64,
    exponent: f64,
}

impl Terms {
    /// `None` for `a` below [`LEAST_PARAMETER`] or `z` not positive.
    fn at(a: f64, z: f64) -> Option<Self> {
        if !(a >= LEAST_PARAMETER && z > 0.0) {
            return None;
        }
        // λ − 1, with the difference taken before the division (rounded once: the exponent
        // `aη²/2` magnifies its error); `1/a` once for the other uses.
        let per_a = 1.0 / a;
        let t = (z - a) / a;
        let half_eta_squared = t_minus_log1p(t);
        let eta = libm::sqrt(2.0 * half_eta_squared).copysign(t);
        Some(Self { a, per_a, t, eta, exponent: a * half_eta_squared })
    }

    /// `Σₖ cₖ(η)·a^{−k}`, with fewer terms where `a⁻ᵏ` falls faster: the first one left out
    /// stays below 10⁻¹⁶ of the sum.
    ///
    /// Summed as a polynomial in `η` whose coefficients are the columns' sums in `a⁻¹`: sixteen
    /// independent short chains, then Estrin's scheme in `η`, four multiplications deep, where a
    /// Horner pass per row was a chain of sixteen per row (latency, not arithmetic, was its cost).
    fn series(&self) -> f64 {
        estrin(self.columns(), self.eta)
    }

    /// `Σₖ COEFFICIENTS[k][n]·a^{−k}` for each power `n` of `η`.
    fn columns(&self) -> [f64; 16] {
        let per_a = self.per_a;
        let mut columns = [0.0; 16];
        for row in COEFFICIENTS.iter().take(self.rows()).rev() {
            for (column, &coefficient) in columns.iter_mut().zip(row) {
                *column = *column * per_a + coefficient;
            }
        }
        columns
    }

    /// How many of the table's rows the series needs at this `a`.
    fn rows(&self) -> usize {
        if self.a >= 500.0 {
            5
        } else if self.a >= 150.0 {
            6
        } else {
            8
        }
    }

    /// The series and its derivative in `a` at a fixed argument `z`, where `η` moves with
    /// `λ = z/a`: `dη/da = −(λ − 1)/(aη)` (from `η dη = (1 − 1/λ) dλ`).
    fn series_and_slope(&self) -> (f64, f64) {
        let per_a = self.per_a;
        // Σ k·cₖ·a^{−k} by columns, for the derivative of the powers of a.
        let mut by_power = [0.0; 16];
        for (k, row) in COEFFICIENTS.iter().enumerate().take(self.rows()).rev() {
            for (column, &coefficient) in by_power.iter_mut().zip(row) {
                *column = *column * per_a + k as f64 * coefficient;
            }
        }
        let columns = self.columns();
        // The derivative in η: column n + 1 times n + 1 is the coefficient of ηⁿ.
        let mut by_eta = [0.0; 16];
        for ((slot, &column), n) in by_eta.iter_mut().zip(columns.iter().skip(1)).zip(1_u32..) {
            *slot = f64::from(n) * column;
        }
        let eta_slope = -self.lift() * per_a;
        let slope = eta_slope * estrin(by_eta, self.eta) - per_a * estrin(by_power, self.eta);
        (estrin(columns, self.eta), slope)
    }

    /// `(λ − 1)/η`, which tends to 1 as `η` does.
    fn lift(&self) -> f64 {
        if self.eta == 0.0 { 1.0 } else { self.t / self.eta }
    }

    /// `√(2πa)·½·e^{aη²/2}·erfc(s·√(a/2))`, with `s` = `η` for `Q` and `−η` for `P`.
    fn leading(&self, s: f64) -> f64 {
        libm::sqrt(2.0 * PI * self.a)
            * 0.5
            * libm::exp(self.exponent)
            * libm::erfc(s * libm::sqrt(0.5 * self.a))
    }
}

/// `Σ cₙ·xⁿ` for sixteen coefficients by Estrin's scheme: pairs, then pairs of pairs, in powers
/// `x`, `x²`, `x⁴`, `x⁸`.
fn estrin(c: [f64; 16], x: f64) -> f64 {
    let [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15] = c;
    let x2 = x * x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    let low = ((c0 + c1 * x) + (c2 + c3 * x) * x2) + ((c4 + c5 * x) + (c6 + c7 * x) * x2) * x4;
    let high =
        ((c8 + c9 * x) + (c10 + c11 * x) * x2) + ((c12 + c13 * x) + (c14 + c15 * x) * x2) * x4;
    low + high * x8
}

/// `Γ*(a) = Γ(a) / (√(2π/a)·(a/e)^a)` from `1/a`, for `a ≥ 50`: Stirling's series
/// `Σ gₖ a^{−k}` (DLMF 5.11.3–5.11.4), whose next term is below 10⁻¹⁷ there.
fn gamma_star(per_a: f64) -> f64 {
    STIRLING.iter().rev().fold(0.0, |sum, &g| sum * per_a + g)
}

/// `Γ*(a)` and `dΓ*/da = −a⁻²·Σ k·gₖ·a^{−(k−1)}`.
fn gamma_star_and_slope(per_a: f64) -> (f64, f64) {
    let (mut value, mut slope) = (0.0, 0.0);
    for &g in STIRLING.iter().rev() {
        slope = slope * per_a + value;
        value = value * per_a + g;
    }
    (value, -per_a * per_a * slope)
}

/// Stirling's series for `Γ*(a)` in powers of `1/a` (DLMF 5.11.3–5.11.4).
const STIRLING: [f64; 8] = [
    1.0,
    1.0 / 12.0,
    1.0 / 288.0,
    -139.0 / 51_840.0,
    -571.0 / 2_488_320.0,
    163_879.0 / 209_018_880.0,
    5_246_819.0 / 75_246_796_800.0,
    -534_703_531.0 / 902_961_561_600.0,
];

/// `COEFFICIENTS[k][n]`: the coefficient of `ηⁿ` in `cₖ(η)`, as printed by
/// `core/tests/data/erlang/uniform_coefficients.py`.
pub(super) const COEFFICIENTS: [[f64; 16]; 8] = [
    [
        -0.3333333333333333,
        0.08333333333333333,
        -0.014814814814814815,
        0.0011574074074074073,
        0.0003527336860670194,
        -0.0001787551440329218,
        3.919263178522438e-05,
        -2.185448510679992e-06,
        -1.85406221071516e-06,
        8.296711340953087e-07,
        -1.7665952736826078e-07,
        6.707853543401498e-09,
        1.0261809784240309e-08,
        -4.382036018453353e-09,
        9.14769958223679e-10,
        -2.5514193994946248e-11,
    ],
    [
        -0.001851851851851852,
        -0.003472222222222222,
        0.0026455026455026454,
        -0.0009902263374485596,
        0.00020576131687242798,
        -4.018775720164609e-07,
        -1.8098550334489977e-05,
        7.64916091608111e-06,
        -1.6120900894563446e-06,
        4.647127802807434e-09,
        1.378633446915721e-07,
        -5.752545603517705e-08,
        1.1951628599778148e-08,
        -1.7543241719747647e-11,
        -1.0091543710600413e-09,
        4.162792991842583e-10,
    ],
    [
        0.004133597883597883,
        -0.0026813271604938273,
        0.0007716049382716049,
        2.0093878600823047e-06,
        -0.0001073665322636516,
        5.2923448829120125e-05,
        -1.2760635188618728e-05,
        3.423578734096138e-08,
        1.3721957309062934e-06,
        -6.298992138380055e-07,
        1.4280614206064242e-07,
        -2.0477098421990866e-10,
        -1.409252991086752e-08,
        6.228974084922022e-09,
        -1.3670488396617114e-09,
        9.428356159014678e-13,
    ],
    [
        0.0006494341563786008,
        0.00022947209362139917,
        -0.0004691894943952557,
        0.00026772063206283885,
        -7.561801671883977e-05,
        -2.396505113867297e-07,
        1.1082654115347302e-05,
        -5.6749528269915965e-06,
        1.4230900732435883e-06,
        -2.7861080291528143e-11,
        -1.6958404091930278e-07,
        8.099464905388083e-08,
        -1.9111168485973655e-08,
        2.3928620439808118e-12,
        2.0620131815488797e-09,
        -9.460496661855133e-10,
    ],
    [
        -0.0008618882909167117,
        0.0007840392217200666,
        -0.0002990724803031902,
        -1.4638452578843418e-06,
        6.641498215465122e-05,
        -3.968365047179435e-05,
        1.1375726970678419e-05,
        2.507497226237533e-10,
        -1.6954149536558305e-06,
        8.907507532205309e-07,
        -2.292934834000805e-07,
        2.956794137544049e-11,
        2.8865829742708783e-08,
        -1.4189739437803219e-08,
        3.4463580499464896e-09,
        -2.3024517174528067e-13,
    ],
    [
        -0.00033679855336635813,
        -6.972813758365857e-05,
        0.0002772753244959392,
        -0.00019932570516188847,
        6.797780477937208e-05,
        1.419062920643967e-07,
        -1.3594048189768693e-05,
        8.018470256334202e-06,
        -2.291481176508095e-06,
        -3.252473551298454e-10,
        3.4652846491085265e-07,
        -1.8447187191171344e-07,
        4.8240967037894184e-08,
        -1.7989466721743514e-14,
        -6.306194500013523e-09,
        3.162417628774568e-09,
    ],
    [
        0.0005313079364639922,
        -0.0005921664373536939,
        0.0002708782096718045,
        7.902353232660328e-07,
        -8.153969367561969e-05,
        5.61168275310625e-05,
        -1.8329116582843375e-05,
        -3.0796134506033047e-09,
        3.465155368803609e-06,
        -2.0291327396058603e-06,
        5.788792863149004e-07,
        2.338630673826657e-13,
        -8.828600746330484e-08,
        4.7435958880408125e-08,
        -1.2545415020710383e-08,
        8.649648858010293e-14,
    ],
    [
        0.00034436760689237765,
        5.171790908260592e-05,
        -0.00033493161081142234,
        0.0002812695154763237,
        -0.00010976582244684731,
        -1.2741009095484485e-07,
        2.7744451511563645e-05,
        -1.8263488805711332e-05,
        5.7876949497350525e-06,
        4.93875893393627e-10,
        -1.0595367014026043e-06,
        6.166714376110408e-07,
        -1.7562973359060463e-07,
        -1.297447328701544e-12,
        2.695423606288966e-08,
        -1.4578352908731272e-08,
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn relative_error(actual: f64, expected: f64) -> f64 {
        ((actual - expected) / expected).abs()
    }

    /// The expansion's error bound at `(a, z)` against arbitrary precision: a few ulps, plus the
    /// rounding of `e^{aη²/2}`'s exponent.
    fn exponent_tolerance(a: f64, z: f64) -> f64 {
        5e-15 + 2.5e-16 * a * t_minus_log1p((z - a) / a)
    }

    /// Against `e^A A^{−x} Γ(x + 1, A)` from mpmath 1.3 at 50 digits, on both sides of the
    /// traffic and out to where `1/B` is 10²³⁷: within the rounding of `e^{aη²/2}`'s exponent.
    #[test]
    fn matches_arbitrary_precision() {
        for (traffic, lines, expected) in [
            (900.0, 930.5, 108.255_422_290_885_93),
            (250.0, 249.0, 19.489_791_324_466_81),
            (2000.0, 1900.0, 17.430_265_087_028_49),
            (300.0, 280.5, 10.905_920_354_823_861),
            (1e5, 100_300.25, 1_032.704_910_975_990_3),
            (500.0, 1400.0, 1.343_971_220_895_572_4e237),
            (30_000.0, 31_558.37, 8.514_082_735_094_438e19),
            (1000.0, 1284.37, 1.125_934_197_612_068e18),
            (30_000.0, 30_866.37, 105_993_270.363_445_16),
            (80.0, 160.37, 1.083_140_207_274_106_5e15),
        ] {
            let inverse = inverse_blocking(traffic, lines).unwrap();
            let error = relative_error(inverse, expected);
            assert!(
                error < exponent_tolerance(lines + 1.0, traffic),
                "{traffic} E on {lines}: {inverse:e} vs {expected:e} ({error:e})"
            );
        }
    }

    /// Against the sum of the recursion, across the range where it takes over.
    #[test]
    fn matches_the_sum() {
        let mut compared = 0;
        for traffic in [49.5, 80.0, 150.0, 400.0, 1_000.0, 5_000.0, 30_000.0] {
            let root = libm::sqrt(traffic);
            for beta in [-3.0, -1.0, -0.2, 0.0, 0.3, 1.0, 2.5, 5.0, 9.0] {
                let lines = libm::floor(traffic + beta * root) + 0.37;
                let Some(inverse) = inverse_blocking(traffic, lines) else {
                    continue;
                };
                let sum = super::super::b::inverse_blocking_sum(traffic, lines, 1e-17);
                // Both round: the sum over its thousands of terms, the expansion in its exponent.
                let error = relative_error(inverse, sum);
                assert!(
                    error < 1e-13,
                    "{traffic} E on {lines}: {inverse:e} vs {sum:e} ({error:e})"
                );
                compared += 1;
            }
        }
        assert!(compared >= 50, "only {compared} points in range");
    }

    /// `Σ tₙ` and `Σ tₙ·hₙ` term by term (`tₙ = zⁿ / ((a + 1)…(a + n))`, `hₙ = Σ_{i≤n} 1/(a + i)`),
    /// to the last bit that can matter.
    fn direct_lower_sums(a: f64, z: f64) -> (f64, f64) {
        let (mut sum, mut weighted, mut term, mut harmonic, mut n) = (1.0_f64, 0.0, 1.0, 0.0, 1.0);
        while term > 1e-19 * sum.max(weighted) || z > a + n {
            harmonic += 1.0 / (a + n);
            term *= z / (a + n);
            sum += term;
            weighted += term * harmonic;
            n += 1.0;
        }
        (sum, weighted)
    }

    /// Against `a·e^z·z^{−a}·γ(a, z)` from mpmath 1.3 at 50 digits, from 0.6 to 2.1 times `a`.
    #[test]
    fn lower_sum_matches_arbitrary_precision() {
        for (a, z, expected) in [
            (50.0, 40.0, 3.972_157_730_702_84),
            (60.5, 59.0, 8.750_284_111_235_475),
            (200.0, 150.0, 3.796_833_348_376_376),
            (800.0, 790.0, 27.617_711_980_754_496),
            (1000.0, 1100.0, 8_618.443_828_020_116),
            (5000.0, 4800.0, 22.715_255_759_957_348),
            (30_000.0, 29_500.0, 54.579_380_448_944_12),
            (120.0, 250.0, 4.428_057_812_679_055e19),
            (75_000.25, 75_000.0, 343.318_642_147_075_25),
            (60.0, 36.0, 2.370_444_726_755_514),
        ] {
            let sum = lower_sum(a, z).unwrap();
            let error = relative_error(sum, expected);
            assert!(
                error < exponent_tolerance(a, z),
                "a = {a}, z = {z}: {sum:e} vs {expected:e} ({error:e})"
            );
        }
    }

    /// The sum and its slope in `a` against `Σ tₙ` and `−Σ tₙ·hₙ` summed term by term, across
    /// the range where they are used. The slope's bound is wider: below the argument it is small
    /// beside the expansion's terms.
    #[test]
    fn lower_sum_and_slope_match_the_series() {
        let mut compared = 0;
        for a in [50.0, 93.5, 240.0, 865.0, 4_000.0, 40_000.0] {
            let root = libm::sqrt(a);
            for beta in [-12.0, -6.0, -3.0, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0, 6.0, 12.0] {
                let z = a + beta * root + 0.21;
                let Some(sum) = lower_sum(a, z) else {
                    assert_eq!(lower_sum_and_slope(a, z), None);
                    continue;
                };
                let (with_slope, slope) = lower_sum_and_slope(a, z).unwrap();
                assert_eq!(with_slope, sum);
                let (direct, weighted) = direct_lower_sums(a, z);
                let error = relative_error(sum, direct);
                assert!(error < 3e-14, "a = {a}, z = {z}: {sum:e} vs {direct:e} ({error:e})");
                let error = relative_error(-slope, weighted);
                assert!(error < 5e-13, "a = {a}, z = {z}: {slope:e} vs {weighted:e} ({error:e})");
                compared += 1;
            }
        }
        assert!(compared >= 50, "only {compared} points in range");
    }

    #[test]
    fn lower_sum_declines_outside_its_range() {
        // a below 50; z below 0.58·a or above 2.36·a; e^{aη²/2} past e²⁵ below a.
        assert_eq!(lower_sum(45.0, 44.0), None);
        assert_eq!(lower_sum(100.0, 50.0), None);
        assert_eq!(lower_sum(100.0, 240.0), None);
        assert_eq!(lower_sum(2_000.0, 1_650.0), None);
        assert_eq!(lower_sum(100.0, 0.0), None);
        assert_eq!(lower_sum(f64::NAN, 10.0), None);
    }

    #[test]
    fn declines_outside_its_range() {
        // Too few lines; traffic more than 1.6 times or less than 0.3 times the lines + 1.
        assert_eq!(inverse_blocking(40.0, 45.0), None);
        assert_eq!(inverse_blocking(900.0, 500.0), None);
        assert_eq!(inverse_blocking(60.0, 250.0), None);
        // 1/B past e⁶⁰⁰ (30,000 lines offered 20,000 erlangs); above the traffic, e^{aη²/2}
        // past e²⁵ (1,400 lines offered 2,000 erlangs, η = 0.38).
        assert_eq!(inverse_blocking(20_000.0, 30_000.0), None);
        assert_eq!(inverse_blocking(2000.0, 1400.0), None);
        assert_eq!(inverse_blocking(0.0, 100.0), None);
        assert_eq!(inverse_blocking(f64::NAN, 100.0), None);
    }
}
