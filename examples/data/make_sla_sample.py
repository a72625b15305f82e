#!/usr/bin/env python3
"""Builds sla-requests-311.csv, the sample service requests for `callboard sla report`.

    python3 make_sla_sample.py > sla-requests-311.csv

Four weeks of a mid-sized city's 311 service requests (Monday 2026-10-26 to Sunday
2026-11-22, the US clocks falling back on 1 November, Veterans Day on the 11th), handed to four
departments under the agreements in sla-policies-311.toml. The figures are a model, seeded so
the file is the same every time, shaped like published 311 open data:

- requests arrive through the day (most 8:00-18:00, some at night and at weekends), a few
  hundred a week, more potholes after the rain of 4-5 November;
- each type has its own typical time to close, in working time for business-day agreements
  and around the clock for calendar ones, with a long tail: most agreements are kept, some are
  not, a few requests are still open at the end;
- one request in eight waits on the resident (access to a yard, a photo, a callback) for a
  while: a pause in the SLA clock (`start/` with no end: still waiting when the file ends).

Columns: id, type, department, opened, closed (empty while open), pauses (start/end pairs,
`;`-separated, local time, empty for none). Times are local (America/New_York's rule: UTC-5,
US daylight saving), `YYYY-MM-DD HH:MM`.
"""
import csv
import datetime as dt
import random
import sys

rng = random.Random(311)
START = dt.datetime(2026, 10, 26)
DAYS = 28
END = START + dt.timedelta(days=DAYS)
HOLIDAYS = {dt.date(2026, 11, 11)}

# type, department, requests a weekday, median working hours to close, spread (lognormal sigma),
# whether the time is working time (business hours 8-17 Mon-Fri) or elapsed.
TYPES = [
    ("Missed trash pickup", "Sanitation", 14, 9, 0.7, True),
    ("Graffiti removal", "Sanitation", 6, 30, 0.8, True),
    ("Pothole repair", "Streets", 9, 25, 0.8, True),
    ("Street light out", "Streets", 5, 28, 0.7, True),
    ("Emergency tree removal", "Parks and Forestry", 1.2, 11, 0.6, False),
    ("Abandoned house", "Buildings", 1.5, 280, 0.6, False),
]


def is_working(t):
    return t.weekday() < 5 and t.date() not in HOLIDAYS and 8 <= t.hour < 17


def add_working(t, hours):
    """Working hours (8-17 Mon-Fri, holidays off) after t, minute by minute in 15-min steps."""
    left = hours * 60
    while left > 0:
        if is_working(t):
            left -= 15
        t += dt.timedelta(minutes=15)
    return t


def close_after(opened, hours, working, pause):
    """When work of `hours` (working or elapsed) started at `opened` is done, not counting the
    pause, in 15-minute steps."""
    left, t = hours * 60, opened
    while left > 0:
        paused = pause is not None and pause[0] <= t < pause[1]
        if not paused and (is_working(t) or not working):
            left -= 15
        t += dt.timedelta(minutes=15)
    return t


def arrival(day):
    # Daytime mostly; the hour drawn from a 311-like profile.
    weights = [1, 1, 1, 1, 1, 2, 4, 8, 12, 13, 12, 11, 10, 10, 10, 9, 8, 7, 5, 4, 3, 2, 2, 1]
    hour = rng.choices(range(24), weights)[0]
    return day + dt.timedelta(hours=hour, minutes=rng.randrange(60))


def fmt(t):
    return t.strftime("%Y-%m-%d %H:%M")


rows = []
for d in range(DAYS):
    day = START + dt.timedelta(days=d)
    weekend = day.weekday() >= 5
    for name, dept, per_day, median_h, sigma, working in TYPES:
        rate = per_day * (0.35 if weekend else 1.0)
        if name == "Pothole repair" and day.date() in (dt.date(2026, 11, 4), dt.date(2026, 11, 5)):
            rate *= 3
        n = sum(1 for _ in range(int(rate * 3)) if rng.random() < 1 / 3)
        for _ in range(n):
            opened = arrival(day)
            took = rng.lognormvariate(0, sigma) * median_h
            pause = None
            if rng.random() < 1 / 8:
                # Waits on the resident after a little work: one to three days.
                begin = add_working(opened, 2) if working else opened + dt.timedelta(hours=3)
                pause = (begin, begin + dt.timedelta(hours=rng.uniform(20, 72)))
            closed = close_after(opened, took, working, pause)
            pauses = [pause] if pause and pause[0] < closed else []
            rows.append((opened, name, dept, closed if closed < END else None, pauses))

rows.sort(key=lambda r: r[0])
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["id", "type", "department", "opened", "closed", "pauses"])
for i, (opened, name, dept, closed, pauses) in enumerate(rows):
    # A request still open at the end whose pause outlasts the file is waiting now: `start/`.
    pause_text = ";".join(
        f"{fmt(s)}/{fmt(e) if e < END else ''}" for s, e in pauses if s < END
    )
    out.writerow([f"SR-{26_000 + i}", name, dept, fmt(opened), fmt(closed) if closed else "", pause_text])
