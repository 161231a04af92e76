"""Reporting periods and the as-of day (SPEC §2).

A period is the half-open day range [start, end). Its opening state is the state at the end of
day start − 1 and its closing state at the end of day end − 1, or of the as-of day when the
period is not over yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from csmetrics.errors import UsageError

ACCEPTED_FORMS = (
    "2023-12, 2023-Q4, 2023, last-month, last-quarter, last-year, "
    "or --from/--to with dates (2023-01-01, --to exclusive) or labels (2023-01, both included)"
)

MIN_YEAR = 1900
"""The earliest year a period or as-of day may fall in (earlier dates are typos, and overflow)."""

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """A reporting period [start, end) with the label the user gave or that names it."""

    label: str
    start: date
    end: date

    @property
    def opening_day(self) -> date:
        """The day whose end-of-day state opens the period."""
        return self.start - timedelta(days=1)

    @property
    def last_day(self) -> date:
        """The last day inside the period."""
        return self.end - timedelta(days=1)

    def closing_day(self, as_of: date) -> date:
        """The day whose end-of-day state closes the period: its last day, or as-of if earlier."""
        return min(self.last_day, as_of)

    def is_complete(self, as_of: date) -> bool:
        """True when the whole period lies on or before the as-of day."""
        return self.last_day <= as_of


def month_start(day: date) -> date:
    """The first day of the month holding ``day``."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after the month holding ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_period(first: date) -> Period:
    """The calendar month starting at ``first``."""
    return Period(f"{first.year:04d}-{first.month:02d}", first, add_months(first, 1))


def _quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    return Period(f"{year:04d}-Q{quarter}", start, add_months(start, 3))


def _year_period(year: int) -> Period:
    return Period(f"{year:04d}", date(year, 1, 1), date(year + 1, 1, 1))


def last_complete_month(as_of: date) -> Period:
    """The last calendar month that ends before the as-of day's month.

    as-of 2024-01-15 → 2023-12; as-of 2024-01-31 → 2023-12 (SPEC §2); as-of 2024-02-01 → 2024-01.
    """
    return month_period(add_months(month_start(as_of), -1))


def _last_complete_quarter(as_of: date) -> Period:
    quarter = (as_of.month - 1) // 3
    if quarter == 0:
        return _quarter_period(as_of.year - 1, 4)
    return _quarter_period(as_of.year, quarter)


def _last_complete_year(as_of: date) -> Period:
    return _year_period(as_of.year - 1)


def parse_label(text: str, as_of: date) -> Period:
    """Parse one period label: ``2023-12``, ``2023-Q4``, ``2023``, ``last-month`` and kin."""
    value = text.strip()
    relative = {
        "last-month": last_complete_month,
        "last-quarter": _last_complete_quarter,
        "last-year": _last_complete_year,
    }
    try:
        if value.lower() in relative:
            return relative[value.lower()](as_of)
        return _absolute_label(value)
    except ValueError:
        raise UsageError(f"invalid period '{text}': use {ACCEPTED_FORMS}") from None


def _absolute_label(value: str) -> Period:
    """``2023-12``, ``2023-Q4`` or ``2023``; a ValueError for anything else or out of range."""
    if match := _MONTH.match(value):
        month = int(match.group(2))
        if 1 <= month <= 12:
            return month_period(date(int(match.group(1)), month, 1))
    if match := _QUARTER.match(value):
        return _quarter_period(int(match.group(1)), int(match.group(2)))
    if match := _YEAR.match(value):
        return _year_period(int(match.group(1)))
    raise ValueError(value)


def _parse_bound(text: str, as_of: date, *, upper: bool) -> date:
    """A --from/--to bound: an ISO date as written, or a label (its start, or its end for --to)."""
    if match := _DAY.match(text.strip()):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise UsageError(f"invalid date '{text}': use YYYY-MM-DD") from None
    period = parse_label(text, as_of)
    return period.end if upper else period.start


def resolve_period(
    period: str | None,
    start: str | None,
    end: str | None,
    as_of: date,
) -> Period:
    """Turn --period or --from/--to into a Period; the default is the last complete month."""
    if period is not None and (start is not None or end is not None):
        raise UsageError("give either --period or --from/--to, not both")
    if start is None and end is None:
        chosen = parse_label(period, as_of) if period is not None else last_complete_month(as_of)
    else:
        if start is None or end is None:
            raise UsageError("--from and --to go together: give both")
        lower = _parse_bound(start, as_of, upper=False)
        upper = _parse_bound(end, as_of, upper=True)
        if upper <= lower:
            raise UsageError(f"--to {end} must come after --from {start}")
        label = f"{lower.isoformat()}..{(upper - timedelta(days=1)).isoformat()}"
        chosen = Period(label, lower, upper)
    if chosen.start.year < MIN_YEAR:
        raise UsageError(f"period {chosen.label} is before {MIN_YEAR}: use a real reporting period")
    if chosen.start > as_of:
        raise UsageError(
            f"period {chosen.label} starts after --as-of {as_of.isoformat()}: nothing is known yet"
        )
    return chosen


def parse_day(text: str, option: str) -> date:
    """Parse an ISO day given to an option such as --as-of (from 1900 on)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"invalid {option} '{text}': use YYYY-MM-DD") from None
    if day.year < MIN_YEAR:
        raise UsageError(f"invalid {option} '{text}': use a day from {MIN_YEAR} on")
    return day
