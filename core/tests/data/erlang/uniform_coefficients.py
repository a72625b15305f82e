#!/usr/bin/env python3
"""The coefficients of Temme's uniform expansion of the incomplete gamma function, as used by
core/src/erlang/uniform.rs.

Run from anywhere:  python3 uniform_coefficients.py   (needs sympy: pip install sympy)

Prints the Rust table COEFFICIENTS[k][n], the coefficient of eta^n in c_k(eta), computed in
exact rational arithmetic and rounded once to the nearest double. The expansion (Temme 1979,
"The asymptotic expansion of the incomplete gamma functions", SIAM J. Math. Anal. 10(4),
757-766; DLMF 8.12) is

    Q(a, z) = erfc(eta sqrt(a/2)) / 2 + e^{-a eta^2 / 2} / sqrt(2 pi a) * sum_k c_k(eta) a^-k,

    lambda = z / a,  eta = sign(lambda - 1) sqrt(2 (lambda - 1 - ln lambda)),
    c_0(eta) = 1 / (lambda - 1) - 1 / eta,
    c_k(eta) = c_{k-1}'(eta) / eta + (-1)^k g_k / (lambda - 1),

g_k the coefficients of Stirling's series Gamma(a) ~ sqrt(2 pi / a) (a / e)^a sum_k g_k a^-k.
Each c_k is analytic at eta = 0 (the poles of the two terms cancel); its Taylor series
converges for |eta| < 2 sqrt(pi). The script reverts lambda - 1 - ln lambda = eta^2 / 2 into
lambda - 1 = eta + eta^2/3 + eta^3/36 - ..., forms the series, and asserts that no negative
power of eta is left.
"""

import sympy as sp

K = 8  # terms c_0 .. c_7: at a >= 50 the next is below 1e-16 of the sum
N = 16  # powers eta^0 .. eta^15: enough for |eta| <= 1

eta, w, c = sp.symbols("eta w c")


def lambda_minus_one(degree):
    """lambda - 1 as a power series in eta, through eta^degree."""
    s = eta
    for j in range(2, degree + 1):
        trial = s + c * eta**j
        residual = sp.series(trial - sp.log(1 + trial) - eta**2 / 2, eta, 0, j + 2).removeO()
        s += sp.solve(sp.expand(residual).coeff(eta, j + 1), c)[0] * eta**j
    return s


def stirling(count):
    """g_0 .. g_{count-1}: exp of the Stirling series of ln Gamma*(a) in w = 1/a."""
    ln_gamma_star = sum(
        sp.bernoulli(2 * m) / (2 * m * (2 * m - 1)) * w ** (2 * m - 1) for m in range(1, count + 1)
    )
    series = sp.expand(sp.series(sp.exp(ln_gamma_star), w, 0, count).removeO())
    return [series.coeff(w, k) for k in range(count)]


def main():
    # Each step of the recurrence divides by eta, so the inner series need 2K more terms.
    degree = N + 2 * K + 2
    s = lambda_minus_one(degree + 2)
    inverse = sp.expand(sp.series(1 / s, eta, 0, degree).removeO())
    g = stirling(K)
    rows = []
    ck = sp.expand(inverse - 1 / eta)
    for k in range(K):
        if k > 0:
            ck = sp.expand(sp.diff(ck, eta) / eta + (-1) ** k * g[k] * inverse)
        for power in range(1, 3):
            assert ck.coeff(eta, -power) == 0, (k, power)
        rows.append([ck.coeff(eta, n) for n in range(N)])
    print(f"pub(super) const COEFFICIENTS: [[f64; {N}]; {K}] = [")
    for row in rows:
        print("    [")
        for value in row:
            print(f"        {float(value)!r},")
        print("    ],")
    print("];")


if __name__ == "__main__":
    main()
