#!/usr/bin/env python3
"""Independent cross-check of `callboard report` on an Anonymous Bank day.

Computes a day's figures straight from the original tab-separated records, using the
data's own `q_time` column for waits (not timestamps, not the queue_log, not callboard-core),
and prints them in the shape of the report's JSON totals. Compare with:

    callboard report --queue-log examples/data/anonymous-bank-1999-02-10.queue_log \
        --utc-offset +02:00 --json

Usage: crosscheck_anonymous_bank.py FILE.tsv 1999-02-10 [THRESHOLD_SECONDS]

The same calls are in scope as in the converter: PHANTOM rows, callers who hung up before
reaching the queue, and the rows without any service time are left out.
"""

import csv
import json
import sys
from collections import defaultdict


def main() -> None:
    path, day = sys.argv[1], sys.argv[2]
    threshold = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    yymmdd = day[2:4] + day[5:7] + day[8:10]
    per_queue = defaultdict(lambda: defaultdict(int))
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["date"] != yymmdd:
                continue
            queued = row["q_start"] != "0:00:00"
            outcome = row["outcome"]
            if outcome == "PHANTOM" or (outcome == "HANG" and not queued):
                continue
            if outcome == "AGENT" and not queued and row["ser_start"] == "0:00:00":
                continue
            q = per_queue[row["type"]]
            wait = int(row["q_time"]) if queued else 0
            q["offered"] += 1
            q["max_wait"] = max(q["max_wait"], wait)
            if outcome == "AGENT":
                q["answered"] += 1
                q["answer_wait"] += wait
                q["answered_within_sl"] += wait <= threshold
            elif outcome == "HANG":
                q["abandoned"] += 1
                q["abandon_wait"] += wait
                q["abandoned_within_sl"] += wait <= threshold
    total = defaultdict(int)
    for q in per_queue.values():
        for k, v in q.items():
            total[k] = max(total[k], v) if k == "max_wait" else total[k] + v
    out = {name: figures(q) for name, q in sorted(per_queue.items())}
    out["all queues"] = figures(total)
    print(json.dumps(out, indent=2))


def ratio(a, b):
    return a / b if b else None


def figures(q):
    # No short abandons, dequeues or transfers exist in this data, so net offered = offered.
    offered, answered, abandoned = q["offered"], q["answered"], q["abandoned"]
    aws, abw = q["answered_within_sl"], q["abandoned_within_sl"]
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": abandoned,
        "answered_within_sl": aws,
        "abandoned_within_sl": abw,
        "service_level": {
            "answered": ratio(aws, answered),
            "offered": ratio(aws, answered + abandoned),
            "abandons_ignored": ratio(aws, offered - abw),
            "abandons_positive": ratio(aws + abw, offered),
        },
        "asa_seconds": ratio(q["answer_wait"], answered),
        "avg_abandon_seconds": ratio(q["abandon_wait"], abandoned),
        "abandon_rate": ratio(abandoned, offered),
        "max_wait_seconds": q["max_wait"],
    }


if __name__ == "__main__":
    main()
