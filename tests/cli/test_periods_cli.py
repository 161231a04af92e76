"""Periods and --as-of through the CLI (SPEC §2), on the hand-made file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import as_json, failed, invoke, ok, one_line


def period_of(args: list[str], *, warns: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    data = as_json(ok(invoke(["mrr", "-s", "subs.csv", *args, "-f", "json"]), warns=warns))
    return data["period"], data["values"]


@pytest.mark.parametrize(
    ("args", "label", "start", "end"),
    [
        (["-p", "2023-12"], "2023-12", "2023-12-01", "2024-01-01"),
        (["-p", "2023-Q4"], "2023-Q4", "2023-10-01", "2024-01-01"),
        (["-p", "2023-q4"], "2023-Q4", "2023-10-01", "2024-01-01"),
        (["-p", "2023"], "2023", "2023-01-01", "2024-01-01"),
        (["--period", "2023-02"], "2023-02", "2023-02-01", "2023-03-01"),
        (["-p", "last-month"], "2023-12", "2023-12-01", "2024-01-01"),
        (["-p", "last-quarter"], "2023-Q4", "2023-10-01", "2024-01-01"),
        (["-p", "last-year"], "2023", "2023-01-01", "2024-01-01"),
        ([], "2023-12", "2023-12-01", "2024-01-01"),
    ],
)
def test_period_forms(args: list[str], label: str, start: str, end: str, hand_csv: Path) -> None:
    period, _ = period_of([*args, "--as-of", "2024-01-15"])
    assert period == {"label": label, "start": start, "end": end}


@pytest.mark.parametrize(
    ("args", "as_of", "label"),
    [
        (["-p", "last-month"], "2024-01-15", "2023-12"),
        (["-p", "last-month"], "2024-02-01", "2024-01"),
        (["-p", "last-month"], "2024-01-31", "2023-12"),
        ([], "2024-01-31", "2023-12"),
        (["-p", "last-quarter"], "2024-03-31", "2023-Q4"),
        (["-p", "last-year"], "2024-12-31", "2023"),
    ],
)
def test_last_month_is_the_last_month_that_ends_before_as_of(
    args: list[str], as_of: str, label: str, hand_csv: Path
) -> None:
    period, _ = period_of([*args, "--as-of", as_of])
    assert period["label"] == label


def test_from_to_labels_include_both_ends_and_equal_the_quarter(hand_csv: Path) -> None:
    period, values = period_of(["--from", "2023-10", "--to", "2023-12", "--as-of", "2024-01-15"])
    assert period["start"] == "2023-10-01" and period["end"] == "2024-01-01"
    _, quarter = period_of(["-p", "2023-Q4", "--as-of", "2024-01-15"])
    assert values == quarter


def test_from_to_dates_take_to_as_exclusive(hand_csv: Path) -> None:
    period, values = period_of(["--from", "2023-10-01", "--to", "2024-01-01", "--as-of", "2024-01-15"])
    assert period["start"] == "2023-10-01" and period["end"] == "2024-01-01"
    _, quarter = period_of(["-p", "2023-Q4", "--as-of", "2024-01-15"])
    assert values == quarter


def test_a_year_nets_movements_inside_it(hand_csv: Path) -> None:
    """Over 2023 A joins and leaves (no movement); C, D and E are new, since none paid before 2023."""
    _, values = period_of(["-p", "2023", "--as-of", "2024-01-15"])
    assert values["mrr_start"] == Decimal("500.00")
    assert values["mrr_end"] == Decimal("1220.84")
    assert values["new_customers"] == 4
    assert values["new_mrr"] == Decimal("720.84")
    assert values["churned_customers"] == 0
    assert values["reactivated_customers"] == 0


@pytest.mark.parametrize("bad", ["2023-13", "Q4-2023", "dec", "2023-Q5", "last-week", "23-12"])
def test_a_bad_period_is_a_usage_error_listing_the_accepted_forms(bad: str, hand_csv: Path) -> None:
    line = one_line(failed(invoke(["churn", "-s", "subs.csv", "-p", bad, "--as-of", "2024-01-15"]), 2))
    assert line.startswith("csm: error:")
    assert f"'{bad}'" in line
    for form in ("2023-12", "2023-Q4", "2023", "last-month", "last-quarter", "last-year", "--from"):
        assert form in line, form


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2023-10"],
        ["--to", "2023-12"],
        ["-p", "2023-12", "--from", "2023-10", "--to", "2023-12"],
        ["--from", "2023-12", "--to", "2023-10"],
        ["--from", "2023-02-30", "--to", "2023-12"],
        ["--as-of", "2024-13-01"],
        ["--as-of", "yesterday"],
    ],
)
def test_bad_period_options_are_usage_errors(args: list[str], hand_csv: Path) -> None:
    if "--as-of" not in args:
        args = [*args, "--as-of", "2024-01-15"]
    line = one_line(failed(invoke(["churn", "-s", "subs.csv", *args]), 2))
    assert line.startswith("csm: error:")


def test_a_period_starting_after_as_of_is_a_usage_error(hand_csv: Path) -> None:
    line = one_line(failed(invoke(["churn", "-s", "subs.csv", "-p", "2024-03", "--as-of", "2024-01-15"]), 2))
    assert "2024-03" in line and "2024-01-15" in line


def test_a_period_not_over_at_as_of_warns_and_closes_at_as_of(hand_csv: Path) -> None:
    result = ok(
        invoke(["mrr", "-s", "subs.csv", "-p", "2023-Q4", "--as-of", "2023-12-12", "-f", "json"]), warns=True
    )
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("csm: warning:")
    assert "2023-Q4" in warning and "2023-12-12" in warning
    data = as_json(result)
    assert data["period"] == {"label": "2023-Q4", "start": "2023-10-01", "end": "2024-01-01"}
    assert data["as_of"] == "2023-12-12"
    values = data["values"]
    # At the end of 2023-12-12: B (new), D contracted, E back, A still paying, C not yet expanded.
    assert values["mrr_end"] == Decimal("1120.59")
    assert values["churned_customers"] == 0
    assert values["contraction_mrr"] == Decimal("150.01")


def test_a_complete_period_does_not_warn(hand_csv: Path) -> None:
    ok(invoke(["churn", "-s", "subs.csv", "-p", "2023-12", "--as-of", "2023-12-31"]))


def test_demo_defaults_to_the_day_after_its_data_and_its_last_month() -> None:
    data = as_json(ok(invoke(["churn", "--demo", "-f", "json"])))
    assert data["as_of"] == "2026-01-01"
    assert data["period"]["label"] == "2025-12"
    older = as_json(ok(invoke(["churn", "--demo", "--as-of", "2025-06-10", "-f", "json"])))
    assert older["period"]["label"] == "2025-05"
