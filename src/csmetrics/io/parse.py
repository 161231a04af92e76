"""Text → typed values, column by column, keeping track of every cell that does not parse.

Each parser takes a column of stripped text (null = empty cell) and returns the parsed column and
a mask of the cells that were given but could not be read, with the reason to show the user.
A typed column (Parquet's Date, Datetime, integers, decimals) is taken as it is where its type is
the kind's, exactly as its text would have been read; any other typed column is read as its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import polars as pl

from csmetrics.io.source import as_text
from csmetrics.schemas import BILLING_PERIODS, Kind

MICROS: Literal["us"] = "us"
_SLASHED = r"^\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2}(:\d{2})?)?$"
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
    """Parse one column as ``kind``: text, or a typed column whose type already is the kind's."""
    if kind not in (Kind.DAY, Kind.INSTANT) and raw.dtype != pl.String:
        typed = _typed_number(raw, kind, options)
        if typed is not None:
            return typed
        raw = as_text(raw)
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


_MINUTES_REASON = "is not a duration (expected minutes such as 12.5, or HH:MM:SS)"


def _whole_floats(raw: pl.Series) -> Parsed:
    """A float column (pandas writes scores as 9.0) read as whole numbers; 9.5 is not one."""
    whole = raw.is_finite() & (raw == raw.floor())
    values = raw.set(~whole.fill_null(False), None).cast(pl.Int64, strict=False)
    return Parsed(values, _failed(raw, values), _WHOLE_REASON)


def _typed_number(raw: pl.Series, kind: Kind, options: TextOptions) -> Parsed | None:
    """Integer and decimal columns read exactly as their text would be; None = read the text.

    Other floats are read through their text (its shortest form is what rounds to cents), and so
    is a decimal column when the file writes a decimal comma, which its text (``12.50``) would break.
    """
    dtype = raw.dtype
    plain_decimal = isinstance(dtype, pl.Decimal) and (dtype.scale or 0) <= 20 and not options.decimal_comma
    if kind is Kind.MONEY and dtype == pl.Float64 and not options.decimal_comma:
        cents = _float_cents(raw)
        return None if cents is None else Parsed(cents, _failed(raw, cents), _number_hint(options))
    if kind in (Kind.MONEY, Kind.DECIMAL) and (dtype.is_integer() or plain_decimal):
        exact = raw.cast(EXACT, strict=False)
        values = _cents(exact) if kind is Kind.MONEY else exact
        return Parsed(values, _failed(raw, values), _number_hint(options))
    if kind is Kind.INTEGER and dtype.is_float():
        return _whole_floats(raw)
    if not dtype.is_integer():
        return None
    if kind is Kind.INTEGER:
        values = raw.cast(pl.Int64, strict=False)
        return Parsed(values, _failed(raw, values), _WHOLE_REASON)
    if kind is Kind.NUMBER:
        values = raw.cast(pl.Float64)
        return Parsed(values, _failed(raw, values), _number_hint(options))
    if kind is Kind.MINUTES:
        values = raw.cast(pl.Float64) * options.plain_minutes
        return Parsed(values, _failed(raw, values), _MINUTES_REASON)
    return None


_FLOAT_CENTS_LIMIT = 1e13


def _float_cents(raw: pl.Series) -> pl.Series | None:
    """Float money in cents when every value is a whole number of cents (as its text would read);
    None when one is not (``0.125``), and the column is read through its text.

    Below 1e13 a double's error times 100 stays far below half a cent, so rounding ``x × 100``
    gives the cents of its shortest text, and ``cents / 100 == x`` holds only when that text has at
    most two decimals.
    """
    scaled = (raw * 100).round(0)
    whole = raw.is_finite() & (raw.abs() < _FLOAT_CENTS_LIMIT) & (scaled / 100 == raw)
    if not bool((whole | raw.is_null()).all()):
        return None
    return scaled.cast(pl.Int64).alias(raw.name)


def _given(raw: pl.Series) -> pl.Series:
    return raw.is_not_null()


def _failed(raw: pl.Series, values: pl.Series) -> pl.Series:
    return _given(raw) & values.is_null()


