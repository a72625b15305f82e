#!/usr/bin/env python3
"""callboard's staffing math against pyworkforce, on the same inputs, in one run.

    scripts/bench-staffing          # sets up a venv with pyworkforce, then runs this

Runs `cargo bench -p callboard-core --bench erlang -- --json` (the Rust side, see erlang.rs),
then times pyworkforce's ErlangC on the same cases and prints a Markdown table for
BENCHMARKS.md: time per case, the ratio, and whether the two agree on the figures.

pyworkforce has no Erlang A and no ASA, takes whole positions only, and refuses an interval
with no transactions; those cases are reported as such, not skipped silently.
"""

import json
import math
import platform
import subprocess
import sys
import timeit
from importlib.metadata import version
from pathlib import Path

from pyworkforce.queuing import ErlangC

ROOT = Path(__file__).resolve().parents[2]
TARGET_SECONDS = 20.0
SERVICE_LEVEL = 0.8


def rust_cases():
    out = subprocess.run(
        ["cargo", "bench", "--quiet", "-p", "callboard-core", "--bench", "erlang", "--", "--json"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return {case["case"]: case for case in map(json.loads, out.splitlines())}


def best_seconds(statement):
    timer = timeit.Timer(statement)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number


def forecast_week():
    lines = (ROOT / "examples/data/forecast-week.csv").read_text().splitlines()[1:]
    return [(float(calls), float(aht)) for _, calls, aht in (line.split(",") for line in lines)]


def evaluation(agents):
    """Service level at 20 s, 3-minute calls, 90 % load: intensity = transactions / 60 * 3."""
    traffic = 0.9 * agents
    erlang = ErlangC(transactions=traffic * 20, aht=3.0, asa=TARGET_SECONDS / 60, interval=60)
    n = int(agents)
    try:
        result = (erlang.waiting_probability(n), erlang.service_level(n))
    except Exception as error:  # noqa: BLE001 - the peer's failure is the measurement
        return None, f"fails: {type(error).__name__}: {error}"
    if not all(math.isfinite(value) for value in result):
        return None, f"returns {result}"
    # The same three figures as the Rust case: P(wait), SL (which recomputes P(wait) inside
    # pyworkforce), occupancy.
    return best_seconds(lambda: (erlang.waiting_probability(n), erlang.service_level(n),
                                 erlang.achieved_occupancy(n))), result


def week_plan(scale, week):
    refused = 0
    total = 0.0

    def plan():
        nonlocal refused, total
        refused = 0
        total = 0.0
        for calls, aht in week:
            if calls == 0:
                refused += 1  # pyworkforce raises ValueError for 0 transactions
                continue
            erlang = ErlangC(transactions=calls * scale, aht=aht / 60, asa=TARGET_SECONDS / 60,
                             interval=15)
            total += erlang.required_positions(service_level=SERVICE_LEVEL)["raw_positions"] / 4

    try:
        seconds = min(timeit.repeat(plan, repeat=3, number=1))
    except Exception as error:  # noqa: BLE001
        return None, f"fails: {type(error).__name__}: {error}", refused
    return seconds, total, refused


def fmt_time(seconds):
    if seconds is None:
        return "—"
    return f"{seconds * 1e6:.3f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main():
    rust = rust_cases()
    print(f"pyworkforce {version('pyworkforce')}, Python {platform.python_version()}")
    print()
    print("| case | callboard | pyworkforce | pyworkforce / callboard | figures |")
    print("|---|---|---|---|---|")
    for agents in (10, 100, 1000, 10000):
        ours = rust[f"erlang_c_eval_{agents}"]
        our_seconds = ours["nanos"] / 1e9
        our_wait = ours["detail"]["p_wait"]
        our_sl = ours["detail"]["service_level"]
        seconds, theirs = evaluation(agents)
        if seconds is None:
            ratio, agreement = "—", theirs
        else:
            ratio = f"{seconds / our_seconds:.1f}×"
            wait_diff = abs(theirs[0] - our_wait) / our_wait
            sl_diff = abs(theirs[1] - our_sl) / our_sl
            agreement = (f"P(wait) {our_wait:.6g} vs {theirs[0]:.6g}, rel. diff. {wait_diff:.1e}; "
                         f"SL rel. diff. {sl_diff:.1e}")
        print(f"| Erlang C, one evaluation (SL, P(wait), occupancy), {agents:,} agents at 90 % "
              f"| {fmt_time(our_seconds)} | {fmt_time(seconds)} | {ratio} | {agreement} |")
    week = forecast_week()
    for scale in (1, 10, 100):
        key = next(k for k in rust if k.startswith("erlang_c_staff_week_x") and
                   float(k.rsplit("x", 1)[1]) == scale)
        ours = rust[key]
        our_seconds = ours["nanos"] / 1e9
        peak = ours["detail"]["peak_agents"]
        seconds, theirs, refused = week_plan(scale, week)
        if seconds is None:
            ratio, agreement = "—", theirs
        else:
            ratio = f"{seconds / our_seconds:.1f}×"
            agreement = (f"{ours['detail']['agent_hours']:g} vs {theirs:g} agent-hours; "
                         f"pyworkforce refuses the {refused} intervals with no calls")
        print(f"| Erlang C, staff a 672-interval week to 80/20, peak {peak} agents "
              f"| {fmt_time(our_seconds)} | {fmt_time(seconds)} | {ratio} | {agreement} |")
    for scale in (1, 10, 100):
        key = next(k for k in rust if k.startswith("erlang_a_staff_week_x") and
                   float(k.rsplit("x", 1)[1]) == scale)
        ours = rust[key]
        print(f"| Erlang A (patience 180 s), staff the same week, peak "
              f"{ours['detail']['peak_agents']} agents | {fmt_time(ours['nanos'] / 1e9)} "
              f"| no Erlang A | — | {ours['detail']['agent_hours']:g} agent-hours |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
