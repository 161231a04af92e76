"""Series of periods: the MRR bridge of many months or quarters in one pass (SPEC §2–3).

Each subscription row is two events: +mrr on started_at and −mrr on ended_at. The running sum of
a customer's events, ordered by day, is its MRR at the end of every day (a step function). The
customers and MRR at every period boundary come from one more cumulative sum over those steps,
and only customers with a step inside a period can move in it, so a whole series costs one sort
of the events instead of one full recomputation per period. Movements are classified by the same
expressions as :func:`csmetrics.metrics.revenue.compute_bridge`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from math import fsum

import polars as pl

from csmetrics.metrics.revenue import (
    MRR,
    Bridge,
    Frame,
    NrrPoints,
    bridge_aggregations,
    bridge_from_row,
    movement,
    nrr_points,
)
from csmetrics.periods import Period, add_months, last_complete_month, month_period, month_start

DAY = "day"
FIRST_PAID = "first_paid_on"


# --- periods -------------------------------------------------------------------------------------


def month_periods(first: date, last: date) -> list[Period]:
    """Every calendar month from the one holding ``first`` to the one holding ``last``, in order.

    Empty when ``last`` falls in a month before ``first``'s.
    """
    start, stop = month_start(first), month_start(last)
    count = _month_index(stop) - _month_index(start) + 1
    return [month_period(add_months(start, i)) for i in range(max(count, 0))]


def quarter_periods(first: date, last: date) -> list[Period]:
    """Every calendar quarter (``2023-Q4``) from the one holding ``first`` to the one holding ``last``."""
    start, stop = _quarter_start(first), _quarter_start(last)
    count = (_month_index(stop) - _month_index(start)) // 3 + 1
    quarters = [add_months(start, 3 * i) for i in range(max(count, 0))]
    return [Period(f"{q.year:04d}-Q{(q.month - 1) // 3 + 1}", q, add_months(q, 3)) for q in quarters]


def last_months(as_of: date, n: int) -> list[Period]:
    """``--months N``: the N calendar months that end before the as-of day's month, oldest first.

    as-of 2024-01-15 or 2024-01-31 with N = 3 → 2023-10, 2023-11, 2023-12 (like ``last-month``).
    """
    if n < 1:
        raise ValueError(f"--months must be 1 or more, not {n}")
    last = last_complete_month(as_of).start
    return [month_period(add_months(last, i - n + 1)) for i in range(n)]


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# --- MRR as a step function per customer ---------------------------------------------------------


def mrr_steps(subscriptions: Frame) -> pl.LazyFrame:
    """Each customer's MRR after every day on which it changes, sorted by customer_id and day.

    Columns: customer_id, day, mrr_cents (at the end of that day, held until the next step),
    previous (the MRR before it; 0 at the customer's first step) and until (the customer's next
    step day; null at its last). A row adds its mrr on started_at and removes it on ended_at; the
    events of one day are netted before the running sum, so a same-day plan change is one step.
    """
    rows = subscriptions.lazy()
    starts = rows.select("customer_id", pl.col("started_at").alias(DAY), pl.col(MRR).alias("delta"))
    ends = rows.filter(pl.col("ended_at").is_not_null()).select(
        "customer_id", pl.col("ended_at").alias(DAY), (-pl.col(MRR)).alias("delta")
    )
    running = pl.col("delta").cum_sum()
    before = pl.when(_new_customer()).then(running - pl.col("delta")).forward_fill()
    return (
        pl.concat([starts, ends])
        .group_by("customer_id", DAY)
        .agg(pl.col("delta").sum())
        .sort("customer_id", DAY)
        .with_columns((running - before).alias(MRR))  # a cum_sum restarted at every customer
        .select(
            "customer_id",
            DAY,
            MRR,
            pl.when(_new_customer()).then(0).otherwise(pl.col(MRR).shift(1)).alias("previous"),
            pl.when(_new_customer().shift(-1)).then(None).otherwise(pl.col(DAY).shift(-1)).alias("until"),
        )
    )


def _new_customer() -> pl.Expr:
    """True on the first row of each customer in a frame sorted by customer_id (cheaper than a window)."""
    return pl.col("customer_id").ne_missing(pl.col("customer_id").shift(1))


def paying_totals(steps: pl.LazyFrame, days: Iterable[date], by: Sequence[str] = ()) -> pl.LazyFrame:
    """Per group of ``by`` (columns of ``steps``) and each of ``days``: customers with MRR > 0 at the
    end of that day (``customers``) and the sum of their MRR (``mrr_cents``).

    Each step with MRR > 0 covers the days from its own up to the next step; binary search on the
    sorted days finds them, and a cumulative sum of +1/−1 (+mrr/−mrr) at those edges gives the totals.
    Every group × day is present (zeros included) for the groups that ever pay on one of the days.
    """
    grid = pl.Series(DAY, sorted(set(days)), dtype=pl.Date)
    keys = [*by, "position"]
    first = pl.lit(grid).search_sorted(pl.col(DAY), side="left")
    past = (
        pl.when(pl.col("until").is_null())
        .then(grid.len())
        .otherwise(pl.lit(grid).search_sorted(pl.col("until"), side="left"))
    )
    covered = (
        steps.filter(pl.col(MRR) > 0)
        .select(*by, MRR, first.cast(pl.Int64).alias("first"), past.cast(pl.Int64).alias("past"))
        .filter(pl.col("first") < pl.col("past"))
    )
    edges = (
        pl.concat(
            [
                covered.select(*by, pl.col("first").alias("position"), pl.lit(1).alias("n"), MRR),
                covered.select(*by, pl.col("past").alias("position"), pl.lit(-1).alias("n"), -pl.col(MRR)),
            ]
        )
        .group_by(keys)
        .agg(pl.col("n").sum(), pl.col(MRR).sum())
    )
    positions = pl.LazyFrame({"position": pl.Series(range(grid.len()), dtype=pl.Int64)})
    grid_of_groups = covered.select(by).unique().join(positions, how="cross") if by else positions

    def running(column: str) -> pl.Expr:
        total = pl.col(column).fill_null(0).cum_sum()
        return (total.over(by) if by else total).cast(pl.Int64)

    return (
        grid_of_groups.join(edges, on=keys, how="left")
        .sort(keys)
        .select(
            *by,
            pl.lit(grid).gather(pl.col("position")).alias(DAY),
            running("n").alias("customers"),
            running(MRR).alias(MRR),
        )
    )


def first_paid(steps: pl.LazyFrame) -> pl.LazyFrame:
    """Each customer's first day with MRR > 0 (``first_paid_on``) and its MRR at the end of that day.

    Customers who never paid (free plans and trials at 0 only) are absent.
    """
    return (
        steps.filter(pl.col(MRR) > 0)
        .group_by("customer_id")
        .agg(pl.col(DAY).min().alias(FIRST_PAID), pl.col(MRR).sort_by(DAY).first())
    )


# --- the bridge of many periods ------------------------------------------------------------------

_ENDS = ("customers_start", "customers_end", "mrr_start", "mrr_end")


def bridge_series(
    subscriptions: Frame, periods: Sequence[Period], as_of: date
) -> list[tuple[Period, Bridge]]:
    """The MRR bridge of every period, each equal to ``compute_bridge(subscriptions, period, as_of)``.

    One pass over the MRR steps: customers and MRR at every opening day (start − 1) and closing day
    (last day, or as-of if earlier) come from one cumulative sum; only customers with a step inside
    (opening, closing] can move, their m0 being the MRR before their first step there and m1 the MRR
    after their last. "Paid before s" is first_paid_on < s, computed once per customer.
    Periods may overlap or leave gaps; a period that starts after as-of is a ValueError.
    """
    for period in periods:
        if period.start > as_of:
            raise ValueError(f"period {period.label} starts after as-of {as_of.isoformat()}")
    if not periods:
        return []
    bounds = pl.DataFrame(
        {
            "index": list(range(len(periods))),
            "start": [p.start for p in periods],
            "opening": [p.opening_day for p in periods],
            "closing": [p.closing_day(as_of) for p in periods],
        },
        schema={"index": pl.Int64, "start": pl.Date, "opening": pl.Date, "closing": pl.Date},
    )
    steps = mrr_steps(subscriptions).collect().lazy()  # used three times below: computed once
    totals = paying_totals(steps, [*bounds["opening"], *bounds["closing"]])
    ends = (
        bounds.lazy()
        .join(totals.select(DAY, customers_start="customers", mrr_start=MRR), left_on="opening", right_on=DAY)
        .join(totals.select(DAY, customers_end="customers", mrr_end=MRR), left_on="closing", right_on=DAY)
        .select("index", *_ENDS)
    )
    movers = (
        steps.filter(pl.col(MRR) != pl.col("previous"))
        .join_where(bounds.lazy(), pl.col(DAY) > pl.col("opening"), pl.col(DAY) <= pl.col("closing"))
        .group_by("index", "customer_id")
        .agg(
            pl.col("start").first(),
            pl.col("previous").sort_by(DAY).first().alias("m0"),
            pl.col(MRR).sort_by(DAY).last().alias("m1"),
        )
        .join(first_paid(steps).select("customer_id", FIRST_PAID), on="customer_id", how="left")
        .with_columns((pl.col(FIRST_PAID) < pl.col("start")).fill_null(False).alias("paid_before"))
        .with_columns(movement=movement())
    )
    moves = [expr for expr in bridge_aggregations() if expr.meta.output_name() not in _ENDS]
    table = ends.join(movers.group_by("index").agg(moves), on="index", how="left").collect()
    found = {int(row["index"]): bridge_from_row(row) for row in table.iter_rows(named=True)}
    return [(period, found[i]) for i, period in enumerate(periods)]


# --- reading a series ----------------------------------------------------------------------------


def least_squares_slope(values: Sequence[float | None]) -> float | None:
    """The direction over the window: the least-squares slope per period of the known values.

    x is the period's position (0, 1, …), so a missing value (None) keeps the spacing of the rest;
    None when fewer than 2 values are known.
    """
    points = [(float(x), float(y)) for x, y in enumerate(values) if y is not None]
    if len(points) < 2:
        return None
    mean_x = fsum(x for x, _ in points) / len(points)
    mean_y = fsum(y for _, y in points) / len(points)
    spread = fsum((x - mean_x) ** 2 for x, _ in points)
    return fsum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def nrr_decomposition(bridge: Bridge) -> NrrPoints | None:
    """NRR in points of opening MRR: nrr = 100 − churn − contraction + expansion (90 = 100 − 10 − 10 + 10).

    The same numbers as ``csm nrr --explain`` (:func:`csmetrics.metrics.revenue.nrr_points`);
    None when the period opened without MRR.
    """
    return nrr_points(bridge)
