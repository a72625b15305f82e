"""`callboard report` against polars on the same logs, in one run: the table of BENCHMARKS.md's
"Replay at scale". Called by scripts/bench-replay, which builds what it runs.

    python side_by_side.py CALLBOARD REPEAT POLARS_SCRIPT BASE.queue_log UTC_OFFSET WORKDIR

For each size (the base log; 10 and 100 times it, made by repeat-queue-log; and a year of a
center 40 times its size: 13 periods of 40 times it laid end to end, which for the sample's
28-day month and 25 agents is 364 days of a 1,000-agent center), each program runs three times,
alternating, and the median wall time and the largest peak resident memory are shown. A
program's time is its whole run as a user sees it: start, read, compute, write.
"""

import os
import statistics
import subprocess
import sys
import time

# (label, copies side by side, periods end to end).
SIZES = [("x1", 1, 1), ("x10", 10, 1), ("x100", 100, 1), ("year x40", 40, 13)]
ROUNDS = 3


def measure(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident kilobytes of one run, its output discarded."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        child = subprocess.Popen(command, stdout=devnull)
        _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command[0]} failed ({status})")
    return elapsed, usage.ru_maxrss


def main() -> None:
    callboard, repeat, polars_script, base, offset, workdir = sys.argv[1:7]
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset.lstrip("+-").split(":")
    offset_s = sign * (int(hours) * 3600 + int(minutes) * 60)
    print("| log | lines | callboard report | peak memory | polars | peak memory |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, times, periods in SIZES:
        path = os.path.join(workdir, f"log-x{times}-p{periods}.queue_log")
        with open(base, "rb") as source, open(path, "wb") as target:
            subprocess.run(
                [repeat, "--times", str(times), "--periods", str(periods)],
                stdin=source,
                stdout=target,
                check=True,
            )
        with open(path, "rb") as f:
            lines = sum(1 for _ in f)
        ours = [callboard, "report", "--queue-log", path, "--utc-offset", offset]
        theirs = [sys.executable, polars_script, path, str(offset_s)]
        runs: dict[str, list[tuple[float, int]]] = {"ours": [], "theirs": []}
        for _ in range(ROUNDS):
            runs["ours"].append(measure(ours))
            runs["theirs"].append(measure(theirs))
        cells = []
        for who in ("ours", "theirs"):
            seconds = statistics.median(t for t, _ in runs[who])
            peak = max(m for _, m in runs[who])
            cells += [f"{seconds:.2f} s", f"{peak / 1024:.0f} MB"]
        print(f"| {label} | {lines:,} | " + " | ".join(cells) + " |", flush=True)
        os.remove(path)


if __name__ == "__main__":
    main()
