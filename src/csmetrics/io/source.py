"""Getting the raw table out of files or stdin: bytes, encoding, delimiter, cells as text.

Paths are literal unless ``glob`` is set; a directory stands for every data file under it (sorted;
the keys of ``key=value`` subdirectories become text columns); ``-`` is standard input. Every
cell comes back as stripped text (empty = null), with ``__row`` numbering the data rows for error
messages; with ``typed``, Parquet's Date, Datetime and numeric columns keep their type. Excel
(``.xlsx``) is read through polars' calamine engine (the ``fastexcel`` package), every cell as
text, so CSV, TSV, Parquet and Excel share one validation path.
"""

from __future__ import annotations

import bisect
import csv
import glob as globbing
import importlib
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, TextIO
from urllib.parse import unquote

import polars as pl

from csmetrics.errors import DataError

ROW = "__row"
STDIN = "-"
EMPTY_NAME = "__unnamed"
FORMATS = ("csv", "tsv", "parquet", "xlsx")
_DELIMITERS = (",", ";", "\t")
_BOM = b"\xef\xbb\xbf"

Progress = Callable[[str], None]
"""Told each stage of a long read in a few words ("reading tickets.csv", "checking 10,000,000 rows")."""


def report(progress: Progress | None, stage: str) -> None:
    """Tell ``progress`` (if any) which stage a read has reached."""
    if progress is not None:
        progress(stage)


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
    glob: bool = False
    """Expand ``*``, ``?``, ``[…]`` and ``**`` in ``path`` (``--glob``); without it a path is literal."""
    skip_bad_rows: bool = False
    """Leave out the rows that break a rule, with a counted warning, instead of stopping (SPEC §7)."""


def with_flags(
    options: ReadOptions,
    *,
    preset: str | None = None,
    columns: dict[str, str] | None = None,
    sheet: str | None = None,
    input_format: str | None = None,
    glob: bool | None = None,
    skip_bad_rows: bool | None = None,
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
        glob=glob if glob is not None else options.glob,
        skip_bad_rows=skip_bad_rows if skip_bad_rows is not None else options.skip_bad_rows,
    )


@dataclass(frozen=True)
class RawTable:
    """All cells of one input as text, plus what is needed to name a file and line in an error."""

    path: str
    frame: pl.DataFrame
    data: bytes | None = None
    """A CSV's text as UTF-8 from its header on, when it has quotes (for the lines of multi-line
    cells); None otherwise."""
    delimiter: str | None = None
    offset: int = 0
    format: str = "csv"
    parts: tuple[tuple[int, RawTable], ...] = ()
    """An input of several files: each file's first ``__row`` and its table (without the cells)."""

    @property
    def text(self) -> str | None:
        """A quoted CSV's text from its header on; None for Parquet, Excel and CSV without quotes."""
        return None if self.data is None else self.data.decode("utf-8")

    @property
    def header_line(self) -> int:
        """The 1-based line (Excel: row) of the header."""
        return self.offset + 1

    def _part(self, row: int) -> tuple[int, RawTable]:
        starts = [start for start, _ in self.parts]
        return self.parts[max(bisect.bisect_right(starts, row) - 1, 0)]

    def path_of(self, row: int) -> str:
        """The file data row ``row`` comes from."""
        return self._part(row)[1].path if self.parts else self.path

    def line_of(self, row: int) -> int:
        """The 1-based line of data row ``row`` in its file (header = line 1), exact with multi-line cells.

        ``offset`` counts the blank lines before the header, which are not part of ``data``; for
        Excel, the empty rows above the header, so the line is the sheet's row number.
        """
        if self.parts:
            start, part = self._part(row)
            return part.line_of(row - start)
        if self.data is None or b'"' not in self.data:
            return row + 2 + self.offset
        reader = csv.reader(_stream(self.data), delimiter=self.delimiter or ",")
        next(reader, None)
        for index, record in enumerate(reader):
            if index == row:
                return reader.line_num - _lines_in_last_record(record) + self.offset
        return row + 2 + self.offset

    def line_name(self, row: int, seen_from: int | None = None) -> str:
        """``line 17`` of data row ``row``, naming its file when it differs from row ``seen_from``'s."""
        line = f"line {self.line_of(row)}"
        if self.parts and (seen_from is None or self.path_of(seen_from) != self.path_of(row)):
            return f"{line} of {self.path_of(row)}"
        return line


