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
from csmetrics.schemas import SUBSCRIPTIONS, SURVEYS, TICKETS, Kind, Schema

MRR = "mrr_cents"
_TEXT_KINDS = (Kind.TEXT, Kind.BILLING_PERIOD)


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
    """One cell that breaks a rule: its row, the user's column name, its text and the reason."""

    row: int
    column: str | None
    value: str | None
    reason: str


class _Problems:
    """Collects problems and raises the one on the earliest line, counting the others."""

    def __init__(self, table: RawTable) -> None:
        self.table = table
        self.found: list[Problem] = []
        self.total = 0

    def add(
        self,
        frame: pl.DataFrame,
        mask: pl.Series | pl.Expr,
        column: str,
        reason: str,
        *,
        value_column: str | None = None,
    ) -> None:
        """Record the rows of ``frame`` where ``mask`` holds; the value shown is from the raw file."""
        hits = frame.filter(mask)
        if hits.height == 0:
            return
        self.total += hits.height
        first = hits.sort(ROW).row(0, named=True)
        row = int(first[ROW])
        shown = (
            self.table.frame[value_column or column][row]
            if (value_column or column) in self.table.frame.columns
            else None
        )
        self.found.append(Problem(row, column, shown, reason))

    def raise_first(self) -> None:
        """Raise the problem on the earliest line, if there is any."""
        if not self.found:
            return
        first = min(self.found, key=lambda problem: problem.row)
        more = self.total - 1
        reason = first.reason + (
            f" (and {more} more problem{'s' if more > 1 else ''} in this file)" if more else ""
        )
        raise DataError(
            self.table.path,
            reason,
            line=self.table.line_of(first.row),
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
    table: RawTable, schema: Schema, matched: dict[str, str], options: TextOptions, problems: _Problems
) -> pl.DataFrame:
    """Parse every mapped column; a cell that fails or a required cell left empty is a problem."""
    raw = table.frame
    parsed: list[pl.Series] = [raw[ROW]]
    for canonical, header in matched.items():
        column = schema.column(canonical)
        result = parse(raw[header], column.kind, options)
        problems.add(raw, result.bad, header, result.reason)
        if column.not_empty:
            problems.add(raw, raw[header].is_null(), header, f"is empty: every row needs a {canonical}")
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
    options: ReadOptions, schema: Schema, tz: str, stdin: BinaryIO | None
) -> tuple[RawTable, dict[str, str], pl.DataFrame, _Problems]:
    table = read_raw(options, stdin)
    if table.frame.height == 0:
        raise DataError(table.path, "has a header but no data rows")
    matched = _match_columns(table, schema, options.columns)
    _require(table, schema, matched, schema.required)
    decimal_comma = options.decimal_comma
    if decimal_comma is None:
        decimal_comma = _uses_decimal_comma(table, schema, matched)
    text_options = TextOptions(tz=tz, decimal_comma=decimal_comma, date_format=options.date_format)
    problems = _Problems(table)
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


def _check_unique(frame: pl.DataFrame, column: str, header: str, problems: _Problems) -> None:
    """A repeated id is a problem on its second line, naming the first."""
    first_row = pl.col(ROW).min().over(column)
    repeated = frame.with_columns(first_row.alias("__first")).filter(
        pl.col(column).is_not_null() & (pl.col(ROW) != pl.col("__first"))
    )
    if repeated.height:
        earliest = repeated.sort(ROW).row(0, named=True)
        line = problems.table.line_of(int(earliest["__first"]))
        problems.add(repeated, pl.lit(True), header, f"repeats the {column} of line {line}")


def _check_before(
    frame: pl.DataFrame, later: str, earlier: str, matched: dict[str, str], problems: _Problems
) -> None:
    """``later`` must not come before ``earlier`` on the same row."""
    if later in matched and earlier in matched:
        problems.add(
            frame,
            pl.col(later) < pl.col(earlier),
            matched[later],
            f"is before {earlier}",
        )


def read_subscriptions(options: ReadOptions, tz: str, stdin: BinaryIO | None = None) -> Loaded:
    """Read and check a subscriptions file (SPEC §1): MRR in integer cents as ``mrr_cents``."""
    table, matched, frame, problems = _load(options, SUBSCRIPTIONS, tz, stdin)
    frame = _with_mrr(table, matched, frame, problems)
    _check_before(frame, "ended_at", "started_at", matched, problems)
    _check_overlaps(frame, matched, problems)
    _check_currency(frame, matched, problems)
    problems.raise_first()
    frame = _complete(frame, SUBSCRIPTIONS, tz).drop("mrr", "amount", "billing_period")
    if "currency" in frame.columns:
        frame = frame.with_columns(pl.col("currency").str.to_uppercase())
    attributes = _attributes(frame, SUBSCRIPTIONS, drop=(MRR,))
    return Loaded("subscriptions", table.path, frame.drop(ROW), attributes)


