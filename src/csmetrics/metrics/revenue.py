"""The MRR bridge (SPEC §3): per-customer opening and closing MRR, and the movements between.

A subscription row serves [started_at, ended_at). A customer's MRR on a day is the sum of the
``mrr_cents`` of its rows serving at the end of that day; the customer is active when it is > 0.
Movements compare only the opening and the closing state, so in-and-out within a period nets out
(ChartMogul and Baremetrics net per customer the same way). Money stays in integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

import polars as pl

from csmetrics.periods import Period

MRR = "mrr_cents"
OPEN_END = date(9999, 12, 31)
NO_GROUP = "(none)"

Frame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class Bridge:
    """Counts and money (integer cents) of one period's MRR bridge."""

    customers_start: int = 0
    customers_end: int = 0
    new_customers: int = 0
    reactivated_customers: int = 0
    churned_customers: int = 0
    expanded_customers: int = 0
    contracted_customers: int = 0
    mrr_start: int = 0
    mrr_end: int = 0
    new_mrr: int = 0
    reactivation_mrr: int = 0
    expansion_mrr: int = 0
    contraction_mrr: int = 0
    churned_mrr: int = 0

    @property
    def net_new_mrr(self) -> int:
        """new + reactivation + expansion − contraction − churned; equals mrr_end − mrr_start."""
        gained = self.new_mrr + self.reactivation_mrr + self.expansion_mrr
        return gained - self.contraction_mrr - self.churned_mrr

    def rates(self) -> dict[str, float | None]:
        """Every rate of SPEC §3 as an unrounded fraction; None where the denominator is 0."""
        start = self.mrr_start
        gained = self.new_mrr + self.reactivation_mrr + self.expansion_mrr
        lost = self.churned_mrr + self.contraction_mrr
        return {
            "logo_churn_rate": _ratio(self.churned_customers, self.customers_start),
            "revenue_churn_rate": _ratio(self.churned_mrr, start),
            "gross_mrr_churn_rate": _ratio(lost, start),
            "net_mrr_churn_rate": _ratio(lost - self.expansion_mrr, start),
            "nrr": _ratio(start + self.expansion_mrr - lost, start),
            "grr": _ratio(start - lost, start),
            "expansion_rate": _ratio(self.expansion_mrr, start),
            "expansion_share_of_new_mrr": _ratio(self.expansion_mrr, gained),
            "quick_ratio": _ratio(gained, lost),
            "arpa": _money_ratio(self.mrr_end, self.customers_end),
        }

    def values(self) -> dict[str, object]:
        """SPEC §3 keys: counts as ints, money as exact Decimal in major units, rates as floats."""
        out: dict[str, object] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            out[item.name] = (
                to_major(value) if item.name.endswith("_mrr") or item.name.startswith("mrr_") else value
            )
        out["net_new_mrr"] = to_major(self.net_new_mrr)
        out.update(self.rates())
        return out


def to_major(cents: int) -> Decimal:
    """Integer cents as an exact Decimal in major units (29950 → 299.50)."""
    return Decimal(cents).scaleb(-2)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _money_ratio(cents: int, count: int) -> float | None:
    return cents / (100 * count) if count else None


def _serving(day: date) -> pl.Expr:
    """Rows serving at the end of ``day``: started on or before it, not ended by it."""
    return (pl.col("started_at") <= day) & (pl.col("ended_at").fill_null(OPEN_END) > day)


def _paid_before(start: date) -> pl.Expr:
    """Rows that gave MRR > 0 on some day before ``start``."""
    ended = pl.col("ended_at").fill_null(OPEN_END)
    return (pl.col(MRR) > 0) & (pl.col("started_at") < start) & (ended > pl.col("started_at"))


def customer_states(subscriptions: Frame, period: Period, as_of: date) -> pl.LazyFrame:
    """One row per customer: opening MRR ``m0``, closing MRR ``m1``, ``paid_before`` and movement.

    Opening = end of day start − 1; closing = end of the period's last day, or of as-of if earlier.
    """
    opening, closing = period.opening_day, period.closing_day(as_of)
    rows = subscriptions.lazy()
    states = rows.group_by("customer_id").agg(
        pl.col(MRR).filter(_serving(opening)).sum().alias("m0"),
        pl.col(MRR).filter(_serving(closing)).sum().alias("m1"),
        _paid_before(period.start).any().alias("paid_before"),
    )
    return states.with_columns(movement=movement())


