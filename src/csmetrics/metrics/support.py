"""Support metrics from a tickets frame (SPEC §4).

Rules, each in the words of the tool it matches:

- Cohort: tickets created in the period (local day in ``--tz``, not after as-of), or with
  ``cohort="solved"`` tickets solved in it (Zendesk Explore filters by "Ticket solved").
- Solved: ``solved_at`` set and its local day on or before as-of (a later solve is not known
  yet). An export that gives only ``resolution_minutes`` (no ``solved_at``) marks the ticket solved,
  unless ``created_at`` + that duration already lies after as-of; such a ticket has no solve day,
  so it is never in a ``solved`` cohort.
- First response = first_response_at − created_at, resolution = solved_at − created_at, in
  calendar seconds or, with a clock, business seconds (Zendesk "within business hours").
  Where the timestamp is missing, ``first_response_minutes`` / ``resolution_minutes`` × 60 stand
  in, as the export states them (Zendesk: calendar or business per column; Freshdesk: business).
- No first response by as-of (neither timestamp nor duration, or a response after as-of): left
  out of response times and counted in ``unanswered_tickets`` (Zendesk Explore's first reply time
  likewise ignores tickets without a reply).
- replies_per_solved_ticket and one_touch_rate use the solved tickets whose reply count is known;
  one-touch = exactly one public agent reply (Zendesk's "one-touch tickets").
- csat_score = share of ratings 4–5 among rated tickets (Zendesk "Good" = 5); csat_average the mean.
- by_weekday, by_hour and the weekday × hour matrix count tickets by their local creation time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, TypedDict

import polars as pl

from csmetrics.metrics import stats
from csmetrics.metrics.business_hours import (
    WEEKDAY_NAMES,
    BusinessHours,
    business_seconds,
)
from csmetrics.periods import Period

__all__ = [
    "NO_CHANNEL",
    "UNASSIGNED",
    "AgentStats",
    "Cohort",
    "GroupBy",
    "SupportResult",
    "clock_label",
    "compute_support",
    "support_by",
]

Cohort = Literal["created", "solved"]
GroupBy = Literal["agent", "channel", "type"]

NO_CHANNEL = "(none)"
"""Label of tickets with no channel (or no type) in the breakdowns."""

UNASSIGNED = "(unassigned)"
"""Label of tickets with no agent in the breakdowns."""

_US_PER_SECOND = 1_000_000


class AgentStats(TypedDict):
    """One agent's line in ``by_agent``."""

    tickets: int
    solved: int
    csat_responses: int
    csat_score: float | None
    first_response_seconds_median: float | None


@dataclass(frozen=True)
class SupportResult:
    """Support metrics of one ticket cohort; ``values()`` gives the SPEC §4 keys.

    ``weekday_hour`` (7 rows Mon…Sun × 24 hours, ticket counts by local creation time) feeds a
    heat map and is not part of ``values()``.
    """

    tickets: int
    solved_tickets: int
    unanswered_tickets: int
    resolution_rate: float | None
    replies_per_solved_ticket: float | None
    one_touch_rate: float | None
    first_response_seconds_median: float | None
    first_response_seconds_mean: float | None
    first_response_seconds_p90: float | None
    resolution_seconds_median: float | None
    resolution_seconds_mean: float | None
    resolution_seconds_p90: float | None
    csat_responses: int
    csat_score: float | None
    csat_average: float | None
    by_channel: dict[str, int]
    by_weekday: dict[str, int]
    by_hour: dict[str, int]
    by_agent: dict[str, AgentStats]
    clock: str
    weekday_hour: tuple[tuple[int, ...], ...]

    def values(self) -> dict[str, object]:
        """The SPEC §4/§5 ``values`` object: exactly these keys, unrounded floats, None not NaN."""
        return {
            "tickets": self.tickets,
            "solved_tickets": self.solved_tickets,
            "unanswered_tickets": self.unanswered_tickets,
            "resolution_rate": self.resolution_rate,
            "replies_per_solved_ticket": self.replies_per_solved_ticket,
            "one_touch_rate": self.one_touch_rate,
            "first_response_seconds_median": self.first_response_seconds_median,
            "first_response_seconds_mean": self.first_response_seconds_mean,
            "first_response_seconds_p90": self.first_response_seconds_p90,
            "resolution_seconds_median": self.resolution_seconds_median,
            "resolution_seconds_mean": self.resolution_seconds_mean,
            "resolution_seconds_p90": self.resolution_seconds_p90,
            "csat_responses": self.csat_responses,
            "csat_score": self.csat_score,
            "csat_average": self.csat_average,
            "by_channel": dict(self.by_channel),
            "by_weekday": dict(self.by_weekday),
            "by_hour": dict(self.by_hour),
            "by_agent": {agent: dict(line) for agent, line in self.by_agent.items()},
            "clock": self.clock,
        }


