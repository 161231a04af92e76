"""Rendering (SPEC §5): parts that add up, the NRR sentence, JSON, CSV and the number formats."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics import __version__
from csmetrics.metrics.revenue import Bridge
from csmetrics.periods import Period
from csmetrics.render import (
    format_money,
    format_percent,
    nrr_sentence,
    parts_that_add_up,
    to_csv,
    to_json,
)
from csmetrics.report import InputInfo, Listing, Report

DEC = Period("2023-12", date(2023, 12, 1), date(2024, 1, 1))
AS_OF = date(2024, 1, 15)
INPUTS = [InputInfo("subscriptions", "subs.csv", 1200)]

# SPEC §3 worked example 3 in cents: MRR at start 100, churn 10, contraction 10, expansion 10.
EXAMPLE_3 = Bridge(
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


def _report(values: dict[str, object], command: str = "churn") -> Report:
    return Report(command=command, period=DEC, as_of=AS_OF, inputs=INPUTS, values=values)


# --- parts_that_add_up ---------------------------------------------------------------------------

_FLOATS = st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False)


@given(st.lists(_FLOATS, min_size=1, max_size=6), st.sampled_from([0, 1, 2]))
@settings(max_examples=100, deadline=None)
def test_parts_add_up_to_the_shown_total(parts: list[float], places: int) -> None:
    total = sum(parts)
    step = Decimal(1).scaleb(-places)
    shown_total, shown = parts_that_add_up(total, parts, places)
    assert len(shown) == len(parts)
    assert sum(shown, Decimal(0)) == shown_total
    # the total is rounded on its own, never bent to fit the parts
    assert shown_total == Decimal(repr(total)).quantize(step, rounding=ROUND_HALF_EVEN)
    for part, value in zip(parts, shown, strict=True):
        assert value == value.quantize(step)
        # within one step plus the rounding itself
        assert abs(value - Decimal(repr(part))) <= step + step / 2


def test_parts_that_add_up_example() -> None:
    # 33.33 + 33.33 + 33.33 = 99.99 → 100.0: one part carries the extra 0.1
    total, shown = parts_that_add_up(100.0, [100 / 3, 100 / 3, 100 / 3])
    assert total == Decimal("100.0")
    assert sorted(shown) == [Decimal("33.3"), Decimal("33.3"), Decimal("33.4")]
    # no gap: plain rounding
    assert parts_that_add_up(-10.0, [-10.0, -10.0, 10.0]) == (
        Decimal("-10.0"),
        [Decimal("-10.0"), Decimal("-10.0"), Decimal("10.0")],
    )


# --- nrr_sentence --------------------------------------------------------------------------------


def test_nrr_sentence_spec_example_3() -> None:
    values = EXAMPLE_3.values()
    assert values["nrr"] == 0.9
    sentence = nrr_sentence(values)
    assert sentence is not None
    assert sentence.startswith("NRR 90.0% = 100 − 10.0 churn − 10.0 contraction + 10.0 expansion")


def test_nrr_sentence_parts_add_up() -> None:
    # start 300, churn 100, contraction 0, expansion 0 → 66.7% = 100 − 33.3 churn …
    bridge = Bridge(
        customers_start=3,
        customers_end=2,
        churned_customers=1,
        mrr_start=30000,
        mrr_end=20000,
        churned_mrr=10000,
    )
    sentence = nrr_sentence(bridge.values())
    assert sentence is not None
    assert sentence.startswith("NRR 66.7% = 100 − 33.3 churn − 0.0 contraction + 0.0 expansion")


def test_nrr_sentence_none_without_opening_mrr() -> None:
    assert nrr_sentence(Bridge().values()) is None
    assert nrr_sentence({}) is None


# --- to_json -------------------------------------------------------------------------------------


def test_to_json_shape_and_values() -> None:
    values: dict[str, object] = {
        "customers_start": 480,
        "churned_customers": 17,
        "mrr_start": Decimal("299.50"),
        "churned_mrr": Decimal("0.10"),
        "net_new_mrr": Decimal("-12.50"),
        "logo_churn_rate": 0.035416666666666666,
        "nrr": None,
        "quick_ratio": float("nan"),
        "arpa": float("inf"),
    }
    text = to_json(_report(values))
    assert text.endswith("\n")
    assert "NaN" not in text
    assert "Infinity" not in text
    data = json.loads(text)
    assert data["command"] == "churn"
    assert data["csm_version"] == __version__
    assert data["period"] == {"label": "2023-12", "start": "2023-12-01", "end": "2024-01-01"}
    assert data["as_of"] == "2024-01-15"
    assert data["inputs"] == [{"kind": "subscriptions", "path": "subs.csv", "rows": 1200}]
    out = data["values"]
    assert out["customers_start"] == 480
    assert isinstance(out["customers_start"], int)
    assert out["mrr_start"] == 299.5
    assert '"mrr_start": 299.5' in text
    assert out["churned_mrr"] == 0.1
    assert out["net_new_mrr"] == -12.5
    assert out["logo_churn_rate"] == 0.035416666666666666  # unrounded
    assert out["nrr"] is None
    assert out["quick_ratio"] is None
    assert out["arpa"] is None


def test_to_json_bridge_values_keys() -> None:
    data = json.loads(to_json(_report(EXAMPLE_3.values(), command="nrr")))
    out = data["values"]
    assert out["mrr_start"] == 100
    assert out["nrr"] == 0.9
    assert out["grr"] == 0.8
    assert out["net_new_mrr"] == -10
    assert out["expansion_share_of_new_mrr"] == 1.0


@given(st.integers(min_value=-(10**13), max_value=10**13))
@settings(max_examples=100, deadline=None)
def test_to_json_money_exact_to_the_cent(cents: int) -> None:
    major = Decimal(cents).scaleb(-2)
    data = json.loads(to_json(_report({"mrr_end": major})), parse_float=Decimal)
    assert data["values"]["mrr_end"] == major


# --- to_csv --------------------------------------------------------------------------------------


def test_to_csv_header_and_one_row() -> None:
    values: dict[str, object] = {
        "customers_start": 480,
        "mrr_start": Decimal("299.50"),
        "net_new_mrr": Decimal("-12.50"),
        "change": -12.5,
        "logo_churn_rate": 0.035416666666666666,
        "nrr": None,
        "formula": "=SUM(A1:A9)",
        "plus": "+1",
        "minus": "-cmd",
        "at": "@risk",
        "tab": "\tx",
        "plain": "Acme, Inc.",
        "flag": True,
    }
    text = to_csv(_report(values))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2
    header, row = rows
    assert header[:4] == ["period", "period_start", "period_end", "as_of"]
    assert header[4:] == list(values)
    cells = dict(zip(header, row, strict=True))
    assert cells["period"] == "2023-12"
    assert cells["period_start"] == "2023-12-01"
    assert cells["period_end"] == "2024-01-01"
    assert cells["as_of"] == "2024-01-15"
    assert cells["customers_start"] == "480"
    assert Decimal(cells["mrr_start"]) == Decimal("299.5")
    # a negative number is a number, not a formula
    assert Decimal(cells["net_new_mrr"]) == Decimal("-12.5")
    assert cells["change"] == "-12.5"
    assert cells["logo_churn_rate"] == "0.035416666666666666"
    assert cells["nrr"] == ""
    assert cells["formula"] == "'=SUM(A1:A9)"
    assert cells["plus"] == "'+1"
    assert cells["minus"] == "'-cmd"
    assert cells["at"] == "'@risk"
    assert cells["tab"] == "'\tx"
    assert cells["plain"] == "Acme, Inc."
    assert cells["flag"] == "true"


def test_to_csv_groups_one_row_per_group_and_escaped_names() -> None:
    values: dict[str, object] = {"customers_start": 3, "mrr_start": Decimal("30.00"), "by_hour": {"0": 1}}
    report = Report(
        command="mrr",
        period=DEC,
        as_of=AS_OF,
        inputs=INPUTS,
        values=values,
        groups=[
            ("pro", {"customers_start": 2, "mrr_start": Decimal("20.00")}),
            ("=cmd|' /C calc'!A0", {"customers_start": 1, "mrr_start": Decimal("10.00")}),
        ],
        group_by="plan",
    )
    rows = list(csv.reader(io.StringIO(to_csv(report), newline="")))
    assert rows[0] == [
        "period",
        "period_start",
        "period_end",
        "as_of",
        "plan",
        "customers_start",
        "mrr_start",
    ]
    assert len(rows) == 3
    assert rows[1][4:6] == ["pro", "2"]
    assert rows[2][4] == "'=cmd|' /C calc'!A0"
    assert Decimal(rows[2][6]) == Decimal("10")


def test_to_csv_listing() -> None:
    extra: dict[str, object] = {}
    if "title" in {item.name for item in fields(Listing)}:  # report.py is still growing
        extra["title"] = "Churned customers"
    listing = Listing(
        key="churned_customers",
        columns=("customer_id", "mrr", "churned_on", "cancel_reason"),
        rows=[
            {
                "customer_id": "@acme",
                "mrr": Decimal("-1.50"),
                "churned_on": date(2023, 12, 2),
                "cancel_reason": None,
            },
            {
                "customer_id": "beta",
                "mrr": Decimal("99.90"),
                "churned_on": date(2023, 12, 9),
                "cancel_reason": "+price",
            },
        ],
        **extra,  # type: ignore[arg-type]
    )
    report = Report(command="churn", period=DEC, as_of=AS_OF, inputs=INPUTS, values={}, listing=listing)
    rows = list(csv.reader(io.StringIO(to_csv(report), newline="")))
    assert rows[0] == ["customer_id", "mrr", "churned_on", "cancel_reason"]
    assert rows[1][0] == "'@acme"
    assert Decimal(rows[1][1]) == Decimal("-1.5")
    assert rows[1][2:] == ["2023-12-02", ""]
    assert rows[2] == ["beta", rows[2][1], "2023-12-09", "'+price"]
    assert len(rows) == 3


def test_to_csv_carriage_return_cell_stays_in_its_row() -> None:
    text = to_csv(_report({"note": "\rx", "inner": "a\rb"}))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [
        ["period", "period_start", "period_end", "as_of", "note", "inner"],
        ["2023-12", "2023-12-01", "2024-01-01", "2024-01-15", "'\rx", "a\rb"],
    ]


def test_to_csv_nan_is_empty() -> None:
    text = to_csv(_report({"quick_ratio": float("nan"), "arpa": float("inf")}))
    _, row = list(csv.reader(io.StringIO(text, newline="")))
    assert row[4:] == ["", ""]


# --- format_money / format_percent ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("12345.5"), None, "12,345.50"),
        (Decimal("12345.5"), "PLN", "12,345.50 PLN"),
        (Decimal("0"), None, "0.00"),
        (Decimal("-1234.56"), "EUR", "-1,234.56 EUR"),
        (Decimal("1234567.891"), None, "1,234,567.89"),
        (Decimal("0.125"), None, "0.12"),  # half-even
        (Decimal("0.135"), None, "0.14"),
        (299.5, None, "299.50"),
        (7, None, "7.00"),
        (None, None, "—"),
        (None, "PLN", "—"),
    ],
)
def test_format_money(value: object, currency: str | None, expected: str) -> None:
    assert format_money(value, currency) == expected


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (0.0354, 1, "3.5%"),
        (0.0354, 2, "3.54%"),
        (0.1, 1, "10.0%"),
        (0.9, 1, "90.0%"),
        (1.25, 0, "125%"),
        (0.0, 1, "0.0%"),
        (-0.05, 1, "-5.0%"),
        (Decimal("0.5"), 1, "50.0%"),
        (None, 1, "—"),
    ],
)
def test_format_percent(value: object, places: int, expected: str) -> None:
    assert format_percent(value, places) == expected