def _stream(data: bytes) -> TextIO:
    """UTF-8 bytes as text lines split at ``\\n`` only, without copying them into one string."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="\n")


def _lines_in_last_record(record: list[str]) -> int:
    """How many extra physical lines a parsed CSV record spanned (its embedded newlines)."""
    return sum(cell.count("\n") for cell in record)


def _existing(path: str) -> Path:
    """The file at ``path``; a missing path or a directory is a data error."""
    file = Path(path)
    if not file.exists():
        hint = " (paths are literal: use --glob to expand patterns)" if globbing.has_magic(path) else ""
        raise DataError(path, f"no such file{hint}")
    if file.is_dir():
        raise DataError(path, "is a directory, not a file")
    return file


def read_bytes(path: str, stdin: BinaryIO | None = None, limit: int = -1) -> bytes:
    """Read a file's bytes (the first ``limit``), or stdin's for ``-``; a missing or unreadable file
    is a data error."""
    if path == STDIN:
        return (stdin or sys.stdin.buffer).read()
    file = _existing(path)
    try:
        with file.open("rb") as handle:
            return handle.read(limit)
    except OSError as error:
        raise DataError(path, f"cannot be read: {error.strerror or error}") from None


def _declared_format(options: ReadOptions) -> str | None:
    """The format --input-format or the extension names; None when neither does."""
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
    return None


def detect_format(options: ReadOptions, data: bytes) -> str:
    """The input format: --input-format, else the extension, else Parquet's magic bytes or CSV."""
    return _declared_format(options) or ("parquet" if data[:4] == b"PAR1" else "csv")


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


def _utf8(path: str, data: bytes, encoding: str | None) -> bytes:
    """The text as UTF-8 bytes without a BOM (decoded as ``decode`` does); UTF-8 input as it is."""
    if encoding is None and data.isascii():
        return data
    if encoding is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return decode(path, data, None).encode("utf-8")
        return data.removeprefix(_BOM)
    return decode(path, data, encoding).encode("utf-8")


_REPORT_FOOTER = re.compile(
    rb'\r?\n[ \t]*\r?\n"?Copyright \(c\) [0-9-]+ salesforce\.com[^\n]*(\n[^\n]*){0,8}\Z'
)
_FOOTER_WINDOW = 4096


def _without_report_footer(data: bytes) -> bytes:
    """The text without a Salesforce report export's footer: a blank line, then a copyright line and
    a few lines of one cell each (confidentiality, who generated it, the company). It is not data;
    the lines above it keep their numbers."""
    start = max(len(data) - _FOOTER_WINDOW, 0)
    match = _REPORT_FOOTER.search(data, start)
    return data[: match.start() + 1] if match else data


def _blank(data: bytes) -> bool:
    """Whether the bytes hold nothing but whitespace."""
    return not data or data.isspace()


def _leading_blank_lines(data: bytes) -> tuple[bytes, int]:
    """The text from its first non-blank line on, and how many blank lines came before it.

    What is left is blank only when it is one line without a newline.
    """
    start = count = 0
    while (newline := data.find(b"\n", start)) >= 0:
        if data[start:newline].decode("utf-8", "replace").strip():
            break
        start, count = newline + 1, count + 1
    return (data[start:] if start else data), count


def _head(data: bytes, lines: int = 52) -> str:
    """The first whole lines of the text: at least ``lines`` of them when the file has as many."""
    size = 1 << 16
    while size < len(data):
        chunk = data[:size]
        if chunk.count(b"\n") >= lines:
            return chunk[: chunk.rfind(b"\n") + 1].decode("utf-8")
        size *= 4
    return data.decode("utf-8")


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


def _width_problem(path: str, data: bytes, delimiter: str) -> DataError | None:
    """The first record whose field count differs from the header's, or a CSV syntax error."""
    reader = csv.reader(_stream(data), delimiter=delimiter, strict=True)
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


_LINE_SEPARATORS = (b"\x1f", b"\x1e", b"\x1d", b"\x1c", b"\x00")


def _lines(data: bytes) -> pl.Series:
    """The text's physical lines (without ``\\r\\n``), split by polars rather than in Python."""
    separator = next((byte for byte in _LINE_SEPARATORS if data.find(byte) < 0), None)
    if separator is None:
        return pl.Series(data.decode("utf-8").split("\n")).str.strip_chars_end("\r")
    frame = pl.read_csv(
        data,
        has_header=False,
        separator=separator.decode(),
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
        raise_if_empty=False,
    )
    return frame["line"] if frame.width else pl.Series("line", [], dtype=pl.String)