def _parse_text(raw: pl.Series, options: TextOptions) -> Parsed:
    return Parsed(raw, pl.repeat(False, len(raw), dtype=pl.Boolean, eager=True).alias(raw.name), "")


def _normalise_number(raw: pl.Series, options: TextOptions) -> pl.Series:
    """Plain ``1234.5`` text from a number as the file writes it, or null where it is not one.

    Thousands separators are spaces (also no-break) or, with a decimal comma, dots; they are
    accepted only between groups of three digits, so ``1.5`` is never read as 15 by accident.
    """
    if _all_match(raw, _PLAIN_COMMA if options.decimal_comma else _PLAIN_POINT):
        return _plain_text(raw, options)
    return _normalise_any(raw, options)


def _normalise_any(raw: pl.Series, options: TextOptions) -> pl.Series:
    """``_normalise_number`` for cells of every form (its result on plain numbers is the same)."""
    pattern = _COMMA_NUMBER if options.decimal_comma else _POINT_NUMBER
    valid = raw.str.contains(pattern) & raw.str.contains(r"\d")
    text = raw.str.replace_all(_SPACES, "")
    if options.decimal_comma:
        text = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.select(pl.when(valid).then(text).otherwise(None).alias(raw.name)).to_series()


_PLAIN_POINT = r"^[+-]?[0-9]+(\.[0-9]{1,20})?$"
_PLAIN_COMMA = r"^[+-]?[0-9]+(,[0-9]{1,20})?$"
_PLAIN_POINT_CENTS = r"^[+-]?[0-9]{1,15}(\.[0-9]{1,2})?$"
_PLAIN_COMMA_CENTS = r"^[+-]?[0-9]{1,15}(,[0-9]{1,2})?$"
"""Plain numbers (ASCII digits; no thousands separators, spaces or empty parts): the number
patterns read them as they are, and the ``_CENTS`` ones fit Decimal(18, 2) exactly, far below
``_CENTS_LIMIT``. (``\\d`` would also take other scripts' digits, which the decimal cast does not.)"""
_PLAIN_CENTS = pl.Decimal(18, 2)


def _all_match(raw: pl.Series, pattern: str) -> bool:
    """Whether every non-null cell matches ``pattern``."""
    return bool(raw.str.contains(pattern).all())


def _plain_text(raw: pl.Series, options: TextOptions) -> pl.Series:
    """Plain numbers as ``1234.5`` text: what ``_normalise_number`` makes of them."""
    return raw.str.replace(",", ".", literal=True) if options.decimal_comma else raw


def _plain_cents(raw: pl.Series, options: TextOptions) -> pl.Series | None:
    """Integer cents of a column of plain numbers with at most two decimals, read exactly through
    one cast to Decimal(18, 2) (no rounding: it has room for every digit); None for any other
    column, which ``parse_money`` reads the general way."""
    if not _all_match(raw, _PLAIN_COMMA_CENTS if options.decimal_comma else _PLAIN_POINT_CENTS):
        return None
    exact = _plain_text(raw, options).cast(_PLAIN_CENTS, strict=False)
    return exact.to_physical().cast(pl.Int64).alias(raw.name)


def _number_hint(options: TextOptions) -> str:
    if options.decimal_comma:
        return "is not a number (expected e.g. 1 234,50: decimal comma)"
    return "is not a number (expected e.g. 1234.50; decimal comma? set decimal_comma = true)"


