"""The daily and 15-minute figures of `callboard report`, computed from a classic queue_log with
polars, as an analyst would without callboard: the yardstick of `scripts/bench-replay`.

    python polars_report.py QUEUE_LOG UTC_OFFSET_SECONDS > figures.csv

Per queue, per 15-minute interval and per local day of the call's entry: calls offered,
answered, abandoned and dequeued, answered within 20 s (the service level), the average and the
longest wait of the answered, the average wait of the abandoned and the average talk time. A call
is its ENTERQUEUE paired by callid with its first outcome (CONNECT, ABANDON, EXIT*) and, for talk
time, its end (COMPLETE*, *TRANSFER). Everything is lazy, so polars plans the whole computation
and runs it on every core.
"""

import sys

import polars as pl

OUTCOMES = ["CONNECT", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW"]
ENDS = ["COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"]
SL_SECONDS = 20


def main() -> None:
    path, offset = sys.argv[1], int(sys.argv[2])
    log = pl.scan_csv(
        path,
        separator="|",
        has_header=False,
        truncate_ragged_lines=True,
        quote_char=None,
        infer_schema=False,
    ).select(
        pl.col("column_0").cast(pl.Int64).alias("at"),
        pl.col("column_1").alias("callid"),
        pl.col("column_2").alias("queue"),
        pl.col("column_4").alias("event"),
    )
    entered = (
        log.filter(pl.col("event") == "ENTERQUEUE")
        .group_by("callid")
        .agg(pl.col("queue").first(), pl.col("at").min().alias("entered"))
    )
    outcome = (
        log.filter(pl.col("event").is_in(OUTCOMES))
        .sort("at")
        .group_by("callid")
        .agg(pl.col("event").first().alias("outcome"), pl.col("at").first().alias("left"))
    )
    ended = (
        log.filter(pl.col("event").is_in(ENDS)).group_by("callid").agg(pl.col("at").min().alias("ended"))
    )
    wait = pl.col("left") - pl.col("entered")
    answered = pl.col("outcome") == "CONNECT"
    abandoned = pl.col("outcome") == "ABANDON"
    calls = (
        entered.join(outcome, on="callid", how="left")
        .join(ended, on="callid", how="left")
        .with_columns(
            wait=wait,
            answered=answered,
            abandoned=abandoned,
            dequeued=pl.col("outcome").str.starts_with("EXIT") | (pl.col("outcome") == "WITHDRAW"),
            talk=pl.when(answered).then(pl.col("ended") - pl.col("left")),
            local=pl.col("entered") + offset,
        )
        .with_columns(interval=pl.col("local") // 900 * 900, day=pl.col("local") // 86_400)
    )
    figures = [
        pl.len().alias("offered"),
        pl.col("answered").sum(),
        pl.col("abandoned").sum(),
        pl.col("dequeued").sum(),
        (pl.col("answered") & (pl.col("wait") <= SL_SECONDS)).sum().alias("answered_in_sl"),
        pl.col("wait").filter(pl.col("answered")).mean().alias("asa"),
        pl.col("wait").filter(pl.col("answered")).max().alias("longest_answered"),
        pl.col("wait").filter(pl.col("abandoned")).mean().alias("average_abandon"),
        pl.col("talk").mean().alias("aht"),
    ]
    rows = pl.collect_all(
        [
            calls.group_by("queue", "interval").agg(figures).sort("queue", "interval"),
            calls.group_by("queue", "day").agg(figures).sort("queue", "day"),
        ]
    )
    for frame in rows:
        frame.write_csv(sys.stdout)


if __name__ == "__main__":
    main()
