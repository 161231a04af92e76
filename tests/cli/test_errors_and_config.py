"""Errors and exit codes (SPEC §7), --output, and configuration precedence (SPEC §6)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import DEC_2023, as_json, failed, invoke, ok, one_line

import csmetrics.metrics.revenue

COMMANDS = ["churn", "nrr", "expansion", "mrr"]
HEADER = "subscription_id,customer_id,mrr,started_at,ended_at\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    """Temporary files an atomic write could have left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp")


# --- data errors (exit 3) --------------------------------------------------------------------


def test_a_missing_file_is_a_data_error() -> None:
    line = one_line(failed(invoke(["churn", "-s", "nowhere.csv", *DEC_2023]), 3))
    assert line.startswith("csm: error: nowhere.csv")


def test_a_folder_given_as_the_file_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    line = one_line(failed(invoke(["churn", "-s", "folder.csv", *DEC_2023]), 3))
    assert "folder.csv" in line


@pytest.mark.parametrize("content", ["", "\n  \n"])
def test_an_empty_file_is_a_data_error(content: str, tmp_path: Path) -> None:
    write(tmp_path / "empty.csv", content)
    line = one_line(failed(invoke(["churn", "-s", "empty.csv", *DEC_2023]), 3))
    assert line.startswith("csm: error: empty.csv") and "empty" in line


def test_a_bad_value_is_one_line_naming_file_line_column_and_value(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + "S1,A,10,2023-01-01,\nS2,B,12.5x,2023-01-01,\n")
    line = one_line(failed(invoke(["churn", "-s", "bad.csv", *DEC_2023]), 3))
    assert line.startswith("csm: error: bad.csv:3: column 'mrr': '12.5x' is not a number")


def test_a_bad_value_outside_the_period_is_still_an_error(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + "S1,A,10,2019-02-30,2019-05-01\nS2,B,12,2023-01-01,\n")
    line = one_line(failed(invoke(["mrr", "-s", "bad.csv", *DEC_2023]), 3))
    assert line.startswith("csm: error: bad.csv:2: column 'started_at': '2019-02-30'")


def test_an_end_before_the_start_is_a_data_error(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + "S1,A,10,2023-05-01,2023-04-01\n")
    line = one_line(failed(invoke(["mrr", "-s", "bad.csv", *DEC_2023]), 3))
    assert line.startswith("csm: error: bad.csv:2:") and "ended_at" in line


def test_a_missing_required_column_is_a_data_error(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", "subscription_id,customer_id,started_at,ended_at\nS1,A,2023-01-01,\n")
    line = one_line(failed(invoke(["mrr", "-s", "bad.csv", *DEC_2023]), 3))
    assert "bad.csv:1" in line and "mrr" in line


# --- usage errors (exit 2) -------------------------------------------------------------------


def test_an_unknown_flag_is_a_usage_error() -> None:
    stderr = failed(invoke(["churn", "--demo", "--bogus"]), 2)
    assert "--bogus" in stderr


def test_an_unknown_command_is_a_usage_error() -> None:
    failed(invoke(["chrun", "--demo"]), 2)


def test_a_bad_format_is_a_usage_error() -> None:
    stderr = failed(invoke(["churn", "--demo", "--format", "xml"]), 2)
    assert "xml" in stderr


def test_no_subscriptions_is_a_usage_error_with_a_hint() -> None:
    line = one_line(failed(invoke(["churn", *DEC_2023]), 2))
    assert line.startswith("csm: error:")
    assert "--subscriptions" in line and "CSM_SUBSCRIPTIONS" in line and "--demo" in line


def test_a_bad_time_zone_is_a_usage_error(hand_csv: Path) -> None:
    line = one_line(failed(invoke(["churn", "-s", "subs.csv", *DEC_2023, "--tz", "Mars/Olympus"]), 2))
    assert "Mars/Olympus" in line
    failed(invoke(["churn", "-s", "subs.csv", *DEC_2023], env={"CSM_TZ": "Mars/Olympus"}), 2)


# --- internal errors (exit 70) and interrupts (exit 130) ---------------------------------------


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


@pytest.mark.parametrize("command", COMMANDS)
def test_an_internal_error_is_one_line_without_traceback(
    command: str, monkeypatch: pytest.MonkeyPatch, hand_csv: Path
) -> None:
    monkeypatch.setattr(csmetrics.metrics.revenue, "compute_bridge", boom)
    line = one_line(failed(invoke([command, "-s", "subs.csv", *DEC_2023]), 70))
    assert line.startswith("csm: internal error: RuntimeError: boom")
    assert "--debug" in line


def test_debug_shows_the_traceback_of_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, hand_csv: Path
) -> None:
    monkeypatch.setattr(csmetrics.metrics.revenue, "compute_bridge", boom)
    stderr = failed(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "--debug"]), 70)
    assert "Traceback (most recent call last)" in stderr
    assert "RuntimeError: boom" in stderr
    assert stderr.splitlines()[-1].startswith("csm: internal error: RuntimeError: boom")


