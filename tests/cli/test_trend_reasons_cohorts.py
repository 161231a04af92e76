"""trend, nrr --explain, reasons and cohorts through the CLI (issue 8), in table, JSON and CSV.

Every number is checked against something independent of the code that made it: the one-period
commands (``csm mrr``, ``csm nrr``, ``csm support``, ``csm nps``, ``csm churn``) for the trend,
a hand least-squares fit for the slope, small files worked by hand for reasons and cohorts, and a
plain Python loop over the demo CSV for the demo's cohort triangle.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import as_json, failed, invoke, ok, one_line

from csmetrics.data import demo_path

#: Every month of the demo data with an opening MRR: 2023-08 … 2025-12 (29 months).
DEMO_MONTHS = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)][7:]
DEMO_AS_OF = "2026-01-01"  # --demo's default: the day after the demo data ends

#: The keys of ``csm mrr --format json`` values: the whole SPEC §3 bridge.
BRIDGE_KEYS = [
    "customers_start",
    "customers_end",
    "new_customers",
    "reactivated_customers",
    "churned_customers",
    "expanded_customers",
    "contracted_customers",
    "mrr_start",
    "mrr_end",
    "new_mrr",
    "reactivation_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "net_new_mrr",
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
POINT_KEYS = ["nrr_churn_points", "nrr_contraction_points", "nrr_expansion_points"]
SPARKS = set("▁▂▃▄▅▆▇█")

#: 2023-12 churn reasons, worked by hand (as-of 2024-01-15). Opening MRR 30,200 cents of 9 customers:
#: a price 50.00; b price 30.00, ended on 1 Dec (the first day not served: December churn);
#: c no reason 20.00; d 10.00 "support" ended 3 Dec and 40.00 "price" ended 15 Dec → price, 50.00;
#: e 10.00 "bugs" and 20.00 "switched" both ended 12 Dec → the larger: switched, 30.00;
#: h a reason of spaces only → (none), 15.00; k " bugs " → bugs, 7.00;
#: j ended 2024-01-01 (served through 31 Dec) → January churn, not December; z stays.
#: → 7 churned customers, 202.00: price 3 (130.00), (none) 2 (35.00), switched 1 (30.00), bugs 1 (7.00).
REASONS_CSV = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at,cancel_reason,industry
a1,a,Pro,50.00,2023-01-01,2023-12-10,price,SaaS
b1,b,Basic,30.00,2023-01-01,2023-12-01,price,SaaS
c1,c,Basic,20.00,2023-01-01,2023-12-12,,Retail
d1,d,Basic,10.00,2023-01-01,2023-12-03,support,Retail
d2,d,Pro,40.00,2023-01-01,2023-12-15,price,Retail
e1,e,Basic,10.00,2023-01-01,2023-12-12,bugs,SaaS
e2,e,Pro,20.00,2023-01-01,2023-12-12,switched,SaaS
h1,h,Basic,15.00,2023-01-01,2023-12-20,"   ",
k1,k,Basic,7.00,2023-01-01,2023-12-31," bugs ",Retail
j1,j,Pro,60.00,2023-01-01,2024-01-01,late,SaaS
z1,z,Pro,100.00,2023-01-01,,,SaaS
"""
REASONS_DEC = {
    "price": (3, Decimal("130.00")),
    "(none)": (2, Decimal("35.00")),
    "switched": (1, Decimal("30.00")),
    "bugs": (1, Decimal("7.00")),
}

