"""Strict readers (SPEC §1, §7): canonical frames out, or one DataError naming file, line, column, value.

Every file is written as explicit bytes in ``tmp_path`` so encodings, delimiters and line endings
are exactly what the test says.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from csmetrics.errors import ConfigError, DataError, ExitCode
from csmetrics.io.readers import Loaded, read_subscriptions, read_surveys, read_tickets
from csmetrics.io.source import ReadOptions

Reader = Callable[..., Loaded]
WARSAW = "Europe/Warsaw"


# --------------------------------------------------------------------------------------------
# helpers


@dataclass(frozen=True)
class Spec:
    """One input kind: its reader and a template of a valid row (``{i}`` = the row number)."""

    kind: str
    read: Reader
    template: dict[str, str]
    id_column: str
    date_column: str
    number_column: str
    bad_number: str

    @property
    def header(self) -> list[str]:
        return list(self.template)

    def row(self, i: int, **changes: str) -> dict[str, str]:
        values = {name: text.format(i=i) for name, text in self.template.items()}
        values.update(changes)
        return values


SUBS = Spec(
    kind="subscriptions",
    read=read_subscriptions,
    template={
        "subscription_id": "s{i}",
        "customer_id": "c{i}",
        "mrr": "10.00",
        "started_at": "2023-01-01",
        "ended_at": "",
    },
    id_column="subscription_id",
    date_column="started_at",
    number_column="mrr",
    bad_number="12.5x",
)
TICKETS = Spec(
    kind="tickets",
    read=read_tickets,
    template={
        "ticket_id": "t{i}",
        "customer_id": "c{i}",
        "created_at": "2023-01-01 10:00",
        "solved_at": "",
        "csat": "5",
    },
    id_column="ticket_id",
    date_column="created_at",
    number_column="csat",
    bad_number="five",
)
SURVEYS = Spec(
    kind="surveys",
    read=read_surveys,
    template={
        "response_id": "r{i}",
        "customer_id": "c{i}",
        "responded_at": "2023-01-01",
        "score": "9",
        "comment": "ok",
    },
    id_column="response_id",
    date_column="responded_at",
    number_column="score",
    bad_number="abc",
)
SPECS = [SUBS, TICKETS, SURVEYS]
each_reader = pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.kind)


def csv_text(header: list[str], rows: list[list[str]] | list[dict[str, str]], sep: str = ",") -> str:
    """CSV text, one record per line, no quoting (the tests quote by hand where they need to)."""
    lines = [sep.join(header)]
    for row in rows:
        cells = [row[name] for name in header] if isinstance(row, dict) else row
        lines.append(sep.join(cells))
    return "\n".join(lines) + "\n"


def spec_bytes(spec: Spec, n: int = 2, changes: dict[int, dict[str, str]] | None = None) -> bytes:
    """``n`` valid rows of ``spec`` with some cells changed (row index → column → text)."""
    changes = changes or {}
    rows = [spec.row(i, **changes.get(i, {})) for i in range(n)]
    return csv_text(spec.header, rows).encode("utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def load(reader: Reader, path: str, tz: str = "UTC", **options: object) -> Loaded:
    return reader(ReadOptions(path=path, **options), tz)  # type: ignore[arg-type]


def data_error(reader: Reader, path: str, tz: str = "UTC", **options: object) -> DataError:
    """Read expecting a DataError; check the §7 contract every data error keeps."""
    with pytest.raises(DataError) as info:
        load(reader, path, tz, **options)
    error = info.value
    assert error.exit_code == ExitCode.DATA == 3
    text = str(error)
    assert "\n" not in text and "\r" not in text, text
    assert text.startswith(error.path)
    if error.line is not None:
        assert text.startswith(f"{error.path}:{error.line}:")
    if error.column is not None:
        assert f"column '{error.column}'" in text
    assert error.reason in text
    return error


def days(spec: Spec, frame: pl.DataFrame) -> list[date]:
    """The calendar days of the spec's date column (Date, or the day of a Datetime)."""
    column = frame[spec.date_column]
    if isinstance(column.dtype, pl.Datetime):
        column = column.dt.date()
    return column.to_list()


# --------------------------------------------------------------------------------------------
# every reader: files, encodings, dates, duplicates, errors


@each_reader
def test_valid_file_is_read(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", spec_bytes(spec, 3))
    loaded = load(spec.read, path)
    assert loaded.kind == spec.kind
    assert loaded.path == path
    assert loaded.rows == 3
    assert loaded.frame[spec.id_column].to_list() == [spec.row(i)[spec.id_column] for i in range(3)]
    assert "__row" not in loaded.frame.columns
    assert loaded.attributes == ()


@each_reader
def test_missing_file(spec: Spec, tmp_path: Path) -> None:
    path = str(tmp_path / "nope.csv")
    error = data_error(spec.read, path)
    assert error.path == path
    assert error.line is None
    assert "no such file" in error.reason


@each_reader
@pytest.mark.parametrize("content", [b"", b"   \n \t\n", b"\r\n\r\n"], ids=["0-bytes", "blanks", "crlf"])
def test_empty_file(spec: Spec, content: bytes, tmp_path: Path) -> None:
    path = write(tmp_path, "empty.csv", content)
    error = data_error(spec.read, path)
    assert error.path == path
    assert "empty" in error.reason


@each_reader
@pytest.mark.parametrize("ending", ["\n", ""], ids=["newline", "no-newline"])
def test_header_only(spec: Spec, ending: str, tmp_path: Path) -> None:
    path = write(tmp_path, "header.csv", (",".join(spec.header) + ending).encode())
    error = data_error(spec.read, path)
    assert "no data rows" in error.reason


@each_reader
def test_missing_required_column_lists_the_header(spec: Spec, tmp_path: Path) -> None:
    header = [name for name in spec.header if name != spec.id_column]
    rows = [spec.row(i) for i in range(2)]
    path = write(tmp_path, "in.csv", csv_text(header, rows).encode())
    error = data_error(spec.read, path)
    assert error.line == 1
    assert f"'{spec.id_column}'" in error.reason
    assert "the header has: " + ", ".join(header) in error.reason


@each_reader
def test_unparsable_value_names_line_column_value(spec: Spec, tmp_path: Path) -> None:
    data = spec_bytes(spec, 3, {1: {spec.number_column: spec.bad_number}})
    path = write(tmp_path, "in.csv", data)
    error = data_error(spec.read, path)
    assert (error.path, error.line, error.column, error.value) == (
        path,
        3,
        spec.number_column,
        spec.bad_number,
    )
    assert str(error).startswith(f"{path}:3: column '{spec.number_column}': '{spec.bad_number}' ")


@each_reader
def test_unparsable_date_names_line_column_value(spec: Spec, tmp_path: Path) -> None:
    data = spec_bytes(spec, 4, {2: {spec.date_column: "yesterday"}})
    path = write(tmp_path, "in.csv", data)
    error = data_error(spec.read, path)
    assert (error.line, error.column, error.value) == (4, spec.date_column, "yesterday")
    assert "YYYY-MM-DD" in error.reason


@each_reader
def test_earliest_bad_line_is_reported_with_a_count_of_the_rest(spec: Spec, tmp_path: Path) -> None:
    changes = {3: {spec.number_column: spec.bad_number}, 1: {spec.date_column: "nope"}}
    path = write(tmp_path, "in.csv", spec_bytes(spec, 5, changes))
    error = data_error(spec.read, path)
    assert (error.line, error.column, error.value) == (3, spec.date_column, "nope")
    assert "1 more problem" in error.reason


@each_reader
def test_ambiguous_slashed_dates_name_date_format(spec: Spec, tmp_path: Path) -> None:
    changes = {0: {spec.date_column: "01/02/2023"}, 1: {spec.date_column: "03/04/2023"}}
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2, changes))
    error = data_error(spec.read, path)
    assert (error.line, error.column, error.value) == (2, spec.date_column, "01/02/2023")
    assert "date_format" in error.reason
    assert "ambiguous" in error.reason


@each_reader
def test_unambiguous_slashed_column_is_day_month_year(spec: Spec, tmp_path: Path) -> None:
    changes = {0: {spec.date_column: "13/02/2023"}, 1: {spec.date_column: "01/02/2023"}}
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2, changes))
    assert days(spec, load(spec.read, path).frame) == [date(2023, 2, 13), date(2023, 2, 1)]


@each_reader
def test_unambiguous_slashed_column_is_month_day_year(spec: Spec, tmp_path: Path) -> None:
    changes = {0: {spec.date_column: "02/13/2023"}, 1: {spec.date_column: "01/02/2023"}}
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2, changes))
    assert days(spec, load(spec.read, path).frame) == [date(2023, 2, 13), date(2023, 1, 2)]


@each_reader
def test_slashed_column_fitting_neither_order_is_an_error(spec: Spec, tmp_path: Path) -> None:
    changes = {0: {spec.date_column: "13/02/2023"}, 1: {spec.date_column: "02/13/2023"}}
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2, changes))
    error = data_error(spec.read, path)
    assert error.line == 2
    assert error.column == spec.date_column


