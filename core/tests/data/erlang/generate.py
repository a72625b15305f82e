#!/usr/bin/env python3
"""Reference vectors for callboard-core's Erlang B, C and A, in arbitrary precision.

Run from this folder:  python3 generate.py   (needs mpmath: pip install mpmath)

Writes erlang_b.csv, erlang_c.csv and erlang_a.csv next to this script. The Rust tests
(core/tests/erlang_reference.rs) read the committed CSVs and need no Python.

Every value is computed at 60 significant digits straight from the model's definition, and
wherever mpmath's own special functions converge, the script asserts that an independent
closed form agrees to 40 digits:

  Erlang B     1/B(N, A) = sum_{i=0}^{N} N! / ((N - i)! A^i), and for fractional N = n + f the
               last term carries e^A A^-f Gamma(f + 1, A) (Jagerman 1974).
               Closed-form check: 1/B(N, A) = e^A A^-N Gamma(N + 1, A).
  Erlang C     C = N B / (N - A + A B);  SL(T) = 1 - C e^{-(N - A) T / h};  ASA = C h / (N - A)
  Erlang A     M/M/N+M (Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn, "The M/M/n+G
               queue: summary of performance measures"). With x = N mu / theta,
               y = lambda / theta, the stationary weights of the queue relative to state N are
               w_k = prod_{i=1..k} y / (x + i); an arrival at position p = k + 1 is answered with
               probability x / (x + p), after a mean (psi(x + p + 1) - psi(x + 1)) / theta if so,
               and within T with probability x / (x + p) I_d(p, x + 1), d = 1 - e^{-theta T}.
               Summed over positions, SL over all arrivals = P(answered at once) +
               pi_N x Integral_0^d e^{y s} (1 - s)^x ds (numerical quadrature of a positive
               integrand), which is also pi_N x [S(x, y) - e^{y - z} (z/y)^{x+1} S(x, z)],
               z = y e^{-theta T}, S(x, y) = sum_j y^j / ((x + 1) ... (x + 1 + j)).
               Checks: the integral against the sum of incomplete Betas over positions (small
               centers) and against the series form (where it does not cancel), and P(abandon)
               against pi_N (Q - (Q - 1) / rho) (Mandelbaum & Zeltyn), Q = sum_k w_k.

Inputs are binary doubles (printed with repr, which round-trips exactly), so Rust and mpmath
evaluate exactly the same point. Values below 1e-300 are printed as they are; an f64 parses
them as 0 or a subnormal, and the tests then only require a result below 1e-300.
"""

import csv
import os

import mpmath as mp

mp.mp.dps = 60
HERE = os.path.dirname(os.path.abspath(__file__))


TINY = mp.mpf(10) ** -70


def inverse_erlang_b(lines, traffic):
    x = mp.mpf(lines)
    a = mp.mpf(traffic)
    total = mp.mpf(0)
    term = mp.mpf(1)
    remaining = x
    while remaining >= 1:
        total += term
        term *= remaining / a
        remaining -= 1
        if remaining < a and term / (1 - remaining / a) < total * TINY:
            break
    else:
        if remaining > 0:
            term *= mp.exp(a) * a ** (-remaining) * mp.gammainc(remaining + 1, a)
        total += term
    if lines <= 1000 and traffic <= 1000:
        closed = mp.exp(a) * a ** (-x) * mp.gammainc(x + 1, a)
        assert abs(closed / total - 1) < mp.mpf(10) ** -40, (lines, traffic)
    return total


def fmt(value):
    return mp.nstr(value, 25, min_fixed=-5, max_fixed=5)


def erlang_b_rows():
    lines_grid = [1, 2, 3, 5, 8, 13, 20, 50, 100, 170, 171, 250, 500, 1000, 2500, 5000,
                  10000, 30000, 100000]
    fractional = [0.25, 0.5, 0.875, 1.5, 2.75, 9.5, 17.3, 99.9, 1000.4, 12345.6]
    loads = [0.05, 0.3, 0.6, 0.8, 0.9, 0.95, 1.0, 1.05, 1.2, 2.0, 5.0]
    for lines in lines_grid + fractional:
        for load in loads:
            traffic = float(round(lines * load * 64) / 64) or 1 / 64
            b = 1 / inverse_erlang_b(lines, traffic)
            yield [repr(traffic), repr(float(lines)), fmt(b)]


