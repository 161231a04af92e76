"""Strict readers: a file in, canonical columns out, or one error naming file, line, column, value.

Every row is validated, whatever period is asked for later (SPEC §1), so one file never gives
numbers for one month and an error for the next. Extra columns are kept as text attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import BinaryIO

import polars as pl

from csmetrics.errors import DataError, UsageError
from csmetrics.io.columns import Matching, match_columns, missing_columns
from csmetrics.io.parse import _COMMA_NUMBER, _POINT_NUMBER, EXACT, MICROS, TextOptions, parse
from csmetrics.io.presets import Context, Preset, get_preset, map_csat_labels, map_types, missing_hint
from csmetrics.io.problems import Problem, Problems
from csmetrics.io.source import (
    ROW,
    Progress,
    RawTable,
    ReadOptions,
    as_text,
    decode,
    read_bytes,
    read_raw,
    report,
)
from csmetrics.schemas import INVOICE_STATUSES, SCHEMAS, Column, Kind, Schema

__all__ = [
    "Checked",
    "Loaded",
    "Problem",
    "Problems",
    "read_checked",
    "read_customers",
    "read_holidays",
    "read_invoices",
    "read_spend",
    "read_subscriptions",
    "read_surveys",
    "read_tickets",
    "read_usage",
]

MRR = "mrr_cents"
AMOUNT = "amount_cents"
"""An invoices frame's amount in integer cents (the file's ``amount`` column, read exactly)."""


@dataclass(frozen=True)
class Loaded:
    """A validated input: canonical columns plus the extra attributes the file carried."""

    kind: str
    path: str
    frame: pl.DataFrame
    attributes: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """What the output must say about this input: rows a preset left out, values read as empty,
    movements a snapshot export cannot show. One sentence each, without the path."""
    durations: dict[str, str] = field(default_factory=dict)
    """``first_response_minutes`` / ``resolution_minutes`` → ``calendar`` or ``business``."""
    file_rows: int | None = None
    """The file's data rows when ``frame`` was derived from them (subscriptions from invoices)."""
    warnings: tuple[str, ...] = ()
    """What went wrong but did not stop the read: bad rows left out with ``--skip-bad-rows``."""

    @property
    def rows(self) -> int:
        """How many data rows the file held."""
        return self.file_rows if self.file_rows is not None else self.frame.height


