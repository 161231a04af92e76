"""The MRR bridge (SPEC §3): worked examples, hand-checked edge cases, listings and properties."""

from __future__ import annotations

import random
from dataclasses import asdict, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.revenue import (
    Bridge,
    NrrPoints,
    churned_customers,
    compute_bridge,
    compute_bridge_by,
    expanded_customers,
    nrr_points,
)
from csmetrics.periods import Period, add_months, month_period

DEC = month_period(date(2023, 12, 1))
NOV = month_period(date(2023, 11, 1))
JAN = month_period(date(2024, 1, 1))
AS_OF = date(2024, 1, 15)
LATE = date(2025, 12, 31)  # an as-of after every period used here

SCHEMA = {
    "subscription_id": pl.String,
    "customer_id": pl.String,
    "plan": pl.String,
    "mrr_cents": pl.Int64,
    "started_at": pl.Date,
    "ended_at": pl.Date,
    "cancel_reason": pl.String,
}
COUNT_KEYS = [
    "customers_start",
    "customers_end",
    "new_customers",
    "reactivated_customers",
    "churned_customers",
    "expanded_customers",
    "contracted_customers",
]
MONEY_KEYS = [
    "mrr_start",
    "mrr_end",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "net_new_mrr",
]
RATE_KEYS = [
    "logo_churn_rate",
    "revenue_churn_rate",
    "gross_mrr_churn_rate",
    "net_mrr_churn_rate",
    "nrr",
    "grr",
    "expansion_rate",
    "expansion_share_of_new_mrr",
    "quick_ratio",
    "arpa",
]


class Row(NamedTuple):
    customer: str
    mrr: int
    start: date
    end: date | None = None
    plan: str | None = "pro"
    reason: str | None = None
    sub: str | None = None


def _subs(rows: list[Row]) -> pl.DataFrame:
    """A subscriptions frame (mrr in integer cents); subscription_id defaults to one per row."""
    return pl.DataFrame(
        {
            "subscription_id": [r.sub or f"{r.customer}-s{i}" for i, r in enumerate(rows)],
            "customer_id": [r.customer for r in rows],
            "plan": [r.plan for r in rows],
            "mrr_cents": [r.mrr for r in rows],
            "started_at": [r.start for r in rows],
            "ended_at": [r.end for r in rows],
            "cancel_reason": [r.reason for r in rows],
        },
        schema=SCHEMA,
    )


def _bridge(rows: list[Row], period: Period = DEC, as_of: date = AS_OF) -> Bridge:
    return compute_bridge(_subs(rows), period, as_of)


def _money(bridge: Bridge, key: str) -> int:
    return int(getattr(bridge, key))


def _check_identity(bridge: Bridge) -> None:
    net = bridge.new_mrr + bridge.reactivation_mrr + bridge.expansion_mrr
    net -= bridge.contraction_mrr + bridge.churned_mrr
    assert bridge.mrr_end - bridge.mrr_start == bridge.net_new_mrr == net
    gained = bridge.new_customers + bridge.reactivated_customers - bridge.churned_customers
    assert bridge.customers_end == bridge.customers_start + gained


# --- SPEC §3 worked examples ---------------------------------------------------------------------


def test_example_1_logo_churn_200_of_2000() -> None:
    rows = [
        Row(f"c{i:04d}", 5000, date(2023, 1, 1), date(2023, 12, 15) if i < 200 else None) for i in range(2000)
    ]
    bridge = _bridge(rows)
    assert bridge.customers_start == 2000
    assert bridge.churned_customers == 200
    assert bridge.customers_end == 1800
    assert bridge.rates()["logo_churn_rate"] == 0.1


