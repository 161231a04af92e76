"""`csm validate` and `csm snapshot` end to end through the CLI (issue 6, SPEC §5, §7).

validate lists every problem of every input at once (errors exit 3, warnings alone exit 0), with
1-based integer lines (header = line 1). snapshot writes one dated JSON per metric family, equal
to what the metric's own command prints for the same period, replaced atomically on a rerun.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import CSM_VARIABLES, HAND_CSV, failed, invoke, ok, one_line
from typer.testing import Result

AS_OF = ["--as-of", "2024-01-15"]

#: One error of each kind, on known lines: 3 and 9 not numbers, 4 negative, 6 overlaps 5,
#: 7 ends before it starts, 8 another currency, 11 repeats 10 exactly (an overlap).
BROKEN_SUBS = """\
subscription_id,customer_id,plan,mrr,currency,started_at,ended_at
S1,A,Pro,100.00,PLN,2023-01-01,
S2,B,Pro,12.5x,PLN,2023-01-01,
S3,C,Pro,-5.00,PLN,2023-01-01,
S4,D,Pro,50.00,PLN,2023-01-01,2023-06-01
S4,D,Pro,60.00,PLN,2023-05-01,
S5,E,Pro,70.00,PLN,2023-06-01,2023-03-01
S6,F,Pro,80.00,EUR,2023-01-01,
S7,G,Pro,abc,PLN,2023-01-01,
S8,H,Pro,90.00,PLN,2023-01-01,
S8,H,Pro,90.00,PLN,2023-01-01,
"""
EXPECTED_ERRORS = [
    (3, "mrr", "12.5x", "parse"),
    (4, "mrr", "-5.00", "negative_mrr"),
    (6, "started_at", "2023-05-01", "overlap"),
    (7, "ended_at", "2023-03-01", "ended_at_before_started_at"),
    (8, "currency", "EUR", "currency"),
    (9, "mrr", "abc", "parse"),
    (11, "started_at", "2023-01-01", "overlap"),
]

#: Warnings only: line 5 starts after --as-of, line 4 has MRR 0 on "Team" (not "Free", line 3).
WARNING_SUBS = """\
subscription_id,customer_id,plan,mrr,currency,started_at,ended_at
S1,A,Pro,100.00,PLN,2023-01-01,
S2,B,Free,0,PLN,2023-01-01,
S3,C,Team,0,PLN,2023-01-01,
S4,D,Pro,50.00,PLN,2024-03-01,
"""

#: Clean tickets, two of them (lines 3 and 5) from customers no subscription has.
TICKETS = """\
ticket_id,customer_id,created_at,first_response_at,solved_at,replies,csat
1,A,2023-12-01T10:00:00Z,2023-12-01T11:00:00Z,2023-12-01T12:00:00Z,1,5
2,ZZ,2023-12-03T10:00:00Z,,,0,
3,B,2023-12-04T10:00:00Z,2023-12-04T10:30:00Z,,0,
4,YY,2023-12-05T10:00:00Z,,,0,
"""
SURVEYS = """\
response_id,customer_id,responded_at,score
R1,A,2023-12-05,10
R2,QQ,2023-12-06,3
"""

PROBLEM_KEYS = ["file", "line", "column", "value", "kind", "severity", "message"]


def _write(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def _json_exit_3(result: Result) -> dict[str, Any]:
    assert isinstance(result.exception, SystemExit), (result.exception, result.stderr)
    assert result.exit_code == 3, (result.exit_code, result.stderr)
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _seen(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (item["line"], item["column"], item["value"], item["kind"])
        for item in data["problems"]
        if item["severity"] == "error"
    )


# --------------------------------------------------------------------------------------------
# csm validate


def test_validate_reports_every_error_with_integer_lines(tmp_path: Path) -> None:
    subs = _write(tmp_path, "subs.csv", BROKEN_SUBS)
    data = _json_exit_3(invoke(["validate", "-s", subs, *AS_OF, "--format", "json"]))
    assert list(data) == ["problems", "errors", "warnings"]
    assert (data["errors"], data["warnings"]) == (7, 0)
    for item in data["problems"]:
        assert list(item) == PROBLEM_KEYS
        assert type(item["line"]) is int
        assert item["file"] == "subs.csv"
        assert item["severity"] == "error"
        assert item["message"]
    assert _seen(data) == EXPECTED_ERRORS


def test_validate_table_groups_problems_by_kind(tmp_path: Path) -> None:
    subs = _write(tmp_path, "subs.csv", BROKEN_SUBS)
    result = invoke(["validate", "-s", subs, *AS_OF])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 3
    out = result.stdout
    assert "subs.csv: parse (error)" in out
    assert "  line 3: column 'mrr' '12.5x' is not a number" in out
    assert "  line 9: column 'mrr' 'abc' is not a number" in out
    assert "subs.csv: negative mrr (error)" in out
    assert "subs.csv: overlap (error)" in out
    assert "subs.csv: currency (error)" in out
    assert "7 errors, 0 warnings" in out


def test_validate_warnings_only_exits_0(tmp_path: Path) -> None:
    subs = _write(tmp_path, "subs.csv", WARNING_SUBS)
    data = json.loads(ok(invoke(["validate", "-s", subs, *AS_OF, "--format", "json"])).stdout)
    assert (data["errors"], data["warnings"]) == (0, 2)
    found = sorted(
        (item["line"], item["column"], item["kind"], item["severity"]) for item in data["problems"]
    )
    assert found == [(4, "mrr", "zero_mrr", "warning"), (5, "started_at", "future_date", "warning")]
    table = ok(invoke(["validate", "-s", subs, *AS_OF])).stdout
    assert "0 errors, 2 warnings" in table


def test_a_later_as_of_removes_the_future_warning(tmp_path: Path) -> None:
    subs = _write(tmp_path, "subs.csv", WARNING_SUBS)
    data = json.loads(
        ok(invoke(["validate", "-s", subs, "--as-of", "2024-03-01", "--format", "json"])).stdout
    )
    assert [item["kind"] for item in data["problems"]] == ["zero_mrr"]


def test_customers_unknown_to_the_subscriptions_are_warnings(tmp_path: Path) -> None:
    args = ["validate", "-s", _write(tmp_path, "subs.csv", WARNING_SUBS)]
    args += [
        "-t",
        _write(tmp_path, "tickets.csv", TICKETS),
        "--surveys",
        _write(tmp_path, "surveys.csv", SURVEYS),
    ]
    data = json.loads(ok(invoke([*args, "--as-of", "2024-03-01", "--format", "json"])).stdout)
    unknown = [
        (item["file"], item["line"], item["value"])
        for item in data["problems"]
        if item["kind"] == "unknown_customer"
    ]
    assert unknown == [("tickets.csv", 3, "ZZ"), ("tickets.csv", 5, "YY"), ("surveys.csv", 3, "QQ")]
    assert all(
        item["severity"] == "warning" and item["message"] == "is not a customer of subs.csv"
        for item in data["problems"]
        if item["kind"] == "unknown_customer"
    )
    assert (data["errors"], data["warnings"]) == (0, 4)


def test_tickets_alone_are_not_compared_with_anything(tmp_path: Path) -> None:
    tickets = _write(tmp_path, "tickets.csv", TICKETS)
    result = ok(invoke(["validate", "-t", tickets, *AS_OF]))
    assert result.stdout.startswith("No problems found in tickets tickets.csv (4 rows)")


def test_max_errors_limits_the_list_per_rule_but_counts_all(tmp_path: Path) -> None:
    rows = "".join(f"S{i},C{i},Pro,x{i},2023-01-01,\n" for i in range(5))
    rows += "".join(f"N{i},D{i},Pro,-{i + 1},2023-01-01,\n" for i in range(3))
    subs = _write(tmp_path, "subs.csv", "subscription_id,customer_id,plan,mrr,started_at,ended_at\n" + rows)
    data = _json_exit_3(invoke(["validate", "-s", subs, *AS_OF, "--format", "json", "--max-errors", "2"]))
    assert [(item["line"], item["kind"]) for item in data["problems"]] == [
        (2, "parse"),
        (3, "parse"),
        (7, "negative_mrr"),
        (8, "negative_mrr"),
    ]
    assert data["errors"] == 8
    table = invoke(["validate", "-s", subs, *AS_OF, "--max-errors", "2"]).stdout
    assert "8 errors, 0 warnings (showing 4 of 8; raise --max-errors to see more)" in table


def test_max_errors_must_be_positive(tmp_path: Path) -> None:
    subs = _write(tmp_path, "subs.csv", WARNING_SUBS)
    failed(invoke(["validate", "-s", subs, "--max-errors", "0"]), 2)


def test_a_missing_file_is_one_file_problem(tmp_path: Path) -> None:
    data = _json_exit_3(invoke(["validate", "-s", "missing.csv", *AS_OF, "--format", "json"]))
    assert len(data["problems"]) == 1
    problem = data["problems"][0]
    assert (problem["file"], problem["kind"], problem["severity"], problem["line"]) == (
        "missing.csv",
        "file",
        "error",
        None,
    )
    assert (data["errors"], data["warnings"]) == (1, 0)


def test_a_missing_file_beside_a_good_one(tmp_path: Path) -> None:
    subs = _write(tmp_path, "subs.csv", WARNING_SUBS)
    data = _json_exit_3(invoke(["validate", "-s", subs, "-t", "missing.csv", *AS_OF, "--format", "json"]))
    assert [item["kind"] for item in data["problems"]] == ["future_date", "zero_mrr", "file"]
    assert (data["errors"], data["warnings"]) == (1, 2)


def test_validate_without_inputs_is_a_usage_error() -> None:
    assert "nothing to validate" in one_line(failed(invoke(["validate"]), 2))


def test_validate_demo_has_no_problems() -> None:
    result = ok(invoke(["validate", "--demo"]))
    assert result.stdout.startswith("No problems found in subscriptions demo:subscriptions.csv")
    data = json.loads(ok(invoke(["validate", "--demo", "--format", "json"])).stdout)
    assert data == {"problems": [], "errors": 0, "warnings": 0}


def test_validate_output_writes_the_json_file(tmp_path: Path) -> None:
    subs = _write(tmp_path, "subs.csv", BROKEN_SUBS)
    result = invoke(["validate", "-s", subs, *AS_OF, "--format", "json", "-o", "report.json"])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 3
    assert result.stdout == ""
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert _seen(data) == EXPECTED_ERRORS


# --------------------------------------------------------------------------------------------
# csm snapshot


TICKETS_DEC = """\
ticket_id,customer_id,created_at,first_response_at,solved_at,replies,csat
1,A,2023-12-01T10:00:00Z,2023-12-01T11:00:00Z,2023-12-01T12:00:00Z,1,5
2,B,2023-12-03T10:00:00Z,2023-12-03T10:30:00Z,2023-12-04T10:00:00Z,2,3
"""
SURVEYS_DEC = (
    "response_id,customer_id,responded_at,score\nR1,A,2023-12-05,10\nR2,B,2023-12-06,3\nR3,C,2023-12-07,9\n"
)
DEC = ["-p", "2023-12", *AS_OF]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    _write(tmp_path, "subs.csv", HAND_CSV)
    _write(tmp_path, "tickets.csv", TICKETS_DEC)
    _write(tmp_path, "surveys.csv", SURVEYS_DEC)
    (tmp_path / "history").mkdir()
    return tmp_path


def _snapshot(*args: str) -> Result:
    return invoke(["snapshot", "--output-dir", "history", *args])


def _command_json(command: str, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(invoke([command, *args, "--format", "json"]), warns=True).stdout)
    return data


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_snapshot_writes_only_the_families_given(inputs: Path) -> None:
    result = ok(_snapshot("-s", "subs.csv", *DEC))
    assert result.stdout.splitlines() == [str(Path("history") / "revenue-2023-12.json")]
    assert sorted(path.name for path in (inputs / "history").iterdir()) == ["revenue-2023-12.json"]


def test_snapshot_files_equal_the_commands_json(inputs: Path) -> None:
    result = ok(
        _snapshot("-s", "subs.csv", "-t", "tickets.csv", "--surveys", "surveys.csv", *DEC), warns=True
    )
    history = inputs / "history"
    names = ["revenue-2023-12.json", "support-2023-12.json", "nps-2023-12.json"]
    assert result.stdout.splitlines() == [str(Path("history") / name) for name in names]
    assert sorted(path.name for path in history.iterdir()) == sorted(names)
    assert _read(history / "revenue-2023-12.json") == _command_json("mrr", "-s", "subs.csv", *DEC)
    assert _read(history / "support-2023-12.json") == _command_json("support", "-t", "tickets.csv", *DEC)
    assert _read(history / "nps-2023-12.json") == _command_json("nps", "--surveys", "surveys.csv", *DEC)
    revenue = _read(history / "revenue-2023-12.json")
    assert revenue["command"] == "mrr"
    assert revenue["inputs"] == [{"kind": "subscriptions", "path": "subs.csv", "rows": 9}]
    assert revenue["values"]["mrr_end"] == 1220.84


def test_snapshot_of_a_range_names_the_file_by_its_dates(inputs: Path) -> None:
    result = ok(_snapshot("-s", "subs.csv", "--from", "2023-10", "--to", "2023-12", *AS_OF))
    assert result.stdout.splitlines() == [str(Path("history") / "revenue-2023-10-01_2023-12-31.json")]
    expected = _command_json("mrr", "-s", "subs.csv", "--from", "2023-10", "--to", "2023-12", *AS_OF)
    assert _read(inputs / "history" / "revenue-2023-10-01_2023-12-31.json") == expected


def test_rerunning_replaces_the_files_and_leaves_no_temp_files(inputs: Path) -> None:
    ok(_snapshot("-s", "subs.csv", *DEC))
    target = inputs / "history" / "revenue-2023-12.json"
    first = _read(target)
    _write(inputs, "subs.csv", HAND_CSV.replace("S9,F,Pro,500.00", "S9,F,Pro,600.00"))
    ok(_snapshot("-s", "subs.csv", *DEC))
    second = _read(target)
    assert first["values"]["mrr_end"] == 1220.84
    assert second["values"]["mrr_end"] == 1320.84
    assert [path.name for path in (inputs / "history").iterdir()] == ["revenue-2023-12.json"]


def test_a_data_error_leaves_no_file_of_that_family_and_no_temp_file(inputs: Path) -> None:
    _write(inputs, "surveys.csv", SURVEYS_DEC.replace(",10\n", ",11\n"))
    result = _snapshot("-s", "subs.csv", "--surveys", "surveys.csv", *DEC)
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 3
    assert "surveys.csv:2: column 'score': '11' is out of range" in result.stderr
    names = [path.name for path in (inputs / "history").iterdir()]
    assert "nps-2023-12.json" not in names
    assert not [name for name in names if name.endswith(".tmp") or name.startswith(".")]


def test_snapshot_files_follow_the_umask(inputs: Path) -> None:
    old = os.umask(0o022)
    try:
        ok(_snapshot("-s", "subs.csv", *DEC))
    finally:
        os.umask(old)
    mode = (inputs / "history" / "revenue-2023-12.json").stat().st_mode & 0o777
    assert mode == 0o644, oct(mode)


def test_snapshot_demo_writes_three_families(inputs: Path) -> None:
    result = ok(_snapshot("--demo"))
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [path.name for path in paths] == [
        "revenue-2025-12.json",
        "support-2025-12.json",
        "nps-2025-12.json",
    ]
    assert _read(paths[0]) == _command_json("mrr", "--demo")


def test_snapshot_into_a_missing_folder_is_a_usage_error(inputs: Path) -> None:
    line = one_line(failed(invoke(["snapshot", "--output-dir", "nowhere", "-s", "subs.csv", *DEC]), 2))
    assert "--output-dir nowhere is not a folder" in line
    assert not (inputs / "nowhere").exists()


def test_snapshot_onto_a_file_is_a_usage_error(inputs: Path) -> None:
    failed(invoke(["snapshot", "--output-dir", "subs.csv", "-s", "subs.csv", *DEC]), 2)


def test_snapshot_without_inputs_is_a_usage_error(inputs: Path) -> None:
    assert "nothing to snapshot" in one_line(failed(_snapshot(*DEC), 2))


def test_snapshot_needs_an_output_dir(inputs: Path) -> None:
    failed(invoke(["snapshot", "-s", "subs.csv", *DEC]), 2)


# --------------------------------------------------------------------------------------------
# the installed csm as a real process

CSM = Path(sys.executable).parent / "csm"


@pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")
def test_validate_json_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    env["NO_COLOR"] = "1"
    result = subprocess.run(
        f"'{CSM}' validate --demo --format json | head -c 10",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=60,
        executable="/bin/bash",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b'{"problems'
    assert b"Traceback" not in result.stderr
    assert result.stderr == b""
    # the same with pipefail: csm itself exits 0
    result = subprocess.run(
        f"set -o pipefail; '{CSM}' validate --demo --format json | head -c 10",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=60,
        executable="/bin/bash",
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")
def test_a_long_validation_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    rows = "".join(f"S{i},C{i},x{i},2023-01-01,\n" for i in range(3000))
    _write(tmp_path, "subs.csv", "subscription_id,customer_id,mrr,started_at,ended_at\n" + rows)
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    result = subprocess.run(
        f"set -o pipefail; '{CSM}' validate -s subs.csv --max-errors 5000 --format json | head -c 10",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=60,
        executable="/bin/bash",
    )
    assert result.stdout == b'{"problems'
    assert b"Traceback" not in result.stderr
    assert result.stderr == b""
    assert result.returncode in {0, 3}
