"""Excel (.xlsx) input: the first sheet or a named one, every cell as text, Excel row numbers in errors.

The workbooks are written here by hand (an .xlsx is a zip of XML), so the tests need no writer
package; reading needs fastexcel, the engine behind ``pl.read_excel(engine="calamine")``.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
import pytest

from csmetrics.errors import DataError
from csmetrics.io.columns import describe_columns
from csmetrics.io.readers import read_checked, read_subscriptions, read_tickets
from csmetrics.io.source import ReadOptions, read_raw

pytest.importorskip("fastexcel")

EXAMPLES = Path(__file__).parent.parent / "examples"

Cell = str | int | float | tuple[str, float] | None
"""Text, a number, ``("date", serial)`` / ``("datetime", serial)`` for a date cell, or empty."""

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Cell) -> str:
    if isinstance(value, tuple):
        style = 1 if value[0] == "date" else 2
        return f'<c r="{ref}" s="{style}"><v>{value[1]}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = escape(str(value))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def write_xlsx(path: Path, sheets: dict[str, list[list[Cell]]]) -> str:
    """A minimal workbook: one worksheet per entry, rows from row 1, ``None`` = no cell."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(names))
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>',
        )
        book.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}"><Relationship '
            f'Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheet_tags = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, name in enumerate(names)
        )
        book.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
            f"<sheets>{sheet_tags}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(names))
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">{links}'
            f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/styles.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_NS}"><fonts count="1"><font/>'
            '</fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/>'
            '<xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="22" applyNumberFormat="1"/>'
            "</cellXfs></styleSheet>",
        )
        for i, name in enumerate(names):
            rows = []
            for r, row in enumerate(sheets[name]):
                cells = "".join(
                    _cell(f"{_letters(c)}{r + 1}", value) for c, value in enumerate(row) if value is not None
                )
                if cells:
                    rows.append(f'<row r="{r + 1}">{cells}</row>')
            book.writestr(
                f"xl/worksheets/sheet{i + 1}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>'
                f"{''.join(rows)}</sheetData></worksheet>",
            )
    return str(path)


HEADER: list[Cell] = ["subscription_id", "customer_id", "mrr", "started_at", "ended_at"]
JAN_9_2024 = 45300  # Excel's serial day number of 2024-01-09


def test_typed_cells_are_read_as_the_text_a_csv_would_hold(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "subs.xlsx",
        {
            "Sheet1": [
                HEADER,
                ["S1", 10300600012345, 129, ("date", JAN_9_2024), None],
                ["S2", "c2", 99.5, ("datetime", JAN_9_2024 + 0.5), "2024-02-01"],
                ["S3", "c3", " 1 234,50 ", "09.01.2024", None],
            ]
        },
    )
    frame = read_raw(ReadOptions(path=path)).frame
    assert frame["customer_id"].to_list() == ["10300600012345", "c2", "c3"]
    assert frame["mrr"].to_list() == ["129", "99.5", "1 234,50"]
    assert frame["started_at"].to_list() == ["2024-01-09", "2024-01-09 12:00:00", "09.01.2024"]
    assert all(dtype == pl.String for dtype in frame.drop("__row").dtypes)


def test_excel_subscriptions_equal_the_csv(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        HEADER,
        ["S1", "c1", 129, ("date", JAN_9_2024), None],
        ["S2", "c2", 99.5, "2024-01-01", ""],
    ]
    xlsx = read_subscriptions(ReadOptions(path=write_xlsx(tmp_path / "s.xlsx", {"S": rows})), "UTC")
    text = (
        "subscription_id,customer_id,mrr,started_at,ended_at\nS1,c1,129,2024-01-09,\nS2,c2,99.5,2024-01-01,\n"
    )
    (tmp_path / "s.csv").write_text(text)
    csv = read_subscriptions(ReadOptions(path=str(tmp_path / "s.csv")), "UTC")
    assert xlsx.frame.equals(csv.frame)
    assert xlsx.frame["started_at"].to_list() == [date(2024, 1, 9), date(2024, 1, 1)]


def test_error_names_the_excel_row_number(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [None],
        [None],
        HEADER,
        ["S1", "c1", 10, "2024-01-01", None],
        [None],
        ["S2", "c2", "12.5x", "2024-01-01", None],
    ]
    path = write_xlsx(tmp_path / "subs.xlsx", {"Data": rows})
    with pytest.raises(DataError) as caught:
        read_subscriptions(ReadOptions(path=path), "UTC")
    error = caught.value
    assert (error.line, error.column, error.value) == (6, "mrr", "12.5x")
    assert str(error).startswith(f"{path}:6: column 'mrr': '12.5x'")


