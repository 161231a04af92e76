"""The retention matrix by start month (issue 8): the standard cohort triangle.

A customer's cohort is the month of its first day with MRR > 0 (free plans and trials at 0 do not
start it). ``retained[k]`` is how many of the cohort's customers have MRR > 0 at the end of month
cohort + k (or the sum of their MRR with ``revenue=True``), so a customer who leaves and comes back
counts again while it pays. Only months whose end is known at as-of are filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from csmetrics.metrics.revenue import MRR, Frame, to_major
from csmetrics.metrics.trend import DAY, FIRST_PAID, first_paid, month_periods, mrr_steps, paying_totals
from csmetrics.periods import Period


@dataclass(frozen=True)
class Cohort:
    """One start month: its customers, their MRR on their first paid day, and what was retained."""

    cohort: str
    customers: int
    starting_mrr: int
    retained: tuple[int, ...]


@dataclass(frozen=True)
class CohortResult:
    """The triangle: ``retained`` counts customers, or MRR in cents when ``revenue`` is True."""

    revenue: bool
    cohorts: tuple[Cohort, ...]

    def retention(self) -> list[list[float | None]]:
        """Each cell as a fraction of its cohort: of its customers, or of its starting MRR with revenue."""
        out: list[list[float | None]] = []
        for row in self.cohorts:
            base = row.starting_mrr if self.revenue else row.customers
            out.append([cell / base if base else None for cell in row.retained])
        return out

    def values(self) -> dict[str, object]:
        """JSON values: ``cohorts`` = [{cohort, customers, retained}], money as Decimal major units.

        With revenue, each entry also gives ``starting_mrr``.
        """
        return {"cohorts": [self._entry(row) for row in self.cohorts]}

    def _entry(self, row: Cohort) -> dict[str, object]:
        if not self.revenue:
            return {"cohort": row.cohort, "customers": row.customers, "retained": list(row.retained)}
        return {
            "cohort": row.cohort,
            "customers": row.customers,
            "starting_mrr": to_major(row.starting_mrr),
            "retained": [to_major(cell) for cell in row.retained],
        }


def retention_matrix(
    subscriptions: Frame, first: Period, last: Period, as_of: date, revenue: bool = False
) -> CohortResult:
    """Cohorts from the month holding ``first.start`` to the one holding ``last.last_day``.

    A month belongs to the triangle only when it has ended by as-of (its last day ≤ as-of), so a
    cohort's size is final; cohort c gets retained[k] for every complete month c + k in range.
    Months without new customers are listed with zeros.
    """
    months = [m for m in month_periods(first.start, last.last_day) if m.is_complete(as_of)]
    if not months:
        return CohortResult(revenue=revenue, cohorts=())
    base = months[0].start.year * 12 + months[0].start.month - 1
    steps = mrr_steps(subscriptions).collect().lazy()  # used twice below: computed once
    month_of = pl.col(FIRST_PAID).dt.year().cast(pl.Int64) * 12 + pl.col(FIRST_PAID).dt.month() - 1 - base
    members = (
        first_paid(steps)
        .with_columns(month_of.alias("cohort"))
        .filter(pl.col("cohort").is_between(0, len(months) - 1))
    )
    sizes = (
        members.group_by("cohort")
        .agg(pl.len().cast(pl.Int64).alias("customers"), pl.col(MRR).sum().cast(pl.Int64).alias("starting"))
        .collect()
    )
    cells = paying_totals(
        steps.join(members.select("customer_id", "cohort"), on="customer_id"),
        [m.last_day for m in months],
        by=["cohort"],
    ).collect()
    size = {
        int(row["cohort"]): (int(row["customers"]), int(row["starting"]))
        for row in sizes.iter_rows(named=True)
    }
    measure = MRR if revenue else "customers"
    value = {
        (int(row["cohort"]), row[DAY]): int(row[measure]) for row in cells.iter_rows(named=True)
    }  # one row per cohort × month end: at most months², never per customer
    cohorts = tuple(
        Cohort(
            cohort=month.label,
            customers=size.get(c, (0, 0))[0],
            starting_mrr=size.get(c, (0, 0))[1],
            retained=tuple(value.get((c, later.last_day), 0) for later in months[c:]),
        )
        for c, month in enumerate(months)
    )
    return CohortResult(revenue=revenue, cohorts=cohorts)
