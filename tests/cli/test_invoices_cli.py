"""Revenue commands on subscriptions derived from invoices (--invoices, --churn-on, --grace-days)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import invoke

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "invoices"
PERIOD = ["-p", "2023-12", "--as-of", "2024-01-15", "--format", "json"]


def _values(result_stdout: str) -> dict[str, object]:
    values: dict[str, object] = json.loads(result_stdout)["values"]
    return values


@pytest.fixture
def in_example(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(EXAMPLE)
    return EXAMPLE


def test_churn_on_expiry_from_the_example_csm_toml(in_example: Path) -> None:
    result = invoke(["churn", *PERIOD])
    assert result.exception is None and result.exit_code == 0, result.stderr
    values = _values(result.stdout)
    assert values["churned_customers"] == 2
    assert values["churned_mrr"] == 108.0
    assert "csm: note: invoices.csv: churn when a paid period ends" in result.stderr


def test_churn_on_nonpayment_moves_the_unpaid_customer_out_of_december(in_example: Path) -> None:
    result = invoke(["churn", *PERIOD, "--churn-on", "nonpayment", "--grace-days", "14"])
    assert result.exception is None and result.exit_code == 0, result.stderr
    values = _values(result.stdout)
    assert values["churned_customers"] == 1
    assert values["churned_mrr"] == 29.0


def test_the_bridge_identity_holds_on_invoices(in_example: Path) -> None:
    result = invoke(["mrr", *PERIOD])
    assert result.exception is None and result.exit_code == 0, result.stderr
    values = _values(result.stdout)
    gained = (
        float(str(values["new_mrr"]))
        + float(str(values["reactivation_mrr"]))
        + float(str(values["expansion_mrr"]))
    )
    lost = float(str(values["contraction_mrr"])) + float(str(values["churned_mrr"]))
    assert float(str(values["mrr_end"])) - float(str(values["mrr_start"])) == pytest.approx(gained - lost)
    inputs = json.loads(result.stdout)["inputs"]
    assert inputs == [{"kind": "invoices", "path": "invoices.csv", "rows": 19}]


def test_subscriptions_and_invoices_together_are_a_usage_error(in_example: Path) -> None:
    result = invoke(
        ["churn", *PERIOD, "-s", str(EXAMPLE.parent / "subscriptions.csv"), "--invoices", "invoices.csv"]
    )
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_a_broken_invoices_file_is_a_data_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inv.csv").write_text(
        "customer_id,invoice_id,period_start,period_end,amount,status,paid_at\n"
        "c1,i1,2023-12-01,2023-12-31,10.00,paid,2023-12-01\n"
        "c1,i1,2024-01-01,2024-01-31,10.00,paid,2024-01-01\n",
        encoding="utf-8",
    )
    result = invoke(["churn", *PERIOD, "--invoices", "inv.csv"])
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("csm: error: inv.csv:3: column 'invoice_id': 'i1'")


def test_validate_reads_invoices(in_example: Path) -> None:
    result = invoke(["validate", "--as-of", "2024-01-15", "--format", "json"])
    assert result.exception is None and result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["errors"] == 0