def erlang_c_rows():
    agents_grid = [1, 2, 3, 5, 8, 13, 20, 50, 100, 170, 171, 250, 500, 1000, 2500, 5000,
                   10000, 30000, 100000, 1.5, 17.3, 99.9, 1000.4]
    loads = [0.05, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99, 0.999]
    for agents in agents_grid:
        for i, load in enumerate(loads):
            traffic = float(round(agents * load * 64) / 64) or 1 / 64
            if traffic >= agents:
                continue
            handle = [180.0, 300.0][i % 2]
            target = [20.0, 60.0][(i // 2) % 2]
            n = mp.mpf(agents)
            a = mp.mpf(traffic)
            b = 1 / inverse_erlang_b(agents, traffic)
            c = n * b / (n - a + a * b)
            sl = 1 - c * mp.exp(-(n - a) * mp.mpf(target) / mp.mpf(handle))
            asa = c * mp.mpf(handle) / (n - a)
            yield [repr(traffic), repr(float(agents)), repr(handle), repr(target),
                   fmt(c), fmt(sl), fmt(asa)]


def s_series(x, y):
    """sum_j y^j / ((x + 1) ... (x + 1 + j))."""
    total = mp.mpf(0)
    term = 1 / (x + 1)
    j = 0
    while True:
        total += term
        j += 1
        term *= y / (x + 1 + j)
        if x + 1 + j > y and term < total * TINY:
            return total


def within_integral(x, y, d):
    """Integral_0^d e^{y s} (1 - s)^x ds, positive and free of cancellation."""
    def log_integrand(s):
        return y * s + x * mp.log(1 - s)
    peak = max(mp.mpf(0), 1 - x / y) if y > 0 else mp.mpf(0)
    width = (1 - peak) / mp.sqrt(x) if x > 0 else d
    slope = abs(y - x / (1 - d))
    edge = min(width, 1 / slope) if slope > 0 else width
    points = {mp.mpf(0), d}
    for m in (-200, -40, -10, -3, -1, 0, 1, 3, 10, 40, 200):
        points.add(peak + m * width)
    for m in (1, 5, 20, 80, 300):
        points.add(d - m * edge)
    points = sorted(p for p in points if 0 <= p <= d)
    reference = log_integrand(min(max(peak, mp.mpf(0)), d))
    scaled = mp.quad(lambda s: mp.exp(log_integrand(s) - reference), points)
    return scaled * mp.exp(reference)


def erlang_a(agents, traffic, handle, patience, target):
    n = mp.mpf(agents)
    a = mp.mpf(traffic)
    theta = 1 / mp.mpf(patience)
    mu = 1 / mp.mpf(handle)
    x = n * mu / theta
    y = a * mu / theta
    d = 1 - mp.exp(-theta * mp.mpf(target))
    small = agents <= 10 and y < 200
    # Sums over the queue, relative to the weight of state N.
    q = answered_after = abandon = answered_wait = within_by_beta = mp.mpf(0)
    weight = mp.mpf(1)
    stage_time = mp.mpf(0)
    k = 0
    while True:
        p = k + 1
        answered = weight * x / (x + p)
        stage_time += 1 / (theta * (x + p))
        q += weight
        answered_after += answered
        abandon += weight * p / (x + p)
        answered_wait += answered * stage_time
        if small:
            within_by_beta += answered * mp.betainc(p, x + 1, 0, d, regularized=True)
        weight *= y / (x + p)
        k += 1
        if x + k > y and weight < q * TINY:
            break
    pi_n = 1 / (inverse_erlang_b(agents, traffic) - 1 + q)
    p_wait = pi_n * q
    p_abandon = pi_n * abandon
    at_once = pi_n * (inverse_erlang_b(agents, traffic) - 1)
    within = x * within_integral(x, y, d)
    sl = at_once + pi_n * within
    z = y * (1 - d)
    whole = x * s_series(x, y)
    by_series = whole - x * mp.exp(y - z) * (z / y) ** (x + 1) * s_series(x, z)
    if by_series > whole * mp.mpf(10) ** -20:  # at most 20 of the 60 digits cancel
        assert abs(by_series / within - 1) < mp.mpf(10) ** -35, (agents, traffic, target)
    asa = pi_n * answered_wait / (1 - p_abandon)
    rho = a / n
    closed_abandon = pi_n * (q - (q - 1) / rho)
    assert abs(closed_abandon / p_abandon - 1) < mp.mpf(10) ** -40, (agents, traffic)
    assert abs(x * s_series(x, y) / answered_after - 1) < mp.mpf(10) ** -40, (agents, traffic)
    if small:
        assert abs(within_by_beta / within - 1) < mp.mpf(10) ** -40, (agents, traffic, target)
    return p_wait, p_abandon, sl, asa, p_abandon / theta


def erlang_a_rows():
    agents_grid = [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000, 10000, 100000]
    loads = [0.3, 0.7, 0.9, 1.0, 1.1, 1.5, 3.0]
    patience_ratios = [0.25, 1.0, 4.0]  # patience / handle time
    for agents in agents_grid:
        for i, load in enumerate(loads):
            for j, ratio in enumerate(patience_ratios):
                traffic = float(round(agents * load * 64) / 64)
                handle = [240.0, 180.0, 420.0][(i + j) % 3]
                patience = handle * ratio
                target = [20.0, 30.0, 60.0][(i + 2 * j) % 3]
                p_wait, p_abandon, sl, asa, mean_all = erlang_a(
                    agents, traffic, handle, patience, target)
                yield [repr(traffic), str(agents), repr(handle), repr(patience), repr(target),
                       fmt(p_wait), fmt(p_abandon), fmt(sl), fmt(asa), fmt(mean_all)]


def write(name, header, rows):
    path = os.path.join(HERE, name)
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
    print(f"{name}: {count} vectors")


if __name__ == "__main__":
    write("erlang_b.csv", ["traffic", "lines", "p_block"], erlang_b_rows())
    write("erlang_c.csv", ["traffic", "agents", "handle_s", "target_s", "p_wait",
                           "service_level", "asa_s"], erlang_c_rows())
    write("erlang_a.csv", ["traffic", "agents", "handle_s", "patience_s", "target_s", "p_wait",
                           "p_abandon", "service_level", "asa_s", "mean_wait_all_s"],
          erlang_a_rows())
