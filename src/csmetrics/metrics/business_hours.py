"""Business-hours clocks: working seconds between two instants (``--business-hours``).

A schedule is a set of weekdays, one daily window in local wall-clock time and a list of
holidays, all read in one time zone. Business time is the **elapsed real time** that falls
inside the window on working days that are not holidays (Zendesk Explore's "within business
hours" metrics count the same way). The window is placed in local wall-clock time, so on a
daylight-saving day 09:00–17:00 is still 8 hours, while a 00:00–24:00 window lasts 23 hours on
the spring-forward day and 25 hours on the fall-back day (2024-03-31 and 2024-10-27 in
Europe/Warsaw). With ``Mon-Sun 00:00-24:00`` and no holidays, business time equals calendar time.

A window edge that does not exist locally (inside a spring-forward gap) is read with the offset
in force before the change, like Python's ``zoneinfo`` with ``fold=0``; an edge that occurs
twice (fall-back) is its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from csmetrics.errors import UsageError

__all__ = [
    "ACCEPTED_FORM",
    "WEEKDAY_NAMES",
    "BusinessHours",
    "business_seconds",
    "parse_business_hours",
]

WEEKDAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Weekday labels in ISO order: index + 1 is the ISO weekday number (1 = Monday)."""

ACCEPTED_FORM = (
    "DAYS HH:MM-HH:MM, where DAYS is a range or a comma list of Mon Tue Wed Thu Fri Sat Sun "
    "(e.g. 'Mon-Fri 09:00-17:00', 'Mon,Wed,Fri 09:00-17:00', 'Sun-Thu 09:00-17:00', "
    "'Mon-Sun 00:00-24:00'); the end time is after the start time, 24:00 at most"
)

_SPEC = re.compile(
    r"^\s*(?P<days>[A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?(?:\s*,\s*[A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?)*)"
    r"\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$"
)
_DAY_NUMBER = {name.lower(): number for number, name in enumerate(WEEKDAY_NAMES, start=1)}
_US_PER_SECOND = 1_000_000
_DAY_SECONDS = 86_400


@dataclass(frozen=True)
class BusinessHours:
    """A weekly schedule: working weekdays (1 = Mon … 7 = Sun), one daily window, a zone, holidays.

    ``end == time(0, 0)`` stands for 24:00, the midnight that ends the day.
    """

    days: frozenset[int]
    start: time
    end: time
    tz: str
    holidays: frozenset[date] = frozenset()

    @property
    def start_seconds(self) -> int:
        """Seconds from local midnight to the start of the window."""
        return self.start.hour * 3600 + self.start.minute * 60 + self.start.second

    @property
    def end_seconds(self) -> int:
        """Seconds from local midnight to the end of the window (86400 for 24:00)."""
        seconds = self.end.hour * 3600 + self.end.minute * 60 + self.end.second
        return _DAY_SECONDS if seconds == 0 else seconds

    def describe(self) -> str:
        """Canonical text of the schedule, e.g. ``Mon-Fri 09:00-17:00 Europe/Warsaw``.

        Holidays, when present, are appended as a count: ``… Europe/Warsaw, 3 holidays``.
        """
        end = "24:00" if self.end_seconds == _DAY_SECONDS else self.end.strftime("%H:%M")
        text = f"{_describe_days(self.days)} {self.start.strftime('%H:%M')}-{end} {self.tz}"
        if self.holidays:
            count = len(self.holidays)
            text += f", {count} holiday{'s' if count != 1 else ''}"
        return text


def _describe_days(days: frozenset[int]) -> str:
    """Weekdays as runs: ``Mon-Fri``, ``Sun-Thu`` (wrapping), ``Mon,Wed,Fri``, ``Mon-Wed,Fri``."""
    if len(days) == 7:
        return "Mon-Sun"
    runs: list[str] = []
    for first in sorted(days):
        if (first - 2) % 7 + 1 in days:
            continue  # not the first day of its run
        last = first
        while last % 7 + 1 in days:
            last = last % 7 + 1
        name = WEEKDAY_NAMES[first - 1]
        runs.append(name if last == first else f"{name}-{WEEKDAY_NAMES[last - 1]}")
    return ",".join(runs)


def _parse_days(text: str, spec: str) -> frozenset[int]:
    """``Mon-Fri`` / ``Sun-Thu`` (wraps past Sunday) / ``Mon,Wed,Fri`` into ISO weekday numbers."""
    days: set[int] = set()
    for item in text.split(","):
        bounds = [part.strip().lower() for part in item.split("-")]
        if any(bound not in _DAY_NUMBER for bound in bounds):
            raise UsageError(f"invalid business hours '{spec}': use {ACCEPTED_FORM}")
        first = _DAY_NUMBER[bounds[0]]
        last = _DAY_NUMBER[bounds[-1]]
        span = (last - first) % 7
        days.update((first - 1 + step) % 7 + 1 for step in range(span + 1))
    return frozenset(days)


def _parse_clock(text: str, spec: str, *, allow_24: bool) -> time:
    """``HH:MM`` into a time; ``24:00`` (only as an end) becomes ``time(0, 0)``."""
    hours, minutes = (int(part) for part in text.split(":"))
    if allow_24 and hours == 24 and minutes == 0:
        return time(0, 0)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise UsageError(f"invalid business hours '{spec}': use {ACCEPTED_FORM}")
    return time(hours, minutes)


