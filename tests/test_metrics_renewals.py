"""Renewals: who is due within the window, past due, money at stake, scheduled cancellations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.renewals import Renewal, renewals

AS_OF = date(2024, 3, 10)
OLD = date(2023, 1, 1)


class Row(NamedTuple):
    customer: str
    mrr: int
    start: date
    end: date | None = None
    expires: date | None = None
    plan: str | None = "annual"


def _subs(rows: list[Row], *, with_expiry: bool = True) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "subscription_id": [f"{r.customer}-s{i}" for i, r in enumerate(rows)],
            "customer_id": [r.customer for r in rows],
            "plan": [r.plan for r in rows],
            "mrr_cents": [r.mrr for r in rows],
            "started_at": [r.start for r in rows],
            "ended_at": [r.end for r in rows],
            "expires_at": [r.expires for r in rows],
        },
        schema={
            "subscription_id": pl.String,
            "customer_id": pl.String,
            "plan": pl.String,
            "mrr_cents": pl.Int64,
            "started_at": pl.Date,
            "ended_at": pl.Date,
            "expires_at": pl.Date,
        },
    )
    return frame if with_expiry else frame.drop("expires_at")


def ahead(days: int, base: date = AS_OF) -> date:
    return base + timedelta(days=days)


def _ids(rows: tuple[Renewal, ...]) -> list[str]:
    return [row.customer_id for row in rows]


def test_window_bounds_are_inclusive() -> None:
    rows = [
        Row("today", 1000, OLD, expires=AS_OF),  # last valid day is as-of: 0 days left
        Row("edge", 1000, OLD, expires=ahead(30)),
        Row("beyond", 1000, OLD, expires=ahead(31)),
        Row("yesterday", 1000, OLD, expires=ahead(-1)),
    ]
    result = renewals(_subs(rows), AS_OF)
    assert _ids(result.renewals) == ["today", "edge"]
    assert [row.days_left for row in result.renewals] == [0, 30]
    assert _ids(result.past_due) == ["yesterday"]
    assert result.past_due[0].days_left == -1
    assert _ids(renewals(_subs(rows), AS_OF, within_days=31).renewals) == ["today", "edge", "beyond"]


def test_values_entries_and_money_at_stake() -> None:
    rows = [
        Row("a", 29950, OLD, expires=ahead(5), plan="Business Annual"),
        Row("b", 10000, OLD, expires=ahead(-3), plan="Team Annual"),
    ]
    values = renewals(_subs(rows), AS_OF).values()
    assert values == {
        "renewals": [
            {
                "customer_id": "a",
                "plan": "Business Annual",
                "mrr": Decimal("299.50"),
                "arr": Decimal("3594.00"),
                "expires_at": date(2024, 3, 15),
                "days_left": 5,
                "cancellation_scheduled": False,
            }
        ],
        "past_due": [
            {
                "customer_id": "b",
                "plan": "Team Annual",
                "mrr": Decimal("100.00"),
                "arr": Decimal("1200.00"),
                "expires_at": date(2024, 3, 7),
                "days_left": -3,
                "cancellation_scheduled": False,
            }
        ],
        "mrr_at_stake": Decimal("299.50"),  # past-due renewals are listed apart, not in the stake
        "arr_at_stake": Decimal("3594.00"),
    }


def test_only_customers_active_at_the_end_of_as_of_are_listed() -> None:
    rows = [
        Row("churned", 1000, OLD, AS_OF, expires=ahead(10)),  # ended on as-of: not serving at its end
        Row("free", 0, OLD, expires=ahead(10)),
        Row("future", 1000, ahead(1), expires=ahead(10)),  # starts tomorrow
        Row("starts_today", 1000, AS_OF, expires=ahead(10)),
    ]
    assert _ids(renewals(_subs(rows), AS_OF).renewals) == ["starts_today"]


def test_without_expires_at_nobody_is_listed_and_they_are_counted() -> None:
    rows = [Row("monthly", 1000, OLD), Row("annual", 1000, OLD, expires=ahead(3))]
    result = renewals(_subs(rows), AS_OF)
    assert _ids(result.renewals) == ["annual"]
    assert result.without_expiry == 1
    missing = renewals(_subs(rows, with_expiry=False), AS_OF)
    assert missing.renewals == () and missing.past_due == ()
    assert missing.without_expiry == 2


def test_sorted_by_days_left_then_mrr() -> None:
    rows = [
        Row("small", 100, OLD, expires=ahead(7)),
        Row("big", 900, OLD, expires=ahead(7)),
        Row("first", 50, OLD, expires=ahead(2)),
    ]
    assert _ids(renewals(_subs(rows), AS_OF).renewals) == ["first", "big", "small"]


def test_customer_mrr_is_netted_and_the_earliest_serving_expiry_counts() -> None:
    rows = [
        # an old row's expiry (ended before as-of) is ignored; two serving rows: the earlier expiry
        Row("a", 5000, OLD, ahead(-30), expires=ahead(-40), plan="old"),
        Row("a", 3000, ahead(-30), expires=ahead(20), plan="seats"),
        Row("a", 7000, ahead(-30), expires=ahead(12), plan="Enterprise"),
        Row("a", 0, ahead(-30), expires=ahead(1), plan="free add-on"),  # MRR 0: not a licence
    ]
    (row,) = renewals(_subs(rows), AS_OF).renewals
    assert row.mrr == 10000 and row.arr == 120000
    assert row.expires_at == ahead(12) and row.days_left == 12
    assert row.plan == "Enterprise"


def test_cancellation_scheduled_but_not_a_scheduled_plan_change() -> None:
    rows = [
        Row("cancel", 1000, OLD, ahead(20), expires=ahead(19)),  # ends after as-of, nothing after
        Row("change", 1000, OLD, ahead(20), expires=ahead(19)),  # plan change on day 20
        Row("change", 2000, ahead(20), expires=ahead(400)),
        Row("downgrade", 1000, OLD, ahead(20), expires=ahead(19)),  # moves to free: MRR 0 from day 20
        Row("downgrade", 0, ahead(20)),
        Row("running", 1000, OLD, expires=ahead(19)),
    ]
    flags = {row.customer_id: row.cancellation_scheduled for row in renewals(_subs(rows), AS_OF).renewals}
    assert flags == {"cancel": True, "change": False, "downgrade": True, "running": False}


def test_across_month_and_year_ends() -> None:
    december = date(2023, 12, 20)
    rows = [Row("y", 1000, OLD, expires=date(2024, 1, 10))]
    (row,) = renewals(_subs(rows), december).renewals
    assert row.days_left == 21
    leap = [Row("m", 1000, OLD, expires=date(2024, 3, 1))]
    (row,) = renewals(_subs(leap), date(2024, 2, 20)).renewals
    assert row.days_left == 10  # 2024-02 has 29 days
    assert renewals(_subs(leap), date(2024, 1, 30)).renewals == ()  # 31 days left


def test_negative_window_is_refused() -> None:
    with pytest.raises(ValueError, match="within_days"):
        renewals(_subs([Row("a", 1, OLD)]), AS_OF, within_days=-1)


# --- properties ----------------------------------------------------------------------------------


@st.composite
def licence_rows(draw: st.DrawFn) -> list[Row]:
    rows: list[Row] = []
    for index in range(draw(st.integers(0, 10))):
        name = f"c{index}"
        for _ in range(draw(st.integers(1, 3))):
            start = ahead(draw(st.integers(-200, 20)))
            end = None if draw(st.booleans()) else start + timedelta(days=draw(st.integers(0, 200)))
            expires = None if draw(st.booleans()) else ahead(draw(st.integers(-60, 90)))
            rows.append(Row(name, draw(st.sampled_from([0, 100, 2500, 9900])), start, end, expires))
    return rows


@settings(max_examples=60, deadline=None)
@given(rows=licence_rows(), within=st.integers(0, 60))
def test_listed_customers_are_active_in_window_and_ordered(rows: list[Row], within: int) -> None:
    result = renewals(_subs(rows), AS_OF, within_days=within)
    active = {
        r.customer
        for r in rows
        if r.start <= AS_OF and (r.end is None or r.end > AS_OF) and r.mrr > 0  # mrr is never negative here
    }
    listed = [*result.renewals, *result.past_due]
    assert len({row.customer_id for row in listed}) == len(listed)
    assert {row.customer_id for row in listed} <= active
    everyone = renewals(_subs(rows), AS_OF, within_days=1000)
    assert len(everyone.renewals) + len(everyone.past_due) + everyone.without_expiry == len(active)
    assert all(0 <= row.days_left <= within for row in result.renewals)
    assert all(row.days_left < 0 for row in result.past_due)
    assert all(row.days_left == (row.expires_at - AS_OF).days and row.mrr > 0 for row in listed)
    keys = [(row.days_left, -row.mrr, row.customer_id) for row in result.renewals]
    assert keys == sorted(keys)
    assert result.mrr_at_stake == sum(row.mrr for row in result.renewals)
    assert result.arr_at_stake == 12 * result.mrr_at_stake
    wider = renewals(_subs(rows), AS_OF, within_days=within + 10)
    assert set(_ids(result.renewals)) <= set(_ids(wider.renewals))