def test_ctrl_c_exits_130_without_traceback(monkeypatch: pytest.MonkeyPatch, hand_csv: Path) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(csmetrics.metrics.revenue, "compute_bridge", interrupt)
    one_line(failed(invoke(["churn", "-s", "subs.csv", *DEC_2023]), 130))


# --- --output --------------------------------------------------------------------------------


def test_output_writes_the_file_and_nothing_on_stdout(tmp_path: Path, hand_csv: Path) -> None:
    (tmp_path / "out").mkdir()
    result = ok(invoke(["churn", "-s", "subs.csv", *DEC_2023, "-f", "json", "-o", "out/churn.json"]))
    assert result.stdout == ""
    assert json.loads((tmp_path / "out" / "churn.json").read_text(encoding="utf-8"))["command"] == "churn"
    assert leftovers(tmp_path / "out") == []


def test_output_writes_json_csv_and_table(tmp_path: Path, hand_csv: Path) -> None:
    for fmt in ("json", "csv", "table"):
        target = tmp_path / f"churn.{fmt}"
        result = ok(invoke(["churn", "-s", "subs.csv", *DEC_2023, "-f", fmt, "--output", str(target)]))
        assert result.stdout == ""
        assert target.is_file()
    assert json.loads((tmp_path / "churn.json").read_text(encoding="utf-8"))["command"] == "churn"
    assert (tmp_path / "churn.csv").read_text(encoding="utf-8").startswith("period,")
    assert "Logo churn rate" in (tmp_path / "churn.table").read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []


def test_output_equals_what_stdout_would_carry(tmp_path: Path, hand_csv: Path) -> None:
    args = ["mrr", "-s", "subs.csv", *DEC_2023, "-f", "json"]
    ok(invoke([*args, "-o", "mrr.json"]))
    assert (tmp_path / "mrr.json").read_text(encoding="utf-8") == ok(invoke(args)).stdout


def test_output_replaces_an_existing_file(tmp_path: Path, hand_csv: Path) -> None:
    target = write(tmp_path / "churn.json", "old")
    ok(invoke(["churn", "-s", "subs.csv", *DEC_2023, "-f", "json", "-o", "churn.json"]))
    assert json.loads(target.read_text(encoding="utf-8"))["command"] == "churn"
    assert leftovers(tmp_path) == []


def test_output_to_a_missing_folder_is_a_data_error(tmp_path: Path, hand_csv: Path) -> None:
    line = one_line(failed(invoke(["churn", "-s", "subs.csv", *DEC_2023, "-o", "no/such/out.json"]), 3))
    assert "no/such/out.json" in line
    assert not (tmp_path / "no").exists()


def test_output_onto_a_folder_is_a_data_error_and_leaves_no_temp_file(tmp_path: Path, hand_csv: Path) -> None:
    (tmp_path / "taken").mkdir()
    one_line(failed(invoke(["churn", "-s", "subs.csv", *DEC_2023, "-f", "json", "-o", "taken"]), 3))
    assert leftovers(tmp_path) == []
    assert list((tmp_path / "taken").iterdir()) == []


def test_a_failed_run_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + "S1,A,12.5x,2023-01-01,\n")
    failed(invoke(["churn", "-s", "bad.csv", *DEC_2023, "-o", "new.json"]), 3)
    assert not (tmp_path / "new.json").exists()
    old = write(tmp_path / "old.json", "previous result")
    failed(invoke(["churn", "-s", "bad.csv", *DEC_2023, "-o", "old.json"]), 3)
    assert old.read_text(encoding="utf-8") == "previous result"
    assert leftovers(tmp_path) == []


def test_an_internal_error_leaves_no_output_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hand_csv: Path
) -> None:
    monkeypatch.setattr(csmetrics.metrics.revenue, "compute_bridge", boom)
    failed(invoke(["mrr", "-s", "subs.csv", *DEC_2023, "-o", "mrr.json"]), 70)
    assert not (tmp_path / "mrr.json").exists()
    assert leftovers(tmp_path) == []


# --- a bad csm.toml (exit 4) ------------------------------------------------------------------


def config_error(toml: str, tmp_path: Path, hand_csv: Path) -> str:
    write(tmp_path / "csm.toml", toml)
    return one_line(failed(invoke(["churn", "-s", "subs.csv", *DEC_2023]), 4))