def test_example_2_joiner_who_cancels_is_not_churn() -> None:
    start, cancel = date(2023, 1, 1), date(2023, 12, 15)
    rows = [Row(f"c{i:03d}", 5000, start, cancel if i < 10 else None) for i in range(100)]
    rows.append(Row("joiner", 5000, date(2023, 12, 5), date(2023, 12, 20)))  # the 11th cancellation
    bridge = _bridge(rows)
    assert bridge == Bridge(
        customers_start=100,
        customers_end=90,
        churned_customers=10,
        mrr_start=500000,
        mrr_end=450000,
        churned_mrr=50000,
    )
    assert bridge.rates()["logo_churn_rate"] == 0.1


def _example_3_rows() -> list[Row]:
    start, change = date(2023, 1, 1), date(2023, 12, 10)
    return [
        Row("churn", 1000, start, change),
        Row("contract", 3000, start, change, sub="k"),
        Row("contract", 2000, change, sub="k"),
        Row("expand", 3000, start, change, sub="e"),
        Row("expand", 4000, change, sub="e"),
        Row("steady", 3000, start),
    ]


def test_example_3_gross_net_grr_nrr() -> None:
    bridge = _bridge(_example_3_rows())
    assert bridge == Bridge(
        customers_start=4,
        customers_end=3,
        churned_customers=1,
        expanded_customers=1,
        contracted_customers=1,
        mrr_start=10000,
        mrr_end=9000,
        expansion_mrr=1000,
        contraction_mrr=1000,
        churned_mrr=1000,
    )
    rates = bridge.rates()
    assert rates["gross_mrr_churn_rate"] == 0.2
    assert rates["net_mrr_churn_rate"] == 0.1
    assert rates["grr"] == 0.8
    assert rates["nrr"] == 0.9
    assert rates["revenue_churn_rate"] == 0.1
    assert rates["expansion_rate"] == 0.1
    assert rates["quick_ratio"] == 0.5
    assert rates["expansion_share_of_new_mrr"] == 1.0
    assert rates["arpa"] == 30.0
    assert nrr_points(bridge) == NrrPoints(nrr=90.0, churn=10.0, contraction=10.0, expansion=10.0)


def test_example_4_expansion_rate() -> None:
    start, change = date(2023, 1, 1), date(2023, 12, 10)
    rows = [Row(f"c{i}", 100000, start) for i in range(9)]
    rows += [Row("grower", 100000, start, change, sub="g"), Row("grower", 200000, change, sub="g")]
    bridge = _bridge(rows)
    assert bridge.mrr_start == 1_000_000  # 10,000.00
    assert bridge.expansion_mrr == 100_000  # 1,000.00
    assert bridge.rates()["expansion_rate"] == 0.1


def test_rates_none_without_denominator() -> None:
    bridge = Bridge()
    assert all(value is None for value in bridge.rates().values())
    assert nrr_points(bridge) is None
    only_new = _bridge([Row("a", 1000, date(2023, 12, 5))])
    rates = only_new.rates()
    assert rates["logo_churn_rate"] is None
    assert rates["nrr"] is None
    assert rates["quick_ratio"] is None
    assert rates["expansion_share_of_new_mrr"] == 0.0
    assert rates["arpa"] == 10.0


def test_empty_frame() -> None:
    assert _bridge([]) == Bridge()
    assert compute_bridge_by(_subs([]), DEC, AS_OF, "plan") == []
    assert churned_customers(_subs([]), DEC, AS_OF).height == 0
    assert expanded_customers(_subs([]), DEC, AS_OF).height == 0


# --- hand-checked cases --------------------------------------------------------------------------

STEADY = Row("steady", 3000, date(2023, 1, 1))


def test_joined_and_left_in_the_same_month_is_no_movement() -> None:
    rows = [STEADY, Row("inout", 5000, date(2023, 12, 5), date(2023, 12, 20))]
    expected = Bridge(customers_start=1, customers_end=1, mrr_start=3000, mrr_end=3000)
    assert _bridge(rows) == expected
    assert _bridge(rows, NOV) == expected
    assert _bridge(rows, JAN, LATE) == expected
    assert churned_customers(_subs(rows), DEC, AS_OF).height == 0