def parse_business_hours(spec: str, tz: str, holidays: frozenset[date] = frozenset()) -> BusinessHours:
    """Parse ``"Mon-Fri 09:00-17:00"`` and kin into a schedule in zone ``tz``.

    Accepted: a day range (wrapping past Sunday, ``Sun-Thu``), a comma list, or both
    (``Mon-Wed,Fri``); day names are case-insensitive; the end is after the start, 24:00 at most.
    Raises UsageError naming the accepted form otherwise, or for an unknown time zone.
    """
    match = _SPEC.match(spec)
    if match is None:
        raise UsageError(f"invalid business hours '{spec}': use {ACCEPTED_FORM}")
    days = _parse_days(match.group("days"), spec)
    start = _parse_clock(match.group("start"), spec, allow_24=False)
    end = _parse_clock(match.group("end"), spec, allow_24=True)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"invalid time zone '{tz}' for business hours: use an IANA name such as 'Europe/Warsaw' or 'UTC'"
        ) from None
    hours = BusinessHours(days=days, start=start, end=end, tz=tz, holidays=frozenset(holidays))
    if hours.end_seconds <= hours.start_seconds:
        raise UsageError(
            f"invalid business hours '{spec}': the window must end after it starts "
            f"(overnight windows are not supported); use {ACCEPTED_FORM}"
        )
    return hours


def _localize(naive: pl.Expr, tz: str) -> pl.Expr:
    """Read naive local datetimes in ``tz``: gaps with the offset before the change, folds earliest."""
    exact = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    as_utc = naive.dt.replace_time_zone("UTC")
    probe = as_utc - pl.duration(days=1)
    offset_before = probe.dt.convert_time_zone(tz).dt.replace_time_zone(None) - probe.dt.replace_time_zone(
        None
    )
    fallback = (as_utc - offset_before).dt.convert_time_zone(tz)
    return pl.coalesce(exact, fallback)


def _calendar(first: date, last: date, hours: BusinessHours) -> pl.DataFrame:
    """One row per local day in [first, last]: window instants and business µs before the day.

    Columns: ``day``, ``win_start``, ``win_len`` (µs of the window, 0 on non-working days) and
    ``before`` (business µs of all earlier days in the calendar).
    """
    window_end = (
        (pl.col("day") + pl.duration(days=1)).cast(pl.Datetime("us"))
        if hours.end_seconds == _DAY_SECONDS
        else pl.col("day").dt.combine(hours.end, "us")
    )
    holidays = pl.Series("holidays", sorted(hours.holidays), dtype=pl.Date)
    working = pl.col("day").dt.weekday().is_in(sorted(hours.days)) & ~pl.col("day").is_in(holidays.implode())
    return (
        pl.DataFrame({"day": pl.date_range(first, last, "1d", eager=True)})
        .with_columns(
            win_start=_localize(pl.col("day").dt.combine(hours.start, "us"), hours.tz),
            win_end=_localize(window_end, hours.tz),
        )
        .with_columns(
            win_len=pl.when(working)
            .then((pl.col("win_end") - pl.col("win_start")).dt.total_microseconds().clip(lower_bound=0))
            .otherwise(pl.lit(0, dtype=pl.Int64))
        )
        .with_columns(before=pl.col("win_len").cum_sum() - pl.col("win_len"))
        .select("day", "win_start", "win_len", "before")
    )


def _business_position(instant: pl.Expr) -> pl.Expr:
    """Business µs from the calendar's first day to ``instant`` (needs the calendar joined)."""
    inside = (instant - pl.col("win_start")).dt.total_microseconds().clip(0, pl.col("win_len"))
    return pl.col("before") + pl.when(pl.col("win_len") > 0).then(inside).otherwise(0)


def business_seconds(start: pl.Series, end: pl.Series, hours: BusinessHours) -> pl.Series:
    """Working seconds from ``start`` to ``end`` under ``hours``, row by row (Float64).

    Both series hold tz-aware instants; they are read in ``hours.tz``. The count is the elapsed
    time inside the daily window on working, non-holiday days (Zendesk's business-hours rule).
    Null where either end is null; negative when ``end`` is before ``start``.
    Vectorised: a day calendar over the data's span with cumulative business time is joined to
    both ends, so the answer is position(end) − position(start).
    """
    for series in (start, end):
        dtype = series.dtype
        if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
            raise TypeError(f"business_seconds needs tz-aware datetimes, got {dtype}")
    if start.len() != end.len():
        raise ValueError("business_seconds needs start and end of the same length")
    frame = pl.DataFrame(
        {
            "_s": start.dt.convert_time_zone(hours.tz),
            "_e": end.dt.convert_time_zone(hours.tz),
        }
    ).with_columns(_sd=pl.col("_s").dt.date(), _ed=pl.col("_e").dt.date())
    span = frame.select(
        first=pl.min_horizontal(pl.col("_sd").min(), pl.col("_ed").min()),
        last=pl.max_horizontal(pl.col("_sd").max(), pl.col("_ed").max()),
    ).row(0)
    first, last = span
    if first is None or last is None:
        return pl.Series(start.name, [None] * start.len(), dtype=pl.Float64)
    calendar = _calendar(first, last, hours)
    result = (
        frame.join(calendar, left_on="_sd", right_on="day", how="left", maintain_order="left")
        .with_columns(_ps=_business_position(pl.col("_s")))
        .drop("win_start", "win_len", "before")
        .join(calendar, left_on="_ed", right_on="day", how="left", maintain_order="left")
        .select(
            ((_business_position(pl.col("_e")) - pl.col("_ps")) / _US_PER_SECOND)
            .cast(pl.Float64)
            .alias(start.name)
        )
    )
    return result.to_series()
