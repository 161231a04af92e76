"""Support metrics (SPEC §4): cohorts, as-of, response and resolution times, breakdowns."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csmetrics.metrics.business_hours import parse_business_hours
from csmetrics.metrics.support import SupportResult, compute_support, support_by
from csmetrics.periods import Period

DEC = Period("2023-12", date(2023, 12, 1), date(2024, 1, 1))
JAN = Period("2024-01", date(2024, 1, 1), date(2024, 2, 1))
AS_OF = date(2024, 2, 15)
VALUE_KEYS = [
    "tickets",
    "solved_tickets",
    "unanswered_tickets",
    "resolution_rate",
    "replies_per_solved_ticket",
    "one_touch_rate",
    "first_response_seconds_median",
    "first_response_seconds_mean",
    "first_response_seconds_p90",
    "resolution_seconds_median",
    "resolution_seconds_mean",
    "resolution_seconds_p90",
    "csat_responses",
    "csat_score",
    "csat_average",
    "by_channel",
    "by_weekday",
    "by_hour",
    "by_agent",
    "clock",
]
_TIMES = ("created_at", "first_response_at", "solved_at")


def _tickets(rows: list[dict[str, Any]], tz: str = "UTC") -> pl.DataFrame:
    """A tickets frame in the readers' schema; datetimes in ``rows`` are naive UTC instants."""
    columns: dict[str, pl.Series] = {
        "ticket_id": pl.Series([str(i) for i in range(len(rows))], dtype=pl.String),
    }
    dtypes: dict[str, pl.DataType] = {
        "customer_id": pl.String(),
        "status": pl.String(),
        "replies": pl.Int64(),
        "channel": pl.String(),
        "agent": pl.String(),
        "csat": pl.Int64(),
        "type": pl.String(),
        "first_response_minutes": pl.Float64(),
        "resolution_minutes": pl.Float64(),
    }
    for name in _TIMES:
        columns[name] = (
            pl.Series(name, [row.get(name) for row in rows], dtype=pl.Datetime("us"))
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(tz)
        )
    for name, dtype in dtypes.items():
        default = "open" if name == "status" else None
        columns[name] = pl.Series(name, [row.get(name, default) for row in rows], dtype=dtype)
    return pl.DataFrame(columns)


def _ticket(created: datetime, **fields: Any) -> dict[str, Any]:
    return {"created_at": created, **fields}


# --- cohorts and as-of -----------------------------------------------------------------


def test_solved_across_midnight_of_the_period_end() -> None:
    frame = _tickets([_ticket(datetime(2023, 12, 31, 23), solved_at=datetime(2024, 1, 1, 1), replies=1)])
    dec = compute_support(frame, DEC, AS_OF)
    assert (dec.tickets, dec.solved_tickets) == (1, 1)
    assert dec.resolution_rate == 1.0
    assert dec.resolution_seconds_median == 7200.0
    assert dec.resolution_seconds_mean == 7200.0
    assert dec.resolution_seconds_p90 == 7200.0
    assert compute_support(frame, JAN, AS_OF).tickets == 0
    assert compute_support(frame, JAN, AS_OF, cohort="solved").solved_tickets == 1
    assert compute_support(frame, DEC, AS_OF, cohort="solved").tickets == 0


def test_solved_after_as_of_is_not_solved() -> None:
    frame = _tickets(
        [
            _ticket(
                datetime(2023, 12, 5, 10),
                first_response_at=datetime(2023, 12, 20, 10),
                solved_at=datetime(2023, 12, 20, 11),
            )
        ]
    )
    before = compute_support(frame, DEC, date(2023, 12, 19))
    assert (before.tickets, before.solved_tickets, before.unanswered_tickets) == (1, 0, 1)
    assert before.resolution_rate == 0.0
    assert before.resolution_seconds_median is None
    assert before.first_response_seconds_median is None
    on_the_day = compute_support(frame, DEC, date(2023, 12, 20))
    assert (on_the_day.solved_tickets, on_the_day.unanswered_tickets) == (1, 0)
    assert compute_support(frame, DEC, date(2023, 12, 19), cohort="solved").tickets == 0


def test_tickets_created_after_as_of_are_not_in_the_cohort() -> None:
    frame = _tickets([_ticket(datetime(2023, 12, 5)), _ticket(datetime(2023, 12, 20))])
    assert compute_support(frame, DEC, date(2023, 12, 10)).tickets == 1


def test_ticket_without_response_is_unanswered_and_left_out_of_times() -> None:
    frame = _tickets(
        [
            _ticket(datetime(2023, 12, 4, 9), first_response_at=datetime(2023, 12, 4, 10)),
            _ticket(datetime(2023, 12, 4, 9), first_response_at=datetime(2023, 12, 4, 12)),
            _ticket(datetime(2023, 12, 4, 9)),  # never answered
        ]
    )
    result = compute_support(frame, DEC, AS_OF)
    assert (result.tickets, result.unanswered_tickets) == (3, 1)
    assert result.first_response_seconds_median == 7200.0  # of 3600 and 10800
    assert result.first_response_seconds_mean == 7200.0
    assert result.first_response_seconds_p90 == pytest.approx(3600 + 0.9 * 7200)