@each_reader
@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("%d/%m/%Y", date(2023, 2, 1)), ("%m/%d/%Y", date(2023, 1, 2))],
)
def test_date_format_settles_ambiguous_dates(spec: Spec, fmt: str, expected: date, tmp_path: Path) -> None:
    changes = {0: {spec.date_column: "01/02/2023"}, 1: {spec.date_column: "01/02/2023"}}
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2, changes))
    assert days(spec, load(spec.read, path, date_format=fmt).frame) == [expected, expected]


@each_reader
def test_date_format_mismatch_is_an_error_naming_it(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2))
    error = data_error(spec.read, path, date_format="%d/%m/%Y")
    assert error.line == 2
    assert "date_format '%d/%m/%Y'" in error.reason


@each_reader
def test_dd_mm_yyyy_is_read(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", spec_bytes(spec, 1, {0: {spec.date_column: "31.12.2023"}}))
    assert days(spec, load(spec.read, path).frame) == [date(2023, 12, 31)]


@each_reader
@pytest.mark.parametrize("byte", [b"\x81", b"\x98"], ids=["0x81", "0x98"])
def test_wrong_encoding_names_the_byte_offset(spec: Spec, byte: bytes, tmp_path: Path) -> None:
    data = spec_bytes(spec, 3).replace(b"c1", b"c" + byte, 1)
    offset = data.index(byte)
    path = write(tmp_path, "in.csv", data)
    error = data_error(spec.read, path)
    assert f"byte offset {offset}" in error.reason
    assert f"0x{byte[0]:02x}" in error.reason
    assert "encoding" in error.reason


@each_reader
def test_cp1250_polish_letters(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, "Branża"]
    rows = [[*spec.row(0).values(), "Usługi"], [*spec.row(1, customer_id="Zażółć").values(), "Łódź"]]
    data = csv_text(header, rows).encode("cp1250")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    loaded = load(spec.read, write(tmp_path, "in.csv", data))
    assert loaded.frame["customer_id"].to_list() == ["c0", "Zażółć"]
    assert loaded.attributes == ("Branża",)
    assert loaded.frame["Branża"].to_list() == ["Usługi", "Łódź"]


@each_reader
def test_cp1250_given_explicitly(spec: Spec, tmp_path: Path) -> None:
    data = spec_bytes(spec, 1).decode().replace("c0", "Gęś").encode("cp1250")
    loaded = load(spec.read, write(tmp_path, "in.csv", data), encoding="cp1250")
    assert loaded.frame["customer_id"].to_list() == ["Gęś"]


@each_reader
def test_utf8_polish_letters(spec: Spec, tmp_path: Path) -> None:
    data = spec_bytes(spec, 1).decode().replace("c0", "Zażółć gęślą jaźń").encode("utf-8")
    loaded = load(spec.read, write(tmp_path, "in.csv", data))
    assert loaded.frame["customer_id"].to_list() == ["Zażółć gęślą jaźń"]


@each_reader
def test_utf8_with_bom(spec: Spec, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + spec_bytes(spec, 2).decode().replace("c1", "Żółw").encode("utf-8")
    loaded = load(spec.read, write(tmp_path, "in.csv", data))
    assert loaded.frame.columns[0] == spec.id_column
    assert loaded.frame[spec.id_column].to_list() == [
        spec.row(0)[spec.id_column],
        spec.row(1)[spec.id_column],
    ]
    assert loaded.frame["customer_id"].to_list() == ["c0", "Żółw"]


@each_reader
def test_explicit_encoding_that_does_not_fit(spec: Spec, tmp_path: Path) -> None:
    data = spec_bytes(spec, 1).decode().replace("c0", "Zażółć").encode("cp1250")
    error = data_error(spec.read, write(tmp_path, "in.csv", data), encoding="utf-8")
    assert "not valid utf-8" in error.reason
    assert "byte offset" in error.reason


@pytest.mark.parametrize("spec", [TICKETS, SURVEYS], ids=lambda spec: spec.kind)
def test_duplicate_id_reports_second_line_naming_the_first(spec: Spec, tmp_path: Path) -> None:
    rows = [spec.row(0), spec.row(1), spec.row(2), spec.row(0)]
    path = write(tmp_path, "in.csv", csv_text(spec.header, rows).encode())
    error = data_error(spec.read, path)
    assert (error.line, error.column, error.value) == (5, spec.id_column, spec.row(0)[spec.id_column])
    assert "line 2" in error.reason
    assert spec.id_column in error.reason


@pytest.mark.parametrize("spec", [TICKETS, SURVEYS], ids=lambda spec: spec.kind)
def test_duplicate_id_after_a_multiline_cell_names_physical_lines(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, "note"]
    lines = [
        ",".join(header),
        ",".join([*spec.row(0).values(), '"one\ntwo\nthree"']),
        ",".join([*spec.row(1).values(), "x"]),
        ",".join([*spec.row(0).values(), "y"]),
    ]
    path = write(tmp_path, "in.csv", ("\n".join(lines) + "\n").encode())
    error = data_error(spec.read, path)
    assert error.line == 6
    assert "line 2" in error.reason


@each_reader
def test_paths_are_literal_no_glob(spec: Spec, tmp_path: Path) -> None:
    write(tmp_path, "a.csv", spec_bytes(spec, 1))
    write(tmp_path, "b.csv", spec_bytes(spec, 1))
    pattern = str(tmp_path / "*.csv")
    error = data_error(spec.read, pattern)
    assert error.path == pattern
    assert "no such file" in error.reason
    error = data_error(spec.read, str(tmp_path / "?.csv"))
    assert "no such file" in error.reason


@each_reader
def test_a_file_literally_named_star_is_read_alone(spec: Spec, tmp_path: Path) -> None:
    write(tmp_path, "a.csv", spec_bytes(spec, 5))
    path = write(tmp_path, "*.csv", spec_bytes(spec, 1))
    assert load(spec.read, path).rows == 1


@each_reader
def test_directory_path(spec: Spec, tmp_path: Path) -> None:
    error = data_error(spec.read, str(tmp_path))
    assert "directory" in error.reason


@each_reader
def test_stdin(spec: Spec) -> None:
    data = spec_bytes(spec, 2)
    loaded = spec.read(ReadOptions(path="-"), "UTC", stdin=io.BytesIO(data))
    assert loaded.rows == 2
    assert loaded.path == "<stdin>"


@each_reader
def test_stdin_error_names_stdin(spec: Spec) -> None:
    data = spec_bytes(spec, 2, {1: {spec.number_column: spec.bad_number}})
    with pytest.raises(DataError) as info:
        spec.read(ReadOptions(path="-"), "UTC", stdin=io.BytesIO(data))
    assert str(info.value).startswith(f"<stdin>:3: column '{spec.number_column}'")
    assert info.value.exit_code == 3


@each_reader
def test_stdin_empty(spec: Spec) -> None:
    with pytest.raises(DataError) as info:
        spec.read(ReadOptions(path="-"), "UTC", stdin=io.BytesIO(b""))
    assert info.value.path == "<stdin>"
    assert "empty" in info.value.reason


@each_reader
def test_tsv_by_extension(spec: Spec, tmp_path: Path) -> None:
    # a comma inside a cell must not split it: the extension says tab
    rows = [spec.row(0, customer_id="Acme, Inc."), spec.row(1)]
    path = write(tmp_path, "in.tsv", csv_text(spec.header, rows, sep="\t").encode())
    loaded = load(spec.read, path)
    assert loaded.frame["customer_id"].to_list() == ["Acme, Inc.", "c1"]


@each_reader
def test_semicolon_is_sniffed(spec: Spec, tmp_path: Path) -> None:
    rows = [spec.row(0, customer_id="Acme, Inc."), spec.row(1)]
    path = write(tmp_path, "in.csv", csv_text(spec.header, rows, sep=";").encode())
    loaded = load(spec.read, path)
    assert loaded.frame["customer_id"].to_list() == ["Acme, Inc.", "c1"]


@each_reader
def test_tab_is_sniffed_in_a_csv(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", csv_text(spec.header, [spec.row(0)], sep="\t").encode())
    assert load(spec.read, path).rows == 1


@each_reader
def test_explicit_delimiter(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.txt", csv_text(spec.header, [spec.row(0)], sep="|").encode())
    assert load(spec.read, path, delimiter="|").rows == 1


@each_reader
def test_crlf_line_endings(spec: Spec, tmp_path: Path) -> None:
    data = spec_bytes(spec, 3, {2: {spec.number_column: spec.bad_number}}).replace(b"\n", b"\r\n")
    error = data_error(spec.read, write(tmp_path, "in.csv", data))
    assert (error.line, error.value) == (4, spec.bad_number)
    good = spec_bytes(spec, 2).replace(b"\n", b"\r\n")
    loaded = load(spec.read, write(tmp_path, "good.csv", good))
    assert loaded.frame[spec.id_column].to_list() == [
        spec.row(0)[spec.id_column],
        spec.row(1)[spec.id_column],
    ]


@each_reader
def test_quoted_newline_then_error_names_the_physical_line(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, "note"]
    bad = spec.row(1, **{spec.number_column: spec.bad_number})
    lines = [
        ",".join(header),
        ",".join([*spec.row(0).values(), '"first\nsecond"']),
        ",".join([*bad.values(), "plain"]),
    ]
    path = write(tmp_path, "in.csv", ("\n".join(lines) + "\n").encode())
    error = data_error(spec.read, path)
    assert (error.line, error.column, error.value) == (4, spec.number_column, spec.bad_number)


@each_reader
def test_quoted_newline_in_the_bad_cell_itself(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, "note"]
    lines = [
        ",".join(header),
        ",".join([*spec.row(0).values(), '"a\r\nb"']),
        ",".join([*spec.row(1, **{spec.number_column: '"1\n2"'}).values(), "x"]),
    ]
    path = write(tmp_path, "in.csv", ("\n".join(lines) + "\n").encode())
    error = data_error(spec.read, path)
    assert error.line == 4
    assert error.value == "1\n2"
    assert "'1\\n2'" in str(error)


@each_reader
def test_quoted_cell_keeps_delimiter_and_newline(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, "note"]
    lines = [",".join(header), ",".join([*spec.row(0).values(), '"a, ""b""\nc"'])]
    loaded = load(spec.read, write(tmp_path, "in.csv", ("\n".join(lines) + "\n").encode()))
    assert loaded.frame["note"].to_list() == ['a, "b"\nc']


def test_stray_quote_in_an_unquoted_cell(tmp_path: Path) -> None:
    lines = [",".join(SURVEYS.header), 'r1,c,2024-01-01,9,27" monitor', "r2,c,2024-01-01,7,ok"]
    path = write(tmp_path, "nps.csv", ("\n".join(lines) + "\n").encode())
    try:
        loaded = load(read_surveys, path)
    except DataError as error:  # at the very least the error must name the line (SPEC §7)
        assert error.line == 2, str(error)
    else:
        assert loaded.frame["comment"].to_list() == ['27" monitor', "ok"]


def test_unterminated_quote_names_a_line(tmp_path: Path) -> None:
    lines = [",".join(SURVEYS.header), 'r1,c,2024-01-01,9,"never closed', "r2,c,2024-01-01,7,ok"]
    error = data_error(read_surveys, write(tmp_path, "nps.csv", ("\n".join(lines) + "\n").encode()))
    assert error.line is not None
    assert "CSV" in error.reason


@each_reader
def test_too_many_fields_names_the_line(spec: Spec, tmp_path: Path) -> None:
    text = spec_bytes(spec, 3).decode().splitlines()
    text[2] += ",extra"
    path = write(tmp_path, "in.csv", ("\n".join(text) + "\n").encode())
    error = data_error(spec.read, path)
    assert error.line == 3
    assert f"{len(spec.header) + 1} fields" in error.reason
    assert f"header has {len(spec.header)}" in error.reason


@each_reader
def test_too_many_fields_after_a_multiline_cell(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, "note"]
    lines = [
        ",".join(header),
        ",".join([*spec.row(0).values(), '"a\nb"']),
        ",".join([*spec.row(1).values(), "x", "extra"]),
    ]
    error = data_error(spec.read, write(tmp_path, "in.csv", ("\n".join(lines) + "\n").encode()))
    assert error.line == 4


@each_reader
def test_too_few_fields_names_the_line(spec: Spec, tmp_path: Path) -> None:
    text = spec_bytes(spec, 3).decode().splitlines()
    text[2] = text[2].rsplit(",", 1)[0]
    path = write(tmp_path, "in.csv", ("\n".join(text) + "\n").encode())
    error = data_error(spec.read, path)
    assert error.line == 3
    assert "fields" in error.reason


@each_reader
def test_trailing_blank_line_is_ignored(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2) + b"\n")
    assert load(spec.read, path).rows == 2


@each_reader
def test_leading_blank_line_keeps_physical_line_numbers(spec: Spec, tmp_path: Path) -> None:
    data = b"\n" + spec_bytes(spec, 2, {1: {spec.number_column: spec.bad_number}})
    error = data_error(spec.read, write(tmp_path, "in.csv", data))
    assert error.line == 4


@each_reader
def test_header_matched_case_insensitively_and_trimmed(spec: Spec, tmp_path: Path) -> None:
    header = [f"  {name.upper()} " if i % 2 else name.title() for i, name in enumerate(spec.header)]
    rows = [list(spec.row(i).values()) for i in range(2)]
    loaded = load(spec.read, write(tmp_path, "in.csv", csv_text(header, rows).encode()))
    assert loaded.rows == 2
    assert spec.id_column in loaded.frame.columns
    assert loaded.attributes == ()


@each_reader
def test_cells_are_trimmed(spec: Spec, tmp_path: Path) -> None:
    rows = [{name: f"  {value} " if value else value for name, value in spec.row(0).items()}]
    loaded = load(spec.read, write(tmp_path, "in.csv", csv_text(spec.header, rows).encode()))
    assert loaded.frame[spec.id_column].to_list() == [spec.row(0)[spec.id_column]]
    assert loaded.frame["customer_id"].to_list() == ["c0"]


@each_reader
def test_duplicated_header_is_an_error_at_line_1(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, f" {spec.header[1].upper()}"]
    rows = [[*spec.row(0).values(), "x"]]
    error = data_error(spec.read, write(tmp_path, "in.csv", csv_text(header, rows).encode()))
    assert error.line == 1
    assert error.column == spec.header[1].upper()
    assert "twice" in error.reason


@each_reader
def test_columns_mapping(spec: Spec, tmp_path: Path) -> None:
    renamed = {spec.id_column: "Identyfikator", "customer_id": "ID klienta"}
    header = [renamed.get(name, name) for name in spec.header]
    rows = [list(spec.row(i).values()) for i in range(2)]
    path = write(tmp_path, "in.csv", csv_text(header, rows).encode("utf-8"))
    mapping = {spec.id_column: "identyfikator", "customer_id": " ID klienta "}
    loaded = load(spec.read, path, columns=mapping)
    assert loaded.frame[spec.id_column].to_list() == [
        spec.row(0)[spec.id_column],
        spec.row(1)[spec.id_column],
    ]
    assert loaded.frame["customer_id"].to_list() == ["c0", "c1"]
    assert "Identyfikator" not in loaded.frame.columns
    assert loaded.attributes == ()


@each_reader
def test_columns_mapping_errors_name_the_mapped_header(spec: Spec, tmp_path: Path) -> None:
    header = [name if name != "customer_id" else "ID klienta" for name in spec.header]
    rows = [list(spec.row(0).values())]
    path = write(tmp_path, "in.csv", csv_text(header, rows).encode())
    error = data_error(spec.read, path, columns={"customer_id": "ID klienta", spec.number_column: "x"})
    assert error.line == 1
    assert "'x'" in error.reason
    assert spec.number_column in error.reason
    assert "the header has: " + ", ".join(header) in error.reason


@each_reader
def test_columns_mapping_bad_value_uses_the_files_header(spec: Spec, tmp_path: Path) -> None:
    header = [name if name != spec.number_column else "Wartość" for name in spec.header]
    rows = [list(spec.row(0, **{spec.number_column: spec.bad_number}).values())]
    path = write(tmp_path, "in.csv", csv_text(header, rows).encode())
    error = data_error(spec.read, path, columns={spec.number_column: "Wartość"})
    assert (error.line, error.column, error.value) == (2, "Wartość", spec.bad_number)


@each_reader
def test_extra_columns_are_kept_as_attributes(spec: Spec, tmp_path: Path) -> None:
    header = [*spec.header, "Industry", "company_size"]
    rows = [[*spec.row(0).values(), "SaaS", "11-50"], [*spec.row(1).values(), "", "1-10"]]
    loaded = load(spec.read, write(tmp_path, "in.csv", csv_text(header, rows).encode()))
    assert loaded.attributes == ("Industry", "company_size")
    assert loaded.frame["Industry"].to_list() == ["SaaS", None]
    assert loaded.frame["company_size"].dtype == pl.String


@each_reader
def test_required_cell_empty(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.csv", spec_bytes(spec, 2, {1: {spec.date_column: ""}}))
    error = data_error(spec.read, path)
    assert (error.line, error.column, error.value) == (3, spec.date_column, "")
    assert "empty" in error.reason


@each_reader
def test_error_value_is_shortened_in_the_message(spec: Spec, tmp_path: Path) -> None:
    long = "9" * 50 + "x" * 50
    path = write(tmp_path, "in.csv", spec_bytes(spec, 1, {0: {spec.number_column: long}}))
    error = data_error(spec.read, path)
    assert error.value == long
    assert long not in str(error)
    assert "…" in str(error)


@each_reader
def test_unknown_input_format(spec: Spec, tmp_path: Path) -> None:
    error = data_error(spec.read, write(tmp_path, "in.csv", spec_bytes(spec)), input_format="json")
    assert "json" in error.reason


@each_reader
def test_input_format_overrides_the_extension(spec: Spec, tmp_path: Path) -> None:
    path = write(tmp_path, "in.parquet", csv_text(spec.header, [spec.row(0)], sep="\t").encode())
    assert load(spec.read, path, input_format="TSV").rows == 1


@each_reader
def test_broken_xlsx_is_a_clear_error(spec: Spec, tmp_path: Path) -> None:
    pytest.importorskip("fastexcel")
    error = data_error(spec.read, write(tmp_path, "in.xlsx", b"PK\x03\x04rest"))
    assert "Excel" in error.reason


@each_reader
def test_broken_parquet(spec: Spec, tmp_path: Path) -> None:
    error = data_error(spec.read, write(tmp_path, "in.parquet", b"PAR1 but not really"))
    assert "Parquet" in error.reason


@each_reader
def test_no_extension_sniffs_parquet_magic(spec: Spec, tmp_path: Path) -> None:
    frame = pl.DataFrame(spec.row(0)).with_columns(pl.all().replace("", None))
    path = tmp_path / "export"
    frame.write_parquet(path)
    assert load(spec.read, str(path)).rows == 1


@each_reader
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(list(range(6))))
def test_row_order_does_not_change_the_frame(spec: Spec, order: list[int]) -> None:
    rows = [spec.row(i) for i in range(6)]
    # vary dates and numbers so sorting has something to carry along
    for i, row in enumerate(rows):
        row[spec.date_column] = f"2023-0{1 + i % 6}-1{i}"
        if spec is SUBS:
            row["mrr"] = f"{i}.{i}5"
        elif spec is TICKETS:
            row["csat"] = str(1 + i % 5)
        else:
            row["score"] = str(i)

    def read(ordered: list[dict[str, str]]) -> pl.DataFrame:
        data = csv_text(spec.header, ordered).encode()
        frame = spec.read(ReadOptions(path="-"), WARSAW, stdin=io.BytesIO(data)).frame
        return frame.sort(spec.id_column)

    assert_frame_equal(read([rows[i] for i in order]), read(rows))


# --------------------------------------------------------------------------------------------
# the canonical output frame


def _tz(tz: str) -> pl.Datetime:
    return pl.Datetime("us", tz)


@pytest.mark.parametrize("tz", ["UTC", WARSAW])
def test_subscriptions_canonical_frame(tz: str, tmp_path: Path) -> None:
    loaded = load(read_subscriptions, write(tmp_path, "in.csv", spec_bytes(SUBS, 2)), tz)
    expected = {
        "subscription_id": pl.String,
        "customer_id": pl.String,
        "plan": pl.String,
        "mrr_cents": pl.Int64,
        "currency": pl.String,
        "started_at": pl.Date,
        "ended_at": pl.Date,
        "cancel_reason": pl.String,
        "registered_at": pl.Date,
        "expires_at": pl.Date,
    }
    assert dict(loaded.frame.schema) == expected
    assert "__row" not in loaded.frame.columns
    for gone in ("mrr", "amount", "billing_period"):
        assert gone not in loaded.frame.columns


@pytest.mark.parametrize("tz", ["UTC", WARSAW])
def test_tickets_canonical_frame(tz: str, tmp_path: Path) -> None:
    loaded = load(read_tickets, write(tmp_path, "in.csv", spec_bytes(TICKETS, 2)), tz)
    expected = {
        "ticket_id": pl.String,
        "customer_id": pl.String,
        "created_at": _tz(tz),
        "first_response_at": _tz(tz),
        "solved_at": _tz(tz),
        "status": pl.String,
        "replies": pl.Int64,
        "channel": pl.String,
        "agent": pl.String,
        "csat": pl.Int64,
        "type": pl.String,
        "first_response_minutes": pl.Float64,
        "resolution_minutes": pl.Float64,
    }
    assert dict(loaded.frame.schema) == expected
    assert "__row" not in loaded.frame.columns


@pytest.mark.parametrize("tz", ["UTC", WARSAW])
def test_surveys_canonical_frame(tz: str, tmp_path: Path) -> None:
    loaded = load(read_surveys, write(tmp_path, "in.csv", spec_bytes(SURVEYS, 2)), tz)
    expected = {
        "response_id": pl.String,
        "customer_id": pl.String,
        "responded_at": _tz(tz),
        "score": pl.Int64,
        "comment": pl.String,
    }
    assert dict(loaded.frame.schema) == expected
    assert "__row" not in loaded.frame.columns


def test_canonical_frame_keeps_attributes_after_canonical_columns(tmp_path: Path) -> None:
    header = ["segment", *SUBS.header, "plan"]
    rows = [["smb", *SUBS.row(0).values(), "Pro"]]
    loaded = load(read_subscriptions, write(tmp_path, "in.csv", csv_text(header, rows).encode()))
    assert loaded.attributes == ("segment",)
    assert loaded.frame["plan"].to_list() == ["Pro"]
    assert loaded.frame["segment"].to_list() == ["smb"]


# --------------------------------------------------------------------------------------------
# subscriptions


SUB_HEADER = ["subscription_id", "customer_id", "mrr", "started_at", "ended_at"]


def subs_file(tmp_path: Path, rows: list[list[str]], header: list[str] | None = None, sep: str = ",") -> str:
    return write(tmp_path, "subs.csv", csv_text(header or SUB_HEADER, rows, sep).encode("utf-8"))


def read_subs(path: str, tz: str = "UTC", **options: object) -> pl.DataFrame:
    return load(read_subscriptions, path, tz, **options).frame


def test_mrr_in_cents(tmp_path: Path) -> None:
    rows = [
        ["s1", "c", "100", "2023-01-01", ""],
        ["s2", "c", "99.99", "2023-01-01", ""],
        ["s3", "c", "0", "2023-01-01", ""],
        ["s4", "c", "+1.5", "2023-01-01", ""],
        ["s5", "c", "1 234.56", "2023-01-01", ""],
    ]
    frame = read_subs(subs_file(tmp_path, rows))
    assert frame["mrr_cents"].to_list() == [10000, 9999, 0, 150, 123456]


@pytest.mark.parametrize(
    ("text", "cents"),
    [("0.125", 12), ("0.135", 14), ("0.005", 0), ("0.015", 2), ("10.001", 1000), ("10.0051", 1001)],
)
def test_mrr_with_three_decimals_rounds_half_even(text: str, cents: int, tmp_path: Path) -> None:
    # 10.001 alone could be 10001 with a decimal comma: the convention is given (test_io_sniffing)
    frame = read_subs(subs_file(tmp_path, [["s1", "c", text, "2023-01-01", ""]]), decimal_comma=False)
    assert frame["mrr_cents"].to_list() == [cents]


def test_mrr_with_a_float_repr_rounds_to_cents(tmp_path: Path) -> None:
    frame = read_subs(subs_file(tmp_path, [["s1", "c", "0.30000000000000004", "2023-01-01", ""]]))
    assert frame["mrr_cents"].to_list() == [30]


def test_negative_mrr(tmp_path: Path) -> None:
    rows = [["s1", "c", "5", "2023-01-01", ""], ["s2", "c", "-0.01", "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (3, "mrr", "-0.01")
    assert "negative" in error.reason


@pytest.mark.parametrize("text", ["12.5x", "1e3", "€10", "ten", "1.2.3", "--1", "12..5"])
def test_mrr_not_a_number(text: str, tmp_path: Path) -> None:
    rows = [["s1", "c", "5", "2023-01-01", ""], ["s2", "c", text, "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (3, "mrr", text)
    assert "not a number" in error.reason


def test_mrr_empty_is_an_error(tmp_path: Path) -> None:
    error = data_error(read_subscriptions, subs_file(tmp_path, [["s1", "c", "", "2023-01-01", ""]]))
    assert (error.line, error.column, error.value) == (2, "mrr", "")


AMOUNT_HEADER = ["subscription_id", "customer_id", "amount", "billing_period", "started_at", "ended_at"]


@pytest.mark.parametrize(
    ("amount", "period", "cents"),
    [
        ("100", "month", 10000),
        ("100", "quarter", 3333),  # 10000 / 3 = 3333.33
        ("100", "year", 833),  # 10000 / 12 = 833.33
        ("12", "week", 5200),  # 1200 × 52 / 12 = 5200
        ("0.06", "year", 0),  # 6 / 12 = 0.5 → half-even → 0
        ("0.18", "year", 2),  # 18 / 12 = 1.5 → half-even → 2
        ("0.30", "year", 2),  # 30 / 12 = 2.5 → 2
        ("0.42", "year", 4),  # 42 / 12 = 3.5 → 4
        ("0.02", "quarter", 1),  # 2 / 3 = 0.67 → 1
        ("1", "week", 433),  # 100 × 52 / 12 = 433.33
        ("0", "year", 0),
        ("1200", "Annual", 10000),
        ("300", "QUARTERLY", 10000),
        ("50", " Monthly ", 5000),
        ("7", "weekly", 3033),  # 700 × 52 / 12 = 3033.33
        ("120", "yearly", 1000),
        ("1", "mo", 100),
        ("120", "annually", 1000),
    ],
)
def test_amount_and_billing_period(amount: str, period: str, cents: int, tmp_path: Path) -> None:
    path = subs_file(tmp_path, [["s1", "c", amount, period, "2023-01-01", ""]], AMOUNT_HEADER)
    loaded = load(read_subscriptions, path)
    assert loaded.frame["mrr_cents"].to_list() == [cents]
    assert "amount" not in loaded.frame.columns
    assert "billing_period" not in loaded.frame.columns
    assert loaded.attributes == ()


@pytest.mark.parametrize(("amount", "period", "cents"), [("0.065", "year", 1), ("0.005", "week", 2)])
def test_amount_with_three_decimals_is_divided_before_rounding(
    amount: str, period: str, cents: int, tmp_path: Path
) -> None:
    path = subs_file(tmp_path, [["s1", "c", amount, period, "2023-01-01", ""]], AMOUNT_HEADER)
    assert read_subs(path)["mrr_cents"].to_list() == [cents]


def test_mrr_wins_over_amount_when_both_are_given(tmp_path: Path) -> None:
    header = ["subscription_id", "customer_id", "mrr", "amount", "billing_period", "started_at", "ended_at"]
    path = subs_file(tmp_path, [["s1", "c", "1", "1200", "year", "2023-01-01", ""]], header)
    assert read_subs(path)["mrr_cents"].to_list() == [100]


@pytest.mark.parametrize("period", ["fortnight", "daily", "12"])
def test_unknown_billing_period(period: str, tmp_path: Path) -> None:
    rows = [["s1", "c", "10", "month", "2023-01-01", ""], ["s2", "c", "10", period, "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows, AMOUNT_HEADER))
    assert (error.line, error.column, error.value) == (3, "billing_period", period)
    assert "month" in error.reason and "year" in error.reason


def test_empty_billing_period(tmp_path: Path) -> None:
    rows = [["s1", "c", "10", "", "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows, AMOUNT_HEADER))
    assert (error.line, error.column) == (2, "billing_period")


def test_negative_amount(tmp_path: Path) -> None:
    rows = [["s1", "c", "-10", "month", "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows, AMOUNT_HEADER))
    assert (error.line, error.column, error.value) == (2, "amount", "-10")


def test_amount_without_billing_period_is_missing_mrr(tmp_path: Path) -> None:
    header = ["subscription_id", "customer_id", "amount", "started_at", "ended_at"]
    error = data_error(read_subscriptions, subs_file(tmp_path, [["s1", "c", "10", "2023-01-01", ""]], header))
    assert error.line == 1
    assert "'mrr'" in error.reason
    assert "billing_period" in error.reason
    assert "the header has: " + ", ".join(header) in error.reason


def test_ended_before_started_is_reported_on_ended_at(tmp_path: Path) -> None:
    rows = [["s1", "c", "1", "2023-01-01", "2023-02-01"], ["s2", "c", "1", "2023-03-05", "2023-03-04"]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (3, "ended_at", "2023-03-04")
    assert "started_at" in error.reason


def test_ended_equal_to_started_is_allowed(tmp_path: Path) -> None:
    frame = read_subs(subs_file(tmp_path, [["s1", "c", "1", "2023-03-05", "2023-03-05"]]))
    assert frame["started_at"].to_list() == frame["ended_at"].to_list() == [date(2023, 3, 5)]


def test_empty_ended_at_is_running(tmp_path: Path) -> None:
    rows = [["s1", "c", "1", "2023-01-01", ""], ["s2", "c", "1", "2023-01-01", "   "]]
    frame = read_subs(subs_file(tmp_path, rows))
    assert frame["ended_at"].to_list() == [None, None]
    assert frame["ended_at"].dtype == pl.Date


def test_started_at_empty_is_an_error(tmp_path: Path) -> None:
    error = data_error(read_subscriptions, subs_file(tmp_path, [["s1", "c", "1", "", ""]]))
    assert (error.line, error.column) == (2, "started_at")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023-12-31T23:30:00Z", date(2024, 1, 1)),  # 00:30 in Warsaw
        ("2023-12-31T22:59:59Z", date(2023, 12, 31)),  # 23:59:59 in Warsaw
        ("2023-12-31T23:30:00+00:00", date(2024, 1, 1)),
        ("2023-12-31 23:30:00 +0000", date(2024, 1, 1)),
        ("2024-01-01T00:30:00+05:00", date(2023, 12, 31)),  # 19:30 UTC = 20:30 Warsaw
        ("2023-12-31 23:30", date(2023, 12, 31)),  # naive: read in Warsaw
        ("2023-12-31T23:30:00.123456", date(2023, 12, 31)),
        ("2023-12-31", date(2023, 12, 31)),  # a date is a calendar day as written
        ("31.12.2023", date(2023, 12, 31)),
        ("31.12.2023 23:30", date(2023, 12, 31)),
        ("2023-07-31T22:30:00Z", date(2023, 8, 1)),  # summer: UTC+2
    ],
)
def test_datetimes_are_taken_as_days_in_tz(text: str, day: date, tmp_path: Path) -> None:
    frame = read_subs(subs_file(tmp_path, [["s1", "c", "1", text, ""]]), WARSAW)
    assert frame["started_at"].to_list() == [day]


def test_z_datetime_day_depends_on_tz(tmp_path: Path) -> None:
    path = subs_file(tmp_path, [["s1", "c", "1", "2023-12-31T23:30:00Z", ""]])
    assert read_subs(path, "UTC")["started_at"].to_list() == [date(2023, 12, 31)]
    assert read_subs(path, WARSAW)["started_at"].to_list() == [date(2024, 1, 1)]
    assert read_subs(path, "America/New_York")["started_at"].to_list() == [date(2023, 12, 31)]


@pytest.mark.parametrize("text", ["32.01.2023", "2023-02-30", "2023-13-01", "2023/01/01", "01/02/23"])
def test_impossible_days(text: str, tmp_path: Path) -> None:
    error = data_error(read_subscriptions, subs_file(tmp_path, [["s1", "c", "1", text, ""]]))
    assert (error.line, error.column, error.value) == (2, "started_at", text)


def test_date_on_a_day_without_midnight(tmp_path: Path) -> None:
    path = subs_file(tmp_path, [["s1", "c", "1", "2018-11-04", ""]])
    assert read_subs(path, "America/Sao_Paulo")["started_at"].to_list() == [date(2018, 11, 4)]


def test_ambiguous_ended_at_column(tmp_path: Path) -> None:
    rows = [["s1", "c", "1", "13/01/2023", "01/02/2023"]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (2, "ended_at", "01/02/2023")
    assert "date_format" in error.reason


def test_registered_and_expires_are_days(tmp_path: Path) -> None:
    header = [*SUB_HEADER, "registered_at", "expires_at", "cancel_reason", "plan"]
    rows = [["s1", "c", "1", "2023-01-01", "", "15.12.2022", "2024-01-31", "", "Pro"]]
    frame = read_subs(subs_file(tmp_path, rows, header))
    assert frame["registered_at"].to_list() == [date(2022, 12, 15)]
    assert frame["expires_at"].to_list() == [date(2024, 1, 31)]
    assert frame["cancel_reason"].to_list() == [None]
    assert frame["plan"].to_list() == ["Pro"]


def test_bad_expires_at(tmp_path: Path) -> None:
    header = [*SUB_HEADER, "expires_at"]
    rows = [["s1", "c", "1", "2023-01-01", "", "soon"]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows, header))
    assert (error.line, error.column, error.value) == (2, "expires_at", "soon")


def test_exact_duplicate_row_is_an_overlap_on_the_later_line(tmp_path: Path) -> None:
    rows = [
        ["s1", "c", "10", "2023-01-01", "2023-06-01"],
        ["s2", "c", "10", "2023-01-01", ""],
        ["s1", "c", "10", "2023-01-01", "2023-06-01"],
    ]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (4, "started_at", "2023-01-01")
    assert "overlap" in error.reason
    assert "'s1'" in error.reason
    assert "line 2" in error.reason


def test_exact_duplicate_running_row(tmp_path: Path) -> None:
    rows = [["s1", "c", "10", "2023-01-01", ""], ["s1", "c", "10", "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert error.line == 3
    assert "overlap" in error.reason


def test_exact_duplicate_empty_interval_row(tmp_path: Path) -> None:
    rows = [["s1", "c", "10", "2023-01-01", "2023-01-01"], ["s1", "c", "10", "2023-01-01", "2023-01-01"]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert error.line == 3


def test_overlapping_row_is_reported_on_the_later_line(tmp_path: Path) -> None:
    rows = [
        ["s1", "c", "10", "2023-01-01", "2023-03-01"],
        ["s1", "c", "20", "2023-02-15", ""],
    ]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (3, "started_at", "2023-02-15")
    assert "overlap" in error.reason
    assert "line 2" in error.reason


def test_row_inside_a_running_row_overlaps(tmp_path: Path) -> None:
    rows = [
        ["s1", "c", "10", "2023-01-01", ""],
        ["s1", "c", "20", "2024-02-01", "2024-03-01"],
    ]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert error.line == 3


def test_row_overlapping_a_non_adjacent_earlier_row(tmp_path: Path) -> None:
    # the long first row covers the third even though the second ends before it
    rows = [
        ["s1", "c", "10", "2023-01-01", "2023-12-01"],
        ["s1", "c", "20", "2023-02-01", "2023-03-01"],
    ]
    assert data_error(read_subscriptions, subs_file(tmp_path, rows)).line == 3


def test_overlap_in_reverse_file_order_is_reported_on_the_later_line(tmp_path: Path) -> None:
    rows = [
        ["s1", "c", "20", "2023-02-15", ""],
        ["s1", "c", "10", "2023-01-01", "2023-03-01"],
    ]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert error.line == 3
    assert "line 2" in error.reason


def test_adjacent_rows_of_one_subscription_are_fine(tmp_path: Path) -> None:
    rows = [
        ["s1", "c", "20", "2023-03-01", ""],  # out of order in the file on purpose
        ["s1", "c", "10", "2023-01-01", "2023-03-01"],
        ["s2", "c", "10", "2023-01-01", "2023-03-01"],
        ["s2", "c", "10", "2023-03-01", "2023-03-01"],  # empty interval at the boundary
        ["s2", "c", "10", "2023-05-01", ""],  # gap is fine
    ]
    frame = read_subs(subs_file(tmp_path, rows))
    assert frame.height == 5
    assert frame["mrr_cents"].to_list() == [2000, 1000, 1000, 1000, 1000]


def test_same_dates_in_different_subscriptions_are_fine(tmp_path: Path) -> None:
    rows = [["s1", "c", "10", "2023-01-01", ""], ["s2", "c", "10", "2023-01-01", ""]]
    assert read_subs(subs_file(tmp_path, rows)).height == 2


CUR_HEADER = ["subscription_id", "customer_id", "mrr", "currency", "started_at", "ended_at"]


def test_mixed_currencies_name_the_first_currency_and_its_line(tmp_path: Path) -> None:
    rows = [
        ["s1", "c", "1", "", "2023-01-01", ""],
        ["s2", "c", "1", "pln", "2023-01-01", ""],
        ["s3", "c", "1", "PLN", "2023-01-01", ""],
        ["s4", "c", "1", "EUR", "2023-01-01", ""],
    ]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows, CUR_HEADER))
    assert (error.line, error.column, error.value) == (5, "currency", "EUR")
    assert "'PLN'" in error.reason
    assert "line 3" in error.reason


def test_lower_case_currency_is_uppercased(tmp_path: Path) -> None:
    rows = [["s1", "c", "1", "pln", "2023-01-01", ""], ["s2", "c", "1", " Pln ", "2023-01-01", ""]]
    frame = read_subs(subs_file(tmp_path, rows, CUR_HEADER))
    assert frame["currency"].to_list() == ["PLN", "PLN"]


def test_currency_absent_is_null(tmp_path: Path) -> None:
    frame = read_subs(subs_file(tmp_path, [["s1", "c", "1", "2023-01-01", ""]]))
    assert frame["currency"].to_list() == [None]


def test_subscription_id_empty(tmp_path: Path) -> None:
    rows = [["s1", "c", "1", "2023-01-01", ""], ["", "c", "1", "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (3, "subscription_id", "")


def test_customer_id_empty(tmp_path: Path) -> None:
    rows = [["s1", "", "1", "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows))
    assert (error.line, error.column) == (2, "customer_id")


def test_subscriptions_columns_mapping_like_the_spec(tmp_path: Path) -> None:
    header = ["Subskrypcja", "ID klienta", "MRR (zł)", "Start", "Koniec", "Branża"]
    rows = [["S-1", "K-1", "1 234,50", "01.02.2023", "", "IT"]]
    path = write(tmp_path, "subskrypcje.csv", csv_text(header, rows, ";").encode("cp1250"))
    mapping = {
        "subscription_id": "Subskrypcja",
        "customer_id": "ID klienta",
        "mrr": "MRR (zł)",
        "started_at": "Start",
        "ended_at": "Koniec",
    }
    loaded = load(read_subscriptions, path, columns=mapping, decimal_comma=True)
    assert loaded.frame["mrr_cents"].to_list() == [123450]
    assert loaded.frame["started_at"].to_list() == [date(2023, 2, 1)]
    assert loaded.frame["customer_id"].to_list() == ["K-1"]
    assert loaded.attributes == ("Branża",)


def test_mapping_to_a_header_that_does_not_exist(tmp_path: Path) -> None:
    path = subs_file(tmp_path, [["s1", "c", "1", "2023-01-01", ""]])
    error = data_error(read_subscriptions, path, columns={"customer_id": "ID klienta"})
    assert error.line == 1
    assert error.column is None
    assert "'ID klienta'" in error.reason
    assert "customer_id" in error.reason
    assert "the header has: " + ", ".join(SUB_HEADER) in error.reason


def test_mapping_leaves_the_canonical_named_column_as_an_attribute(tmp_path: Path) -> None:
    header = ["subscription_id", "customer_id", "account", "mrr", "started_at", "ended_at"]
    path = subs_file(tmp_path, [["s1", "c-old", "A-1", "1", "2023-01-01", ""]], header)
    loaded = load(read_subscriptions, path, columns={"customer_id": "account"})
    assert loaded.frame["customer_id"].to_list() == ["A-1"]
    assert len(loaded.attributes) == 1
    assert loaded.frame[loaded.attributes[0]].to_list() == ["c-old"]


def test_mapping_of_an_unknown_canonical_name_is_a_config_error(tmp_path: Path) -> None:
    path = subs_file(tmp_path, [["s1", "c", "1", "2023-01-01", ""]])
    with pytest.raises(ConfigError, match="'ticket_id', which is not a subscriptions column") as caught:
        read_subs(path, columns={"ticket_id": "subscription_id"})
    assert caught.value.exit_code == 4


def test_one_header_mapped_twice_is_a_config_error(tmp_path: Path) -> None:
    path = subs_file(tmp_path, [["s1", "c", "1", "2023-01-01", ""]])
    with pytest.raises(ConfigError, match="more than one column"):
        read_subs(path, columns={"plan": "customer_id", "cancel_reason": "customer_id"})


def test_semicolon_file_with_decimal_comma(tmp_path: Path) -> None:
    rows = [["s1", "c", "1 234,5", "2023-01-01", ""], ["s2", "c", "1.000,00", "2023-01-01", ""]]
    frame = read_subs(subs_file(tmp_path, rows, sep=";"), decimal_comma=True)
    assert frame["mrr_cents"].to_list() == [123450, 100000]


def test_decimal_comma_is_detected_when_not_set(tmp_path: Path) -> None:
    rows = [["s1", "c", "1,5", "2023-01-01", ""], ["s2", "c", "1 234,50", "2023-01-01", ""]]
    frame = read_subs(subs_file(tmp_path, rows, sep=";"))
    assert frame["mrr_cents"].to_list() == [150, 123450]


def test_decimal_comma_false_rejects_a_comma(tmp_path: Path) -> None:
    rows = [["s1", "c", "1,5", "2023-01-01", ""]]
    error = data_error(read_subscriptions, subs_file(tmp_path, rows, sep=";"), decimal_comma=False)
    assert (error.line, error.column, error.value) == (2, "mrr", "1,5")
    assert "decimal_comma" in error.reason


def _parquet_equivalent(tmp_path: Path, spec: Spec, frame: pl.DataFrame, text_rows: list[list[str]]) -> None:
    parquet = tmp_path / "in.parquet"
    frame.write_parquet(parquet)
    csv_path = write(tmp_path, "in.csv", csv_text(frame.columns, text_rows).encode())
    from_parquet = load(spec.read, str(parquet), WARSAW)
    from_csv = load(spec.read, csv_path, WARSAW)
    assert_frame_equal(from_parquet.frame, from_csv.frame)
    assert from_parquet.attributes == from_csv.attributes


def test_parquet_subscriptions_equal_csv(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "subscription_id": ["s1", "s2"],
            "customer_id": ["c1", "c2"],
            "mrr": ["12.50", "0.125"],
            "started_at": [date(2023, 1, 1), date(2023, 6, 30)],
            "ended_at": [datetime(2023, 12, 31, 23, 30, tzinfo=UTC), None],
            "industry": ["SaaS", None],
        },
        schema_overrides={"ended_at": pl.Datetime("us", "UTC")},
    )
    text = [
        ["s1", "c1", "12.50", "2023-01-01", "2023-12-31T23:30:00Z", "SaaS"],
        ["s2", "c2", "0.125", "2023-06-30", "", ""],
    ]
    _parquet_equivalent(tmp_path, SUBS, frame, text)
    loaded = load(read_subscriptions, str(tmp_path / "in.parquet"), WARSAW)
    assert loaded.frame["ended_at"].to_list() == [date(2024, 1, 1), None]
    assert loaded.frame["mrr_cents"].to_list() == [1250, 12]


def test_parquet_numeric_mrr(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "subscription_id": ["s1", "s2"],
            "customer_id": ["c1", "c2"],
            "mrr": [12.5, 99.99],
            "started_at": [date(2023, 1, 1), date(2023, 1, 1)],
            "ended_at": [None, None],
        },
        schema_overrides={"ended_at": pl.Date},
    )
    frame.write_parquet(tmp_path / "s.parquet")
    assert read_subs(str(tmp_path / "s.parquet"))["mrr_cents"].to_list() == [1250, 9999]


def test_parquet_tickets_equal_csv(tmp_path: Path) -> None:
    new_york = ZoneInfo("America/New_York")
    frame = pl.DataFrame(
        {
            "ticket_id": ["t1", "t2"],
            "customer_id": ["c1", "c2"],
            "created_at": [
                datetime(2024, 1, 1, 10, 0, tzinfo=new_york),
                datetime(2024, 7, 1, 9, 0, tzinfo=new_york),
            ],
            "first_response_at": [datetime(2024, 1, 1, 17, 0), None],  # naive: read in tz
            "replies": [2, None],
            "csat": [None, 5],
            "channel": ["email", "chat"],
        },
        schema_overrides={
            "created_at": pl.Datetime("us", "America/New_York"),
            "first_response_at": pl.Datetime("us"),
        },
    )
    text = [
        ["t1", "c1", "2024-01-01T10:00:00-05:00", "2024-01-01 17:00", "2", "", "email"],
        ["t2", "c2", "2024-07-01T09:00:00-04:00", "", "", "5", "chat"],
    ]
    _parquet_equivalent(tmp_path, TICKETS, frame, text)
    loaded = load(read_tickets, str(tmp_path / "in.parquet"), WARSAW)
    warsaw = ZoneInfo(WARSAW)
    assert loaded.frame["created_at"].to_list() == [
        datetime(2024, 1, 1, 16, 0, tzinfo=warsaw),
        datetime(2024, 7, 1, 15, 0, tzinfo=warsaw),
    ]
    assert loaded.frame["first_response_at"].to_list() == [datetime(2024, 1, 1, 17, 0, tzinfo=warsaw), None]


def test_parquet_surveys_equal_csv(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "response_id": ["r1", "r2"],
            "customer_id": ["c1", "c2"],
            "responded_at": [date(2023, 12, 31), date(2024, 1, 1)],
            "score": [10, 0],
            "comment": ["great", None],
        }
    )
    text = [["r1", "c1", "2023-12-31", "10", "great"], ["r2", "c2", "2024-01-01", "0", ""]]
    _parquet_equivalent(tmp_path, SURVEYS, frame, text)


def test_parquet_bad_value_is_reported_like_csv(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "response_id": ["r1", "r2"],
            "customer_id": ["c", "c"],
            "responded_at": [date(2023, 1, 1)] * 2,
            "score": [3, 11],
        }
    )
    frame.write_parquet(tmp_path / "s.parquet")
    error = data_error(read_surveys, str(tmp_path / "s.parquet"))
    assert (error.line, error.column, error.value) == (3, "score", "11")


def test_parquet_case_duplicate_columns_is_an_error(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "response_id": ["r1"],
            "customer_id": ["c"],
            "responded_at": ["2024-01-01"],
            "score": [1],
            "SCORE": [9],
        }
    )
    frame.write_parquet(tmp_path / "s.parquet")
    error = data_error(read_surveys, str(tmp_path / "s.parquet"))
    assert error.line == 1
    assert error.column == "SCORE"


def test_parquet_header_only(tmp_path: Path) -> None:
    frame = pl.DataFrame(schema=dict.fromkeys(SURVEYS.header, pl.String))
    frame.write_parquet(tmp_path / "s.parquet")
    error = data_error(read_surveys, str(tmp_path / "s.parquet"))
    assert "no data rows" in error.reason


# --------------------------------------------------------------------------------------------
# tickets


TICKET_HEADER = [
    "ticket_id",
    "customer_id",
    "created_at",
    "first_response_at",
    "solved_at",
    "replies",
    "csat",
]


def tickets_file(tmp_path: Path, rows: list[list[str]], header: list[str] | None = None) -> str:
    return write(tmp_path, "tickets.csv", csv_text(header or TICKET_HEADER, rows).encode())


def test_tickets_values(tmp_path: Path) -> None:
    rows = [
        ["t1", "c1", "2024-01-01 10:00", "2024-01-01T11:00:00+01:00", "2024-01-02 09:00", "3", "4"],
        ["t2", "c2", "2024-01-01T09:00:00Z", "", "", "0", ""],
    ]
    frame = load(read_tickets, tickets_file(tmp_path, rows), WARSAW).frame
    warsaw = ZoneInfo(WARSAW)
    assert frame["created_at"].to_list() == [
        datetime(2024, 1, 1, 10, tzinfo=warsaw),
        datetime(2024, 1, 1, 10, tzinfo=warsaw),
    ]
    assert frame["first_response_at"].to_list() == [datetime(2024, 1, 1, 11, tzinfo=warsaw), None]
    assert frame["solved_at"].to_list() == [datetime(2024, 1, 2, 9, tzinfo=warsaw), None]
    assert frame["replies"].to_list() == [3, 0]
    assert frame["csat"].to_list() == [4, None]


def test_ticket_response_equal_to_creation_is_fine(tmp_path: Path) -> None:
    rows = [["t1", "c1", "2024-01-01 10:00", "2024-01-01 10:00", "2024-01-01T09:00:00Z", "1", "5"]]
    assert load(read_tickets, tickets_file(tmp_path, rows), WARSAW).rows == 1


@pytest.mark.parametrize("column", ["first_response_at", "solved_at"])
def test_ticket_time_before_creation(column: str, tmp_path: Path) -> None:
    row = dict.fromkeys(TICKET_HEADER, "")
    row.update(ticket_id="t2", customer_id="c", created_at="2024-01-01 10:00", replies="1", csat="5")
    row[column] = "2024-01-01 09:59"
    good = ["t1", "c", "2024-01-01 10:00", "", "", "1", "5"]
    error = data_error(read_tickets, tickets_file(tmp_path, [good, [row[n] for n in TICKET_HEADER]]))
    assert (error.line, error.column, error.value) == (3, column, "2024-01-01 09:59")
    assert "created_at" in error.reason


def test_ticket_before_creation_across_offsets(tmp_path: Path) -> None:
    # 10:30+02:00 is 08:30Z: before a creation at 09:00Z although the wall clock is later
    rows = [["t1", "c", "2024-01-01T09:00:00Z", "2024-01-01T10:30:00+02:00", "", "1", ""]]
    error = data_error(read_tickets, tickets_file(tmp_path, rows))
    assert (error.line, error.column) == (2, "first_response_at")


@pytest.mark.parametrize("csat", ["0", "6", "-1", "10"])
def test_csat_out_of_range(csat: str, tmp_path: Path) -> None:
    rows = [
        ["t1", "c", "2024-01-01 10:00", "", "", "1", "5"],
        ["t2", "c", "2024-01-01 10:00", "", "", "1", csat],
    ]
    error = data_error(read_tickets, tickets_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (3, "csat", csat)
    assert "1–5" in error.reason


@pytest.mark.parametrize("csat", ["1", "5"])
def test_csat_bounds_are_fine(csat: str, tmp_path: Path) -> None:
    rows = [["t1", "c", "2024-01-01 10:00", "", "", "1", csat]]
    assert load(read_tickets, tickets_file(tmp_path, rows)).frame["csat"].to_list() == [int(csat)]


def test_replies_negative(tmp_path: Path) -> None:
    rows = [["t1", "c", "2024-01-01 10:00", "", "", "-1", ""]]
    error = data_error(read_tickets, tickets_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (2, "replies", "-1")


@pytest.mark.parametrize(("column", "index"), [("csat", 6), ("replies", 5)])
@pytest.mark.parametrize("text", ["4.5", "4.0", "four", "1e1"])
def test_ticket_integers_reject_non_integers(column: str, index: int, text: str, tmp_path: Path) -> None:
    row = ["t1", "c", "2024-01-01 10:00", "", "", "1", "5"]
    row[index] = text
    error = data_error(read_tickets, tickets_file(tmp_path, [row]))
    assert (error.line, error.column, error.value) == (2, column, text)
    assert "whole number" in error.reason


def test_created_at_empty(tmp_path: Path) -> None:
    rows = [["t1", "c", "2024-01-01 10:00", "", "", "", ""], ["t2", "c", "", "", "", "", ""]]
    error = data_error(read_tickets, tickets_file(tmp_path, rows))
    assert (error.line, error.column, error.value) == (3, "created_at", "")
    assert "created_at" in error.reason


def test_ticket_id_empty(tmp_path: Path) -> None:
    rows = [["", "c", "2024-01-01 10:00", "", "", "", ""]]
    error = data_error(read_tickets, tickets_file(tmp_path, rows))
    assert (error.line, error.column) == (2, "ticket_id")


def test_ticket_minimal_columns(tmp_path: Path) -> None:
    path = tickets_file(tmp_path, [["t1", "2024-01-01 10:00"]], ["ticket_id", "created_at"])
    loaded = load(read_tickets, path)
    assert loaded.frame["customer_id"].to_list() == [None]
    assert loaded.frame["solved_at"].dtype == pl.Datetime("us", "UTC")


def test_ticket_duration_columns(tmp_path: Path) -> None:
    header = ["ticket_id", "created_at", "first_response_minutes", "resolution_minutes"]
    path = tickets_file(
        tmp_path, [["t1", "2024-01-01 10:00", "12.5", ""], ["t2", "2024-01-01", "3", "60"]], header
    )
    frame = load(read_tickets, path).frame
    assert frame["first_response_minutes"].to_list() == [12.5, 3.0]
    assert frame["resolution_minutes"].to_list() == [None, 60.0]


def test_ticket_duration_not_a_number(tmp_path: Path) -> None:
    header = ["ticket_id", "created_at", "first_response_minutes"]
    error = data_error(read_tickets, tickets_file(tmp_path, [["t1", "2024-01-01 10:00", "soon"]], header))
    assert (error.line, error.column, error.value) == (2, "first_response_minutes", "soon")


def test_ticket_naive_time_in_a_dst_gap_is_an_error(tmp_path: Path) -> None:
    rows = [["t1", "c", "2024-03-31 02:30", "", "", "", ""]]
    error = data_error(read_tickets, tickets_file(tmp_path, rows), WARSAW)
    assert (error.line, error.column, error.value) == (2, "created_at", "2024-03-31 02:30")


# --------------------------------------------------------------------------------------------
# surveys


SURVEY_HEADER = ["response_id", "customer_id", "responded_at", "score", "comment"]


def surveys_file(tmp_path: Path, scores: list[str]) -> str:
    rows = [[f"r{i}", "c", "2024-01-01", score, ""] for i, score in enumerate(scores)]
    return write(tmp_path, "nps.csv", csv_text(SURVEY_HEADER, rows).encode())


@pytest.mark.parametrize(
    ("score", "reason"),
    [
        ("11", "0–10"),
        ("-1", "0–10"),
        ("100", "0–10"),
        ("7.5", "whole number"),
        ("abc", "whole number"),
        ("", "empty"),
    ],
)
def test_bad_scores(score: str, reason: str, tmp_path: Path) -> None:
    error = data_error(read_surveys, surveys_file(tmp_path, ["9", score]))
    assert (error.line, error.column, error.value) == (3, "score", score)
    assert reason in error.reason


def test_scores_0_to_10_are_fine(tmp_path: Path) -> None:
    scores = [str(score) for score in range(11)]
    assert load(read_surveys, surveys_file(tmp_path, scores)).frame["score"].to_list() == list(range(11))


def test_survey_responded_at_date_or_datetime(tmp_path: Path) -> None:
    rows = [["r1", "c", "2024-01-01", "9", ""], ["r2", "c", "2023-12-31T23:30:00Z", "7", "hm, ok"]]
    header = SURVEY_HEADER
    path = write(tmp_path, "nps.csv", csv_text(header, rows, ";").encode())
    frame = load(read_surveys, path, WARSAW).frame
    warsaw = ZoneInfo(WARSAW)
    assert frame["responded_at"].to_list() == [
        datetime(2024, 1, 1, tzinfo=warsaw),
        datetime(2024, 1, 1, 0, 30, tzinfo=warsaw),
    ]
    assert frame["comment"].to_list() == [None, "hm, ok"]


def test_survey_without_comment_column(tmp_path: Path) -> None:
    header = ["response_id", "customer_id", "responded_at", "score"]
    path = write(tmp_path, "nps.csv", csv_text(header, [["r1", "c", "2024-01-01", "9"]]).encode())
    frame = load(read_surveys, path).frame
    assert frame["comment"].to_list() == [None]
    assert frame["comment"].dtype == pl.String


def test_survey_missing_score_column(tmp_path: Path) -> None:
    header = ["response_id", "customer_id", "responded_at"]
    path = write(tmp_path, "nps.csv", csv_text(header, [["r1", "c", "2024-01-01"]]).encode())
    error = data_error(read_surveys, path)
    assert error.line == 1
    assert "'score'" in error.reason


# --------------------------------------------------------------------------------------------
# hypothesis: random valid files read back exactly


@settings(max_examples=40, deadline=None)
@given(
    cents=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8),
    sep=st.sampled_from([",", ";", "\t"]),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_subscription_mrr_round_trip(cents: list[int], sep: str, seed: int) -> None:
    rows = [
        [f"s{i}", f"c{i % 3}", f"{c // 100}.{c % 100:02d}", "2023-01-01", ""] for i, c in enumerate(cents)
    ]
    random.Random(seed).shuffle(rows)
    data = csv_text(SUB_HEADER, rows, sep).encode()
    frame = read_subscriptions(ReadOptions(path="-"), "UTC", stdin=io.BytesIO(data)).frame
    by_id = dict(zip(frame["subscription_id"].to_list(), frame["mrr_cents"].to_list(), strict=True))
    assert by_id == {f"s{i}": c for i, c in enumerate(cents)}


# --------------------------------------------------------------------------------------------
# the one-pass overlap check finds exactly what comparing every pair of rows finds


def overlapping_rows(rows: list[tuple[str, date, date | None]]) -> dict[int, int]:
    """Brute force: each later row (file order) → the earliest row of its subscription it overlaps."""
    end_of = [end or date(9999, 12, 31) for _, _, end in rows]
    found: dict[int, int] = {}
    for later, (ident, start, _) in enumerate(rows):
        for earlier in range(later):
            other, other_start, _ = rows[earlier]
            crosses = start < end_of[earlier] and other_start < end_of[later]
            same = (start, end_of[later]) == (other_start, end_of[earlier])
            if other == ident and (crosses or same):
                found[later] = earlier
                break
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["s1", "s2", "s3", "a-long-subscription-id"]),
            st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 12, 31)),
            st.one_of(st.none(), st.integers(0, 400)),
        ).map(lambda r: (r[0], r[1], None if r[2] is None else r[1] + timedelta(days=r[2]))),
        min_size=1,
        max_size=9,
    )
)
def test_overlaps_match_every_pair_of_rows(tmp_path: Path, rows: list[tuple[str, date, date | None]]) -> None:
    from csmetrics.io.readers import read_checked

    text = [
        [ident, "c", "1", start.isoformat(), end.isoformat() if end else ""] for ident, start, end in rows
    ]
    path = subs_file(tmp_path, text)
    problems = read_checked("subscriptions", ReadOptions(path=path), "UTC", limit=100).problems
    flagged = {p.row: p.reason for p in problems.found if p.kind == "overlap"}
    expected = overlapping_rows(rows)
    assert set(flagged) == set(expected)
    for row, earlier in expected.items():
        assert flagged[row].startswith(f"overlaps line {earlier + 2} of subscription '{rows[row][0]}'")


# --------------------------------------------------------------------------------------------
# typed Parquet columns: values as they are, errors quoting the cell as text


def test_parquet_typed_errors_quote_the_cell_as_text(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "subscription_id": ["s1", "s2"],
            "customer_id": ["c1", "c2"],
            "mrr": [10.0, -2.5],
            "started_at": [date(2023, 1, 1), date(2023, 1, 1)],
            "ended_at": [None, date(2022, 12, 1)],
        }
    )
    frame.write_parquet(tmp_path / "s.parquet")
    error = data_error(read_subscriptions, str(tmp_path / "s.parquet"))
    assert (error.line, error.column, error.value) == (3, "mrr", "-2.5")
    assert "1 more problem" in error.reason


def test_parquet_typed_date_before_start_quotes_the_day(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "subscription_id": ["s1"],
            "customer_id": ["c1"],
            "mrr": [10],
            "started_at": [datetime(2023, 1, 1, 12, 0)],
            "ended_at": [date(2022, 12, 1)],
            "seats": [3],
        }
    )
    frame.write_parquet(tmp_path / "s.parquet")
    error = data_error(read_subscriptions, str(tmp_path / "s.parquet"))
    assert (error.line, error.column, error.value) == (2, "ended_at", "2022-12-01")
    frame.with_columns(pl.lit(None, dtype=pl.Date).alias("ended_at")).write_parquet(tmp_path / "s.parquet")
    loaded = load(read_subscriptions, str(tmp_path / "s.parquet"))
    assert loaded.frame["mrr_cents"].to_list() == [1000]
    assert loaded.frame["seats"].to_list() == ["3"]  # an attribute stays text


def test_parquet_typed_csat_with_labels_is_read_as_text(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "ticket_id": ["t1", "t2"],
            "customer_id": ["c1", "c2"],
            "created_at": [datetime(2024, 1, 1, 10, 0, tzinfo=UTC)] * 2,
            "csat": [5, None],
        }
    )
    frame.write_parquet(tmp_path / "t.parquet")
    loaded = load(read_tickets, str(tmp_path / "t.parquet"), csat_labels={"great": 5})
    assert loaded.frame["csat"].to_list() == [5, None]


def test_parquet_float_money_with_a_decimal_comma_elsewhere_is_still_an_error(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "subscription_id": ["s1"],
            "customer_id": ["c1"],
            "mrr": [12.5],
            "amount": ["1,5"],
            "started_at": [date(2023, 1, 1)],
            "ended_at": [None],
        },
        schema_overrides={"ended_at": pl.Date},
    )
    frame.write_parquet(tmp_path / "s.parquet")
    for decimal_comma in (None, True):  # the comma of '1,5' wins, as it did when mrr was read as text
        error = data_error(read_subscriptions, str(tmp_path / "s.parquet"), decimal_comma=decimal_comma)
        assert (error.column, error.value) == ("mrr", "12.5")
