"""Real exports through the CLI (issue 5): a Polish Excel CSV, an .xlsx, presets, --map, --sheet,
--input-format, ``csm columns``, and ambiguity that is an error naming its setting, never a guess.

Every file is made here except the vendor examples in examples/, which are read from the
repository (never through their own csm.toml: the working directory is a bare temporary folder,
or the repository root, which has none).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import polars as pl
import pytest
from cli_helpers import CSM_VARIABLES, DEC_2023, as_json, failed, invoke, ok, one_line

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
STRIPE_CSV = "examples/stripe/subscriptions.csv"
ZENDESK_CSV = "examples/zendesk/tickets.csv"
FRESHDESK_CSV = "examples/freshdesk/tickets.csv"
FEB_2024 = ["-p", "2024-02", "--as-of", "2024-03-10"]
HOWS = {"exact", "alias", "mapping", "preset", "unused"}
SNAPSHOT_NOTE = "expansion and contraction history is not in a Stripe subscriptions export"


# --- one set of subscriptions, written three ways -----------------------------------------------


@dataclass(frozen=True)
class Sub:
    subscription_id: str
    customer_id: str
    plan: str
    mrr: str  # canonical text, decimal point, no thousands separator
    started_at: date
    ended_at: date | None
    cancel_reason: str = ""


#: One of each December 2023 movement, with Polish letters in names, plans and reasons (so a wrong
#: code page would show in --by plan and --list), and MRR with one and two thousands separators.
TOO_DEAR = "za drogo – zbyt mało użytkowników"
SUBS = [
    Sub("S1", "Kowalski Sp. z o.o.", "Podstawowy", "100.00", date(2023, 1, 1), date(2023, 12, 15), TOO_DEAR),
    Sub("S2", "Zielińska i Wspólnicy", "Zespół", "1250.50", date(2023, 12, 10), None),
    Sub("S3", "Łódzkie Młyny S.A.", "Podstawowy", "100.00", date(2023, 6, 1), date(2023, 12, 20)),
    Sub("S4", "Łódzkie Młyny S.A.", "Zespół", "12300.25", date(2023, 12, 20), None),
    Sub("S5", "Gdańska Żegluga", "Zespół", "2000.00", date(2023, 3, 1), date(2023, 12, 5)),
    Sub("S6", "Gdańska Żegluga", "Podstawowy", "49.99", date(2023, 12, 5), None),
    Sub("S7", "Poznańskie Smaki", "Podstawowy", "80.00", date(2023, 1, 1), date(2023, 6, 1)),
    Sub("S8", "Poznańskie Smaki", "Podstawowy", "120.10", date(2023, 12, 3), None),
    Sub("S9", "Śląska Stal", "Firma", "1234567.89", date(2022, 1, 1), None),
]  # fmt: skip

CANONICAL_HEADER = "subscription_id,customer_id,plan,mrr,currency,started_at,ended_at,cancel_reason"
POLISH_HEADERS = [
    "ID subskrypcji",
    "ID klienta",
    "Plan",
    "MRR (zł)",
    "Waluta",
    "Data rozpoczęcia",
    "Data zakończenia",
    "Powód rezygnacji",
    "Branża",
]
POLISH_MAP = {
    "subscription_id": "ID subskrypcji",
    "customer_id": "ID klienta",
    "plan": "Plan",
    "mrr": "MRR (zł)",
    "currency": "Waluta",
    "started_at": "Data rozpoczęcia",
    "ended_at": "Data zakończenia",
    "cancel_reason": "Powód rezygnacji",
}
MAP_FLAGS = [arg for canonical, header in POLISH_MAP.items() for arg in ("--map", f"{canonical}={header}")]


def canonical_csv(path: Path) -> Path:
    """UTF-8, ``,``, ISO dates, decimal point."""
    lines = [CANONICAL_HEADER]
    for s in SUBS:
        ended = s.ended_at.isoformat() if s.ended_at else ""
        row = [
            s.subscription_id,
            s.customer_id,
            s.plan,
            s.mrr,
            "PLN",
            s.started_at.isoformat(),
            ended,
            s.cancel_reason,
        ]
        lines.append(",".join(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def polish_money(text: str, thousands: str) -> str:
    """``1234567.89`` → ``1 234 567,89`` with ``thousands`` between the groups."""
    whole, cents = text.split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return thousands.join(groups) + "," + cents


def polish_csv(path: Path, thousands: str = "\u00a0") -> Path:
    """What Polish Excel saves as "CSV (separated by semicolons)": cp1250, ``;``, CRLF, decimal
    comma, thousands separated by a no-break space (or ``thousands``), dd.mm.yyyy, Polish headers."""
    lines = [";".join(POLISH_HEADERS)]
    for s in SUBS:
        ended = s.ended_at.strftime("%d.%m.%Y") if s.ended_at else ""
        mrr = polish_money(s.mrr, thousands)
        start = s.started_at.strftime("%d.%m.%Y")
        lines.append(
            ";".join(
                [
                    s.subscription_id,
                    s.customer_id,
                    s.plan,
                    mrr,
                    "PLN",
                    start,
                    ended,
                    s.cancel_reason,
                    "Przemysł",
                ]
            )
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1250"))
    return path


# --- a workbook: polars + xlsxwriter when installed, else a minimal .xlsx written by hand ----------


def _has_xlsxwriter() -> bool:
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        return False
    return True


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _xml_cell(ref: str, value: object) -> str:
    if isinstance(value, date):  # a typed date cell: Excel's serial day, date style
        return f'<c r="{ref}" s="1"><v>{(value - date(1899, 12, 30)).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _hand_xlsx(path: Path, sheets: dict[str, pl.DataFrame]) -> None:
    """The smallest workbook fastexcel reads: one worksheet per frame, typed number/date cells."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w") as book:
        parts = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            f'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main'
            f'+xml"/><Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>{parts}</Types>',
        )
        book.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        tags = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1)
        )
        book.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{tags}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">{links}<Relationship '
            f'Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        )
        book.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}"><fonts count="1"><font/>'
            '</fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/>'
            '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        )
        for i, name in enumerate(names, 1):
            frame = sheets[name]
            rows = [list(frame.columns), *frame.iter_rows()]
            xml_rows = "".join(
                f'<row r="{r}">'
                + "".join(_xml_cell(f"{_col(c)}{r}", v) for c, v in enumerate(row) if v is not None)
                + "</row>"
                for r, row in enumerate(rows, 1)
            )
            book.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>{xml_rows}'
                "</sheetData></worksheet>",
            )


