"""The vendor examples in examples/chargebee, examples/baremetrics, examples/delighted and
examples/typeform, each run from its own folder so that its csm.toml (which names the preset, and for
Typeform the score column) is what csm reads. Every expected value is computed by hand in a comment.

All runs are for February 2024 with --as-of 2024-03-10 and the default --tz (UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import as_json, failed, invoke, ok, one_line
from typer.testing import Result

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FEB_2024 = ["-p", "2024-02", "--as-of", "2024-03-10", "--format", "json"]
NOTE = "csm: note: "
InExample = Callable[[str], Path]


@pytest.fixture
def in_example(monkeypatch: pytest.MonkeyPatch) -> InExample:
    """Change into examples/NAME, whose csm.toml is then read as ./csm.toml."""

    def chdir(name: str) -> Path:
        folder = EXAMPLES / name
        assert (folder / "csm.toml").is_file()
        monkeypatch.chdir(folder)
        return folder

    return chdir


def notes_of(result: Result) -> list[str]:
    """The ``csm: note:`` lines on stderr (without the prefix); other lines may only be warnings."""
    lines = result.stderr.splitlines()
    assert all(line.startswith((NOTE, "csm: warning: ")) for line in lines), result.stderr
    notes = [line.removeprefix(NOTE) for line in lines if line.startswith(NOTE)]
    assert notes == as_json(result).get("notes", []), (notes, result.stdout)
    return notes


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


# --- chargebee --------------------------------------------------------------------------------
#
# examples/chargebee/Subscriptions.csv, MRR = plan_amount (already unit price × quantity) per
# billing_period × billing_period_unit:
#   Y1 acme     Active         49.00 / 1 month                       started 2023-10-05   49
#   Y2 borealis Active         50.00 / 1 month (5 × 10.00)           started 2023-11-20   50
#   Y3 cobalt   Cancelled      49.00 / 1 month, cancelled 2024-02-12                     49, churns
#   Y4 delta    Non Renewing 1200.00 / 1 year, cancelled_at 2024-06-15 = scheduled only  100
#   Y5 echo     In Trial       49.00, started 2024-02-26, trial ends 2024-03-11          0 in Feb
#   Y6 fjord    Active         49.00, started 2024-02-01, trial ended 2024-02-15         new 49
#   Y7 gamma    Cancelled      30.00 (3 × 10.00), cancelled 2024-02-20                   30, churns
#   Y8 hydra    Future         starts 2024-04-01: left out (note)
#   Y9 ion      Paused         49.00 / 1 month: still counted as running (note)          49
#   YA jade     Active        300.00 / 3 months                                          100
# Jan 31: Y1 49 + Y2 50 + Y3 49 + Y4 100 + Y7 30 + Y9 49 + YA 100 = 427.00, 7 customers.
# February: Y3 and Y7 churn (49 + 30 = 79), Y6 is new at its trial end (49).
# Feb 29: 427 − 79 + 49 = 397.00, 7 − 2 + 1 = 6 customers. Logo churn 2/7; MRR churn 79/427.
# Notes: Future left out, Paused counted, 2 trials (Y5, Y6), the snapshot sentence.

CHARGEBEE_NOTES = (
    "Subscriptions.csv: 1 subscription never started and was left out (status Future: 1)",
    "Subscriptions.csv: 1 paused subscription is counted as running",
    "Subscriptions.csv: 2 subscriptions had a trial: MRR starts at 'subscriptions.trial_end'",
    "Subscriptions.csv: expansion and contraction history is not in a Chargebee subscriptions export",
)


def check_chargebee_notes(result: Result) -> None:
    notes = notes_of(result)
    assert len(notes) == len(CHARGEBEE_NOTES), notes
    for expected, note in zip(CHARGEBEE_NOTES, notes, strict=True):
        assert note.startswith(expected), (expected, note)


def test_chargebee_example_mrr(in_example: InExample) -> None:
    in_example("chargebee")
    result = ok(invoke(["mrr", *FEB_2024]), warns=True)
    check_chargebee_notes(result)
    data = as_json(result)
    assert data["inputs"] == [
        {"kind": "subscriptions", "path": "Subscriptions.csv", "rows": 9}
    ]  # 10 − Future
    assert data["currency"] == "USD"
    values = data["values"]
    assert money(values["mrr_start"]) == Decimal("427.00")
    assert money(values["mrr_end"]) == Decimal("397.00")
    assert money(values["new_mrr"]) == Decimal("49.00")
    assert money(values["churned_mrr"]) == Decimal("79.00")
    assert money(values["net_new_mrr"]) == Decimal("-30.00")
    assert values["expansion_mrr"] == 0 and values["contraction_mrr"] == 0 and values["reactivation_mrr"] == 0
    assert (values["customers_start"], values["customers_end"]) == (7, 6)
    assert (values["new_customers"], values["churned_customers"], values["reactivated_customers"]) == (
        1,
        2,
        0,
    )


def test_chargebee_example_churn(in_example: InExample) -> None:
    in_example("chargebee")
    result = ok(invoke(["churn", *FEB_2024]), warns=True)
    check_chargebee_notes(result)
    values = as_json(result)["values"]
    assert values["churned_customers"] == 2 and values["customers_start"] == 7
    assert money(values["churned_mrr"]) == Decimal("79.00")
    assert float(values["logo_churn_rate"]) == pytest.approx(2 / 7)
    assert float(values["gross_mrr_churn_rate"]) == pytest.approx(79 / 427)
    assert float(values["net_mrr_churn_rate"]) == pytest.approx(79 / 427)  # no expansion to offset


# --- baremetrics ------------------------------------------------------------------------------
#
# examples/baremetrics/subscriptions.csv, plan_amount in cents per plan_interval × count, × quantity:
#   sub_001 cus_001 Starter 2900 month             since 2023-09-01                    29.00
#   sub_002 cus_002 Team    1000 month × 4 seats   since 2023-11-15                    40.00
#   sub_003 cus_003 Pro   99000 year               since 2023-03-01   990 / 12 =       82.50
#   sub_004 cus_004 Growth 45000 month, count 3    since 2023-10-01   450 / 3 =       150.00
#   sub_005 cus_005 Starter 2900, canceled 2024-02-10                                   29.00, churns
#   sub_006 cus_006 Team 1000 × 2, from 2024-02-05                                      new 20.00
#   sub_007 cus_007 Starter, 2023-01-01 – 2023-08-01; sub_008 cus_007 Team × 3 from 2024-02-20:
#                                                                               reactivation 30.00
#   sub_009 cus_002 Starter 2900 from 2024-02-12 (a second subscription)        expansion 29.00
#   sub_010 cus_009 Support 1500 week               since 2023-12-01   15 × 52 / 12 =  65.00
#   sub_011 cus_004 Starter 2900 2023-12-01 – 2024-02-25 (cus_004 keeps sub_004) contraction 29.00
# Jan 31: 29 + 40 + 82.50 + 150 + 29 + 65 + 29 = 424.50 over cus_001–005 and cus_009 (6).
# Feb 29: 424.50 − 29 + 20 + 30 + 29 − 29 = 445.50; customers 6 − 1 + 1 + 1 = 7.
# Logo churn 1/6; gross MRR churn (29 + 29) / 424.50; net (29 + 29 − 29) / 424.50.
# The template has no statuses: nothing is left out, and there is no note at all.


def test_baremetrics_example_mrr(in_example: InExample) -> None:
    in_example("baremetrics")
    result = ok(invoke(["mrr", *FEB_2024]))  # stderr empty: no notes, no warnings
    data = as_json(result)
    assert "notes" not in data
    assert data["inputs"] == [{"kind": "subscriptions", "path": "subscriptions.csv", "rows": 11}]
    assert data["currency"] == "USD"  # "usd" upper-cased
    values = data["values"]
    assert money(values["mrr_start"]) == Decimal("424.50")
    assert money(values["mrr_end"]) == Decimal("445.50")
    assert money(values["new_mrr"]) == Decimal("20.00")
    assert money(values["reactivation_mrr"]) == Decimal("30.00")
    assert money(values["expansion_mrr"]) == Decimal("29.00")
    assert money(values["contraction_mrr"]) == Decimal("29.00")
    assert money(values["churned_mrr"]) == Decimal("29.00")
    assert money(values["net_new_mrr"]) == Decimal("21.00")
    assert (values["customers_start"], values["customers_end"]) == (6, 7)
    assert (values["new_customers"], values["reactivated_customers"], values["churned_customers"]) == (
        1,
        1,
        1,
    )
    assert (values["expanded_customers"], values["contracted_customers"]) == (1, 1)


def test_baremetrics_example_churn(in_example: InExample) -> None:
    in_example("baremetrics")
    result = ok(invoke(["churn", *FEB_2024]))
    assert notes_of(result) == []
    values = as_json(result)["values"]
    assert values["churned_customers"] == 1 and values["customers_start"] == 6
    assert money(values["churned_mrr"]) == Decimal("29.00")
    assert float(values["logo_churn_rate"]) == pytest.approx(1 / 6)
    assert float(values["gross_mrr_churn_rate"]) == pytest.approx(58 / 424.5)
    assert float(values["net_mrr_churn_rate"]) == pytest.approx(29 / 424.5)


# --- delighted --------------------------------------------------------------------------------
#
# examples/delighted/responses.csv, created_at in Unix seconds (UTC):
#   41870001 nps 10  2024-02-03 08:15:22   promoter
#   41870002 nps  9  2024-02-05 14:02:10   promoter
#   41870003 nps  7  2024-02-08 10:45:00   passive
#   41870004 nps  3  2024-02-12 16:30:41   detractor
#   41870005 csat 5  2024-02-14            left out (not NPS)
#   41870006 nps  6  2024-02-20 11:11:11   detractor
#   41870007 ces  2  2024-02-22            left out (not NPS)
#   41870008 nps 10  2024-02-27 07:05:33   promoter
#   41870009 nps  8  2024-01-28 18:00:00   January
#   41870010 nps  9  2024-02-29 23:30:00   promoter (UTC); 2024-03-01 00:30 in Europe/Warsaw
#   41870011 nps  2  2024-03-01 00:10:00   March
# February (UTC): 7 responses, 4 promoters, 1 passive, 2 detractors: NPS = 100 × 2 / 7 = 28.571…
# margin = 196 × sqrt((4/7 + 2/7 − (2/7)²) / 7) = 196 × sqrt(38/343) = 65.238…
# In Europe/Warsaw the leap-day promoter moves to March: 6 responses, 3/1/2, NPS = 100/6.


def test_delighted_example_nps(in_example: InExample) -> None:
    in_example("delighted")
    result = ok(invoke(["nps", *FEB_2024]), warns=True)
    assert notes_of(result) == [
        "responses.csv: 2 responses were left out: 'survey_type' is not 'nps' (csat: 1, ces: 1); "
        "only NPS answers count"
    ]
    data = as_json(result)
    assert data["inputs"] == [{"kind": "surveys", "path": "responses.csv", "rows": 9}]  # 11 − csat − ces
    values = data["values"]
    assert (values["responses"], values["promoters"], values["passives"], values["detractors"]) == (
        7,
        4,
        1,
        2,
    )
    assert float(values["nps"]) == pytest.approx(200 / 7)
    assert float(values["margin_of_error_95"]) == pytest.approx(196 * (38 / 343) ** 0.5)


def test_delighted_unix_times_are_instants_read_in_tz(in_example: InExample) -> None:
    in_example("delighted")
    result = ok(invoke(["nps", *FEB_2024, "--tz", "Europe/Warsaw", "-q"]))
    values = as_json(result)["values"]
    assert (values["responses"], values["promoters"], values["passives"], values["detractors"]) == (
        6,
        3,
        1,
        2,
    )
    assert float(values["nps"]) == pytest.approx(100 / 6)


# --- typeform ---------------------------------------------------------------------------------
#
# examples/typeform/responses.csv, the score is the column named after the NPS question (mapped in
# its csm.toml), Submit Date (UTC):
#   a1b2… completed 10  2024-02-02 09:14:05   promoter
#   b2c3… completed  9  2024-02-06 13:02:00   promoter
#   c3d4… partial    3  (not submitted)       left out
#   d4e5… completed  8  2024-02-11 08:31:12   passive
#   e5f6… completed  4  2024-02-15 19:22:30   detractor
#   f607… partial    –  (not submitted)       left out
#   0718… completed 10  2024-02-21 12:00:44   promoter
#   1829… completed  2  2024-02-29 23:59:59   detractor
#   293a… completed  9  2024-03-01 00:00:01   March
#   3a4b… completed  6  2024-01-31 23:40:00   January
# February: 6 responses, 3 promoters, 1 passive, 2 detractors: NPS = 100 × 1 / 6 = 16.666…
# margin = 196 × sqrt((3/6 + 2/6 − (1/6)²) / 6) = 196 × sqrt(29/216) = 71.817…

TYPEFORM_QUESTION = "How likely is it that you would recommend Acme to a friend or colleague?"


def test_typeform_example_nps(in_example: InExample) -> None:
    in_example("typeform")
    result = ok(invoke(["nps", *FEB_2024]), warns=True)
    assert notes_of(result) == [
        "responses.csv: 2 responses were left out: 'Response Type' is not 'completed' (partial: 2); "
        "partial answers are not responses"
    ]
    data = as_json(result)
    assert data["inputs"] == [{"kind": "surveys", "path": "responses.csv", "rows": 8}]  # 10 − 2 partial
    values = data["values"]
    assert (values["responses"], values["promoters"], values["passives"], values["detractors"]) == (
        6,
        3,
        1,
        2,
    )
    assert float(values["nps"]) == pytest.approx(100 / 6)
    assert float(values["margin_of_error_95"]) == pytest.approx(196 * (29 / 216) ** 0.5)


def test_typeform_without_the_score_mapping_names_the_question() -> None:
    """Outside its folder (the tests' bare working directory) the score column is unknown: exit 3,
    pointing at the question; --map settles it."""
    path = str(EXAMPLES / "typeform" / "responses.csv")
    line = one_line(failed(invoke(["nps", "--surveys", path, "--preset", "typeform", *FEB_2024]), 3))
    assert "missing required column 'score'" in line
    assert f"columns holding only 0–10: '{TYPEFORM_QUESTION}'" in line
    mapped = invoke(
        ["nps", "--surveys", path, "--preset", "typeform", "--map", f"score={TYPEFORM_QUESTION}", *FEB_2024]
    )
    assert as_json(ok(mapped, warns=True))["values"]["responses"] == 6


# --- csm columns on every example ---------------------------------------------------------------

COLUMNS = [
    ("chargebee", "Subscriptions.csv", {"subscriptions.status": "status", "customers.id": "customer_id"}),
    ("baremetrics", "subscriptions.csv", {"plan_amount": "amount", "plan_interval_count": "interval_count"}),
    ("delighted", "responses.csv", {"survey_type": "survey_type", "created_at": "responded_at"}),
    ("typeform", "responses.csv", {TYPEFORM_QUESTION: "score", "Response Type": "response_type"}),
]
KINDS = {
    "chargebee": "subscriptions",
    "baremetrics": "subscriptions",
    "delighted": "surveys",
    "typeform": "surveys",
}


@pytest.mark.parametrize(("name", "file", "expected"), COLUMNS, ids=[c[0] for c in COLUMNS])
def test_columns_with_each_preset(
    in_example: InExample, name: str, file: str, expected: dict[str, str]
) -> None:
    """``csm columns FILE --preset NAME`` exits 0 (as a table and as JSON), nothing missing."""
    in_example(name)
    kind = KINDS[name]
    ok(invoke(["columns", file, "--preset", name]))
    report = as_json(ok(invoke(["columns", file, "--preset", name, "--format", "json"])))
    assert (report["kind"], report["preset"], report["missing"]) == (kind, name, [])
    canonical = {column["header"]: column["canonical"] for column in report["columns"]}
    for header, column in expected.items():
        assert canonical[header] == column, (header, canonical)