def parse_decimal(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse an exact decimal in major units (for amounts that are divided before rounding)."""
    values = _normalise_number(raw, options).cast(EXACT, strict=False)
    return Parsed(values, _failed(raw, values), _number_hint(options))


_CENTS_LIMIT = 10**16


def _cents(exact: pl.Series) -> pl.Series:
    """Exact major units → integer cents, half-even past the cent; null from 10^16 up, where the
    exact decimal cannot hold the cents (and no MRR is that large)."""
    fits = pl.when(exact.abs() < _CENTS_LIMIT).then(exact)
    return pl.select((fits * 100).round(0).cast(pl.Int64, strict=False).alias(exact.name)).to_series()


def parse_money(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse money exactly into integer cents, rounding half-even past the cent."""
    cents = _plain_cents(raw, options)
    if cents is None:
        cents = _money_any(raw, options)
    return Parsed(cents, _failed(raw, cents), _number_hint(options))


def _money_any(raw: pl.Series, options: TextOptions) -> pl.Series:
    """``parse_money``'s cents for cells of every form (its result on plain numbers is the same)."""
    return _cents(_normalise_any(raw, options).cast(EXACT, strict=False).alias(raw.name))


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
    return Parsed(values, _failed(raw, values), _MINUTES_REASON)


_WHOLE_REASON = "is not a whole number"


def _parse_integer(raw: pl.Series, options: TextOptions) -> Parsed:
    """Whole numbers: ``[+-]digits``. polars' cast reads exactly those (and fails on overflow)."""
    values = raw.cast(pl.Int64, strict=False)
    return Parsed(values, _failed(raw, values), _WHOLE_REASON)


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


_NOT_A_MOMENT = f"is not a date or time (expected {DAY_FORMS})"


@dataclass(frozen=True)
class _Moments:
    """A column read as times: instants with an offset (UTC), naive wall-clock times, and days.

    At most one of the three is set for a cell that parsed (None = no cell of that form);
    ``reason`` explains the cells that did not parse.
    """

    aware: pl.Series | None
    naive: pl.Series | None
    days: pl.Series | None
    reason: str = _NOT_A_MOMENT


def _nulls(length: int, dtype: pl.DataType) -> pl.Series:
    return pl.repeat(None, length, dtype=dtype, eager=True)


def _coalesce(parts: list[pl.Series], name: str, dtype: pl.DataType, length: int) -> pl.Series:
    """The first non-null value of ``parts`` per cell (all null without parts)."""
    if not parts:
        return _nulls(length, dtype).alias(name)
    if len(parts) == 1:
        return parts[0].alias(name)
    return pl.select(pl.coalesce(parts).alias(name)).to_series()


def _moments(raw: pl.Series, options: TextOptions) -> _Moments:
    """Read a column as times: typed Date/Datetime cells as they are, text in every accepted form.

    ``date_format`` describes text, so a typed column does not need it.
    """
    if raw.dtype != pl.String:
        typed = _typed_moments(raw)
        if typed is not None:
            return typed
        raw = as_text(raw)
    if options.date_format is not None:
        return _formatted(raw, options.date_format)
    return _detected(raw)


_FIRST_DAY, _LAST_DAY = -719_162, 2_932_896
"""0001-01-01 and 9999-12-31 in days since 1970-01-01."""
_FIRST_MICRO, _LAST_MICRO = _FIRST_DAY * 86_400_000_000, (_LAST_DAY + 1) * 86_400_000_000 - 1


def _typed_moments(raw: pl.Series) -> _Moments | None:
    """A Parquet Date or Datetime column as days, naive times or UTC instants, in microseconds.

    None for other types and for values text could not have written (outside years 1–9999, or
    below a microsecond), which are read through their text as before.
    """
    dtype = raw.dtype
    if dtype == pl.Date:
        return _Moments(None, None, raw) if _years_fit(raw) else None
    if not isinstance(dtype, pl.Datetime):
        return None
    if dtype.time_unit == "ns" and bool((raw.to_physical() % 1000 != 0).any()):
        return None
    values = raw.dt.cast_time_unit(MICROS)
    if dtype.time_zone is not None:
        values = values.dt.convert_time_zone("UTC")
    if not _years_fit(values):
        return None
    return _Moments(values, None, None) if dtype.time_zone is not None else _Moments(None, values, None)


def _years_fit(values: pl.Series) -> bool:
    """Whether every value lies in the years 1–9999, which a ``%Y`` text form writes in four
    digits (compared as days or microseconds since 1970: no calendar work per value)."""
    low, high = (_FIRST_DAY, _LAST_DAY) if values.dtype == pl.Date else (_FIRST_MICRO, _LAST_MICRO)
    physical = values.to_physical()
    least, most = physical.min(), physical.max()
    return least is None or (int(least) >= low and int(most) <= high)  # type: ignore[arg-type]


def _formatted(raw: pl.Series, fmt: str) -> _Moments:
    """Parse with ``date_format`` alone: days without a time, naive times, or instants with ``%z``."""
    reason = f"does not match date_format '{fmt}'"
    if "%H" not in fmt and "%z" not in fmt:
        return _Moments(None, None, raw.str.to_date(fmt, strict=False), reason)
    parsed = raw.str.to_datetime(fmt, strict=False, time_unit=MICROS)
    if isinstance(parsed.dtype, pl.Datetime) and parsed.dtype.time_zone is not None:
        return _Moments(parsed.dt.convert_time_zone("UTC"), None, None, reason)
    return _Moments(None, parsed, None, reason)


_D, _T = "[0-9]{4}-[0-9]{2}-[0-9]{2}", "[0-9]{2}:[0-9]{2}"
_DMY, _SECONDS, _OFFSET = r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}", f"{_T}:[0-9]{{2}}", "[+-][0-9]{2}:[0-9]{2}"
_FRACTION = r"\.[0-9]{1,9}"


