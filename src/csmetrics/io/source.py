"""Getting the raw table out of a file or stdin: bytes, encoding, delimiter, all cells as text.

Paths are literal (no glob expansion); ``-`` is standard input. Every cell comes back as
stripped text (empty = null), with ``__row`` holding the 0-based data row for error messages.
Excel (``.xlsx``) is read through polars' calamine engine (the ``fastexcel`` package), every cell
as text, so CSV, TSV, Parquet and Excel share one validation path.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import polars as pl

from csmetrics.errors import DataError

ROW = "__row"
STDIN = "-"
EMPTY_NAME = "__unnamed"
FORMATS = ("csv", "tsv", "parquet", "xlsx")
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class ReadOptions:
    """Where one input is and how its text is written; None means detect it."""

    path: str
    input_format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal_comma: bool | None = None
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    """A vendor export layout (stripe, chargebee, baremetrics, zendesk, freshdesk, delighted, typeform)."""
    sheet: str | None = None
    """The Excel sheet to read (default: the first)."""
    money_unit: str | None = None
    """``major`` (129.00) or ``cents`` (12900) for mrr and amount; default: the preset's, else major."""
    source_tz: str | None = None
    """The zone the file's naive times are written in; default: the preset's (UTC for Stripe), else --tz."""
    csat_labels: dict[str, int] = field(default_factory=dict)
    """Satisfaction labels → 1–5, over the preset's own map (case-insensitive)."""


def with_flags(
    options: ReadOptions,
    *,
    preset: str | None = None,
    columns: dict[str, str] | None = None,
    sheet: str | None = None,
    input_format: str | None = None,
) -> ReadOptions:
    """Options from csm.toml with command-line flags laid over them (a flag wins).

    ``columns`` (from ``--map``) replaces the configured header of each canonical column it names;
    a configured mapping whose header a flag gives to another column is dropped.
    """
    merged = dict(options.columns)
    if columns:
        claimed = {header.strip().casefold() for header in columns.values()}
        merged = {
            canonical: header
            for canonical, header in merged.items()
            if canonical not in columns and header.strip().casefold() not in claimed
        }
        merged.update(columns)
    return replace(
        options,
        preset=preset if preset is not None else options.preset,
        columns=merged,
        sheet=sheet if sheet is not None else options.sheet,
        input_format=input_format if input_format is not None else options.input_format,
    )


@dataclass(frozen=True)
class RawTable:
    """All cells of one input as text, plus what is needed to name a line in an error."""

    path: str
    frame: pl.DataFrame
    text: str | None = None
    delimiter: str | None = None
    offset: int = 0
    format: str = "csv"

    @property
    def header_line(self) -> int:
        """The 1-based line (Excel: row) of the header."""
        return self.offset + 1

    def line_of(self, row: int) -> int:
        """The 1-based line of data row ``row`` (header = line 1), exact with multi-line cells.

        ``offset`` counts the blank lines before the header, which are not part of ``text``; for
        Excel, the empty rows above the header, so the line is the sheet's row number.
        """
        if self.text is None or '"' not in self.text:
            return row + 2 + self.offset
        reader = csv.reader(io.StringIO(self.text), delimiter=self.delimiter or ",")
        next(reader, None)
        for index, record in enumerate(reader):
            if index == row:
                return reader.line_num - _lines_in_last_record(record) + self.offset
        return row + 2 + self.offset


def _lines_in_last_record(record: list[str]) -> int:
    """How many extra physical lines a parsed CSV record spanned (its embedded newlines)."""
    return sum(cell.count("\n") for cell in record)


def read_bytes(path: str, stdin: BinaryIO | None = None) -> bytes:
    """Read a file's bytes, or stdin's for ``-``; a missing or unreadable file is a data error."""
    if path == STDIN:
        return (stdin or sys.stdin.buffer).read()
    file = Path(path)
    if not file.exists():
        raise DataError(path, "no such file (paths are literal: no * or ? expansion)")
    if file.is_dir():
        raise DataError(path, "is a directory, not a file")
    try:
        return file.read_bytes()
    except OSError as error:
        raise DataError(path, f"cannot be read: {error.strerror or error}") from None


