"""Lifetime value and CAC payback: the seeds' example, hand-checked sets, segments and properties."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import fsum
from typing import NamedTuple

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.ltv import LtvResult, compute_ltv, compute_ltv_by
from csmetrics.metrics.revenue import compute_bridge
from csmetrics.periods import Period, add_months, month_period

Q4 = Period("2023-Q4", date(2023, 10, 1), date(2024, 1, 1))
DEC = month_period(date(2023, 12, 1))
Q1 = Period("2024-Q1", date(2024, 1, 1), date(2024, 4, 1))
AS_OF = date(2024, 1, 15)
OLD = date(2023, 1, 1)

SCHEMA = {
    "subscription_id": pl.String,
    "customer_id": pl.String,
    "plan": pl.String,
    "mrr_cents": pl.Int64,
    "started_at": pl.Date,
    "ended_at": pl.Date,
}


class Row(NamedTuple):
    customer: str
    mrr: int
    start: date
    end: date | None = None
    plan: str | None = "pro"


def _subs(rows: list[Row]) -> pl.DataFrame:
    """A subscriptions frame (mrr in integer cents), one subscription_id per row."""
    return pl.DataFrame(
        {
            "subscription_id": [f"{r.customer}-s{i}" for i, r in enumerate(rows)],
            "customer_id": [r.customer for r in rows],
            "plan": [r.plan for r in rows],
            "mrr_cents": [r.mrr for r in rows],
            "started_at": [r.start for r in rows],
            "ended_at": [r.end for r in rows],
        },
        schema=SCHEMA,
    )


# Q4 2023: nobody pays at October's start (its rate is undefined); a, b, c, d are new in October;
# d churns in November (1 of 4), c in December (1 of 3); e is new in December.
QUARTER = [
    Row("a", 10000, date(2023, 10, 5)),
    Row("b", 30000, date(2023, 10, 5)),
    Row("c", 20000, date(2023, 10, 5), date(2023, 12, 3)),
    Row("d", 20000, date(2023, 10, 5), date(2023, 11, 20)),
    Row("e", 20000, date(2023, 12, 15)),
]
QUARTER_CHURN = (1 / 4 + 1 / 3) / 2  # 7/24


# --- the seeds' worked example -------------------------------------------------------------------


def test_seeds_example_100k_clv_10k_cac_payback_in_about_4_months() -> None:
    """3 years at ~2.7k PLN a month is 100k PLN; CAC 10% of it = 10k; paid back in ~3.6 months."""
    result = compute_ltv(None, DEC, AS_OF, arpa=Decimal("2777.78"), monthly_churn=0.027778, cac=10000)
    assert result.clv is not None and abs(result.clv - Decimal(100000)) < 1  # 100,000.7
    assert result.lifetime_months == pytest.approx(36, abs=0.001)
    assert result.cac == Decimal(10000)
    assert result.cac_payback_months == pytest.approx(3.6, abs=0.001)
    assert result.ltv_to_cac == pytest.approx(10, abs=0.001)
    assert result.arpa_given and result.monthly_churn_given and result.cac_source == "given"
    assert result.customers_end is None and result.new_customers is None
    assert result.monthly_churn_rates == ()


def test_pure_calculator_values_keys() -> None:
    result = compute_ltv(None, DEC, AS_OF, arpa=Decimal(100), monthly_churn=0.05, gross_margin=0.8)
    values = result.values()
    assert list(values)[:7] == [
        "arpa",
        "monthly_churn",
        "lifetime_months",
        "clv",
        "cac",
        "cac_payback_months",
        "ltv_to_cac",
    ]
    assert values["clv"] == Decimal(1600)  # 100 × 0.8 × 20
    assert values["lifetime_months"] == pytest.approx(20)
    assert values["cac"] is None and values["cac_payback_months"] is None and values["ltv_to_cac"] is None
    assert values["gross_margin"] == 0.8
    assert result.notes == ()


# --- hand-checked subscription sets --------------------------------------------------------------


def test_arpa_is_mrr_at_close_over_customers_at_close() -> None:
    rows = [
        Row("a", 10000, OLD),
        Row("b", 20000, OLD),
        Row("c", 5000, OLD, date(2023, 12, 10)),  # churned: not at the close
        Row("free", 0, OLD),  # free plans never count
    ]
    result = compute_ltv(_subs(rows), DEC, AS_OF)
    assert result.arpa == Decimal("150.00")
    assert result.customers_end == 2 and result.mrr_end == 30000
    assert result.monthly_churn == pytest.approx(1 / 3)
    assert result.lifetime_months == pytest.approx(3)
    assert result.clv == Decimal(450)  # 150 × 3
    assert result.cac is None and result.cac_source is None


def test_monthly_churn_is_the_mean_of_monthly_rates_leaving_out_undefined_months() -> None:
    result = compute_ltv(_subs(QUARTER), Q4, AS_OF, gross_margin=0.8, spend_cents=10_000_000)
    assert result.monthly_churn_rates == (("2023-10", None), ("2023-11", 0.25), ("2023-12", 1 / 3))
    assert result.monthly_churn == pytest.approx(QUARTER_CHURN)
    assert result.lifetime_months == pytest.approx(24 / 7)
    assert result.arpa == Decimal(200)  # (100 + 300 + 200) / 3
    assert result.clv is not None
    assert float(result.clv) == pytest.approx(200 * 0.8 * 24 / 7)  # 548.57
    # CAC from spend: 100,000.00 over the 5 new customers (a–d in October, e in December)
    assert result.new_customers == 5 and result.spend == 10_000_000
    assert result.cac == Decimal(20000) and result.cac_source == "spend"
    assert result.cac_payback_months == pytest.approx(20000 / (200 * 0.8))  # 125 months
    assert result.ltv_to_cac == pytest.approx(200 * 0.8 * 24 / 7 / 20000)
    assert any(note.startswith("2023-10: no paying customer") for note in result.notes)


def test_reactivations_and_in_month_visits_are_not_new_customers() -> None:
    rows = [
        Row("a", 10000, OLD),
        Row("back", 10000, date(2023, 3, 1), date(2023, 6, 1)),
        Row("back", 10000, date(2023, 11, 10)),  # reactivated in November: not acquired
        Row("visit", 10000, date(2023, 11, 3), date(2023, 11, 25)),  # in and out: no movement
        Row("new", 10000, date(2023, 12, 5)),
    ]
    result = compute_ltv(_subs(rows), Q4, AS_OF, spend_cents=50000)
    assert result.new_customers == 1
    assert result.cac == Decimal(500)


def test_gross_margin_scales_clv_and_payback() -> None:
    full = compute_ltv(_subs(QUARTER), Q4, AS_OF, cac=1000)
    part = compute_ltv(_subs(QUARTER), Q4, AS_OF, cac=1000, gross_margin=0.8)
    assert full.clv is not None and part.clv is not None
    assert part.clv == pytest.approx(full.clv * Decimal("0.8"))
    assert full.cac_payback_months == pytest.approx(5)  # 1000 / 200
    assert part.cac_payback_months == pytest.approx(6.25)  # 1000 / 160


def test_zero_churn_means_unbounded_lifetime_and_no_clv() -> None:
    rows = [Row("a", 10000, OLD), Row("b", 30000, OLD)]
    result = compute_ltv(_subs(rows), Q4, AS_OF, cac=400)
    assert result.monthly_churn == 0
    assert result.lifetime_months is None and result.clv is None and result.ltv_to_cac is None
    assert any("no customer churned in the period: lifetime is unbounded" in note for note in result.notes)
    assert result.arpa == Decimal(200)
    assert result.cac_payback_months == pytest.approx(2)  # payback needs no lifetime


def test_a_period_in_progress_counts_only_ended_months_for_churn() -> None:
    as_of = date(2024, 2, 15)
    rows = [
        Row("a", 10000, OLD),
        Row("b", 10000, OLD, date(2024, 2, 10)),  # February churn: the month is not over
        Row("c", 10000, OLD, date(2024, 1, 20)),  # January: 1 of 3
        Row("d", 40000, date(2024, 2, 5)),  # new in February, up to as-of: counts for CAC
        Row("e", 10000, date(2024, 3, 1)),  # after as-of: not known
    ]
    result = compute_ltv(_subs(rows), Q1, as_of, spend_cents=30000)
    assert result.monthly_churn_rates == (("2024-01", 1 / 3),)
    assert result.monthly_churn == pytest.approx(1 / 3)
    assert result.arpa == Decimal(250)  # close = end of as-of: a and d
    assert result.new_customers == 1 and result.cac == Decimal(300)
    assert any(note.startswith("2024-02 is not over at as-of") for note in result.notes)


def test_a_month_in_progress_alone_gives_no_churn() -> None:
    rows = [Row("a", 10000, OLD), Row("b", 10000, OLD, date(2024, 1, 5))]
    result = compute_ltv(_subs(rows), month_period(date(2024, 1, 1)), AS_OF)
    assert result.monthly_churn is None and result.lifetime_months is None and result.clv is None
    assert result.monthly_churn_rates == ()
    assert result.arpa == Decimal(100)
    assert any("monthly churn is unknown" in note for note in result.notes)


def test_nobody_at_the_close_and_no_new_customers() -> None:
    rows = [Row("a", 10000, OLD, date(2023, 12, 10))]
    result = compute_ltv(_subs(rows), DEC, AS_OF, spend_cents=100000)
    assert result.arpa is None and result.clv is None
    assert result.monthly_churn == 1.0 and result.lifetime_months == 1.0
    assert result.new_customers == 0 and result.cac is None and result.cac_source is None
    assert result.spend == 100000
    assert any("ARPA is undefined" in note for note in result.notes)
    assert any("CAC from spend is undefined" in note for note in result.notes)


def test_zero_cac_and_zero_arpa() -> None:
    free = compute_ltv(None, DEC, AS_OF, arpa=100, monthly_churn=0.1, cac=0)
    assert free.cac_payback_months == 0 and free.ltv_to_cac is None
    nothing = compute_ltv(None, DEC, AS_OF, arpa=0, monthly_churn=0.1, cac=50)
    assert nothing.clv == 0 and nothing.cac_payback_months is None and nothing.ltv_to_cac == 0
    assert any("never paid back" in note for note in nothing.notes)


# --- overrides -----------------------------------------------------------------------------------


def test_arpa_override_only_keeps_measured_churn() -> None:
    result = compute_ltv(_subs(QUARTER), Q4, AS_OF, arpa=Decimal("250"))
    assert result.arpa == Decimal(250) and result.arpa_given and not result.monthly_churn_given
    assert result.monthly_churn == pytest.approx(QUARTER_CHURN)
    assert result.clv is not None and float(result.clv) == pytest.approx(250 * 24 / 7)
    assert result.customers_end == 3 and result.mrr_end == 60000  # the measured figures are kept


def test_churn_override_only_keeps_measured_arpa() -> None:
    result = compute_ltv(_subs(QUARTER), Q4, AS_OF, monthly_churn=0.05)
    assert result.monthly_churn == 0.05 and result.monthly_churn_given and not result.arpa_given
    assert result.arpa == Decimal(200)
    assert result.lifetime_months == pytest.approx(20)
    assert result.clv is not None and float(result.clv) == pytest.approx(4000)
    assert result.monthly_churn_rates[1:] == (("2023-11", 0.25), ("2023-12", 1 / 3))
    assert not any("no paying customer at the month" in note for note in result.notes)


def test_zero_churn_override_is_unbounded() -> None:
    result = compute_ltv(None, DEC, AS_OF, arpa=100, monthly_churn=0)
    assert result.lifetime_months is None and result.clv is None
    assert any("unbounded" in note for note in result.notes)


def test_float_inputs_are_read_as_written() -> None:
    result = compute_ltv(None, DEC, AS_OF, arpa=2777.78, monthly_churn=0.5, cac=0.1)
    assert result.arpa == Decimal("2777.78") and result.cac == Decimal("0.1")


# --- invalid inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize("margin", [0.0, -0.1, 1.2, math.nan, math.inf])
def test_gross_margin_outside_0_1_is_an_error(margin: float) -> None:
    with pytest.raises(ValueError, match="gross margin"):
        compute_ltv(None, DEC, AS_OF, arpa=100, monthly_churn=0.1, gross_margin=margin)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cac": -1}, "CAC"),
        ({"cac": Decimal("-0.01")}, "CAC"),
        ({"cac": math.nan}, "CAC"),
        ({"arpa": -5}, "ARPA"),
        ({"monthly_churn": 1.5}, "monthly churn"),
        ({"monthly_churn": -0.1}, "monthly churn"),
        ({"spend_cents": -1}, "spend"),
        ({"cac": 100, "spend_cents": 100}, "not both"),
    ],
)
def test_invalid_inputs_are_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_ltv(_subs(QUARTER), Q4, AS_OF, **options)  # type: ignore[arg-type]


def test_without_subscriptions_both_overrides_are_needed() -> None:
    with pytest.raises(ValueError, match="both ARPA and monthly churn"):
        compute_ltv(None, DEC, AS_OF, arpa=100)
    with pytest.raises(ValueError, match="both ARPA and monthly churn"):
        compute_ltv(None, DEC, AS_OF, monthly_churn=0.1)
    with pytest.raises(ValueError, match="spend needs the subscriptions"):
        compute_ltv(None, DEC, AS_OF, arpa=100, monthly_churn=0.1, spend_cents=100)


def test_a_period_after_as_of_is_an_error() -> None:
    with pytest.raises(ValueError, match="starts after as-of"):
        compute_ltv(_subs(QUARTER), Q1, date(2023, 12, 31))
    with pytest.raises(ValueError, match="starts after as-of"):
        compute_ltv_by(_subs(QUARTER), Q1, date(2023, 12, 31), "plan")
    with pytest.raises(ValueError, match="gross margin"):
        compute_ltv_by(_subs(QUARTER), Q4, AS_OF, "plan", gross_margin=2)


# --- by segment ----------------------------------------------------------------------------------

BY_PLAN = [
    Row("a1", 1000, OLD, plan="basic"),
    Row("a2", 1000, OLD, date(2023, 11, 15), plan="basic"),  # November: 1 of 2 basic
    Row("p1", 5000, OLD),
    Row("p2", 5000, OLD),
    Row("p3", 5000, OLD, date(2023, 12, 20)),  # December: 1 of 4 pro
    Row("s", 1000, OLD, date(2023, 12, 1), plan="basic"),  # moves to pro: pro at the close
    Row("s", 5000, date(2023, 12, 1)),
    Row("f", 0, OLD, plan="free"),  # a free plan holds no money: left out
]


def test_by_plan_runs_the_rules_on_each_segment() -> None:
    groups = compute_ltv_by(_subs(BY_PLAN), Q4, AS_OF, "plan", cac=100)
    assert [name for name, _ in groups] == ["pro", "basic"]  # larger MRR at the close first
    pro, basic = groups[0][1], groups[1][1]
    assert pro.arpa == Decimal(50) and pro.customers_end == 3
    assert pro.monthly_churn_rates == (("2023-10", 0.0), ("2023-11", 0.0), ("2023-12", 0.25))
    assert pro.monthly_churn == pytest.approx(1 / 12)
    assert pro.clv is not None and float(pro.clv) == pytest.approx(600)
    assert pro.cac == Decimal(100) and pro.cac_payback_months == pytest.approx(2)
    assert basic.arpa == Decimal(10) and basic.customers_end == 1
    assert basic.monthly_churn == pytest.approx(1 / 6)  # 0, 1/2, 0
    assert basic.clv is not None and float(basic.clv) == pytest.approx(60)
    assert basic.cac_payback_months == pytest.approx(10)


def test_by_plan_gets_no_cac_from_spend() -> None:
    groups = compute_ltv_by(_subs(BY_PLAN), Q4, AS_OF, "plan", spend_cents=100000)
    for _, result in groups:
        assert result.cac is None and result.cac_source is None and result.cac_payback_months is None
        assert any("spend is not split by segment" in note for note in result.notes)


def test_by_an_attribute_called_group_and_missing_values() -> None:
    frame = _subs(BY_PLAN).with_columns(pl.col("plan").replace({"basic": None}).alias("group"))
    groups = compute_ltv_by(frame, Q4, AS_OF, "group")
    assert [name for name, _ in groups] == ["pro", "(none)"]


def test_by_plan_overrides_apply_to_every_segment() -> None:
    groups = compute_ltv_by(_subs(BY_PLAN), Q4, AS_OF, "plan", monthly_churn=0.1)
    assert [(name, result.clv) for name, result in groups] == [("pro", Decimal(500)), ("basic", Decimal(100))]


# --- properties ----------------------------------------------------------------------------------

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**6), places=2)
margins = st.floats(min_value=0.01, max_value=1.0)


@given(arpa=money, cac=money, margin=margins, churn=st.floats(min_value=0.001, max_value=1.0))
def test_payback_times_arpa_times_margin_is_cac(
    arpa: Decimal, cac: Decimal, margin: float, churn: float
) -> None:
    result = compute_ltv(None, DEC, AS_OF, arpa=arpa, monthly_churn=churn, cac=cac, gross_margin=margin)
    assert result.cac_payback_months is not None
    assert math.isclose(result.cac_payback_months * float(arpa) * margin, float(cac), rel_tol=1e-9)
    assert result.clv is not None and result.ltv_to_cac is not None
    assert math.isclose(result.ltv_to_cac * float(cac), float(result.clv), rel_tol=1e-9)


customers = st.sampled_from([f"c{i}" for i in range(6)])
days = st.integers(min_value=0, max_value=300).map(lambda n: date(2023, 5, 1) + timedelta(days=n))
rows = st.lists(
    st.builds(
        Row,
        customer=customers,
        mrr=st.sampled_from([0, 1000, 2500, 9999]),
        start=days,
        end=st.none() | st.integers(min_value=0, max_value=200),
        plan=st.sampled_from(["basic", "pro", None]),
    ).map(lambda r: r._replace(end=None if r.end is None else r.start + timedelta(days=r.end))),
    max_size=14,
)
as_of_days = st.sampled_from([date(2023, 10, 1), date(2023, 11, 20), date(2023, 12, 31), AS_OF])


@settings(max_examples=60, deadline=None)
@given(rows=rows, margin=margins, as_of=as_of_days)
def test_clv_scales_linearly_with_margin(rows: list[Row], margin: float, as_of: date) -> None:
    frame = _subs(rows)
    full = compute_ltv(frame, Q4, as_of, cac=100)
    part = compute_ltv(frame, Q4, as_of, cac=100, gross_margin=margin)
    assert (full.clv is None) == (part.clv is None)
    if full.clv is not None and part.clv is not None:
        assert math.isclose(float(part.clv), float(full.clv) * margin, rel_tol=1e-12, abs_tol=1e-12)
    assert part.monthly_churn == full.monthly_churn and part.arpa == full.arpa


@settings(max_examples=60, deadline=None)
@given(rows=rows, seed=st.integers(min_value=0, max_value=2**32 - 1), as_of=as_of_days)
def test_row_order_does_not_matter(rows: list[Row], seed: int, as_of: date) -> None:
    shuffled = list(enumerate(rows))
    random.Random(seed).shuffle(shuffled)
    frame = _subs(rows)
    other = frame[[i for i, _ in shuffled]]  # the same rows (and ids), another order
    assert compute_ltv(frame, Q4, as_of, spend_cents=12345) == compute_ltv(
        other, Q4, as_of, spend_cents=12345
    )
    assert compute_ltv_by(frame, Q4, as_of, "plan") == compute_ltv_by(other, Q4, as_of, "plan")


@settings(max_examples=60, deadline=None)
@given(rows=rows, as_of=as_of_days)
def test_figures_match_the_bridge_of_each_month(rows: list[Row], as_of: date) -> None:
    frame = _subs(rows)
    result: LtvResult = compute_ltv(frame, Q4, as_of)
    months = [month_period(add_months(Q4.start, i)) for i in range(3)]
    ended = [m for m in months if m.last_day <= as_of]
    bridges = [compute_bridge(frame, m, as_of) for m in ended]
    rates = [bridge.rates()["logo_churn_rate"] for bridge in bridges]
    assert result.monthly_churn_rates == tuple((m.label, r) for m, r in zip(ended, rates, strict=True))
    # the exact mean of the defined rates, rounded once to a float
    known = [Fraction(b.churned_customers, b.customers_start) for b in bridges if b.customers_start]
    assert result.monthly_churn == (float(sum(known, Fraction(0)) / len(known)) if known else None)
    if result.monthly_churn is not None:
        floats = [r for r in rates if r is not None]
        assert result.monthly_churn == pytest.approx(fsum(floats) / len(floats), rel=1e-15)
    started = [m for m in months if m.start <= as_of]
    assert result.new_customers == sum(compute_bridge(frame, m, as_of).new_customers for m in started)
    whole = compute_bridge(frame, Q4, as_of)
    assert (result.customers_end, result.mrr_end) == (whole.customers_end, whole.mrr_end)
    arpa = whole.rates()["arpa"]
    assert (result.arpa is None) == (arpa is None)
    if result.arpa is not None and arpa is not None:
        assert float(result.arpa) == pytest.approx(arpa, rel=1e-15)