@dataclass(frozen=True)
class _Form:
    """One explicit text form of a time: its format, the exact shape of its text, and which part
    of ``_Moments`` it fills.

    Only cells of exactly that shape are read with the format (polars' parser also takes shapes
    such as ``2024-1-5`` or two spaces, which ``_every_form`` reads differently or not at all).
    """

    fmt: str
    shape: str
    slot: Literal["aware", "naive", "days"]

    def read(self, raw: pl.Series) -> pl.Series:
        """Parse the cells of this shape with this format alone (null for every other cell)."""
        if self.slot == "days":
            values = raw.str.to_date(self.fmt, strict=False)
        else:
            values = raw.str.to_datetime(self.fmt, strict=False, time_unit=MICROS)
            if self.fmt.endswith("Z"):
                values = values.dt.replace_time_zone("UTC")
            elif self.slot == "aware":
                values = values.dt.convert_time_zone("UTC")
        return pl.select(pl.when(raw.str.contains(f"^{self.shape}$")).then(values)).to_series()


_FORMS = (
    _Form("%Y-%m-%dT%H:%M:%SZ", f"{_D}T{_SECONDS}Z", "aware"),
    _Form("%Y-%m-%dT%H:%M:%S%z", f"{_D}T{_SECONDS}{_OFFSET}", "aware"),
    _Form("%Y-%m-%d", _D, "days"),
    _Form("%Y-%m-%dT%H:%M:%S", f"{_D}T{_SECONDS}", "naive"),
    _Form("%Y-%m-%d %H:%M:%S", f"{_D} {_SECONDS}", "naive"),
    _Form("%d.%m.%Y", _DMY, "days"),
    _Form("%d.%m.%Y %H:%M:%S", f"{_DMY} {_SECONDS}", "naive"),
    _Form("%d.%m.%Y %H:%M", f"{_DMY} {_T}", "naive"),
    _Form("%Y-%m-%d %H:%M:%S%z", f"{_D} {_SECONDS}{_OFFSET}", "aware"),
    _Form("%Y-%m-%dT%H:%M", f"{_D}T{_T}", "naive"),
    _Form("%Y-%m-%d %H:%M", f"{_D} {_T}", "naive"),
    _Form("%Y-%m-%dT%H:%M:%S%.fZ", f"{_D}T{_SECONDS}{_FRACTION}Z", "aware"),
    _Form("%Y-%m-%dT%H:%M:%S%.f%z", f"{_D}T{_SECONDS}{_FRACTION}{_OFFSET}", "aware"),
    _Form("%Y-%m-%dT%H:%M:%S%.f", f"{_D}T{_SECONDS}{_FRACTION}", "naive"),
    _Form("%Y-%m-%d %H:%M:%S%.f", f"{_D} {_SECONDS}{_FRACTION}", "naive"),
)
"""Forms a whole column is commonly written in; each reads a cell exactly as ``_every_form`` does."""

_SAMPLE = 64


