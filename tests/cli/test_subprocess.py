"""The installed ``csm`` as a real process: exit codes, streams, stdin, pipes and import cost."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import CSM_VARIABLES, HAND_CSV

CSM = Path(sys.executable).parent / "csm"

pytestmark = pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")


def clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    env.update({"NO_COLOR": "1", "TERM": "dumb"})
    return env


def run(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(CSM), *args], cwd=cwd, input=stdin, capture_output=True, env=clean_env(), timeout=60
    )


def test_churn_demo_json(tmp_path: Path) -> None:
    result = run(["churn", "--demo", "--format", "json"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    data = json.loads(result.stdout)
    assert data["command"] == "churn"
    assert data["period"]["label"] == "2025-12"


def test_a_broken_file_exits_3_with_one_line_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at\nS1,A,12.5x,2023-01-01,\n", encoding="utf-8"
    )
    result = run(["churn", "-s", "bad.csv", "-p", "2023-12", "--as-of", "2024-01-15"], tmp_path)
    assert result.returncode == 3
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("csm: error: bad.csv:2: column 'mrr': '12.5x' is not a number")


def test_subscriptions_from_stdin(tmp_path: Path) -> None:
    (tmp_path / "subs.csv").write_text(HAND_CSV, encoding="utf-8")
    command = f"cat subs.csv | {shlex.quote(str(CSM))} mrr -s - -p 2023-12 --as-of 2024-01-15 --format json"
    result = subprocess.run(
        command, shell=True, cwd=tmp_path, capture_output=True, env=clean_env(), timeout=60
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["inputs"][0]["rows"] == 9
    assert data["values"]["mrr_end"] == 1220.84
    assert data["values"]["net_new_mrr"] == 320.84


def test_importing_the_cli_does_not_import_polars(tmp_path: Path) -> None:
    code = "import csmetrics.cli, sys; print('polars' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_help_does_not_import_polars_or_rich(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom csmetrics.cli import app\n"
        "try:\n    app(['churn', '--help'], prog_name='csm')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('polars', 'rich') if m in sys.modules), file=sys.stderr)"
    )  # pydantic is left out: this typer imports it itself
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert "Usage: csm churn" in result.stdout
    assert result.stderr.strip() == "[]"


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_a_closed_pipe_gives_no_traceback(fmt: str, tmp_path: Path) -> None:
    command = f"{shlex.quote(str(CSM))} churn --demo --list --format {fmt} | head -1"
    result = subprocess.run(
        command, shell=True, cwd=tmp_path, capture_output=True, text=True, env=clean_env(), timeout=60
    )
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert "Exception ignored" not in result.stderr, result.stderr


def run_into_closed_pipe(fmt: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run with stdout on a pipe whose reader is already gone: every write fails, deterministically."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [str(CSM), "churn", "--demo", "--list", "--format", fmt],
            cwd=cwd,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
            timeout=60,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_a_closed_pipe_exits_0_without_traceback(fmt: str, tmp_path: Path) -> None:
    result = run_into_closed_pipe(fmt, tmp_path)
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    assert result.returncode == 0