def clock_label(clock: BusinessHours | None) -> str:
    """``calendar``, or ``business`` + the schedule (``business Mon-Fri 09:00-17:00 Europe/Warsaw``)."""
    return "calendar" if clock is None else f"business {clock.describe()}"


def _ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None when the denominator is 0 (SPEC §3 rates)."""
    return None if denominator == 0 else numerator / denominator


def _minutes_later(minutes: str) -> pl.Expr:
    """created_at + an exported duration in minutes (an instant; elapsed time)."""
    micros = (pl.col(minutes) * 60 * _US_PER_SECOND).round().cast(pl.Int64)
    return pl.col("created_at") + pl.duration(microseconds=micros)


def _known_by(timestamp: str, minutes: str, as_of: date) -> pl.Expr:
    """True when the event (timestamp, else created_at + minutes) happened by the end of as-of."""
    by_timestamp = pl.col(timestamp).is_not_null() & (pl.col(timestamp).dt.date() <= as_of)
    by_duration = (
        pl.col(timestamp).is_null()
        & pl.col(minutes).is_not_null()
        & (_minutes_later(minutes).dt.date() <= as_of)
    )
    return by_timestamp | by_duration


def _cohort(
    tickets: pl.DataFrame | pl.LazyFrame, period: Period, as_of: date, cohort: Cohort
) -> pl.DataFrame:
    """The cohort's tickets with ``_solved`` and ``_responded`` flags (as known at as-of)."""
    upper = min(period.end, as_of + timedelta(days=1))
    if cohort == "created":
        day = pl.col("created_at").dt.date()
    elif cohort == "solved":
        day = pl.col("solved_at").dt.date()
    else:
        raise ValueError(f"cohort must be 'created' or 'solved', got {cohort!r}")
    return (
        tickets.lazy()
        .filter(day.is_not_null() & (day >= period.start) & (day < upper))
        .with_columns(
            _solved=_known_by("solved_at", "resolution_minutes", as_of),
            _responded=_known_by("first_response_at", "first_response_minutes", as_of),
        )
        .collect()
    )


def _elapsed(frame: pl.DataFrame, end: str, clock: BusinessHours | None) -> pl.Series:
    """Seconds from created_at to ``end``: calendar (elapsed) or business seconds."""
    if clock is None:
        return frame.select(
            (pl.col(end) - pl.col("created_at")).dt.total_microseconds() / _US_PER_SECOND
        ).to_series()
    return business_seconds(frame.get_column("created_at"), frame.get_column(end), clock)


def _with_durations(frame: pl.DataFrame, clock: BusinessHours | None) -> pl.DataFrame:
    """Add ``_frt`` and ``_res`` (seconds; null when not responded / not solved by as-of)."""
    frame = frame.with_columns(
        _frt_ts=_elapsed(frame, "first_response_at", clock),
        _res_ts=_elapsed(frame, "solved_at", clock),
    )
    return frame.with_columns(
        _frt=pl.when(pl.col("_responded")).then(
            pl.coalesce(pl.col("_frt_ts"), pl.col("first_response_minutes") * 60.0)
        ),
        _res=pl.when(pl.col("_solved")).then(
            pl.coalesce(pl.col("_res_ts"), pl.col("resolution_minutes") * 60.0)
        ),
        _weekday=pl.col("created_at").dt.weekday().cast(pl.Int64),
        _hour=pl.col("created_at").dt.hour().cast(pl.Int64),
    ).drop("_frt_ts", "_res_ts")


def _prepare(
    tickets: pl.DataFrame | pl.LazyFrame,
    period: Period,
    as_of: date,
    cohort: Cohort,
    clock: BusinessHours | None,
) -> pl.DataFrame:
    """The cohort with flags, durations and local weekday/hour of creation."""
    return _with_durations(_cohort(tickets, period, as_of, cohort), clock)


def _counts_by(frame: pl.DataFrame, column: str, missing: str) -> dict[str, int]:
    """Tickets per value of ``column`` (null → ``missing``), most tickets first, then by name."""
    counts = (
        frame.group_by(pl.col(column).cast(pl.String).fill_null(missing).alias("_key"))
        .agg(pl.len().cast(pl.Int64).alias("_n"))
        .sort(["_n", "_key"], descending=[True, False])
    )
    return dict(zip(counts.get_column("_key").to_list(), counts.get_column("_n").to_list(), strict=True))


def _weekday_hour(frame: pl.DataFrame) -> tuple[tuple[int, ...], ...]:
    """7 × 24 ticket counts by local weekday (Mon first) and hour of creation."""
    grid = pl.DataFrame({"_weekday": list(range(1, 8))}).join(
        pl.DataFrame({"_hour": list(range(24))}), how="cross"
    )
    counts = frame.group_by("_weekday", "_hour").agg(pl.len().cast(pl.Int64).alias("_n"))
    flat = (
        grid.join(counts, on=["_weekday", "_hour"], how="left")
        .sort("_weekday", "_hour")
        .get_column("_n")
        .fill_null(0)
        .to_list()
    )
    return tuple(tuple(flat[row * 24 : (row + 1) * 24]) for row in range(7))