def _list(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _require(table: RawTable, schema: Schema, matching: Matching, preset: Preset | None) -> None:
    headers = [name for name in table.frame.columns if name != ROW]
    for name in missing_columns(schema, matching, preset):
        if name.startswith("mrr "):
            continue  # explained by _with_mrr, which knows about amount + billing_period
        if preset is not None and name not in schema.names:
            raise DataError(
                table.path,
                f"missing the {preset.vendor} column that the {preset.name} preset reads as {name} "
                f"(the header has: {_list(headers)})",
                line=table.header_line,
            )
        hint = missing_hint(preset, table, matching, name)
        suffix = hint or f"; map one with [{schema.name}.columns] in csm.toml"
        raise DataError(
            table.path,
            f"missing required column '{name}' (the header has: {_list(headers)}{suffix})",
            line=table.header_line,
        )


def _parse_one(
    frame: pl.DataFrame, header: str, kind: Kind, options: TextOptions, problems: Problems
) -> pl.Series:
    result = parse(frame[header], kind, options)
    problems.add(frame, result.bad, header, result.reason, "parse")
    return result.values


def _kind(column: Column, cents: bool) -> Kind:
    """A column's kind; money in cents (mrr, an invoice's amount) is read as a decimal, rounded later."""
    return Kind.DECIMAL if column.kind is Kind.MONEY and cents else column.kind


def _parse_columns(
    frame: pl.DataFrame,
    schema: Schema,
    matching: Matching,
    options: TextOptions,
    problems: Problems,
    preset: Preset | None,
    cents: bool,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Parse every matched column; a cell that fails or a required cell left empty is a problem.

    Headers that fill a column's empty cells (``fills``) are parsed alike and coalesced in order;
    a preset's own fields become ``__name`` columns; every other header stays as text.
    """
    parsed: list[pl.Series] = [frame[ROW]]
    for canonical, header in matching.matched.items():
        report(progress, f"checking column '{header}'")
        column = schema.column(canonical)
        kind = _kind(column, cents)
        values = _parse_one(frame, header, kind, options, problems)
        sources = [header]
        for fill in matching.fills.get(canonical, ()):
            more = _parse_one(frame, fill, kind, options, problems)
            values = pl.select(pl.coalesce(values, more)).to_series()
            sources.append(fill)
        if column.not_empty:
            empty = pl.all_horizontal(pl.col(name).is_null() for name in sources)
            problems.add(frame, empty, header, f"is empty: every row needs a {canonical}", "empty")
        parsed.append(values.alias(canonical))
    for preset_field in preset.fields if preset is not None else ():
        if preset_field.name in matching.fields:
            header = matching.fields[preset_field.name]
            values = _parse_one(frame, header, preset_field.kind, options, problems)
            parsed.append(values.alias(f"__{preset_field.name}"))
    extras = [name for name in frame.columns if name != ROW and name not in matching.matched.values()]
    for name in extras:
        target = name if name not in schema.names else f"{name} (unmapped)"
        parsed.append(as_text(frame[name]).alias(target))
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
        Kind.MINUTES: pl.Float64(),
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


@dataclass(frozen=True)
class _Read:
    table: RawTable
    matching: Matching
    frame: pl.DataFrame
    problems: Problems
    preset: Preset | None
    notes: list[str]
    cents: bool


_MONEY_UNITS = ("major", "cents")


def _load(
    options: ReadOptions,
    schema: Schema,
    tz: str,
    stdin: BinaryIO | None,
    limit: int,
    progress: Progress | None,
) -> _Read:
    """Read the file and parse its matched columns; a preset reads every cell as text.

    Without a preset, Parquet's typed columns stay typed (a preset's hooks work on text), except
    a csat column that satisfaction labels are mapped on.
    """
    preset = get_preset(options.preset, schema.name)
    unit = options.money_unit or (preset.money_unit if preset is not None else "major")
    if unit not in _MONEY_UNITS:
        raise UsageError(f"unknown money unit '{unit}' (use major or cents)")
    table = read_raw(options, stdin, typed=preset is None, progress=progress)
    if table.frame.height == 0:
        raise DataError(table.path, "has a header but no data rows")
    report(progress, f"checking {table.frame.height:,} rows")
    matching = match_columns(table, schema, options.columns, preset)
    _require(table, schema, matching, preset)
    problems = Problems(table, limit)
    notes: list[str] = []
    labels = {**(preset.csat_labels if preset is not None else {})}
    labels.update({label.strip().casefold(): value for label, value in options.csat_labels.items()})
    frame = table.frame
    csat = matching.header("csat")
    if labels and csat is not None:
        frame = frame.with_columns(as_text(frame[csat]))
    context = Context(preset or _NO_PRESET, table, frame, matching, problems, notes)
    if preset is not None and preset.prepare is not None:
        preset.prepare(context)
    map_csat_labels(context, labels, preset.vendor if preset is not None else None)
    if preset is not None:
        map_types(context, preset.types)
    frame = context.frame
    decimal_comma = options.decimal_comma
    if decimal_comma is None:
        decimal_comma = _uses_decimal_comma(table, frame, _numeric_headers(schema, matching, preset))
    text_options = TextOptions(
        tz=tz,
        decimal_comma=decimal_comma,
        date_format=options.date_format,
        source_tz=options.source_tz or (preset.source_tz if preset is not None else None),
        plain_minutes=preset.plain_minutes if preset is not None else 1.0,
    )
    cents = unit == "cents"
    parsed = _parse_columns(frame, schema, matching, text_options, problems, preset, cents, progress)
    if preset is not None and preset.finish is not None:
        parsed = preset.finish(context, parsed)
    if preset is not None:
        notes.extend(preset.notes)
    return _Read(table, matching, parsed, problems, preset, notes, cents)


_NO_PRESET = Preset(name="", kind="", vendor="", aliases={})


def _numeric_headers(schema: Schema, matching: Matching, preset: Preset | None) -> list[str]:
    numeric = (Kind.MONEY, Kind.DECIMAL, Kind.NUMBER, Kind.MINUTES)
    headers = [header for name, header in matching.matched.items() if schema.column(name).kind in numeric]
    for preset_field in preset.fields if preset is not None else ():
        if preset_field.kind in numeric and preset_field.name in matching.fields:
            headers.append(matching.fields[preset_field.name])
    return headers


_AMBIGUOUS = r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$"


def _uses_decimal_comma(table: RawTable, frame: pl.DataFrame, headers: list[str]) -> bool:
    """Whether the file writes numbers with a decimal comma, from the numbers it holds.

    A cell only one convention can read is evidence (``1,5`` or ``1.234,50``: comma; ``99.50``:
    point). A cell both can read with different values (``1.234``, ``1,234``: one separator and
    exactly three digits after it, no leading zero) is no evidence, and a file with such cells
    and no evidence either way is an error naming ``decimal_comma``, never a guess, whatever its
    delimiter. In Excel and Parquet files numbers are typed cells written with a point, so
    ``1.234`` there is a point (``1,234`` is still ambiguous). With both kinds of evidence the
    comma wins and the point cells are reported as bad values.
    """
    dot_is_point = table.format in ("xlsx", "parquet")
    comma = point = False
    first: tuple[int, str, str] | None = None
    for header in headers:
        dtype = frame.schema[header]
        if dtype != pl.String:
            point = point or (not dtype.is_integer() and _typed_point(frame[header]))
            continue
        cells = frame.select(ROW, pl.col(header).str.replace_all(r"[ \u00a0\u202f]", "").alias("v"))
        cells = cells.filter(pl.col("v").is_not_null())
        if cells.height == 0:
            continue
        ambiguous = pl.col("v").str.contains(_AMBIGUOUS)
        as_comma = pl.col("v").str.contains(_COMMA_NUMBER)
        as_point = pl.col("v").str.contains(_POINT_NUMBER)
        if dot_is_point:
            ambiguous = ambiguous & pl.col("v").str.contains(",", literal=True)
        flags = cells.select(
            (as_comma & ~as_point & ~ambiguous).any().alias("comma"),
            (as_point & ~as_comma & ~ambiguous).any().alias("point"),
        ).row(0)
        comma, point = comma or bool(flags[0]), point or bool(flags[1])
        hits = cells.filter(ambiguous).sort(ROW)
        if hits.height and (first is None or int(hits[ROW][0]) < first[0]):
            first = (int(hits[ROW][0]), header, str(hits["v"][0]))
    if comma:
        return True
    if point or first is None:
        return False
    row, header, value = first
    raise DataError(
        table.path_of(row),
        "could be read with a decimal comma or a decimal point, and no other number in the file "
        "tells which: set decimal_comma = true or false",
        line=table.line_of(row),
        column=header,
        value=table.frame.filter(pl.col(ROW) == row)[header][0] if header in table.frame.columns else value,
    )


def _typed_point(column: pl.Series, sample: int = 1000) -> bool:
    """Whether a typed float or decimal column's text shows a decimal point that only a point
    reads (``99.5``; never ``1.234``): the evidence its text would give. A sample usually tells."""
    for cells in (column.head(sample), column):
        text = as_text(cells.drop_nulls())
        if bool((text.str.contains(_POINT_NUMBER) & ~text.str.contains(_COMMA_NUMBER)).any()):
            return True
        if len(cells) == len(column):
            break
    return False


def _attributes(frame: pl.DataFrame, schema: Schema, drop: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(
        name for name in frame.columns if name not in schema.names and name != ROW and name not in drop
    )


def _check_unique(frame: pl.DataFrame, column: str, header: str, problems: Problems) -> None:
    """A repeated id is a problem on its later lines, naming its first line."""
    if _all_distinct(frame[column]):
        return
    ids = frame.select(ROW, column)
    first = pl.col(column).is_first_distinct()
    later = ids.filter(pl.col(column).is_not_null() & ~first)
    if later.height:
        firsts = ids.filter(pl.col(column).is_in(later[column].implode()) & first)
        repeated = later.join(firsts.rename({ROW: "__first"}), on=column)
        first_of = dict(zip(repeated[ROW].to_list(), repeated["__first"].to_list(), strict=True))

        def reason(row: int) -> str:
            line = problems.table.line_name(int(first_of[row]), row)
            return f"repeats the {column} of {line}"

        problems.add(repeated, pl.lit(True), header, f"repeats a {column}", "duplicate_id", reason)


def _all_distinct(values: pl.Series) -> bool:
    """Whether no value repeats, told from 64-bit hashes (equal values hash alike; a collision
    only means the exact check runs)."""
    present = values.drop_nulls() if values.null_count() else values
    return present.hash().n_unique() == len(present)


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
    notes: tuple[str, ...] = ()
    durations: dict[str, str] = field(default_factory=dict)

    def loaded(self) -> Loaded:
        """The validated input, without the row index."""
        drop = {"subscriptions": (MRR,), "invoices": (AMOUNT,)}.get(self.kind, ())
        schema = SCHEMAS[self.kind]
        return Loaded(
            self.kind,
            self.table.path,
            self.frame.drop(ROW),
            _attributes(self.frame, schema, drop),
            self.notes,
            self.durations,
        )


def read_checked(
    kind: str,
    options: ReadOptions,
    tz: str,
    stdin: BinaryIO | None = None,
    limit: int = 1,
    *,
    progress: Progress | None = None,
) -> Checked:
    """Read one input and check every rule, keeping up to ``limit`` problems per rule.

    A file that cannot be read at all (missing, empty, no required column) raises DataError.
    ``progress`` is told each stage ("reading tickets.csv", "checking 10,000,000 rows", …).
    """
    checks = {
        "subscriptions": _subscriptions,
        "tickets": _tickets,
        "surveys": _surveys,
        "invoices": _invoices,
        "usage": _usage,
        "customers": _customers,
        "spend": _spend,
    }
    if kind not in checks:
        raise UsageError(f"unknown input kind '{kind}' (use {', '.join(checks)})")
    schema = SCHEMAS[kind]
    read = _load(options, schema, tz, stdin, limit, progress)
    report(progress, "checking the rules across rows")
    frame = checks[kind](read, read.frame)
    frame = _complete(frame, schema, tz)
    internal = [name for name in frame.columns if name.startswith("__") and name != ROW]
    frame = frame.drop(internal)
    if kind == "subscriptions":
        frame = frame.drop("mrr", "amount", "billing_period")
    if kind == "invoices":
        frame = frame.drop("amount")
    durations = {
        name: "business"
        if (read.preset is not None and read.preset.business_durations) or "business" in header.casefold()
        else "calendar"
        for name, header in read.matching.matched.items()
        if name in ("first_response_minutes", "resolution_minutes")
    }
    for name, basis in durations.items():
        if basis == "business":
            read.notes.append(f"{name} are business-hours minutes (from '{read.matching.matched[name]}')")
    return Checked(
        kind, read.table, read.matching.matched, frame, read.problems, tuple(read.notes), durations
    )


def _strict(
    kind: str, options: ReadOptions, tz: str, stdin: BinaryIO | None, progress: Progress | None
) -> Loaded:
    checked = read_checked(kind, options, tz, stdin, progress=progress)
    if options.skip_bad_rows:
        return _without_bad_rows(checked)
    checked.problems.raise_first()
    return checked.loaded()


def _without_bad_rows(checked: Checked) -> Loaded:
    """The input without the rows that break a rule, and a warning that counts them and shows the
    first (``--skip-bad-rows``); an input with no good row left is still an error."""
    error = checked.problems.error()
    if error is None:
        return checked.loaded()
    bad = checked.problems.bad_rows()
    kept = checked.frame.filter(~pl.col(ROW).is_in(bad.implode()))
    if kept.height == 0:
        raise error
    skipped = checked.frame.height - kept.height
    rows = "row" if skipped == 1 else "rows"
    warning = f"{skipped:,} bad {rows} left out (--skip-bad-rows); the first: {error}"
    loaded = replace(checked, frame=kept).loaded()
    return replace(loaded, warnings=(warning,), file_rows=checked.frame.height)


def read_subscriptions(
    options: ReadOptions, tz: str, stdin: BinaryIO | None = None, *, progress: Progress | None = None
) -> Loaded:
    """Read and check a subscriptions file (SPEC §1): MRR in integer cents as ``mrr_cents``."""
    return _strict("subscriptions", options, tz, stdin, progress)


def read_tickets(
    options: ReadOptions, tz: str, stdin: BinaryIO | None = None, *, progress: Progress | None = None
) -> Loaded:
    """Read and check a tickets file (SPEC §1): responses and solves not before creation."""
    return _strict("tickets", options, tz, stdin, progress)


def read_surveys(
    options: ReadOptions, tz: str, stdin: BinaryIO | None = None, *, progress: Progress | None = None
) -> Loaded:
    """Read and check an NPS survey file (SPEC §1): integer scores 0–10, unique response ids."""
    return _strict("surveys", options, tz, stdin, progress)


def read_invoices(
    options: ReadOptions, tz: str, stdin: BinaryIO | None = None, *, progress: Progress | None = None
) -> Loaded:
    """Read and check an invoices file: unique invoice ids, service periods, amounts, statuses.

    The frame holds ``amount_cents`` (Int64) instead of ``amount`` and ``status`` as one of
    paid, open, uncollectible, void, draft. ``csmetrics.io.invoices`` turns it into subscriptions.
    """
    return _strict("invoices", options, tz, stdin, progress)


def _subscriptions(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    matched, problems = read.matching.matched, read.problems
    if "ended_at" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("ended_at"))
    frame = _with_mrr(read, frame)
    _check_before(frame, "ended_at", "started_at", matched, problems)
    _check_overlaps(frame, matched, problems)
    _check_currency(frame, matched, problems)
    if "currency" in frame.columns:
        frame = frame.with_columns(pl.col("currency").str.to_uppercase())
    return frame


def _tickets(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    matched, problems = read.matching.matched, read.problems
    _check_unique(frame, "ticket_id", matched["ticket_id"], problems)
    _check_before(frame, "first_response_at", "created_at", matched, problems)
    _check_before(frame, "solved_at", "created_at", matched, problems)
    _check_range(frame, "csat", 1, 5, matched, problems)
    _check_range(frame, "replies", 0, None, matched, problems)
    return frame


def _surveys(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    matched, problems = read.matching.matched, read.problems
    _check_unique(frame, "response_id", matched["response_id"], problems)
    _check_range(frame, "score", 0, 10, matched, problems)
    return frame


def _usage(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    """Usage: used 0 or more, limit above 0."""
    matched, problems = read.matching.matched, read.problems
    _check_range(frame, "used", 0, None, matched, problems)
    problems.add(
        frame, pl.col("limit") <= 0, matched["limit"], "is not above 0: a limit must be", "out_of_range"
    )
    return frame


def _customers(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    """Customers (a CRM export): one row per customer_id; every other column is an attribute."""
    _check_unique(frame, "customer_id", read.matching.matched["customer_id"], read.problems)
    return frame


def read_customers(
    options: ReadOptions, tz: str, stdin: BinaryIO | None = None, *, progress: Progress | None = None
) -> Loaded:
    """Read and check a customers file: unique customer_id, attributes kept as text."""
    return _strict("customers", options, tz, stdin, progress)


def read_usage(
    options: ReadOptions, tz: str, stdin: BinaryIO | None = None, *, progress: Progress | None = None
) -> Loaded:
    """Read and check a usage file: customer_id, date, used, limit (SPEC-like, issue 8/9)."""
    return _strict("usage", options, tz, stdin, progress)


def read_spend(
    options: ReadOptions, tz: str, stdin: BinaryIO | None = None, *, progress: Progress | None = None
) -> Loaded:
    """Read and check a spend file: date, amount (0 or more), for CAC (``csm ltv --spend``)."""
    return _strict("spend", options, tz, stdin, progress)


def _spend(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    """Spend: amounts (integer cents) 0 or more; several rows on one day are several expenses."""
    _check_range(frame, "amount", 0, None, read.matching.matched, read.problems)
    return frame


_STATUS_NAMES = "paid, open, uncollectible, void or draft"


def _invoices(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    """Invoices: unique ids, period_end (inclusive) not before period_start, amounts 0 or more,
    known statuses, no payment on a void or draft invoice, one currency.

    An empty status is ``paid`` when paid_at is set, else ``open``; a file needs status or paid_at.
    """
    matched, problems, table = read.matching.matched, read.problems, read.table
    if "status" not in matched and "paid_at" not in matched:
        headers = [name for name in table.frame.columns if name != ROW]
        raise DataError(
            table.path,
            "missing column 'status' or 'paid_at': one of them must tell paid invoices from unpaid "
            f"ones (the header has: {_list(headers)}; map one with [invoices.columns] in csm.toml)",
            line=table.header_line,
        )
    _check_unique(frame, "invoice_id", matched["invoice_id"], problems)
    problems.add(
        frame,
        pl.col("period_end") < pl.col("period_start"),
        matched["period_end"],
        "is before period_start (period_end is the last day of the service period, inclusive)",
        "period_end_before_period_start",
    )
    problems.add(
        frame,
        pl.col("amount") < 0,
        matched["amount"],
        "is negative: an invoice's amount must be 0 or more (leave credit notes and refunds out)",
        "negative_amount",
    )
    amount = pl.col("amount").round(0).cast(pl.Int64) if read.cents else pl.col("amount")
    frame = frame.with_columns(amount.alias(AMOUNT))
    if "paid_at" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("paid_at"))
    status = pl.lit(None, dtype=pl.String)
    if "status" in matched:
        folded = pl.col("status").str.strip_chars().str.to_lowercase()
        frame = frame.with_columns(folded.replace_strict(INVOICE_STATUSES, default=None).alias("__status"))
        problems.add(
            frame,
            pl.col("status").is_not_null() & pl.col("__status").is_null(),
            matched["status"],
            f"is not an invoice status (expected {_STATUS_NAMES}; see docs/metrics.md for other spellings)",
            "status",
        )
        status = pl.col("__status")
    paid_by_date = pl.when(pl.col("paid_at").is_not_null()).then(pl.lit("paid")).otherwise(pl.lit("open"))
    frame = frame.with_columns(pl.coalesce(status, paid_by_date).alias("status"))
    if "status" in matched and "paid_at" in matched:
        problems.add(
            frame,
            pl.col("__status").is_in(["void", "draft"]) & pl.col("paid_at").is_not_null(),
            matched["paid_at"],
            "is set on a void or draft invoice, which is never paid: fix its status or its paid_at",
            "paid_void",
        )
    _check_currency(frame, matched, problems)
    if "currency" in frame.columns:
        frame = frame.with_columns(pl.col("currency").str.to_uppercase())
    return frame


_PER_MONTH = {"month": (1, 1), "quarter": (1, 3), "year": (1, 12), "week": (52, 12)}


def _with_mrr(read: _Read, frame: pl.DataFrame) -> pl.DataFrame:
    """MRR in cents from ``mrr``, or from ``amount`` (× quantity) per billing period, half-even.

    ``amount`` is per ``billing_period``; a preset's ``interval_count`` (3 months = a quarter) and
    ``quantity`` (seats) scale it. Money in cents (Baremetrics) is divided by 100 first.
    """
    matched, problems, table = read.matching.matched, read.problems, read.table
    if "mrr" in matched:
        problems.add(
            frame, pl.col("mrr") < 0, matched["mrr"], "is negative: MRR must be 0 or more", "negative_mrr"
        )
        mrr = pl.col("mrr").round(0).cast(pl.Int64) if read.cents else pl.col("mrr")
        return frame.with_columns(mrr.alias(MRR))
    if "amount" not in matched or "billing_period" not in matched:
        headers = [name for name in table.frame.columns if name != ROW]
        hint = missing_hint(read.preset, table, read.matching, "billing_period")
        raise DataError(
            table.path,
            f"missing required column 'mrr' (or 'amount' with 'billing_period'); "
            f"the header has: {_list(headers)}{hint}",
            line=table.header_line,
        )
    problems.add(
        frame,
        pl.col("amount") < 0,
        matched["amount"],
        "is negative: amounts must be 0 or more",
        "negative_mrr",
    )
    fields = read.matching.fields
    quantity: pl.Expr = pl.lit(1)
    if "__quantity" in frame.columns:
        header = fields["quantity"]
        problems.add(frame, pl.col("__quantity") < 0, header, "is negative: a quantity is 0 or more", "range")
        quantity = pl.col("__quantity").fill_null(pl.lit(1).cast(EXACT))
    count: pl.Expr = pl.lit(1)
    if "__interval_count" in frame.columns:
        header = fields["interval_count"]
        problems.add(
            frame, pl.col("__interval_count") < 1, header, "is out of range (expected 1 or more)", "range"
        )
        count = pl.when(pl.col("__interval_count") >= 1).then(pl.col("__interval_count")).otherwise(1)
    scale = 1 if read.cents else 100
    mrr = pl.lit(None, dtype=pl.Int64)
    for period, (times, divide) in _PER_MONTH.items():
        monthly = (pl.col("amount") * scale * quantity * times / (count * divide)).round(0).cast(pl.Int64)
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
    suspects = _overlapping_groups(rows, group)
    if suspects.height == 0:
        return
    candidates = rows.join(suspects, on=group)
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
    other = dict(zip(pairs[ROW].to_list(), pairs.select(f"{ROW}_other", group).rows(), strict=True))

    def reason(row: int) -> str:
        earlier, subscription = other[row]
        where = problems.table.line_name(int(earlier), row)
        rule = "rows of one subscription must not overlap"
        if problems.table.path_of(int(earlier)) != problems.table.path_of(row):
            return f"overlaps {where}, a row of subscription '{subscription}': {rule}"
        return f"overlaps {where} of subscription '{subscription}': {rule}"

    problems.add(
        frame,
        pl.col(ROW).is_in(pairs[ROW].implode()),
        matched["started_at"],
        "overlaps another row of its subscription",
        "overlap",
        reason,
    )


def _overlapping_groups(rows: pl.DataFrame, group: str) -> pl.DataFrame:
    """The ids with a row that starts before an earlier-starting row of theirs ends, or repeats it.

    After sorting by id, start and end, a running maximum of the ends finds them in one pass: each
    id's days are lifted above every earlier id's (its dense number times the span of all days),
    so the maximum restarts at every id without a window per id.
    """
    if rows.height == 0 or (rows[group].null_count() == 0 and _all_distinct(rows[group])):
        return rows.select(group).clear()
    days = rows.select(
        pl.min_horizontal(pl.col("started_at").min(), pl.col("__end").min()).cast(pl.Int64).alias("low"),
        pl.max_horizontal(pl.col("started_at").max(), pl.col("__end").max()).cast(pl.Int64).alias("high"),
    ).row(0)
    low, span = int(days[0]), int(days[1]) - int(days[0]) + 1
    number = (pl.col(group) != pl.col(group).shift(1)).fill_null(True).cum_sum().cast(pl.Int64)
    start = pl.col("started_at").cast(pl.Int64) - low
    end = pl.col("__end").cast(pl.Int64) - low
    lifted = pl.col("__number") * span
    previous_end = (lifted + end).cum_max().shift(1)
    same = pl.col("__number") == pl.col("__number").shift(1)
    repeat = (start == start.shift(1)) & (end == end.shift(1))
    return (
        rows.sort(group, "started_at", "__end")
        .with_columns(number.alias("__number"))
        .filter((same & ((lifted + start < previous_end) | repeat)).fill_null(False))
        .select(group)
        .unique()
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
    where = problems.table.line_name(int(first[ROW]))
    problems.add(
        given,
        pl.col("currency").str.to_uppercase() != reference,
        matched["currency"],
        f"differs from '{reference}' on {where}: one currency per run (convert first)",
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