def movement() -> pl.Expr:
    """Each customer's movement from ``m0``, ``m1`` and ``paid_before`` (SPEC §3); null for none."""
    m0, m1 = pl.col("m0"), pl.col("m1")
    return (
        pl.when((m0 > 0) & (m1 == 0))
        .then(pl.lit("churned"))
        .when((m0 == 0) & (m1 > 0) & ~pl.col("paid_before"))
        .then(pl.lit("new"))
        .when((m0 == 0) & (m1 > 0))
        .then(pl.lit("reactivated"))
        .when((m0 > 0) & (m1 > m0))
        .then(pl.lit("expanded"))
        .when((m0 > 0) & (m1 > 0) & (m1 < m0))
        .then(pl.lit("contracted"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def bridge_aggregations() -> list[pl.Expr]:
    """The counts and money of a bridge, aggregated over customer states."""
    m0, m1, movement = pl.col("m0"), pl.col("m1"), pl.col("movement")

    def count(name: str) -> pl.Expr:
        return (movement == name).sum().cast(pl.Int64)

    def money(expr: pl.Expr, name: str) -> pl.Expr:
        return expr.filter(movement == name).sum().cast(pl.Int64)

    return [
        (m0 > 0).sum().cast(pl.Int64).alias("customers_start"),
        (m1 > 0).sum().cast(pl.Int64).alias("customers_end"),
        count("new").alias("new_customers"),
        count("reactivated").alias("reactivated_customers"),
        count("churned").alias("churned_customers"),
        count("expanded").alias("expanded_customers"),
        count("contracted").alias("contracted_customers"),
        m0.sum().cast(pl.Int64).alias("mrr_start"),
        m1.sum().cast(pl.Int64).alias("mrr_end"),
        money(m1, "new").alias("new_mrr"),
        money(m1, "reactivated").alias("reactivation_mrr"),
        money(m1 - m0, "expanded").alias("expansion_mrr"),
        money(m0 - m1, "contracted").alias("contraction_mrr"),
        money(m0, "churned").alias("churned_mrr"),
    ]


def bridge_from_row(row: dict[str, object]) -> Bridge:
    """A Bridge from one aggregated row."""
    return Bridge(**{item.name: int(row[item.name] or 0) for item in fields(Bridge)})  # type: ignore[call-overload]


def compute_bridge(subscriptions: Frame, period: Period, as_of: date) -> Bridge:
    """The whole MRR bridge of one period (SPEC §3)."""
    states = customer_states(subscriptions, period, as_of)
    row = states.select(bridge_aggregations()).collect().row(0, named=True)
    return bridge_from_row(row)


def customer_attribute(subscriptions: Frame, period: Period, as_of: date, attribute: str) -> pl.LazyFrame:
    """Each customer's ``attribute`` for splitting a bridge, so every customer is in one group.

    Taken from its largest row serving at the close; else at the opening; else its latest row.
    """
    opening, closing = period.opening_day, period.closing_day(as_of)
    rank = (
        pl.when(_serving(closing) & (pl.col(MRR) > 0))
        .then(0)
        .when(_serving(opening) & (pl.col(MRR) > 0))
        .then(1)
        .otherwise(2)
    )
    return (
        subscriptions.lazy()
        .filter(pl.col("started_at") <= closing)
        .with_columns(rank.alias("__rank"))
        .sort(
            "customer_id",
            "__rank",
            MRR,
            "started_at",
            attribute,
            "subscription_id",
            descending=[False, False, True, True, False, False],
            nulls_last=True,
        )
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col(attribute).cast(pl.String).first().fill_null(NO_GROUP).alias("group"))
    )


def compute_bridge_by(
    subscriptions: Frame, period: Period, as_of: date, attribute: str
) -> list[tuple[str, Bridge]]:
    """The bridge split by a customer attribute (plan, industry, …); groups add up to the total.

    Groups that had no MRR at either end (free plans only) are left out: they hold no money.
    """
    states = customer_states(subscriptions, period, as_of)
    groups = customer_attribute(subscriptions, period, as_of, attribute)
    table = (
        states.join(groups, on="customer_id", how="left")
        .with_columns(pl.col("group").fill_null(NO_GROUP))
        .group_by("group")
        .agg(bridge_aggregations())
        .filter((pl.col("mrr_start") > 0) | (pl.col("mrr_end") > 0) | (pl.col("churned_mrr") > 0))
        .sort("mrr_end", "mrr_start", "group", descending=[True, True, False])
        .collect()
    )
    return [(str(row["group"]), bridge_from_row(row)) for row in table.iter_rows(named=True)]


def _plan_at(day: date) -> pl.Expr:
    """The plan of the customer's largest row serving at the end of ``day``."""
    serving = _serving(day) & (pl.col(MRR) > 0)
    return (
        pl.col("plan")
        .filter(serving)
        .sort_by([pl.col(MRR).filter(serving), pl.col("plan").filter(serving)], descending=[True, False])
        .first()
    )


def churned_customers(subscriptions: Frame, period: Period, as_of: date) -> pl.DataFrame:
    """Customers who churned in the period, largest lost MRR first.

    Columns: customer_id, mrr_cents (lost), plan (at the opening), churned_on (first day without
    MRR), tenure_days (first paid day to churned_on), cancel_reason (of the paying row that ended
    last in the period; ties: the larger MRR, then subscription_id).
    """
    opening, closing = period.opening_day, period.closing_day(as_of)
    paid_ended = (
        pl.col("ended_at").is_between(period.start, closing)
        & (pl.col(MRR) > 0)
        & (pl.col("ended_at") > pl.col("started_at"))
    )
    paid = (pl.col(MRR) > 0) & (pl.col("ended_at").fill_null(OPEN_END) > pl.col("started_at"))
    details = (
        subscriptions.lazy()
        .group_by("customer_id")
        .agg(
            _plan_at(opening).alias("plan"),
            pl.col("ended_at").filter(paid_ended).max().alias("churned_on"),
            pl.col("started_at").filter(paid).min().alias("first_paid_on"),
            pl.col("cancel_reason")
            .filter(paid_ended)
            .sort_by(
                [
                    pl.col("ended_at").filter(paid_ended),
                    pl.col(MRR).filter(paid_ended),
                    pl.col("subscription_id").filter(paid_ended),
                ],
                descending=[True, True, False],
            )
            .first()
            .alias("cancel_reason"),
        )
    )
    return (
        customer_states(subscriptions, period, as_of)
        .filter(pl.col("movement") == "churned")
        .join(details, on="customer_id", how="left")
        .select(
            "customer_id",
            pl.col("m0").alias(MRR),
            "plan",
            "churned_on",
            (pl.col("churned_on") - pl.col("first_paid_on")).dt.total_days().alias("tenure_days"),
            "cancel_reason",
        )
        .sort(MRR, "customer_id", descending=[True, False])
        .collect()
    )


def expanded_customers(subscriptions: Frame, period: Period, as_of: date) -> pl.DataFrame:
    """Customers whose MRR grew in the period, largest expansion first.

    Columns: customer_id, mrr_start_cents, mrr_end_cents, expansion_cents, plan_start, plan_end.
    """
    opening, closing = period.opening_day, period.closing_day(as_of)
    plans = (
        subscriptions.lazy()
        .group_by("customer_id")
        .agg(_plan_at(opening).alias("plan_start"), _plan_at(closing).alias("plan_end"))
    )
    return (
        customer_states(subscriptions, period, as_of)
        .filter(pl.col("movement") == "expanded")
        .join(plans, on="customer_id", how="left")
        .select(
            "customer_id",
            pl.col("m0").alias("mrr_start_cents"),
            pl.col("m1").alias("mrr_end_cents"),
            (pl.col("m1") - pl.col("m0")).alias("expansion_cents"),
            "plan_start",
            "plan_end",
        )
        .sort("expansion_cents", "customer_id", descending=[True, False])
        .collect()
    )


@dataclass(frozen=True)
class NrrPoints:
    """NRR in points of opening MRR: nrr = 100 − churn − contraction + expansion (unrounded)."""

    nrr: float
    churn: float
    contraction: float
    expansion: float


def nrr_points(bridge: Bridge) -> NrrPoints | None:
    """How many points of NRR each movement explains; None when there was no opening MRR."""
    start = bridge.mrr_start
    if not start:
        return None
    churn = 100 * bridge.churned_mrr / start
    contraction = 100 * bridge.contraction_mrr / start
    expansion = 100 * bridge.expansion_mrr / start
    nrr = 100 * (start + bridge.expansion_mrr - bridge.contraction_mrr - bridge.churned_mrr) / start
    return NrrPoints(nrr=nrr, churn=churn, contraction=contraction, expansion=expansion)


def customers_where(subscriptions: Frame, period: Period, as_of: date, where: dict[str, str]) -> pl.Series:
    """The customers whose attributes equal every ``where`` value, by the rule of ``--by``."""
    rows = subscriptions.lazy()
    chosen = rows.select("customer_id").unique()
    for attribute, wanted in where.items():
        groups = customer_attribute(subscriptions, period, as_of, attribute)
        chosen = chosen.join(groups.filter(pl.col("group") == wanted).select("customer_id"), on="customer_id")
    return chosen.collect()["customer_id"]


def with_customer_attributes(subscriptions: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """Subscriptions with the customers file's attributes laid over them (the CRM file wins).

    Every column of ``customers`` other than customer_id replaces the subscriptions' column of the
    same name (or is added); customers missing from the file keep their own values.
    """
    attributes = [name for name in customers.columns if name != "customer_id"]
    if not attributes:
        return subscriptions
    given = customers.select("customer_id", *[pl.col(name).alias(f"__crm_{name}") for name in attributes])
    merged = subscriptions.join(given, on="customer_id", how="left")
    updates = []
    for name in attributes:
        crm = pl.col(f"__crm_{name}")
        if name in subscriptions.columns:
            updates.append(pl.coalesce(crm.cast(subscriptions.schema[name]), pl.col(name)).alias(name))
        else:
            updates.append(crm.alias(name))
    return merged.with_columns(updates).drop([f"__crm_{name}" for name in attributes])
