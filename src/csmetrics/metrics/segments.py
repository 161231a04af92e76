"""Who churns: the MRR bridge per segment of customers, by trait (SPEC §3 run on each segment).

A trait gives every customer one value: a customer attribute (by the rule of ``csm mrr --by``),
tenure at the period's opening in bands, or the number of tickets it opened in the 90 days
before the period, in bands. Each segment's numbers are the revenue rules run on that segment's
customers, so the segments of one trait add up to the whole. Small segments carry a Wilson 95%
interval for their logo churn rate, so nobody acts on noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from csmetrics.metrics.revenue import (
    MRR,
    NO_GROUP,
    OPEN_END,
    Bridge,
    Frame,
    bridge_aggregations,
    bridge_from_row,
    customer_attribute,
    customer_states,
)
from csmetrics.periods import Period

SMALL_SEGMENT = 30
"""Below this many customers at the start, a segment's churn rate is flagged as noisy."""

TENURE_BANDS = ((0, 3, "0–3 months"), (3, 6, "3–6 months"), (6, 12, "6–12 months"), (12, 24, "12–24 months"))
TENURE_OVER = "24+ months"
NEW_IN_PERIOD = "(new in period)"
TICKET_BANDS = ((0, 1, "0 tickets"), (1, 3, "1–2 tickets"), (3, 6, "3–5 tickets"), (6, 11, "6–10 tickets"))
TICKET_WINDOW_DAYS = 90
TICKETS_OVER = "11+ tickets"
_DAYS_PER_MONTH = 30.4375
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Segment:
    """One value of one trait: its bridge, and how its logo churn compares with everyone's."""

    trait: str
    value: str
    bridge: Bridge
    churn_low: float | None
    churn_high: float | None
    lift: float | None

    @property
    def small(self) -> bool:
        """Too few customers at the start for the churn rate to mean much."""
        return self.bridge.customers_start < SMALL_SEGMENT

    def values(self) -> dict[str, object]:
        """JSON entry: trait, value, every bridge key, the churn interval, lift and the small flag."""
        return {
            "trait": self.trait,
            "value": self.value,
            **self.bridge.values(),
            "logo_churn_rate_low_95": self.churn_low,
            "logo_churn_rate_high_95": self.churn_high,
            "lift": self.lift,
            "small": self.small,
        }


def wilson_interval(events: int, trials: int) -> tuple[float | None, float | None]:
    """The Wilson 95% interval of a proportion (better than Wald for small n or rates near 0)."""
    if trials == 0:
        return None, None
    share = events / trials
    z2 = _Z95 * _Z95
    centre = (share + z2 / (2 * trials)) / (1 + z2 / trials)
    half = _Z95 * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def attribute_trait(subscriptions: Frame, period: Period, as_of: date, attribute: str) -> pl.LazyFrame:
    """customer_id → the attribute's value, by the rule of ``csm mrr --by``."""
    return customer_attribute(subscriptions, period, as_of, attribute).rename({"group": "value"})


def _banded(number: pl.Expr, bands: tuple[tuple[float, float, str], ...], over: str) -> pl.Expr:
    """The label of the band [low, high) holding ``number``; ``over`` past the last band."""
    labels = [pl.when((number >= low) & (number < high)).then(pl.lit(label)) for low, high, label in bands]
    return pl.coalesce([*labels, pl.lit(over)])


def tenure_trait(subscriptions: Frame, period: Period) -> pl.LazyFrame:
    """customer_id → tenure band at the opening: months from the first paid day to the period start."""
    paid = (pl.col(MRR) > 0) & (pl.col("ended_at").fill_null(OPEN_END) > pl.col("started_at"))
    months = (pl.lit(period.start) - pl.col("first_paid")).dt.total_days() / _DAYS_PER_MONTH
    is_new = pl.col("first_paid").is_null() | (pl.col("first_paid") >= period.start)
    band = pl.when(is_new).then(pl.lit(NEW_IN_PERIOD)).otherwise(_banded(months, TENURE_BANDS, TENURE_OVER))
    return (
        subscriptions.lazy()
        .group_by("customer_id")
        .agg(pl.col("started_at").filter(paid).min().alias("first_paid"))
        .select("customer_id", band.alias("value"))
    )


