"""`csm check` end to end through the CLI (issue 6, SPEC §7): thresholds, exit codes, CI outputs.

Every expected value below is worked out by hand from the files in this module, with
``--as-of 2024-01-15`` so ``last-month`` is 2023-12.

Subscriptions: four Enterprise customers at 1000.00 and sixteen Team customers at 100.00 on
2023-11-30. In December E1 expands to 1500.00 (a plan change: one row ends, the next starts) and
E2 churns. So for 2023-12:
  customers_start 20, churned 1 → logo_churn_rate = 1/20 = 0.05
  mrr_start 5600, expansion 500, churned 1000 → nrr = 5100/5600 = 0.9107142857142857
  Enterprise only: mrr_start 4000 → nrr = (4000 + 500 − 1000)/4000 = 0.875; churn 1/4 = 0.25
Tickets created in 2023-12: K1 (E1, 1 h first response), K2 (T01, 3 h), K3 (E3, 30 m), so
  first_response_seconds_median = 3600; Enterprise only (E1, E3): 2700; chat only (K2): 10800;
  csat ratings 5 and 3 → csat_score 0.5. (K4 is November.)
Surveys answered in 2023-12: 10, 3, 9 → promoters 2, detractors 1, nps = 100/3.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from cli_helpers import CSM_VARIABLES, failed, invoke, ok, one_line
from typer.testing import Result

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CHECKS = REPO / "examples" / "csm-checks.toml"

SUBS = (
    "subscription_id,customer_id,plan,mrr,currency,started_at,ended_at\n"
    "SE1,E1,Enterprise,1000.00,PLN,2023-01-01,2023-12-10\n"
    "SE1,E1,Enterprise,1500.00,PLN,2023-12-10,\n"
    "SE2,E2,Enterprise,1000.00,PLN,2023-01-01,2023-12-20\n"
    "SE3,E3,Enterprise,1000.00,PLN,2023-01-01,\n"
    "SE4,E4,Enterprise,1000.00,PLN,2023-01-01,\n"
    + "".join(f"ST{i:02},T{i:02},Team,100.00,PLN,2023-06-01,\n" for i in range(1, 17))
)
TICKETS = """\
ticket_id,customer_id,created_at,first_response_at,solved_at,replies,channel,csat
K1,E1,2023-12-04T10:00:00Z,2023-12-04T11:00:00Z,2023-12-04T12:00:00Z,1,email,5
K2,T01,2023-12-05T10:00:00Z,2023-12-05T13:00:00Z,2023-12-06T10:00:00Z,2,chat,3
K3,E3,2023-12-06T10:00:00Z,2023-12-06T10:30:00Z,,0,email,
K4,T02,2023-11-06T10:00:00Z,2023-11-06T10:30:00Z,2023-11-07T10:00:00Z,1,email,4
"""
SURVEYS = """\
response_id,customer_id,responded_at,score
R1,T01,2023-12-05,10
R2,T02,2023-12-06,3
R3,E1,2023-12-07,9
R4,E3,2023-11-07,8
"""
AS_OF = ["--as-of", "2024-01-15"]
DEC = {"label": "2023-12", "start": "2023-12-01", "end": "2024-01-01"}

CHURN_PASS = '[[checks]]\nmetric = "logo_churn_rate"\nwarn = "> 6%"\nfail = "> 10%"\n'
CHURN_WARN = '[[checks]]\nmetric = "logo_churn_rate"\nwarn = "> 4%"\nfail = "> 10%"\n'
CHURN_FAIL = (
    '[[checks]]\nname = "Monthly logo churn"\nmetric = "logo_churn_rate"\nwarn = "> 2%"\nfail = "> 3.5%"\n'
)
NRR_FAIL = '[[checks]]\nname = "NRR"\nmetric = "nrr"\nperiod = "2023-12"\nfail = "< 100%"\n'
FIRST_RESPONSE = '[[checks]]\nmetric = "first_response_seconds_median"\n'
ENTERPRISE = 'where = { plan = "Enterprise" }\n'
NRR_PASS = '[[checks]]\nmetric = "nrr"\nperiod = "last-month"\nwarn = "< 90%"\nfail = "< 80%"\n'


@pytest.fixture(autouse=True)
def no_checks_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSM_CHECKS", raising=False)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """subs.csv, tickets.csv and surveys.csv in the working directory."""
    (tmp_path / "subs.csv").write_text(SUBS, encoding="utf-8")
    (tmp_path / "tickets.csv").write_text(TICKETS, encoding="utf-8")
    (tmp_path / "surveys.csv").write_text(SURVEYS, encoding="utf-8")
    return tmp_path


def _checks(tmp_path: Path, *entries: str, name: str = "checks.toml") -> str:
    path = tmp_path / name
    path.write_text("\n".join(entries), encoding="utf-8")
    return str(path)


def check(checks_file: str | None, *extra: str, inputs: tuple[str, ...] = ("-s", "subs.csv")) -> Result:
    args = ["check", *([checks_file] if checks_file else []), *inputs, *AS_OF, *extra]
    return invoke(args)


def check_failed(result: Result) -> str:
    """A run whose thresholds failed: exit 1 via SystemExit, results still on stdout."""
    assert isinstance(result.exception, SystemExit), (result.exception, result.stderr)
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert result.stdout != ""
    assert "Traceback" not in result.stderr
    return result.stdout


def as_json(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data


# --------------------------------------------------------------------------------------------
# exit codes


def test_all_pass_exits_0(files: Path) -> None:
    result = ok(check(_checks(files, CHURN_PASS, NRR_PASS)))
    assert "2 passed, 0 warned, 0 failed" in result.stdout
    assert "✓ pass" in result.stdout
    assert "5.0%" in result.stdout


def test_only_warnings_exit_0(files: Path) -> None:
    result = ok(check(_checks(files, CHURN_WARN, NRR_PASS)))
    assert "1 passed, 1 warned, 0 failed" in result.stdout
    assert "! warn" in result.stdout


def test_warn_as_error_turns_a_warning_into_exit_1(files: Path) -> None:
    stdout = check_failed(check(_checks(files, CHURN_WARN, NRR_PASS), "--warn-as-error"))
    assert "1 passed, 1 warned, 0 failed" in stdout
    ok(check(_checks(files, CHURN_PASS, NRR_PASS), "--warn-as-error"))


def test_a_failed_threshold_exits_1_and_still_prints_the_results(files: Path) -> None:
    stdout = check_failed(check(_checks(files, CHURN_FAIL, NRR_PASS)))
    assert "Monthly logo churn" in stdout
    assert "✗ fail" in stdout
    assert "1 passed, 0 warned, 1 failed" in stdout
    assert "> 3.5%" in stdout


def test_a_failed_threshold_as_json_exits_1(files: Path) -> None:
    data = as_json(check_failed(check(_checks(files, CHURN_FAIL), "--format", "json")))
    assert [item["outcome"] for item in data["checks"]] == ["fail"]
    assert data["failed"] == 1


# --------------------------------------------------------------------------------------------
# formats


def test_json_shape(files: Path) -> None:
    checks = _checks(files, CHURN_FAIL, CHURN_WARN, NRR_PASS)
    data = as_json(check_failed(check(checks, "--format", "json")))
    assert list(data) == ["command", "csm_version", "as_of", "inputs", "checks", "passed", "warned", "failed"]
    assert data["command"] == "check"
    assert data["as_of"] == "2024-01-15"
    assert data["inputs"] == [{"kind": "subscriptions", "path": "subs.csv", "rows": 21}]
    assert (data["passed"], data["warned"], data["failed"]) == (1, 1, 1)
    keys = ["name", "metric", "period", "value", "warn", "fail", "outcome", "message"]
    for item in data["checks"]:
        assert list(item) == keys
        assert item["period"] == DEC
        assert item["message"] == ""
    first, second, third = data["checks"]
    assert first == {
        "name": "Monthly logo churn",
        "metric": "logo_churn_rate",
        "period": DEC,
        "value": 0.05,
        "warn": "> 2%",
        "fail": "> 3.5%",
        "outcome": "fail",
        "message": "",
    }
    assert (second["name"], second["outcome"], second["value"]) == ("logo_churn_rate", "warn", 0.05)
    assert (third["metric"], third["warn"], third["fail"]) == ("nrr", "< 90%", "< 80%")
    assert third["value"] == 5100 / 5600
    assert third["outcome"] == "pass"


def test_junit_has_one_testcase_per_check_and_failures_for_failed_ones(files: Path) -> None:
    junit = files / "out" / "checks.xml"
    junit.parent.mkdir()
    check_failed(check(_checks(files, CHURN_FAIL, CHURN_WARN, NRR_PASS), "--junit", str(junit)))
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 3
    assert [case.get("name") for case in cases] == [
        "Monthly logo churn [2023-12]",
        "logo_churn_rate [2023-12]",
        "nrr [2023-12]",
    ]
    assert [case.find("failure") is not None for case in cases] == [True, False, False]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "fail"
    assert "logo_churn_rate for 2023-12 is 5.0%" in (failure.get("message") or "")
    assert root.get("tests") == "3"
    assert root.get("failures") == "1"
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    assert [path.name for path in junit.parent.iterdir()] == ["checks.xml"]


def test_junit_with_warn_as_error_fails_warned_checks(files: Path) -> None:
    junit = files / "checks.xml"
    check_failed(check(_checks(files, CHURN_WARN, NRR_PASS), "--junit", str(junit), "--warn-as-error"))
    cases = ET.parse(junit).getroot().findall("./testsuite/testcase")
    assert len(cases) == 2
    failures = [case.find("failure") for case in cases]
    assert failures[1] is None
    assert failures[0] is not None
    assert failures[0].get("type") == "warn"
    assert ET.parse(junit).getroot().get("failures") == "1"


def test_junit_without_warn_as_error_only_notes_warnings(files: Path) -> None:
    junit = files / "checks.xml"
    ok(check(_checks(files, CHURN_WARN, NRR_PASS), "--junit", str(junit)))
    root = ET.parse(junit).getroot()
    assert root.findall(".//failure") == []
    assert root.get("failures") == "0"
    system_out = root.find("./testsuite/testcase/system-out")
    assert system_out is not None
    assert (system_out.text or "").startswith("warning: logo_churn_rate for 2023-12 is 5.0%")


def test_junit_is_written_beside_json_on_stdout(files: Path) -> None:
    junit = files / "checks.xml"
    data = as_json(ok(check(_checks(files, CHURN_PASS), "--junit", str(junit), "--format", "json")).stdout)
    assert data["passed"] == 1
    assert len(ET.parse(junit).getroot().findall(".//testcase")) == 1


def _unescape(text: str) -> str:
    for code, char in (("%3A", ":"), ("%2C", ","), ("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _annotation(line: str) -> tuple[str, str, str]:
    """A workflow command split the way the Actions runner does: level, title, message (unescaped)."""
    assert line.startswith("::")
    command, rest = line[2:].split(" ", 1)
    properties, message = rest.split("::", 1)
    assert properties.startswith("title=")
    assert "%" not in message.replace("%25", "").replace("%0A", "").replace("%0D", "")
    return command, _unescape(properties.removeprefix("title=")), _unescape(message)


def test_github_annotations(files: Path) -> None:
    stdout = check_failed(check(_checks(files, CHURN_FAIL, CHURN_WARN, NRR_PASS), "--format", "github"))
    lines = stdout.splitlines()
    assert lines[0].startswith("::error ")
    assert lines[1].startswith("::warning ")
    assert lines[-1] == "csm check: 1 passed, 1 warned, 1 failed"
    assert len(lines) == 3
    assert "5.0%25 (warn if > 2%25, fail if > 3.5%25)" in lines[0]
    assert _annotation(lines[0]) == (
        "error",
        "csm check: Monthly logo churn",
        "logo_churn_rate for 2023-12 is 5.0% (warn if > 2%, fail if > 3.5%)",
    )
    assert _annotation(lines[1]) == (
        "warning",
        "csm check: logo_churn_rate",
        "logo_churn_rate for 2023-12 is 5.0% (warn if > 4%, fail if > 10%)",
    )


def test_github_with_warn_as_error_makes_warnings_errors(files: Path) -> None:
    stdout = check_failed(check(_checks(files, CHURN_WARN), "--format", "github", "--warn-as-error"))
    assert _annotation(stdout.splitlines()[0])[:2] == ("error", "csm check: logo_churn_rate")


def test_github_all_passing_prints_only_the_counts(files: Path) -> None:
    result = ok(check(_checks(files, CHURN_PASS), "--format", "github"))
    assert result.stdout == "csm check: 1 passed, 0 warned, 0 failed\n"


def test_github_title_survives_a_name_ending_with_a_colon(files: Path) -> None:
    entry = CHURN_FAIL.replace('"Monthly logo churn"', '"Churn, 50%:"')
    line = check_failed(check(_checks(files, entry), "--format", "github")).splitlines()[0]
    # parsed the way the Actions runner does: properties end at the first '::'
    level, title, message = _annotation(line)
    assert (level, title) == ("error", "csm check: Churn, 50%:")
    assert message.startswith("logo_churn_rate for 2023-12 is 5.0%")


# --------------------------------------------------------------------------------------------
# segments, families and missing values


def test_where_restricts_to_the_customers_of_a_plan(files: Path) -> None:
    entries = (
        '[[checks]]\nmetric = "nrr"\nfail = "< 90%"\nwhere = { plan = "Enterprise" }\n',
        '[[checks]]\nmetric = "logo_churn_rate"\nfail = "> 20%"\nwhere = { plan = "Enterprise" }\n',
        '[[checks]]\nmetric = "customers_start"\nwarn = "!= 16"\nwhere = { plan = "Team" }\n',
        '[[checks]]\nmetric = "nrr"\nfail = "< 90%"\n',
    )
    data = as_json(check_failed(check(_checks(files, *entries), "--format", "json")))
    values = [(item["name"], item["value"], item["outcome"]) for item in data["checks"]]
    assert values == [
        ("nrr where plan=Enterprise", 0.875, "fail"),
        ("logo_churn_rate where plan=Enterprise", 0.25, "fail"),
        ("customers_start where plan=Team", 16, "pass"),
        ("nrr", 5100 / 5600, "pass"),
    ]


def test_support_and_nps_checks(files: Path) -> None:
    entries = (
        '[[checks]]\nname = "First response"\nmetric = "first_response_seconds_median"\n'
        'warn = "> 3000"\nfail = "> 7200"\n',
        '[[checks]]\nmetric = "csat_score"\nwarn = "< 80%"\nfail = "< 40%"\n',
        FIRST_RESPONSE + 'fail = "> 7200"\nwhere = { channel = "chat" }\n',
        '[[checks]]\nmetric = "nps"\nwarn = "< 50"\nfail = "< 0"\n',
        '[[checks]]\nmetric = "responses"\nfail = "!= 3"\n',
    )
    inputs = ("-t", "tickets.csv", "--surveys", "surveys.csv")
    data = as_json(check_failed(check(_checks(files, *entries), "--format", "json", inputs=inputs)))
    assert data["inputs"] == [
        {"kind": "tickets", "path": "tickets.csv", "rows": 4},
        {"kind": "surveys", "path": "surveys.csv", "rows": 4},
    ]
    got = [(item["value"], item["outcome"]) for item in data["checks"]]
    assert got == [
        (3600.0, "warn"),
        (0.5, "warn"),
        (10800.0, "fail"),
        (pytest.approx(100 / 3), "warn"),
        (3, "pass"),
    ]
    table = check_failed(check(_checks(files, *entries), inputs=inputs))
    assert any(line.startswith("  First response ") and " 1 h " in line for line in table.splitlines())
    assert "33.3" in table


def test_support_where_on_a_customer_attribute_after_a_revenue_check(files: Path) -> None:
    entries = (
        CHURN_PASS,
        FIRST_RESPONSE + 'fail = "> 3000"\n' + ENTERPRISE,
    )
    inputs = ("-s", "subs.csv", "-t", "tickets.csv")
    data = as_json(ok(check(_checks(files, *entries), "--format", "json", inputs=inputs)).stdout)
    assert [item["value"] for item in data["checks"]] == [0.05, 2700.0]


def test_support_where_on_a_customer_attribute_as_the_only_check(files: Path) -> None:
    entry = FIRST_RESPONSE + 'fail = "> 3000"\n' + ENTERPRISE
    inputs = ("-s", "subs.csv", "-t", "tickets.csv")
    result = check(_checks(files, entry), "--format", "json", inputs=inputs)
    assert result.exit_code == 0, result.stderr
    assert as_json(result.stdout)["checks"][0]["value"] == 2700.0


def test_a_null_value_fails_with_a_message(files: Path) -> None:
    entry = '[[checks]]\nmetric = "nrr"\nperiod = "2022-12"\nwarn = "< 100%"\n'
    data = as_json(check_failed(check(_checks(files, entry), "--format", "json")))
    item = data["checks"][0]
    assert item["value"] is None
    assert item["outcome"] == "fail"
    assert item["period"]["label"] == "2022-12"
    assert "denominator is 0" in item["message"]
    table = check_failed(check(_checks(files, entry)))
    assert "—" in table
    assert "✗ fail" in table


# --------------------------------------------------------------------------------------------
# errors


def test_a_bad_checks_file_exits_4_with_file_and_line(files: Path) -> None:
    path = _checks(files, CHURN_PASS, '[[checks]]\nmetric = "nrx"\nfail = "< 1"\n')
    line = one_line(failed(check(path), 4))
    assert line.startswith(f"csm: error: {path}:6: check 2: unknown metric 'nrx' (use one of ")
    assert "nrr" in line


def test_a_bad_condition_exits_4_naming_the_accepted_forms(files: Path) -> None:
    path = _checks(files, '# x\n[[checks]]\nmetric = "nrr"\nfail = "less than 1"\n')
    line = one_line(failed(check(path), 4))
    assert line.startswith(f"csm: error: {path}:2: check 1: fail: 'less than 1' is not a condition")
    assert "between 0.9 and 1.1" in line


def test_invalid_toml_exits_4_with_its_line(files: Path) -> None:
    path = _checks(files, '[[checks]]\nmetric = "nrr"\nfail = < 1\n')
    assert one_line(failed(check(path), 4)).startswith(f"csm: error: {path}:3: not valid TOML")


def test_a_missing_checks_file_exits_4(files: Path) -> None:
    line = one_line(failed(check("nowhere.toml"), 4))
    assert line.startswith("csm: error: nowhere.toml: no checks file")


def test_a_bad_period_in_the_checks_file_names_file_and_line(files: Path) -> None:
    path = _checks(files, CHURN_PASS, '[[checks]]\nmetric = "nrr"\nperiod = "2023-13"\nfail = "< 1"\n')
    line = one_line(failed(check(path), 4))
    assert line.startswith(f"csm: error: {path}:6: ")


def test_a_bad_period_in_the_checks_file_exits_4(files: Path) -> None:
    path = _checks(files, '[[checks]]\nmetric = "nrr"\nperiod = "2023-13"\nfail = "< 1"\n')
    assert "invalid period '2023-13'" in one_line(failed(check(path), 4))


def test_a_data_error_in_the_subscriptions_exits_3(files: Path) -> None:
    (files / "bad.csv").write_text(SUBS.replace("1500.00", "15OO.00"), encoding="utf-8")
    line = one_line(failed(check(_checks(files, CHURN_PASS), inputs=("-s", "bad.csv")), 3))
    assert line.startswith("csm: error: bad.csv:3: column 'mrr': '15OO.00' is not a number")


def test_a_missing_input_for_a_metric_is_a_usage_error(files: Path) -> None:
    entry = '[[checks]]\nmetric = "nps"\nfail = "< 0"\n'
    assert "no surveys file" in one_line(failed(check(_checks(files, entry)), 2))


def test_the_default_checks_file_is_csm_checks_toml_in_the_working_directory(files: Path) -> None:
    failed(check(None), 4)
    _checks(files, CHURN_WARN, name="csm-checks.toml")
    result = ok(check(None))
    assert "0 passed, 1 warned, 0 failed" in result.stdout


def test_csm_checks_variable_names_the_checks_file(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSM_CHECKS", _checks(files, CHURN_FAIL, name="elsewhere.toml"))
    check_failed(check(None))


def test_checks_in_csm_toml(files: Path) -> None:
    (files / "csm.toml").write_text('[subscriptions]\npath = "subs.csv"\n\n' + CHURN_WARN, encoding="utf-8")
    result = invoke(["check", *AS_OF])
    assert result.exit_code == 0, result.stderr
    assert "0 passed, 1 warned, 0 failed" in result.stdout


def test_demo_with_the_example_checks(files: Path) -> None:
    result = invoke(["check", "--demo", str(EXAMPLE_CHECKS)])
    assert isinstance(result.exception, SystemExit), (result.exception, result.stderr)
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    outcomes = [line for line in lines if any(mark in line for mark in ("✓ pass", "! warn", "✗ fail"))]
    assert len(outcomes) == 7
    for name in ("NRR at least 100%", "Monthly logo churn", "Enterprise NRR", "CSAT", "NPS"):
        assert any(name in line for line in outcomes), name
    assert "1 failed" in result.stdout
    data = as_json(invoke(["check", "--demo", str(EXAMPLE_CHECKS), "--format", "json"]).stdout)
    assert len(data["checks"]) == 7
    assert data["failed"] == 1
    assert [item["kind"] for item in data["inputs"]] == ["subscriptions", "customers", "tickets", "surveys"]


def test_demo_with_a_file_flag_is_a_usage_error(files: Path) -> None:
    assert "--demo" in one_line(failed(invoke(["check", "--demo", str(EXAMPLE_CHECKS), "-s", "subs.csv"]), 2))


# --------------------------------------------------------------------------------------------
# the installed csm as a real process

CSM = Path(sys.executable).parent / "csm"
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
COLOUR = re.compile(rb"\x1b\[(?:[0-9]+;)*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9]+)*m")


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    for name in ("CSM_CHECKS", "NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        env.pop(name, None)
    env.update(extra)
    return env


@pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")
def test_no_color_check_in_a_pipe_has_no_ansi_escapes(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(CSM), "check", "--demo", str(EXAMPLE_CHECKS)],
        cwd=tmp_path,
        capture_output=True,
        env=_env(NO_COLOR="1", TERM="xterm-256color"),
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == b""
    assert b"Enterprise NRR" in result.stdout
    assert ANSI.search(result.stdout) is None
    assert b"\x1b" not in result.stdout


@pytest.mark.skipif(not CSM.is_file() or sys.platform == "win32", reason="needs the console script and a pty")
def test_no_color_check_on_a_terminal_has_no_colours(tmp_path: Path) -> None:
    import pty

    def on_a_terminal(env: dict[str, str]) -> tuple[int, bytes]:
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [str(CSM), "check", "--demo", str(EXAMPLE_CHECKS)],
            cwd=tmp_path,
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
        )
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.close(leader)
        return process.wait(timeout=60), out

    code, coloured = on_a_terminal(_env(TERM="xterm-256color"))
    assert code == 1
    assert COLOUR.search(coloured) is not None  # the check: a terminal does get colours
    code, plain = on_a_terminal(_env(NO_COLOR="1", TERM="xterm-256color"))
    assert code == 1
    assert b"Enterprise NRR" in plain
    assert COLOUR.search(plain) is None
