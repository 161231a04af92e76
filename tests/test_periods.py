"""Periods and the as-of day (SPEC §2): every accepted form, the defaults, and the usage errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.errors import ExitCode, UsageError
from csmetrics.periods import (
    ACCEPTED_FORMS,
    Period,
    add_months,
    last_complete_month,
    month_period,
    month_start,
    parse_day,
    parse_label,
    resolve_period,
)

AS_OF = date(2024, 1, 15)


def _p(label: str, start: date, end: date) -> Period:
    return Period(label, start, end)


# --- labels --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-12", _p("2023-12", date(2023, 12, 1), date(2024, 1, 1))),
        ("2023-01", _p("2023-01", date(2023, 1, 1), date(2023, 2, 1))),
        ("2023-Q4", _p("2023-Q4", date(2023, 10, 1), date(2024, 1, 1))),
        ("2023-q4", _p("2023-Q4", date(2023, 10, 1), date(2024, 1, 1))),
        ("2023-Q1", _p("2023-Q1", date(2023, 1, 1), date(2023, 4, 1))),
        ("2023-Q2", _p("2023-Q2", date(2023, 4, 1), date(2023, 7, 1))),
        ("2023-Q3", _p("2023-Q3", date(2023, 7, 1), date(2023, 10, 1))),
        ("2023", _p("2023", date(2023, 1, 1), date(2024, 1, 1))),
        (" 2023-12 ", _p("2023-12", date(2023, 12, 1), date(2024, 1, 1))),
    ],
)
def test_parse_label_accepted_forms(text: str, expected: Period) -> None:
    assert parse_label(text, AS_OF) == expected
    assert resolve_period(text, None, None, AS_OF) == expected


@pytest.mark.parametrize(
    ("text", "as_of", "label"),
    [
        ("last-month", date(2024, 1, 15), "2023-12"),
        ("last-month", date(2024, 2, 1), "2024-01"),
        ("LAST-MONTH", date(2024, 1, 15), "2023-12"),
        ("last-quarter", date(2024, 1, 15), "2023-Q4"),
        ("last-quarter", date(2024, 4, 1), "2024-Q1"),
        ("last-quarter", date(2024, 5, 20), "2024-Q1"),
        ("last-year", date(2024, 1, 15), "2023"),
        ("last-year", date(2024, 1, 1), "2023"),
        ("last-year", date(2024, 7, 4), "2023"),
    ],
)
def test_relative_labels(text: str, as_of: date, label: str) -> None:
    period = resolve_period(text, None, None, as_of)
    assert period.label == label
    assert period.end <= as_of


@pytest.mark.parametrize(
    ("text", "as_of", "label"),
    [
        # SPEC §2: "the last calendar month that ends before D (… as-of 2024-01-31 → 2023-12)":
        # a period ending exactly at the end of the as-of day does not end *before* it.
        ("last-month", date(2024, 1, 31), "2023-12"),
        ("last-month", date(2024, 2, 29), "2024-01"),
        ("last-quarter", date(2024, 3, 31), "2023-Q4"),
        ("last-year", date(2023, 12, 31), "2022"),
    ],
)
def test_relative_labels_on_last_day_of_period(text: str, as_of: date, label: str) -> None:
    assert resolve_period(text, None, None, as_of).label == label


# --- the default period --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "label"),
    [
        (date(2024, 1, 15), "2023-12"),
        (date(2024, 2, 1), "2024-01"),
        (date(2024, 1, 1), "2023-12"),
        (date(2024, 3, 1), "2024-02"),
        (date(2023, 3, 10), "2023-02"),
    ],
)
def test_default_is_last_complete_month(as_of: date, label: str) -> None:
    period = resolve_period(None, None, None, as_of)
    assert period.label == label
    assert period == last_complete_month(as_of)
    assert period.is_complete(as_of)


def test_default_on_last_day_of_month_is_previous_month() -> None:
    assert resolve_period(None, None, None, date(2024, 1, 31)).label == "2023-12"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
@settings(max_examples=100, deadline=None)
def test_default_month_is_a_whole_month_ending_by_as_of(as_of: date) -> None:
    period = resolve_period(None, None, None, as_of)
    assert period.start.day == 1
    assert period.end == add_months(period.start, 1)
    # a month that is over by the end of as-of, and the one right before as-of's month or as-of's own
    assert period.last_day <= as_of
    assert period.start >= add_months(month_start(as_of), -1)


# --- --from / --to -------------------------------------------------------------------------------


def test_from_to_dates_end_exclusive() -> None:
    period = resolve_period(None, "2023-01-01", "2023-02-15", AS_OF)
    assert (period.start, period.end) == (date(2023, 1, 1), date(2023, 2, 15))
    assert period.last_day == date(2023, 2, 14)
    assert period.label == "2023-01-01..2023-02-14"


def test_from_to_labels_both_included() -> None:
    period = resolve_period(None, "2023-01", "2023-12", AS_OF)
    assert (period.start, period.end) == (date(2023, 1, 1), date(2024, 1, 1))
    quarters = resolve_period(None, "2023-Q2", "2023-Q3", AS_OF)
    assert (quarters.start, quarters.end) == (date(2023, 4, 1), date(2023, 10, 1))
    same = resolve_period(None, "2023-12", "2023-12", AS_OF)
    assert (same.start, same.end) == (date(2023, 12, 1), date(2024, 1, 1))


def test_from_to_mixed_label_and_date() -> None:
    period = resolve_period(None, "2023-11", "2023-12-15", AS_OF)
    assert (period.start, period.end) == (date(2023, 11, 1), date(2023, 12, 15))
    period = resolve_period(None, "2023-11-10", "2023", AS_OF)
    assert (period.start, period.end) == (date(2023, 11, 10), date(2024, 1, 1))


def test_from_to_single_day() -> None:
    period = resolve_period(None, "2023-12-31", "2024-01-01", AS_OF)
    assert period.start == period.last_day == date(2023, 12, 31)


# --- leap years ----------------------------------------------------------------------------------


def test_leap_years() -> None:
    feb_2024 = parse_label("2024-02", AS_OF)
    assert feb_2024.end - feb_2024.start == timedelta(days=29)
    assert feb_2024.last_day == date(2024, 2, 29)
    feb_2023 = parse_label("2023-02", AS_OF)
    assert feb_2023.last_day == date(2023, 2, 28)
    assert (
        parse_label("2024", date(2025, 1, 1)).end - parse_label("2024", date(2025, 1, 1)).start
    ).days == 366
    assert resolve_period(None, None, None, date(2024, 3, 1)).last_day == date(2024, 2, 29)
    assert resolve_period(None, "2024-02-29", "2024-03-01", date(2024, 3, 1)).start == date(2024, 2, 29)
    q1 = parse_label("2024-Q1", AS_OF)
    assert (q1.end - q1.start).days == 91
    with pytest.raises(UsageError):
        resolve_period(None, "2023-02-29", "2023-03-01", AS_OF)


def test_add_months_and_month_period() -> None:
    assert add_months(date(2023, 12, 31), 1) == date(2024, 1, 1)
    assert add_months(date(2024, 1, 15), -1) == date(2023, 12, 1)
    assert add_months(date(2024, 3, 1), -14) == date(2023, 1, 1)
    assert month_period(date(2023, 12, 1)) == _p("2023-12", date(2023, 12, 1), date(2024, 1, 1))


# --- closing day and completeness ----------------------------------------------------------------


def test_opening_closing_and_completeness() -> None:
    dec = parse_label("2023-12", AS_OF)
    assert dec.opening_day == date(2023, 11, 30)
    assert dec.last_day == date(2023, 12, 31)
    assert dec.closing_day(date(2023, 12, 15)) == date(2023, 12, 15)
    assert not dec.is_complete(date(2023, 12, 15))
    assert dec.closing_day(date(2023, 12, 30)) == date(2023, 12, 30)
    assert not dec.is_complete(date(2023, 12, 30))
    assert dec.closing_day(date(2023, 12, 31)) == date(2023, 12, 31)
    assert dec.is_complete(date(2023, 12, 31))
    assert dec.closing_day(date(2024, 6, 1)) == date(2023, 12, 31)
    assert dec.is_complete(date(2024, 6, 1))


def test_period_starting_on_as_of_is_allowed_and_incomplete() -> None:
    period = resolve_period("2024-01", None, None, date(2024, 1, 1))
    assert period.closing_day(date(2024, 1, 1)) == date(2024, 1, 1)
    assert not period.is_complete(date(2024, 1, 1))


# --- errors --------------------------------------------------------------------------------------


def _usage_error(period: str | None, start: str | None, end: str | None, as_of: date = AS_OF) -> str:
    with pytest.raises(UsageError) as info:
        resolve_period(period, start, end, as_of)
    assert info.value.exit_code == ExitCode.USAGE == 2
    return info.value.message


@pytest.mark.parametrize("text", ["2023-13", "2023-00", "Q4", "december", "2023-Q5", "23-12", "", "2023/12"])
def test_bad_label_lists_accepted_forms(text: str) -> None:
    message = _usage_error(text, None, None)
    assert ACCEPTED_FORMS in message
    for form in ("2023-12", "2023-Q4", "2023", "last-month", "last-quarter", "last-year", "--from"):
        assert form in message


def test_bad_label_in_from_to_lists_accepted_forms() -> None:
    message = _usage_error(None, "december", "2023-12")
    assert ACCEPTED_FORMS in message


def test_from_without_to() -> None:
    assert "--to" in _usage_error(None, "2023-01", None)
    assert "--from" in _usage_error(None, None, "2023-12")


def test_period_with_from() -> None:
    message = _usage_error("2023-12", "2023-01", "2023-12")
    assert "--period" in message
    assert "--from" in message


def test_to_before_from() -> None:
    _usage_error(None, "2023-12-01", "2023-11-01")
    _usage_error(None, "2023-12-01", "2023-12-01")
    _usage_error(None, "2023-12", "2023-11")


def test_bad_date_bound() -> None:
    assert "YYYY-MM-DD" in _usage_error(None, "2023-02-30", "2023-03-01")


def test_period_starting_after_as_of() -> None:
    message = _usage_error("2024-02", None, None, as_of=date(2024, 1, 15))
    assert "2024-02" in message
    assert "2024-01-15" in message
    _usage_error(None, "2024-01-16", "2024-02-01", as_of=date(2024, 1, 15))
    _usage_error("2025", None, None, as_of=date(2024, 1, 15))


@pytest.mark.parametrize("text", ["0000", "9999", "9999-12", "9999-Q4", "0000-01"])
def test_out_of_range_year_is_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_label(text, AS_OF)


def test_parse_day() -> None:
    assert parse_day(" 2024-01-15 ", "--as-of") == date(2024, 1, 15)
    with pytest.raises(UsageError) as info:
        parse_day("2024-13-01", "--as-of")
    assert "--as-of" in info.value.message
    assert info.value.exit_code == 2
