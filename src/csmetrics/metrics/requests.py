"""Feature requests and bugs weighed by the revenue behind them (issue 9).

Rules:

- Which tickets: those whose ``type`` is one of ``types`` (compared trimmed and case-insensitive;
  the output keys are the names as given) created in the period, by local day of ``created_at``
  (in ``--tz``) and not after as-of (SPEC §4's creation cohort).
- Per type: ``tickets`` (every ticket, with or without a customer), ``customers`` (distinct
  non-empty customer_id) and ``mrr`` = the summed MRR of those distinct customers at the period's
  close (end of its last day, or of as-of if earlier), each customer counted once per type.
  A customer without MRR there (free, churned, unknown to billing) counts with MRR 0.
- ``top_customers`` per type: the asking customers, largest MRR first, then most tickets, then
  customer_id. Every type asked for is present, zeros included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from csmetrics.metrics.revenue import Frame, customer_states, to_major
from csmetrics.periods import Period

DEFAULT_TYPES = ("bug", "improvement", "feature_request")
DEFAULT_TOP = 10


@dataclass(frozen=True)
class Asker:
    """One customer asking for one type: its tickets and its MRR (cents) at the period's close."""

    customer_id: str
    tickets: int
    mrr: int

    def values(self) -> dict[str, object]:
        """JSON entry: customer_id, tickets, mrr (Decimal major units)."""
        return {"customer_id": self.customer_id, "tickets": self.tickets, "mrr": to_major(self.mrr)}


@dataclass(frozen=True)
class TypeRequests:
    """One ticket type: tickets, distinct customers, their summed MRR (cents), and who asked."""

    type: str
    tickets: int
    customers: int
    mrr: int
    askers: tuple[Asker, ...]
    """Every asking customer, largest MRR first."""

    def values(self) -> dict[str, object]:
        """JSON entry of ``by_type``: tickets, customers, mrr (Decimal major units)."""
        return {"tickets": self.tickets, "customers": self.customers, "mrr": to_major(self.mrr)}


@dataclass(frozen=True)
class RequestsResult:
    """Tickets of the asked types in the period, per type in the order asked."""

    by_type: tuple[TypeRequests, ...]
    top: int | None = DEFAULT_TOP
    """How many customers ``top_customers`` keeps per type; None keeps them all."""

    def top_customers(self, type_name: str) -> list[Asker]:
        """The first ``top`` asking customers of one type (largest MRR first)."""
        for entry in self.by_type:
            if entry.type == type_name:
                return list(entry.askers if self.top is None else entry.askers[: self.top])
        raise KeyError(type_name)

    def values(self) -> dict[str, object]:
        """JSON values: ``by_type`` = {type: {tickets, customers, mrr}}, ``top_customers`` = {type: [...]}."""
        return {
            "by_type": {entry.type: entry.values() for entry in self.by_type},
            "top_customers": {
                entry.type: [asker.values() for asker in self.top_customers(entry.type)]
                for entry in self.by_type
            },
        }


def _normal(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars().str.to_lowercase()


def feature_requests(
    tickets: Frame,
    subscriptions: Frame,
    period: Period,
    as_of: date,
    types: Sequence[str] = DEFAULT_TYPES,
    top: int | None = DEFAULT_TOP,
) -> RequestsResult:
    """Tickets of ``types`` created in the period, per type with the MRR of the customers asking."""
    names = list(dict.fromkeys(types))
    wanted = pl.DataFrame(
        {"__key": [name.strip().lower() for name in names], "type": names},
        schema={"__key": pl.String, "type": pl.String},
    ).unique("__key", keep="first", maintain_order=True)
    closing = period.closing_day(as_of)
    day = pl.col("created_at").dt.date()
    chosen = (
        tickets.lazy()
        .filter(day.is_between(period.start, closing))
        .select(_normal(pl.col("type")).alias("__key"), pl.col("customer_id").cast(pl.String))
        .join(wanted.lazy(), on="__key", how="inner")
    )
    mrr = customer_states(subscriptions, period, as_of).select(
        pl.col("customer_id").cast(pl.String), pl.col("m1").clip(lower_bound=0).alias("mrr")
    )
    askers = (
        chosen.filter(pl.col("customer_id").is_not_null())
        .group_by("type", "customer_id")
        .agg(pl.len().cast(pl.Int64).alias("tickets"))
        .join(mrr, on="customer_id", how="left")
        .with_columns(pl.col("mrr").fill_null(0).cast(pl.Int64))
        .sort("type", "mrr", "tickets", "customer_id", descending=[False, True, True, False])
        .collect()
    )
    counts = {
        str(row["type"]): int(row["tickets"])
        for row in chosen.group_by("type").agg(pl.len().alias("tickets")).collect().iter_rows(named=True)
    }
    parts = askers.partition_by("type", as_dict=True, maintain_order=True)
    entries = []
    for name in wanted["type"]:
        part = parts.get((name,))
        listed = (
            tuple(
                Asker(str(row["customer_id"]), int(row["tickets"]), int(row["mrr"]))
                for row in part.iter_rows(named=True)
            )
            if part is not None
            else ()
        )
        entries.append(
            TypeRequests(
                type=name,
                tickets=counts.get(name, 0),
                customers=len(listed),
                mrr=sum(asker.mrr for asker in listed),
                askers=listed,
            )
        )
    return RequestsResult(by_type=tuple(entries), top=top)
