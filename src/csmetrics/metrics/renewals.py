"""Renewals: paying customers whose licence runs out soon, and those already past it (issue 9).

Rules:

- Who: customers active at the end of the as-of day (netted MRR > 0, SPEC §3).
- Licence end: the earliest ``expires_at`` (last valid day, inclusive) of the customer's paying
  rows (MRR > 0) serving at the end of the as-of day; days_left = expires_at − as-of.
- Due for renewal: 0 ≤ days_left ≤ ``within_days``; past due: days_left < 0 (listed apart).
  Customers whose serving rows carry no ``expires_at`` are not listed (counted in
  ``without_expiry``): the frame holds MRR only, not the billing term, so an annual or quarterly
  term cannot be told from a monthly one without ``expires_at``.
- At stake: the customer's whole MRR at the end of the as-of day; ARR = 12 × MRR.
  ``mrr_at_stake`` sums the renewals due in the window (past-due ones are not in it).
- cancellation_scheduled: the rows already say the customer's MRR falls to 0 on a day after as-of
  and stays there (a row ends after as-of with nothing paying after it); a scheduled plan change
  (one row ends, the next starts the same day) is not a cancellation.
- Order: fewest days left first, then the larger MRR, then customer_id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from csmetrics.metrics.revenue import MRR, OPEN_END, Frame, customer_states, to_major
from csmetrics.metrics.trend import DAY, mrr_steps
from csmetrics.periods import Period

DEFAULT_WITHIN_DAYS = 30
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Renewal:
    """One customer's coming (or missed) renewal; money in integer cents."""

    customer_id: str
    plan: str | None
    mrr: int
    expires_at: date
    days_left: int
    cancellation_scheduled: bool

    @property
    def arr(self) -> int:
        """12 × MRR, in cents."""
        return MONTHS_PER_YEAR * self.mrr

    def values(self) -> dict[str, object]:
        """JSON entry: customer_id, plan, mrr, arr (Decimal major units), expires_at, days_left, flag."""
        return {
            "customer_id": self.customer_id,
            "plan": self.plan,
            "mrr": to_major(self.mrr),
            "arr": to_major(self.arr),
            "expires_at": self.expires_at,
            "days_left": self.days_left,
            "cancellation_scheduled": self.cancellation_scheduled,
        }


@dataclass(frozen=True)
class RenewalsResult:
    """Renewals due within the window and past-due ones, as known at the end of the as-of day."""

    as_of: date
    within_days: int
    renewals: tuple[Renewal, ...]
    past_due: tuple[Renewal, ...]
    without_expiry: int
    """Active customers not listed because no paying row serving at as-of has an expires_at."""

    @property
    def mrr_at_stake(self) -> int:
        """The summed MRR (cents) of the renewals due in the window."""
        return sum(row.mrr for row in self.renewals)

    @property
    def arr_at_stake(self) -> int:
        """12 × mrr_at_stake, in cents."""
        return MONTHS_PER_YEAR * self.mrr_at_stake

    def values(self) -> dict[str, object]:
        """JSON values: renewals, past_due, mrr_at_stake and arr_at_stake (Decimal major units)."""
        return {
            "renewals": [row.values() for row in self.renewals],
            "past_due": [row.values() for row in self.past_due],
            "mrr_at_stake": to_major(self.mrr_at_stake),
            "arr_at_stake": to_major(self.arr_at_stake),
        }


def _with_optional(subscriptions: Frame) -> pl.LazyFrame:
    """The rows, with an empty ``expires_at`` and ``plan`` when the frame has none."""
    rows = subscriptions.lazy()
    names = rows.collect_schema().names()
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in (("expires_at", pl.Date), ("plan", pl.String))
        if name not in names
    ]
    return rows.with_columns(missing) if missing else rows


def _scheduled_stops(subscriptions: Frame, as_of: date) -> pl.LazyFrame:
    """customer_id → True when its last MRR step is after as-of and leaves it at MRR ≤ 0."""
    return (
        mrr_steps(subscriptions)
        .group_by("customer_id")
        .agg(pl.col(DAY).last().alias("__last_day"), pl.col(MRR).last().alias("__last_mrr"))
        .select(
            "customer_id",
            ((pl.col("__last_day") > as_of) & (pl.col("__last_mrr") <= 0)).alias("cancellation_scheduled"),
        )
    )


def renewals(subscriptions: Frame, as_of: date, within_days: int = DEFAULT_WITHIN_DAYS) -> RenewalsResult:
    """Active customers whose licence ends within ``within_days`` of as-of, and past-due ones (module doc)."""
    if within_days < 0:
        raise ValueError(f"within_days must be 0 or more, not {within_days}")
    rows = _with_optional(subscriptions)
    day = Period(as_of.isoformat(), as_of, as_of + timedelta(days=1))
    active = customer_states(rows, day, as_of).filter(pl.col("m1") > 0).select("customer_id", "m1")
    serving = (
        (pl.col("started_at") <= as_of) & (pl.col("ended_at").fill_null(OPEN_END) > as_of) & (pl.col(MRR) > 0)
    )
    licences = (
        rows.filter(serving)
        .group_by("customer_id")
        .agg(
            pl.col("expires_at").min(),
            pl.col("plan")
            .cast(pl.String)
            .sort_by([pl.col(MRR), pl.col("plan").cast(pl.String)], descending=[True, False], nulls_last=True)
            .first()
            .alias("plan"),
        )
    )
    table = (
        active.join(licences, on="customer_id", how="left")
        .join(_scheduled_stops(rows, as_of), on="customer_id", how="left")
        .with_columns((pl.col("expires_at") - pl.lit(as_of)).dt.total_days().alias("days_left"))
        .sort("days_left", "m1", "customer_id", descending=[False, True, False], nulls_last=True)
        .collect()
    )
    listed = [
        Renewal(
            customer_id=str(row["customer_id"]),
            plan=row["plan"],
            mrr=int(row["m1"]),
            expires_at=row["expires_at"],
            days_left=int(row["days_left"]),
            cancellation_scheduled=bool(row["cancellation_scheduled"]),
        )
        for row in table.filter(pl.col("days_left") <= within_days).iter_rows(named=True)
    ]
    return RenewalsResult(
        as_of=as_of,
        within_days=within_days,
        renewals=tuple(row for row in listed if row.days_left >= 0),
        past_due=tuple(row for row in listed if row.days_left < 0),
        without_expiry=int(table["expires_at"].null_count()),
    )
