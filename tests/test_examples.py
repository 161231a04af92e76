"""The files in examples/ work through the CLI exactly as the README says."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from csmetrics.cli import app

EXAMPLES = Path(__file__).parent.parent / "examples"


def _values(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exception is None, result.output
    assert result.exit_code == 0
    values: dict[str, object] = json.loads(result.stdout)["values"]
    return values


def test_polish_excel_csv_gives_the_same_bridge_as_the_canonical_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    period = ["-p", "2023-12", "--as-of", "2024-01-15"]
    polish = _values(["mrr", *period], EXAMPLES / "polish", monkeypatch)
    canonical = _values(["mrr", "-s", "subscriptions.csv", *period], EXAMPLES, monkeypatch)
    assert polish == canonical
    assert polish["mrr_start"] == 6628.0
    assert polish["expansion_mrr"] == 2499.5
    assert polish["reactivated_customers"] == 1


def test_example_csm_toml_is_picked_up_from_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = _values(["churn", "-p", "2023-12", "--as-of", "2024-01-15"], EXAMPLES, monkeypatch)
    assert values["churned_customers"] == 1
    assert values["churned_mrr"] == 99.0


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_cron_script_runs_unchanged_on_the_demo_data(tmp_path: Path) -> None:
    csm = Path(sys.executable).parent / "csm"
    env = {**os.environ, "CSM": str(csm), "CSM_DEMO": "1", "REPORT_DIR": str(tmp_path)}
    done = subprocess.run(
        ["bash", str(EXAMPLES / "cron" / "monthly-report.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    history = sorted(path.name for path in (tmp_path / "history").iterdir())
    assert history == ["nps-2025-12.json", "revenue-2025-12.json", "support-2025-12.json"]
    for path in (tmp_path / "history").iterdir():
        assert json.loads(path.read_text())["period"]["label"] == "2025-12"
    assert "NRR 99.2% = 100" in done.stdout
    assert "Churned customers, largest first (10)" in done.stdout
