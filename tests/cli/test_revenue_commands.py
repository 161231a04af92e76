"""churn, nrr, expansion and mrr through the CLI, in every format, against a bridge worked by hand.

The hand-made file (``HAND_CSV`` in cli_helpers) has one customer of each movement in 2023-12.
Worked by hand, in cents, opening = end of 2023-11-30, closing = end of 2023-12-31:

    customer  m0       m1       movement
    A         10000    0        churned      (churned_mrr 100.00)
    B         0        25050    new          (new_mrr 250.50)
    C         10000    30025    expanded     (expansion_mrr 200.25)
    D         20000    4999     contracted   (contraction_mrr 150.01)
    E         0        12010    reactivated  (paid 80.00 in Jan–May 2023; reactivation_mrr 120.10)
    F         50000    50000    —
    total     90000    122084   net new = 25050 + 12010 + 20025 − 15001 − 10000 = 32084

The demo dataset is checked against ``reference_bridge`` below: SPEC §3 written as a plain Python
loop over the CSV rows, independent of the Polars implementation.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import DEC_2023, as_json, failed, invoke, ok, one_line

from csmetrics import __version__
from csmetrics.data import demo_path

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
BRIDGE_KEYS = COUNT_KEYS + MONEY_KEYS + RATE_KEYS

COMMAND_KEYS = {
    "churn": [
        "customers_start",
        "customers_end",
        "churned_customers",
        "churned_mrr",
        "mrr_start",
        "logo_churn_rate",
        "revenue_churn_rate",
        "gross_mrr_churn_rate",
        "net_mrr_churn_rate",
    ],
    "nrr": ["mrr_start", "expansion_mrr", "contraction_mrr", "churned_mrr", "nrr", "grr"],
    "expansion": [
        "expansion_mrr",
        "expanded_customers",
        "expansion_rate",
        "expansion_share_of_new_mrr",
        "new_mrr",
        "reactivation_mrr",
    ],
    "mrr": BRIDGE_KEYS,
}
COMMANDS = list(COMMAND_KEYS)
FORMATS = ["table", "json", "csv"]

#: The hand-made file's 2023-12 bridge: counts, and money in cents.
HAND_DEC_2023 = {
    "customers_start": 4,
    "customers_end": 5,
    "new_customers": 1,
    "reactivated_customers": 1,
    "churned_customers": 1,
    "expanded_customers": 1,
    "contracted_customers": 1,
    "mrr_start": 90000,
    "mrr_end": 122084,
    "new_mrr": 25050,
    "reactivation_mrr": 12010,
    "expansion_mrr": 20025,
    "contraction_mrr": 15001,
    "churned_mrr": 10000,
    "net_new_mrr": 32084,
}


def spec_rates(b: dict[str, int]) -> dict[str, float | None]:
    """SPEC §3's rates from a bridge in cents; None where the denominator is 0."""

    def ratio(numerator: float, denominator: float) -> float | None:
        return numerator / denominator if denominator else None

    start = b["mrr_start"]
    gained = b["new_mrr"] + b["reactivation_mrr"] + b["expansion_mrr"]
    lost = b["churned_mrr"] + b["contraction_mrr"]
    return {
        "logo_churn_rate": ratio(b["churned_customers"], b["customers_start"]),
        "revenue_churn_rate": ratio(b["churned_mrr"], start),
        "gross_mrr_churn_rate": ratio(lost, start),
        "net_mrr_churn_rate": ratio(lost - b["expansion_mrr"], start),
        "nrr": ratio(start + b["expansion_mrr"] - lost, start),
        "grr": ratio(start - lost, start),
        "expansion_rate": ratio(b["expansion_mrr"], start),
        "expansion_share_of_new_mrr": ratio(b["expansion_mrr"], gained),
        "quick_ratio": ratio(gained, lost),
        "arpa": ratio(b["mrr_end"], 100 * b["customers_end"]),
    }