def test_exported_minutes_stand_in_for_missing_timestamps() -> None:
    frame = _tickets(
        [
            # timestamp present: the timestamp wins over the exported minutes
            _ticket(
                datetime(2023, 12, 4, 9),
                first_response_at=datetime(2023, 12, 4, 9, 10),
                first_response_minutes=999.0,
            ),
            # no timestamps: the durations are used, and the ticket counts as solved
            _ticket(datetime(2023, 12, 4, 9), first_response_minutes=30.0, resolution_minutes=120.0),
        ]
    )
    result = compute_support(frame, DEC, AS_OF)
    assert result.unanswered_tickets == 0
    assert result.first_response_seconds_median == (600 + 1800) / 2
    assert result.solved_tickets == 1
    assert result.resolution_seconds_median == 7200.0
    # a duration that ends after as-of is not known yet
    not_yet = _tickets(
        [_ticket(datetime(2023, 12, 4, 23), first_response_minutes=120.0, resolution_minutes=90.0)]
    )
    unknown = compute_support(not_yet, DEC, date(2023, 12, 4))
    assert (unknown.solved_tickets, unknown.unanswered_tickets) == (0, 1)


# --- rates ----------------------------------------------------------------------------


def test_rates_by_hand() -> None:
    day = datetime(2023, 12, 6, 10)
    solved = day + timedelta(hours=5)
    frame = _tickets(
        [
            _ticket(day, solved_at=solved, replies=1, csat=5),
            _ticket(day, solved_at=solved, replies=3, csat=4),
            _ticket(day, solved_at=solved, replies=2, csat=3),
            _ticket(day, replies=4, csat=None),  # open: its replies do not count
            _ticket(day, solved_at=solved),  # reply count unknown: out of the reply rates
        ]
    )
    result = compute_support(frame, DEC, AS_OF)
    assert result.resolution_rate == 0.8
    assert result.replies_per_solved_ticket == 2.0
    assert result.one_touch_rate == pytest.approx(1 / 3)
    assert result.csat_responses == 3
    assert result.csat_score == pytest.approx(2 / 3)
    assert result.csat_average == 4.0


def test_empty_cohort_gives_none_rates_and_all_keys() -> None:
    result = compute_support(_tickets([]), DEC, AS_OF)
    values = result.values()
    assert list(values) == VALUE_KEYS
    assert values["tickets"] == 0
    for key in ("resolution_rate", "one_touch_rate", "csat_score", "first_response_seconds_p90"):
        assert values[key] is None
    assert result.by_weekday == dict.fromkeys(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], 0)
    assert list(result.by_hour) == [str(hour) for hour in range(24)]
    assert result.weekday_hour == tuple((0,) * 24 for _ in range(7))
    json.dumps(values, allow_nan=False)


# --- breakdowns -----------------------------------------------------------------------


def test_by_hour_and_weekday_are_counted_in_the_time_zone() -> None:
    rows = [_ticket(datetime(2024, 1, 15, 23, 30))]  # Monday 23:30Z = Tuesday 00:30 in Warsaw
    warsaw = compute_support(_tickets(rows, tz="Europe/Warsaw"), JAN, AS_OF)
    assert warsaw.by_hour["0"] == 1 and warsaw.by_hour["23"] == 0
    assert warsaw.by_weekday["Tue"] == 1
    assert warsaw.weekday_hour[1][0] == 1
    utc = compute_support(_tickets(rows, tz="UTC"), JAN, AS_OF)
    assert utc.by_hour["23"] == 1 and utc.by_weekday["Mon"] == 1
    assert len(warsaw.by_hour) == 24 and len(warsaw.by_weekday) == 7


def test_the_local_day_decides_the_cohort() -> None:
    rows = [_ticket(datetime(2023, 12, 31, 23, 30))]  # 2024-01-01 00:30 in Warsaw
    assert compute_support(_tickets(rows, tz="Europe/Warsaw"), JAN, AS_OF).tickets == 1
    assert compute_support(_tickets(rows, tz="UTC"), JAN, AS_OF).tickets == 0


def test_channel_and_agent_breakdowns() -> None:
    day = datetime(2023, 12, 6, 10)
    frame = _tickets(
        [
            _ticket(day, channel="email", agent="ann", first_response_at=day + timedelta(hours=1)),
            _ticket(day, channel="email", agent="ann", solved_at=day, csat=5),
            _ticket(day, channel=None, agent=None, csat=3),
        ]
    )
    result = compute_support(frame, DEC, AS_OF)
    assert result.by_channel == {"email": 2, "(none)": 1}
    assert list(result.by_agent) == ["ann", "(unassigned)"]
    assert result.by_agent["ann"] == {
        "tickets": 2,
        "solved": 1,
        "csat_responses": 1,
        "csat_score": 1.0,
        "first_response_seconds_median": 3600.0,
    }
    assert result.by_agent["(unassigned)"]["csat_score"] == 0.0
    assert result.by_agent["(unassigned)"]["first_response_seconds_median"] is None


