#!/usr/bin/env python3
"""Builds forecast-week.csv, the sample forecast for `callboard staff --forecast`.

    python3 make_forecast_week.py anonymous_bank_1999_02.tsv > forecast-week.csv

A forecast is what a planner feeds the staffing search: for every 15-minute interval of a week,
the calls expected and their average handle time. This one is not invented: it is the real
arrival and handle-time profile of the Anonymous Bank call center (the February 1999 month of
the call-by-call data described in README.md). February 1999 began on a Monday and has exactly
four of each weekday, so each interval's forecast is the mean over the four same weekdays of:

- calls: records that reached the agent queues (served by an agent, or hung up while queued),
  counted in the 15-minute interval in which they entered the queue;
- aht_seconds: the mean service time of the calls served in that interval over the four days;
  where calls arrived but none was served (all hung up), the weekday's mean service time; 0
  where no call arrived at all (a closed interval).

The dates are relabelled to the week of Monday 2026-11-23, weekday for weekday, so the sample
reads as next week's plan. The bank was an Israeli one: Friday is short and Saturday is quiet.
"""

import csv
import sys
from collections import defaultdict
from datetime import date, timedelta


def seconds_of(clock):
    h, m, s = (int(part) for part in clock.split(":"))
    return h * 3600 + m * 60 + s


def main(path):
    calls = defaultdict(int)
    service_total = defaultdict(int)
    served = defaultdict(int)
    with open(path, newline="") as tsv:
        for row in csv.DictReader(tsv, delimiter="\t"):
            outcome = row["outcome"]
            if outcome == "PHANTOM" or row["q_start"] == "0:00:00" and outcome != "AGENT":
                continue
            entered = row["q_start"] if row["q_start"] != "0:00:00" else row["ser_start"]
            day = date(1999, 2, int(row["date"][4:6]))
            slot = (day.weekday(), seconds_of(entered) // 900)
            calls[slot] += 1
            if outcome == "AGENT" and int(row["ser_time"]) > 0:
                served[slot] += 1
                service_total[slot] += int(row["ser_time"])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["interval_start", "calls", "aht_seconds"])
    monday = date(2026, 11, 23)
    for weekday in range(7):
        day_served = sum(served[(weekday, slot)] for slot in range(96))
        day_service = sum(service_total[(weekday, slot)] for slot in range(96))
        for slot in range(96):
            key = (weekday, slot)
            day = monday + timedelta(days=weekday)
            start = f"{day.isoformat()} {slot // 4:02d}:{slot % 4 * 15:02d}"
            if served[key]:
                aht = round(service_total[key] / served[key], 1)
            elif calls[key]:
                aht = round(day_service / day_served, 1)
            else:
                aht = 0
            out.writerow([start, calls[key] / 4, aht])


if __name__ == "__main__":
    main(sys.argv[1])