def ticket_trait(subscriptions: Frame, tickets: Frame, period: Period) -> pl.LazyFrame:
    """customer_id → band of the tickets it opened in the 90 days before the period started.

    Counting before the period, not in it, avoids survivorship: a customer who churns in
    February cannot open tickets in November, so in-period counts make churners look quiet.
    """
    first = period.start - timedelta(days=TICKET_WINDOW_DAYS)
    day = pl.col("created_at").dt.date()
    counts = (
        tickets.lazy()
        .filter((day >= first) & (day < period.start) & pl.col("customer_id").is_not_null())
        .group_by("customer_id")
        .agg(pl.len().cast(pl.Int64).alias("tickets"))
    )
    return (
        subscriptions.lazy()
        .select("customer_id")
        .unique()
        .join(counts, on="customer_id", how="left")
        .select(
            "customer_id", _banded(pl.col("tickets").fill_null(0), TICKET_BANDS, TICKETS_OVER).alias("value")
        )
    )


USAGE_BANDS = (
    (0.0, 0.25, "under 25% of limit"),
    (0.25, 0.5, "25–50% of limit"),
    (0.5, 0.8, "50–80% of limit"),
    (0.8, 1.0, "80–100% of limit"),
)
USAGE_OVER = "over the limit"
NO_USAGE = "(no usage data)"


def usage_trait(subscriptions: Frame, usage: Frame, period: Period) -> pl.LazyFrame:
    """customer_id → band of used ÷ limit on its latest measurement before the period starts.

    Measured before the period, like tickets, so the trait is known before anyone churns.
    """
    latest = (
        usage.lazy()
        .filter(pl.col("date") < period.start)
        .sort("date")
        .group_by("customer_id")
        .agg((pl.col("used") / pl.col("limit")).last().alias("share"))
    )
    share = pl.col("share")
    band = pl.when(share.is_null()).then(pl.lit(NO_USAGE)).otherwise(_banded(share, USAGE_BANDS, USAGE_OVER))
    return (
        subscriptions.lazy()
        .select("customer_id")
        .unique()
        .join(latest, on="customer_id", how="left")
        .select("customer_id", band.alias("value"))
    )


def segment_bridges(
    subscriptions: Frame, period: Period, as_of: date, traits: dict[str, pl.LazyFrame]
) -> list[Segment]:
    """The bridge of every value of every trait, sorted by lift against the overall churn rate.

    Segments with a churn rate come first, most above the overall rate first; the rest follow.
    """
    states = customer_states(subscriptions, period, as_of).collect().lazy()
    overall = bridge_from_row(states.select(bridge_aggregations()).collect().row(0, named=True))
    overall_rate = overall.rates()["logo_churn_rate"]
    segments: list[Segment] = []
    for trait, values in traits.items():
        table = (
            states.join(values, on="customer_id", how="left")
            .with_columns(pl.col("value").cast(pl.String).fill_null(NO_GROUP))
            .group_by("value")
            .agg(bridge_aggregations())
            .filter((pl.col("customers_start") > 0) | (pl.col("customers_end") > 0))
            .collect()
        )
        for row in table.iter_rows(named=True):
            bridge = bridge_from_row(row)
            rate = bridge.rates()["logo_churn_rate"]
            low, high = wilson_interval(bridge.churned_customers, bridge.customers_start)
            lift = rate / overall_rate if rate is not None and overall_rate else None
            segments.append(Segment(trait, str(row["value"]), bridge, low, high, lift))
    return sorted(
        segments, key=lambda s: (s.lift is None, -(s.lift or 0), -s.bridge.customers_start, s.trait, s.value)
    )