def detect_format(options: ReadOptions, data: bytes) -> str:
    """The input format: --input-format, else the extension, else Parquet's magic bytes or CSV."""
    if options.input_format:
        chosen = options.input_format.lower()
        if chosen not in FORMATS:
            raise DataError(options.path, f"unknown input format '{chosen}' (use {', '.join(FORMATS)})")
        return chosen
    suffix = Path(options.path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix == "xls":
        raise DataError(options.path, "old Excel .xls files are not read: save the sheet as .xlsx or CSV")
    return "parquet" if data[:4] == b"PAR1" else "csv"


def _decode_error(path: str, data: bytes, offset: int, reason: str) -> DataError:
    """A decoding error naming the line and the byte offset of the first bad byte."""
    line = data[:offset].count(b"\n") + 1
    return DataError(path, f"{reason}: byte offset {offset} (0x{data[offset]:02x})", line=line)


def decode(path: str, data: bytes, encoding: str | None) -> str:
    """Decode text: UTF-8 (a BOM is dropped), else cp1250; a file that is neither is an error."""
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except LookupError:
            raise DataError(path, f"unknown encoding '{encoding}'") from None
        except UnicodeDecodeError as error:
            raise _decode_error(path, data, error.start, f"is not valid {encoding}") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp1250")
        except UnicodeDecodeError:
            reason = "is neither UTF-8 nor cp1250 (set encoding)"
            raise _decode_error(path, data, utf8_error.start, reason) from None


def sniff_delimiter(path: str, text: str) -> str:
    """The delimiter: the most frequent of ``,`` ``;`` and tab in the header, outside quotes.

    A tie is settled by the first lines of data (the delimiter that splits every one of them into
    as many fields as the header); a tie that they do not settle is an error naming ``delimiter``.
    """
    header = _first_record_text(text)
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: outside.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts.values())
    if best == 0:
        return ","
    tied = [delimiter for delimiter in _DELIMITERS if counts[delimiter] == best]
    if len(tied) == 1:
        return tied[0]
    consistent = [delimiter for delimiter in tied if _splits_evenly(text, delimiter)]
    if len(consistent) == 1:
        return consistent[0]
    names = " or ".join(_DELIMITER_NAMES[delimiter] for delimiter in tied)
    raise DataError(path, f"cannot tell the delimiter ({names}): set delimiter", line=1)


_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab"}


def _first_record_text(text: str, limit: int = 65536) -> str:
    """The header record as written, even when a quoted header name holds a newline."""
    head = text[:limit]
    quoted = False
    start = 0
    while True:
        newline = head.find("\n", start)
        end = newline if newline >= 0 else len(head)
        quoted ^= head.count('"', start, end) % 2 == 1
        if newline < 0 or not quoted:
            return head[:end]
        start = newline + 1


def _splits_evenly(text: str, delimiter: str, sample: int = 50) -> bool:
    """Whether the header and the first data records all have the same number of fields (> 1)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        widths = {len(record) for _, record in zip(range(sample), reader, strict=False) if record}
    except csv.Error:
        return False
    return len(widths) == 1 and widths.pop() > 1


def _width_problem(path: str, text: str, delimiter: str) -> DataError | None:
    """The first record whose field count differs from the header's, or a CSV syntax error."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        width = len(next(reader))
        for record in reader:
            if record and len(record) != width:
                return DataError(
                    path,
                    f"has {len(record)} fields where the header has {width}",
                    line=reader.line_num,
                )
    except csv.Error as error:
        return DataError(path, f"is not valid CSV: {error}", line=reader.line_num)
    return None