def reference_bridge(text: str, start: date, end: date, as_of: date) -> dict[str, Any]:
    """SPEC §3 as a plain loop over the rows: counts, money in cents, and who moved how."""
    opening = start - timedelta(days=1)
    closing = min(end - timedelta(days=1), as_of)
    m0: dict[str, int] = {}
    m1: dict[str, int] = {}
    paid_before: dict[str, bool] = {}
    for row in csv.DictReader(io.StringIO(text)):
        customer = row["customer_id"]
        cents = int(Decimal(row["mrr"]) * 100)
        started = date.fromisoformat(row["started_at"])
        ended = date.fromisoformat(row["ended_at"]) if row["ended_at"] else None

        def serving(day: date, started: date = started, ended: date | None = ended) -> bool:
            return started <= day and (ended is None or ended > day)

        m0[customer] = m0.get(customer, 0) + (cents if serving(opening) else 0)
        m1[customer] = m1.get(customer, 0) + (cents if serving(closing) else 0)
        paid = cents > 0 and started < start and (ended is None or ended > started)
        paid_before[customer] = paid_before.get(customer, False) or paid
    out: dict[str, Any] = dict.fromkeys(COUNT_KEYS + MONEY_KEYS, 0)
    moved: dict[str, list[str]] = {"churned": [], "expanded": []}
    for customer in m0:
        before, after = m0[customer], m1[customer]
        out["customers_start"] += before > 0
        out["customers_end"] += after > 0
        out["mrr_start"] += before
        out["mrr_end"] += after
        if before > 0 and after == 0:
            out["churned_customers"] += 1
            out["churned_mrr"] += before
            moved["churned"].append(customer)
        elif before == 0 and after > 0 and not paid_before[customer]:
            out["new_customers"] += 1
            out["new_mrr"] += after
        elif before == 0 and after > 0:
            out["reactivated_customers"] += 1
            out["reactivation_mrr"] += after
        elif before > 0 and after > before:
            out["expanded_customers"] += 1
            out["expansion_mrr"] += after - before
            moved["expanded"].append(customer)
        elif before > 0 and 0 < after < before:
            out["contracted_customers"] += 1
            out["contraction_mrr"] += before - after
    out["net_new_mrr"] = out["mrr_end"] - out["mrr_start"]
    out["moved"] = moved
    return out


def cents(value: Any) -> Decimal:
    """A money value from JSON (Decimal) or CSV (text) in major units, checked exact to the cent."""
    amount = Decimal(str(value))
    assert amount == amount.quantize(Decimal("0.01")), f"{value} is not exact to the cent"
    return amount


def check_values(values: dict[str, Any], keys: list[str], expected: dict[str, int]) -> None:
    """Values (JSON-decoded with Decimal floats, or CSV text) equal the expected bridge."""
    rates = spec_rates(expected)
    for key in keys:
        assert key in values, f"values has no '{key}'"
        got = values[key]
        if key in MONEY_KEYS:
            assert cents(got) == Decimal(expected[key]) / 100, key
        elif key in COUNT_KEYS:
            assert int(got) == expected[key], key
            assert str(got) == str(int(got)), f"{key} is not an integer: {got!r}"
        elif rates[key] is None:
            assert got in (None, ""), key
        else:
            assert float(got) == pytest.approx(rates[key], rel=1e-12), key


def demo_bridge(label: str = "2025-12") -> dict[str, Any]:
    periods = {
        "2025-12": (date(2025, 12, 1), date(2026, 1, 1)),
        "2025-Q4": (date(2025, 10, 1), date(2026, 1, 1)),
        "2024": (date(2024, 1, 1), date(2025, 1, 1)),
    }
    start, end = periods[label]
    text = demo_path("subscriptions").read_text(encoding="utf-8")
    return reference_bridge(text, start, end, date(2026, 1, 1))