def test_the_first_filled_row_is_the_header(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [[None], ["Subscriptions, March"], HEADER, ["S1", "c1", 10, "2024-01-01", None]]
    path = write_xlsx(tmp_path / "subs.xlsx", {"Data": rows})
    with pytest.raises(DataError) as caught:
        read_subscriptions(ReadOptions(path=path), "UTC")
    # the title row is taken as the header: its line is named, and the columns it lacks
    assert caught.value.line == 2
    assert "no name in the header" in caught.value.reason


def test_validate_finds_every_problem_with_excel_rows(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        HEADER,
        ["S1", "c1", "x", "2024-01-01", None],
        ["S2", "c2", 5, "2024-13-01", None],
        ["S3", "c3", "y", "2024-01-01", None],
    ]
    path = write_xlsx(tmp_path / "subs.xlsx", {"Data": rows})
    checked = read_checked("subscriptions", ReadOptions(path=path), "UTC", limit=10)
    lines = sorted((checked.problems.line_of(p), p.column) for p in checked.problems.found)
    assert lines == [(2, "mrr"), (3, "started_at"), (4, "mrr")]


def test_the_first_sheet_is_read_unless_one_is_named(tmp_path: Path) -> None:
    first: list[list[Cell]] = [HEADER, ["S1", "c1", 10, "2024-01-01", None]]
    second: list[list[Cell]] = [
        HEADER,
        ["S2", "c2", 20, "2024-01-01", None],
        ["S3", "c3", 30, "2024-01-01", None],
    ]
    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": first, "All subscriptions": second})
    assert read_subscriptions(ReadOptions(path=path), "UTC").rows == 1
    assert read_subscriptions(ReadOptions(path=path, sheet="All subscriptions"), "UTC").rows == 2
    assert read_subscriptions(ReadOptions(path=path, sheet=" all SUBSCRIPTIONS"), "UTC").rows == 2


def test_a_wrong_sheet_name_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"Summary": [HEADER], "Data": [HEADER]})
    with pytest.raises(DataError) as caught:
        read_subscriptions(ReadOptions(path=path, sheet="Subskrypcje"), "UTC")
    assert caught.value.exit_code == 3
    assert "no sheet 'Subskrypcje'" in caught.value.reason
    assert "Summary, Data" in caught.value.reason


def test_an_empty_sheet_and_a_header_only_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {"Empty": [[None]], "Header": [HEADER]})
    with pytest.raises(DataError, match="empty"):
        read_subscriptions(ReadOptions(path=path), "UTC")
    with pytest.raises(DataError, match="no data rows"):
        read_subscriptions(ReadOptions(path=path, sheet="Header"), "UTC")


def test_input_format_reads_an_xlsx_without_its_extension(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "export", {"S": [HEADER, ["S1", "c1", 10, "2024-01-01", None]]})
    assert read_subscriptions(ReadOptions(path=path, input_format="xlsx"), "UTC").rows == 1


def test_values_without_a_header_cell_are_an_error(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [HEADER, ["S1", "c1", 10, "2024-01-01", None, "stray"]]
    with pytest.raises(DataError, match="no name in the header"):
        read_subscriptions(ReadOptions(path=write_xlsx(tmp_path / "s.xlsx", {"S": rows})), "UTC")


def test_a_typed_number_with_three_decimals_is_not_ambiguous(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [HEADER, ["S1", "c1", 1.234, "2024-01-01", None]]
    loaded = read_subscriptions(ReadOptions(path=write_xlsx(tmp_path / "s.xlsx", {"S": rows})), "UTC")
    assert loaded.frame["mrr_cents"].to_list() == [123]


def test_the_stripe_example_saved_as_excel_reads_like_the_csv(tmp_path: Path) -> None:
    import csv

    with (EXAMPLES / "stripe" / "subscriptions.csv").open(encoding="utf-8") as stream:
        rows: list[list[Cell]] = [list(row) for row in csv.reader(stream)]
    path = write_xlsx(tmp_path / "stripe.xlsx", {"Subscriptions": rows})
    from_excel = read_subscriptions(ReadOptions(path=path, preset="stripe"), "UTC")
    from_csv = read_subscriptions(
        ReadOptions(path=str(EXAMPLES / "stripe" / "subscriptions.csv"), preset="stripe"), "UTC"
    )
    assert from_excel.frame.equals(from_csv.frame)
    assert from_excel.notes == from_csv.notes


def test_zendesk_ids_typed_as_numbers_stay_whole(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["Id", "Requester id", "Created at"],
        [4101, 10300600012345, "2024-02-05 09:12:00"],
    ]
    path = write_xlsx(tmp_path / "zendesk.xlsx", {"Tickets": rows})
    frame = read_tickets(ReadOptions(path=path, preset="zendesk"), "UTC").frame
    assert frame["ticket_id"].to_list() == ["4101"]
    assert frame["customer_id"].to_list() == ["10300600012345"]


def test_describe_columns_reads_excel(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", {"S": [["Customer", "MRR"], ["c1", 10]]})
    report = describe_columns("subscriptions", ReadOptions(path=path), "UTC")
    assert [(c.header, c.canonical, c.how, c.sample) for c in report.columns] == [
        ("Customer", "customer_id", "alias", "c1"),
        ("MRR", "mrr", "exact", "10"),
    ]
