"""Strict readers: a file in, canonical columns out, or one error naming file, line, column, value.

Every row is validated, whatever period is asked for later (SPEC §1), so one file never gives
numbers for one month and an error for the next. Extra columns are kept as text attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

import polars as pl

from csmetrics.errors import ConfigError, DataError
from csmetrics.io.parse import MICROS, TextOptions, parse
from csmetrics.io.source import ROW, RawTable, ReadOptions, decode, read_bytes, read_raw
from csmetrics.schemas import SCHEMAS, Kind, Schema

MRR = "mrr_cents"


@dataclass(frozen=True)
class Loaded:
    """A validated input: canonical columns plus the extra attributes the file carried."""

    kind: str
    path: str
    frame: pl.DataFrame
    attributes: tuple[str, ...]

    @property
    def rows(self) -> int:
        """How many data rows the file held."""
        return self.frame.height


@dataclass(frozen=True)
class Problem:
    """One cell that breaks a rule: its row, the user's column name, its text, kind and reason."""

    row: int
    column: str | None
    value: str | None
    kind: str
    reason: str


class Problems:
    """Collects the cells that break rules: up to ``limit`` rows per rule, and how many in all."""

    def __init__(self, table: RawTable, limit: int = 1) -> None:
        self.table = table
        self.limit = limit
        self.found: list[Problem] = []
        self.total = 0

    def add(
        self, frame: pl.DataFrame, mask: pl.Series | pl.Expr, column: str, reason: str, kind: str
    ) -> None:
        """Record the rows of ``frame`` where ``mask`` holds; values are shown as the file wrote them."""
        hits = frame.filter(mask).select(ROW).sort(ROW)
        if hits.height == 0:
            return
        self.total += hits.height
        rows = hits.head(self.limit)
        if column in self.table.frame.columns:
            shown = rows.join(self.table.frame.select(ROW, column), on=ROW, how="left")[column].to_list()
        else:
            shown = [None] * rows.height
        for row, value in zip(rows[ROW].to_list(), shown, strict=True):
            self.found.append(Problem(int(row), column, value, kind, reason))

    def line_of(self, problem: Problem) -> int:
        """The 1-based line of a problem's row in its file."""
        return self.table.line_of(problem.row)

    def raise_first(self) -> None:
        """Raise the problem on the earliest line, if there is any, counting the others."""
        if not self.found:
            return
        first = min(self.found, key=lambda problem: problem.row)
        more = self.total - 1
        reason = first.reason + (
            f" (and {more} more problem{'s' if more > 1 else ''} in this file; csm validate lists them)"
            if more
            else ""
        )
        raise DataError(
            self.table.path,
            reason,
            line=self.line_of(first),
            column=first.column,
            value=first.value if first.value is not None else "",
        )


def _match_columns(table: RawTable, schema: Schema, mapping: dict[str, str]) -> dict[str, str]:
    """Canonical name → the file's header, from the configured mapping, else by name (any case)."""
    headers = [name for name in table.frame.columns if name != ROW]
    folded = {name.casefold(): name for name in headers}
    matched: dict[str, str] = {}
    for canonical, header in mapping.items():
        if canonical not in schema.names:
            raise ConfigError(
                f"[{schema.name}.columns] maps '{canonical}', which is not a {schema.name} column "
                f"(use one of {', '.join(schema.names)})"
            )
        if header in [mapping[other] for other in mapping if other != canonical]:
            raise ConfigError(f"[{schema.name}.columns] maps '{header}' to more than one column")
        found = folded.get(header.strip().casefold())
        if found is None:
            raise DataError(
                table.path,
                f"has no column '{header}' (mapped to {canonical}); the header has: {_list(headers)}",
                line=1,
            )
        matched[canonical] = found
    for canonical in schema.names:
        if canonical not in matched and canonical.casefold() in folded:
            header = folded[canonical.casefold()]
            if header not in matched.values():
                matched[canonical] = header
    return matched