def polish_xlsx(path: Path) -> Path:
    """A workbook whose first sheet is a note and whose second holds the subscriptions, as Excel
    types them: MRR a number, dates date cells, empty end dates no cell at all."""
    notes = pl.DataFrame({"Uwagi": ["Eksport z systemu fakturowego", "Kwoty netto w PLN"]})
    data = pl.DataFrame(
        {
            "ID subskrypcji": [s.subscription_id for s in SUBS],
            "ID klienta": [s.customer_id for s in SUBS],
            "Plan": [s.plan for s in SUBS],
            "MRR (zł)": [float(s.mrr) for s in SUBS],
            "Waluta": ["PLN"] * len(SUBS),
            "Data rozpoczęcia": [s.started_at for s in SUBS],
            "Data zakończenia": [s.ended_at for s in SUBS],
            "Powód rezygnacji": [s.cancel_reason or None for s in SUBS],
        },
        schema_overrides={"Data zakończenia": pl.Date},
    )
    sheets = {"Notatki": notes, "Subskrypcje": data}
    if _has_xlsxwriter():
        from xlsxwriter import Workbook

        with Workbook(str(path)) as book:
            for name, frame in sheets.items():
                frame.write_excel(workbook=book, worksheet=name)
    else:
        _hand_xlsx(path, sheets)
    return path


# --- helpers ------------------------------------------------------------------------------------


def mrr_json(*args: str) -> dict[str, Any]:
    return as_json(ok(invoke(["mrr", *args, *DEC_2023, "--format", "json"])))


