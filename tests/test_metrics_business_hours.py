"""Business-hours schedules and working seconds between instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.errors import UsageError
from csmetrics.metrics.business_hours import (
    BusinessHours,
    business_seconds,
    parse_business_hours,
)

WARSAW = "Europe/Warsaw"
OFFICE = parse_business_hours("Mon-Fri 09:00-17:00", WARSAW)
ALWAYS = parse_business_hours("Mon-Sun 00:00-24:00", WARSAW)


def _local(*values: datetime | None, tz: str = WARSAW) -> pl.Series:
    """Naive local wall-clock datetimes read in ``tz`` (none of them ambiguous)."""
    return pl.Series("t", list(values), dtype=pl.Datetime("us")).dt.replace_time_zone(tz)


def _one(start: datetime, end: datetime, hours: BusinessHours = OFFICE) -> float | None:
    value = business_seconds(_local(start), _local(end), hours).item()
    assert value is None or isinstance(value, float)
    return value


# --- parsing ---------------------------------------------------------------------------


def test_parse_accepted_forms() -> None:
    assert OFFICE.days == frozenset({1, 2, 3, 4, 5})
    assert (OFFICE.start, OFFICE.end, OFFICE.tz) == (time(9), time(17), WARSAW)
    short = parse_business_hours("Mon-Thu 08:00-16:00", "UTC")
    assert short.days == frozenset({1, 2, 3, 4}) and short.start == time(8)
    assert parse_business_hours("Mon,Wed,Fri 09:00-17:00", "UTC").days == frozenset({1, 3, 5})
    assert parse_business_hours("Sun-Thu 09:00-17:00", "UTC").days == frozenset({7, 1, 2, 3, 4})
    assert parse_business_hours("sat 9:30-13:00", "UTC").days == frozenset({6})
    assert ALWAYS.days == frozenset(range(1, 8))
    assert (ALWAYS.start_seconds, ALWAYS.end_seconds) == (0, 86_400)


def test_parse_keeps_holidays() -> None:
    holidays = frozenset({date(2024, 1, 1)})
    assert parse_business_hours("Mon-Fri 09:00-17:00", "UTC", holidays).holidays == holidays


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "Mon-Fri",
        "09:00-17:00",
        "Mon-Fri 17:00-09:00",
        "Mon-Fri 09:00-09:00",
        "Mon-Fri 25:00-26:00",
        "Mon-Fri 09:60-17:00",
        "Xyz 09:00-17:00",
        "Mon-Fri 24:00-24:00",
        "Monday-Friday 09:00-17:00",
    ],
)
def test_parse_rejects_with_accepted_form(spec: str) -> None:
    with pytest.raises(UsageError, match="Mon-Fri 09:00-17:00"):
        parse_business_hours(spec, "UTC")


def test_parse_rejects_unknown_time_zone() -> None:
    with pytest.raises(UsageError, match="time zone"):
        parse_business_hours("Mon-Fri 09:00-17:00", "Mars/Olympus")


def test_describe() -> None:
    assert OFFICE.describe() == "Mon-Fri 09:00-17:00 Europe/Warsaw"
    assert parse_business_hours("Sun-Thu 09:00-17:00", "UTC").describe().startswith("Sun-Thu ")
    assert ALWAYS.describe() == "Mon-Sun 00:00-24:00 Europe/Warsaw"
    odd = parse_business_hours("Fri,Mon-Wed 08:30-16:00", "UTC", frozenset({date(2024, 1, 1)}))
    assert odd.describe() == "Mon-Wed,Fri 08:30-16:00 UTC, 1 holiday"


@given(st.sets(st.integers(1, 7), min_size=1))
def test_describe_round_trips(days: set[int]) -> None:
    hours = BusinessHours(frozenset(days), time(9), time(0), "UTC")
    spec = hours.describe().removesuffix(" UTC")
    assert parse_business_hours(spec, "UTC") == hours


# --- working seconds, by hand ----------------------------------------------------------


def test_within_one_day() -> None:
    assert _one(datetime(2024, 1, 9, 10), datetime(2024, 1, 9, 12, 30)) == 9000.0


def test_clipped_to_the_window() -> None:
    assert _one(datetime(2024, 1, 9, 7), datetime(2024, 1, 9, 20)) == 8 * 3600.0


def test_across_a_weekend() -> None:
    # Fri 16:00 → Mon 10:00 = 1 h Friday + 1 h Monday
    assert _one(datetime(2024, 1, 12, 16), datetime(2024, 1, 15, 10)) == 7200.0


def test_holiday_in_between() -> None:
    # Tue 16:00 → Thu 10:00: 1 h + Wed 8 h + 1 h; with Wed a holiday only 2 h
    assert _one(datetime(2024, 1, 2, 16), datetime(2024, 1, 4, 10)) == 10 * 3600.0
    holiday = parse_business_hours("Mon-Fri 09:00-17:00", WARSAW, frozenset({date(2024, 1, 3)}))
    assert _one(datetime(2024, 1, 2, 16), datetime(2024, 1, 4, 10), holiday) == 7200.0


def test_opened_saturday_answered_monday() -> None:
    assert _one(datetime(2024, 1, 13, 11), datetime(2024, 1, 15, 9, 30)) == 1800.0


def test_evening_to_next_morning_is_zero() -> None:
    assert _one(datetime(2024, 1, 9, 18), datetime(2024, 1, 10, 8)) == 0.0


def test_wrap_around_week() -> None:
    sun_thu = parse_business_hours("Sun-Thu 09:00-17:00", WARSAW)
    # Thu 16:00 → Sun 10:00: Fri and Sat are off
    assert _one(datetime(2024, 1, 11, 16), datetime(2024, 1, 14, 10), sun_thu) == 7200.0


def test_dst_days_keep_an_eight_hour_window() -> None:
    daily = parse_business_hours("Mon-Sun 09:00-17:00", WARSAW)
    for day in (date(2024, 3, 31), date(2024, 10, 27)):  # spring forward, fall back (Sundays)
        start = datetime.combine(day, time(0))
        assert _one(start, start + timedelta(days=1), daily) == 8 * 3600.0


def test_dst_days_count_elapsed_time_on_a_24h_schedule() -> None:
    assert _one(datetime(2024, 3, 31), datetime(2024, 4, 1), ALWAYS) == 23 * 3600.0
    assert _one(datetime(2024, 10, 27), datetime(2024, 10, 28), ALWAYS) == 25 * 3600.0


def test_window_edges_inside_the_dst_change() -> None:
    # 02:00–03:00 does not exist on 2024-03-31: the 02:00–04:00 window lasts 1 real hour.
    night = parse_business_hours("Sun 02:00-04:00", WARSAW)
    assert _one(datetime(2024, 3, 31), datetime(2024, 4, 1), night) == 3600.0
    # 02:30 is read with the offset before the change (= 03:30 CEST): an empty window.
    gap = parse_business_hours("Sun 02:30-03:30", WARSAW)
    assert _one(datetime(2024, 3, 31), datetime(2024, 4, 1), gap) == 0.0
    # On 2024-10-27 02:30 happens twice: the first one counts, 02:30 CEST → 03:30 CET = 2 h.
    start = _local(datetime(2024, 10, 26, 12))
    end = _local(datetime(2024, 10, 27, 12))
    assert business_seconds(start, end, gap).item() == 7200.0


def test_weekend_dst_change_does_not_touch_office_hours() -> None:
    # Fri 2024-03-29 16:00 → Mon 2024-04-01 10:00 across the spring-forward Sunday
    assert _one(datetime(2024, 3, 29, 16), datetime(2024, 4, 1, 10)) == 7200.0


def test_instants_in_another_zone_are_read_in_the_schedule_zone() -> None:
    start = _local(datetime(2024, 1, 8, 8, 30), tz="UTC")  # 09:30 in Warsaw
    end = _local(datetime(2024, 1, 8, 10, 0), tz="UTC")  # 11:00 in Warsaw
    assert business_seconds(start, end, OFFICE).item() == 5400.0


def test_nulls_and_reversed_order() -> None:
    result = business_seconds(
        _local(datetime(2024, 1, 9, 10), None, datetime(2024, 1, 9, 12)),
        _local(None, datetime(2024, 1, 9, 12), datetime(2024, 1, 9, 10)),
        OFFICE,
    )
    assert result.to_list() == [None, None, -7200.0]
    all_null = business_seconds(_local(None), _local(None), OFFICE)
    assert all_null.to_list() == [None] and all_null.dtype == pl.Float64


def test_naive_datetimes_are_refused() -> None:
    naive = pl.Series("t", [datetime(2024, 1, 9, 10)])
    with pytest.raises(TypeError, match="tz-aware"):
        business_seconds(naive, naive, OFFICE)


# --- properties ------------------------------------------------------------------------


def _reference(start: datetime, end: datetime, hours: BusinessHours) -> float:
    """Day-by-day sum of window overlaps, with zoneinfo (fold=0) placing the window edges."""
    if end < start:
        return -_reference(end, start, hours)
    zone = ZoneInfo(hours.tz)
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    total = 0.0
    while day <= last:
        if day.isoweekday() in hours.days and day not in hours.holidays:
            window_start = datetime.combine(day, hours.start, tzinfo=zone)
            window_end = (
                datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                if hours.end_seconds == 86_400
                else datetime.combine(day, hours.end, tzinfo=zone)
            )
            low = max(start.timestamp(), window_start.timestamp())
            high = min(end.timestamp(), window_end.timestamp())
            total += max(0.0, high - low)
        day += timedelta(days=1)
    return total


_instants = st.datetimes(
    min_value=datetime(2024, 3, 20), max_value=datetime(2024, 11, 5), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))


@st.composite
def _schedules(draw: st.DrawFn) -> BusinessHours:
    days = draw(st.sets(st.integers(1, 7), min_size=1))
    start_minute = draw(st.sampled_from(range(0, 24 * 60, 30)))
    end_minute = draw(st.integers(start_minute // 30 + 1, 48)) * 30
    end = time(0) if end_minute == 24 * 60 else time(end_minute // 60, end_minute % 60)
    holidays = draw(st.frozensets(st.dates(min_value=date(2024, 3, 20), max_value=date(2024, 11, 5))))
    return BusinessHours(frozenset(days), time(start_minute // 60, start_minute % 60), end, WARSAW, holidays)


def _utc(values: list[datetime]) -> pl.Series:
    return pl.Series("t", values, dtype=pl.Datetime("us", "UTC"))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(_instants, _instants), min_size=1, max_size=4), _schedules())
def test_matches_day_by_day_reference(pairs: list[tuple[datetime, datetime]], hours: BusinessHours) -> None:
    starts, ends = [s for s, _ in pairs], [e for _, e in pairs]
    result = business_seconds(_utc(starts), _utc(ends), hours).to_list()
    expected = [_reference(s, e, hours) for s, e in pairs]
    assert result == pytest.approx(expected, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_instants, _instants), min_size=1, max_size=4))
def test_round_the_clock_schedule_equals_calendar_time(
    pairs: list[tuple[datetime, datetime]],
) -> None:
    starts, ends = [s for s, _ in pairs], [e for _, e in pairs]
    result = business_seconds(_utc(starts), _utc(ends), ALWAYS).to_list()
    assert result == pytest.approx([(e - s).total_seconds() for s, e in pairs], abs=1e-6)
