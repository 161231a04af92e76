"""Text → typed values (io/parse.py): money in exact cents, calendar days, instants in --tz."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from csmetrics.io.parse import Parsed, TextOptions, parse, parse_day, parse_instant, parse_money
from csmetrics.schemas import Kind

WARSAW = "Europe/Warsaw"
PLAIN = TextOptions()
COMMA = TextOptions(decimal_comma=True)


def series(*values: str | None) -> pl.Series:
    return pl.Series("cell", list(values), dtype=pl.String)


def money(text: str | None, options: TextOptions = PLAIN) -> Parsed:
    return parse_money(series(text), options)


def cents(text: str, options: TextOptions = PLAIN) -> int | None:
    result = money(text, options)
    value = result.values[0]
    assert result.bad[0] == (value is None)
    return value


# --------------------------------------------------------------------------------------------
# parse_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("1", 100),
        ("1.5", 150),
        ("1.50", 150),
        ("12.34", 1234),
        ("+7", 700),
        ("-7.01", -701),
        (".5", 50),
        ("5.", 500),
        ("0001.10", 110),
        ("1 234.56", 123456),
        ("1\u00a0234.56", 123456),
        ("1\u202f234.56", 123456),
        ("1 000 000", 100000000),
        ("123456789012.34", 12345678901234),
    ],
)
def test_money_point(text: str, expected: int) -> None:
    assert cents(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", 123450),
        ("1\u00a0234,50", 123450),
        ("1\u202f234,50", 123450),
        ("1.234,50", 123450),
        ("1.234.567,89", 123456789),
        ("0,99", 99),
        ("-0,5", -50),
        ("12", 1200),
        ("1 234", 123400),
        ("1.234", 123400),  # with a decimal comma the dot groups thousands
    ],
)
def test_money_decimal_comma(text: str, expected: int) -> None:
    assert cents(text, COMMA) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.125", 12),
        ("0.135", 14),
        ("0.005", 0),
        ("0.015", 2),
        ("0.025", 2),
        ("-0.125", -12),
        ("-0.135", -14),
        ("2.345", 234),
        ("2.3451", 235),
        ("0.123456789", 12),
        ("0.004999999", 0),
    ],
)
def test_money_rounds_half_even(text: str, expected: int) -> None:
    assert cents(text) == expected


@pytest.mark.parametrize(
    "text", ["1,5", "1,234.50", "12.5x", "abc", "1e3", "1.2.3", "$5", "5 PLN", "--1", "+-1", ".", "-", "1/2"]
)
def test_money_rejects_without_decimal_comma(text: str) -> None:
    result = money(text)
    assert result.bad.to_list() == [True]
    assert result.values.to_list() == [None]
    assert "decimal_comma" in result.reason


@pytest.mark.parametrize("text", ["1,5,5", "1,2,3", "abc", ",", "1,5x"])
def test_money_rejects_with_decimal_comma(text: str) -> None:
    result = money(text, COMMA)
    assert result.bad.to_list() == [True]
    assert "decimal comma" in result.reason


@pytest.mark.parametrize("text", ["1.5", "12.50", "1.23,45", "0.125"])
def test_money_decimal_comma_rejects_a_misplaced_dot(text: str) -> None:
    assert money(text, COMMA).bad.to_list() == [True]


def test_money_null_is_not_bad() -> None:
    result = parse_money(series(None, "1", None), PLAIN)
    assert result.values.to_list() == [None, 100, None]
    assert result.bad.to_list() == [False, False, False]
    assert result.values.dtype == pl.Int64
    assert result.values.name == "cell"


def test_money_column_of_mixed_cells() -> None:
    result = parse_money(series("1.00", "x", None, "2.5", "1,5"), PLAIN)
    assert result.values.to_list() == [100, None, None, 250, None]
    assert result.bad.to_list() == [False, True, False, False, True]


def test_money_empty_series() -> None:
    result = parse_money(series(), PLAIN)
    assert result.values.len() == 0
    assert result.bad.len() == 0


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False
    )
)
def test_money_two_places_is_exact(value: Decimal) -> None:
    assert cents(f"{value:f}") == int(value * 100)


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(
        min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=9, allow_nan=False, allow_infinity=False
    )
)
def test_money_rounds_like_decimal_half_even(value: Decimal) -> None:
    expected = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    assert cents(f"{value:f}") == expected


def _grouped(value: Decimal, thousands: str, point: str) -> str:
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + thousands.join(groups) + (point + fraction if fraction else "")


@settings(max_examples=150, deadline=None)
@given(
    value=st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False
    ),
    thousands=st.sampled_from([" ", "\u00a0", "."]),
)
def test_money_decimal_comma_round_trip(value: Decimal, thousands: str) -> None:
    text = _grouped(value, thousands, ",")
    assert cents(text, COMMA) == int(value * 100), text


@settings(max_examples=100, deadline=None)
@given(
    value=st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False
    ),
    thousands=st.sampled_from([" ", "\u00a0", ""]),
)
def test_money_decimal_point_round_trip(value: Decimal, thousands: str) -> None:
    text = _grouped(value, thousands, ".")
    assert cents(text) == int(value * 100), text


# Plain columns (every cell ``[+-]?\d+(\.\d{1,2})?``, or with a decimal comma) take a fast path;
# it must give exactly what the path for every form gives, on the same cells.
_TRICKY = ["-0.5", "007.10", "1 234,50", "1.234,50", "", "+0.5", "-0", ".5", "5.", "1,5", "1.5", "0.125"]
_TRICKY += [
    "1,234",
    "1.234",
    "12 345.67",
    "\u0663",
    "1e3",
    "+",
    "-",
    "9" * 16,
    "9" * 15 + ".99",
    "0" * 20 + "1",
]


@st.composite
def _money_text(draw: st.DrawFn) -> str:
    sign = draw(st.sampled_from(["", "", "-", "+"]))
    whole = draw(st.text("0123456789", min_size=1, max_size=draw(st.sampled_from([3, 15, 19]))))
    fraction = draw(st.one_of(st.just(None), st.text("0123456789", max_size=4)))
    point = draw(st.sampled_from([".", ","]))
    return sign + whole + ("" if fraction is None else point + fraction)


_CELL = st.one_of(_money_text(), _money_text(), st.sampled_from(_TRICKY), st.none())


@settings(max_examples=400, deadline=None)
@given(cells=st.lists(_CELL, max_size=8), decimal_comma=st.booleans())
def test_money_fast_path_is_the_general_path(cells: list[str | None], decimal_comma: bool) -> None:
    from csmetrics.io.parse import _money_any, _normalise_any, _number_hint, parse_decimal

    options = TextOptions(decimal_comma=decimal_comma)
    raw = series(*cells)
    result = parse_money(raw, options)
    expected = _money_any(raw, options)
    assert result.values.dtype == pl.Int64
    assert result.values.name == "cell"
    assert result.values.to_list() == expected.to_list(), cells
    assert result.bad.to_list() == (raw.is_not_null() & expected.is_null()).to_list()
    assert result.reason == _number_hint(options)
    exact = _normalise_any(raw, options).cast(pl.Decimal(38, 20), strict=False)
    assert parse_decimal(raw, options).values.to_list() == exact.to_list(), cells
    number = parse(raw, Kind.NUMBER, options).values.to_list()
    assert number == _normalise_any(raw, options).cast(pl.Float64, strict=False).to_list(), cells


@pytest.mark.parametrize("decimal_comma", [False, True])
@pytest.mark.parametrize("cell", _TRICKY)
def test_money_fast_path_tricky_cells(cell: str, decimal_comma: bool) -> None:
    from csmetrics.io.parse import _money_any

    options = TextOptions(decimal_comma=decimal_comma)
    for raw in (series(cell), series("12.50", cell, None), series("12,50", cell, None)):
        assert parse_money(raw, options).values.to_list() == _money_any(raw, options).to_list(), raw


# --------------------------------------------------------------------------------------------
# parse_day


def day(text: str, options: TextOptions = PLAIN) -> date | None:
    result = parse_day(series(text), options)
    value = result.values[0]
    assert result.bad[0] == (value is None)
    return value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-31", date(2023, 1, 31)),
        ("31.01.2023", date(2023, 1, 31)),
        ("1.2.2023", date(2023, 2, 1)),
        ("2024-02-29", date(2024, 2, 29)),
        ("2023-01-31T10:00:00", date(2023, 1, 31)),
        ("2023-01-31 10:00", date(2023, 1, 31)),
        ("31.01.2023 10:00:00", date(2023, 1, 31)),
        ("2023-01-31T23:59:59Z", date(2023, 1, 31)),
    ],
)
def test_day_forms(text: str, expected: date) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-12-31T23:30:00Z", date(2024, 1, 1)),
        ("2023-12-31T23:30:00+00:00", date(2024, 1, 1)),
        ("2023-12-31T22:30:00Z", date(2023, 12, 31)),  # 23:30 in Warsaw
        ("2024-06-30T22:30:00Z", date(2024, 7, 1)),  # summer: +02:00
        ("2024-06-30T21:30:00Z", date(2024, 6, 30)),
        ("2024-01-01T00:30:00+05:00", date(2023, 12, 31)),
        ("2023-12-31T23:30:00", date(2023, 12, 31)),  # naive: already Warsaw wall-clock
        ("2023-12-31", date(2023, 12, 31)),
    ],
)
def test_day_takes_the_day_in_tz(text: str, expected: date) -> None:
    assert day(text, TextOptions(tz=WARSAW)) == expected


@pytest.mark.parametrize(
    "text", ["2023-02-29", "2023-13-01", "32.01.2023", "yesterday", "2023-1-1x", "2023/01/01"]
)
def test_day_rejects(text: str) -> None:
    result = parse_day(series(text), PLAIN)
    assert result.bad.to_list() == [True]
    assert "YYYY-MM-DD" in result.reason


def test_day_with_date_format() -> None:
    options = TextOptions(date_format="%m/%d/%Y")
    result = parse_day(series("01/02/2023", "12/31/2023", "2023-01-01"), options)
    assert result.values.to_list() == [date(2023, 1, 2), date(2023, 12, 31), None]
    assert result.bad.to_list() == [False, False, True]
    assert "date_format '%m/%d/%Y'" in result.reason


def test_day_ambiguous_slashed_names_date_format() -> None:
    result = parse_day(series("01/02/2023", "03/04/2023", None), PLAIN)
    assert result.bad.to_list() == [True, True, False]
    assert "ambiguous" in result.reason
    assert "date_format" in result.reason


def test_day_slashed_resolved_by_the_column() -> None:
    result = parse_day(series("01/02/2023", "25/12/2023"), PLAIN)
    assert result.values.to_list() == [date(2023, 2, 1), date(2023, 12, 25)]
    result = parse_day(series("01/02/2023", "12/25/2023"), PLAIN)
    assert result.values.to_list() == [date(2023, 1, 2), date(2023, 12, 25)]


def test_day_slashed_with_time() -> None:
    result = parse_day(series("13/02/2023 23:30"), TextOptions(tz=WARSAW))
    assert result.values.to_list() == [date(2023, 2, 13)]


def test_day_slashed_and_iso_mixed() -> None:
    result = parse_day(series("2023-01-05", "13/02/2023", "01.03.2023"), PLAIN)
    assert result.values.to_list() == [date(2023, 1, 5), date(2023, 2, 13), date(2023, 3, 1)]


def test_day_null_is_not_bad() -> None:
    result = parse_day(series(None, "2023-01-01"), PLAIN)
    assert result.values.to_list() == [None, date(2023, 1, 1)]
    assert result.bad.to_list() == [False, False]
    assert result.values.dtype == pl.Date


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2018-11-04", "America/Sao_Paulo", date(2018, 11, 4)),
        ("2023-09-03", "America/Santiago", date(2023, 9, 3)),
        ("03.09.2023", "America/Santiago", date(2023, 9, 3)),
    ],
)
def test_day_without_a_midnight_is_still_a_day(text: str, tz: str, expected: date) -> None:
    assert day(text, TextOptions(tz=tz)) == expected


# --------------------------------------------------------------------------------------------
# parse_instant


def instant(text: str, options: TextOptions = PLAIN) -> datetime | None:
    result = parse_instant(series(text), options)
    value = result.values[0]
    assert result.bad[0] == (value is None)
    return value


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T10:00:00Z", utc(2024, 1, 1, 10)),
        ("2024-01-01T10:00Z", utc(2024, 1, 1, 10)),
        ("2024-01-01 10:00:00+01:00", utc(2024, 1, 1, 9)),
        ("2024-01-01 10:00:00 +0100", utc(2024, 1, 1, 9)),
        ("2024-01-01T10:00:00+01", utc(2024, 1, 1, 9)),
        ("2024-01-01T10:00:00-05:30", utc(2024, 1, 1, 15, 30)),
        ("2024-01-01T10:00:00.250Z", datetime(2024, 1, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2024-01-01T10:00:00", utc(2024, 1, 1, 10)),
        ("2024-01-01 10:00", utc(2024, 1, 1, 10)),
        ("2024-01-01", utc(2024, 1, 1)),
        ("01.01.2024 10:00", utc(2024, 1, 1, 10)),
        ("01.01.2024 10:00:30", utc(2024, 1, 1, 10, 0, 30)),
        ("01.01.2024", utc(2024, 1, 1)),
    ],
)
def test_instant_forms_in_utc(text: str, expected: datetime) -> None:
    assert instant(text) == expected


def test_instant_offsets_are_instants_and_naive_is_wall_clock() -> None:
    options = TextOptions(tz=WARSAW)
    result = parse_instant(
        series("2024-01-01T10:00:00Z", "2024-01-01 10:00", "2024-07-01 10:00", "2024-07-01T10:00:00+02:00"),
        options,
    )
    assert result.values.dtype == pl.Datetime("us", WARSAW)
    as_utc = result.values.dt.convert_time_zone("UTC").to_list()
    assert as_utc == [utc(2024, 1, 1, 10), utc(2024, 1, 1, 9), utc(2024, 7, 1, 8), utc(2024, 7, 1, 8)]


@pytest.mark.parametrize(
    "text", ["2024-03-31 02:30", "2024-03-31T02:30:00", "2024-03-31 02:00", "31.03.2024 02:59"]
)
def test_instant_in_a_dst_gap_is_bad_not_shifted(text: str) -> None:
    result = parse_instant(series(text), TextOptions(tz=WARSAW))
    assert result.values.to_list() == [None]
    assert result.bad.to_list() == [True]


def test_instant_around_the_dst_gap() -> None:
    result = parse_instant(series("2024-03-31 01:59", "2024-03-31 03:00"), TextOptions(tz=WARSAW))
    first, second = result.values.dt.convert_time_zone("UTC").to_list()
    assert second - first == timedelta(minutes=1)


def test_instant_in_a_dst_gap_with_an_offset_is_fine() -> None:
    # with an explicit offset the text is an instant, not a wall-clock time
    assert instant("2024-03-31T02:30:00+01:00", TextOptions(tz=WARSAW)) == utc(2024, 3, 31, 1, 30)


def test_instant_in_the_repeated_hour_is_read() -> None:
    value = instant("2024-10-27 02:30", TextOptions(tz=WARSAW))
    assert value is not None
    assert value.astimezone(UTC) in {utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 30)}


@pytest.mark.parametrize(
    "text", ["2024-13-01 10:00", "2024-01-01 25:00", "noon", "2024-01-01T10:00:00+25:00"]
)
def test_instant_rejects(text: str) -> None:
    result = parse_instant(series(text), PLAIN)
    assert result.bad.to_list() == [True]


def test_instant_with_date_format() -> None:
    options = TextOptions(tz=WARSAW, date_format="%m/%d/%Y %H:%M")
    result = parse_instant(series("01/02/2024 10:00", "2024-01-02 10:00"), options)
    assert result.values.to_list() == [datetime(2024, 1, 2, 10, tzinfo=ZoneInfo(WARSAW)), None]
    assert result.bad.to_list() == [False, True]
    assert "date_format" in result.reason


def test_instant_with_date_format_and_offset() -> None:
    options = TextOptions(tz=WARSAW, date_format="%Y-%m-%d %H:%M%z")
    result = parse_instant(series("2024-01-01 10:00+0000"), options)
    assert result.values.dt.convert_time_zone("UTC").to_list() == [utc(2024, 1, 1, 10)]


def test_instant_with_date_only_format() -> None:
    options = TextOptions(tz=WARSAW, date_format="%d/%m/%Y")
    assert instant("02/01/2024", options) == datetime(2024, 1, 2, tzinfo=ZoneInfo(WARSAW))


def test_instant_null_is_not_bad() -> None:
    result = parse_instant(series(None), TextOptions(tz=WARSAW))
    assert result.bad.to_list() == [False]
    assert result.values.dtype == pl.Datetime("us", WARSAW)


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)),
    offset_minutes=st.sampled_from([-480, -300, -210, 0, 60, 120, 330, 345, 600]),
    tz=st.sampled_from(["UTC", WARSAW, "America/New_York", "Asia/Kolkata"]),
)
def test_instant_with_offset_round_trip(moment: datetime, offset_minutes: int, tz: str) -> None:
    sign = "+" if offset_minutes >= 0 else "-"
    hours, minutes = divmod(abs(offset_minutes), 60)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{sign}{hours:02d}:{minutes:02d}"
    expected = (moment - timedelta(minutes=offset_minutes)).replace(tzinfo=UTC)
    value = instant(text, TextOptions(tz=tz))
    assert value is not None
    # Compare instants by timestamp: PEP 495 makes == False across zones for an ambiguous local time.
    assert value.timestamp() == expected.timestamp()
    assert value.tzinfo is not None
    assert str(value.tzinfo) == tz


# --------------------------------------------------------------------------------------------
# parse() dispatch: integers, numbers, billing periods, text


def test_integers() -> None:
    result = parse(series("1", "+3", "-2", "007", None, "4.5", "4.0", "x", "1e2", ""), Kind.INTEGER, PLAIN)
    assert result.values.to_list()[:5] == [1, 3, -2, 7, None]
    assert result.bad.to_list() == [False] * 5 + [True] * 5
    assert result.values.dtype == pl.Int64
    assert "whole number" in result.reason


def test_numbers() -> None:
    result = parse(series("1.5", "2", "1 000.25", None, "x"), Kind.NUMBER, PLAIN)
    assert result.values.to_list() == [1.5, 2.0, 1000.25, None, None]
    assert result.bad.to_list() == [False, False, False, False, True]
    comma = parse(series("1,5", "1 000,25"), Kind.NUMBER, COMMA)
    assert comma.values.to_list() == [1.5, 1000.25]


def test_billing_periods() -> None:
    result = parse(
        series("Month", "MONTHLY", "quarterly", "annual", "Yearly", "week", None, "fortnight"),
        Kind.BILLING_PERIOD,
        PLAIN,
    )
    assert result.values.to_list() == ["month", "month", "quarter", "year", "year", "week", None, None]
    assert result.bad.to_list() == [False] * 7 + [True]
    assert "month, quarter, week, year" in result.reason


def test_text_is_never_bad() -> None:
    result = parse(series("a", None, "  b "), Kind.TEXT, PLAIN)
    assert result.values.to_list() == ["a", None, "  b "]
    assert result.bad.to_list() == [False, False, False]


def test_money_kind_dispatches_to_parse_money() -> None:
    assert parse(series("1,5"), Kind.MONEY, COMMA).values.to_list() == [150]


def test_day_kind_and_instant_kind() -> None:
    options = TextOptions(tz=WARSAW)
    assert parse(series("2023-12-31T23:30:00Z"), Kind.DAY, options).values.to_list() == [date(2024, 1, 1)]
    values = parse(series("2023-12-31T23:30:00Z"), Kind.INSTANT, options).values
    assert values.dtype == pl.Datetime("us", WARSAW)


def test_a_naive_time_in_a_dst_gap_says_the_clocks_skipped_it() -> None:
    result = parse_instant(pl.Series("t", ["2023-03-26 02:30"]), TextOptions(tz="Europe/Warsaw"))
    assert result.bad.to_list() == [True]
    assert "does not exist in Europe/Warsaw" in result.reason


def test_a_gap_among_unreadable_values_keeps_the_general_reason() -> None:
    result = parse_instant(pl.Series("t", ["2023-03-26 02:30", "soon"]), TextOptions(tz="Europe/Warsaw"))
    assert result.bad.to_list() == [True, True]
    assert "is not a date or time" in result.reason


# --------------------------------------------------------------------------------------------
# one form per column: the same values, failures and reasons as trying every form on every cell


def every_form_reference(raw: pl.Series, options: TextOptions, kind: Kind) -> Parsed:
    """parse_instant / parse_day as they were before the single-form path: every accepted form
    tried on every cell (``_every_form``), then the same rules for zones, gaps and days."""
    from csmetrics.io.parse import _every_form, _localise

    moments = _every_form(raw)
    assert moments.aware is not None and moments.naive is not None and moments.days is not None
    given = raw.is_not_null()
    if kind is Kind.DAY:
        naive_day = moments.naive.dt.date()
        if options.source_tz is not None and options.source_tz != options.tz:
            naive_day = _localise(moments.naive, options.source_tz).dt.convert_time_zone(options.tz).dt.date()
        aware_day = moments.aware.dt.convert_time_zone(options.tz).dt.date()
        values = pl.select(pl.coalesce(moments.days, naive_day, aware_day).alias(raw.name)).to_series()
        return Parsed(values, given & values.is_null(), moments.reason)
    tz, zone = options.tz, options.source_tz or options.tz
    start = moments.days.cast(pl.Datetime("us"))
    first = pl.select(
        pl.coalesce(_localise(start, tz), _localise(start + timedelta(hours=1), tz))
    ).to_series()
    localised = _localise(moments.naive, zone)
    values = pl.select(
        pl.coalesce(moments.aware.dt.convert_time_zone(tz), localised.dt.convert_time_zone(tz), first).alias(
            raw.name
        )
    ).to_series()
    failed = given & values.is_null()
    skipped = moments.naive.is_not_null() & localised.is_null()
    reason = moments.reason
    if bool(skipped.any()) and not bool((failed & ~skipped).any()):
        reason = parse_instant(pl.Series(["2024-03-31 02:30"]), TextOptions(tz=WARSAW)).reason
        reason = reason.replace(WARSAW, zone)
    return Parsed(values, failed, reason)


def two(n: int, low: int, high: int) -> st.SearchStrategy[str]:
    """A field of ``n`` digits in range, now and then one digit or a space more or less."""
    exact = st.integers(low, high).map(lambda value: f"{value:0{n}d}")
    odd = st.sampled_from(["1", "123", " 1", "1 ", "", "60", "99", "00", "24"])
    return st.one_of(exact, exact, exact, odd)


@st.composite
def time_cells(draw: st.DrawFn) -> str | None:
    """Text in every accepted form, near misses (one digit, two spaces, 24:00, leap seconds) and junk."""
    y, m, d = draw(two(4, 1900, 2100)), draw(two(2, 1, 12)), draw(two(2, 1, 31))
    hh, mm, ss = draw(two(2, 0, 23)), draw(two(2, 0, 59)), draw(two(2, 0, 59))
    fraction = draw(st.sampled_from(["", "", ".5", ".123456", ".1234567891", "."]))
    offset = draw(st.sampled_from(["Z", "+01:00", "+0130", "-05", " Z", " +02:00", "", "z", "+1"]))
    sep = draw(st.sampled_from(["T", " ", "  ", "t"]))
    forms = [
        f"{y}-{m}-{d}{sep}{hh}:{mm}:{ss}{fraction}{offset}",
        f"{y}-{m}-{d}{sep}{hh}:{mm}{offset}",
        f"{y}-{m}-{d}",
        f"{d}.{m}.{y}",
        f"{d}.{m}.{y} {hh}:{mm}:{ss}",
        f"{d}.{m}.{y} {hh}:{mm}",
        f"{d}/{m}/{y}",
        f"{m}/{d}/{y} {hh}:{mm}",
        "2024-03-31 02:30",
        "2024-10-27T02:30:00",
        "soon",
    ]
    return draw(st.one_of(st.none(), st.sampled_from(forms)))


@st.composite
def time_columns(draw: st.DrawFn) -> list[str | None]:
    """Columns mostly in one form (as files are), with other forms, nulls and junk mixed in."""
    cells = draw(st.lists(time_cells(), min_size=1, max_size=12))
    common = draw(time_cells())
    return [common if draw(st.booleans()) else cell for cell in cells]


@settings(max_examples=400, deadline=None)
@given(
    cells=time_columns(),
    tz=st.sampled_from(["UTC", WARSAW, "America/New_York", "Asia/Kolkata"]),
    source_tz=st.sampled_from([None, "UTC", WARSAW]),
    kind=st.sampled_from([Kind.INSTANT, Kind.DAY]),
)
def test_one_form_per_column_reads_like_every_form(
    cells: list[str | None], tz: str, source_tz: str | None, kind: Kind
) -> None:
    raw = pl.Series("cell", cells, dtype=pl.String)
    options = TextOptions(tz=tz, source_tz=source_tz)
    got = parse(raw, kind, options)
    expected = every_form_reference(raw, options, kind)
    assert got.values.dtype == expected.values.dtype
    assert got.values.to_physical().to_list() == expected.values.to_physical().to_list()
    assert got.bad.to_list() == expected.bad.to_list()
    assert got.reason == expected.reason


def test_a_mixed_column_reads_each_form_and_reports_the_rest() -> None:
    raw = series("2024-01-05T10:00:00Z", "05.01.2024", "2024-01-05", "2024-1-5  10:00", None, "05/13/2024")
    result = parse_instant(raw, PLAIN)
    assert result.values.to_list()[:3] == [utc(2024, 1, 5, 10), utc(2024, 1, 5), utc(2024, 1, 5)]
    assert result.bad.to_list() == [False, False, False, True, False, False]
    assert result.values[5] == utc(2024, 5, 13)


def test_a_column_of_slashed_dates_is_still_decided_by_all_its_slashed_cells() -> None:
    ambiguous = parse_day(series("2024-01-05", "01/02/2024", "03/04/2024"), PLAIN)
    assert ambiguous.bad.to_list() == [False, True, True]
    assert "ambiguous" in ambiguous.reason
    settled = parse_day(series("2024-01-05", "01/02/2024", "13/04/2024"), PLAIN)
    assert settled.values.to_list() == [date(2024, 1, 5), date(2024, 2, 1), date(2024, 4, 13)]


def test_an_all_empty_column_is_not_bad() -> None:
    result = parse_instant(series(None, None), TextOptions(tz=WARSAW))
    assert result.values.dtype == pl.Datetime("us", WARSAW)
    assert result.bad.to_list() == [False, False]


# --------------------------------------------------------------------------------------------
# integers: polars' cast reads exactly what [+-]digits describes


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+- .e_x\u0663", max_size=22))
def test_integers_read_exactly_signed_digits(text: str) -> None:
    import re

    value = parse(series(text), Kind.INTEGER, PLAIN).values[0]
    if re.fullmatch(r"[+-]?[0-9]+", text) and -(2**63) <= int(text) < 2**63:
        assert value == int(text)
    else:
        assert value is None


# --------------------------------------------------------------------------------------------
# typed columns (Parquet): read as values, exactly as their text would be


def typed_and_text(column: pl.Series, kind: Kind, options: TextOptions = PLAIN) -> tuple[Parsed, Parsed]:
    from csmetrics.io.source import as_text

    return parse(column, kind, options), parse(as_text(column), kind, options)


def assert_same(typed: Parsed, text: Parsed) -> None:
    assert typed.values.dtype == text.values.dtype
    assert typed.values.to_physical().to_list() == text.values.to_physical().to_list()
    assert typed.bad.to_list() == text.bad.to_list()
    assert typed.reason == text.reason


@settings(max_examples=150, deadline=None)
@given(
    moments=st.lists(
        st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))),
        min_size=1,
        max_size=6,
    ),
    unit=st.sampled_from(["ms", "us", "ns"]),
    zone=st.sampled_from([None, "UTC", "America/New_York"]),
    tz=st.sampled_from(["UTC", WARSAW]),
    source_tz=st.sampled_from([None, "UTC"]),
    kind=st.sampled_from([Kind.INSTANT, Kind.DAY]),
)
def test_typed_datetimes_read_like_their_text(
    moments: list[datetime | None], unit: str, zone: str | None, tz: str, source_tz: str | None, kind: Kind
) -> None:
    if unit == "ns":
        moments = [
            m if m is None else max(min(m, datetime(2200, 1, 1)), datetime(1700, 1, 1)) for m in moments
        ]
    column = pl.Series("at", moments, dtype=pl.Datetime("us")).dt.cast_time_unit(unit)  # type: ignore[arg-type]
    if zone is not None:
        column = column.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    assert_same(*typed_and_text(column, kind, TextOptions(tz=tz, source_tz=source_tz)))


@settings(max_examples=100, deadline=None)
@given(
    days=st.lists(st.one_of(st.none(), st.dates()), min_size=1, max_size=6),
    tz=st.sampled_from(["UTC", WARSAW, "America/Sao_Paulo"]),
    kind=st.sampled_from([Kind.INSTANT, Kind.DAY]),
)
def test_typed_dates_read_like_their_text(days: list[date | None], tz: str, kind: Kind) -> None:
    assert_same(*typed_and_text(pl.Series("day", days, dtype=pl.Date), kind, TextOptions(tz=tz)))


def test_a_naive_typed_time_in_a_dst_gap_is_bad_like_its_text() -> None:
    column = pl.Series("at", [datetime(2024, 3, 31, 2, 30), datetime(2024, 3, 31, 3, 30)])
    typed, text = typed_and_text(column, Kind.INSTANT, TextOptions(tz=WARSAW))
    assert_same(typed, text)
    assert typed.bad.to_list() == [True, False]
    assert "does not exist in Europe/Warsaw" in typed.reason


NUMBER_KINDS = [Kind.MONEY, Kind.DECIMAL, Kind.INTEGER, Kind.NUMBER, Kind.MINUTES]


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), min_size=1, max_size=6),
    dtype=st.sampled_from([pl.Int64, pl.Int32, pl.UInt64, pl.Int8]),
    kind=st.sampled_from(NUMBER_KINDS),
    comma=st.booleans(),
)
def test_typed_integers_read_like_their_text(
    values: list[int | None], dtype: pl.DataType, kind: Kind, comma: bool
) -> None:
    column = pl.Series("n", values, dtype=pl.Int64).cast(dtype, strict=False)
    assert_same(*typed_and_text(column, kind, TextOptions(decimal_comma=comma)))


def test_a_typed_integer_too_large_for_csm_is_bad_like_its_text() -> None:
    column = pl.Series("n", [2**64 - 1, 5], dtype=pl.UInt64)
    for kind in NUMBER_KINDS:
        typed, text = typed_and_text(column, kind)
        assert_same(typed, text)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.decimals(min_value=-(10**12), max_value=10**12, places=2).map(float),
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([0.125, 2.675, 1.005, 0.005, 1e-7, 1e20, -0.0, 9.99e12 + 0.01]),
        ),
        min_size=1,
        max_size=6,
    ),
    kind=st.sampled_from(NUMBER_KINDS),
    comma=st.booleans(),
)
def test_typed_floats_read_like_their_text(values: list[float | None], kind: Kind, comma: bool) -> None:
    assume(kind is not Kind.INTEGER)  # a float 9.0 is the whole number 9; its text "9.0" is not
    column = pl.Series("x", values, dtype=pl.Float64)
    assert_same(*typed_and_text(column, kind, TextOptions(decimal_comma=comma)))


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.decimals(min_value=-(10**15), max_value=10**15, places=4)), max_size=6
    ),
    kind=st.sampled_from(NUMBER_KINDS),
    comma=st.booleans(),
)
def test_typed_decimals_read_like_their_text(values: list[Decimal | None], kind: Kind, comma: bool) -> None:
    column = pl.Series("x", values, dtype=pl.Decimal(22, 4))
    assert_same(*typed_and_text(column, kind, TextOptions(decimal_comma=comma)))


def test_typed_money_is_exact_cents() -> None:
    floats = parse(pl.Series("m", [12.5, 99.99, 0.1 + 0.2, None]), Kind.MONEY, PLAIN)
    assert floats.values.to_list() == [1250, 9999, 30, None]
    half = parse(pl.Series("m", [0.125, 0.135]), Kind.MONEY, PLAIN)
    assert half.values.to_list() == [12, 14]  # half-even on the text 0.125 and 0.135
    integers = parse(pl.Series("m", [129, None], dtype=pl.Int32), Kind.MONEY, PLAIN)
    assert integers.values.to_list() == [12900, None]
    decimals = parse(
        pl.Series("m", [Decimal("10.005"), Decimal("10.015")], dtype=pl.Decimal(10, 3)), Kind.MONEY, PLAIN
    )
    assert decimals.values.to_list() == [1000, 1002]


def test_money_too_large_for_cents_is_bad_not_a_crash() -> None:
    result = money("10000000000000000")
    assert (result.values[0], result.bad[0]) == (None, True)
    assert cents("9999999999999999.99") == 999999999999999999


@pytest.mark.parametrize("kind", [Kind.DAY, Kind.INSTANT])
def test_typed_values_beyond_year_9999_are_read_through_their_text(kind: Kind) -> None:
    days = pl.Series("day", [3_000_000, 0, None], dtype=pl.Int32).cast(pl.Date)
    assert_same(*typed_and_text(days, kind))
    micros = pl.Series("at", [3_000_000 * 86_400_000_000, 0], dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
    assert_same(*typed_and_text(micros, kind))
    nanos = pl.Series("at", [1_500, 2_000], dtype=pl.Int64).cast(pl.Datetime("ns"))
    assert_same(*typed_and_text(nanos, kind))


def test_whole_floats_from_parquet_are_whole_numbers() -> None:
    raw = pl.Series("score", [9.0, 6.5, None, float("nan"), -0.0])
    parsed = parse(raw, Kind.INTEGER, TextOptions())
    assert parsed.values.to_list() == [9, None, None, None, 0]
    assert parsed.bad.to_list() == [False, True, False, True, False]