def test_churn_on_the_first_day_of_the_month() -> None:
    # ended_at is the first day not served: served through 2023-11-30, gone at the end of 12-01
    rows = [Row("a", 5000, date(2023, 6, 1), date(2023, 12, 1))]
    assert _bridge(rows, DEC) == Bridge(
        customers_start=1, churned_customers=1, mrr_start=5000, churned_mrr=5000
    )
    assert _bridge(rows, NOV) == Bridge(customers_start=1, customers_end=1, mrr_start=5000, mrr_end=5000)
    assert churned_customers(_subs(rows), DEC, AS_OF)["churned_on"].to_list() == [date(2023, 12, 1)]


def test_churn_on_the_last_day_of_the_month() -> None:
    # served through 2023-12-30: churned in December
    rows = [Row("a", 5000, date(2023, 6, 1), date(2023, 12, 31))]
    assert _bridge(rows, DEC) == Bridge(
        customers_start=1, churned_customers=1, mrr_start=5000, churned_mrr=5000
    )
    # served through 2023-12-31: still paying at December's close, churned in January
    rows = [Row("a", 5000, date(2023, 6, 1), date(2024, 1, 1))]
    assert _bridge(rows, DEC) == Bridge(customers_start=1, customers_end=1, mrr_start=5000, mrr_end=5000)
    assert _bridge(rows, JAN) == Bridge(
        customers_start=1, churned_customers=1, mrr_start=5000, churned_mrr=5000
    )


