#!/usr/bin/env python3
"""Builds surveys-anonymous-bank-1999-02.csv, sample post-call survey responses for the sample day.

    python3 make_surveys_sample.py anonymous-bank-1999-02-10.queue_log > surveys-anonymous-bank-1999-02.csv

The Anonymous Bank ran no surveys; these are a model, seeded so the file is the same every time,
in the shape a survey tool exports (one row a response, a header naming the columns):

- Tuesday 9 February (the day before the log): 64 responses dated by the time of the call
  (`time`, local), so that the boards on the 10th post "yesterday's CSAT";
- Wednesday 10 February: about one answered call in five rated, by its `callid` in the log
  (the survey tool knows the switch's call ids), the score falling with the wait: most callers
  answered quickly give 4 or 5, those who waited minutes rarely do;
- the four yes/no questions answered by most, `follow_up` asked for by a few;
- three rows a survey tool really exports now and then and that cannot be counted: a score off
  the 1-5 scale, a row with neither a time nor a call, and a call that is not in the log.
"""
import csv
import random
import sys

rng = random.Random(1999)
OFFSET = 2 * 3600  # the bank is at UTC+02:00 in February


def local(epoch):
    import datetime as dt
    t = dt.datetime.fromtimestamp(epoch + OFFSET, dt.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def yes_no(p_yes):
    if rng.random() < 0.15:
        return ""
    return "yes" if rng.random() < p_yes else "no"


def response(waited):
    good = 0.92 if waited < 20 else 0.7 if waited < 60 else 0.45 if waited < 180 else 0.2
    score = rng.choice([4, 5]) if rng.random() < good else rng.choice([1, 2, 3])
    p = 0.9 if score >= 4 else 0.35
    return score, [yes_no(p) for _ in range(4)], "yes" if score <= 2 and rng.random() < 0.5 else ""


entered, waits = {}, {}
with open(sys.argv[1]) as log:
    for line in log:
        epoch, callid, _queue, _agent, verb, *data = line.rstrip("\n").split("|")
        if verb == "ENTERQUEUE":
            entered[callid] = int(epoch)
        elif verb == "CONNECT" and callid in entered:
            waits[callid] = int(epoch) - entered[callid]

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["time", "callid", "score", "explained_process", "had_information", "timely",
              "satisfied", "follow_up"])
tuesday = 918511200  # 1999-02-09 00:00 local
for i in range(64):
    at = tuesday + 8 * 3600 + rng.randrange(10 * 3600)
    score, answers, follow = response(rng.choice([5, 10, 15, 30, 45, 90, 200]))
    out.writerow([local(at), "", score, *answers, follow])
for callid, waited in waits.items():
    if rng.random() < 0.2:
        score, answers, follow = response(waited)
        out.writerow(["", callid, score, *answers, follow])
out.writerow([local(tuesday + 15 * 3600), "", 7, "yes", "yes", "yes", "yes", ""])
out.writerow(["", "", 4, "", "", "", "", ""])
out.writerow(["", "918699999.99999", 5, "", "", "", "", ""])
