"""Why customers leave: churned customers and churned MRR by cancel reason (SPEC §3, issue 8).

The churned customers are exactly those of the MRR bridge (m0 > 0, m1 = 0). A churned customer's
reason is the cancel_reason of its row that ended last in the period (ties: the larger MRR, then
subscription_id), as :func:`csmetrics.metrics.revenue.churned_customers` lists it. An empty reason
is the key ``(none)``. Money stays in integer cents until ``values()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from csmetrics.metrics.revenue import (
    MRR,
    NO_GROUP,
    Frame,
    churned_customers,
    customer_attribute,
    to_major,
)
from csmetrics.periods import Period

NO_REASON = NO_GROUP  # "(none)": the reason key of a churned customer without a cancel_reason
OTHER_REASONS = "(other)"  # the table row that sums the reasons below the top n


@dataclass(frozen=True)
class ReasonCount:
    """One reason: how many churned customers gave it and the MRR they took away (cents)."""

    reason: str
    customers: int
    churned_mrr: int


@dataclass(frozen=True)
class ReasonsResult:
    """The churned customers of a period split by reason, most customers first."""

    churned_customers: int
    churned_mrr: int
    reasons: tuple[ReasonCount, ...]

    def share(self, row: ReasonCount) -> float | None:
        """The reason's share of churned customers (shares over all reasons sum to 1)."""
        return row.customers / self.churned_customers if self.churned_customers else None

    def mrr_share(self, row: ReasonCount) -> float | None:
        """The reason's share of churned MRR."""
        return row.churned_mrr / self.churned_mrr if self.churned_mrr else None

    def values(self) -> dict[str, object]:
        """JSON values: totals and ``by_reason`` over all reasons (money as Decimal major units)."""
        return {
            "churned_customers": self.churned_customers,
            "churned_mrr": to_major(self.churned_mrr),
            "by_reason": {row.reason: self._entry(row) for row in self.reasons},
        }

    def _entry(self, row: ReasonCount) -> dict[str, object]:
        return {
            "customers": row.customers,
            "churned_mrr": to_major(row.churned_mrr),
            "share": self.share(row),
            "mrr_share": self.mrr_share(row),
        }

    def top(self, n: int) -> list[ReasonCount]:
        """For tables: the n most given reasons, then ``(other)`` summing the rest, then ``(none)``.

        ``(other)`` and ``(none)`` appear only when they hold a customer; ``(none)`` never counts
        towards the n.
        """
        given = [row for row in self.reasons if row.reason != NO_REASON]
        rest = given[max(n, 0) :]
        rows = given[: max(n, 0)]
        if rest:
            rows.append(
                ReasonCount(
                    OTHER_REASONS,
                    sum(row.customers for row in rest),
                    sum(row.churned_mrr for row in rest),
                )
            )
        rows.extend(row for row in self.reasons if row.reason == NO_REASON)
        return rows


def _reason() -> pl.Expr:
    """The cancel reason as written, trimmed; empty or missing → ``(none)``."""
    text = pl.col("cancel_reason").cast(pl.String).str.strip_chars()
    return pl.when(text.is_null() | (text == "")).then(pl.lit(NO_REASON)).otherwise(text).alias("reason")


def _count_reasons(churned: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Customers and churned MRR per (group, reason), sorted by customers, MRR, then reason."""
    return (
        churned.with_columns(_reason())
        .group_by(*by, "reason")
        .agg(
            pl.len().cast(pl.Int64).alias("customers"), pl.col(MRR).sum().cast(pl.Int64).alias("churned_mrr")
        )
        .sort([*by, "customers", "churned_mrr", "reason"], descending=[*[False] * len(by), True, True, False])
    )


def _result(table: pl.DataFrame) -> ReasonsResult:
    rows = tuple(
        ReasonCount(str(row["reason"]), int(row["customers"]), int(row["churned_mrr"]))
        for row in table.iter_rows(named=True)
    )
    return ReasonsResult(
        churned_customers=sum(row.customers for row in rows),
        churned_mrr=sum(row.churned_mrr for row in rows),
        reasons=rows,
    )


def churn_reasons(subscriptions: Frame, period: Period, as_of: date) -> ReasonsResult:
    """Churned customers and churned MRR of the period per cancel reason (totals equal the bridge's)."""
    return _result(_count_reasons(churned_customers(subscriptions, period, as_of), []))


def churn_reasons_by(
    subscriptions: Frame, period: Period, as_of: date, attribute: str
) -> list[tuple[str, ReasonsResult]]:
    """Reasons split by a customer attribute; the groups partition the churned customers.

    ``plan`` is the churned customer's plan at the opening (of its largest paying row); any other
    attribute is taken as by ``csm mrr --by``. Empty → ``(none)``. Most churned customers first,
    then the larger churned MRR, then the group's name.
    """
    churned = churned_customers(subscriptions, period, as_of)
    if attribute == "plan":
        grouped = churned.with_columns(pl.col("plan").cast(pl.String).fill_null(NO_GROUP).alias("group"))
    else:
        groups = customer_attribute(subscriptions, period, as_of, attribute).collect()
        grouped = churned.join(groups, on="customer_id", how="left").with_columns(
            pl.col("group").fill_null(NO_GROUP)
        )
    table = _count_reasons(grouped, ["group"])
    results = [
        (str(name), _result(part)) for (name,), part in table.partition_by("group", as_dict=True).items()
    ]
    return sorted(results, key=lambda item: (-item[1].churned_customers, -item[1].churned_mrr, item[0]))