def test_invalid_toml_names_the_file_and_line(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('# settings\n\n[subscriptions\npath = "subs.csv"\n', tmp_path, hand_csv)
    assert "csm.toml:3:" in line and "TOML" in line


def test_an_unknown_key_names_the_file_and_line(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('# settings\n[subscriptions]\npath = "subs.csv"\nbogus = 1\n', tmp_path, hand_csv)
    assert "csm.toml:4:" in line and "bogus" in line and "unknown key" in line


def test_an_unknown_top_level_key_names_the_line(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('# settings\nformatt = "json"\n', tmp_path, hand_csv)
    assert "csm.toml:2:" in line and "formatt" in line


@pytest.mark.parametrize(
    ("toml", "line_no", "key"),
    [
        ('# s\n[subscriptions]\npath = "subs.csv"\ndelimiter = 5\n', 4, "delimiter"),
        ("# s\n[subscriptions]\npath = 5\n", 3, "path"),
        ('format = "xml"\n', 1, "format"),
        ('[tickets]\npath = "t.csv"\n[subscriptions]\npath = ["a"]\n', 4, "subscriptions.path"),
        (
            '[subscriptions]\npath = "subs.csv"\n\n[subscriptions.columns]\ncustomer_id = 5\n',
            5,
            "customer_id",
        ),
    ],
)
def test_a_wrong_type_names_the_file_the_line_and_what_was_expected(
    toml: str, line_no: int, key: str, tmp_path: Path, hand_csv: Path
) -> None:
    line = config_error(toml, tmp_path, hand_csv)
    assert f"csm.toml:{line_no}:" in line, line
    assert key in line and "expected" in line


def test_a_missing_config_file_is_a_config_error(hand_csv: Path) -> None:
    line = one_line(failed(invoke(["churn", "-s", "subs.csv", *DEC_2023, "--config", "nope.toml"]), 4))
    assert "nope.toml" in line


def test_a_bad_time_zone_in_csm_toml_is_a_config_error(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('# s\ntz = "Mars/Olympus"\n', tmp_path, hand_csv)
    assert "csm.toml:2:" in line


def test_an_unknown_section_names_its_line(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('# s\n\n[subscription]\npath = "subs.csv"\n', tmp_path, hand_csv)
    assert "csm.toml:3:" in line


def test_a_dotted_key_with_a_wrong_type_names_its_line(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error("# s\n\nsubscriptions.delimiter = 7\n", tmp_path, hand_csv)
    assert "csm.toml:3:" in line


def test_a_delimiter_longer_than_one_character_is_a_config_error(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('[subscriptions]\ndelimiter = "||"\n', tmp_path, hand_csv)
    assert "csm.toml:2:" in line and "delimiter" in line


def test_a_string_for_a_boolean_is_a_config_error(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('[subscriptions]\ndecimal_comma = "yes"\n', tmp_path, hand_csv)
    assert "csm.toml:2:" in line and "decimal_comma" in line


def test_an_unknown_column_mapping_is_a_config_error(tmp_path: Path, hand_csv: Path) -> None:
    line = config_error('[subscriptions.columns]\nplna = "plan"\n', tmp_path, hand_csv)
    assert "csm.toml:2:" in line and "plna" in line


# --- precedence: flag > CSM_* > csm.toml > default (SPEC §6) ------------------------------------


@pytest.fixture
def three_sources(tmp_path: Path) -> None:
    """flag.csv has 1 row, env.csv 2 rows, toml.csv 3 rows: the row count tells which was read."""
    rows = ["S1,A,10,2023-01-01,", "S2,B,20,2023-01-01,", "S3,C,30,2023-01-01,"]
    for name, count in (("flag", 1), ("env", 2), ("toml", 3)):
        write(tmp_path / f"{name}.csv", HEADER + "\n".join(rows[:count]) + "\n")


def rows_read(args: list[str], env: dict[str, str] | None = None) -> int:
    data = as_json(ok(invoke(["mrr", *args, *DEC_2023, "-f", "json"], env=env)))
    rows: int = data["inputs"][0]["rows"]
    return rows


def test_subscriptions_flag_beats_variable_beats_csm_toml(three_sources: None, tmp_path: Path) -> None:
    env = {"CSM_SUBSCRIPTIONS": "env.csv"}
    write(tmp_path / "csm.toml", '[subscriptions]\npath = "toml.csv"\n')
    assert rows_read(["-s", "flag.csv"], env) == 1
    assert rows_read(["--subscriptions", "flag.csv"]) == 1
    assert rows_read([], env) == 2
    assert rows_read([]) == 3
    (tmp_path / "csm.toml").unlink()
    assert rows_read([], env) == 2
    failed(invoke(["mrr", *DEC_2023]), 2)


def test_format_flag_beats_variable_beats_csm_toml(hand_csv: Path, tmp_path: Path) -> None:
    args = ["churn", "-s", "subs.csv", *DEC_2023]
    assert ok(invoke(args, env={"CSM_FORMAT": "json"})).stdout.startswith("{")
    assert ok(invoke([*args, "-f", "csv"], env={"CSM_FORMAT": "json"})).stdout.startswith("period,")
    write(tmp_path / "csm.toml", 'format = "csv"\n')
    assert ok(invoke(args)).stdout.startswith("period,")
    assert ok(invoke(args, env={"CSM_FORMAT": "json"})).stdout.startswith("{")
    assert ok(invoke([*args, "-f", "table"], env={"CSM_FORMAT": "json"})).stdout.startswith("csm churn")


def test_time_zone_flag_beats_variable_beats_csm_toml(tmp_path: Path) -> None:
    """A start at 23:30 UTC on 2023-11-30 is 2023-12-01 in Warsaw: new in December only there."""
    write(tmp_path / "tz.csv", HEADER + "S1,A,10.00,2023-11-30T23:30:00Z,\nS2,B,20.00,2023-01-01,\n")

    def new_customers(args: list[str], env: dict[str, str] | None = None) -> int:
        values = as_json(ok(invoke(["mrr", "-s", "tz.csv", *DEC_2023, "-f", "json", *args], env=env)))[
            "values"
        ]
        count: int = values["new_customers"]
        return count

    assert new_customers([]) == 0
    write(tmp_path / "csm.toml", 'tz = "Europe/Warsaw"\n')
    assert new_customers([]) == 1
    assert new_customers([], {"CSM_TZ": "UTC"}) == 0
    assert new_customers(["--tz", "Europe/Warsaw"], {"CSM_TZ": "UTC"}) == 1


POLISH = (
    "subscription_id;ID klienta;plan;MRR (zł);started_at;ended_at\n"
    "S1;A;Basic;100.00;2023-01-01;2023-12-15\n"
    "S2;B;Pro;250.50;2023-12-10;\n"
)
POLISH_TOML = """\
[subscriptions]
path = "exports/subskrypcje.csv"
delimiter = ";"

[subscriptions.columns]
customer_id = "ID klienta"
mrr = "MRR (zł)"
"""


def check_polish(values: dict[str, object]) -> None:
    assert values["churned_customers"] == 1
    assert values["churned_mrr"] == Decimal("100.00")
    assert values["new_mrr"] == Decimal("250.50")
    assert values["mrr_end"] == Decimal("250.50")


def test_column_mapping_and_delimiter_from_csm_toml(tmp_path: Path) -> None:
    write(tmp_path / "exports" / "subskrypcje.csv", POLISH)
    write(tmp_path / "csm.toml", POLISH_TOML)
    data = as_json(ok(invoke(["mrr", *DEC_2023, "-f", "json"])))
    check_polish(data["values"])
    assert data["inputs"][0]["path"].endswith("subskrypcje.csv")


def test_column_mapping_applies_to_a_path_given_by_flag(tmp_path: Path) -> None:
    write(tmp_path / "other.csv", POLISH)
    write(tmp_path / "csm.toml", POLISH_TOML)
    check_polish(as_json(ok(invoke(["mrr", "-s", "other.csv", *DEC_2023, "-f", "json"])))["values"])


def test_config_option_reads_paths_relative_to_the_toml_folder(tmp_path: Path) -> None:
    write(tmp_path / "project" / "exports" / "subskrypcje.csv", POLISH)
    write(tmp_path / "project" / "settings.toml", POLISH_TOML)
    write(tmp_path / "csm.toml", "this is not toml [")  # ignored when --config is given
    data = as_json(ok(invoke(["mrr", "--config", "project/settings.toml", *DEC_2023, "-f", "json"])))
    check_polish(data["values"])
    assert (
        Path(data["inputs"][0]["path"]).resolve()
        == (tmp_path / "project" / "exports" / "subskrypcje.csv").resolve()
    )
    env = {"CSM_CONFIG": "project/settings.toml"}
    check_polish(as_json(ok(invoke(["mrr", *DEC_2023, "-f", "json"], env=env)))["values"])


def test_config_from_a_subfolder_of_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "project" / "exports" / "subskrypcje.csv", POLISH)
    write(tmp_path / "project" / "csm.toml", POLISH_TOML)
    monkeypatch.chdir(tmp_path / "project" / "exports")
    data = as_json(ok(invoke(["mrr", "--config", "../csm.toml", *DEC_2023, "-f", "json"])))
    check_polish(data["values"])