#: Cohorts worked by hand, --from 2023-01 --to 2023-06 --as-of 2023-07-15:
#: a pays 10.00 from 5 Jan, 12.00 from 1 May (expansion); b pays 20.00 from 10 Jan to 15 Mar
#: (churns in March); c pays 30.00 on 31 Jan only (ended_at 1 Feb) and 35.00 again from 1 Apr
#: (comes back); d is free in January and pays 15.00 from 1 Feb (the February cohort);
#: e pays 5.00 from 3 to 20 Apr (in and out in its first month); f paid before the window;
#: r paid in 2022 and comes back in February 2023 (a comeback never starts a cohort);
#: g is only ever free; h starts in July, a month not over at as-of.
COHORTS_CSV = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at
a1,a,Basic,10.00,2023-01-05,2023-05-01
a2,a,Pro,12.00,2023-05-01,
b1,b,Basic,20.00,2023-01-10,2023-03-15
c1,c,Basic,30.00,2023-01-31,2023-02-01
c2,c,Basic,35.00,2023-04-01,
d0,d,Free,0.00,2023-01-01,2023-02-01
d1,d,Basic,15.00,2023-02-01,
e1,e,Basic,5.00,2023-04-03,2023-04-20
f1,f,Basic,8.00,2022-06-01,
r1,r,Basic,7.00,2022-03-01,2022-05-01
r2,r,Basic,7.00,2023-02-10,
g1,g,Free,0.00,2023-01-01,
h1,h,Basic,9.00,2023-07-01,
"""
COHORT_ARGS = ["--from", "2023-01", "--to", "2023-06", "--as-of", "2023-07-15"]
HAND_COHORTS = [
    {"cohort": "2023-01", "customers": 3, "retained": [3, 2, 1, 2, 2, 2]},
    {"cohort": "2023-02", "customers": 1, "retained": [1, 1, 1, 1, 1]},
    {"cohort": "2023-03", "customers": 0, "retained": [0, 0, 0, 0]},
    {"cohort": "2023-04", "customers": 1, "retained": [0, 0, 0]},
    {"cohort": "2023-05", "customers": 0, "retained": [0, 0]},
    {"cohort": "2023-06", "customers": 0, "retained": [0]},
]
#: The same with --revenue: starting MRR and retained MRR in major units.
HAND_REVENUE = [
    ("2023-01", 3, "60.00", ["60.00", "30.00", "10.00", "45.00", "47.00", "47.00"]),
    ("2023-02", 1, "15.00", ["15.00"] * 5),
    ("2023-03", 0, "0.00", ["0.00"] * 4),
    ("2023-04", 1, "5.00", ["0.00"] * 3),
    ("2023-05", 0, "0.00", ["0.00"] * 2),
    ("2023-06", 0, "0.00", ["0.00"]),
]


# --- helpers -------------------------------------------------------------------------------------


@cache
def _demo_json(*args: str) -> dict[str, Any]:
    """``csm ARGS --demo --format json``, run once per argument list (the demo data never changes)."""
    return as_json(ok(invoke([*args, "--demo", "--format", "json"])))


def demo_json(*args: str) -> dict[str, Any]:
    return _demo_json(*args)


def all_months_trend() -> dict[str, Any]:
    return demo_json("trend", "--from", "2023-08", "--to", "2025-12", "-m", "nrr")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def number(cell: str) -> Decimal:
    """A number as a table shows it: 99.4%, −1.7, +0.2, 1,234.50."""
    return Decimal(cell.replace("−", "-").replace(",", "").removesuffix("%").strip())


def table_rows(text: str) -> dict[str, list[str]]:
    """Rows of a Rich table keyed by their first cell; cells are separated by two or more spaces."""
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells and cells[0]:
            rows.setdefault(cells[0], cells)
    return rows


def hand_slope(values: list[Any]) -> float | None:
    """Least squares by hand, exactly in fractions: x is the position, None values are skipped."""
    points = [(Fraction(x), Fraction(float(y))) for x, y in enumerate(values) if y is not None]
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    return float(sxy / sxx)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- csm trend: each entry is the one-period command ---------------------------------------------


def test_trend_lists_every_demo_month_in_order() -> None:
    data = all_months_trend()
    assert data["command"] == "trend"
    assert data["as_of"] == DEMO_AS_OF
    assert data["metrics"] == ["nrr"]
    assert [entry["period"]["label"] for entry in data["periods"]] == DEMO_MONTHS
    assert [i["kind"] for i in data["inputs"]] == ["subscriptions", "customers"]
    for entry in data["periods"]:
        label = entry["period"]["label"]
        start = date.fromisoformat(f"{label}-01")
        assert entry["period"]["start"] == start.isoformat()
        assert entry["period"]["end"] == (start + timedelta(days=32)).replace(day=1).isoformat()


@pytest.mark.parametrize("label", DEMO_MONTHS)
def test_trend_entry_equals_mrr_for_every_demo_month(label: str) -> None:
    entry = all_months_trend()["periods"][DEMO_MONTHS.index(label)]
    one = as_json(ok(invoke(["mrr", "--demo", "-p", label, "--format", "json"])))
    assert list(one["values"]) == BRIDGE_KEYS
    assert entry["period"] == one["period"]
    for key in BRIDGE_KEYS:
        assert entry["values"][key] == one["values"][key], (label, key)


def test_trend_quarters_equal_the_quarter_commands() -> None:
    data = demo_json("trend", "--granularity", "quarter", "-p", "2025", "-m", "nrr")
    labels = [entry["period"]["label"] for entry in data["periods"]]
    assert labels == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    for label, entry in zip(labels, data["periods"], strict=True):
        one = as_json(ok(invoke(["mrr", "--demo", "-p", label, "--format", "json"])))
        assert entry["period"] == one["period"]
        assert {key: entry["values"][key] for key in BRIDGE_KEYS} == one["values"], label
    csv_text = ok(invoke(["trend", "--demo", "-g", "quarter", "-p", "2025", "-f", "csv"])).stdout
    assert [row["period"] for row in csv_rows(csv_text)] == labels
    table = ok(invoke(["trend", "--demo", "-g", "quarter", "-p", "2025"])).stdout
    assert all(label in table_rows(table) for label in labels)


def test_trend_months_6_are_the_six_months_before_the_as_of_month() -> None:
    default = demo_json("trend", "-m", "nrr")
    six = demo_json("trend", "--months", "6", "-m", "nrr")
    expected = ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
    assert [e["period"]["label"] for e in six["periods"]] == expected
    assert default["periods"] == six["periods"]
    # the same months of the long series, same as-of: the same entries
    assert six["periods"] == all_months_trend()["periods"][-6:]
    # SPEC §2: the N months that end before the as-of day (as-of 2024-01-31 → … 2023-12)
    for as_of, first, last in [
        ("2025-06-01", "2024-12", "2025-05"),
        ("2025-06-15", "2024-12", "2025-05"),
        ("2025-06-30", "2024-12", "2025-05"),
        ("2025-05-31", "2024-11", "2025-04"),
    ]:
        data = as_json(ok(invoke(["trend", "--demo", "--months", "6", "--as-of", as_of, "-f", "json"])))
        labels = [e["period"]["label"] for e in data["periods"]]
        assert (labels[0], labels[-1], len(labels)) == (first, last, 6), as_of
    mid = as_json(ok(invoke(["trend", "--demo", "-n", "2", "--as-of", "2025-06-15", "-f", "json"])))
    one = as_json(ok(invoke(["mrr", "--demo", "-p", "2025-05", "--as-of", "2025-06-15", "-f", "json"])))
    assert {key: mid["periods"][-1]["values"][key] for key in BRIDGE_KEYS} == one["values"]


def test_trend_last_period_not_over_closes_at_as_of_like_the_one_period_command() -> None:
    args = ["trend", "--demo", "--from", "2025-10", "--to", "2025-12", "--as-of", "2025-12-15"]
    result = ok(invoke([*args, "-f", "json"]), warns=True)
    assert "2025-12" in result.stderr and "not over" in result.stderr
    data = as_json(result)
    assert [e["period"]["label"] for e in data["periods"]] == ["2025-10", "2025-11", "2025-12"]
    for entry in data["periods"]:
        label = entry["period"]["label"]
        one_run = invoke(["mrr", "--demo", "-p", label, "--as-of", "2025-12-15", "-f", "json"])
        one = as_json(ok(one_run, warns=label == "2025-12"))
        assert {key: entry["values"][key] for key in BRIDGE_KEYS} == one["values"], label


def test_trend_stops_at_the_as_of_month() -> None:
    result = ok(invoke(["trend", "--demo", "--from", "2025-11", "--to", "2026-03", "-f", "json"]), warns=True)
    data = as_json(result)
    assert [e["period"]["label"] for e in data["periods"]] == ["2025-11", "2025-12", "2026-01"]
    one = as_json(ok(invoke(["mrr", "--demo", "-p", "2026-01", "-f", "json"]), warns=True))
    assert {key: data["periods"][-1]["values"][key] for key in BRIDGE_KEYS} == one["values"]


def test_trend_several_metrics_in_json_csv_and_table() -> None:
    names = "nrr,grr,logo_churn_rate"
    data = demo_json("trend", "--from", "2025-01", "--to", "2025-06", "-m", names)
    assert data["metrics"] == ["nrr", "grr", "logo_churn_rate"]
    assert set(data["slope"]) == {"nrr", "grr", "logo_churn_rate"}
    months = [e["period"]["label"] for e in data["periods"]]
    assert months == [f"2025-0{m}" for m in range(1, 7)]
    long = {e["period"]["label"]: e for e in all_months_trend()["periods"]}
    for entry in data["periods"]:
        assert entry == long[entry["period"]["label"]]  # the same entry, whatever the metrics asked
    for name in ("nrr", "grr", "logo_churn_rate"):
        assert float(data["slope"][name]) == pytest.approx(
            hand_slope([e["values"][name] for e in data["periods"]]), rel=1e-9, abs=1e-12
        )

    args = ["trend", "--demo", "--from", "2025-01", "--to", "2025-06", "-m", names]
    text = ok(invoke([*args, "-f", "csv"])).stdout
    assert text.splitlines()[0] == "period,period_start,period_end,nrr,grr,logo_churn_rate"
    rows = csv_rows(text)
    assert [row["period"] for row in rows] == months
    for row, entry in zip(rows, data["periods"], strict=True):
        assert row["period_start"] == entry["period"]["start"]
        assert row["period_end"] == entry["period"]["end"]
        for name in ("nrr", "grr", "logo_churn_rate"):
            assert Decimal(row[name]) == entry["values"][name]

    table = table_rows(ok(invoke(args)).stdout)
    assert table["Period"][1:4] == ["NRR", "GRR", "Logo churn rate"]
    for entry in data["periods"]:
        cells = table[entry["period"]["label"]]
        for cell, name in zip(cells[1:4], ("nrr", "grr", "logo_churn_rate"), strict=True):
            assert abs(number(cell) - 100 * entry["values"][name]) <= Decimal("0.05") + Decimal("1e-9")


def test_trend_support_metric_equals_the_support_command() -> None:
    data = demo_json("trend", "--months", "3", "-m", "first_response_seconds_median")
    assert [i["kind"] for i in data["inputs"]] == ["tickets"]
    labels = [e["period"]["label"] for e in data["periods"]]
    assert labels == ["2025-10", "2025-11", "2025-12"]
    for entry in data["periods"]:
        one = as_json(ok(invoke(["support", "--demo", "-p", entry["period"]["label"], "-f", "json"])))
        assert entry["period"] == one["period"]
        assert entry["values"] == one["values"]
    medians = [e["values"]["first_response_seconds_median"] for e in data["periods"]]
    assert float(data["slope"]["first_response_seconds_median"]) == pytest.approx(
        hand_slope(medians), rel=1e-9
    )
    args = ["trend", "--demo", "--months", "3", "-m", "first_response_seconds_median"]
    rows = csv_rows(ok(invoke([*args, "-f", "csv"])).stdout)
    assert [Decimal(r["first_response_seconds_median"]) for r in rows] == medians
    table = table_rows(ok(invoke(args)).stdout)
    assert set(table["trend"][1]) <= SPARKS and len(table["trend"][1]) == 3


def test_trend_support_metric_in_another_time_zone_equals_the_support_command() -> None:
    args = ["--demo", "--tz", "America/New_York", "-f", "json"]
    data = as_json(ok(invoke(["trend", "-m", "tickets", "--months", "1", *args])))
    one = as_json(ok(invoke(["support", "-p", "2025-12", *args])))
    assert data["periods"][0]["values"] == one["values"]


def test_trend_nps_equals_the_nps_command() -> None:
    data = demo_json("trend", "--months", "3", "-m", "nps")
    assert [i["kind"] for i in data["inputs"]] == ["surveys"]
    for entry in data["periods"]:
        one = as_json(ok(invoke(["nps", "--demo", "-p", entry["period"]["label"], "-f", "json"]), warns=True))
        assert entry["period"] == one["period"]
        assert entry["values"] == one["values"]
    scores = [e["values"]["nps"] for e in data["periods"]]
    assert float(data["slope"]["nps"]) == pytest.approx(hand_slope(scores), rel=1e-9)
    rows = csv_rows(ok(invoke(["trend", "--demo", "--months", "3", "-m", "nps", "-f", "csv"])).stdout)
    assert [Decimal(r["nps"]) for r in rows] == scores


def test_trend_mixes_revenue_support_and_nps_metrics() -> None:
    data = demo_json("trend", "--months", "2", "-m", "nrr,first_response_seconds_median,nps")
    assert [i["kind"] for i in data["inputs"]] == ["subscriptions", "customers", "tickets", "surveys"]
    long = {e["period"]["label"]: e["values"] for e in all_months_trend()["periods"]}
    support = {
        e["period"]["label"]: e["values"] for e in demo_json("trend", "-n", "3", "-m", "tickets")["periods"]
    }
    nps = {e["period"]["label"]: e["values"] for e in demo_json("trend", "-n", "3", "-m", "nps")["periods"]}
    for entry in data["periods"]:
        label = entry["period"]["label"]
        assert entry["values"] == {**long[label], **support[label], **nps[label]}


def test_trend_target_adds_the_gap() -> None:
    args = ["trend", "--demo", "--months", "6", "--target", "1.0"]
    data = as_json(ok(invoke([*args, "-f", "json"])))
    assert data["target"] == 1
    text = ok(invoke([*args, "-f", "csv"])).stdout
    assert text.splitlines()[0] == "period,period_start,period_end,nrr,nrr_gap"
    rows = csv_rows(text)
    assert len(rows) == 6
    for row, entry in zip(rows, data["periods"], strict=True):
        assert row["period"] == entry["period"]["label"]
        assert float(row["nrr_gap"]) == float(row["nrr"]) - 1.0
        assert Decimal(row["nrr"]) == entry["values"]["nrr"]

    output = ok(invoke(args)).stdout
    assert "gap to target" in output
    table = table_rows(output)
    assert table["Period"][1:3] == ["NRR", "gap to target"]
    for entry in data["periods"]:
        shown_nrr, gap = table[entry["period"]["label"]][1:3]
        assert gap.endswith(" pt")
        exact = 100 * entry["values"]["nrr"] - 100
        assert abs(number(gap.removesuffix(" pt")) - exact) <= Decimal("0.05") + Decimal("1e-9")
        assert abs(number(shown_nrr) - 100 - exact) <= Decimal("0.05") + Decimal("1e-9")
    assert "Target: 100.0%" in output


def test_trend_target_gap_is_empty_where_the_metric_is_null(tmp_path: Path) -> None:
    path = write(tmp_path, "gaps.csv", NULL_GAP_CSV)
    args = ["trend", "-s", path, "--from", "2023-02", "--to", "2023-05", "--as-of", "2023-06-15"]
    rows = csv_rows(ok(invoke([*args, "--target", "1", "-f", "csv"])).stdout)
    assert [row["nrr_gap"] for row in rows][1] == ""
    table = table_rows(ok(invoke([*args, "--target", "1"])).stdout)
    assert table["2023-03"][1:3] == ["—", "—"]


def test_trend_slope_is_the_least_squares_fit_of_the_values() -> None:
    data = all_months_trend()
    values = [entry["values"]["nrr"] for entry in data["periods"]]
    assert float(data["slope"]["nrr"]) == pytest.approx(hand_slope(values), rel=1e-9, abs=1e-12)
    assert set(data["slope"]) == {"nrr"}


#: NRR 0.0 in Feb (x, the only customer, leaves), null in March (no MRR at the opening: y is new),
#: 1.0 in April, 1.2 in May (y: 50.00 → 60.00). With x = 0, 2, 3 (March keeps its place):
#: slope = Sxy / Sxx = (29/15) / (14/3) = 29/70; renumbering 0, 1, 2 would give 0.6.
NULL_GAP_CSV = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at
x1,x,Basic,100.00,2023-01-01,2023-02-15
y1,y,Basic,50.00,2023-03-10,2023-05-15
y2,y,Pro,60.00,2023-05-15,
"""


