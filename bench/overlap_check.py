"""The cost of the overlap check (SPEC §1: rows of one subscription_id never overlap), with and
without window functions, on a generated subscriptions file.

    uv run --group bench python bench/overlap_check.py bench/out/M/subscriptions.parquet

``windows`` is the check csm ran before issue 7 (sort by subscription, then three
``shift().over(subscription_id)`` windows); the pairwise join after it runs only when there are
suspects. ``flat`` finds the same suspects after the same sort without windows: a dense group
number folded into the compared values makes one running maximum restart at every subscription.
``csm`` is ``csmetrics.io.readers._overlapping_groups``, the flat formulation csm runs now (it
also skips files whose subscription ids are all distinct). All must flag the same subscriptions.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

import polars as pl

ROW = "__row"
GROUP = "subscription_id"
OPEN_END = date(9999, 12, 31)


def rows_of(path: str) -> pl.DataFrame:
    scan = pl.scan_parquet(path) if path.endswith(".parquet") else pl.scan_csv(path, try_parse_dates=True)
    return (
        scan.select(GROUP, "started_at", "ended_at")
        .with_row_index(ROW)
        .filter(pl.col("started_at").is_not_null())
        .select(ROW, GROUP, "started_at", pl.col("ended_at").fill_null(OPEN_END).alias("__end"))
        .collect()
    )


def window_suspects(rows: pl.DataFrame) -> pl.DataFrame:
    ordered = rows.sort(GROUP, "started_at", "__end")
    previous_end = pl.col("__end").cum_max().shift(1).over(GROUP)
    duplicate = (pl.col("started_at") == pl.col("started_at").shift(1).over(GROUP)) & (
        pl.col("__end") == pl.col("__end").shift(1).over(GROUP)
    )
    return ordered.filter(((pl.col("started_at") < previous_end) | duplicate).fill_null(False))


def flat_suspects(rows: pl.DataFrame) -> pl.DataFrame:
    if rows.get_column(GROUP).n_unique() == rows.height:
        return rows.clear()  # one row per subscription: nothing can overlap
    ordered = rows.sort(GROUP, "started_at", "__end")
    days = 1 << 22  # more than 9999-12-31 in days since 1970
    group = (pl.col(GROUP) != pl.col(GROUP).shift(1)).fill_null(True).cum_sum().cast(pl.Int64)
    start = pl.col("started_at").cast(pl.Int64)
    end = pl.col("__end").cast(pl.Int64)
    same = pl.col("__g") == pl.col("__g").shift(1)
    return (
        ordered.with_columns(__g=group)
        .with_columns(__prev=(pl.col("__g") * days + end).cum_max().shift(1))
        .filter(
            (
                same
                & (
                    (pl.col("__g") * days + start < pl.col("__prev"))
                    | ((start == start.shift(1)) & (end == end.shift(1)))
                )
            ).fill_null(False)
        )
        .drop("__g", "__prev")
    )


def timed(
    label: str, run: Callable[[], pl.DataFrame], repeat: int = 3, noun: str = "suspects"
) -> pl.DataFrame:
    times: list[float] = []
    result = pl.DataFrame()
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    print(f"  {min(times):6.3f} s (best of {repeat})  {label}  → {result.height:,} {noun}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("path")
    args = parser.parse_args(argv)
    rows = rows_of(args.path)
    print(f"{args.path}: {rows.height:,} rows, {rows.get_column(GROUP).n_unique():,} subscription ids")
    shuffled = rows.sample(fraction=1.0, shuffle=True, seed=7)
    for order, frame in (("file order", rows), ("shuffled", shuffled)):
        print(f"rows in {order}:")

        def sort(frame: pl.DataFrame = frame) -> pl.DataFrame:
            return frame.sort(GROUP, "started_at", "__end")

        def windows(frame: pl.DataFrame = frame) -> pl.DataFrame:
            return window_suspects(frame)

        def flat(frame: pl.DataFrame = frame) -> pl.DataFrame:
            return flat_suspects(frame)

        def csm(frame: pl.DataFrame = frame) -> pl.DataFrame:
            from csmetrics.io.readers import _overlapping_groups

            return _overlapping_groups(frame, GROUP)

        timed("sort by subscription_id, started_at, end (alone)", sort, noun="rows")
        expected = timed("windows: sort + 3 windows over subscription_id (csm before)", windows)
        got = timed("flat: sort + one running max, no windows", flat)
        if sorted(expected.get_column(ROW).to_list()) != sorted(got.get_column(ROW).to_list()):
            raise SystemExit("the two formulations flag different rows")
        own = timed("csm now: readers._overlapping_groups", csm, noun="subscriptions")
        if set(own.get_column(GROUP).to_list()) != set(expected.get_column(GROUP).to_list()):
            raise SystemExit("csm flags other subscriptions")
    broken = pl.concat([rows, rows.head(1000).with_columns(pl.col(ROW) + rows.height)])
    print("with 1,000 exact duplicate rows appended:")
    expected = timed("windows", lambda: window_suspects(broken), 1)
    got = timed("flat", lambda: flat_suspects(broken), 1)
    if sorted(expected.get_column(ROW).to_list()) != sorted(got.get_column(ROW).to_list()):
        raise SystemExit("the two formulations flag different rows")
    from csmetrics.io.readers import _overlapping_groups

    own = timed("csm now", lambda: _overlapping_groups(broken, GROUP), 1, noun="subscriptions")
    if set(own.get_column(GROUP).to_list()) != set(expected.get_column(GROUP).to_list()):
        raise SystemExit("csm flags other subscriptions")
    print("both flag the same rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