def demo_rows() -> int:
    with demo_path("subscriptions").open(encoding="utf-8", newline="") as stream:
        return sum(1 for _ in csv.DictReader(stream))


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_json_envelope_follows_spec_section_5(command: str, hand_csv: Path) -> None:
    data = as_json(ok(invoke([command, "-s", "subs.csv", *DEC_2023, "--format", "json"])))
    assert {"command", "csm_version", "period", "as_of", "inputs", "values"} <= set(data)
    assert data["command"] == command
    assert data["csm_version"] == __version__
    assert data["period"] == {"label": "2023-12", "start": "2023-12-01", "end": "2024-01-01"}
    assert data["as_of"] == "2024-01-15"
    assert len(data["inputs"]) == 1
    assert {key: data["inputs"][0][key] for key in ("kind", "path", "rows")} == {
        "kind": "subscriptions",
        "path": "subs.csv",
        "rows": 9,
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_json_values_equal_the_hand_computed_bridge(command: str, hand_csv: Path) -> None:
    data = as_json(ok(invoke([command, "-s", "subs.csv", *DEC_2023, "--format", "json"])))
    check_values(data["values"], COMMAND_KEYS[command], HAND_DEC_2023)


def test_json_is_one_object_with_a_newline_and_no_nan(hand_csv: Path) -> None:
    result = ok(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "--format", "json"]))
    assert result.stdout.endswith("}\n")
    assert result.stdout.count("\n") == 1
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout


def test_mrr_json_has_every_bridge_key_and_the_identity_holds(hand_csv: Path) -> None:
    values = as_json(ok(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "-f", "json"])))["values"]
    assert set(BRIDGE_KEYS) <= set(values)
    gained = values["new_mrr"] + values["reactivation_mrr"] + values["expansion_mrr"]
    lost = values["contraction_mrr"] + values["churned_mrr"]
    assert values["mrr_end"] - values["mrr_start"] == values["net_new_mrr"] == gained - lost


def test_money_in_json_is_written_as_major_units_to_the_cent(hand_csv: Path) -> None:
    text = ok(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "-f", "json"])).stdout
    assert '"mrr_end": 1220.84' in text
    assert '"contraction_mrr": 150.01' in text
    assert '"reactivation_mrr": 120.1' in text


def test_arpa_is_the_correctly_rounded_quotient(hand_csv: Path) -> None:
    values = as_json(ok(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "-f", "json"])))["values"]
    assert values["arpa"] == Decimal("244.168")


def test_rates_are_null_when_there_is_no_opening_mrr(tmp_path: Path) -> None:
    (tmp_path / "new.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at\nS1,A,10.00,2023-12-05,\n",
        encoding="utf-8",
    )
    values = as_json(ok(invoke(["mrr", "-s", "new.csv", *DEC_2023, "-f", "json"])))["values"]
    for key in ("logo_churn_rate", "revenue_churn_rate", "nrr", "grr", "expansion_rate", "quick_ratio"):
        assert values[key] is None, key
    assert values["new_mrr"] == Decimal("10.00")
    table = ok(invoke(["nrr", "-s", "new.csv", *DEC_2023])).stdout
    assert "NRR" in table and "—" in table


@pytest.mark.parametrize("command", COMMANDS)
def test_demo_json_equals_the_reference_bridge(command: str) -> None:
    data = as_json(ok(invoke([command, "--demo", "--format", "json"])))
    assert data["period"] == {"label": "2025-12", "start": "2025-12-01", "end": "2026-01-01"}
    assert data["as_of"] == "2026-01-01"
    assert data["inputs"][0]["kind"] == "subscriptions"
    assert data["inputs"][0]["rows"] == demo_rows()
    check_values(data["values"], COMMAND_KEYS[command], demo_bridge())


@pytest.mark.parametrize("label", ["2025-Q4", "2024"])
def test_demo_mrr_over_longer_periods_equals_the_reference_bridge(label: str) -> None:
    data = as_json(ok(invoke(["mrr", "--demo", "-p", label, "--format", "json"])))
    assert data["period"]["label"] == label
    check_values(data["values"], BRIDGE_KEYS, demo_bridge(label))


def test_demo_shows_real_movement_in_its_default_period() -> None:
    bridge = demo_bridge()
    for key in ("churned_customers", "expanded_customers", "new_customers", "contracted_customers"):
        assert bridge[key] > 0, key