def test_trend_null_values_keep_their_position(tmp_path: Path) -> None:
    path = write(tmp_path, "gaps.csv", NULL_GAP_CSV)
    args = ["trend", "-s", path, "--from", "2023-02", "--to", "2023-05", "--as-of", "2023-06-15"]
    data = as_json(ok(invoke([*args, "-f", "json"])))
    values = [e["values"]["nrr"] for e in data["periods"]]
    assert values == [0, None, 1, Decimal("1.2")]
    assert [e["values"]["nrr_churn_points"] for e in data["periods"]] == [100, None, 0, 0]
    assert float(data["slope"]["nrr"]) == pytest.approx(29 / 70, rel=1e-12)
    rows = csv_rows(ok(invoke([*args, "-f", "csv"])).stdout)
    assert [row["nrr"] for row in rows][1] == ""
    table = table_rows(ok(invoke(args)).stdout)
    assert table["2023-03"][1:] == ["—", "—"]
    spark = table["trend"][1]
    assert len(spark) == 4 and spark[1] == " " and spark[0] == "▁" and spark[3] == "█"
    february = re.fullmatch(r"0\.0% = 100 (\S+) (\S+) (\S+)", table["2023-02"][2])
    assert february, table["2023-02"]
    assert [number(part) for part in february.groups()] == [-100, 0, 0]
    assert table["slope / period"][1] == "+41.43 pt"


