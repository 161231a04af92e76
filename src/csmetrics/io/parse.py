"""Text → typed values, column by column, keeping track of every cell that does not parse.

Each parser takes a column of stripped text (null = empty cell) and returns the parsed column and
a mask of the cells that were given but could not be read, with the reason to show the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import polars as pl

from csmetrics.schemas import BILLING_PERIODS, Kind

MICROS: Literal["us"] = "us"
_SLASHED = r"^\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?$"
_INTEGER = r"^[+-]?\d+$"
_SPACES = r"[ \u00a0\u202f]"
_POINT_NUMBER = r"^[+-]?([1-9]\d{0,2}([ \u00a0\u202f]\d{3})+|\d+)?(\.\d{0,20})?$"
_COMMA_NUMBER = r"^[+-]?([1-9]\d{0,2}([ \u00a0\u202f]\d{3})+|[1-9]\d{0,2}(\.\d{3})+|\d+)?(,\d{0,20})?$"
EXACT = pl.Decimal(38, 20)

DAY_FORMS = "YYYY-MM-DD, an ISO datetime, dd.mm.yyyy, or set date_format"


@dataclass(frozen=True)
class TextOptions:
    """How the text of one file writes numbers, dates and times."""

    tz: str = "UTC"
    decimal_comma: bool = False
    date_format: str | None = None
    source_tz: str | None = None
    """The zone naive times in the file are written in (a preset's, or ``source_tz``); None = ``tz``."""
    plain_minutes: float = 1.0
    """How many minutes a plain number in a duration column stands for (60 for "(in hrs)")."""


@dataclass(frozen=True)
class Parsed:
    """A parsed column, the cells that failed, and the reason shown for them."""

    values: pl.Series
    bad: pl.Series
    reason: str


def parse(raw: pl.Series, kind: Kind, options: TextOptions) -> Parsed:
    """Parse one column of text as ``kind``."""
    parsers = {
        Kind.TEXT: _parse_text,
        Kind.MONEY: parse_money,
        Kind.DECIMAL: parse_decimal,
        Kind.DAY: parse_day,
        Kind.INSTANT: parse_instant,
        Kind.INTEGER: _parse_integer,
        Kind.NUMBER: _parse_number,
        Kind.MINUTES: parse_minutes,
        Kind.BILLING_PERIOD: _parse_billing_period,
    }
    return parsers[kind](raw, options)


def _given(raw: pl.Series) -> pl.Series:
    return raw.is_not_null()


def _failed(raw: pl.Series, values: pl.Series) -> pl.Series:
    return _given(raw) & values.is_null()


def _parse_text(raw: pl.Series, options: TextOptions) -> Parsed:
    return Parsed(raw, pl.Series(raw.name, [False] * len(raw), dtype=pl.Boolean), "")


def _normalise_number(raw: pl.Series, options: TextOptions) -> pl.Series:
    """Plain ``1234.5`` text from a number as the file writes it, or null where it is not one.

    Thousands separators are spaces (also no-break) or, with a decimal comma, dots; they are
    accepted only between groups of three digits, so ``1.5`` is never read as 15 by accident.
    """
    pattern = _COMMA_NUMBER if options.decimal_comma else _POINT_NUMBER
    valid = raw.str.contains(pattern) & raw.str.contains(r"\d")
    text = raw.str.replace_all(_SPACES, "")
    if options.decimal_comma:
        text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.select(pl.when(valid).then(text).otherwise(None).alias(raw.name)).to_series()


def _number_hint(options: TextOptions) -> str:
    if options.decimal_comma:
        return "is not a number (expected e.g. 1 234,50: decimal comma)"
    return "is not a number (expected e.g. 1234.50; decimal comma? set decimal_comma = true)"


def parse_decimal(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse an exact decimal in major units (for amounts that are divided before rounding)."""
    values = _normalise_number(raw, options).cast(EXACT, strict=False)
    return Parsed(values, _failed(raw, values), _number_hint(options))


def parse_money(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse money exactly into integer cents, rounding half-even past the cent."""
    exact = _normalise_number(raw, options).cast(EXACT, strict=False)
    cents = pl.select((exact * 100).round(0).cast(pl.Int64, strict=False).alias(raw.name)).to_series()
    return Parsed(cents, _failed(raw, cents), _number_hint(options))


def _parse_number(raw: pl.Series, options: TextOptions) -> Parsed:
    values = _normalise_number(raw, options).cast(pl.Float64, strict=False)
    return Parsed(values, _failed(raw, values), _number_hint(options))


_CLOCK = r"^(\d+):([0-5]\d)(?::([0-5]\d))?$"


def parse_minutes(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse a duration into minutes: a plain number, or ``H:MM:SS`` / ``H:MM`` (hours may exceed 99).

    A plain number counts ``options.plain_minutes`` minutes each (1 for "in minutes" columns,
    60 for Freshdesk's "(in hrs)" columns re-saved as decimal hours).
    """
    plain = _normalise_number(raw, options).cast(pl.Float64, strict=False) * options.plain_minutes
    parts = raw.str.extract_groups(_CLOCK)
    clock = (
        parts.struct.field("1").cast(pl.Float64) * 60
        + parts.struct.field("2").cast(pl.Float64)
        + parts.struct.field("3").cast(pl.Float64).fill_null(0.0) / 60
    )
    values = pl.select(pl.coalesce(clock, plain).alias(raw.name)).to_series()
    reason = "is not a duration (expected minutes such as 12.5, or HH:MM:SS)"
    return Parsed(values, _failed(raw, values), reason)


def _parse_integer(raw: pl.Series, options: TextOptions) -> Parsed:
    valid = raw.str.contains(_INTEGER)
    values = pl.select(
        pl.when(valid).then(raw).otherwise(None).cast(pl.Int64, strict=False).alias(raw.name)
    ).to_series()
    return Parsed(values, _failed(raw, values), "is not a whole number")


def _parse_billing_period(raw: pl.Series, options: TextOptions) -> Parsed:
    values = raw.str.to_lowercase().replace_strict(BILLING_PERIODS, default=None)
    accepted = ", ".join(sorted(set(BILLING_PERIODS.values())))
    return Parsed(values.alias(raw.name), _failed(raw, values), f"is not a billing period ({accepted})")


def _iso_instant_text(raw: pl.Series) -> pl.Series:
    """Rewrite ISO datetimes to one shape: ``YYYY-MM-DDTHH:MM:SS[.f][+HH:MM]``."""
    return (
        raw.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]", "${1}T")
        .str.replace(r"\s+([Z+-])", "${1}")
        .str.replace(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})($|[Z+-])", "${1}:00${2}")
        .str.replace(r"Z$", "+00:00")
        .str.replace(r"([+-]\d{2})(\d{2})$", "${1}:${2}")
        .str.replace(r"([+-]\d{2})$", "${1}:00")
    )


def _localise(naive: pl.Series, tz: str) -> pl.Series:
    """Read naive wall-clock times in ``tz``; a time skipped by a DST change becomes null."""
    return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")


@dataclass(frozen=True)
class _Moments:
    """A column read as times: instants with an offset (UTC), naive wall-clock times, and days.

    Exactly one of the three is set for a cell that parsed; ``reason`` explains the others.
    """

    aware: pl.Series
    naive: pl.Series
    days: pl.Series
    reason: str


def _nulls(length: int, dtype: pl.DataType) -> pl.Series:
    return pl.Series([None] * length, dtype=dtype)


def _moments(raw: pl.Series, options: TextOptions) -> _Moments:
    """Parse every accepted form: ISO with or without offset, dd.mm.yyyy, slashes, date_format."""
    naive_type, day_type = pl.Datetime(MICROS), pl.Date()
    length = len(raw)
    if options.date_format is not None:
        fmt = options.date_format
        reason = f"does not match date_format '{fmt}'"
        if "%H" not in fmt and "%z" not in fmt:
            days = raw.str.to_date(fmt, strict=False)
            return _Moments(
                _nulls(length, pl.Datetime(MICROS, "UTC")), _nulls(length, naive_type), days, reason
            )
        parsed = raw.str.to_datetime(fmt, strict=False, time_unit=MICROS)
        if isinstance(parsed.dtype, pl.Datetime) and parsed.dtype.time_zone is not None:
            aware = parsed.dt.convert_time_zone("UTC")
            return _Moments(aware, _nulls(length, naive_type), _nulls(length, day_type), reason)
        return _Moments(_nulls(length, pl.Datetime(MICROS, "UTC")), parsed, _nulls(length, day_type), reason)
    iso = _iso_instant_text(raw)
    aware = iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit=MICROS)
    slashed_naive, slashed_days, slashed_reason = _slashed(raw)
    naive = pl.select(
        pl.coalesce(
            iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit=MICROS),
            raw.str.to_datetime("%d.%m.%Y %H:%M:%S", strict=False, time_unit=MICROS),
            raw.str.to_datetime("%d.%m.%Y %H:%M", strict=False, time_unit=MICROS),
            slashed_naive,
        )
    ).to_series()
    days = pl.select(
        pl.coalesce(
            raw.str.to_date("%Y-%m-%d", strict=False),
            raw.str.to_date("%d.%m.%Y", strict=False),
            slashed_days,
        )
    ).to_series()
    reason = slashed_reason or f"is not a date or time (expected {DAY_FORMS})"
    return _Moments(aware.dt.convert_time_zone("UTC"), naive, days, reason)


def _slashed(raw: pl.Series) -> tuple[pl.Series, pl.Series, str | None]:
    """Slashed dates are read only when the column admits exactly one of d/m/y and m/d/y."""
    naive_type = pl.Datetime(MICROS)
    length = len(raw)
    is_slashed = raw.str.contains(_SLASHED)
    if not bool(is_slashed.any()):
        return _nulls(length, naive_type), _nulls(length, pl.Date()), None
    text = pl.select(pl.when(is_slashed).then(raw).otherwise(None)).to_series()
    fits: list[tuple[pl.Series, pl.Series]] = []
    for order in ("%d/%m/%Y", "%m/%d/%Y"):
        naive = pl.select(
            pl.coalesce(
                text.str.to_datetime(f"{order} %H:%M:%S", strict=False, time_unit=MICROS),
                text.str.to_datetime(f"{order} %H:%M", strict=False, time_unit=MICROS),
            )
        ).to_series()
        days = text.str.to_date(order, strict=False)
        if not bool((is_slashed & naive.is_null() & days.is_null()).any()):
            fits.append((naive, days))
    if len(fits) == 1:
        return fits[0][0], fits[0][1], None
    reason = "is an ambiguous date (day/month or month/day?): set date_format, e.g. %d/%m/%Y"
    if not fits:
        reason = f"is not a date (expected {DAY_FORMS})"
    return _nulls(length, naive_type), _nulls(length, pl.Date()), reason


def parse_instant(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse instants: offsets and ``Z`` are kept, naive times are read in the run's time zone.

    A day without a time is its first moment in the zone (local midnight, or the end of a DST gap
    where midnight does not exist); a naive time inside a DST gap is an error, never a shift.
    """
    tz = options.tz
    moments = _moments(raw, options)
    start_of_day = moments.days.cast(pl.Datetime(MICROS))
    first_moment = pl.select(
        pl.coalesce(_localise(start_of_day, tz), _localise(start_of_day + timedelta(hours=1), tz))
    ).to_series()
    naive_zone = options.source_tz or tz
    localised = _localise(moments.naive, naive_zone)
    values = pl.select(
        pl.coalesce(
            moments.aware.dt.convert_time_zone(tz),
            localised.dt.convert_time_zone(tz),
            first_moment,
        ).alias(raw.name)
    ).to_series()
    failed = _failed(raw, values)
    skipped = moments.naive.is_not_null() & localised.is_null()
    reason = moments.reason
    if bool(skipped.any()) and not bool((failed & ~skipped).any()):
        reason = (
            f"does not exist in {naive_zone}: the clocks skipped that hour (DST); "
            "write it with an offset or set the zone the file was written in"
        )
    return Parsed(values, failed, reason)


def parse_day(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse calendar days: a day as written, a naive datetime's own day, an instant's day in tz.

    With ``source_tz`` (a Stripe export's UTC) a naive datetime is an instant in that zone, and its
    day is taken in ``tz``; without it, it is wall-clock time whose own day is the day.
    """
    moments = _moments(raw, options)
    naive_day = moments.naive.dt.date()
    if options.source_tz is not None and options.source_tz != options.tz:
        naive_day = _localise(moments.naive, options.source_tz).dt.convert_time_zone(options.tz).dt.date()
    values = pl.select(
        pl.coalesce(
            moments.days,
            naive_day,
            moments.aware.dt.convert_time_zone(options.tz).dt.date(),
        ).alias(raw.name)
    ).to_series()
    return Parsed(values, _failed(raw, values), moments.reason)