def _check_widths(path: str, text: str, delimiter: str, width: int) -> None:
    """A row with fewer or more fields than the header is an error, never padded silently.

    Counting delimiters per line is exact for files without quotes; lines that look wrong are
    checked again with a real CSV parser, which understands quoted delimiters and newlines.
    """
    lines = pl.Series(text.split("\n")).str.strip_chars_end("\r")
    counts = lines.str.count_matches(delimiter, literal=True)
    suspects = (lines.str.strip_chars() != "") & (counts != width - 1)
    if bool(suspects.any()) and (problem := _width_problem(path, text, delimiter)) is not None:
        raise problem


def _header(text: str, delimiter: str) -> list[str]:
    return [name.strip() for name in next(csv.reader(io.StringIO(text), delimiter=delimiter), [])]


def _csv_frame(path: str, text: str, delimiter: str) -> pl.DataFrame:
    """Read CSV text with every column as text, named by the header as written."""
    header = _header(text, delimiter)
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            separator=delimiter,
            infer_schema=False,
            has_header=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        frame = _csv_module_frame(path, text, delimiter, header)
    _check_widths(path, text, delimiter, len(header))
    return frame.rename(dict(zip(frame.columns, _unique_names(header), strict=True)))


def _csv_module_frame(path: str, text: str, delimiter: str, header: list[str]) -> pl.DataFrame:
    """The slower, more lenient reader for text polars refuses (a stray quote inside a cell)."""
    problem = _width_problem(path, text, delimiter)
    if problem is not None:
        raise problem
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))[1:]
    rows = [record for record in records if record]
    columns = {f"c{i}": [row[i] for row in rows] for i in range(len(header))}
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _unique_names(header: list[str]) -> list[str]:
    """Header names with empty ones made unique placeholders (checked in ``_check_names``)."""
    return [name or f"{EMPTY_NAME}{index}" for index, name in enumerate(header)]


def _check_names(path: str, frame: pl.DataFrame, line: int = 1) -> pl.DataFrame:
    """Reject two columns with one name (ignoring case); drop unnamed empty columns.

    An unnamed column holding values is an error: its data would have no meaning.
    """
    seen: set[str] = set()
    keep: list[str] = []
    for index, name in enumerate(frame.columns):
        if name.startswith(EMPTY_NAME):
            if frame[name].null_count() != frame.height:
                raise DataError(path, f"column {index + 1} has values but no name in the header", line=line)
            continue
        key = name.casefold()
        if key in seen:
            raise DataError(path, "appears twice in the header", line=line, column=name)
        seen.add(key)
        keep.append(name)
    return frame.select(keep)


def _parquet_frame(path: str, data: bytes) -> pl.DataFrame:
    """Read Parquet and turn every column into text, so one validation path serves all formats."""
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except pl.exceptions.PolarsError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise DataError(path, f"is not a readable Parquet file: {first}") from None
    return frame.select([_as_text(frame[name]) for name in frame.columns])


def _as_text(column: pl.Series) -> pl.Series:
    """One Parquet column as the text a CSV would have held; nested and binary columns hold no
    attribute csm can use, so they are kept empty rather than failing the whole read."""
    dtype = column.dtype
    if isinstance(dtype, pl.Datetime):
        fmt = "%Y-%m-%dT%H:%M:%S%.f"
        if dtype.time_zone is not None:
            return column.dt.convert_time_zone("UTC").dt.strftime(fmt + "+00:00")
        return column.dt.strftime(fmt)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if dtype.is_nested() or dtype == pl.Binary:
        return pl.Series(column.name, [None] * len(column), dtype=pl.String)
    return column.cast(pl.String)


_EXCEL_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2}) 00:00:00$"


def _excel_engine(path: str) -> None:
    try:
        importlib.import_module("fastexcel")
    except ImportError:
        raise DataError(
            path, "reading Excel files needs the fastexcel package (pip install fastexcel), or save as CSV"
        ) from None


def _sheet_names(path: str, data: bytes) -> list[str]:
    fastexcel = importlib.import_module("fastexcel")
    try:
        return list(fastexcel.read_excel(data).sheet_names)
    except Exception as error:  # fastexcel raises its own exception types
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise DataError(path, f"is not a readable Excel .xlsx file: {first}") from None