def test_trend_unknown_metric_is_a_usage_error_listing_the_names() -> None:
    for metric in ("bogus", "nrr,bogus"):
        line = one_line(failed(invoke(["trend", "--demo", "-m", metric]), 2))
        assert "'bogus'" in line
        for name in ("nrr", "grr", "logo_churn_rate", "first_response_seconds_median", "nps", "mrr_end"):
            assert re.search(rf"\b{name}\b", line), name


@pytest.mark.parametrize(
    "period", [["-p", "2025"], ["--period", "2025-Q4"], ["--from", "2025-01", "--to", "2025-03"]]
)
def test_trend_months_with_a_period_is_a_usage_error(period: list[str]) -> None:
    line = one_line(failed(invoke(["trend", "--demo", "--months", "6", *period]), 2))
    assert "--months" in line


def test_trend_months_must_be_positive() -> None:
    failed(invoke(["trend", "--demo", "--months", "0"]), 2)


def test_trend_table_has_a_sparkline_and_an_nrr_decomposition_that_adds_up() -> None:
    data = all_months_trend()
    output = ok(invoke(["trend", "--demo", "--from", "2023-08", "--to", "2025-12", "-m", "nrr"])).stdout
    assert output.splitlines()[0].startswith("csm trend · 2023-08 … 2025-12, as of 2026-01-01")
    table = table_rows(output)
    assert table["Period"] == ["Period", "NRR", "NRR = 100 − churn − contr. + exp."]
    spark = table["trend"][1]
    assert len(spark) == len(DEMO_MONTHS) and set(spark) <= SPARKS
    values = [entry["values"]["nrr"] for entry in data["periods"]]
    assert spark[values.index(min(values))] == "▁"
    assert spark[values.index(max(values))] == "█"
    decomposition = re.compile(r"(\S+)% = 100 ([−+]\d+\.\d) ([−+]\d+\.\d) ([−+]\d+\.\d)")
    for entry in data["periods"]:
        label = entry["period"]["label"]
        shown, explained = table[label][1:3]
        match = decomposition.fullmatch(explained)
        assert match, explained
        total, churn, contraction, expansion = (number(part) for part in match.groups())
        assert total == number(shown), label
        assert 100 + churn + contraction + expansion == total, explained
        assert churn <= 0 and contraction <= 0 and expansion >= 0
        exact = entry["values"]
        for part, key in ((-churn, "nrr_churn_points"), (-contraction, "nrr_contraction_points")):
            assert abs(part - exact[key]) <= Decimal("0.15"), (label, key)
        assert abs(expansion - exact["nrr_expansion_points"]) <= Decimal("0.15"), label
    assert re.fullmatch(r"[+−-]\d+\.\d\d pt", table["slope / period"][1])


# --- csm nrr --explain ---------------------------------------------------------------------------

MOVEMENTS = ["MRR at start", "churn", "contraction", "expansion", "NRR"]


