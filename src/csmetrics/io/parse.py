"""Text → typed values, column by column, keeping track of every cell that does not parse.

Each parser takes a column of stripped text (null = empty cell) and returns the parsed column and
a mask of the cells that were given but could not be read, with the reason to show the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from csmetrics.schemas import BILLING_PERIODS, Kind

MICROS: Literal["us"] = "us"
_SLASHED = r"^\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?$"
_NUMBER = r"^[+-]?(\d+(\.\d{0,9})?|\.\d{1,9})$"
_INTEGER = r"^[+-]?\d+$"
_THOUSANDS = r"[ \u00a0\u202f]"

DAY_FORMS = "YYYY-MM-DD, an ISO datetime, dd.mm.yyyy, or set date_format"


@dataclass(frozen=True)
class TextOptions:
    """How the text of one file writes numbers, dates and times."""

    tz: str = "UTC"
    decimal_comma: bool = False
    date_format: str | None = None


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
        Kind.DAY: parse_day,
        Kind.INSTANT: parse_instant,
        Kind.INTEGER: _parse_integer,
        Kind.NUMBER: _parse_number,
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
    """Drop thousands separators (spaces; dots with a decimal comma) and make the point decimal."""
    text = raw.str.replace_all(_THOUSANDS, "")
    if options.decimal_comma:
        text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return text


def parse_money(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse money exactly into integer cents, rounding half-even past the cent."""
    text = _normalise_number(raw, options)
    valid = text.str.contains(_NUMBER)
    exact = pl.when(valid).then(text).otherwise(None).cast(pl.Decimal(38, 9), strict=False)
    cents = pl.select((exact * 100).round(0).cast(pl.Int64, strict=False).alias(raw.name)).to_series()
    hint = "is not a number (expected e.g. 1234.50"
    hint += ", decimal comma)" if options.decimal_comma else "; decimal comma? set decimal_comma)"
    return Parsed(cents, _failed(raw, cents), hint)


def _parse_number(raw: pl.Series, options: TextOptions) -> Parsed:
    text = _normalise_number(raw, options)
    valid = text.str.contains(_NUMBER)
    number = pl.when(valid).then(text).otherwise(None).cast(pl.Float64, strict=False)
    values = pl.select(number.alias(raw.name)).to_series()
    return Parsed(values, _failed(raw, values), "is not a number")


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


def _instants(raw: pl.Series, options: TextOptions) -> tuple[pl.Series, str]:
    """Parse instants in every accepted form; returns the values and the reason for failures."""
    tz = options.tz
    dtype = pl.Datetime(MICROS, tz)
    if options.date_format is not None:
        fmt = options.date_format
        if "%H" in fmt or "%z" in fmt:
            parsed = raw.str.to_datetime(fmt, strict=False, time_unit=MICROS)
            aware = isinstance(parsed.dtype, pl.Datetime) and parsed.dtype.time_zone is not None
            parsed = parsed.dt.convert_time_zone(tz) if aware else _localise(parsed, tz)
        else:
            day = raw.str.to_date(fmt, strict=False)
            parsed = _localise(day.cast(pl.Datetime(MICROS)), tz)
        return parsed.cast(dtype), f"does not match date_format '{fmt}'"
    iso = _iso_instant_text(raw)
    candidates = [
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit=MICROS).dt.convert_time_zone(
            tz
        ),
        _localise(iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit=MICROS), tz),
        _localise(raw.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime(MICROS)), tz),
        _localise(raw.str.to_date("%d.%m.%Y", strict=False).cast(pl.Datetime(MICROS)), tz),
        _localise(raw.str.to_datetime("%d.%m.%Y %H:%M:%S", strict=False, time_unit=MICROS), tz),
        _localise(raw.str.to_datetime("%d.%m.%Y %H:%M", strict=False, time_unit=MICROS), tz),
    ]
    slashed, reason = _slashed(raw, tz)
    candidates.append(slashed)
    values = pl.select(pl.coalesce([c.cast(dtype) for c in candidates])).to_series()
    return values, reason or f"is not a date or time (expected {DAY_FORMS})"


def _slashed(raw: pl.Series, tz: str) -> tuple[pl.Series, str | None]:
    """Slashed dates are read only when the column admits exactly one of d/m/y and m/d/y."""
    dtype = pl.Datetime(MICROS, tz)
    is_slashed = raw.str.contains(_SLASHED)
    if not bool(is_slashed.any()):
        return pl.Series([None] * len(raw), dtype=dtype), None
    text = pl.select(pl.when(is_slashed).then(raw).otherwise(None)).to_series()
    fits: list[pl.Series] = []
    for order in ("%d/%m/%Y", "%m/%d/%Y"):
        parsed = pl.select(
            pl.coalesce(
                text.str.to_datetime(f"{order} %H:%M:%S", strict=False, time_unit=MICROS),
                text.str.to_datetime(f"{order} %H:%M", strict=False, time_unit=MICROS),
                text.str.to_date(order, strict=False).cast(pl.Datetime(MICROS)),
            )
        ).to_series()
        if not bool((is_slashed & parsed.is_null()).any()):
            fits.append(parsed)
    if len(fits) == 1:
        return _localise(fits[0], tz), None
    none = pl.Series([None] * len(raw), dtype=dtype)
    if fits:
        return none, "is an ambiguous date (day/month or month/day?): set date_format, e.g. %d/%m/%Y"
    return none, f"is not a date (expected {DAY_FORMS})"


def parse_instant(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse instants: offsets and ``Z`` are kept, naive times are read in the run's time zone."""
    values, reason = _instants(raw, options)
    values = values.alias(raw.name)
    return Parsed(values, _failed(raw, values), reason)


def parse_day(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse calendar days; a datetime gives its day in the run's time zone."""
    instants, reason = _instants(raw, options)
    values = instants.dt.date().alias(raw.name)
    return Parsed(values, _failed(raw, values), reason)