def notes_on_stderr(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert lines, "expected notes on stderr"
    assert all(line.startswith("csm: note: ") for line in lines), stderr
    return [line.removeprefix("csm: note: ") for line in lines]


def columns_json(*args: str, code: int = 0) -> dict[str, Any]:
    result = invoke(["columns", *args, "--format", "json"])
    if code == 0:
        ok(result)
    else:
        assert isinstance(result.exception, SystemExit), (result.exception, result.stderr)
        assert result.exit_code == code, (result.exit_code, result.stderr)
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["command"] == "columns"
    assert {column["how"] for column in data["columns"]} <= HOWS
    return data


def how_of(report: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
    return {c["header"]: (c["canonical"], c["how"]) for c in report["columns"]}


def write_config(folder: Path, text: str) -> Path:
    path = folder / "csm.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def canonical(tmp_path: Path) -> Path:
    return canonical_csv(tmp_path / "subs.csv")


@pytest.fixture
def canonical_values(canonical: Path) -> dict[str, Any]:
    values: dict[str, Any] = mrr_json("-s", str(canonical))["values"]
    # The canonical file is read right, so the comparisons below compare against real numbers.
    assert values["mrr_start"] == Decimal("1236767.89")  # A 100 + C 100 + D 2000 + F 1234567.89
    assert values["mrr_end"] == Decimal("1248288.73")
    assert values["new_mrr"] == Decimal("1250.5")
    assert values["churned_mrr"] == Decimal("100")
    assert values["reactivation_mrr"] == Decimal("120.1")
    return values


# --- the same subscriptions, canonical and Polish --------------------------------------------------


def test_polish_excel_csv_with_a_csm_toml_reads_like_the_canonical_file(
    tmp_path: Path, canonical: Path, canonical_values: dict[str, Any]
) -> None:
    by_plan_canonical = as_json(
        ok(invoke(["mrr", "-s", str(canonical), *DEC_2023, "--by", "plan", "-f", "json"]))
    )
    (tmp_path / "exports").mkdir()
    polish_csv(tmp_path / "exports" / "subskrypcje.csv")
    columns = "\n".join(f'{canonical} = "{header}"' for canonical, header in POLISH_MAP.items())
    write_config(
        tmp_path,
        '[subscriptions]\npath = "exports/subskrypcje.csv"\nencoding = "cp1250"\ndelimiter = ";"\n'
        f'decimal_comma = true\ndate_format = "%d.%m.%Y"\n[subscriptions.columns]\n{columns}\n',
    )
    polish = mrr_json()  # everything from ./csm.toml
    assert polish["inputs"][0]["rows"] == len(SUBS)
    assert polish["values"] == canonical_values
    assert polish["currency"] == "PLN"
    by_plan = as_json(ok(invoke(["mrr", *DEC_2023, "--by", "plan", "-f", "json"])))
    assert by_plan["groups"] == by_plan_canonical["groups"]
    assert {group["group"] for group in by_plan["groups"]} == {"Podstawowy", "Zespół", "Firma"}
    churned = as_json(ok(invoke(["churn", *DEC_2023, "--list", "-f", "json"])))
    assert churned["churned_customers_list"][0]["customer_id"] == "Kowalski Sp. z o.o."
    assert churned["churned_customers_list"][0]["cancel_reason"] == TOO_DEAR


@pytest.mark.parametrize("thousands", ["\u00a0", " "], ids=["no-break-space", "space"])
def test_polish_excel_csv_with_map_flags_and_detection_reads_like_the_canonical_file(
    thousands: str, tmp_path: Path, canonical_values: dict[str, Any]
) -> None:
    path = polish_csv(tmp_path / "subskrypcje.csv", thousands)
    # No csm.toml: encoding, delimiter, decimal comma and dd.mm.yyyy are all detected.
    assert not (tmp_path / "csm.toml").exists()
    polish = mrr_json("-s", str(path), *MAP_FLAGS)
    assert polish["values"] == canonical_values
    # customer_id comes from the built-in alias "id klienta" even without its --map.
    flags = [a for c, h in POLISH_MAP.items() if c != "customer_id" for a in ("--map", f"{c}={h}")]
    assert mrr_json("-s", str(path), *flags)["values"] == canonical_values


def test_map_flags_win_over_the_csm_toml_mapping(tmp_path: Path, canonical_values: dict[str, Any]) -> None:
    polish_csv(tmp_path / "subskrypcje.csv")
    columns = "\n".join(f'{canonical} = "{header}"' for canonical, header in POLISH_MAP.items())
    wrong = columns.replace('mrr = "MRR (zł)"', 'mrr = "Kwota"')
    write_config(tmp_path, f'[subscriptions]\npath = "subskrypcje.csv"\n[subscriptions.columns]\n{wrong}\n')
    line = one_line(failed(invoke(["mrr", *DEC_2023]), 3))
    assert "'Kwota'" in line and "MRR (zł)" in line  # the toml's header is not in the file
    assert mrr_json("--map", "mrr=MRR (zł)")["values"] == canonical_values


def test_polish_workbook_with_sheet_reads_like_the_canonical_file(
    tmp_path: Path, canonical_values: dict[str, Any]
) -> None:
    pytest.importorskip("fastexcel", reason="reading .xlsx needs fastexcel")
    book = polish_xlsx(tmp_path / "subskrypcje.xlsx")
    polish = mrr_json("-s", str(book), "--sheet", "Subskrypcje", *MAP_FLAGS)
    assert polish["inputs"][0]["rows"] == len(SUBS)
    assert polish["values"] == canonical_values
    # Without --sheet the first sheet (the note) is read: a clear data error, not numbers.
    line = one_line(failed(invoke(["mrr", "-s", str(book), *MAP_FLAGS, *DEC_2023]), 3))
    assert "subskrypcje.xlsx" in line
    # A sheet that is not there lists the sheets.
    line = one_line(failed(invoke(["mrr", "-s", str(book), "--sheet", "Arkusz1", *MAP_FLAGS, *DEC_2023]), 3))
    assert "Arkusz1" in line and "Notatki" in line and "Subskrypcje" in line


# --- presets -------------------------------------------------------------------------------------


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, which has no csm.toml (so the examples' own are not read)."""
    assert not (REPO / "csm.toml").exists()
    monkeypatch.chdir(REPO)
    return REPO


def test_stripe_preset_reads_the_stripe_example(in_repo: Path) -> None:
    result = ok(invoke(["mrr", "--preset", "stripe", "-s", STRIPE_CSV, *FEB_2024, "-f", "json"]), warns=True)
    notes = notes_on_stderr(result.stderr)
    assert any(SNAPSHOT_NOTE in note for note in notes), notes
    assert any("never started" in note and "incomplete_expired: 1" in note for note in notes), notes
    data = as_json(result)
    assert data["notes"] == notes
    assert data["currency"] == "USD"
    assert data["inputs"] == [{"kind": "subscriptions", "path": STRIPE_CSV, "rows": 8}]
    values = data["values"]
    # Jan 31: Acme 49 + Borealis 5×10 + Cobalt 49 + Fjord 990/12 + G 49; Feb: Cobalt and G end,
    # Delta's trial ends on the 15th (new), Echo never paid.
    assert values["mrr_start"] == Decimal("279.5")
    assert values["mrr_end"] == Decimal("230.5")
    assert values["new_mrr"] == Decimal("49")
    assert values["churned_customers"] == 2
    assert values["expansion_mrr"] == 0 and values["contraction_mrr"] == 0


def test_stripe_notes_are_kept_in_json_with_quiet(in_repo: Path) -> None:
    result = ok(invoke(["mrr", "--preset", "stripe", "-s", STRIPE_CSV, *FEB_2024, "-f", "json", "-q"]))
    assert any(SNAPSHOT_NOTE in note for note in as_json(result)["notes"])


def test_stripe_notes_go_to_stderr_with_a_table(in_repo: Path) -> None:
    result = ok(invoke(["mrr", "--preset", "stripe", "-s", STRIPE_CSV, *FEB_2024]), warns=True)
    assert any(SNAPSHOT_NOTE in note for note in notes_on_stderr(result.stderr))
    assert "csm: note:" not in result.stdout


def test_zendesk_preset_reads_the_zendesk_example(in_repo: Path) -> None:
    result = ok(
        invoke(["support", "--preset", "zendesk", "-t", ZENDESK_CSV, *FEB_2024, "-f", "json"]), warns=True
    )
    notes = notes_on_stderr(result.stderr)
    data = as_json(result)
    assert data["notes"] == notes
    assert any("1900-01-01" in note for note in notes), notes
    values = data["values"]
    assert values["tickets"] == 6
    assert values["csat_responses"] == 3  # Good/Bad read as CSAT, Offered/Unoffered as not rated
    assert values["clock"] == "calendar"


def test_freshdesk_preset_reads_the_freshdesk_example(in_repo: Path) -> None:
    args = ["support", "--preset", "freshdesk", "-t", FRESHDESK_CSV, *FEB_2024, "-f", "json"]
    result = ok(invoke(args), warns=True)
    data = as_json(result)
    assert data["notes"] == notes_on_stderr(result.stderr)
    values = data["values"]
    assert values["tickets"] == 5
    assert values["solved_tickets"] == 3
    assert values["csat_responses"] == 3


def test_zendesk_export_without_its_preset_is_an_error_not_a_number(in_repo: Path) -> None:
    line = one_line(failed(invoke(["support", "-t", ZENDESK_CSV, *FEB_2024]), 3))
    assert "Satisfaction Score" in line and "'Good'" in line


@pytest.mark.parametrize(
    ("command", "preset", "flag", "path"),
    [
        ("mrr", "zendesk", "-s", "subs.csv"),
        ("churn", "freshdesk", "-s", "subs.csv"),
        ("support", "stripe", "-t", ZENDESK_CSV),
    ],
)
def test_a_preset_of_the_wrong_kind_is_a_usage_error(
    command: str, preset: str, flag: str, path: str, canonical: Path, tmp_path: Path
) -> None:
    file = str(REPO / path) if path.startswith("examples") else str(tmp_path / path)
    line = one_line(failed(invoke([command, "--preset", preset, flag, file, *FEB_2024]), 2))
    assert f"the {preset} preset reads" in line


def test_a_preset_of_the_wrong_kind_for_columns_is_a_usage_error(canonical: Path) -> None:
    args = ["columns", str(canonical), "--kind", "subscriptions", "--preset", "zendesk"]
    line = one_line(failed(invoke(args), 2))
    assert line == (
        "csm: error: the zendesk preset reads tickets exports, not subscriptions "
        "(for subscriptions: stripe, chargebee, baremetrics)"
    )


@pytest.mark.parametrize(
    "command", [["mrr", "-s", "subs.csv"], ["support", "-t", "t.csv"], ["columns", "subs.csv"]]
)
def test_an_unknown_preset_is_a_usage_error_listing_the_presets(command: list[str], canonical: Path) -> None:
    line = one_line(
        failed(invoke([*command, "--preset", "paddle", *([] if command[0] == "columns" else DEC_2023)]), 2)
    )
    assert "unknown preset 'paddle'" in line
    for name in ("stripe", "chargebee", "baremetrics", "zendesk", "freshdesk", "delighted", "typeform"):
        assert name in line


# --- --map errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nonsense", "customer_id=", "=Customer", ""])
def test_a_map_without_canonical_equals_header_is_a_usage_error(value: str, canonical: Path) -> None:
    line = one_line(failed(invoke(["mrr", "-s", str(canonical), *DEC_2023, "--map", value]), 2))
    assert "--map expects canonical=Header" in line and f"'{value}'" in line


def test_a_map_to_an_unknown_column_names_the_columns(canonical: Path) -> None:
    line = one_line(failed(invoke(["mrr", "-s", str(canonical), *DEC_2023, "--map", "nosuchcolumn=X"]), 2))
    assert "nosuchcolumn" in line
    for name in (
        "subscription_id",
        "customer_id",
        "mrr",
        "amount",
        "billing_period",
        "started_at",
        "ended_at",
    ):
        assert name in line


def test_a_map_to_a_header_the_file_lacks_names_the_header_list(canonical: Path) -> None:
    args = ["mrr", "-s", str(canonical), *DEC_2023, "--map", "customer_id=Not a header"]
    line = one_line(failed(invoke(args), 3))
    assert line.startswith("csm: error: ")
    assert "subs.csv:1" in line and "'Not a header'" in line and "customer_id" in line
    assert "subscription_id, customer_id, plan, mrr, currency, started_at, ended_at, cancel_reason" in line


def test_a_map_header_may_hold_an_equals_sign(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "subscription_id,customer_id,MRR = net,started_at,ended_at\nS1,A,10.50,2023-01-01,\n",
        encoding="utf-8",
    )
    values = mrr_json("-s", "s.csv", "--map", "mrr=MRR = net")["values"]
    assert values["mrr_end"] == Decimal("10.5")


def test_input_flags_with_demo_are_a_usage_error() -> None:
    line = one_line(failed(invoke(["support", "--demo", "--map", "mrr=MRR"]), 2))
    assert "--demo reads the built-in dataset" in line


# --- csm columns ---------------------------------------------------------------------------------


def test_columns_table_on_a_canonical_file(canonical: Path) -> None:
    out = ok(invoke(["columns", str(canonical)])).stdout
    assert "read as subscriptions" in out
    assert "same name" in out
    assert "Every required column is there." in out


def test_columns_json_lists_every_header_in_file_order(canonical: Path) -> None:
    report = columns_json(str(canonical))
    assert report["kind"] == "subscriptions" and report["preset"] is None and report["missing"] == []
    assert [c["header"] for c in report["columns"]] == CANONICAL_HEADER.split(",")
    assert all(c["how"] == "exact" and c["canonical"] == c["header"] for c in report["columns"])
    assert report["columns"][0]["sample"] == "S1"
    assert report["columns"][3]["sample"] == "100.00"  # text as written, not validated


def test_columns_exits_3_naming_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "subscription_id,customer_id,mrr,ended_at,tier\nS1,A,x,,gold\n", encoding="utf-8"
    )
    report = columns_json("s.csv", code=3)
    assert report["missing"] == ["started_at"]
    assert how_of(report)["tier"] == (None, "unused")
    result = invoke(["columns", "s.csv"])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 3
    assert "Missing: started_at" in result.stdout and "--map" in result.stdout


def test_columns_of_the_polish_file_shows_alias_mapping_and_unused(tmp_path: Path) -> None:
    path = str(polish_csv(tmp_path / "subskrypcje.csv"))
    bare = columns_json(path, code=3)
    assert how_of(bare)["ID klienta"] == ("customer_id", "alias")
    assert how_of(bare)["Plan"] == ("plan", "exact")
    assert how_of(bare)["MRR (zł)"] == (None, "unused")
    assert bare["columns"][3]["sample"] == "100,00"
    assert bare["missing"] == [
        "subscription_id",
        "started_at",
        "ended_at",
        "mrr (or amount + billing_period)",
    ]
    mapped = columns_json(path, *MAP_FLAGS)
    assert mapped["missing"] == []
    hows = how_of(mapped)
    assert all(hows[header] == (canonical, "mapping") for canonical, header in POLISH_MAP.items())
    assert hows["Branża"] == (None, "unused")
    # A csm.toml mapping is a mapping too.
    write_config(tmp_path, '[subscriptions.columns]\nmrr = "MRR (zł)"\n')
    assert how_of(columns_json(path, code=3))["MRR (zł)"] == ("mrr", "mapping")


def test_columns_reads_a_customer_header_as_an_alias(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "Subscription,Customer,Monthly Recurring Revenue,Start Date,End Date,Region\n"
        "S1,A,10,2023-01-01,,EU\n",
        encoding="utf-8",
    )
    report = columns_json("s.csv")
    assert how_of(report) == {
        "Subscription": ("subscription_id", "alias"),
        "Customer": ("customer_id", "alias"),
        "Monthly Recurring Revenue": ("mrr", "alias"),
        "Start Date": ("started_at", "alias"),
        "End Date": ("ended_at", "alias"),
        "Region": (None, "unused"),
    }
    assert report["missing"] == []


def test_two_alias_headers_for_one_column_are_an_error_not_a_guess(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,End Date,cancelled_at\nS1,A,10,2023-01-01,,\n",
        encoding="utf-8",
    )
    line = one_line(failed(invoke(["columns", "s.csv"]), 3))
    assert "'End Date' and 'cancelled_at'" in line and "--map ended_at=" in line
    assert columns_json("s.csv", "--map", "ended_at=End Date")["missing"] == []


def test_columns_demo_tickets() -> None:
    report = columns_json("--demo", "--kind", "tickets")
    assert report["kind"] == "tickets" and report["missing"] == []
    assert report["path"].endswith("tickets.csv")
    assert {c["how"] for c in report["columns"]} == {"exact"}
    assert "ticket_id" in [c["header"] for c in report["columns"]]
    assert "Every required column is there." in ok(invoke(["columns", "--demo", "--kind", "tickets"])).stdout


def test_columns_with_the_stripe_preset(in_repo: Path) -> None:
    report = columns_json(STRIPE_CSV, "--preset", "stripe")
    assert report["kind"] == "subscriptions" and report["preset"] == "stripe" and report["missing"] == []
    hows = how_of(report)
    assert hows["id"] == ("subscription_id", "preset")
    assert hows["Customer ID"] == ("customer_id", "preset")
    assert hows["Status"] == ("status", "preset")
    assert hows["Ended At (UTC)"] == ("ended_at", "preset")
    assert hows["Canceled At (UTC)"] == (None, "unused")  # a requested cancellation is not the end
    assert hows["plan_tier (metadata)"] == (None, "unused")
    # --map wins over the preset.
    mapped = how_of(columns_json(STRIPE_CSV, "--preset", "stripe", "--map", "customer_id=Customer Email"))
    assert mapped["Customer Email"] == ("customer_id", "mapping")
    assert mapped["Customer ID"] == (None, "unused")
    # The preset's kind is the default kind: tickets for zendesk.
    assert columns_json(ZENDESK_CSV, "--preset", "zendesk")["kind"] == "tickets"


def test_columns_needs_a_file_or_demo() -> None:
    line = one_line(failed(invoke(["columns"]), 2))
    assert "--demo" in line


# --- ambiguity is an error naming its setting ----------------------------------------------------


def test_semicolon_file_with_only_1_234_money_names_decimal_comma(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "subscription_id;customer_id;mrr;started_at;ended_at\nS1;A;1.234;2023-01-01;\nS2;B;2.500;2023-02-01;\n",
        encoding="utf-8",
    )
    line = one_line(failed(invoke(["mrr", "-s", "s.csv", *DEC_2023]), 3))
    assert line.startswith("csm: error: s.csv:2: column 'mrr': '1.234'")
    assert "decimal_comma" in line
    write_config(tmp_path, "[subscriptions]\ndecimal_comma = true\n")
    assert mrr_json("-s", "s.csv")["values"]["mrr_end"] == Decimal("3734")
    write_config(tmp_path, "[subscriptions]\ndecimal_comma = false\n")
    assert mrr_json("-s", "s.csv")["values"]["mrr_end"] == Decimal("3.73")  # 1.23 + 2.50, per-row cents


def test_one_unambiguous_number_settles_the_decimal_comma(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "subscription_id;customer_id;mrr;started_at;ended_at\nS1;A;1.234;2023-01-01;\nS2;B;2,50;2023-02-01;\n",
        encoding="utf-8",
    )
    assert mrr_json("-s", "s.csv")["values"]["mrr_end"] == Decimal("1236.5")


def test_ambiguous_slashed_dates_name_date_format(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "subscription_id,customer_id,mrr,started_at,ended_at\nS1,A,100,01/02/2023,\nS2,B,200,03/04/2023,05/06/2023\n",
        encoding="utf-8",
    )
    line = one_line(failed(invoke(["mrr", "-s", "s.csv", *DEC_2023]), 3))
    assert line.startswith("csm: error: s.csv:2: column 'started_at': '01/02/2023'")
    assert "date_format" in line
    may = ["-p", "2023-05", "--as-of", "2024-01-15", "-f", "json"]
    write_config(tmp_path, '[subscriptions]\ndate_format = "%d/%m/%Y"\n')
    day_first = as_json(ok(invoke(["mrr", "-s", "s.csv", *may])))["values"]
    assert day_first["churned_customers"] == 0 and day_first["mrr_end"] == Decimal("300")  # S2 ends 5 June
    write_config(tmp_path, '[subscriptions]\ndate_format = "%m/%d/%Y"\n')
    month_first = as_json(ok(invoke(["mrr", "-s", "s.csv", *may])))["values"]
    assert month_first["churned_customers"] == 1 and month_first["mrr_end"] == Decimal("100")  # 6 May


def test_a_file_neither_utf8_nor_cp1250_names_the_byte_offset(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_bytes(
        b"subscription_id,customer_id,mrr,started_at,ended_at\nS1,A\x98,10,2023-01-01,\n"
    )
    line = one_line(failed(invoke(["mrr", "-s", "s.csv", *DEC_2023]), 3))
    assert "byte offset" in line and "encoding" in line


# --- Parquet by --input-format and on stdin ------------------------------------------------------


@pytest.fixture
def parquet_bytes(canonical: Path) -> bytes:
    frame = pl.read_csv(canonical, infer_schema=False)
    path = canonical.with_suffix(".parquet")
    frame.write_parquet(path)
    return path.read_bytes()


def test_input_format_parquet_reads_a_dat_file(
    tmp_path: Path, parquet_bytes: bytes, canonical_values: dict[str, Any]
) -> None:
    (tmp_path / "export.dat").write_bytes(parquet_bytes)
    data = mrr_json("-s", "export.dat", "--input-format", "parquet")
    assert data["values"] == canonical_values
    assert data["inputs"] == [{"kind": "subscriptions", "path": "export.dat", "rows": len(SUBS)}]
    assert how_of(columns_json("export.dat", "--input-format", "parquet"))["mrr"] == ("mrr", "exact")
    # Read as CSV, Parquet bytes are a clear encoding error, never numbers.
    line = one_line(failed(invoke(["mrr", "-s", "export.dat", "--input-format", "csv", *DEC_2023]), 3))
    assert "export.dat" in line and "byte offset" in line


def test_parquet_on_stdin(parquet_bytes: bytes, canonical_values: dict[str, Any]) -> None:
    data = as_json(ok(invoke(["mrr", "-s", "-", *DEC_2023, "-f", "json"], input=parquet_bytes)))
    assert data["values"] == canonical_values
    assert data["inputs"][0]["path"] == "<stdin>"


def test_input_format_parquet_on_a_csv_is_a_data_error(canonical: Path) -> None:
    line = one_line(failed(invoke(["mrr", "-s", str(canonical), "--input-format", "parquet", *DEC_2023]), 3))
    assert "is not a readable Parquet file" in line


def test_an_unknown_input_format_is_a_usage_error(canonical: Path) -> None:
    line = one_line(failed(invoke(["mrr", "-s", str(canonical), "--input-format", "xls", *DEC_2023]), 2))
    assert "xls" in line and "parquet" in line


# --- the installed csm, as a process ---------------------------------------------------------------


def test_installed_csm_columns_with_the_stripe_preset() -> None:
    csm = Path(sys.executable).parent / "csm"
    if not csm.is_file():
        pytest.skip(f"no console script at {csm}")
    env = {key: value for key, value in os.environ.items() if key not in CSM_VARIABLES}
    env.update({"NO_COLOR": "1", "TERM": "dumb"})
    done = subprocess.run(
        [str(csm), "columns", STRIPE_CSV, "--preset", "stripe", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    report = json.loads(done.stdout)
    assert report["command"] == "columns" and report["preset"] == "stripe" and report["missing"] == []
    assert report["path"] == STRIPE_CSV
    assert {c["how"] for c in report["columns"]} <= HOWS
    assert {
        "header": "Ended At (UTC)",
        "canonical": "ended_at",
        "how": "preset",
        "sample": "2024-02-01 08:00",
    } in (report["columns"])