def explained(args: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data = as_json(ok(invoke(["nrr", *args, "--explain", "-f", "json"])))
    return data["values"], data["nrr_explained"]


def listing_points(output: str) -> dict[str, str]:
    """The Points column of the table's "NRR in points" listing, by movement."""
    tail = output.split("NRR in points of MRR at start", 1)[1]
    found = re.findall(r"^\s+(MRR at start|churn|contraction|expansion|NRR)\s+\S+\s+(\S+)\s*$", tail, re.M)
    return dict(found)


@pytest.mark.parametrize("label", DEMO_MONTHS)
def test_nrr_explain_json_parts_sum_to_nrr_for_every_demo_month(label: str) -> None:
    values, rows = explained(["--demo", "-p", label])
    assert [row["movement"] for row in rows] == MOVEMENTS
    nrr = float(values["nrr"])
    points = [float(row["points"]) for row in rows]
    assert points[0] == 100
    assert 100 + points[1] + points[2] + points[3] == pytest.approx(100 * nrr, abs=1e-9)
    assert points[4] == pytest.approx(100 * nrr, abs=1e-12)
    assert points[1] == -float(values["nrr_churn_points"])
    assert points[2] == -float(values["nrr_contraction_points"])
    assert points[3] == float(values["nrr_expansion_points"])
    for row, key in zip(
        rows[:4], ("mrr_start", "churned_mrr", "contraction_mrr", "expansion_mrr"), strict=True
    ):
        assert row["amount"] == values[key]
    start = values["mrr_start"]
    for key, money in zip(POINT_KEYS, ("churned_mrr", "contraction_mrr", "expansion_mrr"), strict=True):
        assert float(values[key]) == pytest.approx(float(100 * values[money] / start), rel=1e-12, abs=1e-12)
    # the trend gives the same unrounded parts for the month
    entry = all_months_trend()["periods"][DEMO_MONTHS.index(label)]["values"]
    assert {key: entry[key] for key in POINT_KEYS} == {key: values[key] for key in POINT_KEYS}


@pytest.mark.parametrize("label", DEMO_MONTHS)
def test_nrr_explain_table_rounded_points_add_up_to_the_shown_nrr(label: str) -> None:
    output = ok(invoke(["nrr", "--demo", "-p", label, "--explain"])).stdout
    points = listing_points(output)
    assert list(points) == MOVEMENTS
    start, churn, contraction, expansion, total = (number(points[m]) for m in MOVEMENTS)
    assert start == 100
    assert start + churn + contraction + expansion == total
    shown = re.search(r"^\s+NRR\s+(\S+)%\s*$", output, re.M)
    assert shown and number(shown.group(1)) == total
    sentence = re.search(r"NRR (\S+)% = 100 − (\S+) churn − (\S+) contraction \+ (\S+) expansion", output)
    assert sentence, output
    nrr, lost, shrunk, grown = (number(part) for part in sentence.groups())
    assert nrr == total and 100 - lost - shrunk + grown == nrr
    csv_points = {
        row["movement"]: Decimal(row["points"])
        for row in csv_rows(ok(invoke(["nrr", "--demo", "-p", label, "--explain", "-f", "csv"])).stdout)
    }
    assert list(csv_points) == MOVEMENTS
    assert abs(sum(csv_points[m] for m in MOVEMENTS[:4]) - csv_points["NRR"]) <= Decimal("1e-9")


#: SPEC §3 example 3: MRR at start 100.00; u1 churns (10.00), u2 contracts 30.00 → 20.00, u3 expands
#: 30.00 → 40.00, u4 stays at 30.00; n1 is new in December (left out of NRR).
SPEC_EXAMPLE_3 = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at,cancel_reason
u1,u1,Basic,10.00,2023-01-01,2023-12-10,price
u2a,u2,Pro,30.00,2023-01-01,2023-12-05,
u2b,u2,Basic,20.00,2023-12-05,,
u3a,u3,Basic,30.00,2023-01-01,2023-12-12,
u3b,u3,Pro,40.00,2023-12-12,,
u4,u4,Pro,30.00,2023-01-01,,
n1,n1,Pro,500.00,2023-12-03,,
"""
DEC = ["-p", "2023-12", "--as-of", "2024-01-15"]


def test_nrr_explain_spec_example_3(tmp_path: Path) -> None:
    path = write(tmp_path, "spec3.csv", SPEC_EXAMPLE_3)
    values, rows = explained(["-s", path, *DEC])
    assert values["nrr"] == Decimal("0.9") and values["grr"] == Decimal("0.8")
    assert [(r["movement"], r["amount"], r["points"]) for r in rows] == [
        ("MRR at start", 100, 100),
        ("churn", 10, -10),
        ("contraction", 10, -10),
        ("expansion", 10, 10),
        ("NRR", None, 90),
    ]
    output = ok(invoke(["nrr", "-s", path, *DEC, "--explain"])).stdout
    points = listing_points(output)
    assert points == {
        "MRR at start": "100.0",
        "churn": points["churn"],
        "contraction": points["contraction"],
        "expansion": "+10.0",
        "NRR": "90.0",
    }
    assert number(points["churn"]) == -10 and number(points["contraction"]) == -10
    assert "NRR 90.0% = 100 − 10.0 churn − 10.0 contraction + 10.0 expansion" in output
    text = ok(invoke(["nrr", "-s", path, *DEC, "--explain", "-f", "csv"])).stdout
    assert text.splitlines()[0] == "movement,amount,points"
    assert [
        (r["movement"], r["amount"], Decimal(r["points"]) if r["points"] else None) for r in csv_rows(text)
    ] == [
        ("MRR at start", "100.00", 100),
        ("churn", "10.00", -10),
        ("contraction", "10.00", -10),
        ("expansion", "10.00", 10),
        ("NRR", "", 90),
    ]
    trend = as_json(ok(invoke(["trend", "-s", path, "-n", "1", "--as-of", "2024-01-15", "-f", "json"])))
    assert trend["periods"][0]["values"]["nrr"] == Decimal("0.9")
    table = table_rows(ok(invoke(["trend", "-s", path, "-n", "1", "--as-of", "2024-01-15"])).stdout)
    assert table["2023-12"][2] == "90.0% = 100 −10.0 −10.0 +10.0"


#: MRR at start 300.00: a churns 1.00, b contracts 100.00 → 99.00, c stays at 199.00. NRR 298/300 =
#: 99.333…%: each part is 0.333… points, so rounding each (−0.3, −0.3) gives 99.4, not the 99.3 shown;
#: one part must show −0.4 for the parts to add up.
THIRDS = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at
a1,a,Basic,1.00,2023-01-01,2023-12-10
b1,b,Pro,100.00,2023-01-01,2023-12-05
b2,b,Pro,99.00,2023-12-05,
c1,c,Pro,199.00,2023-01-01,
"""


def test_nrr_explain_rounds_so_that_the_parts_add_up(tmp_path: Path) -> None:
    path = write(tmp_path, "thirds.csv", THIRDS)
    values, rows = explained(["-s", path, *DEC])
    third = 100 / 300
    assert float(values["nrr_churn_points"]) == pytest.approx(third, rel=1e-12)
    assert float(values["nrr_contraction_points"]) == pytest.approx(third, rel=1e-12)
    assert float(rows[4]["points"]) == pytest.approx(100 * 298 / 300, rel=1e-12)
    output = ok(invoke(["nrr", "-s", path, *DEC, "--explain"])).stdout
    points = {key: number(value) for key, value in listing_points(output).items()}
    assert points["NRR"] == Decimal("99.3")
    assert points["MRR at start"] + points["churn"] + points["contraction"] + points["expansion"] == Decimal(
        "99.3"
    )
    assert sorted([points["churn"], points["contraction"]]) == [Decimal("-0.4"), Decimal("-0.3")]
    assert re.search(r"^\s+NRR\s+99\.3%\s*$", output, re.M)
    table = table_rows(ok(invoke(["trend", "-s", path, "-n", "1", "--as-of", "2024-01-15"])).stdout)
    match = re.fullmatch(r"99\.3% = 100 (\S+) (\S+) \+0\.0", table["2023-12"][2])
    assert match and sorted(number(p) for p in match.groups()) == [Decimal("-0.4"), Decimal("-0.3")]


def test_nrr_explain_without_opening_mrr_has_no_points(tmp_path: Path) -> None:
    path = write(tmp_path, "spec3.csv", SPEC_EXAMPLE_3)
    args = ["-s", path, "-p", "2022-06", "--as-of", "2024-01-15"]
    values, rows = explained(args)
    assert values["nrr"] is None and all(values[key] is None for key in POINT_KEYS)
    assert [row["points"] for row in rows] == [None] * 5
    output = ok(invoke(["nrr", *args, "--explain"])).stdout
    assert set(listing_points(output).values()) == {"—"}


# --- csm reasons ---------------------------------------------------------------------------------


@pytest.fixture
def reasons_csv(tmp_path: Path) -> str:
    return write(tmp_path, "reasons.csv", REASONS_CSV)


def test_reasons_json_by_reason_worked_by_hand(reasons_csv: str) -> None:
    data = as_json(ok(invoke(["reasons", "-s", reasons_csv, *DEC, "-f", "json"])))
    assert data["command"] == "reasons"
    assert data["period"]["label"] == "2023-12"
    values = data["values"]
    by_reason = values["by_reason"]
    assert list(by_reason) == ["price", "(none)", "switched", "bugs"]  # most customers, then MRR
    assert {k: (v["customers"], v["churned_mrr"]) for k, v in by_reason.items()} == REASONS_DEC
    assert values["churned_customers"] == 7
    assert values["churned_mrr"] == Decimal("202.00")
    assert sum(v["share"] for v in by_reason.values()) == pytest.approx(1, abs=1e-12)
    assert sum(v["mrr_share"] for v in by_reason.values()) == pytest.approx(1, abs=1e-12)
    for entry in by_reason.values():
        assert float(entry["share"]) == pytest.approx(entry["customers"] / 7, rel=1e-12)
        assert float(entry["mrr_share"]) == pytest.approx(float(entry["churned_mrr"] / 202), rel=1e-12)
    churn = as_json(ok(invoke(["churn", "-s", reasons_csv, *DEC, "-f", "json"])))["values"]
    assert values["churned_customers"] == churn["churned_customers"]
    assert values["churned_mrr"] == churn["churned_mrr"]
    january = as_json(
        ok(invoke(["reasons", "-s", reasons_csv, "-p", "2024-01", "--as-of", "2024-02-15", "-f", "json"]))
    )
    assert {k: v["customers"] for k, v in january["values"]["by_reason"].items()} == {"late": 1}
    assert january["values"]["churned_mrr"] == Decimal("60.00")


def test_reasons_csv_has_one_row_per_reason(reasons_csv: str) -> None:
    text = ok(invoke(["reasons", "-s", reasons_csv, *DEC, "-f", "csv"])).stdout
    assert text.splitlines()[0] == "reason,customers,share,churned_mrr,mrr_share"
    rows = csv_rows(text)
    assert [row["reason"] for row in rows] == ["price", "(none)", "switched", "bugs"]
    assert {
        row["reason"]: (int(row["customers"]), Decimal(row["churned_mrr"])) for row in rows
    } == REASONS_DEC
    assert sum(float(row["share"]) for row in rows) == pytest.approx(1, abs=1e-12)
    assert [row["churned_mrr"] for row in rows] == ["130.00", "35.00", "30.00", "7.00"]


def test_reasons_table_top_1_shows_other_and_no_reason(reasons_csv: str) -> None:
    output = ok(invoke(["reasons", "-s", reasons_csv, *DEC, "--top", "1"])).stdout
    table = table_rows(output)
    assert table["Reason"] == ["Reason", "Customers", "Share", "Churned MRR", "MRR share"]
    assert table["price"][1:] == ["3", "42.9%", "130.00", "64.4%"]
    assert table["other reasons"][1:] == ["2", "28.6%", "37.00", "18.3%"]
    assert table["no reason given"][1:] == ["2", "28.6%", "35.00", "17.3%"]
    assert table["Churned in all"][1:] == ["7", "202.00"]
    assert "switched" not in table and "bugs" not in table and "(none)" not in output
    order = [
        line.split()[0] for line in output.splitlines() if line.strip().startswith(("price", "other", "no "))
    ]
    assert order == ["price", "other", "no"]


def test_reasons_table_default_top_3_names_every_given_reason(reasons_csv: str) -> None:
    table = table_rows(ok(invoke(["reasons", "-s", reasons_csv, *DEC])).stdout)
    assert table["price"][1] == "3" and table["switched"][1] == "1" and table["bugs"][1] == "1"
    assert table["no reason given"][1] == "2"
    assert "other reasons" not in table
    top2 = table_rows(ok(invoke(["reasons", "-s", reasons_csv, *DEC, "--top", "2"])).stdout)
    assert top2["other reasons"][1:4] == ["1", "14.3%", "7.00"]


def test_reasons_by_plan_partitions_the_churned_customers(reasons_csv: str) -> None:
    data = as_json(ok(invoke(["reasons", "-s", reasons_csv, *DEC, "--by", "plan", "-f", "json"])))
    assert data["by"] == "plan"
    groups = {g["group"]: g["values"] for g in data["groups"]}
    assert list(groups) == ["Basic", "Pro"]  # most churned customers first
    # the plan at the opening of the largest paying row: d (40.00 Pro) and e (20.00 Pro) are Pro
    assert {k: (v["customers"], v["churned_mrr"]) for k, v in groups["Basic"]["by_reason"].items()} == {
        "(none)": (2, Decimal("35.00")),
        "price": (1, Decimal("30.00")),
        "bugs": (1, Decimal("7.00")),
    }
    assert {k: (v["customers"], v["churned_mrr"]) for k, v in groups["Pro"]["by_reason"].items()} == {
        "price": (2, Decimal("100.00")),
        "switched": (1, Decimal("30.00")),
    }
    assert sum(g["churned_customers"] for g in groups.values()) == data["values"]["churned_customers"] == 7
    assert sum(g["churned_mrr"] for g in groups.values()) == data["values"]["churned_mrr"]
    for group in groups.values():
        assert sum(v["customers"] for v in group["by_reason"].values()) == group["churned_customers"]
        assert sum(v["share"] for v in group["by_reason"].values()) == pytest.approx(1, abs=1e-12)
    merged: dict[str, tuple[int, Decimal]] = {}
    for group in groups.values():
        for reason, v in group["by_reason"].items():
            count, money = merged.get(reason, (0, Decimal(0)))
            merged[reason] = (count + v["customers"], money + v["churned_mrr"])
    assert merged == REASONS_DEC

    text = ok(invoke(["reasons", "-s", reasons_csv, *DEC, "--by", "plan", "-f", "csv"])).stdout
    assert text.splitlines()[0] == "plan,reason,customers,share,churned_mrr,mrr_share"
    rows = csv_rows(text)
    assert [(r["plan"], r["reason"], int(r["customers"])) for r in rows] == [
        ("Basic", "(none)", 2),
        ("Basic", "price", 1),
        ("Basic", "bugs", 1),
        ("Pro", "price", 2),
        ("Pro", "switched", 1),
    ]
    output = ok(invoke(["reasons", "-s", reasons_csv, *DEC, "--by", "plan"])).stdout
    assert "plan: Basic" in output and "plan: Pro" in output
    totals = [line for line in output.splitlines() if "Churned in all" in line]
    assert [re.split(r"\s{2,}", line.strip())[1:] for line in totals] == [["4", "72.00"], ["3", "130.00"]]


def test_reasons_by_an_attribute_partitions_the_churned_customers(reasons_csv: str) -> None:
    data = as_json(ok(invoke(["reasons", "-s", reasons_csv, *DEC, "--by", "industry", "-f", "json"])))
    counts = {g["group"]: g["values"]["churned_customers"] for g in data["groups"]}
    assert counts == {"SaaS": 3, "Retail": 3, "(none)": 1}
    assert sum(g["values"]["churned_mrr"] for g in data["groups"]) == Decimal("202.00")


def test_reasons_by_an_unknown_attribute_is_a_usage_error(reasons_csv: str) -> None:
    line = one_line(failed(invoke(["reasons", "-s", reasons_csv, *DEC, "--by", "colour"]), 2))
    assert "'colour'" in line and "plan" in line and "industry" in line


def test_reasons_a_free_row_ending_later_does_not_replace_the_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "free.csv",
        "subscription_id,customer_id,plan,mrr,started_at,ended_at,cancel_reason\n"
        "q1,q,Basic,25.00,2023-01-01,2023-12-05,too expensive\n"
        "q2,q,Free,0.00,2023-12-05,2023-12-20,trial over\n"
        "w1,w,Pro,40.00,2023-01-01,2023-12-07,=HYPERLINK(1)\n"
        "z1,z,Pro,100.00,2023-01-01,,\n",
    )
    data = as_json(ok(invoke(["reasons", "-s", path, *DEC, "-f", "json"])))
    assert {k: v["customers"] for k, v in data["values"]["by_reason"].items()} == {
        "=HYPERLINK(1)": 1,
        "too expensive": 1,
    }
    rows = csv_rows(ok(invoke(["reasons", "-s", path, *DEC, "-f", "csv"])).stdout)
    assert [row["reason"] for row in rows] == ["'=HYPERLINK(1)", "too expensive"]  # formula escaped