def _excel_frame(path: str, data: bytes, sheet: str | None) -> tuple[pl.DataFrame, int]:
    """One sheet, every cell as text, and how many empty rows stand above its header.

    Whole rows are read from row 1 of the sheet (none dropped) so a data row's line in an error is
    its Excel row number. A date cell without a time becomes ``YYYY-MM-DD``.
    """
    _excel_engine(path)
    names = _sheet_names(path, data)
    if not names:
        raise DataError(path, "has no sheets")
    chosen = names[0] if sheet is None else next((n for n in names if n == sheet), None)
    if chosen is None:
        chosen = (
            next((n for n in names if n.strip().casefold() == sheet.strip().casefold()), None)
            if sheet
            else None
        )
    if chosen is None:
        raise DataError(path, f"has no sheet '{sheet}' (its sheets: {', '.join(names)})")
    try:
        grid = pl.read_excel(
            data,
            engine="calamine",
            sheet_name=chosen,
            has_header=False,
            read_options={"dtypes": "string", "header_row": None, "skip_rows": 0},
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as error:  # polars wraps fastexcel's errors in several types
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise DataError(path, f"sheet '{chosen}' cannot be read: {first}") from None
    grid = grid.select(
        pl.col(name).cast(pl.String).str.replace(_EXCEL_MIDNIGHT, "${1}").str.strip_chars().replace("", None)
        for name in grid.columns
    )
    filled = grid.select(pl.any_horizontal(pl.all().is_not_null()).alias("filled"))["filled"]
    if grid.width == 0 or not bool(filled.any()):
        raise DataError(path, f"sheet '{chosen}' is empty: expected a header row and data rows")
    offset = int(filled.arg_true()[0])
    header = [str(cell).strip() if cell is not None else "" for cell in grid.row(offset)]
    frame = grid.slice(offset + 1)
    return frame.rename(dict(zip(frame.columns, _unique_names(header), strict=True))), offset


def _leading_blank_lines(text: str) -> tuple[str, int]:
    """The text from its first non-blank line on, and how many blank lines came before it."""
    count = 0
    while text:
        line, newline, rest = text.partition("\n")
        if line.strip() or not newline:
            break
        text, count = rest, count + 1
    return text, count


def read_raw(options: ReadOptions, stdin: BinaryIO | None = None) -> RawTable:
    """Read one input into a table of stripped text cells (null where empty).

    Blank lines are skipped; the row index keeps counting them so line numbers stay exact.
    """
    path = "<stdin>" if options.path == STDIN else options.path
    data = read_bytes(options.path, stdin)
    empty = DataError(path, "is empty: expected a header line and data rows")
    if not data.strip():
        raise empty
    kind = detect_format(options, data)
    if options.sheet is not None and kind != "xlsx":
        raise DataError(path, f"is read as {kind.upper()}, which has no sheets: sheet is for .xlsx files")
    text: str | None = None
    delimiter: str | None = None
    offset = 0
    if kind == "parquet":
        frame = _parquet_frame(path, data)
        frame = frame.rename(
            {name: name.strip() or f"{EMPTY_NAME}{i}" for i, name in enumerate(frame.columns)}
        )
    elif kind == "xlsx":
        frame, offset = _excel_frame(path, data, options.sheet)
    else:
        text, offset = _leading_blank_lines(decode(path, data, options.encoding))
        if not text.strip():
            raise empty
        delimiter = options.delimiter or ("\t" if kind == "tsv" else sniff_delimiter(path, text))
        frame = _csv_frame(path, text, delimiter)
    frame = frame.select(pl.col(name).str.strip_chars().replace("", None) for name in frame.columns)
    frame = _check_names(path, frame, offset + 1).with_row_index(ROW)
    if frame.width > 1:
        frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    return RawTable(path=path, frame=frame, text=text, delimiter=delimiter, offset=offset, format=kind)
