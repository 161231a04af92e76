"""Churn by cancel reason: which row's reason, "(none)", shares, top n and splits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.reasons import (
    NO_REASON,
    OTHER_REASONS,
    ReasonCount,
    ReasonsResult,
    churn_reasons,
    churn_reasons_by,
)
from csmetrics.metrics.revenue import compute_bridge
from csmetrics.periods import Period, month_period

DEC = month_period(date(2023, 12, 1))
AS_OF = date(2024, 1, 15)
OLD = date(2023, 1, 1)


class Row(NamedTuple):
    customer: str
    mrr: int
    start: date
    end: date | None = None
    reason: str | None = None
    plan: str | None = "pro"
    industry: str | None = None
    sub: str | None = None


def _subs(rows: list[Row]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subscription_id": [r.sub or f"{r.customer}-s{i}" for i, r in enumerate(rows)],
            "customer_id": [r.customer for r in rows],
            "plan": [r.plan for r in rows],
            "mrr_cents": [r.mrr for r in rows],
            "started_at": [r.start for r in rows],
            "ended_at": [r.end for r in rows],
            "cancel_reason": [r.reason for r in rows],
            "industry": [r.industry for r in rows],
        },
        schema={
            "subscription_id": pl.String,
            "customer_id": pl.String,
            "plan": pl.String,
            "mrr_cents": pl.Int64,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "cancel_reason": pl.String,
            "industry": pl.String,
        },
    )


ROWS = [
    Row("a", 5000, OLD, date(2023, 12, 10), "price", plan="team", industry="retail"),
    Row("b", 3000, OLD, date(2023, 12, 5), "price", plan="basic", industry="saas"),
    Row("c", 2000, OLD, date(2023, 12, 20), None, plan="basic", industry="saas"),
    # d: two subscriptions; the one that ended last gives the reason
    Row("d", 1000, OLD, date(2023, 12, 3), "support", plan="basic", industry="saas"),
    Row("d", 4000, OLD, date(2023, 12, 15), "price", plan="team", industry="saas"),
    # e: two rows end the same day; the larger MRR gives the reason
    Row("e", 1000, OLD, date(2023, 12, 12), "bugs", plan="basic", industry=None),
    Row("e", 2000, OLD, date(2023, 12, 12), "switched", plan="basic", industry=None),
    Row("h", 1500, OLD, date(2023, 12, 1), "", plan="basic", industry="retail"),  # empty → (none)
    Row("k", 700, OLD, date(2023, 12, 8), "  bugs ", plan=None, industry="retail"),  # trimmed
    # not churn: a contraction, an in-and-out joiner, a November churn, a free plan ending
    Row("f", 3000, OLD, date(2023, 12, 10), "price", sub="f"),
    Row("f", 1000, date(2023, 12, 10), sub="f"),
    Row("g", 4000, date(2023, 12, 2), date(2023, 12, 9), "price"),
    Row("i", 4000, OLD, date(2023, 11, 30), "price"),
    Row("z", 0, OLD, date(2023, 12, 9), "price"),
]


def test_reasons_hand_checked() -> None:
    result = churn_reasons(_subs(ROWS), DEC, AS_OF)
    assert result == ReasonsResult(
        churned_customers=7,
        churned_mrr=20200,
        reasons=(
            ReasonCount("price", 3, 13000),  # a 5000, b 3000, d 1000 + 4000
            ReasonCount(NO_REASON, 2, 3500),  # c (missing), h (empty)
            ReasonCount("switched", 1, 3000),  # e
            ReasonCount("bugs", 1, 700),  # k
        ),
    )
    bridge = compute_bridge(_subs(ROWS), DEC, AS_OF)
    assert (result.churned_customers, result.churned_mrr) == (bridge.churned_customers, bridge.churned_mrr)


def test_reasons_values() -> None:
    values = churn_reasons(_subs(ROWS), DEC, AS_OF).values()
    assert values["churned_customers"] == 7
    assert values["churned_mrr"] == Decimal("202.00")
    by_reason = values["by_reason"]
    assert isinstance(by_reason, dict)
    assert list(by_reason) == ["price", "(none)", "switched", "bugs"]
    assert by_reason["price"] == {
        "customers": 3,
        "churned_mrr": Decimal("130.00"),
        "share": 3 / 7,
        "mrr_share": 13000 / 20200,
    }
    assert by_reason["bugs"]["churned_mrr"] == Decimal("7.00")
    assert sum(entry["share"] for entry in by_reason.values()) == pytest.approx(1.0)
    assert sum(entry["mrr_share"] for entry in by_reason.values()) == pytest.approx(1.0)


def test_top_n_other_and_none() -> None:
    result = churn_reasons(_subs(ROWS), DEC, AS_OF)
    assert result.top(1) == [
        ReasonCount("price", 3, 13000),
        ReasonCount(OTHER_REASONS, 2, 3700),  # switched + bugs
        ReasonCount(NO_REASON, 2, 3500),  # kept apart, never in the n
    ]
    assert result.top(3) == [
        ReasonCount("price", 3, 13000),
        ReasonCount("switched", 1, 3000),
        ReasonCount("bugs", 1, 700),
        ReasonCount(NO_REASON, 2, 3500),
    ]
    assert result.top(0) == [ReasonCount(OTHER_REASONS, 5, 16700), ReasonCount(NO_REASON, 2, 3500)]
    other = result.top(1)[1]
    assert result.share(other) == 2 / 7
    assert sum(row.customers for row in result.top(2)) == result.churned_customers


def test_no_churn() -> None:
    result = churn_reasons(_subs([Row("a", 1000, OLD)]), DEC, AS_OF)
    assert result == ReasonsResult(0, 0, ())
    assert result.values() == {"churned_customers": 0, "churned_mrr": Decimal("0.00"), "by_reason": {}}
    assert result.top(3) == []
    assert churn_reasons_by(_subs([]), DEC, AS_OF, "plan") == []


def test_reasons_by_plan_at_the_opening() -> None:
    groups = dict(churn_reasons_by(_subs(ROWS), DEC, AS_OF, "plan"))
    assert list(groups) == ["basic", "team", "(none)"]  # 4, 2, 1 churned customers
    assert groups["basic"].reasons == (  # b, c, e, h (d's largest row at the opening is team)
        ReasonCount(NO_REASON, 2, 3500),
        ReasonCount("price", 1, 3000),  # a tie with switched: by name
        ReasonCount("switched", 1, 3000),
    )
    assert groups["team"] == ReasonsResult(2, 10000, (ReasonCount("price", 2, 10000),))
    assert groups["(none)"] == ReasonsResult(1, 700, (ReasonCount("bugs", 1, 700),))


def test_reasons_by_another_attribute() -> None:
    groups = churn_reasons_by(_subs(ROWS), DEC, AS_OF, "industry")
    assert [(name, result.churned_customers) for name, result in groups] == [
        ("saas", 3),
        ("retail", 3),  # fewer MRR than saas: 5000 + 1500 + 700 against 3000 + 2000 + 5000
        ("(none)", 1),
    ]
    retail = dict(groups)["retail"]
    assert retail.reasons == (
        ReasonCount("price", 1, 5000),
        ReasonCount(NO_REASON, 1, 1500),
        ReasonCount("bugs", 1, 700),
    )


# --- property ------------------------------------------------------------------------------------


@st.composite
def _rows(draw: st.DrawFn) -> list[Row]:
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=12))):
        start = date(2023, 9, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=120)))
        length = draw(st.none() | st.integers(min_value=0, max_value=120))
        rows.append(
            Row(
                customer=draw(st.sampled_from("abcde")),
                mrr=draw(st.sampled_from([0, 1000, 2500, 4000])),
                start=start,
                end=None if length is None else start + timedelta(days=length),
                reason=draw(st.sampled_from([None, "", "price", "bugs", "other"])),
                plan=draw(st.sampled_from(["basic", "team", None])),
                industry=draw(st.sampled_from(["x", "y", None])),
                sub=f"s{i}",
            )
        )
    return rows


@given(_rows(), st.sampled_from([DEC, Period("2023-Q4", date(2023, 10, 1), date(2024, 1, 1))]))
@settings(max_examples=60, deadline=None)
def test_property_reasons_add_up_to_the_bridge(rows: list[Row], period: Period) -> None:
    frame = _subs(rows)
    result = churn_reasons(frame, period, AS_OF)
    bridge = compute_bridge(frame, period, AS_OF)
    assert result.churned_customers == bridge.churned_customers
    assert result.churned_mrr == bridge.churned_mrr
    assert sum(row.customers for row in result.reasons) == result.churned_customers
    if result.reasons:
        assert sum(result.share(row) or 0 for row in result.reasons) == pytest.approx(1.0)
    assert sum(row.customers for row in result.top(1)) == result.churned_customers
    assert sum(row.churned_mrr for row in result.top(1)) == result.churned_mrr
    keys = [(-row.customers, -row.churned_mrr, row.reason) for row in result.reasons]
    assert keys == sorted(keys)
    for attribute in ("plan", "industry"):
        groups = churn_reasons_by(frame, period, AS_OF, attribute)
        assert sum(part.churned_customers for _, part in groups) == result.churned_customers
        assert sum(part.churned_mrr for _, part in groups) == result.churned_mrr