def test_reasons_without_churn_are_empty_in_every_format(reasons_csv: str) -> None:
    args = ["reasons", "-s", reasons_csv, "-p", "2023-06", "--as-of", "2024-01-15"]
    values = as_json(ok(invoke([*args, "-f", "json"])))["values"]
    assert values == {"churned_customers": 0, "churned_mrr": 0, "by_reason": {}}
    assert ok(invoke([*args, "-f", "csv"])).stdout.splitlines() == [
        "reason,customers,share,churned_mrr,mrr_share"
    ]
    table = table_rows(ok(invoke(args)).stdout)
    assert table["Churned in all"][1:] == ["0", "0.00"]
    assert "no reason given" not in table and "other reasons" not in table


@pytest.mark.parametrize("period", ["2025-12", "2025-Q4", "2025", "2024-Q2"])
def test_reasons_on_the_demo_equal_churn_and_shares_sum_to_1(period: str) -> None:
    values = demo_json("reasons", "-p", period)["values"]
    churn = demo_json("churn", "-p", period)["values"]
    assert values["churned_customers"] == churn["churned_customers"]
    assert values["churned_mrr"] == churn["churned_mrr"]
    by_reason = values["by_reason"]
    assert sum(v["customers"] for v in by_reason.values()) == churn["churned_customers"]
    assert sum(v["churned_mrr"] for v in by_reason.values()) == churn["churned_mrr"]
    if churn["churned_customers"]:
        assert sum(v["share"] for v in by_reason.values()) == pytest.approx(1, abs=1e-12)
    counts = [(v["customers"], v["churned_mrr"]) for v in by_reason.values()]
    assert counts == sorted(counts, key=lambda c: (-c[0], -c[1]))
    grouped = demo_json("reasons", "-p", period, "--by", "plan")
    assert sum(g["values"]["churned_customers"] for g in grouped["groups"]) == churn["churned_customers"]
    assert sum(g["values"]["churned_mrr"] for g in grouped["groups"]) == churn["churned_mrr"]