def _list(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _require(table: RawTable, schema: Schema, matched: dict[str, str], names: tuple[str, ...]) -> None:
    headers = [name for name in table.frame.columns if name != ROW]
    for name in names:
        if name not in matched:
            raise DataError(
                table.path,
                f"missing required column '{name}' (the header has: {_list(headers)}; "
                f"map one with [{schema.name}.columns] in csm.toml)",
                line=1,
            )


def _parse_columns(
    table: RawTable, schema: Schema, matched: dict[str, str], options: TextOptions, problems: Problems
) -> pl.DataFrame:
    """Parse every mapped column; a cell that fails or a required cell left empty is a problem."""
    raw = table.frame
    parsed: list[pl.Series] = [raw[ROW]]
    for canonical, header in matched.items():
        column = schema.column(canonical)
        result = parse(raw[header], column.kind, options)
        problems.add(raw, result.bad, header, result.reason, "parse")
        if column.not_empty:
            problems.add(
                raw, raw[header].is_null(), header, f"is empty: every row needs a {canonical}", "empty"
            )
        parsed.append(result.values.alias(canonical))
    extras = [name for name in raw.columns if name != ROW and name not in matched.values()]
    for name in extras:
        target = name if name not in schema.names else f"{name} (unmapped)"
        parsed.append(raw[name].alias(target))
    return pl.DataFrame(parsed)


def _dtype(kind: Kind, tz: str) -> pl.DataType:
    dtypes: dict[Kind, pl.DataType] = {
        Kind.TEXT: pl.String(),
        Kind.BILLING_PERIOD: pl.String(),
        Kind.MONEY: pl.Int64(),
        Kind.DECIMAL: pl.Decimal(38, 20),
        Kind.DAY: pl.Date(),
        Kind.INSTANT: pl.Datetime(MICROS, tz),
        Kind.INTEGER: pl.Int64(),
        Kind.NUMBER: pl.Float64(),
    }
    return dtypes[kind]


def _complete(frame: pl.DataFrame, schema: Schema, tz: str) -> pl.DataFrame:
    """Add every canonical column the file did not have, empty and of the right type."""
    missing = [
        pl.lit(None, dtype=_dtype(column.kind, tz)).alias(column.name)
        for column in schema.columns
        if column.name not in frame.columns
    ]
    return frame.with_columns(missing) if missing else frame


def _load(
    options: ReadOptions, schema: Schema, tz: str, stdin: BinaryIO | None, limit: int
) -> tuple[RawTable, dict[str, str], pl.DataFrame, Problems]:
    table = read_raw(options, stdin)
    if table.frame.height == 0:
        raise DataError(table.path, "has a header but no data rows")
    matched = _match_columns(table, schema, options.columns)
    _require(table, schema, matched, schema.required)
    decimal_comma = options.decimal_comma
    if decimal_comma is None:
        decimal_comma = _uses_decimal_comma(table, schema, matched)
    text_options = TextOptions(tz=tz, decimal_comma=decimal_comma, date_format=options.date_format)
    problems = Problems(table, limit)
    frame = _parse_columns(table, schema, matched, text_options, problems)
    return table, matched, frame, problems


def _uses_decimal_comma(table: RawTable, schema: Schema, matched: dict[str, str]) -> bool:
    """Detect a decimal comma: a number column holds a comma (never valid with a decimal point)."""
    numeric = (Kind.MONEY, Kind.DECIMAL, Kind.NUMBER)
    headers = [header for name, header in matched.items() if schema.column(name).kind in numeric]
    return any(bool(table.frame[header].str.contains(",", literal=True).any()) for header in headers)


def _attributes(frame: pl.DataFrame, schema: Schema, drop: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(
        name for name in frame.columns if name not in schema.names and name != ROW and name not in drop
    )


def _check_unique(frame: pl.DataFrame, column: str, header: str, problems: Problems) -> None:
    """A repeated id is a problem on its second line, naming the first."""
    first_row = pl.col(ROW).min().over(column)
    repeated = frame.with_columns(first_row.alias("__first")).filter(
        pl.col(column).is_not_null() & (pl.col(ROW) != pl.col("__first"))
    )
    if repeated.height:
        earliest = repeated.sort(ROW).row(0, named=True)
        line = problems.table.line_of(int(earliest["__first"]))
        problems.add(repeated, pl.lit(True), header, f"repeats the {column} of line {line}", "duplicate_id")


def _check_before(
    frame: pl.DataFrame, later: str, earlier: str, matched: dict[str, str], problems: Problems
) -> None:
    """``later`` must not come before ``earlier`` on the same row."""
    if later in matched and earlier in matched:
        problems.add(
            frame,
            pl.col(later) < pl.col(earlier),
            matched[later],
            f"is before {earlier}",
            f"{later}_before_{earlier}",
        )


@dataclass(frozen=True)
class Checked:
    """A file read and checked: its raw table, the canonical frame with ``__row``, its problems."""

    kind: str
    table: RawTable
    matched: dict[str, str]
    frame: pl.DataFrame
    problems: Problems

    def loaded(self) -> Loaded:
        """The validated input, without the row index."""
        drop = (MRR,) if self.kind == "subscriptions" else ()
        schema = SCHEMAS[self.kind]
        return Loaded(self.kind, self.table.path, self.frame.drop(ROW), _attributes(self.frame, schema, drop))


def read_checked(
    kind: str, options: ReadOptions, tz: str, stdin: BinaryIO | None = None, limit: int = 1
) -> Checked:
    """Read one input and check every rule, keeping up to ``limit`` problems per rule.

    A file that cannot be read at all (missing, empty, no required column) raises DataError.
    """
    checks = {"subscriptions": _subscriptions, "tickets": _tickets, "surveys": _surveys}
    schema = SCHEMAS[kind]
    table, matched, frame, problems = _load(options, schema, tz, stdin, limit)
    frame = _complete(checks[kind](table, matched, frame, problems), schema, tz)
    if kind == "subscriptions":
        frame = frame.drop("mrr", "amount", "billing_period")
    return Checked(kind, table, matched, frame, problems)


def _strict(kind: str, options: ReadOptions, tz: str, stdin: BinaryIO | None) -> Loaded:
    checked = read_checked(kind, options, tz, stdin)
    checked.problems.raise_first()
    return checked.loaded()


def read_subscriptions(options: ReadOptions, tz: str, stdin: BinaryIO | None = None) -> Loaded:
    """Read and check a subscriptions file (SPEC §1): MRR in integer cents as ``mrr_cents``."""
    return _strict("subscriptions", options, tz, stdin)


def read_tickets(options: ReadOptions, tz: str, stdin: BinaryIO | None = None) -> Loaded:
    """Read and check a tickets file (SPEC §1): responses and solves not before creation."""
    return _strict("tickets", options, tz, stdin)


def read_surveys(options: ReadOptions, tz: str, stdin: BinaryIO | None = None) -> Loaded:
    """Read and check an NPS survey file (SPEC §1): integer scores 0–10, unique response ids."""
    return _strict("surveys", options, tz, stdin)


def _subscriptions(
    table: RawTable, matched: dict[str, str], frame: pl.DataFrame, problems: Problems
) -> pl.DataFrame:
    frame = _with_mrr(table, matched, frame, problems)
    _check_before(frame, "ended_at", "started_at", matched, problems)
    _check_overlaps(frame, matched, problems)
    _check_currency(frame, matched, problems)
    if "currency" in frame.columns:
        frame = frame.with_columns(pl.col("currency").str.to_uppercase())
    return frame


def _tickets(
    table: RawTable, matched: dict[str, str], frame: pl.DataFrame, problems: Problems
) -> pl.DataFrame:
    _check_unique(frame, "ticket_id", matched["ticket_id"], problems)
    _check_before(frame, "first_response_at", "created_at", matched, problems)
    _check_before(frame, "solved_at", "created_at", matched, problems)
    _check_range(frame, "csat", 1, 5, matched, problems)
    _check_range(frame, "replies", 0, None, matched, problems)
    return frame


def _surveys(
    table: RawTable, matched: dict[str, str], frame: pl.DataFrame, problems: Problems
) -> pl.DataFrame:
    _check_unique(frame, "response_id", matched["response_id"], problems)
    _check_range(frame, "score", 0, 10, matched, problems)
    return frame


_PER_MONTH = {"month": (1, 1), "quarter": (1, 3), "year": (1, 12), "week": (52, 12)}


def _with_mrr(
    table: RawTable, matched: dict[str, str], frame: pl.DataFrame, problems: Problems
) -> pl.DataFrame:
    """MRR in cents from ``mrr``, or from ``amount`` per ``billing_period`` rounded half-even."""
    if "mrr" in matched:
        problems.add(
            frame, pl.col("mrr") < 0, matched["mrr"], "is negative: MRR must be 0 or more", "negative_mrr"
        )
        return frame.with_columns(pl.col("mrr").alias(MRR))
    if "amount" not in matched or "billing_period" not in matched:
        headers = [name for name in table.frame.columns if name != ROW]
        raise DataError(
            table.path,
            f"missing required column 'mrr' (or 'amount' with 'billing_period'); "
            f"the header has: {_list(headers)}",
            line=1,
        )
    problems.add(
        frame,
        pl.col("amount") < 0,
        matched["amount"],
        "is negative: amounts must be 0 or more",
        "negative_mrr",
    )
    mrr = pl.lit(None, dtype=pl.Int64)
    for period, (times, divide) in _PER_MONTH.items():
        monthly = (pl.col("amount") * 100 * times / divide).round(0).cast(pl.Int64)
        mrr = pl.when(pl.col("billing_period") == period).then(monthly).otherwise(mrr)
    return frame.with_columns(mrr.alias(MRR))


def _check_overlaps(frame: pl.DataFrame, matched: dict[str, str], problems: Problems) -> None:
    """Rows of one subscription_id must not overlap in time; an exact duplicate is an overlap.

    The later row in the file is reported, naming the earliest row it overlaps.
    """
    group = "subscription_id"
    rows = frame.filter(pl.col("started_at").is_not_null()).select(
        ROW, group, "started_at", pl.col("ended_at").fill_null(pl.date(9999, 12, 31)).alias("__end")
    )
    ordered = rows.sort(group, "started_at", "__end")
    previous_end = pl.col("__end").cum_max().shift(1).over(group)
    duplicate = (pl.col("started_at") == pl.col("started_at").shift(1).over(group)) & (
        pl.col("__end") == pl.col("__end").shift(1).over(group)
    )
    suspects = ordered.filter(((pl.col("started_at") < previous_end) | duplicate).fill_null(False))
    if suspects.height == 0:
        return
    candidates = rows.join(suspects.select(group).unique(), on=group)
    pairs = (
        candidates.join(candidates, on=group, suffix="_other")
        .filter(pl.col(f"{ROW}_other") < pl.col(ROW))
        .filter(
            ((pl.col("started_at") < pl.col("__end_other")) & (pl.col("started_at_other") < pl.col("__end")))
            | (
                (pl.col("started_at") == pl.col("started_at_other"))
                & (pl.col("__end") == pl.col("__end_other"))
            )
        )
        .group_by(ROW)
        .agg(pl.col(f"{ROW}_other").min(), pl.col(group).first())
        .sort(ROW)
    )
    first = pairs.row(0, named=True)
    line = problems.table.line_of(int(first[f"{ROW}_other"]))
    problems.add(
        frame,
        pl.col(ROW).is_in(pairs[ROW].implode()),
        matched["started_at"],
        f"overlaps line {line} of subscription '{first[group]}': rows of one subscription must not overlap",
        "overlap",
    )


def _check_currency(frame: pl.DataFrame, matched: dict[str, str], problems: Problems) -> None:
    """One currency per run: FX is an explicit choice, never silent."""
    if "currency" not in matched:
        return
    given = frame.filter(pl.col("currency").is_not_null()).sort(ROW)
    if given.height == 0:
        return
    first = given.row(0, named=True)
    reference = str(first["currency"]).upper()
    line = problems.table.line_of(int(first[ROW]))
    problems.add(
        given,
        pl.col("currency").str.to_uppercase() != reference,
        matched["currency"],
        f"differs from '{reference}' on line {line}: one currency per run (convert first)",
        "currency",
    )


def _check_range(
    frame: pl.DataFrame,
    column: str,
    low: int,
    high: int | None,
    matched: dict[str, str],
    problems: Problems,
) -> None:
    if column not in matched:
        return
    outside = pl.col(column) < low
    if high is not None:
        outside = outside | (pl.col(column) > high)
    expected = f"{low}–{high}" if high is not None else f"{low} or more"
    problems.add(frame, outside, matched[column], f"is out of range (expected {expected})", "out_of_range")


def read_holidays(path: str, stdin: BinaryIO | None = None) -> frozenset[date]:
    """Read a holidays file: one day per line (YYYY-MM-DD or dd.mm.yyyy) in its first column.

    A first line without digits is a header; any other line that is not a day is an error.
    """
    text = decode(path, read_bytes(path, stdin), None)
    days: set[date] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        cell = re.split(r"[,;\t]", line, maxsplit=1)[0].strip().strip('"')
        if not cell:
            continue
        day = _holiday(cell)
        if day is None:
            if number == 1 and not any(character.isdigit() for character in cell):
                continue
            raise DataError(path, "is not a day (expected YYYY-MM-DD or dd.mm.yyyy)", line=number, value=cell)
        days.add(day)
    return frozenset(days)


def _holiday(cell: str) -> date | None:
    for form in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(cell, form).date()
        except ValueError:
            continue
    return None
