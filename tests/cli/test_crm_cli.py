"""The customers (CRM) file end to end: ``--customers FILE``, the hubspot and salesforce presets, the
examples in examples/hubspot and examples/salesforce (each run from its own folder so that its
csm.toml is what csm reads), bad customers files, and the demo's customers.csv.

Every expected value is computed by hand in a comment.
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from cli_helpers import CSM_VARIABLES, as_json, failed, invoke, ok, one_line
from typer.testing import Result

from csmetrics.data import demo_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Q1_2024 = ["-p", "2024-Q1", "--as-of", "2024-04-01"]
FEB_2024 = ["-p", "2024-02", "--as-of", "2024-04-01"]
ERROR = "csm: error: "
CRM_ONLY_NOTE = "2 accounts of the customers file without any subscription: counted as registered, never paid"
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


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def csv_rows(result: Result) -> list[list[str]]:
    return list(csv.reader(io.StringIO(result.stdout)))


def groups_of(result: Result) -> dict[str, dict[str, Any]]:
    return {group["group"]: group["values"] for group in as_json(result)["groups"]}


def segments_of(result: Result) -> dict[str, dict[str, Any]]:
    return {entry["value"]: entry for entry in as_json(result)["values"]["segments"]}


# --- onboarding on the examples ------------------------------------------------------------------
#
# examples/hubspot: companies.csv (Record ID, Create Date read as its day) and subscriptions.csv
#   9001 Acme      created 2024-01-03  Pro 490 from 2024-01-03                first paid Jan 3:   0 days
#   9002 Borealis  created 2024-01-10  Starter 99 2024-01-25 – 2024-03-01     first paid Jan 25: 15 days
#   9003 Cobalt    created 2024-01-20  Free 0 Jan 20 – Feb 5, Pro 490 Feb 5   first paid Feb 5:  16 days
#   9004 Delta     created 2024-02-02  no subscription: registered, never paid (CRM only)
#   9005 Echo      created 2024-02-14  no subscription: registered, never paid (CRM only)
#   9006 Fjord     created 2024-02-20  Starter 99 from 2024-03-25             34 days > 30: not converted
# 2024-Q1, as of 2024-04-01:
#   January:  9001, 9002, 9003 registered, all 3 converted; days 0, 15, 16: median 15, mean 31/3
#   February: 9004, 9005, 9006 registered, none converted
#   March:    nobody registered
#   Q1: registered 6, converted 3, rate 3/6 = 0.5, median of (0, 15, 16) = 15, mean 31/3 = 10.33…
#
# examples/salesforce: accounts.csv (Account ID, Created Date in US m/d/yyyy) and subscriptions.csv,
#   the same story without Fjord: 0015g00000Ab001–003 as 9001–9003, Ab004 (2/2/2024) and
#   Ab005 (2/14/2024) never paid.
#   Q1: registered 5, converted 3, rate 3/5 = 0.6, median 15, mean 31/3; February 2 registered, 0 paid.


class Expected(NamedTuple):
    files: list[tuple[str, str, int]]
    registered: int
    converted: int
    rate: float
    months: list[tuple[str, int, int]]


ONBOARDING = {
    "hubspot": Expected(
        [("subscriptions", "subscriptions.csv", 5), ("customers", "companies.csv", 6)],
        6,
        3,
        0.5,
        [("2024-01", 3, 3), ("2024-02", 3, 0), ("2024-03", 0, 0)],
    ),
    "salesforce": Expected(
        [("subscriptions", "subscriptions.csv", 4), ("customers", "accounts.csv", 5)],
        5,
        3,
        0.6,
        [("2024-01", 3, 3), ("2024-02", 2, 0), ("2024-03", 0, 0)],
    ),
}


@pytest.mark.parametrize("name", ["hubspot", "salesforce"])
def test_example_onboarding_json(in_example: InExample, name: str) -> None:
    in_example(name)
    expected = ONBOARDING[name]
    data = as_json(ok(invoke(["onboarding", *Q1_2024, "--format", "json"]), warns=True))
    assert data["command"] == "onboarding"
    assert data["inputs"] == [{"kind": k, "path": p, "rows": n} for k, p, n in expected.files]
    registered, converted, rate = expected.registered, expected.converted, expected.rate
    values = data["values"]
    assert list(values) == [
        "registered_accounts",
        "converted_accounts",
        "conversion_rate",
        "days_to_first_payment_median",
        "days_to_first_payment_mean",
    ]
    assert values["registered_accounts"] == registered
    assert values["converted_accounts"] == converted
    assert float(values["conversion_rate"]) == pytest.approx(rate)
    assert float(values["days_to_first_payment_median"]) == 15.0
    assert float(values["days_to_first_payment_mean"]) == pytest.approx(31 / 3)
    months = [(m["month"], m["registered_accounts"], m["converted_accounts"]) for m in data["months"]]
    assert months == expected.months
    january = data["months"][0]
    assert float(january["conversion_rate"]) == 1.0
    assert float(january["days_to_first_payment_median"]) == 15.0
    assert data["months"][1]["days_to_first_payment_median"] is None  # nobody converted in February
    assert data["notes"] == [CRM_ONLY_NOTE]


@pytest.mark.parametrize("name", ["hubspot", "salesforce"])
def test_example_onboarding_table(in_example: InExample, name: str) -> None:
    in_example(name)
    result = ok(invoke(["onboarding", *Q1_2024]), warns=True)
    registered, converted = ONBOARDING[name].registered, ONBOARDING[name].converted
    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["Registered", "accounts", str(registered)] in lines
    assert ["Converted", "(paid", "within", "the", "window)", str(converted)] in lines
    assert ["Conversion", "rate", f"{100 * converted / registered:.1f}%"] in lines
    assert ["Days", "to", "first", "payment,", "median", "15.0", "d"] in lines
    assert ["Days", "to", "first", "payment,", "mean", "10.3", "d"] in lines
    assert ["2024-01", "3", "3", "100.0%", "15.0", "d"] in lines
    feb_registered = ONBOARDING[name].months[1][1]
    assert ["2024-02", str(feb_registered), "0", "0.0%", "—"] in lines
    assert CRM_ONLY_NOTE in result.stdout  # a table's notes are printed under it


@pytest.mark.parametrize("name", ["hubspot", "salesforce"])
def test_example_onboarding_csv(in_example: InExample, name: str) -> None:
    in_example(name)
    result = invoke(["onboarding", *Q1_2024, "--format", "csv"])
    ok(result, warns=True)
    feb = ONBOARDING[name].months[1][1]
    assert csv_rows(result) == [
        [
            "month",
            "registered_accounts",
            "converted_accounts",
            "conversion_rate",
            "days_to_first_payment_median",
            "days_to_first_payment_mean",
        ],
        ["2024-01", "3", "3", "1.0", "15.0", "10.333333333333334"],
        ["2024-02", str(feb), "0", "0.0", "", ""],
        ["2024-03", "0", "0", "", "", ""],
    ]


# --- CRM attributes in --by and segments ---------------------------------------------------------
#
# February 2024 (opening state Jan 31, closing Feb 29), hubspot example:
#   Jan 31: 9001 490 (Retail, Anna Nowak), 9002 99 (Computer Software, Piotr Wiśniewski), 9003 free
#   Feb 29: 9001 490, 9002 99 (ends Mar 1), 9003 490 (Hospital & Health Care, Anna Nowak): new
#   Total: 589.00 → 1079.00, customers 2 → 3, new 490.00
#   By owner: Anna Nowak 490 → 980 (1 → 2), Piotr Wiśniewski 99 → 99 (1 → 1)
# salesforce example: the same, with Retail / Technology / Healthcare and Jane Doe / Pat Lee.

INDUSTRIES = {
    "hubspot": ("Retail", "Computer Software", "Hospital & Health Care"),
    "salesforce": ("Retail", "Technology", "Healthcare"),
}
OWNERS = {"hubspot": ("Anna Nowak", "Piotr Wiśniewski"), "salesforce": ("Jane Doe", "Pat Lee")}


@pytest.mark.parametrize("name", ["hubspot", "salesforce"])
def test_example_mrr_by_industry(in_example: InExample, name: str) -> None:
    in_example(name)
    result = ok(invoke(["mrr", *FEB_2024, "--by", "industry", "--format", "json"]))
    data = as_json(result)
    assert data["by"] == "industry"
    assert money(data["values"]["mrr_start"]) == Decimal("589.00")
    assert money(data["values"]["mrr_end"]) == Decimal("1079.00")
    retail, software, health = INDUSTRIES[name]
    groups = groups_of(result)
    assert set(groups) == {retail, software, health}  # no "(none)": every billed account is in the CRM
    summary = {
        group: (
            money(values["mrr_start"]),
            money(values["mrr_end"]),
            money(values["new_mrr"]),
            values["customers_start"],
            values["customers_end"],
        )
        for group, values in groups.items()
    }
    assert summary == {
        retail: (Decimal("490.00"), Decimal("490.00"), Decimal("0.00"), 1, 1),
        software: (Decimal("99.00"), Decimal("99.00"), Decimal("0.00"), 1, 1),
        health: (Decimal("0.00"), Decimal("490.00"), Decimal("490.00"), 0, 1),
    }


@pytest.mark.parametrize("name", ["hubspot", "salesforce"])
def test_example_segments_by_owner(in_example: InExample, name: str) -> None:
    in_example(name)
    result = ok(invoke(["segments", *FEB_2024, "--by", "owner", "--format", "json"]))
    first, second = OWNERS[name]
    segments = segments_of(result)
    assert set(segments) == {first, second}
    assert all(entry["trait"] == "owner" for entry in segments.values())
    assert (segments[first]["customers_start"], segments[first]["customers_end"]) == (1, 2)
    assert money(segments[first]["mrr_start"]) == Decimal("490.00")
    assert money(segments[first]["mrr_end"]) == Decimal("980.00")
    assert segments[first]["new_customers"] == 1
    assert (segments[second]["customers_start"], segments[second]["customers_end"]) == (1, 1)
    assert money(segments[second]["mrr_end"]) == Decimal("99.00")
    assert all(entry["small"] is True for entry in segments.values())  # fewer than 30 at the start
    table = ok(invoke(["segments", *FEB_2024, "--by", "owner"]))
    assert first in table.stdout and second in table.stdout


# --- the preset on the command line --------------------------------------------------------------


def test_preset_and_customers_on_the_command_line_give_the_example_json(
    in_example: InExample, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = in_example("hubspot")
    with_toml = as_json(ok(invoke(["onboarding", *Q1_2024, "--format", "json"]), warns=True))
    monkeypatch.chdir(tmp_path)  # no csm.toml here: everything comes from the flags
    assert not Path("csm.toml").exists()
    args = [
        "onboarding",
        "-s",
        str(folder / "subscriptions.csv"),
        "--customers",
        str(folder / "companies.csv"),
        "--preset",
        "hubspot",
        *Q1_2024,
        "--format",
        "json",
    ]
    flags = as_json(ok(invoke(args), warns=True))
    assert flags["inputs"] == [
        {"kind": "subscriptions", "path": str(folder / "subscriptions.csv"), "rows": 5},
        {"kind": "customers", "path": str(folder / "companies.csv"), "rows": 6},
    ]
    for key in ("values", "months", "notes", "period", "as_of", "currency"):
        assert flags[key] == with_toml[key], key


def test_the_crm_file_without_its_preset_has_no_customer_id(
    in_example: InExample, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = in_example("hubspot")
    monkeypatch.chdir(folder.parent)
    args = ["onboarding", "-s", "hubspot/subscriptions.csv", "--customers", "hubspot/companies.csv"]
    line = one_line(failed(invoke([*args, *Q1_2024]), 3))
    assert line.startswith(f"{ERROR}hubspot/companies.csv:1: missing required column 'customer_id' ")
    assert "Record ID" in line  # the header is listed


def test_a_crm_preset_without_customers_is_a_usage_error(hand_csv: Path) -> None:
    line = one_line(failed(invoke(["onboarding", "-s", "subs.csv", "--preset", "hubspot", *Q1_2024]), 2))
    assert line == (
        f"{ERROR}the hubspot preset reads customers exports, not subscriptions "
        "(for subscriptions: stripe, chargebee, baremetrics)"
    )
    line = one_line(failed(invoke(["mrr", "-s", "subs.csv", "--preset", "salesforce", *Q1_2024]), 2))
    assert line.startswith(f"{ERROR}the salesforce preset reads customers exports, not subscriptions")


# --- customers files of one's own ----------------------------------------------------------------
#
# The hand-made subscriptions below, registered through the CRM file:
#   a  CRM 2024-01-03, paid from 2024-01-03           0 days
#   b  CRM 2024-01-10, paid from 2024-01-25          15 days
#   c  CRM 2024-01-20, free Jan 20 – Feb 5, paid Feb 5: 16 days
#   d  CRM 2024-02-02, no subscription: registered, never paid

SUBS = """\
subscription_id,customer_id,plan,mrr,currency,started_at,ended_at
s1,a,Pro,490.00,PLN,2024-01-03,
s2,b,Starter,99.00,PLN,2024-01-25,
s3,c,Free,0.00,PLN,2024-01-20,2024-02-05
s4,c,Pro,490.00,PLN,2024-02-05,
"""
CRM_ROWS = [
    ("a", "Paweł Wiśniewski", "2024-01-03"),
    ("b", "Żaneta Łęcka", "2024-01-10"),
    ("c", "Paweł Wiśniewski", "2024-01-20"),
    ("d", "Zofia Ćwik", "2024-02-02"),
]


def crm_text(rows: list[tuple[str, str, str]] = CRM_ROWS) -> str:
    return "customer_id,owner,registered_at\n" + "".join(f"{c},{o},{r}\n" for c, o, r in rows)


@pytest.fixture
def subs(tmp_path: Path) -> Path:
    path = tmp_path / "subs.csv"
    path.write_text(SUBS, encoding="utf-8")
    return path


def onboarding_json(customers: str, *extra: str) -> dict[str, Any]:
    args = ["onboarding", "-s", "subs.csv", "--customers", customers, *Q1_2024, "--format", "json", *extra]
    result = ok(invoke(args), warns=True)
    data = as_json(result)
    assert result.stderr == "".join(f"csm: note: {note}\n" for note in data.get("notes", []))
    return data


def test_own_crm_file_csv(subs: Path, tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(crm_text(), encoding="utf-8")
    data = onboarding_json("crm.csv")
    # registered a, b, c (January) and d (February) = 4; converted a, b, c: median 15, mean 31/3
    assert data["values"]["registered_accounts"] == 4
    assert data["values"]["converted_accounts"] == 3
    assert float(data["values"]["conversion_rate"]) == 0.75
    assert float(data["values"]["days_to_first_payment_median"]) == 15.0
    assert data["notes"] == [
        "1 account of the customers file without any subscription: counted as registered, never paid"
    ]


def test_own_crm_file_parquet(subs: Path, tmp_path: Path) -> None:
    import polars as pl

    pl.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "owner": [owner for _, owner, _ in CRM_ROWS],
            "registered_at": [date.fromisoformat(day) for _, _, day in CRM_ROWS],
        }
    ).write_parquet(tmp_path / "crm.parquet")
    data = onboarding_json("crm.parquet")
    assert data["inputs"][1] == {"kind": "customers", "path": "crm.parquet", "rows": 4}
    assert (data["values"]["registered_accounts"], data["values"]["converted_accounts"]) == (4, 3)


def test_the_crm_registration_wins_over_the_subscriptions(tmp_path: Path) -> None:
    # billing says a registered 2024-01-20; the CRM says 2023-12-20: a is not in January's cohort
    (tmp_path / "subs.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at,registered_at\n"
        "s1,a,100,2024-01-20,,2024-01-20\n"
        "s2,b,100,2024-01-25,,2024-01-05\n",
        encoding="utf-8",
    )
    (tmp_path / "crm.csv").write_text("customer_id,registered_at\na,2023-12-20\n", encoding="utf-8")
    args = ["onboarding", "-s", "subs.csv", "--customers", "crm.csv", "--as-of", "2024-04-01", "-f", "json"]
    january = as_json(ok(invoke([*args, "-p", "2024-01"]), warns=True))["values"]
    assert january["registered_accounts"] == 1  # only b (billing's 2024-01-05, not in the CRM)
    assert float(january["days_to_first_payment_mean"]) == 20.0
    december = as_json(ok(invoke([*args, "-p", "2023-12"]), warns=True))["values"]
    assert december["registered_accounts"] == 1  # a: Dec 20 → Jan 20 = 31 days, not converted
    assert december["converted_accounts"] == 0


def test_crm_only_accounts_without_registered_at_are_left_out_with_a_note(subs: Path, tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(crm_text([*CRM_ROWS, ("e", "Zofia Ćwik", "")]), encoding="utf-8")
    data = onboarding_json("crm.csv")
    assert data["values"]["registered_accounts"] == 4  # e cannot be placed in a period
    assert data["notes"] == [
        "1 account of the customers file without any subscription: counted as registered, never paid",
        "1 account of the customers file without any subscription or registered_at: left out (no "
        "registration day places them in a period)",
    ]


def test_onboarding_trials_with_a_crm_file(subs: Path, tmp_path: Path) -> None:
    # c's free row Jan 20 – Feb 5 is the only trial; it paid 16 days after it started
    (tmp_path / "crm.csv").write_text(crm_text(), encoding="utf-8")
    values = onboarding_json("crm.csv", "--trials")["values"]
    assert (values["trial_starts"], values["trial_conversions"], values["trial_conversion_rate"]) == (
        1,
        1,
        1.0,
    )
    assert values["registered_accounts"] == 4


# --- bad customers files ---------------------------------------------------------------------------


def crm_error(subs: Path, name: str) -> str:
    """The one stderr line of ``csm onboarding`` with ``--customers NAME``, which must exit 3."""
    return one_line(failed(invoke(["onboarding", "-s", str(subs.name), "--customers", name, *Q1_2024]), 3))


def test_missing_customers_file(subs: Path) -> None:
    line = crm_error(subs, "nope.csv")
    assert line.startswith(f"{ERROR}nope.csv: no such file"), line


def test_empty_customers_file(subs: Path, tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_bytes(b"")
    assert crm_error(subs, "crm.csv") == f"{ERROR}crm.csv: is empty: expected a header line and data rows"


def test_header_only_customers_file(subs: Path, tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text("customer_id,owner,registered_at\n", encoding="utf-8")
    assert crm_error(subs, "crm.csv") == f"{ERROR}crm.csv: has a header but no data rows"


def test_customers_file_without_customer_id(subs: Path, tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text("account,owner\na,Anna\n", encoding="utf-8")
    assert crm_error(subs, "crm.csv") == (
        f"{ERROR}crm.csv:1: missing required column 'customer_id' (the header has: account, owner; "
        "map one with [customers.columns] in csm.toml)"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("31/02/2024", "is not a date"),  # no 31 February in either d/m or m/d order
        ("2024-02-30", "is not a date or time"),
    ],
)
def test_customers_file_with_an_unparsable_registered_at(
    subs: Path, tmp_path: Path, value: str, reason: str
) -> None:
    (tmp_path / "crm.csv").write_text(
        crm_text([CRM_ROWS[0], ("b", "Anna", value), CRM_ROWS[2]]), encoding="utf-8"
    )
    line = crm_error(subs, "crm.csv")
    assert line == (
        f"{ERROR}crm.csv:3: column 'registered_at': '{value}' {reason} (expected YYYY-MM-DD, an ISO "
        "datetime, dd.mm.yyyy, or set date_format)"
    )


def test_customers_file_with_a_duplicate_id(subs: Path, tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(crm_text([*CRM_ROWS, ("b", "Anna", "2024-01-11")]), encoding="utf-8")
    assert (
        crm_error(subs, "crm.csv")
        == f"{ERROR}crm.csv:6: column 'customer_id': 'b' repeats the customer_id of line 3"
    )


def test_hubspot_export_with_a_duplicate_record_id(subs: Path, tmp_path: Path) -> None:
    (tmp_path / "companies.csv").write_text(
        "Record ID,Company name,Create Date\n"
        "a,Acme,2024-01-03 09:30\n"
        "b,Borealis,2024-01-10 14:05\n"
        "a,Acme again,2024-01-11 08:00\n",
        encoding="utf-8",
    )
    args = ["onboarding", "-s", "subs.csv", "--customers", "companies.csv", "--preset", "hubspot", *Q1_2024]
    line = one_line(failed(invoke(args), 3))
    assert line == f"{ERROR}companies.csv:4: column 'Record ID': 'a' repeats the customer_id of line 2"


# cp1250: what an older Polish Excel writes. Without ``encoding`` csm tries UTF-8 and falls back to
# cp1250 (io/source.py decode), so the Polish letters come out right either way; a wrong
# ``encoding = "utf-8"`` is an error naming the line and the byte.


def owners_of(args: list[str]) -> dict[str, int]:
    result = ok(invoke(["segments", *args, *FEB_2024, "--by", "owner", "--format", "json"]))
    return {value: entry["customers_end"] for value, entry in segments_of(result).items()}


@pytest.fixture
def cp1250_crm(tmp_path: Path) -> Path:
    path = tmp_path / "crm.csv"
    path.write_bytes(crm_text().encode("cp1250"))
    assert "Wiśniewski".encode("cp1250") in path.read_bytes()  # really not UTF-8
    return path


# February 2024 closing: a 490 and c 490 (Paweł Wiśniewski), b 99 (Żaneta Łęcka); d has no rows.
POLISH_OWNERS = {"Paweł Wiśniewski": 2, "Żaneta Łęcka": 1}


def test_cp1250_customers_file_with_encoding_set(subs: Path, cp1250_crm: Path, tmp_path: Path) -> None:
    (tmp_path / "csm.toml").write_text(
        '[customers]\npath = "crm.csv"\nencoding = "cp1250"\n', encoding="utf-8"
    )
    assert owners_of(["-s", "subs.csv"]) == POLISH_OWNERS


def test_cp1250_customers_file_without_encoding_is_detected(subs: Path, cp1250_crm: Path) -> None:
    assert owners_of(["-s", "subs.csv", "--customers", "crm.csv"]) == POLISH_OWNERS


def test_cp1250_customers_file_read_as_utf8_is_an_error(subs: Path, cp1250_crm: Path, tmp_path: Path) -> None:
    (tmp_path / "csm.toml").write_text(
        '[customers]\npath = "crm.csv"\nencoding = "utf-8"\n', encoding="utf-8"
    )
    data = cp1250_crm.read_bytes()
    offset = data.index("ł".encode("cp1250"))  # the first non-ASCII byte: Paweł on line 2
    line = one_line(failed(invoke(["segments", "-s", "subs.csv", *FEB_2024, "--by", "owner"]), 3))
    assert line == f"{ERROR}crm.csv:2: is not valid utf-8: byte offset {offset} (0xb3)"


# --- the demo ------------------------------------------------------------------------------------


def _demo_rows(kind: str) -> list[dict[str, str]]:
    with demo_path(kind).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _mrr_at_end_of(rows: list[dict[str, str]], day: date) -> Decimal:
    return sum(
        (
            Decimal(row["mrr"])
            for row in rows
            if date.fromisoformat(row["started_at"]) <= day
            and (not row["ended_at"] or day < date.fromisoformat(row["ended_at"]))
        ),
        Decimal(0),
    )


def demo_onboarding_2025() -> dict[str, Any]:
    """``csm onboarding --demo -p 2025`` by the rules of the onboarding module doc, from the CSVs.

    As of 2026-01-01 (the day after the demo ends); the cohort is registered 2025-01-01 … 2025-12-31.
    Registration: the CRM's registered_at (it wins over the subscriptions'), never after the first
    row's start; first payment: the first day whose MRR at its end is above 0 (only a start can
    raise it); converted within 30 days. CRM accounts without any subscription row count as
    registered on their registered_at, never paid.
    """
    first, last, as_of = date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1)
    by_customer: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _demo_rows("subscriptions"):
        by_customer[row["customer_id"]].append(row)
    crm = {row["customer_id"]: row["registered_at"] for row in _demo_rows("customers")}
    registered, days, crm_only = 0, [], 0
    for customer, rows in by_customer.items():
        given = crm.get(customer) or min((r["registered_at"] for r in rows if r["registered_at"]), default="")
        first_row = min(date.fromisoformat(r["started_at"]) for r in rows)
        day = min(date.fromisoformat(given), first_row) if given else first_row
        if not first <= day <= last:
            continue
        registered += 1
        starts = sorted({date.fromisoformat(r["started_at"]) for r in rows})
        paid = next((start for start in starts if _mrr_at_end_of(rows, start) > 0), None)
        if paid is not None and paid <= as_of and (paid - day).days <= 30:
            days.append((paid - day).days)
    for customer, given in crm.items():
        if customer not in by_customer and given and first <= date.fromisoformat(given) <= last:
            registered += 1
            crm_only += 1
    return {
        "registered_accounts": registered,
        "converted_accounts": len(days),
        "median": statistics.median(days),
        "mean": statistics.mean(days),
        "crm_only": crm_only,
    }


def test_demo_onboarding_counts_never_paid_crm_accounts() -> None:
    expected = demo_onboarding_2025()
    assert expected["crm_only"] > 0  # the demo's customers.csv has never-paid accounts in 2025
    data = as_json(ok(invoke(["onboarding", "--demo", "-p", "2025", "--format", "json"]), warns=True))
    assert [item["kind"] for item in data["inputs"]] == ["subscriptions", "customers"]
    assert data["inputs"][1]["path"] == "demo:customers.csv"
    assert data["inputs"][1]["rows"] == len(_demo_rows("customers"))
    values = data["values"]
    assert values["registered_accounts"] == expected["registered_accounts"]
    assert values["converted_accounts"] == expected["converted_accounts"]
    assert float(values["conversion_rate"]) == pytest.approx(
        expected["converted_accounts"] / expected["registered_accounts"]
    )
    assert float(values["days_to_first_payment_median"]) == pytest.approx(expected["median"])
    assert float(values["days_to_first_payment_mean"]) == pytest.approx(expected["mean"])
    assert sum(month["registered_accounts"] for month in data["months"]) == expected["registered_accounts"]
    assert data["notes"] == [
        f"{expected['crm_only']} accounts of the customers file without any subscription: counted as "
        "registered, never paid"
    ]


def test_demo_segments_by_owner() -> None:
    result = ok(invoke(["segments", "--demo", "--by", "owner", "--format", "json"]))
    data = as_json(result)
    assert data["period"]["label"] == "2025-12"
    segments = segments_of(result)
    assert set(segments) == {"Magda", "Bartek", "Ewa"}  # every paying customer has an owner in the CRM
    overall = data["values"]["overall"]
    assert sum(entry["customers_start"] for entry in segments.values()) == overall["customers_start"]
    assert sum(entry["churned_customers"] for entry in segments.values()) == overall["churned_customers"]
    # the same owners, counted from the CSVs: customers paying at the end of 2025-11-30
    owner = {row["customer_id"]: row["owner"] for row in _demo_rows("customers")}
    by_customer: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _demo_rows("subscriptions"):
        by_customer[row["customer_id"]].append(row)
    counts: dict[str, int] = defaultdict(int)
    for customer, rows in by_customer.items():
        if _mrr_at_end_of(rows, date(2025, 11, 30)) > 0:
            counts[owner[customer]] += 1
    assert {name: entry["customers_start"] for name, entry in segments.items()} == counts


CSM = Path(sys.executable).parent / "csm"


@pytest.mark.skipif(not CSM.is_file(), reason=f"no console script at {CSM}")
def test_demo_onboarding_as_a_process(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    env.update({"NO_COLOR": "1", "TERM": "dumb"})
    result = subprocess.run(
        [str(CSM), "onboarding", "--demo", "-p", "2025", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    note = "csm: note: 27 accounts of the customers file without any subscription"
    assert result.stderr.decode().startswith(note)
    data = json.loads(result.stdout)
    expected = demo_onboarding_2025()
    assert data["values"]["registered_accounts"] == expected["registered_accounts"]
    assert data["values"]["converted_accounts"] == expected["converted_accounts"]
    assert data["notes"][0].startswith(f"{expected['crm_only']} accounts of the customers file")


def test_a_crm_column_the_subscriptions_hold_as_dates_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "subs.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at,expires_at\nS1,C1,100,2023-11-01,,2024-10-31\n"
    )
    (tmp_path / "crm.csv").write_text("customer_id,expires_at\nC1,soon\n")
    args = ["mrr", "-s", "subs.csv", "--customers", "crm.csv", "-p", "2023-12", "--as-of", "2024-01-15"]
    line = one_line(failed(invoke(args), 3))
    assert line.startswith("csm: error: crm.csv:1: column 'expires_at' is a subscriptions column of dates")


def test_demo_with_a_customers_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text("customer_id\nC1\n")
    line = one_line(failed(invoke(["onboarding", "--demo", "--customers", "crm.csv"]), 2))
    assert line == "csm: error: --demo uses the built-in dataset: drop --customers or --demo"


def test_validate_lists_every_problem_of_a_customers_file(tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text("customer_id,registered_at\nA,2024-01-05\nB,2024-13-01\nA,2024-02-01\n")
    result = invoke(["validate", "--customers", "crm.csv", "--format", "json"])
    assert result.exit_code == 3, result.stderr
    findings = [(f["line"], f["column"]) for f in as_json(result)["problems"]]
    assert findings == [(3, "registered_at"), (4, "customer_id")]


def test_health_entries_carry_the_crm_attributes(in_example: InExample) -> None:
    in_example("hubspot")
    args = ["health", "--as-of", "2024-04-01"]
    data = as_json(ok(invoke([*args, "--format", "json"]), warns=True))
    entries = {entry["customer_id"]: entry for entry in data["values"]["customers"]}
    assert set(entries) == {"9001", "9003", "9006"}  # paying at the end of 2024-04-01 (9002 ended 03-01)
    assert entries["9001"]["attributes"]["owner"] == "Anna Nowak"
    assert entries["9003"]["attributes"]["industry"] == "Hospital & Health Care"
    header = ok(invoke([*args, "--format", "csv"]), warns=True).stdout.splitlines()[0].split(",")
    assert header[:5] == ["customer_id", "plan", "mrr", "name", "Company Domain Name"]
    assert "owner" in header and header.index("owner") < header.index("score")