# --- csm cohorts ---------------------------------------------------------------------------------


@pytest.fixture
def cohorts_csv(tmp_path: Path) -> str:
    return write(tmp_path, "cohorts.csv", COHORTS_CSV)


def test_cohorts_json_worked_by_hand(cohorts_csv: str) -> None:
    data = as_json(ok(invoke(["cohorts", "-s", cohorts_csv, *COHORT_ARGS, "-f", "json"])))
    assert data["command"] == "cohorts"
    assert data["values"]["cohorts"] == HAND_COHORTS
    widths = [len(row["retained"]) for row in data["values"]["cohorts"]]
    assert widths == [6, 5, 4, 3, 2, 1]  # the triangle: later cohorts have fewer cells
    for row in data["values"]["cohorts"]:
        assert set(row) == {"cohort", "customers", "retained"}


def test_cohorts_revenue_worked_by_hand(cohorts_csv: str) -> None:
    data = as_json(ok(invoke(["cohorts", "-s", cohorts_csv, *COHORT_ARGS, "--revenue", "-f", "json"])))
    got = [
        (row["cohort"], row["customers"], row["starting_mrr"], row["retained"])
        for row in data["values"]["cohorts"]
    ]
    assert got == [(c, n, Decimal(s), [Decimal(x) for x in cells]) for c, n, s, cells in HAND_REVENUE]
    text = ok(invoke(["cohorts", "-s", cohorts_csv, *COHORT_ARGS, "--revenue", "-f", "csv"])).stdout
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["cohort", "customers", "starting_mrr", *(f"m{k}" for k in range(6))]
    for line, (cohort, customers, starting, cells) in zip(lines[1:], HAND_REVENUE, strict=True):
        filled = [cell for cell in line[3:] if cell != ""]
        assert line[:3] == [cohort, str(customers), starting]
        assert filled == cells and line[3 : 3 + len(cells)] == cells
    table = table_rows(ok(invoke(["cohorts", "-s", cohorts_csv, *COHORT_ARGS, "--revenue"])).stdout)
    assert table["Cohort"][:3] == ["Cohort", "Starting MRR", "M0"]
    assert table["2023-01"][1:] == ["60.00", "100%", "50%", "17%", "75%", "78%", "78%"]


def test_cohorts_csv_and_table_worked_by_hand(cohorts_csv: str) -> None:
    text = ok(invoke(["cohorts", "-s", cohorts_csv, *COHORT_ARGS, "-f", "csv"])).stdout
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["cohort", "customers", "m0", "m1", "m2", "m3", "m4", "m5"]
    for line, row in zip(lines[1:], HAND_COHORTS, strict=True):
        assert line[:2] == [row["cohort"], str(row["customers"])]
        assert [int(cell) for cell in line[2:] if cell != ""] == row["retained"]
        assert line[2 : 2 + len(row["retained"])] == [str(cell) for cell in row["retained"]]
    assert len(lines) == 1 + len(HAND_COHORTS)

    output = ok(invoke(["cohorts", "-s", cohorts_csv, *COHORT_ARGS])).stdout
    assert output.splitlines()[0].startswith("csm cohorts · 2023-01")
    table = table_rows(output)
    assert table["Cohort"] == ["Cohort", "Customers", "M0", "M1", "M2", "M3", "M4", "M5"]
    assert table["2023-01"][1:] == ["3", "100%", "67%", "33%", "67%", "67%", "67%"]
    assert table["2023-02"][1:] == ["1", "100%", "100%", "100%", "100%", "100%"]
    assert table["2023-03"][1:] == ["0", "—", "—", "—", "—"]
    assert table["2023-04"][1:] == ["1", "0%", "0%", "0%"]
    assert table["2023-06"][1:] == ["0", "—"]


def test_cohorts_leave_out_a_month_not_over_at_as_of(cohorts_csv: str) -> None:
    wanted = as_json(ok(invoke(["cohorts", "-s", cohorts_csv, *COHORT_ARGS, "-f", "json"])))["values"]
    longer = ["--from", "2023-01", "--to", "2023-07", "--as-of", "2023-07-15"]
    got = as_json(ok(invoke(["cohorts", "-s", cohorts_csv, *longer, "-f", "json"]), warns=True))["values"]
    assert got == wanted  # July (h's month) is not over: no July cohort, no July cells
    year = as_json(
        ok(
            invoke(["cohorts", "-s", cohorts_csv, "-p", "2023", "--as-of", "2023-07-15", "-f", "json"]),
            warns=True,
        )
    )
    assert year["values"] == wanted


