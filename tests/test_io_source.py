"""Getting the raw table out of a file (io/source.py): bytes, encoding, delimiter, text cells, lines."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.errors import DataError, ExitCode
from csmetrics.io.source import (
    ROW,
    RawTable,
    ReadOptions,
    decode,
    detect_format,
    read_bytes,
    read_raw,
    sniff_delimiter,
)


def check_one_line(error: DataError) -> None:
    assert error.exit_code == ExitCode.DATA == 3
    assert "\n" not in str(error)


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --------------------------------------------------------------------------------------------
# read_bytes


def test_read_bytes_file(tmp_path: Path) -> None:
    assert read_bytes(write(tmp_path, "a.csv", b"x\xff\n")) == b"x\xff\n"


def test_read_bytes_missing(tmp_path: Path) -> None:
    path = str(tmp_path / "missing.csv")
    with pytest.raises(DataError) as info:
        read_bytes(path)
    check_one_line(info.value)
    assert info.value.path == path
    assert "no such file" in info.value.reason


def test_read_bytes_is_literal(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", b"a\n1\n")
    write(tmp_path, "b.csv", b"a\n2\n")
    for pattern in ("*.csv", "?.csv", "[ab].csv", "{a,b}.csv"):
        with pytest.raises(DataError) as info:
            read_bytes(str(tmp_path / pattern))
        assert "no such file" in info.value.reason


def test_read_bytes_literal_star_file(tmp_path: Path) -> None:
    write(tmp_path, "a.csv", b"a\n1\n")
    assert read_bytes(write(tmp_path, "*.csv", b"star\n")) == b"star\n"


def test_read_bytes_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        read_bytes(str(tmp_path))
    check_one_line(info.value)
    assert "directory" in info.value.reason


def test_read_bytes_stdin() -> None:
    assert read_bytes("-", io.BytesIO(b"a\n1\n")) == b"a\n1\n"


def test_read_bytes_file_named_dash_is_not_read_for_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "-", b"from file\n")
    assert read_bytes("-", io.BytesIO(b"from stdin\n")) == b"from stdin\n"
    assert read_bytes("./-") == b"from file\n"


# --------------------------------------------------------------------------------------------
# detect_format


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", "csv"),
        ("a.CSV", "csv"),
        ("a.tsv", "tsv"),
        ("a.parquet", "parquet"),
        ("a.txt", "csv"),
        ("a", "csv"),
    ],
)
def test_detect_format_by_extension(name: str, expected: str) -> None:
    assert detect_format(ReadOptions(path=name), b"a,b\n") == expected


def test_detect_format_parquet_magic_without_extension() -> None:
    assert detect_format(ReadOptions(path="export"), b"PAR1....") == "parquet"
    assert detect_format(ReadOptions(path="-"), b"PAR1....") == "parquet"


def test_detect_format_option_wins() -> None:
    assert detect_format(ReadOptions(path="a.csv", input_format="Parquet"), b"a,b") == "parquet"


def test_detect_format_unknown_option() -> None:
    with pytest.raises(DataError) as info:
        detect_format(ReadOptions(path="a.csv", input_format="json"), b"")
    check_one_line(info.value)
    assert "csv, tsv, parquet" in info.value.reason


def test_detect_format_xlsx() -> None:
    assert detect_format(ReadOptions(path="Book1.XLSX"), b"PK") == "xlsx"
    assert detect_format(ReadOptions(path="export", input_format="XLSX"), b"PK") == "xlsx"


def test_detect_format_old_xls_is_a_clear_error() -> None:
    with pytest.raises(DataError) as info:
        detect_format(ReadOptions(path="Book1.xls"), b"\xd0\xcf")
    assert ".xlsx" in info.value.reason


# --------------------------------------------------------------------------------------------
# decode


def test_decode_utf8() -> None:
    assert decode("f", "Zażółć".encode(), None) == "Zażółć"


def test_decode_utf8_bom_is_dropped() -> None:
    assert decode("f", b"\xef\xbb\xbfa,b\n", None) == "a,b\n"


def test_decode_cp1250() -> None:
    assert decode("f", "Zażółć gęślą jaźń".encode("cp1250"), None) == "Zażółć gęślą jaźń"


@pytest.mark.parametrize("byte", [0x81, 0x83, 0x88, 0x90, 0x98])
def test_decode_neither_names_the_byte_offset(byte: int) -> None:
    data = b"id,name\n1,ok\n2,b" + bytes([byte]) + b"d\n"
    with pytest.raises(DataError) as info:
        decode("f.csv", data, None)
    check_one_line(info.value)
    assert f"byte offset {data.index(bytes([byte]))}" in info.value.reason
    assert f"0x{byte:02x}" in info.value.reason
    assert "UTF-8" in info.value.reason and "cp1250" in info.value.reason


def test_decode_explicit_encoding() -> None:
    assert decode("f", "é".encode("latin-1"), "latin-1") == "é"
    assert decode("f", b"\xef\xbb\xbfa", "utf-8") == "a"


def test_decode_explicit_encoding_that_does_not_fit() -> None:
    with pytest.raises(DataError) as info:
        decode("f", b"ab\xffc", "utf-8")
    check_one_line(info.value)
    assert "byte offset 2" in info.value.reason
    assert "0xff" in info.value.reason


def test_decode_unknown_encoding() -> None:
    with pytest.raises(DataError) as info:
        decode("f", b"a", "no-such-codec")
    check_one_line(info.value)
    assert "no-such-codec" in info.value.reason


POLISH_WORDS = ["Zażółć", "gęślą", "jaźń", "Łódź", "Kraków", "Gdańsk", "ŚWIĘTY", "Ćma", "id", "1,5", ";"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(POLISH_WORDS), min_size=1, max_size=12).map(" ".join))
def test_decode_polish_text_in_either_encoding(text: str) -> None:
    # words, not random letters: a cp1250 run such as "ĆŁ" (C6 A3) is also valid UTF-8 ("ƣ"),
    # so detection can only work on text where that does not happen (real words)
    assert decode("f", text.encode("utf-8"), None) == text
    assert decode("f", b"\xef\xbb\xbf" + text.encode("utf-8"), None) == text
    assert decode("f", text.encode("cp1250"), None) == text


# --------------------------------------------------------------------------------------------
# sniff_delimiter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a;b,c;d\n", ";"),
        ("single\n1\n", ","),
        ("a,b\r\n1,2\r\n", ","),
    ],
)
def test_sniff_delimiter(text: str, expected: str) -> None:
    assert sniff_delimiter("f", text) == expected


# --------------------------------------------------------------------------------------------
# read_raw


def raw(tmp_path: Path, data: bytes, name: str = "in.csv", **options: object) -> RawTable:
    return read_raw(ReadOptions(path=write(tmp_path, name, data), **options))  # type: ignore[arg-type]


def test_read_raw_cells_are_stripped_text_and_empty_is_null(tmp_path: Path) -> None:
    table = raw(tmp_path, b" id , Amount \n 1 , 007 \n2,\n3,   \n")
    assert table.frame.columns == [ROW, "id", "Amount"]
    assert table.frame["id"].to_list() == ["1", "2", "3"]
    assert table.frame["Amount"].to_list() == ["007", None, None]
    assert table.frame[ROW].to_list() == [0, 1, 2]
    assert all(table.frame[name].dtype == pl.String for name in ("id", "Amount"))


def test_read_raw_keeps_leading_zeros_and_text(tmp_path: Path) -> None:
    table = raw(tmp_path, b"id,code\n00123,1e5\n")
    assert table.frame.row(0) == (0, "00123", "1e5")


def test_read_raw_bom_header(tmp_path: Path) -> None:
    table = raw(tmp_path, b"\xef\xbb\xbfid,x\n1,2\n")
    assert table.frame.columns == [ROW, "id", "x"]


def test_read_raw_empty(tmp_path: Path) -> None:
    for data in (b"", b" \n\t\r\n"):
        with pytest.raises(DataError) as info:
            raw(tmp_path, data)
        check_one_line(info.value)
        assert "empty" in info.value.reason


def test_read_raw_duplicate_header(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        raw(tmp_path, b"id,Name, NAME \n1,a,b\n")
    check_one_line(info.value)
    assert info.value.line == 1
    assert info.value.column == "NAME"


def test_read_raw_too_many_fields(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        raw(tmp_path, b"a,b\n1,2\n3,4\n5,6,7\n")
    check_one_line(info.value)
    assert info.value.line == 4
    assert "3 fields" in info.value.reason


def test_read_raw_stdin() -> None:
    table = read_raw(ReadOptions(path="-"), io.BytesIO(b"a;b\n1;2\n"))
    assert table.path == "<stdin>"
    assert table.delimiter == ";"
    assert table.frame["b"].to_list() == ["2"]


def test_read_raw_tsv(tmp_path: Path) -> None:
    table = raw(tmp_path, b"a\tb\n1,5\t2;3\n", name="in.tsv")
    assert table.delimiter == "\t"
    assert table.frame.row(0) == (0, "1,5", "2;3")


def test_read_raw_explicit_delimiter(tmp_path: Path) -> None:
    table = raw(tmp_path, b"a|b,c\n1|2,3\n", delimiter="|")
    assert table.frame.columns == [ROW, "a", "b,c"]


def test_read_raw_parquet_as_text(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    frame = pl.DataFrame(
        {
            "day": [date(2024, 1, 2), None],
            "at": [datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), None],
            "naive": [datetime(2024, 1, 2, 3, 4, 5, 600000), None],
            "n": [1, None],
            "x": [1.5, 2.0],
            "s": [" a ", ""],
        },
        schema_overrides={"at": pl.Datetime("us", "UTC")},
    )
    path = tmp_path / "in.parquet"
    frame.write_parquet(path)
    table = read_raw(ReadOptions(path=str(path)))
    assert table.text is None
    assert table.frame.row(0, named=True) == {
        ROW: 0,
        "day": "2024-01-02",
        "at": "2024-01-02T03:04:05+00:00",
        "naive": "2024-01-02T03:04:05.600",
        "n": "1",
        "x": "1.5",
        "s": "a",
    }
    assert table.frame.row(1, named=True)["s"] is None
    assert table.line_of(1) == 3


# --------------------------------------------------------------------------------------------
# RawTable.line_of: 1-based physical lines, header = 1


def test_line_of_simple(tmp_path: Path) -> None:
    table = raw(tmp_path, b"a,b\n1,2\n3,4\n")
    assert [table.line_of(row) for row in range(2)] == [2, 3]


def test_line_of_after_multiline_cells(tmp_path: Path) -> None:
    data = b'a,b\n1,"x\ny"\n2,z\n3,"p\nq\nr"\n4,w\n'
    table = raw(tmp_path, data)
    assert table.frame["b"].to_list() == ["x\ny", "z", "p\nq\nr", "w"]
    assert [table.line_of(row) for row in range(4)] == [2, 4, 5, 8]


def test_line_of_multiline_header(tmp_path: Path) -> None:
    table = raw(tmp_path, b'a,"b\nc"\n1,2\n3,4\n')
    assert table.frame.columns == [ROW, "a", "b\nc"]
    assert [table.line_of(row) for row in range(2)] == [3, 4]


def test_line_of_crlf_multiline(tmp_path: Path) -> None:
    table = raw(tmp_path, b'a;b\r\n1;"x\r\ny"\r\n2;z\r\n')
    assert [table.line_of(row) for row in range(2)] == [2, 4]


def test_line_of_quotes_without_newlines(tmp_path: Path) -> None:
    table = raw(tmp_path, b'a,b\n"1","2"\n"3","4, five"\n')
    assert [table.line_of(row) for row in range(2)] == [2, 3]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet='ab \n,"', max_size=8), st.text(alphabet="xyz", min_size=1, max_size=4)),
        min_size=1,
        max_size=8,
    )
)
def test_line_of_matches_physical_lines(rows: list[tuple[str, str]]) -> None:
    lines = ["note,id"]
    starts = []
    line = 2
    for note, ident in rows:
        starts.append(line)
        quoted = '"' + note.replace('"', '""') + '"'
        lines.append(f"{quoted},{ident}")
        line += 1 + note.count("\n")
    data = ("\n".join(lines) + "\n").encode()
    table = read_raw(ReadOptions(path="-"), io.BytesIO(data))
    assert table.frame["id"].to_list() == [ident for _, ident in rows]
    assert [table.line_of(row) for row in range(len(rows))] == starts


# --------------------------------------------------------------------------------------------
# ragged rows, whitespace and typed Parquet on the fast paths


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"a,b,c\n1,2,3\n4,5\n", 3),  # short last row, no quotes: counted from the delimiters
        (b"a,b,c\n1,2,\n4,5\n6,7,8\n", 3),  # the last column has nulls anyway
        (b'a,b,c\n"1,0",2,3\n4,5\n', 3),  # quotes: the lines are split and checked one by one
        (b"a,b,c\r\n1,2,3\r\n\r\n4,5\r\n", 4),
    ],
)
def test_a_short_row_is_an_error_on_every_path(tmp_path: Path, data: bytes, line: int) -> None:
    with pytest.raises(DataError) as info:
        raw(tmp_path, data)
    check_one_line(info.value)
    assert info.value.line == line
    assert "2 fields where the header has 3" in info.value.reason


@pytest.mark.parametrize(
    "data",
    [b"a,b,c\n1,2,3\n\n4,5,6\n", b"a,b,c\n1,2,\n,,\n", b'a,b,c\n"1,5",2,3\n', b"a;b\n1;2\n   \n3;4\n"],
)
def test_blank_lines_and_empty_cells_are_not_ragged(tmp_path: Path, data: bytes) -> None:
    assert raw(tmp_path, data).frame.height >= 1


def test_the_lines_are_split_in_python_when_every_spare_byte_is_taken(tmp_path: Path) -> None:
    cell = b'"\x1f\x1e\x1d\x1c\x00"'
    with pytest.raises(DataError) as info:
        raw(tmp_path, b"a,b\n" + cell + b",1\n2\n")
    assert info.value.line == 3


def test_cells_of_a_file_without_whitespace_are_kept_as_they_are(tmp_path: Path) -> None:
    table = raw(tmp_path, b"id,at\nx1,2024-01-01T10:00:00Z\nx2,\n")
    assert table.frame.rows() == [(0, "x1", "2024-01-01T10:00:00Z"), (1, "x2", None)]


@pytest.mark.parametrize("space", [b" ", b"\t", b"\xc2\xa0", b"\r"])
def test_cells_are_stripped_whenever_the_file_has_whitespace(tmp_path: Path, space: bytes) -> None:
    table = raw(tmp_path, b"id,x\n" + space + b"a" + space + b",b\n")
    assert table.frame.row(0) == (0, "a", "b")


def typed_parquet(tmp_path: Path, rows: int = 3) -> str:
    from datetime import UTC, date, datetime
    from decimal import Decimal

    frame = pl.DataFrame(
        {
            "day": [date(2024, 1, 2)] * rows,
            "aware": [datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)] * rows,
            "naive": [datetime(2024, 1, 2, 3, 4, 5)] * rows,
            "n": list(range(rows)),
            "x": [1.5] * rows,
            "d": [Decimal("1.25")] * rows,
            "flag": [True] * rows,
            "s": [" a "] * rows,
        },
        schema_overrides={"aware": pl.Datetime("ms", "UTC"), "d": pl.Decimal(10, 2)},
    )
    path = tmp_path / "in.parquet"
    frame.write_parquet(path)
    return str(path)


def test_read_raw_typed_keeps_dates_times_and_numbers(tmp_path: Path) -> None:
    table = read_raw(ReadOptions(path=typed_parquet(tmp_path)), typed=True)
    schema = table.frame.schema
    assert schema["day"] == pl.Date
    assert schema["aware"] == pl.Datetime("ms", "UTC")
    assert schema["naive"] == pl.Datetime("us")
    assert (schema["n"], schema["x"], schema["d"]) == (pl.Int64, pl.Float64, pl.Decimal(10, 2))
    assert (schema["flag"], schema["s"]) == (pl.String, pl.String)
    assert table.frame.row(0, named=True)["s"] == "a"
    assert table.frame.row(0, named=True)["flag"] == "true"


def test_a_large_parquet_file_is_read_from_its_path(tmp_path: Path) -> None:
    path = typed_parquet(tmp_path, rows=5000)
    assert Path(path).stat().st_size > 4096
    table = read_raw(ReadOptions(path=path))
    assert table.frame.height == 5000
    assert table.frame["aware"][0] == "2024-01-02T03:04:05+00:00"


def test_an_empty_parquet_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        raw(tmp_path, b"", name="in.parquet")
    assert "empty" in info.value.reason


SALESFORCE_FOOTER = (
    '\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
    '"Confidential Information - Do Not Distribute"\n'
    '"Generated By:  Jane Doe  4/1/2024 9:14 AM"\n'
    '"Acme Corp"\n'
)


def test_a_salesforce_report_footer_is_not_data(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text('"Account ID","Account Name"\n"001A","Acme"\n"001B","Globex"\n' + SALESFORCE_FOOTER)
    table = read_raw(ReadOptions(path=str(path)))
    assert table.frame.drop("__row").rows() == [("001A", "Acme"), ("001B", "Globex")]


def test_a_short_last_row_without_the_footer_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text('"Account ID","Account Name"\n"001A","Acme"\n\n"Copyright (c) 2000-2026 someone else"\n')
    with pytest.raises(DataError, match="has 1 fields where the header has 2"):
        read_raw(ReadOptions(path=str(path)))