# --- tables ----------------------------------------------------------------------------------

TABLE_TEXT = {
    "churn": ["Logo churn rate", "25.0%", "900.00 PLN", "100.00 PLN", "11.1%", "27.8%", "5.5%"],
    "nrr": ["NRR", "94.5%", "72.2%", "200.25 PLN", "150.01 PLN", "100.00 PLN"],
    "expansion": ["200.25 PLN", "250.50 PLN", "120.10 PLN", "35.1%"],
    "mrr": ["1,220.84 PLN", "320.84 PLN", "250.50 PLN", "120.10 PLN", "94.5%", "244.17 PLN"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_table_shows_values_period_inputs_and_definitions(command: str, hand_csv: Path) -> None:
    text = ok(invoke([command, "-s", "subs.csv", *DEC_2023, "--format", "table"])).stdout
    assert "2023-12" in text and "2023-12-01" in text and "2023-12-31" in text
    assert "2024-01-15" in text
    assert "subs.csv" in text and "9 rows" in text
    assert "÷" in text, "the footer holds the definitions"
    for shown in TABLE_TEXT[command]:
        assert shown in text, shown
    assert "\x1b[" not in text, "no colour off a terminal"


def test_table_is_the_default_format(hand_csv: Path) -> None:
    default = ok(invoke(["churn", "-s", "subs.csv", *DEC_2023])).stdout
    assert default == ok(invoke(["churn", "-s", "subs.csv", *DEC_2023, "-f", "table"])).stdout


def test_nrr_table_explains_nrr_in_points_that_add_up(hand_csv: Path) -> None:
    text = ok(invoke(["nrr", "-s", "subs.csv", *DEC_2023])).stdout
    match = re.search(
        r"NRR ([\d.]+)% = 100 − ([\d.]+) churn − ([\d.]+) contraction \+ ([\d.]+) expansion", text
    )
    assert match, text
    nrr, churn, contraction, expansion = (Decimal(group) for group in match.groups())
    assert nrr == Decimal("94.5")
    assert 100 - churn - contraction + expansion == nrr
    assert abs(churn - Decimal(100) / 9) <= Decimal("0.1")
    assert abs(contraction - Decimal("16.668")) <= Decimal("0.1")
    assert abs(expansion - Decimal("22.25")) <= Decimal("0.1")


def test_nrr_sentence_for_the_spec_worked_example(tmp_path: Path) -> None:
    """SPEC §3 example 3: start 100, churn 10, contraction 10, expansion 10 → NRR 90%."""
    (tmp_path / "ex3.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at\n"
        "S1,A,10.00,2023-01-01,2023-12-10\n"
        "S2,B,20.00,2023-01-01,2023-12-10\n"
        "S3,B,10.00,2023-12-10,\n"
        "S4,C,30.00,2023-01-01,2023-12-10\n"
        "S5,C,40.00,2023-12-10,\n"
        "S6,D,40.00,2023-01-01,\n",
        encoding="utf-8",
    )
    result = ok(invoke(["nrr", "-s", "ex3.csv", *DEC_2023, "-f", "json"]))
    values = as_json(result)["values"]
    assert float(values["nrr"]) == pytest.approx(0.9)
    assert float(values["grr"]) == pytest.approx(0.8)
    text = ok(invoke(["nrr", "-s", "ex3.csv", *DEC_2023])).stdout
    assert "NRR 90.0% = 100 − 10.0 churn − 10.0 contraction + 10.0 expansion" in text


@pytest.mark.parametrize("command", COMMANDS)
def test_demo_table(command: str) -> None:
    text = ok(invoke([command, "--demo"])).stdout
    assert "2025-12" in text and "2026-01-01" in text
    assert "demo" in text and f"{demo_rows()} rows" in text


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_csv_is_one_header_and_one_row_equal_to_the_hand_bridge(command: str, hand_csv: Path) -> None:
    text = ok(invoke([command, "-s", "subs.csv", *DEC_2023, "--format", "csv"])).stdout
    assert len(text.splitlines()) == 2
    (row,) = csv_rows(text)
    assert row["period"] == "2023-12"
    assert row["period_start"] == "2023-12-01"
    assert row["period_end"] == "2024-01-01"
    assert row["as_of"] == "2024-01-15"
    check_values(row, COMMAND_KEYS[command], HAND_DEC_2023)


@pytest.mark.parametrize("command", COMMANDS)
def test_demo_csv_equals_demo_json(command: str) -> None:
    (row,) = csv_rows(ok(invoke([command, "--demo", "-f", "csv"])).stdout)
    values = as_json(ok(invoke([command, "--demo", "-f", "json"])))["values"]
    for key, value in values.items():
        if value is None:
            assert row[key] == "", key
        else:
            assert Decimal(row[key]) == Decimal(str(value)), key


# --- --list ----------------------------------------------------------------------------------


def test_churn_list_on_the_hand_file(hand_csv: Path) -> None:
    data = as_json(ok(invoke(["churn", "-s", "subs.csv", *DEC_2023, "--list", "-f", "json"])))
    assert data["churned_customers_list"] == [
        {
            "customer_id": "A",
            "mrr": Decimal("100.0"),
            "plan": "Basic",
            "churned_on": "2023-12-15",
            "tenure_days": 348,
            "cancel_reason": "too expensive",
        }
    ]
    check_values(data["values"], COMMAND_KEYS["churn"], HAND_DEC_2023)
    text = ok(invoke(["churn", "-s", "subs.csv", *DEC_2023, "--list"])).stdout
    assert "too expensive" in text and "2023-12-15" in text


def test_expansion_list_on_the_hand_file(hand_csv: Path) -> None:
    args = ["expansion", "-s", "subs.csv", *DEC_2023, "-l"]
    data = as_json(ok(invoke([*args, "-f", "json"])))
    assert data["expanded_customers_list"] == [
        {
            "customer_id": "C",
            "mrr_start": Decimal("100.0"),
            "mrr_end": Decimal("300.25"),
            "expansion": Decimal("200.25"),
            "plan_start": "Basic",
            "plan_end": "Pro",
        }
    ]
    (row,) = csv_rows(ok(invoke([*args, "-f", "csv"])).stdout)
    assert row["customer_id"] == "C" and Decimal(row["expansion"]) == Decimal("200.25")
    text = ok(invoke(args)).stdout
    assert "200.25" in text and "Basic" in text and "Pro" in text


LISTS = {
    "churn": ("churned_customers_list", "mrr", "churned_customers", "churned_mrr", "churned"),
    "expansion": ("expanded_customers_list", "expansion", "expanded_customers", "expansion_mrr", "expanded"),
}


@pytest.mark.parametrize("command", list(LISTS))
def test_demo_list_json_sorted_largest_first_and_adding_up(command: str) -> None:
    key, amount, count, total, movement = LISTS[command]
    data = as_json(ok(invoke([command, "--demo", "--list", "-f", "json"])))
    rows = data[key]
    assert len(rows) == data["values"][count] > 1
    amounts = [cents(row[amount]) for row in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert sum(amounts) == cents(data["values"][total])
    assert sorted(row["customer_id"] for row in rows) == sorted(demo_bridge()["moved"][movement])


@pytest.mark.parametrize("command", list(LISTS))
def test_demo_list_csv_has_one_row_per_customer_largest_first(command: str) -> None:
    key, amount, *_ = LISTS[command]
    rows = csv_rows(ok(invoke([command, "--demo", "--list", "-f", "csv"])).stdout)
    json_rows = as_json(ok(invoke([command, "--demo", "--list", "-f", "json"])))[key]
    assert [row["customer_id"] for row in rows] == [row["customer_id"] for row in json_rows]
    amounts = [Decimal(row[amount]) for row in rows]
    assert amounts == sorted(amounts, reverse=True)


@pytest.mark.parametrize("command", list(LISTS))
def test_demo_list_table_names_every_customer(command: str) -> None:
    key = LISTS[command][0]
    rows = as_json(ok(invoke([command, "--demo", "--list", "-f", "json"])))[key]
    text = ok(invoke([command, "--demo", "--list"])).stdout
    for row in rows:
        assert row["customer_id"] in text
    first, last = rows[0]["customer_id"], rows[-1]["customer_id"]
    assert text.index(first) < text.index(last)


def test_list_csv_escapes_a_formula_in_a_customer_id(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at\n"
        'S1,"=HYPERLINK(""http://x"")",10.00,2023-01-01,2023-12-10\n',
        encoding="utf-8",
    )
    (row,) = csv_rows(ok(invoke(["churn", "-s", "f.csv", *DEC_2023, "--list", "-f", "csv"])).stdout)
    assert row["customer_id"] == '\'=HYPERLINK("http://x")'


# --- mrr --by --------------------------------------------------------------------------------

ADDITIVE = COUNT_KEYS + MONEY_KEYS


def test_mrr_by_plan_on_the_hand_file(hand_csv: Path) -> None:
    data = as_json(ok(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "--by", "plan", "-f", "json"])))
    groups = {group["group"]: group["values"] for group in data["groups"]}
    assert set(groups) == {"Pro", "Basic"}
    # C (Basic → Pro) and B, F are in Pro at the close; A (churned, Basic), D (Pro → Basic), E in Basic.
    assert groups["Pro"]["mrr_start"] == Decimal("600.00")
    assert groups["Pro"]["mrr_end"] == Decimal("1050.75")
    assert groups["Basic"]["mrr_start"] == Decimal("300.00")
    assert groups["Basic"]["mrr_end"] == Decimal("170.09")
    assert groups["Basic"]["net_new_mrr"] == Decimal("-129.91")
    for key in ADDITIVE:
        assert sum(values[key] for values in groups.values()) == data["values"][key], key
    check_values(data["values"], BRIDGE_KEYS, HAND_DEC_2023)


@pytest.mark.parametrize("attribute", ["plan", "industry"])
def test_demo_mrr_by_groups_add_up_to_the_total(attribute: str) -> None:
    data = as_json(ok(invoke(["mrr", "--demo", "--by", attribute, "-f", "json"])))
    assert len(data["groups"]) > 1
    for key in ADDITIVE:
        assert sum(group["values"][key] for group in data["groups"]) == data["values"][key], key
    check_values(data["values"], BRIDGE_KEYS, demo_bridge())


def test_mrr_by_plan_table_has_a_row_per_group_and_a_total(hand_csv: Path) -> None:
    text = ok(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "--by", "plan"])).stdout
    lines = text.splitlines()
    for name in ("Pro", "Basic", "Total"):
        assert any(line.strip().startswith(name) for line in lines), name
    assert "2023-12" in text and "subs.csv" in text


def test_mrr_by_plan_csv_has_one_row_per_group(hand_csv: Path) -> None:
    args = ["mrr", "-s", "subs.csv", *DEC_2023, "--by", "plan"]
    rows = csv_rows(ok(invoke([*args, "-f", "csv"])).stdout)
    groups = as_json(ok(invoke([*args, "-f", "json"])))["groups"]
    assert [row["plan"] for row in rows] == [group["group"] for group in groups]
    for row, group in zip(rows, groups, strict=True):
        assert row["period"] == "2023-12"
        for key in ADDITIVE:
            assert Decimal(row[key]) == Decimal(str(group["values"][key])), key
    basic = next(row for row in rows if row["plan"] == "Basic")
    assert basic["net_new_mrr"] == "-129.91", "a negative number is not a formula to escape"


def test_mrr_by_an_unknown_column_is_a_usage_error(hand_csv: Path) -> None:
    line = one_line(failed(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "--by", "nosuchcolumn"]), 2))
    assert line.startswith("csm: error:")
    assert "nosuchcolumn" in line and "plan" in line


def test_mrr_by_the_money_column_is_a_usage_error(hand_csv: Path) -> None:
    failed(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "--by", "mrr"]), 2)
