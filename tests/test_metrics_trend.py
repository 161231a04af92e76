"""Series of periods: period lists, the one-pass bridge series, slopes and the NRR decomposition."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.io.readers import read_subscriptions
from csmetrics.io.source import ReadOptions
from csmetrics.metrics.revenue import Bridge, NrrPoints, compute_bridge
from csmetrics.metrics.trend import (
    bridge_series,
    first_paid,
    last_months,
    least_squares_slope,
    month_periods,
    mrr_steps,
    nrr_decomposition,
    paying_totals,
    quarter_periods,
)
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
DEMO = "src/csmetrics/data/subscriptions.csv"


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


def _labels(periods: list[Period]) -> list[str]:
    return [p.label for p in periods]


def _month(year: int, month: int) -> Period:
    return month_period(date(year, month, 1))


# --- period lists --------------------------------------------------------------------------------


def test_month_periods_cover_the_months_holding_both_days() -> None:
    periods = month_periods(date(2023, 11, 15), date(2024, 2, 1))
    assert _labels(periods) == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert periods[0] == Period("2023-11", date(2023, 11, 1), date(2023, 12, 1))
    assert periods[-1].end == date(2024, 3, 1)
    assert month_periods(date(2024, 2, 1), date(2024, 1, 31)) == []
    assert _labels(month_periods(date(2024, 2, 29), date(2024, 2, 1))) == ["2024-02"]


def test_quarter_periods() -> None:
    periods = quarter_periods(date(2023, 8, 20), date(2024, 1, 5))
    assert _labels(periods) == ["2023-Q3", "2023-Q4", "2024-Q1"]
    assert periods[1] == Period("2023-Q4", date(2023, 10, 1), date(2024, 1, 1))
    assert periods[2].end == date(2024, 4, 1)
    assert quarter_periods(date(2024, 4, 1), date(2024, 3, 31)) == []


@pytest.mark.parametrize("as_of", [date(2024, 1, 1), date(2024, 1, 15), date(2024, 1, 31)])
def test_last_months_end_before_the_as_of_month(as_of: date) -> None:
    assert _labels(last_months(as_of, 3)) == ["2023-10", "2023-11", "2023-12"]


def test_last_months_across_a_year_and_bad_n() -> None:
    assert _labels(last_months(date(2024, 2, 1), 14)) == [
        f"{y}-{m:02d}" for y, m in [(2022, 12), *((2023, m) for m in range(1, 13)), (2024, 1)]
    ]
    assert _labels(last_months(date(2024, 2, 1), 1)) == ["2024-01"]
    with pytest.raises(ValueError, match="--months"):
        last_months(date(2024, 2, 1), 0)


# --- MRR steps -----------------------------------------------------------------------------------


def test_mrr_steps_net_a_same_day_change_and_restart_per_customer() -> None:
    frame = _subs(
        [
            Row("a", 1000, date(2023, 1, 10), date(2023, 3, 1), sub="x"),
            Row("a", 3000, date(2023, 3, 1), date(2023, 5, 1), sub="x"),  # same-day upgrade
            Row("a", 500, date(2023, 2, 1)),  # a second subscription
            Row("b", 700, date(2023, 1, 5), date(2023, 1, 5)),  # serves nothing
            Row("b", 200, date(2023, 2, 1), date(2023, 4, 1)),
        ]
    )
    steps = mrr_steps(frame).collect()
    assert steps.rows() == [
        ("a", date(2023, 1, 10), 1000, 0, date(2023, 2, 1)),
        ("a", date(2023, 2, 1), 1500, 1000, date(2023, 3, 1)),
        ("a", date(2023, 3, 1), 3500, 1500, date(2023, 5, 1)),
        ("a", date(2023, 5, 1), 500, 3500, None),
        ("b", date(2023, 1, 5), 0, 0, date(2023, 2, 1)),
        ("b", date(2023, 2, 1), 200, 0, date(2023, 4, 1)),
        ("b", date(2023, 4, 1), 0, 200, None),
    ]
    days = [date(2023, 1, 9), date(2023, 1, 31), date(2023, 3, 31), date(2023, 4, 30), date(2023, 5, 1)]
    totals = paying_totals(mrr_steps(frame), days).collect()
    assert totals.rows() == [
        (date(2023, 1, 9), 0, 0),
        (date(2023, 1, 31), 1, 1000),
        (date(2023, 3, 31), 2, 3700),
        (date(2023, 4, 30), 1, 3500),
        (date(2023, 5, 1), 1, 500),
    ]
    paid = first_paid(mrr_steps(frame)).sort("customer_id").collect()
    assert paid.rows() == [("a", date(2023, 1, 10), 1000), ("b", date(2023, 2, 1), 200)]


def test_paying_totals_by_group_fill_every_day() -> None:
    frame = _subs([Row("a", 1000, date(2023, 1, 10), date(2023, 2, 10)), Row("b", 200, date(2023, 2, 1))])
    steps = mrr_steps(frame).with_columns(group=pl.col("customer_id"))
    days = [date(2023, 1, 31), date(2023, 2, 28), date(2023, 1, 31)]
    totals = paying_totals(steps, days, by=["group"]).sort("group", "day").collect()
    assert totals.rows() == [
        ("a", date(2023, 1, 31), 1, 1000),
        ("a", date(2023, 2, 28), 0, 0),
        ("b", date(2023, 1, 31), 0, 0),
        ("b", date(2023, 2, 28), 1, 200),
    ]


# --- the bridge series: hand-checked -------------------------------------------------------------


def test_series_hand_checked_months() -> None:
    rows = [
        Row("steady", 1000, date(2023, 1, 1)),
        Row("churn-back", 2000, date(2023, 1, 15), date(2023, 2, 10)),  # churns in February
        Row("churn-back", 2500, date(2023, 4, 1)),  # reactivated in April
        Row("trial", 0, date(2023, 1, 1), date(2023, 3, 5), sub="t"),  # free, then paid from 5 March
        Row("trial", 900, date(2023, 3, 5), sub="t"),
        Row("up", 1000, date(2023, 1, 1), date(2023, 3, 1), sub="u"),  # upgrade on 1 March
        Row("up", 1500, date(2023, 3, 1), sub="u"),
        Row("flash", 5000, date(2023, 2, 3), date(2023, 2, 20)),  # in and out within February
    ]
    periods = month_periods(date(2023, 1, 1), date(2023, 4, 1))
    series = bridge_series(_subs(rows), periods, date(2023, 4, 20))
    jan, feb, mar, apr = (bridge for _, bridge in series)
    assert [p for p, _ in series] == periods
    assert jan == Bridge(customers_end=3, new_customers=3, mrr_end=4000, new_mrr=4000)
    assert feb == Bridge(
        customers_start=3,
        customers_end=2,
        churned_customers=1,
        mrr_start=4000,
        mrr_end=2000,
        churned_mrr=2000,
    )
    assert mar == Bridge(
        customers_start=2,
        customers_end=3,
        new_customers=1,
        expanded_customers=1,
        mrr_start=2000,
        mrr_end=3400,
        new_mrr=900,
        expansion_mrr=500,
    )
    assert apr == Bridge(  # as-of 20 April: closes at its end
        customers_start=3,
        customers_end=4,
        reactivated_customers=1,
        mrr_start=3400,
        mrr_end=5900,
        reactivation_mrr=2500,
    )


def test_series_quarters_overlapping_and_gapped_periods() -> None:
    rows = [
        Row("a", 1000, date(2023, 1, 1), date(2023, 5, 10)),
        Row("b", 2000, date(2023, 2, 1), date(2023, 2, 20)),
        Row("b", 3000, date(2023, 8, 1)),
    ]
    frame = _subs(rows)
    as_of = date(2023, 12, 31)
    periods = [
        *quarter_periods(date(2023, 1, 1), date(2023, 12, 1)),
        _month(2023, 2),
        _month(2023, 5),
        Period("2023", date(2023, 1, 1), date(2024, 1, 1)),
    ]
    series = bridge_series(frame, periods, as_of)
    assert series == [(p, compute_bridge(frame, p, as_of)) for p in periods]
    q1 = series[0][1]
    assert (q1.new_customers, q1.customers_end) == (1, 1)  # b came and went within Q1
    q3 = series[2][1]
    assert (q3.reactivated_customers, q3.reactivation_mrr) == (1, 3000)


def test_series_edge_cases() -> None:
    assert bridge_series(_subs([]), [], date(2024, 1, 1)) == []
    empty = bridge_series(_subs([]), [_month(2023, 12)], date(2024, 1, 1))
    assert empty == [(_month(2023, 12), Bridge())]
    only_free = bridge_series(_subs([Row("f", 0, date(2023, 1, 1))]), [_month(2023, 12)], date(2024, 1, 1))
    assert only_free == [(_month(2023, 12), Bridge())]
    with pytest.raises(ValueError, match="starts after as-of"):
        bridge_series(_subs([]), [_month(2024, 1)], date(2023, 12, 31))


def test_series_equals_compute_bridge_for_every_demo_month() -> None:
    frame = read_subscriptions(ReadOptions(DEMO), "UTC").frame
    as_of = frame["started_at"].max() + timedelta(days=1)
    periods = month_periods(frame["started_at"].min(), as_of)
    series = bridge_series(frame, periods, as_of)
    assert series == [(p, compute_bridge(frame, p, as_of)) for p in periods]
    assert sum(bridge.churned_customers for _, bridge in series) > 50  # the data do move
    quarters = quarter_periods(periods[0].start, as_of)
    assert bridge_series(frame.lazy(), quarters, as_of) == [
        (q, compute_bridge(frame, q, as_of)) for q in quarters
    ]


# --- the bridge series: property -----------------------------------------------------------------

FIRST = date(2023, 1, 1)
CUSTOMERS = ["a", "b", "c", "d"]


_MONTH_EDGES = st.integers(min_value=-2, max_value=24).map(lambda k: add_months(FIRST, k))
_DAYS = (  # month edges (first days and the days before them) are where the rules can slip
    _MONTH_EDGES
    | _MONTH_EDGES.map(lambda day: day - timedelta(days=1))
    | st.integers(min_value=-40, max_value=700).map(lambda n: FIRST + timedelta(days=n))
)


@st.composite
def _rows(draw: st.DrawFn) -> list[Row]:
    rows: list[Row] = []
    for i in range(draw(st.integers(min_value=0, max_value=10))):
        follows = bool(rows) and rows[-1].end is not None and draw(st.booleans())
        if follows:  # a plan change: the same subscription goes on the day the last row ended
            previous = rows[-1]
            customer, start, sub = previous.customer, previous.end, previous.sub
        else:
            customer = draw(st.sampled_from(CUSTOMERS))
            start = draw(_DAYS)
            sub = f"s{i}"
        assert start is not None
        length = draw(st.none() | st.integers(min_value=0, max_value=200))
        end = None if length is None else max(start, draw(_DAYS | st.just(start + timedelta(days=length))))
        mrr = draw(st.sampled_from([0, 0, 1000, 2500]) | st.integers(min_value=0, max_value=100000))
        rows.append(Row(customer, mrr, start, end, sub))
    return rows


@st.composite
def _periods_and_as_of(draw: st.DrawFn) -> tuple[list[Period], date]:
    first = add_months(FIRST, draw(st.integers(min_value=0, max_value=20)))
    count = draw(st.integers(min_value=1, max_value=8))
    if draw(st.booleans()):
        periods = month_periods(first, add_months(first, count - 1))
    else:
        periods = quarter_periods(first, add_months(first, 3 * (count - 1)))
    last = periods[-1]
    if draw(st.booleans()):  # as-of inside the last period
        as_of = last.start + timedelta(days=draw(st.integers(0, (last.last_day - last.start).days)))
    else:
        as_of = last.last_day + timedelta(days=draw(st.integers(0, 400)))
    return periods, as_of


@given(_rows(), _periods_and_as_of())
@settings(max_examples=60, deadline=None)
def test_property_series_equals_one_bridge_per_period(
    rows: list[Row], periods_and_as_of: tuple[list[Period], date]
) -> None:
    periods, as_of = periods_and_as_of
    frame = _subs(rows)
    assert bridge_series(frame, periods, as_of) == [(p, compute_bridge(frame, p, as_of)) for p in periods]


# --- reading a series ----------------------------------------------------------------------------


def test_least_squares_slope() -> None:
    assert least_squares_slope([1.0, 2.0, 3.0]) == pytest.approx(1.0)
    assert least_squares_slope([3.0, 1.0]) == pytest.approx(-2.0)
    assert least_squares_slope([0.1, 0.1, 0.1, 0.1]) == pytest.approx(0.0)
    # x = 0, 1, 2, 3: slope = Σ(x − 1.5)(y − 2.5) / Σ(x − 1.5)² = (2.25 − 0.25 − 0.25 + 2.25) / 5
    assert least_squares_slope([1.0, 3.0, 2.0, 4.0]) == pytest.approx(0.8)
    # a gap keeps the spacing: points (1, 1) and (3, 3) → slope 1, not 2
    assert least_squares_slope([None, 1.0, None, 3.0]) == pytest.approx(1.0)
    assert least_squares_slope([5.0]) is None
    assert least_squares_slope([None, 2.0, None]) is None
    assert least_squares_slope([]) is None


def test_nrr_decomposition_example_3() -> None:
    bridge = Bridge(mrr_start=10000, mrr_end=9000, churned_mrr=1000, contraction_mrr=1000, expansion_mrr=1000)
    assert nrr_decomposition(bridge) == NrrPoints(nrr=90.0, churn=10.0, contraction=10.0, expansion=10.0)
    assert nrr_decomposition(Bridge(mrr_end=500, new_mrr=500)) is None
