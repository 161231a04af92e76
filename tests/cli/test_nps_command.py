"""`csm nps` end to end through the CLI (SPEC §1 surveys, §4 NPS rules, §5 output, §7).

The hand-made file has 20 answers in 2023-12: 9 promoters, 5 passives, 6 detractors
(45 / 25 / 30 %), so NPS = 15 and the Wald margin is 196 × sqrt((0.45 + 0.30 − 0.15²) / 20) ≈ 37.4.
Two more answers fall outside December (2023-11-30 and 2024-01-01).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import CSM_VARIABLES, failed, invoke, ok, one_line
from typer.testing import Result

# customer → industry (subscriptions below): C1 C2 C3 SaaS, C4 C5 Retail, C7 no industry,
# C6 not in the subscriptions file at all.
#   SaaS:   10 9 10 9 10 7 8 0  → 5 promoters, 2 passives, 1 detractor  (8)  NPS 50
#   Retail:  9 10 7 3 6 5       → 2 promoters, 1 passive,  3 detractors (6)  NPS −16.67
#   (none):  9 10 8 8 6 2       → 2 promoters, 2 passives, 2 detractors (6)  NPS 0
# R20 is answered 2023-12-31 23:30 UTC: 2024-01-01 00:30 in Warsaw.
SURVEYS_CSV = """\
response_id,customer_id,responded_at,score,comment
R01,C1,2023-12-01,10,great
R02,C1,2023-12-02,9,
R03,C2,2023-12-03,10,
R04,C2,2023-12-04,9,
R05,C3,2023-12-05,10,
R06,C3,2023-12-06,7,
R07,C3,2023-12-07,8,
R08,C1,2023-12-08,0,"slow, buggy"
R09,C4,2023-12-09,9,
R10,C4,2023-12-10,10,
R11,C5,2023-12-11,7,
R12,C5,2023-12-12,3,
R13,C5,2023-12-13,6,
R14,C4,2023-12-14,5,
R15,C6,2023-12-15,9,
R16,C6,2023-12-16,10,
R17,C6,2023-12-17,8,
R18,C6,2023-12-18,8,
R19,C7,2023-12-19T10:00:00Z,6,
R20,C6,2023-12-31T23:30:00Z,2,
R21,C1,2023-11-30,0,
R22,C2,2024-01-01,10,
"""

SUBSCRIPTIONS_CSV = """\
subscription_id,customer_id,plan,mrr,started_at,ended_at,industry
S1,C1,Pro,100.00,2023-01-01,,SaaS
S2,C2,Pro,100.00,2023-01-01,,SaaS
S3,C3,Basic,50.00,2023-06-01,,SaaS
S4,C4,Basic,50.00,2023-01-01,,Retail
S5,C5,Basic,50.00,2023-01-01,2023-12-15,Retail
S7,C7,Basic,50.00,2023-01-01,,
"""

DEC = ["-p", "2023-12", "--as-of", "2024-01-15"]
TOP_KEYS = {"command", "csm_version", "period", "as_of", "inputs", "values"}
VALUE_KEYS = ["responses", "promoters", "passives", "detractors", "nps", "margin_of_error_95"]
MARGIN_20 = 196 * math.sqrt((0.45 + 0.30 - 0.15**2) / 20)
WARNING_20 = "csm: warning: 20 responses give an NPS of ±37 points at 95%; about 280 are needed for ±10"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def surveys_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "surveys.csv", SURVEYS_CSV)


@pytest.fixture
def subs_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "subs.csv", SUBSCRIPTIONS_CSV)


def data(result: Result) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def warned(result: Result) -> Result:
    """A successful run whose stderr is exactly the one margin warning for the 20 answers."""
    ok(result, warns=True)
    assert result.stderr.splitlines() == [WARNING_20]
    assert "warning" not in result.stdout
    return result


def csv_rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


# --- the hand-made file ----------------------------------------------------------------------------


def test_json_values_45_25_30_give_nps_15(surveys_csv: Path) -> None:
    out = data(warned(invoke(["nps", "--surveys", "surveys.csv", *DEC, "-f", "json"])))
    assert set(out) == TOP_KEYS
    assert out["command"] == "nps"
    assert out["period"] == {"label": "2023-12", "start": "2023-12-01", "end": "2024-01-01"}
    assert out["as_of"] == "2024-01-15"
    assert out["inputs"] == [{"kind": "surveys", "path": "surveys.csv", "rows": 22}]
    values = out["values"]
    assert list(values) == VALUE_KEYS
    assert values["responses"] == 20
    assert values["promoters"] == 9
    assert values["passives"] == 5
    assert values["detractors"] == 6
    assert isinstance(values["nps"], float)
    assert values["nps"] == pytest.approx(15.0, abs=1e-12)
    assert isinstance(values["margin_of_error_95"], float)
    assert values["margin_of_error_95"] == pytest.approx(MARGIN_20, rel=1e-12)
    assert values["margin_of_error_95"] != round(values["margin_of_error_95"], 2)  # never rounded


def test_table_shows_plus_15_plus_minus_37(surveys_csv: Path) -> None:
    result = warned(invoke(["nps", "--surveys", "surveys.csv", *DEC]))
    out = result.stdout
    assert "csm nps · 2023-12 (2023-12-01 – 2023-12-31), as of 2024-01-15" in out
    assert "+15 ± 37" in out
    assert "9 (45%)" in out and "5 (25%)" in out and "6 (30%)" in out
    assert "Inputs: surveys surveys.csv (22 rows)" in out
    assert "Wald 95% margin" in out


def test_csv_one_header_and_one_row(surveys_csv: Path) -> None:
    result = warned(invoke(["nps", "--surveys", "surveys.csv", *DEC, "-f", "csv"]))
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split(",") == ["period", "period_start", "period_end", "as_of", *VALUE_KEYS]
    (row,) = csv_rows(result)
    assert row["period"] == "2023-12"
    assert [int(row[key]) for key in ("responses", "promoters", "passives", "detractors")] == [20, 9, 5, 6]
    assert float(row["nps"]) == pytest.approx(15.0)
    assert float(row["margin_of_error_95"]) == pytest.approx(MARGIN_20, rel=1e-12)


def test_tz_moves_a_late_answer_into_the_next_month(surveys_csv: Path) -> None:
    out = data(
        ok(
            invoke(["nps", "--surveys", "surveys.csv", *DEC, "--tz", "Europe/Warsaw", "-f", "json"]),
            warns=True,
        )
    )
    # R20 (a detractor, 23:30 UTC on Dec 31) is in January in Warsaw: 9 / 5 / 5 of 19.
    assert out["values"]["responses"] == 19
    assert out["values"]["detractors"] == 5
    assert out["values"]["nps"] == pytest.approx(100 * 4 / 19)


def test_period_and_as_of_filter_the_answers(surveys_csv: Path) -> None:
    november = data(
        ok(
            invoke(
                ["nps", "--surveys", "surveys.csv", "-p", "2023-11", "--as-of", "2024-01-15", "-f", "json"]
            ),
            warns=True,
        )
    )
    assert november["values"]["responses"] == 1
    assert november["values"]["nps"] == pytest.approx(-100.0)
    # As of 2023-12-10, only R01–R10 are known.
    early = data(
        ok(
            invoke(
                ["nps", "--surveys", "surveys.csv", "-p", "2023-12", "--as-of", "2023-12-10", "-f", "json"]
            ),
            warns=True,
        )
    )
    assert early["values"]["responses"] == 10


def test_no_warning_when_the_margin_is_within_10_points(tmp_path: Path) -> None:
    # 200 promoters and 200 passives: p = 0.5, d = 0 → margin = 196 × sqrt(0.25 / 400) = 4.9.
    rows = [f"R{i},C{i},2023-12-{1 + i % 28:02d},{10 if i < 200 else 7}" for i in range(400)]
    write(tmp_path / "big.csv", "response_id,customer_id,responded_at,score\n" + "\n".join(rows) + "\n")
    result = ok(invoke(["nps", "--surveys", "big.csv", *DEC, "-f", "json"]))
    assert result.stderr == ""
    values = data(result)["values"]
    assert values["nps"] == pytest.approx(50.0)
    assert values["margin_of_error_95"] == pytest.approx(4.9)
    assert "+50 ± 5" in ok(invoke(["nps", "--surveys", "big.csv", *DEC])).stdout


def write_scores(path: Path, scores: list[int]) -> Path:
    rows = [f"R{i},C{i},2023-12-05,{score}" for i, score in enumerate(scores)]
    return write(path, "response_id,customer_id,responded_at,score\n" + "\n".join(rows) + "\n")


def test_a_wide_margin_with_many_answers_warns(tmp_path: Path) -> None:
    # 20 promoters, 20 detractors: p = d = 0.5 → margin = 196 × sqrt(1 / 40) ≈ 31.
    write_scores(tmp_path / "split.csv", [10] * 20 + [0] * 20)
    result = ok(invoke(["nps", "--surveys", "split.csv", *DEC, "-f", "json"]), warns=True)
    assert result.stderr.splitlines() == [
        "csm: warning: 40 responses give an NPS of ±31 points at 95%; about 385 are needed for ±10"
    ]
    assert data(result)["values"]["nps"] == 0.0


@pytest.mark.parametrize(
    "scores", [[10] * 25, [10] * 27 + [8] * 2], ids=["25-promoters", "27-promoters-2-passives"]
)
def test_a_margin_within_10_points_never_asks_for_fewer_answers(tmp_path: Path, scores: list[int]) -> None:
    write_scores(tmp_path / "few.csv", scores)
    result = ok(invoke(["nps", "--surveys", "few.csv", *DEC, "-f", "json"]), warns=True)
    assert data(result)["values"]["margin_of_error_95"] <= 10
    assert "are needed for ±10" not in result.stderr, result.stderr


def test_an_error_line_counts_lines_inside_quoted_comments(tmp_path: Path) -> None:
    write(
        tmp_path / "bad.csv",
        'response_id,customer_id,responded_at,score,comment\nR1,A,2023-12-01,7,"two\nlines"\nR2,B,2023-12-02,12,\n',
    )
    line = one_line(failed(invoke(["nps", "--surveys", "bad.csv", *DEC]), 3))
    assert line == "csm: error: bad.csv:4: column 'score': '12' is out of range (expected 0–10)"


def test_an_unfinished_period_warns(surveys_csv: Path) -> None:
    result = ok(
        invoke(["nps", "--surveys", "surveys.csv", "-p", "2023-12", "--as-of", "2023-12-10", "-f", "json"]),
        warns=True,
    )
    assert any(
        line.startswith("csm: warning: period 2023-12 is not over") for line in result.stderr.splitlines()
    )
    assert data(result)["values"]["responses"] == 10


def test_the_warning_goes_to_stderr_in_every_format(surveys_csv: Path) -> None:
    for fmt in ("table", "json", "csv"):
        result = warned(invoke(["nps", "--surveys", "surveys.csv", *DEC, "-f", fmt]))
        assert "±37 points" not in result.stdout


def test_no_answers_in_the_period_gives_null_not_nan(surveys_csv: Path) -> None:
    result = invoke(
        ["nps", "--surveys", "surveys.csv", "-p", "2023-06", "--as-of", "2024-01-15", "-f", "json"]
    )
    ok(result, warns=True)
    assert "NaN" not in result.stdout
    values = data(result)["values"]
    assert values == {
        "responses": 0,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "nps": None,
        "margin_of_error_95": None,
    }


# --- --by an attribute from the subscriptions file ---------------------------------------------

BY_INDUSTRY = {
    "SaaS": {"responses": 8, "promoters": 5, "passives": 2, "detractors": 1, "nps": 50.0},
    "Retail": {"responses": 6, "promoters": 2, "passives": 1, "detractors": 3, "nps": -100 / 6},
    "(none)": {"responses": 6, "promoters": 2, "passives": 2, "detractors": 2, "nps": 0.0},
}


def test_by_industry_json(surveys_csv: Path, subs_csv: Path) -> None:
    args = ["nps", "--surveys", "surveys.csv", "-s", "subs.csv", *DEC, "--by", "industry", "-f", "json"]
    out = data(warned(invoke(args)))
    assert set(out) == TOP_KEYS | {"by", "groups"}
    assert out["by"] == "industry"
    assert [item["kind"] for item in out["inputs"]] == ["surveys", "subscriptions"]
    # most answers first, then by name: "(none)" sorts before "Retail"
    assert [group["group"] for group in out["groups"]] == ["SaaS", "(none)", "Retail"]
    groups = {group["group"]: group["values"] for group in out["groups"]}
    for name, expected in BY_INDUSTRY.items():
        values = groups[name]
        assert list(values) == VALUE_KEYS
        for key, want in expected.items():
            assert values[key] == pytest.approx(want), (name, key)
        p, d, n = (
            values["promoters"] / values["responses"],
            values["detractors"] / values["responses"],
            values["responses"],
        )
        assert values["margin_of_error_95"] == pytest.approx(196 * math.sqrt((p + d - (p - d) ** 2) / n))
    for key in ("responses", "promoters", "passives", "detractors"):
        assert sum(values[key] for values in groups.values()) == out["values"][key], key
    assert out["values"]["nps"] == pytest.approx(15.0)


def test_by_industry_table(surveys_csv: Path, subs_csv: Path) -> None:
    out = warned(
        invoke(["nps", "--surveys", "surveys.csv", "-s", "subs.csv", *DEC, "--by", "industry"])
    ).stdout
    lines = [line.strip() for line in out.splitlines()]
    saas = next(line for line in lines if line.startswith("SaaS "))
    assert saas.split()[1] == "8" and "+50 ±" in saas
    none = next(line for line in lines if line.startswith("(none) "))
    assert none.split()[1] == "6" and "+0 ±" in none
    retail = next(line for line in lines if line.startswith("Retail "))
    assert "-17 ±" in retail
    total = next(line for line in lines if line.startswith("Total "))
    assert total.split()[1] == "20" and "+15 ± 37" in total
    assert "industry" in out


def test_by_industry_csv(surveys_csv: Path, subs_csv: Path) -> None:
    args = ["nps", "--surveys", "surveys.csv", "-s", "subs.csv", *DEC, "--by", "industry", "-f", "csv"]
    result = warned(invoke(args))
    assert result.stdout.splitlines()[0].split(",") == [
        "period",
        "period_start",
        "period_end",
        "as_of",
        "industry",
        *VALUE_KEYS,
    ]
    rows = csv_rows(result)
    assert {row["industry"]: int(row["responses"]) for row in rows} == {"SaaS": 8, "(none)": 6, "Retail": 6}
    assert sum(int(row["responses"]) for row in rows) == 20


def test_by_plan(surveys_csv: Path, subs_csv: Path) -> None:
    args = ["nps", "--surveys", "surveys.csv", "-s", "subs.csv", *DEC, "--by", "plan", "-f", "json"]
    out = data(warned(invoke(args)))
    groups = {group["group"]: group["values"]["responses"] for group in out["groups"]}
    # Pro: C1 (R01 R02 R08) + C2 (R03 R04) = 5; Basic: C3 C4 C5 C7 = 3 + 3 + 3 + 1 = 10;
    # (none): C6, not in the subscriptions file (R15–R18, R20) = 5
    assert groups == {"Basic": 10, "(none)": 5, "Pro": 5}


def test_by_customer_id_like_mrr_by_customer_id(surveys_csv: Path, subs_csv: Path) -> None:
    args = ["nps", "--surveys", "surveys.csv", "-s", "subs.csv", *DEC, "--by", "customer_id", "-f", "json"]
    out = data(warned(invoke(args)))
    groups = {group["group"]: group["values"]["responses"] for group in out["groups"]}
    assert groups == {"C1": 3, "C2": 2, "C3": 3, "C4": 3, "C5": 3, "C7": 1, "(none)": 5}


def test_by_an_unknown_attribute_is_a_usage_error(surveys_csv: Path, subs_csv: Path) -> None:
    args = ["nps", "--surveys", "surveys.csv", "-s", "subs.csv", *DEC, "--by", "colour"]
    line = one_line(failed(invoke(args), 2))
    assert line.startswith("csm: error: cannot split by 'colour'")
    assert "industry" in line and "plan" in line


def test_by_without_a_subscriptions_file_is_a_usage_error(surveys_csv: Path) -> None:
    line = one_line(failed(invoke(["nps", "--surveys", "surveys.csv", *DEC, "--by", "industry"]), 2))
    assert "subscriptions" in line and "--subscriptions" in line


# --- the demo dataset ------------------------------------------------------------------------------


def test_demo_json() -> None:
    result = ok(invoke(["nps", "--demo", "-f", "json"]), warns=True)
    out = data(result)
    assert set(out) == TOP_KEYS
    assert out["period"] == {"label": "2025-12", "start": "2025-12-01", "end": "2026-01-01"}
    assert out["as_of"] == "2026-01-01"
    assert out["inputs"][0]["path"] == "demo:surveys.csv"
    values = out["values"]
    assert list(values) == VALUE_KEYS
    n = values["responses"]
    assert n == values["promoters"] + values["passives"] + values["detractors"] > 0
    p, d = values["promoters"] / n, values["detractors"] / n
    assert values["nps"] == pytest.approx(100 * (p - d))
    assert values["margin_of_error_95"] == pytest.approx(196 * math.sqrt((p + d - (p - d) ** 2) / n))
    # a warning is only ever on stderr, and only when the margin is wide
    if values["margin_of_error_95"] > 10:
        assert result.stderr.startswith("csm: warning:")


def test_demo_table() -> None:
    out = ok(invoke(["nps", "--demo"]), warns=True).stdout
    assert out.startswith("csm nps · 2025-12")
    assert "NPS (95% interval)" in out
    assert "Inputs: surveys demo:surveys.csv" in out


def test_demo_csv() -> None:
    result = ok(invoke(["nps", "--demo", "-f", "csv"]), warns=True)
    (row,) = csv_rows(result)
    assert row["period"] == "2025-12"
    assert int(row["responses"]) > 0


def test_demo_by_industry_adds_up() -> None:
    out = data(ok(invoke(["nps", "--demo", "--by", "industry", "-f", "json"]), warns=True))
    assert sum(group["values"]["responses"] for group in out["groups"]) == out["values"]["responses"]


def test_demo_with_a_surveys_file_is_a_usage_error(surveys_csv: Path) -> None:
    line = one_line(failed(invoke(["nps", "--demo", "--surveys", "surveys.csv"]), 2))
    assert "--demo" in line and "--surveys" in line


def test_demo_with_a_subscriptions_file_is_a_usage_error(subs_csv: Path) -> None:
    line = one_line(failed(invoke(["nps", "--demo", "-s", "subs.csv", "--by", "industry"]), 2))
    assert "--demo" in line and "--subscriptions" in line


# --- bad input (exit 3, one line, stdout empty) ---------------------------------------------------

HEADER = "response_id,customer_id,responded_at,score\n"
GOOD = "R1,C1,2023-12-01,9\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEADER + GOOD + "R2,C1,2023-12-02,11\n",
            "csm: error: bad.csv:3: column 'score': '11' is out of range (expected 0–10)",
        ),
        (
            HEADER + GOOD + "R2,C1,2023-12-02,7.5\n",
            "csm: error: bad.csv:3: column 'score': '7.5' is not a whole number",
        ),
        (
            HEADER + GOOD + "R2,C1,2023-12-02,-1\n",
            "csm: error: bad.csv:3: column 'score': '-1' is out of range (expected 0–10)",
        ),
        (
            HEADER + GOOD + "R1,C2,2023-12-02,8\n",
            "csm: error: bad.csv:3: column 'response_id': 'R1' repeats the response_id of line 2",
        ),
    ],
    ids=["score-11", "score-7.5", "score-negative", "duplicate-id"],
)
def test_bad_values_are_one_line_data_errors(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path / "bad.csv", text)
    assert one_line(failed(invoke(["nps", "--surveys", "bad.csv", *DEC]), 3)) == expected


def test_a_bad_score_outside_the_period_is_still_an_error(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + GOOD + "R2,C1,2020-05-02,11\n")
    line = one_line(failed(invoke(["nps", "--surveys", "bad.csv", *DEC]), 3))
    assert line.startswith("csm: error: bad.csv:3: column 'score': '11'")


def test_an_empty_score_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", HEADER + GOOD + "R2,C1,2023-12-02,\n")
    line = one_line(failed(invoke(["nps", "--surveys", "bad.csv", *DEC]), 3))
    assert line.startswith("csm: error: bad.csv:3: column 'score'")


def test_a_missing_required_column(tmp_path: Path) -> None:
    write(tmp_path / "bad.csv", "response_id,customer_id,responded_at\nR1,C1,2023-12-01\n")
    line = one_line(failed(invoke(["nps", "--surveys", "bad.csv", *DEC]), 3))
    assert line.startswith("csm: error: bad.csv:1: missing required column 'score'")


def test_an_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "empty.csv", "")
    line = one_line(failed(invoke(["nps", "--surveys", "empty.csv", *DEC]), 3))
    assert line.startswith("csm: error: empty.csv")
    assert "empty" in line.removeprefix("csm: error: empty.csv")


def test_a_missing_file() -> None:
    line = one_line(failed(invoke(["nps", "--surveys", "nowhere.csv", *DEC]), 3))
    assert line.startswith("csm: error: nowhere.csv")
    assert "no such file" in line


def test_a_bad_subscriptions_file_for_by(surveys_csv: Path, tmp_path: Path) -> None:
    write(
        tmp_path / "subs.csv",
        "subscription_id,customer_id,mrr,started_at,ended_at\nS1,C1,12.5x,2023-01-01,\n",
    )
    args = ["nps", "--surveys", "surveys.csv", "-s", "subs.csv", *DEC, "--by", "plan"]
    line = one_line(failed(invoke(args), 3))
    assert line.startswith("csm: error: subs.csv:2: column 'mrr': '12.5x' is not a number")


def test_no_surveys_file_at_all_is_a_usage_error() -> None:
    line = one_line(failed(invoke(["nps", *DEC]), 2))
    assert "--surveys" in line and "CSM_SURVEYS" in line


def test_surveys_from_stdin() -> None:
    result = invoke(["nps", "--surveys", "-", *DEC, "-f", "json"], input=SURVEYS_CSV.encode())
    out = data(warned(result))
    assert out["inputs"][0]["rows"] == 22
    assert out["values"]["responses"] == 20
    assert out["values"]["nps"] == pytest.approx(15.0)


# --- environment and csm.toml ----------------------------------------------------------------------


def test_csm_surveys_variable(surveys_csv: Path) -> None:
    out = data(warned(invoke(["nps", *DEC, "-f", "json"], env={"CSM_SURVEYS": "surveys.csv"})))
    assert out["inputs"][0]["path"] == "surveys.csv"
    assert out["values"]["responses"] == 20


def test_csm_subscriptions_variable_for_by(surveys_csv: Path, subs_csv: Path) -> None:
    args = ["nps", "--surveys", "surveys.csv", *DEC, "--by", "industry", "-f", "json"]
    out = data(warned(invoke(args, env={"CSM_SUBSCRIPTIONS": "subs.csv"})))
    assert {group["group"] for group in out["groups"]} == {"SaaS", "Retail", "(none)"}


def test_surveys_path_in_csm_toml(surveys_csv: Path, tmp_path: Path) -> None:
    write(tmp_path / "csm.toml", '[surveys]\npath = "surveys.csv"\n')
    out = data(warned(invoke(["nps", *DEC, "-f", "json"])))
    assert out["values"]["responses"] == 20


def test_the_flag_beats_the_variable(surveys_csv: Path, tmp_path: Path) -> None:
    write(tmp_path / "other.csv", HEADER + GOOD)
    result = invoke(["nps", "--surveys", "other.csv", *DEC, "-f", "json"], env={"CSM_SURVEYS": "surveys.csv"})
    assert data(ok(result, warns=True))["values"]["responses"] == 1


# --- the installed console script ------------------------------------------------------------------

CSM = Path(sys.executable).parent / "csm"


@pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")
def test_installed_csm_nps_demo_json(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    env["NO_COLOR"] = "1"
    result = subprocess.run(
        [str(CSM), "nps", "--demo", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["command"] == "nps"
    assert out["period"]["label"] == "2025-12"
    assert list(out["values"]) == VALUE_KEYS
    # stderr holds at most the margin warning, never data
    assert all(line.startswith("csm: warning:") for line in result.stderr.decode().splitlines())