def test_support_by_agent() -> None:
    day = datetime(2023, 12, 6, 10)
    frame = _tickets(
        [_ticket(day, agent="bob"), _ticket(day, agent="ann"), _ticket(day, agent="bob"), _ticket(day)]
    )
    groups = support_by(frame, "agent", DEC, AS_OF)
    assert [(name, result.tickets) for name, result in groups] == [
        ("bob", 2),
        ("(unassigned)", 1),
        ("ann", 1),
    ]
    assert [name for name, _ in support_by(frame, "type", DEC, AS_OF)] == ["(none)"]


# --- clocks ----------------------------------------------------------------------------


def test_business_clock() -> None:
    hours = parse_business_hours("Mon-Fri 09:00-17:00", "Europe/Warsaw")
    # Fri 2024-01-12 16:00 Warsaw (15:00Z) → Mon 10:00 Warsaw (09:00Z); solved Mon 12:00
    frame = _tickets(
        [
            _ticket(
                datetime(2024, 1, 12, 15),
                first_response_at=datetime(2024, 1, 15, 9),
                solved_at=datetime(2024, 1, 15, 11),
            )
        ],
        tz="Europe/Warsaw",
    )
    business = compute_support(frame, JAN, AS_OF, clock=hours)
    assert business.first_response_seconds_median == 7200.0
    assert business.resolution_seconds_median == 4 * 3600.0  # Fri 16–17 + Mon 09–12
    assert business.clock == "business Mon-Fri 09:00-17:00 Europe/Warsaw"
    calendar = compute_support(frame, JAN, AS_OF)
    assert calendar.first_response_seconds_median == (2 * 24 + 18) * 3600.0
    assert calendar.clock == "calendar"


def test_lazy_input_and_extra_columns() -> None:
    frame = _tickets([_ticket(datetime(2023, 12, 6), replies=1)]).with_columns(pl.lit("x").alias("priority"))
    assert compute_support(frame.lazy(), DEC, AS_OF).tickets == 1


# --- properties -----------------------------------------------------------------------

_HOURS = st.integers(0, 24 * 40)


@st.composite
def _ticket_rows(draw: st.DrawFn) -> dict[str, Any]:
    created = datetime(2023, 11, 25) + timedelta(minutes=draw(st.integers(0, 60 * 24 * 45)))
    response = draw(st.none() | _HOURS)
    solve = draw(st.none() | _HOURS)
    return _ticket(
        created,
        first_response_at=None if response is None else created + timedelta(hours=response),
        solved_at=None if solve is None else created + timedelta(hours=solve),
        replies=draw(st.none() | st.integers(0, 4)),
        csat=draw(st.none() | st.integers(1, 5)),
        agent=draw(st.sampled_from(["ann", "bob", None])),
        channel=draw(st.sampled_from(["email", "chat", None])),
        type=draw(st.sampled_from(["question", "bug", None])),
    )


def _check_result(result: SupportResult) -> None:
    assert 0 <= result.solved_tickets <= result.tickets
    assert 0 <= result.unanswered_tickets <= result.tickets
    assert sum(result.by_weekday.values()) == result.tickets
    assert sum(result.by_hour.values()) == result.tickets
    assert sum(result.by_channel.values()) == result.tickets
    assert sum(line["tickets"] for line in result.by_agent.values()) == result.tickets
    for low, high in (
        (result.first_response_seconds_median, result.first_response_seconds_p90),
        (result.resolution_seconds_median, result.resolution_seconds_p90),
    ):
        assert (low is None) == (high is None)
        if low is not None and high is not None:
            assert low <= high + 1e-6
    json.dumps(result.values(), allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(_ticket_rows(), max_size=25),
    st.sampled_from(["agent", "channel", "type"]),
    st.sampled_from(["created", "solved"]),
    st.sampled_from(["UTC", "Europe/Warsaw"]),
)
def test_groups_add_up_to_the_total(rows: list[dict[str, Any]], by: str, cohort: str, tz: str) -> None:
    frame = _tickets(rows, tz=tz)
    total = compute_support(frame, DEC, AS_OF, cohort=cohort)  # type: ignore[arg-type]
    _check_result(total)
    groups = support_by(frame, by, DEC, AS_OF, cohort=cohort)  # type: ignore[arg-type]
    assert sum(result.tickets for _, result in groups) == total.tickets
    assert sum(result.solved_tickets for _, result in groups) == total.solved_tickets
    assert sum(result.unanswered_tickets for _, result in groups) == total.unanswered_tickets
    assert len({name for name, _ in groups}) == len(groups)
    for _, result in groups:
        _check_result(result)