def test_annual_plan_running_across_the_period() -> None:
    yearly_cents = 120000  # 1,200.00 a year → 100.00 a month
    rows = [Row("annual", yearly_cents // 12, date(2023, 3, 15), date(2024, 3, 15), plan="annual")]
    assert _bridge(rows) == Bridge(customers_start=1, customers_end=1, mrr_start=10000, mrr_end=10000)
    assert _bridge(rows, month_period(date(2023, 3, 1))) == Bridge(
        customers_end=1, new_customers=1, mrr_end=10000, new_mrr=10000
    )
    assert _bridge(rows, month_period(date(2024, 3, 1)), LATE) == Bridge(
        customers_start=1, churned_customers=1, mrr_start=10000, churned_mrr=10000
    )


def test_free_plan_never_counts_and_free_to_paid_is_new() -> None:
    rows = [
        Row("f", 0, date(2023, 6, 1), date(2023, 12, 5), plan="free", sub="f"),
        Row("f", 2000, date(2023, 12, 5), plan="pro", sub="f"),
        Row("free-only", 0, date(2023, 1, 1), plan="free"),
    ]
    assert _bridge(rows, NOV) == Bridge()
    assert _bridge(rows, month_period(date(2023, 6, 1))) == Bridge()
    assert _bridge(rows, DEC) == Bridge(customers_end=1, new_customers=1, mrr_end=2000, new_mrr=2000)
    assert [name for name, _ in compute_bridge_by(_subs(rows), NOV, AS_OF, "plan")] == []


def test_paid_to_free_is_churn() -> None:
    rows = [
        Row("p", 2000, date(2023, 6, 1), date(2023, 12, 5), plan="pro", sub="p"),
        Row("p", 0, date(2023, 12, 5), plan="free", sub="p"),
    ]
    assert _bridge(rows) == Bridge(customers_start=1, churned_customers=1, mrr_start=2000, churned_mrr=2000)


def test_reactivation() -> None:
    rows = [
        Row("r", 3000, date(2023, 3, 1), date(2023, 6, 1)),  # paid March through May
        Row("r", 4000, date(2023, 12, 10)),
    ]
    assert _bridge(rows, DEC) == Bridge(
        customers_end=1, reactivated_customers=1, mrr_end=4000, reactivation_mrr=4000
    )
    assert _bridge(rows, month_period(date(2023, 3, 1))) == Bridge(
        customers_end=1, new_customers=1, mrr_end=3000, new_mrr=3000
    )
    assert _bridge(rows, month_period(date(2023, 6, 1))) == Bridge(
        customers_start=1, churned_customers=1, mrr_start=3000, churned_mrr=3000
    )
    assert _bridge(rows, NOV) == Bridge()


def test_same_day_plan_change_is_expansion() -> None:
    rows = [
        Row("x", 3000, date(2023, 1, 1), date(2023, 12, 10), plan="basic", reason="upgrade", sub="s"),
        Row("x", 5000, date(2023, 12, 10), plan="pro", sub="s"),
    ]
    assert _bridge(rows) == Bridge(
        customers_start=1,
        customers_end=1,
        expanded_customers=1,
        mrr_start=3000,
        mrr_end=5000,
        expansion_mrr=2000,
    )
    listing = expanded_customers(_subs(rows), DEC, AS_OF)
    assert listing.rows(named=True) == [
        {
            "customer_id": "x",
            "mrr_start_cents": 3000,
            "mrr_end_cents": 5000,
            "expansion_cents": 2000,
            "plan_start": "basic",
            "plan_end": "pro",
        }
    ]
    assert churned_customers(_subs(rows), DEC, AS_OF).height == 0


def test_same_day_downgrade_is_contraction() -> None:
    rows = [
        Row("x", 5000, date(2023, 1, 1), date(2023, 12, 10), sub="s"),
        Row("x", 3000, date(2023, 12, 10), sub="s"),
    ]
    assert _bridge(rows) == Bridge(
        customers_start=1,
        customers_end=1,
        contracted_customers=1,
        mrr_start=5000,
        mrr_end=3000,
        contraction_mrr=2000,
    )


def test_parallel_subscriptions_are_netted() -> None:
    rows = [
        Row("x", 5000, date(2023, 1, 1), date(2023, 12, 15), plan="seats", sub="s1"),  # cancelled
        Row("x", 3000, date(2023, 1, 1), date(2023, 12, 10), plan="addon", sub="s2"),
        Row("x", 9000, date(2023, 12, 10), plan="addon", sub="s2"),  # grows by more than s1 lost
    ]
    assert _bridge(rows) == Bridge(
        customers_start=1,
        customers_end=1,
        expanded_customers=1,
        mrr_start=8000,
        mrr_end=9000,
        expansion_mrr=1000,
    )
    assert churned_customers(_subs(rows), DEC, AS_OF).height == 0
    # growing by less is contraction of the net, still not churn
    rows[2] = Row("x", 6000, date(2023, 12, 10), plan="addon", sub="s2")
    assert _bridge(rows) == Bridge(
        customers_start=1,
        customers_end=1,
        contracted_customers=1,
        mrr_start=8000,
        mrr_end=6000,
        contraction_mrr=2000,
    )


def test_period_not_over_at_as_of_closes_at_as_of() -> None:
    as_of = date(2024, 1, 15)
    rows = [
        Row("later", 1000, date(2023, 6, 1), date(2024, 1, 20)),  # cancels after as-of: still paying
        Row("gone", 2000, date(2023, 6, 1), date(2024, 1, 10)),  # churned
        Row("edge", 5000, date(2023, 6, 1), as_of),  # first day not served = as-of: churned
        Row("fresh", 3000, date(2024, 1, 5)),  # new
        Row("future", 4000, date(2024, 1, 16)),  # starts after as-of: not known yet
    ]
    bridge = _bridge(rows, JAN, as_of)
    assert bridge == Bridge(
        customers_start=3,
        customers_end=2,
        new_customers=1,
        churned_customers=2,
        mrr_start=8000,
        mrr_end=4000,
        new_mrr=3000,
        churned_mrr=7000,
    )
    # once the month is over the same rows give the full month
    assert _bridge(rows, JAN, LATE) == Bridge(
        customers_start=3,
        customers_end=2,
        new_customers=2,
        churned_customers=3,
        mrr_start=8000,
        mrr_end=7000,
        new_mrr=7000,
        churned_mrr=8000,
    )
    listing = churned_customers(_subs(rows), JAN, as_of)
    assert listing["customer_id"].to_list() == ["edge", "gone"]
    assert listing["churned_on"].to_list() == [as_of, date(2024, 1, 10)]


def test_rows_starting_after_as_of_are_ignored() -> None:
    as_of = date(2023, 12, 20)
    rows = [
        STEADY,
        Row("x", 3000, date(2023, 1, 1), date(2023, 12, 25), sub="s"),  # upgrade scheduled after as-of
        Row("x", 9000, date(2023, 12, 25), sub="s"),
        Row("later", 4000, date(2023, 12, 21)),
        Row("much-later", 4000, date(2024, 3, 1)),
    ]
    assert _bridge(rows, DEC, as_of) == Bridge(
        customers_start=2, customers_end=2, mrr_start=6000, mrr_end=6000
    )
    assert [name for name, _ in compute_bridge_by(_subs(rows), DEC, as_of, "plan")] == ["pro"]


def test_zero_length_row_serves_nothing() -> None:
    rows = [Row("z", 5000, date(2023, 12, 10), date(2023, 12, 10))]
    assert _bridge(rows, DEC) == Bridge()
    assert _bridge(rows, JAN, LATE) == Bridge()
    assert compute_bridge_by(_subs(rows), DEC, AS_OF, "plan") == []
    # and it is not "paid before": a later paid row is new, not reactivated
    rows = [Row("z", 5000, date(2023, 6, 10), date(2023, 6, 10)), Row("z", 2000, date(2023, 12, 3))]
    assert _bridge(rows, DEC) == Bridge(customers_end=1, new_customers=1, mrr_end=2000, new_mrr=2000)


def test_values_keys_and_money() -> None:
    bridge = _bridge(_example_3_rows())
    values = bridge.values()
    assert list(values) == [f.name for f in fields(Bridge)] + ["net_new_mrr", *RATE_KEYS]
    for key in COUNT_KEYS:
        assert type(values[key]) is int
    for key in MONEY_KEYS:
        assert isinstance(values[key], Decimal)
        assert values[key].as_tuple().exponent == -2
    assert values["mrr_start"] == Decimal("100.00")
    assert values["net_new_mrr"] == Decimal("-10.00")
    assert str(Bridge(mrr_end=29950).values()["mrr_end"]) == "299.50"


# --- listings ------------------------------------------------------------------------------------


def _churn_listing_rows() -> list[Row]:
    return [
        Row("a", 9000, date(2022, 12, 1), date(2023, 12, 10), plan="pro", reason="price"),
        # parallel rows ending the same day: the larger row's reason and plan
        Row("b", 2000, date(2023, 6, 1), date(2023, 12, 20), plan="basic", reason="too small"),
        Row("b", 1000, date(2023, 6, 1), date(2023, 12, 20), plan="addon", reason="bundle"),
        # parallel rows ending on different days: the reason of the one that ended last
        Row("c", 4000, date(2023, 2, 1), date(2023, 12, 3), plan="pro", reason="switched"),
        Row("c", 1000, date(2023, 2, 1), date(2023, 12, 18), plan="lite", reason="closed"),
        # paid, a gap, paid again: tenure counts from the first paid day
        Row("d", 1500, date(2023, 1, 1), date(2023, 3, 1), plan="basic"),
        Row("d", 1500, date(2023, 6, 1), date(2023, 12, 25), plan="basic"),
        # same lost MRR as d: customer_id breaks the tie
        Row("d0", 1500, date(2023, 11, 1), date(2023, 12, 2), plan="basic", reason="trial over"),
        STEADY,
        Row("inout", 7000, date(2023, 12, 2), date(2023, 12, 9), reason="mistake"),
    ]


def test_churned_customers_listing() -> None:
    listing = churned_customers(_subs(_churn_listing_rows()), DEC, AS_OF)
    assert listing.columns == [
        "customer_id",
        "mrr_cents",
        "plan",
        "churned_on",
        "tenure_days",
        "cancel_reason",
    ]
    assert listing.rows(named=True) == [
        {
            "customer_id": "a",
            "mrr_cents": 9000,
            "plan": "pro",
            "churned_on": date(2023, 12, 10),
            "tenure_days": 374,
            "cancel_reason": "price",
        },
        {
            "customer_id": "c",
            "mrr_cents": 5000,
            "plan": "pro",
            "churned_on": date(2023, 12, 18),
            "tenure_days": 320,
            "cancel_reason": "closed",
        },
        {
            "customer_id": "b",
            "mrr_cents": 3000,
            "plan": "basic",
            "churned_on": date(2023, 12, 20),
            "tenure_days": 202,
            "cancel_reason": "too small",
        },
        {
            "customer_id": "d",
            "mrr_cents": 1500,
            "plan": "basic",
            "churned_on": date(2023, 12, 25),
            "tenure_days": 358,
            "cancel_reason": None,
        },
        {
            "customer_id": "d0",
            "mrr_cents": 1500,
            "plan": "basic",
            "churned_on": date(2023, 12, 2),
            "tenure_days": 31,
            "cancel_reason": "trial over",
        },
    ]
    bridge = _bridge(_churn_listing_rows())
    assert bridge.churned_customers == listing.height
    assert bridge.churned_mrr == listing["mrr_cents"].sum()


def test_churned_customers_tie_on_reason_independent_of_row_order() -> None:
    rows = _churn_listing_rows()
    for seed in range(5):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        listing = churned_customers(_subs(shuffled), DEC, AS_OF)
        assert listing.filter(pl.col("customer_id") == "b")["cancel_reason"].to_list() == ["too small"]


def test_expanded_customers_listing() -> None:
    start, change = date(2023, 1, 1), date(2023, 12, 10)
    rows = [
        Row("x", 2000, start, change, plan="basic", sub="x"),
        Row("x", 5000, change, plan="pro", sub="x"),
        Row("w", 1000, start, change, plan="starter", sub="w"),
        Row("w", 4000, change, plan="team", sub="w"),
        Row("y", 1000, start, plan="seats", sub="y1"),
        Row("y", 500, start, change, plan="addon", sub="y2"),
        Row("y", 2500, change, plan="addon", sub="y2"),
        Row("shrinks", 5000, start, change, sub="k"),
        Row("shrinks", 1000, change, sub="k"),
        STEADY,
    ]
    listing = expanded_customers(_subs(rows), DEC, AS_OF)
    assert listing.columns == [
        "customer_id",
        "mrr_start_cents",
        "mrr_end_cents",
        "expansion_cents",
        "plan_start",
        "plan_end",
    ]
    assert listing.rows() == [
        ("w", 1000, 4000, 3000, "starter", "team"),
        ("x", 2000, 5000, 3000, "basic", "pro"),
        ("y", 1500, 3500, 2000, "seats", "addon"),
    ]
    bridge = _bridge(rows)
    assert bridge.expanded_customers == listing.height == 3
    assert bridge.expansion_mrr == listing["expansion_cents"].sum()


# --- by plan -------------------------------------------------------------------------------------


def _assert_groups_add_up(groups: list[tuple[str, Bridge]], total: Bridge) -> None:
    names = [name for name, _ in groups]
    assert len(names) == len(set(names))
    for key in COUNT_KEYS + MONEY_KEYS:
        assert sum(_money(bridge, key) for _, bridge in groups) == _money(total, key), key


def test_bridge_by_plan_adds_up() -> None:
    rows = (
        _churn_listing_rows()
        + _example_3_rows()
        + [
            Row("f", 0, date(2023, 6, 1), date(2023, 12, 5), plan="free", sub="f"),
            Row("f", 2000, date(2023, 12, 5), plan="pro", sub="f"),
            Row("noplan", 700, date(2023, 12, 7), plan=None),
            Row("up", 1000, date(2023, 1, 1), date(2023, 12, 10), plan="basic", sub="u"),
            Row("up", 5000, date(2023, 12, 10), plan="team", sub="u"),
        ]
    )
    frame = _subs(rows)
    total = compute_bridge(frame, DEC, AS_OF)
    groups = compute_bridge_by(frame, DEC, AS_OF, "plan")
    _assert_groups_add_up(groups, total)
    by_name = dict(groups)
    assert "(none)" in by_name
    assert by_name["(none)"].new_customers == 1
    # the upgrader is in its closing plan's group, once
    assert by_name["team"].expanded_customers == 1
    assert by_name["team"].expansion_mrr == 4000
    assert "basic" in by_name  # b and d churned out of basic
    assert by_name["basic"].churned_customers == 3
    assert "free" not in by_name


# --- properties ----------------------------------------------------------------------------------

CUSTOMERS = ["a", "b", "c", "d", "e"]
FIRST, LAST = date(2023, 1, 1), date(2024, 12, 31)


@st.composite
def _rows(draw: st.DrawFn) -> list[Row]:
    count = draw(st.integers(min_value=0, max_value=12))
    rows = []
    for i in range(count):
        start = draw(st.dates(min_value=FIRST, max_value=LAST))
        length = draw(st.none() | st.integers(min_value=0, max_value=400))
        end = None if length is None else start + timedelta(days=length)
        mrr = draw(st.just(0) | st.integers(min_value=0, max_value=100000))
        rows.append(
            Row(
                customer=draw(st.sampled_from(CUSTOMERS)),
                mrr=mrr,
                start=start,
                end=end,
                plan=draw(st.sampled_from(["basic", "pro", "team", None])),
                reason=draw(st.sampled_from([None, "price", "closed"])),
                sub=f"s{i}",
            )
        )
    return rows


_MONTHS = st.integers(min_value=0, max_value=23).map(lambda i: month_period(add_months(FIRST, i)))
_AS_OF_DAYS = st.integers(min_value=0, max_value=900)


def _as_of_in_or_after(period: Period, days: int) -> date:
    return period.start + timedelta(days=days)


@given(_rows(), _MONTHS, _AS_OF_DAYS)
@settings(max_examples=100, deadline=None)
def test_property_bridge_identity_and_rates(rows: list[Row], period: Period, days: int) -> None:
    as_of = _as_of_in_or_after(period, days)
    bridge = compute_bridge(_subs(rows), period, as_of)
    _check_identity(bridge)
    for item in fields(Bridge):
        value = getattr(bridge, item.name)
        assert type(value) is int
        assert value >= 0
    rates = bridge.rates()
    for key in ("logo_churn_rate", "revenue_churn_rate", "gross_mrr_churn_rate", "grr"):
        assert rates[key] is None or 0 <= rates[key] <= 1, key
    assert rates["nrr"] is None or rates["nrr"] >= 0
    values = bridge.values()
    for key in MONEY_KEYS:
        money = values[key]
        assert isinstance(money, Decimal)
        assert money.as_tuple().exponent == -2
        assert money == Decimal(_money(bridge, key)) / 100
    assert values["net_new_mrr"] == values["mrr_end"] - values["mrr_start"]


@given(_rows(), _MONTHS, _AS_OF_DAYS, st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_property_row_order_does_not_matter(
    rows: list[Row], period: Period, days: int, rnd: random.Random
) -> None:
    as_of = _as_of_in_or_after(period, days)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert compute_bridge(_subs(shuffled), period, as_of) == compute_bridge(_subs(rows), period, as_of)


@given(_rows(), st.integers(min_value=0, max_value=22), st.integers(min_value=0, max_value=400))
@settings(max_examples=100, deadline=None)
def test_property_adjacent_months_chain(rows: list[Row], index: int, days: int) -> None:
    first = month_period(add_months(FIRST, index))
    second = month_period(first.end)
    as_of = first.last_day + timedelta(days=days)  # the first month is over; the second may not be
    frame = _subs(rows)
    one, two = compute_bridge(frame, first, as_of), compute_bridge(frame, second, as_of)
    assert one.mrr_end == two.mrr_start
    assert one.customers_end == two.customers_start


@given(_rows(), st.integers(min_value=0, max_value=7), st.integers(min_value=0, max_value=400))
@settings(max_examples=100, deadline=None)
def test_property_quarter_opens_like_its_first_month(rows: list[Row], quarter: int, days: int) -> None:
    start = add_months(FIRST, 3 * quarter)
    period = Period(f"q{quarter}", start, add_months(start, 3))
    month = month_period(start)
    as_of = start + timedelta(days=days)
    frame = _subs(rows)
    whole, first = compute_bridge(frame, period, as_of), compute_bridge(frame, month, as_of)
    assert whole.customers_start == first.customers_start
    assert whole.mrr_start == first.mrr_start
    if as_of >= period.last_day:
        last = compute_bridge(frame, month_period(add_months(start, 2)), as_of)
        assert whole.customers_end == last.customers_end
        assert whole.mrr_end == last.mrr_end


@given(_rows(), _MONTHS, _AS_OF_DAYS)
@settings(max_examples=100, deadline=None)
def test_property_by_plan_adds_up(rows: list[Row], period: Period, days: int) -> None:
    as_of = _as_of_in_or_after(period, days)
    frame = _subs(rows)
    total = compute_bridge(frame, period, as_of)
    groups = compute_bridge_by(frame, period, as_of, "plan")
    _assert_groups_add_up(groups, total)
    for _, bridge in groups:
        _check_identity(bridge)


@given(_rows(), _MONTHS, _AS_OF_DAYS)
@settings(max_examples=100, deadline=None)
def test_property_listings_match_the_bridge(rows: list[Row], period: Period, days: int) -> None:
    as_of = _as_of_in_or_after(period, days)
    frame = _subs(rows)
    bridge = compute_bridge(frame, period, as_of)
    churned = churned_customers(frame, period, as_of)
    expanded = expanded_customers(frame, period, as_of)
    assert churned.height == bridge.churned_customers
    assert int(churned["mrr_cents"].sum()) == bridge.churned_mrr
    assert churned["churned_on"].null_count() == 0
    closing = period.closing_day(as_of)
    assert all(period.start <= day <= closing for day in churned["churned_on"].to_list())
    assert expanded.height == bridge.expanded_customers
    assert int(expanded["expansion_cents"].sum()) == bridge.expansion_mrr


def test_bridge_is_a_plain_dataclass_of_ints() -> None:
    assert set(asdict(Bridge())) == set(COUNT_KEYS + MONEY_KEYS) - {"net_new_mrr"}


@pytest.mark.parametrize("frame_kind", ["eager", "lazy"])
def test_accepts_lazy_frames(frame_kind: str) -> None:
    frame = _subs(_example_3_rows())
    source = frame.lazy() if frame_kind == "lazy" else frame
    assert compute_bridge(source, DEC, AS_OF) == compute_bridge(frame, DEC, AS_OF)


_TIE_A = Row("x", 1000, date(2023, 1, 1), date(2023, 12, 5), plan="zeta", reason="r-zeta", sub="1")
_TIE_B = Row("x", 1000, date(2023, 1, 1), date(2023, 12, 5), plan="alpha", reason="r-alpha", sub="2")


def test_bridge_by_plan_tie_does_not_depend_on_row_order() -> None:
    running = [_TIE_A._replace(end=None), _TIE_B._replace(end=None)]
    forward = compute_bridge_by(_subs(running), DEC, AS_OF, "plan")
    backward = compute_bridge_by(_subs(running[::-1]), DEC, AS_OF, "plan")
    assert forward == backward


def test_churned_customers_tie_does_not_depend_on_row_order() -> None:
    forward = churned_customers(_subs([_TIE_A, _TIE_B]), DEC, AS_OF)
    backward = churned_customers(_subs([_TIE_B, _TIE_A]), DEC, AS_OF)
    assert forward.rows() == backward.rows()
