"""The retention matrix: cohorts by first paid month, the triangle, counts and revenue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.cohorts import Cohort, CohortResult, retention_matrix
from csmetrics.periods import Period, add_months, month_period

SCHEMA = {
    "subscription_id": pl.String,
    "customer_id": pl.String,
    "plan": pl.String,
    "mrr_cents": pl.Int64,
    "started_at": pl.Date,
    "ended_at": pl.Date,
    "cancel_reason": pl.String,
}


class Row(NamedTuple):
    customer: str
    mrr: int
    start: date
    end: date | None = None
    sub: str | None = None


def _subs(rows: list[Row]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subscription_id": [r.sub or f"{r.customer}-s{i}" for i, r in enumerate(rows)],
            "customer_id": [r.customer for r in rows],
            "plan": ["pro"] * len(rows),
            "mrr_cents": [r.mrr for r in rows],
            "started_at": [r.start for r in rows],
            "ended_at": [r.end for r in rows],
            "cancel_reason": [None] * len(rows),
        },
        schema=SCHEMA,
    )


def _month(year: int, month: int) -> Period:
    return month_period(date(year, month, 1))


JAN, APR = _month(2023, 1), _month(2023, 4)
ROWS = [
    Row("a", 1000, date(2023, 1, 10)),  # January, stays
    Row("b", 2000, date(2023, 1, 20), date(2023, 2, 15)),  # January, leaves in February ...
    Row("b", 2500, date(2023, 4, 1)),  # ... and comes back in April: counted again
    Row("c", 500, date(2023, 1, 25), date(2023, 1, 28)),  # January, gone before the month ends
    Row("d", 0, date(2023, 1, 1), date(2023, 3, 3), sub="d"),  # free from January ...
    Row("d", 900, date(2023, 3, 3), sub="d"),  # ... paid from 3 March: the March cohort
    Row("e", 700, date(2022, 12, 5)),  # December 2022: before the first cohort
    Row("f", 300, date(2023, 2, 1), date(2023, 3, 1), sub="f"),  # February, upgrades in March
    Row("f", 600, date(2023, 3, 1), sub="f"),
    Row("g", 0, date(2023, 2, 1)),  # free only: in no cohort
]


def test_customer_triangle_hand_checked() -> None:
    result = retention_matrix(_subs(ROWS), JAN, APR, date(2023, 4, 30))
    assert result == CohortResult(
        revenue=False,
        cohorts=(
            Cohort("2023-01", customers=3, starting_mrr=3500, retained=(2, 1, 1, 2)),
            Cohort("2023-02", customers=1, starting_mrr=300, retained=(1, 1, 1)),
            Cohort("2023-03", customers=1, starting_mrr=900, retained=(1, 1)),
            Cohort("2023-04", customers=0, starting_mrr=0, retained=(0,)),
        ),
    )
    assert result.values() == {
        "cohorts": [
            {"cohort": "2023-01", "customers": 3, "retained": [2, 1, 1, 2]},
            {"cohort": "2023-02", "customers": 1, "retained": [1, 1, 1]},
            {"cohort": "2023-03", "customers": 1, "retained": [1, 1]},
            {"cohort": "2023-04", "customers": 0, "retained": [0]},
        ]
    }
    assert result.retention() == [[2 / 3, 1 / 3, 1 / 3, 2 / 3], [1.0, 1.0, 1.0], [1.0, 1.0], [None]]


def test_revenue_triangle_hand_checked() -> None:
    result = retention_matrix(_subs(ROWS), JAN, APR, date(2023, 4, 30), revenue=True)
    assert [row.retained for row in result.cohorts] == [
        (3000, 1000, 1000, 3500),  # a + b; a; a; a + b back at 2500
        (300, 600, 600),
        (900, 900),
        (0,),
    ]
    first = result.values()["cohorts"][0]  # type: ignore[index]
    assert first == {
        "cohort": "2023-01",
        "customers": 3,
        "starting_mrr": Decimal("35.00"),
        "retained": [Decimal("30.00"), Decimal("10.00"), Decimal("10.00"), Decimal("35.00")],
    }
    assert result.retention()[0] == [3000 / 3500, 1000 / 3500, 1000 / 3500, 1.0]


def test_only_months_over_at_as_of() -> None:
    result = retention_matrix(_subs(ROWS), JAN, APR, date(2023, 4, 29))  # April not over
    assert [(row.cohort, row.retained) for row in result.cohorts] == [
        ("2023-01", (2, 1, 1)),
        ("2023-02", (1, 1)),
        ("2023-03", (1,)),
    ]
    assert retention_matrix(_subs(ROWS), JAN, APR, date(2023, 1, 30)).cohorts == ()
    assert retention_matrix(_subs(ROWS), APR, JAN, date(2024, 1, 1)).cohorts == ()
    assert retention_matrix(_subs([]), JAN, APR, date(2024, 1, 1)).cohorts == tuple(
        Cohort(f"2023-0{m}", 0, 0, (0,) * (5 - m)) for m in range(1, 5)
    )


def test_a_longer_period_gives_its_months() -> None:
    year = Period("2023", date(2023, 1, 1), date(2024, 1, 1))
    result = retention_matrix(_subs(ROWS), year, year, date(2023, 4, 30))
    assert [row.cohort for row in result.cohorts] == ["2023-01", "2023-02", "2023-03", "2023-04"]


# --- property: against a brute-force count -------------------------------------------------------

FIRST = date(2023, 1, 1)


def _mrr_on(rows: list[Row], customer: str, day: date) -> int:
    return sum(
        r.mrr for r in rows if r.customer == customer and r.start <= day and (r.end is None or r.end > day)
    )


def _brute_force(rows: list[Row], months: list[Period], revenue: bool) -> list[tuple[int, list[int]]]:
    customers = sorted({r.customer for r in rows})
    first_paid: dict[str, date] = {}
    for customer in customers:
        days = [FIRST - timedelta(days=60) + timedelta(days=n) for n in range(600)]
        paying = [day for day in days if _mrr_on(rows, customer, day) > 0]
        if paying:
            first_paid[customer] = paying[0]
    out = []
    for c, month in enumerate(months):
        members = [k for k, day in first_paid.items() if month.start <= day < month.end]
        cells = []
        for later in months[c:]:
            values = [_mrr_on(rows, k, later.last_day) for k in members]
            cells.append(sum(values) if revenue else sum(v > 0 for v in values))
        out.append((len(members), cells))
    return out


@st.composite
def _rows(draw: st.DrawFn) -> list[Row]:
    rows = []
    for i in range(draw(st.integers(min_value=0, max_value=8))):
        start = FIRST + timedelta(days=draw(st.integers(min_value=-40, max_value=200)))
        length = draw(st.none() | st.integers(min_value=0, max_value=150))
        rows.append(
            Row(
                customer=draw(st.sampled_from("abcd")),
                mrr=draw(st.sampled_from([0, 1000, 2500])),
                start=start,
                end=None if length is None else start + timedelta(days=length),
                sub=f"s{i}",
            )
        )
    return rows


@given(_rows(), st.integers(min_value=1, max_value=6), st.booleans())
@settings(max_examples=40, deadline=None)
def test_property_matches_brute_force(rows: list[Row], count: int, revenue: bool) -> None:
    months = [month_period(add_months(FIRST, i)) for i in range(count)]
    result = retention_matrix(_subs(rows), months[0], months[-1], date(2023, 12, 31), revenue=revenue)
    expected = _brute_force(rows, months, revenue)
    assert [(row.customers, list(row.retained)) for row in result.cohorts] == expected