_PER_MONTH = {"month": (1, 1), "quarter": (1, 3), "year": (1, 12), "week": (52, 12)}


def _with_mrr(
    table: RawTable, matched: dict[str, str], frame: pl.DataFrame, problems: _Problems
) -> pl.DataFrame:
    """MRR in cents from ``mrr``, or from ``amount`` per ``billing_period`` rounded half-even."""
    if "mrr" in matched:
        problems.add(frame, pl.col("mrr") < 0, matched["mrr"], "is negative: MRR must be 0 or more")
        return frame.with_columns(pl.col("mrr").alias(MRR))
    if "amount" not in matched or "billing_period" not in matched:
        headers = [name for name in table.frame.columns if name != ROW]
        raise DataError(
            table.path,
            f"missing required column 'mrr' (or 'amount' with 'billing_period'); "
            f"the header has: {_list(headers)}",
            line=1,
        )
    problems.add(frame, pl.col("amount") < 0, matched["amount"], "is negative: amounts must be 0 or more")
    mrr = pl.lit(None, dtype=pl.Int64)
    for period, (times, divide) in _PER_MONTH.items():
        monthly = (pl.col("amount") * 100 * times / divide).round(0).cast(pl.Int64)
        mrr = pl.when(pl.col("billing_period") == period).then(monthly).otherwise(mrr)
    return frame.with_columns(mrr.alias(MRR))


def _check_overlaps(frame: pl.DataFrame, matched: dict[str, str], problems: _Problems) -> None:
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
    )


def _check_currency(frame: pl.DataFrame, matched: dict[str, str], problems: _Problems) -> None:
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
    )


def read_tickets(options: ReadOptions, tz: str, stdin: BinaryIO | None = None) -> Loaded:
    """Read and check a tickets file (SPEC §1): responses and solves not before creation."""
    table, matched, frame, problems = _load(options, TICKETS, tz, stdin)
    _check_unique(frame, "ticket_id", matched["ticket_id"], problems)
    _check_before(frame, "first_response_at", "created_at", matched, problems)
    _check_before(frame, "solved_at", "created_at", matched, problems)
    _check_range(frame, "csat", 1, 5, matched, problems)
    _check_range(frame, "replies", 0, None, matched, problems)
    problems.raise_first()
    frame = _complete(frame, TICKETS, tz)
    return Loaded("tickets", table.path, frame.drop(ROW), _attributes(frame, TICKETS))


def read_surveys(options: ReadOptions, tz: str, stdin: BinaryIO | None = None) -> Loaded:
    """Read and check an NPS survey file (SPEC §1): integer scores 0–10, unique response ids."""
    table, matched, frame, problems = _load(options, SURVEYS, tz, stdin)
    _check_unique(frame, "response_id", matched["response_id"], problems)
    _check_range(frame, "score", 0, 10, matched, problems)
    problems.raise_first()
    frame = _complete(frame, SURVEYS, tz)
    return Loaded("surveys", table.path, frame.drop(ROW), _attributes(frame, SURVEYS))


def _check_range(
    frame: pl.DataFrame,
    column: str,
    low: int,
    high: int | None,
    matched: dict[str, str],
    problems: _Problems,
) -> None:
    if column not in matched:
        return
    outside = pl.col(column) < low
    if high is not None:
        outside = outside | (pl.col(column) > high)
    expected = f"{low}–{high}" if high is not None else f"{low} or more"
    problems.add(frame, outside, matched[column], f"is out of range (expected {expected})")


def read_holidays(path: str, stdin: BinaryIO | None = None) -> frozenset[date]:
    """Read a holidays file: one day per line (YYYY-MM-DD or dd.mm.yyyy) in its first column.

    A first line that is not a day is a header; any other line that is not a day is an error.
    """
    text = decode(path, read_bytes(path, stdin), None)
    days: set[date] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        cell = re.split(r"[,;\t]", line, maxsplit=1)[0].strip().strip('"')
        if not cell:
            continue
        day = _holiday(cell)
        if day is None:
            if number == 1:
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