def _column_form(raw: pl.Series) -> _Form | None:
    """The form that reads most of the column's first non-empty cells (None: no form reads any)."""
    sample = raw.head(64 * _SAMPLE).drop_nulls().head(_SAMPLE)
    if sample.is_empty():
        sample = raw.drop_nulls().head(_SAMPLE)
    best, best_count = None, 0
    for form in _FORMS:
        count = len(sample) - form.read(sample).null_count()
        if count > best_count:
            best, best_count = form, count
        if count == len(sample):
            break
    return best


def _detected(raw: pl.Series) -> _Moments:
    """Read the column with the one form most of it uses; only the other cells try every form.

    Every form reads a cell the same way ``_every_form`` would, so the result does not depend on
    which form was picked; slashed dates never fit a form, so their d/m or m/d reading is still
    decided by all the slashed cells of the column.
    """
    if raw.null_count() == len(raw):
        return _Moments(None, None, None)
    form = _column_form(raw)
    if form is None:
        return _every_form(raw)
    quick = form.read(raw)
    left = raw.is_not_null() & quick.is_null()
    slots: dict[str, pl.Series | None] = {"aware": None, "naive": None, "days": None}
    slots[form.slot] = quick
    if not bool(left.any()):
        return _Moments(slots["aware"], slots["naive"], slots["days"])
    where = left.arg_true()
    rest = _every_form(raw.gather(where))
    for name, part in (("aware", rest.aware), ("naive", rest.naive), ("days", rest.days)):
        if part is None or part.null_count() == len(part):
            continue
        spread = _nulls(len(raw), part.dtype).scatter(where, part)
        current = slots[name]
        slots[name] = spread if current is None else pl.select(pl.coalesce(current, spread)).to_series()
    return _Moments(slots["aware"], slots["naive"], slots["days"], rest.reason)


def _every_form(raw: pl.Series) -> _Moments:
    """Try every accepted form on every cell: ISO with or without offset, dd.mm.yyyy, slashes."""
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
    reason = slashed_reason or _NOT_A_MOMENT
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


def _first_moments(days: pl.Series, tz: str) -> pl.Series:
    """Each day's first moment in ``tz``: local midnight, or the end of a DST gap at midnight."""
    start = days.cast(pl.Datetime(MICROS))
    first = _localise(start, tz)
    if not bool((first.is_null() & days.is_not_null()).any()):
        return first
    return pl.select(pl.coalesce(first, _localise(start + timedelta(hours=1), tz))).to_series()


def parse_instant(raw: pl.Series, options: TextOptions) -> Parsed:
    """Parse instants: offsets and ``Z`` are kept, naive times are read in the run's time zone.

    A day without a time is its first moment in the zone (local midnight, or the end of a DST gap
    where midnight does not exist); a naive time inside a DST gap is an error, never a shift.
    """
    tz = options.tz
    moments = _moments(raw, options)
    naive_zone = options.source_tz or tz
    parts: list[pl.Series] = []
    if moments.aware is not None:
        parts.append(moments.aware.dt.convert_time_zone(tz))
    localised = None
    if moments.naive is not None:
        localised = _localise(moments.naive, naive_zone)
        parts.append(localised.dt.convert_time_zone(tz))
    if moments.days is not None:
        parts.append(_first_moments(moments.days, tz))
    values = _coalesce(parts, raw.name, pl.Datetime(MICROS, tz), len(raw))
    failed = _failed(raw, values)
    reason = moments.reason
    if moments.naive is not None and localised is not None:
        skipped = moments.naive.is_not_null() & localised.is_null()
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
    parts: list[pl.Series] = []
    if moments.days is not None:
        parts.append(moments.days)
    if moments.naive is not None:
        naive_day = moments.naive.dt.date()
        if options.source_tz is not None and options.source_tz != options.tz:
            localised = _localise(moments.naive, options.source_tz)
            naive_day = localised.dt.convert_time_zone(options.tz).dt.date()
        parts.append(naive_day)
    if moments.aware is not None:
        parts.append(moments.aware.dt.convert_time_zone(options.tz).dt.date())
    values = _coalesce(parts, raw.name, pl.Date(), len(raw))
    return Parsed(values, _failed(raw, values), moments.reason)