def _by_agent(frame: pl.DataFrame) -> dict[str, AgentStats]:
    """Per-agent tickets, solved, CSAT and median first response (null agent → unassigned)."""
    rated = pl.col("csat").count()
    table = (
        frame.group_by(pl.col("agent").cast(pl.String).fill_null(UNASSIGNED).alias("_agent"))
        .agg(
            pl.len().cast(pl.Int64).alias("tickets"),
            pl.col("_solved").sum().cast(pl.Int64).alias("solved"),
            rated.cast(pl.Int64).alias("csat_responses"),
            pl.when(rated > 0).then((pl.col("csat") >= 4).sum() / rated).otherwise(None).alias("csat_score"),
            pl.col("_frt").drop_nans().median().alias("first_response_seconds_median"),
        )
        .sort(["tickets", "_agent"], descending=[True, False])
    )
    result: dict[str, AgentStats] = {}
    for row in table.iter_rows(named=True):
        result[str(row["_agent"])] = AgentStats(
            tickets=int(row["tickets"]),
            solved=int(row["solved"]),
            csat_responses=int(row["csat_responses"]),
            csat_score=row["csat_score"],
            first_response_seconds_median=row["first_response_seconds_median"],
        )
    return result


def _summarise(frame: pl.DataFrame, clock: BusinessHours | None) -> SupportResult:
    """All support metrics of a prepared cohort frame."""
    tickets = frame.height
    solved = frame.filter(pl.col("_solved"))
    solved_tickets = solved.height
    replies = solved.get_column("replies").drop_nulls()
    csat = frame.get_column("csat").drop_nulls()
    frt = frame.get_column("_frt")
    res = frame.get_column("_res")
    matrix = _weekday_hour(frame)
    return SupportResult(
        tickets=tickets,
        solved_tickets=solved_tickets,
        unanswered_tickets=tickets - int(frame.get_column("_responded").sum()),
        resolution_rate=_ratio(solved_tickets, tickets),
        replies_per_solved_ticket=stats.mean(replies),
        one_touch_rate=_ratio(int((replies == 1).sum()), replies.len()),
        first_response_seconds_median=stats.median(frt),
        first_response_seconds_mean=stats.mean(frt),
        first_response_seconds_p90=stats.percentile_linear(frt, 0.9),
        resolution_seconds_median=stats.median(res),
        resolution_seconds_mean=stats.mean(res),
        resolution_seconds_p90=stats.percentile_linear(res, 0.9),
        csat_responses=csat.len(),
        csat_score=_ratio(int((csat >= 4).sum()), csat.len()),
        csat_average=stats.mean(csat),
        by_channel=_counts_by(frame, "channel", NO_CHANNEL),
        by_weekday={name: sum(row) for name, row in zip(WEEKDAY_NAMES, matrix, strict=True)},
        by_hour={str(hour): sum(row[hour] for row in matrix) for hour in range(24)},
        by_agent=_by_agent(frame),
        clock=clock_label(clock),
        weekday_hour=matrix,
    )


def compute_support(
    tickets: pl.DataFrame | pl.LazyFrame,
    period: Period,
    as_of: date,
    *,
    cohort: Cohort = "created",
    clock: BusinessHours | None = None,
) -> SupportResult:
    """Support metrics of the tickets created (or solved) in the period, as known at as-of.

    See the module docstring for each rule and its source.
    """
    return _summarise(_prepare(tickets, period, as_of, cohort, clock), clock)


def support_by(
    tickets: pl.DataFrame | pl.LazyFrame,
    by: GroupBy,
    period: Period,
    as_of: date,
    *,
    cohort: Cohort = "created",
    clock: BusinessHours | None = None,
) -> list[tuple[str, SupportResult]]:
    """Support metrics per agent, channel or type (null → ``(unassigned)`` / ``(none)``).

    Groups are sorted by tickets descending, then by name; each cohort ticket is in exactly one
    group, so the groups' ``tickets`` add up to the total (checked).
    """
    if by not in ("agent", "channel", "type"):
        raise ValueError(f"support_by groups by agent, channel or type, got {by!r}")
    prepared = _prepare(tickets, period, as_of, cohort, clock)
    missing = UNASSIGNED if by == "agent" else NO_CHANNEL
    keyed = prepared.with_columns(_group=pl.col(by).cast(pl.String).fill_null(missing))
    results = [
        (key, _summarise(part.drop("_group"), clock))
        for (key,), part in keyed.partition_by("_group", as_dict=True).items()
    ]
    results.sort(key=lambda item: (-item[1].tickets, str(item[0])))
    if sum(result.tickets for _, result in results) != prepared.height:
        raise RuntimeError(f"support_by({by}): group tickets do not add up to the cohort's {prepared.height}")
    return [(str(key), result) for key, result in results]