def test_cohorts_months_with_a_period_is_a_usage_error(cohorts_csv: str) -> None:
    line = one_line(failed(invoke(["cohorts", "-s", cohorts_csv, "--months", "3", *COHORT_ARGS]), 2))
    assert "--months" in line


def reference_cohorts(labels: list[str], revenue: bool) -> list[dict[str, Any]]:
    """The cohort triangle from the demo CSV by a plain loop: MRR at the end of a day = the sum of
    the rows serving it; a cohort is the month of the first day with MRR > 0."""
    rows = []
    with demo_path("subscriptions").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ended = date.fromisoformat(row["ended_at"]) if row["ended_at"] else None
            rows.append(
                (
                    row["customer_id"],
                    int(Decimal(row["mrr"]) * 100),
                    date.fromisoformat(row["started_at"]),
                    ended,
                )
            )

    by_customer: dict[str, list[tuple[int, date, date | None]]] = {}
    for who, cents, started, ended in rows:
        by_customer.setdefault(who, []).append((cents, started, ended))

    def mrr(customer: str, day: date) -> int:
        return sum(c for c, s, e in by_customer[customer] if s <= day and (e is None or e > day))

    first: dict[str, date] = {}
    for who, cents, started, ended in rows:
        if cents > 0 and (ended is None or ended > started):
            first[who] = min(first.get(who, started), started)
    month_ends = []
    for label in labels:
        start = date.fromisoformat(f"{label}-01")
        month_ends.append((start + timedelta(days=32)).replace(day=1) - timedelta(days=1))
    out = []
    for index, label in enumerate(labels):
        members = [who for who, day in first.items() if day.strftime("%Y-%m") == label]
        cells = []
        for end in month_ends[index:]:
            paying = [mrr(who, end) for who in members]
            cells.append(sum(paying) if revenue else sum(1 for m in paying if m > 0))
        entry: dict[str, Any] = {"cohort": label, "customers": len(members)}
        if revenue:
            entry["starting_mrr"] = sum(mrr(who, first[who]) for who in members)
        entry["retained"] = cells
        out.append(entry)
    return out


def test_cohorts_demo_last_12_months_equal_a_plain_loop_over_the_demo_csv() -> None:
    labels = [f"2025-{month:02d}" for month in range(1, 13)]
    data = demo_json("cohorts", "--months", "12")
    assert [row["cohort"] for row in data["values"]["cohorts"]] == labels
    assert data["values"]["cohorts"] == reference_cohorts(labels, revenue=False)
    assert [len(row["retained"]) for row in data["values"]["cohorts"]] == list(range(12, 0, -1))
    assert demo_json("cohorts")["values"] == data["values"]  # --months 12 is the default
    money = demo_json("cohorts", "--months", "12", "--revenue")["values"]["cohorts"]
    expected = reference_cohorts(labels, revenue=True)
    assert [
        (r["cohort"], r["customers"], r["starting_mrr"] * 100, [c * 100 for c in r["retained"]])
        for r in money
    ] == [(r["cohort"], r["customers"], r["starting_mrr"], r["retained"]) for r in expected]

    lines = list(
        csv.reader(io.StringIO(ok(invoke(["cohorts", "--demo", "--months", "12", "-f", "csv"])).stdout))
    )
    assert lines[0] == ["cohort", "customers", *(f"m{k}" for k in range(12))]
    assert [line[0] for line in lines[1:]] == labels
    for line, row in zip(lines[1:], data["values"]["cohorts"], strict=True):
        assert [int(cell) for cell in line[1:] if cell != ""] == [row["customers"], *row["retained"]]

    table = table_rows(ok(invoke(["cohorts", "--demo", "--months", "12"])).stdout)
    assert table["Cohort"] == ["Cohort", "Customers", *(f"M{k}" for k in range(12))]
    for row in data["values"]["cohorts"]:
        cells = table[row["cohort"]]
        assert cells[1] == str(row["customers"])
        assert len(cells) == 2 + len(row["retained"])
        for cell, retained in zip(cells[2:], row["retained"], strict=True):
            assert abs(number(cell) - Decimal(100 * retained) / row["customers"]) <= Decimal("0.5")


#: NRR exactly 50.55% (MRR at start 100.00, a churns 49.45) and 164.35% (a grows 100.00 → 164.35). In
#: floats 100 × nrr is 50.549999… and 164.34999…: the NRR row rounds that float ("50.5%", "164.3%").
#: The decomposition once rounded Decimal(repr(100 × nrr − 100)) = −49.45 / 64.35 half-even instead and
#: showed "50.6" / "164.4", two different NRRs in one output; it must take the NRR the table shows.
ROUNDING_EDGES = {
    "churn 49.45 of 100.00": "A,a,49.45,2023-01-01,2023-12-10\nB,b,50.55,2023-01-01,\n",
    "expansion 64.35 on 100.00": "A1,a,100.00,2023-01-01,2023-12-10\nA2,a,164.35,2023-12-10,\n",
}


@pytest.mark.parametrize("rows", list(ROUNDING_EDGES.values()), ids=list(ROUNDING_EDGES))
def test_nrr_explain_shows_one_nrr_when_100_nrr_is_a_rounding_half(tmp_path: Path, rows: str) -> None:
    path = write(tmp_path, "edge.csv", "subscription_id,customer_id,mrr,started_at,ended_at\n" + rows)
    output = ok(invoke(["nrr", "-s", path, *DEC, "--explain"])).stdout
    shown = re.search(r"^\s+NRR\s+(\S+)%\s*$", output, re.M)
    sentence = re.search(r"NRR (\S+)% = 100", output)
    assert shown and sentence
    points = {key: number(value) for key, value in listing_points(output).items()}
    assert (
        points["MRR at start"] + points["churn"] + points["contraction"] + points["expansion"]
        == points["NRR"]
    )
    assert number(shown.group(1)) == points["NRR"] == number(sentence.group(1))


@pytest.mark.parametrize("rows", list(ROUNDING_EDGES.values()), ids=list(ROUNDING_EDGES))
def test_trend_decomposition_equals_the_nrr_column_when_100_nrr_is_a_rounding_half(
    tmp_path: Path, rows: str
) -> None:
    path = write(tmp_path, "edge.csv", "subscription_id,customer_id,mrr,started_at,ended_at\n" + rows)
    table = table_rows(ok(invoke(["trend", "-s", path, "-n", "1", "--as-of", "2024-01-15"])).stdout)
    shown, explained = table["2023-12"][1:3]
    match = re.fullmatch(r"(\S+)% = 100 (\S+) (\S+) (\S+)", explained)
    assert match, explained
    total, *parts = (number(part) for part in match.groups())
    assert 100 + sum(parts) == total
    assert total == number(shown)