def _check_widths(path: str, data: bytes, delimiter: str, width: int) -> None:
    """A row with fewer or more fields than the header is an error, never padded silently.

    Counting delimiters per line is exact for files without quotes; lines that look wrong are
    checked again with a real CSV parser, which understands quoted delimiters and newlines.
    """
    lines = _lines(data)
    odd = lines.filter(lines.str.count_matches(delimiter, literal=True) != width - 1)
    suspects = odd.str.strip_chars() != ""
    if bool(suspects.any()) and (problem := _width_problem(path, data, delimiter)) is not None:
        raise problem


def _header(text: str, delimiter: str) -> list[str]:
    return [name.strip() for name in next(csv.reader(io.StringIO(text), delimiter=delimiter), [])]


def _csv_frame(path: str, data: bytes, head: str, delimiter: str) -> pl.DataFrame:
    """Read CSV (UTF-8 bytes) with every column as text, named by the header as written."""
    header = _header(head, delimiter)
    try:
        frame = pl.read_csv(
            data,
            separator=delimiter,
            infer_schema=False,
            has_header=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        frame = _csv_module_frame(path, data, delimiter, header)
    else:
        if _evenly_delimited(data, delimiter, len(header), frame):
            return frame.rename(dict(zip(frame.columns, _unique_names(header), strict=True)))
    _check_widths(path, data, delimiter, len(header))
    return frame.rename(dict(zip(frame.columns, _unique_names(header), strict=True)))


def _evenly_delimited(data: bytes, delimiter: str, width: int, frame: pl.DataFrame) -> bool:
    """Whether every line has as many fields as the header, told without splitting the lines.

    Only for text without quotes, where a line is a record. polars refused lines with too many
    fields and pads the short ones with nulls, so a last column without nulls means no line was
    short; else the delimiters must add up to ``width - 1`` on each line polars read.
    """
    if b'"' in data:
        return False
    if frame.width and frame[frame.columns[-1]].null_count() == 0:
        return True
    return data.count(delimiter.encode()) == (width - 1) * (frame.height + 1)


def _csv_module_frame(path: str, data: bytes, delimiter: str, header: list[str]) -> pl.DataFrame:
    """The slower, more lenient reader for text polars refuses (a stray quote inside a cell)."""
    problem = _width_problem(path, data, delimiter)
    if problem is not None:
        raise problem
    records = list(csv.reader(_stream(data), delimiter=delimiter))[1:]
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


def _parquet_frame(path: str, source: str | BinaryIO, typed: bool) -> pl.DataFrame:
    """Read Parquet: every column as text, or with ``typed`` the dates, times and numbers as they are."""
    try:
        frame = pl.read_parquet(source)
    except pl.exceptions.PolarsError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise DataError(path, f"is not a readable Parquet file: {first}") from None
    columns = [
        column if typed and _keeps_type(column.dtype) else as_text(column) for column in frame.get_columns()
    ]
    names = {name: name.strip() or f"{EMPTY_NAME}{i}" for i, name in enumerate(frame.columns)}
    return pl.DataFrame(columns).rename(names)


def _keeps_type(dtype: pl.DataType) -> bool:
    """Types a canonical column can take as they are: dates, times, integers, floats, decimals."""
    return dtype == pl.Date or isinstance(dtype, pl.Datetime | pl.Decimal) or dtype.is_numeric()


def as_text(column: pl.Series) -> pl.Series:
    """A typed column as the text a CSV would have held; nested and binary columns hold no
    attribute csm can use, so they are kept empty rather than failing the whole read."""
    dtype = column.dtype
    if dtype == pl.String:
        return column
    if isinstance(dtype, pl.Datetime):
        fmt = "%Y-%m-%dT%H:%M:%S%.f"
        if dtype.time_zone is not None:
            return column.dt.convert_time_zone("UTC").dt.strftime(fmt + "+00:00")
        return column.dt.strftime(fmt)
    if dtype == pl.Date:
        return column.dt.strftime("%Y-%m-%d")
    if dtype.is_nested() or dtype == pl.Binary:
        return pl.repeat(None, len(column), dtype=pl.String, eager=True).alias(column.name)
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


def _table(
    path: str,
    frame: pl.DataFrame,
    kind: str,
    offset: int = 0,
    data: bytes | None = None,
    delimiter: str | None = None,
    strip: bool = True,
) -> RawTable:
    """Strip text cells (unless no cell can need it), empty = null; check the names, number the
    rows, drop blank rows."""
    frame = _check_names(path, _cleaned(frame, strip), offset + 1).with_row_index(ROW)
    if frame.width > 1:
        blank = frame.select(pl.all_horizontal(pl.exclude(ROW).is_null()).alias("blank"))["blank"]
        if bool(blank.any()):
            frame = frame.filter(~blank)
    return RawTable(path, frame, data, delimiter, offset, kind)


def _cleaned(frame: pl.DataFrame, strip: bool) -> pl.DataFrame:
    """Text cells stripped (with ``strip``) and empty ones null.

    The columns are taken out of ``frame`` (left empty) one at a time, so each old column is freed
    as soon as its cleaned copy exists: reading never holds two copies of the table.
    """
    columns = []
    for name in frame.columns:
        column = frame.drop_in_place(name)
        if column.dtype == pl.String:
            column = column.str.strip_chars() if strip else column
            if bool((column.str.len_bytes() == 0).any()):
                column = column.replace("", None)
        columns.append(column)
    return pl.DataFrame(columns)


_PEEK = 4096


def _read_file(options: ReadOptions, stdin: BinaryIO | None, typed: bool) -> RawTable:
    """Read one file (or stdin) into a table of stripped cells.

    Blank lines are skipped; the row index keeps counting them so line numbers stay exact.
    """
    path = "<stdin>" if options.path == STDIN else options.path
    empty = DataError(path, "is empty: expected a header line and data rows")
    large_parquet = options.path != STDIN and _declared_format(options) == "parquet"
    data = read_bytes(options.path, stdin, _PEEK if large_parquet else -1)
    if _blank(data):
        raise empty
    kind = detect_format(options, data)
    if options.sheet is not None and kind != "xlsx":
        raise DataError(path, f"is read as {kind.upper()}, which has no sheets: sheet is for .xlsx files")
    if kind == "parquet":
        source = options.path if large_parquet else io.BytesIO(data)
        return _table(path, _parquet_frame(path, source, typed), kind)
    if kind == "xlsx":
        frame, offset = _excel_frame(path, data, options.sheet)
        return _table(path, frame, kind, offset)
    text, offset = _leading_blank_lines(_without_report_footer(_utf8(path, data, options.encoding)))
    if b"\n" not in text and not text.decode("utf-8", "replace").strip():
        raise empty
    head = _head(text)
    delimiter = options.delimiter or ("\t" if kind == "tsv" else sniff_delimiter(path, head))
    frame = _csv_frame(path, text, head, delimiter)
    kept = text if b'"' in text else None  # without quotes a record is a line: no need to keep it
    return _table(path, frame, kind, offset, kept, delimiter, _may_pad(text))


_PADDING = (b" ", b"\t", b"\r", b"\x0b", b"\x0c", b'"')


def _may_pad(data: bytes) -> bool:
    """Whether a CSV cell could start or end with whitespace: the text has a space, tab, CR or
    other ASCII whitespace, a quote (a quoted cell may hold a newline), or any non-ASCII byte."""
    return not data.isascii() or any(byte in data for byte in _PADDING)


def read_raw(
    options: ReadOptions,
    stdin: BinaryIO | None = None,
    *,
    typed: bool = False,
    progress: Progress | None = None,
) -> RawTable:
    """Read one input into a table of stripped text cells (null where empty).

    An input is a file, stdin, or the files of a directory or a ``glob`` pattern, read as one
    table whose rows keep their own file and line. With ``typed``, Parquet's Date, Datetime and
    numeric columns keep their type (the readers parse them as values, not text).
    """
    files = _input_files(options.path, options.glob)
    if files is None:
        report(progress, f"reading {_name(options.path)}")
        return _read_file(options, stdin, typed)
    tables = []
    for number, (file, _) in enumerate(files, start=1):
        report(progress, f"reading {_name(file)} ({number} of {len(files)})")
        tables.append(_read_file(replace(options, path=file), None, typed))
    return _combined(options.path, tables, [keys for _, keys in files])


def _name(path: str) -> str:
    return "<stdin>" if path == STDIN else Path(path).name


def expand_inputs(path: str, glob: bool = False) -> list[str]:
    """The files one input names: itself, every data file under a directory, or a pattern's files.

    A directory is read whole (CSV, TSV, Parquet and Excel files, sorted by path, in ``key=value``
    and other subdirectories too; names starting with ``.`` or ``_`` are skipped). A pattern
    (``*``, ``?``, ``[…]``, ``**``) is expanded only with ``glob``. A directory or pattern without
    such a file is a DataError naming it; a missing literal path is reported when it is read.
    """
    files = _input_files(path, glob)
    return [path] if files is None else [file for file, _ in files]


Partition = dict[str, str | None]


def _input_files(path: str, glob: bool) -> list[tuple[str, Partition]] | None:
    """The files of a directory or pattern, with their partition keys; None for one literal path."""
    if path == STDIN:
        return None
    if glob and globbing.has_magic(path):
        matches = globbing.glob(path, recursive=True)  # noqa: PTH207 (absolute patterns too)
        matches = sorted(found for found in matches if Path(found).is_file())
        if not matches:
            raise DataError(path, "matches no file")
        return [(found, {}) for found in matches]
    if Path(path).is_dir():
        return _directory_files(path)
    return None


def _directory_files(root: str) -> list[tuple[str, Partition]]:
    """Every data file under ``root``, sorted, with the keys of its ``key=value`` directories."""
    base = Path(root)
    found: list[tuple[str, Partition]] = []
    for file in sorted(base.rglob("*")):
        relative = file.relative_to(base)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if file.is_file() and file.suffix.lower().lstrip(".") in FORMATS:
            found.append((str(file), _partition(relative.parts[:-1])))
    if not found:
        raise DataError(root, "is a directory without CSV, TSV, Parquet or Excel files")
    keys = list(found[0][1])
    for name, partition in found:
        if list(partition) != keys:
            raise DataError(
                name,
                f"is under the partition keys ({', '.join(partition) or 'none'}) where {found[0][0]} "
                f"is under ({', '.join(keys) or 'none'}): every file of one input needs the same keys",
            )
    return found


_NO_VALUE = "__HIVE_DEFAULT_PARTITION__"


def _partition(directories: tuple[str, ...]) -> Partition:
    """Hive partition keys of ``key=value`` directories; the value is text (empty or default = null)."""
    keys: Partition = {}
    for directory in directories:
        key, equals, value = directory.partition("=")
        if equals and key.strip():
            text = unquote(value).strip()
            keys[key.strip()] = text if text and text != _NO_VALUE else None
    return keys


_SAME_HEADER = "every file of one input needs the same header"


def _header_difference(expected: list[str], got: list[str], first: str) -> str | None:
    """How a file's header differs from the first file's, or None when it does not."""
    if got == expected:
        return None
    missing = [name for name in expected if name not in got]
    if missing:
        return f"has no column '{missing[0]}', which {first} has: {_SAME_HEADER}"
    extra = [name for name in got if name not in expected]
    if extra:
        return f"has a column '{extra[0]}' that {first} does not have: {_SAME_HEADER}"
    return f"has the columns of {first} in another order: {_SAME_HEADER}"


def _combined(source: str, tables: list[RawTable], partitions: list[Partition]) -> RawTable:
    """The files of one input as one table: same format and header, rows numbered across files.

    A column typed differently in two Parquet files is read as text in all of them; partition
    keys are added as text columns.
    """
    first = tables[0]
    names = [name for name in first.frame.columns if name != ROW]
    for table in tables[1:]:
        if table.format != first.format:
            raise DataError(
                table.path,
                f"is {table.format.upper()} but {first.path} is {first.format.upper()}: "
                "every file of one input needs the same format",
            )
        difference = _header_difference(names, [n for n in table.frame.columns if n != ROW], first.path)
        if difference is not None:
            raise DataError(table.path, difference, line=table.header_line)
    folded = {name.casefold() for name in names}
    for key in partitions[0]:
        if key.casefold() in folded:
            raise DataError(
                first.path,
                f"has a column '{key}', which its directory {key}=… also sets: rename one of them",
                line=first.header_line,
            )
    mixed = [name for name in names if len({table.frame.schema[name] for table in tables}) > 1]
    frames: list[pl.DataFrame] = []
    parts: list[tuple[int, RawTable]] = []
    start = 0
    for table, partition in zip(tables, partitions, strict=True):
        frame = table.frame.with_columns(
            pl.col(ROW) + start,
            *(pl.lit(as_text(table.frame[name])) for name in mixed),
            *(pl.lit(value, dtype=pl.String).alias(key) for key, value in partition.items()),
        )
        frames.append(frame)
        parts.append((start, replace(table, frame=table.frame.clear())))
        last = table.frame[ROW].max()
        start += int(last) + 1 if last is not None else 0  # type: ignore[arg-type]
    return RawTable(
        path=source,
        frame=pl.concat(frames, how="vertical"),
        delimiter=first.delimiter,
        offset=first.offset,
        format=first.format,
        parts=tuple(parts),
    )
